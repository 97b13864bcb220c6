//! Tokens go only where they belong (#14 item 7): an endpoint override outside the chosen
//! cloud and loopback is refused before anything is sent, another cloud's host even with
//! `allow_custom_endpoint`, and the HTTP layer attaches a bearer token only to the session's
//! host for that service.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_support::*;
use outlook_qr_guard::cloud::Resource;
use outlook_qr_guard::http::{HttpError, Request};
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, FailureKind, Session};
use outlook_qr_guard::secret::secret;
use tenant_emulator::Emulator;
use tokio::net::TcpListener;

/// A listener that must not be contacted: counts the connections it accepts.
async fn tripwire() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, hits)
}

/// Overrides to the emulator unless replaced; the explicit proxy is the tripwire, so any
/// request to a non-loopback host would reach it (loopback never goes through a proxy).
fn spec(emu: &Emulator, proxy_port: u16, allow_custom: bool) -> ConnectSpec {
    let c = emu.credentials();
    let base = emu.base_url();
    ConnectSpec {
        tenant: c.tenant_domain.clone(),
        environment: "Global".into(),
        authority_uri: Some(base.clone()),
        exchange_uri: Some(base.clone()),
        graph_uri: Some(base),
        trusted_root_pem: Some(emu.ca_certificate_pem()),
        allow_http_loopback: false,
        allow_custom_endpoint: allow_custom,
        proxy_uri: Some(format!("http://127.0.0.1:{proxy_port}")),
        proxy_username: None,
        proxy_password: None,
        legacy_assertion: false,
        user_principal_name: None,
        method: ConnectMethod::ClientSecret {
            client_id: c.secret_app.client_id.clone(),
            secret: secret(c.secret_app.client_secret.clone()),
        },
    }
}

async fn connect(spec: ConnectSpec) -> Result<Session, outlook_qr_guard::ops::OpError> {
    Session::connect(spec, tokio_util::sync::CancellationToken::new()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_overrides_need_no_switch_and_keep_the_cloud_audiences() {
    let emu = default_emulator().await;
    let (port, hits) = tripwire().await;
    let session = connect(spec(&emu, port, false)).await.expect("connects");
    assert_eq!(session.summary.environment, "Global (custom endpoints)");
    assert!(session.summary.custom_endpoints.is_empty());
    assert_eq!(
        session
            .tokens
            .environment()
            .default_scope(Resource::Exchange),
        "https://outlook.office365.com/.default"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_host_without_the_switch_is_refused_and_nothing_is_sent() {
    let emu = default_emulator().await;
    let (port, hits) = tripwire().await;
    let mut s = spec(&emu, port, false);
    s.authority_uri = Some("https://login.proxy.contoso.com".into());
    emu.reset_journal();
    let e = connect(s).await.err().expect("refused");
    assert_eq!(e.kind, FailureKind::InvalidArgument);
    for part in [
        "-AuthorityUri",
        "login.proxy.contoso.com",
        "Global",
        "-AllowCustomEndpoint",
    ] {
        assert!(e.message.contains(part), "{part}: {}", e.message);
    }
    assert_eq!(e.target, "login.proxy.contoso.com");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the secret went nowhere");
    assert!(
        emu.journal().requests.is_empty(),
        "nothing reached the emulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_switch_the_custom_host_is_contacted_and_reported() {
    // The counterpart of the test above: the same override with the switch does go out
    // (through the tripwire proxy), so the tripwire can see a request.
    let emu = default_emulator().await;
    let (port, hits) = tripwire().await;
    let mut s = spec(&emu, port, true);
    s.authority_uri = Some("https://login.proxy.contoso.com".into());
    let e = connect(s)
        .await
        .err()
        .expect("the tripwire answers nothing");
    assert_eq!(e.kind, FailureKind::Connection, "{}", e.message);
    assert!(hits.load(Ordering::SeqCst) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_clouds_host_is_refused_even_with_the_switch() {
    let emu = default_emulator().await;
    let (port, hits) = tripwire().await;
    for (authority, exchange, parameter, host) in [
        (
            Some("https://login.microsoftonline.us"),
            None,
            "-AuthorityUri",
            "login.microsoftonline.us",
        ),
        (
            None,
            Some("https://outlook.office365.us"),
            "-ExchangeUri",
            "outlook.office365.us",
        ),
    ] {
        let mut s = spec(&emu, port, true);
        if let Some(a) = authority {
            s.authority_uri = Some(a.into());
        }
        if let Some(x) = exchange {
            s.exchange_uri = Some(x.into());
        }
        emu.reset_journal();
        let e = connect(s).await.err().expect("refused");
        assert_eq!(e.kind, FailureKind::InvalidArgument);
        for part in [
            parameter,
            host,
            "Global",
            "USGovGCCHigh",
            "not accepted in another",
        ] {
            assert!(e.message.contains(part), "{part}: {}", e.message);
        }
        assert!(emu.journal().requests.is_empty(), "no token was requested");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_layer_attaches_a_bearer_only_to_the_sessions_host() {
    let emu = default_emulator().await;
    let (port, hits) = tripwire().await;
    let tokens = secret_provider(&emu);
    let client = http(&emu);
    let elsewhere = url::Url::parse(&format!("https://127.0.0.1:{port}/v1.0/users")).expect("url");
    emu.reset_journal();
    let bearer = tokens.bearer(Resource::Graph);
    let e = client
        .send(
            &Request::new(reqwest::Method::GET, elsewhere),
            Some(&bearer),
            |_| Ok(()),
        )
        .await
        .expect_err("refused");
    assert!(matches!(e, HttpError::BearerRefused { .. }), "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent there");
    assert!(
        emu.journal().requests.is_empty(),
        "no token was even fetched"
    );
    // The session's own Graph host does get it.
    let own = tokens.environment().graph_url(&["users"]);
    client
        .send(
            &Request::new(reqwest::Method::GET, own),
            Some(&bearer),
            |_| Ok(()),
        )
        .await
        .expect("the session's Graph host is served");
}
