//! `appliedConditionalAccessPolicies` of a seeded sign-in event: every Conditional Access policy
//! as it stood at the event's time (see `PolicyHistory`), evaluated against the event.
//!
//! Sources:
//! - the `appliedConditionalAccessPolicy` resource (microsoftgraph/microsoft-graph-docs-contrib,
//!   api-reference/{v1.0,beta}/resources/appliedconditionalaccesspolicy.md): keys `id`,
//!   `displayName`, `enforcedGrantControls`, `enforcedSessionControls`, `result`; `result` is
//!   success, failure, notApplied, notEnabled, unknown, unknownFutureValue, reportOnlySuccess,
//!   reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted, the last four only "with the
//!   `Prefer: include-unknown-enum-members` request header" (evolvable enum).
//! - the evolvable-enum pattern (microsoft/api-guidelines, graph/patterns/evolvable-enums.md):
//!   members after `unknownFutureValue` are replaced by it unless the client sends the header;
//!   the producer answers `Preference-Applied: include-unknown-enum-members`.
//! - report-only results (MicrosoftDocs/entra-docs,
//!   docs/identity/conditional-access/concept-conditional-access-report-only.md): Failure when
//!   the conditions match and a block control is configured; Not applied when a condition does
//!   not match "for example, the user is excluded"; User action required (reportOnlyInterrupted,
//!   UNCONFIRMED mapping of the portal text to the enum) when an interactive control such as MFA
//!   would have been asked for.
//! - signin-list.md "Viewing applied conditional access (CA) policies in sign-ins": without
//!   permission to read Conditional Access data the property is omitted.
//!
//! Only the conditions the seeded tenant uses are evaluated (users, groups, roles, applications,
//! client app types, authentication flows, platforms, locations with no trusted location); a
//! policy with any other condition set (risk levels, device filters, client applications) is
//! `notApplied` here (UNCONFIRMED simplification). Grant controls other than block succeed when
//! the event carries MFA (the admin's) and otherwise fail (enforced) or need user action
//! (report-only). `enforcedSessionControls` is empty (UNCONFIRMED).

use serde_json::{Map, Value, json};

use super::filter::SignInFields;
use crate::directory::roles;
use crate::seed::{SeedData, TransferMethod};

/// `Prefer` value that unlocks the evolvable members.
pub const INCLUDE_UNKNOWN_ENUM_MEMBERS: &str = "include-unknown-enum-members";

/// Whether a `Prefer` header (comma-separated preferences) asks for the evolvable members.
pub fn prefers_unknown_members(prefer: Option<&str>) -> bool {
    prefer.is_some_and(|p| {
        p.split(',')
            .any(|v| v.trim().eq_ignore_ascii_case(INCLUDE_UNKNOWN_ENUM_MEMBERS))
    })
}

/// What the evaluation needs beyond [`SignInFields`].
pub trait Subject: SignInFields {
    fn user_index(&self) -> u32;
    fn is_admin(&self) -> bool;
    fn browser(&self) -> bool;
    /// Conditional Access platform name: iOS, android, windows, macOS.
    fn platform(&self) -> &'static str;
    /// The event satisfied MFA (the seeded admin's sign-ins).
    fn has_mfa(&self) -> bool;
}

fn strings<'a>(v: Option<&'a Value>, key: &str) -> Vec<&'a str> {
    v.and_then(|o| o.get(key))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn has(list: &[&str], wanted: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(wanted))
}

fn member_of_any(data: &SeedData, groups: &[&str], user: u32) -> bool {
    groups.iter().any(|g| {
        data.group(g)
            .is_some_and(|g| g.members.binary_search(&user).is_ok())
    })
}

fn user_id_in(list: &[&str], e: &dyn Subject) -> bool {
    let id = e.user_id();
    list.iter().any(|x| x.eq_ignore_ascii_case(&id))
}

fn users_match(users: Option<&Value>, data: &SeedData, e: &dyn Subject) -> bool {
    let include_users = strings(users, "includeUsers");
    let include_groups = strings(users, "includeGroups");
    let include_roles = strings(users, "includeRoles");
    let admin_role = |roles_list: &[&str]| {
        e.is_admin()
            && (has(roles_list, roles::GLOBAL_ADMINISTRATOR)
                || has(roles_list, roles::EXCHANGE_ADMINISTRATOR))
    };
    let included = has(&include_users, "All")
        || user_id_in(&include_users, e)
        || member_of_any(data, &include_groups, e.user_index())
        || admin_role(&include_roles);
    let excluded = user_id_in(&strings(users, "excludeUsers"), e)
        || member_of_any(data, &strings(users, "excludeGroups"), e.user_index())
        || admin_role(&strings(users, "excludeRoles"));
    included && !excluded
}

/// UNCONFIRMED: which first-party apps "Office365" covers; every seeded app but the Azure CLI.
const NOT_OFFICE365: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

fn applications_match(apps: Option<&Value>, e: &dyn Subject) -> bool {
    let include = strings(apps, "includeApplications");
    let app = e.app_id();
    let included = has(&include, "All")
        || has(&include, app)
        || (has(&include, "Office365") && !app.eq_ignore_ascii_case(NOT_OFFICE365));
    included && !has(&strings(apps, "excludeApplications"), app)
}

fn client_app_match(conditions: &Value, e: &dyn Subject) -> bool {
    let types = strings(Some(conditions), "clientAppTypes");
    let own = if e.browser() {
        "browser"
    } else {
        "mobileAppsAndDesktopClients"
    };
    types.is_empty() || has(&types, "all") || has(&types, own)
}

fn flows_match(conditions: &Value, e: &dyn Subject) -> bool {
    let methods = conditions
        .get("authenticationFlows")
        .and_then(|f| f.get("transferMethods"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let wanted: Vec<&str> = methods
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if wanted.is_empty() {
        return true;
    }
    let own = e.transfer();
    own != TransferMethod::None && has(&wanted, own.as_str())
}

fn platforms_match(conditions: &Value, e: &dyn Subject) -> bool {
    let platforms = conditions.get("platforms").filter(|p| !p.is_null());
    if platforms.is_none() {
        return true;
    }
    let include = strings(platforms, "includePlatforms");
    let own = e.platform();
    (has(&include, "all") || has(&include, own))
        && !has(&strings(platforms, "excludePlatforms"), own)
}

/// No named location is seeded, so no sign-in comes from a trusted one.
fn locations_match(conditions: &Value) -> bool {
    let locations = conditions.get("locations").filter(|l| !l.is_null());
    if locations.is_none() {
        return true;
    }
    has(&strings(locations, "includeLocations"), "All")
}

/// Conditions this evaluator does not model: set → the policy is `notApplied` here.
fn unmodelled(conditions: &Value) -> bool {
    let set = |k: &str| {
        conditions.get(k).is_some_and(|v| match v {
            Value::Null => false,
            Value::Array(a) => !a.is_empty(),
            _ => true,
        })
    };
    [
        "signInRiskLevels",
        "userRiskLevels",
        "servicePrincipalRiskLevels",
        "devices",
        "clientApplications",
    ]
    .into_iter()
    .any(set)
}

/// The portal's words for a built-in control, as `enforcedGrantControls` holds them: "Mfa",
/// "Block", "RequireCompliantDevice" are in the capture replayed from
/// tests/wire-examples/graph/signins-beta-original-transfer-method.json (and "Mfa" in
/// microsoft-graph-docs-contrib#4366); the others follow the same pattern (UNCONFIRMED).
fn portal_control(control: &str) -> String {
    match control {
        "mfa" => "Mfa".to_owned(),
        "block" => "Block".to_owned(),
        "compliantDevice" => "RequireCompliantDevice".to_owned(),
        "domainJoinedDevice" => "RequireDomainJoinedDevice".to_owned(),
        "approvedApplication" => "RequireApprovedApp".to_owned(),
        "compliantApplication" => "RequireCompliantApp".to_owned(),
        "passwordChange" => "RequirePasswordChange".to_owned(),
        other => other.to_owned(),
    }
}

/// One policy evaluated for one event: the full result (the caller hides the evolvable members)
/// and the conditions that were and were not satisfied (beta `conditionalAccessConditions`).
pub struct Evaluation {
    pub result: &'static str,
    pub satisfied: Vec<&'static str>,
    pub not_satisfied: Vec<&'static str>,
}

pub fn evaluate(policy: &Map<String, Value>, data: &SeedData, e: &dyn Subject) -> Evaluation {
    let state = policy.get("state").and_then(Value::as_str).unwrap_or("");
    let report_only = state == "enabledForReportingButNotEnforced";
    let null = Value::Null;
    let conditions = policy.get("conditions").unwrap_or(&null);
    let mut satisfied = Vec::new();
    let mut not_satisfied = Vec::new();
    let mut check = |name: &'static str, configured: bool, ok: bool| {
        if configured {
            if ok {
                satisfied.push(name);
            } else {
                not_satisfied.push(name);
            }
        }
    };
    // The capture lists application and users whenever they match, clientType only when it
    // narrows (its "Block legacy authentication" item: not satisfied "clientType").
    check(
        "application",
        true,
        applications_match(conditions.get("applications"), e),
    );
    check("users", true, users_match(conditions.get("users"), data, e));
    let types = strings(Some(conditions), "clientAppTypes");
    check(
        "clientType",
        !(types.is_empty() || has(&types, "all")),
        client_app_match(conditions, e),
    );
    check(
        "devicePlatform",
        conditions.get("platforms").is_some_and(|p| !p.is_null()),
        platforms_match(conditions, e),
    );
    check(
        "location",
        conditions.get("locations").is_some_and(|l| !l.is_null()),
        locations_match(conditions),
    );
    check(
        "authenticationFlows",
        conditions
            .get("authenticationFlows")
            .and_then(|f| f.get("transferMethods"))
            .and_then(Value::as_str)
            .is_some_and(|m| !m.trim().is_empty()),
        flows_match(conditions, e),
    );
    let applies = not_satisfied.is_empty() && !unmodelled(conditions);
    let controls = strings(policy.get("grantControls"), "builtInControls");
    let result = if state != "enabled" && !report_only {
        "notEnabled"
    } else {
        match (applies, report_only) {
            (false, false) => "notApplied",
            (false, true) => "reportOnlyNotApplied",
            (true, false) if has(&controls, "block") || !e.has_mfa() => "failure",
            (true, false) => "success",
            (true, true) if has(&controls, "block") => "reportOnlyFailure",
            (true, true) if e.has_mfa() => "reportOnlySuccess",
            (true, true) => "reportOnlyInterrupted",
        }
    };
    Evaluation {
        result,
        satisfied,
        not_satisfied,
    }
}

/// The members after `unknownFutureValue` in appliedConditionalAccessPolicyResult.
fn evolvable(result: &str) -> bool {
    result.starts_with("reportOnly")
}

/// beta `conditionalAccessConditions` flags; `authenticationFlows` comes after
/// `unknownFutureValue` there (the beta appliedConditionalAccessPolicy page lists it among the
/// members that need the Prefer header).
fn flags(list: &[&'static str], include_unknown_members: bool) -> String {
    let mut shown: Vec<&str> = Vec::new();
    for f in list {
        let f = if *f == "authenticationFlows" && !include_unknown_members {
            "unknownFutureValue"
        } else {
            f
        };
        if !shown.contains(&f) {
            shown.push(f);
        }
    }
    if shown.is_empty() {
        "none".to_owned()
    } else {
        shown.join(",")
    }
}

/// The property's value for one event (`beta` adds the conditions satisfied and not).
pub fn applied_policies(
    policies: &[&Map<String, Value>],
    data: &SeedData,
    e: &dyn Subject,
    include_unknown_members: bool,
    beta: bool,
) -> Value {
    let list: Vec<Value> = policies
        .iter()
        .map(|p| {
            let ev = evaluate(p, data, e);
            let shown = if evolvable(ev.result) && !include_unknown_members {
                "unknownFutureValue"
            } else {
                ev.result
            };
            let controls: Vec<String> = strings(p.get("grantControls"), "builtInControls")
                .into_iter()
                .map(portal_control)
                .collect();
            let mut item = json!({
                "id": p.get("id").cloned().unwrap_or(Value::Null),
                "displayName": p.get("displayName").cloned().unwrap_or(Value::Null),
                "enforcedGrantControls": controls,
                "enforcedSessionControls": [],
                "result": shown,
            });
            if beta && let Some(map) = item.as_object_mut() {
                map.insert(
                    "conditionsSatisfied".into(),
                    json!(flags(&ev.satisfied, include_unknown_members)),
                );
                map.insert(
                    "conditionsNotSatisfied".into(),
                    json!(flags(&ev.not_satisfied, include_unknown_members)),
                );
            }
            item
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_header_lists() {
        assert!(prefers_unknown_members(Some(
            "include-unknown-enum-members"
        )));
        assert!(prefers_unknown_members(Some(
            "odata.maxpagesize=10, Include-Unknown-Enum-Members"
        )));
        assert!(!prefers_unknown_members(Some("return=minimal")));
        assert!(!prefers_unknown_members(None));
    }
}
