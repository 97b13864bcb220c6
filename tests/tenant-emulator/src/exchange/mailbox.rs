//! `Get-Mailbox` (-Identity, -Filter on identity properties, -ResultSize) and the identity
//! resolution other cmdlets share (`Get-MobileDevice -Mailbox`).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::mobile_device::compile_filter;
use super::opath::{self, PropValue, Schema, Target, ValueKind};
use super::paging::{self, Candidates};
use super::params::Params;
use super::{CmdletCall, CmdletOutput, Objects, errors, select};
use crate::http::Reply;
use crate::seed::User;
use crate::state::State;

pub const PROPERTIES: [&str; 10] = [
    "Name",
    "DisplayName",
    "Alias",
    "UserPrincipalName",
    "PrimarySmtpAddress",
    "ExternalDirectoryObjectId",
    "DistinguishedName",
    "Identity",
    "Guid",
    "ExchangeGuid",
];

const PARAMETERS: &[&str] = &["Identity", "Filter", "ResultSize"];

struct MailboxView<'a>(&'a User);

impl MailboxView<'_> {
    fn text(&self, property: usize) -> Cow<'_, str> {
        let u = self.0;
        match property {
            0 | 7 => Cow::Borrowed(&u.mailbox_name),
            1 => Cow::Borrowed(&u.display_name),
            2 => Cow::Borrowed(&u.alias),
            3 | 4 => Cow::Borrowed(&u.user_principal_name),
            5 => Cow::Owned(u.id.to_string()),
            6 => Cow::Borrowed(&u.distinguished_name),
            8 => Cow::Owned(u.mailbox_guid.to_string()),
            _ => Cow::Owned(u.exchange_guid.to_string()),
        }
    }

    fn render(&self, selected: Option<&[usize]>) -> Map<String, Value> {
        let all: Vec<usize> = (0..PROPERTIES.len()).collect();
        selected
            .unwrap_or(&all)
            .iter()
            .map(|&i| {
                (
                    PROPERTIES[i].to_owned(),
                    Value::String(self.text(i).into_owned()),
                )
            })
            .collect()
    }
}

impl Target for MailboxView<'_> {
    fn value(&self, property: usize) -> PropValue<'_> {
        PropValue::Text(self.text(property))
    }
}

struct MailboxSchema;

impl Schema for MailboxSchema {
    fn resolve(&self, name: &str) -> Option<(usize, ValueKind)> {
        PROPERTIES
            .iter()
            .position(|p| p.eq_ignore_ascii_case(name))
            .filter(|i| *i != 7)
            .map(|i| (i, ValueKind::Text))
    }
}

/// A mailbox by DN, UPN/SMTP address, alias, name, ExternalDirectoryObjectId, GUID or (if
/// unique) display name.
pub fn resolve_mailbox(state: &State, identity: &str) -> Result<u32, Reply> {
    let index = &state.data.user_index;
    let key = identity.trim();
    if let Ok(id) = uuid::Uuid::parse_str(key)
        && let Some(i) = index.by_id.get(&id).or_else(|| index.by_guid.get(&id))
    {
        return Ok(*i);
    }
    let lower = key.to_lowercase();
    let direct = [&index.by_upn, &index.by_dn, &index.by_alias, &index.by_name]
        .iter()
        .find_map(|m| m.get(&lower).copied());
    if let Some(i) = direct {
        return Ok(i);
    }
    match index.by_display_name.get(&lower).map(Vec::as_slice) {
        Some([one]) => Ok(*one),
        Some([_, _, ..]) => Err(errors::object_ambiguous(identity)),
        _ => Err(errors::object_not_found(identity)),
    }
}

/// Index lookup for `P -eq 'v' -or …` on indexed properties; `None` to fall back to scanning.
fn lookup_terms(state: &State, terms: &[(usize, &str)]) -> Option<Vec<u32>> {
    let index = &state.data.user_index;
    let mut found = Vec::with_capacity(terms.len());
    for (property, value) in terms {
        let lower = value.to_lowercase();
        let hit = match property {
            0 => index.by_name.get(&lower).copied(),
            2 => index.by_alias.get(&lower).copied(),
            3 | 4 => index.by_upn.get(&lower).copied(),
            5 => uuid::Uuid::parse_str(value)
                .ok()
                .and_then(|id| index.by_id.get(&id).copied()),
            6 => index.by_dn.get(&lower).copied(),
            _ => return None,
        };
        found.extend(hit);
    }
    found.sort_unstable();
    found.dedup();
    Some(found)
}

pub async fn get(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let state = call.state;
    let params = Params::new(&call.parameters);
    params.allow_only(PARAMETERS)?;
    let identity = params.string("Identity")?;
    let filter_text = params.string("Filter")?;
    let size = params.result_size()?;
    if identity.is_some() && filter_text.is_some() {
        return Err(errors::parameter_set_ambiguous());
    }
    let selected = select::resolve(&PROPERTIES, call.select.as_deref())?;
    if let Some(identity) = identity {
        let i = resolve_mailbox(state, &identity)?;
        let user = state
            .data
            .user(i)
            .ok_or_else(|| errors::object_not_found(&identity))?;
        return Ok(CmdletOutput::values(vec![Value::Object(
            MailboxView(user).render(selected.as_deref()),
        )]));
    }
    let filter = compile_filter(filter_text.as_deref(), &MailboxSchema)?;
    let start = paging::start(state, call.req, call.body_hash.clone())?;
    // Built before the latency wait (see `page_latency`); the closures must not live across it.
    let (values, page) = {
        let indexed = filter
            .as_ref()
            .and_then(opath::equality_terms)
            .and_then(|terms| lookup_terms(state, &terms));
        let users = &state.data.users;
        let at = |p: u64| match &indexed {
            Some(list) => list.get(p as usize).copied().unwrap_or(0),
            None => p as u32,
        };
        let keep = |i: u32| match (&filter, users.get(i as usize)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(f), Some(u)) => opath::eval(f, &MailboxView(u)),
        };
        let len = indexed.as_ref().map_or(users.len(), Vec::len) as u64;
        let candidates = Candidates {
            len,
            at: &at,
            keep: &keep,
        };
        let page = paging::collect(
            state,
            call.req,
            call.tenant_segment,
            start,
            &candidates,
            size,
        );
        let values: Vec<Value> = page
            .items
            .iter()
            .filter_map(|i| users.get(*i as usize))
            .map(|u| Value::Object(MailboxView(u).render(selected.as_deref())))
            .collect();
        (values, page)
    };
    call.page_latency().await;
    Ok(CmdletOutput {
        values: Objects::Json(values),
        warnings: page.warnings,
        next_link: page.next_link,
    })
}
