//! Get-OutlookQrFleetStatus's engine: many tenants of one emulator process, at most
//! ThrottleLimit at once, one row each, a failing tenant reported in its own row.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod http_support;

use std::sync::Arc;
use std::time::Duration;

use outlook_qr_guard::ops::fleet::{FleetMember, FleetRow, run};
use outlook_qr_guard::ops::{ConnectMethod, Session};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{
    Emulator, EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule, TenantOptions,
    TransferBlock,
};

async fn fleet() -> Emulator {
    let t = TenantOptions::default;
    http_support::emulator(EmulatorOptions {
        users: 20,
        devices: 40,
        // Every list page waits, so a tenant takes long enough for overlap to show.
        page_latency: Duration::from_millis(150),
        signin_rate_per_second: 0.0,
        tenants: vec![
            t(),
            TenantOptions {
                prompt_enabled: false,
                ..t()
            },
            TenantOptions {
                transfer_block: TransferBlock::ReportOnly,
                ..t()
            },
            TenantOptions {
                transfer_block: TransferBlock::Enforced,
                ..t()
            },
            t(),
        ],
        ..EmulatorOptions::default()
    })
    .await
}

async fn members(emu: &Emulator) -> Vec<FleetMember> {
    let mut out = Vec::new();
    for i in 0..emu.tenant_count() {
        let creds = emu.tenant_credentials(i).unwrap();
        let method = ConnectMethod::ClientSecret {
            client_id: creds.secret_app.client_id.clone(),
            secret: secret(creds.secret_app.client_secret.clone()),
        };
        let session = Session::connect(
            http_support::emulator_spec(emu, &creds.tenant_domain, method),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        .unwrap();
        out.push(FleetMember {
            label: creds.tenant_domain,
            session: Some(Arc::new(session)),
        });
    }
    out
}

/// The most tenants in flight at any moment, from the rows' start offsets and durations.
fn max_in_flight(rows: &[FleetRow]) -> usize {
    let mut events: Vec<(u64, i32)> = rows
        .iter()
        .flat_map(|r| {
            [
                (r.started_after_ms, 1),
                (r.started_after_ms + r.elapsed_ms, -1),
            ]
        })
        .collect();
    // An end and a start at the same millisecond do not overlap.
    events.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most as usize
}

#[tokio::test]
async fn every_tenant_gets_its_row_with_the_verdict_of_its_state() {
    let emu = fleet().await;
    let rows = run(members(&emu).await, 5).await.unwrap();
    let verdicts: Vec<&str> = rows.iter().map(|r| r.verdict.as_str()).collect();
    assert_eq!(
        verdicts,
        [
            "Exposed",
            "PromptHidden",
            "ReportOnly",
            "Blocked",
            "Exposed"
        ]
    );
    assert_eq!(rows[1].prompt, "PromptHidden");
    assert_eq!(rows[2].conditional_access, "ReportOnly");
    assert_eq!(rows[0].organization, "contoso.onmicrosoft.com");
    assert_eq!(rows[1].tenant, "fabrikam.onmicrosoft.com");
    for r in &rows {
        assert!(r.errors.is_empty(), "{r:?}");
        assert!(r.evidence_available);
        assert_eq!(r.owa_account_transfer, "On");
        assert!(r.transfer_signins >= r.transfer_users);
    }
    // Only the report-only tenant has "would have blocked" results; its count is the listing's.
    for (i, r) in rows.iter().enumerate() {
        if i == 2 {
            assert!(r.would_be_blocked_users.is_some_and(|n| n > 0), "{r:?}");
            assert!(
                r.would_be_blocked_note.contains("would have blocked"),
                "{r:?}"
            );
        } else {
            assert!(r.would_be_blocked_users.is_none(), "{r:?}");
            assert!(
                r.would_be_blocked_note.starts_with("Not applicable"),
                "{r:?}"
            );
        }
    }
    assert!(
        rows.iter()
            .any(|r| r.transfer_users > 0 && !r.newest_transfer_utc.is_empty())
    );
}

#[tokio::test]
async fn the_throttle_limit_bounds_how_many_tenants_run_at_once() {
    let emu = fleet().await;
    let one = run(members(&emu).await, 1).await.unwrap();
    assert_eq!(max_in_flight(&one), 1, "{one:#?}");
    let five = run(members(&emu).await, 5).await.unwrap();
    assert!(max_in_flight(&five) >= 3, "{five:#?}");
    let two = run(members(&emu).await, 2).await.unwrap();
    assert!(max_in_flight(&two) <= 2, "{two:#?}");
    // Side by side is faster than one after another.
    let total = |rows: &[FleetRow]| {
        rows.iter()
            .map(|r| r.started_after_ms + r.elapsed_ms)
            .max()
            .unwrap_or(0)
    };
    assert!(
        total(&five) * 2 < total(&one),
        "{} vs {}",
        total(&five),
        total(&one)
    );
    assert!(run(Vec::new(), 0).await.is_err());
}

#[tokio::test]
async fn a_failing_tenant_is_reported_in_its_row_and_the_others_answer() {
    let emu = fleet().await;
    let members = members(&emu).await;
    // After connecting, tenant 4's every request meets a proxy's HTML error page.
    emu.tenant_set_faults(
        4,
        FaultPlan {
            seed: 1,
            rules: vec![FaultRule::at_rate(
                EndpointClass::Any,
                Fault::HtmlErrorPage { status: 403 },
                1.0,
            )],
        },
    );
    let rows = run(members, 3).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[4].verdict, "Error");
    assert!(
        rows[4].errors.iter().any(|e| e.starts_with("Exchange:")),
        "{:?}",
        rows[4].errors
    );
    for r in &rows[..4] {
        assert_ne!(r.verdict, "Error", "{r:?}");
        assert!(r.errors.is_empty(), "{r:?}");
    }
}
