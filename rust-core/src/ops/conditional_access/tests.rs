//! Unit tests of the pure parts: the layer, the plans and their validation.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::graph::conditional_access::{ConditionalAccessPolicy, POLICIES_PATH, STATE_REPORT_ONLY};
use crate::graph::directory_objects::{DirectoryObject, ObjectKind};
use serde_json::{Value, json};

const OWN_ID: &str = "11111111-2222-4333-8444-555555555555";

fn policy(name: &str, state: &str, excluded_users: &[&str]) -> ConditionalAccessPolicy {
    ConditionalAccessPolicy::parse(&json!({
        "id": if name == OWN_POLICY_NAME { OWN_ID.to_owned() } else { uuid::Uuid::new_v4().to_string() },
        "displayName": name,
        "state": state,
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": excluded_users},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "authenticationFlows": {"transferMethods": "authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    }))
    .unwrap()
}

fn mfa_policy() -> ConditionalAccessPolicy {
    ConditionalAccessPolicy::parse(&json!({
        "id": "m", "displayName": "Require MFA for administrators", "state": "enabled",
        "conditions": {"users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]},
                       "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    }))
    .unwrap()
}

fn user(id: &str) -> DirectoryObject {
    DirectoryObject {
        id: id.into(),
        display_name: "Break Glass".into(),
        kind: ObjectKind::User,
    }
}

fn intent(enforce: bool) -> BlockIntent {
    BlockIntent {
        enforce,
        exclude_users: None,
        exclude_groups: None,
    }
}

#[test]
fn layers_from_policies() {
    assert_eq!(assess(&[mfa_policy()]).layer, CaLayer::NotBlocked);
    assert!(assess(&[mfa_policy()]).policies.is_empty());
    assert_eq!(
        assess(&[policy("x", "enabled", &[])]).layer,
        CaLayer::Blocked
    );
    let with_exclusion = assess(&[policy("x", "enabled", &["u1"])]);
    assert_eq!(with_exclusion.layer, CaLayer::BlockedWithExclusions);
    assert_eq!(with_exclusion.policies[0].excluded_users[0].id, "u1");
    assert_eq!(
        assess(&[policy("x", STATE_REPORT_ONLY, &[])]).layer,
        CaLayer::ReportOnly
    );
    assert_eq!(
        assess(&[policy("x", "disabled", &[])]).layer,
        CaLayer::NotBlocked
    );
    // A full block wins over one with exclusions and over report-only ones.
    let both = assess(&[
        policy("a", "enabled", &["u1"]),
        policy("b", "enabled", &[]),
        policy("c", STATE_REPORT_ONLY, &[]),
    ]);
    assert_eq!(both.layer, CaLayer::Blocked);
    assert!(both.reason.contains("'b'"));
    // Protocol tracking (entra-docs concept-authentication-flows.md): an enforced block reaches
    // phones already connected at their next refresh; the reason must say so.
    assert!(
        both.reason.contains("next token refresh") && both.reason.contains("protocol tracked"),
        "{}",
        both.reason
    );
    assert_eq!(both.policies.len(), 3);
    // An enabled block for some users only does not count as blocked, and is named.
    let mut partial = policy("partial", "enabled", &[]);
    partial
        .conditions
        .as_mut()
        .unwrap()
        .users
        .as_mut()
        .unwrap()
        .include_users = vec!["u9".into()];
    let a = assess(&[partial]);
    assert_eq!(a.layer, CaLayer::NotBlocked);
    assert!(a.reason.contains("'partial'"), "{}", a.reason);
    assert!(assess(&[policy(OWN_POLICY_NAME, "enabled", &[])]).policies[0].created_by_module);
}

#[test]
fn create_when_nothing_blocks() {
    let p = plan_block_from(&[mfa_policy()], &intent(false)).unwrap();
    assert_eq!(p.action, PlanAction::Create);
    assert_eq!(
        (p.method.as_str(), p.path.as_str()),
        ("POST", POLICIES_PATH)
    );
    assert_eq!(p.target_state, STATE_REPORT_ONLY);
    let body: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(body, create_body(STATE_REPORT_ONLY, &[], &[]));
    assert_eq!(body["displayName"], OWN_POLICY_NAME);
    validate_plan(&p).unwrap();
    let enforced = plan_block_from(
        &[],
        &BlockIntent {
            enforce: true,
            exclude_users: Some(vec![user("u1")]),
            exclude_groups: None,
        },
    )
    .unwrap();
    let body: Value = serde_json::from_str(&enforced.body).unwrap();
    assert_eq!(body["state"], "enabled");
    assert_eq!(body["conditions"]["users"]["excludeUsers"], json!(["u1"]));
    assert_eq!(body["conditions"]["users"]["excludeGroups"], json!([]));
}

#[test]
fn own_policy_updates_only_what_differs() {
    let own = policy(OWN_POLICY_NAME, STATE_REPORT_ONLY, &["u1"]);
    // Same again: nothing.
    let p = plan_block_from(std::slice::from_ref(&own), &intent(false)).unwrap();
    assert_eq!(p.action, PlanAction::None);
    assert!(p.body.is_empty() && p.method.is_empty());
    assert_eq!(p.excluded_users[0].id, "u1");
    // -Enforce: only the state.
    let p = plan_block_from(std::slice::from_ref(&own), &intent(true)).unwrap();
    assert_eq!(p.action, PlanAction::Update);
    assert_eq!(p.path, format!("{POLICIES_PATH}/{OWN_ID}"));
    assert_eq!(
        serde_json::from_str::<Value>(&p.body).unwrap(),
        json!({"state": "enabled"})
    );
    validate_plan(&p).unwrap();
    // New exclusions: the conditions, state untouched.
    let p = plan_block_from(
        std::slice::from_ref(&own),
        &BlockIntent {
            enforce: false,
            exclude_users: Some(vec![user("u2")]),
            exclude_groups: None,
        },
    )
    .unwrap();
    let body: Value = serde_json::from_str(&p.body).unwrap();
    assert!(body.get("state").is_none());
    assert_eq!(body["conditions"]["users"]["excludeUsers"], json!(["u2"]));
    // Same exclusions in other case and order: nothing.
    let own2 = policy(OWN_POLICY_NAME, "enabled", &["A", "b"]);
    let same = plan_block_from(
        &[own2],
        &BlockIntent {
            enforce: true,
            exclude_users: Some(vec![user("B"), user("a")]),
            exclude_groups: None,
        },
    )
    .unwrap();
    assert_eq!(same.action, PlanAction::None);
}

#[test]
fn enabled_own_policy_is_not_downgraded_without_enforce() {
    let p = plan_block_from(&[policy(OWN_POLICY_NAME, "enabled", &[])], &intent(false)).unwrap();
    assert_eq!(p.action, PlanAction::None);
    assert_eq!(p.target_state, "enabled");
    let disabled =
        plan_block_from(&[policy(OWN_POLICY_NAME, "disabled", &[])], &intent(false)).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&disabled.body).unwrap(),
        json!({"state": STATE_REPORT_ONLY})
    );
}

#[test]
fn an_equivalent_policy_in_the_asked_strength_means_nothing_to_do() {
    let report_only = policy("Someone else's block", STATE_REPORT_ONLY, &[]);
    let p = plan_block_from(std::slice::from_ref(&report_only), &intent(false)).unwrap();
    assert_eq!(p.action, PlanAction::None);
    assert!(p.reason.contains("Someone else's block"));
    // Asked to enforce: a report-only equivalent is not enough.
    let p = plan_block_from(&[report_only], &intent(true)).unwrap();
    assert_eq!(p.action, PlanAction::Create);
    assert_eq!(p.target_state, "enabled");
    // A disabled one never counts.
    assert_eq!(
        plan_block_from(&[policy("x", "disabled", &[])], &intent(false))
            .unwrap()
            .action,
        PlanAction::Create
    );
    // An exclusion not asked for makes it weaker than what Block would create.
    assert_eq!(
        plan_block_from(&[policy("x", "enabled", &["u"])], &intent(true))
            .unwrap()
            .action,
        PlanAction::Create
    );
    // The same exclusion, asked for: equivalent.
    let asked = BlockIntent {
        exclude_users: Some(vec![user("U")]),
        ..intent(true)
    };
    assert_eq!(
        plan_block_from(&[policy("x", "enabled", &["u"])], &asked)
            .unwrap()
            .action,
        PlanAction::None
    );
}

/// `policy(name, state, [])` with `f` applied to its JSON first.
fn policy_with(name: &str, state: &str, f: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
    let mut v = serde_json::to_value(policy(name, state, &[])).unwrap();
    f(&mut v);
    ConditionalAccessPolicy::parse(&v).unwrap()
}

fn android_only(v: &mut Value) {
    v["conditions"]["platforms"] = json!({"includePlatforms": ["android"], "excludePlatforms": []});
}

#[test]
fn a_block_for_android_only_is_not_equivalent_and_not_blocked() {
    let android = policy_with("Android only", "enabled", android_only);
    let p = plan_block_from(std::slice::from_ref(&android), &intent(true)).unwrap();
    assert_eq!(p.action, PlanAction::Create, "{}", p.reason);
    assert!(
        p.reason.contains("'Android only' (platforms)"),
        "{}",
        p.reason
    );
    let a = assess(std::slice::from_ref(&android));
    assert_eq!(a.layer, CaLayer::NotBlocked);
    assert!(!a.policies[0].covers_everyone);
    assert_eq!(a.policies[0].narrowing_conditions, ["platforms"]);
}

#[test]
fn every_narrowing_condition_counts_and_all_is_no_condition() {
    let narrowed: [(&str, Value, Value); 10] = [
        (
            "platforms",
            json!(["conditions", "platforms"]),
            json!({"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}),
        ),
        (
            "locations",
            json!(["conditions", "locations"]),
            json!({"includeLocations": ["AllTrusted"], "excludeLocations": []}),
        ),
        (
            "devices",
            json!(["conditions", "devices"]),
            json!({"deviceFilter": {"mode": "include", "rule": "device.isCompliant -eq True"}}),
        ),
        (
            "clientApplications",
            json!(["conditions", "clientApplications"]),
            json!({"includeServicePrincipals": ["All"], "excludeServicePrincipals": []}),
        ),
        (
            "signInRiskLevels",
            json!(["conditions", "signInRiskLevels"]),
            json!(["high"]),
        ),
        (
            "userRiskLevels",
            json!(["conditions", "userRiskLevels"]),
            json!(["medium"]),
        ),
        (
            "servicePrincipalRiskLevels",
            json!(["conditions", "servicePrincipalRiskLevels"]),
            json!(["low"]),
        ),
        (
            "insiderRiskLevels",
            json!(["conditions", "insiderRiskLevels"]),
            json!("elevated"),
        ),
        (
            "applications.includeUserActions",
            json!(["conditions", "applications", "includeUserActions"]),
            json!(["urn:user:registersecurityinfo"]),
        ),
        (
            "applications.includeAuthenticationContextClassReferences",
            json!([
                "conditions",
                "applications",
                "includeAuthenticationContextClassReferences"
            ]),
            json!(["c1"]),
        ),
    ];
    for (name, path, value) in narrowed {
        let p = policy_with("n", "enabled", |v| {
            let mut at = v;
            for key in path.as_array().unwrap() {
                at = &mut at[key.as_str().unwrap()];
            }
            *at = value;
        });
        assert_eq!(p.narrowing_conditions(), [name]);
        assert!(!p.covers_everyone(), "{name}");
        assert_eq!(assess(&[p]).layer, CaLayer::NotBlocked, "{name}");
    }
    // "All platforms" and "any location" with nothing excluded are no condition at all.
    let all = policy_with("all", "enabled", |v| {
        v["conditions"]["platforms"] = json!({"includePlatforms": ["all"], "excludePlatforms": []});
        v["conditions"]["locations"] = json!({"includeLocations": ["All"], "excludeLocations": []});
        v["conditions"]["userRiskLevels"] = json!([]);
        v["conditions"]["devices"] = json!({"deviceFilter": null});
    });
    assert!(all.covers_everyone(), "{:?}", all.narrowing_conditions());
    assert_eq!(assess(&[all]).layer, CaLayer::Blocked);
}

#[test]
fn excluding_guests_is_an_exclusion_everywhere() {
    let guests = policy_with("g", "enabled", |v| {
        v["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({
            "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}
        });
    });
    assert!(guests.has_exclusions());
    let a = assess(std::slice::from_ref(&guests));
    assert_eq!(a.layer, CaLayer::BlockedWithExclusions);
    assert!(a.reason.contains("internalGuest"), "{}", a.reason);
    assert_eq!(
        a.policies[0].excluded_guests_or_external_users.as_deref(),
        Some("internalGuest,b2bCollaborationGuest")
    );
    assert_eq!(
        plan_block_from(&[guests], &intent(true)).unwrap().action,
        PlanAction::Create
    );
}

/// A change to a policy's JSON.
type Change = fn(&mut Value);

#[test]
fn a_policy_with_the_modules_name_and_another_shape_is_never_touched() {
    let shapes: [(&str, Change); 4] = [
        ("grant controls are [mfa]", |v| {
            v["grantControls"]["builtInControls"] = json!(["mfa"])
        }),
        (
            "transferMethods is 'deviceCodeFlow,authenticationTransfer'",
            |v| {
                v["conditions"]["authenticationFlows"]["transferMethods"] =
                    json!("deviceCodeFlow,authenticationTransfer")
            },
        ),
        ("transferMethods is ''", |v| {
            v["conditions"]["authenticationFlows"] = Value::Null
        }),
        (
            "session controls",
            |v| {
                v["sessionControls"] =
                    json!({"signInFrequency": {"isEnabled": true, "type": "hours", "value": 4}})
            },
        ),
    ];
    for (why, change) in shapes {
        let foreign = policy_with(OWN_POLICY_NAME, "enabled", change);
        for result in [
            plan_block_from(std::slice::from_ref(&foreign), &intent(true)),
            plan_unblock_from(std::slice::from_ref(&foreign)),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.code, "OwnPolicyShapeMismatch", "{why}");
            assert!(e.message.contains(why), "{why}: {}", e.message);
            assert!(e.message.contains(OWN_ID), "{}", e.message);
        }
        assert!(
            !assess(&[foreign])
                .policies
                .iter()
                .any(|p| p.created_by_module)
        );
    }
}

#[test]
fn updating_a_narrowed_own_policy_clears_every_narrowing_condition() {
    let own = policy_with(OWN_POLICY_NAME, "enabled", |v| {
        android_only(v);
        v["conditions"]["locations"] =
            json!({"includeLocations": ["AllTrusted"], "excludeLocations": []});
        v["conditions"]["users"]["excludeRoles"] = json!(["62e90394-69f5-4237-9190-012177145e10"]);
    });
    let p = plan_block_from(std::slice::from_ref(&own), &intent(true)).unwrap();
    assert_eq!(p.action, PlanAction::Update);
    assert!(
        p.reason.contains("clears platforms, locations"),
        "{}",
        p.reason
    );
    let body: Value = serde_json::from_str(&p.body).unwrap();
    let c = &body["conditions"];
    for cleared in [
        "platforms",
        "locations",
        "devices",
        "clientApplications",
        "insiderRiskLevels",
    ] {
        assert!(c.get(cleared).is_some_and(Value::is_null), "{cleared}: {c}");
    }
    for emptied in [
        "userRiskLevels",
        "signInRiskLevels",
        "servicePrincipalRiskLevels",
    ] {
        assert_eq!(c[emptied], json!([]), "{emptied}");
    }
    assert_eq!(c["applications"]["includeUserActions"], json!([]));
    assert!(c["applications"]["applicationFilter"].is_null());
    // The role exclusion someone set is kept, not dropped.
    assert_eq!(
        c["users"]["excludeRoles"],
        json!(["62e90394-69f5-4237-9190-012177145e10"])
    );
}

#[test]
fn a_read_back_that_differs_is_named() {
    let own = policy(OWN_POLICY_NAME, "enabled", &[]);
    let mut plan = plan_block_from(
        &[policy_with(
            OWN_POLICY_NAME,
            STATE_REPORT_ONLY,
            android_only,
        )],
        &intent(true),
    )
    .unwrap();
    assert!(update_differences(&plan, &own).is_empty());
    let still = policy_with(OWN_POLICY_NAME, STATE_REPORT_ONLY, android_only);
    let d = update_differences(&plan, &still);
    assert!(d.iter().any(|d| d.contains("platforms")), "{d:?}");
    assert!(
        d.iter()
            .any(|d| d.contains("state is 'enabledForReportingButNotEnforced'")),
        "{d:?}"
    );
    plan.excluded_users = vec![user("u1")];
    let d = update_differences(&plan, &own);
    assert!(
        d.iter().any(|d| d.contains("excluded users are []")),
        "{d:?}"
    );
}

#[test]
fn unblock_deletes_only_the_own_policy() {
    let other = policy("Someone else's block", "enabled", &[]);
    let none = plan_unblock_from(&[other.clone(), mfa_policy()]).unwrap();
    assert_eq!(none.action, PlanAction::None);
    assert!(none.reason.contains("1 other"), "{}", none.reason);
    let p = plan_unblock_from(&[other, policy(OWN_POLICY_NAME, "enabled", &[])]).unwrap();
    assert_eq!(p.action, PlanAction::Delete);
    assert_eq!(
        (p.method.as_str(), p.policy_id.as_str()),
        ("DELETE", OWN_ID)
    );
    assert!(p.body.is_empty());
    validate_plan(&p).unwrap();
}

#[test]
fn plans_outside_the_policy_collection_are_refused() {
    let good = plan_unblock_from(&[policy(OWN_POLICY_NAME, "enabled", &[])]).unwrap();
    let mut p = good.clone();
    p.path = "/v1.0/users/x".into();
    assert_eq!(validate_plan(&p).unwrap_err().code, "PlanRefused");
    let mut p = good.clone();
    p.path = format!("{POLICIES_PATH}/../../users/{OWN_ID}");
    assert!(validate_plan(&p).is_err());
    let mut p = good.clone();
    p.path = format!("{POLICIES_PATH}/22222222-2222-4333-8444-555555555555");
    assert!(
        validate_plan(&p).is_err(),
        "path must name the plan's policy"
    );
    let mut p = good.clone();
    p.method = "POST".into();
    assert!(validate_plan(&p).is_err());
    let mut p = good;
    p.body = "{}".into();
    assert!(validate_plan(&p).is_err());
    let mut create = plan_block_from(&[], &intent(false)).unwrap();
    create.body = "[1]".into();
    assert!(validate_plan(&create).is_err());
    let mut create = plan_block_from(&[], &intent(false)).unwrap();
    create.path = format!("{POLICIES_PATH}/x");
    assert!(validate_plan(&create).is_err());
    let mut create = plan_block_from(&[], &intent(false)).unwrap();
    create.path = "/beta/identity/conditionalAccess/policies".into();
    assert!(validate_plan(&create).is_err());
}
