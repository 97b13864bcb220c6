//! Refresh tokens: opaque, bound to user + client (not to a resource), rotated on every use,
//! and invalid once the user's sessions are revoked.

use std::collections::HashMap;

use http::StatusCode;
use ring::digest;
use ring::rand::SystemRandom;
use serde_json::Value;
use uuid::Uuid;

use super::errors::{EntraError, with_token_headers};
use super::issue::{self, Subject};
use super::scopes::{self, DelegatedScopes};
use crate::clock;
use crate::directory::{App, random_text};
use crate::http::{Form, Reply, Req};
use crate::state::State;

struct Grant {
    user: u32,
    client_id: Uuid,
    issued_ms: i64,
    superseded: bool,
}

/// Keyed by SHA-256 of the token so the tokens themselves are not kept.
#[derive(Default)]
pub struct RefreshTokenStore {
    grants: HashMap<Vec<u8>, Grant>,
}

fn key(token: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

fn mint(state: &State, user: u32, client_id: Uuid) -> Option<String> {
    let token = format!(
        "1.AXEA{}",
        random_text(
            &SystemRandom::new(),
            200,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        .ok()?
    );
    state.refresh_tokens.lock().grants.insert(
        key(&token),
        Grant {
            user,
            client_id,
            issued_ms: clock::now_unix_millis(),
            superseded: false,
        },
    );
    Some(token)
}

/// Token response for a delegated grant (device code or refresh): access token, plus a refresh
/// token with `offline_access` and an ID token with `openid`.
pub fn delegated_token_response(
    state: &State,
    req: &Req,
    user_index: u32,
    client: &App,
    scopes: &DelegatedScopes,
) -> Result<Reply, EntraError> {
    let unavailable = || EntraError::temporarily_unavailable(500);
    let user = state.data.user(user_index).ok_or_else(unavailable)?;
    let granted = scopes.grant(client)?;
    let subject = Subject::User {
        user,
        client,
        scopes: &granted,
    };
    let issued = issue::access_token(state, scopes.resource, subject, req.force_expired_token)
        .ok_or_else(unavailable)?;
    let mut body = issue::token_response(&issued);
    if let Some(map) = body.as_object_mut() {
        map.insert("scope".into(), Value::from(scopes.response_scope(&granted)));
        if scopes.offline_access {
            let rt = mint(state, user_index, client.client_id).ok_or_else(unavailable)?;
            map.insert("refresh_token".into(), rt.into());
        }
        if scopes.openid {
            let id = issue::id_token(state, user, client).ok_or_else(unavailable)?;
            map.insert("id_token".into(), id.into());
        }
        // MSAL sends `client_info=1` and builds its account from the answer's `client_info`:
        // base64url JSON with `uid` (object id) and `utid` (tenant id) (MSAL.NET
        // `Internal/ClientInfo.cs`; UNCONFIRMED beyond those two fields).
        if Form::parse(&req.body).get("client_info") == Some("1") {
            let info = serde_json::json!({"uid": user.id.to_string(), "utid": state.tenant.id.to_string()});
            map.insert(
                "client_info".into(),
                base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    info.to_string(),
                )
                .into(),
            );
        }
    }
    Ok(with_token_headers(Reply::json(StatusCode::OK, &body), req))
}

pub fn redeem(state: &State, req: &Req, form: &Form, tenant: &str) -> Result<Reply, EntraError> {
    let client_id = form
        .non_empty("client_id")
        .ok_or_else(|| EntraError::missing_parameter("client_id"))?;
    let token = form
        .non_empty("refresh_token")
        .ok_or_else(|| EntraError::missing_parameter("refresh_token"))?;
    let scope = form
        .non_empty("scope")
        .ok_or_else(|| EntraError::missing_parameter("scope"))?;
    let client = state
        .directory
        .app(client_id)
        .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
    let scopes = scopes::delegated(scope, tenant)?;
    let user = {
        let mut store = state.refresh_tokens.lock();
        let grant = store
            .grants
            .get_mut(&key(token))
            .ok_or_else(EntraError::refresh_token_malformed)?;
        if grant.client_id != client.client_id {
            return Err(EntraError::refresh_token_wrong_client());
        }
        let valid_from = state.session_valid_from(grant.user);
        if valid_from > 0 && grant.issued_ms < valid_from {
            return Err(EntraError::refresh_token_revoked(
                grant.issued_ms / 1000,
                valid_from / 1000,
            ));
        }
        if grant.superseded {
            return Err(EntraError::refresh_token_superseded());
        }
        // Consent is checked before the old token is retired so a bad scope does not burn it.
        scopes.grant(client)?;
        grant.superseded = true;
        grant.user
    };
    let mut with_rotation = scopes.clone();
    // Using a refresh token always yields a new one.
    with_rotation.offline_access = true;
    delegated_token_response(state, req, user, client, &with_rotation)
}
