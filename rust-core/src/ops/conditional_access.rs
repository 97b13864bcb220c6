//! The Entra ID half: is authentication transfer (the QR-code sign-in) blocked by Conditional
//! Access, and blocking or unblocking it with the module's own policy. Plans are computed from
//! what was read (exclusions resolved first) and write nothing; applying sends exactly the plan.

use std::collections::HashSet;

use bytes::Bytes;
use serde_json::{Value, json};

use super::entra_access::{EntraAccess, entra_failure};
use super::error::{FailureKind, OpError};
use super::log_sink::{LogLevel, log};
use super::session::Session;
use crate::graph::conditional_access::{
    ConditionalAccessPolicy, POLICIES_PATH, STATE_ENABLED, STATE_REPORT_ONLY,
};
use crate::graph::directory_objects::{DirectoryObject, ObjectKind, ResolveError};

/// The display name of the policy Block-OutlookAuthenticationTransfer creates; it is how the
/// module finds its own policy again (and the only policy Unblock removes).
pub const OWN_POLICY_NAME: &str =
    "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaLayer {
    /// An enabled policy blocks transfer for all users, apps and client types, no exclusions.
    Blocked,
    /// As Blocked, but some users, groups or roles are excluded.
    BlockedWithExclusions,
    /// Only report-only policies would block it.
    ReportOnly,
    NotBlocked,
    /// The policies could not be read (permission, licence, service failure).
    Unknown,
}

impl CaLayer {
    pub fn as_str(self) -> &'static str {
        match self {
            CaLayer::Blocked => "Blocked",
            CaLayer::BlockedWithExclusions => "BlockedWithExclusions",
            CaLayer::ReportOnly => "ReportOnly",
            CaLayer::NotBlocked => "NotBlocked",
            CaLayer::Unknown => "Unknown",
        }
    }
}

/// A policy that blocks authentication transfer, as the checker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferPolicy {
    pub id: String,
    pub display_name: String,
    pub state: String,
    pub all_users: bool,
    pub all_applications: bool,
    pub all_client_app_types: bool,
    pub excluded_users: Vec<DirectoryObject>,
    pub excluded_groups: Vec<DirectoryObject>,
    pub excluded_roles: Vec<DirectoryObject>,
    pub created_by_module: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaAssessment {
    pub layer: CaLayer,
    pub reason: String,
    /// The service's code when Unknown.
    pub code: String,
    pub policies: Vec<TransferPolicy>,
    pub warnings: Vec<String>,
}

impl CaAssessment {
    /// The half that could not be read: why, and the service's code.
    pub fn unknown(e: &OpError) -> CaAssessment {
        CaAssessment {
            layer: CaLayer::Unknown,
            reason: format!(
                "The Conditional Access state is unknown: {} The Exchange half of the check is not affected.",
                e.message
            ),
            code: e.code.clone(),
            policies: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

fn ids(list: &[String], kind: ObjectKind) -> Vec<DirectoryObject> {
    list.iter()
        .map(|id| DirectoryObject {
            id: id.clone(),
            display_name: String::new(),
            kind,
        })
        .collect()
}

fn quoted_names<'a>(policies: impl Iterator<Item = &'a ConditionalAccessPolicy>) -> String {
    policies
        .map(|p| format!("'{}'", p.display_name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The layer and its reason, from the policies alone (exclusions not yet named).
pub fn assess(policies: &[ConditionalAccessPolicy]) -> CaAssessment {
    let blocking: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| p.blocks_transfer()).collect();
    let full_enabled = || {
        blocking
            .iter()
            .copied()
            .filter(|p| p.is_enabled() && p.covers_everyone())
    };
    let (layer, mut reason) = if let Some(p) = full_enabled().find(|p| !p.has_exclusions()) {
        (
            CaLayer::Blocked,
            format!(
                "The Conditional Access policy '{}' blocks authentication transfer for all users and all applications: the QR-code sign-in is stopped at Entra ID for every client.",
                p.display_name
            ),
        )
    } else if let Some(p) = full_enabled().next() {
        let n = p.excluded_users().len() + p.excluded_groups().len() + p.excluded_roles().len();
        (
            CaLayer::BlockedWithExclusions,
            format!(
                "The Conditional Access policy '{}' blocks authentication transfer for all users and applications except {n} exclusion(s) (users {}, groups {}, roles {}): each excluded account can still sign a phone in with a QR code.",
                p.display_name,
                p.excluded_users().len(),
                p.excluded_groups().len(),
                p.excluded_roles().len()
            ),
        )
    } else if blocking
        .iter()
        .any(|p| p.is_report_only() && p.covers_everyone())
    {
        (
            CaLayer::ReportOnly,
            format!(
                "Only report-only policies ({}) would block authentication transfer: they log who would be blocked but block nothing. Block-OutlookAuthenticationTransfer -Enforce turns the module's policy on.",
                quoted_names(
                    blocking
                        .iter()
                        .copied()
                        .filter(|p| p.is_report_only() && p.covers_everyone())
                )
            ),
        )
    } else {
        (
            CaLayer::NotBlocked,
            "No enabled Conditional Access policy blocks authentication transfer for all users and applications. Block-OutlookAuthenticationTransfer creates one (report-only first, -Enforce to turn it on).".to_owned(),
        )
    };
    let partial: Vec<&ConditionalAccessPolicy> = blocking
        .iter()
        .copied()
        .filter(|p| !p.is_disabled() && !p.covers_everyone())
        .collect();
    if !partial.is_empty() && layer != CaLayer::Blocked {
        reason.push_str(&format!(
            " {} block(s) it only for some users, applications, client app types or conditions.",
            quoted_names(partial.into_iter())
        ));
    }
    CaAssessment {
        layer,
        reason,
        code: String::new(),
        policies: blocking
            .iter()
            .map(|p| TransferPolicy {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
                state: p.state.clone(),
                all_users: p.all_users(),
                all_applications: p.all_applications(),
                all_client_app_types: p.all_client_app_types(),
                excluded_users: ids(p.excluded_users(), ObjectKind::User),
                excluded_groups: ids(p.excluded_groups(), ObjectKind::Group),
                excluded_roles: ids(p.excluded_roles(), ObjectKind::Role),
                created_by_module: p.display_name == OWN_POLICY_NAME,
            })
            .collect(),
        warnings: Vec::new(),
    }
}

async fn list_policies(
    session: &Session,
    access: EntraAccess,
) -> Result<Vec<ConditionalAccessPolicy>, OpError> {
    let list = session
        .graph
        .list_conditional_access_policies()
        .await
        .map_err(|e| entra_failure(e, access))?;
    for w in &list.warnings {
        log(LogLevel::Warning, w.clone());
    }
    Ok(list.policies)
}

/// Fills in display names (objects whose name is already known are left alone).
async fn name_all(session: &Session, objects: &mut [DirectoryObject], warnings: &mut Vec<String>) {
    for kind in [ObjectKind::User, ObjectKind::Group, ObjectKind::Role] {
        let wanted: Vec<String> = objects
            .iter()
            .filter(|o| o.kind == kind && o.display_name.is_empty())
            .map(|o| o.id.clone())
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let (named, warning) = session.graph.name_objects(&wanted, kind).await;
        if let Some(w) = warning
            && !warnings.contains(&w)
        {
            warnings.push(w);
        }
        for n in named {
            for o in objects
                .iter_mut()
                .filter(|o| o.kind == kind && o.id == n.id)
            {
                o.display_name = n.display_name.clone();
            }
        }
    }
}

/// The Conditional Access half of Test-OutlookQrSignin. Never fails: what could not be read
/// makes the layer Unknown, with the reason.
pub async fn check(session: &Session) -> CaAssessment {
    let policies = match list_policies(session, EntraAccess::ReadConditionalAccess).await {
        Ok(p) => p,
        Err(e) => {
            log(LogLevel::Warning, e.message.clone());
            return CaAssessment::unknown(&e);
        }
    };
    let mut assessment = assess(&policies);
    let mut warnings = Vec::new();
    for p in &mut assessment.policies {
        name_all(session, &mut p.excluded_users, &mut warnings).await;
        name_all(session, &mut p.excluded_groups, &mut warnings).await;
        name_all(session, &mut p.excluded_roles, &mut warnings).await;
    }
    assessment.warnings = warnings;
    assessment
}

// ---------------------------------------------------------------------------------------------
// Block / unblock plans

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAction {
    Create,
    Update,
    Delete,
    None,
}

impl PlanAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Create => "Create",
            PlanAction::Update => "Update",
            PlanAction::Delete => "Delete",
            PlanAction::None => "None",
        }
    }

    pub fn parse(text: &str) -> Option<PlanAction> {
        [
            PlanAction::Create,
            PlanAction::Update,
            PlanAction::Delete,
            PlanAction::None,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    pub fn method(self) -> &'static str {
        match self {
            PlanAction::Create => "POST",
            PlanAction::Update => "PATCH",
            PlanAction::Delete => "DELETE",
            PlanAction::None => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPlan {
    pub action: PlanAction,
    pub method: String,
    pub path: String,
    pub policy_id: String,
    pub display_name: String,
    pub current_state: String,
    pub target_state: String,
    pub body: String,
    pub reason: String,
    pub excluded_users: Vec<DirectoryObject>,
    pub excluded_groups: Vec<DirectoryObject>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyChange {
    pub action: PlanAction,
    pub changed: bool,
    pub policy_id: String,
    pub display_name: String,
    pub state: String,
    pub excluded_users: Vec<DirectoryObject>,
    pub excluded_groups: Vec<DirectoryObject>,
    pub warnings: Vec<String>,
}

/// What Block-OutlookAuthenticationTransfer asks for, exclusions already resolved. `None`:
/// the parameter was not given (the policy's exclusions are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockIntent {
    pub enforce: bool,
    pub exclude_users: Option<Vec<DirectoryObject>>,
    pub exclude_groups: Option<Vec<DirectoryObject>>,
}

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

/// Plans blocking from the policies read (pure: no I/O).
pub fn plan_block_from(policies: &[ConditionalAccessPolicy], intent: &BlockIntent) -> PolicyPlan {
    let own: Vec<&ConditionalAccessPolicy> = policies
        .iter()
        .filter(|p| p.display_name == OWN_POLICY_NAME)
        .collect();
    if let Some(first) = own.first() {
        return plan_update(first, intent, own_duplicates_note(&own));
    }
    let strong_enough = |p: &&ConditionalAccessPolicy| {
        p.blocks_transfer()
            && p.all_users()
            && p.all_applications()
            && p.all_client_app_types()
            && if intent.enforce {
                p.is_enabled()
            } else {
                !p.is_disabled()
            }
    };
    if let Some(equivalent) = policies.iter().find(strong_enough) {
        let asked_exclusions = intent.exclude_users.is_some() || intent.exclude_groups.is_some();
        return PolicyPlan {
            action: PlanAction::None,
            method: String::new(),
            path: String::new(),
            policy_id: equivalent.id.clone(),
            display_name: equivalent.display_name.clone(),
            current_state: equivalent.state.clone(),
            target_state: equivalent.state.clone(),
            body: String::new(),
            reason: format!(
                "An equivalent policy '{}' ({}) already blocks authentication transfer for all users and applications; nothing to change.{} It was not created by this module, so Unblock-OutlookAuthenticationTransfer leaves it alone.",
                equivalent.display_name,
                equivalent.state,
                if asked_exclusions {
                    " The exclusions asked for were not applied to it: change that policy's exclusions in the Entra admin center."
                } else {
                    ""
                }
            ),
            excluded_users: ids(equivalent.excluded_users(), ObjectKind::User),
            excluded_groups: ids(equivalent.excluded_groups(), ObjectKind::Group),
        };
    }
    let state = if intent.enforce {
        STATE_ENABLED
    } else {
        STATE_REPORT_ONLY
    };
    let users = intent.exclude_users.clone().unwrap_or_default();
    let groups = intent.exclude_groups.clone().unwrap_or_default();
    PolicyPlan {
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
            "No policy blocks authentication transfer yet: creates one, enabled, for all users and applications.".to_owned()
        } else {
            "No policy blocks authentication transfer yet: creates one in report-only mode (it logs who would be blocked; -Enforce turns it on).".to_owned()
        },
        excluded_users: users,
        excluded_groups: groups,
    }
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
        body.insert(
            "conditions".into(),
            conditions_body(&user_ids, &group_ids, own.excluded_roles()),
        );
        changes.push(
            "conditions (all users and applications, authentication transfer, the exclusions)"
                .to_owned(),
        );
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

/// Plans unblocking from the policies read (pure): only the module's own policy is deleted.
pub fn plan_unblock_from(policies: &[ConditionalAccessPolicy]) -> PolicyPlan {
    let own: Vec<&ConditionalAccessPolicy> = policies
        .iter()
        .filter(|p| p.display_name == OWN_POLICY_NAME)
        .collect();
    let others = policies
        .iter()
        .filter(|p| p.display_name != OWN_POLICY_NAME && p.blocks_transfer() && !p.is_disabled())
        .count();
    let others_note = if others > 0 {
        format!(" {others} other polic(ies) blocking authentication transfer stay as they are.")
    } else {
        String::new()
    };
    match own.first() {
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
    }
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
    let mut plan = plan_block_from(&policies, &intent);
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
    let mut plan = plan_unblock_from(&policies);
    let mut warnings = Vec::new();
    name_all(session, &mut plan.excluded_users, &mut warnings).await;
    name_all(session, &mut plan.excluded_groups, &mut warnings).await;
    Ok(plan)
}

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
            let created = session
                .graph
                .create_conditional_access_policy(Bytes::from(plan.body.clone()))
                .await
                .map_err(write)?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
        let p = plan_block_from(&[mfa_policy()], &intent(false));
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
        );
        let body: Value = serde_json::from_str(&enforced.body).unwrap();
        assert_eq!(body["state"], "enabled");
        assert_eq!(body["conditions"]["users"]["excludeUsers"], json!(["u1"]));
        assert_eq!(body["conditions"]["users"]["excludeGroups"], json!([]));
    }

    #[test]
    fn own_policy_updates_only_what_differs() {
        let own = policy(OWN_POLICY_NAME, STATE_REPORT_ONLY, &["u1"]);
        // Same again: nothing.
        let p = plan_block_from(std::slice::from_ref(&own), &intent(false));
        assert_eq!(p.action, PlanAction::None);
        assert!(p.body.is_empty() && p.method.is_empty());
        assert_eq!(p.excluded_users[0].id, "u1");
        // -Enforce: only the state.
        let p = plan_block_from(std::slice::from_ref(&own), &intent(true));
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
        );
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
        );
        assert_eq!(same.action, PlanAction::None);
    }

    #[test]
    fn enabled_own_policy_is_not_downgraded_without_enforce() {
        let p = plan_block_from(&[policy(OWN_POLICY_NAME, "enabled", &[])], &intent(false));
        assert_eq!(p.action, PlanAction::None);
        assert_eq!(p.target_state, "enabled");
        let disabled = plan_block_from(&[policy(OWN_POLICY_NAME, "disabled", &[])], &intent(false));
        assert_eq!(
            serde_json::from_str::<Value>(&disabled.body).unwrap(),
            json!({"state": STATE_REPORT_ONLY})
        );
    }

    #[test]
    fn an_equivalent_policy_in_the_asked_strength_means_nothing_to_do() {
        let report_only = policy("Someone else's block", STATE_REPORT_ONLY, &[]);
        let p = plan_block_from(std::slice::from_ref(&report_only), &intent(false));
        assert_eq!(p.action, PlanAction::None);
        assert!(p.reason.contains("Someone else's block"));
        // Asked to enforce: a report-only equivalent is not enough.
        let p = plan_block_from(&[report_only], &intent(true));
        assert_eq!(p.action, PlanAction::Create);
        assert_eq!(p.target_state, "enabled");
        // A disabled one never counts.
        assert_eq!(
            plan_block_from(&[policy("x", "disabled", &[])], &intent(false)).action,
            PlanAction::Create
        );
        // Exclusions on an equivalent policy do not stop it counting.
        assert_eq!(
            plan_block_from(&[policy("x", "enabled", &["u"])], &intent(true)).action,
            PlanAction::None
        );
    }

    #[test]
    fn unblock_deletes_only_the_own_policy() {
        let other = policy("Someone else's block", "enabled", &[]);
        let none = plan_unblock_from(&[other.clone(), mfa_policy()]);
        assert_eq!(none.action, PlanAction::None);
        assert!(none.reason.contains("1 other"), "{}", none.reason);
        let p = plan_unblock_from(&[other, policy(OWN_POLICY_NAME, "enabled", &[])]);
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
        let good = plan_unblock_from(&[policy(OWN_POLICY_NAME, "enabled", &[])]);
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
        let mut create = plan_block_from(&[], &intent(false));
        create.body = "[1]".into();
        assert!(validate_plan(&create).is_err());
        let mut create = plan_block_from(&[], &intent(false));
        create.path = format!("{POLICIES_PATH}/x");
        assert!(validate_plan(&create).is_err());
        let mut create = plan_block_from(&[], &intent(false));
        create.path = "/beta/identity/conditionalAccess/policies".into();
        assert!(validate_plan(&create).is_err());
    }
}
