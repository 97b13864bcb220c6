//! Authorization codes: minted by the sign-in page (`authorize.rs`), redeemed at the token
//! endpoint with `grant_type=authorization_code`.
//!
//! - Single use: the first redemption attempt burns the code, whatever its outcome; a second
//!   gets AADSTS54005 (reference-error-codes.md).
//! - Short-lived: "Authorization codes are short lived. Typically, they expire after about 10
//!   minutes." (v2-oauth2-auth-code-flow.md); expired → AADSTS70008.
//! - PKCE (RFC 7636 §4.6): `S256` compares BASE64URL(SHA256(verifier)) with the challenge,
//!   `plain` compares them as is; a mismatch is AADSTS501481 (reference-error-codes.md), a
//!   missing verifier AADSTS50148 (text UNCONFIRMED). A request sent without a challenge needs
//!   no verifier (PKCE is recommended, not required, for public clients: auth code flow doc).
//! - `redirect_uri` must be the one of the authorize request (RFC 6749 §4.1.3).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use ring::rand::SystemRandom;
use uuid::Uuid;

use super::errors::EntraError;
use super::refresh;
use super::scopes::{self, DelegatedScopes};
use crate::directory::random_text;
use crate::http::{Form, Reply, Req};
use crate::state::State;

pub const CODE_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    Plain,
    S256,
}

#[derive(Debug, Clone)]
pub struct Challenge {
    pub value: String,
    pub method: ChallengeMethod,
}

struct IssuedCode {
    client_id: Uuid,
    user: u32,
    scopes: DelegatedScopes,
    redirect_uri: String,
    challenge: Option<Challenge>,
    expires_at: Instant,
    redeemed: bool,
}

/// Keyed by SHA-256 of the code so the codes themselves are not kept.
#[derive(Default)]
pub struct AuthCodeStore {
    codes: HashMap<Vec<u8>, IssuedCode>,
}

fn key(code: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, code.as_bytes())
        .as_ref()
        .to_vec()
}

/// What the sign-in page decided; the code that carries it to the token endpoint.
pub struct Grant {
    pub client_id: Uuid,
    pub user: u32,
    pub scopes: DelegatedScopes,
    pub redirect_uri: String,
    pub challenge: Option<Challenge>,
}

pub fn mint(state: &State, grant: Grant) -> Option<String> {
    let code = format!(
        "1.AXEA{}",
        random_text(
            &SystemRandom::new(),
            180,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        .ok()?
    );
    let mut store = state.auth_codes.lock();
    // Codes past their lifetime are of no use to anyone.
    let now = Instant::now();
    store.codes.retain(|_, c| c.expires_at > now);
    store.codes.insert(
        key(&code),
        IssuedCode {
            client_id: grant.client_id,
            user: grant.user,
            scopes: grant.scopes,
            redirect_uri: grant.redirect_uri,
            challenge: grant.challenge,
            expires_at: now + CODE_LIFETIME,
            redeemed: false,
        },
    );
    Some(code)
}

/// Test hook: every code issued so far expires now.
pub fn expire_all(state: &State) -> usize {
    let mut store = state.auth_codes.lock();
    let now = Instant::now();
    for c in store.codes.values_mut() {
        c.expires_at = now;
    }
    store.codes.len()
}

fn verifier_matches(challenge: &Challenge, verifier: &str) -> bool {
    let computed = match challenge.method {
        ChallengeMethod::S256 => {
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
        }
        ChallengeMethod::Plain => verifier.to_owned(),
    };
    crate::secret::equals(computed.as_bytes(), challenge.value.as_bytes())
}

/// The token endpoint's authorization code grant.
pub fn redeem(state: &State, req: &Req, form: &Form, tenant: &str) -> Result<Reply, EntraError> {
    let client_id = form
        .non_empty("client_id")
        .ok_or_else(|| EntraError::missing_parameter("client_id"))?;
    let code = form
        .non_empty("code")
        .ok_or_else(|| EntraError::missing_parameter("code"))?;
    let redirect_uri = form
        .non_empty("redirect_uri")
        .ok_or_else(|| EntraError::missing_parameter("redirect_uri"))?;
    let client = state
        .directory
        .app(client_id)
        .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
    if !client.is_public() {
        // The only app with a redirect URI is the public client; others would need a secret.
        return Err(EntraError::missing_client_credential());
    }
    let (user, granted_scopes) = {
        let mut store = state.auth_codes.lock();
        let issued = store
            .codes
            .get_mut(&key(code))
            .ok_or_else(EntraError::auth_code_malformed)?;
        if issued.redeemed {
            return Err(EntraError::auth_code_redeemed());
        }
        issued.redeemed = true;
        if Instant::now() >= issued.expires_at {
            return Err(EntraError::auth_code_expired());
        }
        if issued.client_id != client.client_id {
            return Err(EntraError::auth_code_wrong_client());
        }
        if issued.redirect_uri != redirect_uri {
            return Err(EntraError::auth_code_redirect_mismatch());
        }
        if let Some(challenge) = &issued.challenge {
            let verifier = form
                .non_empty("code_verifier")
                .ok_or_else(EntraError::pkce_verifier_missing)?;
            if !verifier_matches(challenge, verifier) {
                return Err(EntraError::pkce_mismatch());
            }
        }
        (issued.user, issued.scopes.clone())
    };
    // `scope` at redemption is optional: without it, the authorize request's scopes (doc).
    let scopes = match form.non_empty("scope") {
        Some(scope) => {
            let mut s = scopes::delegated(scope, tenant)?;
            s.offline_access |= granted_scopes.offline_access;
            s.openid |= granted_scopes.openid;
            s
        }
        None => granted_scopes,
    };
    refresh::delegated_token_response(state, req, user, client, &scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_and_plain_follow_rfc7636() {
        // RFC 7636 Appendix B.
        let c = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            method: ChallengeMethod::S256,
        };
        assert!(verifier_matches(
            &c,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!verifier_matches(
            &c,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"
        ));
        let p = Challenge {
            value: "abc".into(),
            method: ChallengeMethod::Plain,
        };
        assert!(verifier_matches(&p, "abc"));
        assert!(!verifier_matches(&p, "abd"));
    }
}
