//! The ways the engine can obtain tokens.

use std::sync::Arc;

use super::assertion::{AssertionAlgorithm, AssertionSigner, thumbprint_text};
use super::device_code::DeviceCodeConfig;
use super::interactive::InteractiveConfig;
use super::managed_identity::ManagedIdentityConfig;
use crate::secret::SecretString;

pub enum Credential {
    /// App-only with a client secret.
    ClientSecret {
        tenant: String,
        client_id: String,
        secret: SecretString,
    },
    /// App-only with a certificate: a loaded PFX/PEM (`CertificateSigner`) or an external
    /// signer (the C# layer signing with a key that stays in the Windows store).
    Certificate {
        tenant: String,
        client_id: String,
        signer: Arc<dyn AssertionSigner>,
        algorithm: AssertionAlgorithm,
    },
    /// Azure Automation / App Service managed identity.
    ManagedIdentity(ManagedIdentityConfig),
    /// Delegated, interactive; one sign-in mints both the Exchange and the Graph token.
    DeviceCode(DeviceCodeConfig),
    /// Delegated, in the system browser (auth code + PKCE); refreshes like `DeviceCode`.
    Interactive(InteractiveConfig),
    /// Tokens the caller already has, per resource; they cannot be refreshed.
    AccessTokens {
        exchange: Option<SecretString>,
        graph: Option<SecretString>,
    },
}

impl Credential {
    /// App-only credentials act as the app (EXO anchor = the system mailbox).
    pub fn is_app_only(&self) -> bool {
        matches!(
            self,
            Credential::ClientSecret { .. }
                | Credential::Certificate { .. }
                | Credential::ManagedIdentity(_)
        )
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ClientSecret { .. } => "client secret",
            Credential::Certificate { .. } => "certificate",
            Credential::ManagedIdentity(_) => "managed identity",
            Credential::DeviceCode(_) => "device code",
            Credential::Interactive(_) => "interactive",
            Credential::AccessTokens { .. } => "access token",
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::ClientSecret {
                tenant, client_id, ..
            } => f
                .debug_struct("ClientSecret")
                .field("tenant", tenant)
                .field("client_id", client_id)
                .field("secret", &"[REDACTED]")
                .finish(),
            Credential::Certificate {
                tenant,
                client_id,
                signer,
                algorithm,
            } => f
                .debug_struct("Certificate")
                .field("tenant", tenant)
                .field("client_id", client_id)
                .field("thumbprint", &thumbprint_text(signer.as_ref()))
                .field("algorithm", algorithm)
                .finish(),
            Credential::ManagedIdentity(c) => f.debug_tuple("ManagedIdentity").field(c).finish(),
            Credential::DeviceCode(c) => f.debug_tuple("DeviceCode").field(c).finish(),
            Credential::Interactive(c) => f.debug_tuple("Interactive").field(c).finish(),
            Credential::AccessTokens { exchange, graph } => f
                .debug_struct("AccessTokens")
                .field("exchange", &exchange.as_ref().map(|_| "[REDACTED]"))
                .field("graph", &graph.as_ref().map(|_| "[REDACTED]"))
                .finish(),
        }
    }
}
