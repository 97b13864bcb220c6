//! Client credentials at `/{tenant}/oauth2/v2.0/token`: success with form and Basic secrets,
//! the issued JWT, and each documented error.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::Duration;

use base64::Engine;
use common::*;
use tenant_emulator::EmulatorOptions;

#[tokio::test]
async fn secret_in_form_gets_app_only_exchange_token() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let resp = h
        .client
        .post(h.token_url())
        .header("client-request-id", "0f9e8d7c-6b5a-4321-8765-0123456789ab")
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("scope", EXO_SCOPE),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store, no-cache");
    assert_eq!(resp.headers()["pragma"], "no-cache");
    assert_eq!(resp.headers()["expires"], "-1");
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    assert!(
        body.get("refresh_token").is_none(),
        "client credentials never return a refresh token"
    );
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["aud"], "https://outlook.office365.com");
    assert_eq!(c["tid"], h.creds.tenant_id.as_str());
    assert_eq!(
        c["iss"],
        format!("https://sts.windows.net/{}/", h.creds.tenant_id)
    );
    assert_eq!(c["appid"], app.client_id.as_str());
    assert_eq!(c["appidacr"], "1");
    assert_eq!(c["roles"], serde_json::json!(["Exchange.ManageAsApp"]));
    assert!(c.get("scp").is_none());
    assert!(c["oid"].is_string());
    assert!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap() == 3599);
}

#[tokio::test]
async fn secret_in_http_basic_and_tenant_by_id_gets_graph_token() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        app.client_id,
        url_form(&app.client_secret)
    ));
    let url = format!("{}/{}/oauth2/v2.0/token", h.base, h.creds.tenant_id);
    let resp = h
        .client
        .post(url)
        .header("Authorization", format!("Basic {basic}"))
        .form(&[("scope", GRAPH_SCOPE), ("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200, "{body}");
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["aud"], "https://graph.microsoft.com");
    let roles: Vec<&str> = c["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"User.RevokeSessions.All") && roles.contains(&"User.Read.All"),
        "{roles:?}"
    );
}

fn url_form(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

#[tokio::test]
async fn token_lifetime_is_configurable() {
    let h = start(EmulatorOptions {
        token_lifetime: Duration::from_secs(120),
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let c = claims(&token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 120);
    assert_eq!(h.emulator.journal().tokens_issued, 1);
}

#[tokio::test]
async fn wrong_secret_is_401_invalid_client_7000215() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &app.client_id),
                ("client_secret", "not-the-secret"),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(entra_codes(&body), vec![7000215]);
    let d = body["error_description"].as_str().unwrap();
    assert!(
        d.starts_with("AADSTS7000215: Invalid client secret provided."),
        "{d}"
    );
    assert!(
        !d.contains(&app.client_secret),
        "the real secret must not leak"
    );
}

#[tokio::test]
async fn unknown_tenant_is_90002() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let url = format!("{}/fabrikam.onmicrosoft.com/oauth2/v2.0/token", h.base);
    let (status, body) = h
        .post_form(
            &url,
            &[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(entra_codes(&body), vec![90002]);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Tenant 'fabrikam.onmicrosoft.com' not found")
    );
}

#[tokio::test]
async fn unknown_app_is_700016_unauthorized_client() {
    let h = start_default().await;
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", "11111111-2222-3333-4444-555555555555"),
                ("client_secret", "x"),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(entra_codes(&body), vec![700016]);
}

#[tokio::test]
async fn missing_parameters_are_900144_naming_the_parameter() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    for (form, missing) in [
        (
            vec![
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.as_str()),
                ("scope", GRAPH_SCOPE),
            ],
            "grant_type",
        ),
        (
            vec![
                ("client_secret", app.client_secret.as_str()),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
            "client_id",
        ),
        (
            vec![
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.as_str()),
                ("grant_type", "client_credentials"),
            ],
            "scope",
        ),
    ] {
        let (status, body) = h.post_form(&h.token_url(), &form).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(entra_codes(&body), vec![900144]);
        let d = body["error_description"].as_str().unwrap();
        assert!(d.contains(&format!("parameter: '{missing}'")), "{d}");
    }
}

#[tokio::test]
async fn json_body_reads_as_missing_grant_type() {
    let h = start_default().await;
    let resp = h
        .client
        .post(h.token_url())
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 400);
    assert_eq!(entra_codes(&body), vec![900144]);
}

#[tokio::test]
async fn bad_scopes_are_refused() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let cases = [
        ("User.Read.All", 70011u64),
        (
            "https://graph.microsoft.com/.default https://outlook.office365.com/.default",
            700022,
        ),
        ("https://graph.microsoft.com/User.Read.All", 1002012),
        ("https://vault.azure.net/.default", 500011),
    ];
    for (scope, code) in cases {
        let (status, body) = h
            .post_form(
                &h.token_url(),
                &[
                    ("client_id", &app.client_id),
                    ("client_secret", &app.client_secret),
                    ("scope", scope),
                    ("grant_type", "client_credentials"),
                ],
            )
            .await;
        assert_eq!(status, 400, "{scope}: {body}");
        assert_eq!(entra_codes(&body), vec![code], "{scope}");
    }
}

#[tokio::test]
async fn resource_parameter_is_901002() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("resource", "https://graph.microsoft.com"),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(entra_codes(&body), vec![901002]);
}

#[tokio::test]
async fn common_endpoint_refuses_client_credentials() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let url = format!("{}/common/oauth2/v2.0/token", h.base);
    let (status, body) = h
        .post_form(
            &url,
            &[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(entra_codes(&body), vec![9001023]);
}

#[tokio::test]
async fn duplicated_parameter_and_unsupported_grant() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &app.client_id),
                ("client_id", &app.client_id),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![9000411]));
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[("grant_type", "password"), ("client_id", &app.client_id)],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(entra_codes(&body), vec![70003]);
}

#[tokio::test]
async fn no_credential_and_public_client_are_refused() {
    let h = start_default().await;
    let app = &h.creds.secret_app;
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &app.client_id),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![7000218]));
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &h.creds.public_client_id),
                ("client_secret", "x"),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![700025]));
}

#[tokio::test]
async fn correlation_id_echoes_client_request_id() {
    let h = start_default().await;
    let id = "6f1c0a7e-1111-4222-8333-944445555666";
    let resp = h
        .client
        .post(h.token_url())
        .header("client-request-id", id)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (_, body) = status_json(resp).await;
    assert_eq!(body["correlation_id"], id);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&format!("Correlation ID: {id}"))
    );
}
