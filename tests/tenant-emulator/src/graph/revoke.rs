//! `POST /users/{id|upn}/revokeSignInSessions` (and `/me/…`): sets
//! `signInSessionsValidFromDateTime`, which invalidates the user's refresh tokens.

use http::StatusCode;
use serde_json::json;

use super::errors::GraphCtx;
use crate::clock;
use crate::directory::roles;
use crate::entra::access::Principal;
use crate::http::Reply;
use crate::journal::Revocation;
use crate::state::State;

pub const PERMISSIONS: &[&str] = &[
    "User.RevokeSessions.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// Delegated callers also need an admin role that covers the target user.
const DELEGATED_ADMIN_ROLES: &[&str] = &[
    roles::GLOBAL_ADMINISTRATOR,
    roles::USER_ADMINISTRATOR,
    roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
];

pub fn revoke(state: &State, ctx: &GraphCtx, principal: &Principal, key: Option<&str>) -> Reply {
    let permitted = principal.has_permission(PERMISSIONS)
        && (principal.is_app_only()
            || principal.has_any_wid(DELEGATED_ADMIN_ROLES)
            || key.is_none());
    if !permitted {
        return ctx.forbidden();
    }
    let lookup = key.or(principal.user_principal_name.as_deref());
    let Some(index) = lookup.and_then(|k| state.data.user_by_id_or_upn(k)) else {
        return match key {
            Some(k) => ctx.user_not_found(k),
            None => ctx.bad_request(
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            ),
        };
    };
    let Some(user) = state.data.user(index) else {
        return ctx.user_not_found(lookup.unwrap_or_default());
    };
    let now_ms = clock::now_unix_millis();
    state.set_session_valid_from(index, now_ms);
    state.journal.lock().revocations.push(Revocation {
        user_id: user.id.to_string(),
        user_principal_name: user.user_principal_name.clone(),
        at: clock::graph_datetime(now_ms / 1000),
    });
    ctx.json(
        StatusCode::OK,
        &json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value": true}),
    )
}
