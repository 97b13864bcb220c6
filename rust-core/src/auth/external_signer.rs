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
