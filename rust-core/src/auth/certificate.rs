//! A certificate and its RSA private key loaded in-process (PFX, or PEM certificate + PKCS#8
//! key), signing assertions locally.

use std::path::Path;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::der::{Decode, Encode};

use super::AuthError;
use super::assertion::{AssertionSigner, SignerError};
use crate::secret::{ExposeSecret, SecretString};

pub struct CertificateSigner {
    key: RsaPrivateKey,
    sha1: [u8; 20],
    sha256: [u8; 32],
    not_before: Option<OffsetDateTime>,
    not_after: Option<OffsetDateTime>,
    subject: String,
}

impl std::fmt::Debug for CertificateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateSigner")
            .field("subject", &self.subject)
            .field("thumbprint", &self.thumbprint_sha1_hex())
            .field("not_after", &self.not_after)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// The public facts of a certificate: what an assertion's header names and what a signature
/// is checked against. Used alone when the key stays outside the engine.
#[derive(Debug, Clone)]
pub struct CertificateInfo {
    pub public_key: RsaPublicKey,
    pub sha1: [u8; 20],
    pub sha256: [u8; 32],
    pub not_before: Option<OffsetDateTime>,
    pub not_after: Option<OffsetDateTime>,
    pub subject: String,
}

impl CertificateInfo {
    /// The first CERTIFICATE block of a PEM text.
    pub fn from_pem(certificate_pem: &str) -> Result<Self, AuthError> {
        let cert = pem::parse_many(certificate_pem)
            .map_err(|e| AuthError::Certificate(format!("the certificate is not PEM: {e}")))?
            .into_iter()
            .find(|p| p.tag() == "CERTIFICATE")
            .ok_or_else(|| AuthError::Certificate("no CERTIFICATE block in the PEM".into()))?;
        Self::from_der(cert.contents())
    }

    pub fn from_der(cert_der: &[u8]) -> Result<Self, AuthError> {
        let cert = x509_cert::Certificate::from_der(cert_der).map_err(|e| {
            AuthError::Certificate(format!("the certificate is not valid DER: {e}"))
        })?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| AuthError::Certificate(e.to_string()))?;
        let public_key = RsaPublicKey::from_public_key_der(&spki)
            .map_err(|_| AuthError::Certificate("the certificate's key is not RSA".into()))?;
        let validity = &cert.tbs_certificate.validity;
        let to_time = |t: &x509_cert::time::Time| {
            OffsetDateTime::from_unix_timestamp(t.to_unix_duration().as_secs() as i64).ok()
        };
        Ok(CertificateInfo {
            public_key,
            sha1: Sha1::digest(cert_der).into(),
            sha256: Sha256::digest(cert_der).into(),
            not_before: to_time(&validity.not_before),
            not_after: to_time(&validity.not_after),
            subject: cert.tbs_certificate.subject.to_string(),
        })
    }
}

impl CertificateSigner {
    /// A PKCS#12 file as exported by Windows / `New-SelfSignedCertificate | Export-PfxCertificate`.
    pub fn from_pfx_file(path: &Path, password: &SecretString) -> Result<Self, AuthError> {
        let bytes = std::fs::read(path).map_err(|e| {
            AuthError::Certificate(format!("cannot read '{}': {e}", path.display()))
        })?;
        Self::from_pfx(&bytes, password)
    }

    pub fn from_pfx(pfx: &[u8], password: &SecretString) -> Result<Self, AuthError> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            pfx,
            password.expose_secret(),
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| {
            AuthError::Certificate(format!(
                "the PFX could not be opened (wrong password or unsupported format): {e}"
            ))
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| AuthError::Certificate("the PFX holds no private key".into()))?;
        let key = RsaPrivateKey::from_pkcs8_der(chain.key().as_der())
            .map_err(|e| AuthError::Certificate(format!("the PFX key is not an RSA key: {e}")))?;
        let certs = chain.certs();
        // The leaf is the certificate whose public key matches the private key.
        let public = key.to_public_key();
        for cert in certs {
            if let Ok(signer) = Self::from_parts(key.clone(), cert.as_der())
                && signer.key.to_public_key() == public
            {
                return Ok(signer);
            }
        }
        Err(AuthError::Certificate(
            "the PFX holds no certificate matching its private key".into(),
        ))
    }

    /// A PEM certificate and a PEM private key (PKCS#8 `PRIVATE KEY`, or PKCS#1 `RSA PRIVATE KEY`).
    pub fn from_pem(
        certificate_pem: &str,
        private_key_pem: &SecretString,
    ) -> Result<Self, AuthError> {
        let key_text = private_key_pem.expose_secret();
        let key = RsaPrivateKey::from_pkcs8_pem(key_text)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(key_text))
            .map_err(|_| {
                AuthError::Certificate("the private key is not an unencrypted RSA PEM key".into())
            })?;
        let info = CertificateInfo::from_pem(certificate_pem)?;
        if info.public_key != key.to_public_key() {
            return Err(AuthError::Certificate(
                "the private key does not belong to the certificate".into(),
            ));
        }
        Ok(Self::from_info(key, info))
    }

    fn from_info(key: RsaPrivateKey, info: CertificateInfo) -> Self {
        CertificateSigner {
            key,
            sha1: info.sha1,
            sha256: info.sha256,
            not_before: info.not_before,
            not_after: info.not_after,
            subject: info.subject,
        }
    }

    fn from_parts(key: RsaPrivateKey, cert_der: &[u8]) -> Result<Self, AuthError> {
        let info = CertificateInfo::from_der(cert_der)?;
        if info.public_key != key.to_public_key() {
            return Err(AuthError::Certificate(
                "the private key does not belong to the certificate".into(),
            ));
        }
        Ok(Self::from_info(key, info))
    }

    pub fn thumbprint_sha1_hex(&self) -> String {
        self.sha1.iter().map(|b| format!("{b:02X}")).collect()
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn not_before(&self) -> Option<OffsetDateTime> {
        self.not_before
    }
}

impl AssertionSigner for CertificateSigner {
    fn x5t_sha256(&self) -> [u8; 32] {
        self.sha256
    }

    fn x5t_sha1(&self) -> Option<[u8; 20]> {
        Some(self.sha1)
    }

    fn sign_ps256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        // Salt length = digest length (32), as JWA requires for PS256.
        let signer = rsa::pss::BlindedSigningKey::<Sha256>::new(self.key.clone());
        signer
            .try_sign_with_rng(&mut rsa::rand_core::OsRng, signing_input)
            .map(|s| s.to_vec())
            .map_err(|e| SignerError(e.to_string()))
    }

    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignerError> {
        use rsa::signature::Signer;
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(self.key.clone());
        signer
            .try_sign(signing_input)
            .map(|s| s.to_vec())
            .map_err(|e| SignerError(e.to_string()))
    }

    fn not_after(&self) -> Option<OffsetDateTime> {
        self.not_after
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::assertion::{AssertionAlgorithm, build_assertion};
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};

    struct TestCert {
        cert_pem: String,
        key_pem: String,
        der: Vec<u8>,
    }

    /// ring (rcgen's backend) cannot generate RSA keys; make two with `rsa` once per run.
    fn rsa_key_pem(which: usize) -> String {
        static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            use rsa::pkcs8::EncodePrivateKey;
            (0..2)
                .map(|_| {
                    let k = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
                    k.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
                        .unwrap()
                        .to_string()
                })
                .collect()
        })[which]
            .clone()
    }

    fn make_cert_with(which: usize) -> TestCert {
        let key_pem = rsa_key_pem(which);
        let key = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
            .unwrap();
        let params = rcgen::CertificateParams::new(vec!["app.example".into()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCert {
            cert_pem: cert.pem(),
            key_pem,
            der: cert.der().to_vec(),
        }
    }

    fn make_cert() -> TestCert {
        make_cert_with(0)
    }

    fn decoding_key(t: &TestCert) -> DecodingKey {
        let cert = x509_cert::Certificate::from_der(&t.der).unwrap();
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap();
        let public = RsaPublicKey::from_public_key_der(&spki).unwrap();
        use rsa::pkcs1::EncodeRsaPublicKey;
        DecodingKey::from_rsa_der(public.to_pkcs1_der().unwrap().as_bytes())
    }

    fn validation(alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.set_audience(&["https://login.example/tid/oauth2/v2.0/token"]);
        v.set_issuer(&["client-1"]);
        v.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
        v.validate_nbf = true;
        v
    }

    #[test]
    fn ps256_assertion_has_the_documented_header_and_claims_and_verifies() {
        let t = make_cert();
        let signer = CertificateSigner::from_pem(&t.cert_pem, &t.key_pem.clone().into()).unwrap();
        let now = OffsetDateTime::now_utc();
        let jwt = build_assertion(
            &signer,
            AssertionAlgorithm::Ps256,
            "client-1",
            "https://login.example/tid/oauth2/v2.0/token",
            now,
        )
        .unwrap();
        let jwt = jwt.expose_secret();
        let header = decode_header(jwt).unwrap();
        assert_eq!(header.alg, Algorithm::PS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(
            header.x5t_s256.as_deref(),
            Some(URL_SAFE_NO_PAD.encode(Sha256::digest(&t.der)).as_str())
        );
        assert!(header.x5t.is_none());
        let data =
            decode::<serde_json::Value>(jwt, &decoding_key(&t), &validation(Algorithm::PS256))
                .unwrap();
        let c = data.claims;
        assert_eq!(c["sub"], "client-1");
        assert_eq!(c["nbf"], now.unix_timestamp());
        assert_eq!(c["exp"], now.unix_timestamp() + 600);
        assert!(uuid::Uuid::parse_str(c["jti"].as_str().unwrap()).is_ok());
        // A second assertion gets a new jti.
        let again =
            build_assertion(&signer, AssertionAlgorithm::Ps256, "client-1", "a", now).unwrap();
        assert_ne!(again.expose_secret(), jwt);
    }

    #[test]
    fn rs256_assertion_uses_sha1_x5t_and_verifies() {
        let t = make_cert();
        let signer = CertificateSigner::from_pem(&t.cert_pem, &t.key_pem.clone().into()).unwrap();
        let jwt = build_assertion(
            &signer,
            AssertionAlgorithm::Rs256,
            "client-1",
            "https://login.example/tid/oauth2/v2.0/token",
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        let header = decode_header(jwt.expose_secret()).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(
            header.x5t.as_deref(),
            Some(URL_SAFE_NO_PAD.encode(Sha1::digest(&t.der)).as_str())
        );
        decode::<serde_json::Value>(
            jwt.expose_secret(),
            &decoding_key(&t),
            &validation(Algorithm::RS256),
        )
        .unwrap();
        // Tampering breaks the signature.
        let mut parts: Vec<String> = jwt.expose_secret().split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD
            .encode(br#"{"aud":"x","iss":"evil","sub":"evil","exp":9999999999,"nbf":0}"#);
        assert!(
            decode::<serde_json::Value>(
                &parts.join("."),
                &decoding_key(&t),
                &Validation::new(Algorithm::RS256)
            )
            .is_err()
        );
    }

    #[test]
    fn x5t_example_from_the_docs() {
        // hex 84E05C1D98BCE3A5421D225B140B36E86A3D5534 → hOBcHZi846VCHSJbFAs26Go9VTQ
        let raw: Vec<u8> = (0..20)
            .map(|i| {
                u8::from_str_radix(
                    &"84E05C1D98BCE3A5421D225B140B36E86A3D5534"[i * 2..i * 2 + 2],
                    16,
                )
                .unwrap()
            })
            .collect();
        assert_eq!(URL_SAFE_NO_PAD.encode(raw), "hOBcHZi846VCHSJbFAs26Go9VTQ");
    }

    #[test]
    fn mismatched_key_and_bad_inputs_are_clear_errors() {
        let a = make_cert_with(0);
        let b = make_cert_with(1);
        let err = CertificateSigner::from_pem(&a.cert_pem, &b.key_pem.clone().into()).unwrap_err();
        assert!(err.to_string().contains("does not belong"), "{err}");
        assert!(CertificateSigner::from_pem("junk", &a.key_pem.clone().into()).is_err());
        assert!(CertificateSigner::from_pfx(b"junk", &"pw".to_owned().into()).is_err());
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let t = make_cert();
        let signer = CertificateSigner::from_pem(&t.cert_pem, &t.key_pem.clone().into()).unwrap();
        let shown = format!("{signer:?}");
        assert!(shown.contains("REDACTED"));
        assert!(!shown.contains("BEGIN"));
    }
}
