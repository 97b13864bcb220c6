//! The third layer of the QR sign-in: `AccountTransferEnabled` on every Outlook on the web
//! mailbox policy (semi-documented: Set-OwaMailboxPolicy.md marks it "reserved for internal
//! Microsoft use"; Microsoft365DSC calls it the QR code sign-in switch, on by default). Read it
//! with the mailbox count per policy; set it on every policy, idempotently, from a plan.

use std::collections::HashMap;

use crate::exo::OwaMailboxPolicy;

use super::error::OpError;
use super::session::Session;

/// How the policies leave the QR sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwaLayer {
    /// Every policy has AccountTransferEnabled False.
    Off,
    /// At least one policy has it True (or unreported, taken as the documented default True).
    On,
    /// No policy was listed.
    Unknown,
}

impl OwaLayer {
    pub fn as_str(self) -> &'static str {
        match self {
            OwaLayer::Off => "Off",
            OwaLayer::On => "On",
            OwaLayer::Unknown => "Unknown",
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
    }
}

pub async fn check(session: &Session) -> Result<OwaState, OpError> {
    let (policies, unmatched) = session.exchange.owa_mailbox_policies_with_counts().await?;
    Ok(assess(policies, unmatched))
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
        if change && !dry_run {
            session
                .exchange
                .set_owa_account_transfer(&p.name, enabled)
                .await?;
        }
        out.push(OwaChange {
            policy: p.name.clone(),
            previous: p.account_transfer_enabled,
            changed: change,
        });
    }
    Ok(out)
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
