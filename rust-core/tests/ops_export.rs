//! The export operation end to end against the emulator: every seeded device exactly once,
//! the same bytes with faults on, and nothing at the target after a failure or a cancel.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use outlook_qr_guard::device::PROPERTY_NAMES;
use outlook_qr_guard::exo::MobileDeviceQuery;
use outlook_qr_guard::export::{CsvLayout, CsvOptions, Newline};
use outlook_qr_guard::ops::export::{ExportSpec, export};
use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule};

mod ops_support;
use ops_support::{connect, emulator};

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

/// DeviceId of every row of an export, parsed as CSV (names may hold line breaks).
fn device_ids(path: &Path) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "DeviceId")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().get(column).unwrap().to_owned())
        .collect()
}

/// Header and rows of an export (the BOM stripped).
fn rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The default (procedure's) layout through a real session: the remoting columns hold the
/// Exchange host and one GUID per connection, UserDisplayName is in O and UserDisplayNameNew in
/// AP; the module layout has the 40 REST properties in the service's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_procedures_layout_by_default_and_the_modules_on_request() {
    let emu = emulator(60, 25, 0).await;
    let session = connect(&emu).await;
    let other_session = connect(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let host = url::Url::parse(&emu.base_url())
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();

    let mut runspaces = Vec::new();
    for (n, session) in [&session, &session, &other_session].into_iter().enumerate() {
        let path = dir.path().join(format!("remote{n}.csv"));
        export(session, spec(&path), |_| {}).await.unwrap();
        let rows = rows(&path);
        assert_eq!(rows[0].len(), 42);
        assert_eq!(
            &rows[0][..3],
            ["PSComputerName", "RunspaceId", "PSShowComputerName"]
        );
        assert_eq!(rows[0][14], "UserDisplayName");
        assert_eq!(rows[0][41], "UserDisplayNameNew");
        let runspace = rows[1][1].clone();
        assert!(uuid::Uuid::parse_str(&runspace).is_ok(), "{runspace}");
        assert_eq!(runspace, runspace.to_lowercase());
        for row in &rows[1..] {
            assert_eq!(row[0], host);
            assert_eq!(row[1], runspace);
            assert_eq!(row[2], "False");
            let identity = &row[rows[0].iter().position(|h| h == "Identity").unwrap()];
            assert_eq!(row[41], identity.split('\\').next().unwrap());
            assert!(identity.contains("\\ExchangeActiveSyncDevices\\REST§Outlook§"));
        }
        runspaces.push(runspace);
    }
    assert_eq!(runspaces[0], runspaces[1], "one GUID per connection");
    assert_ne!(
        runspaces[0], runspaces[2],
        "another connection, another GUID"
    );

    let path = dir.path().join("module.csv");
    let mut module = spec(&path);
    module.options.layout = CsvLayout::ExchangeOnlineManagement;
    export(&session, module, |_| {}).await.unwrap();
    let rows = rows(&path);
    assert_eq!(rows[0].len(), 41);
    assert_eq!(&rows[0][..40], PROPERTY_NAMES);
    assert_eq!(rows[0][40], "UserDisplayNameNew");
    assert_eq!(rows[0][11], "UserDisplayName");
}

/// Issue 6's reliability run, pages of 1000 with the full fault mix on InvokeCommand: the faulty
/// export must be byte-identical to the clean one, and hold every seeded device exactly once.
/// Size: `OQG_RELIABILITY_DEVICES` Outlook devices, the 100,000 by default: 29 s for this
/// debug-build test on two idle cores (62 s with a release build running alongside); set it
/// lower where that is too slow (seed 28 below still fires every fault kind at any size).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_export_under_every_fault_is_byte_identical_and_complete() {
    let outlook = ops_support::env_size("OQG_RELIABILITY_DEVICES", 100_000);
    // A short period so that expiry fires several times within a run well under a minute; the
    // rule itself takes any period (30 s in the benchmark's terms).
    let expiry = ops_support::env_size("OQG_RELIABILITY_TOKEN_EXPIRY_SECS", 3) as f64;
    let emu = emulator(outlook * 10 / 7, 1000, 0).await;
    let session = connect(&emu).await;
    let dir = tempfile::tempdir().unwrap();

    let clean = dir.path().join("clean.csv");
    let outcome = export(&session, spec(&clean), |_| {}).await.unwrap();
    let seeded: std::collections::HashSet<String> = emu
        .seeded_devices_json(Some("Outlook for iOS and Android"))
        .iter()
        .map(|d| d["DeviceId"].as_str().unwrap().to_owned())
        .collect();
    assert!(seeded.len() * 10 >= outlook * 9, "seeded {}", seeded.len());
    let ids = device_ids(&clean);
    assert_eq!(ids.len(), seeded.len(), "one row per seeded device");
    let exported: std::collections::HashSet<String> = ids.into_iter().collect();
    assert_eq!(exported, seeded, "no device missing, none duplicated");
    assert_eq!(outcome.devices as usize, seeded.len());

    emu.reset_journal();
    // Seed 28 makes every rate fault fire within the first 15 requests (the plan is
    // deterministic per request number), so the smallest size still sees each kind.
    emu.set_faults(ops_support::reliability_faults(
        28,
        &[EndpointClass::ExchangeInvokeCommand],
        expiry,
        true,
    ));
    let faulty = dir.path().join("faulty.csv");
    let started = std::time::Instant::now();
    let faulty_outcome = export(&session, spec(&faulty), |_| {}).await.unwrap();
    let faulty_time = started.elapsed();
    assert!(
        std::fs::read(&faulty).unwrap() == std::fs::read(&clean).unwrap(),
        "the export with faults must be byte-identical"
    );
    assert_eq!(faulty_outcome.devices, outcome.devices);
    let journal = emu.journal();
    let fired = |name: &str| {
        journal
            .requests
            .iter()
            .filter(|r| r.fault.as_deref() == Some(name))
            .count()
    };
    let counts: Vec<(&str, usize)> = [
        "Throttle",
        "ServerError",
        "ResetMidBody",
        "TruncatedJson",
        "ExpiredToken",
    ]
    .into_iter()
    .map(|n| (n, fired(n)))
    .collect();
    eprintln!(
        "faulty export of {} devices in {faulty_time:.1?}: {} requests, faults {counts:?}",
        outcome.devices,
        journal.requests.len()
    );
    // Rate faults are a pure function of the seed and request number, so this holds on every
    // run; the time-based expiry fires only if the run lasted longer than one period.
    for (name, count) in &counts {
        if *name != "ExpiredToken" || faulty_time.as_secs_f64() > expiry * 1.5 {
            assert!(*count > 0, "the plan must have fired {name}: {counts:?}");
        }
    }
}

/// Stopping an export halfway (what StopProcessing does: the call's future is dropped) returns
/// at once, leaves no file or temporary file, and stops the fetching.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_cancelled_halfway_returns_at_once_and_leaves_nothing() {
    let emu = emulator(5000, 100, 20).await;
    let session = connect(&emu).await;
    let outlook = emu
        .seeded_devices_json(Some("Outlook for iOS and Android"))
        .len() as u64;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.csv");
    let (half_tx, half_rx) = tokio::sync::oneshot::channel::<()>();
    let mut half_tx = Some(half_tx);
    let mut run = Box::pin(export(&session, spec(&target), move |p| {
        if p.devices_written * 2 >= outlook
            && let Some(tx) = half_tx.take()
        {
            let _ = tx.send(());
        }
    }));
    tokio::select! {
        done = &mut run => panic!("the export finished before it was cancelled: {done:?}"),
        _ = half_rx => {}
    }
    // Dropping the call's future is the cancellation (the engine's abort does the same).
    let cancelled_at = std::time::Instant::now();
    drop(run);
    let returned_in = cancelled_at.elapsed();
    assert!(
        returned_in < Duration::from_secs(2),
        "took {returned_in:?} to return"
    );
    assert!(
        entries(dir.path()).is_empty(),
        "no file or temp file may remain: {:?}",
        entries(dir.path())
    );
    let requests = emu.journal().requests.len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        emu.journal().requests.len(),
        requests,
        "no page may be fetched after the cancel"
    );
}
