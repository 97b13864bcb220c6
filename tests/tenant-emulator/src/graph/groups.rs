//! `GET /groups/{id}` and `GET /groups[?$filter=displayName eq '…']` with `$select`: enough to
//! resolve Conditional Access exclusions by name and to name them back.

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::errors::GraphCtx;
use crate::clock;
use crate::entra::access::Principal;
use crate::http::{Reply, Req};
use crate::seed::Group;
use crate::state::State;

pub const READ_PERMISSIONS: &[&str] = &[
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// UNCONFIRMED: the default property set of a group (no captured group is in
/// tests/wire-examples); these are the ones the module reads or shows.
const PROPERTIES: &[&str] = &[
    "id",
    "createdDateTime",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
];

fn property(g: &Group, name: &str) -> Value {
    match name {
        "id" => json!(g.id.to_string()),
        "createdDateTime" => json!(clock::graph_datetime(g.created)),
        "description" => json!(g.description),
        "displayName" => json!(g.display_name),
        "groupTypes" => json!(Vec::<&str>::new()),
        "mail" => Value::Null,
        "mailEnabled" => json!(false),
        "mailNickname" => json!(g.mail_nickname),
        "securityEnabled" => json!(true),
        _ => Value::Null,
    }
}

fn render(g: &Group, select: &[&'static str]) -> Value {
    Value::Object(
        select
            .iter()
            .map(|n| ((*n).to_owned(), property(g, n)))
            .collect(),
    )
}

fn selection(ctx: &GraphCtx, req: &Req) -> Result<(Vec<&'static str>, bool), Reply> {
    let Some(select) = req.query_param("$select").filter(|s| !s.trim().is_empty()) else {
        return Ok((PROPERTIES.to_vec(), false));
    };
    let mut out = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let known = PROPERTIES
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                // UNCONFIRMED: code and text for an unknown `$select` property.
                ctx.bad_request(
                    "Request_BadRequest",
                    &format!("Could not find a property named '{name}' on type 'Microsoft.DirectoryServices.Group'."),
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
    format!("https://graph.microsoft.com/{version}/$metadata#groups{selection}{suffix}")
}

/// `displayName eq 'literal'` (`''` is a quote inside the literal); the literal, or `None`.
pub fn display_name_filter(filter: &str) -> Option<String> {
    let rest = filter.trim();
    let (name, rest) = rest.split_once(char::is_whitespace)?;
    if !name.eq_ignore_ascii_case("displayName") {
        return None;
    }
    let (op, rest) = rest.trim_start().split_once(char::is_whitespace)?;
    if !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    let literal = rest.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside the literal a quote must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

pub fn get_one(
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
    let (select, explicit) = match selection(ctx, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(group) = state.data.group(id) else {
        return ctx.user_not_found(id);
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(version, &select, explicit, true)),
    );
    if let Value::Object(fields) = render(group, &select) {
        body.extend(fields);
    }
    ctx.json(StatusCode::OK, &Value::Object(body))
}

pub fn list(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
) -> Reply {
    if !principal.has_permission(READ_PERMISSIONS) {
        return ctx.forbidden();
    }
    for (name, _) in req.query_pairs() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with('$') && !matches!(lower.as_str(), "$select" | "$filter" | "$top") {
            // The emulator's own limit, not the service's: its refusal text says so.
            return ctx.bad_request(
                "Request_UnsupportedQuery",
                &format!("The query option '{name}' is not supported on /groups by this emulator."),
            );
        }
    }
    let (select, explicit) = match selection(ctx, req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let wanted = match req.query_param("$filter") {
        None => None,
        Some(f) => match display_name_filter(&f) {
            Some(name) => Some(name),
            None => {
                // The emulator's own limit (it says so); the code is UNCONFIRMED.
                return ctx.bad_request(
                    "Request_UnsupportedQuery",
                    &format!("Unsupported or invalid query filter clause specified: '{f}'. This emulator supports displayName eq '…' on groups."),
                );
            }
        },
    };
    let top = match req.query_param("$top") {
        None => usize::MAX,
        Some(t) => {
            match t.trim().parse::<usize>() {
                Ok(n) if (1..=999).contains(&n) => n,
                // UNCONFIRMED: code and text for a `$top` out of range.
                _ => {
                    return ctx.bad_request(
                    "Request_BadRequest",
                    &format!("Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."),
                );
                }
            }
        }
    };
    let values: Vec<Value> = state
        .data
        .groups
        .iter()
        .filter(|g| {
            wanted
                .as_deref()
                .is_none_or(|w| g.display_name.to_lowercase() == w.to_lowercase())
        })
        .take(top)
        .map(|g| render(g, &select))
        .collect();
    ctx.json(
        StatusCode::OK,
        &json!({"@odata.context": context_url(version, &select, explicit, false), "value": values}),
    )
}

/// The seeded groups with members, for the control API.
pub fn seeded_groups_json(state: &State) -> Vec<Value> {
    state
        .data
        .groups
        .iter()
        .map(|g| {
            let members: Vec<String> = g
                .members
                .iter()
                .filter_map(|&m| state.data.user(m).map(|u| u.id.to_string()))
                .collect();
            json!({"id": g.id.to_string(), "displayName": g.display_name, "members": members})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_literal() {
        assert_eq!(
            display_name_filter("displayName eq 'O''Reilly Book Club'").as_deref(),
            Some("O'Reilly Book Club")
        );
        assert_eq!(
            display_name_filter("displayname  eq  '営業部'").as_deref(),
            Some("営業部")
        );
        assert_eq!(display_name_filter("displayName eq 'O'Reilly'"), None);
        assert_eq!(display_name_filter("mail eq 'x'"), None);
        assert_eq!(display_name_filter("displayName ne 'x'"), None);
    }
}
