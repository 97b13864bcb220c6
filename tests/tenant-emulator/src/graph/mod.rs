//! Microsoft Graph (`/v1.0/…`, `/beta/…`). Routes are matched on decoded path segments: users,
//! revokeSignInSessions, `$batch`, groups, Conditional Access policies and sign-in logs.

pub mod batch;
pub mod conditional_access;
pub mod errors;
pub mod group_members;
pub mod groups;
mod revoke;
pub mod signins;
mod users;

use http::Method;

use crate::directory::Resource;
use crate::entra::access;
use crate::faults::EndpointClass;
use crate::http::{Reply, Req, path_segments};
use crate::state::State;
use errors::GraphCtx;

/// Which fault/journal class a Graph path belongs to.
pub fn class_for(path: &str) -> EndpointClass {
    let segments = path_segments(path);
    let is = |s: &String, name: &str| s.eq_ignore_ascii_case(name);
    match segments.get(1..).unwrap_or_default() {
        [b] if b == "$batch" => EndpointClass::GraphBatch,
        [a, s, ..] if is(a, "auditLogs") && is(s, "signIns") => EndpointClass::GraphSignIns,
        [i, c, ..] if is(i, "identity") && is(c, "conditionalAccess") => {
            EndpointClass::GraphConditionalAccess
        }
        [_, _, action] | [_, action] if action.eq_ignore_ascii_case("revokeSignInSessions") => {
            EndpointClass::GraphRevoke
        }
        _ => EndpointClass::GraphUsers,
    }
}

/// `users('{key}')` (how a UPN that starts with `$` must be addressed) becomes `users`, `{key}`;
/// `users/$x@y` is refused. Source: microsoft-graph-docs-contrib `api-reference/v1.0/api/
/// user-get.md`: "/users/$x@y.com fails with a 400 Bad Request error code … because this
/// request URL violates the OData URL convention, which expects only system query options to
/// be prefixed with a `$` character"; the fix is `/users('$x@y.com')`. The 400's code and
/// message are UNCONFIRMED.
fn users_key_segment(rest: &[String]) -> Result<Vec<String>, String> {
    let Some(first) = rest.first() else {
        return Ok(Vec::new());
    };
    if first.eq_ignore_ascii_case("users")
        && let Some(key) = rest.get(1)
        && key.starts_with('$')
    {
        return Err(format!("Resource not found for the segment '{key}'."));
    }
    let quoted = first
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("users("))
        .and_then(|_| first[6..].strip_suffix(')'))
        .and_then(|k| k.strip_prefix('\'')?.strip_suffix('\''));
    let Some(quoted) = quoted else {
        return Ok(rest.to_vec());
    };
    // An OData string literal: a quote inside is doubled.
    if quoted.replace("''", "").contains('\'') {
        return Err(format!(
            "Syntax error at position {} in '{first}'.",
            first.len()
        ));
    }
    let mut out = vec!["users".to_owned(), quoted.replace("''", "'")];
    out.extend(rest[1..].iter().cloned());
    Ok(out)
}

/// A top-level Graph request.
pub async fn handle(state: &State, req: &Req) -> Reply {
    let ctx = GraphCtx::new(req);
    let reply = route(state, req, &ctx, true).await;
    ctx.finish(reply)
}

/// Routes one request (also used for `$batch` items, where `allow_batch` is false).
pub async fn route(state: &State, req: &Req, ctx: &GraphCtx, allow_batch: bool) -> Reply {
    let segments = path_segments(&req.path);
    let Some((version, rest)) = segments.split_first() else {
        return ctx.bad_request("BadRequest", "Invalid version.");
    };
    let rest = match users_key_segment(rest) {
        Ok(rest) => rest,
        Err(reply_message) => return ctx.bad_request("BadRequest", &reply_message),
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    if let ["$batch"] = rest.as_slice() {
        if !allow_batch {
            return ctx.bad_request("BadRequest", "Nested $batch requests are not supported.");
        }
        if req.method != Method::POST {
            return ctx.method_not_allowed();
        }
        return batch::handle(state, req, ctx, version).await;
    }
    let principal = match access::authenticate(state, req, Resource::Graph) {
        Ok(p) => p,
        Err(failure) => return ctx.unauthorized(&failure),
    };
    if let Some(reply) =
        conditional_access::route(state, req, ctx, version, &principal, &rest).await
    {
        return reply;
    }
    let revoke_action = |a: &str| a.eq_ignore_ascii_case("revokeSignInSessions");
    let is = |s: &str, name: &str| s.eq_ignore_ascii_case(name);
    match (rest.as_slice(), &req.method) {
        ([a, s], &Method::GET) if is(a, "auditLogs") && is(s, "signIns") => {
            signins::list(state, req, ctx, version, &principal).await
        }
        ([a, s], _) if is(a, "auditLogs") && is(s, "signIns") => ctx.method_not_allowed(),
        ([g], &Method::GET) if is(g, "groups") => {
            groups::list(state, req, ctx, version, &principal)
        }
        ([g, id], &Method::GET) if is(g, "groups") => {
            groups::get_one(state, req, ctx, version, &principal, id)
        }
        ([g, id, m], &Method::GET) if is(g, "groups") && is(m, "members") => {
            group_members::list(state, req, ctx, version, &principal, id)
        }
        ([g] | [g, _], _) if is(g, "groups") => ctx.method_not_allowed(),
        (["users"], &Method::GET) => users::list(state, req, ctx, version, &principal).await,
        (["users", id], &Method::GET) => {
            users::get_one(state, req, ctx, version, &principal, Some(id))
        }
        (["me"], &Method::GET) => users::get_one(state, req, ctx, version, &principal, None),
        (["users", id, action], &Method::POST) if revoke_action(action) => {
            revoke::revoke(state, ctx, &principal, Some(id))
        }
        (["me", action], &Method::POST) if revoke_action(action) => {
            revoke::revoke(state, ctx, &principal, None)
        }
        (["users"] | ["users", _] | ["me"], _) => ctx.method_not_allowed(),
        (["users", _, action] | ["me", action], _) if revoke_action(action) => {
            ctx.method_not_allowed()
        }
        (segments, _) => {
            let unknown = segments.last().copied().unwrap_or(version.as_str());
            ctx.bad_request(
                "BadRequest",
                &format!("Resource not found for the segment '{unknown}'."),
            )
        }
    }
}
