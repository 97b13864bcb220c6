//! `/_emulator/*`: the control API for tests written in other languages (PowerShell). Every
//! call needs `X-Emulator-Control-Key`.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::credentials;
use crate::emulator::apply_settings;
use crate::entra::device_code;
use crate::exchange::mobile_device;
use crate::faults::FaultPlan;
use crate::graph::{groups, signins};
use crate::http::{Reply, Req};
use crate::journal::Journal;
use crate::settings::SettingsUpdate;
use crate::state::State;

fn error(status: StatusCode, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message}}),
    )
}

fn ok_empty() -> Reply {
    Reply::new(StatusCode::NO_CONTENT)
}

pub fn handle(state: &State, req: &Req) -> Reply {
    let key_ok = req.header("x-emulator-control-key").is_some_and(|k| {
        crate::secret::equals(k.as_bytes(), state.directory.control_key.as_bytes())
    });
    if !key_ok {
        return error(
            StatusCode::UNAUTHORIZED,
            "X-Emulator-Control-Key is missing or wrong.",
        );
    }
    let segments = req.segments();
    let rest: Vec<&str> = segments.iter().skip(1).map(String::as_str).collect();
    match (&req.method, rest.as_slice()) {
        (&Method::GET, ["credentials"]) => {
            Reply::json(StatusCode::OK, &json!(credentials::from_state(state)))
        }
        (&Method::GET, ["journal"]) => {
            Reply::json(StatusCode::OK, &json!(state.journal.lock().clone()))
        }
        (&Method::POST, ["reset-journal"]) => {
            *state.journal.lock() = Journal::default();
            ok_empty()
        }
        (&Method::POST, ["faults"]) => match serde_json::from_slice::<FaultPlan>(&req.body) {
            Ok(plan) => {
                state.faults.lock().replace(plan);
                ok_empty()
            }
            Err(e) => error(StatusCode::BAD_REQUEST, &format!("Invalid fault plan: {e}")),
        },
        (&Method::GET, ["logs-ingestion"]) => {
            Reply::json(StatusCode::OK, &crate::logs_ingestion::received(state))
        }
        (&Method::POST, ["reset-logs-ingestion"]) => {
            state.logs_ingestion.lock().calls.clear();
            ok_empty()
        }
        (&Method::POST, ["expire-tokens"]) => {
            state.expire_all_tokens();
            ok_empty()
        }
        (&Method::POST, ["device-codes", code, action]) => {
            let done = match *action {
                "approve" => {
                    let upn = serde_json::from_slice::<Value>(&req.body)
                        .ok()
                        .and_then(|v| {
                            v.get("userPrincipalName")
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                        });
                    match upn {
                        Some(upn) => device_code::approve(state, code, &upn),
                        None => {
                            return error(
                                StatusCode::BAD_REQUEST,
                                "Body must be {\"userPrincipalName\": \"…\"}.",
                            );
                        }
                    }
                }
                "deny" => device_code::deny(state, code),
                "expire" => device_code::expire(state, code),
                _ => return error(StatusCode::NOT_FOUND, "Unknown device code action."),
            };
            if done {
                ok_empty()
            } else {
                error(
                    StatusCode::NOT_FOUND,
                    "No pending device code with that user code (or unknown user).",
                )
            }
        }
        (&Method::POST, ["sign-in", "next-outcome"]) => {
            #[derive(serde::Deserialize)]
            struct Body {
                outcome: Option<crate::entra::authorize::NextOutcome>,
            }
            match serde_json::from_slice::<Body>(&req.body) {
                Ok(b) => {
                    state.authorize.lock().next_outcome = b.outcome;
                    ok_empty()
                }
                Err(e) => error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Body must be {{\"outcome\": \"ConsentRequired\" | \"ConditionalAccessBlocked\" | null}}: {e}"
                    ),
                ),
            }
        }
        (&Method::POST, ["authorization-codes", "expire"]) => {
            crate::entra::auth_code::expire_all(state);
            ok_empty()
        }
        (&Method::GET, ["seeded-devices"]) => {
            let model = req.query_param("model");
            Reply::json(
                StatusCode::OK,
                &Value::Array(mobile_device::seeded_devices_json(state, model.as_deref())),
            )
        }
        (&Method::GET, ["settings"]) => Reply::json(StatusCode::OK, &json!(state.settings())),
        (&Method::POST, ["settings"]) => {
            match serde_json::from_slice::<SettingsUpdate>(&req.body) {
                Ok(update) => match apply_settings(state, update) {
                    Ok(_) => ok_empty(),
                    Err(message) => error(StatusCode::BAD_REQUEST, &message),
                },
                Err(e) => error(StatusCode::BAD_REQUEST, &format!("Invalid settings: {e}")),
            }
        }
        (&Method::GET, ["conditional-access", "policies"]) => Reply::json(
            StatusCode::OK,
            &Value::Array(state.policies.lock().rendered()),
        ),
        (&Method::POST, ["conditional-access", "policies"]) => {
            match serde_json::from_slice::<Value>(&req.body) {
                Ok(Value::Object(policy)) => Reply::json(
                    StatusCode::CREATED,
                    &state.policies.lock().insert_verbatim(policy),
                ),
                _ => error(
                    StatusCode::BAD_REQUEST,
                    "Body must be a JSON object (a conditionalAccessPolicy).",
                ),
            }
        }
        (&Method::POST, ["conditional-access", "policies", id, "backdate"]) => {
            let days = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|v| v.get("days").and_then(Value::as_i64))
                .filter(|d| (0..=3650).contains(d));
            match days {
                Some(days) if state.policies.lock().backdate(id, days * 86_400) => ok_empty(),
                Some(_) => error(StatusCode::NOT_FOUND, "No policy with that id."),
                None => error(StatusCode::BAD_REQUEST, "Body must be {\"days\": 0..3650}."),
            }
        }
        (&Method::POST, ["conditional-access", "reset"]) => {
            state.policies.lock().reset();
            ok_empty()
        }
        (&Method::GET, ["signins"]) => Reply::json(
            StatusCode::OK,
            &Value::Array(signins::seeded_signins_json(state)),
        ),
        (&Method::GET, ["groups"]) => Reply::json(
            StatusCode::OK,
            &Value::Array(groups::seeded_groups_json(state)),
        ),
        _ => error(StatusCode::NOT_FOUND, "Unknown control operation."),
    }
}
