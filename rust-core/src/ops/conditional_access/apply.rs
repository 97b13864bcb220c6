//! Applying a plan: checked to be one the module would make, then sent exactly.

use bytes::Bytes;
use serde_json::Value;

use super::{PlanAction, PolicyChange, PolicyPlan, is_own_policy};
use crate::graph::GraphError;
use crate::graph::conditional_access::{
    ConditionalAccessPolicy, POLICIES_PATH, STATE_ENABLED, STATE_REPORT_ONLY,
};
use crate::graph::directory_objects::DirectoryObject;
use crate::http::HttpError;
use crate::ops::entra_access::{EntraAccess, entra_failure};
use crate::ops::error::{FailureKind, OpError};
use crate::ops::log_sink::{LogLevel, log};
use crate::ops::session::Session;

fn refused(plan: &PolicyPlan, why: &str) -> OpError {
    OpError::invalid(format!(
        "This plan cannot be applied: {why}. Nothing was sent; plan again with Block- or Unblock-OutlookAuthenticationTransfer"
    ))
    .with_code("PlanRefused")
    .with_target(plan.path.clone())
}

/// Checks a plan is one the module itself would make: the action's method, a path under the
/// policy collection naming the plan's policy, and a JSON object body where one is sent.
pub fn validate_plan(plan: &PolicyPlan) -> Result<(), OpError> {
    if plan.method != plan.action.method() {
        return Err(refused(
            plan,
            &format!(
                "{} needs method '{}', not '{}'",
                plan.action.as_str(),
                plan.action.method(),
                plan.method
            ),
        ));
    }
    if plan.action == PlanAction::None {
        return Ok(());
    }
    let Some(rest) = plan.path.strip_prefix(POLICIES_PATH) else {
        return Err(refused(
            plan,
            &format!("the path '{}' is not under {POLICIES_PATH}", plan.path),
        ));
    };
    match plan.action {
        PlanAction::Create if !rest.is_empty() => {
            return Err(refused(
                plan,
                "a new policy is posted to the collection itself",
            ));
        }
        PlanAction::Update | PlanAction::Delete => {
            let id = rest.strip_prefix('/').unwrap_or("");
            if uuid::Uuid::parse_str(id).is_err() || !id.eq_ignore_ascii_case(&plan.policy_id) {
                return Err(refused(
                    plan,
                    &format!(
                        "the path '{}' does not name the plan's policy '{}'",
                        plan.path, plan.policy_id
                    ),
                ));
            }
        }
        _ => {}
    }
    match plan.action {
        PlanAction::Create | PlanAction::Update => {
            match serde_json::from_str::<Value>(&plan.body) {
                Ok(Value::Object(_)) => Ok(()),
                _ => Err(refused(plan, "its body is not a JSON object")),
            }
        }
        _ if !plan.body.is_empty() => Err(refused(plan, "a delete sends no body")),
        _ => Ok(()),
    }
}

fn change_warnings(
    state: &str,
    users: &[DirectoryObject],
    groups: &[DirectoryObject],
) -> Vec<String> {
    let mut w = Vec::new();
    if state == STATE_REPORT_ONLY {
        w.push("The policy is report-only: it blocks nothing yet. After it has been in place for a while, Get-OutlookQrBlockImpact shows whom it would have blocked; review that before Block-OutlookAuthenticationTransfer -Enforce.".to_owned());
    }
    if state == STATE_ENABLED && users.is_empty() && groups.is_empty() {
        w.push("No account is excluded: make sure an emergency (break-glass) account is excluded from policies like this one (-ExcludeUser / -ExcludeGroup).".to_owned());
    }
    w
}

/// The create went out and its answer did not come back whole (a broken connection, an
/// unreadable body, a gateway's 5xx, a 503): the policy may exist. A 503 is not resent by the
/// HTTP layer for a POST (a gateway can answer 503 after the service committed the create:
/// UNCONFIRMED for Graph, so the safe reading), so it comes here too.
fn reply_lost(e: &GraphError) -> bool {
    matches!(
        e,
        GraphError::Http(HttpError::Transport { .. } | HttpError::Protocol { .. })
            | GraphError::BadAnswer { .. }
            | GraphError::Service {
                status: 500 | 502 | 503 | 504,
                ..
            }
    )
}

/// Reads of the policy list after a lost reply (a new policy can take a moment to be listed).
const LOOKUPS: u32 = 3;

/// After a lost reply to the create: the policy of that name, if the service made it (the plan
/// was to create one because none had that name). Posting again could make a second one.
async fn find_created(session: &Session, plan: &PolicyPlan) -> Option<ConditionalAccessPolicy> {
    for lookup in 1..=LOOKUPS {
        if let Ok(list) = session.graph.list_conditional_access_policies().await
            && let Some(found) = list
                .policies
                .into_iter()
                .find(|p| p.display_name == plan.display_name && is_own_policy(p))
        {
            log(
                LogLevel::Info,
                format!(
                    "The reply to creating the policy was lost; the service had created it: {}",
                    found.id
                ),
            );
            if found.state != plan.target_state {
                log(
                    LogLevel::Warning,
                    format!(
                        "The policy '{}' found after the lost reply is in state '{}', not '{}' as planned; check it with Test-OutlookQrSignin",
                        found.display_name, found.state, plan.target_state
                    ),
                );
            }
            return Some(found);
        }
        if lookup < LOOKUPS {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(lookup))).await;
        }
    }
    log(
        LogLevel::Warning,
        "The reply to creating the policy was lost and the policy is not listed (yet). Run Block-OutlookAuthenticationTransfer again: it plans from what exists, so it will not create a second one.",
    );
    None
}

/// What the policy read back after an update lacks of what the plan set; empty when it holds it.
pub fn update_differences(plan: &PolicyPlan, read: &ConditionalAccessPolicy) -> Vec<String> {
    let mut out = Vec::new();
    if !read.state.eq_ignore_ascii_case(&plan.target_state) {
        out.push(format!(
            "state is '{}', not '{}'",
            read.state, plan.target_state
        ));
    }
    if !read.blocks_transfer() {
        out.push("it does not block authentication transfer".to_owned());
    }
    if !read.all_users() {
        out.push("it does not include all users".to_owned());
    }
    if !read.all_applications() {
        out.push("it does not include all applications".to_owned());
    }
    if !read.all_client_app_types() {
        out.push("it does not include every client app type".to_owned());
    }
    let narrowing = read.narrowing_conditions();
    if !narrowing.is_empty() {
        out.push(format!(
            "conditions still narrow it: {}",
            narrowing.join(", ")
        ));
    }
    let same = |have: &[String], want: &[DirectoryObject]| {
        have.len() == want.len()
            && want
                .iter()
                .all(|w| have.iter().any(|h| h.eq_ignore_ascii_case(&w.id)))
    };
    if !same(read.excluded_users(), &plan.excluded_users) {
        out.push(format!(
            "excluded users are [{}], not [{}]",
            read.excluded_users().join(", "),
            plan.excluded_users
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !same(read.excluded_groups(), &plan.excluded_groups) {
        out.push(format!(
            "excluded groups are [{}], not [{}]",
            read.excluded_groups().join(", "),
            plan.excluded_groups
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// Reads of the policy after an update before a difference is reported (a write may take a
/// moment to be read back: UNCONFIRMED for Conditional Access, so a short grace).
const READ_BACKS: u32 = 3;

/// Reads the updated policy back and checks it holds what was sent.
async fn verify_update(session: &Session, plan: &PolicyPlan) -> Result<(), OpError> {
    let mut differences = Vec::new();
    for read in 1..=READ_BACKS {
        let policy = session
            .graph
            .get_conditional_access_policy(&plan.policy_id)
            .await
            .map_err(|e| entra_failure(e, EntraAccess::ReadConditionalAccess))?;
        differences = update_differences(plan, &policy);
        if differences.is_empty() {
            return Ok(());
        }
        if read < READ_BACKS {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(read))).await;
        }
    }
    Err(OpError::new(
        FailureKind::Protocol,
        format!(
            "The Conditional Access policy '{}' ({}) was updated, but reading it back shows it does not hold what was sent: {}. Check it in the Entra admin center or with Test-OutlookQrSignin, then run Block-OutlookAuthenticationTransfer again.",
            plan.display_name,
            plan.policy_id,
            differences.join("; ")
        ),
    )
    .with_code("PolicyReadBackMismatch")
    .with_target(plan.policy_id.clone()))
}

/// Sends exactly the plan (after `validate_plan`).
pub async fn apply(session: &Session, plan: PolicyPlan) -> Result<PolicyChange, OpError> {
    validate_plan(&plan)?;
    let write = |e| entra_failure(e, EntraAccess::WriteConditionalAccess);
    let mut change = PolicyChange {
        action: plan.action,
        changed: plan.action != PlanAction::None,
        policy_id: plan.policy_id.clone(),
        display_name: plan.display_name.clone(),
        state: plan.target_state.clone(),
        warnings: Vec::new(),
        excluded_users: plan.excluded_users.clone(),
        excluded_groups: plan.excluded_groups.clone(),
    };
    match plan.action {
        PlanAction::None => {
            change.state = plan.current_state.clone();
            return Ok(change);
        }
        PlanAction::Create => {
            let created = match session
                .graph
                .create_conditional_access_policy(Bytes::from(plan.body.clone()))
                .await
            {
                Ok(created) => created,
                Err(e) if reply_lost(&e) => {
                    find_created(session, &plan).await.ok_or_else(|| write(e))?
                }
                Err(e) => return Err(write(e)),
            };
            log(
                LogLevel::Info,
                format!(
                    "Created Conditional Access policy {} ({})",
                    created.id, created.state
                ),
            );
            change.policy_id = created.id;
            if !created.state.is_empty() {
                change.state = created.state;
            }
        }
        PlanAction::Update => {
            session
                .graph
                .update_conditional_access_policy(&plan.policy_id, Bytes::from(plan.body.clone()))
                .await
                .map_err(write)?;
            verify_update(session, &plan).await?;
        }
        PlanAction::Delete => {
            session
                .graph
                .delete_conditional_access_policy(&plan.policy_id)
                .await
                .map_err(write)?;
        }
    }
    if plan.action != PlanAction::Delete {
        change.warnings = change_warnings(
            &change.state,
            &change.excluded_users,
            &change.excluded_groups,
        );
    }
    Ok(change)
}
