//! Graph's error envelope and typed errors.

use serde::Deserialize;

use crate::auth::AuthError;
use crate::http::HttpError;

/// `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphErrorBody {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// Ours, echoed by Graph in `innerError` (or the one we sent, when the body has none).
    pub client_request_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
    #[serde(rename = "client-request-id")]
    client_request_id: Option<String>,
}

impl GraphErrorBody {
    pub fn parse(body: &[u8]) -> Option<GraphErrorBody> {
        Self::from_value(&serde_json::from_slice(body).ok()?)
    }

    pub fn from_value(v: &serde_json::Value) -> Option<GraphErrorBody> {
        let inner = Envelope::deserialize(v).ok()?.error?;
        let (request_id, client_request_id) = inner
            .inner_error
            .map(|i| (i.request_id, i.client_request_id))
            .unwrap_or_default();
        Some(GraphErrorBody {
            code: inner.code.unwrap_or_default(),
            message: inner.message.unwrap_or_default(),
            request_id,
            client_request_id,
        })
    }

    /// Fills the ids the body lacks from the call itself (the `request-id` response header, the
    /// `client-request-id` we sent), so every error names what support needs to find the call.
    pub fn with_call_ids(mut self, ids: &crate::http::CallIds) -> GraphErrorBody {
        if self.request_id.is_none() {
            self.request_id.clone_from(&ids.request_id);
        }
        if self.client_request_id.is_none() {
            self.client_request_id.clone_from(&ids.client_request_id);
        }
        self
    }
}

impl std::fmt::Display for GraphErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        let ids = crate::http::CallIds {
            client_request_id: self.client_request_id.clone(),
            request_id: self.request_id.clone(),
        };
        if !ids.is_empty() {
            write!(f, " [{ids}]")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{what} was not found in Microsoft Graph")]
    NotFound { what: String },

    #[error(
        "Microsoft Graph refused the request ({body}); the app needs the application permission {permission} with admin consent"
    )]
    Forbidden {
        body: GraphErrorBody,
        permission: String,
    },

    /// The tenant lacks the Microsoft Entra ID P1/P2 licence the feature needs.
    #[error(
        "Microsoft Graph refused {what} ({body}): the tenant has no Microsoft Entra ID P1 or P2 licence, which this needs"
    )]
    LicenceRequired { body: GraphErrorBody, what: String },

    #[error("Microsoft Graph did not accept the access token ({body})")]
    Unauthorized { body: GraphErrorBody },

    #[error("Microsoft Graph answered HTTP {status}: {body}")]
    Service { status: u16, body: GraphErrorBody },

    #[error("Microsoft Graph sent {what} that cannot be used: {reason}")]
    BadAnswer { what: String, reason: String },

    #[error("'{input}' is not a valid user reference: {reason}")]
    InvalidInput { input: String, reason: String },

    #[error(transparent)]
    Auth(AuthError),

    #[error(transparent)]
    Http(HttpError),
}

/// Sign-in logs answer a tenant without P1/P2 with this code.
pub const NON_PREMIUM_TENANT_CODE: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

/// Whether a 403 is about the tenant's licence rather than the caller's permissions. Conditional
/// Access answers a tenant without P1 with `AccessDenied` like a missing permission
/// (UNCONFIRMED: the exact code is not documented), so the word "premium" in the message is what
/// tells them apart; this is the one place that decides it.
pub fn is_licence_failure(body: &GraphErrorBody) -> bool {
    body.code.eq_ignore_ascii_case(NON_PREMIUM_TENANT_CODE)
        || body.message.to_ascii_lowercase().contains("premium")
}

pub(crate) fn map_http_error(e: HttpError, what: &str, permission: &str) -> GraphError {
    let HttpError::Status(failure) = &e else {
        return match e {
            HttpError::Auth(a) => GraphError::Auth(*a),
            other => GraphError::Http(other),
        };
    };
    let (status, body) = (&failure.status, &failure.body);
    let parsed = GraphErrorBody::parse(body)
        .unwrap_or_else(|| GraphErrorBody {
            code: HttpError::status_text(*status),
            ..GraphErrorBody::default()
        })
        .with_call_ids(&failure.call_ids());
    match status {
        404 => GraphError::NotFound {
            what: what.to_owned(),
        },
        403 if is_licence_failure(&parsed) => GraphError::LicenceRequired {
            body: parsed,
            what: what.to_owned(),
        },
        403 => GraphError::Forbidden {
            body: parsed,
            permission: permission.to_owned(),
        },
        401 => GraphError::Unauthorized { body: parsed },
        _ => GraphError::Service {
            status: *status,
            body: parsed,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_envelope() {
        let b = GraphErrorBody::parse(br#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2024-01-01T00:00:00","request-id":"rid-1","client-request-id":"c"}}}"#).unwrap();
        assert_eq!(b.code, "Request_ResourceNotFound");
        assert_eq!(b.request_id.as_deref(), Some("rid-1"));
        assert_eq!(b.client_request_id.as_deref(), Some("c"));
        assert!(
            b.to_string()
                .contains("[client-request-id c, request-id rid-1]")
        );
        let t = GraphErrorBody::parse(br#"{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"d","message":"Please retry after","request-id":"r","status":"429"},"message":"Please retry again later."}}"#).unwrap();
        assert_eq!(t.code, "TooManyRequests");
        assert!(GraphErrorBody::parse(b"nope").is_none());
    }

    #[test]
    fn licence_failures_are_told_from_permission_failures() {
        let body = |code: &str, message: &str| GraphErrorBody {
            code: code.into(),
            message: message.into(),
            ..GraphErrorBody::default()
        };
        assert!(is_licence_failure(&body(
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license"
        )));
        assert!(is_licence_failure(&body(
            "authentication_requestfromnonpremiumtenantorb2ctenant",
            ""
        )));
        assert!(is_licence_failure(&body(
            "AccessDenied",
            "The tenant does not have a PREMIUM license (Microsoft Entra ID P1) required for Conditional Access."
        )));
        assert!(!is_licence_failure(&body(
            "AccessDenied",
            "You cannot perform the requested operation, required scopes are missing in the token."
        )));
        assert!(!is_licence_failure(&body(
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation."
        )));
    }

    #[test]
    fn maps_statuses() {
        let mk = |status: u16, body: &str| {
            HttpError::Status(Box::new(crate::http::StatusFailure {
                method: "GET".into(),
                path: "/v1.0/users/x".into(),
                status,
                headers: Default::default(),
                body: bytes::Bytes::from(body.to_owned()),
                attempts: 1,
                client_request_id: uuid::Uuid::nil(),
            }))
        };
        assert!(matches!(
            map_http_error(mk(404, "{}"), "user 'x'", "User.Read.All"),
            GraphError::NotFound { .. }
        ));
        let f = map_http_error(
            mk(
                403,
                r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
            ),
            "x",
            "User.Read.All",
        );
        assert!(
            f.to_string().contains("User.Read.All")
                && f.to_string().contains("Authorization_RequestDenied"),
            "{f}"
        );
        assert!(matches!(
            map_http_error(mk(401, "{}"), "x", "p"),
            GraphError::Unauthorized { .. }
        ));
        assert!(matches!(
            map_http_error(mk(500, "<html>"), "x", "p"),
            GraphError::Service { status: 500, .. }
        ));
        // A body without innerError still names the call: the id we sent.
        let text = map_http_error(mk(500, "<html>"), "x", "p").to_string();
        assert!(
            text.contains("client-request-id 00000000-0000-0000-0000-000000000000"),
            "{text}"
        );
    }
}
