//! The Entra ID half: is authentication transfer (the QR-code sign-in) blocked by Conditional
//! Access ([`check`]), and blocking or unblocking it with the module's own policy ([`plan_block`],
//! [`plan_unblock`], then [`apply`]). Plans are computed from what was read (exclusions resolved
//! first) and write nothing; applying sends exactly the plan.

mod apply;
mod check;
mod plan;
#[cfg(test)]
mod tests;

pub use apply::{apply, validate_plan};
pub use check::{assess, check};
pub use plan::{create_body, plan_block, plan_block_from, plan_unblock, plan_unblock_from};

use super::entra_access::{EntraAccess, entra_failure};
use super::error::OpError;
use super::log_sink::{LogLevel, log};
use super::session::Session;
use crate::graph::conditional_access::ConditionalAccessPolicy;
use crate::graph::directory_objects::{DirectoryObject, ObjectKind};

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
