//! Many tenants in one run (Get-OutlookQrFleetStatus): per connected session, the check over
//! every layer (prompt, Conditional Access, OWA mailbox policies), the sign-in evidence summary
//! and the would-be-blocked summary — tenants side by side, at most `throttle_limit` at once.
//! A tenant that fails says why in its own row; it never stops the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;

use super::conditional_access::CaLayer;
use super::error::OpError;
use super::evidence::{self, EvidenceSpec};
use super::owa_account_transfer;
use super::prompt;
use super::session::Session;
use super::transfer_block_impact;

/// The default number of tenants checked at once (PowerShell's ForEach-Object -Parallel
/// -ThrottleLimit default is 5; the engine's HTTP work per tenant is already concurrent).
pub const DEFAULT_THROTTLE_LIMIT: usize = 4;
/// More would only queue on the tenants' own throttling; a bound keeps a typo from opening
/// thousands of connections.
pub const MAX_THROTTLE_LIMIT: usize = 64;

/// Said when the Conditional Access layer could not be read, so whether a report-only block
/// exists (and what it would block) is not known.
pub const WOULD_BE_BLOCKED_UNKNOWN: &str =
    "Not computed: the Conditional Access layer could not be read.";

/// One tenant of the run. `session` is `None` when the caller no longer has it (closed).
pub struct FleetMember {
    pub label: String,
    pub session: Option<Arc<Session>>,
}

/// One tenant's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetRow {
    /// The tenant as connected (id or domain).
    pub tenant: String,
    pub organization: String,
    /// Test-OutlookQrSignin's verdict over both layers; `Error` when the check failed.
    pub verdict: String,
    /// Exposed | PromptHidden | Unknown (Error: not read).
    pub prompt: String,
    /// Blocked | BlockedWithExclusions | ReportOnly | NotBlocked | Unknown (Error: not read).
    pub conditional_access: String,
    /// On | Off | Unknown (Error: not read): AccountTransferEnabled on the OWA mailbox policies.
    pub owa_account_transfer: String,
    /// False when the sign-in logs could not be read (the reason is in `errors`).
    pub evidence_available: bool,
    /// Users and authentication-transfer sign-ins in the last 30 days.
    pub transfer_users: u64,
    pub transfer_signins: u64,
    /// Newest transfer sign-in (ISO 8601 UTC); empty when none.
    pub newest_transfer_utc: String,
    /// Users the report-only block would have stopped in the last 30 days (Get-OutlookQrBlockImpact's
    /// count); `None` when there is no report-only block or the listing failed (`note` says which).
    pub would_be_blocked_users: Option<u64>,
    pub would_be_blocked_note: String,
    /// What could not be read, one sentence per layer; empty when everything answered.
    pub errors: Vec<String>,
    /// Milliseconds from the start of the run to this tenant's start, and its own duration
    /// (the first shows the throttle at work).
    pub started_after_ms: u64,
    pub elapsed_ms: u64,
}

impl FleetRow {
    fn failed(label: &str, why: String, started: Duration, elapsed: Duration) -> FleetRow {
        FleetRow {
            tenant: label.to_owned(),
            organization: String::new(),
            verdict: "Error".to_owned(),
            prompt: "Error".to_owned(),
            conditional_access: "Error".to_owned(),
            owa_account_transfer: "Error".to_owned(),
            evidence_available: false,
            transfer_users: 0,
            transfer_signins: 0,
            newest_transfer_utc: String::new(),
            would_be_blocked_users: None,
            would_be_blocked_note: WOULD_BE_BLOCKED_UNKNOWN.to_owned(),
            errors: vec![why],
            started_after_ms: millis(started),
            elapsed_ms: millis(elapsed),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub fn check_throttle_limit(limit: u32) -> Result<usize, OpError> {
    let limit = limit as usize;
    if limit == 0 || limit > MAX_THROTTLE_LIMIT {
        return Err(OpError::invalid(format!(
            "-ThrottleLimit must be between 1 and {MAX_THROTTLE_LIMIT} (it was {limit})"
        ))
        .with_code("InvalidThrottleLimit")
        .with_target(limit.to_string()));
    }
    Ok(limit)
}

/// Checks every member, at most `throttle_limit` at once; rows come back in input order.
pub async fn run(members: Vec<FleetMember>, throttle_limit: u32) -> Result<Vec<FleetRow>, OpError> {
    let limit = check_throttle_limit(throttle_limit)?;
    let start = Instant::now();
    // One task, many futures: the log scope of the calling FFI call stays in force, and at most
    // `limit` tenants have requests in flight.
    let mut rows: Vec<(usize, FleetRow)> = futures::stream::iter(members.into_iter().enumerate())
        .map(|(index, member)| async move { (index, check_one(member, start).await) })
        .buffer_unordered(limit)
        .collect()
        .await;
    rows.sort_by_key(|(index, _)| *index);
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

async fn check_one(member: FleetMember, run_start: Instant) -> FleetRow {
    let started = run_start.elapsed();
    let began = Instant::now();
    let Some(session) = member.session else {
        return FleetRow::failed(
            &member.label,
            "This session is closed; run Connect-OutlookQrGuard again".to_owned(),
            started,
            began.elapsed(),
        );
    };
    let spec = EvidenceSpec::default();
    let (both, owa, (evidence, impact)) = tokio::join!(
        prompt::check_both(&session),
        owa_account_transfer::check(&session),
        walk_signins(&session, &spec),
    );
    let mut errors = Vec::new();
    let ca_layer = both
        .as_ref()
        .ok()
        .map(|state| state.conditional_access.layer);
    let mut row = match both {
        Ok(state) => {
            if state.conditional_access.layer == CaLayer::Unknown {
                errors.push(format!(
                    "Conditional Access: {}",
                    state.conditional_access.reason
                ));
            }
            FleetRow {
                tenant: session.summary.tenant.clone(),
                organization: state.prompt.organization.clone(),
                verdict: state.verdict.as_str().to_owned(),
                prompt: state.prompt.verdict.as_str().to_owned(),
                conditional_access: state.conditional_access.layer.as_str().to_owned(),
                ..FleetRow::failed(&member.label, String::new(), started, Duration::ZERO)
            }
        }
        Err(e) => FleetRow {
            tenant: session.summary.tenant.clone(),
            organization: session.summary.organization.clone(),
            ..FleetRow::failed(
                &member.label,
                format!("Exchange: {}", e.message),
                started,
                Duration::ZERO,
            )
        },
    };
    row.errors.retain(|e| !e.is_empty());
    row.errors.append(&mut errors);
    match owa {
        Ok(state) => row.owa_account_transfer = state.layer.as_str().to_owned(),
        Err(e) => {
            row.owa_account_transfer = "Error".to_owned();
            row.errors
                .push(format!("OWA mailbox policies: {}", e.message));
        }
    }
    match evidence {
        Ok(totals) => {
            row.evidence_available = true;
            row.transfer_users = totals.user_count();
            row.transfer_signins = totals.signins;
            row.newest_transfer_utc = totals
                .users()
                .iter()
                .map(|u| u.last)
                .max()
                .map(crate::graph::signins::filter_time)
                .unwrap_or_default();
        }
        Err(e) => row.errors.push(format!("Sign-in logs: {}", e.message)),
    }
    // Only a report-only block has "would have blocked" results to read (issue #15 part 1).
    match (ca_layer, impact) {
        (Some(CaLayer::ReportOnly), Ok(summary)) => {
            row.would_be_blocked_users = Some(summary.users);
            row.would_be_blocked_note = transfer_block_impact::recommendation(&summary);
        }
        (Some(CaLayer::ReportOnly), Err(e)) => {
            row.would_be_blocked_note = format!("Not computed: {}", e.message);
            row.errors
                .push(format!("Would-be-blocked listing: {}", e.message));
        }
        (Some(layer), _) if layer != CaLayer::Unknown => {
            row.would_be_blocked_note = format!(
                "Not applicable: no report-only block of authentication transfer (Conditional Access: {}).",
                layer.as_str()
            );
        }
        _ => {}
    }
    row.elapsed_ms = millis(began.elapsed());
    row
}

/// One walk of the transfer sign-ins for both the evidence counts and, when a report-only block
/// exists, what it would have blocked: the impact listing sees every event the evidence listing
/// would (same query, plus the Prefer header), so reading the pages twice only doubled a
/// report-only tenant's sign-in-log time and its share of the log's throttling. Without a
/// report-only block (or when the policies cannot be read) it is the plain evidence walk, and the
/// impact is that start error.
async fn walk_signins(
    session: &Session,
    spec: &EvidenceSpec,
) -> (
    Result<evidence::EvidenceTotals, OpError>,
    Result<transfer_block_impact::ImpactSummary, OpError>,
) {
    match transfer_block_impact::ImpactListing::start(session, spec).await {
        Ok(mut listing) => {
            while let Some(page) = listing.next_page().await {
                if let Err(e) = page {
                    return (Err(e.clone()), Err(e));
                }
            }
            let (_, summary, totals) = listing.finish_with_evidence();
            (Ok(totals), Ok(summary))
        }
        Err(start) => (
            evidence::collect(session, spec)
                .await
                .map(|(totals, _)| totals),
            Err(start),
        ),
    }
}

/// Worst first: errors, then exposed, report-only, partly blocked, hidden, blocked; then name.
pub fn severity(verdict: &str) -> u8 {
    match verdict {
        "Error" => 0,
        "Exposed" => 1,
        "Unknown" => 2,
        "ReportOnly" => 3,
        "BlockedWithExclusions" => 4,
        "PromptHidden" => 5,
        "Blocked" => 6,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_limit_must_be_between_1_and_the_maximum() {
        assert!(check_throttle_limit(0).is_err());
        assert_eq!(check_throttle_limit(1).ok(), Some(1));
        assert_eq!(check_throttle_limit(64).ok(), Some(64));
        let e = check_throttle_limit(65)
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("-ThrottleLimit") && e.contains("65"), "{e}");
    }

    #[test]
    fn worst_verdicts_sort_first() {
        let mut v = ["Blocked", "Exposed", "Error", "PromptHidden", "ReportOnly"];
        v.sort_by_key(|s| severity(s));
        assert_eq!(
            v,
            ["Error", "Exposed", "ReportOnly", "PromptHidden", "Blocked"]
        );
    }

    #[tokio::test]
    async fn a_closed_session_is_a_row_with_its_reason() {
        let rows = run(
            vec![FleetMember {
                label: "contoso.onmicrosoft.com".into(),
                session: None,
            }],
            2,
        )
        .await
        .unwrap_or_default();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].verdict, "Error");
        assert_eq!(rows[0].tenant, "contoso.onmicrosoft.com");
        assert!(rows[0].errors[0].contains("Connect-OutlookQrGuard"));
        assert!(rows[0].would_be_blocked_users.is_none());
    }
}
