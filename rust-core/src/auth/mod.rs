//! Entra ID authentication without MSAL: client secret, certificate (local key or external
//! signer), managed identity, device code and interactive browser sign-in (auth code + PKCE)
//! with refresh-token rotation, supplied tokens; an
//! in-memory cache per resource.

mod assertion;
mod cache;
mod certificate;
mod credential;
pub(crate) mod device_code;
mod entra_error;
pub(crate) mod error;
mod external_signer;
pub(crate) mod interactive;
mod jwt;
mod loopback;
pub(crate) mod managed_identity;
mod pkce;
mod provider;
pub(crate) mod token_endpoint;

pub use assertion::{
    ASSERTION_LIFETIME, AssertionAlgorithm, AssertionSigner, SignerError, build_assertion,
    thumbprint_text,
};
pub use cache::{CachedToken, REFRESH_LEAD, TokenCache};
pub use certificate::{CertificateInfo, CertificateSigner};
pub use credential::Credential;
pub use device_code::{DeviceCodeCallback, DeviceCodeConfig, DeviceCodePrompt};
pub use entra_error::EntraError;
pub use error::AuthError;
pub use external_signer::{ExternalSigner, SignFn};
pub use interactive::{BrowserCallback, DEFAULT_TIMEOUT as INTERACTIVE_TIMEOUT, InteractiveConfig};
pub use jwt::unverified_tenant_id;
pub use loopback::LoopbackPages;
pub use managed_identity::ManagedIdentityConfig;
pub use provider::{ResourceBearer, TokenProvider};
