//! The HTTP layer under injected faults, TLS and proxy rules, and its logging hooks.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use http_support::*;
use outlook_qr_guard::exo::{ExchangeClient, ExchangeOptions, ExoError, MobileDeviceQuery, Page};
use outlook_qr_guard::http::{HttpClient, HttpError, HttpOptions, ProxyConfig, RetryReason};
use serde_json::Value;
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule};

fn exchange_with(emu: &Emulator, http: HttpClient) -> ExchangeClient {
    ExchangeClient::new(
        provider(emu, secret_credential(emu), http),
        ExchangeOptions::app_only(&emu.credentials().tenant_domain),
    )
}

async fn paged_emulator() -> Emulator {
    emulator(EmulatorOptions {
        users: 60,
        devices: 400,
        exo_page_size: 50,
        ..EmulatorOptions::default()
    })
    .await
}

async fn list_all(exo: &ExchangeClient) -> Result<Vec<Value>, ExoError> {
    let pages: Vec<Page<Value>> = exo
        .list_mobile_devices(&MobileDeviceQuery::outlook_mobile())
        .try_collect()
        .await?;
    Ok(pages.into_iter().flat_map(|p| p.items).collect())
}

fn exo_requests(emu: &Emulator) -> Vec<tenant_emulator::RequestRecord> {
    emu.journal()
        .requests_to(EndpointClass::ExchangeInvokeCommand)
        .cloned()
        .collect()
}

/// Each fault, injected on every 3rd InvokeCommand request, is absorbed; the result is exactly
/// the ground truth and the journal shows one extra request per injected fault.
#[tokio::test]
async fn transient_exchange_faults_are_retried() {
    let emu = paged_emulator().await;
    let expected = emu.seeded_devices_json(Some(MobileDeviceQuery::OUTLOOK_MOBILE_MODEL));
    let pages = expected.len().div_ceil(50);
    for fault in [
        Fault::Throttle {
            retry_after: "0.2".into(),
        },
        // An HTTP-date one second ahead.
        Fault::Throttle {
            retry_after: tenant_emulator::http_date(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64
                    + 1,
            ),
        },
        Fault::ServerError {
            status: 503,
            retry_after: None,
        },
        Fault::ServerError {
            status: 500,
            retry_after: Some("0".into()),
        },
        Fault::ResetMidBody,
        Fault::TruncatedJson,
        Fault::HtmlErrorPage { status: 502 },
        Fault::ExpiredToken,
    ] {
        emu.reset_journal();
        emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::ExchangeInvokeCommand,
            fault.clone(),
            3,
        )));
        let logger = Arc::new(MemoryLogger::default());
        let exo = exchange_with(&emu, http_with(&emu, logger.clone()));
        let got = list_all(&exo)
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(got, expected, "{fault:?}");
        let requests = exo_requests(&emu);
        let faulted = requests.iter().filter(|r| r.fault.is_some()).count();
        assert!(faulted > 0, "{fault:?} was injected");
        assert_eq!(
            requests.len(),
            pages + faulted,
            "{fault:?}: one retry per fault"
        );
        let retries = logger.retries.lock().unwrap();
        assert_eq!(retries.len(), faulted, "{fault:?}: each retry logged");
        let want = match fault {
            Fault::Throttle { .. } => RetryReason::Throttled,
            Fault::ServerError { .. } | Fault::HtmlErrorPage { .. } => RetryReason::ServerError,
            Fault::ResetMidBody => RetryReason::Connection,
            Fault::TruncatedJson => RetryReason::MalformedResponse,
            Fault::ExpiredToken => RetryReason::TokenRejected,
            Fault::Latency(_) => unreachable!(),
        };
        assert!(
            retries.iter().all(|r| r.reason == want),
            "{fault:?}: {retries:?}"
        );
        if let Fault::Throttle { retry_after } = &fault
            && retry_after == "0.2"
        {
            assert!(
                retries
                    .iter()
                    .all(|r| r.delay == Duration::from_millis(200))
            );
        }
    }
}

#[tokio::test]
async fn expired_tokens_mid_run_cause_exactly_one_refresh() {
    let emu = paged_emulator().await;
    let exo = exchange_with(&emu, http(&emu));
    exo.get_organization_config().await.unwrap();
    let issued = emu.journal().tokens_issued;
    emu.expire_all_tokens();
    let got = list_all(&exo).await.unwrap();
    assert!(!got.is_empty());
    assert_eq!(emu.journal().tokens_issued, issued + 1);
    let unauthorized = exo_requests(&emu)
        .iter()
        .filter(|r| r.status == 401)
        .count();
    assert_eq!(unauthorized, 1);
}

#[tokio::test]
async fn persistent_malformed_pages_end_in_a_protocol_error_quoting_the_body() {
    let emu = paged_emulator().await;
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::ExchangeInvokeCommand,
        Fault::HtmlErrorPage { status: 200 },
        1.0,
    )));
    let exo = exchange_with(&emu, http(&emu));
    let err = list_all(&exo).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ExoError::Protocol(_)), "{err:?}");
    assert!(text.contains('<'), "quotes the first bytes: {text}");
    // The first attempt plus max_malformed_retries (2).
    assert_eq!(exo_requests(&emu).len(), 3);

    emu.reset_journal();
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::ExchangeInvokeCommand,
        Fault::TruncatedJson,
        1.0,
    )));
    let err = list_all(&exo).await.unwrap_err();
    assert!(err.to_string().contains("ends early"), "{err}");
    assert_eq!(exo_requests(&emu).len(), 3);
}

#[tokio::test]
async fn throttling_is_bounded() {
    let emu = paged_emulator().await;
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::ExchangeInvokeCommand,
        Fault::Throttle {
            retry_after: "0.1".into(),
        },
        1.0,
    )));
    let exo = exchange_with(&emu, http(&emu));
    let err = exo.get_organization_config().await.unwrap_err();
    assert!(matches!(err, ExoError::Throttled { .. }), "{err:?}");
    assert_eq!(
        exo_requests(&emu).len(),
        fast_retries().max_attempts as usize
    );
    // A Retry-After beyond the policy's ceiling: give up at once instead of sleeping.
    emu.reset_journal();
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::ExchangeInvokeCommand,
        Fault::Throttle {
            retry_after: "3600".into(),
        },
        1.0,
    )));
    let started = std::time::Instant::now();
    assert!(exo.get_organization_config().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(exo_requests(&emu).len(), 1);
}

#[tokio::test]
async fn every_request_has_a_fresh_client_request_id_and_logs_no_query() {
    let emu = paged_emulator().await;
    let logger = Arc::new(MemoryLogger::default());
    let exo = exchange_with(&emu, http_with(&emu, logger.clone()));
    list_all(&exo).await.unwrap();
    let journal = emu.journal();
    let ids: Vec<String> = journal
        .requests
        .iter()
        .map(|r| r.client_request_id.clone().expect("client-request-id sent"))
        .collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    let logged = logger.requests.lock().unwrap();
    assert_eq!(logged.len(), journal.requests.len());
    assert!(
        logged
            .iter()
            .all(|e| !e.path.contains('?') && !e.path.contains("skiptoken"))
    );
    assert!(
        logged
            .iter()
            .any(|e| e.path.ends_with("/InvokeCommand") && e.status == Some(200))
    );
    let logged_ids: std::collections::HashSet<String> = logged
        .iter()
        .map(|e| e.client_request_id.to_string())
        .collect();
    assert!(ids.iter().all(|id| logged_ids.contains(id)));
}

#[tokio::test]
async fn tls_is_verified_against_the_trusted_ca() {
    let emu = paged_emulator().await;
    let untrusting = HttpClient::new(HttpOptions {
        retry: fast_retries(),
        ..HttpOptions::default()
    })
    .unwrap();
    let err = exchange_with(&emu, untrusting)
        .get_organization_config()
        .await
        .unwrap_err();
    let ExoError::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    let outlook_qr_guard::auth::AuthError::Http(HttpError::Transport {
        attempts, reason, ..
    }) = auth
    else {
        panic!("{auth:?}")
    };
    // The same certificate fails every time: no retries, and a message that says what to do.
    assert_eq!(*attempts, 1, "{reason}");
    assert!(
        reason.contains("not trusted") && reason.contains("-TrustedRootCertificatePath"),
        "{reason}"
    );
    assert_eq!(
        emu.journal().requests.len(),
        0,
        "no request got through an untrusted TLS session"
    );
}

#[tokio::test]
async fn plain_http_only_when_explicitly_allowed_for_loopback() {
    let emu = emulator(EmulatorOptions {
        tls: false,
        users: 20,
        devices: 20,
        ..EmulatorOptions::default()
    })
    .await;
    let strict = HttpClient::new(HttpOptions::default()).unwrap();
    let err = exchange_with(&emu, strict)
        .get_organization_config()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("plain HTTP"), "{err}");
    assert_eq!(emu.journal().requests.len(), 0);
    let allowed = HttpClient::new(HttpOptions {
        allow_plain_http_to_loopback: true,
        ..HttpOptions::default()
    })
    .unwrap();
    exchange_with(&emu, allowed)
        .get_organization_config()
        .await
        .unwrap();
}

#[tokio::test]
async fn loopback_bypasses_a_configured_proxy() {
    let emu = paged_emulator().await;
    // Nothing listens on port 9: any request sent through this proxy would fail.
    let http = HttpClient::new(HttpOptions {
        proxy: ProxyConfig::Explicit {
            url: "http://127.0.0.1:9".into(),
            username: None,
            password: None,
        },
        extra_root_certificates_pem: vec![emu.ca_certificate_pem()],
        retry: fast_retries(),
        ..HttpOptions::default()
    })
    .unwrap();
    exchange_with(&emu, http)
        .get_organization_config()
        .await
        .unwrap();
}

#[tokio::test]
async fn token_endpoint_throttling_and_resets_are_retried() {
    let emu = paged_emulator().await;
    // Token requests: #1 ok, #2 throttled, #3 reset mid-body, #4 throttled, #5 ok.
    emu.set_faults(
        FaultPlan::none()
            .with_rule(FaultRule::every_nth(
                EndpointClass::Token,
                Fault::Throttle {
                    retry_after: "0.1".into(),
                },
                2,
            ))
            .with_rule(FaultRule::every_nth(
                EndpointClass::Token,
                Fault::ResetMidBody,
                3,
            )),
    );
    let tokens = secret_provider(&emu);
    tokens
        .token(outlook_qr_guard::cloud::Resource::Graph)
        .await
        .unwrap();
    tokens
        .token(outlook_qr_guard::cloud::Resource::Exchange)
        .await
        .unwrap();
    assert_eq!(emu.journal().requests_to(EndpointClass::Token).count(), 5);
}
