//! Replays the sourced wire examples in `tests/wire-examples/` through the engine's own parsers:
//! each example's response is handed to the parser that reads that kind of answer, and the values
//! it read are checked against the example's `replay.engine.expect`. The emulator side of the
//! same examples is `tests/tenant-emulator/tests/wire_examples.rs`.
//!
//! Every example is run; the failures are listed together, one line per example, with the
//! in-flight area when the example says it belongs to one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use outlook_qr_guard::auth::AuthError;
use outlook_qr_guard::exo::ExoError;
use outlook_qr_guard::graph::conditional_access::ConditionalAccessPolicy;
use outlook_qr_guard::graph::signins::{SignIn, parse_sign_in};
use outlook_qr_guard::http::parse_retry_after;
use outlook_qr_guard::wire_replay as wire;
use serde_json::{Value, json};

const SERVICES: [&str; 5] = ["entra", "managed-identity", "graph", "exchange", "monitor"];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/wire-examples")
}

/// Every example file, sorted by path.
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
            let text = std::fs::read_to_string(&p).unwrap();
            let v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, v)
        })
        .collect()
}

/// Sets every value at `path` (a JSON pointer where `*` matches any array index) to null.
fn null_at(value: &mut Value, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        *value = Value::Null;
        return;
    };
    match (value, *first) {
        (Value::Array(items), "*") => items.iter_mut().for_each(|v| null_at(v, rest)),
        (Value::Array(items), i) => {
            if let Some(v) = i.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                null_at(v, rest)
            }
        }
        (Value::Object(map), key) => {
            if let Some(v) = map.get_mut(key) {
                null_at(v, rest)
            }
        }
        _ => {}
    }
}

/// The response body as the service sent it: values the source's author redacted (listed in
/// `response.redacted`) are read as absent, not as the author's placeholder text.
fn body_bytes(example: &Value) -> Vec<u8> {
    let mut body = example["response"]["body"].clone();
    for path in example["response"]["redacted"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let segments: Vec<&str> = path
            .as_str()
            .unwrap_or_default()
            .split('/')
            .skip(1)
            .collect();
        null_at(&mut body, &segments);
    }
    match body {
        Value::Null => Vec::new(),
        body => serde_json::to_vec(&body).unwrap(),
    }
}

fn status(example: &Value) -> u16 {
    example["response"]["status"].as_u64().unwrap() as u16
}

fn headers(example: &Value) -> Vec<(String, String)> {
    example["response"]["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The enum variant's name from its Debug text (`InvalidClientSecret { .. }` → `InvalidClientSecret`).
fn variant(debug: String) -> String {
    debug
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Compares one read value with the expectation of the same name, if the example states one.
fn check(expect: &Value, name: &str, got: Value, errors: &mut Vec<String>) {
    let Some(want) = expect.get(name) else {
        return;
    };
    let matches = match name.strip_suffix("_starts") {
        Some(_) => match (&got, want) {
            (Value::String(g), Value::String(w)) => g.starts_with(w.as_str()),
            _ => false,
        },
        None => &got == want,
    };
    if !matches {
        errors.push(format!("{name}: read {got}, the example says {want}"));
    }
}

fn secs(d: Duration) -> Value {
    json!(d.as_secs())
}

fn replay(example: &Value) -> Result<(), Vec<String>> {
    let engine = &example["replay"]["engine"];
    let expect = &engine["expect"];
    let body = body_bytes(example);
    let status = status(example);
    let headers = headers(example);
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut errors = Vec::new();
    let e = &mut errors;
    let parser = engine["parser"].as_str().unwrap_or_default();
    match parser {
        "token_answer" => match wire::token_answer(&body) {
            Ok(t) => {
                check(expect, "expires_in_secs", secs(t.expires_in), e);
                check(expect, "has_refresh_token", json!(t.has_refresh_token), e);
                check(
                    expect,
                    "user_principal_name",
                    json!(t.user_principal_name),
                    e,
                );
                check(
                    expect,
                    "refresh_in_secs",
                    json!(t.refresh_in.map(|d| d.as_secs())),
                    e,
                );
            }
            Err(why) => e.push(format!("the token parser refused the answer: {why}")),
        },
        "token_error" => {
            match wire::token_error(status, &body, "contoso.onmicrosoft.com", "client") {
                Some((parsed, auth)) => {
                    check(expect, "error", json!(parsed.error), e);
                    check(expect, "aadsts", json!(parsed.aadsts), e);
                    check(expect, "correlation_id", json!(parsed.correlation_id), e);
                    check(expect, "trace_id", json!(parsed.trace_id), e);
                    check(expect, "description_starts", json!(parsed.description), e);
                    check(expect, "variant", json!(variant(format!("{auth:?}"))), e);
                }
                None => e.push("the Entra error parser did not recognise the body".into()),
            }
        }
        "device_code_answer" => match wire::device_code_answer(&body) {
            Ok(c) => {
                check(expect, "user_code", json!(c.user_code), e);
                check(expect, "verification_uri", json!(c.verification_uri), e);
                check(expect, "expires_in_secs", secs(c.expires_in), e);
                check(expect, "interval_secs", secs(c.interval), e);
                check(expect, "message_starts", json!(c.message), e);
            }
            Err(why) => e.push(format!("the device code parser refused the answer: {why}")),
        },
        "device_code_poll" => {
            match wire::device_code_poll_error(status, &body) {
                Some(meaning) => {
                    check(expect, "meaning", json!(variant(format!("{meaning:?}"))), e)
                }
                None => e.push("the poll's error body was not recognised".into()),
            }
            let parsed = wire::token_error(status, &body, "organizations", "client");
            check(
                expect,
                "aadsts",
                json!(parsed.and_then(|(p, _)| p.aadsts)),
                e,
            );
        }
        "managed_identity_answer" => {
            let now = engine["now_unix"].as_i64().unwrap_or(0);
            match wire::managed_identity_answer(&body, now) {
                Ok(lifetime) => check(expect, "expires_in_secs", secs(lifetime), e),
                Err(why) => e.push(format!(
                    "the managed identity parser refused the answer: {why}"
                )),
            }
        }
        "managed_identity_error" => match wire::managed_identity_error(status, &body) {
            Ok(err) => {
                check(expect, "variant", json!(variant(format!("{err:?}"))), e);
                if let AuthError::ManagedIdentity {
                    status,
                    message,
                    hint,
                } = &err
                {
                    check(expect, "status", json!(status), e);
                    check(expect, "message", json!(message), e);
                    check(expect, "hint_starts", json!(hint), e);
                }
            }
            Err(why) => e.push(format!(
                "the managed identity client could not be set up: {why}"
            )),
        },
        "batch_answer" => match wire::batch_answer(&body) {
            Ok(items) => {
                let wanted = expect["items"].as_array().cloned().unwrap_or_default();
                if items.len() != wanted.len() {
                    e.push(format!(
                        "read {} items, the example has {}",
                        items.len(),
                        wanted.len()
                    ));
                }
                for want in &wanted {
                    let id = want["id"].as_str().unwrap_or_default();
                    let Some(item) = items.iter().find(|i| i.id == id) else {
                        e.push(format!("item {id} was not read"));
                        continue;
                    };
                    let mut item_errors = Vec::new();
                    let ie = &mut item_errors;
                    check(want, "status", json!(item.status), ie);
                    check(
                        want,
                        "error_code",
                        json!(item.error.as_ref().map(|b| &b.code)),
                        ie,
                    );
                    check(
                        want,
                        "request_id",
                        json!(item.error.as_ref().and_then(|b| b.request_id.clone())),
                        ie,
                    );
                    check(
                        want,
                        "retry_after_ms",
                        json!(item.retry_after.map(|d| d.as_millis() as u64)),
                        ie,
                    );
                    e.extend(item_errors.into_iter().map(|x| format!("item {id}: {x}")));
                }
            }
            Err(why) => e.push(format!("the batch parser refused the answer: {why}")),
        },
        "graph_error" => {
            let what = engine["what"].as_str().unwrap_or("the object");
            let permission = engine["permission"].as_str().unwrap_or("User.Read.All");
            let (parsed, mapped) = wire::graph_error(status, &header_refs, &body, what, permission);
            match parsed {
                Some(b) => {
                    check(expect, "code", json!(b.code), e);
                    check(expect, "request_id", json!(b.request_id), e);
                    check(expect, "message_starts", json!(b.message), e);
                }
                None => e.push("the Graph error envelope was not recognised".into()),
            }
            check(expect, "variant", json!(variant(format!("{mapped:?}"))), e);
            let retry = header(&headers, "Retry-After")
                .and_then(|v| parse_retry_after(v, SystemTime::now()))
                .map(|d| d.as_millis() as u64);
            check(expect, "retry_after_ms", json!(retry), e);
        }
        "ca_policy_page" => match wire::graph_page(&body) {
            Ok((items, next)) => {
                check(expect, "next_link", json!(next), e);
                let wanted = expect["policies"].as_array().cloned().unwrap_or_default();
                if items.len() != wanted.len() {
                    e.push(format!(
                        "read {} policies, the example has {}",
                        items.len(),
                        wanted.len()
                    ));
                }
                for (item, want) in items.iter().zip(&wanted) {
                    check_policy(item, want, e);
                }
            }
            Err(why) => e.push(format!("the Graph page parser refused the answer: {why}")),
        },
        "ca_policy" => check_policy(&example["response"]["body"], expect, e),
        "sign_in_page" => match wire::graph_page(&body) {
            Ok((items, next)) => {
                check(expect, "items", json!(items.len()), e);
                check(expect, "next_link", json!(next), e);
                match items.first().map(parse_sign_in) {
                    Some(Ok(s)) => check_sign_in(&s, &expect["first"], e),
                    Some(Err(why)) => {
                        e.push(format!("the sign-in parser refused the first event: {why}"))
                    }
                    None => e.push("the page has no event".into()),
                }
            }
            Err(why) => e.push(format!("the Graph page parser refused the answer: {why}")),
        },
        "exchange_page" => match wire::exchange_page(&body) {
            Ok(page) => {
                check(expect, "items", json!(page.items.len()), e);
                check(expect, "warnings", json!(page.warnings), e);
                check(expect, "next_link", json!(page.next_link), e);
                check(
                    expect,
                    "next_link_from_tail",
                    json!(page.next_link_from_tail),
                    e,
                );
                if let (Some(first), Some(want)) = (page.items.first(), expect["first"].as_object())
                {
                    for (k, v) in want {
                        if &first[k] != v {
                            e.push(format!(
                                "value[0].{k}: read {}, the example says {v}",
                                first[k]
                            ));
                        }
                    }
                }
            }
            Err(why) => e.push(format!(
                "the InvokeCommand page parser refused the answer: {why}"
            )),
        },
        "exchange_error" => {
            let cmdlet = engine["cmdlet"].as_str().unwrap_or("the cmdlet");
            let mapped = wire::exchange_error(status, &header_refs, &body, cmdlet);
            check(expect, "variant", json!(variant(format!("{mapped:?}"))), e);
            if let ExoError::CmdletFailed { error, .. } = &mapped {
                check(expect, "code", json!(error.code), e);
                check(expect, "exception", json!(error.exception), e);
                check(expect, "message", json!(error.message), e);
                check(expect, "message_starts", json!(error.message), e);
            }
        }
        "monitor_error" => {
            let err = wire::monitor_error(status, &header_refs, &body);
            check(expect, "code", json!(err.code), e);
            check(expect, "kind", json!(format!("{:?}", err.kind)), e);
            if let Some(part) = expect["message_contains"].as_str()
                && !err.message.contains(part)
            {
                e.push(format!("message lacks '{part}': {}", err.message));
            }
        }
        other => e.push(format!("no engine parser is wired to '{other}'")),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn check_policy(item: &Value, want: &Value, e: &mut Vec<String>) {
    match ConditionalAccessPolicy::parse(item) {
        Ok(p) => {
            let mut pe = Vec::new();
            check(want, "id", json!(p.id), &mut pe);
            check(want, "state", json!(p.state), &mut pe);
            check(want, "grant_blocks", json!(p.grant_blocks()), &mut pe);
            check(want, "all_users", json!(p.all_users()), &mut pe);
            check(
                want,
                "targets_authentication_transfer",
                json!(p.targets_authentication_transfer()),
                &mut pe,
            );
            let groups = p
                .conditions
                .as_ref()
                .and_then(|c| c.users.as_ref())
                .map(|u| u.include_groups.clone())
                .unwrap_or_default();
            check(want, "include_groups", json!(groups), &mut pe);
            e.extend(pe.into_iter().map(|x| format!("policy {}: {x}", p.id)));
        }
        Err(why) => e.push(format!("the policy parser refused a policy: {why}")),
    }
}

fn check_sign_in(s: &SignIn, want: &Value, e: &mut Vec<String>) {
    let fields = [
        ("id", json!(s.id)),
        ("user_principal_name", json!(s.user_principal_name)),
        ("user_id", json!(s.user_id)),
        ("app_id", json!(s.app_id)),
        ("event_type", json!(s.event_type)),
        ("transfer_method", json!(s.transfer_method)),
        ("authentication_protocol", json!(s.authentication_protocol)),
        ("error_code", json!(s.error_code)),
        ("correlation_id", json!(s.correlation_id)),
        ("operating_system", json!(s.operating_system)),
        ("browser", json!(s.browser)),
        ("city", json!(s.city)),
        ("country", json!(s.country)),
    ];
    for (name, got) in fields {
        check(want, name, got, e);
    }
}

/// What a failing example's line says about the branch that should fix it.
fn in_flight(example: &Value) -> String {
    match example["in_flight"]["area"].as_str() {
        Some(area) => format!(
            " [in flight on the {area} branch: {}]",
            example["in_flight"]["why"].as_str().unwrap_or_default()
        ),
        None => String::new(),
    }
}

#[test]
fn every_example_names_its_source_and_is_well_formed() {
    let all = examples();
    assert!(all.len() >= 20, "only {} examples found", all.len());
    let mut problems = Vec::new();
    for (path, ex) in &all {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let mut p = |what: &str| problems.push(format!("{}: {what}", path.display()));
        if ex["id"] != json!(stem) {
            p("id is not the file name");
        }
        if ex["service"] != json!(folder) {
            p("service is not the folder it lives in");
        }
        for field in ["title", "url", "retrieved"] {
            if ex["source"][field]
                .as_str()
                .is_none_or(|s| s.trim().is_empty())
            {
                p(&format!("source.{field} is missing"));
            }
        }
        if ex["request"]["method"].as_str().is_none() || ex["request"]["url"].as_str().is_none() {
            p("request.method or request.url is missing");
        }
        if ex["response"]["status"].as_u64().is_none() {
            p("response.status is missing");
        }
        if !matches!(ex["response"]["shape"].as_str(), Some("exact" | "subset")) {
            p("response.shape must be exact or subset");
        }
        for side in ["emulator", "engine"] {
            let r = &ex["replay"][side];
            if !r.is_object() {
                p(&format!("replay.{side} is missing"));
            } else if r.get("skip").is_some() && r["skip"].as_str().is_none_or(|s| s.len() < 20) {
                p(&format!("replay.{side}.skip must say why"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn engine_parsers_read_every_example() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (path, example) in examples() {
        if example["replay"]["engine"].get("skip").is_some() {
            continue;
        }
        replayed += 1;
        if let Err(errors) = replay(&example) {
            failures.push(format!(
                "{}{}:\n    {}",
                path.strip_prefix(examples_dir()).unwrap_or(&path).display(),
                in_flight(&example),
                errors.join("\n    ")
            ));
        }
    }
    assert!(replayed >= 20, "only {replayed} examples replayed");
    assert!(
        failures.is_empty(),
        "{} of {replayed} examples are not read as their source says:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
