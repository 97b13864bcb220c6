//! Certificate client assertions: RS256 + `x5t` (SHA-1) or PS256 + `x5t#S256` (SHA-256),
//! verified against the certificate registered on the app.

use ring::signature::{self, UnparsedPublicKey};
use serde_json::Value;

use super::errors::EntraError;
use super::jwt::{self, b64url_decode};
use crate::clock;
use crate::directory::{App, AppCredentialKind};

/// Allowed clock skew for `nbf`/`exp` (UNCONFIRMED in the docs; 5 minutes is commonly cited).
pub const CLOCK_SKEW_SECS: i64 = 300;

/// Validates `assertion` for `app`; `audiences` are the token endpoint URLs that count as ours.
/// The same assertion may be presented again until it expires (msal-node reuses it).
pub fn validate(app: &App, assertion: &str, audiences: &[String]) -> Result<(), EntraError> {
    let client_id = app.client_id.to_string();
    let parsed =
        jwt::parse(assertion).map_err(|e| EntraError::malformed_assertion(&format!("{e:?}")))?;
    let alg = parsed
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (thumb_header, algorithm): (&str, &'static signature::RsaParameters) = match alg {
        "RS256" => ("x5t", &signature::RSA_PKCS1_2048_8192_SHA256),
        "PS256" => ("x5t#S256", &signature::RSA_PSS_2048_8192_SHA256),
        other => return Err(EntraError::assertion_unsupported_algorithm(other)),
    };
    let thumb_text = parsed
        .header
        .get(thumb_header)
        .and_then(Value::as_str)
        .unwrap_or_default();
    let thumb = b64url_decode(thumb_text);
    // What Entra prints as "Thumbprint of key used by client": hex of the decoded hash.
    let shown = thumb
        .as_deref()
        .map(hex::encode_upper)
        .unwrap_or_else(|| thumb_text.to_owned());
    let AppCredentialKind::Certificate(cert) = &app.credential else {
        return Err(EntraError::assertion_key_not_found(&shown, &client_id));
    };
    let registered = if alg == "RS256" {
        &cert.sha1
    } else {
        &cert.sha256
    };
    if thumb.as_deref() != Some(registered.as_slice()) {
        return Err(EntraError::assertion_key_not_found(&shown, &client_id));
    }
    let now = clock::now_unix();
    if now > cert.not_after || now < cert.not_before {
        return Err(EntraError::assertion_key_expired(
            &shown,
            cert.not_before,
            cert.not_after,
            &client_id,
        ));
    }
    UnparsedPublicKey::new(algorithm, &cert.public_key)
        .verify(parsed.signing_input.as_bytes(), &parsed.signature)
        .map_err(|_| EntraError::assertion_bad_signature(&shown, &client_id))?;

    let claims = &parsed.claims;
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.iter().any(|x| x.eq_ignore_ascii_case(a)),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| audiences.iter().any(|x| x.eq_ignore_ascii_case(a))),
        _ => false,
    };
    if !aud_ok {
        return Err(EntraError::assertion_audience());
    }
    let claim = |n: &str| claims.get(n).and_then(Value::as_str).unwrap_or_default();
    if !claim("iss").eq_ignore_ascii_case(&client_id)
        || !claim("sub").eq_ignore_ascii_case(&client_id)
    {
        return Err(EntraError::assertion_issuer());
    }
    let nbf = claims.get("nbf").and_then(unix_time);
    let exp = claims.get("exp").and_then(unix_time);
    // `nbf` and `iat` are optional (RFC 7523 §3), but one that is present must be a time.
    // UNCONFIRMED: Entra's reply to a malformed time claim; the time-range error is our choice.
    let malformed = ["nbf", "iat"]
        .iter()
        .any(|n| claims.get(*n).is_some_and(|v| unix_time(v).is_none()));
    if malformed {
        return Err(EntraError::assertion_time_range(now, nbf, exp));
    }
    let too_early = nbf.is_some_and(|t| now + CLOCK_SKEW_SECS < t);
    let too_late = exp.is_none_or(|t| now - CLOCK_SKEW_SECS > t);
    if too_early || too_late {
        return Err(EntraError::assertion_time_range(now, nbf, exp));
    }
    Ok(())
}

/// A JWT time claim as Unix seconds: a JSON number (RFC 7519 §2 NumericDate), or a string of
/// digits, which Entra ID accepts too: MSAL.NET 4.92 (through Azure.Identity 1.21) writes
/// `"nbf":"1796575581"` and `exp` alike, no `iat` (../shared/docs/entra-auth-and-graph.md, ADDED
/// 2026-12-06; tests/ContractTests sees the same). Anything else (text, booleans, objects) is not
/// a time: a missing `exp` and a malformed time claim are both AADSTS700024.
/// UNCONFIRMED: whether Entra accepts a fractional number or a signed/fractional string;
/// fractions of a number are truncated, strings must be plain digits.
fn unix_time(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s)
            if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::unix_time;
    use serde_json::json;

    #[test]
    fn times_are_numbers_or_digit_strings() {
        assert_eq!(unix_time(&json!(1796575581)), Some(1796575581));
        assert_eq!(unix_time(&json!(1796575581.7)), Some(1796575581));
        assert_eq!(unix_time(&json!("1796575581")), Some(1796575581));
        for bad in [
            json!(""),
            json!("soon"),
            json!("-5"),
            json!("1.5"),
            json!(" 17"),
            json!(true),
            json!(null),
            json!({}),
        ] {
            assert_eq!(unix_time(&bad), None, "{bad}");
        }
    }
}
