//! Device code flow and refresh tokens (delegated tokens with `scp`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use tenant_emulator::EmulatorOptions;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn fast() -> Harness {
    start(EmulatorOptions {
        // Long enough that an immediate second poll is always "too fast", even on a loaded machine.
        device_code_interval: Duration::from_secs(2),
        ..Default::default()
    })
    .await
}

async fn request_code(h: &Harness, scope: &str, query: &str) -> (u16, Value) {
    let url = format!("{}/organizations/oauth2/v2.0/devicecode{query}", h.base);
    h.post_form(
        &url,
        &[("client_id", &h.creds.public_client_id), ("scope", scope)],
    )
    .await
}

async fn poll(h: &Harness, device_code: &str) -> (u16, Value) {
    h.post_form(
        &h.token_url(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", &h.creds.public_client_id),
            ("device_code", device_code),
        ],
    )
    .await
}

async fn refresh(h: &Harness, rt: &str, scope: &str) -> (u16, Value) {
    h.post_form(
        &h.token_url(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &h.creds.public_client_id),
            ("refresh_token", rt),
            ("scope", scope),
        ],
    )
    .await
}

/// Runs the flow to completion for `upn` and returns the token response.
async fn sign_in(h: &Harness, scope: &str, upn: &str) -> Value {
    let (_, code) = request_code(h, scope, "").await;
    assert!(
        h.emulator
            .approve_device_code(code["user_code"].as_str().unwrap(), upn)
    );
    let (status, body) = poll(h, code["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// MSAL.NET polls with the short `grant_type=device_code`, which Entra ID accepts
/// (../shared/docs/entra-auth-and-graph.md §device code, ADDED 2026-12-06).
#[tokio::test]
async fn short_device_code_grant_type_polls_like_the_urn() {
    let h = fast().await;
    let (_, code) = request_code(&h, "https://outlook.office365.com/.default", "").await;
    let device_code = code["device_code"].as_str().unwrap();
    let form = [
        ("grant_type", "device_code"),
        ("client_id", h.creds.public_client_id.as_str()),
        ("device_code", device_code),
    ];
    let url = h.token_url();
    let (status, body) = h.post_form(&url, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending")),
        "{body}"
    );
    assert!(
        h.emulator
            .approve_device_code(code["user_code"].as_str().unwrap(), &h.creds.admin_upn)
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, body) = h.post_form(&url, &form).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
    // Only the exact short name is an alias; anything else is still AADSTS70003.
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("grant_type", "devicecode"),
                ("client_id", &h.creds.public_client_id),
                ("device_code", device_code),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![70003]), "{body}");
}

#[tokio::test]
async fn devicecode_response_has_the_documented_shape() {
    let h = start_default().await;
    let (status, body) = request_code(
        &h,
        "https://outlook.office365.com/.default offline_access",
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert!(user_code.chars().all(|c| c.is_ascii_uppercase()));
    assert!(body["device_code"].as_str().unwrap().len() > 40);
    assert_eq!(
        body["verification_uri"],
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["interval"], 5);
    assert!(body.get("verification_uri_complete").is_none());
    assert_eq!(
        body["message"],
        format!(
            "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {user_code} to authenticate."
        )
    );
    let (_, ja) = request_code(&h, "https://graph.microsoft.com/.default", "?mkt=ja-JP").await;
    assert!(
        ja["message"]
            .as_str()
            .unwrap()
            .starts_with("サインインするには"),
        "{ja}"
    );
}

#[tokio::test]
async fn pending_then_slow_down_then_approved_exchange_token_with_refresh_and_id_token() {
    let h = fast().await;
    let (_, code) = request_code(
        &h,
        "https://outlook.office365.com/.default offline_access openid profile",
        "",
    )
    .await;
    let device_code = code["device_code"].as_str().unwrap();
    let (status, body) = poll(&h, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    assert_eq!(entra_codes(&body), vec![70016]);
    // Polling again at once is faster than the interval.
    let (status, body) = poll(&h, device_code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("slow_down")));

    assert!(
        h.emulator
            .approve_device_code(code["user_code"].as_str().unwrap(), &h.creds.admin_upn)
    );
    let (status, body) = poll(&h, device_code).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["refresh_token"].is_string());
    assert!(body["id_token"].is_string());
    assert_eq!(
        body["scope"],
        "https://outlook.office365.com/Exchange.Manage profile openid"
    );
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["aud"], "https://outlook.office365.com");
    assert_eq!(c["scp"], "Exchange.Manage");
    assert_eq!(c["upn"], h.creds.admin_upn.as_str());
    assert_eq!(c["appidacr"], "0");
    assert!(c.get("roles").is_none());
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], h.creds.public_client_id.as_str());
    assert_eq!(id["preferred_username"], h.creds.admin_upn.as_str());

    // A device code is redeemed once.
    let (status, body) = poll(&h, device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let h = fast().await;
    let body = sign_in(
        &h,
        "https://graph.microsoft.com/.default",
        &h.creds.admin_upn,
    )
    .await;
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    let scp = claims(body["access_token"].as_str().unwrap())["scp"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        scp.split(' ').any(|s| s == "User.RevokeSessions.All"),
        "{scp}"
    );
}

#[tokio::test]
async fn denied_expired_and_unknown_codes_are_terminal() {
    let h = fast().await;
    let (_, code) = request_code(&h, "https://graph.microsoft.com/.default", "").await;
    assert!(
        h.emulator
            .deny_device_code(code["user_code"].as_str().unwrap())
    );
    let (status, body) = poll(&h, code["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_declined"))
    );

    let (_, code) = request_code(&h, "https://graph.microsoft.com/.default", "").await;
    assert!(
        h.emulator
            .expire_device_code(code["user_code"].as_str().unwrap())
    );
    let (status, body) = poll(&h, code["device_code"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("expired_token"))
    );
    assert!(
        !h.emulator
            .approve_device_code(code["user_code"].as_str().unwrap(), &h.creds.admin_upn)
    );

    let (status, body) = poll(&h, "DAQABAAEAAAAnot-a-code").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_verification_code"))
    );
    assert!(
        !h.emulator
            .approve_device_code("NOSUCHCOD", &h.creds.admin_upn)
    );
    let (_, code) = request_code(&h, "https://graph.microsoft.com/.default", "").await;
    assert!(!h.emulator.approve_device_code(
        code["user_code"].as_str().unwrap(),
        "nobody@contoso.onmicrosoft.com"
    ));
}

#[tokio::test]
async fn devicecode_request_errors() {
    let h = start_default().await;
    let url = format!("{}/organizations/oauth2/v2.0/devicecode", h.base);
    let (status, body) = h
        .post_form(
            &url,
            &[
                ("client_id", &h.creds.secret_app.client_id),
                ("scope", GRAPH_SCOPE),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![7000218]));
    let (status, body) = h
        .post_form(&url, &[("client_id", &h.creds.public_client_id)])
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![900144]));
    let (status, body) = h
        .post_form(
            &url,
            &[
                ("client_id", &h.creds.public_client_id),
                ("scope", "User.Read https://outlook.office365.com/.default"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![28000]));
    let (status, body) = h
        .post_form(
            &url,
            &[
                ("client_id", &h.creds.public_client_id),
                ("scope", "https://graph.microsoft.com/Mail.Send"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![65001]));
    let bad_tenant = format!("{}/nowhere.example/oauth2/v2.0/devicecode", h.base);
    let (status, body) = h
        .post_form(
            &bad_tenant,
            &[
                ("client_id", &h.creds.public_client_id),
                ("scope", GRAPH_SCOPE),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![90002]));
}

#[tokio::test]
async fn refresh_tokens_rotate_span_resources_and_old_ones_fail() {
    let h = fast().await;
    let first = sign_in(
        &h,
        "https://outlook.office365.com/.default offline_access",
        &h.creds.admin_upn,
    )
    .await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    // The same refresh token mints a Graph token: it is bound to user + client, not resource.
    let (status, second) = refresh(&h, rt1, "https://graph.microsoft.com/.default").await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        claims(second["access_token"].as_str().unwrap())["aud"],
        "https://graph.microsoft.com"
    );
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let (status, body) = refresh(&h, rt1, EXO_SCOPE).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(entra_codes(&body), vec![70008]);
    let (status, _) = refresh(&h, rt2, EXO_SCOPE).await;
    assert_eq!(status, 200);
    let (status, body) = refresh(&h, "garbage", EXO_SCOPE).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn revoking_sessions_invalidates_refresh_tokens_50173() {
    let h = fast().await;
    let body = sign_in(
        &h,
        "https://outlook.office365.com/.default offline_access",
        &h.creds.admin_upn,
    )
    .await;
    let rt = body["refresh_token"].as_str().unwrap();
    let graph = h.app_token(GRAPH_SCOPE).await;
    let (status, _) = h
        .graph_post(
            &graph,
            &format!("/v1.0/users/{}/revokeSignInSessions", h.creds.admin_upn),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = refresh(&h, rt, EXO_SCOPE).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(entra_codes(&body), vec![50173]);
    // A fresh sign-in after the revocation works again.
    let again = sign_in(
        &h,
        "https://outlook.office365.com/.default offline_access",
        &h.creds.admin_upn,
    )
    .await;
    let (status, _) = refresh(&h, again["refresh_token"].as_str().unwrap(), EXO_SCOPE).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn delegated_non_admin_gets_a_token_but_exchange_refuses_it() {
    let h = fast().await;
    let graph = h.app_token(GRAPH_SCOPE).await;
    let (_, users) = h.graph_get(&graph, "/v1.0/users?$top=3").await;
    let ordinary = users["value"][1]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = sign_in(&h, EXO_SCOPE, &ordinary).await;
    let token = body["access_token"].as_str().unwrap();
    let (status, body) = h
        .invoke(token, "Get-OrganizationConfig", serde_json::json!({}))
        .await;
    assert_eq!(status, 403, "{body}");
    // The admin's delegated token works.
    let admin = sign_in(&h, EXO_SCOPE, &h.creds.admin_upn).await;
    let (status, _) = h
        .invoke(
            admin["access_token"].as_str().unwrap(),
            "Get-OrganizationConfig",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn delegated_graph_tokens_use_me_and_need_an_admin_role_to_revoke_others() {
    let h = fast().await;
    let graph_app = h.app_token(GRAPH_SCOPE).await;
    let (_, users) = h.graph_get(&graph_app, "/v1.0/users?$top=3").await;
    let ordinary = users["value"][1]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = users["value"][2]["id"].as_str().unwrap().to_owned();

    let admin = sign_in(&h, "User.Read User.RevokeSessions.All", &h.creds.admin_upn).await;
    let admin_token = admin["access_token"].as_str().unwrap();
    let (status, me) = h.graph_get(admin_token, "/v1.0/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["userPrincipalName"], h.creds.admin_upn.as_str());
    let (status, _) = h
        .graph_post(
            admin_token,
            &format!("/v1.0/users/{other}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let user = sign_in(&h, "User.Read User.RevokeSessions.All", &ordinary).await;
    let user_token = user["access_token"].as_str().unwrap();
    let (status, body) = h
        .graph_post(
            user_token,
            &format!("/v1.0/users/{other}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
    let (status, _) = h
        .graph_post(user_token, "/v1.0/me/revokeSignInSessions", None)
        .await;
    assert_eq!(status, 200, "a user may revoke their own sessions");
    // App-only tokens have no /me.
    assert_eq!(h.graph_get(&graph_app, "/v1.0/me").await.0, 400);
    assert_eq!(h.emulator.journal().revocations.len(), 2);
}
