//! Drift (issue #17) at the ops level against the emulator: the first run writes the baseline,
//! an unchanged tenant shows nothing, the tenant's state is changed through the service (the
//! prompt, an enforced block, a new exclusion) and each change shows with its severity; a
//! corrupt or foreign baseline fails and is left untouched.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::path::Path;

use http_support::*;
use outlook_qr_guard::ops::conditional_access as ca;
use outlook_qr_guard::ops::drift::{self, BaselineSpec, Severity, Snapshot};
use outlook_qr_guard::ops::{FailureKind, Session, prompt};
use tenant_emulator::EmulatorOptions;

fn spec(path: &Path, write: bool) -> BaselineSpec {
    BaselineSpec {
        path: path.to_path_buf(),
        write,
        window_days: 30,
    }
}

async fn block(session: &Session, groups: &[&str]) {
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    let plan = ca::plan_block(session, true, &[], &groups).await.unwrap();
    ca::apply(session, plan).await.unwrap();
}

fn severity_of(d: &[drift::Difference], path: &str) -> Option<Severity> {
    d.iter().find(|x| x.path == path).map(|x| x.severity)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_then_each_change_of_the_tenant_shows_with_its_severity() {
    let emu = emulator(EmulatorOptions {
        users: 60,
        devices: 60,
        ..EmulatorOptions::default()
    })
    .await;
    let session = full_session(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contoso.baseline.json");

    // First run: nothing to compare, the file is written only when asked.
    let first = drift::compare_baseline(&session, &spec(&path, false))
        .await
        .unwrap();
    assert!(first.baseline.is_none() && first.differences.is_empty());
    assert!(!path.exists());
    let first = drift::compare_baseline(&session, &spec(&path, true))
        .await
        .unwrap();
    assert_eq!(first.written.as_deref(), Some(path.as_path()));
    let saved = Snapshot::read(&path).unwrap().unwrap();
    assert_eq!(saved.verdict, "Exposed");
    assert_eq!(saved.prompt_enabled, Some(true));
    assert!(saved.evidence.available && saved.evidence.users > 0);
    assert!(saved.evidence.newest_sign_in_utc.is_some());
    assert_eq!(saved.owa_mailbox_policies.policies.len(), 3);
    // The tenant id from the token, not the domain typed.
    assert!(
        uuid::Uuid::parse_str(&saved.tenant_id).is_ok(),
        "{}",
        saved.tenant_id
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&emu.credentials().secret_app.client_secret));

    // Unchanged tenant: no difference.
    let same = drift::compare_baseline(&session, &spec(&path, false))
        .await
        .unwrap();
    assert!(same.differences.is_empty(), "{:#?}", same.differences);

    // Hide the prompt and enforce a block: better, accepted as the new baseline.
    prompt::set(&session, false).await.unwrap();
    block(&session, &[]).await;
    let better = drift::compare_baseline(&session, &spec(&path, true))
        .await
        .unwrap();
    let d = &better.differences;
    assert_eq!(severity_of(d, "verdict"), Some(Severity::Better), "{d:#?}");
    assert_eq!(severity_of(d, "promptEnabled"), Some(Severity::Better));
    assert_eq!(
        severity_of(d, "conditionalAccess.state"),
        Some(Severity::Better)
    );
    assert!(!drift::got_worse(d));
    assert_eq!(Snapshot::read(&path).unwrap().unwrap().verdict, "Blocked");

    // Someone excludes a group from the block and turns the prompt back on: worse.
    block(&session, &["Executives"]).await;
    prompt::set(&session, true).await.unwrap();
    let worse = drift::compare_baseline(&session, &spec(&path, false))
        .await
        .unwrap();
    let d = &worse.differences;
    assert!(drift::got_worse(d));
    let excluded = d
        .iter()
        .find(|x| x.path.ends_with(".excludedGroups"))
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(excluded.severity, Severity::Worse);
    assert!(excluded.to.starts_with("Executives ("), "{}", excluded.to);
    assert_eq!(severity_of(d, "promptEnabled"), Some(Severity::Worse));
    let verdict = d.iter().find(|x| x.path == "verdict").unwrap();
    assert_eq!(
        (verdict.from.as_str(), verdict.to.as_str()),
        ("Blocked", "BlockedWithExclusions")
    );
    // Not written: the baseline still holds the good state.
    assert_eq!(Snapshot::read(&path).unwrap().unwrap().verdict, "Blocked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_or_foreign_baseline_fails_and_is_left_untouched() {
    let emu = emulator(EmulatorOptions {
        users: 20,
        devices: 20,
        ..EmulatorOptions::default()
    })
    .await;
    let session = full_session(&emu).await;
    let dir = tempfile::tempdir().unwrap();

    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"schemaVersion\": 1, \"verdict\": ").unwrap();
    let before = count_requests(&emu, "InvokeCommand");
    let e = drift::compare_baseline(&session, &spec(&corrupt, true))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (FailureKind::InvalidArgument, "BaselineCorrupt")
    );
    assert!(e.message.contains("corrupt.json"), "{}", e.message);
    assert_eq!(
        std::fs::read_to_string(&corrupt).unwrap(),
        "{\"schemaVersion\": 1, \"verdict\": "
    );
    // Refused before the tenant was read.
    assert_eq!(count_requests(&emu, "InvokeCommand"), before);

    // A good baseline of this tenant, then the same with another tenant id.
    let good = dir.path().join("good.json");
    drift::compare_baseline(&session, &spec(&good, true))
        .await
        .unwrap();
    let mut other = Snapshot::read(&good).unwrap().unwrap();
    other.tenant_id = "00000000-0000-0000-0000-0000000000aa".into();
    other.organization = "fabrikam.onmicrosoft.com".into();
    let foreign = dir.path().join("fabrikam.json");
    other.write(&foreign).unwrap();
    let bytes = std::fs::read(&foreign).unwrap();
    let e = drift::compare_baseline(&session, &spec(&foreign, true))
        .await
        .unwrap_err();
    assert_eq!(e.code, "BaselineOtherTenant");
    assert!(
        e.message.contains("fabrikam.onmicrosoft.com"),
        "{}",
        e.message
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), bytes);

    // A baseline from before the tenant's latest QR-code sign-ins (taken earlier, fewer users):
    // the live sign-in logs show them as new.
    let mut earlier = Snapshot::read(&good).unwrap().unwrap();
    assert!(earlier.evidence.users > 0);
    earlier.evidence.newest_sign_in_utc = Some("2000-01-01T00:00:00Z".into());
    earlier.evidence.users -= 1;
    let earlier_path = dir.path().join("earlier.json");
    earlier.write(&earlier_path).unwrap();
    let seen = drift::compare_baseline(&session, &spec(&earlier_path, false))
        .await
        .unwrap();
    let d = &seen.differences;
    assert_eq!(
        severity_of(d, "evidence.newestSignInUtc"),
        Some(Severity::Worse),
        "{d:#?}"
    );
    assert_eq!(severity_of(d, "evidence.users"), Some(Severity::Worse));
    assert_eq!(d.len(), 2, "{d:#?}");

    let newer = dir.path().join("v2.json");
    std::fs::write(
        &newer,
        std::fs::read_to_string(&good)
            .unwrap()
            .replace("\"schemaVersion\": 1", "\"schemaVersion\": 2"),
    )
    .unwrap();
    let e = drift::compare_baseline(&session, &spec(&newer, true))
        .await
        .unwrap_err();
    assert_eq!(e.code, "BaselineVersionUnsupported");
    assert!(e.message.contains("v2.json") && e.message.contains("schemaVersion 2"));
}
