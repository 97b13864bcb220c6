//! InvokeCommand: tenant, method, token, headers, role, body, then the cmdlet; wraps output
//! in the OData envelope.

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::paging::body_hash;
use super::{CmdletCall, CmdletOutput, errors, headers, mailbox, mobile_device, org_config};
use crate::directory::{EXCHANGE_MANAGE_AS_APP, Resource, roles};
use crate::entra::access::{self, Principal};
use crate::http::{Reply, Req};
use crate::state::State;

const ADMIN_ROLES: &[&str] = &[roles::EXCHANGE_ADMINISTRATOR, roles::GLOBAL_ADMINISTRATOR];
const DELEGATED_SCOPE: &str = "Exchange.Manage";

fn authorized(principal: &Principal) -> bool {
    let permission = if principal.is_app_only() {
        principal.has_role(EXCHANGE_MANAGE_AS_APP)
    } else {
        principal.has_scope(DELEGATED_SCOPE)
    };
    permission && principal.has_any_wid(ADMIN_ROLES)
}

/// The cmdlet name in a request body (for the journal); `None` if the body is not a cmdlet call.
pub fn cmdlet_name(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("CmdletInput")?
        .get("CmdletName")?
        .as_str()
        .map(str::to_owned)
}

pub async fn handle(state: &State, req: &Req, tenant_segment: &str) -> Reply {
    let reply = match run(state, req, tenant_segment).await {
        Ok(output) => envelope(tenant_segment, output),
        Err(reply) => reply,
    };
    errors::with_standard_headers(reply, req)
}

async fn run(state: &State, req: &Req, tenant_segment: &str) -> Result<CmdletOutput, Reply> {
    if !state.tenant.matches(tenant_segment) {
        return Err(errors::odata_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("The tenant '{tenant_segment}' was not found."),
        ));
    }
    if req.method != Method::POST {
        return Err(errors::odata_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "InvokeCommand accepts only POST.",
        ));
    }
    let principal = access::authenticate(state, req, Resource::Exchange)
        .map_err(|f| errors::unauthorized(&f))?;
    headers::check(req)?;
    if !authorized(&principal) {
        return Err(errors::forbidden(principal.is_app_only()));
    }
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| errors::bad_request(&format!("The request body is not valid JSON: {e}")))?;
    let input = body
        .get("CmdletInput")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            errors::bad_request("The request body must contain a 'CmdletInput' object.")
        })?;
    let cmdlet = input
        .get("CmdletName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            errors::bad_request("'CmdletInput.CmdletName' must be a non-empty string.")
        })?;
    let parameters: Map<String, Value> = match input.get("Parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(errors::bad_request(
                "'CmdletInput.Parameters' must be an object.",
            ));
        }
    };
    let call = CmdletCall {
        state,
        req,
        tenant_segment,
        body_hash: body_hash(cmdlet, &parameters),
        parameters,
        select: req.query_param("$select"),
    };
    match cmdlet.to_ascii_lowercase().as_str() {
        "get-organizationconfig" => org_config::get(&call),
        "set-organizationconfig" => org_config::set(&call),
        "get-mobiledevice" => mobile_device::get(&call).await,
        "get-mailbox" => mailbox::get(&call).await,
        _ => Err(errors::unknown_cmdlet(cmdlet)),
    }
}

fn envelope(tenant_segment: &str, output: CmdletOutput) -> Reply {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "https://outlook.office365.com/adminapi/beta/{tenant_segment}/$metadata#Collection(Exchange.GenericHashTable)"
        )),
    );
    if !output.warnings.is_empty() {
        body.insert(
            "adminapi.warnings@odata.type".into(),
            json!("#Collection(String)"),
        );
        body.insert("@adminapi.warnings".into(), json!(output.warnings));
    }
    body.insert("value".into(), Value::Array(output.values));
    if let Some(link) = output.next_link {
        body.insert("@odata.nextLink".into(), json!(link));
    }
    Reply::json_with_type(StatusCode::OK, &Value::Object(body), errors::CONTENT_TYPE)
}
