//! A listing follows `@odata.nextLink` until the service stops sending one. A broken or hostile
//! server could send the same link again (a loop) or new links forever; this guard stops both,
//! so no listing runs without end.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// Why a listing was stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NextLinkError {
    #[error(
        "the service sent the same next-page link twice (after page {page}): the listing would loop"
    )]
    Repeated { page: u64 },
    #[error("the listing passed {max} pages, more than any real tenant has: stopped")]
    TooManyPages { max: u64 },
}

/// Remembers the links followed (as keyed hashes: a listing of a million devices keeps 8 KB
/// per thousand pages) and counts pages against a cap.
#[derive(Debug)]
pub struct NextLinkGuard {
    seen: HashSet<u64>,
    hasher: RandomState,
    pages: u64,
    max_pages: u64,
}

impl NextLinkGuard {
    /// `max_pages`: well above any real listing (say 100 × the largest expected), so the cap
    /// only ever stops a server that misbehaves.
    pub fn new(max_pages: u64) -> Self {
        NextLinkGuard {
            seen: HashSet::new(),
            hasher: RandomState::new(),
            pages: 1,
            max_pages,
        }
    }

    /// Call with each next link before following it.
    pub fn admit(&mut self, link: &str) -> Result<(), NextLinkError> {
        if self.pages >= self.max_pages {
            return Err(NextLinkError::TooManyPages {
                max: self.max_pages,
            });
        }
        if !self.seen.insert(self.hasher.hash_one(link)) {
            return Err(NextLinkError::Repeated { page: self.pages });
        }
        self.pages += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_link_stops_the_listing() {
        let mut g = NextLinkGuard::new(100);
        assert_eq!(g.admit("https://h/p?$skiptoken=1"), Ok(()));
        assert_eq!(g.admit("https://h/p?$skiptoken=2"), Ok(()));
        assert_eq!(
            g.admit("https://h/p?$skiptoken=1"),
            Err(NextLinkError::Repeated { page: 3 })
        );
    }

    #[test]
    fn new_links_forever_stop_at_the_cap() {
        let mut g = NextLinkGuard::new(5);
        for i in 0..4 {
            assert_eq!(g.admit(&format!("https://h/p?$skiptoken={i}")), Ok(()));
        }
        assert_eq!(
            g.admit("https://h/p?$skiptoken=x"),
            Err(NextLinkError::TooManyPages { max: 5 })
        );
    }
}
