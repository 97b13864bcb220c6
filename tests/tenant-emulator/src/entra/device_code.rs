//! Device code flow: `POST /{tenant}/oauth2/v2.0/devicecode`, polling at the token endpoint,
//! and the test hooks that approve, deny or expire a code.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use ring::rand::SystemRandom;
use serde_json::json;
use uuid::Uuid;

use super::errors::{EntraError, with_token_headers};
use super::scopes::{self, DelegatedScopes};
use super::token::read_form;
use super::{TenantSegment, refresh, resolve_tenant};
use crate::directory::random_text;
use crate::http::{Form, Reply, Req};
use crate::state::State;

pub const VERIFICATION_URI: &str = "https://microsoft.com/devicelogin";
/// RFC 8628 §3.5: each `slow_down` adds 5 seconds to the interval.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Approved(u32),
    Denied,
    Redeemed,
}

struct Pending {
    client_id: Uuid,
    scopes: DelegatedScopes,
    expires_at: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    status: Status,
}

#[derive(Default)]
pub struct DeviceCodeStore {
    by_device_code: HashMap<String, Pending>,
    device_code_by_user_code: HashMap<String, String>,
}

impl DeviceCodeStore {
    fn by_user_code(&mut self, user_code: &str) -> Option<&mut Pending> {
        let device_code = self
            .device_code_by_user_code
            .get(&user_code.trim().to_ascii_uppercase())?;
        self.by_device_code.get_mut(device_code)
    }
}

fn message(mkt: Option<&str>, user_code: &str) -> String {
    match mkt.map(str::to_ascii_lowercase).as_deref() {
        Some("ja-jp" | "ja") => format!(
            "サインインするには、Web ブラウザーを使用してページ {VERIFICATION_URI} を開き、コード {user_code} を入力して認証します。"
        ),
        _ => format!(
            "To sign in, use a web browser to open the page {VERIFICATION_URI} and enter the code {user_code} to authenticate."
        ),
    }
}

pub fn start(state: &State, req: &Req, tenant: &str) -> Reply {
    match start_inner(state, req, tenant) {
        Ok(r) => r,
        Err(e) => e.reply(req),
    }
}

fn start_inner(state: &State, req: &Req, tenant: &str) -> Result<Reply, EntraError> {
    if resolve_tenant(state, tenant) == TenantSegment::Unknown {
        return Err(EntraError::tenant_not_found(tenant));
    }
    if req.method != Method::POST {
        return Err(EntraError::missing_parameter("client_id"));
    }
    let form = read_form(req)?;
    let client_id = form
        .non_empty("client_id")
        .ok_or_else(|| EntraError::missing_parameter("client_id"))?;
    let app = state
        .directory
        .app(client_id)
        .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
    if !app.is_public() {
        // Only the public client has "Allow public client flows" enabled.
        return Err(EntraError::device_code_confidential_client());
    }
    let scope = form
        .non_empty("scope")
        .ok_or_else(|| EntraError::missing_parameter("scope"))?;
    let scopes = scopes::delegated(scope, tenant)?;
    scopes.grant(app)?;
    let random = SystemRandom::new();
    let user_code = random_text(&random, 9, b"BCDFGHJKLMNPQRSTVWXZ")
        .map_err(|_| EntraError::temporarily_unavailable(500))?;
    let device_code = format!(
        "DAQABIQEAAAD{}",
        random_text(
            &random,
            150,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        .map_err(|_| EntraError::temporarily_unavailable(500))?
    );
    let lifetime = state.options.device_code_lifetime;
    let interval = state.options.device_code_interval;
    {
        let mut store = state.device_codes.lock();
        store
            .device_code_by_user_code
            .insert(user_code.clone(), device_code.clone());
        store.by_device_code.insert(
            device_code.clone(),
            Pending {
                client_id: app.client_id,
                scopes,
                expires_at: Instant::now() + lifetime,
                interval,
                last_poll: None,
                status: Status::Pending,
            },
        );
    }
    let body = json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": VERIFICATION_URI,
        "expires_in": lifetime.as_secs(),
        // Whole seconds, rounded up, so a sub-second test interval is never announced as 0.
        "interval": interval.as_millis().div_ceil(1000) as u64,
        "message": message(req.query_param("mkt").as_deref(), &user_code),
    });
    Ok(with_token_headers(Reply::json(StatusCode::OK, &body), req))
}

/// The token endpoint's device code grant.
pub fn redeem(state: &State, req: &Req, form: &Form, tenant: &str) -> Result<Reply, EntraError> {
    let client_id = form
        .non_empty("client_id")
        .ok_or_else(|| EntraError::missing_parameter("client_id"))?;
    let device_code = form
        .non_empty("device_code")
        .ok_or_else(|| EntraError::missing_parameter("device_code"))?;
    let app = state
        .directory
        .app(client_id)
        .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
    let now = Instant::now();
    let (user, scopes) = {
        let mut store = state.device_codes.lock();
        let pending = store
            .by_device_code
            .get_mut(device_code)
            .filter(|p| p.client_id == app.client_id)
            .ok_or_else(EntraError::bad_verification_code)?;
        if now >= pending.expires_at {
            return Err(EntraError::expired_device_code());
        }
        match pending.status {
            Status::Denied => return Err(EntraError::authorization_declined()),
            Status::Redeemed => return Err(EntraError::code_already_redeemed()),
            Status::Pending => {
                let too_fast = pending
                    .last_poll
                    .is_some_and(|last| now.duration_since(last) < pending.interval.mul_f64(0.8));
                pending.last_poll = Some(now);
                if too_fast {
                    pending.interval += SLOW_DOWN_STEP;
                    return Err(EntraError::slow_down());
                }
                return Err(EntraError::authorization_pending());
            }
            Status::Approved(user) => {
                pending.status = Status::Redeemed;
                (user, pending.scopes.clone())
            }
        }
    };
    refresh::delegated_token_response(state, req, user, app, &scopes)
}

/// Test hook: the user signs in and approves. False if the code or user is unknown or the
/// code is no longer pending.
pub fn approve(state: &State, user_code: &str, user_principal_name: &str) -> bool {
    let Some(user) = state
        .data
        .user_index
        .by_upn
        .get(&user_principal_name.to_lowercase())
        .copied()
    else {
        return false;
    };
    let mut store = state.device_codes.lock();
    match store.by_user_code(user_code) {
        Some(p) if p.status == Status::Pending && Instant::now() < p.expires_at => {
            p.status = Status::Approved(user);
            true
        }
        _ => false,
    }
}

pub fn deny(state: &State, user_code: &str) -> bool {
    let mut store = state.device_codes.lock();
    match store.by_user_code(user_code) {
        Some(p) if p.status == Status::Pending => {
            p.status = Status::Denied;
            true
        }
        _ => false,
    }
}

/// Test hook: make the code expire now (instead of waiting `expires_in`).
pub fn expire(state: &State, user_code: &str) -> bool {
    let mut store = state.device_codes.lock();
    match store.by_user_code(user_code) {
        Some(p) => {
            p.expires_at = Instant::now();
            true
        }
        None => false,
    }
}
