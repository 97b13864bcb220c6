//! `GET /users/{id|upn}`, `GET /me`, `GET /users` with `$select`, `$top` (≤ 999) and `$skiptoken`.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::errors::GraphCtx;
use crate::clock;
use crate::entra::access::Principal;
use crate::http::{Reply, Req};
use crate::state::State;

/// Returned when `$select` is absent: the default set a captured answer shows
/// (microsoftgraph/microsoft-graph-docs-contrib#7160, `GET /v1.0/users/{id}`: businessPhones,
/// displayName, givenName, jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname,
/// userPrincipalName, id), in that order.
const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];
/// Only with `$select`.
const EXTRA_PROPERTIES: &[&str] = &[
    "accountEnabled",
    "createdDateTime",
    "mailNickname",
    "signInSessionsValidFromDateTime",
    "userType",
];

pub const READ_PERMISSIONS: &[&str] = &[
    "User.Read.All",
    "User.ReadBasic.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// `/users` pages: 100 by default, `$top` up to 999 (`api-reference/v1.0/api/user-list.md`, via
/// ../shared/docs/entra-auth-and-graph.md §4 Paging). No captured page is in tests/wire-examples.
const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;
const TOKEN_KIND: &str = "graph-users";

#[derive(Serialize, Deserialize)]
struct Cursor {
    p: u64,
}

fn property(state: &State, index: u32, name: &str) -> Value {
    let Some(u) = state.data.user(index) else {
        return Value::Null;
    };
    match name {
        "businessPhones" => json!(if u.is_admin {
            vec!["+81 3-1234-5678"]
        } else {
            Vec::<&str>::new()
        }),
        "displayName" => json!(u.display_name),
        "givenName" => json!(u.given_name),
        "jobTitle" => json!(u.job_title),
        "mail" => json!(u.mail()),
        "mobilePhone" => json!(u.mobile_phone),
        "officeLocation" => json!(u.office_location),
        "preferredLanguage" => json!(u.preferred_language),
        "surname" => json!(u.surname),
        "userPrincipalName" => json!(u.user_principal_name),
        "id" => json!(u.id.to_string()),
        "accountEnabled" => json!(true),
        "createdDateTime" => json!(clock::graph_datetime(u.created)),
        "mailNickname" => json!(u.alias),
        "signInSessionsValidFromDateTime" => {
            let ms = state.session_valid_from(index);
            json!(clock::graph_datetime(if ms > 0 {
                ms / 1000
            } else {
                u.created
            }))
        }
        "userType" => json!("Member"),
        _ => Value::Null,
    }
}

pub fn render(state: &State, index: u32, select: &[&'static str]) -> Map<String, Value> {
    select
        .iter()
        .map(|name| ((*name).to_owned(), property(state, index, name)))
        .collect()
}

/// `$select` resolved to known property names (case-insensitive), or the defaults.
fn selection(ctx: &GraphCtx, req: &Req) -> Result<(Vec<&'static str>, bool), Reply> {
    let Some(select) = req.query_param("$select").filter(|s| !s.trim().is_empty()) else {
        return Ok((DEFAULT_PROPERTIES.to_vec(), false));
    };
    let mut out = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let known = DEFAULT_PROPERTIES
            .iter()
            .chain(EXTRA_PROPERTIES)
            .find(|p| p.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                // UNCONFIRMED: code and text for an unknown `$select` property.
                ctx.bad_request(
                    "Request_BadRequest",
                    &format!("Could not find a property named '{name}' on type 'Microsoft.DirectoryServices.User'."),
                )
            })?;
        if !out.contains(known) {
            out.push(*known);
        }
    }
    Ok((out, true))
}

fn context_url(version: &str, select: &[&str], explicit: bool, entity: bool) -> String {
    let selection = if explicit {
        format!("({})", select.join(","))
    } else {
        String::new()
    };
    let suffix = if entity { "/$entity" } else { "" };
    format!("https://graph.microsoft.com/{version}/$metadata#users{selection}{suffix}")
}

pub fn can_read(principal: &Principal, me: bool) -> bool {
    principal.has_permission(READ_PERMISSIONS) || (me && principal.has_scope("User.Read"))
}

pub fn get_one(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
    key: Option<&str>,
) -> Reply {
    if !can_read(principal, key.is_none()) {
        return ctx.forbidden();
    }
    let (select, explicit) = match selection(ctx, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let found = match key {
        Some(k) => state.data.user_by_id_or_upn(k),
        None => principal
            .user_principal_name
            .as_deref()
            .and_then(|upn| state.data.user_by_id_or_upn(upn)),
    };
    let Some(index) = found else {
        return match key {
            Some(k) => ctx.user_not_found(k),
            // App-only tokens have no /me. UNCONFIRMED: the code and text.
            None => ctx.bad_request(
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            ),
        };
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(version, &select, explicit, true)),
    );
    body.extend(render(state, index, &select));
    ctx.json(StatusCode::OK, &Value::Object(body))
}

pub async fn list(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
) -> Reply {
    if !can_read(principal, false) {
        return ctx.forbidden();
    }
    for (name, _) in req.query_pairs() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with('$') && !matches!(lower.as_str(), "$select" | "$top" | "$skiptoken") {
            return ctx.bad_request(
                "Request_UnsupportedQuery",
                &format!("The query option '{name}' is not supported on /users by this emulator."),
            );
        }
    }
    let (select, explicit) = match selection(ctx, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let top = match req.query_param("$top") {
        None => DEFAULT_TOP,
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            _ => {
                return ctx.bad_request(
                    "Request_BadRequest",
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
                    "Directory_InvalidPageToken",
                    "The specified page token value has expired or is invalid.",
                );
            }
        },
    };
    let latency = state.options.page_latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let total = state.data.users.len() as u64;
    let end = (start + top as u64).min(total);
    let values: Vec<Value> = (start..end)
        .map(|i| Value::Object(render(state, i as u32, &select)))
        .collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(version, &select, explicit, false)),
    );
    if end < total {
        let token = state.page_tokens.seal(TOKEN_KIND, &Cursor { p: end });
        let mut link = format!("{}/{version}/users?$top={top}", state.base_url);
        if explicit {
            link.push_str("&$select=");
            link.push_str(&select.join(","));
        }
        link.push_str("&$skiptoken=");
        link.push_str(&token);
        body.insert("@odata.nextLink".into(), json!(link));
    }
    body.insert("value".into(), Value::Array(values));
    ctx.json(StatusCode::OK, &Value::Object(body))
}
