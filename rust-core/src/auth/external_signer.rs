//! A certificate whose private key stays with the caller (the Windows certificate store, a smart
//! card, an HSM): the engine builds the assertion and hands only the bytes to sign to a signing
//! function, then checks the signature against the certificate before it is sent.

use std::sync::Arc;

use rsa::pkcs1v15;
use rsa::pss;
use rsa::signature::Verifier;
use sha2::Sha256;
use time::OffsetDateTime;

use super::AuthError;
use super::assertion::{AssertionAlgorithm, AssertionSigner, SignerError};
use super::certificate::CertificateInfo;

/// Signs `signing_input` (the JWT `header.payload`) with the certificate's key.
pub type SignFn =
    Arc<dyn Fn(AssertionAlgorithm, &[u8]) -> Result<Vec<u8>, SignerError> + Send + Sync>;

pub struct ExternalSigner {
    info: CertificateInfo,
    sign: SignFn,
}

impl std::fmt::Debug for ExternalSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalSigner")
            .field("subject", &self.info.subject)
            .field("not_after", &self.info.not_after)
            .finish_non_exhaustive()
    }
}

impl ExternalSigner {
    pub fn new(certificate_pem: &str, sign: SignFn) -> Result<Self, AuthError> {
        Ok(ExternalSigner {
            info: CertificateInfo::from_pem(certificate_pem)?,
            sign,
        })
    }

    /// A signature that does not verify against the certificate would only earn an opaque
    /// AADSTS error later; say here what is wrong.
    fn sign_checked(
        &self,
        algorithm: AssertionAlgorithm,
        signing_input: &[u8],
    ) -> Result<Vec<u8>, SignerError> {
        let signature = (self.sign)(algorithm, signing_input)?;
        let verified = match algorithm {
            AssertionAlgorithm::Ps256 => pss::Signature::try_from(signature.as_slice())
                .ok()
                .is_some_and(|s| {
                    pss::VerifyingKey::<Sha256>::new(self.info.public_key.clone())
                        .verify(signing_input, &s)
                        .is_ok()
                }),
            AssertionAlgorithm::Rs256 => pkcs1v15::Signature::try_from(signature.as_slice())
                .ok()
                .is_some_and(|s| {
                    pkcs1v15::VerifyingKey::<Sha256>::new(self.info.public_key.clone())
                        .verify(signing_input, &s)
                        .is_ok()
                }),
        };
        if verified {
            Ok(signature)
        } else {
            Err(SignerError(
                "the signature made with the certificate's key does not verify against the certificate (is the key the certificate's?)".into(),
            ))
        }
    }
}

impl AssertionSigner for ExternalSigner {
    fn x5t_sha256(&self) -> [u8; 32] {
        self.info.sha256
    }

    fn x5t_sha1(&self) -> Option<[u8; 20]> {
        Some(self.info.sha1)
    }

    fn sign_ps256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_checked(AssertionAlgorithm::Ps256, signing_input)
    }

    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.sign_checked(AssertionAlgorithm::Rs256, signing_input)
    }

    fn not_after(&self) -> Option<OffsetDateTime> {
        self.info.not_after
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::assertion::build_assertion;
    use super::*;
    use crate::secret::ExposeSecret;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    use rsa::RsaPrivateKey;
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::EncodePrivateKey;

    /// A certificate and a signing function that holds its key (as C# does), never exported.
    fn certificate_and_key() -> (String, RsaPrivateKey) {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let pair =
            rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap();
        let params = rcgen::CertificateParams::new(vec!["app.example".into()]).unwrap();
        (params.self_signed(&pair).unwrap().pem(), key)
    }

    fn signing_function(key: RsaPrivateKey) -> SignFn {
        Arc::new(move |algorithm, input: &[u8]| {
            use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
            match algorithm {
                AssertionAlgorithm::Ps256 => pss::BlindedSigningKey::<Sha256>::new(key.clone())
                    .try_sign_with_rng(&mut rsa::rand_core::OsRng, input)
                    .map(|s| s.to_vec()),
                AssertionAlgorithm::Rs256 => pkcs1v15::SigningKey::<Sha256>::new(key.clone())
                    .try_sign(input)
                    .map(|s| s.to_vec()),
            }
            .map_err(|e| SignerError(e.to_string()))
        })
    }

    #[test]
    fn assertions_signed_through_the_function_verify_against_the_certificate() {
        let (cert_pem, key) = certificate_and_key();
        let public = key.to_public_key().to_pkcs1_der().unwrap();
        let signer = ExternalSigner::new(&cert_pem, signing_function(key)).unwrap();
        assert!(
            signer.not_after().is_some(),
            "validity read from the certificate"
        );
        for (algorithm, jwt_alg) in [
            (AssertionAlgorithm::Ps256, Algorithm::PS256),
            (AssertionAlgorithm::Rs256, Algorithm::RS256),
        ] {
            let jwt = build_assertion(
                &signer,
                algorithm,
                "client-1",
                "https://login.example/t/oauth2/v2.0/token",
                OffsetDateTime::now_utc(),
            )
            .unwrap();
            let mut v = Validation::new(jwt_alg);
            v.set_audience(&["https://login.example/t/oauth2/v2.0/token"]);
            v.set_issuer(&["client-1"]);
            decode::<serde_json::Value>(
                jwt.expose_secret(),
                &DecodingKey::from_rsa_der(public.as_bytes()),
                &v,
            )
            .unwrap();
        }
    }

    #[test]
    fn a_signature_from_another_key_or_garbage_is_refused() {
        let (cert_pem, _) = certificate_and_key();
        let (_, other) = certificate_and_key();
        let signer = ExternalSigner::new(&cert_pem, signing_function(other)).unwrap();
        let err = signer.sign_ps256(b"a.b").unwrap_err();
        assert!(err.0.contains("does not verify"), "{err}");
        let garbage =
            ExternalSigner::new(&cert_pem, Arc::new(|_, _: &[u8]| Ok(vec![1, 2, 3]))).unwrap();
        assert!(garbage.sign_rs256(b"a.b").is_err());
        assert!(
            ExternalSigner::new("not a certificate", Arc::new(|_, _: &[u8]| Ok(vec![]))).is_err()
        );
    }
}
