//! The export operation end to end against the emulator: every seeded device exactly once,
//! the same bytes with faults on, and nothing at the target after a failure or a cancel.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use outlook_qr_guard::exo::MobileDeviceQuery;
use outlook_qr_guard::export::{CsvOptions, Newline};
use outlook_qr_guard::ops::export::{ExportSpec, export};
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule};
use tokio_util::sync::CancellationToken;

async fn emulator(devices: usize, page_size: usize, latency_ms: u64) -> Emulator {
    Emulator::start(EmulatorOptions {
        users: devices / 2,
        devices,
        exo_page_size: page_size,
        page_latency: Duration::from_millis(latency_ms),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

async fn connect(emu: &Emulator) -> Session {
    let c = emu.credentials();
    let base = emu.base_url();
    Session::connect(
        ConnectSpec {
            tenant: c.tenant_domain.clone(),
            environment: "Global".into(),
            authority_uri: Some(base.clone()),
            exchange_uri: Some(base.clone()),
            graph_uri: Some(base),
            trusted_root_pem: Some(emu.ca_certificate_pem()),
            allow_http_loopback: false,
            proxy_uri: None,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::ClientSecret {
                client_id: c.secret_app.client_id.clone(),
                secret: secret(c.secret_app.client_secret.clone()),
            },
        },
        CancellationToken::new(),
    )
    .await
    .unwrap()
}

fn spec(path: &Path) -> ExportSpec {
    ExportSpec {
        path: path.to_path_buf(),
        overwrite: false,
        create_directory: false,
        options: CsvOptions {
            newline: Newline::CrLf,
            ..CsvOptions::default()
        },
        query: MobileDeviceQuery::outlook_mobile(),
        evidence: None,
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_every_outlook_device_once_and_faults_change_no_byte() {
    let emu = emulator(600, 25, 0).await;
    let session = connect(&emu).await;
    let dir = tempfile::tempdir().unwrap();

    let clean = dir.path().join("clean.csv");
    let outcome = export(&session, spec(&clean), |_| {}).await.unwrap();
    let seeded = emu.seeded_devices_json(Some("Outlook for iOS and Android"));
    assert_eq!(outcome.devices as usize, seeded.len());
    assert!(outcome.pages as usize >= seeded.len() / 25);
    let text = std::fs::read_to_string(&clean).unwrap();
    for device in &seeded {
        let id = device["DeviceId"].as_str().unwrap();
        assert_eq!(
            text.matches(&format!("\"{id}\"")).count(),
            1,
            "device {id} must appear exactly once"
        );
    }

    emu.set_faults(FaultPlan {
        seed: 3,
        rules: vec![
            FaultRule::at_rate(
                EndpointClass::ExchangeInvokeCommand,
                Fault::Throttle {
                    retry_after: "0.05".into(),
                },
                0.10,
            ),
            FaultRule::at_rate(
                EndpointClass::ExchangeInvokeCommand,
                Fault::ServerError {
                    status: 503,
                    retry_after: Some("0.05".into()),
                },
                0.05,
            ),
            FaultRule::at_rate(
                EndpointClass::ExchangeInvokeCommand,
                Fault::TruncatedJson,
                0.05,
            ),
            FaultRule::every_nth(EndpointClass::ExchangeInvokeCommand, Fault::ExpiredToken, 9),
        ],
    });
    let faulty = dir.path().join("faulty.csv");
    export(&session, spec(&faulty), |_| {}).await.unwrap();
    assert!(
        std::fs::read(&faulty).unwrap() == std::fs::read(&clean).unwrap(),
        "the export with faults must be byte-identical"
    );
    let faults = emu
        .journal()
        .requests
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faults > 0, "the fault plan must have fired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_export_leaves_nothing_behind() {
    let emu = emulator(400, 5, 100).await;
    let session = connect(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    let run = export(&session, spec(&target), |_| {});
    let cancelled = tokio::time::timeout(Duration::from_millis(700), run).await;
    assert!(
        cancelled.is_err(),
        "the export should still have been running"
    );
    assert!(
        entries(dir.path()).is_empty(),
        "no file or temp file may remain: {:?}",
        entries(dir.path())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_file_is_kept_and_a_failed_export_writes_nothing() {
    let emu = emulator(50, 10, 0).await;
    let session = connect(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    std::fs::write(&target, b"keep me").unwrap();
    let err = export(&session, spec(&target), |_| {}).await.unwrap_err();
    assert_eq!(err.kind, outlook_qr_guard::ops::FailureKind::AlreadyExists);
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");

    emu.set_faults(FaultPlan {
        seed: 1,
        rules: vec![FaultRule::at_rate(
            EndpointClass::ExchangeInvokeCommand,
            Fault::HtmlErrorPage { status: 502 },
            1.0,
        )],
    });
    let other = dir.path().join("other.csv");
    let err = export(&session, spec(&other), |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err.kind,
            outlook_qr_guard::ops::FailureKind::Connection
                | outlook_qr_guard::ops::FailureKind::Protocol
        ),
        "{err:?}"
    );
    assert_eq!(entries(dir.path()), vec![target]);
}
