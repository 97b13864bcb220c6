//! Logs Ingestion throughput: sends ROWS rows (sign-in-sized, about 560 bytes of JSON each)
//! to a running tenant emulator's Logs Ingestion API through the same operation as
//! Send-OutlookQrGuardLog (batching to 1,000,000 bytes, gzip, monitor token, retries).
//!
//!   cargo run --release -p outlook-qr-guard-core --example log_ingestion_throughput -- READY_FILE [ROWS] [RUNS]
//!
//! READY_FILE is the emulator's `--ready-file` JSON. Prints one JSON line:
//! `{"rows":R,"batches":B,"bytes":J,"sentBytes":G,"seconds":[…]}`; rows/s = rows / median seconds.
//! Connecting and the monitor token's first fetch are not timed (a warm-up send of one row).

use std::error::Error;

use outlook_qr_guard::ops::log_ingestion::{DriftInput, LogSendSpec, send};

mod bench_support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let ready_file = args
        .next()
        .ok_or("usage: log_ingestion_throughput READY_FILE [ROWS] [RUNS]")?;
    let rows: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(3);
    let ready: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&ready_file)?)?;
    let endpoint = ready["baseUrl"]
        .as_str()
        .ok_or("baseUrl missing")?
        .to_owned();
    let rule = ready["credentials"]["logsIngestionRuleId"]
        .as_str()
        .ok_or("logsIngestionRuleId missing")?
        .to_owned();
    let stream = ready["credentials"]["logsIngestionStream"]
        .as_str()
        .ok_or("logsIngestionStream missing")?
        .to_owned();
    let session = bench_support::connect(&ready_file).await?;
    // Drift rows padded to the size of a TransferSignin row (UPN, ids, app, IP, place).
    let drift = |n: usize| -> Vec<DriftInput> {
        (0..n)
            .map(|i| DriftInput {
                what: format!(
                    "OwaMailboxPolicy.OwaMailboxPolicy-{i:08}.AccountTransferEnabled/{}",
                    "x".repeat(160)
                ),
                from: format!("user{i}@contoso.onmicrosoft.com 27ee7a4c-6f0b-4d5e-9a1b-{i:012}"),
                to: format!(
                    "Outlook Mobile 27922004-5251-4030-b22d-91ecd9a37ea4 203.0.113.{} Tokyo, JP",
                    i % 250
                ),
                severity: "High".into(),
            })
            .collect()
    };
    let spec = |drift: Vec<DriftInput>| LogSendSpec {
        endpoint: endpoint.clone(),
        rule_id: rule.clone(),
        stream: stream.clone(),
        include_check: false,
        evidence: None,
        drift,
        what_if: false,
        batch_limit: None,
    };
    send(&session, spec(drift(1)), |_, _| {}).await?;
    let mut seconds = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let input = drift(rows);
        let started = std::time::Instant::now();
        let outcome = send(&session, spec(input), |_, _| {}).await?;
        seconds.push(started.elapsed().as_secs_f64());
        last = Some(outcome);
    }
    let o = last.ok_or("no run")?;
    println!(
        "{}",
        serde_json::json!({"rows": o.rows, "batches": o.batches, "bytes": o.bytes, "sentBytes": o.sent_bytes, "seconds": seconds})
    );
    Ok(())
}
