//! The loopback export check, shared by tests/loopback_export.rs (an in-process emulator) and
//! tests/windows/tests/loopback_export.rs (the Windows build under Wine, talking to the Linux
//! emulator). Knows nothing of the emulator crate: the tenant is a URL, a CA and an app.
#![allow(dead_code, clippy::unwrap_used)]

use outlook_qr_guard::exo::MobileDeviceQuery;
use outlook_qr_guard::export::CsvOptions;
use outlook_qr_guard::ops::export::{ExportSpec, export};
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;

pub struct Tenant {
    pub base_url: String,
    pub ca_pem: String,
    pub tenant_domain: String,
    pub client_id: String,
    pub client_secret: String,
}

impl Tenant {
    /// From the JSON `tenant-emulator --ready-file` writes (baseUrl, caCertificatePath,
    /// credentials.tenantDomain, credentials.secretApp).
    pub fn from_ready_file(path: &str) -> Self {
        let ready: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
        Self {
            base_url: text(&ready["baseUrl"]),
            ca_pem: std::fs::read_to_string(text(&ready["caCertificatePath"])).unwrap(),
            tenant_domain: text(&ready["credentials"]["tenantDomain"]),
            client_id: text(&ready["credentials"]["secretApp"]["clientId"]),
            client_secret: text(&ready["credentials"]["secretApp"]["clientSecret"]),
        }
    }
}

/// Connects with the tenant's client-secret app, exports the Outlook mobile devices into a new
/// folder with a non-ASCII name, and checks the file: one row per device, every row ending in
/// the platform's newline (CRLF on Windows, as Export-Csv writes there), nothing else left.
pub async fn export_and_check(tenant: &Tenant) {
    let session = Session::connect(
        ConnectSpec {
            tenant: tenant.tenant_domain.clone(),
            environment: "Global".into(),
            authority_uri: Some(tenant.base_url.clone()),
            exchange_uri: Some(tenant.base_url.clone()),
            graph_uri: Some(tenant.base_url.clone()),
            trusted_root_pem: Some(tenant.ca_pem.clone()),
            allow_http_loopback: false,
            proxy_uri: None,
            proxy_username: None,
            proxy_password: None,
            allow_custom_endpoint: false,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::ClientSecret {
                client_id: tenant.client_id.clone(),
                secret: secret(tenant.client_secret.clone()),
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
        // After CRLF the reader's next row starts at the LF.
        let end = if bytes.get(start) == Some(&b'\n') {
            start + 1
        } else {
            start
        };
        let before = &bytes[..end];
        assert!(
            before.ends_with(newline),
            "row ending before byte {start}: {:?}",
            String::from_utf8_lossy(&before[start.saturating_sub(40)..])
        );
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
