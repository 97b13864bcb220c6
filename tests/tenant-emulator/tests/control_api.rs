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
