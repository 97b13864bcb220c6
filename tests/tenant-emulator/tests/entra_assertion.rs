//! Certificate client assertions: both header forms, reuse, and each way an assertion fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use base64::Engine;
use common::*;
use serde_json::{Value, json};

async fn assertion_request(h: &Harness, client_id: &str, jwt: &str) -> (u16, Value) {
    h.post_form(
        &h.token_url(),
        &[
            ("client_id", client_id),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", jwt),
            ("scope", EXO_SCOPE),
            ("grant_type", "client_credentials"),
        ],
    )
    .await
}

#[tokio::test]
async fn rs256_with_x5t_and_ps256_with_x5t_s256_both_work_and_may_be_reused() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    for alg in ["RS256", "PS256"] {
        let jwt = assertion(
            &app.private_key_pem,
            &app.certificate_pem,
            alg,
            &assertion_claims(&app.client_id, &h.token_url()),
        );
        for _ in 0..2 {
            let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
            assert_eq!(status, 200, "{alg}: {body}");
            let c = claims(body["access_token"].as_str().unwrap());
            assert_eq!(c["appidacr"], "2");
            assert_eq!(c["roles"], json!(["Exchange.ManageAsApp"]));
        }
    }
}

#[tokio::test]
async fn audience_may_name_the_tenant_by_id() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let aud = format!("{}/{}/oauth2/v2.0/token", h.base, h.creds.tenant_id);
    let jwt = assertion(
        &app.private_key_pem,
        &app.certificate_pem,
        "PS256",
        &assertion_claims(&app.client_id, &aud),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn hex_thumbprint_in_x5t_is_key_not_found() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    // The classic bug: the hex thumbprint string instead of base64url of the hash bytes.
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": app.thumbprint_sha1_hex});
    let jwt = sign_jwt(
        &app.private_key_pem,
        &header,
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(entra_codes(&body), vec![700027]);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("The key was not found.")
    );
}

#[tokio::test]
async fn mismatched_header_forms_are_refused() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let der = pem::parse(&app.certificate_pem).unwrap().into_contents();
    let sha1 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        &der,
    ));
    // PS256 must carry x5t#S256.
    let header = json!({"alg": "PS256", "typ": "JWT", "x5t": sha1});
    let jwt = sign_jwt(
        &app.private_key_pem,
        &header,
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!((status, entra_codes(&body)), (401, vec![700027]));
    // HS256 and friends are not accepted at all.
    let header = json!({"alg": "HS256", "typ": "JWT", "x5t": sha1});
    let jwt = sign_jwt(
        &app.private_key_pem,
        &header,
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![50027]));
}

#[tokio::test]
async fn expired_certificate_is_700027_key_used_is_expired() {
    let h = start_default().await;
    let app = &h.creds.expired_certificate_app;
    let jwt = assertion(
        &app.private_key_pem,
        &app.certificate_pem,
        "RS256",
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!(status, 401);
    assert_eq!(entra_codes(&body), vec![700027]);
    let d = body["error_description"].as_str().unwrap();
    assert!(d.contains("The key used is expired."), "{d}");
    assert!(d.contains(&app.thumbprint_sha1_hex), "{d}");
}

#[tokio::test]
async fn signature_by_another_key_is_rejected() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let other_key = &h.creds.expired_certificate_app.private_key_pem;
    let jwt = assertion(
        other_key,
        &app.certificate_pem,
        "PS256",
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!((status, entra_codes(&body)), (401, vec![700027]));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("did not match the expected signature")
    );
}

#[tokio::test]
async fn wrong_audience_issuer_and_time_window_are_refused() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let sign =
        |claims: &Value| assertion(&app.private_key_pem, &app.certificate_pem, "RS256", claims);

    let real_login = format!(
        "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
        h.creds.tenant_id
    );
    let (status, body) = assertion_request(
        &h,
        &app.client_id,
        &sign(&assertion_claims(&app.client_id, &real_login)),
    )
    .await;
    assert_eq!((status, entra_codes(&body)), (401, vec![70002, 50012]));

    let mut c = assertion_claims(&app.client_id, &h.token_url());
    c["iss"] = json!(h.creds.secret_app.client_id);
    let (status, body) = assertion_request(&h, &app.client_id, &sign(&c)).await;
    assert_eq!((status, entra_codes(&body)), (401, vec![700021]));

    let mut c = assertion_claims(&app.client_id, &h.token_url());
    c["nbf"] = json!(now() - 3600);
    c["exp"] = json!(now() - 1200);
    let (status, body) = assertion_request(&h, &app.client_id, &sign(&c)).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![700024]));

    let mut c = assertion_claims(&app.client_id, &h.token_url());
    c["nbf"] = json!(now() + 3600);
    c["exp"] = json!(now() + 4000);
    let (status, body) = assertion_request(&h, &app.client_id, &sign(&c)).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![700024]));

    let mut c = assertion_claims(&app.client_id, &h.token_url());
    c.as_object_mut().unwrap().remove("exp");
    let (status, body) = assertion_request(&h, &app.client_id, &sign(&c)).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![700024]));
}

/// MSAL.NET 4.92 (Azure.Identity 1.21) writes the times as numeric strings, PS256 + `x5t#S256`
/// (../shared/docs/entra-auth-and-graph.md, ADDED 2026-12-06); Entra ID accepts them.
#[tokio::test]
async fn numeric_string_times_are_accepted_as_msal_net_sends_them() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let now = now();
    let mut c = assertion_claims(&app.client_id, &h.token_url());
    c["nbf"] = json!(now.to_string());
    c["exp"] = json!((now + 600).to_string());
    c["iat"] = json!(now.to_string());
    let jwt = assertion(&app.private_key_pem, &app.certificate_pem, "PS256", &c);
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["appidacr"],
        "2"
    );

    // A numeric string still has to be in range.
    c["nbf"] = json!((now - 3600).to_string());
    c["exp"] = json!((now - 1200).to_string());
    let jwt = assertion(&app.private_key_pem, &app.certificate_pem, "PS256", &c);
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![700024]));
}

#[tokio::test]
async fn times_that_are_not_numbers_are_700024() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let now = now();
    for (claim, bad) in [
        ("exp", json!("tomorrow")),
        ("exp", json!(format!("{}.5", now + 600))),
        ("exp", json!(true)),
        ("nbf", json!("now")),
        ("iat", json!("now")),
        ("iat", json!({"t": now})),
    ] {
        let mut c = assertion_claims(&app.client_id, &h.token_url());
        c[claim] = bad.clone();
        let jwt = assertion(&app.private_key_pem, &app.certificate_pem, "RS256", &c);
        let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
        assert_eq!(
            (status, entra_codes(&body)),
            (400, vec![700024]),
            "{claim}={bad}: {body}"
        );
    }
}

#[tokio::test]
async fn assertion_type_is_checked_and_garbage_is_malformed() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let jwt = assertion(
        &app.private_key_pem,
        &app.certificate_pem,
        "RS256",
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", &app.client_id),
                ("client_assertion_type", "urn:other"),
                ("client_assertion", &jwt),
                ("scope", EXO_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!((status, entra_codes(&body)), (400, vec![50027]));
    let (status, body) = assertion_request(&h, &app.client_id, "not.a.jwt").await;
    assert_eq!((status, entra_codes(&body)), (400, vec![50027]));
}

#[tokio::test]
async fn secret_app_has_no_certificate_registered() {
    let h = start_default().await;
    let cert = &h.creds.certificate_app;
    let app = &h.creds.secret_app;
    let jwt = assertion(
        &cert.private_key_pem,
        &cert.certificate_pem,
        "RS256",
        &assertion_claims(&app.client_id, &h.token_url()),
    );
    let (status, body) = assertion_request(&h, &app.client_id, &jwt).await;
    assert_eq!((status, entra_codes(&body)), (401, vec![700027]));
}

#[tokio::test]
async fn pfx_holds_the_registered_certificate_and_key() {
    let h = start_default().await;
    let app = &h.creds.certificate_app;
    let pfx = base64::engine::general_purpose::STANDARD
        .decode(&app.pfx_base64)
        .unwrap();
    let store = p12_keystore::KeyStore::from_pkcs12(
        &pfx,
        &app.pfx_password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .unwrap();
    let (_, chain) = store.private_key_chain().unwrap();
    let cert_der = pem::parse(&app.certificate_pem).unwrap().into_contents();
    assert_eq!(chain.certs()[0].as_der(), cert_der.as_slice());
    let key_der = pem::parse(&app.private_key_pem).unwrap().into_contents();
    assert_eq!(chain.key().as_der(), key_der.as_slice());
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der);
    assert_eq!(hex::encode_upper(sha1), app.thumbprint_sha1_hex);
    assert!(
        p12_keystore::KeyStore::from_pkcs12(
            &pfx,
            "wrong password",
            p12_keystore::Pkcs12ImportPolicy::Relaxed
        )
        .is_err()
    );
}

#[tokio::test]
async fn credentials_debug_output_redacts_secrets() {
    let h = start_default().await;
    let shown = format!("{:?}", h.creds);
    for secret in [
        h.creds.secret_app.client_secret.as_str(),
        h.creds.certificate_app.pfx_password.as_str(),
        h.creds.managed_identity.identity_header.as_str(),
        h.creds.control_key.as_str(),
    ] {
        assert!(!shown.contains(secret), "secret leaked into Debug output");
    }
    assert!(!shown.contains("PRIVATE KEY"));
    assert!(shown.contains(&h.creds.secret_app.client_id));
}
