//! The authorization code flow: the `/authorize` sign-in page, its redirect errors, and the
//! code's redemption with PKCE (single use, short-lived).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::{Value, json};
use tenant_emulator::NextOutcome;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// RFC 7636 Appendix B: S256 of `VERIFIER`.
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://localhost:5000";
const SCOPE: &str = "https://outlook.office365.com/.default offline_access openid profile";

fn no_redirects(h: &Harness) -> reqwest::Client {
    builder_for(&h.emulator.ca_certificate_pem(), false)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn authorize_url(h: &Harness, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("client_id", &h.creds.public_client_id),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("state", "st-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("prompt", "select_account"),
    ];
    for (k, v) in extra {
        pairs.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    with_query(
        &format!("{}/{}/oauth2/v2.0/authorize", h.base, h.creds.tenant_id),
        &pairs,
    )
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&amp;", "&"))
}

/// GET the page, then post the form; returns the sign-in answer (status, Location, body).
async fn sign_in(
    h: &Harness,
    url: &str,
    login: &str,
    password: &str,
    action: &str,
) -> (u16, Option<String>, String) {
    let client = no_redirects(h);
    let page = client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let flow = hidden(&html, "flow").expect("the sign-in form has a flow id");
    let post_url = format!("{}/{}/oauth2/v2.0/authorize", h.base, h.creds.tenant_id);
    let resp = client
        .post(post_url)
        .form(&[
            ("flow", flow.as_str()),
            ("login", login),
            ("passwd", password),
            ("action", action),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, location, resp.text().await.unwrap())
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .unwrap()
        .into_iter()
        .collect()
}

async fn admin_code(h: &Harness, extra: &[(&str, &str)]) -> String {
    let url = authorize_url(h, extra);
    let (status, location, _) = sign_in(
        h,
        &url,
        &h.creds.admin_upn,
        &h.creds.user_password,
        "signin",
    )
    .await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let q = query_of(&location);
    assert_eq!(q["state"], "st-1");
    assert!(q.contains_key("session_state"));
    q["code"].clone()
}

async fn redeem(h: &Harness, code: &str, verifier: Option<&str>, redirect: &str) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", h.creds.public_client_id.as_str()),
        ("code", code),
        ("redirect_uri", redirect),
        ("scope", SCOPE),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    h.post_form(&h.token_url(), &form).await
}

fn description_code(location: &str) -> (String, String) {
    let q = query_of(location);
    (q["error"].clone(), q["error_description"].clone())
}

#[tokio::test]
async fn a_code_redeems_once_with_its_verifier_into_delegated_tokens() {
    let h = start_default().await;
    let code = admin_code(&h, &[]).await;
    let (status, body) = redeem(&h, &code, Some(VERIFIER), REDIRECT).await;
    assert_eq!(status, 200, "{body}");
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], "https://outlook.office365.com");
    assert!(
        at["scp"].as_str().unwrap().contains("Exchange.Manage"),
        "{at}"
    );
    assert_eq!(at["upn"], h.creds.admin_upn.as_str());
    assert!(body["refresh_token"].as_str().is_some());
    assert!(body["id_token"].as_str().is_some());
    let (status, body) = redeem(&h, &code, Some(VERIFIER), REDIRECT).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(entra_codes(&body), [54005]);
}

#[tokio::test]
async fn a_wrong_or_missing_verifier_is_refused_and_burns_the_code() {
    let h = start_default().await;
    let code = admin_code(&h, &[]).await;
    let wrong = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let (status, body) = redeem(&h, &code, Some(&wrong), REDIRECT).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(entra_codes(&body), [501481]);
    let (_, body) = redeem(&h, &code, Some(VERIFIER), REDIRECT).await;
    assert_eq!(entra_codes(&body), [54005]);

    let code = admin_code(&h, &[]).await;
    let (status, body) = redeem(&h, &code, None, REDIRECT).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![50148]));
}

#[tokio::test]
async fn codes_expire_and_are_bound_to_their_redirect_uri() {
    let h = start_default().await;
    let code = admin_code(&h, &[]).await;
    h.emulator.expire_authorization_codes();
    let (status, body) = redeem(&h, &code, Some(VERIFIER), REDIRECT).await;
    assert_eq!((status, entra_codes(&body)), (400, vec![70008]));

    let code = admin_code(&h, &[]).await;
    let (status, body) = redeem(&h, &code, Some(VERIFIER), "http://localhost:5001").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    let (status, body) = redeem(&h, "not-a-code", Some(VERIFIER), REDIRECT).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn a_wrong_password_stays_on_the_page_and_the_right_one_then_signs_in() {
    let h = start_default().await;
    let client = no_redirects(&h);
    let url = authorize_url(&h, &[("login_hint", &h.creds.admin_upn)]);
    let html = client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&h.creds.admin_upn),
        "login_hint pre-fills the name"
    );
    let flow = hidden(&html, "flow").unwrap();
    let post_url = format!("{}/{}/oauth2/v2.0/authorize", h.base, h.creds.tenant_id);
    let bad = client
        .post(&post_url)
        .form(&[
            ("flow", flow.as_str()),
            ("login", &h.creds.admin_upn),
            ("passwd", "wrong"),
            ("action", "signin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 200);
    assert!(bad.headers().get("location").is_none());
    assert!(bad.text().await.unwrap().contains("AADSTS50126"));
    let good = client
        .post(&post_url)
        .form(&[
            ("flow", flow.as_str()),
            ("login", &h.creds.admin_upn),
            ("passwd", &h.creds.user_password),
            ("action", "signin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 302);
    let location = good.headers()["location"].to_str().unwrap().to_owned();
    assert!(query_of(&location).contains_key("code"));
}

#[tokio::test]
async fn cancel_other_tenant_consent_and_conditional_access_redirect_with_their_codes() {
    let h = start_default().await;
    let url = authorize_url(&h, &[]);
    let (status, location, _) = sign_in(&h, &url, "", "", "cancel").await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    let (error, description) = description_code(&location);
    assert_eq!(error, "access_denied");
    assert!(description.starts_with("AADSTS65004:"), "{description}");
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    assert_eq!(query_of(&location)["state"], "st-1");

    let (_, location, _) =
        sign_in(&h, &url, "someone@fabrikam.example", "whatever", "signin").await;
    let (_, description) = description_code(&location.unwrap());
    assert!(description.starts_with("AADSTS50020:"), "{description}");

    for (outcome, error, code) in [
        (
            NextOutcome::ConsentRequired,
            "consent_required",
            "AADSTS65001:",
        ),
        (
            NextOutcome::ConditionalAccessBlocked,
            "access_denied",
            "AADSTS53003:",
        ),
    ] {
        h.emulator.set_next_sign_in_outcome(Some(outcome));
        let (_, location, _) = sign_in(
            &h,
            &url,
            &h.creds.admin_upn,
            &h.creds.user_password,
            "signin",
        )
        .await;
        let (e, description) = description_code(&location.unwrap());
        assert_eq!(e, error);
        assert!(description.starts_with(code), "{description}");
    }
    // The hook is one-shot.
    admin_code(&h, &[]).await;
}

#[tokio::test]
async fn the_control_api_sets_the_next_outcome() {
    let h = start_default().await;
    let (status, _) = control_call(
        &h,
        reqwest::Method::POST,
        "sign-in/next-outcome",
        Some(json!({"outcome": "ConditionalAccessBlocked"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, location, _) = sign_in(
        &h,
        &authorize_url(&h, &[]),
        &h.creds.admin_upn,
        &h.creds.user_password,
        "signin",
    )
    .await;
    assert!(
        description_code(&location.unwrap())
            .1
            .starts_with("AADSTS53003:")
    );
    let (status, _) = control_call(
        &h,
        reqwest::Method::POST,
        "sign-in/next-outcome",
        Some(json!({"outcome": "Nonsense"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn untrusted_redirects_and_unknown_apps_get_an_error_page_not_a_redirect() {
    let h = start_default().await;
    let client = no_redirects(&h);
    let secret_app = h.creds.secret_app.client_id.clone();
    for (extra, code) in [
        (
            vec![("redirect_uri", "http://127.0.0.1:5000")],
            "AADSTS50011",
        ),
        (
            vec![("redirect_uri", "https://localhost:5000")],
            "AADSTS50011",
        ),
        (
            vec![("redirect_uri", "http://evil.example/")],
            "AADSTS50011",
        ),
        (vec![("client_id", secret_app.as_str())], "AADSTS50011"),
        (
            vec![("client_id", "00000000-0000-0000-0000-000000000001")],
            "AADSTS700016",
        ),
    ] {
        let resp = client.get(authorize_url(&h, &extra)).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{extra:?}");
        assert!(resp.headers().get("location").is_none());
        let body = resp.text().await.unwrap();
        assert!(body.contains(code), "{extra:?}: {body}");
    }
    let resp = client
        .get(format!(
            "{}/nope.example/oauth2/v2.0/authorize?client_id=x",
            h.base
        ))
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("AADSTS90002"));
}

#[tokio::test]
async fn bad_requests_from_a_trusted_redirect_go_back_to_the_app() {
    let h = start_default().await;
    let client = no_redirects(&h);
    let resp = client
        .get(authorize_url(&h, &[("code_challenge", "short")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (error, description) = description_code(&location);
    assert_eq!(error, "invalid_request");
    assert!(description.starts_with("AADSTS501491:"), "{description}");
    let resp = client
        .get(authorize_url(&h, &[("response_type", "token")]))
        .send()
        .await
        .unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(description_code(&location).0, "unsupported_response_type");
}

#[tokio::test]
async fn form_post_answers_with_a_self_posting_form() {
    let h = start_default().await;
    let url = authorize_url(&h, &[("response_mode", "form_post")]);
    let (status, location, html) = sign_in(
        &h,
        &url,
        &h.creds.admin_upn,
        &h.creds.user_password,
        "signin",
    )
    .await;
    assert_eq!(status, 200);
    assert!(location.is_none());
    assert!(html.contains(&format!("action=\"{REDIRECT}\"")), "{html}");
    assert_eq!(hidden(&html, "state").as_deref(), Some("st-1"));
    let code = hidden(&html, "code").unwrap();
    let (status, _) = redeem(&h, &code, Some(VERIFIER), REDIRECT).await;
    assert_eq!(status, 200);
}
