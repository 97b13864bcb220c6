//! Reading JWT claims without verifying them: only for hints (the signed-in UPN, when a
//! supplied token expires, which tenant to address). Never used to decide trust: the token is
//! our own, and the service checks it.

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

/// The `tid` claim (the tenant the token was issued in, a GUID: entra-docs
/// access-token-claims-reference.md), if the token is a JWT that carries one.
pub fn unverified_tenant_id(jwt: &str) -> Option<uuid::Uuid> {
    let claims = unverified_claims(jwt)?;
    uuid::Uuid::parse_str(claims.get("tid")?.as_str()?).ok()
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
        assert_eq!(unverified_tenant_id(&jwt), None);
        assert!(unverified_claims("opaque-token").is_none());
        assert!(unverified_claims("a.!!!.c").is_none());
    }

    #[test]
    fn reads_the_tenant_id_only_when_it_is_a_guid() {
        let token =
            |claims: &str| format!("eyJhbGciOiJub25lIn0.{}.sig", URL_SAFE_NO_PAD.encode(claims));
        assert_eq!(
            unverified_tenant_id(&token(r#"{"tid":"72F988BF-86F1-41AF-91AB-2D7CD011DB47"}"#)),
            Some(uuid::uuid!("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        );
        assert_eq!(
            unverified_tenant_id(&token(r#"{"tid":"contoso.com"}"#)),
            None
        );
        assert_eq!(unverified_tenant_id(&token(r#"{"tid":42}"#)), None);
        assert_eq!(unverified_tenant_id("opaque-token"), None);
    }
}
