//! Every authentication flow against the tenant emulator.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_support::*;
use outlook_qr_guard::auth::{
    AssertionAlgorithm, AssertionSigner, AuthError, CertificateSigner, Credential,
    DeviceCodeConfig, DeviceCodePrompt, ManagedIdentityConfig, SignerError,
};
use outlook_qr_guard::cloud::Resource;
use outlook_qr_guard::secret::{ExposeSecret, secret};
use tenant_emulator::{EmulatorOptions, EndpointClass};
use tokio_util::sync::CancellationToken;

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn token_requests(emu: &tenant_emulator::Emulator) -> usize {
    emu.journal().requests_to(EndpointClass::Token).count()
}

#[tokio::test]
async fn client_secret_mints_both_tokens_and_caches_them() {
    let emu = default_emulator().await;
    let tokens = secret_provider(&emu);
    let exo = tokens.token(Resource::Exchange).await.unwrap();
    let graph = tokens.token(Resource::Graph).await.unwrap();
    assert_eq!(
        claims(exo.expose_secret())["aud"],
        "https://outlook.office365.com"
    );
    assert_eq!(
        claims(graph.expose_secret())["aud"],
        "https://graph.microsoft.com"
    );
    assert_eq!(claims(exo.expose_secret())["appidacr"], "1");
    for _ in 0..3 {
        tokens.token(Resource::Exchange).await.unwrap();
        tokens.token(Resource::Graph).await.unwrap();
    }
    assert_eq!(
        token_requests(&emu),
        2,
        "one token request per resource, then the cache"
    );
    tokens.invalidate(Resource::Graph);
    tokens.token(Resource::Graph).await.unwrap();
    assert_eq!(token_requests(&emu), 3);
    // Nothing secret in Debug output.
    let shown = format!("{tokens:?}");
    assert!(
        !shown.contains(&emu.credentials().secret_app.client_secret),
        "{shown}"
    );
}

#[tokio::test]
async fn concurrent_callers_trigger_one_token_request() {
    let emu = default_emulator().await;
    let tokens = secret_provider(&emu);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let t = tokens.clone();
            tokio::spawn(async move { t.token(Resource::Exchange).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(token_requests(&emu), 1);
}

#[tokio::test]
async fn wrong_secret_error_names_the_app() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.secret_app.client_id.clone(),
        secret: secret("not-the-secret"),
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, AuthError::InvalidClientSecret { .. }),
        "{err:?}"
    );
    assert!(text.contains(&c.secret_app.client_id), "{text}");
    assert!(!text.contains("not-the-secret"));
    assert!(!format!("{err:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn unknown_tenant_is_reported_as_such() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: "no-such-tenant.onmicrosoft.com".into(),
        client_id: c.secret_app.client_id.clone(),
        secret: secret(c.secret_app.client_secret.clone()),
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Graph)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::UnknownTenant { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-tenant.onmicrosoft.com"));
}

fn pfx_signer(cert: &tenant_emulator::CertificateCredential) -> CertificateSigner {
    let pfx = STANDARD.decode(&cert.pfx_base64).unwrap();
    CertificateSigner::from_pfx(&pfx, &secret(cert.pfx_password.clone())).unwrap()
}

#[tokio::test]
async fn pfx_certificate_with_ps256_and_rs256() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let signer = Arc::new(pfx_signer(&c.certificate_app));
    assert_eq!(
        signer.thumbprint_sha1_hex(),
        c.certificate_app.thumbprint_sha1_hex.to_uppercase()
    );
    for algorithm in [AssertionAlgorithm::Ps256, AssertionAlgorithm::Rs256] {
        let cred = Credential::Certificate {
            tenant: c.tenant_domain.clone(),
            client_id: c.certificate_app.client_id.clone(),
            signer: signer.clone(),
            algorithm,
        };
        let token = provider(&emu, cred, http(&emu))
            .token(Resource::Exchange)
            .await
            .unwrap();
        let claims = claims(token.expose_secret());
        assert_eq!(
            claims["appid"],
            c.certificate_app.client_id.as_str(),
            "{algorithm:?}"
        );
        assert_eq!(claims["appidacr"], "2", "{algorithm:?}");
    }
    // Wrong password: a clear certificate error.
    let pfx = STANDARD.decode(&c.certificate_app.pfx_base64).unwrap();
    let err = CertificateSigner::from_pfx(&pfx, &secret("wrong")).unwrap_err();
    assert!(err.to_string().contains("password"), "{err}");
}

#[tokio::test]
async fn pem_certificate_works_too() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let signer = CertificateSigner::from_pem(
        &c.certificate_app.certificate_pem,
        &secret(c.certificate_app.private_key_pem.clone()),
    )
    .unwrap();
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: c.certificate_app.client_id.clone(),
        signer: Arc::new(signer),
        algorithm: AssertionAlgorithm::Ps256,
    };
    provider(&emu, cred, http(&emu))
        .token(Resource::Graph)
        .await
        .unwrap();
}

/// What the C# layer does: the key stays elsewhere, only x5t#S256 and PS256 signatures cross.
struct ExternalSigner(CertificateSigner);

impl AssertionSigner for ExternalSigner {
    fn x5t_sha256(&self) -> [u8; 32] {
        self.0.x5t_sha256()
    }
    fn sign_ps256(&self, input: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.0.sign_ps256(input)
    }
}

#[tokio::test]
async fn external_signer_authenticates() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: c.certificate_app.client_id.clone(),
        signer: Arc::new(ExternalSigner(pfx_signer(&c.certificate_app))),
        algorithm: AssertionAlgorithm::Ps256,
    };
    provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap();
}

#[tokio::test]
async fn expired_certificate_is_reported_locally_and_by_the_service() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let app = &c.expired_certificate_app;
    // Loaded locally: notAfter is known, no request is sent.
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: app.client_id.clone(),
        signer: Arc::new(pfx_signer(app)),
        algorithm: AssertionAlgorithm::Ps256,
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::CertificateExpired {
                not_after: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains(&app.client_id));
    assert_eq!(token_requests(&emu), 0);
    // Through an external signer (validity unknown here): Entra's AADSTS700027 "expired".
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: app.client_id.clone(),
        signer: Arc::new(ExternalSigner(pfx_signer(app))),
        algorithm: AssertionAlgorithm::Ps256,
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::CertificateExpired { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn managed_identity_system_and_user_assigned() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let mi = &c.managed_identity;
    for (client_id, expected) in [
        (None, &mi.system_assigned_client_id),
        (
            Some(mi.user_assigned_client_id.clone()),
            &mi.user_assigned_client_id,
        ),
    ] {
        let config = ManagedIdentityConfig::new(
            &mi.identity_endpoint,
            secret(mi.identity_header.clone()),
            client_id,
        )
        .unwrap();
        assert!(!format!("{config:?}").contains(&mi.identity_header));
        let tokens = provider(&emu, Credential::ManagedIdentity(config), http(&emu));
        let exo = tokens.token(Resource::Exchange).await.unwrap();
        assert_eq!(claims(exo.expose_secret())["appid"], expected.as_str());
        assert_eq!(
            claims(exo.expose_secret())["aud"],
            "https://outlook.office365.com"
        );
        tokens.token(Resource::Graph).await.unwrap();
        tokens.token(Resource::Graph).await.unwrap();
    }
    assert_eq!(
        emu.journal()
            .requests_to(EndpointClass::ManagedIdentity)
            .count(),
        4
    );
    // A wrong identity header is refused with the MI error.
    let config = ManagedIdentityConfig::new(&mi.identity_endpoint, secret("wrong"), None).unwrap();
    let err = provider(&emu, Credential::ManagedIdentity(config), http(&emu))
        .token(Resource::Graph)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::ManagedIdentity { .. }), "{err:?}");
}

enum AdminAction {
    Approve,
    Deny,
    Expire,
    Nothing,
}

async fn device_code_run(
    action: AdminAction,
    cancel: CancellationToken,
) -> (
    Arc<tenant_emulator::Emulator>,
    Arc<outlook_qr_guard::auth::TokenProvider>,
    Result<(), AuthError>,
    Vec<DeviceCodePrompt>,
) {
    let emu = Arc::new(
        emulator(EmulatorOptions {
            users: 20,
            devices: 10,
            device_code_interval: Duration::from_secs(1),
            ..EmulatorOptions::default()
        })
        .await,
    );
    let c = emu.credentials();
    let prompts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let prompts_cb = prompts.clone();
    let config = DeviceCodeConfig {
        tenant: c.tenant_id.clone(),
        client_id: c.public_client_id.clone(),
        prompt: Arc::new(move |p: &DeviceCodePrompt| {
            prompts_cb.lock().unwrap().push(p.clone());
            let _ = tx.send(p.user_code.clone());
        }),
        cancel,
        market: None,
    };
    let emu2 = emu.clone();
    let admin = c.admin_upn.clone();
    let approver = tokio::spawn(async move {
        if let Some(code) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            match action {
                AdminAction::Approve => assert!(emu2.approve_device_code(&code, &admin)),
                AdminAction::Deny => assert!(emu2.deny_device_code(&code)),
                AdminAction::Expire => assert!(emu2.expire_device_code(&code)),
                AdminAction::Nothing => {}
            }
        }
    });
    let tokens = provider(&emu, Credential::DeviceCode(config), http(&emu));
    let result = tokens.token(Resource::Exchange).await.map(|_| ());
    approver.abort();
    let prompts = prompts.lock().unwrap().clone();
    (emu, tokens, result, prompts)
}

#[tokio::test]
async fn device_code_approved_then_graph_from_the_refresh_token() {
    let (emu, tokens, result, prompts) =
        device_code_run(AdminAction::Approve, CancellationToken::new()).await;
    result.unwrap();
    assert_eq!(prompts.len(), 1);
    assert!(prompts[0].message.contains(&prompts[0].user_code));
    let admin = emu.credentials().admin_upn;
    assert_eq!(tokens.signed_in_user().as_deref(), Some(admin.as_str()));
    let graph = tokens.token(Resource::Graph).await.unwrap();
    assert_eq!(
        claims(graph.expose_secret())["aud"],
        "https://graph.microsoft.com"
    );
    assert!(claims(graph.expose_secret()).get("scp").is_some());
    // One sign-in: a single devicecode request, the Graph token came from the refresh token.
    assert_eq!(count_requests(&emu, "/devicecode"), 1);
    // The rotated refresh token keeps working.
    tokens.invalidate(Resource::Exchange);
    tokens.invalidate(Resource::Graph);
    tokens.token(Resource::Exchange).await.unwrap();
    tokens.token(Resource::Graph).await.unwrap();
    assert_eq!(count_requests(&emu, "/devicecode"), 1);
}

#[tokio::test]
async fn device_code_declined_and_expired_stop_polling() {
    let (_, _, declined, _) = device_code_run(AdminAction::Deny, CancellationToken::new()).await;
    assert!(
        matches!(declined, Err(AuthError::DeviceCodeDeclined)),
        "{declined:?}"
    );
    let (_, _, expired, _) = device_code_run(AdminAction::Expire, CancellationToken::new()).await;
    assert!(
        matches!(expired, Err(AuthError::DeviceCodeExpired)),
        "{expired:?}"
    );
}

#[tokio::test]
async fn device_code_cancellation_within_about_a_second() {
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let cancelled_at = Arc::new(std::sync::Mutex::new(None));
    let at = cancelled_at.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        *at.lock().unwrap() = Some(Instant::now());
        c2.cancel();
    });
    let (_, _, result, _) = device_code_run(AdminAction::Nothing, cancel).await;
    let lag = cancelled_at.lock().unwrap().unwrap().elapsed();
    assert!(matches!(result, Err(AuthError::Cancelled)), "{result:?}");
    assert!(
        lag < Duration::from_secs(1),
        "returned {lag:?} after cancel"
    );
}

#[tokio::test]
async fn supplied_access_token_works_until_it_expires() {
    let emu = default_emulator().await;
    let exo = secret_provider(&emu)
        .token(Resource::Exchange)
        .await
        .unwrap();
    let tokens = provider(
        &emu,
        Credential::AccessTokens {
            exchange: Some(exo.clone()),
            graph: None,
        },
        http(&emu),
    );
    assert!(!format!("{tokens:?}").contains(exo.expose_secret()));
    assert_eq!(
        tokens
            .token(Resource::Exchange)
            .await
            .unwrap()
            .expose_secret(),
        exo.expose_secret()
    );
    assert!(matches!(
        tokens.token(Resource::Graph).await,
        Err(AuthError::NoTokenForResource {
            resource: Resource::Graph
        })
    ));
    tokens.reject(Resource::Exchange, &exo);
    let err = tokens.token(Resource::Exchange).await.unwrap_err();
    assert!(
        matches!(err, AuthError::SuppliedTokenExpired { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cannot be refreshed"));
}

/// A session whose key stays with the caller (C#'s signer callback): connect signs through the
/// function, an expired token makes the engine sign a new assertion later, PS256 and RS256.
#[tokio::test]
async fn session_with_a_signing_function_signs_again_after_tokens_expire() {
    use outlook_qr_guard::auth::SignFn;
    use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session, prompt};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let emu = default_emulator().await;
    let c = emu.credentials();
    for legacy in [false, true] {
        let key = Arc::new(pfx_signer(&c.certificate_app));
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let sign: SignFn = Arc::new(move |algorithm, input: &[u8]| {
            seen.fetch_add(1, Ordering::SeqCst);
            match algorithm {
                AssertionAlgorithm::Ps256 => key.sign_ps256(input),
                AssertionAlgorithm::Rs256 => key.sign_rs256(input),
            }
        });
        let base = emu.base_url();
        let session = Session::connect(
            ConnectSpec {
                tenant: c.tenant_domain.clone(),
                environment: "Global".into(),
                authority_uri: Some(base.clone()),
                exchange_uri: Some(base.clone()),
                graph_uri: Some(base),
                trusted_root_pem: Some(emu.ca_certificate_pem()),
                allow_http_loopback: false,
                proxy_uri: None,
                proxy_username: None,
                proxy_password: None,
                allow_custom_endpoint: false,
                legacy_assertion: legacy,
                user_principal_name: None,
                method: ConnectMethod::CertificateWithSigner {
                    client_id: c.certificate_app.client_id.clone(),
                    certificate_pem: c.certificate_app.certificate_pem.clone(),
                    sign,
                },
            },
            CancellationToken::new(),
        )
        .await
        .unwrap();
        prompt::check(&session).await.unwrap();
        let before = calls.load(Ordering::SeqCst);
        assert!(
            before >= 1,
            "legacy={legacy}: connect signed through the function"
        );
        emu.expire_all_tokens();
        prompt::check(&session).await.unwrap();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            before + 1,
            "legacy={legacy}: one new assertion after the tokens expired"
        );
    }
}

/// A signer holding another key: refused before anything is sent, with a sentence saying why.
#[tokio::test]
async fn signing_function_with_the_wrong_key_is_caught_locally() {
    use outlook_qr_guard::auth::{ExternalSigner, SignFn};
    let emu = default_emulator().await;
    let c = emu.credentials();
    let other = Arc::new(pfx_signer(&c.expired_certificate_app));
    let sign: SignFn = Arc::new(move |_, input: &[u8]| other.sign_ps256(input));
    let signer = ExternalSigner::new(&c.certificate_app.certificate_pem, sign).unwrap();
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: c.certificate_app.client_id.clone(),
        signer: Arc::new(signer),
        algorithm: AssertionAlgorithm::Ps256,
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    assert_eq!(token_requests(&emu), 0);
    // A refusal from the key's holder (a smart card that was pulled out) is passed on as is.
    let sign: SignFn = Arc::new(|_, _: &[u8]| Err(SignerError("the card was removed".into())));
    let signer = ExternalSigner::new(&c.certificate_app.certificate_pem, sign).unwrap();
    let cred = Credential::Certificate {
        tenant: c.tenant_id.clone(),
        client_id: c.certificate_app.client_id.clone(),
        signer: Arc::new(signer),
        algorithm: AssertionAlgorithm::Ps256,
    };
    let err = provider(&emu, cred, http(&emu))
        .token(Resource::Exchange)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the card was removed"), "{err}");
}
