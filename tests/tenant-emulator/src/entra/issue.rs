//! Minting access tokens (v1-style JWTs signed by the emulator), ID tokens and token responses.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock;
use crate::directory::{App, Resource, roles};
use crate::seed::User;
use crate::state::State;

/// Who the token is for.
pub enum Subject<'a> {
    /// App-only. `acr`: "1" secret, "2" certificate or managed identity.
    App {
        app: &'a App,
        acr: &'static str,
        managed_identity: bool,
    },
    /// Delegated: a user through a public client, with granted `scp`.
    User {
        user: &'a User,
        client: &'a App,
        scopes: &'a [&'static str],
    },
}

pub struct Issued {
    pub access_token: String,
    pub expires_in: u64,
    /// Unix seconds at which the client should consider it expired.
    pub expires_on: i64,
}

pub fn access_token(
    state: &State,
    resource: Resource,
    subject: Subject<'_>,
    force_expired: bool,
) -> Option<Issued> {
    let now = clock::now_unix();
    let lifetime = state.options.token_lifetime.as_secs().max(1);
    let (iat, exp) = if force_expired {
        // As a token from a skewed clock or revoked session: already past its exp.
        (now - lifetime as i64 - 600, now - 300)
    } else {
        (now, now + lifetime as i64)
    };
    let tid = state.tenant.id.to_string();
    let issuer = format!("https://sts.windows.net/{tid}/");
    let seq = state.next_token_seq();
    let mut claims = json!({
        "aud": resource.uri(),
        "iss": issuer,
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "idp": issuer,
        "tid": tid,
        "uti": crate::entra::jwt::b64url(Uuid::new_v4().as_bytes()),
        "ver": "1.0",
        "xms_emu_seq": seq,
    });
    let map = claims.as_object_mut()?;
    match subject {
        Subject::App {
            app,
            acr,
            managed_identity,
        } => {
            let roles = app.roles_for(resource);
            map.insert("appid".into(), app.client_id.to_string().into());
            map.insert("app_displayname".into(), app.display_name.into());
            map.insert("appidacr".into(), acr.into());
            map.insert("idtyp".into(), "app".into());
            map.insert("oid".into(), app.principal_id.to_string().into());
            map.insert("sub".into(), app.principal_id.to_string().into());
            if !roles.is_empty() {
                map.insert("roles".into(), json!(roles));
            }
            map.insert("wids".into(), json!(app.wids));
            if managed_identity {
                map.insert(
                    "xms_mirid".into(),
                    format!("/managedIdentities/{}", app.client_id).into(),
                );
            }
        }
        Subject::User {
            user,
            client,
            scopes,
        } => {
            map.insert("appid".into(), client.client_id.to_string().into());
            map.insert("app_displayname".into(), client.display_name.into());
            map.insert("appidacr".into(), "0".into());
            map.insert("idtyp".into(), "user".into());
            map.insert("oid".into(), user.id.to_string().into());
            map.insert("sub".into(), user.id.to_string().into());
            map.insert("upn".into(), user.user_principal_name.clone().into());
            map.insert(
                "unique_name".into(),
                user.user_principal_name.clone().into(),
            );
            map.insert("name".into(), user.display_name.clone().into());
            map.insert("scp".into(), scopes.join(" ").into());
            map.insert("wids".into(), json!(user_wids(user)));
            map.insert("amr".into(), json!(["pwd", "mfa"]));
        }
    }
    let access_token = state.signer.sign(&claims)?;
    Some(Issued {
        access_token,
        expires_in: lifetime,
        expires_on: now + lifetime as i64,
    })
}

pub fn user_wids(user: &User) -> Vec<&'static str> {
    if user.is_admin {
        vec![roles::DEFAULT_USER, roles::GLOBAL_ADMINISTRATOR]
    } else {
        vec![roles::DEFAULT_USER]
    }
}

/// An ID token for `openid` (signed like access tokens; clients only read it).
pub fn id_token(state: &State, user: &User, client: &App) -> Option<String> {
    let now = clock::now_unix();
    let tid = state.tenant.id.to_string();
    state.signer.sign(&json!({
        "aud": client.client_id.to_string(),
        "iss": format!("https://login.microsoftonline.com/{tid}/v2.0"),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "name": user.display_name,
        "oid": user.id.to_string(),
        "preferred_username": user.user_principal_name,
        "sub": user.id.to_string(),
        "tid": tid,
        "ver": "2.0",
    }))
}

/// Body of a successful token response.
pub fn token_response(issued: &Issued) -> Value {
    json!({
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.access_token,
    })
}
