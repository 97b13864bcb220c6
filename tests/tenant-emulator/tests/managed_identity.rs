//! Azure Automation / App Service managed identity endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::Value;

async fn get(h: &Harness, query: &str, header: Option<(&str, &str)>) -> (u16, Value) {
    let mut req = h
        .client
        .get(format!(
            "{}{query}",
            h.creds.managed_identity.identity_endpoint
        ))
        .header("Metadata", "true");
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    status_json(req.send().await.unwrap()).await
}

fn identity_header(h: &Harness) -> Option<(&'static str, &str)> {
    Some((
        "X-IDENTITY-HEADER",
        h.creds.managed_identity.identity_header.as_str(),
    ))
}

#[tokio::test]
async fn system_assigned_get_returns_expires_on_as_string_and_a_usable_token() {
    let h = start_default().await;
    assert_eq!(
        h.creds.managed_identity.identity_endpoint,
        format!("{}/msi/token", h.base)
    );
    let (status, body) = get(
        &h,
        "?resource=https://graph.microsoft.com&api-version=2019-08-01",
        identity_header(&h),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let expires_on = body["expires_on"].as_str().expect("expires_on is a string");
    let expires_on: i64 = expires_on.parse().unwrap();
    assert!((expires_on - now() - 3599).abs() <= 5);
    assert!(body.get("expires_in").is_none());
    assert_eq!(body["resource"], "https://graph.microsoft.com");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["client_id"],
        h.creds.managed_identity.system_assigned_client_id.as_str()
    );
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(
        c["oid"],
        h.creds
            .managed_identity
            .system_assigned_principal_id
            .as_str()
    );
    // The token works at Graph.
    let (status, _) = h.graph_get(token, "/v1.0/users?$top=1").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn user_assigned_by_client_id_over_post_form_without_api_version() {
    let h = start_default().await;
    let mi = &h.creds.managed_identity;
    let resp = h
        .client
        .post(&mi.identity_endpoint)
        .header("X-IDENTITY-HEADER", &mi.identity_header)
        .form(&[
            ("resource", "https://outlook.office365.com"),
            ("client_id", mi.user_assigned_client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_id"], mi.user_assigned_client_id.as_str());
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["aud"], "https://outlook.office365.com");
    let (status, _) = h
        .invoke(token, "Get-OrganizationConfig", serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    // principal_id and mi_res_id select the same identity.
    for q in [
        format!(
            "?resource=https://graph.microsoft.com&principal_id={}",
            mi.user_assigned_principal_id
        ),
        format!(
            "?resource=https://graph.microsoft.com&mi_res_id={}",
            mi.user_assigned_resource_id
        ),
    ] {
        let (status, body) = get(&h, &q, identity_header(&h)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["client_id"], mi.user_assigned_client_id.as_str());
    }
}

#[tokio::test]
async fn missing_or_wrong_identity_header_is_refused() {
    let h = start_default().await;
    let (status, body) = get(&h, "?resource=https://graph.microsoft.com", None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["statusCode"], 401);
    let (status, _) = get(
        &h,
        "?resource=https://graph.microsoft.com",
        Some(("X-IDENTITY-HEADER", "guess")),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn scope_style_or_unknown_resource_gets_the_vague_500() {
    let h = start_default().await;
    for resource in [
        "https://graph.microsoft.com/.default",
        "https://vault.azure.net",
    ] {
        let (status, body) = get(
            &h,
            &format!("?resource={resource}&api-version=2019-08-01"),
            identity_header(&h),
        )
        .await;
        assert_eq!(status, 500, "{resource}");
        assert_eq!(body["statusCode"], 500);
    }
    let (status, _) = get(&h, "?api-version=2019-08-01", identity_header(&h)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn identity_selection_errors_and_api_versions() {
    let h = start_default().await;
    let mi = &h.creds.managed_identity;
    let both = format!(
        "?resource=https://graph.microsoft.com&client_id={}&principal_id={}",
        mi.user_assigned_client_id, mi.user_assigned_principal_id
    );
    assert_eq!(get(&h, &both, identity_header(&h)).await.0, 400);
    let unknown =
        "?resource=https://graph.microsoft.com&client_id=00000000-1111-2222-3333-444444444444";
    assert_eq!(get(&h, unknown, identity_header(&h)).await.0, 400);
    assert_eq!(
        get(
            &h,
            "?resource=https://graph.microsoft.com&api-version=2018-02-01",
            identity_header(&h)
        )
        .await
        .0,
        400
    );
    // The legacy API uses the `secret` header and a date-string expires_on.
    let (status, body) = get(
        &h,
        "?resource=https://graph.microsoft.com&api-version=2017-09-01",
        Some(("secret", mi.identity_header.as_str())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let legacy = body["expires_on"].as_str().unwrap();
    assert!(
        legacy.ends_with(" +00:00") && legacy.contains('/'),
        "{legacy}"
    );
}
