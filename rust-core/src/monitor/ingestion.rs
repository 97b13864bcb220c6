//! Sending batches to a data collection endpoint (DCE) or a DCR's own ingestion endpoint.
//!
//! Wire facts (MicrosoftDocs/azure-monitor-docs articles/azure-monitor/logs/
//! logs-ingestion-api-overview.md, "REST API call"): `POST {endpoint}/dataCollectionRules/
//! {DCR immutable id}/streams/{stream}?api-version=2023-01-01`, `Authorization: Bearer` for
//! the audience `https://monitor.azure.com` (`.us`, `.cn`), `Content-Type: application/json`,
//! optional `Content-Encoding: gzip`, body a JSON array; `204` on success (the same article's
//! tutorial: "you should see an HTTP - 204 response"). Microsoft's clients gzip every batch and
//! send `Accept: application/json` (Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.Ingestion/
//! src/LogsIngestionClient.cs `CreateUploadRequest`, `Compression = "gzip"`; azure-sdk-for-python
//! azure-monitor-ingestion `_helpers.py` `_create_gzip_requests`). Errors are
//! `{"error":{"code","message"}}` (403 `OperationFailed`, Azure.Monitor.Ingestion
//! TROUBLESHOOTING.md; 413 `ContentLengthLimitExceeded`, IngestionClientTest.cs).
//! Retries: 429 with `Retry-After` (service-limits, "Retry after the duration listed in the
//! Retry-After header") and 5xx through the shared retry loop. A batch is resent after a 5xx
//! as Azure.Core does for every method (sdk/core/Azure.Core/src/ResponseClassifier.cs
//! `IsRetriableResponse`: 408, 429, 500, 502, 503, 504); the workspace does not de-duplicate,
//! so a 5xx after the service kept the rows can duplicate them, as with Microsoft's clients.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue};
use url::Url;

use super::batch::Batch;
use crate::auth::{AuthError, TokenProvider};
use crate::cloud::{Environment, Resource};
use crate::http::{BearerSource, HttpClient, HttpError, Request, same_origin};
use crate::ops::{FailureKind, OpError};
use crate::secret::SecretString;

/// [logs-ingestion-api-overview.md] URI format.
pub const API_VERSION: &str = "2023-01-01";

/// Where the rows go: the endpoint, the rule's immutable id and the stream, all checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestionTarget {
    endpoint: Url,
    rule_id: String,
    stream: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("-DataCollectionEndpoint '{value}' is not a usable URL: {reason}")]
    Endpoint { value: String, reason: String },
    #[error(
        "-DataCollectionEndpoint '{host}' is not a data collection endpoint of this session's cloud (a host under .{suffix}, such as my-dce-5kyl.eastus-1.{suffix})"
    )]
    NotOfTheCloud { host: String, suffix: String },
    #[error(
        "-RuleId '{0}' is not a data collection rule's immutable id: it looks like dcr- followed by 32 hexadecimal digits (the DCR's Overview page or JSON view, immutableId)"
    )]
    RuleId(String),
    #[error(
        "-StreamName '{0}' is not a custom stream name: it starts with Custom- followed by letters, digits or _ (the streamDeclarations name in the DCR, e.g. Custom-OutlookQrGuard)"
    )]
    Stream(String),
}

impl TargetError {
    pub fn parameter_value(&self) -> String {
        match self {
            TargetError::Endpoint { value, .. } => value.clone(),
            TargetError::NotOfTheCloud { host, .. } => host.clone(),
            TargetError::RuleId(v) | TargetError::Stream(v) => v.clone(),
        }
    }
}

/// `dcr-` and 32 hex digits: every immutable id Microsoft shows has this shape (the docs'
/// `dcr-000a00a000a00000a000000aa000a0aa`, the SDK recordings' `dcr-4c0684412e0547b49be35f8c553702d5`).
pub fn valid_rule_id(id: &str) -> bool {
    id.len() == 36 && id.starts_with("dcr-") && id[4..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `Custom-` and a name of letters, digits and `_` (the docs' `Custom-MyTable`,
/// the SDK's `Custom-MyTableRawData`). Built-in `Microsoft-*` streams are not ours to write.
pub fn valid_stream(name: &str) -> bool {
    name.strip_prefix("Custom-").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 100
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

impl IngestionTarget {
    /// Checks all three; the endpoint must be https under the session's cloud's ingestion
    /// domain, or loopback (the tenant emulator, a local forwarder).
    pub fn new(
        environment: &Environment,
        endpoint: &str,
        rule_id: &str,
        stream: &str,
    ) -> Result<IngestionTarget, TargetError> {
        let value = endpoint.trim();
        let bad = |reason: &str| TargetError::Endpoint {
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(value.trim_end_matches('/')).map_err(|e| bad(&e.to_string()))?;
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(bad(
                "give the endpoint only, without query, fragment or user name",
            ));
        }
        let loopback = crate::http::is_loopback(&url);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(bad("the scheme must be https")),
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let suffix = environment.monitor_ingest_suffix();
        if !loopback && !host.ends_with(&format!(".{suffix}")) {
            return Err(TargetError::NotOfTheCloud {
                host,
                suffix: suffix.to_owned(),
            });
        }
        if !valid_rule_id(rule_id) {
            return Err(TargetError::RuleId(rule_id.to_owned()));
        }
        if !valid_stream(stream) {
            return Err(TargetError::Stream(stream.to_owned()));
        }
        Ok(IngestionTarget {
            endpoint: url,
            rule_id: rule_id.to_ascii_lowercase(),
            stream: stream.to_owned(),
        })
    }

    pub fn rule_id(&self) -> &str {
        &self.rule_id
    }

    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// `{endpoint}/dataCollectionRules/{id}/streams/{stream}?api-version=2023-01-01`.
    pub fn url(&self) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([
                "dataCollectionRules",
                &self.rule_id,
                "streams",
                &self.stream,
            ]);
        }
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        url
    }
}

/// The monitor token, admitted only to the one endpoint the admin named.
struct MonitorBearer {
    provider: Arc<TokenProvider>,
    endpoint: Url,
}

impl BearerSource for MonitorBearer {
    fn bearer(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        Box::pin(self.provider.token(Resource::Monitor))
    }

    fn reject(&self, token: &SecretString) {
        self.provider.reject(Resource::Monitor, token);
    }

    fn admits(&self, url: &Url) -> bool {
        same_origin(url, &self.endpoint)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendTotals {
    pub rows: u64,
    pub batches: u64,
    /// JSON bytes before compression.
    pub bytes: u64,
    /// Bytes on the wire (gzip).
    pub sent_bytes: u64,
    pub elapsed_ms: u64,
}

/// Gzip as Microsoft's clients send it (`GZipUtf8JsonRequestContent`, `zlib` wbits 16+15).
pub fn gzip(json: &[u8]) -> Result<Vec<u8>, OpError> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(json)
        .and_then(|()| encoder.finish())
        .map_err(|e| OpError::new(FailureKind::Internal, format!("gzip failed: {e}")))
}

/// Sends the batches in order; `progress(rows_sent)` after each. Stops at the first refused
/// batch, saying how many rows went before it.
pub async fn send_batches(
    http: &HttpClient,
    tokens: &Arc<TokenProvider>,
    target: &IngestionTarget,
    batches: &[Batch],
    mut progress: impl FnMut(u64),
) -> Result<SendTotals, OpError> {
    let started = Instant::now();
    let bearer = MonitorBearer {
        provider: Arc::clone(tokens),
        endpoint: target.endpoint.clone(),
    };
    let url = target.url();
    let label = format!("{}/{}", target.rule_id, target.stream);
    let mut totals = SendTotals::default();
    for (index, batch) in batches.iter().enumerate() {
        let body = gzip(&batch.json)?;
        let mut request = Request::new(Method::POST, url.clone());
        request
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        request
            .headers
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        // [logs-ingestion-api-overview.md] request headers: `x-ms-client-request-id`, a GUID
        // Microsoft can trace (one per batch; the shared layer's per-attempt `client-request-id`
        // is Graph's and Exchange's name for it).
        let crid = uuid::Uuid::new_v4();
        if let Ok(v) = HeaderValue::from_str(&crid.to_string()) {
            request.headers.insert("x-ms-client-request-id", v);
        }
        let sent_bytes = body.len() as u64;
        request.body = Some(body.into());
        // See the module comment: resent after 5xx like Azure.Core does.
        request.idempotent = true;
        http.send(&request, Some(&bearer), |_| Ok(()))
            .await
            .map_err(|e| {
                refused(e, &label, index, batches.len(), batch, totals.rows).with_monitor_ids(crid)
            })?;
        totals.rows += batch.rows as u64;
        totals.batches += 1;
        totals.bytes += batch.json.len() as u64;
        totals.sent_bytes += sent_bytes;
        progress(totals.rows);
    }
    totals.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(totals)
}

trait MonitorIds {
    fn with_monitor_ids(self, crid: uuid::Uuid) -> Self;
}

impl MonitorIds for OpError {
    /// The ids of a Logs Ingestion call: the `x-ms-client-request-id` we sent, and the
    /// service's `x-ms-request-id` (Azure.Monitor.Ingestion session records: every answer
    /// carries `x-ms-request-id` and echoes `x-ms-client-request-id`).
    fn with_monitor_ids(mut self, crid: uuid::Uuid) -> Self {
        if let Some(ids) = self.call_ids.as_deref_mut() {
            ids.client_request_id = Some(crid.to_string());
        }
        self
    }
}

/// `refused` for one batch of one row: how the wire examples replay an answer through the
/// engine (`crate::wire_replay::monitor_error`).
pub(crate) fn refusal_for_replay(e: HttpError) -> OpError {
    let batch = Batch {
        json: b"[{}]".to_vec(),
        rows: 1,
        first_row: 0,
    };
    refused(
        e,
        "dcr-00000000000000000000000000000000/Custom-OutlookQrGuard",
        0,
        1,
        &batch,
        0,
    )
}

/// The service's `{"error":{"code","message"}}`, if the body is one.
fn service_error(body: &[u8]) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?;
    let text = |k: &str| e.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    Some((text("code"), text("message")))
}

fn refused(
    e: HttpError,
    target: &str,
    index: usize,
    count: usize,
    batch: &Batch,
    rows_sent: u64,
) -> OpError {
    let progress = format!(
        "Batch {} of {count} (rows {} to {}) was not accepted; {rows_sent} rows before it were.",
        index + 1,
        batch.first_row + 1,
        batch.first_row + batch.rows
    );
    let HttpError::Status(failure) = &e else {
        let op = OpError::from(e);
        return OpError {
            message: format!("{} {progress}", op.message),
            ..op
        };
    };
    let status = failure.status;
    let (code, service_message) = service_error(&failure.body).unwrap_or_default();
    let hint = match status {
        401 => {
            " The token was refused: the credential must be able to get a token for Azure Monitor (https://monitor.azure.com)."
        }
        403 => {
            " Grant the app or managed identity the Monitoring Metrics Publisher role on the data collection rule (it can take up to 30 minutes to apply)."
        }
        404 => {
            " Check -DataCollectionEndpoint and -RuleId: the rule must exist and be reachable through that endpoint."
        }
        400 => " Check -StreamName against the rule's streamDeclarations and the table's columns.",
        429 => " Azure Monitor kept throttling after the retries; send again later.",
        _ => "",
    };
    let said = if service_message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("{service_message} ({code}, HTTP {status})")
    };
    let kind = match status {
        400 | 413 => FailureKind::InvalidArgument,
        401 => FailureKind::Authentication,
        403 => FailureKind::PermissionDenied,
        404 => FailureKind::NotFound,
        429 => FailureKind::Throttled,
        _ => FailureKind::Connection,
    };
    let mut ids = failure.call_ids();
    if ids.request_id.is_none() {
        ids.request_id = failure
            .headers
            .get("x-ms-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
            .map(str::to_owned);
    }
    OpError::new(
        kind,
        format!("Azure Monitor refused the rows: {said}.{hint} {progress}"),
    )
    .with_code(code)
    .with_target(target.to_owned())
    .with_call_ids(&ids)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cloud::Cloud;

    const RULE: &str = "dcr-4c0684412e0547b49be35f8c553702d5";

    #[test]
    fn the_url_is_the_documented_one() {
        let env = Environment::for_cloud(Cloud::Global);
        let t = IngestionTarget::new(
            &env,
            "https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com/",
            RULE,
            "Custom-OutlookQrGuard",
        )
        .unwrap();
        assert_eq!(
            t.url().as_str(),
            format!(
                "https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com/dataCollectionRules/{RULE}/streams/Custom-OutlookQrGuard?api-version=2023-01-01"
            )
        );
        let local =
            IngestionTarget::new(&env, "https://127.0.0.1:8443/dce", RULE, "Custom-X_CL").unwrap();
        assert_eq!(
            local.url().path(),
            format!("/dce/dataCollectionRules/{RULE}/streams/Custom-X_CL")
        );
    }

    #[test]
    fn bad_targets_are_refused_naming_the_parameter() {
        let env = Environment::for_cloud(Cloud::Global);
        let dce = "https://x.eastus-1.ingest.monitor.azure.com";
        for (endpoint, rule, stream, parameter) in [
            (
                "ftp://x.ingest.monitor.azure.com",
                RULE,
                "Custom-A",
                "-DataCollectionEndpoint",
            ),
            (
                "http://x.eastus-1.ingest.monitor.azure.com",
                RULE,
                "Custom-A",
                "-DataCollectionEndpoint",
            ),
            (
                "https://evil.example",
                RULE,
                "Custom-A",
                "-DataCollectionEndpoint",
            ),
            (
                "https://x.ingest.monitor.azure.us",
                RULE,
                "Custom-A",
                "-DataCollectionEndpoint",
            ),
            (
                "https://x.ingest.monitor.azure.com?a=b",
                RULE,
                "Custom-A",
                "-DataCollectionEndpoint",
            ),
            (dce, "dcr-123", "Custom-A", "-RuleId"),
            (
                dce,
                "/subscriptions/x/dataCollectionRules/y",
                "Custom-A",
                "-RuleId",
            ),
            (
                dce,
                "dcr-4c0684412e0547b49be35f8c553702zz",
                "Custom-A",
                "-RuleId",
            ),
            (dce, RULE, "Microsoft-Syslog", "-StreamName"),
            (dce, RULE, "Custom-", "-StreamName"),
            (dce, RULE, "Custom-a/b", "-StreamName"),
        ] {
            let e = IngestionTarget::new(&env, endpoint, rule, stream).unwrap_err();
            assert!(
                e.to_string().contains(parameter),
                "{endpoint} {rule} {stream}: {e}"
            );
        }
        // Government clouds take their own domain.
        let gov = Environment::for_cloud(Cloud::UsGovGccHigh);
        assert!(
            IngestionTarget::new(
                &gov,
                "https://x.usgovvirginia-1.ingest.monitor.azure.us",
                RULE,
                "Custom-A"
            )
            .is_ok()
        );
        assert!(IngestionTarget::new(&gov, dce, RULE, "Custom-A").is_err());
    }

    #[test]
    fn monitor_scope_is_the_sdks_and_no_session_host_admits_it() {
        let expected = [
            (Cloud::Global, "https://monitor.azure.com//.default"),
            (Cloud::UsGovGccHigh, "https://monitor.azure.us//.default"),
            (Cloud::UsGovDod, "https://monitor.azure.us//.default"),
            (Cloud::China, "https://monitor.azure.cn//.default"),
        ];
        for (cloud, scope) in expected {
            let env = Environment::for_cloud(cloud);
            assert_eq!(env.default_scope(Resource::Monitor), scope);
            assert!(!env.admits_bearer(Resource::Monitor, env.graph_base()));
        }
    }

    #[test]
    fn service_errors_are_read() {
        let body = br#"{"error":{"code":"OperationFailed","message":"The authentication token provided does not have access"}}"#;
        assert_eq!(
            service_error(body),
            Some((
                "OperationFailed".into(),
                "The authentication token provided does not have access".into()
            ))
        );
        assert_eq!(service_error(b"<html>"), None);
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let json = br#"[{"a":1}]"#.repeat(100);
        let gz = gzip(&json).unwrap();
        assert_eq!(&gz[..2], &[0x1f, 0x8b]);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, json);
    }
}
