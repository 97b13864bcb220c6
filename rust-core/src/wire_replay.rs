//! Entries to the engine's own wire parsers, for `rust-core/tests/wire_examples.rs`, which
//! feeds them the sourced request/response examples in `tests/wire-examples/`.
//!
//! Not the engine's API and not part of the FFI: each function only hands a body to the parser
//! the engine uses on the wire and returns what that parser read. Tokens never come back.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::error::{ClientContext, classify_entra};
use crate::auth::{AuthError, EntraError};
use crate::exo::ExoError;
use crate::graph::{GraphError, GraphErrorBody};
use crate::http::{HttpError, StatusFailure};

/// What the token parser read from a token endpoint answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenAnswer {
    pub expires_in: Duration,
    pub refresh_in: Option<Duration>,
    pub has_refresh_token: bool,
    /// From the `id_token`, delegated sign-ins only.
    pub user_principal_name: Option<String>,
}

/// A v2 token endpoint answer (client credentials, device code, refresh).
pub fn token_answer(body: &[u8]) -> Result<TokenAnswer, String> {
    let issued = crate::auth::token_endpoint::parse_token(body)?
        .into_issued()
        .map_err(|e| e.to_string())?;
    Ok(TokenAnswer {
        expires_in: issued.expires_in,
        refresh_in: issued.refresh_in,
        has_refresh_token: issued.refresh_token.is_some(),
        user_principal_name: issued.user_principal_name,
    })
}

/// A token endpoint error as the engine reports it: the parsed body and the admin-facing error
/// the sign-in would fail with (`tenant` and `client_id` name who was asking).
pub fn token_error(
    status: u16,
    body: &[u8],
    tenant: &str,
    client_id: &str,
) -> Option<(EntraError, AuthError)> {
    let parsed = EntraError::parse(status, body)?;
    let ctx = ClientContext {
        tenant: tenant.to_owned(),
        client_id: client_id.to_owned(),
        thumbprint: None,
    };
    Some((parsed.clone(), classify_entra(parsed, &ctx)))
}

/// What the device code flow read from the `/devicecode` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodeAnswer {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in: Duration,
    pub interval: Duration,
}

pub fn device_code_answer(body: &[u8]) -> Result<DeviceCodeAnswer, String> {
    let wire = crate::auth::device_code::parse_code_wire(body)?;
    let code = crate::auth::device_code::code_of(wire).map_err(|e| e.to_string())?;
    Ok(DeviceCodeAnswer {
        user_code: code.prompt.user_code,
        verification_uri: code.prompt.verification_uri,
        message: code.prompt.message,
        expires_in: code.prompt.expires_in,
        interval: code.interval,
    })
}

/// What one device code poll answer means to the polling loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollMeaning {
    KeepPolling,
    SlowDown,
    Stop(String),
}

/// A device code poll's error body, read as the polling loop reads it.
pub fn device_code_poll_error(status: u16, body: &[u8]) -> Option<PollMeaning> {
    use crate::auth::device_code::{PollAnswer, interpret_poll_error};
    let e = EntraError::parse(status, body)?;
    Some(match interpret_poll_error(&e.error, e.to_string()) {
        Ok(PollAnswer::Pending) => PollMeaning::KeepPolling,
        Ok(PollAnswer::SlowDown) => PollMeaning::SlowDown,
        Ok(PollAnswer::Done(_)) => PollMeaning::Stop("a token (unexpected for an error)".into()),
        Err(stop) => PollMeaning::Stop(stop.to_string()),
    })
}

/// The lifetime the managed identity client reads from an answer, counted from `now_unix`.
pub fn managed_identity_answer(body: &[u8], now_unix: i64) -> Result<Duration, String> {
    let now = time::OffsetDateTime::from_unix_timestamp(now_unix).map_err(|e| e.to_string())?;
    let wire = crate::auth::managed_identity::parse_wire(body)?;
    crate::auth::managed_identity::token_of(wire, now)
        .map(|t| t.expires_in)
        .map_err(|e| e.to_string())
}

/// A managed identity endpoint's error answer as the engine reports it (for the
/// system-assigned identity).
pub fn managed_identity_error(status: u16, body: &[u8]) -> Result<AuthError, String> {
    let config = crate::auth::ManagedIdentityConfig::new(
        "http://127.0.0.1/msi/token",
        crate::secret::SecretString::from("replay".to_owned()),
        None,
    )
    .map_err(|e| e.to_string())?;
    Ok(crate::auth::managed_identity::map_error(
        failure(status, &[], body),
        &config,
    ))
}

fn failure(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpError {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(n, v);
        }
    }
    HttpError::Status(Box::new(StatusFailure {
        method: "POST".into(),
        path: "/".into(),
        status,
        headers: map,
        body: Bytes::copy_from_slice(body),
        attempts: 1,
        client_request_id: uuid::Uuid::nil(),
    }))
}

/// A Graph error answer as the engine turns it into an error (`what` names the object asked
/// for, `permission` the one a 403 asks the admin to grant).
pub fn graph_error(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    what: &str,
    permission: &str,
) -> (Option<GraphErrorBody>, GraphError) {
    (
        GraphErrorBody::parse(body),
        crate::graph::error::map_http_error(failure(status, headers, body), what, permission),
    )
}

/// A Logs Ingestion API refusal as Send-OutlookQrGuardLog reports it.
pub fn monitor_error(status: u16, headers: &[(&str, &str)], body: &[u8]) -> crate::ops::OpError {
    crate::monitor::ingestion::refusal_for_replay(failure(status, headers, body))
}

/// One item of a `$batch` answer, as the revoke client reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub id: String,
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub error: Option<GraphErrorBody>,
}

pub fn batch_answer(body: &[u8]) -> Result<Vec<BatchItem>, String> {
    let answer = crate::graph::batch::parse_batch_response(body)?;
    Ok(answer
        .responses
        .into_iter()
        .map(|item| BatchItem {
            retry_after: item.retry_after(),
            error: GraphErrorBody::from_value(&item.body),
            id: item.id,
            status: item.status,
        })
        .collect())
}

/// A Graph collection page: its items (still JSON) and next link.
pub fn graph_page(body: &[u8]) -> Result<(Vec<serde_json::Value>, Option<String>), String> {
    let page = crate::graph::paging::parse_page(body)?;
    Ok((page.value, page.next_link))
}

/// An `InvokeCommand` page as the Exchange client reads it, plus the next link its fast path
/// reads off the tail of the body (`None` when that path falls back to a full parse).
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangePage {
    pub items: Vec<serde_json::Value>,
    pub warnings: Vec<String>,
    pub next_link: Option<String>,
    pub next_link_from_tail: Option<String>,
}

pub fn exchange_page(body: &[u8]) -> Result<ExchangePage, String> {
    let page = crate::exo::page::parse_raw_page(body)?;
    Ok(ExchangePage {
        items: page.value,
        warnings: page.warnings,
        next_link: page.next_link,
        next_link_from_tail: crate::exo::next_link::next_link_from_tail(body),
    })
}

/// An `InvokeCommand` error answer as the Exchange client turns it into an error.
pub fn exchange_error(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    cmdlet: &str,
) -> ExoError {
    crate::exo::error::map_http_error(
        failure(status, headers, body),
        cmdlet,
        "app 00000000-0000-0000-0000-000000000000",
        "https://outlook.office365.com",
    )
}
