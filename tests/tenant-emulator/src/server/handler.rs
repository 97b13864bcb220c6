//! One HTTP request end to end: read the body, pick the fault, run the handler, journal it,
//! and shape the body (truncated or cut) as the fault demands.

use std::convert::Infallible;
use std::sync::Arc;

use http::{Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use super::body::EmuBody;
use super::io::ConnKill;
use crate::clock;
use crate::control;
use crate::exchange::invoke;
use crate::fault_replies;
use crate::faults::{EndpointClass, Fault};
use crate::fleet::Tenants;
use crate::http::{Reply, Req};
use crate::journal::RequestRecord;
use crate::router::{self, Route};
use crate::state::State;

/// Largest request body accepted (a 20-item `$batch` or a 50-term filter is far smaller).
const MAX_BODY: usize = 4 * 1024 * 1024;

pub async fn handle(
    tenants: Arc<Tenants>,
    kill: Arc<ConnKill>,
    request: hyper::Request<Incoming>,
) -> Result<Response<EmuBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(to_response(
                Reply::new(StatusCode::PAYLOAD_TOO_LARGE),
                None,
                &kill,
            ));
        }
    };
    let mut req = Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        force_expired_token: false,
    };
    let route = router::route_of(&req.path);
    let state = Arc::clone(tenants.pick(&route, &req));
    if route == Route::Control {
        return Ok(to_response(control::handle(&state, &req), None, &kill));
    }
    let class = router::class_of(&route, &req.path);
    let decision = state.faults.lock().decide(class);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    req.force_expired_token = decision.fault == Some(Fault::ExpiredToken);
    let early = decision
        .fault
        .as_ref()
        .and_then(|f| fault_replies::before_handler(f, class, &req));
    let reply = match early {
        Some(reply) => reply,
        None => router::dispatch(&state, &route, &req).await,
    };
    record(&state, &req, class, &reply, decision.name());
    Ok(to_response(reply, decision.fault.as_ref(), &kill))
}

fn record(state: &State, req: &Req, class: EndpointClass, reply: &Reply, fault: Option<&str>) {
    let cmdlet = (class == EndpointClass::ExchangeInvokeCommand)
        .then(|| invoke::cmdlet_name(&req.body))
        .flatten();
    state.journal.lock().requests.push(RequestRecord {
        method: req.method.to_string(),
        path: req.path.clone(),
        status: reply.status.as_u16(),
        endpoint: class,
        client_request_id: req.client_request_id(),
        fault: fault.map(str::to_owned),
        batch_item_id: None,
        cmdlet,
        client_application: req.header("x-clientapplication").map(str::to_owned),
        at_unix_ms: clock::now_unix_millis(),
    });
}

fn to_response(reply: Reply, fault: Option<&Fault>, kill: &Arc<ConnKill>) -> Response<EmuBody> {
    let Reply {
        status,
        headers,
        body,
    } = reply;
    let body = match fault {
        Some(Fault::TruncatedJson) => EmuBody::full(body.slice(..body.len() / 2)),
        Some(Fault::ResetMidBody) => EmuBody::cut(body, Arc::clone(kill)),
        _ => EmuBody::full(body),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let map = response.headers_mut();
    for (name, value) in headers {
        map.insert(name, value);
    }
    response
}
