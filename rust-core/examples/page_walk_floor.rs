//! The measured floor of an export: walks every Get-MobileDevice page of a running tenant
//! emulator as fast as a client can (fetch each body, read its next link, nothing else: no
//! parsing, no CSV), so the benchmark can compare the export with what paging alone costs on the
//! same emulator in the same run.
//!
//!   cargo run --release -p outlook-qr-guard-core --example page_walk_floor -- READY_FILE [RUNS]
//!
//! READY_FILE is the emulator's `--ready-file` JSON. Prints one JSON line:
//! `{"pages":P,"devicesBytes":B,"seconds":[…]}` (connecting is not timed, as in the export row).

use std::error::Error;
use std::time::Instant;

use futures::TryStreamExt;
use outlook_qr_guard::exo::MobileDeviceQuery;

mod bench_support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let ready_file = args
        .next()
        .ok_or("usage: page_walk_floor READY_FILE [RUNS]")?;
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let session = bench_support::connect(&ready_file).await?;

    let mut seconds = Vec::new();
    let (mut pages, mut bytes) = (0u64, 0u64);
    for _ in 0..runs {
        let started = Instant::now();
        let (p, b) = session
            .exchange
            .list_mobile_device_bodies(&MobileDeviceQuery::outlook_mobile())
            .try_fold((0u64, 0u64), |(p, b), body| async move {
                Ok((p + 1, b + body.len() as u64))
            })
            .await?;
        seconds.push(started.elapsed().as_secs_f64());
        (pages, bytes) = (p, b);
    }
    println!(
        "{}",
        serde_json::json!({"pages": pages, "devicesBytes": bytes, "seconds": seconds})
    );
    Ok(())
}
