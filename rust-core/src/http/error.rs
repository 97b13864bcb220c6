use bytes::Bytes;
use reqwest::header::HeaderMap;

use crate::auth::AuthError;

/// A non-2xx answer, kept whole for the service module to interpret.
#[derive(Debug, thiserror::Error)]
#[error("{method} {path} answered HTTP {status} after {attempts} attempt(s)")]
pub struct StatusFailure {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub attempts: u32,
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
}
