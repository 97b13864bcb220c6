//! A local Microsoft 365 tenant for OutlookQrGuard's tests, benchmarks and demo: Entra ID token
//! endpoints (client secret, certificate assertion, device code, refresh, managed identity),
//! Exchange Online admin REST `InvokeCommand`, and Microsoft Graph users / revokeSignInSessions /
//! `$batch` / groups / Conditional Access policies / sign-in logs — validating requests as the
//! services do, with seeded data, deterministic fault injection and a journal of what it saw.
//! See README.md.

mod clock;
mod control;
mod credentials;
mod directory;
mod emulator;
mod entra;
mod error;
mod exchange;
mod fault_replies;
mod faults;
mod fleet;
mod graph;
mod http;
mod journal;
mod logs_ingestion;
mod options;
mod page_token;
mod rng;
mod router;
mod secret;
mod seed;
mod server;
mod settings;
mod state;
mod tenant;
mod throttle;
mod tls;

/// HTTP-date (`Fri, 14 Mar 2025 09:26:53 GMT`) for a `Retry-After` in a [`Fault::Throttle`].
pub use clock::http_date;
pub use credentials::{
    AppCredential, CertificateCredential, Credentials, ManagedIdentityCredential,
};
pub use emulator::Emulator;
pub use entra::authorize::NextOutcome;
pub use error::EmulatorError;
pub use faults::{EndpointClass, Fault, FaultPlan, FaultRule};
pub use fleet::{TenantOptions, TransferBlock};
pub use journal::{ConfigChange, Journal, PolicyWrite, RequestRecord, Revocation};
pub use options::EmulatorOptions;
pub use settings::{Settings, SettingsUpdate};

/// Well-known values clients need to talk to the emulator the way they talk to Microsoft 365.
pub mod well_known {
    /// Scope for app-only Exchange admin REST tokens.
    pub const EXCHANGE_SCOPE: &str = "https://outlook.office365.com/.default";
    /// Scope for app-only Graph tokens.
    pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
    /// Managed identity `resource` values.
    pub const EXCHANGE_RESOURCE: &str = "https://outlook.office365.com";
    pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
    /// `X-AnchorMailbox` local part for app-only Exchange calls (`UPN:SystemMailbox{…}@{domain}`).
    pub const APP_ONLY_ANCHOR_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    /// Logs Ingestion API: the seeded data collection rule's immutable id, its stream, the
    /// token scope Microsoft's client asks for (Azure.Monitor.Ingestion LogsIngestionAudience)
    /// and the request size limit.
    pub const LOGS_INGESTION_RULE_ID: &str = crate::logs_ingestion::RULE_ID;
    pub const LOGS_INGESTION_STREAM: &str = crate::logs_ingestion::STREAM;
    pub const MONITOR_SCOPE: &str = "https://monitor.azure.com//.default";
    pub const LOGS_INGESTION_MAX_BYTES: usize = crate::logs_ingestion::MAX_CALL_BYTES;
    pub const OUTLOOK_MOBILE_MODEL: &str = "Outlook for iOS and Android";
    /// appId of Outlook mobile in seeded sign-in events (UNCONFIRMED value, see the seed module).
    pub const OUTLOOK_MOBILE_APP_ID: &str = crate::seed::OUTLOOK_MOBILE_APP_ID;
}
