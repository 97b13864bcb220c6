//! What a client needs to talk to the emulated tenant. Debug output redacts every secret.

use std::fmt;

use serde::{Deserialize, Serialize};

const REDACTED: &str = "<redacted>";

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub tenant_id: String,
    pub tenant_domain: String,
    /// A verified custom domain of the tenant (Entra accepts it; Exchange pages break on it).
    pub tenant_vanity_domain: String,
    pub organization_name: String,
    /// Client secret app: Exchange.ManageAsApp + Exchange Administrator, Graph User.Read.All,
    /// User.RevokeSessions.All, Policy.Read.All, Policy.ReadWrite.ConditionalAccess,
    /// AuditLog.Read.All, Group.Read.All.
    pub secret_app: AppCredential,
    /// Certificate app with the same permissions.
    pub certificate_app: CertificateCredential,
    /// Same permissions, but its registered certificate has expired.
    pub expired_certificate_app: CertificateCredential,
    /// Gets tokens, but has no Exchange role and no Graph application permissions.
    pub no_role_app: AppCredential,
    /// Exchange.ManageAsApp + Exchange Administrator, Graph User.Read.All and
    /// User.RevokeSessions.All only: no Policy.*, AuditLog.* or Group.* permission.
    pub exchange_only_app: AppCredential,
    /// Like the secret app but without Policy.ReadWrite.ConditionalAccess (reads CA, cannot write).
    pub policy_reader_app: AppCredential,
    /// Exchange as the secret app, Graph User.RevokeSessions.All only (cannot read users).
    pub revoke_only_app: AppCredential,
    /// Exchange.ManageAsApp and no Entra role; its Exchange roles (Organization Configuration,
    /// Mail Recipients) are assigned in Exchange (RBAC for applications). Graph as the
    /// Exchange-only app.
    pub exchange_rbac_app: AppCredential,
    /// Exchange.ManageAsApp, but no Entra role and no Exchange role assignment: Exchange answers 403.
    pub exchange_unassigned_app: AppCredential,
    /// Exchange.ManageAsApp, no Entra role, read-only Exchange roles (View-Only Configuration,
    /// View-Only Recipients): reads work, Set-OrganizationConfig is unknown to it.
    pub exchange_rbac_reader_app: AppCredential,
    /// Exchange.ManageAsApp, no Entra role, Organization Configuration only: the prompt works,
    /// Get-CASMailbox is unknown to it (the OWA mailbox policy layer cannot be counted).
    pub exchange_config_only_app: AppCredential,
    pub managed_identity: ManagedIdentityCredential,
    /// Public client for the device code flow (delegated tokens with `scp`).
    pub public_client_id: String,
    /// Delegated admin (Global Administrator) who can approve device codes.
    pub admin_upn: String,
    /// The password of every seeded user (the admin included) on the `/authorize` sign-in page.
    #[serde(default)]
    pub user_password: String,
    /// Value for the `X-Emulator-Control-Key` header of the `/_emulator` API.
    pub control_key: String,
    /// The seeded data collection rule's immutable id and stream (Logs Ingestion API at the
    /// emulator's base URL).
    pub logs_ingestion_rule_id: String,
    pub logs_ingestion_stream: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("tenant_id", &self.tenant_id)
            .field("tenant_domain", &self.tenant_domain)
            .field("tenant_vanity_domain", &self.tenant_vanity_domain)
            .field("organization_name", &self.organization_name)
            .field("secret_app", &self.secret_app)
            .field("certificate_app", &self.certificate_app)
            .field("expired_certificate_app", &self.expired_certificate_app)
            .field("no_role_app", &self.no_role_app)
            .field("exchange_only_app", &self.exchange_only_app)
            .field("policy_reader_app", &self.policy_reader_app)
            .field("revoke_only_app", &self.revoke_only_app)
            .field("exchange_rbac_app", &self.exchange_rbac_app)
            .field("exchange_unassigned_app", &self.exchange_unassigned_app)
            .field("exchange_rbac_reader_app", &self.exchange_rbac_reader_app)
            .field("exchange_config_only_app", &self.exchange_config_only_app)
            .field("managed_identity", &self.managed_identity)
            .field("public_client_id", &self.public_client_id)
            .field("admin_upn", &self.admin_upn)
            .field("user_password", &REDACTED)
            .field("control_key", &REDACTED)
            .field("logs_ingestion_rule_id", &self.logs_ingestion_rule_id)
            .finish()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppCredential {
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for AppCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredential")
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .finish()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateCredential {
    pub client_id: String,
    /// The registered (self-signed, RSA 2048) certificate, PEM.
    pub certificate_pem: String,
    /// Its private key, PKCS#8 PEM.
    pub private_key_pem: String,
    /// PKCS#12 (PBES2/AES-256, HMAC-SHA256 MAC) holding key and certificate, base64.
    pub pfx_base64: String,
    pub pfx_password: String,
    /// SHA-1 of the certificate DER, upper-case hex (what admins call the thumbprint).
    pub thumbprint_sha1_hex: String,
}

impl fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("client_id", &self.client_id)
            .field("thumbprint_sha1_hex", &self.thumbprint_sha1_hex)
            .field("certificate_pem", &"<certificate>")
            .field("private_key_pem", &REDACTED)
            .field("pfx_base64", &REDACTED)
            .field("pfx_password", &REDACTED)
            .finish()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentityCredential {
    /// `IDENTITY_ENDPOINT` (base URL + `/msi/token`).
    pub identity_endpoint: String,
    /// `IDENTITY_HEADER`, sent back as `X-IDENTITY-HEADER`.
    pub identity_header: String,
    pub system_assigned_client_id: String,
    pub system_assigned_principal_id: String,
    pub user_assigned_client_id: String,
    pub user_assigned_principal_id: String,
    /// ARM resource id of the user-assigned identity (for `mi_res_id`).
    pub user_assigned_resource_id: String,
}

impl fmt::Debug for ManagedIdentityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedIdentityCredential")
            .field("identity_endpoint", &self.identity_endpoint)
            .field("identity_header", &REDACTED)
            .field("system_assigned_client_id", &self.system_assigned_client_id)
            .field("user_assigned_client_id", &self.user_assigned_client_id)
            .finish_non_exhaustive()
    }
}

/// What the running emulator hands to clients.
pub(crate) fn from_state(state: &crate::state::State) -> Credentials {
    use crate::directory::{App, AppCredentialKind, pfx_base64};
    let dir = &state.directory;
    let app = |a: &App| AppCredential {
        client_id: a.client_id.to_string(),
        client_secret: match &a.credential {
            AppCredentialKind::Secret(s) => s.clone(),
            _ => String::new(),
        },
    };
    let cert = |a: &App| match &a.credential {
        AppCredentialKind::Certificate(c) => CertificateCredential {
            client_id: a.client_id.to_string(),
            certificate_pem: c.pem.clone(),
            private_key_pem: c.private_key_pem.clone(),
            pfx_base64: pfx_base64(c),
            pfx_password: c.pfx_password.clone(),
            thumbprint_sha1_hex: c.thumbprint_hex(),
        },
        _ => CertificateCredential {
            client_id: a.client_id.to_string(),
            certificate_pem: String::new(),
            private_key_pem: String::new(),
            pfx_base64: String::new(),
            pfx_password: String::new(),
            thumbprint_sha1_hex: String::new(),
        },
    };
    Credentials {
        tenant_id: state.tenant.id.to_string(),
        tenant_domain: state.tenant.domain.clone(),
        tenant_vanity_domain: state.tenant.vanity_domain.clone(),
        organization_name: state.tenant.organization_name.clone(),
        secret_app: app(&dir.secret_app),
        certificate_app: cert(&dir.certificate_app),
        expired_certificate_app: cert(&dir.expired_certificate_app),
        no_role_app: app(&dir.no_role_app),
        exchange_only_app: app(&dir.exchange_only_app),
        policy_reader_app: app(&dir.policy_reader_app),
        revoke_only_app: app(&dir.revoke_only_app),
        exchange_rbac_app: app(&dir.exchange_rbac_app),
        exchange_unassigned_app: app(&dir.exchange_unassigned_app),
        exchange_rbac_reader_app: app(&dir.exchange_rbac_reader_app),
        exchange_config_only_app: app(&dir.exchange_config_only_app),
        managed_identity: ManagedIdentityCredential {
            identity_endpoint: format!("{}/msi/token", state.base_url),
            identity_header: dir.identity_header.clone(),
            system_assigned_client_id: dir.system_identity.client_id.to_string(),
            system_assigned_principal_id: dir.system_identity.principal_id.to_string(),
            user_assigned_client_id: dir.user_identity.client_id.to_string(),
            user_assigned_principal_id: dir.user_identity.principal_id.to_string(),
            user_assigned_resource_id: dir.user_identity_resource_id.clone(),
        },
        public_client_id: dir.public_client.client_id.to_string(),
        admin_upn: state
            .data
            .users
            .first()
            .map(|u| u.user_principal_name.clone())
            .unwrap_or_default(),
        control_key: dir.control_key.clone(),
        logs_ingestion_rule_id: crate::logs_ingestion::RULE_ID.to_owned(),
        logs_ingestion_stream: crate::logs_ingestion::STREAM.to_owned(),
        user_password: dir.user_password.clone(),
    }
}
