//! Planning Block- and Unblock-OutlookAuthenticationTransfer: what to send, decided from the
//! policies read; nothing is written here.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{
    BlockIntent, OWN_POLICY_NAME, PlanAction, PolicyPlan, foreign_policy_with_own_name, ids,
    is_own_policy, list_policies, name_all,
};
use crate::graph::conditional_access::{
    ConditionalAccessPolicy, POLICIES_PATH, STATE_ENABLED, STATE_REPORT_ONLY,
};
use crate::graph::directory_objects::{DirectoryObject, ObjectKind, ResolveError};
use crate::ops::entra_access::{EntraAccess, entra_failure};
use crate::ops::error::{FailureKind, OpError};
use crate::ops::log_sink::{LogLevel, log};
use crate::ops::session::Session;

fn object_ids(objects: &[DirectoryObject]) -> Vec<String> {
    objects.iter().map(|o| o.id.clone()).collect()
}

fn conditions_body(users: &[String], groups: &[String], roles: &[String]) -> Value {
    let mut u = json!({
        "includeUsers": ["All"],
        "excludeUsers": users,
        "excludeGroups": groups,
    });
    if !roles.is_empty() {
        u["excludeRoles"] = json!(roles);
    }
    json!({
        "users": u,
        "applications": {"includeApplications": ["All"]},
        "clientAppTypes": ["all"],
        "authenticationFlows": {"transferMethods": "authenticationTransfer"},
    })
}

/// The conditions of an update: everything [`conditions_body`] sets, and every other
/// condition of `conditionalAccessConditionSet` set explicitly to "no condition" (null for a
/// complex value, `[]` for a collection). Graph's PATCH merges complex properties and leaves
/// what is omitted as it was (OData v4.0 Part 1 §11.4.3; [MS-ODATA] 2.2.7.3.2), so a platform
/// or location condition someone added survives an update that merely omits it; unsetting
/// `platforms`/`locations` takes an explicit null (hashicorp/terraform-provider-azuread#775,
/// manicminer/hamilton#161; Microsoft365DSC#6298: an omitted excludePlatforms stayed).
/// The guest/external-user exclusion is kept as read, like the role exclusions: Block has no
/// parameter for either, and dropping an exclusion could lock an account out.
pub fn update_conditions_body(
    users: &[String],
    groups: &[String],
    roles: &[String],
    excluded_guests: Option<&Value>,
) -> Value {
    json!({
        "users": {
            "includeUsers": ["All"],
            "excludeUsers": users,
            "includeGroups": [],
            "excludeGroups": groups,
            "includeRoles": [],
            "excludeRoles": roles,
            "includeGuestsOrExternalUsers": null,
            "excludeGuestsOrExternalUsers": excluded_guests.cloned().unwrap_or(Value::Null),
        },
        "applications": {
            "includeApplications": ["All"],
            "excludeApplications": [],
            "includeUserActions": [],
            "includeAuthenticationContextClassReferences": [],
            "applicationFilter": null,
        },
        "clientAppTypes": ["all"],
        "authenticationFlows": {"transferMethods": "authenticationTransfer"},
        "platforms": null,
        "locations": null,
        "devices": null,
        "clientApplications": null,
        "userRiskLevels": [],
        "signInRiskLevels": [],
        "servicePrincipalRiskLevels": [],
        "insiderRiskLevels": null,
    })
}

fn grant_body() -> Value {
    json!({"operator": "OR", "builtInControls": ["block"]})
}

/// The body of a new policy: the shape Microsoft's Zero Trust assessment checks for.
pub fn create_body(state: &str, users: &[String], groups: &[String]) -> Value {
    json!({
        "displayName": OWN_POLICY_NAME,
        "state": state,
        "conditions": conditions_body(users, groups, &[]),
        "grantControls": grant_body(),
    })
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<HashSet<_>>();
    lower(a) == lower(b)
}

fn policy_path(id: &str) -> String {
    format!("{POLICIES_PATH}/{id}")
}

fn to_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Every id of `have` is among `asked` (case-insensitive).
fn within(have: &[String], asked: &[String]) -> bool {
    have.iter()
        .all(|h| asked.iter().any(|a| a.eq_ignore_ascii_case(h)))
}

/// Another policy already does what Block would: the check's coverage test
/// ([`ConditionalAccessPolicy::covers_everyone`]), a state as strong as asked, and no
/// exclusion beyond those asked for (roles and guests/external users are never asked for).
fn equivalent(p: &ConditionalAccessPolicy, intent: &BlockIntent) -> bool {
    let asked_users = intent
        .exclude_users
        .as_deref()
        .map(object_ids)
        .unwrap_or_default();
    let asked_groups = intent
        .exclude_groups
        .as_deref()
        .map(object_ids)
        .unwrap_or_default();
    let state_ok = if intent.enforce {
        p.is_enabled()
    } else {
        !p.is_disabled()
    };
    p.covers_everyone()
        && state_ok
        && p.excluded_roles().is_empty()
        && p.excluded_guests_or_external_users().is_none()
        && within(p.excluded_users(), &asked_users)
        && within(p.excluded_groups(), &asked_groups)
}

/// Why blocking policies that are not equivalent were not taken as such (for the reason).
fn not_equivalent_note(policies: &[ConditionalAccessPolicy]) -> String {
    let notes: Vec<String> = policies
        .iter()
        .filter(|p| p.blocks_transfer() && !p.is_disabled())
        .map(|p| {
            let mut why: Vec<String> = p
                .narrowing_conditions()
                .into_iter()
                .map(str::to_owned)
                .collect();
            if !p.all_users() {
                why.push("not all users".to_owned());
            }
            if !p.all_applications() {
                why.push("not all applications".to_owned());
            }
            if !p.all_client_app_types() {
                why.push("not all client app types".to_owned());
            }
            if p.has_exclusions() {
                why.push("its own exclusions".to_owned());
            }
            format!("'{}' ({})", p.display_name, why.join(", "))
        })
        .collect();
    if notes.is_empty() {
        String::new()
    } else {
        format!(" Not taken as equivalent: {}.", notes.join("; "))
    }
}

/// Plans blocking from the policies read (pure: no I/O). A policy with the module's name but
/// another shape stops the plan.
pub fn plan_block_from(
    policies: &[ConditionalAccessPolicy],
    intent: &BlockIntent,
) -> Result<PolicyPlan, OpError> {
    foreign_policy_with_own_name(policies)?;
    let own: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| is_own_policy(p)).collect();
    if let Some(first) = own.first() {
        return Ok(plan_update(first, intent, own_duplicates_note(&own)));
    }
    if let Some(equivalent) = policies.iter().find(|p| equivalent(p, intent)) {
        let asked_exclusions = intent.exclude_users.is_some() || intent.exclude_groups.is_some();
        let all_applied = within(
            &intent
                .exclude_users
                .as_deref()
                .map(object_ids)
                .unwrap_or_default(),
            equivalent.excluded_users(),
        ) && within(
            &intent
                .exclude_groups
                .as_deref()
                .map(object_ids)
                .unwrap_or_default(),
            equivalent.excluded_groups(),
        );
        return Ok(PolicyPlan {
            action: PlanAction::None,
            method: String::new(),
            path: String::new(),
            policy_id: equivalent.id.clone(),
            display_name: equivalent.display_name.clone(),
            current_state: equivalent.state.clone(),
            target_state: equivalent.state.clone(),
            body: String::new(),
            reason: format!(
                "An equivalent policy '{}' ({}) already blocks authentication transfer for all users and applications, with no condition narrowing it; nothing to change.{} It was not created by this module, so Unblock-OutlookAuthenticationTransfer leaves it alone.",
                equivalent.display_name,
                equivalent.state,
                if asked_exclusions && !all_applied {
                    " The exclusions asked for were not applied to it: change that policy's exclusions in the Entra admin center."
                } else {
                    ""
                }
            ),
            excluded_users: ids(equivalent.excluded_users(), ObjectKind::User),
            excluded_groups: ids(equivalent.excluded_groups(), ObjectKind::Group),
        });
    }
    let others = not_equivalent_note(policies);
    let state = if intent.enforce {
        STATE_ENABLED
    } else {
        STATE_REPORT_ONLY
    };
    let users = intent.exclude_users.clone().unwrap_or_default();
    let groups = intent.exclude_groups.clone().unwrap_or_default();
    Ok(PolicyPlan {
        action: PlanAction::Create,
        method: PlanAction::Create.method().to_owned(),
        path: POLICIES_PATH.to_owned(),
        policy_id: String::new(),
        display_name: OWN_POLICY_NAME.to_owned(),
        current_state: String::new(),
        target_state: state.to_owned(),
        body: to_text(&create_body(
            state,
            &object_ids(&users),
            &object_ids(&groups),
        )),
        reason: if intent.enforce {
            format!(
                "No policy blocks authentication transfer for everyone yet: creates one, enabled, for all users and applications.{others}"
            )
        } else {
            format!(
                "No policy blocks authentication transfer for everyone yet: creates one in report-only mode (it logs who would be blocked; -Enforce turns it on).{others}"
            )
        },
        excluded_users: users,
        excluded_groups: groups,
    })
}

fn own_duplicates_note(own: &[&ConditionalAccessPolicy]) -> String {
    let count = own.len();
    if count > 1 {
        format!(
            " {} policies are named '{OWN_POLICY_NAME}'; only the first ({}) is managed.",
            count, own[0].id
        )
    } else {
        String::new()
    }
}

fn plan_update(own: &ConditionalAccessPolicy, intent: &BlockIntent, note: String) -> PolicyPlan {
    // Without -Enforce an enabled policy is never downgraded.
    let target_state = if intent.enforce || own.is_enabled() {
        STATE_ENABLED
    } else {
        STATE_REPORT_ONLY
    };
    let users = intent
        .exclude_users
        .clone()
        .unwrap_or_else(|| ids(own.excluded_users(), ObjectKind::User));
    let groups = intent
        .exclude_groups
        .clone()
        .unwrap_or_else(|| ids(own.excluded_groups(), ObjectKind::Group));
    let (user_ids, group_ids) = (object_ids(&users), object_ids(&groups));
    let conditions_hold = own.all_users()
        && own.all_applications()
        && own.all_client_app_types()
        && own.targets_authentication_transfer()
        && own.narrowing_conditions().is_empty()
        && same_set(own.excluded_users(), &user_ids)
        && same_set(own.excluded_groups(), &group_ids);
    let mut body = serde_json::Map::new();
    let mut changes = Vec::new();
    if own.state != target_state {
        body.insert("state".into(), json!(target_state));
        changes.push(format!("state {} -> {target_state}", own.state));
    }
    if !conditions_hold {
        let guests = own
            .conditions
            .as_ref()
            .and_then(|c| c.users.as_ref())
            .and_then(|u| u.other.get("excludeGuestsOrExternalUsers"));
        body.insert(
            "conditions".into(),
            update_conditions_body(&user_ids, &group_ids, own.excluded_roles(), guests),
        );
        let narrowing = own.narrowing_conditions();
        changes.push(if narrowing.is_empty() {
            "conditions (all users and applications, authentication transfer, the exclusions)"
                .to_owned()
        } else {
            format!(
                "conditions (all users and applications, authentication transfer, the exclusions; clears {})",
                narrowing.join(", ")
            )
        });
    }
    if !own.grant_blocks() {
        body.insert("grantControls".into(), grant_body());
        changes.push("grant controls (block)".to_owned());
    }
    let (action, method, path, body_text, reason) = if body.is_empty() {
        (
            PlanAction::None,
            String::new(),
            String::new(),
            String::new(),
            format!(
                "The module's policy '{OWN_POLICY_NAME}' already is {} with these exclusions; nothing to change.{note}",
                own.state
            ),
        )
    } else {
        (
            PlanAction::Update,
            PlanAction::Update.method().to_owned(),
            policy_path(&own.id),
            to_text(&Value::Object(body)),
            format!(
                "Updates the module's policy '{OWN_POLICY_NAME}': {}.{note}",
                changes.join("; ")
            ),
        )
    };
    PolicyPlan {
        action,
        method,
        path,
        policy_id: own.id.clone(),
        display_name: own.display_name.clone(),
        current_state: own.state.clone(),
        target_state: target_state.to_owned(),
        body: body_text,
        reason,
        excluded_users: users,
        excluded_groups: groups,
    }
}

/// Plans unblocking from the policies read (pure): only the module's own policy (its name and
/// its shape) is deleted; a policy with its name and another shape stops the plan.
pub fn plan_unblock_from(policies: &[ConditionalAccessPolicy]) -> Result<PolicyPlan, OpError> {
    foreign_policy_with_own_name(policies)?;
    let own: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| is_own_policy(p)).collect();
    let others = policies
        .iter()
        .filter(|p| !is_own_policy(p) && p.blocks_transfer() && !p.is_disabled())
        .count();
    let others_note = if others > 0 {
        format!(" {others} other polic(ies) blocking authentication transfer stay as they are.")
    } else {
        String::new()
    };
    Ok(match own.first() {
        Some(p) => PolicyPlan {
            action: PlanAction::Delete,
            method: PlanAction::Delete.method().to_owned(),
            path: policy_path(&p.id),
            policy_id: p.id.clone(),
            display_name: p.display_name.clone(),
            current_state: p.state.clone(),
            target_state: String::new(),
            body: String::new(),
            reason: format!(
                "Deletes the module's policy '{OWN_POLICY_NAME}' ({}).{others_note}{}",
                p.state,
                own_duplicates_note(&own)
            ),
            excluded_users: ids(p.excluded_users(), ObjectKind::User),
            excluded_groups: ids(p.excluded_groups(), ObjectKind::Group),
        },
        None => PolicyPlan {
            action: PlanAction::None,
            method: String::new(),
            path: String::new(),
            policy_id: String::new(),
            display_name: OWN_POLICY_NAME.to_owned(),
            current_state: String::new(),
            target_state: String::new(),
            body: String::new(),
            reason: format!(
                "There is no policy named '{OWN_POLICY_NAME}'; nothing to remove. Policies this module did not create are never touched.{others_note}"
            ),
            excluded_users: Vec::new(),
            excluded_groups: Vec::new(),
        },
    })
}

fn resolve_failure(e: ResolveError) -> OpError {
    match e {
        ResolveError::NotFound { ref input, .. } => {
            let input = input.clone();
            OpError::new(
                FailureKind::NotFound,
                format!("Cannot exclude it: {e}. Nothing was changed."),
            )
            .with_code("ExclusionNotFound")
            .with_target(input)
        }
        ResolveError::Ambiguous { ref input, .. } => {
            let input = input.clone();
            OpError::new(
                FailureKind::InvalidArgument,
                format!("Cannot exclude it: {e}. Nothing was changed."),
            )
            .with_code("ExclusionAmbiguous")
            .with_target(input)
        }
        ResolveError::Graph(g) => entra_failure(g, EntraAccess::ReadGroups),
    }
}

/// Resolves the exclusions the admin typed; `None` when none were given.
async fn resolve_exclusions(
    session: &Session,
    inputs: &[String],
    kind: ObjectKind,
) -> Result<Option<Vec<DirectoryObject>>, OpError> {
    let inputs: Vec<&String> = inputs.iter().filter(|s| !s.trim().is_empty()).collect();
    if inputs.is_empty() {
        return Ok(None);
    }
    let mut out: Vec<DirectoryObject> = Vec::new();
    for input in inputs {
        let found = match kind {
            ObjectKind::User => session
                .graph
                .resolve_user(input)
                .await
                .map_err(|e| match e {
                    ResolveError::Graph(g) => entra_failure(g, EntraAccess::ReadUsers),
                    other => resolve_failure(other),
                })?,
            _ => session
                .graph
                .resolve_group(input)
                .await
                .map_err(resolve_failure)?,
        };
        if !out.iter().any(|o| o.id.eq_ignore_ascii_case(&found.id)) {
            out.push(found);
        }
    }
    Ok(Some(out))
}

/// Plans Block-OutlookAuthenticationTransfer: resolves exclusions (an unknown or ambiguous one
/// fails here, before anything could be written), reads the policies, decides. Writes nothing.
pub async fn plan_block(
    session: &Session,
    enforce: bool,
    exclude_users: &[String],
    exclude_groups: &[String],
) -> Result<PolicyPlan, OpError> {
    let intent = BlockIntent {
        enforce,
        exclude_users: resolve_exclusions(session, exclude_users, ObjectKind::User).await?,
        exclude_groups: resolve_exclusions(session, exclude_groups, ObjectKind::Group).await?,
    };
    let policies = list_policies(session, EntraAccess::ReadConditionalAccess).await?;
    let mut plan = plan_block_from(&policies, &intent)?;
    let mut warnings = Vec::new();
    name_all(session, &mut plan.excluded_users, &mut warnings).await;
    name_all(session, &mut plan.excluded_groups, &mut warnings).await;
    for w in warnings {
        log(LogLevel::Warning, w);
    }
    Ok(plan)
}

/// Plans Unblock-OutlookAuthenticationTransfer. Writes nothing.
pub async fn plan_unblock(session: &Session) -> Result<PolicyPlan, OpError> {
    let policies = list_policies(session, EntraAccess::ReadConditionalAccess).await?;
    let mut plan = plan_unblock_from(&policies)?;
    let mut warnings = Vec::new();
    name_all(session, &mut plan.excluded_users, &mut warnings).await;
    name_all(session, &mut plan.excluded_groups, &mut warnings).await;
    Ok(plan)
}
