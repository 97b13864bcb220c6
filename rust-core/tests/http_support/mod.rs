//! Shared by the auth/exo/graph/http integration tests: an emulator, an HTTP client that
//! trusts its CA with fast retries, and a logger that records what the HTTP layer reported.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use outlook_qr_guard::auth::{Credential, TokenProvider};
use outlook_qr_guard::cloud::Environment;
use outlook_qr_guard::http::{
    HttpClient, HttpLogger, HttpOptions, RequestLogEntry, RetryLogEntry, RetryPolicy,
};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{Emulator, EmulatorOptions};

pub async fn emulator(options: EmulatorOptions) -> Emulator {
    Emulator::start(options).await.expect("emulator starts")
}

pub async fn default_emulator() -> Emulator {
    emulator(EmulatorOptions {
        users: 60,
        devices: 120,
        ..EmulatorOptions::default()
    })
    .await
}

#[derive(Default)]
pub struct MemoryLogger {
    pub requests: Mutex<Vec<RequestLogEntry>>,
    pub retries: Mutex<Vec<RetryLogEntry>>,
}

impl HttpLogger for MemoryLogger {
    fn request(&self, entry: &RequestLogEntry) {
        self.requests.lock().unwrap().push(entry.clone());
    }
    fn retry(&self, entry: &RetryLogEntry) {
        self.retries.lock().unwrap().push(entry.clone());
    }
}

/// Short delays so fault tests run quickly; the server's Retry-After is still honoured.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        max_elapsed: Duration::from_secs(60),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(10),
        max_malformed_retries: 2,
    }
}

pub fn http_with(emu: &Emulator, logger: Arc<MemoryLogger>) -> HttpClient {
    HttpClient::new(HttpOptions {
        extra_root_certificates_pem: vec![emu.ca_certificate_pem()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect(),
        allow_plain_http_to_loopback: emu.base_url().starts_with("http://"),
        retry: fast_retries(),
        logger,
        ..HttpOptions::default()
    })
    .expect("client builds")
}

pub fn http(emu: &Emulator) -> HttpClient {
    http_with(emu, Arc::new(MemoryLogger::default()))
}

/// One base URL for the authority, Graph and Exchange; real resource URIs.
pub fn environment(emu: &Emulator) -> Environment {
    let base = emu.base_url();
    Environment::custom(&base, &base, &base).expect("custom environment")
}

pub fn secret_credential(emu: &Emulator) -> Credential {
    let c = emu.credentials();
    Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.secret_app.client_id.clone(),
        secret: secret(c.secret_app.client_secret.clone()),
    }
}

pub fn provider(emu: &Emulator, credential: Credential, http: HttpClient) -> Arc<TokenProvider> {
    TokenProvider::new(credential, environment(emu), http)
}

pub fn secret_provider(emu: &Emulator) -> Arc<TokenProvider> {
    provider(emu, secret_credential(emu), http(emu))
}

pub fn count_requests(emu: &Emulator, path_contains: &str) -> usize {
    emu.journal()
        .requests
        .iter()
        .filter(|r| r.path.contains(path_contains))
        .count()
}

/// What Connect-OutlookQrGuard would collect to sign in to the emulator as `tenant`.
pub fn emulator_spec(
    emu: &Emulator,
    tenant: &str,
    method: outlook_qr_guard::ops::ConnectMethod,
) -> outlook_qr_guard::ops::ConnectSpec {
    let base = emu.base_url();
    outlook_qr_guard::ops::ConnectSpec {
        tenant: tenant.to_owned(),
        environment: "Global".into(),
        authority_uri: Some(base.clone()),
        exchange_uri: Some(base.clone()),
        graph_uri: Some(base),
        trusted_root_pem: Some(emu.ca_certificate_pem()),
        allow_http_loopback: false,
        allow_custom_endpoint: false,
        proxy_uri: None,
        proxy_username: None,
        proxy_password: None,
        legacy_assertion: false,
        user_principal_name: None,
        method,
    }
}

/// A connected ops-level session for the app with these credentials.
pub async fn session_for(
    emu: &Emulator,
    app: &tenant_emulator::AppCredential,
) -> Result<outlook_qr_guard::ops::Session, outlook_qr_guard::ops::OpError> {
    use outlook_qr_guard::ops::{ConnectMethod, Session};
    let method = ConnectMethod::ClientSecret {
        client_id: app.client_id.clone(),
        secret: secret(app.client_secret.clone()),
    };
    Session::connect(
        emulator_spec(emu, &emu.credentials().tenant_domain, method),
        tokio_util::sync::CancellationToken::new(),
    )
    .await
}

/// The secret app's session (every permission).
pub async fn full_session(emu: &Emulator) -> outlook_qr_guard::ops::Session {
    session_for(emu, &emu.credentials().secret_app)
        .await
        .expect("the secret app connects")
}
