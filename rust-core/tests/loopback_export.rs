//! An export over loopback TLS against an in-process emulator, through the engine's own code:
//! sockets, rustls with the emulator's CA, paging, the CSV with the platform's line ending, the
//! atomic rename. The Windows build of the same check runs under Wine against the Linux
//! emulator (tests/windows/tests/loopback_export.rs).

#![allow(clippy::unwrap_used)]

use tenant_emulator::{Emulator, EmulatorOptions};

mod loopback_support;
use loopback_support::{Tenant, export_and_check};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_over_loopback_writes_the_csv_with_the_platform_newline() {
    let emulator = Emulator::start(EmulatorOptions {
        users: 40,
        devices: 120,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let c = emulator.credentials();
    let tenant = Tenant {
        base_url: emulator.base_url(),
        ca_pem: emulator.ca_certificate_pem(),
        tenant_domain: c.tenant_domain.clone(),
        client_id: c.secret_app.client_id.clone(),
        client_secret: c.secret_app.client_secret.clone(),
    };
    export_and_check(&tenant).await;
}
