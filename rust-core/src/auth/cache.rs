//! In-memory token cache, one slot per resource: refreshed ahead of expiry, one refresh at a
//! time per resource (others wait for its result), and dropped on a 401.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::AuthError;
use crate::cloud::Resource;
use crate::secret::{ExposeSecret, SecretString};

/// Refresh this long before expiry (Graph PowerShell, azure_identity and MSAL all use 5 min).
pub const REFRESH_LEAD: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct CachedToken {
    pub token: SecretString,
    pub expires_at: Instant,
    pub refresh_at: Instant,
}

impl CachedToken {
    /// Expiry from the local receive time + `expires_in` (never the token's `exp`, so a skewed
    /// clock does not matter). Refresh at `refresh_in` if the STS sent one; otherwise 5 min
    /// early, at half-life for long (CAE) tokens, and at half-life for very short ones.
    pub fn new(
        token: SecretString,
        received: Instant,
        expires_in: Duration,
        refresh_in: Option<Duration>,
    ) -> Self {
        let lead = if expires_in >= Duration::from_secs(7200) {
            expires_in / 2
        } else {
            REFRESH_LEAD.min(expires_in / 2)
        };
        let refresh_after = refresh_in.unwrap_or(expires_in - lead).min(expires_in);
        // A lifetime the clock cannot hold (a hostile `expires_in`) counts as already due: the
        // token is used once and fetched again, never a panic.
        let at = |d: Duration| received.checked_add(d).unwrap_or(received);
        CachedToken {
            token,
            expires_at: at(expires_in),
            refresh_at: at(refresh_after),
        }
    }

    fn usable(&self, now: Instant) -> bool {
        now < self.expires_at
    }

    fn fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

struct Slot {
    current: Mutex<Option<CachedToken>>,
    refresh: tokio::sync::Mutex<()>,
}

impl Slot {
    fn new() -> Self {
        Slot {
            current: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn get(&self) -> Option<CachedToken> {
        self.current.lock().ok().and_then(|g| g.clone())
    }

    fn set(&self, value: Option<CachedToken>) {
        if let Ok(mut g) = self.current.lock() {
            *g = value;
        }
    }
}

pub struct TokenCache {
    exchange: Slot,
    graph: Slot,
    monitor: Slot,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache {
            exchange: Slot::new(),
            graph: Slot::new(),
            monitor: Slot::new(),
        }
    }
}

impl TokenCache {
    fn slot(&self, resource: Resource) -> &Slot {
        match resource {
            Resource::Exchange => &self.exchange,
            Resource::Graph => &self.graph,
            Resource::Monitor => &self.monitor,
        }
    }

    /// The cached token if fresh; otherwise one caller runs `fetch` while concurrent callers
    /// wait and reuse its result. If a refresh fails while the old token is still valid, the
    /// old one is used (MSAL's behaviour).
    pub async fn get_or_fetch<F, Fut>(
        &self,
        resource: Resource,
        fetch: F,
    ) -> Result<SecretString, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, AuthError>>,
    {
        let slot = self.slot(resource);
        if let Some(t) = slot.get().filter(|t| t.fresh(Instant::now())) {
            return Ok(t.token);
        }
        let _single_flight = slot.refresh.lock().await;
        let existing = slot.get();
        if let Some(t) = existing.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(t.token.clone());
        }
        match fetch().await {
            Ok(new) => {
                let token = new.token.clone();
                slot.set(Some(new));
                Ok(token)
            }
            Err(e) => match existing.filter(|t| t.usable(Instant::now())) {
                Some(old) => Ok(old.token),
                None => Err(e),
            },
        }
    }

    pub fn invalidate(&self, resource: Resource) {
        self.slot(resource).set(None);
    }

    /// Drops the cached token only if it is `rejected`, so several requests failing with the
    /// same token cause one refresh, not one each.
    pub fn reject(&self, resource: Resource, rejected: &SecretString) {
        let slot = self.slot(resource);
        if let Ok(mut g) = slot.current.lock()
            && g.as_ref()
                .is_some_and(|t| t.token.expose_secret() == rejected.expose_secret())
        {
            *g = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn token(n: u32, lifetime: u64) -> CachedToken {
        CachedToken::new(
            SecretString::from(format!("t{n}")),
            Instant::now(),
            Duration::from_secs(lifetime),
            None,
        )
    }

    #[test]
    fn refresh_schedule() {
        let now = Instant::now();
        let t = CachedToken::new("a".into(), now, Duration::from_secs(3599), None);
        assert_eq!(t.refresh_at - now, Duration::from_secs(3299));
        assert_eq!(t.expires_at - now, Duration::from_secs(3599));
        let cae = CachedToken::new("a".into(), now, Duration::from_secs(86400), None);
        assert_eq!(cae.refresh_at - now, Duration::from_secs(43200));
        let short = CachedToken::new("a".into(), now, Duration::from_secs(60), None);
        assert_eq!(short.refresh_at - now, Duration::from_secs(30));
        let hinted = CachedToken::new(
            "a".into(),
            now,
            Duration::from_secs(3599),
            Some(Duration::from_secs(100)),
        );
        assert_eq!(hinted.refresh_at - now, Duration::from_secs(100));
    }

    #[tokio::test(start_paused = true)]
    async fn cached_until_refresh_point_then_refetched() {
        let cache = TokenCache::default();
        let calls = AtomicU32::new(0);
        let fetch = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(token(n, 3600))
        };
        assert_eq!(
            cache
                .get_or_fetch(Resource::Graph, fetch)
                .await
                .unwrap()
                .expose_secret(),
            "t1"
        );
        assert_eq!(
            cache
                .get_or_fetch(Resource::Graph, fetch)
                .await
                .unwrap()
                .expose_secret(),
            "t1"
        );
        // Exchange has its own slot.
        assert_eq!(
            cache
                .get_or_fetch(Resource::Exchange, fetch)
                .await
                .unwrap()
                .expose_secret(),
            "t2"
        );
        tokio::time::advance(Duration::from_secs(3300)).await;
        assert_eq!(
            cache
                .get_or_fetch(Resource::Graph, fetch)
                .await
                .unwrap()
                .expose_secret(),
            "t3"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_refresh() {
        let cache = Arc::new(TokenCache::default());
        let calls = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch(Resource::Exchange, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(token(1, 3600))
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().expose_secret(), "t1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_refresh_keeps_a_still_valid_token_but_not_an_expired_one() {
        let cache = TokenCache::default();
        cache
            .get_or_fetch(Resource::Graph, || async { Ok(token(1, 3600)) })
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(3400)).await;
        let kept = cache
            .get_or_fetch(Resource::Graph, || async { Err(AuthError::Cancelled) })
            .await
            .unwrap();
        assert_eq!(kept.expose_secret(), "t1");
        tokio::time::advance(Duration::from_secs(300)).await;
        assert!(
            cache
                .get_or_fetch(Resource::Graph, || async { Err(AuthError::Cancelled) })
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn reject_drops_only_the_rejected_token() {
        let cache = TokenCache::default();
        cache
            .get_or_fetch(Resource::Graph, || async { Ok(token(1, 3600)) })
            .await
            .unwrap();
        cache.reject(Resource::Graph, &"other".into());
        let t = cache
            .get_or_fetch(Resource::Graph, || async { Ok(token(2, 3600)) })
            .await
            .unwrap();
        assert_eq!(t.expose_secret(), "t1");
        cache.reject(Resource::Graph, &"t1".into());
        let t = cache
            .get_or_fetch(Resource::Graph, || async { Ok(token(3, 3600)) })
            .await
            .unwrap();
        assert_eq!(t.expose_secret(), "t3");
        cache.invalidate(Resource::Graph);
        let t = cache
            .get_or_fetch(Resource::Graph, || async { Ok(token(4, 3600)) })
            .await
            .unwrap();
        assert_eq!(t.expose_secret(), "t4");
    }
}
