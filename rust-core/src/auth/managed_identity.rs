//! Managed identity through the App Service / Azure Automation endpoint
//! (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`), system- or user-assigned (by client id).

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use url::Url;

use super::AuthError;
use super::token_endpoint::{bounded_lifetime, number_or_string};
use crate::http::{HttpClient, HttpError, Request};
use crate::secret::{ExposeSecret, SecretString};

const API_VERSION: &str = "2019-08-01";

#[derive(Clone)]
pub struct ManagedIdentityConfig {
    pub endpoint: Url,
    pub header: SecretString,
    /// A user-assigned identity's client id; `None` = system-assigned.
    pub client_id: Option<String>,
}

impl std::fmt::Debug for ManagedIdentityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedIdentityConfig")
            .field("endpoint", &self.endpoint.as_str())
            .field("header", &"[REDACTED]")
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl ManagedIdentityConfig {
    /// Reads `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` (Automation, App Service, Functions).
    pub fn from_environment(client_id: Option<String>) -> Result<Self, AuthError> {
        let endpoint = std::env::var("IDENTITY_ENDPOINT").map_err(|_| {
            AuthError::ManagedIdentityUnavailable("IDENTITY_ENDPOINT is not set".into())
        })?;
        let header = std::env::var("IDENTITY_HEADER").map_err(|_| {
            AuthError::ManagedIdentityUnavailable("IDENTITY_HEADER is not set".into())
        })?;
        Self::new(&endpoint, SecretString::from(header), client_id)
    }

    pub fn new(
        endpoint: &str,
        header: SecretString,
        client_id: Option<String>,
    ) -> Result<Self, AuthError> {
        let endpoint = Url::parse(endpoint).map_err(|e| {
            AuthError::ManagedIdentityUnavailable(format!("IDENTITY_ENDPOINT is not a URL: {e}"))
        })?;
        Ok(ManagedIdentityConfig {
            endpoint,
            header,
            client_id: client_id.filter(|c| !c.trim().is_empty()),
        })
    }
}

pub(crate) struct MiToken {
    pub access_token: SecretString,
    pub expires_in: Duration,
}

#[derive(Deserialize)]
pub(crate) struct Wire {
    access_token: Option<String>,
    expires_on: Option<serde_json::Value>,
    expires_in: Option<serde_json::Value>,
}

/// `resource` is the v1 resource URI (no `/.default`).
pub(crate) async fn fetch(
    http: &HttpClient,
    config: &ManagedIdentityConfig,
    resource: &str,
) -> Result<MiToken, AuthError> {
    let mut url = config.endpoint.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("resource", resource.trim_end_matches("/.default"));
        q.append_pair("api-version", API_VERSION);
        if let Some(id) = &config.client_id {
            q.append_pair("client_id", id);
        }
    }
    let mut req = Request::new(Method::GET, url);
    let mut header = HeaderValue::from_str(config.header.expose_secret()).map_err(|_| {
        AuthError::ManagedIdentityUnavailable(
            "IDENTITY_HEADER holds characters a header cannot carry".into(),
        )
    })?;
    header.set_sensitive(true);
    req.headers.insert("X-IDENTITY-HEADER", header);
    req.headers
        .insert("Metadata", HeaderValue::from_static("true"));
    req.secret_response = true;
    // IMDS-style endpoints are unsupported behind a proxy; Automation's is plain loopback HTTP.
    req.local_endpoint = true;

    let wire: Wire = http
        .send(&req, None, |r| parse_wire(&r.body))
        .await
        .map_err(|e| map_error(e, config))?;
    token_of(wire, time::OffsetDateTime::now_utc())
}

/// The answer's JSON (checked inside the retry loop: a cut-off body is worth another try).
pub(crate) fn parse_wire(body: &[u8]) -> Result<Wire, String> {
    serde_json::from_slice::<Wire>(body).map_err(|e| {
        format!(
            "token JSON invalid at line {} column {}",
            e.line(),
            e.column()
        )
    })
}

/// The token and its lifetime counted from `now`: `expires_on` (App Service / Automation), else
/// `expires_in` (IMDS, Arc).
pub(crate) fn token_of(wire: Wire, now: time::OffsetDateTime) -> Result<MiToken, AuthError> {
    let access_token = wire
        .access_token
        .filter(|t| !t.is_empty())
        .map(SecretString::from)
        .ok_or_else(|| {
            AuthError::Protocol("the managed identity answer has no access_token".into())
        })?;
    let expires_in = wire
        .expires_on
        .as_ref()
        .and_then(parse_expires_on)
        .map(|at| (at - now).whole_seconds().max(0) as u64)
        .or_else(|| wire.expires_in.as_ref().and_then(number_or_string))
        .ok_or_else(|| {
            AuthError::Protocol("the managed identity answer has no usable expires_on".into())
        })?;
    Ok(MiToken {
        access_token,
        expires_in: bounded_lifetime(expires_in),
    })
}

/// Unix seconds as a string or number (2019-08-01 API), or the legacy 2017-09-01 date text
/// `"06/20/2019 02:57:58 +00:00"`.
pub(crate) fn parse_expires_on(v: &serde_json::Value) -> Option<time::OffsetDateTime> {
    if let Some(secs) = number_or_string(v) {
        return time::OffsetDateTime::from_unix_timestamp(secs as i64).ok();
    }
    let text = v.as_str()?.trim();
    let formats = [
        time::macros::format_description!(
            "[month]/[day]/[year] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
        ),
        time::macros::format_description!(
            "[month padding:none]/[day padding:none]/[year] [hour repr:12 padding:none]:[minute]:[second] [period] [offset_hour sign:mandatory]:[offset_minute]"
        ),
    ];
    formats
        .iter()
        .find_map(|f| time::OffsetDateTime::parse(text, f).ok())
}

pub(crate) fn map_error(e: HttpError, config: &ManagedIdentityConfig) -> AuthError {
    let HttpError::Status(failure) = &e else {
        return AuthError::Http(e);
    };
    let (status, body) = (&failure.status, &failure.body);
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["message", "error_description", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_owned))
        })
        .unwrap_or_else(|| "no details".into());
    let who = match &config.client_id {
        Some(id) => format!("the user-assigned identity {id}"),
        None => "the system-assigned identity".into(),
    };
    let hint = match status {
        400 | 404 => format!("; check that {who} is enabled on this Automation account / app"),
        401 | 403 => "; IDENTITY_HEADER was not accepted (is this process running inside the sandbox that set it?)".into(),
        500 => "; this often means the resource URI is wrong for this cloud".into(),
        _ => String::new(),
    };
    AuthError::ManagedIdentity {
        status: *status,
        message,
        hint,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expires_on_formats() {
        assert_eq!(
            parse_expires_on(&json!("1586984735"))
                .unwrap()
                .unix_timestamp(),
            1_586_984_735
        );
        assert_eq!(
            parse_expires_on(&json!(1586984735))
                .unwrap()
                .unix_timestamp(),
            1_586_984_735
        );
        let legacy = parse_expires_on(&json!("06/20/2019 02:57:58 +00:00")).unwrap();
        assert_eq!(legacy.unix_timestamp(), 1_560_999_478);
        let pm = parse_expires_on(&json!("6/20/2019 2:57:58 PM +00:00")).unwrap();
        assert_eq!(pm.unix_timestamp(), 1_560_999_478 + 12 * 3600);
        assert!(parse_expires_on(&json!("tomorrow")).is_none());
        assert!(parse_expires_on(&json!(null)).is_none());
    }

    #[test]
    fn debug_redacts_identity_header() {
        let c = ManagedIdentityConfig::new(
            "http://127.0.0.1:1/msi/token",
            "hdr-secret-1".to_owned().into(),
            None,
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hdr-secret-1"), "{shown}");
    }
}
