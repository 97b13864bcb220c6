//! Who may run which cmdlet. App-only callers need the `Exchange.ManageAsApp` application
//! permission and a role, which comes either from Microsoft Entra ID (a directory role such as
//! Exchange Administrator, in the token's `wids`) or from Exchange itself (RBAC for applications:
//! a service principal object in Exchange with management roles assigned). Source: Microsoft,
//! "App-only authentication for unattended scripts in Exchange Online PowerShell" Step 2 and
//! Step 5 (MicrosoftDocs/office-docs-powershell exchange/docs-conceptual/app-only-auth-powershell-v2.md);
//! `New-ManagementRoleAssignment -App` takes the service principal's ServiceId (cmdlet reference).

use super::errors;
use crate::directory::{EXCHANGE_MANAGE_AS_APP, roles};
use crate::entra::access::Principal;
use crate::http::Reply;
use crate::state::State;

pub const ORGANIZATION_MANAGEMENT: &str = "Organization Management";
pub const ORGANIZATION_CONFIGURATION: &str = "Organization Configuration";
pub const VIEW_ONLY_CONFIGURATION: &str = "View-Only Configuration";
pub const MAIL_RECIPIENTS: &str = "Mail Recipients";
pub const VIEW_ONLY_RECIPIENTS: &str = "View-Only Recipients";

/// Entra roles that cover every cmdlet served here (app-only-auth-powershell-v2.md: "The Global
/// Administrator and Exchange Administrator roles provide the required permissions for any task").
const ENTRA_ADMIN_ROLES: &[&str] = &[roles::EXCHANGE_ADMINISTRATOR, roles::GLOBAL_ADMINISTRATOR];
const DELEGATED_SCOPE: &str = "Exchange.Manage";

/// The management roles (and the Organization Management role group) that hold each cmdlet.
/// UNCONFIRMED: the assignment of these cmdlets to built-in roles follows the role names'
/// documented purpose; check with `Get-ManagementRole -Cmdlet <name>` in a real tenant.
fn roles_for(cmdlet: &str) -> &'static [&'static str] {
    match cmdlet.to_ascii_lowercase().as_str() {
        "get-organizationconfig" | "get-owamailboxpolicy" => &[
            ORGANIZATION_MANAGEMENT,
            ORGANIZATION_CONFIGURATION,
            VIEW_ONLY_CONFIGURATION,
        ],
        "set-organizationconfig" => &[ORGANIZATION_MANAGEMENT, ORGANIZATION_CONFIGURATION],
        "get-mobiledevice" | "get-mailbox" | "get-casmailbox" => &[
            ORGANIZATION_MANAGEMENT,
            MAIL_RECIPIENTS,
            VIEW_ONLY_RECIPIENTS,
        ],
        _ => &[ORGANIZATION_MANAGEMENT],
    }
}

/// The Exchange-side role assignments of the token's service principal.
fn exchange_assignments(state: &State, principal: &Principal) -> &'static [&'static str] {
    principal
        .app_id
        .as_deref()
        .and_then(|id| state.directory.any_principal(id))
        .map_or(&[], |app| app.exchange_management_roles)
}

/// What the caller may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An Entra admin role (or a delegated admin): every cmdlet.
    All,
    /// Exchange role assignments of an app's service principal (RBAC for applications).
    Roles(&'static [&'static str]),
}

/// Checked before the body is read: without the permission, or with no role from either side,
/// 403 (its body is UNCONFIRMED).
pub fn authorize(state: &State, principal: &Principal) -> Result<Access, Reply> {
    if !principal.is_app_only() {
        return if principal.has_scope(DELEGATED_SCOPE) && principal.has_any_wid(ENTRA_ADMIN_ROLES) {
            Ok(Access::All)
        } else {
            Err(errors::forbidden(false))
        };
    }
    if !principal.has_role(EXCHANGE_MANAGE_AS_APP) {
        return Err(errors::forbidden(true));
    }
    if principal.has_any_wid(ENTRA_ADMIN_ROLES) {
        return Ok(Access::All);
    }
    match exchange_assignments(state, principal) {
        [] => Err(errors::forbidden(true)),
        assigned => Ok(Access::Roles(assigned)),
    }
}

impl Access {
    /// A caller whose Exchange roles do not include `cmdlet` does not see it at all: Exchange
    /// answers as for an unknown cmdlet (Microsoft365DSC issue #3510: "If you are getting an
    /// error that an EXO related cmdlet doesn't exist, then it's permission related"; fixed there
    /// by adding the Exchange Administrator role).
    pub fn check(self, cmdlet: &str) -> Result<(), Reply> {
        match self {
            Access::All => Ok(()),
            Access::Roles(assigned) => {
                let allowed = roles_for(cmdlet);
                if assigned
                    .iter()
                    .any(|a| allowed.iter().any(|r| r.eq_ignore_ascii_case(a)))
                {
                    Ok(())
                } else {
                    Err(errors::unknown_cmdlet(cmdlet))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_cmdlet_is_held_by_organization_management() {
        for c in [
            "Get-OrganizationConfig",
            "Set-OrganizationConfig",
            "Get-MobileDevice",
            "Get-Mailbox",
            "Get-Anything",
        ] {
            assert!(roles_for(c).contains(&ORGANIZATION_MANAGEMENT), "{c}");
        }
        assert!(!roles_for("Set-OrganizationConfig").contains(&VIEW_ONLY_CONFIGURATION));
        assert!(roles_for("get-mobiledevice").contains(&MAIL_RECIPIENTS));
    }

    #[test]
    fn exchange_roles_gate_each_cmdlet() {
        let readers = Access::Roles(&[VIEW_ONLY_CONFIGURATION]);
        assert!(readers.check("Get-OrganizationConfig").is_ok());
        let refused = readers.check("Set-OrganizationConfig").unwrap_err();
        assert_eq!(refused.status.as_u16(), 400);
        assert!(Access::All.check("Set-OrganizationConfig").is_ok());
        assert!(
            Access::Roles(&[ORGANIZATION_CONFIGURATION, MAIL_RECIPIENTS])
                .check("get-mobiledevice")
                .is_ok()
        );
    }
}
