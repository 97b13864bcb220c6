//! Opaque, tamper-evident paging tokens (`$skiptoken`): JSON state plus an HMAC under a key
//! that lives only in this process.

use ring::hmac;
use ring::rand::SystemRandom;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::entra::jwt::{b64url, b64url_decode};
use crate::error::EmulatorError;

const MAC_LEN: usize = 16;

pub struct PageTokenKey {
    key: hmac::Key,
}

impl PageTokenKey {
    pub fn generate() -> Result<Self, EmulatorError> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .map_err(|_| EmulatorError::Key("system randomness unavailable".into()))?;
        Ok(Self { key })
    }

    fn mac(&self, kind: &str, payload: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(kind.as_bytes());
        ctx.update(&[0]);
        ctx.update(payload);
        ctx.sign().as_ref()[..MAC_LEN].to_vec()
    }

    /// Seals `state` for the page-token `kind` (so an Exchange token is not accepted by Graph).
    pub fn seal<T: Serialize>(&self, kind: &str, state: &T) -> String {
        let payload = serde_json::to_vec(state).unwrap_or_default();
        let mut bytes = self.mac(kind, &payload);
        bytes.extend_from_slice(&payload);
        b64url(&bytes)
    }

    /// The state, if the token is intact and of this kind.
    pub fn open<T: DeserializeOwned>(&self, kind: &str, token: &str) -> Option<T> {
        let bytes = b64url_decode(token.trim())?;
        if bytes.len() <= MAC_LEN {
            return None;
        }
        let (mac, payload) = bytes.split_at(MAC_LEN);
        let expected = self.mac(kind, payload);
        if !crate::secret::equals(mac, &expected) {
            return None;
        }
        serde_json::from_slice(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = PageTokenKey::generate().unwrap();
        let t = key.seal("exo", &(5u64, "x"));
        assert_eq!(key.open::<(u64, String)>("exo", &t), Some((5, "x".into())));
        assert_eq!(key.open::<(u64, String)>("graph", &t), None);
        let mut chars: Vec<char> = t.chars().collect();
        let last = chars.len() - 3;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        assert_eq!(key.open::<(u64, String)>("exo", &tampered), None);
        assert_eq!(key.open::<(u64, String)>("exo", "!!"), None);
    }
}
