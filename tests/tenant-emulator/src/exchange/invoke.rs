//! InvokeCommand: tenant, method, token, headers, role, body, then the cmdlet; wraps output
//! in the OData envelope.

use http::{Method, StatusCode};
use serde_json::{Map, Value};

use super::paging::{body_hash, refuse_vanity_follow_up};
use super::{
    CmdletCall, CmdletOutput, Objects, cas_mailbox, errors, headers, mailbox, mobile_device,
    org_config, owa_policy, rbac,
};
use crate::directory::Resource;
use crate::entra::access;
use crate::http::{Reply, Req};
use crate::state::State;

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
    let received = tokio::time::Instant::now();
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
    let access = rbac::authorize(state, &principal)?;
    refuse_vanity_follow_up(state, req, tenant_segment)?;
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
    access.check(cmdlet)?;
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
        received,
    };
    match cmdlet.to_ascii_lowercase().as_str() {
        "get-organizationconfig" => org_config::get(&call),
        "set-organizationconfig" => org_config::set(&call),
        "get-mobiledevice" => mobile_device::get(&call).await,
        "get-mailbox" => mailbox::get(&call).await,
        "get-owamailboxpolicy" => owa_policy::get(&call),
        "set-owamailboxpolicy" => owa_policy::set(&call),
        "get-casmailbox" => cas_mailbox::get(&call).await,
        _ => Err(errors::unknown_cmdlet(cmdlet)),
    }
}

/// The OData envelope, written as text so that pre-serialised objects go in as they are.
fn envelope(tenant_segment: &str, output: CmdletOutput) -> Reply {
    let mut body = Vec::with_capacity(match &output.values {
        Objects::Serialized(text) => text.len() + 1024,
        Objects::Json(_) => 4096,
    });
    let member = |body: &mut Vec<u8>, first: bool, name: &str, value: &dyn erased::Json| {
        body.push(if first { b'{' } else { b',' });
        erased::string(body, name);
        body.push(b':');
        value.write(body);
    };
    let context = format!(
        "https://outlook.office365.com/adminapi/beta/{tenant_segment}/$metadata#Collection(Exchange.GenericHashTable)"
    );
    member(&mut body, true, "@odata.context", &context);
    // Every page carries the warnings annotation, an empty array when there are none. The
    // annotation and its place come from the documented reply shape (exchange-admin-rest.md,
    // Response); that it is present and empty when there are no warnings is UNCONFIRMED.
    member(
        &mut body,
        false,
        "adminapi.warnings@odata.type",
        &"#Collection(String)",
    );
    member(&mut body, false, "@adminapi.warnings", &output.warnings);
    match &output.values {
        Objects::Json(values) => member(&mut body, false, "value", values),
        Objects::Serialized(text) => {
            body.extend_from_slice(b",\"value\":");
            body.extend_from_slice(text);
        }
    }
    if let Some(link) = &output.next_link {
        member(&mut body, false, "@odata.nextLink", link);
    }
    body.push(b'}');
    Reply::new(StatusCode::OK)
        .with_header(http::header::CONTENT_TYPE.as_str(), errors::CONTENT_TYPE)
        .with_body(body)
}

/// Writing serialisable values into a byte buffer through one `&dyn` (the envelope's members
/// have different types).
mod erased {
    pub trait Json {
        fn write(&self, out: &mut Vec<u8>);
    }

    impl<T: serde::Serialize + ?Sized> Json for T {
        fn write(&self, out: &mut Vec<u8>) {
            // Serialising plain strings and JSON values into memory cannot fail.
            let _ = serde_json::to_writer(&mut *out, self);
        }
    }

    pub fn string(out: &mut Vec<u8>, text: &str) {
        text.write(out);
    }
}
