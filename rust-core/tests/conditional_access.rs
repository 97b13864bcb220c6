//! Conditional Access against the emulator over real sockets: the both-layer check, block /
//! unblock plans and their application (idempotent, own policy vs an equivalent one), exclusion
//! resolution refused before anything is written, paging, and the permission and licence 403s.

#![allow(clippy::unwrap_used)]

mod http_support;

use http_support::*;
use outlook_qr_guard::ops::conditional_access::{
    self as ca, CaLayer, OWN_POLICY_NAME, PlanAction, PolicyPlan,
};
use outlook_qr_guard::ops::{FailureKind, Session, prompt};
use serde_json::{Value, json};
use tenant_emulator::{Emulator, EmulatorOptions, SettingsUpdate};

async fn small_emulator() -> Emulator {
    emulator(EmulatorOptions {
        users: 60,
        devices: 60,
        ..EmulatorOptions::default()
    })
    .await
}

fn writes(emu: &Emulator) -> Vec<tenant_emulator::PolicyWrite> {
    emu.journal().conditional_access_writes
}

fn own_policies(emu: &Emulator) -> Vec<Value> {
    emu.conditional_access_policies()
        .into_iter()
        .filter(|p| p["displayName"] == OWN_POLICY_NAME)
        .collect()
}

async fn plan(session: &Session, enforce: bool, users: &[&str], groups: &[&str]) -> PolicyPlan {
    let users: Vec<String> = users.iter().map(|s| (*s).to_owned()).collect();
    let groups: Vec<String> = groups.iter().map(|s| (*s).to_owned()).collect();
    ca::plan_block(session, enforce, &users, &groups)
        .await
        .unwrap()
}

fn group_id(emu: &Emulator, name: &str) -> String {
    emu.seeded_groups_json()
        .into_iter()
        .find(|g| g["displayName"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_tenant_is_exposed_on_both_layers() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.prompt.prompt_enabled, Some(true));
    assert_eq!(state.conditional_access.layer, CaLayer::NotBlocked);
    assert_eq!(state.verdict.as_str(), "Exposed");
    assert!(state.exposed);
    // "Block device code flow" blocks, but not authentication transfer: not reported.
    assert!(state.conditional_access.policies.is_empty());
    assert!(state.reason.contains("Block-OutlookAuthenticationTransfer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_read_across_pages() {
    let emu = small_emulator().await;
    emu.update_settings(SettingsUpdate {
        ca_page_size: Some(2),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let session = full_session(&emu).await;
    let list = session
        .graph
        .list_conditional_access_policies()
        .await
        .unwrap();
    assert_eq!(list.pages, 3);
    let mut got: Vec<String> = list.policies.iter().map(|p| p.id.clone()).collect();
    let mut want: Vec<String> = emu
        .conditional_access_policies()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(list.warnings.is_empty());
    // Unknown properties survive the read (sessionControls of the Japanese policy).
    let jp = list
        .policies
        .iter()
        .find(|p| p.display_name.starts_with("営業部"))
        .unwrap();
    assert!(
        jp.other
            .get("sessionControls")
            .is_some_and(|v| v.is_object())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_enforce_exclude_and_unblock_end_to_end() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let admin = emu.credentials().admin_upn;

    // Report-only by default; planning writes nothing.
    let create = plan(&session, false, &[], &[]).await;
    assert_eq!(create.action, PlanAction::Create);
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/v1.0/identity/conditionalAccess/policies");
    assert!(writes(&emu).is_empty());
    let change = ca::apply(&session, create.clone()).await.unwrap();
    assert!(change.changed);
    assert_eq!(change.state, "enabledForReportingButNotEnforced");
    assert!(change.warnings.iter().any(|w| w.contains("-Enforce")));
    let w = writes(&emu);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].method, "POST");
    // The body the service got is exactly the plan's.
    assert_eq!(
        w[0].body,
        serde_json::from_str::<Value>(&create.body).unwrap()
    );
    let stored = own_policies(&emu);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], change.policy_id.as_str());

    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.conditional_access.layer, CaLayer::ReportOnly);
    assert_eq!(state.verdict.as_str(), "ReportOnly");
    assert!(state.exposed);
    assert!(state.conditional_access.policies[0].created_by_module);

    // Again: nothing to do, nothing sent.
    let again = plan(&session, false, &[], &[]).await;
    assert_eq!(again.action, PlanAction::None, "{}", again.reason);
    let none = ca::apply(&session, again).await.unwrap();
    assert!(!none.changed);
    assert_eq!(writes(&emu).len(), 1);

    // -Enforce switches only the state.
    let enforce = plan(&session, true, &[], &[]).await;
    assert_eq!(enforce.action, PlanAction::Update);
    assert_eq!(
        serde_json::from_str::<Value>(&enforce.body).unwrap(),
        json!({"state": "enabled"})
    );
    ca::apply(&session, enforce).await.unwrap();
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.verdict.as_str(), "Blocked");
    assert!(!state.exposed);

    // Without -Enforce an enabled policy is not downgraded.
    assert_eq!(
        plan(&session, false, &[], &[]).await.action,
        PlanAction::None
    );

    // Exclusions: a user by UPN and a group by (non-ASCII) name, resolved to ids and named.
    let sales = group_id(&emu, "営業部");
    let excl = plan(&session, false, &[&admin], &["営業部"]).await;
    assert_eq!(excl.action, PlanAction::Update);
    assert_eq!(excl.excluded_groups[0].id, sales);
    assert_eq!(excl.excluded_groups[0].display_name, "営業部");
    assert!(!excl.excluded_users[0].display_name.is_empty());
    let body: Value = serde_json::from_str(&excl.body).unwrap();
    assert!(body.get("state").is_none(), "state untouched: {body}");
    assert_eq!(body["conditions"]["users"]["excludeGroups"], json!([sales]));
    ca::apply(&session, excl).await.unwrap();
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.verdict.as_str(), "BlockedWithExclusions");
    let p = &state.conditional_access.policies[0];
    assert_eq!(p.excluded_groups[0].display_name, "営業部");
    assert_eq!(p.excluded_users.len(), 1);
    assert!(!p.excluded_users[0].display_name.is_empty());
    assert!(state.exposed, "excluded users can still use it");

    // Unblock deletes the module's policy only.
    let before = emu.conditional_access_policies().len();
    let unblock = ca::plan_unblock(&session).await.unwrap();
    assert_eq!(unblock.action, PlanAction::Delete);
    ca::apply(&session, unblock).await.unwrap();
    assert_eq!(emu.conditional_access_policies().len(), before - 1);
    assert!(own_policies(&emu).is_empty());
    let gone = ca::plan_unblock(&session).await.unwrap();
    assert_eq!(gone.action, PlanAction::None);
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.verdict.as_str(), "Exposed");
    let methods: Vec<String> = writes(&emu).into_iter().map(|w| w.method).collect();
    assert_eq!(methods, ["POST", "PATCH", "PATCH", "DELETE"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_exclusions_are_refused_before_anything_is_written() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let users = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    let e = ca::plan_block(&session, true, &users(&["nobody@example.invalid"]), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::NotFound);
    assert_eq!(e.code, "ExclusionNotFound");
    assert_eq!(e.target, "nobody@example.invalid");

    let e = ca::plan_block(&session, true, &[], &users(&["Duplicate Name"]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, FailureKind::InvalidArgument);
    assert_eq!(e.code, "ExclusionAmbiguous");
    assert!(e.message.contains("object id"), "{}", e.message);

    let e = ca::plan_block(&session, true, &[], &users(&["No Such Group"]))
        .await
        .unwrap_err();
    assert_eq!(e.code, "ExclusionNotFound");
    let e = ca::plan_block(&session, true, &users(&["not a upn"]), &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, "ExclusionNotFound");

    // A quote in the name travels as an OData literal; a GUID resolves by id.
    let plan = ca::plan_block(
        &session,
        false,
        &[],
        &users(&[
            "O'Reilly Book Club",
            &group_id(&emu, "Break Glass Accounts"),
        ]),
    )
    .await
    .unwrap();
    let names: Vec<&str> = plan
        .excluded_groups
        .iter()
        .map(|g| g.display_name.as_str())
        .collect();
    assert_eq!(names, ["O'Reilly Book Club", "Break Glass Accounts"]);
    assert!(writes(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivalent_policy_is_left_alone() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let Value::Object(policy) = json!({
        "displayName": "Contoso: no QR sign-in",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": [], "excludeGroups": []},
            "applications": {"includeApplications": ["All"]},
            "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    }) else {
        unreachable!()
    };
    emu.insert_conditional_access_policy(policy);
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.verdict.as_str(), "Blocked");
    assert!(!state.conditional_access.policies[0].created_by_module);
    let p = plan(&session, true, &[], &[]).await;
    assert_eq!(p.action, PlanAction::None);
    assert!(p.reason.contains("Contoso: no QR sign-in"), "{}", p.reason);
    let u = ca::plan_unblock(&session).await.unwrap();
    assert_eq!(u.action, PlanAction::None);
    assert!(u.reason.contains("1 other"), "{}", u.reason);
    assert!(writes(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_outside_the_policy_collection_is_not_sent() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let mut p = plan(&session, false, &[], &[]).await;
    p.path = "/v1.0/users".into();
    emu.reset_journal();
    let e = ca::apply(&session, p).await.unwrap_err();
    assert_eq!(e.code, "PlanRefused");
    assert!(emu.journal().requests.is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_policy_read_the_exchange_half_still_answers() {
    let emu = small_emulator().await;
    let session = session_for(&emu, &emu.credentials().exchange_only_app)
        .await
        .unwrap();
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.prompt.prompt_enabled, Some(true));
    assert_eq!(state.verdict.as_str(), "Exposed");
    assert!(state.exposed);
    let ca = &state.conditional_access;
    assert_eq!(ca.layer, CaLayer::Unknown);
    assert!(!ca.code.is_empty());
    assert!(ca.reason.contains("Policy.Read.All"), "{}", ca.reason);
    assert!(
        ca.reason.contains("Disable-OutlookQrSignin"),
        "{}",
        ca.reason
    );
    assert!(!ca.reason.contains("P1"), "{}", ca.reason);

    let e = ca::plan_block(&session, false, &[], &[]).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert!(e.message.contains("Policy.Read.All"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_can_plan_but_not_write() {
    let emu = small_emulator().await;
    let session = session_for(&emu, &emu.credentials().policy_reader_app)
        .await
        .unwrap();
    let p = plan(&session, false, &[], &[]).await;
    assert_eq!(p.action, PlanAction::Create);
    let e = ca::apply(&session, p).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert!(
        e.message.contains("Policy.ReadWrite.ConditionalAccess"),
        "{}",
        e.message
    );
    assert!(own_policies(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_p1_the_check_says_which_licence_is_missing() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    emu.update_settings(SettingsUpdate {
        premium: Some(false),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.verdict.as_str(), "Exposed");
    let ca = &state.conditional_access;
    assert_eq!(ca.layer, CaLayer::Unknown);
    assert!(ca.reason.contains("Microsoft Entra ID P1"), "{}", ca.reason);
    assert!(!ca.reason.contains("Grant it"), "{}", ca.reason);
    let e = ca::plan_block(&session, true, &[], &[]).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::PermissionDenied);
    assert!(e.message.contains("P1"), "{}", e.message);
    assert!(writes(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_the_service_refuses_comes_back_as_its_validation_error() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let mut p = plan(&session, false, &[], &[]).await;
    let mut body: Value = serde_json::from_str(&p.body).unwrap();
    body["conditions"]["authenticationFlows"]["transferMethod"] = json!("authenticationTransfer");
    p.body = body.to_string();
    let e = ca::apply(&session, p).await.unwrap_err();
    assert_eq!(e.kind, FailureKind::InvalidArgument);
    assert_eq!(e.code, "BadRequest");
    assert!(e.message.contains("transferMethod"), "{}", e.message);
    assert!(writes(&emu).is_empty());
    assert!(own_policies(&emu).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_policy_pages_change_nothing() {
    use outlook_qr_guard::graph::GraphClient;
    use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule};
    let emu = small_emulator().await;
    emu.update_settings(SettingsUpdate {
        ca_page_size: Some(2),
        ..SettingsUpdate::default()
    })
    .unwrap();
    let mut want: Vec<String> = emu
        .conditional_access_policies()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    for fault in [
        Fault::ServerError {
            status: 503,
            retry_after: Some("0.1".into()),
        },
        Fault::TruncatedJson,
        Fault::HtmlErrorPage { status: 502 },
    ] {
        emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphConditionalAccess,
            fault.clone(),
            2,
        )));
        let graph = GraphClient::new(secret_provider(&emu));
        let list = graph.list_conditional_access_policies().await.unwrap();
        let mut got: Vec<String> = list.policies.into_iter().map(|p| p.id).collect();
        got.sort();
        assert_eq!(got, want, "{fault:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_to_the_create_finds_the_policy_instead_of_posting_again() {
    use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule};
    for fault in [Fault::TruncatedJson, Fault::ResetMidBody] {
        let emu = small_emulator().await;
        let session = full_session(&emu).await;
        let create = plan(&session, false, &[], &[]).await;
        assert_eq!(create.action, PlanAction::Create);
        // Requests of the class from here: 1 a list of ours, 2 the create (its reply is lost
        // after the service made the policy), 3 the list that finds it.
        emu.set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphConditionalAccess,
            fault.clone(),
            2,
        )));
        session
            .graph
            .list_conditional_access_policies()
            .await
            .unwrap();
        let change = ca::apply(&session, create).await.unwrap();
        let fired = emu
            .journal()
            .requests
            .iter()
            .filter(|r| r.fault.is_some())
            .count();
        assert_eq!(fired, 1, "{fault:?}: exactly the create's reply was lost");
        let posts = writes(&emu).iter().filter(|w| w.method == "POST").count();
        assert_eq!(posts, 1, "{fault:?}: posted once, not again");
        let stored = own_policies(&emu);
        assert_eq!(stored.len(), 1, "{fault:?}");
        assert_eq!(stored[0]["id"], change.policy_id.as_str(), "{fault:?}");
        assert!(change.changed);
    }
}

/// A policy blocking transfer for everyone, `f` applied to it, stored as an admin made it.
fn insert_block(emu: &Emulator, name: &str, state: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v = json!({
        "displayName": name,
        "state": state,
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": [], "excludeGroups": []},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "authenticationFlows": {"transferMethods": "authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    });
    f(&mut v);
    let Value::Object(policy) = v else {
        unreachable!()
    };
    emu.insert_conditional_access_policy(policy)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn android_only(v: &mut Value) {
    v["conditions"]["platforms"] = json!({"includePlatforms": ["android"], "excludePlatforms": []});
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_for_android_only_neither_blocks_nor_counts_as_equivalent() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    insert_block(&emu, "Contoso: Android only", "enabled", android_only);
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.conditional_access.layer, CaLayer::NotBlocked);
    let listed = &state.conditional_access.policies[0];
    assert!(!listed.covers_everyone);
    assert_eq!(listed.narrowing_conditions, ["platforms"]);
    let p = plan(&session, true, &[], &[]).await;
    assert_eq!(p.action, PlanAction::Create, "{}", p.reason);
    assert!(p.reason.contains("platforms"), "{}", p.reason);
    ca::apply(&session, p).await.unwrap();
    assert_eq!(own_policies(&emu).len(), 1, "iOS is covered now too");
    assert_eq!(
        prompt::check_both(&session)
            .await
            .unwrap()
            .conditional_access
            .layer,
        CaLayer::Blocked
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_the_own_policy_clears_added_conditions_and_reads_it_back() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let id = insert_block(
        &emu,
        OWN_POLICY_NAME,
        "enabledForReportingButNotEnforced",
        |v| {
            android_only(v);
            v["conditions"]["locations"] =
                json!({"includeLocations": ["AllTrusted"], "excludeLocations": []});
            v["conditions"]["signInRiskLevels"] = json!(["high"]);
        },
    );
    let p = plan(&session, true, &[], &[]).await;
    assert_eq!(p.action, PlanAction::Update, "{}", p.reason);
    emu.reset_journal();
    let change = ca::apply(&session, p).await.unwrap();
    assert_eq!(change.state, "enabled");
    let stored = own_policies(&emu);
    assert_eq!(stored[0]["id"], id.as_str());
    assert_eq!(stored[0]["state"], "enabled");
    assert_eq!(stored[0]["conditions"]["platforms"], Value::Null);
    assert_eq!(stored[0]["conditions"]["locations"], Value::Null);
    assert_eq!(stored[0]["conditions"]["signInRiskLevels"], json!([]));
    // The update was read back.
    let reads = emu
        .journal()
        .requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(&id))
        .count();
    assert_eq!(reads, 1);
    let state = prompt::check_both(&session).await.unwrap();
    assert_eq!(state.conditional_access.layer, CaLayer::Blocked);
    assert!(state.conditional_access.policies[0].created_by_module);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_the_policy_does_not_hold_is_reported_with_what_differs() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    insert_block(&emu, OWN_POLICY_NAME, "enabled", android_only);
    let mut p = plan(&session, true, &[], &[]).await;
    assert_eq!(p.action, PlanAction::Update);
    // The body an update sent before: conditions restated, platforms merely omitted. Graph
    // merges `conditions`, so the platform condition stays.
    p.body = json!({"conditions": ca::create_body("enabled", &[], &[])["conditions"]}).to_string();
    let e = ca::apply(&session, p).await.unwrap_err();
    assert_eq!(e.code, "PolicyReadBackMismatch");
    assert!(e.message.contains("platforms"), "{}", e.message);
    assert_eq!(
        own_policies(&emu)[0]["conditions"]["platforms"]["includePlatforms"],
        json!(["android"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_with_the_modules_name_and_another_shape_stops_block_and_unblock() {
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let id = insert_block(&emu, OWN_POLICY_NAME, "enabled", |v| {
        v["grantControls"]["builtInControls"] = json!(["mfa"]);
    });
    let users: Vec<String> = Vec::new();
    let e = ca::plan_block(&session, true, &users, &users)
        .await
        .unwrap_err();
    assert_eq!(e.code, "OwnPolicyShapeMismatch");
    assert_eq!(e.target, id);
    assert!(e.message.contains("[mfa], not [block]"), "{}", e.message);
    let e = ca::plan_unblock(&session).await.unwrap_err();
    assert_eq!(e.code, "OwnPolicyShapeMismatch");
    assert!(writes(&emu).is_empty());
    assert_eq!(own_policies(&emu).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_to_the_create_is_not_posted_again_blindly() {
    use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule};
    let unavailable = || {
        FaultPlan::none().with_rule(
            FaultRule::every_nth(
                EndpointClass::GraphConditionalAccess,
                Fault::ServerError {
                    status: 503,
                    retry_after: Some("0".into()),
                },
                1,
            )
            .times(1),
        )
    };
    let posts = |emu: &Emulator| {
        emu.journal()
            .requests
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    };

    // The service made the policy, then a gateway answered 503: it is found, not posted again.
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let create = plan(&session, false, &[], &[]).await;
    assert_eq!(create.action, PlanAction::Create);
    let made = insert_block(
        &emu,
        OWN_POLICY_NAME,
        "enabledForReportingButNotEnforced",
        |_| {},
    );
    emu.reset_journal();
    emu.set_faults(unavailable());
    let change = ca::apply(&session, create).await.unwrap();
    assert_eq!(change.policy_id, made);
    assert_eq!(posts(&emu), 1, "sent once, not resent on the 503");
    assert_eq!(own_policies(&emu).len(), 1);

    // Nothing was made: still one POST; the error says so and the next run creates it.
    let emu = small_emulator().await;
    let session = full_session(&emu).await;
    let create = plan(&session, false, &[], &[]).await;
    emu.reset_journal();
    emu.set_faults(unavailable());
    let e = ca::apply(&session, create).await.unwrap_err();
    assert_eq!(posts(&emu), 1, "{e:?}");
    assert!(own_policies(&emu).is_empty());
    let again = plan(&session, false, &[], &[]).await;
    assert_eq!(again.action, PlanAction::Create);
    ca::apply(&session, again).await.unwrap();
    assert_eq!(own_policies(&emu).len(), 1);
}
