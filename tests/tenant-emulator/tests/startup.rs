//! Large tenants start in seconds and are served without per-request copies.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::Instant;

use common::*;
use serde_json::json;
use tenant_emulator::{Emulator, EmulatorOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_users_and_hundred_thousand_devices_start_quickly() {
    let started = Instant::now();
    let emulator = Emulator::start(EmulatorOptions {
        users: 50_000,
        devices: 100_000,
        ..Default::default()
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    println!("start-up with 50,000 users and 100,000 devices: {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 10.0, "took {elapsed:?}");
    assert_eq!(emulator.seeded_counts(), (50_000, 100_000));

    let h = Harness {
        client: client_for(&emulator.ca_certificate_pem(), false),
        base: emulator.base_url(),
        creds: emulator.credentials(),
        emulator,
    };
    let token = h.app_token(EXO_SCOPE).await;
    let started = Instant::now();
    let b = json!({"CmdletInput": {"CmdletName": "Get-MobileDevice", "Parameters": {"Filter": "DeviceModel -eq 'Outlook for iOS and Android'", "ResultSize": "Unlimited"}}});
    let (status, page) = h.invoke_with(&token, &b, "", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["value"].as_array().unwrap().len(), 1000);
    println!(
        "first filtered page of 1000 devices: {:?}",
        started.elapsed()
    );
    // A page deep into the set: the skip token carries the scan position, nothing is re-scanned.
    let next = page["@odata.nextLink"].as_str().unwrap();
    let started = Instant::now();
    let (status, _) = h
        .invoke_with(&token, &b, &next[next.find('?').unwrap()..], None)
        .await;
    assert_eq!(status, 200);
    println!("second page: {:?}", started.elapsed());

    // Sign-in events are seeded for every Outlook mobile owner; a filtered page stays quick.
    let graph = h.app_token(GRAPH_SCOPE).await;
    let started = Instant::now();
    let (status, page) = h
        .graph_get(
            &graph,
            &with_query(
                "/beta/auditLogs/signIns",
                &[
                    ("$top", "1000"),
                    (
                        "$filter",
                        "originalTransferMethod eq 'authenticationTransfer' and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
                    ),
                ],
            ),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["value"].as_array().unwrap().len(), 1000);
    println!(
        "first page of 1000 transfer sign-ins: {:?}",
        started.elapsed()
    );
}
