//! `GET /{version}/groups/{id}/members`: the direct members of a seeded group (all users), paged.
//!
//! Source: microsoft-graph-docs-contrib, api-reference/v1.0/api/group-list-members.md: a
//! directoryObject collection whose items carry `@odata.type` (`#microsoft.graph.user`), `$select`
//! and `$top` supported, paged with `@odata.nextLink`; permissions GroupMember.Read.All,
//! Group.Read.All, Directory.Read.All. UNCONFIRMED here: the default page size (100) and the
//! maximum `$top` (999), as for the other directory lists of this emulator.

use http::StatusCode;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::errors::GraphCtx;
use super::groups::READ_PERMISSIONS;
use crate::entra::access::Principal;
use crate::http::{Reply, Req};
use crate::state::State;

const DEFAULT_TOP: usize = 100;
const MAX_TOP: usize = 999;
const TOKEN_KIND: &str = "graph-group-members";

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Index into the group's member list.
    p: usize,
    /// The group the token was issued for.
    g: String,
}

pub fn list(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
    id: &str,
) -> Reply {
    if !principal.has_permission(READ_PERMISSIONS) {
        return ctx.forbidden();
    }
    let Some(group) = state.data.group(id) else {
        return ctx.user_not_found(id);
    };
    let top = match req.query_param("$top") {
        None => DEFAULT_TOP,
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            // UNCONFIRMED: code and text for a `$top` out of range.
            _ => {
                return ctx.bad_request(
                    "Request_BadRequest",
                    &format!("Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."),
                );
            }
        },
    };
    let gid = group.id.to_string();
    let start = match req.query_param("$skiptoken") {
        None => 0,
        Some(token) => match state
            .page_tokens
            .open::<Cursor>(TOKEN_KIND, &token)
            .filter(|c| c.g == gid)
        {
            Some(c) => c.p,
            // UNCONFIRMED: code and text for a tampered or foreign `$skiptoken`.
            None => {
                return ctx.bad_request(
                    "Request_BadRequest",
                    "The specified page token value has expired or is invalid.",
                );
            }
        },
    };
    let end = (start + top).min(group.members.len());
    let values: Vec<Value> = group.members[start.min(end)..end]
        .iter()
        .filter_map(|&u| state.data.user(u))
        .map(|u| json!({"@odata.type": "#microsoft.graph.user", "id": u.id.to_string()}))
        .collect();
    let mut body = json!({
        "@odata.context": format!("https://graph.microsoft.com/{version}/$metadata#directoryObjects(id)"),
        "value": values,
    });
    if end < group.members.len() {
        let token = state
            .page_tokens
            .seal(TOKEN_KIND, &Cursor { p: end, g: gid });
        let link = format!(
            "{}/{version}/groups/{}/members?$top={top}&$skiptoken={}",
            state.base_url,
            group.id,
            utf8_percent_encode(&token, NON_ALPHANUMERIC)
        );
        body["@odata.nextLink"] = json!(link);
    }
    ctx.json(StatusCode::OK, &body)
}
