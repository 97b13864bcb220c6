//! The `tenant-emulator` binary: --help, the ready line, and stopping when stdin closes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

#[test]
fn help_explains_standalone_use_and_the_demo() {
    let output = Command::cargo_bin("tenant-emulator")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--users",
        "--devices",
        "--seed",
        "--port",
        "--http",
        "--page-latency-ms",
        "--page-size",
        "--token-lifetime-secs",
        "--no-premium",
        "--refuse-transfer-method-filter",
        "--signin-rate",
        "--ca-page-size",
        "/_emulator/settings",
        "GraphSignIns",
        "--ready-file",
        "ONE JSON line",
        "X-Emulator-Control-Key",
        "stdin closes",
        "Standalone:",
        "--tenants-file",
        "Several tenants",
        "The demo:",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
}

#[test]
fn prints_one_ready_line_serves_and_exits_when_stdin_closes() {
    let ready_file = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::cargo_bin("tenant-emulator")
        .unwrap()
        .args(["--users", "20", "--devices", "30", "--ready-file"])
        .arg(ready_file.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = ready["baseUrl"].as_str().unwrap();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca_path = ready["caCertificatePath"].as_str().unwrap();
    let ca = std::fs::read_to_string(ca_path).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let creds: tenant_emulator::Credentials =
        serde_json::from_value(ready["credentials"].clone()).unwrap();
    assert_eq!(creds.tenant_domain, "contoso.onmicrosoft.com");
    let from_file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ready_file.path()).unwrap()).unwrap();
    assert_eq!(from_file, ready);

    // It serves: a control call over TLS with the CA it wrote.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(ca.as_bytes()) {
            let cert: rustls_pki_types::CertificateDer<'static> = cert.unwrap();
            roots.add(cert).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let client = reqwest::Client::builder()
            .no_proxy()
            .tls_backend_preconfigured(config)
            .build()
            .unwrap();
        client
            .get(format!("{base}/_emulator/credentials"))
            .header("X-Emulator-Control-Key", &creds.control_key)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "did not exit after stdin closed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !std::path::Path::new(ca_path).exists(),
        "the temporary CA file is removed on exit"
    );
}

#[test]
fn conditional_access_and_sign_in_flags_become_the_runtime_settings() {
    let mut child = Command::cargo_bin("tenant-emulator")
        .unwrap()
        .args([
            "--users",
            "10",
            "--devices",
            "10",
            "--http",
            "--no-premium",
            "--refuse-transfer-method-filter",
            "--signin-rate",
            "2.5",
            "--ca-page-size",
            "3",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = ready["baseUrl"].as_str().unwrap().to_owned();
    let key = ready["credentials"]["controlKey"]
        .as_str()
        .unwrap()
        .to_owned();
    for app in ["exchangeOnlyApp", "policyReaderApp"] {
        assert!(
            ready["credentials"][app]["clientSecret"].is_string(),
            "{app} in the ready line"
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings: serde_json::Value = runtime.block_on(async {
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
        let client = reqwest::Client::builder()
            .no_proxy()
            .tls_backend_preconfigured(config)
            .build()
            .unwrap();
        client
            .get(format!("{base}/_emulator/settings"))
            .header("X-Emulator-Control-Key", &key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        settings,
        serde_json::json!({"premium": false, "refuseTransferMethodFilter": true, "signInRatePerSecond": 2.5, "caPageSize": 3})
    );
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn serves_several_tenants_from_a_tenants_file_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let mix = dir.path().join("mix.json");
    std::fs::write(
        &mix,
        r#"[{}, {"promptEnabled": false}, {"transferBlock": "Enforced", "appsRemoved": true}]"#,
    )
    .unwrap();
    let mut child = Command::cargo_bin("tenant-emulator")
        .unwrap()
        .args(["--users", "5", "--devices", "5", "--tenants-file"])
        .arg(&mix)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let tenants = ready["tenants"].as_array().unwrap();
    let domains: Vec<&str> = tenants
        .iter()
        .map(|t| t["tenantDomain"].as_str().unwrap())
        .collect();
    assert_eq!(
        domains,
        [
            "contoso.onmicrosoft.com",
            "fabrikam.onmicrosoft.com",
            "northwind.onmicrosoft.com"
        ]
    );
    assert_eq!(ready["credentials"], tenants[0]);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());

    std::fs::write(&mix, r#"[{"prompt": false}]"#).unwrap();
    let output = Command::cargo_bin("tenant-emulator")
        .unwrap()
        .arg("--tenants-file")
        .arg(&mix)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("prompt") && err.contains("mix.json"), "{err}");
}
