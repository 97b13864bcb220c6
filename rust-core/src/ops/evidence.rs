//! Get-OutlookQrSigninEvidence: the sign-in events whose session began with authentication
//! transfer, page by page, and their per-user totals (for the export join and the report).

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use super::entra_access::{EntraAccess, entra_failure};
use super::error::OpError;
use super::log_sink::{LogLevel, log};
use super::session::Session;
use crate::device::{TICKS_PER_SECOND, UtcTimestamp};
use crate::graph::signins::{SignIn, SignInPage, SignInPager, SignInQuery};

pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

/// The default window, and the logs' retention with P1/P2.
pub const DEFAULT_WINDOW_DAYS: i64 = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceSpec {
    pub since: Option<UtcTimestamp>,
    pub until: Option<UtcTimestamp>,
    pub user: Option<String>,
    pub interactive_only: bool,
    /// `$top`; `None` = the service's default.
    pub page_size: Option<u32>,
}

pub fn now() -> UtcTimestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    UtcTimestamp::from_unix_millis(millis).unwrap_or_else(unreachable_zero)
}

#[allow(clippy::expect_used)]
fn unreachable_zero() -> UtcTimestamp {
    UtcTimestamp::from_ticks(0).expect("tick 0 is in range")
}

/// The server query for `spec` at `now`: since defaults to 30 days before now.
pub fn query(spec: &EvidenceSpec, now: UtcTimestamp) -> Result<SignInQuery, OpError> {
    let since = match spec.since {
        Some(s) => s,
        None => {
            UtcTimestamp::from_ticks(now.ticks() - DEFAULT_WINDOW_DAYS * 86_400 * TICKS_PER_SECOND)
                .unwrap_or(now)
        }
    };
    if let Some(until) = spec.until
        && until < since
    {
        return Err(
            OpError::invalid("-Until is before -Since: the time window is empty")
                .with_code("InvalidTimeWindow")
                .with_target("Until"),
        );
    }
    Ok(SignInQuery {
        since,
        until: spec.until,
        user: spec.user.clone().filter(|u| !u.trim().is_empty()),
        interactive_only: spec.interactive_only,
        page_size: spec.page_size,
        include_unknown_enum_members: false,
    })
}

/// A listing of transfer events, one page per call.
pub struct SigninListing {
    pager: SignInPager,
    warned_fallback: bool,
}

impl SigninListing {
    pub fn start(session: &Session, spec: &EvidenceSpec) -> Result<SigninListing, OpError> {
        Self::start_query(session, query(spec, now())?)
    }

    /// The same listing for a query built by the caller (the block-impact listing asks for the
    /// evolvable enum members on top).
    pub fn start_query(session: &Session, q: SignInQuery) -> Result<SigninListing, OpError> {
        let pager = SignInPager::new(session.graph.clone(), q).map_err(OpError::from)?;
        Ok(SigninListing {
            pager,
            warned_fallback: false,
        })
    }

    /// The next page, `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<SignInPage, OpError>> {
        match self.pager.next_page().await {
            Ok(Some(page)) => {
                if !page.server_side_filter && !self.warned_fallback {
                    self.warned_fallback = true;
                    log(
                        LogLevel::Info,
                        "Filtering sign-ins on originalTransferMethod on this side (the service refused it in $filter)",
                    );
                }
                Some(Ok(page))
            }
            Ok(None) => None,
            Err(e) => Some(Err(entra_failure(e, EntraAccess::ReadSignInLogs))),
        }
    }

    pub fn pages_read(&self) -> u32 {
        self.pager.pages_read()
    }

    pub fn server_side_filter(&self) -> bool {
        self.pager.server_side_filter()
    }
}

/// One user's transfer sign-ins in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEvidence {
    pub user_id: String,
    pub user_principal_name: String,
    pub user_display_name: String,
    pub signins: u64,
    pub first: UtcTimestamp,
    pub last: UtcTimestamp,
}

/// Per-user totals, keyed by object id (or UPN when an event has no id), case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceTotals {
    by_user: HashMap<String, UserEvidence>,
    pub signins: u64,
    /// Sign-ins per UTC day (days since 0001-01-01, as [`UtcTimestamp::ticks`] counts), for the
    /// report's chart.
    by_day: BTreeMap<i64, u64>,
}

impl EvidenceTotals {
    pub fn add(&mut self, event: &SignIn) {
        let key = if event.user_id.trim().is_empty() {
            event.user_principal_name.trim().to_lowercase()
        } else {
            event.user_id.trim().to_lowercase()
        };
        if key.is_empty() {
            return;
        }
        self.signins += 1;
        *self
            .by_day
            .entry(event.created.ticks().div_euclid(TICKS_PER_DAY))
            .or_default() += 1;
        let entry = self.by_user.entry(key).or_insert_with(|| UserEvidence {
            user_id: event.user_id.clone(),
            user_principal_name: event.user_principal_name.clone(),
            user_display_name: event.user_display_name.clone(),
            signins: 0,
            first: event.created,
            last: event.created,
        });
        entry.signins += 1;
        entry.first = entry.first.min(event.created);
        entry.last = entry.last.max(event.created);
        if entry.user_principal_name.is_empty() {
            entry.user_principal_name = event.user_principal_name.clone();
        }
    }

    /// Users, most recent transfer first.
    pub fn users(&self) -> Vec<UserEvidence> {
        let mut v: Vec<UserEvidence> = self.by_user.values().cloned().collect();
        v.sort_by(|a, b| {
            b.last
                .cmp(&a.last)
                .then_with(|| a.user_principal_name.cmp(&b.user_principal_name))
        });
        v
    }

    pub fn user_count(&self) -> u64 {
        self.by_user.len() as u64
    }

    /// Sign-ins per UTC day number (see [`TICKS_PER_DAY`]); days without any are absent.
    pub fn per_day(&self) -> &BTreeMap<i64, u64> {
        &self.by_day
    }
}

/// Reads every page and totals it per user.
pub async fn collect(
    session: &Session,
    spec: &EvidenceSpec,
) -> Result<(EvidenceTotals, Vec<String>), OpError> {
    let mut listing = SigninListing::start(session, spec)?;
    let mut totals = EvidenceTotals::default();
    let mut warnings = Vec::new();
    while let Some(page) = listing.next_page().await {
        let page = page?;
        for w in page.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        for e in &page.events {
            totals.add(e);
        }
    }
    log(
        LogLevel::Info,
        format!(
            "{} authentication-transfer sign-in(s) of {} user(s) in {} page(s)",
            totals.signins,
            totals.user_count(),
            listing.pages_read()
        ),
    );
    Ok((totals, warnings))
}

/// The evidence keyed by the users' mailbox distinguished names (lower case), which is what a
/// device row knows its owner by. Only the (few) evidence users are resolved, in batches.
pub async fn by_mailbox(
    session: &Session,
    totals: &EvidenceTotals,
) -> Result<HashMap<String, UserEvidence>, OpError> {
    let users = totals.users();
    let keys: Vec<String> = users
        .iter()
        .map(|u| {
            if u.user_id.trim().is_empty() {
                u.user_principal_name.clone()
            } else {
                u.user_id.clone()
            }
        })
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let resolved = session.exchange.resolve_mailboxes(&keys).await?;
    let mut out = HashMap::new();
    for (user, resolution) in users.into_iter().zip(resolved) {
        if let Some(dn) = resolution.mailbox.and_then(|m| m.distinguished_name) {
            out.insert(dn.trim().to_lowercase(), user);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn event(user_id: &str, upn: &str, at: &str) -> SignIn {
        SignIn {
            id: format!("{user_id}-{at}"),
            created: UtcTimestamp::parse(at).unwrap(),
            user_principal_name: upn.into(),
            user_id: user_id.into(),
            user_display_name: String::new(),
            app_id: String::new(),
            app_display_name: String::new(),
            client_app_used: String::new(),
            ip_address: String::new(),
            correlation_id: String::new(),
            conditional_access_status: String::new(),
            event_type: "interactiveUser".into(),
            transfer_method: "authenticationTransfer".into(),
            authentication_protocol: String::new(),
            error_code: 0,
            failure_reason: String::new(),
            device_id: String::new(),
            device_name: String::new(),
            operating_system: String::new(),
            browser: String::new(),
            city: String::new(),
            state: String::new(),
            country: String::new(),
            applied_policies: None,
        }
    }

    #[test]
    fn totals_per_user_with_first_and_last() {
        let mut t = EvidenceTotals::default();
        t.add(&event("A1", "a@x.com", "2026-11-20T10:00:00Z"));
        t.add(&event("a1", "a@x.com", "2026-11-02T10:00:00Z"));
        t.add(&event("a1", "a@x.com", "2026-11-25T10:00:00Z"));
        t.add(&event("", "b@x.com", "2026-11-10T10:00:00Z"));
        t.add(&event("", "", "2026-11-10T10:00:00Z"));
        assert_eq!((t.signins, t.user_count()), (4, 2));
        let users = t.users();
        assert_eq!(users[0].user_principal_name, "a@x.com");
        assert_eq!(users[0].signins, 3);
        assert_eq!(
            users[0].first,
            UtcTimestamp::parse("2026-11-02T10:00:00Z").unwrap()
        );
        assert_eq!(
            users[0].last,
            UtcTimestamp::parse("2026-11-25T10:00:00Z").unwrap()
        );
        assert_eq!(users[1].signins, 1);
    }

    #[test]
    fn totals_per_utc_day() {
        let mut t = EvidenceTotals::default();
        t.add(&event("a", "a@x.com", "2026-11-20T00:00:00Z"));
        t.add(&event("b", "b@x.com", "2026-11-20T23:59:59Z"));
        t.add(&event("a", "a@x.com", "2026-11-21T00:00:00Z"));
        t.add(&event("", "", "2026-11-22T10:00:00Z"));
        let day = |at: &str| UtcTimestamp::parse(at).unwrap().ticks() / TICKS_PER_DAY;
        let got: Vec<(i64, u64)> = t.per_day().iter().map(|(d, n)| (*d, *n)).collect();
        assert_eq!(
            got,
            [
                (day("2026-11-20T12:00:00Z"), 2),
                (day("2026-11-21T12:00:00Z"), 1)
            ]
        );
    }

    #[test]
    fn window_defaults_to_thirty_days_and_refuses_an_empty_one() {
        let now = UtcTimestamp::parse("2026-12-01T00:00:00Z").unwrap();
        let q = query(&EvidenceSpec::default(), now).unwrap();
        assert_eq!(
            q.since,
            UtcTimestamp::parse("2026-11-01T00:00:00Z").unwrap()
        );
        assert_eq!(q.until, None);
        let bad = EvidenceSpec {
            since: Some(now),
            until: UtcTimestamp::parse("2026-11-01T00:00:00Z").ok(),
            ..EvidenceSpec::default()
        };
        let e = query(&bad, now).unwrap_err();
        assert!(e.message.contains("-Until") && e.code == "InvalidTimeWindow");
        let blank_user = EvidenceSpec {
            user: Some("  ".into()),
            ..EvidenceSpec::default()
        };
        assert_eq!(query(&blank_user, now).unwrap().user, None);
    }
}
