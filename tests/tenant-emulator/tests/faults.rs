//! Fault injection: each kind observably happens at its configured schedule.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tenant_emulator::{EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule, http_date};

fn plan(endpoint: EndpointClass, fault: Fault, n: u64) -> FaultPlan {
    FaultPlan::none().with_rule(FaultRule::every_nth(endpoint, fault, n))
}

#[tokio::test]
async fn throttle_every_second_request_with_integer_fractional_and_date_retry_after() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let date = http_date(now() + 5);
    for retry_after in ["2", "0.5", date.as_str()] {
        h.emulator.set_faults(plan(
            EndpointClass::GraphUsers,
            Fault::Throttle {
                retry_after: retry_after.into(),
            },
            2,
        ));
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let resp = h
                .client
                .get(format!("{}/v1.0/users?$top=1", h.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let header = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            let (status, body) = status_json(resp).await;
            if status == 429 {
                assert_eq!(header.as_deref(), Some(retry_after));
                assert_eq!(body["error"]["code"], "TooManyRequests");
                assert_eq!(body["error"]["innerError"]["status"], "429");
            }
            statuses.push(status);
        }
        assert_eq!(statuses, [200, 429, 200, 429], "{retry_after}");
    }
    assert!(date.ends_with(" GMT"));
    let faults: Vec<_> = h
        .emulator
        .journal()
        .requests
        .iter()
        .filter_map(|r| r.fault.clone())
        .collect();
    assert_eq!(faults.len(), 6);
    assert!(faults.iter().all(|f| f == "Throttle"));
}

#[tokio::test]
async fn token_endpoint_throttles_in_entra_shape() {
    let h = start_default().await;
    h.emulator.set_faults(plan(
        EndpointClass::Token,
        Fault::Throttle {
            retry_after: "1".into(),
        },
        1,
    ));
    let app = &h.creds.secret_app;
    let resp = h
        .client
        .post(h.token_url())
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("scope", GRAPH_SCOPE),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["retry-after"], "1");
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "temporarily_unavailable");
    entra_codes(&body);
}

#[tokio::test]
async fn server_errors_503_with_and_504_without_retry_after() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    h.emulator.set_faults(plan(
        EndpointClass::ExchangeInvokeCommand,
        Fault::ServerError {
            status: 503,
            retry_after: Some("7".into()),
        },
        1,
    ));
    let b = json!({"CmdletInput": {"CmdletName": "Get-OrganizationConfig", "Parameters": {}}});
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .header("X-AnchorMailbox", h.anchor())
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "7");
    let (_, body) = status_json(resp).await;
    assert_eq!(body["error"]["code"], "ServiceUnavailable");
    h.emulator.set_faults(plan(
        EndpointClass::ExchangeInvokeCommand,
        Fault::ServerError {
            status: 504,
            retry_after: None,
        },
        1,
    ));
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .header("X-AnchorMailbox", h.anchor())
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 504);
    assert!(resp.headers().get("retry-after").is_none());
    h.emulator.set_faults(FaultPlan::none());
    assert_eq!(
        h.invoke(&token, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        200
    );
}

async fn failure_pattern(seed: u64) -> Vec<bool> {
    let h = start_default().await;
    h.emulator.set_faults(FaultPlan {
        seed,
        rules: vec![FaultRule::at_rate(
            EndpointClass::ManagedIdentity,
            Fault::ServerError {
                status: 500,
                retry_after: None,
            },
            0.3,
        )],
    });
    let mut pattern = Vec::new();
    for _ in 0..120 {
        let resp = h
            .client
            .get(format!(
                "{}?resource=https://graph.microsoft.com",
                h.creds.managed_identity.identity_endpoint
            ))
            .header(
                "X-IDENTITY-HEADER",
                &h.creds.managed_identity.identity_header,
            )
            .send()
            .await
            .unwrap();
        pattern.push(resp.status() == 500);
    }
    pattern
}

#[tokio::test]
async fn rate_faults_are_seeded_and_near_the_rate() {
    let a = failure_pattern(99).await;
    let b = failure_pattern(99).await;
    assert_eq!(a, b, "same seed, same schedule");
    let hits = a.iter().filter(|x| **x).count();
    assert!((20..=52).contains(&hits), "about 30% of 120, got {hits}");
    let c = failure_pattern(100).await;
    assert_ne!(a, c, "another seed, another schedule");
}

#[tokio::test]
async fn reset_mid_body_breaks_the_response_for_http1_and_http2_clients() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .set_faults(plan(EndpointClass::GraphUsers, Fault::ResetMidBody, 1));
    for h2 in [false, true] {
        let client = client_for(&h.emulator.ca_certificate_pem(), h2);
        let resp = client
            .get(format!("{}/v1.0/users?$top=50", h.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let expected = if h2 {
            reqwest::Version::HTTP_2
        } else {
            reqwest::Version::HTTP_11
        };
        assert_eq!(resp.version(), expected);
        let announced = resp.content_length();
        let body = resp.bytes().await;
        assert!(
            body.is_err(),
            "h2={h2}: the body must fail, announced {announced:?}"
        );
    }
    h.emulator.set_faults(FaultPlan::none());
    let (status, _) = h.graph_get(&token, "/v1.0/users?$top=50").await;
    assert_eq!(status, 200, "new connections are served normally");
    let journal = h.emulator.journal();
    assert_eq!(
        journal
            .requests
            .iter()
            .filter(|r| r.fault.as_deref() == Some("ResetMidBody"))
            .count(),
        2
    );
}

#[tokio::test]
async fn reset_mid_body_really_cuts_the_tcp_connection() {
    let h = start(EmulatorOptions {
        tls: false,
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .set_faults(plan(EndpointClass::GraphUsers, Fault::ResetMidBody, 1));
    let addr = h.base.trim_start_matches("http://").to_owned();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "GET /v1.0/users?$top=100 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n").unwrap();
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        let end = loop {
            match stream.read(&mut buf) {
                Ok(0) => break "eof".to_owned(),
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) => break format!("{:?}", e.kind()),
            }
        };
        (received, end)
    })
    .await
    .unwrap();
    let (received, end) = outcome;
    let text = String::from_utf8_lossy(&received);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap();
    assert!(
        !body.is_empty() && body.len() < length,
        "sent {} of {length}",
        body.len()
    );
    assert_eq!(
        end, "ConnectionReset",
        "the peer sees a reset, not a clean close"
    );
}

#[tokio::test]
async fn truncated_json_is_a_complete_response_with_half_a_body() {
    let h = start_default().await;
    h.emulator
        .set_faults(plan(EndpointClass::Token, Fault::TruncatedJson, 1));
    let app = &h.creds.secret_app;
    let resp = h
        .client
        .post(h.token_url())
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("scope", GRAPH_SCOPE),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let announced = resp.content_length().unwrap();
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len() as u64, announced);
    assert!(body.starts_with(b"{\"token_type\":\"Bearer\""));
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
}

#[tokio::test]
async fn latency_and_page_latency_delay_responses() {
    let h = start(EmulatorOptions {
        page_latency: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let started = Instant::now();
    assert_eq!(
        h.invoke(&token, "Get-MobileDevice", json!({"ResultSize": 5}))
            .await
            .0,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    h.emulator.set_faults(plan(
        EndpointClass::Token,
        Fault::Latency(Duration::from_millis(400)),
        1,
    ));
    let started = Instant::now();
    h.app_token(GRAPH_SCOPE).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn html_error_page_as_a_proxy_sends_it() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    h.emulator.set_faults(plan(
        EndpointClass::ExchangeInvokeCommand,
        Fault::HtmlErrorPage { status: 502 },
        1,
    ));
    let b = json!({"CmdletInput": {"CmdletName": "Get-OrganizationConfig", "Parameters": {}}});
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .header("X-AnchorMailbox", h.anchor())
        .json(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = resp.text().await.unwrap();
    assert!(
        text.starts_with("<!DOCTYPE html>") && text.contains("502 Bad Gateway"),
        "{text}"
    );
}

#[tokio::test]
async fn expired_token_fault_at_resource_and_at_token_endpoint() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .set_faults(plan(EndpointClass::GraphUsers, Fault::ExpiredToken, 2));
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);
    let (status, body) = h.graph_get(&token, "/v1.0/users?$top=1").await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (
            401,
            Some("Lifetime validation failed, the token is expired.")
        )
    );
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);

    h.emulator
        .set_faults(plan(EndpointClass::Token, Fault::ExpiredToken, 1));
    let stale = h.app_token(GRAPH_SCOPE).await;
    h.emulator.set_faults(FaultPlan::none());
    let (status, _) = h.graph_get(&stale, "/v1.0/users?$top=1").await;
    assert_eq!(status, 401, "a token issued already expired is refused");
}

#[tokio::test]
async fn any_rule_counts_across_endpoint_classes_and_control_calls_are_not_faulted() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator.set_faults(plan(
        EndpointClass::Any,
        Fault::ServerError {
            status: 500,
            retry_after: None,
        },
        3,
    ));
    let app = &h.creds.secret_app;
    let form = [
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
        ("scope", GRAPH_SCOPE),
        ("grant_type", "client_credentials"),
    ];
    let mut statuses = Vec::new();
    for i in 0..6 {
        let status = if i % 2 == 0 {
            h.graph_get(&token, "/v1.0/users?$top=1").await.0
        } else {
            h.post_form(&h.token_url(), &form).await.0
        };
        statuses.push(status);
        let control = h
            .client
            .get(format!("{}/_emulator/journal", h.base))
            .header("X-Emulator-Control-Key", &h.creds.control_key)
            .send()
            .await
            .unwrap();
        assert_eq!(control.status(), 200);
    }
    assert_eq!(statuses, [200, 200, 500, 200, 200, 500]);
}
