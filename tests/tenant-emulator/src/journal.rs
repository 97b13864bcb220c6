//! What the service side saw, for tests to assert on.

use serde::{Deserialize, Serialize};

use crate::faults::EndpointClass;

/// One HTTP request (or one `$batch` item). No query strings or bodies are kept, so no secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub endpoint: EndpointClass,
    pub client_request_id: Option<String>,
    /// The injected fault, if any (e.g. "Throttle", "ResetMidBody").
    pub fault: Option<String>,
    /// For requests executed inside `$batch`: the item's id.
    pub batch_item_id: Option<String>,
    /// For InvokeCommand: the cmdlet name from the body.
    pub cmdlet: Option<String>,
    /// `X-ClientApplication` as sent (ExoManagementModule sends `ExoManagementModule`).
    #[serde(default)]
    pub client_application: Option<String>,
    pub at_unix_ms: i64,
}

/// A successful `revokeSignInSessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub user_id: String,
    pub user_principal_name: String,
    /// ISO 8601 UTC, the new `signInSessionsValidFromDateTime`.
    pub at: String,
}

/// A `Set-OrganizationConfig` that changed a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigChange {
    pub property: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// A Set-OwaMailboxPolicy change that modified a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwaPolicyChange {
    pub policy: String,
    pub property: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// A Conditional Access write the service accepted (POST, PATCH or DELETE through Graph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyWrite {
    pub method: String,
    pub policy_id: String,
    /// The JSON body as sent (null for DELETE).
    pub body: serde_json::Value,
    pub status: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub requests: Vec<RequestRecord>,
    pub revocations: Vec<Revocation>,
    pub organization_config_changes: Vec<ConfigChange>,
    /// Access tokens issued by the token and managed identity endpoints.
    pub tokens_issued: u64,
    #[serde(default)]
    pub conditional_access_writes: Vec<PolicyWrite>,
    #[serde(default)]
    pub owa_mailbox_policy_changes: Vec<OwaPolicyChange>,
}

impl Journal {
    pub fn requests_to(&self, endpoint: EndpointClass) -> impl Iterator<Item = &RequestRecord> {
        self.requests.iter().filter(move |r| r.endpoint == endpoint)
    }
}
