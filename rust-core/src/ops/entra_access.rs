//! Permission and licence failures of the Entra ID features (Conditional Access, sign-in logs,
//! directory reads) in words an admin acts on: which permission to grant or which licence is
//! missing, and what still works without it.

use super::error::{FailureKind, OpError};
use crate::graph::GraphError;

/// What the module was doing at Entra ID when it was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntraAccess {
    ReadConditionalAccess,
    WriteConditionalAccess,
    ReadSignInLogs,
    ReadGroups,
    ReadUsers,
}

impl EntraAccess {
    /// What the admin grants (application permissions, with admin consent).
    pub fn permission(self) -> &'static str {
        match self {
            EntraAccess::ReadConditionalAccess => "Policy.Read.All",
            EntraAccess::WriteConditionalAccess => {
                "Policy.Read.All and Policy.ReadWrite.ConditionalAccess"
            }
            EntraAccess::ReadSignInLogs => "AuditLog.Read.All",
            EntraAccess::ReadGroups => "Group.Read.All",
            EntraAccess::ReadUsers => "User.Read.All",
        }
    }

    fn activity(self) -> &'static str {
        match self {
            EntraAccess::ReadConditionalAccess => "read the Conditional Access policies",
            EntraAccess::WriteConditionalAccess => "change Conditional Access policies",
            EntraAccess::ReadSignInLogs => "read the sign-in logs",
            EntraAccess::ReadGroups => "read groups",
            EntraAccess::ReadUsers => "read users",
        }
    }

    fn licensed_feature(self) -> &'static str {
        match self {
            EntraAccess::ReadSignInLogs => "Reading the sign-in logs through Microsoft Graph",
            _ => "Conditional Access",
        }
    }
}

/// What works without Conditional Access and the sign-in logs.
pub const STILL_WORKS: &str = "Still available: the Exchange half of Test-OutlookQrSignin, Disable-OutlookQrSignin, Get-/Export-OutlookMobileDevice (without -IncludeSigninEvidence) and Revoke-OutlookMobileSignin.";

/// A Graph failure while doing `access`. Licence and permission refusals become
/// PermissionDenied errors carrying the service's code; anything else keeps its own mapping.
pub fn entra_failure(e: GraphError, access: EntraAccess) -> OpError {
    match e {
        GraphError::LicenceRequired { body, .. } => OpError::new(
            FailureKind::PermissionDenied,
            format!(
                "{} needs a Microsoft Entra ID P1 (or P2) licence, and this tenant has none (Microsoft Graph answered {}{}). {STILL_WORKS}",
                access.licensed_feature(),
                body.code,
                body.request_id
                    .as_deref()
                    .map(|r| format!(", request-id {r}"))
                    .unwrap_or_default()
            ),
        )
        .with_code(body.code),
        GraphError::Forbidden { body, .. } => OpError::new(
            FailureKind::PermissionDenied,
            format!(
                "The app is not allowed to {} (Microsoft Graph answered {}). Grant it the Microsoft Graph application permission {} with admin consent (delegated sign-ins also need a suitable Entra role). {STILL_WORKS}",
                access.activity(),
                body,
                access.permission()
            ),
        )
        .with_code(body.code),
        // The service refused what was sent (a validation error): the caller's input, not the network.
        GraphError::Service { status: 400, body } => OpError::new(
            FailureKind::InvalidArgument,
            format!("Microsoft Graph refused the request: {body}"),
        )
        .with_code(body.code),
        other => OpError::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphErrorBody;

    fn body(code: &str, message: &str) -> GraphErrorBody {
        GraphErrorBody {
            code: code.into(),
            message: message.into(),
            ..GraphErrorBody::default()
        }
    }

    #[test]
    fn licence_failures_name_the_licence_and_what_still_works() {
        let e = entra_failure(
            GraphError::LicenceRequired {
                body: body(
                    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                    "Neither tenant is B2C or tenant doesn't have premium license",
                ),
                what: "the sign-in logs".into(),
            },
            EntraAccess::ReadSignInLogs,
        );
        assert_eq!(e.kind, FailureKind::PermissionDenied);
        assert_eq!(
            e.code,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
        );
        assert!(
            e.message.contains("Microsoft Entra ID P1")
                && e.message.contains("Disable-OutlookQrSignin"),
            "{}",
            e.message
        );
    }

    #[test]
    fn permission_failures_name_the_permission_to_grant() {
        for (access, permission) in [
            (EntraAccess::ReadConditionalAccess, "Policy.Read.All"),
            (
                EntraAccess::WriteConditionalAccess,
                "Policy.ReadWrite.ConditionalAccess",
            ),
            (EntraAccess::ReadSignInLogs, "AuditLog.Read.All"),
            (EntraAccess::ReadGroups, "Group.Read.All"),
        ] {
            let e = entra_failure(
                GraphError::Forbidden {
                    body: body("AccessDenied", "required scopes are missing in the token."),
                    permission: String::new(),
                },
                access,
            );
            assert_eq!(e.code, "AccessDenied");
            assert!(e.message.contains(permission), "{}", e.message);
            assert!(!e.message.contains("P1"));
        }
        let other = entra_failure(
            GraphError::NotFound { what: "x".into() },
            EntraAccess::ReadGroups,
        );
        assert_eq!(other.kind, FailureKind::NotFound);
        let refused = entra_failure(
            GraphError::Service {
                status: 400,
                body: body(
                    "BadRequest",
                    "The property 'x' does not exist on type 'microsoft.graph.conditionalAccessPolicy'.",
                ),
            },
            EntraAccess::WriteConditionalAccess,
        );
        assert_eq!(refused.kind, FailureKind::InvalidArgument);
        assert_eq!(refused.code, "BadRequest");
        assert!(refused.message.contains("does not exist"));
    }
}
