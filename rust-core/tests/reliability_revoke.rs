//! Issue 6's revoke reliability run: 5,000 users (`OQG_RELIABILITY_USERS`) revoked through the
//! operation (`ops::revoke`, what Revoke-OutlookMobileSignin calls) with the fault mix on Graph,
//! checked against the emulator's revocation journal: every user exactly once in the results
//! and exactly once in the journal, lost `$batch` replies included (the client reads the
//! users' signInSessionsValidFromDateTime before it would send a lost batch again).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use outlook_qr_guard::exo::Mailbox;
use outlook_qr_guard::ops::revoke::{RevokeRecord, RevokeStatus, RevokeTargetSpec, revoke};
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass, Journal};
use tokio_util::sync::CancellationToken;

mod ops_support;
use ops_support::{connect, env_size, reliability_faults};

const ENDPOINTS: &[EndpointClass] = &[EndpointClass::GraphBatch, EndpointClass::GraphRevoke];

async fn tenant(users: usize) -> Emulator {
    Emulator::start(EmulatorOptions {
        users: users + 1,
        devices: 10,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

/// Every UPN but the delegated admin's (user 0).
async fn user_names(session: &outlook_qr_guard::ops::Session) -> Vec<String> {
    let mut p = serde_json::Map::new();
    p.insert("ResultSize".into(), "Unlimited".into());
    let (mailboxes, _) = session
        .exchange
        .invoke_all::<Mailbox>("Get-Mailbox", p)
        .await
        .unwrap();
    mailboxes
        .into_iter()
        .skip(1)
        .map(|m| m.user_principal_name.unwrap())
        .collect()
}

async fn run_revoke(
    session: &outlook_qr_guard::ops::Session,
    users: &[String],
) -> (Vec<RevokeRecord>, Duration) {
    let targets = users
        .iter()
        .map(|u| RevokeTargetSpec {
            input: u.clone(),
            user: Some(u.clone()),
            mailbox_distinguished_name: None,
        })
        .collect();
    let records = Mutex::new(Vec::new());
    let started = Instant::now();
    revoke(session, targets, CancellationToken::new(), &|r| {
        records.lock().unwrap().push(r)
    })
    .await
    .unwrap();
    (records.into_inner().unwrap(), started.elapsed())
}

/// Results: each user exactly once, and Revoked.
fn assert_results_exactly_once(records: &[RevokeRecord], users: &[String]) {
    let mut by_user: HashMap<String, usize> = HashMap::new();
    for r in records {
        *by_user
            .entry(r.user_principal_name.to_lowercase())
            .or_default() += 1;
        assert_eq!(r.status, RevokeStatus::Revoked, "{r:?}");
    }
    assert_eq!(records.len(), users.len(), "one result per user");
    for u in users {
        assert_eq!(by_user.get(&u.to_lowercase()), Some(&1), "results for {u}");
    }
}

/// Revocations per user in the emulator's journal.
fn revocations(journal: &Journal) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in &journal.revocations {
        *counts
            .entry(r.user_principal_name.to_lowercase())
            .or_default() += 1;
    }
    counts
}

fn faults_fired(journal: &Journal) -> HashMap<String, usize> {
    let mut fired = HashMap::new();
    for r in &journal.requests {
        if let Some(f) = &r.fault {
            *fired.entry(f.clone()).or_default() += 1;
        }
    }
    fired
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_users_under_every_fault_reaches_each_user_once() {
    let count = env_size("OQG_RELIABILITY_USERS", 5000);
    let expiry = env_size("OQG_RELIABILITY_TOKEN_EXPIRY_SECS", 3) as f64;
    let emu = tenant(count).await;
    let session = connect(&emu).await;
    let users = user_names(&session).await;
    assert_eq!(users.len(), count);
    let (first, second) = users.split_at(count / 2);

    // 1. Slow, throttled, refused and expired-token replies, none lost.
    emu.reset_journal();
    emu.set_faults(reliability_faults(3, ENDPOINTS, expiry, false));
    let (records, took) = run_revoke(&session, first).await;
    let journal = emu.journal();
    let fired = faults_fired(&journal);
    eprintln!(
        "revoke {} users, no reply lost: {took:.1?}, {} requests, faults {fired:?}",
        first.len(),
        batch_requests(&journal)
    );
    assert_results_exactly_once(&records, first);
    assert_journal_exactly_once(&journal, first, &fired);
    for kind in ["Throttle", "ServerError"] {
        assert!(fired.get(kind).is_some_and(|n| *n > 0), "{kind}: {fired:?}");
    }
    assert_requests_bounded(&journal, first.len());

    // 2. The whole mix, lost replies included.
    emu.reset_journal();
    emu.set_faults(reliability_faults(4, ENDPOINTS, expiry, true));
    let (records, took) = run_revoke(&session, second).await;
    let journal = emu.journal();
    let fired = faults_fired(&journal);
    let lost_batch_replies = journal
        .requests
        .iter()
        .filter(|r| {
            r.endpoint == EndpointClass::GraphBatch
                && r.batch_item_id.is_none()
                && matches!(r.fault.as_deref(), Some("ResetMidBody" | "TruncatedJson"))
        })
        .count();
    let checks = journal
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphUsers && r.batch_item_id.is_some())
        .count();
    eprintln!(
        "revoke {} users, full mix: {took:.1?}, {} requests, faults {fired:?}; {lost_batch_replies} $batch replies lost, {checks} users checked",
        second.len(),
        batch_requests(&journal)
    );
    assert!(
        lost_batch_replies > 0,
        "the plan must lose some replies: {fired:?}"
    );
    assert!(checks > 0, "lost replies are followed by a check");
    assert_results_exactly_once(&records, second);
    assert_journal_exactly_once(&journal, second, &fired);
    assert_requests_bounded(&journal, second.len());
}

fn assert_journal_exactly_once(
    journal: &Journal,
    users: &[String],
    fired: &HashMap<String, usize>,
) {
    let counts = revocations(journal);
    for u in users {
        assert_eq!(
            counts.get(&u.to_lowercase()),
            Some(&1),
            "journal for {u} (faults: {fired:?})"
        );
    }
    assert_eq!(journal.revocations.len(), users.len());
}

/// `$batch` envelopes sent, HTTP-level retries included.
fn batch_requests(journal: &Journal) -> usize {
    journal
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphBatch && r.batch_item_id.is_none())
        .count()
}

/// Retried items share batches with users not yet sent, so requests stay near
/// (users + retried items) / 20 plus the envelopes the faults themselves refused.
fn assert_requests_bounded(journal: &Journal, users: usize) {
    let envelopes = batch_requests(journal);
    let refused_envelopes = journal
        .requests
        .iter()
        .filter(|r| {
            r.endpoint == EndpointClass::GraphBatch && r.batch_item_id.is_none() && r.status != 200
        })
        .count();
    let item_sends = journal
        .requests
        .iter()
        .filter(|r| r.batch_item_id.is_some())
        .count();
    // Answered envelopes hold ≤ 20 items; the last few batches of each phase may be partial.
    let answered = envelopes - refused_envelopes;
    eprintln!(
        "  {answered} answered $batch requests for {item_sends} item sends (bound {})",
        item_sends.div_ceil(20) + 12
    );
    assert!(
        answered <= item_sends.div_ceil(20) + 12,
        "{answered} answered $batch requests for {item_sends} item sends ({users} users)"
    );
}

/// Issue 13 item 5 through the operation: a device that names no mailbox is NotFound and is
/// never revoked by the name it shows (here a real user's UPN); a guest is NotSupported and not
/// sent; the others are revoked.
#[tokio::test]
async fn devices_without_a_mailbox_and_guests_are_reported_not_revoked() {
    let emu = tenant(4).await;
    let session = connect(&emu).await;
    let users = user_names(&session).await;
    emu.reset_journal();
    let guest = format!(
        "someone_fabrikam.com#EXT#@{}",
        emu.credentials().tenant_domain
    );
    let targets = vec![
        RevokeTargetSpec {
            input: users[0].clone(),
            user: None,
            mailbox_distinguished_name: None,
        },
        RevokeTargetSpec {
            input: users[1].clone(),
            user: None,
            mailbox_distinguished_name: Some("  ".into()),
        },
        RevokeTargetSpec {
            input: guest.clone(),
            user: Some(guest.clone()),
            mailbox_distinguished_name: None,
        },
        RevokeTargetSpec {
            input: users[2].clone(),
            user: Some(users[2].clone()),
            mailbox_distinguished_name: None,
        },
        RevokeTargetSpec {
            input: "   ".into(),
            user: Some("   ".into()),
            mailbox_distinguished_name: None,
        },
    ];
    let records = Mutex::new(Vec::new());
    let totals = revoke(&session, targets, CancellationToken::new(), &|r| {
        records.lock().unwrap().push(r)
    })
    .await
    .unwrap();
    let records = records.into_inner().unwrap();
    let status_of = |input: &str| {
        records
            .iter()
            .filter(|r| r.input == input)
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        status_of(&users[0]),
        [RevokeStatus::NotFound],
        "{records:?}"
    );
    assert_eq!(
        status_of(&users[1]),
        [RevokeStatus::NotFound],
        "{records:?}"
    );
    assert_eq!(
        status_of(&guest),
        [RevokeStatus::NotSupported],
        "{records:?}"
    );
    assert_eq!(status_of(&users[2]), [RevokeStatus::Revoked], "{records:?}");
    assert_eq!(
        status_of("   "),
        [RevokeStatus::Invalid],
        "a blank user is no device"
    );
    assert_eq!((totals.users, totals.revoked), (5, 1));
    let journal = emu.journal();
    assert_eq!(
        revocations(&journal).into_keys().collect::<Vec<_>>(),
        [users[2].to_lowercase()]
    );
    assert!(
        journal
            .requests
            .iter()
            .all(|r| !r.path.to_lowercase().contains("ext")),
        "the guest is never sent"
    );
}

/// Ctrl+C in Revoke-OutlookMobileSignin (issue #14 item 12) as the operation sees it: every
/// user gets a record, Revoked ones are exactly the journal's, the rest Cancelled, and the
/// result file holds them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_revoke_records_every_user_and_writes_the_result_file() {
    use outlook_qr_guard::ops::revoke::ResultFile;
    use tenant_emulator::{Fault, FaultPlan, FaultRule};

    let emu = tenant(200).await;
    let session = connect(&emu).await;
    let users = user_names(&session).await;
    emu.reset_journal();
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::GraphBatch,
        Fault::Latency(Duration::from_millis(400)),
        1.0,
    )));
    let targets = users
        .iter()
        .map(|u| RevokeTargetSpec {
            input: u.clone(),
            user: Some(u.clone()),
            mailbox_distinguished_name: None,
        })
        .collect();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        stop.cancel();
    });
    let records = Mutex::new(Vec::new());
    let totals = revoke(&session, targets, cancel, &|r| {
        records.lock().unwrap().push(r)
    })
    .await
    .unwrap();
    let records = records.into_inner().unwrap();
    assert_eq!(records.len(), users.len(), "one record per user");
    assert!(totals.stopped, "{totals:?}");
    assert!(totals.revoked > 0 && totals.cancelled > 0, "{totals:?}");
    assert_eq!(
        totals.revoked + totals.cancelled + totals.unknown,
        users.len()
    );
    let revoked: std::collections::HashSet<String> = records
        .iter()
        .filter(|r| r.status == RevokeStatus::Revoked)
        .map(|r| r.user_principal_name.to_lowercase())
        .collect();
    let journal: std::collections::HashSet<String> =
        revocations(&emu.journal()).into_keys().collect();
    assert_eq!(revoked, journal, "Revoked is exactly what the service did");
    for r in &records {
        if r.status == RevokeStatus::Cancelled {
            assert!(r.message.contains("nothing that revokes"), "{r:?}");
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.csv");
    let written = ResultFile::create(&path).unwrap().write(&records).unwrap();
    let text = std::fs::read_to_string(&written).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}\"Requested\",\"UserPrincipalName\",\"UserId\",\"Status\",\"Message\"")
    );
    assert_eq!(lines.count(), users.len());
    assert!(text.contains("\"Cancelled\""));
    assert!(
        ResultFile::create(&path).is_err(),
        "an existing file is refused"
    );
}
