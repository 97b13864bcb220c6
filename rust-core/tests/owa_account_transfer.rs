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

#[tokio::test]
async fn a_layer_the_app_cannot_read_is_unknown_and_the_prompt_still_answers() {
    let emu = emulator(EmulatorOptions {
        users: 10,
        ..Default::default()
    })
    .await;
    // Organization Configuration only: Get-CASMailbox is unknown to it (Exchange hides cmdlets
    // outside the caller's roles).
    let session = session_for(&emu, &emu.credentials().exchange_config_only_app)
        .await
        .unwrap();
    let owa = owa_account_transfer::check_or_unknown(&session).await;
    assert_eq!(owa.layer, OwaLayer::Unknown);
    assert_eq!(owa.code, "CommandNotFoundException");
    assert!(owa.reason.contains("Get-CASMailbox"), "{}", owa.reason);
    assert!(owa.policies.is_empty());
    let both = outlook_qr_guard::ops::prompt::check_both(&session)
        .await
        .unwrap();
    assert_eq!(both.prompt.prompt_enabled, Some(true));
}

#[tokio::test]
async fn one_policy_at_a_time_writes_only_what_differs() {
    let emu = emulator(EmulatorOptions {
        users: 10,
        ..Default::default()
    })
    .await;
    let session = full_session(&emu).await;
    let first = owa_account_transfer::set_one(&session, "executives", false)
        .await
        .unwrap();
    assert_eq!(
        (first.policy.as_str(), first.previous, first.changed),
        ("Executives", Some(true), true)
    );
    let again = owa_account_transfer::set_one(&session, "Executives", false)
        .await
        .unwrap();
    assert!(!again.changed);
    assert_eq!(emu.journal().owa_mailbox_policy_changes.len(), 1);
    let missing = owa_account_transfer::set_one(&session, "Nobody", false)
        .await
        .unwrap_err();
    assert_eq!(
        missing.kind,
        outlook_qr_guard::ops::FailureKind::NotFound,
        "{missing}"
    );
    assert_eq!(emu.journal().owa_mailbox_policy_changes.len(), 1);
}
