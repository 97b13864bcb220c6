//! The Entra ID half: is authentication transfer (the QR-code sign-in) blocked by Conditional
//! Access ([`check`]), and blocking or unblocking it with the module's own policy ([`plan_block`],
//! [`plan_unblock`], then [`apply`]). Plans are computed from what was read (exclusions resolved
//! first) and write nothing; applying sends exactly the plan.

mod apply;
mod check;
mod plan;
#[cfg(test)]
mod tests;

pub use apply::{apply, update_differences, validate_plan};
pub use check::{assess, check};
pub use plan::update_conditions_body;
pub use plan::{create_body, plan_block, plan_block_from, plan_unblock, plan_unblock_from};

use super::entra_access::{EntraAccess, entra_failure};
use super::error::{FailureKind, OpError};
use super::log_sink::{LogLevel, log};
use super::session::Session;
use crate::graph::conditional_access::{ConditionalAccessPolicy, TRANSFER_METHOD, configured};
use crate::graph::directory_objects::{DirectoryObject, ObjectKind};

/// The display name of the policy Block-OutlookAuthenticationTransfer creates. With the shape
/// ([`own_shape_differences`]) it is how the module knows its own policy again (and the only
/// policy Unblock removes).
pub const OWN_POLICY_NAME: &str =
    "OutlookQrGuard: Block authentication transfer (Outlook QR sign-in)";

/// How a policy named [`OWN_POLICY_NAME`] differs from what the module creates: a grant of
/// exactly `block`, `transferMethods` exactly `authenticationTransfer`, no session controls.
/// Who and where it applies (users, applications, narrowing conditions) is not part of the
/// shape: Block repairs those. A policy with other controls or methods is someone else's
/// (changing it to ours would, e.g., unblock device code flow): never modified or deleted.
pub fn own_shape_differences(p: &ConditionalAccessPolicy) -> Vec<String> {
    let mut out = Vec::new();
    let grant = p.grant_controls.as_ref();
    let controls = grant
        .map(|g| g.built_in_controls.clone())
        .unwrap_or_default();
    if !(controls.len() == 1 && controls[0].eq_ignore_ascii_case("block")) {
        out.push(format!(
            "its grant controls are [{}], not [block]",
            controls.join(", ")
        ));
    }
    for extra in [
        "authenticationStrength",
        "termsOfUse",
        "customAuthenticationFactors",
    ] {
        if grant.is_some_and(|g| configured(g.other.get(extra))) {
            out.push(format!("its grant controls also set {extra}"));
        }
    }
    let methods = p
        .conditions
        .as_ref()
        .and_then(|c| c.authentication_flows.as_ref())
        .map(|f| f.transfer_methods.clone())
        .unwrap_or_default();
    if !methods.trim().eq_ignore_ascii_case(TRANSFER_METHOD) {
        out.push(format!(
            "its transferMethods is '{methods}', not '{TRANSFER_METHOD}'"
        ));
    }
    if configured(p.other.get("sessionControls")) {
        out.push("it has session controls".to_owned());
    }
    out
}

/// The module's own policy: its name and its shape.
pub fn is_own_policy(p: &ConditionalAccessPolicy) -> bool {
    p.display_name == OWN_POLICY_NAME && own_shape_differences(p).is_empty()
}

/// A policy carries the module's name but not its shape: Block and Unblock stop here.
fn foreign_policy_with_own_name(policies: &[ConditionalAccessPolicy]) -> Result<(), OpError> {
    for p in policies
        .iter()
        .filter(|p| p.display_name == OWN_POLICY_NAME)
    {
        let differences = own_shape_differences(p);
        if !differences.is_empty() {
            return Err(OpError::new(
                FailureKind::AlreadyExists,
                format!(
                    "The Conditional Access policy {} is named '{OWN_POLICY_NAME}' but is not the module's policy: {}. Nothing was changed: the module modifies or deletes only its own policy. Rename that policy in the Entra admin center (or restore its block of authentication transfer alone), then run the command again.",
                    p.id,
                    differences.join("; ")
                ),
            )
            .with_code("OwnPolicyShapeMismatch")
            .with_target(p.id.clone()));
        }
    }
    Ok(())
}

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
    /// [`ConditionalAccessPolicy::covers_everyone`]: all users, apps and client types and no
    /// narrowing condition (exclusions are listed apart).
    pub covers_everyone: bool,
    /// The narrowing conditions when it does not cover everyone (e.g. "platforms").
    pub narrowing_conditions: Vec<String>,
    pub excluded_users: Vec<DirectoryObject>,
    pub excluded_groups: Vec<DirectoryObject>,
    pub excluded_roles: Vec<DirectoryObject>,
    /// `excludeGuestsOrExternalUsers`: the guest/external user types left out, when set.
    pub excluded_guests_or_external_users: Option<String>,
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

pub(crate) async fn list_policies(
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
