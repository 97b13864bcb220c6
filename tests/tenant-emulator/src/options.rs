//! What a test (or the binary) can choose about the emulated tenant.

use std::time::Duration;

/// Options for [`crate::Emulator::start`]. Build with `..Default::default()` so new fields do not break callers.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    /// Serve HTTPS with the generated test CA (true) or plain HTTP (false).
    pub tls: bool,
    /// Seed for the generated users, devices and identifiers; the same seed gives the same tenant.
    pub seed: u64,
    /// Number of users (each with a mailbox). User 0 is the delegated admin, so at least one user exists.
    pub users: usize,
    /// Total ActiveSync partnerships; about 70% are "Outlook for iOS and Android".
    pub devices: usize,
    /// Server-side cap on items per InvokeCommand page (`Prefer: odata.maxpagesize` may ask for fewer).
    pub exo_page_size: usize,
    /// Added before every list page (Exchange and Graph).
    pub page_latency: Duration,
    /// Lifetime of issued access tokens (`expires_in`).
    pub token_lifetime: Duration,
    /// Tenant has Entra ID P1 (Conditional Access and sign-in logs answer 403 without it).
    /// Initial value; changeable at runtime through `/_emulator/settings`.
    pub premium: bool,
    /// Loopback port to bind; 0 picks a free one.
    pub port: u16,
    /// `interval` announced by the device code endpoint; polls faster than this get `slow_down`.
    pub device_code_interval: Duration,
    /// How long a device code stays valid (`expires_in`).
    pub device_code_lifetime: Duration,
    /// Server-side page size of Conditional Access policy lists (`$top` may ask for fewer); 1..999.
    pub ca_page_size: usize,
    /// Sign-in log requests per second per client app (token bucket, burst = the rate rounded
    /// up); 0 = unlimited. Changeable at runtime through `/_emulator/settings`.
    pub signin_rate_per_second: f64,
    /// Refuse `originalTransferMethod` in sign-in log `$filter` (400 `Request_UnsupportedQuery`).
    pub refuse_transfer_method_filter: bool,
    /// Several tenants in one process (each with its own seed, credentials and state; see
    /// `fleet.rs`). Empty: one tenant from `seed` and `premium` above, as before.
    pub tenants: Vec<crate::fleet::TenantOptions>,
    /// This tenant's app registrations are gone: client credentials requests answer
    /// AADSTS700016. Set per tenant through [`crate::fleet::TenantOptions::apps_removed`].
    pub apps_removed: bool,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            tls: true,
            seed: 1,
            users: 200,
            devices: 400,
            exo_page_size: 1000,
            page_latency: Duration::ZERO,
            token_lifetime: Duration::from_secs(3599),
            premium: true,
            port: 0,
            device_code_interval: Duration::from_secs(5),
            device_code_lifetime: Duration::from_secs(900),
            ca_page_size: 20,
            signin_rate_per_second: 5.0,
            refuse_transfer_method_filter: false,
            tenants: Vec::new(),
            apps_removed: false,
        }
    }
}
