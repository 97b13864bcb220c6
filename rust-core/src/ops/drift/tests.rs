#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::snapshot::write_atomically;
use super::*;

fn obj(id: &str, name: &str) -> ObjectRef {
    ObjectRef {
        id: id.into(),
        display_name: name.into(),
    }
}

fn policy(id: &str, state: &str) -> CaPolicySnapshot {
    CaPolicySnapshot {
        id: id.into(),
        display_name: format!("Block {id}"),
        state: state.into(),
        covers_everyone: true,
        excluded_users: vec![obj("u1", "Break Glass")],
        excluded_groups: Vec::new(),
        excluded_roles: Vec::new(),
        excluded_guests_or_external_users: None,
        created_by_module: true,
    }
}

fn sample() -> Snapshot {
    Snapshot {
        schema_version: SCHEMA_VERSION,
        tenant_id: "2f1c4c2e-6f43-4b8e-9d8b-0d9a7f0e1a11".into(),
        organization: "contoso.onmicrosoft.com".into(),
        taken_at_utc: "2026-12-01T00:00:00Z".into(),
        module_version: "1.0.0".into(),
        verdict: "BlockedWithExclusions".into(),
        prompt_enabled: Some(false),
        owa_mailbox_policies: OwaSnapshot {
            state: "On".into(),
            policies: vec![
                OwaPolicySnapshot {
                    name: "OwaMailboxPolicy-Default".into(),
                    is_default: true,
                    account_transfer_enabled: Some(false),
                },
                OwaPolicySnapshot {
                    name: "Executives".into(),
                    is_default: false,
                    account_transfer_enabled: Some(true),
                },
            ],
        },
        conditional_access: CaSnapshot {
            state: "BlockedWithExclusions".into(),
            policies: vec![policy("p1", "enabled")],
        },
        evidence: EvidenceSnapshot {
            available: true,
            window_days: 30,
            users: 3,
            sign_ins: 10,
            newest_sign_in_utc: Some("2026-11-30T10:00:00Z".into()),
        },
    }
}

/// The one difference `change` makes, as (severity, path, from, to).
fn one(change: impl FnOnce(&mut Snapshot)) -> (Severity, String, String, String) {
    let mut now = sample();
    change(&mut now);
    let d = compare(&sample(), &now);
    assert_eq!(d.len(), 1, "{d:#?}");
    (
        d[0].severity,
        d[0].path.clone(),
        d[0].from.clone(),
        d[0].to.clone(),
    )
}

#[test]
fn the_same_state_has_no_difference() {
    let mut later = sample();
    later.taken_at_utc = "2026-12-06T00:00:00Z".into();
    later.module_version = "1.1.0".into();
    assert!(compare(&sample(), &later).is_empty());
}

#[test]
fn verdict_follows_its_ranking_and_unknown_is_worse() {
    let worse = one(|s| s.verdict = "Exposed".into());
    assert_eq!(worse.0, Severity::Worse);
    assert_eq!(
        (worse.1.as_str(), worse.2.as_str(), worse.3.as_str()),
        ("verdict", "BlockedWithExclusions", "Exposed")
    );
    assert_eq!(one(|s| s.verdict = "Blocked".into()).0, Severity::Better);
    assert_eq!(one(|s| s.verdict = "ReportOnly".into()).0, Severity::Worse);
    assert_eq!(one(|s| s.verdict = "Unknown".into()).0, Severity::Worse);
    let mut unknown = sample();
    unknown.verdict = "Unknown".into();
    let d = compare(&unknown, &sample());
    assert_eq!(d[0].severity, Severity::Changed);
    // PromptHidden is safer than a report-only policy with the prompt shown.
    let mut hidden = sample();
    hidden.verdict = "PromptHidden".into();
    let mut report_only = sample();
    report_only.verdict = "ReportOnly".into();
    assert_eq!(compare(&hidden, &report_only)[0].severity, Severity::Worse);
}

#[test]
fn the_prompt_turned_on_is_worse() {
    let d = one(|s| s.prompt_enabled = Some(true));
    assert_eq!(
        d,
        (
            Severity::Worse,
            "promptEnabled".into(),
            "False".into(),
            "True".into()
        )
    );
    let mut on = sample();
    on.prompt_enabled = Some(true);
    assert_eq!(compare(&on, &sample())[0].severity, Severity::Better);
    assert_eq!(one(|s| s.prompt_enabled = None).0, Severity::Changed);
}

#[test]
fn an_owa_switch_turned_on_or_a_new_policy_with_it_on_is_worse() {
    let d = one(|s| s.owa_mailbox_policies.policies[0].account_transfer_enabled = Some(true));
    assert_eq!(d.0, Severity::Worse);
    assert_eq!(
        d.1,
        "owaMailboxPolicies[OwaMailboxPolicy-Default].accountTransferEnabled"
    );
    assert_eq!(
        one(|s| s.owa_mailbox_policies.policies[1].account_transfer_enabled = Some(false)).0,
        Severity::Better
    );
    // Unreported is the documented default (on): the same effective state.
    assert_eq!(
        one(|s| s.owa_mailbox_policies.policies[1].account_transfer_enabled = None).0,
        Severity::Info
    );
    let added = one(|s| {
        s.owa_mailbox_policies.policies.push(OwaPolicySnapshot {
            name: "Contractors".into(),
            is_default: false,
            account_transfer_enabled: None,
        })
    });
    assert_eq!(added.0, Severity::Worse);
    assert_eq!(
        one(|s| {
            s.owa_mailbox_policies.policies.remove(1);
        })
        .0,
        Severity::Info
    );
    // Unreadable now: one difference for the section, not a removal per policy.
    let unread = one(|s| {
        s.owa_mailbox_policies.state = "Unknown".into();
        s.owa_mailbox_policies.policies.clear();
    });
    assert_eq!(
        (unread.0, unread.1.as_str()),
        (Severity::Worse, "owaMailboxPolicies.state")
    );
}

#[test]
fn conditional_access_policy_rules() {
    // Enforced -> report-only is worse; -> enabled better.
    let d = one(|s| {
        s.conditional_access.policies[0].state = "enabledForReportingButNotEnforced".into()
    });
    assert_eq!(
        (d.0, d.1.as_str()),
        (Severity::Worse, "conditionalAccess.policies[p1].state")
    );
    let mut report_only = sample();
    report_only.conditional_access.policies[0].state = "enabledForReportingButNotEnforced".into();
    assert_eq!(
        compare(&report_only, &sample())[0].severity,
        Severity::Better
    );
    // Removed: worse (with the layer's own change).
    let mut gone = sample();
    gone.conditional_access.policies.clear();
    gone.conditional_access.state = "NotBlocked".into();
    let d = compare(&sample(), &gone);
    assert!(d.iter().all(|x| x.severity == Severity::Worse), "{d:#?}");
    assert!(d.iter().any(|x| x.path == "conditionalAccess.policies[p1]"));
    assert!(d.iter().any(|x| x.path == "conditionalAccess.state"));
    // A removed disabled policy is only information.
    let mut disabled = sample();
    disabled
        .conditional_access
        .policies
        .push(policy("p2", "disabled"));
    assert_eq!(compare(&disabled, &sample())[0].severity, Severity::Info);
    // A new enforced policy is better.
    assert_eq!(
        one(|s| s.conditional_access.policies.push(policy("p3", "enabled"))).0,
        Severity::Better
    );
    assert_eq!(
        one(|s| s.conditional_access.policies[0].covers_everyone = false).0,
        Severity::Worse
    );
    assert_eq!(
        one(|s| s.conditional_access.policies[0].display_name = "x".into()).0,
        Severity::Info
    );
}

#[test]
fn a_new_exclusion_is_worse_and_names_the_object() {
    let d = one(|s| {
        s.conditional_access.policies[0]
            .excluded_groups
            .push(obj("g9", "Executives"))
    });
    assert_eq!(
        d,
        (
            Severity::Worse,
            "conditionalAccess.policies[p1].excludedGroups".into(),
            String::new(),
            "Executives (g9)".into()
        )
    );
    let role = one(|s| {
        s.conditional_access.policies[0]
            .excluded_roles
            .push(obj("r1", ""))
    });
    assert_eq!((role.0, role.3.as_str()), (Severity::Worse, "r1"));
    let removed = one(|s| s.conditional_access.policies[0].excluded_users.clear());
    assert_eq!(
        (removed.0, removed.2.as_str()),
        (Severity::Better, "Break Glass (u1)")
    );
    assert_eq!(
        one(|s| {
            s.conditional_access.policies[0].excluded_guests_or_external_users =
                Some("internalGuest".into())
        })
        .0,
        Severity::Worse
    );
    // A renamed excluded object is the same object (by id): no difference.
    let mut renamed = sample();
    renamed.conditional_access.policies[0].excluded_users[0].display_name = "BG".into();
    assert!(compare(&sample(), &renamed).is_empty());
}

#[test]
fn an_unreadable_conditional_access_layer_is_worse_without_policy_noise() {
    let mut unknown = sample();
    unknown.conditional_access.state = "Unknown".into();
    unknown.conditional_access.policies.clear();
    let d = compare(&sample(), &unknown);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].severity, Severity::Worse);
    assert_eq!(compare(&unknown, &sample())[0].severity, Severity::Changed);
}

#[test]
fn new_sign_ins_are_worse_and_counts_are_information() {
    let mut now = sample();
    now.evidence.newest_sign_in_utc = Some("2026-12-05T08:00:00Z".into());
    now.evidence.users = 4;
    now.evidence.sign_ins = 12;
    let d = compare(&sample(), &now);
    let by_path = |p: &str| d.iter().find(|x| x.path == p).map(|x| x.severity);
    assert_eq!(by_path("evidence.newestSignInUtc"), Some(Severity::Worse));
    assert_eq!(by_path("evidence.users"), Some(Severity::Worse));
    assert_eq!(by_path("evidence.signIns"), Some(Severity::Info));
    // Old events leaving the rolling window: information only.
    let aged = one(|s| s.evidence.users = 2);
    assert_eq!(aged.0, Severity::Info);
    assert_eq!(one(|s| s.evidence.available = false).0, Severity::Worse);
    let mut none = sample();
    none.evidence.newest_sign_in_utc = None;
    assert_eq!(
        compare(&none, &sample())
            .iter()
            .find(|x| x.path == "evidence.newestSignInUtc")
            .map(|x| x.severity),
        Some(Severity::Worse)
    );
    // Another window: counts are not compared, the newest sign-in still is.
    let window = compare(&sample(), &{
        let mut s = sample();
        s.evidence.window_days = 7;
        s.evidence.users = 9;
        s
    });
    assert_eq!(window.len(), 1, "{window:#?}");
    assert_eq!(window[0].severity, Severity::Info);
}

#[test]
fn got_worse_is_any_worse_difference() {
    assert!(!got_worse(&[]));
    let mut now = sample();
    now.verdict = "Blocked".into();
    assert!(!got_worse(&compare(&sample(), &now)));
    now.prompt_enabled = Some(true);
    assert!(got_worse(&compare(&sample(), &now)));
}

#[test]
fn a_snapshot_round_trips_through_its_json() {
    let text = sample().to_json();
    assert!(text.contains("\"schemaVersion\": 1"));
    assert!(text.contains("\"excludedUsers\""));
    let back = Snapshot::parse(Path::new("b.json"), &text).unwrap();
    assert_eq!(back, sample());
    // A BOM (Notepad) is accepted.
    assert!(Snapshot::parse(Path::new("b.json"), &format!("\u{feff}{text}")).is_ok());
}

#[test]
fn corrupt_or_foreign_json_is_refused_naming_the_file() {
    let path = Path::new("/baselines/contoso.json");
    for (text, needle) in [
        ("{not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ("{\"verdict\":\"Blocked\"}", "no schemaVersion"),
    ] {
        let e = Snapshot::parse(path, text).unwrap_err();
        assert!(matches!(e, SnapshotError::Corrupt { .. }), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("/baselines/contoso.json") && m.contains(needle),
            "{m}"
        );
    }
    // An unknown field or verdict (a hand edit) is refused too.
    let extra = sample().to_json().replacen('{', "{\"secret\": 1,", 1);
    assert!(matches!(
        Snapshot::parse(path, &extra),
        Err(SnapshotError::Corrupt { .. })
    ));
    let typo = sample().to_json().replace(
        "\"verdict\": \"BlockedWithExclusions\"",
        "\"verdict\": \"Safe\"",
    );
    let e = Snapshot::parse(path, &typo).unwrap_err();
    assert!(e.to_string().contains("unknown verdict 'Safe'"), "{e}");
}

#[test]
fn another_schema_version_is_refused_naming_file_and_version() {
    let text = sample()
        .to_json()
        .replace("\"schemaVersion\": 1", "\"schemaVersion\": 2");
    let e = Snapshot::parse(Path::new("base.json"), &text).unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, SnapshotError::UnsupportedVersion { .. }));
    assert!(
        m.contains("base.json")
            && m.contains("schemaVersion 2")
            && m.contains("only schemaVersion 1"),
        "{m}"
    );
    let op = OpError::from(e);
    assert_eq!(op.code, "BaselineVersionUnsupported");
    assert_eq!(op.target, "base.json");
}

#[test]
fn another_tenants_baseline_is_refused() {
    let b = sample();
    let p = Path::new("b.json");
    assert!(
        b.check_tenant("2F1C4C2E-6F43-4B8E-9D8B-0D9A7F0E1A11", "other name", p)
            .is_ok()
    );
    let e = b
        .check_tenant(
            "9a1c4c2e-6f43-4b8e-9d8b-0d9a7f0e1a11",
            "contoso.onmicrosoft.com",
            p,
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("9a1c4c2e") && e.to_string().contains("b.json"),
        "{e}"
    );
    assert_eq!(OpError::from(e).code, "BaselineOtherTenant");
    // Only a domain known on one side: the organization decides.
    assert!(
        b.check_tenant("contoso.com", "Contoso.onmicrosoft.com", p)
            .is_ok()
    );
    assert!(
        b.check_tenant("fabrikam.com", "fabrikam.onmicrosoft.com", p)
            .is_err()
    );
}

#[test]
fn reading_a_missing_file_is_the_first_run() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Snapshot::read(&dir.path().join("none.json")).unwrap(), None);
    let corrupt = dir.path().join("c.json");
    std::fs::write(&corrupt, b"\xff\xfe").unwrap();
    assert!(matches!(
        Snapshot::read(&corrupt),
        Err(SnapshotError::Corrupt { .. })
    ));
}

#[test]
fn writing_replaces_the_file_and_a_failed_write_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baseline.json");
    sample().write(&path).unwrap();
    assert_eq!(Snapshot::read(&path).unwrap(), Some(sample()));
    let mut newer = sample();
    newer.verdict = "Blocked".into();
    newer.write(&path).unwrap();
    assert_eq!(Snapshot::read(&path).unwrap().unwrap().verdict, "Blocked");
    let before = std::fs::read(&path).unwrap();
    let e = write_atomically(&path, |w| {
        w.write_all(b"{\"schemaVersion\": 1, \"half")?;
        Err(std::io::Error::other("disk gone"))
    })
    .unwrap_err();
    assert!(matches!(e, SnapshotError::Incomplete { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[test]
fn a_baseline_spec_is_checked() {
    let spec = |path: &str, window_days| BaselineSpec {
        path: path.into(),
        write: false,
        window_days,
    };
    assert!(check_spec(&spec("b.json", 30)).is_ok());
    assert_eq!(
        check_spec(&spec("", 30)).unwrap_err().target,
        "BaselinePath"
    );
    let e = check_spec(&spec("b.json", 31)).unwrap_err();
    assert!(e.message.contains("1 to 30"), "{}", e.message);
    assert!(check_spec(&spec("b.json", 0)).is_err());
}

#[test]
fn a_baseline_in_a_missing_folder_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Snapshot::check_writable(&dir.path().join("b.json")).is_ok());
    let missing = dir.path().join("no such folder").join("b.json");
    let e = Snapshot::check_writable(&missing).unwrap_err();
    assert!(e.to_string().contains("no such folder"), "{e}");
    assert_eq!(OpError::from(e).code, "BaselineFolderMissing");
    // A relative name is in the current folder, which exists.
    assert!(Snapshot::check_writable(Path::new("b.json")).is_ok());
}
