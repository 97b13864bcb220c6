//! Sign-in evidence against the emulator over real sockets: the transfer events of the window
//! with the server-side filter and with the fallback when the service refuses it, paging,
//! throttling, the one-user and interactive filters, the licence and permission 403s, and the
//! export join.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use http_support::*;
use outlook_qr_guard::device::{TICKS_PER_SECOND, UtcTimestamp, mailbox_distinguished_name};
use outlook_qr_guard::exo::{Mailbox, MobileDeviceQuery};
use outlook_qr_guard::export::{CsvOptions, DateCulture, DateFormatter, Newline};
use outlook_qr_guard::ops::evidence::{self, EvidenceSpec, SigninListing};
use outlook_qr_guard::ops::export::{EVIDENCE_COLUMNS, ExportSpec, export};
use outlook_qr_guard::ops::{FailureKind, Session};
use serde_json::Value;
use tenant_emulator::{EmulatorOptions, EndpointClass, SettingsUpdate};

fn since_30_days() -> UtcTimestamp {
    let now = evidence::now();
    UtcTimestamp::from_ticks(now.ticks() - 30 * 86_400 * TICKS_PER_SECOND).unwrap()
}

/// The seeded transfer events at or after `since`, as the service holds them.
fn truth(emu: &tenant_emulator::Emulator, since: UtcTimestamp) -> Vec<Value> {
    emu.seeded_signins_json()
        .into_iter()
        .filter(|e| e["originalTransferMethod"] == "authenticationTransfer")
        .filter(|e| UtcTimestamp::parse(e["createdDateTime"].as_str().unwrap()).unwrap() >= since)
        .collect()
}

fn ids(events: &[Value]) -> BTreeSet<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

struct Listed {
    ids: BTreeSet<String>,
    events: Vec<outlook_qr_guard::graph::signins::SignIn>,
    pages: u32,
    server_side: bool,
    warnings: Vec<String>,
}

async fn list(
    session: &Session,
    spec: EvidenceSpec,
) -> Result<Listed, outlook_qr_guard::ops::OpError> {
    let mut listing = SigninListing::start(session, &spec)?;
    let mut out = Listed {
        ids: BTreeSet::new(),
        events: Vec::new(),
        pages: 0,
        server_side: true,
        warnings: Vec::new(),
    };
    while let Some(page) = listing.next_page().await {
        let page = page?;
        out.server_side &= page.server_side_filter;
        out.warnings.extend(page.warnings);
        for e in page.events {
            assert!(out.ids.insert(e.id.clone()), "event {} listed twice", e.id);
            out.events.push(e);
        }
    }
    out.pages = listing.pages_read();
    Ok(out)
}

fn spec(since: UtcTimestamp) -> EvidenceSpec {
    EvidenceSpec {
        since: Some(since),
        ..EvidenceSpec::default()
    }
}

async fn emu() -> tenant_emulator::Emulator {
    emulator(EmulatorOptions {
        users: 80,
        devices: 120,
        ..EmulatorOptions::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_filter_lists_every_transfer_event_of_the_window() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let since = since_30_days();
    let want = truth(&emu, since);
    assert!(
        want.len() >= 5,
        "the seed has transfer events: {}",
        want.len()
    );
    let got = list(&session, spec(since)).await.unwrap();
    assert!(got.server_side);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert_eq!(got.ids, ids(&want));
    // Both kinds of events are there, with their details.
    let kinds: BTreeSet<&str> = got.events.iter().map(|e| e.event_type.as_str()).collect();
    assert!(
        kinds.contains("interactiveUser") && kinds.contains("nonInteractiveUser"),
        "{kinds:?}"
    );
    let first = &got.events[0];
    let truth_first = want.iter().find(|e| e["id"] == first.id.as_str()).unwrap();
    assert_eq!(
        first.user_principal_name,
        truth_first["userPrincipalName"].as_str().unwrap()
    );
    assert_eq!(
        first.operating_system,
        truth_first["deviceDetail"]["operatingSystem"]
            .as_str()
            .unwrap()
    );
    assert_eq!(first.ip_address, truth_first["ipAddress"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_transfer_filter_falls_back_to_filtering_here() {
    let emu = emu().await;
    emu.update_settings(SettingsUpdate {
        refuse_transfer_method_filter: Some(true),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let session = full_session(&emu).await;
    let since = since_30_days();
    let got = list(&session, spec(since)).await.unwrap();
    assert!(!got.server_side);
    assert!(
        got.warnings
            .iter()
            .any(|w| w.contains("originalTransferMethod")),
        "{:?}",
        got.warnings
    );
    assert_eq!(got.ids, ids(&truth(&emu, since)));
    // One refused request, then the narrower query.
    let statuses: Vec<u16> = emu
        .journal()
        .requests_to(EndpointClass::GraphSignIns)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses.first(), Some(&400), "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 200), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_pages_and_tight_throttling_lose_nothing() {
    let emu = emu().await;
    emu.update_settings(SettingsUpdate {
        sign_in_rate_per_second: Some(2.0),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let session = full_session(&emu).await;
    let since = since_30_days();
    let want = truth(&emu, since);
    let got = list(
        &session,
        EvidenceSpec {
            page_size: Some(3),
            ..spec(since)
        },
    )
    .await
    .unwrap();
    assert_eq!(got.ids, ids(&want));
    assert!(got.pages as usize >= want.len() / 3, "{} pages", got.pages);
    let throttled = emu
        .journal()
        .requests_to(EndpointClass::GraphSignIns)
        .filter(|r| r.status == 429)
        .count();
    assert!(
        throttled > 0,
        "the bucket (2/s, burst) was exceeded and honoured"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_user_and_interactive_only() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let since = since_30_days();
    let want = truth(&emu, since);
    let upn = want[0]["userPrincipalName"].as_str().unwrap().to_owned();
    let user_id = want[0]["userId"].as_str().unwrap().to_owned();
    let theirs: Vec<Value> = want
        .iter()
        .filter(|e| e["userId"] == user_id.as_str())
        .cloned()
        .collect();
    for who in [upn.clone(), user_id.to_uppercase()] {
        let got = list(
            &session,
            EvidenceSpec {
                user: Some(who.clone()),
                ..spec(since)
            },
        )
        .await
        .unwrap();
        assert_eq!(got.ids, ids(&theirs), "{who}");
    }
    let interactive: Vec<Value> = want
        .iter()
        .filter(|e| e["signInEventTypes"][0] == "interactiveUser")
        .cloned()
        .collect();
    let got = list(
        &session,
        EvidenceSpec {
            interactive_only: true,
            ..spec(since)
        },
    )
    .await
    .unwrap();
    assert_eq!(got.ids, ids(&interactive));
    assert!(got.ids.len() < want.len());

    let bad = SigninListing::start(
        &session,
        &EvidenceSpec {
            user: Some("not a user/..".into()),
            ..spec(since)
        },
    );
    assert_eq!(bad.err().unwrap().kind, FailureKind::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licence_and_permission_failures_say_what_to_do() {
    let emu = emu().await;
    let session = session_for(&emu, &emu.credentials().exchange_only_app)
        .await
        .unwrap();
    let e = list(&session, spec(since_30_days())).await.err().unwrap();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert_eq!(e.code, "Authorization_RequestDenied");
    assert!(e.message.contains("AuditLog.Read.All"), "{}", e.message);

    emu.update_settings(SettingsUpdate {
        premium: Some(false),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let session = full_session(&emu).await;
    let e = list(&session, spec(since_30_days())).await.err().unwrap();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert_eq!(
        e.code,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    );
    assert!(e.message.contains("Microsoft Entra ID P1"), "{}", e.message);
    assert!(
        e.message.contains("Export-OutlookMobileDevice"),
        "{}",
        e.message
    );
}

async fn mailboxes(session: &Session) -> Vec<Mailbox> {
    let mut p = serde_json::Map::new();
    p.insert("ResultSize".into(), "Unlimited".into());
    session
        .exchange
        .invoke_all::<Mailbox>("Get-Mailbox", p)
        .await
        .unwrap()
        .0
}

fn export_spec(path: &std::path::Path, evidence: Option<EvidenceSpec>) -> ExportSpec {
    ExportSpec {
        path: path.to_path_buf(),
        overwrite: false,
        create_directory: false,
        options: CsvOptions {
            newline: Newline::CrLf,
            ..CsvOptions::default()
        },
        query: MobileDeviceQuery::outlook_mobile(),
        evidence,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_marks_the_rows_of_users_with_transfer_signins() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let since = since_30_days();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.csv");
    let joined = dir.path().join("joined.csv");
    let plain_outcome = export(&session, export_spec(&plain, None), |_| {})
        .await
        .unwrap();
    assert_eq!(plain_outcome.devices_with_evidence, 0);
    let outcome = export(&session, export_spec(&joined, Some(spec(since))), |_| {})
        .await
        .unwrap();

    // Expected count per mailbox DN, from the seeded events and the mailboxes' owners.
    let mut per_user: HashMap<String, (u64, UtcTimestamp, UtcTimestamp)> = HashMap::new();
    for e in truth(&emu, since) {
        let at = UtcTimestamp::parse(e["createdDateTime"].as_str().unwrap()).unwrap();
        let entry = per_user
            .entry(e["userId"].as_str().unwrap().to_lowercase())
            .or_insert((0, at, at));
        entry.0 += 1;
        entry.1 = entry.1.min(at);
        entry.2 = entry.2.max(at);
    }
    let dates = DateFormatter::general(&DateCulture::invariant()).unwrap();
    let shown = |t: UtcTimestamp| {
        let mut s = String::new();
        dates.format(t, &mut s);
        s
    };
    assert_eq!(outcome.users_with_evidence as usize, per_user.len());
    let per_dn: HashMap<String, (u64, UtcTimestamp, UtcTimestamp)> = mailboxes(&session)
        .await
        .into_iter()
        .filter_map(|m| {
            let n = per_user.get(&m.external_directory_object_id?.to_lowercase())?;
            Some((m.distinguished_name?.to_lowercase(), *n))
        })
        .collect();

    let plain_bytes = std::fs::read(&plain).unwrap();
    let joined_bytes = std::fs::read(&joined).unwrap();
    let mut plain_rows = csv::Reader::from_reader(&plain_bytes[3..]);
    let mut joined_rows = csv::Reader::from_reader(&joined_bytes[3..]);
    let header = joined_rows.headers().unwrap().clone();
    let n = header.len();
    assert_eq!(
        header.iter().skip(n - 3).collect::<Vec<_>>(),
        EVIDENCE_COLUMNS
    );
    // Everything before the extra columns is the plain export, row for row.
    assert_eq!(
        header.iter().take(n - 3).collect::<Vec<_>>(),
        plain_rows.headers().unwrap().iter().collect::<Vec<_>>()
    );
    let dn_column = header
        .iter()
        .position(|h| h == "DistinguishedName")
        .unwrap();
    let mut marked = 0;
    for (p, j) in plain_rows.records().zip(joined_rows.records()) {
        let (p, j) = (p.unwrap(), j.unwrap());
        assert_eq!(
            j.iter().take(n - 3).collect::<Vec<_>>(),
            p.iter().collect::<Vec<_>>()
        );
        let dn = mailbox_distinguished_name(&j[dn_column])
            .unwrap()
            .to_lowercase();
        match per_dn.get(&dn) {
            Some((count, first, last)) => {
                marked += 1;
                assert_eq!(j[n - 3].parse::<u64>().unwrap(), *count, "{dn}");
                assert_eq!(j[n - 2], shown(*first), "{dn}");
                assert_eq!(j[n - 1], shown(*last), "{dn}");
            }
            None => {
                assert_eq!(&j[n - 3], "0", "{dn}");
                assert!(j[n - 2].is_empty() && j[n - 1].is_empty());
            }
        }
    }
    assert!(
        marked > 0,
        "some devices belong to users who used the QR code"
    );
    assert_eq!(outcome.devices_with_evidence, marked);
    assert_eq!(outcome.devices, plain_outcome.devices);
}

async fn json_report(session: &Session) -> Value {
    use outlook_qr_guard::ops::report::{ReportFormat, ReportSpec, build};
    let outcome = build(
        session,
        ReportSpec {
            format: ReportFormat::Json,
            path: None,
            overwrite: false,
            query: MobileDeviceQuery::outlook_mobile(),
            culture: String::new(),
        },
        |_| {},
    )
    .await
    .unwrap();
    serde_json::from_str(&outcome.text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_shows_both_layers_and_the_evidence() {
    let emu = emu().await;
    let session = full_session(&emu).await;
    let report = json_report(&session).await;
    assert_eq!(report["verdict"], "Exposed");
    assert_eq!(report["conditionalAccess"]["state"], "NotBlocked");
    // The third layer: every OWA mailbox policy with its switch and mailbox count, labelled.
    let owa = &report["owaMailboxPolicies"];
    assert_eq!(owa["state"], "On", "{owa}");
    assert!(
        owa["documentation"]
            .as_str()
            .unwrap()
            .contains("reserved for internal")
    );
    let mailboxes: u64 = owa["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mailboxes"].as_u64().unwrap())
        .sum();
    assert_eq!(mailboxes as usize, emu.seeded_counts().0, "{owa}");
    // The report's window starts a moment after ours: compare with the events it could see.
    let want = truth(&emu, since_30_days());
    let users: BTreeSet<&str> = want.iter().map(|e| e["userId"].as_str().unwrap()).collect();
    assert_eq!(report["evidence"]["available"], true);
    assert_eq!(
        report["evidence"]["signins"].as_u64().unwrap() as usize,
        want.len()
    );
    assert_eq!(
        report["evidence"]["users"].as_u64().unwrap() as usize,
        users.len()
    );
    // The chart's data: every UTC day the 30-day window touches, zero days included, each with
    // the log's transfer sign-ins of that date.
    let per_day = report["evidence"]["perDay"].as_array().unwrap();
    assert_eq!(per_day.len(), 31, "{per_day:?}");
    let mut want_per_day: BTreeMap<String, u64> = BTreeMap::new();
    for e in &want {
        let created = e["createdDateTime"].as_str().unwrap();
        *want_per_day.entry(created[..10].to_owned()).or_default() += 1;
    }
    let got_per_day: BTreeMap<String, u64> = per_day
        .iter()
        .filter(|d| d["signins"].as_u64().unwrap() > 0)
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["signins"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_per_day, want_per_day);
    assert!(
        report["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r
                .as_str()
                .unwrap()
                .contains("Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin"))
    );

    // Without the Entra permissions the report is still built and says why each part is unknown.
    let limited = session_for(&emu, &emu.credentials().exchange_only_app)
        .await
        .unwrap();
    let report = json_report(&limited).await;
    assert_eq!(report["verdict"], "Exposed");
    assert_eq!(report["conditionalAccess"]["state"], "Unknown");
    assert!(
        report["conditionalAccess"]["reason"]
            .as_str()
            .unwrap()
            .contains("Policy.Read.All")
    );
    assert_eq!(report["evidence"]["available"], false);
    assert!(
        report["evidence"]["reason"]
            .as_str()
            .unwrap()
            .contains("AuditLog.Read.All")
    );
    assert!(report["outlookMobileDevices"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_sign_in_pages_change_nothing() {
    use outlook_qr_guard::graph::GraphClient;
    use outlook_qr_guard::graph::signins::{SignInPager, SignInQuery};
    use tenant_emulator::{Fault, FaultPlan, FaultRule};
    let emu = emu().await;
    // The rate limit's own 429s would line up with the injected faults: test one thing at a time.
    emu.update_settings(SettingsUpdate {
        sign_in_rate_per_second: Some(0.0),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let since = since_30_days();
    let want = ids(&truth(&emu, since));
    for fault in [
        Fault::Throttle {
            retry_after: "0.2".into(),
        },
        Fault::ServerError {
            status: 503,
            retry_after: None,
        },
        Fault::TruncatedJson,
        Fault::ResetMidBody,
    ] {
        emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphSignIns,
            fault.clone(),
            2,
        )));
        let graph = GraphClient::new(secret_provider(&emu));
        let mut pager = SignInPager::new(
            graph,
            SignInQuery {
                since,
                until: None,
                user: None,
                interactive_only: false,
                page_size: Some(4),
                include_unknown_enum_members: false,
            },
        )
        .unwrap();
        let mut got = BTreeSet::new();
        while let Some(page) = pager.next_page().await.unwrap() {
            got.extend(page.events.into_iter().map(|e| e.id));
        }
        assert_eq!(got, want, "{fault:?}");
        assert!(pager.pages_read() > 1);
    }
}
