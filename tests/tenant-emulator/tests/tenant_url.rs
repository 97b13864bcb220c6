//! The `{tenant}` segment of InvokeCommand URLs: the tenant id and the `.onmicrosoft.com`
//! domain page through; a custom (vanity) domain serves page 1 and refuses page 2, as reported
//! (MicrosoftDocs/office-docs-powershell#10907, Q&A "answers/questions/1023619").
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::EmulatorOptions;

const EXPIRED: &str = "Expired or Invalid pagination request. Default Expiry time is 00:30:00";

async fn small() -> Harness {
    start(EmulatorOptions {
        users: 20,
        devices: 60,
        ..Default::default()
    })
    .await
}

/// POSTs `body` to `url` the way the module does (app-only anchor on the system mailbox).
async fn post(h: &Harness, token: &str, url: &str, body: &Value) -> (u16, Value) {
    let resp = h
        .client
        .post(url)
        .bearer_auth(token)
        .header(
            "Content-Type",
            "application/json;odata.metadata=minimal;odata.streaming=true",
        )
        .header(
            "X-AnchorMailbox",
            format!(
                "APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
                h.creds.tenant_id
            ),
        )
        .header("X-ResponseFormat", "json")
        .header("Prefer", "odata.maxpagesize=10")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    status_json(resp).await
}

fn url_for(h: &Harness, tenant: &str) -> String {
    format!("{}/adminapi/beta/{tenant}/InvokeCommand", h.base)
}

fn devices() -> Value {
    json!({"CmdletInput": {"CmdletName": "Get-MobileDevice", "Parameters": {"ResultSize": "Unlimited"}}})
}

#[tokio::test]
async fn id_and_initial_domain_page_through_but_a_vanity_domain_fails_on_page_two() {
    let h = small().await;
    let token = h.app_token(EXO_SCOPE).await;
    assert_eq!(h.creds.tenant_vanity_domain, "contoso.com");
    for tenant in [
        h.creds.tenant_id.clone(),
        h.creds.tenant_domain.clone(),
        h.creds.tenant_domain.to_uppercase(),
    ] {
        let mut url = url_for(&h, &tenant);
        let mut seen = 0;
        let mut pages = 0;
        loop {
            let (status, page) = post(&h, &token, &url, &devices()).await;
            assert_eq!(status, 200, "{tenant} page {}: {page}", pages + 1);
            pages += 1;
            seen += page["value"].as_array().unwrap().len();
            match page["@odata.nextLink"].as_str() {
                Some(next) => {
                    assert!(
                        next.contains(&format!("/adminapi/beta/{tenant}/")),
                        "{next}"
                    );
                    url = next.to_owned();
                }
                None => break,
            }
        }
        assert_eq!(seen, 60, "{tenant}");
        assert_eq!(pages, 6, "{tenant}");
    }

    let vanity = h.creds.tenant_vanity_domain.clone();
    let (status, first) = post(&h, &token, &url_for(&h, &vanity), &devices()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["value"].as_array().unwrap().len(), 10);
    let next = first["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(
        next.contains("/adminapi/beta/contoso.com/InvokeCommand?$skiptoken="),
        "{next}"
    );
    let (status, refused) = post(&h, &token, &next, &devices()).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["message"], EXPIRED);
    assert_eq!(refused["error"]["details"][0]["message"], EXPIRED);

    // The same skiptoken under the tenant id is served: only the vanity name is refused.
    let query = &next[next.find('?').unwrap()..];
    let (status, page) = post(
        &h,
        &token,
        &format!("{}{query}", url_for(&h, &h.creds.tenant_id)),
        &devices(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["value"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_vanity_domain_serves_single_page_results_and_entra_accepts_it() {
    let h = small().await;
    // Entra takes any verified domain in the token URL.
    let app = &h.creds.secret_app;
    let (status, body) = h
        .post_form(
            &format!(
                "{}/{}/oauth2/v2.0/token",
                h.base, h.creds.tenant_vanity_domain
            ),
            &[
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.as_str()),
                ("scope", EXO_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["tid"], h.creds.tenant_id.as_str());

    let config = json!({"CmdletInput": {"CmdletName": "Get-OrganizationConfig", "Parameters": {}}});
    let (status, page) = post(
        &h,
        token,
        &url_for(&h, &h.creds.tenant_vanity_domain),
        &config,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.get("@odata.nextLink").is_none());

    let (status, _) = post(&h, token, &url_for(&h, "fabrikam.com"), &config).await;
    assert_eq!(status, 404);
}
