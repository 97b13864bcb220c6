//! Revoking sign-in sessions for many users: `$batch` requests of ≤ 20 with a bounded number in
//! flight; throttled or failed items (only those) are retried after the longest `Retry-After`;
//! every input gets exactly one result, streamed to a callback as it is known.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use tokio_util::sync::CancellationToken;

use super::batch::{BatchItem, BatchItemResponse, BatchRequest, parse_batch_response};
use super::error::map_http_error;
use super::{GraphClient, GraphError, GraphErrorBody, UserRef, validate_user_ref};
use crate::http::{HttpError, Request, RetryLogEntry, RetryReason};

/// Graph's limit of requests per batch.
pub const MAX_BATCH_SIZE: usize = 20;

#[derive(Debug, Clone)]
pub struct RevokeOptions {
    /// 1..=20.
    pub batch_size: usize,
    pub batches_in_flight: usize,
    /// Sends per item, the first included, before a throttled/failing item is given up.
    pub max_item_attempts: u32,
    pub cancel: CancellationToken,
}

impl Default for RevokeOptions {
    fn default() -> Self {
        RevokeOptions {
            batch_size: MAX_BATCH_SIZE,
            batches_in_flight: 4,
            max_item_attempts: 6,
            cancel: CancellationToken::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    Revoked,
    NotFound,
    Forbidden {
        message: String,
    },
    Failed {
        reason: String,
    },
    /// Graph kept throttling this user's request past the retry budget: try again later.
    Throttled {
        reason: String,
    },
    /// Rejected before sending (not a GUID or UPN).
    Invalid {
        reason: String,
    },
    /// The same user (case-insensitive) appeared earlier at `first_index`; sent once only.
    Duplicate {
        first_index: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeResult {
    /// Position in the input.
    pub index: usize,
    pub input: String,
    pub outcome: RevokeOutcome,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevokeSummary {
    pub revoked: usize,
    pub not_found: usize,
    pub forbidden: usize,
    pub failed: usize,
    pub invalid: usize,
    pub duplicates: usize,
    /// `$batch` requests this call made (HTTP-level retries not included).
    pub batch_requests: usize,
}

#[derive(Clone)]
struct Target {
    index: usize,
    input: String,
    user: UserRef,
}

/// Emits each index at most once and keeps the counts.
struct Results<'a> {
    callback: &'a (dyn Fn(&RevokeResult) + Send + Sync),
    state: Mutex<(Vec<bool>, RevokeSummary)>,
}

impl Results<'_> {
    fn emit(&self, index: usize, input: &str, outcome: RevokeOutcome) {
        {
            let Ok(mut g) = self.state.lock() else { return };
            let (emitted, summary) = &mut *g;
            if emitted.get(index).copied().unwrap_or(true) {
                return;
            }
            emitted[index] = true;
            match &outcome {
                RevokeOutcome::Revoked => summary.revoked += 1,
                RevokeOutcome::NotFound => summary.not_found += 1,
                RevokeOutcome::Forbidden { .. } => summary.forbidden += 1,
                RevokeOutcome::Failed { .. } | RevokeOutcome::Throttled { .. } => {
                    summary.failed += 1
                }
                RevokeOutcome::Invalid { .. } => summary.invalid += 1,
                RevokeOutcome::Duplicate { .. } => summary.duplicates += 1,
            }
        }
        (self.callback)(&RevokeResult {
            index,
            input: input.to_owned(),
            outcome,
        });
    }

    fn count_batch(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.1.batch_requests += 1;
        }
    }
}

impl GraphClient {
    /// `POST /users/{id|upn}/revokeSignInSessions` for every input, batched. Cancelling
    /// `options.cancel` (or dropping the future) stops sending; with the token, users not
    /// finished by then get `Failed` ("cancelled").
    pub async fn revoke_sign_in_sessions(
        &self,
        users: &[String],
        options: &RevokeOptions,
        on_result: &(dyn Fn(&RevokeResult) + Send + Sync),
    ) -> RevokeSummary {
        let results = Results {
            callback: on_result,
            state: Mutex::new((vec![false; users.len()], RevokeSummary::default())),
        };
        let mut first_seen: HashMap<UserRef, usize> = HashMap::new();
        let mut targets = Vec::new();
        for (index, input) in users.iter().enumerate() {
            match validate_user_ref(input) {
                Err(reason) => results.emit(index, input, RevokeOutcome::Invalid { reason }),
                Ok(user) => match first_seen.get(&user) {
                    Some(&first_index) => {
                        results.emit(index, input, RevokeOutcome::Duplicate { first_index })
                    }
                    None => {
                        first_seen.insert(user.clone(), index);
                        targets.push(Target {
                            index,
                            input: input.clone(),
                            user,
                        });
                    }
                },
            }
        }

        let fatal: Mutex<Option<String>> = Mutex::new(None);
        let batch_size = options.batch_size.clamp(1, MAX_BATCH_SIZE);
        let work = futures::stream::iter(targets.chunks(batch_size).map(<[Target]>::to_vec))
            .map(|chunk| self.revoke_chunk(chunk, options, &results, &fatal))
            .buffer_unordered(options.batches_in_flight.max(1))
            .collect::<Vec<()>>();
        tokio::select! {
            _ = work => {}
            _ = options.cancel.cancelled() => {}
        }
        // Anything not finished (cancellation) still gets its one result.
        for t in &targets {
            results.emit(
                t.index,
                &t.input,
                RevokeOutcome::Failed {
                    reason:
                        "cancelled before completion; the sessions may or may not have been revoked"
                            .into(),
                },
            );
        }
        results
            .state
            .into_inner()
            .map(|(_, s)| s)
            .unwrap_or_default()
    }

    async fn revoke_chunk(
        &self,
        chunk: Vec<Target>,
        options: &RevokeOptions,
        results: &Results<'_>,
        fatal: &Mutex<Option<String>>,
    ) {
        let mut pending = chunk;
        let mut attempt: u32 = 0;
        let mut token_refreshed = false;
        while !pending.is_empty() {
            if let Some(reason) = fatal.lock().ok().and_then(|g| g.clone()) {
                for t in &pending {
                    results.emit(
                        t.index,
                        &t.input,
                        RevokeOutcome::Failed {
                            reason: format!("not sent: {reason}"),
                        },
                    );
                }
                return;
            }
            attempt += 1;
            results.count_batch();
            let answer = match self.send_batch(&pending).await {
                Ok(a) => a,
                Err(e) => {
                    let reason = e.to_string();
                    if is_fatal(&e)
                        && let Ok(mut g) = fatal.lock()
                    {
                        g.get_or_insert_with(|| reason.clone());
                    }
                    for t in &pending {
                        results.emit(
                            t.index,
                            &t.input,
                            RevokeOutcome::Failed {
                                reason: reason.clone(),
                            },
                        );
                    }
                    return;
                }
            };
            let mut by_id: HashMap<String, BatchItemResponse> =
                answer.into_iter().map(|r| (r.id.clone(), r)).collect();
            let mut retry = Vec::new();
            let mut longest: Option<Duration> = None;
            let mut last_problem = String::new();
            for t in pending {
                let Some(item) = by_id.remove(&t.index.to_string()) else {
                    last_problem = "no answer for the item".into();
                    retry.push(t);
                    continue;
                };
                let body = GraphErrorBody::from_value(&item.body).unwrap_or_default();
                match item.status {
                    200..=299 => results.emit(t.index, &t.input, RevokeOutcome::Revoked),
                    404 => results.emit(t.index, &t.input, RevokeOutcome::NotFound),
                    403 => results.emit(
                        t.index,
                        &t.input,
                        RevokeOutcome::Forbidden {
                            message: body.to_string(),
                        },
                    ),
                    401 if !token_refreshed => {
                        last_problem = format!("HTTP 401 {body}");
                        retry.push(t);
                    }
                    429 | 500 | 502 | 503 | 504 => {
                        if let Some(d) = item.retry_after() {
                            longest = Some(longest.map_or(d, |l| l.max(d)));
                        }
                        last_problem = format!("HTTP {} {body}", item.status);
                        retry.push(t);
                    }
                    status => results.emit(
                        t.index,
                        &t.input,
                        RevokeOutcome::Failed {
                            reason: format!("HTTP {status} {body}"),
                        },
                    ),
                }
            }
            if retry.is_empty() {
                return;
            }
            if last_problem.starts_with("HTTP 401") {
                token_refreshed = true;
                self.bearer.invalidate();
            }
            let policy = self.http.retry_policy();
            let delay = longest.unwrap_or_else(|| policy.backoff(attempt, &mut rand::rng()));
            if attempt >= options.max_item_attempts || delay > policy.max_retry_after {
                let reason = format!("gave up after {attempt} attempt(s): {last_problem}");
                for t in &retry {
                    let outcome = if last_problem.starts_with("HTTP 429") {
                        RevokeOutcome::Throttled {
                            reason: reason.clone(),
                        }
                    } else {
                        RevokeOutcome::Failed {
                            reason: reason.clone(),
                        }
                    };
                    results.emit(t.index, &t.input, outcome);
                }
                return;
            }
            self.http.logger().retry(&RetryLogEntry {
                method: "POST".into(),
                path: self.environment.graph_url(&["$batch"]).path().to_owned(),
                status: last_problem.get(5..8).and_then(|s| s.parse().ok()),
                reason: if last_problem.starts_with("HTTP 429") {
                    RetryReason::Throttled
                } else if last_problem.starts_with("HTTP 401") {
                    RetryReason::TokenRejected
                } else {
                    RetryReason::ServerError
                },
                attempt,
                delay,
            });
            tokio::time::sleep(delay).await;
            pending = retry;
        }
    }

    async fn send_batch(&self, targets: &[Target]) -> Result<Vec<BatchItemResponse>, GraphError> {
        let requests = targets
            .iter()
            .map(|t| BatchItem {
                id: t.index.to_string(),
                method: "POST",
                url: relative_revoke_url(&t.user),
            })
            .collect();
        let body = serde_json::to_vec(&BatchRequest { requests }).map_err(|e| {
            GraphError::InvalidInput {
                input: "batch".into(),
                reason: e.to_string(),
            }
        })?;
        let mut req = Request::new(Method::POST, self.environment.graph_url(&["$batch"]));
        req.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        req.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        req.body = Some(Bytes::from(body));
        let answer = self
            .http
            .send(&req, Some(&self.bearer), |r| parse_batch_response(&r.body))
            .await
            .map_err(|e| map_http_error(e, "$batch", "User.RevokeSessions.All"))?;
        Ok(answer.responses)
    }
}

/// `/users/{percent-encoded id or upn}/revokeSignInSessions`.
fn relative_revoke_url(user: &UserRef) -> String {
    let mut u = url::Url::parse("https://graph.invalid/").unwrap_or_else(|_| unreachable_base());
    if let Ok(mut p) = u.path_segments_mut() {
        p.pop_if_empty()
            .extend(["users", user.segment(), "revokeSignInSessions"]);
    }
    u.path().to_owned()
}

#[allow(clippy::expect_used)]
fn unreachable_base() -> url::Url {
    url::Url::parse("https://x/").expect("a constant URL parses")
}

/// Errors after which no further batch can succeed.
fn is_fatal(e: &GraphError) -> bool {
    matches!(
        e,
        GraphError::Auth(_)
            | GraphError::Unauthorized { .. }
            | GraphError::Forbidden { .. }
            | GraphError::LicenceRequired { .. }
    ) || matches!(
        e,
        GraphError::Http(HttpError::PlainHttpRefused { .. } | HttpError::Build(_))
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn item_urls_are_relative_and_encoded() {
        let upn = validate_user_ref("guest_f.com#EXT#@contoso.onmicrosoft.com").unwrap();
        assert_eq!(
            relative_revoke_url(&upn),
            "/users/guest_f.com%23EXT%23@contoso.onmicrosoft.com/revokeSignInSessions"
        );
        let id = validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10").unwrap();
        assert_eq!(
            relative_revoke_url(&id),
            "/users/0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10/revokeSignInSessions"
        );
    }
}
