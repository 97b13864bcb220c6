use bytes::Bytes;
use reqwest::header::HeaderMap;
use uuid::Uuid;

use crate::auth::AuthError;

/// A non-2xx answer, kept whole for the service module to interpret.
#[derive(Debug, thiserror::Error)]
#[error("{method} {path} answered HTTP {status} after {attempts} attempt(s) [{}]", self.call_ids())]
pub struct StatusFailure {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub attempts: u32,
    /// The `client-request-id` sent with the attempt that got this answer.
    pub client_request_id: Uuid,
}

impl StatusFailure {
    /// The ids Microsoft support asks for to find this call.
    pub fn call_ids(&self) -> CallIds {
        CallIds {
            client_request_id: Some(self.client_request_id.to_string()),
            request_id: header_text(&self.headers, "request-id"),
        }
    }
}

/// The ids that identify one call to Microsoft support: the `client-request-id` we sent (a new
/// GUID per attempt) and the `request-id` response header the service gave its handling of it.
/// Both Exchange and Graph answer with `request-id`, Graph also echoes `client-request-id`
/// (Graph best practices, "Reliability and support": log request-id, client-request-id, date;
/// Exchange: the `request-id` header of InvokeCommand replies, as callers such as CIPP-API
/// `New-ExoRequest.ps1` log with `-ResponseHeadersVariable`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallIds {
    pub client_request_id: Option<String>,
    pub request_id: Option<String>,
}

impl CallIds {
    pub fn is_empty(&self) -> bool {
        self.client_request_id.is_none() && self.request_id.is_none()
    }
}

impl std::fmt::Display for CallIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut sep = "";
        if let Some(c) = &self.client_request_id {
            write!(f, "client-request-id {c}")?;
            sep = ", ";
        }
        if let Some(r) = &self.request_id {
            write!(f, "{sep}request-id {r}")?;
        }
        Ok(())
    }
}

/// A response header's value as printable text: ids only, capped (a hostile server could send
/// anything here, and it ends up in error messages).
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    let clean: String = v
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        .take(80)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

/// Transport-level failures. Non-2xx answers come back as `Status` with the body, for the
/// service module (Entra, Exchange, Graph) to turn into its own typed error.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("could not set up the HTTP client: {0}")]
    Build(String),

    #[error(
        "refusing to send to '{url}' over plain HTTP: TLS is required except to a loopback address the caller explicitly allowed"
    )]
    PlainHttpRefused { url: String },

    #[error("{method} {path}: could not reach {host} after {attempts} attempt(s): {reason}")]
    Transport {
        method: String,
        path: String,
        host: String,
        attempts: u32,
        reason: String,
    },

    #[error(
        "refusing to send a bearer token to '{host}': it is not the session's endpoint for that service"
    )]
    BearerRefused { host: String },

    #[error(transparent)]
    Status(Box<StatusFailure>),

    #[error(
        "{method} {path}: the service sent a response that is not valid ({reason}) {attempts} time(s) in a row; it began with: {snippet}"
    )]
    Protocol {
        method: String,
        path: String,
        reason: String,
        snippet: String,
        attempts: u32,
    },

    #[error(transparent)]
    Auth(Box<AuthError>),
}

impl From<AuthError> for HttpError {
    fn from(e: AuthError) -> Self {
        HttpError::Auth(Box::new(e))
    }
}

impl HttpError {
    /// "HTTP 503 Service Unavailable" for a bare status.
    pub fn status_text(status: u16) -> String {
        match reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            Some(reason) => format!("HTTP {status} {reason}"),
            None => format!("HTTP {status}"),
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status(f) => Some(f.status),
            _ => None,
        }
    }
}

/// The first bytes of a body, printable, for error messages about malformed responses.
pub(crate) fn snippet(body: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max_chars * 4)]);
    let mut out: String = text
        .chars()
        .take(max_chars)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if text.chars().count() > max_chars || body.len() > max_chars * 4 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn snippet_escapes_controls_and_truncates() {
        assert_eq!(snippet(b"<html>\r\n<body>", 100), "<html>\\r\\n<body>");
        assert_eq!(snippet(b"", 10), "(empty body)");
        let long = "x".repeat(500);
        let s = snippet(long.as_bytes(), 20);
        assert_eq!(s, format!("{}…", "x".repeat(20)));
        // A multi-byte character cut by the byte window does not panic.
        let jp = "山田太郎".repeat(50);
        assert!(snippet(jp.as_bytes(), 7).starts_with("山田太郎山田太"));
    }

    #[test]
    fn call_ids_come_from_the_attempt_and_the_request_id_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "request-id",
            r"8e2c1f0a-4b8d-4a55-9c77-0d1e2f3a4b5c\r\n<script>"
                .parse()
                .unwrap(),
        );
        let crid = Uuid::new_v4();
        let failure = StatusFailure {
            method: "POST".into(),
            path: "/adminapi/beta/t/InvokeCommand".into(),
            status: 400,
            headers,
            body: Bytes::new(),
            attempts: 1,
            client_request_id: crid,
        };
        let ids = failure.call_ids();
        assert_eq!(ids.client_request_id, Some(crid.to_string()));
        // Only id characters survive from the header.
        assert_eq!(
            ids.request_id.as_deref(),
            Some("8e2c1f0a-4b8d-4a55-9c77-0d1e2f3a4b5crnscript")
        );
        assert!(
            failure
                .to_string()
                .contains(&format!("client-request-id {crid}"))
        );
        let none = CallIds::default();
        assert!(none.is_empty());
        assert_eq!(none.to_string(), "");
        let only_request = CallIds {
            client_request_id: None,
            request_id: Some("r".into()),
        };
        assert_eq!(only_request.to_string(), "request-id r");
    }
}
