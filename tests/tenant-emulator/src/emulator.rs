//! The public handle: start, inspect, steer and stop an emulated tenant.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64};

use parking_lot::Mutex;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::clock;
use crate::credentials::{self, Credentials};
use crate::directory::Directory;
use crate::entra::device_code;
use crate::entra::jwt::TokenSigner;
use crate::error::EmulatorError;
use crate::exchange::mobile_device;
use crate::exchange::org_config::OrgConfig;
use crate::faults::{FaultEngine, FaultPlan};
use crate::fleet::{TenantOptions, Tenants};
use crate::graph::conditional_access::PolicyStore;
use crate::graph::{groups, signins};
use crate::journal::Journal;
use crate::options::EmulatorOptions;
use crate::page_token::PageTokenKey;
use crate::seed::SeedData;
use crate::settings::{Settings, SettingsUpdate};
use crate::state::State;
use crate::tenant::Tenant;
use crate::{server, tls};

/// A running emulated tenant on 127.0.0.1. Dropping it without [`Emulator::shutdown`] stops
/// accepting connections too (the server task ends when the handle's channel closes).
pub struct Emulator {
    /// Tenant 0: what the single-tenant methods below work on.
    state: Arc<State>,
    tenants: Arc<Tenants>,
    ca_pem: String,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl Emulator {
    /// Generates the tenant and starts serving. Binds `127.0.0.1:{options.port}` (0 = free port).
    pub async fn start(options: EmulatorOptions) -> Result<Emulator, EmulatorError> {
        if options.ca_page_size == 0 || options.ca_page_size > 999 {
            return Err(EmulatorError::InvalidOptions(
                "ca_page_size must be between 1 and 999".into(),
            ));
        }
        if !options.signin_rate_per_second.is_finite() || options.signin_rate_per_second < 0.0 {
            return Err(EmulatorError::InvalidOptions(
                "signin_rate_per_second must be >= 0 (0 = unlimited)".into(),
            ));
        }
        if options.exo_page_size == 0 {
            return Err(EmulatorError::InvalidOptions(
                "exo_page_size must be at least 1".into(),
            ));
        }
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|source| EmulatorError::Bind {
                port: options.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                port: options.port,
                source,
            })?
            .port();
        let scheme = if options.tls { "https" } else { "http" };
        let base_url = format!("{scheme}://127.0.0.1:{port}");

        let want_tls = options.tls;
        let pki_job = tokio::task::spawn_blocking(move || -> Result<_, EmulatorError> {
            if want_tls {
                Ok(Some(tls::build()?))
            } else {
                Ok(None)
            }
        });
        // Tenants are seeded side by side; each gets its own state (no lock shared between them).
        let mut jobs = Vec::new();
        for (index, tenant_options) in tenant_list(&options).into_iter().enumerate() {
            jobs.push(tokio::spawn(build_state(
                tenant_options,
                base_url.clone(),
                index,
            )));
        }
        let joined = |e: tokio::task::JoinError| {
            EmulatorError::InvalidOptions(format!("start-up task failed: {e}"))
        };
        let mut states = Vec::with_capacity(jobs.len());
        for job in jobs {
            states.push(Arc::new(job.await.map_err(joined)??));
        }
        let pki = pki_job.await.map_err(joined)??;
        let tenants = Arc::new(Tenants::new(states));
        let state = Arc::clone(tenants.first());
        let (ca_pem, acceptor) = match pki {
            Some(pki) => (pki.ca_pem, Some(TlsAcceptor::from(pki.server_config))),
            None => (String::new(), None),
        };
        let (shutdown, receiver) = watch::channel(false);
        let server = tokio::spawn(server::serve(
            listener,
            acceptor,
            Arc::clone(&tenants),
            receiver,
        ));
        Ok(Emulator {
            state,
            tenants,
            ca_pem,
            shutdown,
            server,
        })
    }

    /// `https://127.0.0.1:PORT` (or `http://` without TLS), no trailing slash.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// PEM of the generated test CA the server certificate chains to (empty without TLS).
    pub fn ca_certificate_pem(&self) -> String {
        self.ca_pem.clone()
    }

    pub fn credentials(&self) -> Credentials {
        credentials::from_state(&self.state)
    }

    /// How many tenants this process serves (1 unless `EmulatorOptions::tenants` asked for more).
    pub fn tenant_count(&self) -> usize {
        self.tenants.len()
    }

    /// Tenant `index`'s credentials (its own apps, control key and managed identity).
    pub fn tenant_credentials(&self, index: usize) -> Option<Credentials> {
        self.tenants.get(index).map(|s| credentials::from_state(s))
    }

    /// Replaces tenant `index`'s fault plan (the other tenants keep theirs).
    pub fn tenant_set_faults(&self, index: usize, plan: FaultPlan) -> bool {
        self.tenants
            .get(index)
            .map(|s| s.faults.lock().replace(plan))
            .is_some()
    }

    /// What tenant `index` saw.
    pub fn tenant_journal(&self, index: usize) -> Option<Journal> {
        self.tenants.get(index).map(|s| s.journal.lock().clone())
    }

    /// Tenant `index`'s Conditional Access policies, as Graph returns them.
    pub fn tenant_conditional_access_policies(
        &self,
        index: usize,
    ) -> Option<Vec<serde_json::Value>> {
        self.tenants
            .get(index)
            .map(|s| s.policies.lock().rendered())
    }

    /// Replaces the fault plan; request counters restart for the new plan.
    pub fn set_faults(&self, plan: FaultPlan) {
        self.state.faults.lock().replace(plan);
    }

    /// Every access token issued so far is rejected as expired from now on.
    pub fn expire_all_tokens(&self) {
        self.state.expire_all_tokens();
    }

    /// The user signs in at the verification page with this code and consents.
    pub fn approve_device_code(&self, user_code: &str, user_principal_name: &str) -> bool {
        device_code::approve(&self.state, user_code, user_principal_name)
    }

    pub fn deny_device_code(&self, user_code: &str) -> bool {
        device_code::deny(&self.state, user_code)
    }

    /// Makes a device code expire now instead of after `expires_in`.
    pub fn expire_device_code(&self, user_code: &str) -> bool {
        device_code::expire(&self.state, user_code)
    }

    /// The next sign-in on the `/authorize` page ends in this error instead of a code (`None`
    /// clears it).
    pub fn set_next_sign_in_outcome(&self, outcome: Option<crate::NextOutcome>) {
        self.state.authorize.lock().next_outcome = outcome;
    }

    /// Every authorization code issued so far expires now.
    pub fn expire_authorization_codes(&self) {
        crate::entra::auth_code::expire_all(&self.state);
    }

    pub fn journal(&self) -> Journal {
        self.state.journal.lock().clone()
    }

    pub fn reset_journal(&self) {
        *self.state.journal.lock() = Journal::default();
    }

    /// Every seeded device as Get-MobileDevice renders it, in service order; optionally only
    /// those whose DeviceModel equals `model_filter` (case-insensitive).
    pub fn seeded_devices_json(&self, model_filter: Option<&str>) -> Vec<serde_json::Value> {
        mobile_device::seeded_devices_json(&self.state, model_filter)
    }

    /// Number of seeded users and devices.
    pub fn seeded_counts(&self) -> (usize, usize) {
        (self.state.data.users.len(), self.state.data.devices.len())
    }

    /// The runtime settings (licence, filter refusal, sign-in rate, CA page size).
    pub fn settings(&self) -> Settings {
        self.state.settings()
    }

    /// Applies any subset of the settings (as `POST /_emulator/settings` does).
    pub fn update_settings(&self, update: SettingsUpdate) -> Result<Settings, EmulatorError> {
        apply_settings(&self.state, update).map_err(EmulatorError::InvalidOptions)
    }

    /// Every stored Conditional Access policy, as Graph returns them.
    pub fn conditional_access_policies(&self) -> Vec<serde_json::Value> {
        self.state.policies.lock().rendered()
    }

    /// Stores a policy as given, without validation (an admin made it elsewhere); returns it with its id.
    pub fn insert_conditional_access_policy(
        &self,
        policy: serde_json::Map<String, serde_json::Value>,
    ) -> serde_json::Value {
        self.state.policies.lock().insert_verbatim(policy)
    }

    /// Moves a policy's creation and changes `days` into the past (see `PolicyStore::backdate`):
    /// the seeded sign-ins in that span are then evaluated against it. False: no such policy.
    pub fn backdate_conditional_access_policy(&self, id: &str, days: i64) -> bool {
        self.state.policies.lock().backdate(id, days * 86_400)
    }

    /// Back to the seeded policies.
    pub fn reset_conditional_access(&self) {
        self.state.policies.lock().reset();
    }

    /// Every seeded sign-in event (beta shape, newest first).
    pub fn seeded_signins_json(&self) -> Vec<serde_json::Value> {
        signins::seeded_signins_json(&self.state)
    }

    /// The seeded groups: `{id, displayName, members: [userId…]}`.
    pub fn seeded_groups_json(&self) -> Vec<serde_json::Value> {
        groups::seeded_groups_json(&self.state)
    }

    /// Every call the Logs Ingestion API accepted (rows included), oldest first.
    pub fn logs_ingested(&self) -> Vec<crate::logs_ingestion::IngestedCall> {
        self.state.logs_ingestion.lock().calls.clone()
    }

    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}

/// The tenants to start: `options.tenants`, or one tenant from `options` itself. Each gets the
/// shared options (users, devices, page sizes…) with its own seed, licence and app state.
fn tenant_list(options: &EmulatorOptions) -> Vec<(EmulatorOptions, TenantOptions)> {
    let list = if options.tenants.is_empty() {
        vec![TenantOptions {
            seed: Some(options.seed),
            premium: options.premium,
            apps_removed: options.apps_removed,
            ..TenantOptions::default()
        }]
    } else {
        options.tenants.clone()
    };
    list.into_iter()
        .enumerate()
        .map(|(index, t)| {
            let own = EmulatorOptions {
                seed: t.seed.unwrap_or(options.seed.wrapping_add(index as u64)),
                premium: t.premium,
                apps_removed: t.apps_removed,
                tenants: Vec::new(),
                ..options.clone()
            };
            (own, t)
        })
        .collect()
}

/// One tenant's state: seeded data, directory, signer, and its starting prompt and policies.
async fn build_state(
    (options, tenant_options): (EmulatorOptions, TenantOptions),
    base_url: String,
    index: usize,
) -> Result<State, EmulatorError> {
    let tenant = Tenant::numbered(options.seed, index);
    // Seeding and certificate work are CPU-bound; run them side by side off the async threads.
    let seed_job = {
        let tenant = tenant.clone();
        let (seed, users, devices) = (options.seed, options.users, options.devices);
        let block = tenant_options.transfer_block;
        let anchor = clock::now_unix();
        tokio::task::spawn_blocking(move || {
            let data = SeedData::generate(seed, users, devices, &tenant, anchor);
            let policies = PolicyStore::seeded_with_transfer_block(&data, seed, anchor, block);
            (data, policies)
        })
    };
    let seed = options.seed;
    let crypto_job = tokio::task::spawn_blocking(move || -> Result<_, EmulatorError> {
        Ok((
            Directory::create(seed)?,
            TokenSigner::load()?,
            PageTokenKey::generate()?,
        ))
    });
    let joined = |e: tokio::task::JoinError| {
        EmulatorError::InvalidOptions(format!("start-up task failed: {e}"))
    };
    let (data, policies) = seed_job.await.map_err(joined)?;
    let (directory, signer, page_tokens) = crypto_job.await.map_err(joined)??;
    let settings = Settings::from_options(&options);
    let sessions_valid_from = (0..data.users.len()).map(|_| AtomicI64::new(0)).collect();
    Ok(State {
        options,
        base_url,
        tenant,
        data,
        directory,
        signer,
        page_tokens,
        org_config: Mutex::new(OrgConfig::with_prompt(tenant_options.prompt_enabled)),
        owa_policies: Mutex::default(),
        sessions_valid_from,
        device_codes: Mutex::default(),
        refresh_tokens: Mutex::default(),
        authorize: Mutex::default(),
        auth_codes: Mutex::default(),
        token_seq: AtomicU64::new(0),
        expired_through_seq: AtomicU64::new(0),
        batch_seq: AtomicU64::new(0),
        faults: Mutex::new(FaultEngine::default()),
        journal: Mutex::default(),
        settings: Mutex::new(settings),
        policies: Mutex::new(policies),
        signin_throttle: Mutex::default(),
        logs_ingestion: Mutex::default(),
    })
}

/// Shared by the handle and the control API: validates, stores, and restarts the sign-in
/// token buckets when the rate changes.
pub(crate) fn apply_settings(state: &State, update: SettingsUpdate) -> Result<Settings, String> {
    let mut settings = state.settings.lock();
    let next = update.apply_to(*settings)?;
    if next.sign_in_rate_per_second != settings.sign_in_rate_per_second {
        state.signin_throttle.lock().reset();
    }
    *settings = next;
    Ok(next)
}
