//! Exchange Online `Get-OwaMailboxPolicy`, `Set-OwaMailboxPolicy -AccountTransferEnabled` and
//! `Get-CASMailbox` (the policy each mailbox is assigned).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::EmulatorOptions;

/// (exception type, Exchange sentence) from `innererror.internalexception`, which every failure
/// shape carries (a failed cmdlet, and parameters that could not be bound).
fn detail(body: &Value) -> (String, String) {
    let error = &body["error"];
    assert!(
        matches!(
            error["message"].as_str(),
            Some("Error executing cmdlet" | "Invalid Operation")
        ),
        "{body}"
    );
    let internal = &error["innererror"]["internalexception"];
    (
        internal["type"].as_str().unwrap().to_owned(),
        internal["message"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn policies_are_listed_with_the_switch_and_one_default() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h.invoke(&token, "Get-OwaMailboxPolicy", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let all = body["value"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().filter(|p| p["IsDefault"] == true).count(), 1);
    let default = all.iter().find(|p| p["IsDefault"] == true).unwrap();
    assert_eq!(default["Name"], "OwaMailboxPolicy-Default");
    assert!(all.iter().all(|p| p["AccountTransferEnabled"].is_boolean()));
    let (_, one) = h
        .invoke(
            &token,
            "Get-OwaMailboxPolicy",
            json!({"Identity": "executives"}),
        )
        .await;
    assert_eq!(one["value"][0]["Name"], "Executives");
    let (status, body) = h
        .invoke(&token, "Get-OwaMailboxPolicy", json!({"Identity": "Nope"}))
        .await;
    assert_eq!(status, 404);
    assert!(
        detail(&body)
            .0
            .ends_with("ManagementObjectNotFoundException")
    );
}

#[tokio::test]
async fn set_account_transfer_is_journaled_visible_and_idempotent() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let set = json!({"Identity": "OwaMailboxPolicy-Default", "AccountTransferEnabled": false});
    let (status, body) = h.invoke(&token, "Set-OwaMailboxPolicy", set.clone()).await;
    assert_eq!(status, 200, "{body}");
    let (_, got) = h
        .invoke(
            &token,
            "Get-OwaMailboxPolicy",
            json!({"Identity": "OwaMailboxPolicy-Default"}),
        )
        .await;
    assert_eq!(got["value"][0]["AccountTransferEnabled"], false);
    let (status, again) = h.invoke(&token, "Set-OwaMailboxPolicy", set).await;
    assert_eq!(status, 200);
    assert!(
        again["@adminapi.warnings"][0]
            .as_str()
            .unwrap()
            .contains("no settings of"),
        "{again}"
    );
    let changes = h.emulator.journal().owa_mailbox_policy_changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].policy, "OwaMailboxPolicy-Default");
    assert_eq!(
        (&changes[0].old, &changes[0].new),
        (&json!(true), &json!(false))
    );
}

#[tokio::test]
async fn set_refuses_what_the_cmdlet_refuses() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h
        .invoke(
            &token,
            "Set-OwaMailboxPolicy",
            json!({"AccountTransferEnabled": false}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        detail(&body)
            .1
            .contains("missing mandatory parameters: Identity")
    );
    let (status, body) = h
        .invoke(
            &token,
            "Set-OwaMailboxPolicy",
            json!({"Identity": "Executives", "AccountTransferEnable": false}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(detail(&body).1.ends_with("AccountTransferEnable"));
    let (status, body) = h
        .invoke(
            &token,
            "Set-OwaMailboxPolicy",
            json!({"Identity": "Executives", "AccountTransferEnabled": "no"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(detail(&body).1.contains("System.Boolean"));
    let (status, _) = h
        .invoke(
            &token,
            "Set-OwaMailboxPolicy",
            json!({"Identity": "Nope", "AccountTransferEnabled": false}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(h.emulator.journal().owa_mailbox_policy_changes.is_empty());
}

#[tokio::test]
async fn cas_mailboxes_name_their_policy_and_page() {
    let h = start(EmulatorOptions {
        users: 40,
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let body = json!({"CmdletInput": {"CmdletName": "Get-CASMailbox", "Parameters": {"ResultSize": "Unlimited"}}});
    let (all, pages, _) = h
        .invoke_all(&token, &body, Some("odata.maxpagesize=7"))
        .await;
    assert_eq!(all.len(), 40);
    assert_eq!(pages, 6);
    let count = |name: Option<&str>| {
        all.iter()
            .filter(|m| m["OwaMailboxPolicy"].as_str() == name)
            .count()
    };
    assert_eq!(count(Some("Executives")), 2);
    assert_eq!(count(Some("Contractors")), 4);
    assert_eq!(count(Some("OwaMailboxPolicy-Default")), 2);
    assert_eq!(count(None), 32);
    let upn = all[3]["PrimarySmtpAddress"].as_str().unwrap().to_owned();
    let (status, one) = h
        .invoke(&token, "Get-CASMailbox", json!({"Identity": upn}))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["value"][0]["OwaMailboxPolicy"], "Executives");
}
