//! The Entra ID (STS) error body: `error`, `error_codes`, `error_description` (with an
//! `AADSTS…` prefix and a Trace/Correlation/Timestamp tail), `correlation_id`, `trace_id`.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraError {
    pub http_status: u16,
    /// The OAuth `error` (the only field to branch on, per the docs), e.g. `invalid_client`.
    pub error: String,
    /// The first AADSTS code, from `error_codes` or the description.
    pub aadsts: Option<u32>,
    /// The description without the `AADSTS…:` prefix and without the trace tail.
    pub description: String,
    pub correlation_id: Option<String>,
    pub trace_id: Option<String>,
}

#[derive(Deserialize)]
struct Wire {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
    correlation_id: Option<String>,
    trace_id: Option<String>,
}

impl EntraError {
    /// `None` when the body is not an Entra error (a proxy's page, empty body).
    pub fn parse(http_status: u16, body: &[u8]) -> Option<EntraError> {
        let wire: Wire = serde_json::from_slice(body).ok()?;
        let error = wire.error?;
        let raw = wire.error_description.unwrap_or_default();
        let (code_in_text, description) = split_description(&raw);
        Some(EntraError {
            http_status,
            error,
            aadsts: wire.error_codes.first().copied().or(code_in_text),
            description,
            correlation_id: wire.correlation_id,
            trace_id: wire.trace_id,
        })
    }

    /// An error the authorize endpoint sent on the redirect (`error`, `error_description`;
    /// no HTTP status of its own, 0 here).
    pub fn from_redirect(error: &str, description: &str) -> EntraError {
        let (aadsts, description) = split_description(description);
        EntraError {
            http_status: 0,
            error: error.to_owned(),
            aadsts,
            description,
            correlation_id: None,
            trace_id: None,
        }
    }

    pub fn code_is(&self, code: u32) -> bool {
        self.aadsts == Some(code)
    }
}

impl std::fmt::Display for EntraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.aadsts {
            Some(code) => write!(f, "{} (AADSTS{code}): {}", self.error, self.description)?,
            None => write!(f, "{}: {}", self.error, self.description)?,
        }
        if let Some(c) = &self.correlation_id {
            write!(f, " [correlation id {c}]")?;
        }
        Ok(())
    }
}

/// `"AADSTS7000215: Invalid client secret …\r\nTrace ID: …"` → `(Some(7000215), "Invalid client secret …")`.
fn split_description(raw: &str) -> (Option<u32>, String) {
    let head = raw
        .split("\r\nTrace ID:")
        .next()
        .unwrap_or(raw)
        .split("\nTrace ID:")
        .next()
        .unwrap_or(raw)
        .trim();
    if let Some(rest) = head.strip_prefix("AADSTS") {
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(code) = digits.parse::<u32>() {
            let text = rest[digits.len()..].trim_start_matches(':').trim();
            return (Some(code), text.to_owned());
        }
    }
    (None, head.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shape_and_strips_the_tail() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'b1b2'.\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2024-01-01 00:00:00Z","error_codes":[7000215],"timestamp":"2024-01-01 00:00:00Z","trace_id":"0000","correlation_id":"1111","error_uri":"https://login.microsoftonline.com/error?code=7000215"}"#;
        let e = EntraError::parse(401, body).unwrap();
        assert_eq!(e.error, "invalid_client");
        assert_eq!(e.aadsts, Some(7000215));
        assert!(e.description.starts_with("Invalid client secret provided."));
        assert!(e.description.ends_with("app 'b1b2'."));
        assert!(!e.description.contains("Trace ID"));
        assert_eq!(e.correlation_id.as_deref(), Some("1111"));
        assert!(e.to_string().contains("AADSTS7000215"));
    }

    #[test]
    fn code_from_text_when_error_codes_absent() {
        let body = br#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'nope' not found."}"#;
        let e = EntraError::parse(400, body).unwrap();
        assert_eq!(e.aadsts, Some(90002));
        assert_eq!(e.description, "Tenant 'nope' not found.");
    }

    #[test]
    fn non_entra_bodies_are_none() {
        assert!(EntraError::parse(502, b"<html>Bad gateway</html>").is_none());
        assert!(EntraError::parse(400, b"{}").is_none());
        assert!(EntraError::parse(400, b"").is_none());
    }
}
