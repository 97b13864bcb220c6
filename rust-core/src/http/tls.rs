//! rustls with the ring provider, platform roots plus caller-supplied CAs.

use std::sync::Once;

use super::HttpError;

static INSTALL: Once = Once::new();

/// Makes ring the process-wide rustls provider (reqwest is built with `rustls-no-provider`).
/// Idempotent; if the host process already installed a provider, that one is kept.
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Err means another provider is already installed: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Parses a PEM bundle (one or more `CERTIFICATE` blocks) of extra trust anchors.
pub(crate) fn parse_extra_roots(pems: &[String]) -> Result<Vec<reqwest::Certificate>, HttpError> {
    let mut out = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
            HttpError::Build(format!(
                "trusted CA certificate #{} is not valid PEM: {e}",
                i + 1
            ))
        })?;
        if certs.is_empty() {
            return Err(HttpError::Build(format!(
                "trusted CA certificate #{} holds no CERTIFICATE block",
                i + 1
            )));
        }
        out.extend(certs);
    }
    Ok(out)
}

/// A rustls config trusting Mozilla's roots (bundled) plus the extras, for hosts whose
/// platform store is empty (minimal Linux containers).
pub(crate) fn bundled_roots_config(
    extra_pems: &[String],
) -> Result<rustls::ClientConfig, HttpError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem_text in extra_pems {
        let blocks = pem::parse_many(pem_text).map_err(|e| {
            HttpError::Build(format!("trusted CA certificate is not valid PEM: {e}"))
        })?;
        for block in blocks.into_iter().filter(|b| b.tag() == "CERTIFICATE") {
            roots
                .add(rustls::pki_types::CertificateDer::from(
                    block.into_contents(),
                ))
                .map_err(|e| HttpError::Build(format!("trusted CA certificate rejected: {e}")))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Build(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}
