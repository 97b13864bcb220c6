//! Several tenants in one emulator process: each keeps its own credentials, state and journal,
//! and a request reaches the tenant its URL (token, Exchange) or its token's `tid` (Graph) names.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::json;
use tenant_emulator::{EmulatorOptions, TenantOptions, TransferBlock};

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

async fn fleet() -> Harness {
    let t = TenantOptions::default;
    start(EmulatorOptions {
        users: 20,
        devices: 40,
        tenants: vec![
            t(),
            TenantOptions {
                prompt_enabled: false,
                ..t()
            },
            TenantOptions {
                transfer_block: TransferBlock::ReportOnly,
                ..t()
            },
            TenantOptions {
                transfer_block: TransferBlock::Enforced,
                prompt_enabled: false,
                ..t()
            },
            TenantOptions {
                apps_removed: true,
                ..t()
            },
        ],
        ..Default::default()
    })
    .await
}

/// Points the harness's helpers (token URL, Exchange URL, control key) at tenant `index`.
fn use_tenant(h: &mut Harness, index: usize) {
    h.creds = h.emulator.tenant_credentials(index).unwrap();
}

async fn prompt_of(h: &Harness) -> serde_json::Value {
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h.invoke(&token, "Get-OrganizationConfig", json!({})).await;
    assert_eq!(status, 200, "{body}");
    body["value"][0]["MobileAppEducationEnabled"].clone()
}

#[tokio::test]
async fn each_tenant_has_its_own_identity_and_credentials() {
    let h = fleet().await;
    assert_eq!(h.emulator.tenant_count(), 5);
    let all: Vec<_> = (0..5)
        .map(|i| h.emulator.tenant_credentials(i).unwrap())
        .collect();
    assert_eq!(
        all[0],
        h.emulator.credentials(),
        "tenant 0 is the default one"
    );
    assert_eq!(all[0].tenant_domain, "contoso.onmicrosoft.com");
    assert_eq!(all[1].tenant_domain, "fabrikam.onmicrosoft.com");
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a.tenant_id, b.tenant_id);
            assert_ne!(a.secret_app.client_id, b.secret_app.client_id);
            assert_ne!(a.control_key, b.control_key);
            assert_ne!(
                a.managed_identity.identity_header,
                b.managed_identity.identity_header
            );
        }
    }
    assert!(h.emulator.tenant_credentials(5).is_none());
}

#[tokio::test]
async fn a_change_in_one_tenant_does_not_show_in_another() {
    let mut h = fleet().await;
    use_tenant(&mut h, 1);
    assert_eq!(prompt_of(&h).await, false, "tenant 1 starts hidden");
    use_tenant(&mut h, 0);
    assert_eq!(prompt_of(&h).await, true);
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnabled": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(prompt_of(&h).await, false);
    use_tenant(&mut h, 2);
    assert_eq!(prompt_of(&h).await, true, "tenant 2 is untouched");
    // Each journal holds its own tenant's requests only.
    let zero = h.emulator.tenant_journal(0).unwrap();
    let two = h.emulator.tenant_journal(2).unwrap();
    assert_eq!(zero.organization_config_changes.len(), 1);
    assert!(two.organization_config_changes.is_empty());
    assert_eq!(two.tokens_issued, 1);
    assert!(two.requests.iter().all(|r| {
        !r.path
            .contains(&h.emulator.tenant_credentials(0).unwrap().tenant_id)
    }));
}

#[tokio::test]
async fn one_tenants_token_and_apps_are_refused_by_another() {
    let mut h = fleet().await;
    use_tenant(&mut h, 1);
    let fabrikam_token = h.app_token(EXO_SCOPE).await;
    let fabrikam_app = h.creds.secret_app.clone();
    use_tenant(&mut h, 0);
    // Tenant 1's token at tenant 0's Exchange URL: the token's issuer is another tenant.
    let (status, _) = h
        .invoke(&fabrikam_token, "Get-OrganizationConfig", json!({}))
        .await;
    assert_eq!(status, 401);
    // Tenant 1's app at tenant 0's token endpoint is unknown there (AADSTS700016).
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", fabrikam_app.client_id.as_str()),
                ("client_secret", fabrikam_app.client_secret.as_str()),
                ("scope", EXO_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(entra_codes(&body), vec![700016]);
}

#[tokio::test]
async fn a_tenant_whose_apps_were_removed_refuses_every_token_and_the_others_still_answer() {
    let mut h = fleet().await;
    use_tenant(&mut h, 4);
    let app = h.creds.secret_app.clone();
    let (status, body) = h
        .post_form(
            &h.token_url(),
            &[
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.as_str()),
                ("scope", GRAPH_SCOPE),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(entra_codes(&body), vec![700016]);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&app.client_id)
    );
    use_tenant(&mut h, 3);
    assert_eq!(prompt_of(&h).await, false);
}

#[tokio::test]
async fn graph_serves_the_tenant_the_token_names() {
    let mut h = fleet().await;
    let mut states = Vec::new();
    for i in 0..4 {
        use_tenant(&mut h, i);
        let token = h.graph_token_for(&h.creds.secret_app.clone()).await;
        let (status, body) = h.graph_get(&token, POLICIES).await;
        assert_eq!(status, 200, "{body}");
        let blocking: Vec<String> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["conditions"]["authenticationFlows"]["transferMethods"]
                    .as_str()
                    .is_some_and(|m| m.contains("authenticationTransfer"))
            })
            .map(|p| p["state"].as_str().unwrap().to_owned())
            .collect();
        states.push(blocking);
    }
    assert_eq!(
        states,
        vec![
            Vec::<String>::new(),
            vec![],
            vec!["enabledForReportingButNotEnforced".to_owned()],
            vec!["enabled".to_owned()],
        ]
    );
    assert_eq!(
        h.emulator
            .tenant_conditional_access_policies(3)
            .unwrap()
            .len(),
        h.emulator
            .tenant_conditional_access_policies(0)
            .unwrap()
            .len()
            + 1
    );
}

#[tokio::test]
async fn the_control_api_and_managed_identity_pick_the_tenant_by_their_key() {
    let mut h = fleet().await;
    use_tenant(&mut h, 2);
    let (status, body) = control_call(&h, reqwest::Method::GET, "credentials", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenantDomain"], "northwind.onmicrosoft.com");
    let mi = h.creds.managed_identity.clone();
    let resp = h
        .client
        .get(format!(
            "{}?api-version=2019-08-01&resource=https://graph.microsoft.com",
            mi.identity_endpoint
        ))
        .header("X-IDENTITY-HEADER", &mi.identity_header)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["tid"], h.creds.tenant_id.as_str());
}

#[tokio::test]
async fn one_tenant_is_the_default_and_unchanged() {
    let h = start(EmulatorOptions {
        users: 5,
        devices: 5,
        ..Default::default()
    })
    .await;
    assert_eq!(h.emulator.tenant_count(), 1);
    assert_eq!(h.creds.tenant_domain, "contoso.onmicrosoft.com");
}
