//! An export over loopback TLS against an emulator that may be another process on another OS:
//! with OQG_EMULATOR_READY_FILE set (the JSON `tenant-emulator --ready-file` writes), this test
//! talks to that emulator; build.ps1 sets it when it runs the Windows build of this test under
//! Wine against the Linux emulator. Without it, an in-process emulator serves the same calls.
//! The engine's own code does everything in between: sockets, rustls with the emulator's CA,
//! paging, the CSV with the platform's line ending, and the atomic rename.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use outlook_qr_guard::exo::MobileDeviceQuery;
use outlook_qr_guard::export::CsvOptions;
use outlook_qr_guard::ops::export::{ExportSpec, export};
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{Credentials, Emulator, EmulatorOptions};

struct Tenant {
    base_url: String,
    ca_pem: String,
    credentials: Credentials,
    /// Kept alive for the test when in-process.
    _local: Option<Emulator>,
}

async fn tenant() -> Tenant {
    if let Ok(ready) = std::env::var("OQG_EMULATOR_READY_FILE") {
        let ready: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&ready).unwrap()).unwrap();
        let ca_path = PathBuf::from(ready["caCertificatePath"].as_str().unwrap());
        return Tenant {
            base_url: ready["baseUrl"].as_str().unwrap().to_owned(),
            ca_pem: std::fs::read_to_string(ca_path).unwrap(),
            credentials: serde_json::from_value(ready["credentials"].clone()).unwrap(),
            _local: None,
        };
    }
    let emulator = Emulator::start(EmulatorOptions {
        users: 40,
        devices: 120,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    Tenant {
        base_url: emulator.base_url(),
        ca_pem: emulator.ca_certificate_pem(),
        credentials: emulator.credentials().clone(),
        _local: Some(emulator),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_over_loopback_writes_the_csv_with_the_platform_newline() {
    let tenant = tenant().await;
    let c = &tenant.credentials;
    let session = Session::connect(
        ConnectSpec {
            tenant: c.tenant_domain.clone(),
            environment: "Global".into(),
            authority_uri: Some(tenant.base_url.clone()),
            exchange_uri: Some(tenant.base_url.clone()),
            graph_uri: Some(tenant.base_url.clone()),
            trusted_root_pem: Some(tenant.ca_pem.clone()),
            allow_http_loopback: false,
            proxy_uri: None,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::ClientSecret {
                client_id: c.secret_app.client_id.clone(),
                secret: secret(c.secret_app.client_secret.clone()),
            },
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("レポート").join("devices.csv");
    let spec = ExportSpec {
        path: target.clone(),
        overwrite: false,
        create_directory: true,
        // Newline::Platform: CRLF on Windows, as Export-Csv writes there.
        options: CsvOptions::default(),
        query: MobileDeviceQuery::outlook_mobile(),
        evidence: None,
    };
    let outcome = export(&session, spec, |_| {}).await.unwrap();
    assert!(outcome.devices > 0, "{outcome:?}");
    assert_eq!(outcome.path, target);

    let bytes = std::fs::read(&target).unwrap();
    assert_eq!(bytes.len() as u64, outcome.bytes);
    // Values may hold line breaks of their own (quoted), so rows are found by a CSV reader and
    // the terminator is read just before each row's first byte.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let starts: Vec<usize> = reader
        .records()
        .map(|r| r.unwrap().position().unwrap().byte() as usize)
        .collect();
    assert_eq!(
        starts.len() as u64,
        outcome.devices + 1,
        "a header and one row per device"
    );
    let newline: &[u8] = if cfg!(windows) { b"\r\n" } else { b"\n" };
    for &start in starts.iter().skip(1).chain([bytes.len()].iter()) {
        let before = &bytes[..start];
        assert!(before.ends_with(newline), "row ending before byte {start}");
        if !cfg!(windows) {
            assert!(
                !before.ends_with(b"\r\n"),
                "LF, not CRLF, before byte {start}"
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [std::ffi::OsString::from("devices.csv")]);
}
