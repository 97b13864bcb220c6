//! Shared by the operation-level tests (export, revoke): an emulator of a given size and a
//! session connected to it with the client-secret app.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use outlook_qr_guard::ops::Session;
use tenant_emulator::{Emulator, EmulatorOptions, FaultPlan, FaultRule};

#[path = "../http_support/mod.rs"]
mod http_support;

pub async fn emulator(devices: usize, page_size: usize, latency_ms: u64) -> Emulator {
    Emulator::start(EmulatorOptions {
        users: devices / 2,
        devices,
        exo_page_size: page_size,
        page_latency: Duration::from_millis(latency_ms),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

pub async fn connect(emu: &Emulator) -> Session {
    http_support::session_for(emu, &emu.credentials().secret_app)
        .await
        .unwrap()
}

/// A whole-number environment variable, or `default` (sizes the reliability runs).
pub fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The fault mix of the reliability runs (issue 6): 10% 429 with Retry-After, 3% 503, 1%
/// connection reset mid-body, 1% truncated JSON, and the token stops working every
/// `token_expiry_seconds` (whatever lifetime it announced), on each of `endpoints`.
pub fn reliability_faults(
    seed: u64,
    endpoints: &[tenant_emulator::EndpointClass],
    token_expiry_seconds: f64,
    body_loss: bool,
) -> FaultPlan {
    use tenant_emulator::Fault;
    let mut rules = Vec::new();
    for &endpoint in endpoints {
        rules.push(FaultRule::at_rate(
            endpoint,
            Fault::Throttle {
                retry_after: "0.1".into(),
            },
            0.10,
        ));
        rules.push(FaultRule::at_rate(
            endpoint,
            Fault::ServerError {
                status: 503,
                retry_after: None,
            },
            0.03,
        ));
        if body_loss {
            rules.push(FaultRule::at_rate(endpoint, Fault::ResetMidBody, 0.01));
            rules.push(FaultRule::at_rate(endpoint, Fault::TruncatedJson, 0.01));
        }
        // Last: a rate fault on the same request wins, and the expiry moves to the next one.
        rules.push(FaultRule::every_seconds(
            endpoint,
            Fault::ExpiredToken,
            token_expiry_seconds,
        ));
    }
    FaultPlan { seed, rules }
}
