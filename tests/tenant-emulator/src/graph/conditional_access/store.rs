//! The tenant's Conditional Access policies: seeded ones plus whatever clients wrote, kept as
//! normalised JSON objects (every property of the type present, as Graph returns them).

use serde_json::{Map, Value};
use uuid::Uuid;

use super::schema;
use crate::clock;
use crate::graph::signins::parse_utc;
use crate::seed::SeedData;
use crate::seed::policies::seeded_policies;

#[derive(Debug, Default)]
pub struct PolicyStore {
    policies: Vec<Map<String, Value>>,
    seeded: Vec<Map<String, Value>>,
    /// Every version of every policy since it was created, so sign-in events are evaluated
    /// against the policies as they stood at the event's time (see `history`).
    history: PolicyHistory,
    seeded_history: PolicyHistory,
}

/// Puts the read-only properties in front, in the order Graph renders them.
fn entity(id: Uuid, created: i64, mut fields: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), Value::from(id.to_string()));
    out.insert("templateId".into(), Value::Null);
    out.insert(
        "displayName".into(),
        fields.remove("displayName").unwrap_or(Value::Null),
    );
    out.insert(
        "createdDateTime".into(),
        Value::from(clock::graph_datetime(created)),
    );
    out.insert("modifiedDateTime".into(), Value::Null);
    for name in schema::POLICY_ORDER {
        if let Some(v) = fields.remove(*name) {
            out.insert((*name).to_owned(), v);
        }
    }
    out.extend(fields);
    out
}

impl PolicyStore {
    /// The seeded policies, plus one blocking authentication transfer when `block` asks for it
    /// (a fleet's tenant that already has one); validated like the others.
    pub fn seeded_with_transfer_block(
        data: &SeedData,
        seed: u64,
        anchor: i64,
        block: crate::fleet::TransferBlock,
    ) -> Self {
        let mut list = seeded_policies(seed, &data.groups, anchor);
        if let Some(body) = crate::fleet::transfer_block_body(block) {
            let mut rng = crate::rng::SeededRng::for_item(seed, 0xB10C, 0);
            list.push(crate::seed::policies::SeededPolicy {
                id: rng.guid(),
                created: anchor - 30 * 86_400,
                body,
            });
        }
        Self::from_seeded(data, list, anchor)
    }

    fn from_seeded(
        data: &SeedData,
        list: Vec<crate::seed::policies::SeededPolicy>,
        anchor: i64,
    ) -> Self {
        let mut history = PolicyHistory::default();
        let seeded: Vec<Map<String, Value>> = list
            .into_iter()
            .filter_map(|p| {
                schema::validate(&schema::POLICY, &p.body, data, false)
                    .ok()
                    .map(|fields| entity(p.id, p.created, fields))
            })
            .inspect(|p| history.record(p, p_created(p).unwrap_or(anchor)))
            .collect();
        Self {
            policies: seeded.clone(),
            seeded,
            seeded_history: history.clone(),
            history,
        }
    }

    pub fn reset(&mut self) {
        self.policies = self.seeded.clone();
        self.history = self.seeded_history.clone();
    }

    /// The policies' versions over time (a copy: sign-in pages are rendered without the lock).
    pub fn history(&self) -> PolicyHistory {
        self.history.clone()
    }

    /// Moves a policy's creation and every later change `seconds` into the past, as if it had
    /// been made then (control API: lets a test or the demo have a report-only policy that was in
    /// place while the seeded sign-ins happened). False when there is no such policy.
    pub fn backdate(&mut self, id: &str, seconds: i64) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        let key = self.policies[i]
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for name in ["createdDateTime", "modifiedDateTime"] {
            let shifted = self.policies[i]
                .get(name)
                .and_then(Value::as_str)
                .and_then(|t| parse_utc(t).ok())
                .map(|t| clock::graph_datetime(t - seconds));
            if let Some(t) = shifted {
                self.policies[i].insert(name.into(), Value::from(t));
            }
        }
        self.history.shift(&key, seconds);
        true
    }

    pub fn rendered(&self) -> Vec<Value> {
        self.policies.iter().cloned().map(Value::Object).collect()
    }

    fn position(&self, id: &str) -> Option<usize> {
        let id = Uuid::parse_str(id.trim()).ok()?.to_string();
        self.policies
            .iter()
            .position(|p| p.get("id").and_then(Value::as_str) == Some(id.as_str()))
    }

    pub fn get(&self, id: &str) -> Option<Value> {
        self.position(id)
            .map(|i| Value::Object(self.policies[i].clone()))
    }

    pub fn insert(&mut self, id: Uuid, created: i64, fields: Map<String, Value>) -> Value {
        let stored = entity(id, created, fields);
        self.history.record(&stored, created);
        self.policies.push(stored.clone());
        Value::Object(stored)
    }

    /// Inserts a policy as given (control API), filling only a missing id and createdDateTime.
    pub fn insert_verbatim(&mut self, mut policy: Map<String, Value>) -> Value {
        if !policy.get("id").is_some_and(Value::is_string) {
            policy.insert("id".into(), Value::from(Uuid::new_v4().to_string()));
        }
        if !policy.contains_key("createdDateTime") {
            policy.insert(
                "createdDateTime".into(),
                Value::from(clock::graph_datetime(clock::now_unix())),
            );
        }
        let from = p_created(&policy).unwrap_or_else(clock::now_unix);
        self.history.record(&policy, from);
        self.policies.push(policy.clone());
        Value::Object(policy)
    }

    /// Applies a validated partial update; `None` if there is no such policy, `Some(Err)` when
    /// the result would lack a required property (nothing changes then).
    pub fn update(
        &mut self,
        id: &str,
        patch: Map<String, Value>,
        now: i64,
    ) -> Option<Result<String, String>> {
        let i = self.position(id)?;
        let mut next = self.policies[i].clone();
        schema::merge(&schema::POLICY, &mut next, patch);
        if let Err(message) = schema::check_required(&next) {
            return Some(Err(message));
        }
        next.insert(
            "modifiedDateTime".into(),
            Value::from(clock::graph_datetime(now)),
        );
        let stored_id = next
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.history.record(&next, now);
        self.policies[i] = next;
        Some(Ok(stored_id))
    }

    /// Removes the policy; its id if it existed.
    pub fn remove(&mut self, id: &str) -> Option<String> {
        let i = self.position(id)?;
        let removed = self.policies.remove(i);
        let id = removed
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.history.remove(&id, clock::now_unix());
        Some(id)
    }
}

fn p_created(policy: &Map<String, Value>) -> Option<i64> {
    policy
        .get("createdDateTime")
        .and_then(Value::as_str)
        .and_then(|t| parse_utc(t).ok())
}

/// One version of a policy: in force from `from` (Unix seconds) until the next one; `None` once
/// deleted.
#[derive(Debug, Clone)]
struct Revision {
    id: String,
    from: i64,
    policy: Option<Map<String, Value>>,
}

/// The versions of every policy, in the order they were recorded.
#[derive(Debug, Clone, Default)]
pub struct PolicyHistory {
    revisions: Vec<Revision>,
}

impl PolicyHistory {
    fn record(&mut self, policy: &Map<String, Value>, from: i64) {
        let id = policy
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.revisions.push(Revision {
            id,
            from,
            policy: Some(policy.clone()),
        });
    }

    fn remove(&mut self, id: &str, at: i64) {
        self.revisions.push(Revision {
            id: id.to_owned(),
            from: at,
            policy: None,
        });
    }

    fn shift(&mut self, id: &str, seconds: i64) {
        for r in self.revisions.iter_mut().filter(|r| r.id == id) {
            r.from -= seconds;
        }
    }

    /// The policies as they stood at `at` (Unix seconds), in creation order.
    pub fn at(&self, at: i64) -> Vec<&Map<String, Value>> {
        let mut current: Vec<(&str, Option<&Map<String, Value>>)> = Vec::new();
        for r in self.revisions.iter().filter(|r| r.from <= at) {
            match current.iter_mut().find(|(id, _)| *id == r.id) {
                Some(slot) => slot.1 = r.policy.as_ref(),
                None => current.push((r.id.as_str(), r.policy.as_ref())),
            }
        }
        current.into_iter().filter_map(|(_, p)| p).collect()
    }
}
