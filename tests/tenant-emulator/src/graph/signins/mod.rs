//! `GET /{beta|v1.0}/auditLogs/signIns`: seeded sign-in events newest first, `$filter` (see
//! `filter`), `$top`, `@odata.nextLink`, the licence and permission 403s, the switch that
//! refuses `originalTransferMethod` in `$filter`, and a per-app token bucket.

mod applied;
mod filter;
mod render;

use std::time::Instant;

use http::StatusCode;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::errors::GraphCtx;
use crate::entra::access::Principal;
use crate::http::{Reply, Req};
use crate::rng::mix;
use crate::state::State;
use crate::throttle::retry_after_text;
use applied::{INCLUDE_UNKNOWN_ENUM_MEMBERS, prefers_unknown_members};
pub use filter::parse_utc;
use filter::{Clause, EventType, Expr};
use render::View;

// Sources: the page envelope (`@odata.context`, `@odata.nextLink` with `$top` and an opaque
// `$skiptoken`, `value`) and the event keys are replayed from
// `tests/wire-examples/graph/signins-*.json` (the beta and v1.0 `signin-list.md` examples and a
// live beta capture with `originalTransferMethod`). Everything below marked UNCONFIRMED has no
// example there.

pub const READ_PERMISSIONS: &[&str] = &["AuditLog.Read.All"];
/// Reading Conditional Access data (the applied policies of each event).
const CA_READ_PERMISSIONS: &[&str] = &["Policy.Read.All"];
/// UNCONFIRMED: the default page size (the documented examples stop at 1000).
const DEFAULT_TOP: usize = 1000;
/// UNCONFIRMED: the documented examples stop at 1000.
const MAX_TOP: usize = 1000;
const TOKEN_KIND: &str = "graph-signins";
// From ../shared/docs/authentication-transfer.md §2; no capture of the whole 403 body is in
// tests/wire-examples (UNCONFIRMED beyond the code and message).
const NON_PREMIUM_CODE: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";
const NON_PREMIUM_MESSAGE: &str = "Neither tenant is B2C or tenant doesn't have premium license";

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Scan position in the newest-first event list.
    p: usize,
    /// Hash of the `$filter` text the token was issued for.
    f: u64,
}

fn filter_hash(text: &str) -> u64 {
    text.bytes().fold(0x5EED_F11E, |h, b| mix(h, u64::from(b)))
}

/// UNCONFIRMED: whether the service refuses this filter at all, and with this code and text
/// (../shared/docs/authentication-transfer.md §2 says to expect a 400 and fall back).
fn unsupported_transfer_filter(ctx: &GraphCtx) -> Reply {
    ctx.bad_request(
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified for property 'originalTransferMethod' of resource 'SignIn'.",
    )
}

/// The parsed filter with the documented default: without a `signInEventTypes` clause only
/// interactive sign-ins are returned.
fn effective_filter(parsed: Option<Expr>) -> Expr {
    let interactive = Expr::Clause(Clause::EventTypes(vec![EventType::InteractiveUser]));
    match parsed {
        Some(e) if e.mentions_event_types() => e,
        Some(e) => Expr::And(vec![e, interactive]),
        None => interactive,
    }
}

pub async fn list(
    state: &State,
    req: &Req,
    ctx: &GraphCtx,
    version: &str,
    principal: &Principal,
) -> Reply {
    let settings = state.settings();
    let client = principal.app_id.clone().unwrap_or_default();
    let waited = state.signin_throttle.lock().take(
        &client,
        settings.sign_in_rate_per_second,
        Instant::now(),
    );
    if let Err(wait) = waited {
        return ctx.throttled(&retry_after_text(wait));
    }
    if !principal.has_permission(READ_PERMISSIONS) {
        return ctx.forbidden();
    }
    if !settings.premium {
        return ctx.error(StatusCode::FORBIDDEN, NON_PREMIUM_CODE, NON_PREMIUM_MESSAGE);
    }
    for (name, _) in req.query_pairs() {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with('$') && !matches!(lower.as_str(), "$filter" | "$top" | "$skiptoken") {
            // The emulator's own limit, not the service's: its refusal text says so.
            return ctx.bad_request(
                "Request_UnsupportedQuery",
                &format!("The query option '{name}' is not supported on auditLogs/signIns by this emulator."),
            );
        }
    }
    let beta = version.eq_ignore_ascii_case("beta");
    let filter_text = req.query_param("$filter").unwrap_or_default();
    let parsed = if filter_text.trim().is_empty() {
        None
    } else {
        match filter::parse(&filter_text) {
            Ok(e) => Some(e),
            Err(why) => {
                return ctx
                    .bad_request("BadRequest", &format!("{}: {why}.", filter::INVALID_CLAUSE));
            }
        }
    };
    if parsed.as_ref().is_some_and(Expr::mentions_transfer_method) {
        if !beta {
            // v1.0 has no such property (signins-list-v1-paged and the capture behind
            // signins-beta-original-transfer-method); the code and text are UNCONFIRMED.
            return ctx.bad_request(
                "BadRequest",
                "Could not find a property named 'originalTransferMethod' on type 'microsoft.graph.signIn'.",
            );
        }
        if settings.refuse_transfer_method_filter {
            return unsupported_transfer_filter(ctx);
        }
    }
    let top = match req.query_param("$top") {
        None => DEFAULT_TOP,
        Some(t) => match t.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_TOP).contains(&n) => n,
            _ => {
                // UNCONFIRMED: code and text for a `$top` out of range.
                return ctx.bad_request(
                    "BadRequest",
                    &format!("Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."),
                );
            }
        },
    };
    let hash = filter_hash(filter_text.trim());
    let start = match req.query_param("$skiptoken") {
        None => 0,
        Some(token) => match state
            .page_tokens
            .open::<Cursor>(TOKEN_KIND, &token)
            .filter(|c| c.f == hash)
        {
            Some(c) => c.p,
            None => {
                // UNCONFIRMED: code and text for a tampered or foreign `$skiptoken`.
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
    let expr = effective_filter(parsed);
    let events = &state.data.signins.events;
    let seed = state.options.seed;
    // signin-list.md: without the right to read Conditional Access data the applied policies
    // are omitted; for apps that is Policy.Read.All (microsoft-graph-docs-contrib#8761).
    let history = principal
        .has_permission(CA_READ_PERMISSIONS)
        .then(|| state.policies.lock().history());
    let unknown_enum_members = prefers_unknown_members(req.header("prefer"));
    let view = |i: usize| {
        events.get(i).map(|event| View {
            data: &state.data,
            tenant_id: state.tenant.id,
            seed,
            event,
            policies: history.as_ref(),
            unknown_enum_members,
        })
    };
    let mut values = Vec::with_capacity(top.min(64));
    let mut p = start;
    while p < events.len() && values.len() < top {
        if let Some(v) = view(p).filter(|v| expr.matches(v)) {
            values.push(v.render(beta));
        }
        p += 1;
    }
    // Look ahead so the last page carries no nextLink.
    let more = (p..events.len()).any(|i| view(i).is_some_and(|v| expr.matches(&v)));
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "https://graph.microsoft.com/{version}/$metadata#auditLogs/signIns"
        )),
    );
    if more {
        let token = state.page_tokens.seal(TOKEN_KIND, &Cursor { p, f: hash });
        let mut link = format!("{}/{version}/auditLogs/signIns?$top={top}", state.base_url);
        if !filter_text.trim().is_empty() {
            link.push_str("&$filter=");
            link.push_str(&utf8_percent_encode(filter_text.trim(), NON_ALPHANUMERIC).to_string());
        }
        link.push_str("&$skiptoken=");
        link.push_str(&token);
        body.insert("@odata.nextLink".into(), json!(link));
    }
    body.insert("value".into(), Value::Array(values));
    let reply = ctx.json(StatusCode::OK, &Value::Object(body));
    if unknown_enum_members {
        // The evolvable-enum pattern (microsoft/api-guidelines graph/patterns/evolvable-enums.md);
        // UNCONFIRMED that the sign-in log sends it.
        reply.with_header("Preference-Applied", INCLUDE_UNKNOWN_ENUM_MEMBERS)
    } else {
        reply
    }
}

/// Every seeded event (beta shape, newest first, applied policies with every result), for the
/// control API.
pub fn seeded_signins_json(state: &State) -> Vec<Value> {
    let history = state.policies.lock().history();
    state
        .data
        .signins
        .events
        .iter()
        .map(|event| {
            View {
                data: &state.data,
                tenant_id: state.tenant.id,
                seed: state.options.seed,
                event,
                policies: Some(&history),
                unknown_enum_members: true,
            }
            .render(true)
        })
        .collect()
}
