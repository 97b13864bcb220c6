//! Exchange Online `InvokeCommand` operations against the tenant emulator.

#![allow(clippy::unwrap_used)]

mod http_support;

use futures::TryStreamExt;
use http_support::*;
use outlook_qr_guard::auth::Credential;
use outlook_qr_guard::exo::{
    ExchangeClient, ExchangeOptions, ExoError, Mailbox, MobileDeviceQuery, Page, ResultSize,
};
use outlook_qr_guard::secret::secret;
use serde_json::Value;
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass};

fn exchange(emu: &Emulator) -> ExchangeClient {
    ExchangeClient::new(
        secret_provider(emu),
        ExchangeOptions::app_only(&emu.credentials().tenant_domain),
    )
}

fn invoke_count(emu: &Emulator, cmdlet: &str) -> usize {
    emu.journal()
        .requests_to(EndpointClass::ExchangeInvokeCommand)
        .filter(|r| r.cmdlet.as_deref() == Some(cmdlet))
        .count()
}

#[tokio::test]
async fn organization_config_get_and_set() {
    let emu = default_emulator().await;
    let exo = exchange(&emu);
    let config = exo.get_organization_config().await.unwrap();
    assert!(config.name.is_some());
    assert_eq!(config.mobile_app_education_enabled, Some(true));
    assert!(
        config
            .mobile_properties
            .contains_key("MobileAppEducationEnabled")
    );
    assert!(
        config
            .mobile_properties
            .keys()
            .all(|k| k.starts_with("MobileApp") || k.starts_with("OutlookMobile"))
    );
    assert!(!config.other.is_empty());

    exo.set_mobile_app_education(false).await.unwrap();
    let after = exo.get_organization_config().await.unwrap();
    assert_eq!(after.mobile_app_education_enabled, Some(false));
    let changes = emu.journal().organization_config_changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].property, "MobileAppEducationEnabled");
    assert_eq!(changes[0].new, Value::Bool(false));
    // Setting the same value again changes nothing (and may warn).
    exo.set_mobile_app_education(false).await.unwrap();
    assert_eq!(emu.journal().organization_config_changes.len(), 1);
}

#[tokio::test]
async fn mobile_devices_page_by_page_in_service_order() {
    let emu = emulator(EmulatorOptions {
        users: 80,
        devices: 700,
        exo_page_size: 100,
        ..EmulatorOptions::default()
    })
    .await;
    let exo = exchange(&emu);
    let expected = emu.seeded_devices_json(Some(MobileDeviceQuery::OUTLOOK_MOBILE_MODEL));
    assert!(
        expected.len() > 300,
        "seed has {} Outlook devices",
        expected.len()
    );
    let pages: Vec<Page<Value>> = exo
        .list_mobile_devices(&MobileDeviceQuery::outlook_mobile())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), expected.len().div_ceil(100));
    assert!(
        pages
            .iter()
            .enumerate()
            .all(|(i, p)| p.number as usize == i + 1)
    );
    let got: Vec<Value> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(got, expected);
    assert_eq!(
        invoke_count(&emu, "Get-MobileDevice"),
        expected.len().div_ceil(100)
    );

    // Everything, limited: ResultSize N.
    let limited: Vec<Page<Value>> = exo
        .list_mobile_devices(&MobileDeviceQuery {
            result_size: ResultSize::Limit(150),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(limited.iter().map(|p| p.items.len()).sum::<usize>(), 150);
}

#[tokio::test]
async fn typed_pages_and_shape_errors() {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Device {
        device_model: Option<String>,
        identity: String,
    }
    let emu = default_emulator().await;
    let exo = exchange(&emu);
    let pages: Vec<Page<Device>> = exo
        .list_mobile_devices(&MobileDeviceQuery::outlook_mobile())
        .try_collect()
        .await
        .unwrap();
    let devices: Vec<Device> = pages.into_iter().flat_map(|p| p.items).collect();
    assert!(!devices.is_empty());
    assert!(
        devices
            .iter()
            .all(|d| d.device_model.as_deref() == Some("Outlook for iOS and Android"))
    );
    assert!(
        devices
            .iter()
            .all(|d| d.identity.contains("\\ExchangeActiveSyncDevices\\"))
    );

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        #[serde(rename = "IsManaged")]
        is_managed: String,
    }
    let err = exo
        .list_mobile_devices::<Wrong>(&MobileDeviceQuery::outlook_mobile())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExoError::UnexpectedObject { index: 0, .. }),
        "{err:?}"
    );
}

fn mailbox_dn(device_dn: &str) -> String {
    let marker = ",CN=ExchangeActiveSyncDevices,";
    let at = device_dn.find(marker).unwrap();
    device_dn[at + marker.len()..].to_owned()
}

#[tokio::test]
async fn resolve_mailboxes_in_filter_batches_of_fifty() {
    let emu = emulator(EmulatorOptions {
        users: 150,
        devices: 300,
        ..EmulatorOptions::default()
    })
    .await;
    let exo = exchange(&emu);
    let mut p = serde_json::Map::new();
    p.insert("ResultSize".into(), "Unlimited".into());
    let (all, _) = exo.invoke_all::<Mailbox>("Get-Mailbox", p).await.unwrap();
    assert_eq!(all.len(), 150);
    let before = invoke_count(&emu, "Get-Mailbox");

    // A mix of DNs (from devices), UPNs (apostrophes included), object ids, a duplicate in
    // other case, and an unknown UPN with a quote.
    let mut inputs: Vec<String> = emu
        .seeded_devices_json(None)
        .iter()
        .take(40)
        .map(|d| mailbox_dn(d["DistinguishedName"].as_str().unwrap()))
        .collect();
    inputs.extend(
        all.iter()
            .skip(40)
            .take(50)
            .map(|m| m.user_principal_name.clone().unwrap()),
    );
    inputs.extend(
        all.iter()
            .skip(90)
            .take(30)
            .map(|m| m.external_directory_object_id.clone().unwrap()),
    );
    inputs.push(all[100].user_principal_name.clone().unwrap().to_uppercase());
    inputs.push("nobody.o'neil@example.invalid".into());
    // Seeded UPNs with apostrophes (if this seed has any) go through quoting too.
    inputs.extend(
        all.iter()
            .filter(|m| m.user_principal_name.as_deref().unwrap().contains('\''))
            .map(|m| m.user_principal_name.clone().unwrap()),
    );

    let resolved = exo.resolve_mailboxes(&inputs).await.unwrap();
    assert_eq!(resolved.len(), inputs.len());
    let unknown = resolved
        .iter()
        .filter(|r| r.mailbox.is_none())
        .collect::<Vec<_>>();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].input, "nobody.o'neil@example.invalid");
    for r in &resolved {
        if let Some(m) = &r.mailbox {
            assert!(m.user_principal_name.is_some() && m.external_directory_object_id.is_some());
        }
    }
    let unique: std::collections::HashSet<String> =
        inputs.iter().map(|s| s.to_lowercase()).collect();
    assert_eq!(
        invoke_count(&emu, "Get-Mailbox") - before,
        unique.len().div_ceil(50)
    );
}

#[tokio::test]
async fn missing_role_is_a_clear_forbidden_error() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.no_role_app.client_id.clone(),
        secret: secret(c.no_role_app.client_secret.clone()),
    };
    let exo = ExchangeClient::new(
        provider(&emu, cred, http(&emu)),
        ExchangeOptions::app_only(&c.tenant_domain),
    );
    let err = exo.get_organization_config().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ExoError::Forbidden { .. }), "{err:?}");
    assert!(
        text.contains("Exchange.ManageAsApp") && text.contains("Exchange Administrator"),
        "{text}"
    );
    assert!(text.contains(&c.no_role_app.client_id), "{text}");
}

#[tokio::test]
async fn cmdlet_errors_are_typed() {
    let emu = default_emulator().await;
    let exo = exchange(&emu);
    let mut p = serde_json::Map::new();
    p.insert("Identity".into(), "no-such-mailbox@example.invalid".into());
    let err = exo.invoke_all::<Value>("Get-Mailbox", p).await.unwrap_err();
    assert!(matches!(err, ExoError::CmdletFailed { .. }), "{err:?}");
    assert!(err.to_string().starts_with("Get-Mailbox failed:"), "{err}");
}

fn app_client(emu: &Emulator, app: &tenant_emulator::AppCredential) -> ExchangeClient {
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: app.client_id.clone(),
        secret: secret(app.client_secret.clone()),
    };
    ExchangeClient::new(
        provider(emu, cred, http(emu)),
        ExchangeOptions::app_only(&c.tenant_domain),
    )
}

#[tokio::test]
async fn exchange_rbac_for_applications_and_its_absence() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    // Exchange roles assigned in Exchange, no Entra role: works.
    let exo = app_client(&emu, &c.exchange_rbac_app);
    assert!(exo.get_organization_config().await.is_ok());
    exo.set_mobile_app_education(false).await.unwrap();
    // Neither an Entra role nor an Exchange role: 403 whose remedy names both ways, and the ids
    // support needs, matching the call the service saw.
    emu.reset_journal();
    let exo = app_client(&emu, &c.exchange_unassigned_app);
    let err = exo.get_organization_config().await.unwrap_err();
    let ExoError::Forbidden { ids, .. } = &err else {
        panic!("{err:?}");
    };
    let sent = emu
        .journal()
        .requests
        .last()
        .unwrap()
        .client_request_id
        .clone();
    assert!(sent.is_some());
    assert_eq!(ids.client_request_id, sent);
    assert!(ids.request_id.is_some());
    let text = err.to_string();
    for needle in [
        "Exchange.ManageAsApp",
        "Exchange Administrator",
        "New-ServicePrincipal",
        "New-ManagementRoleAssignment -App",
        c.exchange_unassigned_app.client_id.as_str(),
        sent.as_deref().unwrap(),
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // Read-only Exchange roles: the write cmdlet is hidden, and the error says so.
    let exo = app_client(&emu, &c.exchange_rbac_reader_app);
    assert!(exo.get_organization_config().await.is_ok());
    let err = exo.set_mobile_app_education(true).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ExoError::CmdletFailed { .. }), "{err:?}");
    assert!(
        text.contains("'Set-OrganizationConfig' is not recognized")
            && text.contains("CommandNotFoundException")
            && text.contains("hides the cmdlets"),
        "{text}"
    );
}

#[tokio::test]
async fn every_call_carries_the_modules_diagnostics_headers() {
    let emu = default_emulator().await;
    let exo = exchange(&emu);
    emu.reset_journal();
    exo.get_organization_config().await.unwrap();
    exo.get_organization_config().await.unwrap();
    let journal = emu.journal();
    let calls: Vec<_> = journal
        .requests_to(EndpointClass::ExchangeInvokeCommand)
        .collect();
    assert_eq!(calls.len(), 2);
    for r in &calls {
        assert_eq!(r.client_application.as_deref(), Some("ExoManagementModule"));
        let id = r.client_request_id.as_deref().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
    assert_ne!(calls[0].client_request_id, calls[1].client_request_id);
}

#[tokio::test]
async fn a_missing_object_names_the_exchange_sentence_and_type() {
    let emu = default_emulator().await;
    let exo = exchange(&emu);
    let mut p = serde_json::Map::new();
    p.insert("Identity".into(), "ghost@example.invalid".into());
    let err = exo.invoke_all::<Value>("Get-Mailbox", p).await.unwrap_err();
    let ExoError::CmdletFailed { error, ids, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        error.exception_name(),
        Some("ManagementObjectNotFoundException")
    );
    assert!(ids.request_id.is_some() && ids.client_request_id.is_some());
    let text = err.to_string();
    assert!(
        text.contains("couldn't be found") && !text.contains("Error executing cmdlet"),
        "{text}"
    );
}

#[tokio::test]
async fn owa_mailbox_policies_with_counts_and_idempotent_set() {
    let emu = emulator(EmulatorOptions {
        users: 40,
        ..Default::default()
    })
    .await;
    let exo = exchange(&emu);
    let (policies, unmatched) = exo.owa_mailbox_policies_with_counts().await.unwrap();
    assert!(unmatched.is_empty(), "{unmatched:?}");
    let find = |n: &str| policies.iter().find(|p| p.name == n).unwrap().clone();
    // The emulator's seed: i mod 20 = 3 Executives, 7/13 Contractors, 11 the default by name,
    // the rest none (the default applies).
    let default = find("OwaMailboxPolicy-Default");
    assert!(default.is_default);
    assert_eq!(default.mailboxes, 34);
    assert_eq!(find("Executives").mailboxes, 2);
    assert_eq!(find("Contractors").mailboxes, 4);
    assert_eq!(find("Contractors").account_transfer_enabled, Some(false));
    exo.set_owa_account_transfer("Executives", false)
        .await
        .unwrap();
    let warnings = exo
        .set_owa_account_transfer("Executives", false)
        .await
        .unwrap();
    assert!(
        warnings.iter().any(|w| w.contains("no settings")),
        "{warnings:?}"
    );
    assert_eq!(emu.journal().owa_mailbox_policy_changes.len(), 1);
    assert_eq!(
        find_after(&exo, "Executives")
            .await
            .account_transfer_enabled,
        Some(false)
    );
}

async fn find_after(exo: &ExchangeClient, name: &str) -> outlook_qr_guard::exo::OwaMailboxPolicy {
    exo.get_owa_mailbox_policies()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
}
