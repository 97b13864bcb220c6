//! Secrets (client secrets, tokens, assertions, refresh tokens, device codes, key passwords,
//! the managed-identity header) live in `secrecy` types: their `Debug` prints `[REDACTED]`,
//! they are zeroed on drop, and reading one needs an explicit `expose_secret()` that is easy
//! to audit.

pub use secrecy::{ExposeSecret, SecretBox, SecretSlice, SecretString};

/// A secret string from anything string-like.
pub fn secret(value: impl Into<String>) -> SecretString {
    SecretString::from(value.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_redacts_the_value() {
        let s = secret("hunter2-client-secret");
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
        assert_eq!(s.expose_secret(), "hunter2-client-secret");
    }
}
