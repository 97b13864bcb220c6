//! PKCE (RFC 7636) and the `state` value of an authorization request.
//!
//! The verifier is 32 random bytes in base64url: 43 characters, RFC 7636 §4.1's recommended
//! construction (43–128 allowed). The challenge is `BASE64URL(SHA256(verifier))`
//! with `code_challenge_method=S256` (RFC 7636 §4.2; v2-oauth2-auth-code-flow.md: "This
//! *SHOULD* be `S256`").

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::AuthError;
use crate::secret::{ExposeSecret, SecretString};

/// The verifier stays in memory until the code is redeemed; the challenge goes to the browser.
pub(crate) struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    pub(crate) fn generate() -> Result<Pkce, AuthError> {
        let verifier = SecretString::from(random_text()?);
        let challenge = challenge_of(verifier.expose_secret());
        Ok(Pkce {
            verifier,
            challenge,
        })
    }
}

pub(crate) fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// 32 bytes from the operating system's generator, base64url: for verifiers and `state`.
pub(crate) fn random_text() -> Result<String, AuthError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    OsRng.try_fill_bytes(bytes.as_mut()).map_err(|e| {
        AuthError::Protocol(format!("the system random number generator failed: {e}"))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        // RFC 7636 Appendix B: the verifier and its S256 challenge.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_43_url_safe_characters_and_differ() {
        let a = Pkce::generate().unwrap();
        let b = Pkce::generate().unwrap();
        assert_eq!(a.verifier.expose_secret().len(), 43);
        assert!(
            a.verifier
                .expose_secret()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a.verifier.expose_secret(), b.verifier.expose_secret());
        assert_eq!(a.challenge, challenge_of(a.verifier.expose_secret()));
    }
}
