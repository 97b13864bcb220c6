//! `Get-CASMailbox` (-Identity, -ResultSize): the client access settings per mailbox, here the
//! Outlook on the web mailbox policy each mailbox is assigned.
//!
//! Source: MicrosoftDocs/office-docs-powershell, Get-CASMailbox.md / Set-CASMailbox.md
//! (-OwaMailboxPolicy). UNCONFIRMED: the REST property set; an unassigned mailbox rendered with
//! `OwaMailboxPolicy: null` (the default policy applies).

use serde_json::{Map, Value, json};

use super::mailbox::resolve_mailbox;
use super::owa_policy::assigned_policy;
use super::paging::{self, Candidates};
use super::params::Params;
use super::{CmdletCall, CmdletOutput, Objects, errors};
use crate::http::Reply;
use crate::seed::User;

fn render(index: u32, u: &User) -> Value {
    let mut map = Map::new();
    let mut put = |k: &str, v: Value| {
        map.insert(k.to_owned(), v);
    };
    put("Name", json!(u.mailbox_name));
    put("DisplayName", json!(u.display_name));
    put("Identity", json!(u.mailbox_name));
    put("PrimarySmtpAddress", json!(u.user_principal_name));
    put("ExternalDirectoryObjectId", json!(u.id.to_string()));
    put("Guid", json!(u.mailbox_guid.to_string()));
    put("OWAEnabled", json!(true));
    put("OwaMailboxPolicy", json!(assigned_policy(index)));
    Value::Object(map)
}

pub async fn get(call: &CmdletCall<'_>) -> Result<CmdletOutput, Reply> {
    let state = call.state;
    let params = Params::new(&call.parameters);
    params.allow_only(&["Identity", "ResultSize"])?;
    let identity = params.string("Identity")?;
    let size = params.result_size()?;
    if let Some(identity) = identity {
        let i = resolve_mailbox(state, &identity)?;
        let user = state
            .data
            .user(i)
            .ok_or_else(|| errors::object_not_found(&identity))?;
        return Ok(CmdletOutput::values(vec![render(i, user)]));
    }
    let start = paging::start(state, call.req, call.body_hash.clone())?;
    let (values, page) = {
        let users = &state.data.users;
        let at = |p: u64| p as u32;
        let keep = |i: u32| users.get(i as usize).is_some();
        let candidates = Candidates {
            len: users.len() as u64,
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
            .filter_map(|i| users.get(*i as usize).map(|u| render(*i, u)))
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
