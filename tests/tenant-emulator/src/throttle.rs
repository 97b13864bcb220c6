//! A token bucket per client app: how sign-in log reads are throttled more tightly than the
//! rest of Graph. Burst = the rate rounded up (at least 1).
//!
//! UNCONFIRMED: the bucket, its default rate (5/s) and its burst. Microsoft publishes that sign-in
//! log reads are throttled more tightly than most of Graph, not the numbers. Sourced: a throttled
//! read answers 429 `TooManyRequests` with a decimal `Retry-After`
//! (`tests/wire-examples/graph/throttled-429-fractional-retry-after.json`, from Graph's
//! throttling guidance: `Retry-After: 2.128`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug, Default)]
pub struct Throttle {
    buckets: HashMap<String, Bucket>,
}

impl Throttle {
    /// Takes one token for `client`, or says how long until one is available. `rate` <= 0 never throttles.
    pub fn take(&mut self, client: &str, rate: f64, now: Instant) -> Result<(), Duration> {
        if rate <= 0.0 || !rate.is_finite() {
            return Ok(());
        }
        let burst = rate.ceil().max(1.0);
        let bucket = self.buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Forget every bucket (after the rate changes).
    pub fn reset(&mut self) {
        self.buckets.clear();
    }
}

/// `Retry-After` in decimal seconds, rounded up to the millisecond (never "0").
pub fn retry_after_text(wait: Duration) -> String {
    let millis = wait.as_micros().div_ceil(1000).max(1);
    let text = format!("{}.{:03}", millis / 1000, millis % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let mut t = Throttle::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(t.take("a", 5.0, start).is_ok());
        }
        let wait = t.take("a", 5.0, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.2).abs() < 1e-6, "{wait:?}");
        assert!(t.take("b", 5.0, start).is_ok(), "buckets are per client");
        assert!(t.take("a", 5.0, start + Duration::from_millis(201)).is_ok());
        assert!(t.take("a", 0.0, start).is_ok());
        assert_eq!(retry_after_text(Duration::from_millis(200)), "0.2");
        assert_eq!(retry_after_text(Duration::from_secs(2)), "2");
        assert_eq!(retry_after_text(Duration::from_micros(1)), "0.001");
    }
}
