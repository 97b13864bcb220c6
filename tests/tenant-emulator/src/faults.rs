//! Fault injection: which requests fail, and how. Decisions are a pure function of the plan's
//! seed and the request's position in its endpoint class, so a failing run can be replayed.
//!
//! Test tooling, not service behaviour: where and how often faults fire is chosen by the test.
//! What a fault looks like on the wire is in `fault_replies.rs`. Sourced: inside `$batch`,
//! `Throttle` / `ServerError` / `ExpiredToken` hit single items because Graph throttles each
//! item on its own ("Requests in a batch are evaluated individually against the applicable
//! throttling limits", `concepts/json-batching.md`, replayed as
//! `tests/wire-examples/graph/batch-mixed-answers.json`). UNCONFIRMED: that a reset or cut-short
//! body happens mid-response in practice, and in what proportion.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::rng::{mix, unit_from};

/// Which kind of endpoint a rule targets (and how the journal classifies a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndpointClass {
    /// `/{tenant}/oauth2/v2.0/token` and `/devicecode`.
    Token,
    /// `/msi/token`.
    ManagedIdentity,
    /// `/adminapi/beta/{tenant}/InvokeCommand`.
    ExchangeInvokeCommand,
    /// `POST /v1.0/users/{id}/revokeSignInSessions` (also inside `$batch`).
    GraphRevoke,
    /// `POST /v1.0/$batch` itself.
    GraphBatch,
    /// Other Graph reads such as `GET /v1.0/users` (also inside `$batch`).
    GraphUsers,
    /// `GET /{beta|v1.0}/auditLogs/signIns`.
    GraphSignIns,
    /// `/v1.0/identity/conditionalAccess/policies[/{id}]`.
    GraphConditionalAccess,
    /// `POST /dataCollectionRules/{id}/streams/{stream}` (Logs Ingestion API).
    LogsIngestion,
    /// Matches every class in a rule; counts requests across all classes.
    Any,
    /// Paths the emulator does not serve (journal only).
    Other,
}

impl EndpointClass {
    fn hash_id(self) -> u64 {
        match self {
            Self::Token => 1,
            Self::ManagedIdentity => 2,
            Self::ExchangeInvokeCommand => 3,
            Self::GraphRevoke => 4,
            Self::GraphBatch => 5,
            Self::GraphUsers => 6,
            Self::Any => 7,
            Self::Other => 8,
            Self::GraphSignIns => 9,
            Self::GraphConditionalAccess => 10,
            Self::LogsIngestion => 11,
        }
    }
}

/// What goes wrong. JSON: `{"Throttle":{"retryAfter":"2"}}`, `{"ServerError":{"status":503,"retryAfter":null}}`,
/// `"ResetMidBody"`, `"TruncatedJson"`, `{"Latency":250}` (milliseconds), `{"HtmlErrorPage":{"status":502}}`,
/// `"ExpiredToken"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fault {
    /// 429 with `Retry-After` taken verbatim ("2", "0.5" or an HTTP-date).
    #[serde(rename_all = "camelCase")]
    Throttle { retry_after: String },
    /// 5xx in the endpoint's own error shape, with an optional `Retry-After`.
    #[serde(rename_all = "camelCase")]
    ServerError {
        status: u16,
        #[serde(default)]
        retry_after: Option<String>,
    },
    /// The real response is produced (side effects happen), half its body is sent, then the TCP
    /// connection is reset.
    ResetMidBody,
    /// A complete HTTP response whose JSON body is cut in half (Content-Length matches the cut body).
    TruncatedJson,
    /// Delay before handling; stacks with one other fault.
    Latency(#[serde(with = "millis")] Duration),
    /// An HTML page such as a corporate proxy sends, with this status.
    HtmlErrorPage { status: u16 },
    /// Resource endpoints treat the presented token as expired; token endpoints issue a token
    /// that is already expired (as with clock skew).
    ExpiredToken,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// One rule: `fault` hits requests of class `endpoint` either on every `every_nth` request
/// (1-based count within the class; within all requests for `Any`), on the first request of
/// each `every_seconds` window after the plan was set (time-based, e.g. a token that stops
/// working every 30 s whatever its announced lifetime), or with probability `rate`; `times`
/// caps how often it fires (e.g. only the 2nd request: `everyNth: 2, times: 1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub endpoint: EndpointClass,
    pub fault: Fault,
    #[serde(default)]
    pub rate: f64,
    #[serde(default)]
    pub every_nth: Option<u64>,
    #[serde(default)]
    pub every_seconds: Option<f64>,
    #[serde(default)]
    pub times: Option<u64>,
}

impl FaultRule {
    /// Fires at most `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    pub fn every_nth(endpoint: EndpointClass, fault: Fault, n: u64) -> Self {
        Self {
            endpoint,
            fault,
            rate: 0.0,
            every_nth: Some(n),
            every_seconds: None,
            times: None,
        }
    }

    /// Fires on the first request of `endpoint` once every `seconds` (none in the first window).
    pub fn every_seconds(endpoint: EndpointClass, fault: Fault, seconds: f64) -> Self {
        Self {
            endpoint,
            fault,
            rate: 0.0,
            every_nth: None,
            every_seconds: Some(seconds),
            times: None,
        }
    }

    pub fn at_rate(endpoint: EndpointClass, fault: Fault, rate: f64) -> Self {
        Self {
            endpoint,
            fault,
            rate,
            every_nth: None,
            every_seconds: None,
            times: None,
        }
    }
}

/// The complete fault configuration; replacing it restarts the request counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn with_rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub latency: Duration,
    pub fault: Option<Fault>,
}

impl Decision {
    pub fn name(&self) -> Option<&'static str> {
        self.fault.as_ref().map(|f| match f {
            Fault::Throttle { .. } => "Throttle",
            Fault::ServerError { .. } => "ServerError",
            Fault::ResetMidBody => "ResetMidBody",
            Fault::TruncatedJson => "TruncatedJson",
            Fault::Latency(_) => "Latency",
            Fault::HtmlErrorPage { .. } => "HtmlErrorPage",
            Fault::ExpiredToken => "ExpiredToken",
        })
    }
}

#[derive(Debug, Default)]
pub struct FaultEngine {
    plan: FaultPlan,
    counters: HashMap<EndpointClass, u64>,
    global: u64,
    /// When the plan was set (the origin of `every_seconds` windows).
    since: Option<Instant>,
    /// Per rule index: the last `every_seconds` window it fired in.
    windows: HashMap<usize, u64>,
    /// Per rule index: how often it fired (for `times`).
    fired: HashMap<usize, u64>,
}

impl FaultEngine {
    pub fn replace(&mut self, plan: FaultPlan) {
        self.plan = plan;
        self.counters.clear();
        self.global = 0;
        self.since = Some(Instant::now());
        self.windows.clear();
        self.fired.clear();
    }

    /// True for the first request of a new `seconds`-long window of rule `index`.
    fn new_window(&mut self, index: usize, seconds: f64) -> bool {
        if !(seconds.is_finite() && seconds > 0.0) {
            return false;
        }
        let elapsed = self.since.get_or_insert_with(Instant::now).elapsed();
        let window = (elapsed.as_secs_f64() / seconds) as u64;
        let last = self.windows.entry(index).or_insert(0);
        if window > *last {
            *last = window;
            return true;
        }
        false
    }

    pub fn decide(&mut self, class: EndpointClass) -> Decision {
        let n = {
            let c = self.counters.entry(class).or_insert(0);
            *c += 1;
            *c
        };
        self.global += 1;
        let mut decision = Decision::default();
        let rules = std::mem::take(&mut self.plan.rules);
        for (i, rule) in rules.iter().enumerate() {
            let any = rule.endpoint == EndpointClass::Any;
            if !any && rule.endpoint != class {
                continue;
            }
            let count = if any { self.global } else { n };
            let fires = match (rule.every_nth, rule.every_seconds) {
                (Some(k), _) if k > 0 => count % k == 0,
                (Some(_), _) => false,
                // A window whose first request already carries another fault passes the
                // expiry on to the next request rather than lose it.
                (None, Some(seconds)) => {
                    (matches!(rule.fault, Fault::Latency(_)) || decision.fault.is_none())
                        && self.new_window(i, seconds)
                }
                (None, None) => {
                    let h = mix(
                        mix(self.plan.seed, rule.endpoint.hash_id()),
                        mix(count, i as u64),
                    );
                    unit_from(h) < rule.rate
                }
            };
            if !fires {
                continue;
            }
            let fired = self.fired.entry(i).or_insert(0);
            if rule.times.is_some_and(|cap| *fired >= cap) {
                continue;
            }
            *fired += 1;
            match &rule.fault {
                Fault::Latency(d) => decision.latency += *d,
                other if decision.fault.is_none() => decision.fault = Some(other.clone()),
                _ => {}
            }
        }
        self.plan.rules = rules;
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_caps_how_often_a_rule_fires() {
        let mut e = FaultEngine::default();
        e.replace(FaultPlan::none().with_rule(
            FaultRule::every_nth(EndpointClass::GraphBatch, Fault::TruncatedJson, 2).times(1),
        ));
        let fired: Vec<bool> = (0..6)
            .map(|_| e.decide(EndpointClass::GraphBatch).fault.is_some())
            .collect();
        assert_eq!(fired, [false, true, false, false, false, false]);
        let rule: FaultRule = serde_json::from_str(
            r#"{"endpoint":"GraphBatch","fault":"ResetMidBody","everyNth":2,"times":1}"#,
        )
        .unwrap();
        assert_eq!(rule.times, Some(1));
    }

    #[test]
    fn every_nth_counts_per_class() {
        let mut e = FaultEngine::default();
        e.replace(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphRevoke,
            Fault::ExpiredToken,
            3,
        )));
        let hits: Vec<bool> = (0..9)
            .map(|i| {
                // Interleave other classes: they must not shift the GraphRevoke count.
                e.decide(EndpointClass::Token);
                let _ = i;
                e.decide(EndpointClass::GraphRevoke).fault.is_some()
            })
            .collect();
        assert_eq!(
            hits,
            [false, false, true, false, false, true, false, false, true]
        );
    }

    #[test]
    fn rate_is_deterministic_and_close() {
        let plan = FaultPlan {
            seed: 42,
            rules: vec![FaultRule::at_rate(
                EndpointClass::Any,
                Fault::TruncatedJson,
                0.25,
            )],
        };
        let run = || {
            let mut e = FaultEngine::default();
            e.replace(plan.clone());
            (0..4000)
                .map(|_| e.decide(EndpointClass::GraphUsers).fault.is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|h| **h).count();
        assert!((900..1100).contains(&hits), "{hits}");
    }

    #[test]
    fn every_seconds_fires_once_per_window() {
        let mut e = FaultEngine::default();
        let plan: FaultPlan = serde_json::from_str(
            r#"{"rules":[{"endpoint":"ExchangeInvokeCommand","fault":"ExpiredToken","everySeconds":0.2}]}"#,
        )
        .unwrap();
        e.replace(plan);
        let fired = |e: &mut FaultEngine| {
            (0..5)
                .filter(|_| {
                    e.decide(EndpointClass::ExchangeInvokeCommand)
                        .fault
                        .is_some()
                })
                .count()
        };
        assert_eq!(fired(&mut e), 0, "nothing in the first window");
        std::thread::sleep(Duration::from_millis(230));
        assert_eq!(e.decide(EndpointClass::Token).fault, None, "other classes");
        assert_eq!(fired(&mut e), 1, "once in the second window");
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(fired(&mut e), 1, "once in the third");
    }

    #[test]
    fn latency_stacks_with_fault_and_json_shape() {
        let plan: FaultPlan = serde_json::from_str(
            r#"{"seed":1,"rules":[{"endpoint":"Token","fault":{"Latency":250},"everyNth":1},
               {"endpoint":"Token","fault":{"Throttle":{"retryAfter":"0.5"}},"rate":1.0}]}"#,
        )
        .unwrap();
        let mut e = FaultEngine::default();
        e.replace(plan);
        let d = e.decide(EndpointClass::Token);
        assert_eq!(d.latency, Duration::from_millis(250));
        assert_eq!(
            d.fault,
            Some(Fault::Throttle {
                retry_after: "0.5".into()
            })
        );
    }
}
