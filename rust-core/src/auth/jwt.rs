//! Reading JWT claims without verifying them: only for hints (the signed-in UPN, when a
//! supplied token expires). Never used to decide trust.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub(crate) fn unverified_claims(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `exp` as Unix seconds.
pub(crate) fn unverified_expiry(jwt: &str) -> Option<i64> {
    unverified_claims(jwt)?.get("exp")?.as_i64()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_claims_of_a_well_formed_token_and_rejects_junk() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"exp":1700000000,"upn":"admin@contoso.com"}"#);
        let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
        assert_eq!(unverified_expiry(&jwt), Some(1_700_000_000));
        assert_eq!(
            unverified_claims(&jwt).unwrap()["upn"],
            serde_json::json!("admin@contoso.com")
        );
        assert!(unverified_claims("opaque-token").is_none());
        assert!(unverified_claims("a.!!!.c").is_none());
    }
}
