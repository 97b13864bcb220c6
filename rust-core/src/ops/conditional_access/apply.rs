//! Applying a plan: checked to be one the module would make, then sent exactly.

use bytes::Bytes;
use serde_json::Value;

use super::{PlanAction, PolicyChange, PolicyPlan};
use crate::graph::GraphError;
use crate::graph::conditional_access::{
    ConditionalAccessPolicy, POLICIES_PATH, STATE_ENABLED, STATE_REPORT_ONLY,
};
use crate::graph::directory_objects::DirectoryObject;
use crate::http::HttpError;
use crate::ops::entra_access::{EntraAccess, entra_failure};
use crate::ops::error::OpError;
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
        w.push("The policy is report-only: it blocks nothing yet. Review the sign-in logs (Get-OutlookQrSigninEvidence), then run Block-OutlookAuthenticationTransfer -Enforce.".to_owned());
    }
    if state == STATE_ENABLED && users.is_empty() && groups.is_empty() {
        w.push("No account is excluded: make sure an emergency (break-glass) account is excluded from policies like this one (-ExcludeUser / -ExcludeGroup).".to_owned());
    }
    w
}

/// The create went out and its answer did not come back whole (a broken connection, an
/// unreadable body, a gateway's 5xx): the policy may exist.
fn reply_lost(e: &GraphError) -> bool {
    matches!(
        e,
        GraphError::Http(HttpError::Transport { .. } | HttpError::Protocol { .. })
            | GraphError::BadAnswer { .. }
            | GraphError::Service {
                status: 500 | 502 | 504,
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
                .find(|p| p.display_name == plan.display_name)
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
