//! Server-side paging of InvokeCommand results: page size from `Prefer: odata.maxpagesize`
//! (capped by the server), `@odata.nextLink` with an opaque `$skiptoken` that remembers where
//! the scan stopped and which request body it belongs to. Pages are computed lazily over
//! indices into the shared seeded data; nothing is copied per request.

use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::errors;
use super::params::{DEFAULT_RESULT_SIZE, ResultSize};
use crate::http::{Reply, Req};
use crate::state::State;

const TOKEN_KIND: &str = "exo-invoke";

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    /// Hash of the canonical request body.
    b: String,
    /// Next position in the candidate sequence.
    p: u64,
    /// Results already returned (for `-ResultSize`).
    e: u64,
}

/// Where this page starts.
pub struct PageStart {
    pub position: u64,
    pub emitted: u64,
    pub page_size: usize,
    body_hash: String,
}

/// Stable hash of cmdlet + parameters, independent of key order and parameter-name case.
pub fn body_hash(cmdlet: &str, params: &Map<String, Value>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    pairs.sort();
    let mut text = cmdlet.to_ascii_lowercase();
    for (k, v) in pairs {
        text.push('\n');
        text.push_str(&k);
        text.push('=');
        text.push_str(&v);
    }
    hex::encode(&digest::digest(&digest::SHA256, text.as_bytes()).as_ref()[..16])
}

/// `odata.maxpagesize=N` from `Prefer` or `X-Prefer`, capped by the server's page size.
pub fn page_size(req: &Req, cap: usize) -> usize {
    let cap = cap.max(1);
    ["prefer", "x-prefer"]
        .iter()
        .filter_map(|h| req.header(h))
        .flat_map(|v| v.split(','))
        .filter_map(|pref| {
            let (name, value) = pref.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("odata.maxpagesize")
                .then(|| value.trim().trim_matches('"').parse::<usize>().ok())
                .flatten()
        })
        .find(|n| *n >= 1)
        .map_or(cap, |n| n.min(cap))
}

pub fn start(state: &State, req: &Req, body_hash: String) -> Result<PageStart, Reply> {
    let page_size = page_size(req, state.options.exo_page_size);
    let Some(token) = req.query_param("$skiptoken") else {
        return Ok(PageStart {
            position: 0,
            emitted: 0,
            page_size,
            body_hash,
        });
    };
    let cursor: Cursor = state
        .page_tokens
        .open(TOKEN_KIND, &token)
        .ok_or_else(|| errors::bad_request("The $skiptoken value is not valid."))?;
    if cursor.b != body_hash {
        return Err(errors::bad_request(
            "The $skiptoken value does not belong to this request: send the same body as the request that returned the nextLink.",
        ));
    }
    Ok(PageStart {
        position: cursor.p,
        emitted: cursor.e,
        page_size,
        body_hash,
    })
}

pub struct Page {
    pub items: Vec<u32>,
    pub next_link: Option<String>,
    pub warnings: Vec<String>,
}

/// The sequence a list cmdlet pages through: `at(p)` is the object index at position `p < len`,
/// `keep` the filter.
pub struct Candidates<'a> {
    pub len: u64,
    pub at: &'a dyn Fn(u64) -> u32,
    pub keep: &'a dyn Fn(u32) -> bool,
}

/// Scans candidates from `start.position` for one page.
pub fn collect(
    state: &State,
    req: &Req,
    tenant_segment: &str,
    start: PageStart,
    candidates: &Candidates<'_>,
    size: ResultSize,
) -> Page {
    let Candidates {
        len,
        at: candidate,
        keep,
    } = *candidates;
    let remaining = size.limit().map(|l| l.saturating_sub(start.emitted));
    let cap = remaining.map_or(start.page_size as u64, |r| r.min(start.page_size as u64)) as usize;
    let mut items = Vec::with_capacity(cap.min(4096));
    let mut position = start.position;
    while position < len && items.len() < cap {
        let index = candidate(position);
        position += 1;
        if keep(index) {
            items.push(index);
        }
    }
    // Look ahead for the next match so the last page is never empty.
    let next_match = (position..len).find(|p| keep(candidate(*p)));
    let limit_reached = remaining.is_some_and(|r| items.len() as u64 >= r);
    let mut warnings = Vec::new();
    let next_position = match next_match {
        Some(_) if limit_reached => {
            warnings.push(match size {
                ResultSize::Default => format!(
                    "By default, only the first {DEFAULT_RESULT_SIZE} items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items, specify \"-ResultSize Unlimited\"."
                ),
                _ => "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.".to_owned(),
            });
            None
        }
        other => other,
    };
    let next_link = next_position.map(|p| {
        let token = state.page_tokens.seal(
            TOKEN_KIND,
            &Cursor {
                b: start.body_hash.clone(),
                p,
                e: start.emitted + items.len() as u64,
            },
        );
        let mut link = format!(
            "{}/adminapi/beta/{tenant_segment}/InvokeCommand?$skiptoken={token}",
            state.base_url
        );
        if let Some(select) = req.query_param("$select") {
            link.push_str("&$select=");
            link.push_str(
                &percent_encoding::utf8_percent_encode(&select, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
        }
        link
    });
    Page {
        items,
        next_link,
        warnings,
    }
}

/// The reported failure of a custom (vanity) domain in the URL: page 1 is served, every
/// follow-up page is refused. Reports: MicrosoftDocs/office-docs-powershell#10907 and
/// grahamr975/EWS-Office365-Contact-Sync#73/#81 (the message text, app-only, past 1000 objects),
/// and the Microsoft Q&A thread "answers/questions/1023619" (the fix: the `.onmicrosoft.com`
/// domain or the tenant id in the URL). The status and body layout are UNCONFIRMED (the
/// reports quote only the module's message): a 400 OData error like the others here.
pub fn refuse_vanity_follow_up(
    state: &State,
    req: &Req,
    tenant_segment: &str,
) -> Result<(), Reply> {
    let follow_up = req.query_param("$skiptoken").is_some();
    if follow_up
        && state.tenant.resolve(tenant_segment) == Some(crate::tenant::TenantName::VanityDomain)
    {
        return Err(errors::odata_error(
            http::StatusCode::BAD_REQUEST,
            "BadRequest",
            EXPIRED_OR_INVALID_PAGINATION,
        ));
    }
    Ok(())
}

/// The text the reports quote.
pub const EXPIRED_OR_INVALID_PAGINATION: &str =
    "Expired or Invalid pagination request. Default Expiry time is 00:30:00";
