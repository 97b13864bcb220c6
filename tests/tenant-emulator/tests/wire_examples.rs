//! Replays the sourced wire examples in `tests/wire-examples/` against the emulator: each
//! example's request is sent (adapted as its `replay.emulator` says: host → the emulator, real
//! credentials and ids → seeded ones), and the emulator's answer must have the example's status,
//! the response headers the example lists, and the same shape: the same key names at each level
//! (all of them for `"shape": "exact"`, the example's for `"subset"`) and the same JSON kinds.
//! Values may differ. `null` on either side matches any kind (a null says nothing of the type).
//!
//! Every example is replayed; the failures are listed together, one line per example, with the
//! in-flight area when the example says it belongs to one. The engine side of the same examples
//! is `rust-core/tests/wire_examples.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Map, Value, json};
use tenant_emulator::well_known::MONITOR_SCOPE;

const SERVICES: [&str; 5] = ["entra", "managed-identity", "graph", "exchange", "monitor"];

/// Request headers that belong to the capture's connection, not to the request.
const HOP_HEADERS: [&str; 5] = [
    "host",
    "content-length",
    "connection",
    "accept-encoding",
    "authorization",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wire-examples")
}

fn examples() -> Vec<(PathBuf, Value)> {
    let mut files = Vec::new();
    for service in SERVICES {
        let dir = examples_dir().join(service);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let v = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, v)
        })
        .collect()
}

/// The seeded values an example's `${name}` placeholders stand for, looked up on first use.
struct Seeded<'h> {
    h: &'h Harness,
    known: HashMap<String, String>,
}

impl<'h> Seeded<'h> {
    fn new(h: &'h Harness) -> Self {
        let c = &h.creds;
        let known = [
            ("tenant", c.tenant_domain.clone()),
            ("tenantId", c.tenant_id.clone()),
            ("secretApp.clientId", c.secret_app.client_id.clone()),
            ("secretApp.clientSecret", c.secret_app.client_secret.clone()),
            ("publicClientId", c.public_client_id.clone()),
            ("adminUpn", c.admin_upn.clone()),
            ("mi.endpoint", c.managed_identity.identity_endpoint.clone()),
            ("mi.header", c.managed_identity.identity_header.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Seeded { h, known }
    }

    async fn value(&mut self, name: &str) -> String {
        if let Some(v) = self.known.get(name) {
            return v.clone();
        }
        let h = self.h;
        let value = match name {
            "userId" => {
                let token = h.app_token(GRAPH_SCOPE).await;
                let (status, user) = h
                    .graph_get(&token, &format!("/v1.0/users/{}", h.creds.admin_upn))
                    .await;
                assert_eq!(status, 200, "{user}");
                user["id"].as_str().unwrap().to_owned()
            }
            "groupId" => {
                let (_, groups) = control_call(h, reqwest::Method::GET, "groups", None).await;
                groups[0]["id"].as_str().unwrap().to_owned()
            }
            "policyId" => {
                let (_, policies) =
                    control_call(h, reqwest::Method::GET, "conditional-access/policies", None)
                        .await;
                policies[0]["id"].as_str().unwrap().to_owned()
            }
            // A fresh code each time: a code can be polled by one example only.
            "deviceCode" => return self.device_code(None).await,
            "approvedDeviceCode" => {
                let upn = h.creds.admin_upn.clone();
                return self.device_code(Some(&upn)).await;
            }
            other => panic!("no seeded value is called ${{{other}}}"),
        };
        self.known.insert(name.to_owned(), value.clone());
        value
    }

    /// Starts a device code sign-in (asking for refresh and id tokens too) and approves it as
    /// `approve_as` when given.
    async fn device_code(&self, approve_as: Option<&str>) -> String {
        let h = self.h;
        let (status, code) = h
            .post_form(
                &format!(
                    "{}/{}/oauth2/v2.0/devicecode",
                    h.base, h.creds.tenant_domain
                ),
                &[
                    ("client_id", h.creds.public_client_id.as_str()),
                    (
                        "scope",
                        "openid profile offline_access https://graph.microsoft.com/.default",
                    ),
                ],
            )
            .await;
        assert_eq!(status, 200, "{code}");
        if let Some(upn) = approve_as {
            let (status, body) = control_call(
                h,
                reqwest::Method::POST,
                &format!(
                    "device-codes/{}/approve",
                    code["user_code"].as_str().unwrap()
                ),
                Some(json!({"userPrincipalName": upn})),
            )
            .await;
            assert!(status < 300, "approving the device code: {status} {body}");
        }
        code["device_code"].as_str().unwrap().to_owned()
    }

    /// `text` with every `${name}` replaced.
    async fn fill(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').map(|e| start + e).unwrap();
            out.push_str(&self.value(&rest[start + 2..end]).await);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    async fn fill_json(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.fill(s).await),
            Value::Array(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.push(Box::pin(self.fill_json(i)).await);
                }
                Value::Array(out)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, i) in map {
                    out.insert(k.clone(), Box::pin(self.fill_json(i)).await);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// `base` with `overrides` applied key by key; a null override removes the key.
fn merged(base: &Value, overrides: &Value) -> Map<String, Value> {
    let mut out = base.as_object().cloned().unwrap_or_default();
    for (k, v) in overrides.as_object().into_iter().flatten() {
        out.retain(|existing, _| !existing.eq_ignore_ascii_case(k));
        if !v.is_null() {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Sets the value at a JSON pointer, creating nothing: the path must exist.
fn set_pointer(body: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    match body.pointer_mut(pointer) {
        Some(slot) => {
            *slot = value;
            Ok(())
        }
        None => Err(format!(
            "replay.emulator.body_set: {pointer} is not in the body"
        )),
    }
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

/// Sends the example's request, adapted for the emulator.
async fn send(h: &Harness, seeded: &mut Seeded<'_>, example: &Value) -> Result<Answer, String> {
    let request = &example["request"];
    let adapt = &example["replay"]["emulator"];
    let method = adapt["method"]
        .as_str()
        .or(request["method"].as_str())
        .unwrap();
    let url = match (adapt["url"].as_str(), adapt["path"].as_str()) {
        (Some(url), _) => seeded.fill(url).await,
        (None, Some(path)) => format!("{}{}", h.base, seeded.fill(path).await),
        (None, None) => return Err("replay.emulator has neither url nor path".into()),
    };
    let url = match adapt["query"].as_str() {
        Some(q) => format!("{url}?{}", seeded.fill(q).await),
        None => url,
    };
    let mut req = h.client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        &url,
    );
    for (name, value) in merged(&request["headers"], &adapt["headers"]) {
        if HOP_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        req = req.header(name, seeded.fill(value.as_str().unwrap_or_default()).await);
    }
    req = match adapt["auth"].as_str() {
        Some("graph") => req.bearer_auth(h.app_token(GRAPH_SCOPE).await),
        Some("exchange") => req.bearer_auth(h.app_token(EXO_SCOPE).await),
        Some("graph:exchangeOnlyApp") => {
            req.bearer_auth(h.graph_token_for(&h.creds.exchange_only_app).await)
        }
        Some("monitor") => req.bearer_auth(h.app_token(MONITOR_SCOPE).await),
        Some("monitor:noRoleApp") => {
            let app = &h.creds.no_role_app;
            req.bearer_auth(
                h.secret_token_for(&app.client_id, &app.client_secret, MONITOR_SCOPE)
                    .await,
            )
        }
        Some("invalid") => req.bearer_auth("not-a-token"),
        Some(other) => return Err(format!("replay.emulator.auth '{other}' is not known")),
        None => req,
    };
    if request.get("form").is_some() {
        let form = seeded
            .fill_json(&Value::Object(merged(&request["form"], &adapt["form"])))
            .await;
        let pairs: Vec<(String, String)> = form
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        req = req.form(&pairs);
    } else {
        let mut body = adapt.get("body").unwrap_or(&request["body"]).clone();
        for (pointer, value) in adapt["body_set"].as_object().into_iter().flatten() {
            set_pointer(&mut body, pointer, value.clone())?;
        }
        let body = seeded.fill_json(&body).await;
        if !body.is_null() {
            req = req.body(serde_json::to_vec(&body).unwrap());
        }
    }
    let resp = req.send().await.map_err(|e| format!("sending: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Answer {
        status,
        headers,
        body,
        text,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `path` is one the example excludes (`*` matches any array index).
fn excluded(path: &[String], patterns: &[Vec<String>]) -> bool {
    patterns
        .iter()
        .any(|p| p.len() == path.len() && p.iter().zip(path).all(|(a, b)| a == "*" || a == b))
}

/// Compares the shape of `actual` with the example's `expected`.
fn compare(
    expected: &Value,
    actual: &Value,
    path: &mut Vec<String>,
    exact: bool,
    skip: &[Vec<String>],
    diffs: &mut Vec<String>,
) {
    if excluded(path, skip) || expected.is_null() || actual.is_null() {
        return;
    }
    let at = format!("/{}", path.join("/"));
    if kind(expected) != kind(actual) {
        diffs.push(format!(
            "{at}: the emulator sends a {}, the example a {}",
            kind(actual),
            kind(expected)
        ));
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys() {
                path.push(k.clone());
                if !a.contains_key(k) && !excluded(path, skip) {
                    diffs.push(format!("{at}: no \"{k}\" in the emulator's answer"));
                }
                path.pop();
            }
            if exact {
                for k in a.keys().filter(|k| !e.contains_key(*k)) {
                    diffs.push(format!(
                        "{at}: the emulator adds \"{k}\", which the example does not have"
                    ));
                }
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    path.push(k.clone());
                    compare(ev, av, path, exact, skip, diffs);
                    path.pop();
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(ev), Some(av)) = (e.first(), a.first()) {
                path.push("0".into());
                compare(ev, av, path, exact, skip, diffs);
                path.pop();
            }
        }
        _ => {}
    }
}

fn patterns(example: &Value) -> Vec<Vec<String>> {
    ["ignore", "redacted"]
        .iter()
        .flat_map(|field| {
            example["response"][field]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|p| {
            p.as_str()
                .unwrap_or_default()
                .split('/')
                .skip(1)
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

async fn replay(h: &Harness, seeded: &mut Seeded<'_>, example: &Value) -> Vec<String> {
    let adapt = &example["replay"]["emulator"];
    if let Some(plan) = adapt.get("faults") {
        let (status, body) =
            control_call(h, reqwest::Method::POST, "faults", Some(plan.clone())).await;
        assert!(status < 300, "setting the fault plan: {status} {body}");
    }
    let answer = send(h, seeded, example).await;
    if adapt.get("faults").is_some() {
        control_call(
            h,
            reqwest::Method::POST,
            "faults",
            Some(json!({"rules": []})),
        )
        .await;
    }
    if adapt["cleanup"] == "conditional-access-reset" {
        control_call(h, reqwest::Method::POST, "conditional-access/reset", None).await;
    }
    let answer = match answer {
        Ok(a) => a,
        Err(why) => return vec![why],
    };
    let expected = &example["response"];
    let mut diffs = Vec::new();
    if answer.status as u64 != expected["status"].as_u64().unwrap() {
        diffs.push(format!(
            "status {}, the example says {} (emulator body: {})",
            answer.status,
            expected["status"],
            answer.text.chars().take(300).collect::<String>()
        ));
        return diffs;
    }
    for name in expected["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        if !answer
            .headers
            .contains_key(name.to_ascii_lowercase().as_str())
        {
            diffs.push(format!("no {name} header in the emulator's answer"));
        }
    }
    if expected["body"].is_null() {
        if !answer.text.trim().is_empty() {
            diffs.push("the example has no body; the emulator sends one".into());
        }
    } else if answer.body.is_null() {
        diffs.push(format!(
            "the emulator's answer is not JSON: {}",
            answer.text.chars().take(200).collect::<String>()
        ));
    } else {
        let exact = expected["shape"] == "exact";
        compare(
            &expected["body"],
            &answer.body,
            &mut Vec::new(),
            exact,
            &patterns(example),
            &mut diffs,
        );
    }
    diffs
}

#[tokio::test]
async fn the_emulator_answers_every_example_in_the_same_shape() {
    let h = start_default().await;
    let mut seeded = Seeded::new(&h);
    // Looked up now, not on first use: an example's fault plan must not hit the look-up.
    for name in ["userId", "groupId"] {
        seeded.value(name).await;
    }
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (path, example) in examples() {
        if example["replay"]["emulator"].get("skip").is_some() {
            continue;
        }
        replayed += 1;
        let diffs = replay(&h, &mut seeded, &example).await;
        if !diffs.is_empty() {
            let in_flight = match example["in_flight"]["area"].as_str() {
                Some(area) => format!(
                    " [in flight on the {area} branch: {}]",
                    example["in_flight"]["why"].as_str().unwrap_or_default()
                ),
                None => String::new(),
            };
            failures.push(format!(
                "{}{in_flight}:\n    {}",
                path.strip_prefix(examples_dir()).unwrap_or(&path).display(),
                diffs.join("\n    ")
            ));
        }
    }
    drop(seeded);
    h.emulator.shutdown().await;
    assert!(replayed >= 20, "only {replayed} examples replayed");
    assert!(
        failures.is_empty(),
        "{} of {replayed} examples are answered differently by the emulator:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
