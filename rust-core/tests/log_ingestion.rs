//! Send-OutlookQrGuardLog's engine against the emulator's Logs Ingestion API over real sockets:
//! every row arrives once and in order, batches stay under the limit (so no 413), throttling is
//! retried, refusals name what to fix, -WhatIf sends nothing.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::sync::Arc;

use http_support::*;
use outlook_qr_guard::auth::{Credential, TokenProvider};
use outlook_qr_guard::ops::evidence::{self, EvidenceSpec};
use outlook_qr_guard::ops::log_ingestion::{DriftInput, LogSendSpec, send};
use outlook_qr_guard::ops::{FailureKind, prompt};
use outlook_qr_guard::secret::secret;
use serde_json::Value;
use tenant_emulator::well_known::{LOGS_INGESTION_RULE_ID, LOGS_INGESTION_STREAM};
use tenant_emulator::{Emulator, EndpointClass, Fault, FaultPlan, FaultRule};

fn drift(n: usize) -> Vec<DriftInput> {
    (0..n)
        .map(|i| DriftInput {
            what: format!("OrganizationConfig.Setting{i}"),
            from: "False".into(),
            to: "True".into(),
            severity: if i % 2 == 0 { "High" } else { "Low" }.into(),
        })
        .collect()
}

fn spec(emu: &Emulator) -> LogSendSpec {
    LogSendSpec {
        endpoint: emu.base_url(),
        rule_id: LOGS_INGESTION_RULE_ID.into(),
        stream: LOGS_INGESTION_STREAM.into(),
        include_check: true,
        evidence: None,
        drift: Vec::new(),
        what_if: false,
        batch_limit: None,
    }
}

fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn rows_received(emu: &Emulator) -> Vec<Value> {
    emu.logs_ingested()
        .into_iter()
        .flat_map(|c| c.rows)
        .collect()
}

#[tokio::test]
async fn check_drift_and_evidence_rows_all_arrive_once() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    let evidence = EvidenceSpec::default();
    let expected_signins = {
        let mut listing = evidence::SigninListing::start(&session, &evidence).unwrap();
        let mut n = 0;
        while let Some(page) = listing.next_page().await {
            n += page.unwrap().events.len();
        }
        n
    };
    assert!(expected_signins > 0);
    let mut progress = Vec::new();
    let outcome = send(
        &session,
        LogSendSpec {
            evidence: Some(evidence),
            drift: drift(3),
            ..spec(&emu)
        },
        |done, total| progress.push((done, total)),
    )
    .await
    .unwrap();
    assert_eq!(outcome.check_rows, 1);
    assert_eq!(outcome.drift_rows, 3);
    assert_eq!(outcome.evidence_rows as usize, expected_signins);
    assert_eq!(outcome.rows as usize, 4 + expected_signins);
    let rows = rows_received(&emu);
    assert_eq!(rows.len() as u64, outcome.rows);
    assert_eq!(progress.last(), Some(&(outcome.rows, outcome.rows)));
    // Every call was gzip, under the limit.
    for call in emu.logs_ingested() {
        assert_eq!(call.content_encoding.as_deref(), Some("gzip"));
        assert!(call.decoded_bytes <= 1_000_000);
    }
    assert_eq!(outcome.batches as usize, emu.logs_ingested().len());
    let tenant_id = emu.credentials().tenant_id;
    let check = prompt::check_both(&session).await.unwrap();
    assert_eq!(rows[0]["RecordType"], "CheckResult");
    assert_eq!(rows[0]["Verdict"], check.verdict.as_str());
    assert_eq!(rows[0]["Exposed"], check.exposed);
    assert_eq!(rows[0]["EntraTenantId"], tenant_id.as_str());
    assert_eq!(rows[1]["RecordType"], "DriftDifference");
    assert_eq!(rows[1]["DriftWhat"], "OrganizationConfig.Setting0");
    assert_eq!(rows[1]["Severity"], "High");
    let signin = &rows[4];
    assert_eq!(signin["RecordType"], "TransferSignin");
    assert!(signin["UserPrincipalName"].as_str().unwrap().contains('@'));
    assert!(signin["SigninId"].is_string() && signin["TimeGenerated"].is_string());
    let ids: std::collections::HashSet<&str> = rows[4..]
        .iter()
        .map(|r| r["SigninId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), expected_signins, "each sign-in once");
}

#[tokio::test]
async fn small_batches_split_in_order_and_never_hit_413() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    let outcome = send(
        &session,
        LogSendSpec {
            drift: drift(200),
            batch_limit: Some(4_000),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap();
    let calls = emu.logs_ingested();
    assert!(calls.len() > 5, "{}", calls.len());
    assert_eq!(outcome.batches as usize, calls.len());
    assert!(calls.iter().all(|c| c.decoded_bytes <= 4_000));
    let rows = rows_received(&emu);
    assert_eq!(rows.len(), 201);
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row["DriftWhat"], format!("OrganizationConfig.Setting{i}"));
    }
    assert!(emu.journal().requests.iter().all(|r| r.status != 413));
}

#[tokio::test]
async fn throttled_batches_are_retried_after_retry_after() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
        EndpointClass::LogsIngestion,
        Fault::Throttle {
            retry_after: "0".into(),
        },
        2,
    )));
    send(
        &session,
        LogSendSpec {
            drift: drift(50),
            batch_limit: Some(2_000),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap();
    let statuses: Vec<u16> = emu
        .journal()
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::LogsIngestion)
        .map(|r| r.status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let rows = rows_received(&emu);
    assert_eq!(rows.len(), 51, "each row once despite the 429s");
}

#[tokio::test]
async fn a_503_is_resent_like_azure_core_does_and_a_400_is_not() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
        EndpointClass::LogsIngestion,
        Fault::ServerError {
            status: 503,
            retry_after: Some("0".into()),
        },
        2,
    )));
    send(
        &session,
        LogSendSpec {
            drift: drift(30),
            batch_limit: Some(2_000),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap();
    let statuses: Vec<u16> = emu
        .journal()
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::LogsIngestion)
        .map(|r| r.status)
        .collect();
    assert!(statuses.contains(&503), "{statuses:?}");
    assert_eq!(rows_received(&emu).len(), 31);
    // A refusal is final: one request, no retry.
    emu.set_faults(FaultPlan::none());
    emu.reset_journal();
    let e = send(
        &session,
        LogSendSpec {
            stream: "Custom-Other".into(),
            include_check: false,
            drift: drift(1),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, FailureKind::InvalidArgument);
    assert_eq!(count_requests(&emu, "dataCollectionRules"), 1);
}

#[tokio::test]
async fn what_if_counts_and_sends_nothing() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    let outcome = send(
        &session,
        LogSendSpec {
            drift: drift(10),
            what_if: true,
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap();
    assert!(outcome.what_if);
    assert_eq!(outcome.rows, 11);
    assert_eq!(outcome.batches, 1);
    assert!(outcome.bytes > 0);
    assert!(emu.logs_ingested().is_empty());
    assert_eq!(count_requests(&emu, "dataCollectionRules"), 0);
}

#[tokio::test]
async fn bad_targets_fail_before_any_request_and_refusals_say_what_to_fix() {
    let emu = default_emulator().await;
    let session = full_session(&emu).await;
    emu.reset_journal();
    let e = send(
        &session,
        LogSendSpec {
            rule_id: "my-rule".into(),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, FailureKind::InvalidArgument);
    assert!(e.message.contains("-RuleId 'my-rule'"), "{}", e.message);
    assert!(emu.journal().requests.is_empty(), "nothing read or sent");
    let e = send(
        &session,
        LogSendSpec {
            include_check: false,
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "NothingToSend");
    assert!(emu.journal().requests.is_empty());
    // An unknown rule: the service's 404 with the hint.
    let e = send(
        &session,
        LogSendSpec {
            rule_id: "dcr-00000000000000000000000000000000".into(),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, FailureKind::NotFound);
    assert_eq!(e.code, "NotFound");
    // The ids support asks for: the x-ms-client-request-id sent, the service's x-ms-request-id.
    let (client_id, request_id) = e.call_id_texts();
    assert!(uuid::Uuid::parse_str(&client_id).is_ok(), "{client_id}");
    assert!(uuid::Uuid::parse_str(&request_id).is_ok(), "{request_id}");
    assert_ne!(client_id, request_id);
    assert!(e.message.contains("-RuleId"), "{}", e.message);
    // A stream the rule does not declare.
    let e = send(
        &session,
        LogSendSpec {
            stream: "Custom-Other".into(),
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "InvalidStream");
    assert!(e.message.contains("0 rows before it"), "{}", e.message);
}

#[tokio::test]
async fn an_app_without_the_publisher_role_gets_the_403_with_the_role_to_grant() {
    let emu = default_emulator().await;
    let creds = emu.credentials();
    let provider: Arc<TokenProvider> = provider(
        &emu,
        Credential::ClientSecret {
            tenant: creds.tenant_id.clone(),
            client_id: creds.no_role_app.client_id.clone(),
            secret: secret(creds.no_role_app.client_secret.clone()),
        },
        http(&emu),
    );
    let env = provider.environment().clone();
    let target = outlook_qr_guard::monitor::IngestionTarget::new(
        &env,
        &emu.base_url(),
        LOGS_INGESTION_RULE_ID,
        LOGS_INGESTION_STREAM,
    )
    .unwrap();
    let batches = outlook_qr_guard::monitor::batch_rows(
        &[outlook_qr_guard::monitor::LogRow::default()],
        1_000,
    )
    .unwrap();
    let e = outlook_qr_guard::monitor::send_batches(
        provider.http(),
        &provider,
        &target,
        &batches,
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert_eq!(e.code, "OperationFailed");
    assert!(
        e.message.contains("Monitoring Metrics Publisher"),
        "{}",
        e.message
    );
    // The token went to the monitor audience, with the SDK's scope.
    assert!(emu.logs_ingested().is_empty());
}

#[tokio::test]
async fn a_managed_identity_session_sends_with_its_own_monitor_token() {
    use outlook_qr_guard::ops::{ConnectMethod, Session};
    let emu = default_emulator().await;
    let mi = emu.credentials().managed_identity;
    let method = ConnectMethod::ManagedIdentity {
        client_id: None,
        endpoint: Some((
            mi.identity_endpoint.clone(),
            secret(mi.identity_header.clone()),
        )),
    };
    let session = Session::connect(
        emulator_spec(&emu, &emu.credentials().tenant_id, method),
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    let before = count_requests(&emu, "/msi/token");
    let outcome = send(
        &session,
        LogSendSpec {
            drift: drift(2),
            include_check: false,
            ..spec(&emu)
        },
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(outcome.rows, 2);
    assert_eq!(rows_received(&emu).len(), 2);
    // The monitor token was asked for only now, from the identity endpoint.
    assert_eq!(count_requests(&emu, "/msi/token"), before + 1);
}

/// Delegated: the signed-in admin's refresh token also gets a monitor token (Azure Monitor's
/// delegated `user_impersonation`; Azure.Monitor.Ingestion TROUBLESHOOTING.md: "the application
/// or user making the request" needs Monitoring Metrics Publisher on the rule).
#[tokio::test]
async fn a_device_code_session_sends_with_a_delegated_monitor_token() {
    use outlook_qr_guard::auth::{DeviceCodeConfig, DeviceCodePrompt};
    use outlook_qr_guard::cloud::Resource;
    use outlook_qr_guard::secret::ExposeSecret;
    let emu = Arc::new(
        emulator(tenant_emulator::EmulatorOptions {
            users: 20,
            devices: 10,
            device_code_interval: std::time::Duration::from_secs(1),
            ..tenant_emulator::EmulatorOptions::default()
        })
        .await,
    );
    let c = emu.credentials();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let config = DeviceCodeConfig {
        tenant: c.tenant_id.clone(),
        client_id: c.public_client_id.clone(),
        prompt: Arc::new(move |p: &DeviceCodePrompt| {
            let _ = tx.send(p.user_code.clone());
        }),
        cancel: tokio_util::sync::CancellationToken::new(),
        market: None,
    };
    let approver = {
        let emu = emu.clone();
        let admin = c.admin_upn.clone();
        tokio::spawn(async move {
            if let Some(code) = rx.recv().await {
                tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
                assert!(emu.approve_device_code(&code, &admin));
            }
        })
    };
    let tokens = provider(&emu, Credential::DeviceCode(config), http(&emu));
    tokens.token(Resource::Exchange).await.unwrap();
    approver.abort();
    let monitor = tokens.token(Resource::Monitor).await.unwrap();
    let monitor_claims = claims(monitor.expose_secret());
    assert_eq!(monitor_claims["aud"], "https://monitor.azure.com");
    assert_eq!(monitor_claims["scp"], "user_impersonation");
    let env = tokens.environment().clone();
    let target = outlook_qr_guard::monitor::IngestionTarget::new(
        &env,
        &emu.base_url(),
        LOGS_INGESTION_RULE_ID,
        LOGS_INGESTION_STREAM,
    )
    .unwrap();
    let batches = outlook_qr_guard::monitor::batch_rows(
        &[outlook_qr_guard::monitor::LogRow::default()],
        1_000,
    )
    .unwrap();
    outlook_qr_guard::monitor::send_batches(tokens.http(), &tokens, &target, &batches, |_| {})
        .await
        .unwrap();
    assert_eq!(emu.logs_ingested().len(), 1);
    assert_eq!(
        count_requests(&emu, "/devicecode"),
        1,
        "one sign-in for both resources"
    );
}

#[tokio::test]
async fn an_access_token_session_is_told_it_cannot_send_before_anything_is_read() {
    use outlook_qr_guard::cloud::Resource;
    use outlook_qr_guard::ops::{ConnectMethod, Session};
    let emu = default_emulator().await;
    let app = secret_provider(&emu);
    let exchange = app.token(Resource::Exchange).await.unwrap();
    let graph = app.token(Resource::Graph).await.unwrap();
    let session = Session::connect(
        emulator_spec(
            &emu,
            &emu.credentials().tenant_id,
            ConnectMethod::AccessToken {
                exchange: Some(exchange),
                graph: Some(graph),
            },
        ),
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    emu.reset_journal();
    let e = send(&session, spec(&emu), |_, _| {}).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::Authentication);
    assert_eq!(e.code, "NoMonitorToken");
    assert!(e.message.contains("-AccessToken"), "{}", e.message);
    assert!(emu.journal().requests.is_empty());
}
