//! The client assertion: a JWT signed with the app's certificate key. PS256 + `x5t#S256` is the
//! current documented form; RS256 + `x5t` (SHA-1) the legacy one, still accepted.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use time::OffsetDateTime;

use super::AuthError;
use crate::secret::SecretString;

/// How long an assertion is valid (the docs allow 5–10 min; msal-node uses 600 s).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAlgorithm {
    #[default]
    Ps256,
    Rs256,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SignerError(pub String);

/// Signs assertions with a certificate's RSA key. Implemented here for PFX/PEM keys, and by the
/// C# layer for keys that stay in the Windows certificate store.
pub trait AssertionSigner: Send + Sync {
    /// SHA-256 of the certificate's DER.
    fn x5t_sha256(&self) -> [u8; 32];
    /// SHA-1 of the certificate's DER, needed only for RS256 + `x5t`.
    fn x5t_sha1(&self) -> Option<[u8; 20]> {
        None
    }
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt length 32, over `signing_input`.
    fn sign_ps256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError>;
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        let _ = signing_input;
        Err(SignerError("this signer supports PS256 only".into()))
    }
    /// The certificate's `notAfter` when known, to fail early with a clear message.
    fn not_after(&self) -> Option<OffsetDateTime> {
        None
    }
}

/// Uppercase hex SHA-1 thumbprint (as Windows shows it) when known, else the SHA-256 one.
pub fn thumbprint_text(signer: &dyn AssertionSigner) -> String {
    match signer.x5t_sha1() {
        Some(sha1) => hex_upper(&sha1),
        None => format!("SHA256:{}", hex_upper(&signer.x5t_sha256())),
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Builds and signs `header.claims.signature` for `client_id` at token endpoint `audience`.
pub fn build_assertion(
    signer: &dyn AssertionSigner,
    algorithm: AssertionAlgorithm,
    client_id: &str,
    audience: &str,
    now: OffsetDateTime,
) -> Result<SecretString, AuthError> {
    let header = match algorithm {
        AssertionAlgorithm::Ps256 => json!({
            "alg": "PS256",
            "typ": "JWT",
            "x5t#S256": URL_SAFE_NO_PAD.encode(signer.x5t_sha256()),
        }),
        AssertionAlgorithm::Rs256 => {
            let sha1 = signer.x5t_sha1().ok_or_else(|| {
                AuthError::Signer("RS256 needs the certificate's SHA-1 thumbprint".into())
            })?;
            json!({"alg": "RS256", "typ": "JWT", "x5t": URL_SAFE_NO_PAD.encode(sha1)})
        }
    };
    let nbf = now.unix_timestamp();
    let exp = nbf + ASSERTION_LIFETIME.as_secs() as i64;
    // Claim order as azure_identity writes it; serde_json keeps insertion order here.
    let claims = json!({
        "aud": audience,
        "exp": exp,
        "iss": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": nbf,
        "sub": client_id,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = zeroize::Zeroizing::new(
        match algorithm {
            AssertionAlgorithm::Ps256 => signer.sign_ps256(signing_input.as_bytes()),
            AssertionAlgorithm::Rs256 => signer.sign_rs256(signing_input.as_bytes()),
        }
        .map_err(|e| AuthError::Signer(e.0))?,
    );
    Ok(SecretString::from(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_slice())
    )))
}
