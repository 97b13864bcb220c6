//! Everything the handlers share: immutable seeded data plus the little mutable state the
//! service keeps (org config, revocations, device codes, refresh tokens, faults, journal).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::directory::Directory;
use crate::entra::auth_code::AuthCodeStore;
use crate::entra::authorize::AuthorizeStore;
use crate::entra::device_code::DeviceCodeStore;
use crate::entra::jwt::TokenSigner;
use crate::entra::refresh::RefreshTokenStore;
use crate::exchange::org_config::OrgConfig;
use crate::exchange::owa_policy::OwaPolicies;
use crate::faults::FaultEngine;
use crate::graph::conditional_access::PolicyStore;
use crate::journal::Journal;
use crate::options::EmulatorOptions;
use crate::page_token::PageTokenKey;
use crate::seed::SeedData;
use crate::settings::Settings;
use crate::tenant::Tenant;
use crate::throttle::Throttle;

pub struct State {
    pub options: EmulatorOptions,
    pub base_url: String,
    pub tenant: Tenant,
    pub data: SeedData,
    pub directory: Directory,
    pub signer: TokenSigner,
    pub page_tokens: PageTokenKey,
    pub org_config: Mutex<OrgConfig>,
    pub owa_policies: Mutex<OwaPolicies>,
    /// Per user: `signInSessionsValidFromDateTime` in Unix milliseconds (0 = never revoked).
    pub sessions_valid_from: Vec<AtomicI64>,
    pub device_codes: Mutex<DeviceCodeStore>,
    pub refresh_tokens: Mutex<RefreshTokenStore>,
    /// Sign-in pages waiting for the user, and the next sign-in's forced outcome.
    pub authorize: Mutex<AuthorizeStore>,
    pub auth_codes: Mutex<AuthCodeStore>,
    /// Sequence number of the last access token issued.
    pub token_seq: AtomicU64,
    /// Access tokens with a sequence number at or below this are expired.
    pub expired_through_seq: AtomicU64,
    pub batch_seq: AtomicU64,
    pub faults: Mutex<FaultEngine>,
    pub journal: Mutex<Journal>,
    pub settings: Mutex<Settings>,
    pub policies: Mutex<PolicyStore>,
    /// Token buckets of the sign-in log endpoint.
    pub signin_throttle: Mutex<Throttle>,
    /// What the Logs Ingestion API accepted.
    pub logs_ingestion: Mutex<crate::logs_ingestion::IngestionStore>,
}

impl State {
    pub fn settings(&self) -> Settings {
        *self.settings.lock()
    }

    pub fn next_token_seq(&self) -> u64 {
        self.journal.lock().tokens_issued += 1;
        self.token_seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn expire_all_tokens(&self) {
        self.expired_through_seq
            .store(self.token_seq.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    pub fn session_valid_from(&self, user: u32) -> i64 {
        self.sessions_valid_from
            .get(user as usize)
            .map(|v| v.load(Ordering::SeqCst))
            .unwrap_or(0)
    }

    pub fn set_session_valid_from(&self, user: u32, unix_ms: i64) {
        if let Some(v) = self.sessions_valid_from.get(user as usize) {
            v.store(unix_ms, Ordering::SeqCst);
        }
    }

    /// Absolute URL of the token endpoint for a tenant segment, as clients must put it in `aud`.
    pub fn token_endpoint(&self, tenant_segment: &str) -> String {
        format!("{}/{tenant_segment}/oauth2/v2.0/token", self.base_url)
    }
}
