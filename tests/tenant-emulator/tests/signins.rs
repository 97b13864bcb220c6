//! Sign-in logs over real sockets: the $filter grammar, the default interactive-only view,
//! paging, the refusal switch, v1.0 vs beta, licence/permission 403s, throttling and the
//! consistency of the seeded events with the seeded devices.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::{
    EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule, SettingsUpdate, well_known,
};

const BETA: &str = "/beta/auditLogs/signIns";
const BOTH_TYPES: &str =
    "signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')";

/// A tenant whose sign-in endpoint does not throttle (the throttling test turns it on).
async fn unthrottled() -> Harness {
    start(EmulatorOptions {
        signin_rate_per_second: 0.0,
        ..Default::default()
    })
    .await
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every event of a listing, following nextLink.
async fn all_pages(h: &Harness, token: &str, first: &str) -> (Vec<Value>, usize) {
    let mut url = first.to_owned();
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = h.graph_get(token, &url).await;
        assert_eq!(status, 200, "{url}: {page}");
        pages += 1;
        all.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&h.base).unwrap().to_owned(),
            None => return (all, pages),
        }
    }
}

async fn filtered(h: &Harness, token: &str, filter: &str) -> Vec<Value> {
    all_pages(h, token, &with_query(BETA, &[("$filter", filter)]))
        .await
        .0
}

fn truth<'a>(all: &'a [Value], keep: impl Fn(&Value) -> bool + 'a) -> Vec<String> {
    ids(&all.iter().filter(|e| keep(e)).cloned().collect::<Vec<_>>())
}

fn created(e: &Value) -> &str {
    e["createdDateTime"].as_str().unwrap()
}

#[tokio::test]
async fn default_listing_is_interactive_only_newest_first_within_retention() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let seeded = h.emulator.seeded_signins_json();
    let (status, page) = h.graph_get(&token, BETA).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["@odata.context"],
        "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns"
    );
    let value = page["value"].as_array().unwrap();
    assert_eq!(
        ids(value),
        truth(&seeded, |e| e["isInteractive"] == true),
        "default = every interactive event (fewer than 1000 here)"
    );
    assert!(
        value
            .iter()
            .all(|e| e["signInEventTypes"] == json!(["interactiveUser"]))
    );
    assert!(value.windows(2).all(|w| created(&w[0]) >= created(&w[1])));
    let now = now();
    let oldest = now - 30 * 86_400;
    for e in &seeded {
        let t =
            time::OffsetDateTime::parse(created(e), &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp();
        assert!(t > oldest && t <= now, "outside retention: {e}");
        for field in [
            "userDisplayName",
            "userPrincipalName",
            "userId",
            "appId",
            "appDisplayName",
            "ipAddress",
            "clientAppUsed",
            "correlationId",
            "conditionalAccessStatus",
            "originalTransferMethod",
            "authenticationProtocol",
        ] {
            assert!(e[field].is_string(), "{field} in {e}");
        }
        assert!(e["status"]["errorCode"].is_i64());
        assert!(e["deviceDetail"]["operatingSystem"].is_string());
        assert!(e["location"]["countryOrRegion"].is_string());
    }
    // Both kinds exist, so the default really filters.
    assert!(seeded.iter().any(|e| e["isInteractive"] == false));
    assert!(seeded.iter().any(|e| e["status"]["errorCode"] != 0));
}

#[tokio::test]
async fn every_filter_clause_matches_the_ground_truth() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let seeded = h.emulator.seeded_signins_json();
    let both = filtered(&h, &token, BOTH_TYPES).await;
    assert_eq!(ids(&both), ids(&seeded));
    let non_interactive = filtered(
        &h,
        &token,
        "signInEventTypes/any(t: t eq 'nonInteractiveUser')",
    )
    .await;
    assert_eq!(
        ids(&non_interactive),
        truth(&seeded, |e| e["isInteractive"] == false)
    );
    assert!(
        filtered(
            &h,
            &token,
            "signInEventTypes/any(t: t eq 'servicePrincipal')"
        )
        .await
        .is_empty()
    );

    let transfer = filtered(
        &h,
        &token,
        &format!("originalTransferMethod eq 'authenticationTransfer' and {BOTH_TYPES}"),
    )
    .await;
    assert!(!transfer.is_empty());
    assert_eq!(
        ids(&transfer),
        truth(&seeded, |e| e["originalTransferMethod"]
            == "authenticationTransfer")
    );
    let device_code = filtered(&h, &token, "originalTransferMethod eq 'deviceCodeFlow'").await;
    assert_eq!(
        ids(&device_code),
        truth(&seeded, |e| e["originalTransferMethod"] == "deviceCodeFlow"
            && e["isInteractive"] == true)
    );
    assert!(!device_code.is_empty());

    // Time window: the median event's time splits the set.
    let mid = created(&seeded[seeded.len() / 2]).to_owned();
    for (op, keep) in [
        ("ge", (|a: &str, b: &str| a >= b) as fn(&str, &str) -> bool),
        ("gt", |a, b| a > b),
        ("le", |a, b| a <= b),
        ("lt", |a, b| a < b),
    ] {
        let got = filtered(
            &h,
            &token,
            &format!("createdDateTime {op} {mid} and {BOTH_TYPES}"),
        )
        .await;
        assert_eq!(
            ids(&got),
            truth(&seeded, |e| keep(created(e), &mid)),
            "{op}"
        );
    }

    let outlook = format!("appId eq '{}'", well_known::OUTLOOK_MOBILE_APP_ID);
    let got = filtered(&h, &token, &format!("{outlook} and {BOTH_TYPES}")).await;
    assert_eq!(
        ids(&got),
        truth(&seeded, |e| e["appId"] == well_known::OUTLOOK_MOBILE_APP_ID)
    );
    assert!(
        got.iter()
            .all(|e| e["appDisplayName"] == "Microsoft Outlook")
    );

    let someone = transfer[0].clone();
    let by_id = filtered(
        &h,
        &token,
        &format!(
            "userId eq '{}' and {BOTH_TYPES}",
            someone["userId"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        ids(&by_id),
        truth(&seeded, |e| e["userId"] == someone["userId"])
    );
    // UPNs may contain apostrophes: OData doubles them inside the literal.
    let quoted_upn = seeded
        .iter()
        .find(|e| e["userPrincipalName"].as_str().unwrap().contains('\''))
        .map(|e| e["userPrincipalName"].as_str().unwrap().to_owned());
    for upn in [someone["userPrincipalName"].as_str().unwrap().to_owned()]
        .into_iter()
        .chain(quoted_upn)
    {
        let got = filtered(
            &h,
            &token,
            &format!(
                "userPrincipalName eq '{}' and {BOTH_TYPES}",
                upn.replace('\'', "''")
            ),
        )
        .await;
        assert!(!got.is_empty(), "{upn}");
        assert_eq!(
            ids(&got),
            truth(&seeded, |e| e["userPrincipalName"] == upn.as_str())
        );
    }
    // `or` and parentheses.
    let got = filtered(
        &h,
        &token,
        &format!("(originalTransferMethod eq 'deviceCodeFlow' or originalTransferMethod eq 'authenticationTransfer') and ({BOTH_TYPES})"),
    )
    .await;
    assert_eq!(
        ids(&got),
        truth(&seeded, |e| e["originalTransferMethod"] != "none")
    );
}

#[tokio::test]
async fn unsupported_filters_and_top_bounds_are_400() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    for bad in [
        "status/errorCode eq 0",
        "createdDateTime eq 2026-10-26T00:00:00Z",
        "createdDateTime ge '2026-10-26T00:00:00Z'",
        "createdDateTime ge 2026-10-26",
        "originalTransferMethod eq 'qrCode'",
        "appId eq 'x' and",
        "startswith(userPrincipalName, 'a')",
        "signInEventTypes/any(t: t eq 'robot')",
    ] {
        let (status, body) = h
            .graph_get(&token, &with_query(BETA, &[("$filter", bad)]))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(graph_code(&body), "BadRequest");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid filter clause"),
            "{body}"
        );
    }
    for top in ["0", "1001", "-1", "many"] {
        let (status, body) = h.graph_get(&token, &format!("{BETA}?$top={top}")).await;
        assert_eq!(status, 400, "$top={top}: {body}");
    }
    assert_eq!(
        h.graph_get(&token, &format!("{BETA}?$top=1000")).await.0,
        200
    );
    assert_eq!(h.graph_get(&token, &format!("{BETA}?$top=1")).await.0, 200);
    let (status, _) = h
        .graph_get(&token, &format!("{BETA}?$orderby=createdDateTime"))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn paging_follows_next_links_and_refuses_tampered_or_foreign_tokens() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let seeded = h.emulator.seeded_signins_json();
    let first = with_query(BETA, &[("$top", "7"), ("$filter", BOTH_TYPES)]);
    let (all, pages) = all_pages(&h, &token, &first).await;
    assert_eq!(ids(&all), ids(&seeded));
    assert_eq!(pages, seeded.len().div_ceil(7));
    let (_, page) = h.graph_get(&token, &first).await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(
        next.contains("$top=7") && next.contains("$filter="),
        "{next}"
    );
    let at = next.find("$skiptoken=").unwrap() + "$skiptoken=".len();
    let token_text = next[at..].to_owned();
    let mut tampered: Vec<char> = next.chars().collect();
    tampered[at + 2] = if tampered[at + 2] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let (status, body) = h
        .graph_get(&token, tampered.strip_prefix(&h.base).unwrap())
        .await;
    assert_eq!(status, 400, "{body}");
    // A token is bound to the filter it was issued for.
    let (status, _) = h
        .graph_get(
            &token,
            &with_query(
                BETA,
                &[
                    ("$filter", "signInEventTypes/any(t: t eq 'interactiveUser')"),
                    ("$skiptoken", &token_text),
                ],
            ),
        )
        .await;
    assert_eq!(status, 400);
    // A Conditional Access page token is not a sign-in token.
    h.emulator
        .update_settings(SettingsUpdate {
            ca_page_size: Some(1),
            ..Default::default()
        })
        .unwrap();
    let (_, ca) = h
        .graph_get(&token, "/v1.0/identity/conditionalAccess/policies")
        .await;
    let ca_next = ca["@odata.nextLink"].as_str().unwrap();
    let ca_token = &ca_next[ca_next.find("$skiptoken=").unwrap() + 11..];
    let (status, _) = h
        .graph_get(&token, &format!("{BETA}?$skiptoken={ca_token}"))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_refusal_switch_and_v1_refuse_the_transfer_method_filter() {
    let h = start(EmulatorOptions {
        signin_rate_per_second: 0.0,
        refuse_transfer_method_filter: true,
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let transfer = "originalTransferMethod eq 'authenticationTransfer'";
    let (status, body) = h
        .graph_get(&token, &with_query(BETA, &[("$filter", transfer)]))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(graph_code(&body), "Request_UnsupportedQuery");
    assert_eq!(
        body["error"]["message"],
        "Unsupported or invalid query filter clause specified for property 'originalTransferMethod' of resource 'SignIn'."
    );
    // The narrower filter a client falls back to still works, and carries the property.
    let fallback = format!(
        "createdDateTime ge 2020-01-01T00:00:00Z and appId eq '{}' and ({BOTH_TYPES})",
        well_known::OUTLOOK_MOBILE_APP_ID
    );
    let events = filtered(&h, &token, &fallback).await;
    assert!(
        events
            .iter()
            .any(|e| e["originalTransferMethod"] == "authenticationTransfer")
    );
    // Switched off at runtime (through the control API), the server-side filter answers.
    let (status, _) = control_call(
        &h,
        reqwest::Method::POST,
        "settings",
        Some(json!({"refuseTransferMethodFilter": false})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        h.graph_get(&token, &with_query(BETA, &[("$filter", transfer)]))
            .await
            .0,
        200
    );

    // v1.0 serves the same events without the beta-only property, and refuses filtering on it.
    let (status, page) = h.graph_get(&token, "/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 200);
    let v1 = page["value"].as_array().unwrap();
    assert!(!v1.is_empty());
    assert!(v1.iter().all(|e| e.get("originalTransferMethod").is_none()));
    let (_, beta) = h.graph_get(&token, BETA).await;
    assert_eq!(ids(v1), ids(beta["value"].as_array().unwrap()));
    let (status, body) = h
        .graph_get(
            &token,
            &with_query("/v1.0/auditLogs/signIns", &[("$filter", transfer)]),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn licence_and_permission_refusals() {
    let h = start(EmulatorOptions {
        premium: false,
        signin_rate_per_second: 0.0,
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let (status, body) = h.graph_get(&token, BETA).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        graph_code(&body),
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    );
    assert_eq!(
        body["error"]["message"],
        "Neither tenant is B2C or tenant doesn't have premium license"
    );
    assert_eq!(h.graph_get(&token, "/v1.0/auditLogs/signIns").await.0, 403);
    h.emulator
        .update_settings(SettingsUpdate {
            premium: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(h.graph_get(&token, BETA).await.0, 200);
    let exchange_only = h.graph_token_for(&h.creds.exchange_only_app).await;
    let (status, body) = h.graph_get(&exchange_only, BETA).await;
    assert_eq!(status, 403);
    assert_eq!(graph_code(&body), "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    let reader = h.graph_token_for(&h.creds.policy_reader_app).await;
    assert_eq!(h.graph_get(&reader, BETA).await.0, 200);
}

#[tokio::test]
async fn sign_in_reads_are_throttled_per_app_with_retry_after() {
    let h = start_default().await;
    assert_eq!(h.emulator.settings().sign_in_rate_per_second, 5.0);
    let token = h.app_token(GRAPH_SCOPE).await;
    let url = format!("{BETA}?$top=1");
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..20 {
        let resp = h
            .client
            .get(format!("{}{url}", h.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            retry_after = Some(resp.headers()["retry-after"].to_str().unwrap().to_owned());
            let (_, body) = status_json(resp).await;
            assert_eq!(body["error"]["code"], "TooManyRequests");
            break;
        }
    }
    assert!(statuses[..5].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let wait: f64 = retry_after.unwrap().parse().unwrap();
    assert!(wait > 0.0 && wait <= 0.2 + 1e-9, "{wait}");
    // Another app has its own bucket; the rest of Graph is not throttled.
    let reader = h.graph_token_for(&h.creds.policy_reader_app).await;
    assert_eq!(h.graph_get(&reader, &url).await.0, 200);
    for _ in 0..10 {
        assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);
    }
    tokio::time::sleep(Duration::from_secs_f64(wait + 0.05)).await;
    assert_eq!(h.graph_get(&token, &url).await.0, 200);
    // A lower rate set at runtime applies at once.
    h.emulator
        .update_settings(SettingsUpdate {
            sign_in_rate_per_second: Some(1.0),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(h.graph_get(&token, &url).await.0, 200);
    let resp = h
        .client
        .get(format!("{}{url}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let wait: f64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0.0 && wait <= 1.0, "{wait}");
}

#[tokio::test]
async fn seeded_events_match_the_seeded_outlook_devices() {
    let h = unthrottled().await;
    let exo = h.app_token(EXO_SCOPE).await;
    let seeded = h.emulator.seeded_signins_json();
    let outlook_devices = h
        .emulator
        .seeded_devices_json(Some(well_known::OUTLOOK_MOBILE_MODEL));
    let by_guid: HashMap<&str, &Value> = outlook_devices
        .iter()
        .map(|d| (d["Guid"].as_str().unwrap(), d))
        .collect();
    // Per user: the transfer methods of their interactive Outlook mobile sign-ins.
    let mut setups: HashMap<String, HashSet<String>> = HashMap::new();
    for e in &seeded {
        if e["appId"] != well_known::OUTLOOK_MOBILE_APP_ID {
            assert_ne!(e["originalTransferMethod"], "authenticationTransfer", "{e}");
            continue;
        }
        let device = by_guid
            .get(e["deviceDetail"]["deviceId"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no Outlook partnership for {e}"));
        let os = e["deviceDetail"]["operatingSystem"].as_str().unwrap();
        assert!(
            device["DeviceOS"].as_str().unwrap().starts_with(os),
            "{os} vs {device}"
        );
        assert!(os.starts_with("iOS ") || os.starts_with("Android "), "{os}");
        if e["isInteractive"] == true {
            setups
                .entry(e["userPrincipalName"].as_str().unwrap().to_owned())
                .or_default()
                .insert(e["originalTransferMethod"].as_str().unwrap().to_owned());
        }
    }
    let qr_only = setups
        .values()
        .filter(|s| s.len() == 1 && s.contains("authenticationTransfer"))
        .count();
    let normal_only = setups
        .values()
        .filter(|s| s.len() == 1 && s.contains("none"))
        .count();
    let both = setups.values().filter(|s| s.len() == 2).count();
    assert!(
        qr_only > 0 && normal_only > 0 && both > 0,
        "{qr_only}/{normal_only}/{both}"
    );
    assert!(
        normal_only > qr_only && qr_only > both / 2,
        "{qr_only}/{normal_only}/{both}"
    );
    // Cross-service check: Exchange lists the partnership under the same user's mailbox.
    let mut checked = 0;
    for e in seeded
        .iter()
        .filter(|e| {
            e["originalTransferMethod"] == "authenticationTransfer" && e["isInteractive"] == true
        })
        .take(15)
    {
        let upn = e["userPrincipalName"].as_str().unwrap();
        let (status, body) = h
            .invoke(&exo, "Get-MobileDevice", json!({"Mailbox": upn}))
            .await;
        assert_eq!(status, 200, "{body}");
        let guids: Vec<&str> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["DeviceModel"] == well_known::OUTLOOK_MOBILE_MODEL)
            .map(|d| d["Guid"].as_str().unwrap())
            .collect();
        assert!(
            guids.contains(&e["deviceDetail"]["deviceId"].as_str().unwrap()),
            "{upn}"
        );
        checked += 1;
    }
    assert_eq!(checked, 15);
    // Deterministic from the seed: a second tenant with the same seed has the same events
    // (ids, users, devices and order; times are relative to start-up).
    let again = unthrottled().await;
    let other = again.emulator.seeded_signins_json();
    assert_eq!(ids(&other), ids(&seeded));
    let pick = |v: &[Value]| -> Vec<(Value, Value)> {
        v.iter()
            .map(|e| (e["userId"].clone(), e["deviceDetail"]["deviceId"].clone()))
            .collect()
    };
    assert_eq!(pick(&other), pick(&seeded));
}

#[tokio::test]
async fn injected_faults_target_the_sign_in_class() {
    let h = unthrottled().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphSignIns,
            Fault::ServerError {
                status: 503,
                retry_after: Some("0.25".into()),
            },
            2,
        )));
    assert_eq!(h.graph_get(&token, BETA).await.0, 200);
    let resp = h
        .client
        .get(format!("{}{BETA}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "0.25");
    let (_, body) = status_json(resp).await;
    assert_eq!(graph_code(&body), "serviceNotAvailable");
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);
    assert_eq!(
        h.emulator
            .journal()
            .requests_to(EndpointClass::GraphSignIns)
            .filter(|r| r.fault.as_deref() == Some("ServerError"))
            .count(),
        1
    );
}
