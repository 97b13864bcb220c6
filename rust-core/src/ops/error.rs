//! One error type for every operation: a kind (mapped to a PowerShell ErrorCategory by the C#
//! layer), a message that says what to do, the service's own code, and what it concerns.

use crate::auth::AuthError;
use crate::exo::ExoError;
use crate::export::{AtomicFileError, ExportError};
use crate::graph::GraphError;
use crate::http::{CallIds, HttpError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    InvalidArgument,
    Authentication,
    PermissionDenied,
    NotFound,
    Throttled,
    Connection,
    Protocol,
    Io,
    AlreadyExists,
    Cancelled,
    Internal,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct OpError {
    pub kind: FailureKind,
    pub message: String,
    /// The service's code (AADSTS7000215, Authorization_RequestDenied …); empty when none.
    pub code: String,
    /// What the error concerns (app id, user, path); empty when nothing specific.
    pub target: String,
    /// The ids of the failed service call (`client-request-id`, `request-id`); boxed, as
    /// `OpError` is every operation's error type and most have none.
    pub call_ids: Option<Box<CallIds>>,
}

impl OpError {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> OpError {
        OpError {
            kind,
            message: sentence(message.into()),
            code: String::new(),
            target: String::new(),
            call_ids: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> OpError {
        OpError::new(FailureKind::InvalidArgument, message)
    }

    pub fn cancelled() -> OpError {
        OpError::new(FailureKind::Cancelled, "The operation was cancelled.")
    }

    pub fn with_code(mut self, code: impl Into<String>) -> OpError {
        self.code = code.into();
        self
    }

    pub fn with_target(mut self, target: impl Into<String>) -> OpError {
        self.target = target.into();
        self
    }

    pub fn with_call_ids(mut self, ids: &CallIds) -> OpError {
        self.call_ids = (!ids.is_empty()).then(|| Box::new(ids.clone()));
        self
    }

    /// (`client-request-id`, `request-id`), empty strings where absent.
    pub fn call_id_texts(&self) -> (String, String) {
        self.call_ids
            .as_deref()
            .map(|c| {
                (
                    c.client_request_id.clone().unwrap_or_default(),
                    c.request_id.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    }
}

/// Messages from the clients start in lower case (they nest); shown alone they are sentences.
fn sentence(mut text: String) -> String {
    if let Some(first) = text.chars().next()
        && first.is_lowercase()
    {
        let upper: String = first.to_uppercase().collect();
        text.replace_range(..first.len_utf8(), &upper);
    }
    if !text.ends_with(['.', '!', '?', ')']) {
        text.push('.');
    }
    text
}

impl From<HttpError> for OpError {
    fn from(e: HttpError) -> OpError {
        let e = match e {
            HttpError::Auth(inner) => return OpError::from(*inner),
            other => other,
        };
        let kind = match &e {
            HttpError::Build(_)
            | HttpError::PlainHttpRefused { .. }
            | HttpError::BearerRefused { .. } => FailureKind::InvalidArgument,
            HttpError::Transport { .. } => FailureKind::Connection,
            HttpError::Status(failure) => match failure.status {
                429 => FailureKind::Throttled,
                401 => FailureKind::Authentication,
                403 => FailureKind::PermissionDenied,
                404 => FailureKind::NotFound,
                _ => FailureKind::Connection,
            },
            HttpError::Protocol { .. } | HttpError::Auth(_) => FailureKind::Protocol,
        };
        let ids = match &e {
            HttpError::Status(failure) => failure.call_ids(),
            _ => CallIds::default(),
        };
        OpError::new(kind, e.to_string()).with_call_ids(&ids)
    }
}

impl From<AuthError> for OpError {
    fn from(e: AuthError) -> OpError {
        let kind = match &e {
            AuthError::Cancelled => FailureKind::Cancelled,
            AuthError::Http(inner) => match inner {
                HttpError::Auth(_) => FailureKind::Authentication,
                HttpError::Transport { .. } | HttpError::Status(_) => FailureKind::Connection,
                HttpError::Protocol { .. } => FailureKind::Protocol,
                HttpError::Build(_)
                | HttpError::PlainHttpRefused { .. }
                | HttpError::BearerRefused { .. } => FailureKind::InvalidArgument,
            },
            AuthError::Certificate(_) | AuthError::Signer(_) => FailureKind::InvalidArgument,
            AuthError::Protocol(_) => FailureKind::Protocol,
            AuthError::ManagedIdentityUnavailable(_) => FailureKind::Connection,
            AuthError::SignInCancelled { .. } => FailureKind::Cancelled,
            AuthError::ConsentRequired { .. } | AuthError::ConditionalAccessBlocked { .. } => {
                FailureKind::PermissionDenied
            }
            AuthError::LoopbackUnavailable(_) => FailureKind::Io,
            _ => FailureKind::Authentication,
        };
        let code = match &e {
            AuthError::Entra { entra, .. } => entra
                .aadsts
                .map(|c| format!("AADSTS{c}"))
                .unwrap_or_else(|| entra.error.clone()),
            AuthError::InvalidClientSecret { .. } => "AADSTS7000215".into(),
            AuthError::ClientSecretExpired { .. } => "AADSTS7000222".into(),
            AuthError::UnknownTenant { .. } => "AADSTS90002".into(),
            AuthError::AppNotInTenant { .. } => "AADSTS700016".into(),
            AuthError::CertificateNotRegistered { .. } | AuthError::CertificateExpired { .. } => {
                "AADSTS700027".into()
            }
            AuthError::AssertionClockSkew { .. } => "AADSTS700024".into(),
            AuthError::SignInCancelled { .. } => "SignInCancelled".into(),
            AuthError::ConsentRequired { .. } => "ConsentRequired".into(),
            AuthError::ConditionalAccessBlocked { .. } => "AADSTS53003".into(),
            AuthError::WrongTenant { .. } => "WrongTenant".into(),
            AuthError::InteractiveRefused { .. } => "InteractiveSignInFailed".into(),
            AuthError::InteractiveTimeout { .. } => "InteractiveSignInTimeout".into(),
            AuthError::InteractiveStateMismatch | AuthError::InteractiveCodeInUrl => {
                "InteractiveAnswerRefused".into()
            }
            AuthError::LoopbackUnavailable(_) => "LoopbackUnavailable".into(),
            _ => String::new(),
        };
        let target = match &e {
            AuthError::InvalidClientSecret { client_id, .. }
            | AuthError::ClientSecretExpired { client_id }
            | AuthError::CertificateNotRegistered { client_id, .. }
            | AuthError::CertificateExpired { client_id, .. }
            | AuthError::Entra { client_id, .. }
            | AuthError::ConsentRequired { client_id, .. } => client_id.clone(),
            AuthError::UnknownTenant { tenant, .. } | AuthError::WrongTenant { tenant, .. } => {
                tenant.clone()
            }
            _ => String::new(),
        };
        OpError::new(kind, e.to_string())
            .with_code(code)
            .with_target(target)
    }
}

impl From<ExoError> for OpError {
    fn from(e: ExoError) -> OpError {
        match e {
            ExoError::Auth(inner) => OpError::from(inner),
            ExoError::Http(inner) => OpError::from(inner),
            other => {
                let kind = match &other {
                    ExoError::Unauthorized { .. } => FailureKind::Authentication,
                    ExoError::Forbidden { .. } => FailureKind::PermissionDenied,
                    ExoError::CmdletFailed { error, .. }
                        if error.exception_name() == Some("ManagementObjectNotFoundException") =>
                    {
                        FailureKind::NotFound
                    }
                    // Exchange hides the cmdlets the caller's roles lack (see exo::error), and
                    // this module runs only cmdlets that exist.
                    ExoError::CmdletFailed { error, .. }
                        if error.exception_name() == Some("CommandNotFoundException") =>
                    {
                        FailureKind::PermissionDenied
                    }
                    ExoError::CmdletFailed { .. } => FailureKind::InvalidArgument,
                    ExoError::Throttled { .. } => FailureKind::Throttled,
                    ExoError::Service { .. } => FailureKind::Connection,
                    _ => FailureKind::Protocol,
                };
                // The exception's class name makes the ErrorRecord's id
                // (OutlookQrGuard.NotFound.ManagementObjectNotFoundException).
                let code = match &other {
                    ExoError::CmdletFailed { error, .. } => {
                        error.exception_name().unwrap_or_default().to_owned()
                    }
                    _ => String::new(),
                };
                let ids = other.call_ids().cloned().unwrap_or_default();
                OpError::new(kind, other.to_string())
                    .with_code(code)
                    .with_call_ids(&ids)
            }
        }
    }
}

impl From<GraphError> for OpError {
    fn from(e: GraphError) -> OpError {
        match e {
            GraphError::Auth(inner) => OpError::from(inner),
            GraphError::Http(inner) => OpError::from(inner),
            other => {
                let (kind, code) = match &other {
                    GraphError::NotFound { .. } => {
                        (FailureKind::NotFound, "Request_ResourceNotFound".to_owned())
                    }
                    GraphError::Forbidden { body, .. }
                    | GraphError::LicenceRequired { body, .. } => {
                        (FailureKind::PermissionDenied, body.code.clone())
                    }
                    GraphError::Unauthorized { body } => {
                        (FailureKind::Authentication, body.code.clone())
                    }
                    GraphError::Service { body, .. } => {
                        (FailureKind::Connection, body.code.clone())
                    }
                    GraphError::BadAnswer { .. } => (FailureKind::Protocol, String::new()),
                    _ => (FailureKind::InvalidArgument, String::new()),
                };
                let ids = match &other {
                    GraphError::Forbidden { body, .. }
                    | GraphError::LicenceRequired { body, .. }
                    | GraphError::Unauthorized { body }
                    | GraphError::Service { body, .. } => CallIds {
                        client_request_id: body.client_request_id.clone(),
                        request_id: body.request_id.clone(),
                    },
                    _ => CallIds::default(),
                };
                OpError::new(kind, other.to_string())
                    .with_code(code)
                    .with_call_ids(&ids)
            }
        }
    }
}

impl From<AtomicFileError> for OpError {
    fn from(e: AtomicFileError) -> OpError {
        let kind = match &e {
            AtomicFileError::TargetExists { .. } => FailureKind::AlreadyExists,
            AtomicFileError::TargetIsDirectory { .. }
            | AtomicFileError::ParentMissing { .. }
            | AtomicFileError::ParentNotAFolder { .. }
            | AtomicFileError::PathTooLong { .. }
            | AtomicFileError::InvalidPath { .. } => FailureKind::InvalidArgument,
            AtomicFileError::PermissionDenied { .. } | AtomicFileError::ReadOnly { .. } => {
                FailureKind::PermissionDenied
            }
            _ => FailureKind::Io,
        };
        OpError::new(kind, e.to_string())
    }
}

impl From<ExportError> for OpError {
    fn from(e: ExportError) -> OpError {
        let kind = match &e {
            ExportError::Write(_) => FailureKind::Io,
            ExportError::AlreadyFailed => FailureKind::Internal,
            _ => FailureKind::InvalidArgument,
        };
        OpError::new(kind, e.to_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::exo::OdataError;

    fn ids() -> Box<CallIds> {
        Box::new(CallIds {
            client_request_id: Some("c-1".into()),
            request_id: Some("r-1".into()),
        })
    }

    #[test]
    fn exchange_cmdlet_failures_keep_type_kind_and_ids() {
        let failed = |exception: &str| ExoError::CmdletFailed {
            cmdlet: "Get-Mailbox".into(),
            error: OdataError {
                code: "NotFound".into(),
                exception: Some(exception.into()),
                message: "m".into(),
            },
            ids: ids(),
        };
        let e = OpError::from(failed(
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        ));
        assert_eq!(e.kind, FailureKind::NotFound);
        assert_eq!(e.code, "ManagementObjectNotFoundException");
        assert_eq!(e.call_id_texts(), ("c-1".to_owned(), "r-1".to_owned()));
        let e = OpError::from(failed(
            "System.Management.Automation.CommandNotFoundException",
        ));
        assert_eq!(e.kind, FailureKind::PermissionDenied);
        let e = OpError::from(failed("X.ParameterBindingException"));
        assert_eq!(e.kind, FailureKind::InvalidArgument);
        let e = OpError::from(ExoError::Protocol("p".into()));
        assert!(e.call_ids.is_none());
    }

    #[test]
    fn graph_failures_keep_ids() {
        let e = OpError::from(GraphError::Service {
            status: 500,
            body: crate::graph::GraphErrorBody {
                code: "generalException".into(),
                message: "m".into(),
                request_id: Some("r-2".into()),
                client_request_id: Some("c-2".into()),
            },
        });
        assert_eq!(e.call_id_texts(), ("c-2".to_owned(), "r-2".to_owned()));
    }
}
