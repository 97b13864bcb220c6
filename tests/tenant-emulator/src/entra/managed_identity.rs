//! App Service / Azure Automation managed identity endpoint (`IDENTITY_ENDPOINT`): GET with a
//! query or POST with a form, `X-IDENTITY-HEADER`, a v1 `resource` (no `/.default`), and
//! `expires_on` as a string of Unix seconds. api-version 2017-09-01 gives the legacy date form.

use http::{Method, StatusCode};
use serde_json::json;

use super::issue::{self, Subject};
use crate::clock;
use crate::directory::{App, Resource};
use crate::http::{Form, Reply, Req};
use crate::state::State;

const MODERN_API: &str = "2019-08-01";
const LEGACY_API: &str = "2017-09-01";

/// The endpoint's own error shape: `{"statusCode":…,"message":…}`.
pub fn error(status: u16, message: &str) -> Reply {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    Reply::json(
        code,
        &json!({"statusCode": status, "message": message, "correlationId": uuid::Uuid::new_v4().to_string()}),
    )
}

fn params(req: &Req) -> Form {
    let mut pairs = req.query_pairs();
    if req.method == Method::POST
        && req.media_type().as_deref() == Some("application/x-www-form-urlencoded")
    {
        pairs.extend(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&req.body).unwrap_or_default(),
        );
    }
    Form::from_pairs(pairs)
}

fn secret_matches(req: &Req, header: &str, expected: &str) -> bool {
    req.header(header)
        .is_some_and(|v| crate::secret::equals(v.as_bytes(), expected.as_bytes()))
}

pub fn handle(state: &State, req: &Req) -> Reply {
    if req.method != Method::GET && req.method != Method::POST {
        return error(
            405,
            "The requested method is not supported. Use GET or POST.",
        );
    }
    let params = params(req);
    let legacy = match params.get("api-version") {
        None | Some(MODERN_API) => false,
        Some(LEGACY_API) => true,
        Some(other) => {
            return error(
                400,
                &format!("The api-version '{other}' is not supported. Use {MODERN_API}."),
            );
        }
    };
    // 2019-08-01 uses X-IDENTITY-HEADER; the 2017 API called the same value `secret`.
    let header = if legacy {
        "secret"
    } else {
        "x-identity-header"
    };
    if !secret_matches(req, header, &state.directory.identity_header) {
        return error(
            401,
            &format!("Unauthorized request: the {header} header is missing or invalid."),
        );
    }
    let Some(resource_text) = params.non_empty("resource") else {
        return error(400, "Required parameter 'resource' is missing.");
    };
    // A scope (`…/.default`) or unknown resource gets the vague 500 the real endpoint sends.
    let Some(resource) = Resource::from_identifier(resource_text) else {
        return error(
            500,
            "An unexpected error occured while fetching the AAD Token.",
        );
    };
    let identity = match select_identity(state, &params) {
        Ok(app) => app,
        Err(reply) => return reply,
    };
    let subject = Subject::App {
        app: identity,
        acr: "2",
        managed_identity: true,
    };
    let Some(issued) = issue::access_token(state, resource, subject, req.force_expired_token)
    else {
        return error(
            500,
            "An unexpected error occured while fetching the AAD Token.",
        );
    };
    let expires_on = if legacy {
        clock::legacy_msi_date(issued.expires_on)
    } else {
        issued.expires_on.to_string()
    };
    Reply::json(
        StatusCode::OK,
        &json!({
            "access_token": issued.access_token,
            "expires_on": expires_on,
            "resource": resource_text,
            "token_type": "Bearer",
            "client_id": identity.client_id.to_string(),
        }),
    )
}

/// System-assigned unless exactly one of `client_id`, `principal_id`/`object_id`, `mi_res_id`/`msi_res_id` picks the user-assigned one.
fn select_identity<'s>(state: &'s State, params: &Form) -> Result<&'s App, Reply> {
    let selectors: Vec<(&str, &str)> = [
        "client_id",
        "principal_id",
        "object_id",
        "mi_res_id",
        "msi_res_id",
    ]
    .iter()
    .filter_map(|n| params.non_empty(n).map(|v| (*n, v)))
    .collect();
    let dir = &state.directory;
    match selectors.as_slice() {
        [] => Ok(&dir.system_identity),
        [(name, value)] => {
            let id = dir.user_identity.client_id.to_string();
            let principal = dir.user_identity.principal_id.to_string();
            let system_id = dir.system_identity.client_id.to_string();
            let found = match *name {
                "client_id" if value.eq_ignore_ascii_case(&id) => Some(&dir.user_identity),
                "client_id" if value.eq_ignore_ascii_case(&system_id) => Some(&dir.system_identity),
                "principal_id" | "object_id" if value.eq_ignore_ascii_case(&principal) => {
                    Some(&dir.user_identity)
                }
                "mi_res_id" | "msi_res_id"
                    if value.eq_ignore_ascii_case(&dir.user_identity_resource_id) =>
                {
                    Some(&dir.user_identity)
                }
                _ => None,
            };
            found.ok_or_else(|| {
                error(
                    400,
                    &format!("No managed identity found for the specified {name}: the requested identity has not been assigned to this resource."),
                )
            })
        }
        _ => Err(error(
            400,
            "Only one of client_id, principal_id/object_id or mi_res_id may be specified.",
        )),
    }
}
