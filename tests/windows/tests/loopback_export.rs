//! The loopback export check (rust-core/tests/loopback_support) from the Windows build under
//! Wine, against the tenant emulator build.ps1 runs natively on Linux: OQG_EMULATOR_READY_FILE
//! is the JSON its --ready-file wrote.
#![cfg(windows)]

#[path = "../../../rust-core/tests/loopback_support/mod.rs"]
mod loopback_support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_over_loopback_to_the_linux_emulator() {
    let Ok(ready) = std::env::var("OQG_EMULATOR_READY_FILE") else {
        panic!("OQG_EMULATOR_READY_FILE must name the emulator's ready file (build.ps1 sets it)");
    };
    let tenant = loopback_support::Tenant::from_ready_file(&ready);
    loopback_support::export_and_check(&tenant).await;
}
