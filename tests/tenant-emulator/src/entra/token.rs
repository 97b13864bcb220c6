//! `POST /{tenant}/oauth2/v2.0/token`: common checks, then one handler per grant type.

use http::Method;

use super::errors::EntraError;
use super::{TenantSegment, auth_code, client_credentials, device_code, refresh, resolve_tenant};
use crate::http::{Form, Reply, Req};
use crate::state::State;

pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The short form MSAL.NET polls with; Entra ID accepts it as the RFC 8628 URN
/// (../shared/docs/entra-auth-and-graph.md §device code, ADDED 2026-12-06, seen on the wire from
/// MSAL.NET 4.92; MSAL.NET's `OAuth2GrantType.DeviceCode` is "device_code").
pub const DEVICE_CODE_GRANT_SHORT: &str = "device_code";

pub fn handle(state: &State, req: &Req, tenant: &str) -> Reply {
    match token(state, req, tenant) {
        Ok(reply) => reply,
        Err(e) => e.reply(req),
    }
}

/// The form body; anything that is not form-encoded reads as empty (Entra then reports the
/// first missing parameter, `grant_type`).
pub fn read_form(req: &Req) -> Result<Form, EntraError> {
    let form = if req.media_type().as_deref() == Some("application/x-www-form-urlencoded") {
        Form::parse(&req.body)
    } else {
        Form::default()
    };
    if let Some(name) = form.duplicated() {
        return Err(EntraError::duplicated_parameter(name));
    }
    Ok(form)
}

fn token(state: &State, req: &Req, tenant: &str) -> Result<Reply, EntraError> {
    let segment = resolve_tenant(state, tenant);
    if segment == TenantSegment::Unknown {
        return Err(EntraError::tenant_not_found(tenant));
    }
    if req.method != Method::POST {
        return Err(EntraError::missing_parameter("grant_type"));
    }
    let form = read_form(req)?;
    let grant = form
        .non_empty("grant_type")
        .ok_or_else(|| EntraError::missing_parameter("grant_type"))?;
    match grant {
        "client_credentials" => {
            if segment == TenantSegment::Independent {
                return Err(EntraError::tenant_independent_endpoint());
            }
            client_credentials::grant(state, req, &form, tenant)
        }
        DEVICE_CODE_GRANT | DEVICE_CODE_GRANT_SHORT => {
            device_code::redeem(state, req, &form, tenant)
        }
        "refresh_token" => refresh::redeem(state, req, &form, tenant),
        "authorization_code" => auth_code::redeem(state, req, &form, tenant),
        other => Err(EntraError::unsupported_grant_type(other)),
    }
}
