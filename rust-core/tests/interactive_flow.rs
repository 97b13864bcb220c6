//! Interactive sign-in driven over HTTP: the engine hands the authorize URL to its "browser"
//! callback; this test plays the browser (GET the sign-in page, post the form, post the
//! `form_post` answer to the engine's loopback listener) against the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod http_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_support::*;
use outlook_qr_guard::auth::{AuthError, Credential, InteractiveConfig, LoopbackPages};
use outlook_qr_guard::cloud::Resource;
use outlook_qr_guard::ops::{ConnectMethod, FailureKind, Session};
use tenant_emulator::{Emulator, NextOutcome};
use tokio_util::sync::CancellationToken;

/// What the test browser does on the sign-in page.
#[derive(Clone)]
enum Act {
    SignIn {
        login: String,
        password: String,
    },
    Cancel,
    /// Signs in, then changes `state` before posting the answer to the loopback listener.
    SignInTamperingState {
        login: String,
        password: String,
    },
}

fn browser_client(emu: &Emulator) -> reqwest::Client {
    // Building an HttpClient installs the process's rustls provider reqwest needs.
    let _ = http(emu);
    let ca = reqwest::Certificate::from_pem(emu.ca_certificate_pem().as_bytes()).unwrap();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_merge([ca])
        .build()
        .unwrap()
}

fn attr(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&amp;", "&"))
}

fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|chunk| {
            Some((
                attr(chunk, "name=\"")?,
                attr(chunk, "value=\"")?.replace("&quot;", "\""),
            ))
        })
        .collect()
}

/// Plays the browser for one authorize URL; returns the last page's text (the loopback page
/// after a redirect, or the sign-in page when it kept the user there).
async fn play(emu: &Emulator, url: String, act: Act) -> String {
    let client = browser_client(emu);
    let html = client.get(&url).send().await.unwrap().text().await.unwrap();
    let flow = attr(&html, "name=\"flow\" value=\"").expect("a sign-in form");
    let action = attr(&html, "<form method=\"POST\" action=\"").unwrap();
    let (login, password, button, tamper) = match &act {
        Act::SignIn { login, password } => (login.clone(), password.clone(), "signin", false),
        Act::SignInTamperingState { login, password } => {
            (login.clone(), password.clone(), "signin", true)
        }
        Act::Cancel => (String::new(), String::new(), "cancel", false),
    };
    let resp = client
        .post(format!("{}{action}", emu.base_url()))
        .form(&[
            ("flow", flow.as_str()),
            ("login", &login),
            ("passwd", &password),
            ("action", button),
        ])
        .send()
        .await
        .unwrap();
    let page = resp.text().await.unwrap();
    if !page.contains("name=\"hiddenform\"") {
        return page;
    }
    let target = attr(&page, "action=\"").unwrap();
    assert!(target.starts_with("http://localhost:"), "{target}");
    let mut fields = hidden_inputs(&page);
    if tamper {
        for (k, v) in &mut fields {
            if k == "state" {
                v.push('x');
            }
        }
    }
    // The browser may resolve localhost to ::1 or 127.0.0.1; the listener takes both.
    client
        .post(&target)
        .form(&fields)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

struct Run {
    result: Result<(), AuthError>,
    pages: Vec<String>,
    urls: Vec<String>,
    provider: Arc<outlook_qr_guard::auth::TokenProvider>,
}

fn admin(emu: &Emulator) -> Act {
    let c = emu.credentials();
    Act::SignIn {
        login: c.admin_upn,
        password: c.user_password,
    }
}

fn config(
    emu: &Arc<Emulator>,
    act: Act,
    timeout: Duration,
    pages: Arc<Mutex<Vec<String>>>,
    urls: Arc<Mutex<Vec<String>>>,
) -> InteractiveConfig {
    let c = emu.credentials();
    let emu2 = Arc::clone(emu);
    InteractiveConfig {
        tenant: c.tenant_id.clone(),
        client_id: c.public_client_id.clone(),
        login_hint: Some(c.admin_upn.clone()),
        open_browser: Arc::new(move |url: &str| {
            urls.lock().unwrap().push(url.to_owned());
            let (emu, url, act, pages) = (
                Arc::clone(&emu2),
                url.to_owned(),
                act.clone(),
                pages.clone(),
            );
            tokio::spawn(async move {
                let page = play(&emu, url, act).await;
                pages.lock().unwrap().push(page);
            });
            true
        }),
        cancel: CancellationToken::new(),
        timeout,
        pages: LoopbackPages::default(),
    }
}

async fn run(emu: &Arc<Emulator>, act: Act, timeout: Duration) -> Run {
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let cfg = config(emu, act, timeout, pages.clone(), urls.clone());
    let provider = provider(emu, Credential::Interactive(cfg), http(emu));
    let result = provider.token(Resource::Exchange).await.map(|_| ());
    // Let the browser task read the loopback page.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Run {
        result,
        pages: pages.lock().unwrap().clone(),
        urls: urls.lock().unwrap().clone(),
        provider,
    }
}

async fn small_emulator() -> Arc<Emulator> {
    Arc::new(
        emulator(tenant_emulator::EmulatorOptions {
            users: 20,
            devices: 10,
            ..Default::default()
        })
        .await,
    )
}

#[tokio::test]
async fn one_browser_sign_in_gives_exchange_and_graph_tokens() {
    let emu = small_emulator().await;
    let r = run(&emu, admin(&emu), Duration::from_secs(60)).await;
    r.result.unwrap();
    assert_eq!(r.urls.len(), 1);
    let url = url::Url::parse(&r.urls[0]).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["response_mode"], "form_post");
    assert_eq!(q["login_hint"], emu.credentials().admin_upn);
    assert!(q["redirect_uri"].starts_with("http://localhost:"));
    assert!(r.pages[0].contains("Sign-in complete"), "{}", r.pages[0]);
    assert_eq!(
        r.provider.signed_in_user(),
        Some(emu.credentials().admin_upn)
    );
    // Graph comes from the refresh token: no second browser sign-in.
    r.provider.token(Resource::Graph).await.unwrap();
    assert_eq!(r.urls.len(), 1);
    let authorize_pages = count_requests(&emu, "/oauth2/v2.0/authorize");
    assert_eq!(
        authorize_pages, 2,
        "one GET and one POST of the sign-in page"
    );
}

#[tokio::test]
async fn cancel_in_the_browser_is_a_cancelled_sign_in() {
    let emu = small_emulator().await;
    let r = run(&emu, Act::Cancel, Duration::from_secs(60)).await;
    let e = r.result.unwrap_err();
    assert!(matches!(e, AuthError::SignInCancelled { .. }), "{e:?}");
    assert!(e.to_string().contains("AADSTS65004"), "{e}");
    assert!(
        !e.to_string().contains("Trace ID"),
        "the trace tail is cut: {e}"
    );
    assert!(r.pages[0].contains("Sign-in failed"), "{}", r.pages[0]);
}

#[tokio::test]
async fn consent_and_conditional_access_errors_name_their_cause() {
    let emu = small_emulator().await;
    emu.set_next_sign_in_outcome(Some(NextOutcome::ConsentRequired));
    let e = run(&emu, admin(&emu), Duration::from_secs(60))
        .await
        .result
        .unwrap_err();
    assert!(matches!(e, AuthError::ConsentRequired { .. }), "{e:?}");
    assert!(e.to_string().contains(&emu.credentials().public_client_id));

    emu.set_next_sign_in_outcome(Some(NextOutcome::ConditionalAccessBlocked));
    let e = run(&emu, admin(&emu), Duration::from_secs(60))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(e, AuthError::ConditionalAccessBlocked { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("AADSTS53003"));
}

#[tokio::test]
async fn an_account_of_another_tenant_is_a_wrong_tenant_error() {
    let emu = small_emulator().await;
    let act = Act::SignIn {
        login: "someone@fabrikam.example".into(),
        password: "x".into(),
    };
    let e = run(&emu, act, Duration::from_secs(60))
        .await
        .result
        .unwrap_err();
    assert!(matches!(e, AuthError::WrongTenant { .. }), "{e:?}");
    assert!(e.to_string().contains("AADSTS50020"));
}

#[tokio::test]
async fn a_wrong_password_keeps_the_page_and_the_wait_ends_with_a_clear_timeout() {
    let emu = small_emulator().await;
    let act = Act::SignIn {
        login: emu.credentials().admin_upn,
        password: "wrong".into(),
    };
    let r = run(&emu, act, Duration::from_secs(3)).await;
    let e = r.result.unwrap_err();
    assert!(
        matches!(e, AuthError::InteractiveTimeout { seconds: 3 }),
        "{e:?}"
    );
    assert!(r.pages[0].contains("AADSTS50126"), "{}", r.pages[0]);
}

#[tokio::test]
async fn an_answer_with_another_state_is_refused() {
    let emu = small_emulator().await;
    let c = emu.credentials();
    let act = Act::SignInTamperingState {
        login: c.admin_upn,
        password: c.user_password,
    };
    let r = run(&emu, act, Duration::from_secs(60)).await;
    let e = r.result.unwrap_err();
    assert!(matches!(e, AuthError::InteractiveStateMismatch), "{e:?}");
    assert!(!r.pages[0].contains("Sign-in complete"));
}

#[tokio::test]
async fn cancelling_the_connect_stops_the_wait() {
    let emu = small_emulator().await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = config(&emu, admin(&emu), Duration::from_secs(60), pages, urls);
    // A browser that never answers.
    cfg.open_browser = Arc::new(|_| true);
    let cancel = cfg.cancel.clone();
    let provider = provider(&emu, Credential::Interactive(cfg), http(&emu));
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cancel.cancel();
    });
    let started = std::time::Instant::now();
    let e = provider.token(Resource::Exchange).await.unwrap_err();
    assert!(matches!(e, AuthError::Cancelled), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_browser_that_can_no_longer_be_shown_fails_at_once() {
    let emu = small_emulator().await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = config(&emu, admin(&emu), Duration::from_secs(60), pages, urls);
    cfg.open_browser = Arc::new(|_| false);
    let provider = provider(&emu, Credential::Interactive(cfg), http(&emu));
    let started = std::time::Instant::now();
    let e = provider.token(Resource::Exchange).await.unwrap_err();
    assert!(matches!(e, AuthError::SignInRequired(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn session_connect_interactive_reads_the_tenant_as_the_signed_in_admin() {
    let emu = small_emulator().await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let cfg = config(&emu, admin(&emu), Duration::from_secs(60), pages, urls);
    let c = emu.credentials();
    let method = ConnectMethod::Interactive {
        client_id: c.public_client_id.clone(),
        open_browser: cfg.open_browser,
        login_hint: Some(c.admin_upn.clone()),
        timeout: Duration::from_secs(60),
        pages: LoopbackPages::default(),
    };
    let session = Session::connect(
        emulator_spec(&emu, &c.tenant_domain, method),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(session.summary.method, "Interactive");
    assert_eq!(session.summary.user_principal_name, c.admin_upn);
    assert_eq!(session.summary.client_id, c.public_client_id);
}

#[tokio::test]
async fn the_account_that_signed_in_wins_over_the_hint() {
    let emu = small_emulator().await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let cfg = config(
        &emu,
        admin(&emu),
        Duration::from_secs(60),
        pages,
        urls.clone(),
    );
    let c = emu.credentials();
    let hint = format!("someone.else@{}", c.tenant_domain);
    let method = ConnectMethod::Interactive {
        client_id: c.public_client_id.clone(),
        open_browser: cfg.open_browser,
        login_hint: Some(hint.clone()),
        timeout: Duration::from_secs(60),
        pages: LoopbackPages::default(),
    };
    let mut spec = emulator_spec(&emu, &c.tenant_domain, method);
    spec.user_principal_name = Some(hint.clone());
    let session = Session::connect(spec, CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(session.summary.user_principal_name, c.admin_upn);
    let url = url::Url::parse(&urls.lock().unwrap()[0]).unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "login_hint" && v == hint)
    );
}

#[tokio::test]
async fn a_failed_interactive_connect_is_an_op_error_with_a_code() {
    let emu = small_emulator().await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let urls = Arc::new(Mutex::new(Vec::new()));
    let cfg = config(&emu, Act::Cancel, Duration::from_secs(60), pages, urls);
    let c = emu.credentials();
    let method = ConnectMethod::Interactive {
        client_id: c.public_client_id.clone(),
        open_browser: cfg.open_browser,
        login_hint: None,
        timeout: Duration::from_secs(60),
        pages: LoopbackPages::default(),
    };
    let e = Session::connect(
        emulator_spec(&emu, &c.tenant_domain, method),
        CancellationToken::new(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(e.kind, FailureKind::Cancelled);
    assert_eq!(e.code, "SignInCancelled");
}
