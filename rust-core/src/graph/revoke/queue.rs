//! Which users go into the next `$batch`: items waiting for a retry (once their `Retry-After`
//! has passed) first, topped up with users never sent. Retries ride along in full batches
//! instead of going out as small batches of their own, so 10,000 users with a few hundred
//! throttled items still take about (10,000 + retries) / 20 requests.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Once only retries are left, a batch waits this long past the first due item for others
/// to come due, so retries from different batches share one request.
pub(super) const COALESCE_WINDOW: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub(super) struct Queued<T> {
    pub target: T,
    /// Sends so far (revocations and checks), for the retry budget and backoff.
    pub attempts: u32,
    pub not_before: Instant,
    /// Why it is waiting (the last failure), for the result if the budget runs out.
    pub last_problem: String,
    /// An earlier send may have been carried out (its reply was lost and reading the user
    /// could not tell): if it is never sent again, its result must say so.
    pub maybe_done: bool,
}

#[derive(Debug)]
pub(super) struct WorkQueue<T> {
    fresh: VecDeque<T>,
    /// Kept sorted by `not_before`.
    waiting: Vec<Queued<T>>,
    batch_size: usize,
}

impl<T> WorkQueue<T> {
    pub fn new(fresh: impl IntoIterator<Item = T>, batch_size: usize) -> Self {
        WorkQueue {
            fresh: fresh.into_iter().collect(),
            waiting: Vec::new(),
            batch_size: batch_size.max(1),
        }
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.waiting.is_empty()
    }

    pub fn requeue(&mut self, item: Queued<T>) {
        let at = self
            .waiting
            .partition_point(|w| w.not_before <= item.not_before);
        self.waiting.insert(at, item);
    }

    /// The next batch to send at `now`, or `None` to wait (see `ready_at`). While users are
    /// left that were never sent, every batch is full; after that, retries go out only once no
    /// batch is in flight (their answers may add more retries to share the request with).
    pub fn next_batch(&mut self, now: Instant, in_flight: usize) -> Option<Vec<Queued<T>>> {
        if self.fresh.is_empty() && (in_flight > 0 || self.ready_at()? > now) {
            return None;
        }
        let due = self
            .waiting
            .partition_point(|w| w.not_before <= now)
            .min(self.batch_size);
        let mut batch: Vec<Queued<T>> = self.waiting.drain(..due).collect();
        while batch.len() < self.batch_size {
            let Some(target) = self.fresh.pop_front() else {
                break;
            };
            batch.push(Queued {
                target,
                attempts: 0,
                not_before: now,
                last_problem: String::new(),
                maybe_done: false,
            });
        }
        (!batch.is_empty()).then_some(batch)
    }

    /// When only retries are left: the moment a batch of them should go (a full batch is
    /// due, or the window after the first due item has passed, or everything is due).
    pub fn ready_at(&self) -> Option<Instant> {
        let first = self.waiting.first()?.not_before;
        let last = self.waiting.last()?.not_before;
        let full = self
            .waiting
            .get(self.batch_size - 1)
            .map_or(last, |w| w.not_before);
        Some(full.min(first + COALESCE_WINDOW).min(last))
    }

    /// Everything not sent yet (a fatal error ends the run), and whether an earlier send of
    /// it may have been carried out.
    pub fn drain(&mut self) -> Vec<(T, bool)> {
        let mut all: Vec<(T, bool)> = self
            .waiting
            .drain(..)
            .map(|q| (q.target, q.maybe_done))
            .collect();
        all.extend(self.fresh.drain(..).map(|t| (t, false)));
        all
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn retry(target: u32, not_before: Instant) -> Queued<u32> {
        Queued {
            target,
            attempts: 1,
            not_before,
            last_problem: "HTTP 429".into(),
            maybe_done: false,
        }
    }

    fn targets(batch: &[Queued<u32>]) -> Vec<u32> {
        batch.iter().map(|q| q.target).collect()
    }

    #[test]
    fn due_retries_lead_full_batches_of_fresh_users() {
        let now = Instant::now();
        let mut q = WorkQueue::new(0..10u32, 4);
        assert_eq!(targets(&q.next_batch(now, 0).unwrap()), [0, 1, 2, 3]);
        q.requeue(retry(1, now + Duration::from_secs(1)));
        q.requeue(retry(3, now + Duration::from_millis(10)));
        // Not due yet: the next batch is all fresh.
        assert_eq!(targets(&q.next_batch(now, 1).unwrap()), [4, 5, 6, 7]);
        let later = now + Duration::from_secs(2);
        assert_eq!(targets(&q.next_batch(later, 1).unwrap()), [3, 1, 8, 9]);
        assert!(q.is_empty());
        assert!(q.next_batch(later, 0).is_none());
    }

    #[test]
    fn with_only_retries_left_they_wait_for_the_batches_in_flight() {
        let now = Instant::now();
        let mut q = WorkQueue::new(Vec::<u32>::new(), 20);
        q.requeue(retry(7, now));
        assert!(
            q.next_batch(now, 1).is_none(),
            "a batch in flight may add retries"
        );
        assert_eq!(targets(&q.next_batch(now, 0).unwrap()), [7]);
    }

    #[test]
    fn retries_due_close_together_share_one_request() {
        let now = Instant::now();
        let mut q = WorkQueue::new(Vec::<u32>::new(), 20);
        for (i, ms) in [(1u32, 0u64), (2, 100), (3, 300), (4, 2000)] {
            q.requeue(retry(i, now + Duration::from_millis(ms)));
        }
        assert_eq!(q.ready_at(), Some(now + COALESCE_WINDOW));
        assert!(q.next_batch(now + Duration::from_millis(100), 0).is_none());
        let at = q.ready_at().unwrap();
        assert_eq!(targets(&q.next_batch(at, 0).unwrap()), [1, 2, 3]);
        assert_eq!(q.ready_at(), Some(now + Duration::from_millis(2000)));
        assert_eq!(q.drain(), [(4, false)]);
    }

    #[test]
    fn a_full_batch_of_due_retries_goes_at_once() {
        let now = Instant::now();
        let mut q = WorkQueue::new(Vec::<u32>::new(), 2);
        q.requeue(retry(1, now));
        q.requeue(retry(2, now + Duration::from_millis(50)));
        q.requeue(retry(3, now + Duration::from_millis(60)));
        assert_eq!(q.ready_at(), Some(now + Duration::from_millis(50)));
    }

    #[test]
    fn drain_returns_every_unsent_target() {
        let now = Instant::now();
        let mut q = WorkQueue::new([5u32, 6], 20);
        q.requeue(retry(9, now));
        let mut all = q.drain();
        all.sort_unstable();
        assert_eq!(all, [(5, false), (6, false), (9, false)]);
        assert!(q.is_empty());
    }
}
