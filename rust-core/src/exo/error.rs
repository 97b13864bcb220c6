//! Exchange's errors: OData error bodies, 401 with `WWW-Authenticate`, 403 for a missing role.

use serde::Deserialize;

use crate::auth::AuthError;
use crate::http::HttpError;

/// `{"error":{"code":…,"message":…,"details":[…]}}`; `message` often reads
/// `|Microsoft.Exchange.…Exception|text`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OdataError {
    pub code: String,
    /// The exception type from a `|Type|text` message, if present.
    pub exception: Option<String>,
    pub message: String,
}

#[derive(Deserialize)]
struct Envelope {
    error: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    code: Option<String>,
    message: Option<String>,
    #[serde(default)]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    message: Option<String>,
}

impl OdataError {
    pub fn parse(body: &[u8]) -> Option<OdataError> {
        let inner = serde_json::from_slice::<Envelope>(body).ok()?.error?;
        let raw = inner
            .message
            .filter(|m| !m.is_empty())
            .or_else(|| inner.details.into_iter().find_map(|d| d.message))
            .unwrap_or_default();
        let (exception, message) = split_exception(&raw);
        Some(OdataError {
            code: inner.code.unwrap_or_default(),
            exception,
            message,
        })
    }
}

fn split_exception(raw: &str) -> (Option<String>, String) {
    if let Some(rest) = raw.strip_prefix('|')
        && let Some((kind, text)) = rest.split_once('|')
    {
        return (Some(kind.to_owned()), text.trim().to_owned());
    }
    (None, raw.trim().to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum ExoError {
    #[error(
        "Exchange Online did not accept the access token ({detail}); sign in again or check the token's audience is {expected_audience}"
    )]
    Unauthorized {
        detail: String,
        expected_audience: String,
    },

    #[error("Exchange Online refused {cmdlet}: {who} lacks permission ({detail}). {remedy}")]
    Forbidden {
        cmdlet: String,
        who: String,
        detail: String,
        remedy: String,
    },

    #[error("{cmdlet} failed: {}{}", .error.message, .error.exception.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())]
    CmdletFailed { cmdlet: String, error: OdataError },

    #[error(
        "Exchange Online is throttling requests and still was after the retries ({cmdlet}); try again later"
    )]
    Throttled { cmdlet: String },

    #[error("Exchange Online answered HTTP {status} to {cmdlet}: {message}")]
    Service {
        cmdlet: String,
        status: u16,
        message: String,
    },

    #[error("{cmdlet}: result #{index} does not have the expected shape: {reason}")]
    UnexpectedObject {
        cmdlet: String,
        index: usize,
        reason: String,
    },

    #[error("{0}")]
    Protocol(String),

    #[error(transparent)]
    Auth(AuthError),

    #[error(transparent)]
    Http(HttpError),
}

/// Turns an HTTP failure of `cmdlet` into the typed error.
pub(crate) fn map_http_error(
    e: HttpError,
    cmdlet: &str,
    principal: &str,
    audience: &str,
) -> ExoError {
    let HttpError::Status(failure) = &e else {
        return match e {
            HttpError::Auth(a) => ExoError::Auth(*a),
            HttpError::Protocol { .. } => ExoError::Protocol(e.to_string()),
            other => ExoError::Http(other),
        };
    };
    let (status, headers, body) = (&failure.status, &failure.headers, &failure.body);
    let odata = OdataError::parse(body);
    let text = odata
        .as_ref()
        .map(|o| o.message.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| crate::http::HttpError::status_text(*status));
    match status {
        401 => {
            let www = headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(sanitize_www_authenticate);
            ExoError::Unauthorized {
                detail: www
                    .map(|w| format!("{text}; WWW-Authenticate: {w}"))
                    .unwrap_or(text),
                expected_audience: audience.to_owned(),
            }
        }
        403 => ExoError::Forbidden {
            cmdlet: cmdlet.to_owned(),
            who: principal.to_owned(),
            detail: text,
            remedy: if principal.starts_with("app ") || principal.contains("identity") {
                format!(
                    "Grant {principal} the Exchange.ManageAsApp application permission (Office 365 Exchange Online) with admin consent, and assign it the Exchange Administrator role in Entra ID."
                )
            } else {
                "The signed-in admin needs the Exchange Administrator (or Global Administrator) role.".to_owned()
            },
        },
        429 => ExoError::Throttled {
            cmdlet: cmdlet.to_owned(),
        },
        400 | 404 if odata.is_some() => ExoError::CmdletFailed {
            cmdlet: cmdlet.to_owned(),
            error: odata.unwrap_or_default(),
        },
        _ => ExoError::Service {
            cmdlet: cmdlet.to_owned(),
            status: *status,
            message: text,
        },
    }
}

/// Keeps the scheme and parameter names/values that explain the failure (`error`,
/// `error_description`, `authorization_uri`); drops anything else.
fn sanitize_www_authenticate(v: &str) -> String {
    v.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn status(code: u16, body: &str, www: Option<&str>) -> HttpError {
        let mut headers = HeaderMap::new();
        if let Some(w) = www {
            headers.insert("www-authenticate", HeaderValue::from_str(w).unwrap());
        }
        HttpError::Status(Box::new(crate::http::StatusFailure {
            method: "POST".into(),
            path: "/adminapi/beta/t/InvokeCommand".into(),
            status: code,
            headers,
            body: Bytes::from(body.to_owned()),
            attempts: 1,
        }))
    }

    #[test]
    fn odata_error_with_exception_prefix() {
        let e = OdataError::parse(br#"{"error":{"code":"NotFound","message":"|Microsoft.Exchange.Management.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found.","details":[]}}"#).unwrap();
        assert_eq!(e.code, "NotFound");
        assert_eq!(
            e.exception.as_deref(),
            Some("Microsoft.Exchange.Management.Tasks.ManagementObjectNotFoundException")
        );
        assert!(e.message.starts_with("The operation couldn't"));
        assert!(OdataError::parse(b"<html>").is_none());
    }

    #[test]
    fn status_mapping() {
        let e = map_http_error(
            status(
                403,
                r#"{"error":{"code":"Forbidden","message":"Access denied"}}"#,
                None,
            ),
            "Get-MobileDevice",
            "app 1234",
            "https://outlook.office365.com",
        );
        let text = e.to_string();
        assert!(
            text.contains("Exchange.ManageAsApp")
                && text.contains("Exchange Administrator")
                && text.contains("app 1234"),
            "{text}"
        );
        let e = map_http_error(
            status(
                401,
                "",
                Some("Bearer error=\"invalid_token\", error_description=\"expired\""),
            ),
            "Get-X",
            "app 1",
            "https://outlook.office365.com",
        );
        assert!(matches!(e, ExoError::Unauthorized { .. }));
        assert!(e.to_string().contains("invalid_token"));
        let e = map_http_error(
            status(
                400,
                r#"{"error":{"code":"BadRequest","message":"|X.Y|bad filter"}}"#,
                None,
            ),
            "Get-MobileDevice",
            "app 1",
            "a",
        );
        assert!(matches!(e, ExoError::CmdletFailed { .. }));
        assert_eq!(e.to_string(), "Get-MobileDevice failed: bad filter (X.Y)");
        let e = map_http_error(
            status(502, "<html>gateway</html>", None),
            "Get-X",
            "app 1",
            "a",
        );
        assert!(matches!(e, ExoError::Service { status: 502, .. }));
    }
}
