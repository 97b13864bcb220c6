//! `GET|POST /{tenant}/oauth2/v2.0/authorize`: a minimal sign-in page for the authorization
//! code flow (MicrosoftDocs/entra-docs docs/identity-platform/v2-oauth2-auth-code-flow.md).
//!
//! - GET checks the request and shows a form (user name, password, Sign in, Cancel). Problems
//!   Entra cannot send back safely (unknown tenant or app, a redirect URI the app has not
//!   registered) are shown on the page, never redirected (RFC 6749 §4.1.2.1).
//! - POST signs in: a seeded user with the password from the credentials (`userPassword`).
//!   A wrong password shows AADSTS50126 on the page (Entra keeps the user on its page). An
//!   account of another domain is redirected with AADSTS50020; Cancel with AADSTS65004; the
//!   test hook `/_emulator/sign-in/next-outcome` makes the next sign-in end in consent required
//!   (65001) or a Conditional Access block (53003). Whether Entra redirects 50020/53003 or
//!   only shows them on its page is UNCONFIRMED; redirecting lets clients name the cause.
//! - Success sends `code`, `state` and `session_state` by `response_mode`: `query` (default,
//!   302), `fragment` (302) or `form_post` (a page that posts a hidden form, the shape of
//!   Entra's "Working..." page: UNCONFIRMED beyond the field names).
//! - The app must be the public client, registered with `http://localhost`: any port matches
//!   (reply-url.md, "Localhost exceptions"), the path must match (`/` or none), and
//!   `127.0.0.1` is a different redirect URI (50011).

use std::collections::HashMap;

use http::{Method, StatusCode};
use ring::rand::SystemRandom;
use serde::Deserialize;
use uuid::Uuid;

use super::auth_code::{self, Challenge, ChallengeMethod, Grant};
use super::errors::EntraError;
use super::scopes::{self, DelegatedScopes};
use super::{TenantSegment, resolve_tenant};
use crate::clock;
use crate::directory::random_text;
use crate::http::{Form, Reply, Req};
use crate::state::State;

/// What the next successful sign-in turns into (set through the control API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum NextOutcome {
    ConsentRequired,
    ConditionalAccessBlocked,
}

/// An authorize request waiting for the user on the sign-in page.
struct Flow {
    client_id: Uuid,
    app_name: &'static str,
    redirect_uri: String,
    response_mode: ResponseMode,
    state: Option<String>,
    scopes: DelegatedScopes,
    challenge: Option<Challenge>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

#[derive(Default)]
pub struct AuthorizeStore {
    flows: HashMap<String, Flow>,
    pub next_outcome: Option<NextOutcome>,
}

pub fn handle(state: &State, req: &Req, tenant: &str) -> Reply {
    if resolve_tenant(state, tenant) == TenantSegment::Unknown {
        return error_page(&EntraError::tenant_not_found(tenant));
    }
    match req.method {
        Method::GET => start(state, req, tenant),
        Method::POST => submit(state, req, tenant),
        _ => Reply::new(StatusCode::METHOD_NOT_ALLOWED),
    }
}

/// The redirect URI the public client registered: `http://localhost`, any port, path `/`.
fn registered_loopback(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://localhost") else {
        return false;
    };
    let (port, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
        });
    port_ok && (path.is_empty() || path == "/")
}

fn start(state: &State, req: &Req, tenant: &str) -> Reply {
    let q: Vec<(String, String)> = req.query_pairs();
    let get = |name: &str| {
        q.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    let Some(client_id) = get("client_id") else {
        return error_page(&EntraError::missing_parameter("client_id"));
    };
    let Some(app) = state.directory.app(client_id) else {
        return error_page(&EntraError::app_not_found(client_id, tenant));
    };
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if !app.is_public() || !registered_loopback(redirect_uri) {
        return error_page(&EntraError::reply_url_mismatch(redirect_uri, client_id));
    }
    let response_mode = match get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            return error_page(&EntraError::missing_parameter("response_mode"));
        }
    };
    let flow_state = get("state").map(str::to_owned);
    // From here on the redirect URI is trusted: errors go back to the app.
    let back =
        |e: EntraError| redirect_error(redirect_uri, response_mode, flow_state.as_deref(), &e, req);
    match get("response_type") {
        Some("code") => {}
        Some(_) => return back(EntraError::unsupported_response_type()),
        None => return back(EntraError::missing_parameter("response_type")),
    }
    let Some(scope) = get("scope") else {
        return back(EntraError::missing_parameter("scope"));
    };
    let scopes = match scopes::delegated(scope, tenant) {
        Ok(s) => s,
        Err(e) => return back(e),
    };
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => return back(EntraError::missing_parameter("code_challenge")),
        (Some(value), method) => {
            // RFC 7636 §4.2: S256 challenges are 43 characters; any is 43–128.
            if !(43..=128).contains(&value.len()) {
                return back(EntraError::code_challenge_size());
            }
            let method = match method {
                None | Some("plain") => ChallengeMethod::Plain,
                Some("S256") => ChallengeMethod::S256,
                Some(other) => return back(EntraError::code_challenge_method(other)),
            };
            Some(Challenge {
                value: value.to_owned(),
                method,
            })
        }
    };
    let Ok(flow_id) = random_text(&SystemRandom::new(), 32, ALNUM) else {
        return error_page(&EntraError::temporarily_unavailable(500));
    };
    let login_hint = get("login_hint").unwrap_or_default().to_owned();
    state.authorize.lock().flows.insert(
        flow_id.clone(),
        Flow {
            client_id: app.client_id,
            app_name: app.display_name,
            redirect_uri: redirect_uri.to_owned(),
            response_mode,
            state: flow_state.clone(),
            scopes,
            challenge,
        },
    );
    sign_in_page(tenant, &flow_id, app.display_name, &login_hint, None)
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn submit(state: &State, req: &Req, tenant: &str) -> Reply {
    let form = Form::parse(&req.body);
    let flow_id = form.get("flow").unwrap_or_default().to_owned();
    let mut store = state.authorize.lock();
    let Some(flow) = store.flows.get(&flow_id) else {
        return error_page(&EntraError::missing_parameter("flow"));
    };
    let finish = |e: &EntraError| {
        redirect_error(
            &flow.redirect_uri,
            flow.response_mode,
            flow.state.as_deref(),
            e,
            req,
        )
    };
    if form.get("action") == Some("cancel") {
        let reply = finish(&EntraError::user_declined_consent());
        store.flows.remove(&flow_id);
        return reply;
    }
    let login = form.get("login").unwrap_or_default().trim().to_owned();
    let password = form.get("passwd").unwrap_or_default();
    let domain = login
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let ours = [&state.tenant.domain, &state.tenant.vanity_domain]
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&domain));
    if !domain.is_empty() && !ours {
        let e = EntraError::user_not_in_tenant(
            &login,
            tenant,
            &flow.client_id.to_string(),
            flow.app_name,
        );
        let reply = finish(&e);
        store.flows.remove(&flow_id);
        return reply;
    }
    let user = state
        .data
        .user_index
        .by_upn
        .get(&login.to_lowercase())
        .copied();
    let password_ok = crate::secret::equals(
        password.as_bytes(),
        state.directory.user_password.as_bytes(),
    );
    let Some(user) = user.filter(|_| password_ok) else {
        // Entra keeps the user on its page for a wrong name or password.
        let app_name = flow.app_name;
        return sign_in_page(
            tenant,
            &flow_id,
            app_name,
            &login,
            Some(&EntraError::invalid_username_or_password()),
        );
    };
    let outcome = store.next_outcome.take();
    let Some(flow) = store.flows.remove(&flow_id) else {
        return error_page(&EntraError::missing_parameter("flow"));
    };
    let fail = |e: &EntraError| {
        redirect_error(
            &flow.redirect_uri,
            flow.response_mode,
            flow.state.as_deref(),
            e,
            req,
        )
    };
    match outcome {
        Some(NextOutcome::ConsentRequired) => {
            return fail(&EntraError::consent_required_redirect(
                &flow.client_id.to_string(),
                flow.app_name,
            ));
        }
        Some(NextOutcome::ConditionalAccessBlocked) => {
            return fail(&EntraError::blocked_by_conditional_access());
        }
        None => {}
    }
    let Some(app) = state.directory.app(&flow.client_id.to_string()) else {
        return fail(&EntraError::temporarily_unavailable(500));
    };
    if let Err(mut e) = flow.scopes.grant(app) {
        e.error = "consent_required";
        return fail(&e);
    }
    let code = auth_code::mint(
        state,
        Grant {
            client_id: flow.client_id,
            user,
            scopes: flow.scopes.clone(),
            redirect_uri: flow.redirect_uri.clone(),
            challenge: flow.challenge.clone(),
        },
    );
    let Some(code) = code else {
        return fail(&EntraError::temporarily_unavailable(500));
    };
    let mut params = vec![("code", code)];
    if let Some(s) = &flow.state {
        params.push(("state", s.clone()));
    }
    params.push(("session_state", Uuid::new_v4().to_string()));
    respond(&flow.redirect_uri, flow.response_mode, &params)
}

/// An error back to the app. The description carries Entra's tail ("AADSTS…: text\r\nTrace ID:
/// …\r\nCorrelation ID: …\r\nTimestamp: …"), as in a captured 302 from login.microsoftonline.com
/// (AzureAD/microsoft-authentication-library-for-js#4913: `Location: …#error=interaction_required&
/// error_description=AADSTS160021%3a+…%0d%0aTrace+ID%3a+…&state=…`, `Cache-Control: no-store,
/// no-cache`, `Pragma: no-cache`).
fn redirect_error(
    redirect_uri: &str,
    mode: ResponseMode,
    state: Option<&str>,
    e: &EntraError,
    req: &Req,
) -> Reply {
    let now = clock::now_unix();
    let correlation_id = req
        .client_request_id()
        .filter(|c| Uuid::parse_str(c).is_ok())
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    let description = e.description(
        &Uuid::new_v4().to_string(),
        &correlation_id,
        &clock::entra_timestamp(now),
    );
    let mut params = vec![
        ("error", e.error.to_owned()),
        ("error_description", description),
    ];
    if let Some(s) = state {
        params.push(("state", s.to_owned()));
    }
    respond(redirect_uri, mode, &params)
}

fn respond(redirect_uri: &str, mode: ResponseMode, params: &[(&str, String)]) -> Reply {
    let encoded = serde_urlencoded::to_string(params).unwrap_or_default();
    match mode {
        ResponseMode::FormPost => {
            let inputs: String = params
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\" />",
                        escape(k),
                        escape(v)
                    )
                })
                .collect();
            let html = format!(
                "<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"{}\">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form><script language=\"javascript\">document.forms[0].submit();</script></body></html>",
                escape(redirect_uri)
            );
            html_reply(StatusCode::OK, html)
        }
        ResponseMode::Query => {
            let sep = if redirect_uri.contains('?') { '&' } else { '?' };
            Reply::new(StatusCode::FOUND)
                .with_header("location", &format!("{redirect_uri}{sep}{encoded}"))
                .with_header("cache-control", "no-store, no-cache")
                .with_header("pragma", "no-cache")
        }
        ResponseMode::Fragment => Reply::new(StatusCode::FOUND)
            .with_header("location", &format!("{redirect_uri}#{encoded}"))
            .with_header("cache-control", "no-store, no-cache")
            .with_header("pragma", "no-cache"),
    }
}

fn sign_in_page(
    tenant: &str,
    flow_id: &str,
    app_name: &str,
    login: &str,
    error: Option<&EntraError>,
) -> Reply {
    let message = error
        .map(|e| {
            format!(
                "<p id=\"error\" role=\"alert\">AADSTS{}: {}</p>",
                e.codes.first().copied().unwrap_or_default(),
                escape(&e.message)
            )
        })
        .unwrap_or_default();
    let action = format!("/{}/oauth2/v2.0/authorize", escape(tenant));
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head><body>\
<h1>Sign in</h1><p>to continue to {app}</p>{message}\
<form method=\"POST\" action=\"{action}\" id=\"signin\">\
<input type=\"hidden\" name=\"flow\" value=\"{flow}\" />\
<label>Email <input type=\"email\" name=\"login\" id=\"login\" value=\"{login}\" /></label>\
<label>Password <input type=\"password\" name=\"passwd\" id=\"passwd\" /></label>\
<button type=\"submit\" name=\"action\" value=\"signin\" id=\"submit\">Sign in</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\" id=\"cancel\">Cancel</button>\
</form></body></html>",
        app = escape(app_name),
        flow = escape(flow_id),
        login = escape(login),
    );
    html_reply(StatusCode::OK, html)
}

/// Entra's own error page: the AADSTS text, no redirect.
fn error_page(e: &EntraError) -> Reply {
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head><body>\
<h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">AADSTS{}: {}</p></body></html>",
        e.codes.first().copied().unwrap_or_default(),
        escape(&e.message)
    );
    html_reply(e.status, html)
}

fn html_reply(status: StatusCode, html: String) -> Reply {
    Reply::new(status)
        .with_header("content-type", "text/html; charset=utf-8")
        .with_header("cache-control", "no-store, no-cache")
        .with_header("x-frame-options", "DENY")
        .with_body(html)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_with_any_port_matches_the_registration() {
        for ok in [
            "http://localhost",
            "http://localhost/",
            "http://localhost:5000",
            "http://localhost:5000/",
        ] {
            assert!(registered_loopback(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:5000",
            "https://localhost:5000",
            "http://localhost:5000/other",
            "http://localhost.evil.example",
            "http://localhost:",
            "http://localhost:99999999",
            "",
        ] {
            assert!(!registered_loopback(bad), "{bad}");
        }
    }

    #[test]
    fn form_post_pages_escape_values() {
        let r = respond(
            "http://localhost:1",
            ResponseMode::FormPost,
            &[("state", "\"><script>".to_owned())],
        );
        let body = String::from_utf8_lossy(&r.body).into_owned();
        assert!(!body.contains("\"><script>"), "{body}");
        assert!(body.contains("name=\"state\""));
    }
}
