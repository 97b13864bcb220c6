//! Fault responses in each endpoint's own error shape (Entra JSON, managed identity JSON,
//! Exchange OData, Graph envelope) — or the HTML page a proxy would send instead.
//!
//! Sources: Graph's 429 envelope and decimal `Retry-After` are replayed from
//! `tests/wire-examples/graph/throttled-429-fractional-retry-after.json`. UNCONFIRMED: the token
//! endpoint's answer to 429/5xx (`temporarily_unavailable`), the managed identity endpoint's
//! `{"statusCode","message","correlationId"}` body (MSAL Python's comment shows only
//! `statusCode` and `message`), and Exchange's 429/5xx bodies (`exchange/errors.rs`). The HTML
//! page is a stand-in for a corporate proxy, not any Microsoft service's answer.

use http::StatusCode;

use crate::entra::errors::EntraError;
use crate::entra::managed_identity;
use crate::exchange::errors as exo;
use crate::faults::{EndpointClass, Fault};
use crate::graph::errors::GraphCtx;
use crate::http::{Reply, Req};

/// The reply that replaces the handler, for faults that stop a request before it runs.
pub fn before_handler(fault: &Fault, class: EndpointClass, req: &Req) -> Option<Reply> {
    match fault {
        Fault::Throttle { retry_after } => Some(status_fault(
            class,
            req,
            StatusCode::TOO_MANY_REQUESTS,
            Some(retry_after),
        )),
        Fault::ServerError {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Some(status_fault(class, req, status, retry_after.as_deref()))
        }
        Fault::HtmlErrorPage { status } => Some(html_page(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY),
        )),
        Fault::ResetMidBody | Fault::TruncatedJson | Fault::Latency(_) | Fault::ExpiredToken => {
            None
        }
    }
}

fn status_fault(
    class: EndpointClass,
    req: &Req,
    status: StatusCode,
    retry_after: Option<&str>,
) -> Reply {
    let throttled = status == StatusCode::TOO_MANY_REQUESTS;
    let reply = match class {
        EndpointClass::Token => EntraError::temporarily_unavailable(status.as_u16()).reply(req),
        EndpointClass::ManagedIdentity => managed_identity::error(
            status.as_u16(),
            if throttled {
                "Too many requests. Retry after the interval in Retry-After."
            } else {
                "The managed identity endpoint is temporarily unavailable."
            },
        ),
        EndpointClass::ExchangeInvokeCommand => {
            if throttled {
                exo::throttled(retry_after.unwrap_or("1"))
            } else {
                exo::server_error(status)
            }
        }
        EndpointClass::GraphRevoke
        | EndpointClass::GraphBatch
        | EndpointClass::GraphUsers
        | EndpointClass::GraphSignIns
        | EndpointClass::GraphConditionalAccess => {
            let ctx = GraphCtx::new(req);
            let reply = if throttled {
                ctx.throttled(retry_after.unwrap_or("1"))
            } else {
                ctx.server_error(status, retry_after)
            };
            ctx.finish(reply)
        }
        EndpointClass::LogsIngestion => crate::logs_ingestion::fault_reply(status),
        EndpointClass::Any | EndpointClass::Other => Reply::new(status),
    };
    match retry_after {
        Some(r) => reply.with_header("retry-after", r),
        None => reply,
    }
}

pub fn html_page(status: StatusCode) -> Reply {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\n<body><h1>{reason}</h1>\n<p>The proxy server received an invalid response from an upstream server.</p>\n<hr><address>corp-proxy/3.1 at proxy.corp.example Port 8080</address></body></html>\n"
    );
    Reply::new(status)
        .with_header("content-type", "text/html; charset=iso-8859-1")
        .with_body(body)
}
