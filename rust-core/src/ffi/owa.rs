//! Conversions for the OWA mailbox policy layer between the ops types and the FFI shapes.

use super::owa_types::{OwaLayerState, OwaPolicyChange, OwaPolicyState, OwaTransferPlan};
use crate::ops::owa_account_transfer::{DOCUMENTATION, OwaChange, OwaState};

pub fn layer(s: OwaState) -> OwaLayerState {
    OwaLayerState {
        state: s.layer.as_str().to_owned(),
        reason: s.reason,
        code: s.code,
        documentation: DOCUMENTATION.to_owned(),
        policies: s
            .policies
            .into_iter()
            .map(|p| OwaPolicyState {
                name: p.name,
                is_default: p.is_default,
                account_transfer_enabled: p.account_transfer_enabled,
                mailboxes: p.mailboxes,
            })
            .collect(),
    }
}

/// `current` is what the policy holds afterwards (or would, for a plan row).
pub fn change(c: OwaChange, target: bool) -> OwaPolicyChange {
    let current = if c.changed {
        target
    } else {
        c.previous.unwrap_or(target)
    };
    OwaPolicyChange {
        policy: c.policy,
        previous: c.previous,
        current,
        changed: c.changed,
        warnings: c.warnings,
    }
}

pub fn plan(changes: Vec<OwaChange>, target: bool) -> OwaTransferPlan {
    OwaTransferPlan {
        target,
        documentation: DOCUMENTATION.to_owned(),
        policies: changes.into_iter().map(|c| change(c, target)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_left_alone_keeps_its_value_and_a_written_one_takes_the_target() {
        let kept = change(
            OwaChange {
                policy: "Contractors".into(),
                previous: Some(false),
                changed: false,
                warnings: Vec::new(),
            },
            false,
        );
        assert!(!kept.current && !kept.changed);
        let written = change(
            OwaChange {
                policy: "Executives".into(),
                previous: Some(true),
                changed: true,
                warnings: Vec::new(),
            },
            false,
        );
        assert_eq!((written.previous, written.current), (Some(true), false));
        // Unreported is always written (plan() never takes None for the target).
        let unreported = change(
            OwaChange {
                policy: "x".into(),
                previous: None,
                changed: true,
                warnings: Vec::new(),
            },
            true,
        );
        assert!(unreported.current);
    }
}
