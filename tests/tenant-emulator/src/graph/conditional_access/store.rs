//! The tenant's Conditional Access policies: seeded ones plus whatever clients wrote, kept as
//! normalised JSON objects (every property of the type present, as Graph returns them).

use serde_json::{Map, Value};
use uuid::Uuid;

use super::schema;
use crate::clock;
use crate::seed::SeedData;
use crate::seed::policies::seeded_policies;

#[derive(Debug, Default)]
pub struct PolicyStore {
    policies: Vec<Map<String, Value>>,
    seeded: Vec<Map<String, Value>>,
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
        Self::from_seeded(data, list)
    }

    fn from_seeded(data: &SeedData, list: Vec<crate::seed::policies::SeededPolicy>) -> Self {
        let seeded: Vec<Map<String, Value>> = list
            .into_iter()
            .filter_map(|p| {
                schema::validate(&schema::POLICY, &p.body, data, false)
                    .ok()
                    .map(|fields| entity(p.id, p.created, fields))
            })
            .collect();
        Self {
            policies: seeded.clone(),
            seeded,
        }
    }

    pub fn reset(&mut self) {
        self.policies = self.seeded.clone();
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
        self.policies[i] = next;
        Some(Ok(stored_id))
    }

    /// Removes the policy; its id if it existed.
    pub fn remove(&mut self, id: &str) -> Option<String> {
        let i = self.position(id)?;
        let removed = self.policies.remove(i);
        Some(
            removed
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    }
}
