//! Azure Monitor Logs Ingestion API: `POST /dataCollectionRules/{immutableId}/streams/{stream}`
//! served on the emulator's one host (in Azure the data collection endpoint is its own host,
//! `https://{dce}.{region}-1.ingest.monitor.azure.com`; here the base URL plays the DCE).
//!
//! Sources: MicrosoftDocs/azure-monitor-docs articles/azure-monitor/logs/
//! logs-ingestion-api-overview.md (URI, `api-version=2023-01-01`, Bearer for
//! `https://monitor.azure.com`, `Content-Type: application/json`, optional `Content-Encoding:
//! gzip`, body a JSON array, 204 on success); fundamentals/service-limits.md "Logs Ingestion
//! API" (1 MB per call compressed and uncompressed; 429 with `Retry-After`);
//! Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.Ingestion: tests/IngestionClientTest.cs
//! (413 `ContentLengthLimitExceeded` "Maximum allowed content length: 1048576 bytes (1 MB).";
//! an empty body answers 500 without an error code), TROUBLESHOOTING.md (403
//! `{"error":{"code":"OperationFailed","message":"The authentication token provided does not
//! have access to ingest data for the data collection rule with immutable Id '…'"}}`).
//! UNCONFIRMED, our choice of shape in the documented `{"error":{"code","message"}}` envelope:
//! the codes and statuses for a missing or wrong token (401 `InvalidToken`), a missing or
//! unknown api-version (400 `InvalidApiVersion`), an unknown rule (404 `NotFound`), an unknown
//! stream (400 `InvalidStream`), a body that is not JSON or not gzip (400 `InvalidPayload` /
//! `InvalidContentEncoding`), and the 429/5xx bodies of the fault plan. Lenient (UNCONFIRMED
//! whether the service is strict): `Content-Type` is not checked, a lone object is taken as one
//! row.

use std::io::Read;

use http::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::directory::Resource;
use crate::entra::access::{AuthFailure, authenticate};
use crate::http::{Reply, Req};
use crate::state::State;

/// The seeded data collection rule (its immutable id) and its one stream.
pub const RULE_ID: &str = "dcr-0a5e3b1c2d4f40a1b2c3d4e5f6a7b8c9";
pub const STREAM: &str = "Custom-OutlookQrGuard";
/// service-limits.md "Maximum size of API call: 1 MB"; the 413 names 1048576 bytes.
pub const MAX_CALL_BYTES: usize = 1_048_576;
const API_VERSIONS: [&str; 2] = ["2023-01-01", "2021-11-01-preview"];

/// One accepted call, for tests to read back.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IngestedCall {
    pub rule_id: String,
    pub stream: String,
    pub content_encoding: Option<String>,
    /// Bytes as received, and after gzip decoding.
    pub bytes: usize,
    pub decoded_bytes: usize,
    pub rows: Vec<Value>,
}

#[derive(Debug, Default)]
pub struct IngestionStore {
    pub calls: Vec<IngestedCall>,
}

/// `/dataCollectionRules/{id}/streams/{stream}`: the rule and stream, as sent.
pub fn route(segments: &[&str]) -> Option<(String, String)> {
    match segments {
        [d, rule, s, stream]
            if d.eq_ignore_ascii_case("dataCollectionRules")
                && s.eq_ignore_ascii_case("streams") =>
        {
            Some(((*rule).to_owned(), (*stream).to_owned()))
        }
        _ => None,
    }
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

/// A fault plan's 429 / 5xx in this API's envelope (UNCONFIRMED bodies, see above).
pub fn fault_reply(status: StatusCode) -> Reply {
    if status == StatusCode::TOO_MANY_REQUESTS {
        error(
            status,
            "TooManyRequests",
            "Too many requests. Retry after the duration in the Retry-After header.",
        )
    } else {
        error(
            status,
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        )
    }
}

/// Every answer carries `x-ms-request-id` and echoes `x-ms-client-request-id` (Azure.Monitor.
/// Ingestion's recorded sessions, e.g. tests/SessionRecords/MonitorIngestionLiveTest/
/// ValidInputFromArrayAsJsonWithSingleBatchWithGzip.json: 204 with `x-ms-client-request-id`,
/// `x-ms-request-id`, `Server: Microsoft-HTTPAPI/2.0`).
pub fn handle(state: &State, req: &Req, rule: &str, stream: &str) -> Reply {
    let mut reply = answer(state, req, rule, stream);
    reply.set_header("x-ms-request-id", &uuid::Uuid::new_v4().to_string());
    if let Some(crid) = req.header("x-ms-client-request-id") {
        reply.set_header("x-ms-client-request-id", crid);
    }
    reply
}

fn answer(state: &State, req: &Req, rule: &str, stream: &str) -> Reply {
    if req.method != Method::POST {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Only POST is supported.",
        );
    }
    match req.query_param("api-version") {
        Some(v) if API_VERSIONS.contains(&v.as_str()) => {}
        Some(v) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidApiVersion",
                &format!("The api-version '{v}' is not supported."),
            );
        }
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidApiVersion",
                "The api-version query parameter is required.",
            );
        }
    }
    let principal = match authenticate(state, req, Resource::Monitor) {
        Ok(p) => p,
        Err(f) => {
            let why = match f {
                AuthFailure::Missing => "The request has no bearer token.".to_owned(),
                AuthFailure::WrongAudience(aud) => {
                    format!("The token's audience '{aud}' is not https://monitor.azure.com.")
                }
                AuthFailure::Expired => "The token has expired.".to_owned(),
                _ => "The token is not valid.".to_owned(),
            };
            return error(StatusCode::UNAUTHORIZED, "InvalidToken", &why);
        }
    };
    if !rule.eq_ignore_ascii_case(RULE_ID) {
        return error(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("Data collection rule with immutable Id '{rule}' not found."),
        );
    }
    // Monitoring Metrics Publisher on the rule: every app of the tenant but the one with no
    // permissions at all (Azure RBAC, not token roles).
    let denied = state.directory.no_role_app.client_id.to_string();
    if principal.app_id.as_deref() == Some(denied.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            "OperationFailed",
            &format!(
                "The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '{rule}'."
            ),
        );
    }
    if stream != STREAM {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidStream",
            &format!("Stream '{stream}' is not declared in the data collection rule '{rule}'."),
        );
    }
    let too_large = |n: usize| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ContentLengthLimitExceeded",
            &format!(
                "Maximum allowed content length: {MAX_CALL_BYTES} bytes (1 MB). Provided content length: {n} bytes."
            ),
        )
    };
    if req.body.len() > MAX_CALL_BYTES {
        return too_large(req.body.len());
    }
    let encoding = req
        .header("content-encoding")
        .map(|e| e.trim().to_ascii_lowercase());
    let decoded = match encoding.as_deref() {
        None | Some("") | Some("identity") => req.body.to_vec(),
        Some("gzip") => {
            let mut out = Vec::new();
            let mut decoder =
                flate2::read::GzDecoder::new(&req.body[..]).take(MAX_CALL_BYTES as u64 + 1);
            if let Err(e) = decoder.read_to_end(&mut out) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidContentEncoding",
                    &format!("The body is not valid gzip: {e}."),
                );
            }
            out
        }
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidContentEncoding",
                &format!("Content-Encoding '{other}' is not supported; use gzip."),
            );
        }
    };
    if decoded.len() > MAX_CALL_BYTES {
        return too_large(decoded.len());
    }
    if decoded.iter().all(u8::is_ascii_whitespace) {
        // IngestionClientTest.cs EmptyData: 500, no error code.
        return Reply::new(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let rows = match serde_json::from_slice::<Value>(&decoded) {
        Ok(Value::Array(items)) if items.iter().all(Value::is_object) => items,
        Ok(Value::Object(o)) => vec![Value::Object(o)],
        Ok(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidPayload",
                "The body must be a JSON array of objects.",
            );
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidPayload",
                &format!("The body is not valid JSON: {e}."),
            );
        }
    };
    state.logs_ingestion.lock().calls.push(IngestedCall {
        rule_id: rule.to_owned(),
        stream: stream.to_owned(),
        content_encoding: encoding,
        bytes: req.body.len(),
        decoded_bytes: decoded.len(),
        rows,
    });
    Reply::new(StatusCode::NO_CONTENT)
}

/// `/_emulator/logs-ingestion`: the accepted calls and their rows.
pub fn received(state: &State) -> Value {
    let store = state.logs_ingestion.lock();
    let rows: Vec<&Value> = store.calls.iter().flat_map(|c| c.rows.iter()).collect();
    json!({
        "ruleId": RULE_ID,
        "stream": STREAM,
        "calls": store.calls,
        "rows": rows,
    })
}
