//! Compact JWS handling: splitting and decoding assertions, signing and verifying the
//! emulator's own access tokens (RS256 with an embedded test key).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair};
use serde_json::{Map, Value};

use crate::error::EmulatorError;

/// Test-only key that signs the emulator's access tokens (see `directory.rs` on embedded keys).
const TOKEN_SIGNING_KEY: &str = include_str!("../../keys/token-signing.pem");

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// The three parts of a compact JWS, decoded.
pub struct ParsedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `base64url(header).base64url(payload)`, the signed bytes.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtShapeError {
    NotThreeParts,
    BadBase64,
    BadJson,
}

pub fn parse(token: &str) -> Result<ParsedJwt, JwtShapeError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtShapeError::NotThreeParts);
    };
    let decode_obj = |part: &str| -> Result<Map<String, Value>, JwtShapeError> {
        let bytes = b64url_decode(part).ok_or(JwtShapeError::BadBase64)?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(JwtShapeError::BadJson),
        }
    };
    Ok(ParsedJwt {
        header: decode_obj(h)?,
        claims: decode_obj(p)?,
        signing_input: format!("{h}.{p}"),
        signature: b64url_decode(s).ok_or(JwtShapeError::BadBase64)?,
    })
}

/// Signs and verifies the emulator's own tokens.
pub struct TokenSigner {
    key: RsaKeyPair,
    public_key: Vec<u8>,
    kid: String,
    random: SystemRandom,
}

impl TokenSigner {
    pub fn load() -> Result<Self, EmulatorError> {
        let der = pem::parse(TOKEN_SIGNING_KEY)
            .map_err(|e| EmulatorError::Key(e.to_string()))?
            .into_contents();
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| EmulatorError::Key(e.to_string()))?;
        let public_key = key.public().as_ref().to_vec();
        let kid = b64url(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &public_key).as_ref());
        Ok(Self {
            key,
            public_key,
            kid,
            random: SystemRandom::new(),
        })
    }

    pub fn sign(&self, claims: &Value) -> Option<String> {
        let header =
            serde_json::json!({"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(&header).ok()?),
            b64url(&serde_json::to_vec(claims).ok()?)
        );
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.random,
                input.as_bytes(),
                &mut sig,
            )
            .ok()?;
        Some(format!("{input}.{}", b64url(&sig)))
    }

    /// Claims of a token this emulator signed.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, VerifyError> {
        let jwt = parse(token).map_err(|_| VerifyError::Malformed)?;
        let alg_ok = jwt.header.get("alg").and_then(Value::as_str) == Some("RS256");
        let key = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            &self.public_key,
        );
        if alg_ok
            && key
                .verify(jwt.signing_input.as_bytes(), &jwt.signature)
                .is_ok()
        {
            Ok(jwt.claims)
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    Malformed,
    BadSignature,
}
