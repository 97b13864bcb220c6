//! The two kinds of `$batch` a revocation run sends: the revocations themselves, and, after a
//! reply was lost, a read of each user's `signInSessionsValidFromDateTime` to learn which of
//! the lost request's revocations the service had already carried out.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, DATE, HeaderValue, RETRY_AFTER};

use super::super::batch::{BatchItem, BatchItemResponse, BatchRequest, parse_batch_response};
use super::super::error::map_http_error;
use super::super::{GraphClient, GraphError, UserRef};
use crate::http::{HttpError, Request, parse_retry_after};

pub(super) const REVOKE_PERMISSION: &str = "User.RevokeSessions.All";
/// To read signInSessionsValidFromDateTime when a reply was lost (without it, such users are
/// sent again: harmless, it only moves the time again).
pub(super) const READ_PERMISSION: &str = "User.Read.All";

pub(super) enum BatchFailure {
    /// The request went out and no usable answer came back (connection lost mid-reply, a
    /// truncated body, a gateway's 500/502/504): the service may have acted on any item.
    ReplyLost(String),
    /// The whole batch was refused (429/503) past the HTTP layer's own retries: nothing was
    /// done, and its items can wait and go again.
    Refused {
        reason: String,
        retry_after: Option<Duration>,
    },
    Failed(GraphError),
}

pub(super) struct BatchAnswer {
    pub items: HashMap<String, BatchItemResponse>,
    /// The reply's `Date` header: the service's clock, to second resolution.
    pub server_date: Option<SystemTime>,
}

/// What a check found for one user of a lost request.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Check {
    /// Sessions are valid only from a moment the lost request can have set: it was carried out.
    Revoked,
    /// Revoked earlier, or never: the lost request did not reach this user.
    NotRevoked,
    NotFound,
    /// The read was throttled or failed on the service side: read again later.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The caller may not read users (no User.Read.All): send the revocation again.
    Denied(String),
    /// The read cannot tell (no such property, an unexpected status): send it again.
    Unknown(String),
}

impl GraphClient {
    /// One `$batch` of `POST /users/{id}/revokeSignInSessions`, item ids as given. Sent as not
    /// idempotent: the HTTP layer must not resend it once it may have reached the service.
    pub(super) async fn post_revocations(
        &self,
        items: impl Iterator<Item = (String, &UserRef)>,
    ) -> Result<BatchAnswer, BatchFailure> {
        let requests = items
            .map(|(id, user)| {
                BatchItem::bodyless_post(id, user_url(user, "revokeSignInSessions", None))
            })
            .collect();
        self.post_batch(BatchRequest { requests }, false, REVOKE_PERMISSION)
            .await
    }

    /// One `$batch` of `GET /users/{id}?$select=id,signInSessionsValidFromDateTime`.
    pub(super) async fn read_valid_from(
        &self,
        items: impl Iterator<Item = (String, &UserRef)>,
    ) -> Result<BatchAnswer, BatchFailure> {
        let requests = items
            .map(|(id, user)| {
                BatchItem::read(
                    id,
                    user_url(user, "", Some("id,signInSessionsValidFromDateTime")),
                )
            })
            .collect();
        self.post_batch(BatchRequest { requests }, true, READ_PERMISSION)
            .await
    }

    async fn post_batch(
        &self,
        batch: BatchRequest<'_>,
        idempotent: bool,
        permission: &str,
    ) -> Result<BatchAnswer, BatchFailure> {
        let body = serde_json::to_vec(&batch).map_err(|e| {
            BatchFailure::Failed(GraphError::InvalidInput {
                input: "batch".into(),
                reason: e.to_string(),
            })
        })?;
        let mut req = Request::new(Method::POST, self.environment.graph_url(&["$batch"]));
        req.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        req.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        req.body = Some(Bytes::from(body));
        req.idempotent = idempotent;
        let answer = self
            .http
            .send(&req, Some(&self.bearer), |r| {
                let date = r
                    .headers
                    .get(DATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| httpdate::parse_http_date(v).ok());
                parse_batch_response(&r.body).map(|b| (b, date))
            })
            .await;
        match answer {
            Ok((parsed, server_date)) => Ok(BatchAnswer {
                items: parsed
                    .responses
                    .into_iter()
                    .map(|r| (r.id.clone(), r))
                    .collect(),
                server_date,
            }),
            Err(e @ (HttpError::Transport { .. } | HttpError::Protocol { .. })) if !idempotent => {
                Err(BatchFailure::ReplyLost(e.to_string()))
            }
            // A 503 may come after the service acted (a gateway's timeout): for revocations it
            // is a lost reply, checked before anything is sent again (#14 item 4). A 429 means
            // not done.
            Err(HttpError::Status(f)) if f.status == 429 || (idempotent && f.status == 503) => {
                Err(BatchFailure::Refused {
                    reason: f.to_string(),
                    retry_after: f
                        .headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now())),
                })
            }
            Err(HttpError::Status(f))
                if !idempotent && matches!(f.status, 500 | 502 | 503 | 504) =>
            {
                Err(BatchFailure::ReplyLost(f.to_string()))
            }
            Err(e) => Err(BatchFailure::Failed(map_http_error(
                e, "$batch", permission,
            ))),
        }
    }
}

/// The earliest `signInSessionsValidFromDateTime` (Unix seconds) the lost request can have
/// set, from the check's `Date` and the local time between sending the lost request and
/// receiving the check. The service stores whole seconds and `Date` is whole seconds, so
/// the bound is rounded down, with one more second for clocks that differ between servers.
/// So a revocation by anyone in the second or two before the lost request reads the same as
/// the lost one: the user counts as revoked (their sessions were, moments earlier).
pub(super) fn earliest_valid_from(check_date: SystemTime, since_lost_request: Duration) -> i64 {
    let date = check_date
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let elapsed = i64::try_from(since_lost_request.as_secs_f64().ceil() as u64).unwrap_or(0);
    date.saturating_sub(elapsed).saturating_sub(1)
}

pub(super) fn check(item: &BatchItemResponse, earliest: i64) -> Check {
    match item.status {
        200 => {
            let valid_from = item
                .body
                .get("signInSessionsValidFromDateTime")
                .and_then(serde_json::Value::as_str)
                .and_then(|s| {
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .ok()
                });
            match valid_from {
                Some(t) if t.unix_timestamp() >= earliest => Check::Revoked,
                Some(_) => Check::NotRevoked,
                None => Check::Unknown(
                    "the user record has no readable signInSessionsValidFromDateTime".into(),
                ),
            }
        }
        404 => Check::NotFound,
        429 | 500 | 502 | 503 | 504 => Check::Retry {
            reason: format!("reading the user answered HTTP {}", item.status),
            retry_after: item.retry_after(),
        },
        403 => Check::Denied(format!(
            "reading the user was denied (HTTP 403; the check needs {READ_PERMISSION})"
        )),
        status => Check::Unknown(format!("reading the user answered HTTP {status}")),
    }
}

/// `/users/{percent-encoded id or upn}[/action][?$select=…]`, relative to the version root.
fn user_url(user: &UserRef, action: &str, select: Option<&str>) -> String {
    let Ok(mut u) = url::Url::parse("https://graph.invalid/") else {
        return String::new();
    };
    if let Ok(mut p) = u.path_segments_mut() {
        p.pop_if_empty().extend(user.users_path());
        if !action.is_empty() {
            p.push(action);
        }
    }
    // `select` is one of our constants: written as Graph's docs write it, not percent-encoded.
    match select {
        Some(select) => format!("{}?$select={select}", u.path()),
        None => u.path().to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::graph::validate_user_ref;

    fn answer(status: u16, body: serde_json::Value) -> BatchItemResponse {
        BatchItemResponse {
            id: "1".into(),
            status,
            headers: serde_json::Map::new(),
            body,
        }
    }

    #[test]
    fn item_urls_are_relative_and_encoded() {
        let upn = validate_user_ref("guest_f.com#EXT#@contoso.onmicrosoft.com").unwrap();
        assert_eq!(
            user_url(&upn, "revokeSignInSessions", None),
            "/users/guest_f.com%23EXT%23@contoso.onmicrosoft.com/revokeSignInSessions"
        );
        let id = validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10").unwrap();
        assert_eq!(
            user_url(&id, "revokeSignInSessions", None),
            "/users/0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10/revokeSignInSessions"
        );
        let dollar = validate_user_ref("$svc@contoso.com").unwrap();
        assert_eq!(
            user_url(&dollar, "revokeSignInSessions", None),
            "/users('$svc@contoso.com')/revokeSignInSessions"
        );
        assert_eq!(
            user_url(&id, "", Some("id,signInSessionsValidFromDateTime")),
            "/users/0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10?$select=id,signInSessionsValidFromDateTime"
        );
    }

    #[test]
    fn the_bound_allows_for_whole_second_clocks_and_the_time_in_between() {
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_010);
        assert_eq!(
            earliest_valid_from(date, Duration::from_millis(2_300)),
            1_800_000_006
        );
        assert_eq!(earliest_valid_from(date, Duration::ZERO), 1_800_000_009);
    }

    #[test]
    fn a_valid_from_at_or_after_the_bound_means_the_lost_request_was_carried_out() {
        let at = |s: &str| {
            answer(
                200,
                serde_json::json!({"id":"x","signInSessionsValidFromDateTime": s}),
            )
        };
        let bound = 1_800_000_000; // 2027-01-15T08:00:00Z
        assert_eq!(check(&at("2027-01-15T08:00:00Z"), bound), Check::Revoked);
        assert_eq!(check(&at("2027-01-15T08:00:05Z"), bound), Check::Revoked);
        assert_eq!(check(&at("2027-01-15T07:59:59Z"), bound), Check::NotRevoked);
        assert_eq!(
            check(&answer(404, serde_json::Value::Null), bound),
            Check::NotFound
        );
        assert!(matches!(
            check(&answer(429, serde_json::Value::Null), bound),
            Check::Retry { .. }
        ));
        let Check::Denied(denied) = check(&answer(403, serde_json::Value::Null), bound) else {
            panic!("a denied read cannot tell");
        };
        assert!(denied.contains("User.Read.All"), "{denied}");
        assert!(matches!(
            check(&answer(200, serde_json::json!({"id":"x"})), bound),
            Check::Unknown(_)
        ));
    }
}
