//! Checking a bearer token at a resource (Exchange, Graph): signature, issuer/tenant, audience,
//! lifetime and "expire everything" — and what the token grants.

use std::sync::atomic::Ordering;

use serde_json::{Map, Value};

use crate::clock;
use crate::directory::Resource;
use crate::entra::jwt::VerifyError;
use crate::http::Req;
use crate::state::State;

/// The caller, as a resource sees it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub wids: Vec<String>,
    /// Set for delegated tokens.
    pub user_principal_name: Option<String>,
    /// The client application (`appid`), what per-app throttling counts by.
    pub app_id: Option<String>,
}

impl Principal {
    pub fn is_app_only(&self) -> bool {
        self.user_principal_name.is_none()
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.eq_ignore_ascii_case(role))
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
    }

    pub fn has_any_wid(&self, wids: &[&str]) -> bool {
        self.wids
            .iter()
            .any(|w| wids.iter().any(|x| w.eq_ignore_ascii_case(x)))
    }

    /// App role (app-only) or delegated scope, whichever applies to this token.
    pub fn has_permission(&self, any_of: &[&str]) -> bool {
        any_of.iter().any(|p| {
            if self.is_app_only() {
                self.has_role(p)
            } else {
                self.has_scope(p)
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Malformed,
    BadSignature,
    WrongIssuer,
    WrongAudience(String),
    Expired,
    NotYetValid,
}

fn strings(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

pub fn bearer_token(req: &Req) -> Option<&str> {
    let value = req.header("authorization")?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub fn authenticate(
    state: &State,
    req: &Req,
    resource: Resource,
) -> Result<Principal, AuthFailure> {
    let token = bearer_token(req).ok_or(AuthFailure::Missing)?;
    let claims = state.signer.verify(token).map_err(|e| match e {
        VerifyError::Malformed => AuthFailure::Malformed,
        VerifyError::BadSignature => AuthFailure::BadSignature,
    })?;
    let str_claim = |n: &str| {
        claims
            .get(n)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let tid = state.tenant.id.to_string();
    if str_claim("tid") != tid || str_claim("iss") != format!("https://sts.windows.net/{tid}/") {
        return Err(AuthFailure::WrongIssuer);
    }
    let aud = str_claim("aud");
    if Resource::from_identifier(&aud) != Some(resource) {
        return Err(AuthFailure::WrongAudience(aud));
    }
    let now = clock::now_unix();
    let num = |n: &str| claims.get(n).and_then(Value::as_i64);
    let seq = claims
        .get("xms_emu_seq")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let expired_through = state.expired_through_seq.load(Ordering::SeqCst);
    if req.force_expired_token || num("exp").is_none_or(|exp| exp <= now) || seq <= expired_through
    {
        return Err(AuthFailure::Expired);
    }
    if num("nbf").is_some_and(|nbf| nbf > now + 300) {
        return Err(AuthFailure::NotYetValid);
    }
    let upn = claims.get("upn").and_then(Value::as_str).map(str::to_owned);
    Ok(Principal {
        roles: strings(&claims, "roles"),
        scopes: strings(&claims, "scp"),
        wids: strings(&claims, "wids"),
        user_principal_name: upn,
        app_id: claims
            .get("appid")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}
