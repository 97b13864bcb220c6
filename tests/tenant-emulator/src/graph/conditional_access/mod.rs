//! `/{version}/identity/conditionalAccess/policies[/{id}]`: list (paged), get, create, update
//! and delete Conditional Access policies, with the permission, licence and schema checks.

pub mod schema;
mod store;

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::errors::GraphCtx;
use crate::clock;
use crate::directory::roles;
use crate::entra::access::Principal;
use crate::http::{Reply, Req};
use crate::journal::PolicyWrite;
use crate::seed::SeedData;
use crate::state::State;
pub use store::{PolicyHistory, PolicyStore};

/// Either grants reading.
const READ_PERMISSIONS: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];
/// Writing needs both (as documented for create, update and delete).
const WRITE_PERMISSIONS: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];
/// Delegated callers also need one of these Entra roles.
const CONDITIONAL_ACCESS_ADMINISTRATOR: &str = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
const DELEGATED_WRITE_ROLES: &[&str] = &[
    roles::GLOBAL_ADMINISTRATOR,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
];
const DELEGATED_READ_ROLES: &[&str] = &[
    roles::GLOBAL_ADMINISTRATOR,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    GLOBAL_READER,
    SECURITY_READER,
];

/// UNCONFIRMED: code and text of Graph's Conditional Access 403 for missing permissions.
const MISSING_SCOPES_CODE: &str = "AccessDenied";
const MISSING_SCOPES_MESSAGE: &str =
    "You cannot perform the requested operation, required scopes are missing in the token.";
/// UNCONFIRMED: code and text for a tenant without Entra ID P1 (contains "premium" on purpose).
const NO_PREMIUM_CODE: &str = "AccessDenied";
const NO_PREMIUM_MESSAGE: &str = "The tenant does not have a premium license (Microsoft Entra ID P1) required for Conditional Access.";

const MAX_TOP: usize = 999;
const TOKEN_KIND: &str = "graph-ca-policies";
const INVALID_JSON: &str = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.";

#[derive(Serialize, Deserialize)]
struct Cursor {
    p: usize,
}

impl schema::Directory for SeedData {
    fn user_exists(&self, id: &uuid::Uuid) -> bool {
        self.user_index.by_id.contains_key(id)
    }

    fn group_exists(&self, id: &uuid::Uuid) -> bool {
        self.groups.iter().any(|g| g.id == *id)
    }
}

fn permitted(principal: &Principal, write: bool) -> bool {
    if write {
        let all = WRITE_PERMISSIONS
            .iter()
            .all(|p| principal.has_permission(&[p]));
        all && (principal.is_app_only() || principal.has_any_wid(DELEGATED_WRITE_ROLES))
    } else {
        principal.has_permission(READ_PERMISSIONS)
            && (principal.is_app_only() || principal.has_any_wid(DELEGATED_READ_ROLES))
    }
}

/// Permission then licence; `None` when the request may go on.
fn refuse(state: &State, ctx: &GraphCtx, principal: &Principal, write: bool) -> Option<Reply> {
    if !permitted(principal, write) {
        return Some(ctx.error(
            StatusCode::FORBIDDEN,
            MISSING_SCOPES_CODE,
            MISSING_SCOPES_MESSAGE,
        ));
    }
    if !state.settings().premium {
        return Some(ctx.error(StatusCode::FORBIDDEN, NO_PREMIUM_CODE, NO_PREMIUM_MESSAGE));
    }
    None
}

fn collection_context(version: &str) -> String {
    format!("https://graph.microsoft.com/{version}/$metadata#identity/conditionalAccess/policies")
}

fn not_found(ctx: &GraphCtx, id: &str) -> Reply {
    ctx.user_not_found(id)
}

/// Routes the CA paths (`rest` starts after the version). `None` when the path is not CA.
pub async fn route(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
    rest: &[&str],
) -> Option<Reply> {
    let [identity, ca, policies, tail @ ..] = rest else {
        return None;
    };
    if !identity.eq_ignore_ascii_case("identity")
        || !ca.eq_ignore_ascii_case("conditionalAccess")
        || !policies.eq_ignore_ascii_case("policies")
    {
        return None;
    }
    let write = !matches!(req.method, Method::GET);
    let allowed = match tail {
        [] => matches!(req.method, Method::GET | Method::POST),
        [_] => matches!(req.method, Method::GET | Method::PATCH | Method::DELETE),
        _ => return None,
    };
    if !allowed {
        return Some(ctx.method_not_allowed());
    }
    if let Some(refused) = refuse(state, ctx, principal, write) {
        return Some(refused);
    }
    Some(match (tail, &req.method) {
        ([], &Method::GET) => list(state, req, ctx, version).await,
        ([], _) => create(state, req, ctx, version),
        ([id], &Method::GET) => get_one(state, ctx, version, id),
        ([id], &Method::PATCH) => update(state, req, ctx, id),
        ([id], _) => delete(state, ctx, id),
        _ => ctx.method_not_allowed(),
    })
}

async fn list(state: &State, req: &Req, ctx: &GraphCtx, version: &str) -> Reply {
    for (name, _) in req.query_pairs() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with('$') && !matches!(lower.as_str(), "$top" | "$skiptoken") {
            return ctx.bad_request(
                "Request_UnsupportedQuery",
                &format!("The query option '{name}' is not supported on conditionalAccess/policies by this emulator."),
            );
        }
    }
    let explicit_top = match req.query_param("$top") {
        None => None,
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => Some(n),
            _ => {
                return ctx.bad_request(
                    "BadRequest",
                    &format!("Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."),
                );
            }
        },
    };
    let start = match req.query_param("$skiptoken") {
        None => 0,
        Some(token) => match state.page_tokens.open::<Cursor>(TOKEN_KIND, &token) {
            Some(c) => c.p,
            None => {
                return ctx.bad_request(
                    "BadRequest",
                    "The specified page token value has expired or is invalid.",
                );
            }
        },
    };
    let latency = state.options.page_latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let page_size = state.settings().ca_page_size.max(1);
    let size = explicit_top.map_or(page_size, |t| t.min(page_size));
    let (values, total) = {
        let store = state.policies.lock();
        let all = store.rendered();
        let total = all.len();
        let values: Vec<Value> = all.into_iter().skip(start).take(size).collect();
        (values, total)
    };
    let end = (start + values.len()).min(total);
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(collection_context(version)));
    if end < total {
        let token = state.page_tokens.seal(TOKEN_KIND, &Cursor { p: end });
        let top = explicit_top
            .map(|t| format!("$top={t}&"))
            .unwrap_or_default();
        body.insert(
            "@odata.nextLink".into(),
            json!(format!(
                "{}/{version}/identity/conditionalAccess/policies?{top}$skiptoken={token}",
                state.base_url
            )),
        );
    }
    body.insert("value".into(), Value::Array(values));
    ctx.json(StatusCode::OK, &Value::Object(body))
}

fn get_one(state: &State, ctx: &GraphCtx, version: &str, id: &str) -> Reply {
    let Some(policy) = state.policies.lock().get(id) else {
        return not_found(ctx, id);
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/$entity", collection_context(version))),
    );
    if let Value::Object(p) = policy {
        body.extend(p);
    }
    ctx.json(StatusCode::OK, &Value::Object(body))
}

/// The request body as a JSON object, or Graph's "unreadable payload" error.
fn json_body(req: &Req, ctx: &GraphCtx) -> Result<Value, Reply> {
    if req.media_type().as_deref() != Some("application/json") {
        return Err(ctx.bad_request("BadRequest", INVALID_JSON));
    }
    serde_json::from_slice::<Value>(&req.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| ctx.bad_request("BadRequest", INVALID_JSON))
}

fn journal_write(state: &State, method: &str, id: &str, body: Value, status: StatusCode) {
    state
        .journal
        .lock()
        .conditional_access_writes
        .push(PolicyWrite {
            method: method.to_owned(),
            policy_id: id.to_owned(),
            body,
            status: status.as_u16(),
        });
}

fn create(state: &State, req: &Req, ctx: &GraphCtx, version: &str) -> Reply {
    let body = match json_body(req, ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let validated = schema::validate(&schema::POLICY, &body, &state.data, false)
        .and_then(|p| schema::check_required(&p).map(|()| p));
    let fields = match validated {
        Ok(p) => p,
        Err(message) => return ctx.bad_request("BadRequest", &message),
    };
    let id = uuid::Uuid::new_v4();
    let created = state.policies.lock().insert(id, clock::now_unix(), fields);
    let status = StatusCode::CREATED;
    journal_write(state, "POST", &id.to_string(), body, status);
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(format!("{}/$entity", collection_context(version))),
    );
    if let Value::Object(p) = created {
        out.extend(p);
    }
    ctx.json(status, &Value::Object(out)).with_header(
        "location",
        &format!(
            "{}/{version}/identity/conditionalAccess/policies/{id}",
            state.base_url
        ),
    )
}

fn update(state: &State, req: &Req, ctx: &GraphCtx, id: &str) -> Reply {
    let body = match json_body(req, ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let patch = match schema::validate(&schema::POLICY, &body, &state.data, true) {
        Ok(p) => p,
        Err(message) => return ctx.bad_request("BadRequest", &message),
    };
    let outcome = state.policies.lock().update(id, patch, clock::now_unix());
    match outcome {
        None => not_found(ctx, id),
        Some(Err(message)) => ctx.bad_request("BadRequest", &message),
        Some(Ok(stored_id)) => {
            journal_write(state, "PATCH", &stored_id, body, StatusCode::NO_CONTENT);
            Reply::new(StatusCode::NO_CONTENT)
        }
    }
}

fn delete(state: &State, ctx: &GraphCtx, id: &str) -> Reply {
    match state.policies.lock().remove(id) {
        None => not_found(ctx, id),
        Some(stored_id) => {
            journal_write(
                state,
                "DELETE",
                &stored_id,
                Value::Null,
                StatusCode::NO_CONTENT,
            );
            Reply::new(StatusCode::NO_CONTENT)
        }
    }
}
