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
use crate::faults::{FaultEngine, FaultPlan};
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
    state: Arc<State>,
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

        let tenant = Tenant::from_seed(options.seed);
        // Seeding and certificate work are CPU-bound; run them side by side off the async threads.
        let seed_job = {
            let tenant = tenant.clone();
            let (seed, users, devices) = (options.seed, options.users, options.devices);
            let anchor = clock::now_unix();
            tokio::task::spawn_blocking(move || {
                let data = SeedData::generate(seed, users, devices, &tenant, anchor);
                let policies = PolicyStore::seeded(&data, seed, anchor);
                (data, policies)
            })
        };
        let seed = options.seed;
        let want_tls = options.tls;
        let crypto_job = tokio::task::spawn_blocking(move || -> Result<_, EmulatorError> {
            let pki = if want_tls { Some(tls::build()?) } else { None };
            Ok((
                pki,
                Directory::create(seed)?,
                TokenSigner::load()?,
                PageTokenKey::generate()?,
            ))
        });
        let joined = |e: tokio::task::JoinError| {
            EmulatorError::InvalidOptions(format!("start-up task failed: {e}"))
        };
        let (data, policies) = seed_job.await.map_err(joined)?;
        let (pki, directory, signer, page_tokens) = crypto_job.await.map_err(joined)??;

        let settings = Settings::from_options(&options);
        let sessions_valid_from = (0..data.users.len()).map(|_| AtomicI64::new(0)).collect();
        let state = Arc::new(State {
            options,
            base_url,
            tenant,
            data,
            directory,
            signer,
            page_tokens,
            org_config: Mutex::default(),
            owa_policies: Mutex::default(),
            sessions_valid_from,
            device_codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            token_seq: AtomicU64::new(0),
            expired_through_seq: AtomicU64::new(0),
            batch_seq: AtomicU64::new(0),
            faults: Mutex::new(FaultEngine::default()),
            journal: Mutex::default(),
            settings: Mutex::new(settings),
            policies: Mutex::new(policies),
            signin_throttle: Mutex::default(),
        });
        let (ca_pem, acceptor) = match pki {
            Some(pki) => (pki.ca_pem, Some(TlsAcceptor::from(pki.server_config))),
            None => (String::new(), None),
        };
        let (shutdown, receiver) = watch::channel(false);
        let server = tokio::spawn(server::serve(
            listener,
            acceptor,
            Arc::clone(&state),
            receiver,
        ));
        Ok(Emulator {
            state,
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

    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
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
