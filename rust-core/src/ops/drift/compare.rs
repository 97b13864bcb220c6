//! Comparing two snapshots: what changed, from what to what, and whether the tenant got worse.
//!
//! The rules (each has a unit test below):
//! - verdict: ranked Blocked < BlockedWithExclusions < PromptHidden < ReportOnly < Exposed; up is
//!   Worse, down Better; becoming Unknown is Worse (the check can no longer vouch for the tenant),
//!   leaving Unknown is Changed.
//! - the prompt (MobileAppEducationEnabled): turned on is Worse, off Better, unreported Changed.
//! - OWA AccountTransferEnabled per policy (unreported = on, the documented default): turned on
//!   or a new policy with it on is Worse, turned off Better; a removed policy is Info.
//! - Conditional Access layer: ranked Blocked < BlockedWithExclusions < ReportOnly < NotBlocked,
//!   Unknown as for the verdict. Per blocking policy (by id): removed (enabled or report-only) is
//!   Worse; state enabled < report-only < disabled; no longer covering everyone is Worse; a new
//!   excluded user, group, role or guest type is Worse, a removed one Better; renamed is Info.
//! - evidence: sign-in logs no longer readable is Worse; a newer QR-code sign-in than the
//!   baseline's newest, or more users, is Worse; other count changes are Info.

use serde::Serialize;

use super::snapshot::{CaPolicySnapshot, ObjectRef, OwaPolicySnapshot, Snapshot};
use crate::device::UtcTimestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    /// The tenant is more exposed than at the baseline (a monitoring job should fail).
    Worse,
    Better,
    /// Different, with no direction (e.g. a state that was unknown is known again).
    Changed,
    /// Context (a rename, a count that moved with the rolling window).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Worse => "Worse",
            Severity::Better => "Better",
            Severity::Changed => "Changed",
            Severity::Info => "Info",
        }
    }
}

/// One difference, flat so it serialises as one row (Log Analytics, CSV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub severity: Severity,
    /// Where in the snapshot, e.g. `conditionalAccess.policies[<id>].excludedGroups`.
    pub path: String,
    /// What changed, in words.
    pub what: String,
    /// "" when the thing did not exist on that side.
    pub from: String,
    pub to: String,
}

pub fn got_worse(differences: &[Difference]) -> bool {
    differences.iter().any(|d| d.severity == Severity::Worse)
}

struct Out(Vec<Difference>);

impl Out {
    fn push(&mut self, severity: Severity, path: String, what: String, from: String, to: String) {
        self.0.push(Difference {
            severity,
            path,
            what,
            from,
            to,
        });
    }
}

fn flag(v: Option<bool>) -> String {
    match v {
        Some(true) => "True".to_owned(),
        Some(false) => "False".to_owned(),
        None => "(not reported)".to_owned(),
    }
}

/// Lower is safer; `None` for Unknown (and anything unrecognised).
fn verdict_rank(v: &str) -> Option<u8> {
    match v {
        "Blocked" => Some(0),
        "BlockedWithExclusions" => Some(1),
        "PromptHidden" => Some(2),
        "ReportOnly" => Some(3),
        "Exposed" => Some(4),
        _ => None,
    }
}

fn ca_rank(v: &str) -> Option<u8> {
    match v {
        "Blocked" => Some(0),
        "BlockedWithExclusions" => Some(1),
        "ReportOnly" => Some(2),
        "NotBlocked" => Some(3),
        _ => None,
    }
}

/// Graph's policy `state` values (conditionalAccessPolicyState).
fn policy_state_rank(v: &str) -> Option<u8> {
    match v {
        "enabled" => Some(0),
        "enabledForReportingButNotEnforced" => Some(1),
        "disabled" => Some(2),
        _ => None,
    }
}

/// Severity of a move between two ranked values (higher rank = more exposed).
fn ranked(from: Option<u8>, to: Option<u8>) -> Severity {
    match (from, to) {
        (Some(a), Some(b)) if b > a => Severity::Worse,
        (Some(_), Some(_)) => Severity::Better,
        // Lost sight of it: the monitor can no longer vouch for the tenant.
        (Some(_), None) => Severity::Worse,
        _ => Severity::Changed,
    }
}

pub fn compare(baseline: &Snapshot, current: &Snapshot) -> Vec<Difference> {
    let mut out = Out(Vec::new());
    if baseline.verdict != current.verdict {
        out.push(
            ranked(
                verdict_rank(&baseline.verdict),
                verdict_rank(&current.verdict),
            ),
            "verdict".into(),
            "The verdict over both layers changed".into(),
            baseline.verdict.clone(),
            current.verdict.clone(),
        );
    }
    if baseline.prompt_enabled != current.prompt_enabled {
        let severity = match (baseline.prompt_enabled, current.prompt_enabled) {
            (_, Some(true)) => Severity::Worse,
            (Some(true), Some(false)) => Severity::Better,
            _ => Severity::Changed,
        };
        out.push(
            severity,
            "promptEnabled".into(),
            "The 'Get Outlook mobile' prompt in Outlook on the web (MobileAppEducationEnabled)"
                .into(),
            flag(baseline.prompt_enabled),
            flag(current.prompt_enabled),
        );
    }
    compare_owa(baseline, current, &mut out);
    compare_ca(baseline, current, &mut out);
    compare_evidence(baseline, current, &mut out);
    out.0
}

fn owa_on(p: &OwaPolicySnapshot) -> bool {
    p.account_transfer_enabled.unwrap_or(true)
}

fn compare_owa(baseline: &Snapshot, current: &Snapshot, out: &mut Out) {
    let (b, c) = (
        &baseline.owa_mailbox_policies,
        &current.owa_mailbox_policies,
    );
    let unread = |s: &super::snapshot::OwaSnapshot| s.state == "Unknown" && s.policies.is_empty();
    if unread(b) || unread(c) {
        if b.state != c.state {
            out.push(
                ranked((!unread(b)).then_some(0), (!unread(c)).then_some(0)),
                "owaMailboxPolicies.state".into(),
                "The OWA mailbox policies (AccountTransferEnabled) could be read".into(),
                b.state.clone(),
                c.state.clone(),
            );
        }
        return;
    }
    let find = |list: &'_ [OwaPolicySnapshot], name: &str| {
        list.iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .cloned()
    };
    for now in &c.policies {
        let path = format!("owaMailboxPolicies[{}].accountTransferEnabled", now.name);
        match find(&b.policies, &now.name) {
            Some(before) if before.account_transfer_enabled != now.account_transfer_enabled => {
                let severity = match (owa_on(&before), owa_on(now)) {
                    (false, true) => Severity::Worse,
                    (true, false) => Severity::Better,
                    // Unreported <-> True: the same effective state.
                    _ => Severity::Info,
                };
                out.push(
                    severity,
                    path,
                    format!(
                        "AccountTransferEnabled on the OWA mailbox policy '{}'",
                        now.name
                    ),
                    flag(before.account_transfer_enabled),
                    flag(now.account_transfer_enabled),
                );
            }
            Some(_) => {}
            None => out.push(
                if owa_on(now) {
                    Severity::Worse
                } else {
                    Severity::Info
                },
                path,
                format!(
                    "New OWA mailbox policy '{}' (AccountTransferEnabled)",
                    now.name
                ),
                String::new(),
                flag(now.account_transfer_enabled),
            ),
        }
    }
    for before in &b.policies {
        if find(&c.policies, &before.name).is_none() {
            out.push(
                Severity::Info,
                format!("owaMailboxPolicies[{}]", before.name),
                format!("The OWA mailbox policy '{}' was removed", before.name),
                flag(before.account_transfer_enabled),
                String::new(),
            );
        }
    }
}

fn compare_ca(baseline: &Snapshot, current: &Snapshot, out: &mut Out) {
    let (b, c) = (&baseline.conditional_access, &current.conditional_access);
    if b.state != c.state {
        out.push(
            ranked(ca_rank(&b.state), ca_rank(&c.state)),
            "conditionalAccess.state".into(),
            "Conditional Access blocking authentication transfer".into(),
            b.state.clone(),
            c.state.clone(),
        );
    }
    // An unreadable side lists no policies: comparing them would report every policy removed.
    if b.state == "Unknown" || c.state == "Unknown" {
        return;
    }
    for now in &c.policies {
        match b.policies.iter().find(|p| p.id == now.id) {
            Some(before) => compare_policy(before, now, out),
            None => out.push(
                if now.state == "enabled" {
                    Severity::Better
                } else {
                    Severity::Info
                },
                format!("conditionalAccess.policies[{}]", now.id),
                format!(
                    "New Conditional Access policy '{}' blocking authentication transfer",
                    now.display_name
                ),
                String::new(),
                now.state.clone(),
            ),
        }
    }
    for before in &b.policies {
        if !c.policies.iter().any(|p| p.id == before.id) {
            out.push(
                if before.state == "disabled" {
                    Severity::Info
                } else {
                    Severity::Worse
                },
                format!("conditionalAccess.policies[{}]", before.id),
                format!(
                    "The Conditional Access policy '{}' no longer blocks authentication transfer (deleted or changed)",
                    before.display_name
                ),
                before.state.clone(),
                String::new(),
            );
        }
    }
}

fn object_text(o: &ObjectRef) -> String {
    if o.display_name.is_empty() {
        o.id.clone()
    } else {
        format!("{} ({})", o.display_name, o.id)
    }
}

fn compare_policy(before: &CaPolicySnapshot, now: &CaPolicySnapshot, out: &mut Out) {
    let base = format!("conditionalAccess.policies[{}]", now.id);
    let name = &now.display_name;
    if before.display_name != now.display_name {
        out.push(
            Severity::Info,
            format!("{base}.displayName"),
            "A Conditional Access policy blocking authentication transfer was renamed".into(),
            before.display_name.clone(),
            now.display_name.clone(),
        );
    }
    if before.state != now.state {
        out.push(
            ranked(
                policy_state_rank(&before.state),
                policy_state_rank(&now.state),
            ),
            format!("{base}.state"),
            format!("The state of the Conditional Access policy '{name}'"),
            before.state.clone(),
            now.state.clone(),
        );
    }
    if before.covers_everyone != now.covers_everyone {
        out.push(
            if now.covers_everyone {
                Severity::Better
            } else {
                Severity::Worse
            },
            format!("{base}.coversEveryone"),
            format!(
                "Whether the Conditional Access policy '{name}' covers all users, applications and client types"
            ),
            flag(Some(before.covers_everyone)),
            flag(Some(now.covers_everyone)),
        );
    }
    for (kind, field, was, is) in [
        (
            "user",
            "excludedUsers",
            &before.excluded_users,
            &now.excluded_users,
        ),
        (
            "group",
            "excludedGroups",
            &before.excluded_groups,
            &now.excluded_groups,
        ),
        (
            "role",
            "excludedRoles",
            &before.excluded_roles,
            &now.excluded_roles,
        ),
    ] {
        for o in is.iter().filter(|o| !was.iter().any(|w| w.id == o.id)) {
            out.push(
                Severity::Worse,
                format!("{base}.{field}"),
                format!("New excluded {kind} on the Conditional Access policy '{name}'"),
                String::new(),
                object_text(o),
            );
        }
        for o in was.iter().filter(|o| !is.iter().any(|i| i.id == o.id)) {
            out.push(
                Severity::Better,
                format!("{base}.{field}"),
                format!("Excluded {kind} removed from the Conditional Access policy '{name}'"),
                object_text(o),
                String::new(),
            );
        }
    }
    let (was, is) = (
        &before.excluded_guests_or_external_users,
        &now.excluded_guests_or_external_users,
    );
    if was != is {
        out.push(
            match (was, is) {
                (None, Some(_)) => Severity::Worse,
                (Some(_), None) => Severity::Better,
                _ => Severity::Changed,
            },
            format!("{base}.excludedGuestsOrExternalUsers"),
            format!(
                "Guests or external users excluded from the Conditional Access policy '{name}'"
            ),
            was.clone().unwrap_or_default(),
            is.clone().unwrap_or_default(),
        );
    }
}

/// Later of two RFC 3339 times; unparsable text compares as text (it has one fixed shape).
fn is_later(candidate: &str, than: &str) -> bool {
    match (UtcTimestamp::parse(candidate), UtcTimestamp::parse(than)) {
        (Ok(a), Ok(b)) => a > b,
        _ => candidate > than,
    }
}

fn compare_evidence(baseline: &Snapshot, current: &Snapshot, out: &mut Out) {
    let (b, c) = (&baseline.evidence, &current.evidence);
    if b.available != c.available {
        out.push(
            if c.available {
                Severity::Changed
            } else {
                Severity::Worse
            },
            "evidence.available".into(),
            "The sign-in logs (authentication transfer evidence) could be read".into(),
            flag(Some(b.available)),
            flag(Some(c.available)),
        );
        return;
    }
    if !c.available {
        return;
    }
    let same_window = b.window_days == c.window_days;
    if !same_window {
        out.push(
            Severity::Info,
            "evidence.windowDays".into(),
            "The sign-in window (days): counts are not comparable".into(),
            b.window_days.to_string(),
            c.window_days.to_string(),
        );
    }
    let newer = match (&b.newest_sign_in_utc, &c.newest_sign_in_utc) {
        (None, Some(_)) => true,
        (Some(was), Some(is)) => is_later(is, was),
        _ => false,
    };
    if newer {
        out.push(
            Severity::Worse,
            "evidence.newestSignInUtc".into(),
            "New QR-code sign-ins (authentication transfer) since the baseline".into(),
            b.newest_sign_in_utc.clone().unwrap_or_default(),
            c.newest_sign_in_utc.clone().unwrap_or_default(),
        );
    }
    if same_window && b.users != c.users {
        out.push(
            if c.users > b.users {
                Severity::Worse
            } else {
                Severity::Info
            },
            "evidence.users".into(),
            format!(
                "Users who signed a phone in with the QR code (last {} days)",
                c.window_days
            ),
            b.users.to_string(),
            c.users.to_string(),
        );
    }
    if same_window && b.sign_ins != c.sign_ins {
        out.push(
            Severity::Info,
            "evidence.signIns".into(),
            format!(
                "QR-code sign-ins (authentication transfer, last {} days)",
                c.window_days
            ),
            b.sign_ins.to_string(),
            c.sign_ins.to_string(),
        );
    }
}
