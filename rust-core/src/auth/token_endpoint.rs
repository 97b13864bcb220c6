//! POSTing forms to the v2 token / devicecode endpoints and reading the answers.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use url::Url;

use super::jwt::unverified_claims;
use super::{AuthError, EntraError};
use crate::http::{HttpClient, HttpError, Request};
use crate::secret::SecretString;

/// A token as issued, before caching.
pub(crate) struct IssuedToken {
    pub access_token: SecretString,
    /// Lifetime counted from when the response was received.
    pub expires_in: Duration,
    pub refresh_in: Option<Duration>,
    pub refresh_token: Option<SecretString>,
    /// The signed-in user from the `id_token` (`preferred_username` / `upn`), delegated only.
    pub user_principal_name: Option<String>,
}

pub(crate) enum EndpointError {
    /// A well-formed Entra error body (the caller decides what it means).
    Entra(EntraError),
    Other(AuthError),
}

impl From<HttpError> for EndpointError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Status(ref f) => match EntraError::parse(f.status, &f.body) {
                Some(entra) => EndpointError::Entra(entra),
                None => EndpointError::Other(AuthError::Http(e)),
            },
            HttpError::Auth(a) => EndpointError::Other(*a),
            other => EndpointError::Other(AuthError::Http(other)),
        }
    }
}

pub(crate) fn form_request(url: Url, form: &[(&str, &str)]) -> Result<Request, AuthError> {
    let body = serde_urlencoded::to_string(form)
        .map_err(|e| AuthError::Protocol(format!("could not encode the form: {e}")))?;
    let mut req = Request::new(Method::POST, url);
    req.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    req.headers
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    req.body = Some(Bytes::from(body));
    req.secret_response = true;
    Ok(req)
}

/// Sends a token request; the form may hold secrets (it is never logged or shown).
pub(crate) async fn request_token(
    http: &HttpClient,
    url: Url,
    form: &[(&str, &str)],
) -> Result<IssuedToken, EndpointError> {
    let req = form_request(url, form).map_err(EndpointError::Other)?;
    let wire: TokenWire = http.send(&req, None, |r| parse_token(&r.body)).await?;
    wire.into_issued().map_err(EndpointError::Other)
}

#[derive(Deserialize)]
pub(crate) struct TokenWire {
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    id_token: Option<String>,
}

pub(crate) fn parse_token(body: &[u8]) -> Result<TokenWire, String> {
    // The error text of serde_json can quote input; keep only line/column.
    serde_json::from_slice::<TokenWire>(body).map_err(|e| {
        format!(
            "token JSON invalid at line {} column {}",
            e.line(),
            e.column()
        )
    })
}

impl TokenWire {
    pub(crate) fn into_issued(self) -> Result<IssuedToken, AuthError> {
        let access_token = self
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AuthError::Protocol("no access_token in the answer".into()))?;
        let expires_in = self
            .expires_in
            .as_ref()
            .and_then(number_or_string)
            .ok_or_else(|| AuthError::Protocol("no expires_in in the answer".into()))?;
        let user_principal_name = self
            .id_token
            .as_deref()
            .and_then(unverified_claims)
            .and_then(|c| {
                ["preferred_username", "upn", "unique_name"]
                    .iter()
                    .find_map(|k| c.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
            });
        Ok(IssuedToken {
            access_token: SecretString::from(access_token),
            expires_in: bounded_lifetime(expires_in),
            refresh_in: self
                .refresh_in
                .as_ref()
                .and_then(number_or_string)
                .map(bounded_lifetime),
            refresh_token: self
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(SecretString::from),
            user_principal_name,
        })
    }
}

/// The longest lifetime believed from any token answer. Entra's longest access tokens are CAE
/// sessions' 20–28 h (access-tokens.md); a larger `expires_in` is a broken or hostile answer, and
/// taken as is it would overflow the clock (`Instant + Duration` panics).
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// Seconds from a token answer, bounded by [`MAX_TOKEN_LIFETIME`].
pub(crate) fn bounded_lifetime(secs: u64) -> Duration {
    Duration::from_secs(secs).min(MAX_TOKEN_LIFETIME)
}

/// v2 sends numbers; MSAL also accepts numeric strings (MI and some IdPs send them).
pub(crate) fn number_or_string(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secret::ExposeSecret;
    use proptest::prelude::*;

    #[test]
    fn token_answer_with_numbers_or_strings() {
        let w: TokenWire = serde_json::from_str(
            r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ.a.b"}"#,
        )
        .unwrap();
        let t = w.into_issued().unwrap();
        assert_eq!(t.expires_in, Duration::from_secs(3599));
        assert_eq!(t.access_token.expose_secret(), "eyJ.a.b");
        assert!(t.refresh_token.is_none());
        let w: TokenWire =
            serde_json::from_str(r#"{"expires_in":"60","access_token":"x","refresh_in":"30"}"#)
                .unwrap();
        let t = w.into_issued().unwrap();
        assert_eq!(t.expires_in, Duration::from_secs(60));
        assert_eq!(t.refresh_in, Some(Duration::from_secs(30)));
    }

    #[test]
    fn missing_fields_are_protocol_errors() {
        let w: TokenWire = serde_json::from_str(r#"{"expires_in":1}"#).unwrap();
        assert!(matches!(w.into_issued(), Err(AuthError::Protocol(_))));
        let w: TokenWire = serde_json::from_str(r#"{"access_token":"x"}"#).unwrap();
        assert!(matches!(w.into_issued(), Err(AuthError::Protocol(_))));
    }

    #[test]
    fn parse_errors_do_not_quote_the_token() {
        let err = parse_token(br#"{"access_token":"SECRET-TOKEN-VALUE","expires_in":"#)
            .err()
            .unwrap();
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn a_lifetime_the_clock_cannot_hold_is_bounded_not_a_panic() {
        let w: TokenWire = serde_json::from_str(
            r#"{"access_token":"x","expires_in":18446744073709551615,"refresh_in":"18446744073709551615"}"#,
        )
        .unwrap();
        let t = w.into_issued().unwrap();
        assert_eq!(t.expires_in, MAX_TOKEN_LIFETIME);
        assert_eq!(t.refresh_in, Some(MAX_TOKEN_LIFETIME));
        let now = tokio::time::Instant::now();
        let cached = crate::auth::CachedToken::new(t.access_token, now, t.expires_in, t.refresh_in);
        assert_eq!(cached.expires_at - now, MAX_TOKEN_LIFETIME);
        // Even unbounded input to the cache cannot overflow the clock.
        let raw = crate::auth::CachedToken::new("y".into(), now, Duration::MAX, None);
        assert!(raw.expires_at >= now);
    }

    proptest! {
        /// Any answer a broken or hostile token endpoint sends is an error or a token, never a
        /// panic, and the token's lifetime fits the cache's clock.
        #[test]
        fn any_token_answer_parses_or_fails_without_panic(
            expires in prop_oneof![
                proptest::num::u64::ANY.prop_map(|n| n.to_string()),
                proptest::num::f64::ANY.prop_map(|f| format!("{f:?}")),
                "[0-9]{0,30}".prop_map(|s| format!("\"{s}\"")),
                "[a-z .:+-]{0,12}".prop_map(|s| format!("\"{s}\"")),
                Just("null".to_owned()),
                Just("-1".to_owned()),
            ],
            token in "[A-Za-z0-9._-]{0,20}",
        ) {
            let body = format!(r#"{{"access_token":"{token}","expires_in":{expires},"refresh_in":{expires}}}"#);
            if let Ok(wire) = parse_token(body.as_bytes())
                && let Ok(t) = wire.into_issued()
            {
                prop_assert!(t.expires_in <= MAX_TOKEN_LIFETIME);
                let now = tokio::time::Instant::now();
                let c = crate::auth::CachedToken::new(t.access_token, now, t.expires_in, t.refresh_in);
                prop_assert!(c.refresh_at <= c.expires_at);
            }
        }
    }
}
