//! The third layer of the QR sign-in: `AccountTransferEnabled` on every Outlook on the web
//! mailbox policy (semi-documented: Set-OwaMailboxPolicy.md marks it "reserved for internal
//! Microsoft use"; Microsoft365DSC calls it the QR code sign-in switch, on by default). Read it
//! with the mailbox count per policy; set it on every policy, idempotently, from a plan.

use std::collections::HashMap;

use crate::exo::OwaMailboxPolicy;

use super::error::{FailureKind, OpError};
use super::prompt::Verdict;
use super::session::Session;

/// How far Microsoft documents the switch; shown next to it wherever it appears, since it is not
/// a supported setting. Set-OwaMailboxPolicy.md (MicrosoftDocs/office-docs-powershell) marks the
/// parameter "reserved for internal Microsoft use"; Microsoft365DSC (EXOOwaMailboxPolicy)
/// describes it as the QR code sign-in switch, enabled by default.
pub const DOCUMENTATION: &str = "Semi-documented: Microsoft's Set-OwaMailboxPolicy reference marks AccountTransferEnabled as reserved for internal Microsoft use; Microsoft365DSC describes it as the QR code sign-in switch, enabled by default.";

/// How the policies leave the QR sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwaLayer {
    /// Every policy has AccountTransferEnabled False.
    Off,
    /// At least one policy has it True (or unreported, taken as the documented default True).
    On,
    /// No policy was listed, or the policies could not be read.
    Unknown,
    /// Not asked for (Test-OutlookQrSignin -Quiet).
    NotRead,
}

impl OwaLayer {
    pub fn as_str(self) -> &'static str {
        match self {
            OwaLayer::Off => "Off",
            OwaLayer::On => "On",
            OwaLayer::Unknown => "Unknown",
            OwaLayer::NotRead => "NotRead",
        }
    }
}

#[derive(Debug, Clone)]
pub struct OwaState {
    pub layer: OwaLayer,
    pub policies: Vec<OwaMailboxPolicy>,
    /// Mailboxes naming a policy the listing did not return (name, count).
    pub unmatched: Vec<(String, u64)>,
    pub reason: String,
    /// The service's code when the layer could not be read; empty otherwise.
    pub code: String,
}

/// The documented default ("By default, QR code sign-in is enabled", Microsoft365DSC).
fn enabled(p: &OwaMailboxPolicy) -> bool {
    p.account_transfer_enabled.unwrap_or(true)
}

pub fn assess(policies: Vec<OwaMailboxPolicy>, unmatched: HashMap<String, u64>) -> OwaState {
    let mut unmatched: Vec<(String, u64)> = unmatched.into_iter().collect();
    unmatched.sort();
    let on: Vec<&OwaMailboxPolicy> = policies.iter().filter(|p| enabled(p)).collect();
    let (layer, reason) = if policies.is_empty() {
        (
            OwaLayer::Unknown,
            "No Outlook on the web mailbox policy was listed.".to_owned(),
        )
    } else if on.is_empty() {
        (
            OwaLayer::Off,
            format!(
                "AccountTransferEnabled is False on all {} OWA mailbox policies (a semi-documented switch: Microsoft's cmdlet reference marks it reserved for internal use).",
                policies.len()
            ),
        )
    } else {
        let names: Vec<String> = on
            .iter()
            .map(|p| format!("'{}' ({} mailboxes)", p.name, p.mailboxes))
            .collect();
        (
            OwaLayer::On,
            format!(
                "AccountTransferEnabled is True on {} of {} OWA mailbox policies: {}. A semi-documented switch (reserved for internal use per Microsoft's cmdlet reference); -IncludeOwaAccountTransfer on Disable-OutlookQrSignin turns it off.",
                on.len(),
                policies.len(),
                names.join(", ")
            ),
        )
    };
    OwaState {
        layer,
        policies,
        unmatched,
        reason,
        code: String::new(),
    }
}

pub async fn check(session: &Session) -> Result<OwaState, OpError> {
    let (policies, unmatched) = session.exchange.owa_mailbox_policies_with_counts().await?;
    Ok(assess(policies, unmatched))
}

/// The layer for Test-OutlookQrSignin: one that cannot be read (an Exchange role without
/// Get-OwaMailboxPolicy or Get-CASMailbox, a service error) is Unknown with why, so the
/// documented layers still answer.
pub async fn check_or_unknown(session: &Session) -> OwaState {
    check(session).await.unwrap_or_else(|e| unreadable(&e))
}

/// The layer when the caller did not ask for it (Test-OutlookQrSignin -Quiet): no finding.
pub fn not_read() -> OwaState {
    OwaState {
        layer: OwaLayer::NotRead,
        policies: Vec::new(),
        unmatched: Vec::new(),
        reason: "The OWA mailbox policies were not read.".to_owned(),
        code: String::new(),
    }
}

pub fn unreadable(e: &OpError) -> OwaState {
    // Exchange answers a cmdlet outside the caller's roles as an unknown cmdlet (the ops error
    // maps it to PermissionDenied); `Get-ManagementRole -Cmdlet` (Get-ManagementRole.md) names
    // the roles that hold one.
    let hint = if e.kind == FailureKind::PermissionDenied {
        " The app's Exchange roles must include Get-OwaMailboxPolicy and Get-CASMailbox (Get-ManagementRole -Cmdlet <name> lists the roles that hold each)."
    } else {
        ""
    };
    OwaState {
        layer: OwaLayer::Unknown,
        policies: Vec::new(),
        unmatched: Vec::new(),
        reason: format!("The OWA mailbox policies could not be read: {e}{hint}"),
        code: e.code.clone(),
    }
}

/// What the OWA layer adds to the verdict's reason. It never changes the verdict or -Quiet:
/// Microsoft does not document what the switch alone controls (its cmdlet reference reserves it
/// for internal use; Microsoft365DSC only calls it the QR code sign-in switch; a third-party
/// write-up, blog-en.topedia.com/?p=41007, reports it governs the "Outlook Mobile" QR entry under
/// Help in Outlook on the web and the new Outlook), so the verdict stays with the documented
/// layers and this is an additional finding. Under an enforced block for everyone the transfer
/// is stopped at Entra ID whatever the switch says, so nothing is added there.
pub fn finding(state: &OwaState, verdict: Verdict) -> Option<String> {
    if verdict == Verdict::Blocked {
        return None;
    }
    match state.layer {
        OwaLayer::On => {
            let on: Vec<&OwaMailboxPolicy> = state.policies.iter().filter(|p| enabled(p)).collect();
            let mailboxes: u64 = on.iter().map(|p| p.mailboxes).sum();
            Some(format!(
                "Additional finding (semi-documented layer, not part of the verdict): AccountTransferEnabled is True on {} of {} OWA mailbox policies ({} mailboxes); Microsoft does not document whether it alone offers the QR code. Disable-OutlookQrSignin -IncludeOwaAccountTransfer turns it off.",
                on.len(),
                state.policies.len(),
                mailboxes
            ))
        }
        OwaLayer::Unknown => Some(
            "The OWA mailbox policy layer could not be read (see OwaAccountTransferReason)."
                .to_owned(),
        ),
        OwaLayer::Off | OwaLayer::NotRead => None,
    }
}

/// The policies whose switch differs from `enabled`: what a set would write.
pub fn plan(policies: &[OwaMailboxPolicy], enabled: bool) -> Vec<String> {
    policies
        .iter()
        .filter(|p| p.account_transfer_enabled != Some(enabled))
        .map(|p| p.name.clone())
        .collect()
}

/// One policy's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwaChange {
    pub policy: String,
    pub previous: Option<bool>,
    pub changed: bool,
    /// The service's warnings for the write; empty when nothing was written.
    pub warnings: Vec<String>,
}

/// Sets AccountTransferEnabled on every policy; writes only where it differs. With `dry_run`
/// nothing is written and the result is the plan (`changed` = would change).
pub async fn set_all(
    session: &Session,
    enabled: bool,
    dry_run: bool,
) -> Result<Vec<OwaChange>, OpError> {
    let policies = session.exchange.get_owa_mailbox_policies().await?;
    let todo = plan(&policies, enabled);
    let mut out = Vec::with_capacity(policies.len());
    for p in &policies {
        let change = todo.contains(&p.name);
        let mut warnings = Vec::new();
        if change && !dry_run {
            warnings = session
                .exchange
                .set_owa_account_transfer(&p.name, enabled)
                .await?;
        }
        out.push(OwaChange {
            policy: p.name.clone(),
            previous: p.account_transfer_enabled,
            changed: change,
            warnings,
        });
    }
    Ok(out)
}

/// Sets AccountTransferEnabled on one policy (named as the plan named it), reading it first and
/// writing only when it differs, so a policy changed since the plan is not written twice and
/// one the admin declined is never touched.
pub async fn set_one(session: &Session, policy: &str, enabled: bool) -> Result<OwaChange, OpError> {
    let policies = session.exchange.get_owa_mailbox_policies().await?;
    let found = policies
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(policy.trim()))
        .ok_or_else(|| {
            OpError::new(
                FailureKind::NotFound,
                format!("There is no OWA mailbox policy named '{policy}'"),
            )
            .with_target(policy)
        })?;
    let previous = found.account_transfer_enabled;
    if !plan(std::slice::from_ref(found), enabled).is_empty() {
        let warnings = session
            .exchange
            .set_owa_account_transfer(&found.name, enabled)
            .await?;
        return Ok(OwaChange {
            policy: found.name.clone(),
            previous,
            changed: true,
            warnings,
        });
    }
    Ok(OwaChange {
        policy: found.name.clone(),
        previous,
        changed: false,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(name: &str, on: Option<bool>, mailboxes: u64) -> OwaMailboxPolicy {
        OwaMailboxPolicy {
            name: name.into(),
            is_default: name == "OwaMailboxPolicy-Default",
            account_transfer_enabled: on,
            mailboxes,
        }
    }

    #[test]
    fn layer_names_the_policies_that_leave_it_on() {
        let s = assess(
            vec![
                policy("OwaMailboxPolicy-Default", Some(true), 30),
                policy("Contractors", Some(false), 4),
                policy("Unreported", None, 1),
            ],
            HashMap::new(),
        );
        assert_eq!(s.layer, OwaLayer::On);
        assert!(
            s.reason
                .contains("'OwaMailboxPolicy-Default' (30 mailboxes)")
        );
        assert!(s.reason.contains("'Unreported'"));
        assert!(!s.reason.contains("Contractors"));
        assert!(s.reason.contains("reserved for internal use"));
        let off = assess(vec![policy("a", Some(false), 1)], HashMap::new());
        assert_eq!(off.layer, OwaLayer::Off);
        assert_eq!(assess(Vec::new(), HashMap::new()).layer, OwaLayer::Unknown);
    }

    #[test]
    fn the_finding_sums_the_mailboxes_left_on_and_never_speaks_under_an_enforced_block() {
        let s = assess(
            vec![
                policy("OwaMailboxPolicy-Default", Some(true), 30),
                policy("Contractors", Some(false), 4),
                policy("Unreported", None, 1),
            ],
            HashMap::new(),
        );
        let f = finding(&s, Verdict::PromptHidden).unwrap_or_default();
        assert!(
            f.contains("True on 2 of 3 OWA mailbox policies (31 mailboxes)"),
            "{f}"
        );
        assert!(f.contains("not part of the verdict"), "{f}");
        assert!(f.contains("-IncludeOwaAccountTransfer"), "{f}");
        assert_eq!(finding(&s, Verdict::Blocked), None);
        let off = assess(vec![policy("a", Some(false), 1)], HashMap::new());
        assert_eq!(finding(&off, Verdict::Exposed), None);
        assert_eq!(finding(&not_read(), Verdict::Exposed), None);
    }

    #[test]
    fn an_unreadable_layer_is_unknown_with_the_roles_to_check() {
        let refused = OpError::new(
            FailureKind::PermissionDenied,
            "The term 'Get-CASMailbox' is not recognized",
        )
        .with_code("CommandNotFoundException");
        let s = unreadable(&refused);
        assert_eq!(s.layer, OwaLayer::Unknown);
        assert_eq!(s.code, "CommandNotFoundException");
        assert!(
            s.reason.contains("Get-CASMailbox' is not recognized"),
            "{}",
            s.reason
        );
        assert!(
            s.reason.contains("Get-ManagementRole -Cmdlet"),
            "{}",
            s.reason
        );
        let other = unreadable(&OpError::new(FailureKind::Connection, "reset"));
        assert!(!other.reason.contains("Get-ManagementRole"));
        assert!(
            finding(&s, Verdict::Exposed).is_some_and(|f| f.contains("OwaAccountTransferReason"))
        );
    }

    #[test]
    fn plan_writes_only_what_differs() {
        let p = [
            policy("a", Some(true), 0),
            policy("b", Some(false), 0),
            policy("c", None, 0),
        ];
        assert_eq!(plan(&p, false), ["a", "c"]);
        assert_eq!(plan(&p, true), ["b", "c"]);
    }
}
