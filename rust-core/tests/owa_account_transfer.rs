//! The OWA mailbox policy layer (AccountTransferEnabled) at the ops level, against the emulator.

#![allow(clippy::unwrap_used)]

mod http_support;

use http_support::*;
use outlook_qr_guard::ops::owa_account_transfer::{self, OwaLayer};
use tenant_emulator::EmulatorOptions;

#[tokio::test]
async fn read_plan_set_and_a_second_run_changes_nothing() {
    let emu = emulator(EmulatorOptions {
        users: 40,
        ..Default::default()
    })
    .await;
    let session = full_session(&emu).await;
    let before = owa_account_transfer::check(&session).await.unwrap();
    assert_eq!(before.layer, OwaLayer::On);
    assert!(
        before
            .reason
            .contains("'OwaMailboxPolicy-Default' (34 mailboxes)"),
        "{}",
        before.reason
    );

    // The plan (-WhatIf): the two policies still on, nothing written.
    let plan = owa_account_transfer::set_all(&session, false, true)
        .await
        .unwrap();
    let would: Vec<_> = plan
        .iter()
        .filter(|c| c.changed)
        .map(|c| c.policy.as_str())
        .collect();
    assert_eq!(would, ["OwaMailboxPolicy-Default", "Executives"]);
    assert!(emu.journal().owa_mailbox_policy_changes.is_empty());

    let done = owa_account_transfer::set_all(&session, false, false)
        .await
        .unwrap();
    assert_eq!(done.iter().filter(|c| c.changed).count(), 2);
    assert_eq!(emu.journal().owa_mailbox_policy_changes.len(), 2);
    assert_eq!(
        owa_account_transfer::check(&session).await.unwrap().layer,
        OwaLayer::Off
    );

    // Idempotent: nothing differs, nothing is sent.
    let again = owa_account_transfer::set_all(&session, false, false)
        .await
        .unwrap();
    assert!(again.iter().all(|c| !c.changed));
    assert_eq!(emu.journal().owa_mailbox_policy_changes.len(), 2);
}
