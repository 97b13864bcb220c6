//! Revoking sign-in sessions for many users: `$batch` requests of ≤ 20 with a bounded number in
//! flight. Throttled or failed items (only those) wait out their own `Retry-After` and then
//! ride in the next batch with users not yet sent (`queue`). When a batch's reply is lost
//! after it may have reached the service, its users are not simply sent again: their
//! `signInSessionsValidFromDateTime` is read first (`wire::check`), so each user is revoked
//! once. Every input gets exactly one result, streamed to a callback as it is known.

mod queue;
mod wire;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;

use super::{GraphClient, GraphError, GraphErrorBody, UserRef, validate_user_ref};
use crate::http::{HttpError, RetryLogEntry, RetryReason};
use queue::{Queued, WorkQueue};
use wire::{BatchAnswer, BatchFailure, Check, check, earliest_valid_from};

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
    /// After `cancel`, how long the batches already sent may take to answer: their users'
    /// answers are still reported (Revoked is what the admin most needs to know). A batch
    /// not answered by then is given up as `Cancelled { maybe_revoked: true }`.
    pub cancel_grace: Duration,
}

impl Default for RevokeOptions {
    fn default() -> Self {
        RevokeOptions {
            batch_size: MAX_BATCH_SIZE,
            batches_in_flight: 4,
            // At a 13% chance of a retryable answer per send (the reliability mix), 6 sends
            // gave up on one user in 200,000 (one 2,500-user run in 80); 8 make that one in
            // 12 million.
            max_item_attempts: 8,
            cancel: CancellationToken::new(),
            // UNCONFIRMED: that Graph usually answers a $batch of 20 revocations within a
            // second (no published latency). 1 s keeps Ctrl+C prompt (the Pester stop test
            // wants < 2 s) while letting an ordinary batch in flight report back.
            cancel_grace: Duration::from_secs(1),
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
    /// Not sent: an external (B2B guest, `#EXT#`) account. "This API doesn't revoke sign-in
    /// sessions for external users, because external users sign in through their home tenant"
    /// (`api-reference/v1.0/api/user-revokesigninsessions.md`), so a success would be a lie.
    NotSupported {
        reason: String,
    },
    /// The call was cancelled before this user's answer was known. `maybe_revoked`: a request
    /// for the user left and its answer never came back, so the service may have carried it
    /// out; otherwise nothing that could revoke the user was sent (or Graph refused it).
    Cancelled {
        maybe_revoked: bool,
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
    /// External (guest) accounts, not sent.
    pub not_supported: usize,
    pub duplicates: usize,
    /// Cancelled with nothing sent that could have revoked them.
    pub cancelled: usize,
    /// Cancelled while a request for them was unanswered: they may have been revoked.
    pub maybe_revoked: usize,
    /// `$batch` requests this call made (HTTP-level retries not included).
    pub batch_requests: usize,
    /// After a lost reply, reading the users (User.Read.All) was denied, so they were sent
    /// again rather than checked.
    pub read_denied: bool,
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
                RevokeOutcome::NotSupported { .. } => summary.not_supported += 1,
                RevokeOutcome::Duplicate { .. } => summary.duplicates += 1,
                RevokeOutcome::Cancelled {
                    maybe_revoked: false,
                } => summary.cancelled += 1,
                RevokeOutcome::Cancelled {
                    maybe_revoked: true,
                } => summary.maybe_revoked += 1,
            }
        }
        (self.callback)(&RevokeResult {
            index,
            input: input.to_owned(),
            outcome,
        });
    }

    fn note_read_denied(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.1.read_denied = true;
        }
    }

    fn count_batch(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.1.batch_requests += 1;
        }
    }
}

impl GraphClient {
    /// `POST /users/{id|upn}/revokeSignInSessions` for every input, batched. Cancelling
    /// `options.cancel` stops sending; the batches in flight get `cancel_grace` to answer, and
    /// every input still gets its result (`Cancelled` for the users not known revoked), so the
    /// caller learns who was cut off. Dropping the future instead loses the results.
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
                    None if user.is_external() => {
                        first_seen.insert(user, index);
                        results.emit(
                            index,
                            input,
                            RevokeOutcome::NotSupported {
                                reason: GUEST_REASON.into(),
                            },
                        );
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

        let mut run = Run {
            client: self,
            options,
            results: &results,
            queue: WorkQueue::new(
                targets.iter().cloned(),
                options.batch_size.clamp(1, MAX_BATCH_SIZE),
            ),
            lost: Vec::new(),
            fatal: None,
        };
        run.drive().await;
        // Only users whose request was in flight when the grace ran out are left: they were
        // sent, so the service may have acted.
        for t in &targets {
            results.emit(
                t.index,
                &t.input,
                RevokeOutcome::Cancelled {
                    maybe_revoked: true,
                },
            );
        }
        results
            .state
            .into_inner()
            .map(|(_, s)| s)
            .unwrap_or_default()
    }
}

const GUEST_REASON: &str = "an external (guest) account: revokeSignInSessions does not revoke the sign-in sessions of external users, who sign in through their home tenant; revoke them there";

/// Reads of a lost batch's users before they are given up on and sent again.
const MAX_CHECKS: u32 = 3;

/// A batch whose reply was lost, waiting for its users to be read.
struct LostBatch {
    items: Vec<Queued<Target>>,
    info: LostBatchInfo,
    not_before: Instant,
}

/// What is known of a lost batch, carried through the reads of its users.
struct LostBatchInfo {
    /// When the lost request left: the bound for "carried out" is computed from it.
    sent: Instant,
    reason: String,
    /// Reads of these users so far.
    checks: u32,
}

enum Job {
    Revoke,
    Check(LostBatchInfo),
}

struct Flight {
    job: Job,
    items: Vec<Queued<Target>>,
    /// When the flight began: for a lost revocation, the earliest the service can have acted.
    sent: Instant,
    answered: Instant,
    result: Result<BatchAnswer, BatchFailure>,
}

/// An item to retry: why, and the wait its answer asked for.
type Retry = (Queued<Target>, String, Option<Duration>);

/// One call's state: the queue, the lost batches to check, and what ended it early.
struct Run<'a> {
    client: &'a GraphClient,
    options: &'a RevokeOptions,
    results: &'a Results<'a>,
    queue: WorkQueue<Target>,
    lost: Vec<LostBatch>,
    fatal: Option<String>,
}

impl<'a> Run<'a> {
    async fn drive(&mut self) {
        let client = self.client;
        let in_flight_max = self.options.batches_in_flight.max(1);
        let mut flights: FuturesUnordered<BoxFuture<'a, Flight>> = FuturesUnordered::new();
        loop {
            if let Some(reason) = self.fatal.clone() {
                self.fail_everything_unsent(&reason);
            }
            while flights.len() < in_flight_max && !self.options.cancel.is_cancelled() {
                // Checks first: their users wait longest, and a check decides whether a
                // resend is needed at all.
                let now = Instant::now();
                if let Some(i) = self.lost.iter().position(|l| l.not_before <= now) {
                    let lost = self.lost.swap_remove(i);
                    self.results.count_batch();
                    flights.push(Box::pin(check_flight(client, lost)));
                    continue;
                }
                let Some(mut batch) = self.queue.next_batch(now, flights.len()) else {
                    break;
                };
                for q in &mut batch {
                    q.attempts += 1;
                }
                self.results.count_batch();
                flights.push(Box::pin(revoke_flight(client, batch)));
            }
            if self.options.cancel.is_cancelled() {
                break;
            }
            if flights.is_empty() {
                let next_check = self.lost.iter().map(|l| l.not_before).min();
                match [self.queue.ready_at(), next_check]
                    .into_iter()
                    .flatten()
                    .min()
                {
                    Some(at) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(at.into()) => {}
                            _ = self.options.cancel.cancelled() => {}
                        }
                    }
                    None => return,
                }
                continue;
            }
            // An answer already in is handled before the cancel is noticed.
            tokio::select! {
                biased;
                Some(done) = flights.next() => self.handle(done),
                _ = self.options.cancel.cancelled() => {}
            }
        }
        // Cancelled: nothing new is sent; the batches in flight may still answer in the grace.
        let deadline = tokio::time::Instant::now() + self.options.cancel_grace;
        while let Ok(Some(done)) = tokio::time::timeout_at(deadline, flights.next()).await {
            self.handle(done);
        }
        self.cancel_everything_unsent();
    }

    fn handle(&mut self, done: Flight) {
        match (done.job, done.result) {
            (Job::Revoke, Ok(answer)) => self.settle_revocations(done.items, answer),
            (Job::Revoke, Err(BatchFailure::ReplyLost(reason))) => {
                self.lost.push(LostBatch {
                    items: done.items,
                    info: LostBatchInfo {
                        sent: done.sent,
                        reason,
                        checks: 0,
                    },
                    not_before: Instant::now(),
                });
            }
            (
                Job::Revoke,
                Err(BatchFailure::Refused {
                    reason,
                    retry_after,
                }),
            ) => {
                let retry = done
                    .items
                    .into_iter()
                    .map(|q| (q, reason.clone(), retry_after))
                    .collect();
                self.schedule_retries(retry, RetryReason::Throttled);
            }
            (Job::Revoke, Err(BatchFailure::Failed(e))) => {
                let reason = e.to_string();
                if is_fatal(&e) {
                    self.fatal.get_or_insert_with(|| reason.clone());
                }
                for q in &done.items {
                    self.fail(&q.target, reason.clone());
                }
            }
            (Job::Check(info), Ok(answer)) => {
                self.settle_checks(done.items, answer, done.answered - info.sent, info)
            }
            (Job::Check(info), Err(failure)) => {
                let (why, retry_after) = match failure {
                    BatchFailure::Refused {
                        reason,
                        retry_after,
                    } => (reason, retry_after),
                    BatchFailure::ReplyLost(r) => (r, None),
                    BatchFailure::Failed(e) => {
                        if is_fatal(&e) {
                            self.fatal.get_or_insert_with(|| e.to_string());
                        }
                        (e.to_string(), None)
                    }
                };
                let items = done.items.into_iter().map(|q| (q, retry_after)).collect();
                self.check_again(items, info, &why);
            }
        }
    }

    fn settle_revocations(&mut self, items: Vec<Queued<Target>>, mut answer: BatchAnswer) {
        let mut retry: Vec<Retry> = Vec::new();
        let mut reason = RetryReason::ServerError;
        let mut token_rejected = false;
        for q in items {
            let Some(item) = answer.items.remove(&q.target.index.to_string()) else {
                retry.push((q, "no answer for the item".to_owned(), None));
                continue;
            };
            let body = GraphErrorBody::from_value(&item.body).unwrap_or_default();
            let t = &q.target;
            match item.status {
                200..=299 => self.results.emit(t.index, &t.input, RevokeOutcome::Revoked),
                404 => self
                    .results
                    .emit(t.index, &t.input, RevokeOutcome::NotFound),
                403 => self.results.emit(
                    t.index,
                    &t.input,
                    RevokeOutcome::Forbidden {
                        message: body.to_string(),
                    },
                ),
                401 => {
                    token_rejected = true;
                    reason = RetryReason::TokenRejected;
                    retry.push((q, format!("HTTP 401 {body}"), Some(Duration::ZERO)));
                }
                429 | 500 | 502 | 503 | 504 => {
                    if item.status == 429 {
                        reason = RetryReason::Throttled;
                    }
                    let wait = item.retry_after();
                    retry.push((q, format!("HTTP {} {body}", item.status), wait));
                }
                status => self.fail(t, format!("HTTP {status} {body}")),
            }
        }
        if token_rejected {
            self.client.bearer.invalidate();
        }
        self.schedule_retries(retry, reason);
    }

    fn settle_checks(
        &mut self,
        items: Vec<Queued<Target>>,
        mut answer: BatchAnswer,
        since_lost_request: Duration,
        info: LostBatchInfo,
    ) {
        let earliest = answer
            .server_date
            .map(|d| earliest_valid_from(d, since_lost_request));
        let mut resend: Vec<Retry> = Vec::new();
        let mut again = Vec::new();
        let mut again_why = String::new();
        for mut q in items {
            let t = &q.target;
            let found = match (answer.items.remove(&t.index.to_string()), earliest) {
                (Some(item), Some(earliest)) => check(&item, earliest),
                (Some(_), None) => Check::Unknown("the answer carried no Date header".into()),
                (None, _) => Check::Retry {
                    reason: "no answer for the item".into(),
                    retry_after: None,
                },
            };
            if matches!(found, Check::Denied(_)) {
                self.results.note_read_denied();
            }
            match found {
                Check::Revoked => self.results.emit(t.index, &t.input, RevokeOutcome::Revoked),
                Check::NotFound => self
                    .results
                    .emit(t.index, &t.input, RevokeOutcome::NotFound),
                Check::NotRevoked => {
                    let why = format!("{}; not carried out", info.reason);
                    resend.push((q, why, Some(Duration::ZERO)));
                }
                Check::Retry {
                    reason,
                    retry_after,
                } => {
                    again_why = reason;
                    again.push((q, retry_after));
                }
                Check::Denied(why) | Check::Unknown(why) => {
                    // Sending again is the safe side: revoking twice only moves
                    // signInSessionsValidFromDateTime again.
                    q.maybe_done = true;
                    let why = format!("{}; reading the user could not tell: {why}", info.reason);
                    resend.push((q, why, Some(Duration::ZERO)));
                }
            }
        }
        self.schedule_retries(resend, RetryReason::Connection);
        if !again.is_empty() {
            self.check_again(again, info, &again_why);
        }
    }

    /// The read failed for these users: read again after the wait, within `MAX_CHECKS`;
    /// after that, send the revocation again (it may have been carried out).
    fn check_again(
        &mut self,
        items: Vec<(Queued<Target>, Option<Duration>)>,
        info: LostBatchInfo,
        why: &str,
    ) {
        let checks = info.checks + 1;
        if checks >= MAX_CHECKS {
            let resend = items
                .into_iter()
                .map(|(mut q, _)| {
                    q.maybe_done = true;
                    let problem = format!("{}; reading the user failed: {why}", info.reason);
                    (q, problem, Some(Duration::ZERO))
                })
                .collect();
            self.schedule_retries(resend, RetryReason::Connection);
            return;
        }
        let policy = self.client.http.retry_policy();
        let wait = items
            .iter()
            .filter_map(|(_, d)| *d)
            .max()
            .unwrap_or_else(|| policy.backoff(checks, &mut rand::rng()))
            .min(policy.max_retry_after);
        self.lost.push(LostBatch {
            items: items.into_iter().map(|(q, _)| q).collect(),
            info: LostBatchInfo { checks, ..info },
            not_before: Instant::now() + wait,
        });
    }

    /// Each item back into the queue after its own wait (its `Retry-After`, else the
    /// policy's backoff); past the budget, the item gets its final result instead.
    fn schedule_retries(&mut self, items: Vec<Retry>, reason: RetryReason) {
        let policy = self.client.http.retry_policy();
        let mut longest: Option<(Duration, u32)> = None;
        for (mut q, problem, wait) in items {
            let delay = wait.unwrap_or_else(|| policy.backoff(q.attempts, &mut rand::rng()));
            if q.attempts >= self.options.max_item_attempts || delay > policy.max_retry_after {
                let mut why = format!("gave up after {} attempt(s): {problem}", q.attempts);
                if q.maybe_done {
                    why.push_str("; the sessions may or may not have been revoked");
                }
                let t = &q.target;
                let outcome = if problem.starts_with("HTTP 429") && !q.maybe_done {
                    RevokeOutcome::Throttled { reason: why }
                } else {
                    RevokeOutcome::Failed { reason: why }
                };
                self.results.emit(t.index, &t.input, outcome);
                continue;
            }
            if longest.is_none_or(|(d, _)| delay > d) {
                longest = Some((delay, q.attempts));
            }
            q.not_before = Instant::now() + delay;
            q.last_problem = problem;
            self.queue.requeue(q);
        }
        if let Some((delay, attempt)) = longest {
            self.client.http.logger().retry(&RetryLogEntry {
                method: "POST".into(),
                path: self
                    .client
                    .environment
                    .graph_url(&["$batch"])
                    .path()
                    .to_owned(),
                status: match reason {
                    RetryReason::Throttled => Some(429),
                    RetryReason::TokenRejected => Some(401),
                    _ => None,
                },
                reason,
                attempt,
                delay,
            });
        }
    }

    fn fail(&self, t: &Target, reason: String) {
        self.results
            .emit(t.index, &t.input, RevokeOutcome::Failed { reason });
    }

    /// After a cancel: users waiting for a retry or a check, and users never sent.
    fn cancel_everything_unsent(&mut self) {
        for (t, maybe_revoked) in self.queue.drain() {
            self.results.emit(
                t.index,
                &t.input,
                RevokeOutcome::Cancelled { maybe_revoked },
            );
        }
        for lost in std::mem::take(&mut self.lost) {
            for q in &lost.items {
                let t = &q.target;
                self.results.emit(
                    t.index,
                    &t.input,
                    RevokeOutcome::Cancelled {
                        maybe_revoked: true,
                    },
                );
            }
        }
    }

    fn fail_everything_unsent(&mut self, reason: &str) {
        for (t, maybe_done) in self.queue.drain() {
            let why = if maybe_done {
                format!("not sent again ({reason}): the sessions may or may not have been revoked")
            } else {
                format!("not sent: {reason}")
            };
            self.fail(&t, why);
        }
        for lost in std::mem::take(&mut self.lost) {
            for q in &lost.items {
                self.fail(
                    &q.target,
                    format!(
                        "{}; not checked ({reason}): the sessions may or may not have been revoked",
                        lost.info.reason
                    ),
                );
            }
        }
    }
}

async fn revoke_flight(client: &GraphClient, items: Vec<Queued<Target>>) -> Flight {
    let sent = Instant::now();
    let result = client
        .post_revocations(
            items
                .iter()
                .map(|q| (q.target.index.to_string(), &q.target.user)),
        )
        .await;
    Flight {
        job: Job::Revoke,
        items,
        sent,
        answered: Instant::now(),
        result,
    }
}

async fn check_flight(client: &GraphClient, lost: LostBatch) -> Flight {
    let sent = Instant::now();
    let result = client
        .read_valid_from(
            lost.items
                .iter()
                .map(|q| (q.target.index.to_string(), &q.target.user)),
        )
        .await;
    Flight {
        job: Job::Check(lost.info),
        items: lost.items,
        sent,
        answered: Instant::now(),
        result,
    }
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
        GraphError::Http(
            HttpError::PlainHttpRefused { .. }
                | HttpError::BearerRefused { .. }
                | HttpError::Build(_)
        )
    )
}
