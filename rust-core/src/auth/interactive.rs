//! Interactive sign-in in the system browser: the OAuth 2.0 authorization code flow with PKCE
//! (RFC 7636, S256) against `/{tenant}/oauth2/v2.0/authorize`, answered on a loopback
//! listener, as MSAL.NET's system-browser flow does (`DefaultOsBrowserWebUi`).
//!
//! Wire facts (MicrosoftDocs/entra-docs `docs/identity-platform/v2-oauth2-auth-code-flow.md`):
//! the authorize parameters `client_id`, `response_type=code`, `redirect_uri`, `scope`,
//! `response_mode`, `state`, `prompt=select_account`, `login_hint`, `code_challenge`,
//! `code_challenge_method=S256`; the redemption `grant_type=authorization_code` with `code`,
//! `redirect_uri`, `code_verifier` and a one-resource `scope`; redirect errors as `error` +
//! `error_description` (Entra puts `AADSTS…:` first in the description).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::{ClientContext, classify_entra};
use super::loopback::{LoopbackListener, LoopbackPages, RedirectAnswer};
use super::pkce::{Pkce, random_text};
use super::token_endpoint::{EndpointError, IssuedToken, request_token};
use super::{AuthError, EntraError};
use crate::cloud::Environment;
use crate::http::HttpClient;
use crate::secret::ExposeSecret;

/// Opens the sign-in page for the admin: the system browser, or, when none can be opened, the
/// URL printed for the admin to open. Called once per sign-in; `false` when nobody can be shown
/// anything any more (the connect call that supplied it has ended), so the sign-in fails at once
/// instead of waiting for a browser that was never opened.
pub type BrowserCallback = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Five minutes, as MSAL.NET's default for interactive calls is "a few minutes" (UNCONFIRMED
/// value; MSAL lets the caller cancel instead). `-TimeoutSeconds` overrides it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct InteractiveConfig {
    pub tenant: String,
    pub client_id: String,
    /// Pre-fills the sign-in page (`login_hint`, from `-UserPrincipalName`).
    pub login_hint: Option<String>,
    pub open_browser: BrowserCallback,
    pub cancel: CancellationToken,
    pub timeout: Duration,
    pub pages: LoopbackPages,
}

impl std::fmt::Debug for InteractiveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InteractiveConfig")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("login_hint", &self.login_hint)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The authorize URL the browser is sent to.
pub(crate) fn authorize_url(
    environment: &Environment,
    config: &InteractiveConfig,
    scope: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> Url {
    let mut url = environment.authorize_endpoint(&config.tenant);
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &config.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope)
            .append_pair("response_mode", "form_post")
            .append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "select_account");
        if let Some(hint) = config
            .login_hint
            .as_deref()
            .filter(|h| !h.trim().is_empty())
        {
            q.append_pair("login_hint", hint.trim());
        }
    }
    url
}

/// Runs the browser sign-in for `scope` and redeems the code.
pub(crate) async fn sign_in(
    http: &HttpClient,
    environment: &Environment,
    config: &InteractiveConfig,
    scope: &str,
    ctx: &ClientContext,
) -> Result<IssuedToken, AuthError> {
    let pkce = Pkce::generate()?;
    let state = random_text()?;
    let listener = LoopbackListener::bind().await?;
    let redirect_uri = listener.redirect_uri();
    let url = authorize_url(
        environment,
        config,
        scope,
        &redirect_uri,
        &state,
        &pkce.challenge,
    );
    if !(config.open_browser)(url.as_str()) {
        return Err(AuthError::SignInRequired(
            "the browser sign-in cannot be shown outside Connect-OutlookQrGuard".into(),
        ));
    }
    let answer = listener
        .wait(&state, config.timeout, &config.cancel, &config.pages)
        .await?;
    let code = match answer {
        RedirectAnswer::Code(code) => code,
        RedirectAnswer::Error { error, description } => {
            return Err(redirect_error(&error, &description, ctx));
        }
    };
    let form = [
        ("client_id", config.client_id.as_str()),
        ("grant_type", "authorization_code"),
        ("code", code.expose_secret()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", pkce.verifier.expose_secret()),
        ("scope", scope),
    ];
    request_token(http, environment.token_endpoint(&config.tenant), &form)
        .await
        .map_err(|e| match e {
            EndpointError::Entra(entra) => classify_entra(entra, ctx),
            EndpointError::Other(a) => a,
        })
}

/// What an `error` on the redirect means for the admin. Codes: reference-error-codes.md
/// (65004 UserDeclinedConsent, 65001 DelegationDoesNotExist, 53003 BlockedByConditionalAccess,
/// 50020 UserUnauthorized "does not exist in tenant", 51004 UserAccountNotInDirectory);
/// `access_denied` "Resource owner denied consent" and `consent_required` from
/// v2-oauth2-auth-code-flow.md / OpenID Connect Core §3.1.2.6. 90072 ("user account ... does
/// not exist in tenant", from the task's list) is UNCONFIRMED in the reference page read.
pub(crate) fn redirect_error(error: &str, description: &str, ctx: &ClientContext) -> AuthError {
    let entra = EntraError::from_redirect(error, description);
    let detail = entra.to_string();
    match (entra.error.as_str(), entra.aadsts) {
        (_, Some(53003)) => AuthError::ConditionalAccessBlocked { detail },
        (_, Some(65001)) | ("consent_required", _) => AuthError::ConsentRequired {
            client_id: ctx.client_id.clone(),
            detail,
        },
        (_, Some(50020 | 90072 | 51004 | 50034)) => AuthError::WrongTenant {
            tenant: ctx.tenant.clone(),
            detail,
        },
        (_, Some(65004)) | ("access_denied", None) => AuthError::SignInCancelled { detail },
        (_, Some(700016 | 90002)) => classify_entra(entra, ctx),
        _ => AuthError::InteractiveRefused { detail },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cloud::{Cloud, Environment};

    fn config() -> InteractiveConfig {
        InteractiveConfig {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            login_hint: Some("admin@contoso.com".into()),
            open_browser: Arc::new(|_| true),
            cancel: CancellationToken::new(),
            timeout: DEFAULT_TIMEOUT,
            pages: LoopbackPages::default(),
        }
    }

    fn ctx() -> ClientContext {
        ClientContext {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            thumbprint: None,
        }
    }

    #[test]
    fn the_authorize_url_carries_what_the_docs_list() {
        let env = Environment::for_cloud(Cloud::Global);
        let url = authorize_url(
            &env,
            &config(),
            "https://outlook.office365.com/.default offline_access openid profile",
            "http://localhost:51234",
            "st",
            "ch",
        );
        assert_eq!(
            url.as_str().split('?').next().unwrap(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        );
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], "http://localhost:51234");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], "ch");
        assert_eq!(q["state"], "st");
        assert_eq!(q["prompt"], "select_account");
        assert_eq!(q["response_mode"], "form_post");
        assert_eq!(q["login_hint"], "admin@contoso.com");
        assert!(q["scope"].contains("offline_access"));
    }

    #[test]
    fn each_redirect_error_says_what_happened() {
        type Check = fn(&AuthError) -> bool;
        let cases: [(&str, &str, Check); 6] = [
            (
                "access_denied",
                "AADSTS65004: User declined to consent to access the app.",
                |e| matches!(e, AuthError::SignInCancelled { .. }),
            ),
            (
                "access_denied",
                "the user canceled the authentication",
                |e| matches!(e, AuthError::SignInCancelled { .. }),
            ),
            (
                "invalid_client",
                "AADSTS65001: The user or administrator has not consented",
                |e| matches!(e, AuthError::ConsentRequired { .. }),
            ),
            (
                "access_denied",
                "AADSTS53003: Access has been blocked by Conditional Access policies.",
                |e| matches!(e, AuthError::ConditionalAccessBlocked { .. }),
            ),
            (
                "invalid_request",
                "AADSTS50020: User account 'x@fabrikam.com' from identity provider 'live.com' does not exist in tenant",
                |e| matches!(e, AuthError::WrongTenant { .. }),
            ),
            (
                "server_error",
                "AADSTS50000: There was an error issuing a token.",
                |e| matches!(e, AuthError::InteractiveRefused { .. }),
            ),
        ];
        for (error, description, check) in cases {
            let e = redirect_error(error, description, &ctx());
            assert!(check(&e), "{error} {description}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
        let consent = redirect_error("consent_required", "", &ctx()).to_string();
        assert!(consent.contains("11111111-2222"), "{consent}");
    }
}
