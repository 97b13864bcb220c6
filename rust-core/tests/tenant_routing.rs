//! Which tenant the Exchange calls address: the token's `tid` in the URL and the app-only
//! anchor, whatever -Organization was (issue #13 item 4). Against the emulator (a vanity domain
//! breaks page 2 there, as reported) and, for the exact request line and headers, against a
//! one-shot recording server on loopback.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use outlook_qr_guard::exo::{AnchorMailbox, MobileDeviceQuery};
use outlook_qr_guard::export::CsvOptions;
use outlook_qr_guard::ops::export::{ExportSpec, export};
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ANCHOR_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

async fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions {
        users: 40,
        devices: 90,
        exo_page_size: 10,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

fn spec_for(emu: &Emulator, tenant: &str, method: ConnectMethod) -> ConnectSpec {
    http_support::emulator_spec(emu, tenant, method)
}

async fn connect_secret_app(emu: &Emulator, tenant: &str) -> Session {
    let app = emu.credentials().secret_app;
    let method = ConnectMethod::ClientSecret {
        client_id: app.client_id.clone(),
        secret: secret(app.client_secret.clone()),
    };
    Session::connect(
        spec_for(emu, tenant, method),
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap()
}

fn export_spec(path: &Path) -> ExportSpec {
    ExportSpec {
        path: path.to_path_buf(),
        overwrite: false,
        create_directory: false,
        options: CsvOptions::default(),
        query: MobileDeviceQuery::outlook_mobile(),
        evidence: None,
    }
}

/// The `{tenant}` segments of every InvokeCommand the emulator saw.
fn invoke_tenants(emu: &Emulator) -> Vec<String> {
    emu.journal()
        .requests_to(EndpointClass::ExchangeInvokeCommand)
        .map(|r| r.path.split('/').nth(3).unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_page_export_succeeds_whatever_organization_was_typed() {
    let emu = emulator().await;
    let c = emu.credentials();
    let outlook = emu
        .seeded_devices_json(Some("Outlook for iOS and Android"))
        .len();
    assert!(outlook > 10, "the export must span several pages");
    let dir = tempfile::tempdir().unwrap();
    for typed in [
        c.tenant_vanity_domain.clone(),
        c.tenant_domain.clone(),
        c.tenant_id.clone(),
        c.tenant_id.to_uppercase(),
    ] {
        emu.reset_journal();
        let session = connect_secret_app(&emu, &typed).await;
        assert_eq!(
            session.exchange.options().anchor,
            AnchorMailbox::AppOnlyTenantId {
                tenant_id: c.tenant_id.parse().unwrap()
            },
            "{typed}"
        );
        let path = dir.path().join(format!("{}.csv", typed.replace('.', "_")));
        let outcome = export(&session, export_spec(&path), |_| {}).await.unwrap();
        assert_eq!(outcome.devices as usize, outlook, "{typed}");
        assert!(outcome.pages > 1, "{typed}");
        let tenants = invoke_tenants(&emu);
        assert!(tenants.len() > 2, "{typed}: {tenants:?}");
        assert!(
            tenants.iter().all(|t| *t == c.tenant_id),
            "{typed}: every call addresses the tenant id, got {tenants:?}"
        );
    }
}

/// A request as it arrived: the request line and the headers (names lower-cased).
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

const ORG_CONFIG: &str =
    r#"{"@odata.context":"x","value":[{"Name":"Contoso","MobileAppEducationEnabled":true}]}"#;

/// Plain-HTTP loopback server that records each request and answers one-page
/// Get-OrganizationConfig results.
async fn recording_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
    scripted_server(vec![ORG_CONFIG.to_owned()]).await
}

/// Records each request and answers the n-th with `replies[n]` (the last one repeats);
/// `{base}` in a reply becomes the server's own base URL.
async fn scripted_server(replies: Vec<String>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let replies: Vec<String> = replies.iter().map(|r| r.replace("{base}", &base)).collect();
    let replies = Arc::new(replies);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            let replies = Arc::clone(&replies);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let request_line = lines.next().unwrap_or_default().to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + 4 + length {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = {
                    let mut seen = record.lock().unwrap();
                    seen.push(Seen {
                        request_line,
                        headers,
                    });
                    replies[(seen.len() - 1).min(replies.len() - 1)].clone()
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, seen)
}

/// An unsigned JWT with these claims (the engine reads, never verifies, its own token).
fn token_with(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

async fn connect_with_token(base: &str, tenant: &str, token: String) -> Session {
    Session::connect(
        ConnectSpec {
            tenant: tenant.to_owned(),
            environment: "Global".into(),
            authority_uri: Some(base.to_owned()),
            exchange_uri: Some(base.to_owned()),
            graph_uri: Some(base.to_owned()),
            trusted_root_pem: None,
            allow_http_loopback: true,
            allow_custom_endpoint: false,
            proxy_uri: None,
            proxy_username: None,
            proxy_password: None,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::AccessToken {
                exchange: Some(secret(token)),
                graph: None,
            },
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap()
}

const TID: &str = "0b7c5d3a-2f41-4e9b-8c6d-1a2b3c4d5e6f";

#[tokio::test]
async fn app_only_requests_carry_the_token_tid_in_the_url_and_the_anchor() {
    let (base, seen) = recording_server().await;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let token =
        token_with(serde_json::json!({"tid": TID, "exp": exp, "roles": ["Exchange.ManageAsApp"]}));
    connect_with_token(&base, "contoso.com", token).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].request_line,
        format!("POST /adminapi/beta/{TID}/InvokeCommand HTTP/1.1")
    );
    assert_eq!(
        seen[0].header("x-anchormailbox"),
        Some(format!("APP:{ANCHOR_MAILBOX}@{TID}").as_str())
    );
}

#[tokio::test]
async fn delegated_requests_anchor_on_the_admin_and_address_the_tid() {
    let (base, seen) = recording_server().await;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let token = token_with(
        serde_json::json!({"tid": TID, "exp": exp, "upn": "admin@contoso.com", "scp": "Exchange.Manage"}),
    );
    connect_with_token(&base, "contoso.com", token).await;
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].request_line,
        format!("POST /adminapi/beta/{TID}/InvokeCommand HTTP/1.1")
    );
    assert_eq!(
        seen[0].header("x-anchormailbox"),
        Some("UPN:admin@contoso.com")
    );
}

#[tokio::test]
async fn without_tid_a_guid_organization_is_the_tenant_and_a_bare_name_is_refused() {
    let (base, seen) = recording_server().await;
    // Not a JWT: nothing to read.
    connect_with_token(&base, &TID.to_uppercase(), "opaque".into()).await;
    let first = seen.lock().unwrap()[0].clone();
    assert_eq!(
        first.request_line,
        format!("POST /adminapi/beta/{TID}/InvokeCommand HTTP/1.1")
    );
    assert_eq!(
        first.header("x-anchormailbox"),
        Some(format!("APP:{ANCHOR_MAILBOX}@{TID}").as_str())
    );

    let err = Session::connect(
        ConnectSpec {
            tenant: "contoso".into(),
            environment: "Global".into(),
            authority_uri: Some(base.clone()),
            exchange_uri: Some(base.clone()),
            graph_uri: Some(base.clone()),
            trusted_root_pem: None,
            allow_http_loopback: true,
            allow_custom_endpoint: false,
            proxy_uri: None,
            proxy_username: None,
            proxy_password: None,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::AccessToken {
                exchange: Some(secret("opaque".to_owned())),
                graph: None,
            },
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .err()
    .unwrap();
    assert!(err.message.contains("'contoso'"), "{}", err.message);
    assert_eq!(seen.lock().unwrap().len(), 1, "nothing sent for a bad name");
}

/// Connects (one Get-OrganizationConfig), then lists devices over the scripted pages.
async fn list_devices(replies: &[&str]) -> (Result<usize, String>, Vec<Seen>) {
    let mut all = vec![ORG_CONFIG.to_owned()];
    all.extend(replies.iter().map(|r| (*r).to_owned()));
    let (base, seen) = scripted_server(all).await;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let session = connect_with_token(
        &base,
        "contoso.com",
        token_with(serde_json::json!({"tid": TID, "exp": exp})),
    )
    .await;
    let listed = session
        .exchange
        .invoke_all::<serde_json::Value>("Get-MobileDevice", serde_json::Map::new())
        .await
        .map(|(items, _)| items.len())
        .map_err(|e| e.to_string());
    let seen = seen.lock().unwrap().clone();
    (listed, seen)
}

#[tokio::test]
async fn next_links_are_followed_exactly_as_given_on_the_same_host() {
    // The service's link names the tenant its own way; the engine does not rewrite it.
    let (listed, seen) = list_devices(&[
        r#"{"value":[{"DeviceId":"a"}],"@odata.nextLink":"{base}/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=p2%2B&$select=DeviceId"}"#,
        r#"{"value":[{"DeviceId":"b"}]}"#,
    ])
    .await;
    assert_eq!(listed, Ok(2));
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[1].request_line,
        format!("POST /adminapi/beta/{TID}/InvokeCommand HTTP/1.1")
    );
    assert_eq!(
        seen[2].request_line,
        "POST /adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=p2%2B&$select=DeviceId HTTP/1.1"
    );
    // The anchor stays the tenant id's.
    assert_eq!(
        seen[2].header("x-anchormailbox"),
        Some(format!("APP:{ANCHOR_MAILBOX}@{TID}").as_str())
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    for elsewhere in [
        "https://outlook.office365.com.evil.example/adminapi/beta/x/InvokeCommand?$skiptoken=1",
        "http://127.0.0.1:1/adminapi/beta/x/InvokeCommand?$skiptoken=1",
    ] {
        let first = format!(r#"{{"value":[{{"DeviceId":"a"}}],"@odata.nextLink":"{elsewhere}"}}"#);
        let (listed, seen) = list_devices(&[&first]).await;
        let err = listed.unwrap_err();
        assert!(err.contains("another host"), "{err}");
        assert_eq!(seen.len(), 2, "nothing sent after the bad link: {seen:?}");
    }
}
