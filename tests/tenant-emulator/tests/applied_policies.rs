//! `appliedConditionalAccessPolicies` on the sign-in log: evaluated against the policies as they
//! stood at each event's time, report-only results only with `Prefer:
//! include-unknown-enum-members` (otherwise `unknownFutureValue`), and not filterable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::EmulatorOptions;

const BETA: &str = "/beta/auditLogs/signIns";
const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";
const ALL_TRANSFER: &str = "(signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')) and originalTransferMethod eq 'authenticationTransfer'";
const ALL_NONE: &str = "(signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')) and originalTransferMethod eq 'none'";

async fn unthrottled() -> Harness {
    start(EmulatorOptions {
        signin_rate_per_second: 0.0,
        ..Default::default()
    })
    .await
}

/// Every event of a filtered listing, with or without the Prefer header; also whether every
/// page said `Preference-Applied`.
async fn events(h: &Harness, token: &str, filter: &str, prefer: bool) -> (Vec<Value>, bool) {
    let mut url = format!("{}{}", h.base, with_query(BETA, &[("$filter", filter)]));
    let mut all = Vec::new();
    let mut applied = true;
    loop {
        let mut req = h.client.get(&url).bearer_auth(token);
        if prefer {
            req = req.header("Prefer", "include-unknown-enum-members");
        }
        let resp = req.send().await.unwrap();
        applied &= resp
            .headers()
            .get("preference-applied")
            .is_some_and(|v| v == "include-unknown-enum-members");
        let (status, page) = status_json(resp).await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return (all, applied),
        }
    }
}

fn result_for<'a>(event: &'a Value, policy_id: &str) -> Option<&'a str> {
    event["appliedConditionalAccessPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == policy_id)
        .map(|p| p["result"].as_str().unwrap())
}

fn block_transfer(users: Value) -> Value {
    json!({
        "displayName": "Block authentication transfer (test)",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "users": users,
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "authenticationFlows": {"transferMethods": "authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

#[tokio::test]
async fn report_only_results_follow_the_policy_history_and_the_prefer_header() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let (status, created) = h
        .graph_post(
            &token,
            POLICIES,
            Some(&block_transfer(json!({"includeUsers": ["All"]}))),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    // Created now: no past sign-in was evaluated against it.
    let (transfer, _) = events(&h, &token, ALL_TRANSFER, true).await;
    assert!(transfer.len() > 20, "{}", transfer.len());
    assert!(transfer.iter().all(|e| result_for(e, &id).is_none()));
    // The seeded enabled policies are there (device code flow block: not applied to QR).
    let device_code_block = h
        .emulator
        .conditional_access_policies()
        .into_iter()
        .find(|p| p["displayName"] == "Block device code flow")
        .unwrap();
    assert!(
        transfer.iter().all(|e| result_for(e, device_code_block["id"].as_str().unwrap())
            == Some("notApplied"))
    );

    // In place for 40 days: every transfer event would have been blocked.
    let (status, _) = control_call(
        &h,
        reqwest::Method::POST,
        &format!("conditional-access/policies/{id}/backdate"),
        Some(json!({"days": 40})),
    )
    .await;
    assert_eq!(status, 204);
    let (transfer, applied) = events(&h, &token, ALL_TRANSFER, true).await;
    assert!(applied, "Preference-Applied missing");
    assert!(
        transfer
            .iter()
            .all(|e| result_for(e, &id) == Some("reportOnlyFailure")),
        "{}",
        transfer[0]
    );
    let (other, _) = events(&h, &token, ALL_NONE, true).await;
    assert!(
        other
            .iter()
            .all(|e| result_for(e, &id) == Some("reportOnlyNotApplied"))
    );

    // Without the header the evolvable members read unknownFutureValue, nothing else changes.
    let (plain, applied) = events(&h, &token, ALL_TRANSFER, false).await;
    assert!(!applied, "Preference-Applied without Prefer");
    assert_eq!(plain.len(), transfer.len());
    assert!(
        plain
            .iter()
            .all(|e| result_for(e, &id) == Some("unknownFutureValue"))
    );
    assert!(
        plain.iter().all(|e| result_for(e, device_code_block["id"].as_str().unwrap())
            == Some("notApplied"))
    );

    // Excluding a user now does not rewrite history: past events still say reportOnlyFailure.
    let victim = transfer[0]["userId"].as_str().unwrap().to_owned();
    let (status, _, body) = graph_send(
        &h,
        reqwest::Method::PATCH,
        &token,
        &format!("{POLICIES}/{id}"),
        Some(
            &json!({"conditions": {"users": {"includeUsers": ["All"], "excludeUsers": [victim]}}}),
        ),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (after, _) = events(&h, &token, ALL_TRANSFER, true).await;
    assert!(
        after
            .iter()
            .filter(|e| e["userId"] == victim.as_str())
            .all(|e| result_for(e, &id) == Some("reportOnlyFailure"))
    );
    // ... but a policy excluding the user from the start leaves them out.
    let (status, second) = h
        .graph_post(
            &token,
            POLICIES,
            Some(&block_transfer(
                json!({"includeUsers": ["All"], "excludeUsers": [victim]}),
            )),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second_id = second["id"].as_str().unwrap();
    h.emulator.backdate_conditional_access_policy(second_id, 40);
    let (again, _) = events(&h, &token, ALL_TRANSFER, true).await;
    for e in &again {
        let expected = if e["userId"] == victim.as_str() {
            "reportOnlyNotApplied"
        } else {
            "reportOnlyFailure"
        };
        assert_eq!(result_for(e, second_id), Some(expected));
    }
}

#[tokio::test]
async fn applied_policies_cannot_be_filtered_on() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    // UNCONFIRMED that the service refuses it (the signIn resource documents no $filter support
    // for appliedConditionalAccessPolicies); the emulator refuses it, so the module cannot rely
    // on it.
    let (status, body) = h
        .graph_get(
            &token,
            &with_query(
                BETA,
                &[(
                    "$filter",
                    "appliedConditionalAccessPolicies/any(p: p/result eq 'reportOnlyFailure')",
                )],
            ),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(graph_code(&body), "BadRequest");
}

#[tokio::test]
async fn group_members_page_through_to_the_seeded_members() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let group = h
        .emulator
        .seeded_groups_json()
        .into_iter()
        .max_by_key(|g| g["members"].as_array().unwrap().len())
        .unwrap();
    let want: Vec<String> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    assert!(want.len() > 2);
    let mut url = format!(
        "/v1.0/groups/{}/members?$select=id&$top=2",
        group["id"].as_str().unwrap()
    );
    let mut got = Vec::new();
    loop {
        let (status, page) = h.graph_get(&token, &url).await;
        assert_eq!(status, 200, "{page}");
        for m in page["value"].as_array().unwrap() {
            assert_eq!(m["@odata.type"], "#microsoft.graph.user");
            got.push(m["id"].as_str().unwrap().to_owned());
        }
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&h.base).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(got, want);
    let (status, _) = h
        .graph_get(
            &token,
            "/v1.0/groups/00000000-0000-0000-0000-000000000000/members",
        )
        .await;
    assert_eq!(status, 404);
}
