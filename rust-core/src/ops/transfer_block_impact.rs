//! What enforcing the authentication-transfer block would break (Get-OutlookQrBlockImpact, and
//! the evidence behind Test-OutlookQrSignin's and the report's -Enforce recommendation): the
//! sign-ins whose `appliedConditionalAccessPolicies` say a report-only policy that blocks
//! authentication transfer would have blocked them (`reportOnlyFailure`), per user and app.
//!
//! Where the filtering happens: the signIn resource (microsoft-graph-docs-contrib,
//! api-reference/v1.0/resources/signin.md) documents `$filter` support property by property and
//! names none for `appliedConditionalAccessPolicies`; the portal cannot filter on report-only
//! results either (MicrosoftDocs/azure-docs#83989). So the server-side query is the evidence
//! listing's (time window, `originalTransferMethod eq 'authenticationTransfer'`, or its
//! Outlook-mobile fallback) and the report-only result is checked here. A blocking policy for
//! authentication transfer can only fail a sign-in whose session began with it, so nothing is
//! missed. The report-only results come back only with `Prefer:
//! include-unknown-enum-members` (see `graph::signins::PREFER_UNKNOWN_ENUM_MEMBERS`), which
//! every request of this listing carries.
//!
//! Memory: one entry per distinct user and app, whatever the number of events.

use std::collections::{HashMap, HashSet};

use super::conditional_access::{is_own_policy, list_policies};
use super::entra_access::EntraAccess;
use super::error::OpError;
use super::evidence::{EvidenceSpec, EvidenceTotals, SigninListing, now, query};
use super::log_sink::{LogLevel, log};
use super::session::Session;
use crate::device::UtcTimestamp;
use crate::graph::conditional_access::ConditionalAccessPolicy;
use crate::graph::signins::SignIn;

/// The report-only result that means "would have been blocked" for a blocking policy
/// (MicrosoftDocs/entra-docs, concept-conditional-access-report-only.md: "Report-only: Failure
/// ... a policy applies to a user where a block control is configured").
pub const WOULD_BLOCK: &str = "reportOnlyFailure";
/// What the service answers instead of an evolvable member when the Prefer header is ignored.
pub const HIDDEN_RESULT: &str = "unknownFutureValue";

/// A report-only policy that blocks authentication transfer, with who it leaves out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOnlyBlock {
    pub id: String,
    pub display_name: String,
    pub created_by_module: bool,
    /// Object ids, lower case: users excluded by id, then (once read) the direct members of the
    /// excluded groups.
    pub excluded_users: HashSet<String>,
    pub excluded_groups: Vec<String>,
}

/// The policies the listing looks for: report-only, blocking authentication transfer.
pub fn report_only_blocks(policies: &[ConditionalAccessPolicy]) -> Vec<ReportOnlyBlock> {
    policies
        .iter()
        .filter(|p| p.blocks_transfer() && p.is_report_only())
        .map(|p| ReportOnlyBlock {
            id: p.id.clone(),
            display_name: p.display_name.clone(),
            created_by_module: is_own_policy(p),
            excluded_users: p
                .excluded_users()
                .iter()
                .map(|u| u.trim().to_lowercase())
                .collect(),
            excluded_groups: p.excluded_groups().to_vec(),
        })
        .collect()
}

/// Users the tenant treats as emergency access: excluded (by id, or as a direct member of an
/// excluded group in `members`) from an enabled policy other than the report-only blocks.
/// Microsoft's guidance is to exclude emergency-access accounts from Conditional Access policies
/// (MicrosoftDocs/entra-docs, docs/identity/role-based-access-control/security-emergency-access.md);
/// reading such an exclusion as "break-glass" is this module's heuristic (UNCONFIRMED as a rule).
/// Lower-case ids.
pub fn excluded_elsewhere(
    policies: &[ConditionalAccessPolicy],
    blocks: &[ReportOnlyBlock],
    members: &HashMap<String, Vec<String>>,
) -> HashSet<String> {
    let others = || {
        policies
            .iter()
            .filter(|p| p.is_enabled() && !blocks.iter().any(|b| b.id == p.id))
    };
    let mut out: HashSet<String> = others()
        .flat_map(|p| p.excluded_users().iter().map(|u| u.trim().to_lowercase()))
        .collect();
    for p in others() {
        for g in p.excluded_groups() {
            if let Some(m) = members.get(&g.trim().to_lowercase()) {
                out.extend(m.iter().cloned());
            }
        }
    }
    out
}

/// The direct members of every group excluded by a report-only block or another enabled policy,
/// keyed by lower-case group id. A group that cannot be read becomes a warning.
async fn excluded_group_members(
    session: &Session,
    policies: &[ConditionalAccessPolicy],
    blocks: &[ReportOnlyBlock],
    warnings: &mut Vec<String>,
) -> HashMap<String, Vec<String>> {
    let mut wanted: Vec<String> = Vec::new();
    let relevant = policies
        .iter()
        .filter(|p| p.is_enabled() || blocks.iter().any(|b| b.id == p.id));
    for p in relevant {
        for g in p.excluded_groups() {
            let g = g.trim().to_lowercase();
            if !g.is_empty() && !wanted.contains(&g) {
                wanted.push(g);
            }
        }
    }
    let mut out = HashMap::new();
    for g in wanted {
        match session.graph.group_member_ids(&g).await {
            Ok(ids) => {
                out.insert(g, ids);
            }
            Err(e) => warnings.push(format!(
                "The members of the excluded group {g} could not be read ({e}); ExcludedNow and BreakGlass do not count them."
            )),
        }
    }
    out
}

/// One user's would-have-been-blocked sign-ins to one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRow {
    pub user_id: String,
    pub user_principal_name: String,
    pub user_display_name: String,
    pub app_id: String,
    pub app_display_name: String,
    pub signins: u64,
    pub first: UtcTimestamp,
    pub last: UtcTimestamp,
    /// Display names of the report-only policies that would have blocked them.
    pub policies: Vec<String>,
    /// The user is excluded now from every policy that reported the block: enforcing would
    /// not block them (the exclusion came after these sign-ins).
    pub excluded_now: bool,
    /// Excluded from another enabled policy (likely an emergency-access account) but not from
    /// this block: enforcing would lock it out of authentication transfer.
    pub break_glass: bool,
}

/// The totals the summary line, Test-OutlookQrSignin and the report show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImpactSummary {
    pub policies: Vec<String>,
    pub since: Option<UtcTimestamp>,
    pub until: Option<UtcTimestamp>,
    pub users: u64,
    pub signins: u64,
    /// Distinct user and app pairs.
    pub rows: u64,
    /// UPNs (or ids) of users excluded now (see [`ImpactRow::excluded_now`]).
    pub excluded_users: Vec<String>,
    /// UPNs (or ids) of likely emergency-access accounts among them.
    pub break_glass_users: Vec<String>,
    /// Transfer events read (whatever their result).
    pub events_read: u64,
    /// Events with no `appliedConditionalAccessPolicies` (no right to read CA data).
    pub events_without_policy_data: u64,
    /// Events whose result for a report-only block read `unknownFutureValue`.
    pub events_hidden_result: u64,
    pub pages: u32,
    pub server_side_filter: bool,
    pub warnings: Vec<String>,
}

/// Per user and app totals, in the order first seen.
#[derive(Debug, Default)]
pub struct ImpactTotals {
    index: HashMap<(String, String), usize>,
    rows: Vec<ImpactRow>,
    users: HashSet<String>,
    pub signins: u64,
    pub events_read: u64,
    pub events_without_policy_data: u64,
    pub events_hidden_result: u64,
}

fn user_key(e: &SignIn) -> String {
    if e.user_id.trim().is_empty() {
        e.user_principal_name.trim().to_lowercase()
    } else {
        e.user_id.trim().to_lowercase()
    }
}

impl ImpactTotals {
    /// Counts one transfer event: kept when a report-only block says it would have blocked it.
    pub fn add(&mut self, e: &SignIn, blocks: &[ReportOnlyBlock], elsewhere: &HashSet<String>) {
        self.events_read += 1;
        let Some(applied) = &e.applied_policies else {
            self.events_without_policy_data += 1;
            return;
        };
        let mut hit: Vec<&ReportOnlyBlock> = Vec::new();
        let mut hidden = false;
        for a in applied {
            if let Some(b) = blocks.iter().find(|b| b.id.eq_ignore_ascii_case(&a.id)) {
                if a.result.eq_ignore_ascii_case(WOULD_BLOCK) {
                    hit.push(b);
                } else if a.result.eq_ignore_ascii_case(HIDDEN_RESULT) {
                    hidden = true;
                }
            }
        }
        if hidden && hit.is_empty() {
            self.events_hidden_result += 1;
        }
        let key = user_key(e);
        if hit.is_empty() || key.is_empty() {
            return;
        }
        self.signins += 1;
        self.users.insert(key.clone());
        let app = e.app_id.trim().to_lowercase();
        let at = e.created;
        let i = *self.index.entry((key.clone(), app)).or_insert_with(|| {
            self.rows.push(ImpactRow {
                user_id: e.user_id.clone(),
                user_principal_name: e.user_principal_name.clone(),
                user_display_name: e.user_display_name.clone(),
                app_id: e.app_id.clone(),
                app_display_name: e.app_display_name.clone(),
                signins: 0,
                first: at,
                last: at,
                policies: Vec::new(),
                excluded_now: false,
                break_glass: false,
            });
            self.rows.len() - 1
        });
        let row = &mut self.rows[i];
        row.signins += 1;
        row.first = row.first.min(at);
        row.last = row.last.max(at);
        if row.user_principal_name.is_empty() {
            row.user_principal_name = e.user_principal_name.clone();
        }
        for b in &hit {
            if !row.policies.contains(&b.display_name) {
                row.policies.push(b.display_name.clone());
            }
        }
        row.excluded_now = hit.iter().all(|b| b.excluded_users.contains(&key));
        row.break_glass = !row.excluded_now && elsewhere.contains(&key);
    }

    pub fn user_count(&self) -> u64 {
        self.users.len() as u64
    }

    /// Rows, most recent sign-in first.
    pub fn rows(&self) -> Vec<ImpactRow> {
        let mut v = self.rows.clone();
        v.sort_by(|a, b| {
            b.last
                .cmp(&a.last)
                .then_with(|| a.user_principal_name.cmp(&b.user_principal_name))
                .then_with(|| a.app_display_name.cmp(&b.app_display_name))
        });
        v
    }
}

fn user_names(rows: &[ImpactRow], keep: impl Fn(&ImpactRow) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| keep(r)) {
        let name = if r.user_principal_name.is_empty() {
            r.user_id.clone()
        } else {
            r.user_principal_name.clone()
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out.sort();
    out
}

/// The listing: policies read first, then the transfer sign-ins page by page.
pub struct ImpactListing {
    listing: SigninListing,
    blocks: Vec<ReportOnlyBlock>,
    elsewhere: HashSet<String>,
    totals: ImpactTotals,
    /// The same events counted as Get-OutlookQrSigninEvidence counts them, so a caller that
    /// needs both answers walks the sign-in logs once.
    evidence: EvidenceTotals,
    since: UtcTimestamp,
    until: Option<UtcTimestamp>,
    warnings: Vec<String>,
}

impl ImpactListing {
    /// Reads the policies; refuses when no report-only policy blocks authentication transfer.
    pub async fn start(session: &Session, spec: &EvidenceSpec) -> Result<ImpactListing, OpError> {
        let mut q = query(spec, now())?;
        q.include_unknown_enum_members = true;
        let policies = list_policies(session, EntraAccess::ReadConditionalAccess).await?;
        let mut blocks = report_only_blocks(&policies);
        if blocks.is_empty() {
            return Err(OpError::invalid(
                "No report-only Conditional Access policy blocks authentication transfer, so the sign-in logs hold no 'would have blocked' results to measure. Block-OutlookAuthenticationTransfer creates one (report-only); run this again after it has been in place for a while.",
            )
            .with_code("NoReportOnlyTransferBlock"));
        }
        let mut warnings = Vec::new();
        let members = excluded_group_members(session, &policies, &blocks, &mut warnings).await;
        for b in &mut blocks {
            for g in &b.excluded_groups {
                if let Some(m) = members.get(&g.trim().to_lowercase()) {
                    b.excluded_users.extend(m.iter().cloned());
                }
            }
        }
        let elsewhere = excluded_elsewhere(&policies, &blocks, &members);
        let (since, until) = (q.since, q.until);
        let listing = SigninListing::start_query(session, q)?;
        Ok(ImpactListing {
            listing,
            blocks,
            elsewhere,
            totals: ImpactTotals::default(),
            evidence: EvidenceTotals::default(),
            since,
            until,
            warnings,
        })
    }

    /// Reads and counts the next page; `None` after the last one. Returns the events read so far.
    pub async fn next_page(&mut self) -> Option<Result<u64, OpError>> {
        match self.listing.next_page().await? {
            Ok(page) => {
                for w in page.warnings {
                    if !self.warnings.contains(&w) {
                        self.warnings.push(w);
                    }
                }
                for e in &page.events {
                    self.totals.add(e, &self.blocks, &self.elsewhere);
                    self.evidence.add(e);
                }
                Some(Ok(self.totals.events_read))
            }
            Err(e) => Some(Err(e)),
        }
    }

    pub fn pages_read(&self) -> u32 {
        self.listing.pages_read()
    }

    /// The rows, the summary and the evidence totals of the same events, once every page was read.
    pub fn finish_with_evidence(mut self) -> (Vec<ImpactRow>, ImpactSummary, EvidenceTotals) {
        let evidence = std::mem::take(&mut self.evidence);
        let (rows, summary) = self.finish();
        (rows, summary, evidence)
    }

    /// The rows and the summary, once every page was read.
    pub fn finish(mut self) -> (Vec<ImpactRow>, ImpactSummary) {
        let t = &self.totals;
        if t.events_without_policy_data > 0 {
            self.warnings.push(format!(
                "{} sign-in(s) came without appliedConditionalAccessPolicies: the service omits it when the caller may not read Conditional Access data (grant Policy.Read.All); they are not counted.",
                t.events_without_policy_data
            ));
        }
        if t.events_hidden_result > 0 {
            self.warnings.push(format!(
                "{} sign-in(s) had the report-only result hidden as unknownFutureValue although Prefer: include-unknown-enum-members was sent; they are not counted.",
                t.events_hidden_result
            ));
        }
        let rows = t.rows();
        let summary = ImpactSummary {
            policies: self.blocks.iter().map(|b| b.display_name.clone()).collect(),
            since: Some(self.since),
            until: self.until,
            users: t.user_count(),
            signins: t.signins,
            rows: rows.len() as u64,
            excluded_users: user_names(&rows, |r| r.excluded_now),
            break_glass_users: user_names(&rows, |r| r.break_glass),
            events_read: t.events_read,
            events_without_policy_data: t.events_without_policy_data,
            events_hidden_result: t.events_hidden_result,
            pages: self.listing.pages_read(),
            server_side_filter: self.listing.server_side_filter(),
            warnings: self.warnings,
        };
        log(
            LogLevel::Info,
            format!(
                "Report-only block would have blocked {} sign-in(s) of {} user(s) ({} transfer sign-in(s) read in {} page(s))",
                summary.signins, summary.users, summary.events_read, summary.pages
            ),
        );
        (rows, summary)
    }
}

/// Reads every page: the rows and the summary.
pub async fn collect(
    session: &Session,
    spec: &EvidenceSpec,
) -> Result<(Vec<ImpactRow>, ImpactSummary), OpError> {
    let mut listing = ImpactListing::start(session, spec).await?;
    while let Some(page) = listing.next_page().await {
        page?;
    }
    Ok(listing.finish())
}

fn day(t: UtcTimestamp) -> String {
    let p = t.parts();
    format!("{:04}-{:02}-{:02}", p.year, p.month, p.day)
}

/// One sentence: what enforcing would have blocked in the window, who among them is excluded
/// or an emergency-access account, and only then the -Enforce step.
pub fn recommendation(s: &ImpactSummary) -> String {
    let window = match (s.since, s.until) {
        (Some(a), Some(b)) => format!("from {} to {}", day(a), day(b)),
        (Some(a), None) => format!("since {}", day(a)),
        _ => "in the window".to_owned(),
    };
    let mut text = format!(
        "In the sign-in logs {window}, the report-only block ({}) would have blocked {} sign-in(s) of {} user(s).",
        s.policies
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", "),
        s.signins,
        s.users
    );
    if !s.break_glass_users.is_empty() {
        text.push_str(&format!(
            " {} of them look like emergency-access (break-glass) accounts, excluded from other policies but not from this one: {}. Exclude them (Block-OutlookAuthenticationTransfer -ExcludeUser) before enforcing.",
            s.break_glass_users.len(),
            s.break_glass_users.join(", ")
        ));
    }
    if !s.excluded_users.is_empty() {
        text.push_str(&format!(
            " {} of them are excluded now and would not be blocked: {}.",
            s.excluded_users.len(),
            s.excluded_users.join(", ")
        ));
    }
    if s.events_without_policy_data > 0 || s.events_hidden_result > 0 {
        text.push_str(
            " Some sign-ins could not be judged (see the warnings): the count is a lower bound.",
        );
    }
    text.push_str(if s.break_glass_users.is_empty() {
        " Review them (Get-OutlookQrBlockImpact), then Block-OutlookAuthenticationTransfer -Enforce."
    } else {
        " Then review the rest (Get-OutlookQrBlockImpact) and run Block-OutlookAuthenticationTransfer -Enforce."
    });
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::graph::signins::AppliedPolicy;

    fn block(id: &str, excluded: &[&str]) -> ReportOnlyBlock {
        ReportOnlyBlock {
            id: id.into(),
            display_name: format!("Block {id}"),
            created_by_module: false,
            excluded_users: excluded.iter().map(|s| s.to_string()).collect(),
            excluded_groups: Vec::new(),
        }
    }

    fn event(user: &str, app: &str, at: &str, applied: Option<&[(&str, &str)]>) -> SignIn {
        SignIn {
            id: format!("{user}-{at}"),
            created: UtcTimestamp::parse(at).unwrap(),
            user_principal_name: format!("{user}@x.com"),
            user_id: user.into(),
            user_display_name: String::new(),
            app_id: app.into(),
            app_display_name: format!("App {app}"),
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
            applied_policies: applied.map(|list| {
                list.iter()
                    .map(|(id, result)| AppliedPolicy {
                        id: id.to_string(),
                        display_name: String::new(),
                        result: result.to_string(),
                    })
                    .collect()
            }),
        }
    }

    #[test]
    fn per_user_and_app_with_first_last_and_exclusions() {
        let blocks = vec![block("p1", &["u3"])];
        let elsewhere: HashSet<String> = ["u2".to_owned()].into();
        let mut t = ImpactTotals::default();
        let fail: &[(&str, &str)] = &[("other", "failure"), ("P1", "reportOnlyFailure")];
        t.add(
            &event("u1", "a", "2026-11-20T10:00:00Z", Some(fail)),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event("U1", "a", "2026-11-02T10:00:00Z", Some(fail)),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event("u1", "b", "2026-11-25T10:00:00Z", Some(fail)),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event("u2", "a", "2026-11-10T10:00:00Z", Some(fail)),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event("u3", "a", "2026-11-11T10:00:00Z", Some(fail)),
            &blocks,
            &elsewhere,
        );
        // Not counted: not applied, another policy's failure, hidden, no data.
        t.add(
            &event(
                "u4",
                "a",
                "2026-11-12T10:00:00Z",
                Some(&[("p1", "reportOnlyNotApplied")]),
            ),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event(
                "u4",
                "a",
                "2026-11-12T10:00:00Z",
                Some(&[("p2", "reportOnlyFailure")]),
            ),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event(
                "u5",
                "a",
                "2026-11-12T10:00:00Z",
                Some(&[("p1", "unknownFutureValue")]),
            ),
            &blocks,
            &elsewhere,
        );
        t.add(
            &event("u6", "a", "2026-11-12T10:00:00Z", None),
            &blocks,
            &elsewhere,
        );
        assert_eq!((t.signins, t.user_count(), t.events_read), (5, 3, 9));
        assert_eq!(
            (t.events_hidden_result, t.events_without_policy_data),
            (1, 1)
        );
        let rows = t.rows();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            (rows[0].user_id.as_str(), rows[0].app_id.as_str()),
            ("u1", "b")
        );
        let u1a = rows
            .iter()
            .find(|r| r.user_id == "u1" && r.app_id == "a")
            .unwrap();
        assert_eq!(u1a.signins, 2);
        assert_eq!(
            u1a.first,
            UtcTimestamp::parse("2026-11-02T10:00:00Z").unwrap()
        );
        assert_eq!(
            u1a.last,
            UtcTimestamp::parse("2026-11-20T10:00:00Z").unwrap()
        );
        assert_eq!(u1a.policies, vec!["Block p1".to_owned()]);
        let u2 = rows.iter().find(|r| r.user_id == "u2").unwrap();
        assert!(u2.break_glass && !u2.excluded_now);
        let u3 = rows.iter().find(|r| r.user_id == "u3").unwrap();
        assert!(u3.excluded_now && !u3.break_glass);
    }

    #[test]
    fn recommendation_names_break_glass_accounts_before_enforce() {
        let mut s = ImpactSummary {
            policies: vec!["OutlookQrGuard: Block".into()],
            since: UtcTimestamp::parse("2026-11-06T00:00:00Z").ok(),
            users: 12,
            signins: 40,
            ..ImpactSummary::default()
        };
        let plain = recommendation(&s);
        assert!(
            plain.contains("since 2026-11-06") && plain.contains("40 sign-in(s) of 12 user(s)")
        );
        assert!(plain.ends_with("Block-OutlookAuthenticationTransfer -Enforce."));
        s.break_glass_users = vec!["bg@x.com".into()];
        let warned = recommendation(&s);
        let bg = warned.find("bg@x.com").unwrap();
        assert!(bg < warned.find("-Enforce").unwrap());
        assert!(warned.contains("-ExcludeUser"));
    }
}
