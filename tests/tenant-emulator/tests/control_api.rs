//! `/_emulator/*`: the control API PowerShell tests use.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::{Credentials, Journal};

async fn control(
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = h
        .client
        .request(method, format!("{}/_emulator/{path}", h.base))
        .header("X-Emulator-Control-Key", &h.creds.control_key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    status_json(req.send().await.unwrap()).await
}

#[tokio::test]
async fn every_call_needs_the_control_key() {
    let h = start_default().await;
    let resp = h
        .client
        .get(format!("{}/_emulator/credentials", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h
        .client
        .post(format!("{}/_emulator/expire-tokens", h.base))
        .header("X-Emulator-Control-Key", "guess")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn credentials_and_journal_round_trip_as_json() {
    let h = start_default().await;
    let (status, body) = control(&h, reqwest::Method::GET, "credentials", None).await;
    assert_eq!(status, 200);
    assert!(
        body["secretApp"]["clientSecret"].is_string(),
        "camelCase JSON: {body}"
    );
    let creds: Credentials = serde_json::from_value(body).unwrap();
    assert_eq!(creds, h.creds);
    h.app_token(GRAPH_SCOPE).await;
    let (status, body) = control(&h, reqwest::Method::GET, "journal", None).await;
    assert_eq!(status, 200);
    let journal: Journal = serde_json::from_value(body).unwrap();
    assert_eq!(journal.tokens_issued, 1);
    assert_eq!(journal.requests.len(), 1);
    assert_eq!(
        journal.requests[0].path,
        format!("/{}/oauth2/v2.0/token", h.creds.tenant_domain)
    );
    assert_eq!(
        control(&h, reqwest::Method::POST, "reset-journal", None)
            .await
            .0,
        204
    );
    assert!(h.emulator.journal().requests.is_empty());
}

#[tokio::test]
async fn faults_and_token_expiry_over_http() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let plan = json!({"seed": 3, "rules": [{"endpoint": "GraphUsers", "fault": {"Throttle": {"retryAfter": "0.5"}}, "everyNth": 1}]});
    assert_eq!(
        control(&h, reqwest::Method::POST, "faults", Some(plan))
            .await
            .0,
        204
    );
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 429);
    assert_eq!(
        control(
            &h,
            reqwest::Method::POST,
            "faults",
            Some(json!({"rules": []}))
        )
        .await
        .0,
        204
    );
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);
    let (status, body) = control(
        &h,
        reqwest::Method::POST,
        "faults",
        Some(json!({"rules": [{"endpoint": "Nowhere"}]})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        control(&h, reqwest::Method::POST, "expire-tokens", None)
            .await
            .0,
        204
    );
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 401);
}

#[tokio::test]
async fn device_codes_are_approved_and_denied_over_http() {
    let h = start_default().await;
    let url = format!("{}/organizations/oauth2/v2.0/devicecode", h.base);
    let (_, code) = h
        .post_form(
            &url,
            &[
                ("client_id", &h.creds.public_client_id),
                ("scope", GRAPH_SCOPE),
            ],
        )
        .await;
    let user_code = code["user_code"].as_str().unwrap();
    let approve = format!("device-codes/{user_code}/approve");
    let (status, _) = control(
        &h,
        reqwest::Method::POST,
        &approve,
        Some(json!({"userPrincipalName": h.creds.admin_upn})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", &h.creds.public_client_id),
                ("device_code", code["device_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = control(
        &h,
        reqwest::Method::POST,
        "device-codes/ZZZZZZZZZ/deny",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = control(&h, reqwest::Method::POST, &approve, Some(json!({}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn seeded_devices_ground_truth_over_http() {
    let h = start_default().await;
    let (status, body) = control(
        &h,
        reqwest::Method::GET,
        "seeded-devices?model=Outlook%20for%20iOS%20and%20Android",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body.as_array().unwrap(),
        &h.emulator
            .seeded_devices_json(Some("Outlook for iOS and Android"))
    );
}

#[tokio::test]
async fn settings_read_and_change_any_subset() {
    let h = start_default().await;
    let (status, body) = control(&h, reqwest::Method::GET, "settings", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"premium": true, "refuseTransferMethodFilter": false, "signInRatePerSecond": 5.0, "caPageSize": 20})
    );
    let (status, _) = control(
        &h,
        reqwest::Method::POST,
        "settings",
        Some(json!({"premium": false, "caPageSize": 2})),
    )
    .await;
    assert_eq!(status, 204);
    let s = h.emulator.settings();
    assert!(!s.premium && s.ca_page_size == 2 && s.sign_in_rate_per_second == 5.0);
    for bad in [
        json!({"premiun": true}),
        json!({"caPageSize": 0}),
        json!({"caPageSize": 1000}),
        json!({"signInRatePerSecond": -1}),
        json!({"premium": "yes"}),
    ] {
        let (status, body) =
            control(&h, reqwest::Method::POST, "settings", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    assert_eq!(h.emulator.settings(), s, "refused updates change nothing");
}

#[tokio::test]
async fn conditional_access_policies_can_be_planted_listed_and_reset() {
    let h = start_default().await;
    let (status, seeded) = control(
        &h,
        reqwest::Method::GET,
        "conditional-access/policies",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(seeded.as_array().unwrap().len(), 5);
    assert_eq!(
        seeded,
        Value::Array(h.emulator.conditional_access_policies())
    );
    // Inserted verbatim: even what Graph validation would refuse (an unknown group id).
    let planted = json!({
        "displayName": "Someone else's transfer block",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeGroups": [uuid::Uuid::new_v4().to_string()]},
            "applications": {"includeApplications": ["All"]},
            "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    let (status, stored) = control(
        &h,
        reqwest::Method::POST,
        "conditional-access/policies",
        Some(planted.clone()),
    )
    .await;
    assert_eq!(status, 201, "{stored}");
    let id = stored["id"].as_str().unwrap().to_owned();
    assert_eq!(stored["conditions"], planted["conditions"]);
    let token = h.app_token(GRAPH_SCOPE).await;
    let (status, got) = h
        .graph_get(
            &token,
            &format!("/v1.0/identity/conditionalAccess/policies/{id}"),
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["displayName"], "Someone else's transfer block");
    assert!(
        h.emulator.journal().conditional_access_writes.is_empty(),
        "control inserts are not Graph writes"
    );
    let (status, _) = control(
        &h,
        reqwest::Method::POST,
        "conditional-access/policies",
        Some(json!([1])),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        control(&h, reqwest::Method::POST, "conditional-access/reset", None)
            .await
            .0,
        204
    );
    let (_, after) = control(
        &h,
        reqwest::Method::GET,
        "conditional-access/policies",
        None,
    )
    .await;
    assert_eq!(after, seeded);
}

#[tokio::test]
async fn seeded_sign_ins_and_groups_are_exposed_for_ground_truth() {
    let h = start_default().await;
    let (status, signins) = control(&h, reqwest::Method::GET, "signins", None).await;
    assert_eq!(status, 200);
    let signins = signins.as_array().unwrap().clone();
    assert!(!signins.is_empty());
    assert_eq!(signins, h.emulator.seeded_signins_json());
    assert!(signins.iter().any(|e| e["isInteractive"] == false));
    let (status, groups) = control(&h, reqwest::Method::GET, "groups", None).await;
    assert_eq!(status, 200);
    let groups = groups.as_array().unwrap();
    assert!(
        groups.iter().all(|g| g["id"].is_string()
            && g["displayName"].is_string()
            && g["members"].is_array())
    );
    assert_eq!(
        groups
            .iter()
            .filter(|g| g["displayName"] == "Duplicate Name")
            .count(),
        2
    );
    let (_, creds) = control(&h, reqwest::Method::GET, "credentials", None).await;
    assert!(creds["exchangeOnlyApp"]["clientId"].is_string());
    assert!(creds["policyReaderApp"]["clientSecret"].is_string());
}
