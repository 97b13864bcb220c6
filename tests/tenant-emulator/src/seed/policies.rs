//! The Conditional Access policies a fresh tenant has: a few unrelated ones (one with a Japanese
//! name, one disabled, one blocking only the device code flow) and none that blocks
//! authentication transfer, so the default tenant stays exposed.

use serde_json::{Value, json};
use uuid::Uuid;

use super::groups::Group;
use crate::directory::roles;
use crate::rng::SeededRng;

const POLICY_STREAM: u64 = 0xCA9011;

/// A seeded policy in request form, with the id and creation time the service gave it.
pub struct SeededPolicy {
    pub id: Uuid,
    /// Seconds since the Unix epoch.
    pub created: i64,
    pub body: Value,
}

fn group_id(groups: &[Group], name: &str) -> Vec<String> {
    groups
        .iter()
        .filter(|g| g.display_name == name)
        .take(1)
        .map(|g| g.id.to_string())
        .collect()
}

pub fn seeded_policies(seed: u64, groups: &[Group], anchor: i64) -> Vec<SeededPolicy> {
    let break_glass = group_id(groups, "Break Glass Accounts");
    let executives = group_id(groups, "Executives");
    let sales = group_id(groups, "営業部");
    let bodies = [
        json!({
            "displayName": "Require MFA for administrators",
            "state": "enabled",
            "conditions": {
                "users": {"includeRoles": [roles::GLOBAL_ADMINISTRATOR, roles::EXCHANGE_ADMINISTRATOR], "excludeGroups": break_glass},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        }),
        json!({
            "displayName": "Block legacy authentication",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": break_glass},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["exchangeActiveSync", "other"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        }),
        json!({
            "displayName": "Require compliant device for executives (pilot)",
            "state": "disabled",
            "conditions": {
                "users": {"includeGroups": executives},
                "applications": {"includeApplications": ["Office365"]},
                "platforms": {"includePlatforms": ["iOS", "android"]},
                "clientAppTypes": ["mobileAppsAndDesktopClients"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice", "approvedApplication"]}
        }),
        json!({
            "displayName": "営業部: 社外からのアクセスに多要素認証を要求",
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "users": {"includeGroups": sales},
                "applications": {"includeApplications": ["All"]},
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 12, "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}}
        }),
        json!({
            "displayName": "Block device code flow",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": break_glass},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"],
                "authenticationFlows": {"transferMethods": "deviceCodeFlow"}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}
        }),
    ];
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let mut rng = SeededRng::for_item(seed, POLICY_STREAM, i as u64);
            SeededPolicy {
                id: rng.guid(),
                created: anchor - 90 * 86_400 - rng.below(400 * 86_400) as i64,
                body,
            }
        })
        .collect()
}
