//! The tenant's directory objects other than users: resources, app registrations with their
//! credentials and permissions, managed identities, and the admin roles that matter here.

use base64::Engine;
use p12_keystore::{
    Certificate as P12Certificate, KeyStore, KeyStoreEntry, PrivateKey as P12PrivateKey,
    PrivateKeyChain,
};
use rcgen::{CertificateParams, DnType, KeyPair};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::RsaKeyPair;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::EmulatorError;
use crate::rng::SeededRng;

/// Test-only RSA keys (generated once with openssl; they protect nothing real). Embedded because
/// RSA key generation is slow in debug builds and ring cannot generate RSA keys.
const CERTIFICATE_APP_KEY: &str = include_str!("../keys/certificate-app.pem");
const EXPIRED_CERTIFICATE_APP_KEY: &str = include_str!("../keys/expired-certificate-app.pem");

pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const EXCHANGE_MANAGE_AS_APP: &str = "Exchange.ManageAsApp";

/// Entra role template ids (the `wids` claim).
pub mod roles {
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const EXCHANGE_ADMINISTRATOR: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str =
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    /// Present on every app-only token.
    pub const DEFAULT_APPLICATION: &str = "0997a1d0-0d1d-4acb-b408-d5ca73121e90";
    /// Present on every member user's token.
    pub const DEFAULT_USER: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";
}

const GRAPH_APP_ROLES: &[&str] = &[
    "User.Read.All",
    "User.RevokeSessions.All",
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "AuditLog.Read.All",
    "Group.Read.All",
];
/// The "caller lacks Policy.Read.All" app: Exchange and user revocation only.
const EXCHANGE_ONLY_GRAPH_ROLES: &[&str] = &["User.Read.All", "User.RevokeSessions.All"];
/// Can revoke sessions but not read users (so it cannot check a lost revocation).
const REVOKE_ONLY_GRAPH_ROLES: &[&str] = &["User.RevokeSessions.All"];
/// Reads Conditional Access, sign-in logs and groups, but cannot write policies.
const POLICY_READER_GRAPH_ROLES: &[&str] = &[
    "User.Read.All",
    "User.RevokeSessions.All",
    "Policy.Read.All",
    "AuditLog.Read.All",
    "Group.Read.All",
];

/// Delegated permissions the tenant consented to for the public client.
const GRAPH_DELEGATED: &[&str] = &[
    "User.Read",
    "User.Read.All",
    "User.RevokeSessions.All",
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "AuditLog.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
];
const EXCHANGE_DELEGATED: &[&str] = &["Exchange.Manage"];
/// Azure Monitor's one delegated permission (azure-sdk-for-python azure-monitor-ingestion
/// `_configuration.py`: `credential_scopes` default `["user_impersonation"]`).
const MONITOR_DELEGATED: &[&str] = &["user_impersonation"];
/// UNCONFIRMED: Azure Monitor's first-party application id; only the resource URI is
/// documented (logs-ingestion-api-overview.md, Authorization header). A placeholder GUID that
/// no client sends.
const MONITOR_APP_ID: &str = "00000000-0000-0000-0000-00000000a40d";

/// A protected API a token can be issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Exchange,
    Graph,
    /// Azure Monitor (the Logs Ingestion API): access is Azure RBAC on the DCR, not app roles.
    Monitor,
}

impl Resource {
    pub const ALL: [Resource; 3] = [Resource::Exchange, Resource::Graph, Resource::Monitor];

    /// The resource URI, which is also the `aud` of tokens for it.
    pub fn uri(self) -> &'static str {
        match self {
            Resource::Exchange => "https://outlook.office365.com",
            Resource::Graph => "https://graph.microsoft.com",
            // logs-ingestion-api-overview.md: token audience `https://monitor.azure.com`.
            Resource::Monitor => "https://monitor.azure.com",
        }
    }

    pub fn app_id(self) -> &'static str {
        match self {
            Resource::Exchange => EXCHANGE_APP_ID,
            Resource::Graph => GRAPH_APP_ID,
            Resource::Monitor => MONITOR_APP_ID,
        }
    }

    /// Resource URI (with or without trailing slash, any case) or application id.
    pub fn from_identifier(s: &str) -> Option<Self> {
        let s = s.trim_end_matches('/');
        Self::ALL
            .into_iter()
            .find(|r| s.eq_ignore_ascii_case(r.uri()) || s.eq_ignore_ascii_case(r.app_id()))
    }

    pub fn delegated_consented(self) -> &'static [&'static str] {
        match self {
            Resource::Exchange => EXCHANGE_DELEGATED,
            Resource::Graph => GRAPH_DELEGATED,
            Resource::Monitor => MONITOR_DELEGATED,
        }
    }
}

/// A certificate registered on an app (keyCredentials).
pub struct RegisteredCertificate {
    pub sha1: Vec<u8>,
    pub sha256: Vec<u8>,
    /// PKCS#1 RSAPublicKey, what ring verifies against.
    pub public_key: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub pem: String,
    pub private_key_pem: String,
    pub pfx: Vec<u8>,
    pub pfx_password: String,
}

impl RegisteredCertificate {
    pub fn thumbprint_hex(&self) -> String {
        hex::encode_upper(&self.sha1)
    }
}

pub enum AppCredentialKind {
    Secret(String),
    Certificate(RegisteredCertificate),
    /// Public client: no credential, device code flow only.
    Public,
    /// Managed identity: tokens only through `/msi/token`.
    ManagedIdentity,
}

pub struct App {
    pub client_id: Uuid,
    /// Object id of the app's service principal (the `oid` of its app-only tokens).
    pub principal_id: Uuid,
    pub display_name: &'static str,
    pub credential: AppCredentialKind,
    pub exchange_roles: &'static [&'static str],
    pub graph_roles: &'static [&'static str],
    /// Entra directory roles assigned to the service principal.
    pub wids: &'static [&'static str],
    /// Exchange management roles assigned in Exchange itself to the app's service principal
    /// (RBAC for applications: `New-ServicePrincipal`, then `Add-RoleGroupMember` or
    /// `New-ManagementRoleAssignment -App`); these authorise app-only InvokeCommand calls without
    /// any Entra role (Microsoft, app-only-auth-powershell-v2.md, Step 5). Names as in
    /// `crate::exchange::rbac`.
    pub exchange_management_roles: &'static [&'static str],
}

impl App {
    pub fn roles_for(&self, resource: Resource) -> &'static [&'static str] {
        match resource {
            Resource::Exchange => self.exchange_roles,
            Resource::Graph => self.graph_roles,
            Resource::Monitor => &[],
        }
    }

    pub fn is_public(&self) -> bool {
        matches!(self.credential, AppCredentialKind::Public)
    }
}

pub struct Directory {
    pub secret_app: App,
    pub certificate_app: App,
    pub expired_certificate_app: App,
    pub no_role_app: App,
    pub public_client: App,
    pub system_identity: App,
    pub user_identity: App,
    pub exchange_only_app: App,
    pub policy_reader_app: App,
    pub revoke_only_app: App,
    /// Exchange.ManageAsApp, no Entra role, Exchange roles assigned in Exchange (RBAC for
    /// applications): authorised.
    pub exchange_rbac_app: App,
    /// Exchange.ManageAsApp, but neither an Entra role nor an Exchange role assignment: 403.
    pub exchange_unassigned_app: App,
    /// Exchange.ManageAsApp, no Entra role, read-only Exchange roles (View-Only Configuration,
    /// View-Only Recipients): Set-OrganizationConfig is not visible to it.
    pub exchange_rbac_reader_app: App,
    /// Exchange.ManageAsApp, no Entra role, Organization Configuration only: the prompt can be
    /// read and set, Get-CASMailbox (a recipients cmdlet) is unknown to it, so the OWA mailbox
    /// policy layer cannot be counted.
    pub exchange_config_only_app: App,
    pub user_identity_resource_id: String,
    pub identity_header: String,
    pub control_key: String,
    /// The password of every seeded user on the sign-in page (`/authorize`).
    pub user_password: String,
}

const FULL_WIDS: &[&str] = &[roles::DEFAULT_APPLICATION, roles::EXCHANGE_ADMINISTRATOR];
const DEFAULT_WIDS: &[&str] = &[roles::DEFAULT_APPLICATION];
const FULL_EXCHANGE: &[&str] = &[EXCHANGE_MANAGE_AS_APP];
/// What an admin following RBAC for applications assigns for this module: reading and setting
/// the organization configuration, reading mobile devices and mailboxes.
const EXCHANGE_RBAC_APP_ROLES: &[&str] = &[
    crate::exchange::rbac::ORGANIZATION_CONFIGURATION,
    crate::exchange::rbac::MAIL_RECIPIENTS,
];
const EXCHANGE_RBAC_READER_ROLES: &[&str] = &[
    crate::exchange::rbac::VIEW_ONLY_CONFIGURATION,
    crate::exchange::rbac::VIEW_ONLY_RECIPIENTS,
];
const EXCHANGE_CONFIG_ONLY_ROLES: &[&str] = &[crate::exchange::rbac::ORGANIZATION_CONFIGURATION];

impl Directory {
    pub fn create(seed: u64) -> Result<Self, EmulatorError> {
        let mut ids = SeededRng::for_item(seed, 0xA995, 0);
        let random = SystemRandom::new();
        let full = |ids: &mut SeededRng, name: &'static str, credential| App {
            client_id: ids.guid(),
            principal_id: ids.guid(),
            display_name: name,
            credential,
            exchange_roles: FULL_EXCHANGE,
            graph_roles: GRAPH_APP_ROLES,
            wids: FULL_WIDS,
            exchange_management_roles: &[],
        };
        let now = OffsetDateTime::now_utc();
        let secret_app = full(
            &mut ids,
            "OutlookQrGuard (secret)",
            AppCredentialKind::Secret(client_secret(&random)?),
        );
        let certificate = make_certificate(
            CERTIFICATE_APP_KEY,
            "CN=OutlookQrGuard Emulator App",
            now - Duration::days(1),
            now + Duration::days(365),
            &random,
        )?;
        let certificate_app = full(
            &mut ids,
            "OutlookQrGuard (certificate)",
            AppCredentialKind::Certificate(certificate),
        );
        let expired = make_certificate(
            EXPIRED_CERTIFICATE_APP_KEY,
            "CN=OutlookQrGuard Emulator App (expired)",
            now - Duration::days(400),
            now - Duration::days(35),
            &random,
        )?;
        let expired_certificate_app = full(
            &mut ids,
            "OutlookQrGuard (expired certificate)",
            AppCredentialKind::Certificate(expired),
        );
        let no_role_app = App {
            client_id: ids.guid(),
            principal_id: ids.guid(),
            display_name: "Unprivileged app",
            credential: AppCredentialKind::Secret(client_secret(&random)?),
            exchange_roles: &[],
            graph_roles: &[],
            wids: DEFAULT_WIDS,
            exchange_management_roles: &[],
        };
        let public_client = App {
            client_id: ids.guid(),
            principal_id: ids.guid(),
            display_name: "OutlookQrGuard (public client)",
            credential: AppCredentialKind::Public,
            exchange_roles: &[],
            graph_roles: &[],
            wids: &[],
            exchange_management_roles: &[],
        };
        let system_identity = full(
            &mut ids,
            "automation-account",
            AppCredentialKind::ManagedIdentity,
        );
        let user_identity = full(
            &mut ids,
            "uami-outlookqrguard",
            AppCredentialKind::ManagedIdentity,
        );
        let user_identity_resource_id = format!(
            "/subscriptions/{}/resourceGroups/rg-outlookqrguard/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-outlookqrguard",
            ids.guid()
        );
        // Created after every older object so their seeded ids stay what they were.
        let exchange_only_app = App {
            graph_roles: EXCHANGE_ONLY_GRAPH_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (Exchange only)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let policy_reader_app = App {
            graph_roles: POLICY_READER_GRAPH_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (policy reader)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let revoke_only_app = App {
            graph_roles: REVOKE_ONLY_GRAPH_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (revoke only)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let exchange_rbac_app = App {
            graph_roles: EXCHANGE_ONLY_GRAPH_ROLES,
            wids: DEFAULT_WIDS,
            exchange_management_roles: EXCHANGE_RBAC_APP_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (Exchange RBAC for applications)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let exchange_unassigned_app = App {
            graph_roles: EXCHANGE_ONLY_GRAPH_ROLES,
            wids: DEFAULT_WIDS,
            ..full(
                &mut ids,
                "OutlookQrGuard (no Exchange role)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let exchange_rbac_reader_app = App {
            graph_roles: EXCHANGE_ONLY_GRAPH_ROLES,
            wids: DEFAULT_WIDS,
            exchange_management_roles: EXCHANGE_RBAC_READER_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (Exchange RBAC, read only)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        let exchange_config_only_app = App {
            graph_roles: EXCHANGE_ONLY_GRAPH_ROLES,
            wids: DEFAULT_WIDS,
            exchange_management_roles: EXCHANGE_CONFIG_ONLY_ROLES,
            ..full(
                &mut ids,
                "OutlookQrGuard (Exchange RBAC, configuration only)",
                AppCredentialKind::Secret(client_secret(&random)?),
            )
        };
        Ok(Self {
            secret_app,
            certificate_app,
            expired_certificate_app,
            no_role_app,
            public_client,
            system_identity,
            user_identity,
            exchange_only_app,
            policy_reader_app,
            revoke_only_app,
            exchange_rbac_app,
            exchange_unassigned_app,
            exchange_rbac_reader_app,
            exchange_config_only_app,
            user_identity_resource_id,
            identity_header: random_text(&random, 40, ALNUM)?,
            control_key: random_text(&random, 40, ALNUM)?,
            user_password: random_text(&random, 20, ALNUM)?,
        })
    }

    /// App registrations that can be named as `client_id` at the token endpoint.
    pub fn registered_apps(&self) -> [&App; 12] {
        [
            &self.secret_app,
            &self.certificate_app,
            &self.expired_certificate_app,
            &self.no_role_app,
            &self.public_client,
            &self.exchange_only_app,
            &self.policy_reader_app,
            &self.revoke_only_app,
            &self.exchange_rbac_app,
            &self.exchange_unassigned_app,
            &self.exchange_rbac_reader_app,
            &self.exchange_config_only_app,
        ]
    }

    /// Every service principal that can hold a token: the registrations and the managed
    /// identities.
    pub fn any_principal(&self, client_id: &str) -> Option<&App> {
        let id = Uuid::parse_str(client_id.trim()).ok()?;
        self.registered_apps()
            .into_iter()
            .chain([&self.system_identity, &self.user_identity])
            .find(|a| a.client_id == id)
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        let id = Uuid::parse_str(client_id.trim()).ok()?;
        self.registered_apps()
            .into_iter()
            .find(|a| a.client_id == id)
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";

pub fn random_text(
    random: &SystemRandom,
    len: usize,
    alphabet: &[u8],
) -> Result<String, EmulatorError> {
    let mut bytes = vec![0u8; len];
    random
        .fill(&mut bytes)
        .map_err(|_| EmulatorError::Key("system randomness unavailable".into()))?;
    Ok(bytes
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect())
}

/// Shaped like Entra secrets: three characters, `8Q~`, then 34 more.
fn client_secret(random: &SystemRandom) -> Result<String, EmulatorError> {
    Ok(format!(
        "{}8Q~{}",
        random_text(random, 3, ALNUM)?,
        random_text(random, 34, SECRET_CHARS)?
    ))
}

fn make_certificate(
    key_pem: &str,
    subject: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    random: &SystemRandom,
) -> Result<RegisteredCertificate, EmulatorError> {
    let key_err = |e: String| EmulatorError::Key(e);
    let key_der = pem::parse(key_pem)
        .map_err(|e| key_err(e.to_string()))?
        .into_contents();
    let ring_key = RsaKeyPair::from_pkcs8(&key_der).map_err(|e| key_err(e.to_string()))?;
    let key_pair = KeyPair::from_pkcs8_pem_and_sign_algo(key_pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| key_err(e.to_string()))?;
    let mut params = CertificateParams::new(Vec::<String>::new())
        .map_err(|e| EmulatorError::Certificates(e.to_string()))?;
    params
        .distinguished_name
        .push(DnType::CommonName, subject.trim_start_matches("CN="));
    params.not_before = not_before;
    params.not_after = not_after;
    let cert = params
        .self_signed(&key_pair)
        .map_err(|e| EmulatorError::Certificates(e.to_string()))?;
    let der = cert.der().to_vec();
    let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der)
        .as_ref()
        .to_vec();
    let pfx_password = random_text(random, 20, ALNUM)?;
    let pfx = write_pfx(&key_der, &der, &sha1, &pfx_password)?;
    Ok(RegisteredCertificate {
        sha256: digest::digest(&digest::SHA256, &der).as_ref().to_vec(),
        sha1,
        public_key: ring_key.public().as_ref().to_vec(),
        not_before: not_before.unix_timestamp(),
        not_after: not_after.unix_timestamp(),
        pem: cert.pem(),
        private_key_pem: key_pem.to_owned(),
        pfx,
        pfx_password,
    })
}

fn write_pfx(
    key_der: &[u8],
    cert_der: &[u8],
    key_id: &[u8],
    password: &str,
) -> Result<Vec<u8>, EmulatorError> {
    let err = |e: p12_keystore::error::Error| EmulatorError::Certificates(format!("PKCS#12: {e}"));
    let key = P12PrivateKey::from_der(key_der).map_err(err)?;
    let cert = P12Certificate::from_der(cert_der).map_err(err)?;
    let mut store = KeyStore::new();
    store.add_entry(
        "outlookqrguard-emulator",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(key_id, key, [cert])),
    );
    store.writer(password).write().map_err(err)
}

pub fn pfx_base64(cert: &RegisteredCertificate) -> String {
    base64::engine::general_purpose::STANDARD.encode(&cert.pfx)
}
