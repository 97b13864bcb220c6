//! The export as the engine runs it, without the PowerShell layer: the same operation
//! Export-OutlookMobileDevice calls (`ops::export`), timed against a running tenant emulator, so
//! the benchmark can tell the engine's distance from the floor from the module's call overhead.
//!
//!   cargo run --release -p outlook-qr-guard-core --example export_engine -- READY_FILE RUNS OUT.csv
//!
//! Prints one JSON line: `{"devices":N,"seconds":[…]}` (connecting is not timed).

use std::error::Error;
use std::time::Instant;

use outlook_qr_guard::exo::MobileDeviceQuery;
use outlook_qr_guard::export::CsvOptions;
use outlook_qr_guard::ops::export::{ExportSpec, export};

mod bench_support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: export_engine READY_FILE RUNS OUT.csv";
    let ready_file = args.next().ok_or(usage)?;
    let runs: usize = args.next().ok_or(usage)?.parse()?;
    let out = args.next().ok_or(usage)?;
    let session = bench_support::connect(&ready_file).await?;
    let mut seconds = Vec::new();
    let mut devices = 0;
    for _ in 0..runs {
        let spec = ExportSpec {
            path: out.clone().into(),
            overwrite: true,
            create_directory: false,
            options: CsvOptions::default(),
            query: MobileDeviceQuery::outlook_mobile(),
            evidence: None,
        };
        let started = Instant::now();
        devices = export(&session, spec, |_| {}).await?.devices;
        seconds.push(started.elapsed().as_secs_f64());
    }
    std::fs::remove_file(&out)?;
    println!(
        "{}",
        serde_json::json!({"devices": devices, "seconds": seconds})
    );
    Ok(())
}
