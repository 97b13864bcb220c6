//! Logs Ingestion API: the documented request, its refusals and size limit, gzip, throttling
//! through the fault plan, and the control API that reads back what was accepted.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::Write;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::well_known::{
    LOGS_INGESTION_MAX_BYTES, LOGS_INGESTION_RULE_ID, LOGS_INGESTION_STREAM, MONITOR_SCOPE,
};
use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule};

fn url(h: &Harness, rule: &str, stream: &str, api_version: Option<&str>) -> String {
    let base = format!("{}/dataCollectionRules/{rule}/streams/{stream}", h.base);
    match api_version {
        Some(v) => format!("{base}?api-version={v}"),
        None => base,
    }
}

/// URL, token, body, gzip header, expected status, expected code.
type Case<'a> = (String, Option<&'a str>, Vec<u8>, bool, u16, &'a str);

fn ok_url(h: &Harness) -> String {
    url(
        h,
        LOGS_INGESTION_RULE_ID,
        LOGS_INGESTION_STREAM,
        Some("2023-01-01"),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

async fn post(
    h: &Harness,
    url: &str,
    token: Option<&str>,
    body: Vec<u8>,
    gzip: bool,
) -> (u16, Value) {
    let mut req = h
        .client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if gzip {
        req = req.header("content-encoding", "gzip");
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    status_json(req.send().await.unwrap()).await
}

async fn received(h: &Harness) -> Value {
    let (status, body) = control_call(h, reqwest::Method::GET, "logs-ingestion", None).await;
    assert_eq!(status, 200);
    body
}

#[tokio::test]
async fn accepts_plain_and_gzip_arrays_with_204_and_keeps_the_rows() {
    let h = start_default().await;
    let token = h.app_token(MONITOR_SCOPE).await;
    assert_eq!(claims(&token)["aud"], "https://monitor.azure.com");
    let rows = json!([{"TimeGenerated": "2026-12-06T00:00:00Z", "RecordType": "CheckResult"},
                      {"TimeGenerated": "2026-12-06T00:00:01Z", "RecordType": "DriftDifference"}]);
    let plain = serde_json::to_vec(&rows).unwrap();
    let (status, _) = post(&h, &ok_url(&h), Some(&token), plain.clone(), false).await;
    assert_eq!(status, 204);
    let (status, _) = post(&h, &ok_url(&h), Some(&token), gzip(&plain), true).await;
    assert_eq!(status, 204);
    let got = received(&h).await;
    assert_eq!(got["rows"].as_array().unwrap().len(), 4);
    assert_eq!(got["rows"][3]["RecordType"], "DriftDifference");
    assert_eq!(got["calls"][1]["contentEncoding"], "gzip");
    assert_eq!(got["calls"][1]["decodedBytes"], plain.len());
    assert_eq!(h.emulator.logs_ingested().len(), 2);
    // The credentials name the seeded rule and stream.
    assert_eq!(h.creds.logs_ingestion_rule_id, LOGS_INGESTION_RULE_ID);
    assert_eq!(h.creds.logs_ingestion_stream, LOGS_INGESTION_STREAM);
    let (status, _) = control_call(&h, reqwest::Method::POST, "reset-logs-ingestion", None).await;
    assert_eq!(status, 204);
    assert_eq!(received(&h).await["rows"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn refuses_wrong_tokens_versions_rules_streams_and_bodies_in_the_error_envelope() {
    let h = start_default().await;
    let token = h.app_token(MONITOR_SCOPE).await;
    let graph = h.app_token(GRAPH_SCOPE).await;
    let body = br#"[{"a":1}]"#.to_vec();
    let other_rule = "dcr-00000000000000000000000000000000";
    let cases: Vec<Case> = vec![
        (ok_url(&h), None, body.clone(), false, 401, "InvalidToken"),
        (
            ok_url(&h),
            Some(&graph),
            body.clone(),
            false,
            401,
            "InvalidToken",
        ),
        (
            url(&h, LOGS_INGESTION_RULE_ID, LOGS_INGESTION_STREAM, None),
            Some(&token),
            body.clone(),
            false,
            400,
            "InvalidApiVersion",
        ),
        (
            url(
                &h,
                LOGS_INGESTION_RULE_ID,
                LOGS_INGESTION_STREAM,
                Some("1999-01-01"),
            ),
            Some(&token),
            body.clone(),
            false,
            400,
            "InvalidApiVersion",
        ),
        (
            url(&h, other_rule, LOGS_INGESTION_STREAM, Some("2023-01-01")),
            Some(&token),
            body.clone(),
            false,
            404,
            "NotFound",
        ),
        (
            url(
                &h,
                LOGS_INGESTION_RULE_ID,
                "Custom-Other",
                Some("2023-01-01"),
            ),
            Some(&token),
            body.clone(),
            false,
            400,
            "InvalidStream",
        ),
        (
            ok_url(&h),
            Some(&token),
            b"not json".to_vec(),
            false,
            400,
            "InvalidPayload",
        ),
        (
            ok_url(&h),
            Some(&token),
            b"[1,2]".to_vec(),
            false,
            400,
            "InvalidPayload",
        ),
        (
            ok_url(&h),
            Some(&token),
            body.clone(),
            true,
            400,
            "InvalidContentEncoding",
        ),
    ];
    for (u, t, b, gz, want_status, want_code) in cases {
        let (status, reply) = post(&h, &u, t, b, gz).await;
        assert_eq!(status, want_status, "{u}: {reply}");
        assert_eq!(reply["error"]["code"], want_code, "{u}: {reply}");
        assert!(reply["error"]["message"].as_str().unwrap().len() > 10);
    }
    // The app without any permission is not a Monitoring Metrics Publisher on the rule.
    let app = &h.creds.no_role_app;
    let denied = h
        .secret_token_for(&app.client_id, &app.client_secret, MONITOR_SCOPE)
        .await;
    let (status, reply) = post(&h, &ok_url(&h), Some(&denied), body.clone(), false).await;
    assert_eq!(status, 403);
    assert_eq!(reply["error"]["code"], "OperationFailed");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains(LOGS_INGESTION_RULE_ID)
    );
    // An empty body: 500 without a code (Azure.Monitor.Ingestion's EmptyData test).
    let (status, _) = post(&h, &ok_url(&h), Some(&token), Vec::new(), false).await;
    assert_eq!(status, 500);
    assert!(received(&h).await["rows"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn bodies_over_one_megabyte_compressed_or_not_are_413() {
    let h = start_default().await;
    let token = h.app_token(MONITOR_SCOPE).await;
    // Exactly at the limit: accepted.
    let filler = LOGS_INGESTION_MAX_BYTES - br#"[{"a":""}]"#.len();
    let at_limit = format!(r#"[{{"a":"{}"}}]"#, "x".repeat(filler)).into_bytes();
    assert_eq!(at_limit.len(), LOGS_INGESTION_MAX_BYTES);
    let (status, reply) = post(&h, &ok_url(&h), Some(&token), at_limit.clone(), false).await;
    assert_eq!(status, 204, "{reply}");
    let over = format!(r#"[{{"a":"{}"}}]"#, "x".repeat(filler + 1)).into_bytes();
    for gz in [false, true] {
        let body = if gz { gzip(&over) } else { over.clone() };
        // Compressed, it is tiny: the limit applies to the uncompressed data too.
        assert_eq!(body.len() < 100_000, gz);
        let (status, reply) = post(&h, &ok_url(&h), Some(&token), body, gz).await;
        assert_eq!(status, 413, "{reply}");
        assert_eq!(reply["error"]["code"], "ContentLengthLimitExceeded");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Maximum allowed content length: 1048576 bytes (1 MB).")
        );
    }
    assert_eq!(received(&h).await["calls"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after_and_keeps_nothing() {
    let h = start_default().await;
    let token = h.app_token(MONITOR_SCOPE).await;
    h.emulator
        .set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::LogsIngestion,
            Fault::Throttle {
                retry_after: "3".into(),
            },
            2,
        )));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = h
            .client
            .post(ok_url(&h))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"[{"a":1}]"#)
            .send()
            .await
            .unwrap();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let (status, body) = status_json(resp).await;
        if status == 429 {
            assert_eq!(retry_after.as_deref(), Some("3"));
            assert_eq!(body["error"]["code"], "TooManyRequests");
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [204, 429, 204, 429]);
    assert_eq!(received(&h).await["rows"].as_array().unwrap().len(), 2);
}
