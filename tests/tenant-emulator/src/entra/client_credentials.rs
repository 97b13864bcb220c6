//! Client credentials grant: client authentication (secret in the form or HTTP Basic, or a
//! certificate assertion) and app-only tokens.

use base64::Engine;
use http::StatusCode;
use percent_encoding::percent_decode_str;

use super::assertion;
use super::errors::{EntraError, with_token_headers};
use super::issue::{self, Subject};
use super::scopes;
use crate::directory::{App, AppCredentialKind};
use crate::http::{Form, Reply, Req};
use crate::state::State;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// `(client_id, client_secret)` from `Authorization: Basic` (RFC 6749 §2.3.1: form-encoded, then base64).
fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let value = req.header("authorization")?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unform = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((unform(id), unform(secret)))
}

/// How the client proved who it is.
pub enum ClientAuth {
    Secret,
    Certificate,
}

impl ClientAuth {
    pub fn acr(&self) -> &'static str {
        match self {
            ClientAuth::Secret => "1",
            ClientAuth::Certificate => "2",
        }
    }
}

/// Authenticates a confidential client.
pub fn authenticate<'s>(
    state: &'s State,
    req: &Req,
    form: &Form,
    tenant: &str,
) -> Result<(&'s App, ClientAuth), EntraError> {
    let basic = basic_credentials(req);
    let form_id = form.non_empty("client_id");
    let client_id = match (form_id, &basic) {
        (Some(a), Some((b, _))) if !a.eq_ignore_ascii_case(b) => {
            return Err(EntraError::multiple_client_authentications());
        }
        (Some(a), _) => a.to_owned(),
        (None, Some((b, _))) => b.clone(),
        (None, None) => return Err(EntraError::missing_parameter("client_id")),
    };
    let app = state
        .directory
        .app(&client_id)
        .filter(|_| !state.options.apps_removed)
        .ok_or_else(|| EntraError::app_not_found(&client_id, tenant))?;
    let form_secret = form.get("client_secret");
    let secret = match (form_secret, &basic) {
        (Some(_), Some(_)) => return Err(EntraError::multiple_client_authentications()),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some((_, s))) => Some(s.clone()),
        (None, None) => None,
    };
    let assertion = form.get("client_assertion");
    if app.is_public() {
        return Err(if secret.is_some() || assertion.is_some() {
            EntraError::public_client_with_credential()
        } else {
            EntraError::missing_client_credential()
        });
    }
    match (secret, assertion) {
        (Some(_), Some(_)) => Err(EntraError::multiple_client_authentications()),
        (Some(secret), None) => match &app.credential {
            AppCredentialKind::Secret(expected)
                if crate::secret::equals(secret.as_bytes(), expected.as_bytes()) =>
            {
                Ok((app, ClientAuth::Secret))
            }
            _ => Err(EntraError::invalid_client_secret(
                &app.client_id.to_string(),
            )),
        },
        (None, Some(jwt)) => {
            match form.get("client_assertion_type") {
                None => return Err(EntraError::missing_parameter("client_assertion_type")),
                Some(t) if t != JWT_BEARER => return Err(EntraError::invalid_assertion_type()),
                Some(_) => {}
            }
            let audiences = [
                state.token_endpoint(tenant),
                state.token_endpoint(&state.tenant.id.to_string()),
                state.token_endpoint(&state.tenant.domain),
            ];
            assertion::validate(app, jwt, &audiences)?;
            Ok((app, ClientAuth::Certificate))
        }
        (None, None) => Err(EntraError::missing_client_credential()),
    }
}

pub fn grant(state: &State, req: &Req, form: &Form, tenant: &str) -> Result<Reply, EntraError> {
    if form.get("resource").is_some() {
        return Err(EntraError::resource_parameter());
    }
    let (app, auth) = authenticate(state, req, form, tenant)?;
    let scope = form
        .non_empty("scope")
        .ok_or_else(|| EntraError::missing_parameter("scope"))?;
    let resource = scopes::client_credentials_resource(scope, tenant)?;
    let subject = Subject::App {
        app,
        acr: auth.acr(),
        managed_identity: false,
    };
    let issued = issue::access_token(state, resource, subject, req.force_expired_token)
        .ok_or_else(|| EntraError::temporarily_unavailable(500))?;
    let reply = Reply::json(StatusCode::OK, &issue::token_response(&issued));
    Ok(with_token_headers(reply, req))
}
