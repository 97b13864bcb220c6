//! What enforcing the authentication-transfer block would break, against the emulator: the
//! sign-ins a report-only block says it would have blocked, per user and app, compared with the
//! emulator's own evaluation; users excluded since; likely break-glass accounts; no report-only
//! block at all; the listing's requests carry `Prefer: include-unknown-enum-members`.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::collections::BTreeMap;

use http_support::*;
use outlook_qr_guard::device::{TICKS_PER_SECOND, UtcTimestamp};
use outlook_qr_guard::ops::conditional_access::{apply, plan_block};
use outlook_qr_guard::ops::evidence::{self, EvidenceSpec};
use outlook_qr_guard::ops::transfer_block_impact::{self, ImpactRow, ImpactSummary};
use outlook_qr_guard::ops::{OpError, Session};
use serde_json::{Value, json};
use tenant_emulator::EmulatorOptions;

fn since_30_days() -> UtcTimestamp {
    let now = evidence::now();
    UtcTimestamp::from_ticks(now.ticks() - 30 * 86_400 * TICKS_PER_SECOND).unwrap()
}

fn spec() -> EvidenceSpec {
    EvidenceSpec {
        since: Some(since_30_days()),
        page_size: Some(50),
        ..EvidenceSpec::default()
    }
}

async fn emu() -> tenant_emulator::Emulator {
    emulator(EmulatorOptions {
        users: 80,
        devices: 120,
        signin_rate_per_second: 0.0,
        ..EmulatorOptions::default()
    })
    .await
}

/// The module's report-only policy, in place for 40 days (as if made then).
async fn report_only_block(
    emu: &tenant_emulator::Emulator,
    session: &Session,
    exclude: &[String],
) -> String {
    let plan = plan_block(session, false, exclude, &[]).await.unwrap();
    let change = apply(session, plan).await.unwrap();
    assert!(emu.backdate_conditional_access_policy(&change.policy_id, 40));
    change.policy_id
}

/// (userId, appId) → (count, first, last) of the events the emulator says `policy` would have
/// blocked since `since`.
fn truth(
    emu: &tenant_emulator::Emulator,
    policy: &str,
    since: UtcTimestamp,
) -> BTreeMap<(String, String), (u64, String, String)> {
    let mut out: BTreeMap<(String, String), (u64, String, String)> = BTreeMap::new();
    for e in emu.seeded_signins_json() {
        let at = e["createdDateTime"].as_str().unwrap().to_owned();
        if UtcTimestamp::parse(&at).unwrap() < since {
            continue;
        }
        let blocked = e["appliedConditionalAccessPolicies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == policy && p["result"] == "reportOnlyFailure");
        if !blocked {
            continue;
        }
        let key = (
            e["userId"].as_str().unwrap().to_owned(),
            e["appId"].as_str().unwrap().to_owned(),
        );
        let entry = out.entry(key).or_insert((0, at.clone(), at.clone()));
        entry.0 += 1;
        entry.1 = entry.1.clone().min(at.clone());
        entry.2 = entry.2.clone().max(at);
    }
    out
}

fn iso(t: UtcTimestamp) -> String {
    let p = t.parts();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// Object ids of the seeded "Break Glass Accounts" group's members.
fn break_glass_members(emu: &tenant_emulator::Emulator) -> std::collections::BTreeSet<String> {
    emu.seeded_groups_json()
        .into_iter()
        .filter(|g| g["displayName"] == "Break Glass Accounts")
        .flat_map(|g| {
            g["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn impact(session: &Session) -> Result<(Vec<ImpactRow>, ImpactSummary), OpError> {
    transfer_block_impact::collect(session, &spec()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_what_the_report_only_block_would_have_blocked_per_user_and_app() {
    let emu = emu().await;
    let session = full_session(&emu).await;

    // No report-only block yet: a clear refusal, not an empty list.
    let e = impact(&session).await.unwrap_err();
    assert_eq!(e.code, "NoReportOnlyTransferBlock");
    assert!(e.message.contains("Block-OutlookAuthenticationTransfer"));

    let id = report_only_block(&emu, &session, &[]).await;
    let want = truth(&emu, &id, since_30_days());
    assert!(
        want.len() >= 5,
        "the seed has transfer users: {}",
        want.len()
    );
    let (rows, summary) = impact(&session).await.unwrap();
    let got: BTreeMap<(String, String), (u64, String, String)> = rows
        .iter()
        .map(|r| {
            (
                (r.user_id.clone(), r.app_id.clone()),
                (r.signins, iso(r.first), iso(r.last)),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(summary.signins, want.values().map(|v| v.0).sum::<u64>());
    assert_eq!(summary.rows, want.len() as u64);
    assert!(summary.pages > 1, "paged at $top=50: {}", summary.pages);
    assert_eq!(
        summary.events_hidden_result, 0,
        "the Prefer header was sent"
    );
    assert_eq!(summary.events_without_policy_data, 0);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    // The seeded enabled policies exclude the "Break Glass Accounts" group: its impacted members
    // are flagged (the group is expanded into its members).
    let break_glass = break_glass_members(&emu);
    assert!(rows.iter().all(|r| !r.excluded_now));
    assert!(
        rows.iter()
            .all(|r| r.break_glass == break_glass.contains(&r.user_id))
    );
    assert!(
        rows.iter()
            .all(|r| r.policies.len() == 1 && r.policies[0].starts_with("OutlookQrGuard:"))
    );
    // Most recent first.
    assert!(rows.windows(2).all(|w| w[0].last >= w[1].last));
    let text = transfer_block_impact::recommendation(&summary);
    assert!(text.contains(&format!(
        "{} sign-in(s) of {} user(s)",
        summary.signins, summary.users
    )));

    // A user excluded now still shows (their past sign-ins would have been blocked) and is
    // flagged; a user excluded from another enabled policy but not this one is a likely
    // break-glass account.
    let ordinary: Vec<&ImpactRow> = rows
        .iter()
        .filter(|r| !break_glass.contains(&r.user_id))
        .collect();
    let victim = ordinary[0].clone();
    let other = ordinary
        .iter()
        .find(|r| r.user_id != victim.user_id)
        .copied()
        .unwrap()
        .clone();
    let plan = plan_block(
        &session,
        false,
        std::slice::from_ref(&victim.user_principal_name),
        &[],
    )
    .await
    .unwrap();
    apply(&session, plan).await.unwrap();
    let Value::Object(mfa) = json!({
        "id": "11111111-2222-3333-4444-555555555555",
        "displayName": "Require MFA for all users",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": [other.user_id]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    }) else {
        unreachable!()
    };
    emu.insert_conditional_access_policy(mfa);
    let (rows2, summary2) = impact(&session).await.unwrap();
    assert_eq!(summary2.signins, summary.signins);
    assert!(
        rows2
            .iter()
            .filter(|r| r.user_id == victim.user_id)
            .all(|r| r.excluded_now && !r.break_glass)
    );
    assert!(
        rows2
            .iter()
            .filter(|r| r.user_id == other.user_id)
            .all(|r| r.break_glass && !r.excluded_now)
    );
    assert_eq!(
        summary2.excluded_users,
        vec![victim.user_principal_name.clone()]
    );
    let mut expected: Vec<String> = rows2
        .iter()
        .filter(|r| r.user_id == other.user_id || break_glass.contains(&r.user_id))
        .map(|r| r.user_principal_name.clone())
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(summary2.break_glass_users, expected);
    let text = transfer_block_impact::recommendation(&summary2);
    assert!(
        text.find(&other.user_principal_name).unwrap() < text.find("-Enforce").unwrap(),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_made_today_has_blocked_nothing_yet() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let plan = plan_block(&session, false, &[], &[]).await.unwrap();
    apply(&session, plan).await.unwrap();
    let (rows, summary) = impact(&session).await.unwrap();
    assert!(rows.is_empty());
    assert_eq!((summary.users, summary.signins), (0, 0));
    assert!(summary.events_read > 0, "the transfer sign-ins were read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_advises_enforce_only_next_to_the_evidence() {
    use outlook_qr_guard::exo::MobileDeviceQuery;
    use outlook_qr_guard::ops::report::{self, ReportFormat, ReportSpec};
    let emu = emu().await;
    let session = full_session(&emu).await;
    async fn json_report(session: &Session) -> report::ReportOutcome {
        let spec = ReportSpec {
            format: ReportFormat::Json,
            path: None,
            overwrite: false,
            query: MobileDeviceQuery::outlook_mobile(),
            culture: String::new(),
        };
        report::build(session, spec, |_| {}).await.unwrap()
    }
    // Not report-only: no section.
    let plain = json_report(&session).await;
    assert!(plain.report.block_impact.is_none());
    let v: Value = serde_json::from_str(&plain.text).unwrap();
    assert!(v["blockImpact"].is_null());

    let id = report_only_block(&emu, &session, &[]).await;
    let want = truth(&emu, &id, since_30_days());
    let out = json_report(&session).await;
    let impact = out.report.block_impact.clone().unwrap();
    assert!(impact.available);
    assert_eq!(impact.signins, want.values().map(|v| v.0).sum::<u64>());
    assert_eq!(impact.rows.len(), want.len());
    let enforce: Vec<&String> = out
        .report
        .recommendations
        .iter()
        .filter(|r| r.contains("-Enforce"))
        .collect();
    assert_eq!(enforce.len(), 1, "{:?}", out.report.recommendations);
    assert!(enforce[0].contains(&format!("{} sign-in(s)", impact.signins)));
    let v: Value = serde_json::from_str(&out.text).unwrap();
    assert_eq!(v["blockImpact"]["users"], impact.users);

    // The logs cannot be read: the section says why and nothing advises -Enforce.
    emu.update_settings(tenant_emulator::SettingsUpdate {
        premium: Some(false),
        ..Default::default()
    })
    .unwrap();
    let html = report::build(
        &session,
        ReportSpec {
            format: ReportFormat::Html,
            path: None,
            overwrite: false,
            query: MobileDeviceQuery::outlook_mobile(),
            culture: String::new(),
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(
        html.report
            .recommendations
            .iter()
            .all(|r| !r.contains("-Enforce")),
        "{:?}",
        html.report.recommendations
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_exclusions_are_expanded_into_their_members() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let id = report_only_block(&emu, &session, &[]).await;
    let impacted: std::collections::BTreeSet<String> = truth(&emu, &id, since_30_days())
        .keys()
        .map(|(u, _)| u.clone())
        .collect();
    // A seeded group with an impacted member (and the impacted members it holds).
    let (group, in_group) = emu
        .seeded_groups_json()
        .into_iter()
        .find_map(|g| {
            let members: std::collections::BTreeSet<String> = g["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .filter(|m| impacted.contains(m))
                .collect();
            (!members.is_empty() && members.len() < impacted.len())
                .then(|| (g["id"].as_str().unwrap().to_owned(), members))
        })
        .unwrap();
    // Excluded from another enabled policy through the group: likely break-glass.
    let Value::Object(mfa) = json!({
        "id": "21111111-2222-3333-4444-555555555555",
        "displayName": "Require MFA, emergency group excluded",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeGroups": [group]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    }) else {
        unreachable!()
    };
    emu.insert_conditional_access_policy(mfa);
    let break_glass = break_glass_members(&emu);
    let (rows, summary) = impact(&session).await.unwrap();
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    for r in &rows {
        let expected = in_group.contains(&r.user_id) || break_glass.contains(&r.user_id);
        assert_eq!(r.break_glass, expected, "{r:?}");
        assert!(!r.excluded_now);
    }
    // The block now excludes the group: its members are excluded now, no longer break-glass.
    let plan = plan_block(&session, false, &[], std::slice::from_ref(&group))
        .await
        .unwrap();
    apply(&session, plan).await.unwrap();
    let (rows, _) = impact(&session).await.unwrap();
    for r in &rows {
        assert_eq!(r.excluded_now, in_group.contains(&r.user_id), "{r:?}");
        let expected = !in_group.contains(&r.user_id) && break_glass.contains(&r.user_id);
        assert_eq!(r.break_glass, expected, "{r:?}");
    }
}
