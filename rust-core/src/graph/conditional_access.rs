//! Conditional Access policies (`/v1.0/identity/conditionalAccess/policies`): list (paged),
//! create, update, delete, and the policy model. The model reads what the checker needs and keeps
//! every other property in `other`, so nothing the service sends is lost on the way.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::error::map_http_error;
use super::paging::{follow, get_request, parse_page};
use super::{GraphClient, GraphError};
use crate::http::Request;
use crate::next_link_guard::NextLinkGuard;

/// Path segments of the policy collection under the version root.
pub const POLICIES_SEGMENTS: [&str; 3] = ["identity", "conditionalAccess", "policies"];
/// The collection's path as plans show it.
pub const POLICIES_PATH: &str = "/v1.0/identity/conditionalAccess/policies";

pub const READ_PERMISSION: &str = "Policy.Read.All";
pub const WRITE_PERMISSION: &str = "Policy.Read.All and Policy.ReadWrite.ConditionalAccess";

pub const STATE_ENABLED: &str = "enabled";
pub const STATE_REPORT_ONLY: &str = "enabledForReportingButNotEnforced";
pub const STATE_DISABLED: &str = "disabled";
pub const TRANSFER_METHOD: &str = "authenticationTransfer";

/// `null` reads as the type's default (Graph sends `null` for empty collections and objects).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub display_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub state: String,
    #[serde(default)]
    pub conditions: Option<ConditionSet>,
    #[serde(default)]
    pub grant_controls: Option<GrantControls>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionSet {
    #[serde(default)]
    pub users: Option<UsersCondition>,
    #[serde(default)]
    pub applications: Option<ApplicationsCondition>,
    #[serde(default, deserialize_with = "null_default")]
    pub client_app_types: Vec<String>,
    #[serde(default)]
    pub authentication_flows: Option<AuthenticationFlows>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersCondition {
    #[serde(default, deserialize_with = "null_default")]
    pub include_users: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub exclude_users: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub include_groups: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub exclude_groups: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub include_roles: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub exclude_roles: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationsCondition {
    #[serde(default, deserialize_with = "null_default")]
    pub include_applications: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub exclude_applications: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationFlows {
    #[serde(default, deserialize_with = "null_default")]
    pub transfer_methods: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantControls {
    #[serde(default, deserialize_with = "null_default")]
    pub operator: String,
    #[serde(default, deserialize_with = "null_default")]
    pub built_in_controls: Vec<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v.trim().eq_ignore_ascii_case(value))
}

/// Condition-set properties that, once configured, make a policy apply only to some sign-ins.
/// Source: Graph v1.0 `conditionalAccessConditionSet` (microsoft-graph-docs-contrib,
/// api-reference/v1.0/resources/conditionalaccessconditionset.md): platforms, locations,
/// devices, clientApplications (workload identities), the risk levels and insiderRiskLevels.
/// `platforms` and `locations` are handled apart: "all" with nothing excluded is no condition.
const NARROWING_CONDITIONS: [&str; 6] = [
    "devices",
    "clientApplications",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
];

/// Application-condition properties that replace "all cloud apps" with user actions,
/// authentication contexts or a filter (`conditionalAccessApplications`, same source).
const NARROWING_APPLICATION_CONDITIONS: [(&str, &str); 3] = [
    ("includeUserActions", "applications.includeUserActions"),
    (
        "includeAuthenticationContextClassReferences",
        "applications.includeAuthenticationContextClassReferences",
    ),
    ("applicationFilter", "applications.applicationFilter"),
];

/// A condition value that restricts something: not null, not empty, not an object of nulls.
pub(crate) fn configured(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Object(o)) => o.values().any(|v| configured(Some(v))),
        Some(_) => true,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `platforms` / `locations` narrow unless they include everything (`all` / `All`, or nothing
/// listed) and exclude nothing. `include_key`/`exclude_key` name the two lists.
fn include_exclude_narrows(v: Option<&Value>, include_key: &str, exclude_key: &str) -> bool {
    let Some(Value::Object(o)) = v else {
        return configured(v);
    };
    let include = strings(o.get(include_key));
    let exclude = strings(o.get(exclude_key));
    let other = o.iter().any(|(k, v)| {
        k != include_key && k != exclude_key && !k.starts_with('@') && configured(Some(v))
    });
    !exclude.is_empty() || other || !(include.is_empty() || has(&include, "all"))
}

impl ConditionalAccessPolicy {
    pub fn parse(value: &Value) -> Result<ConditionalAccessPolicy, String> {
        ConditionalAccessPolicy::deserialize(value).map_err(|e| e.to_string())
    }

    fn users(&self) -> Option<&UsersCondition> {
        self.conditions.as_ref()?.users.as_ref()
    }

    /// `transferMethods` (a comma-separated flags value) includes `authenticationTransfer`.
    pub fn targets_authentication_transfer(&self) -> bool {
        self.conditions
            .as_ref()
            .and_then(|c| c.authentication_flows.as_ref())
            .is_some_and(|f| {
                f.transfer_methods
                    .split(',')
                    .any(|m| m.trim().eq_ignore_ascii_case(TRANSFER_METHOD))
            })
    }

    pub fn grant_blocks(&self) -> bool {
        self.grant_controls
            .as_ref()
            .is_some_and(|g| has(&g.built_in_controls, "block"))
    }

    /// Blocks authentication transfer for whoever and whatever it covers.
    pub fn blocks_transfer(&self) -> bool {
        self.grant_blocks() && self.targets_authentication_transfer()
    }

    pub fn all_users(&self) -> bool {
        self.users().is_some_and(|u| has(&u.include_users, "All"))
    }

    /// All applications included and none excluded.
    pub fn all_applications(&self) -> bool {
        self.conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .is_some_and(|a| {
                has(&a.include_applications, "All") && a.exclude_applications.is_empty()
            })
    }

    /// `clientAppTypes` absent, empty or `all`.
    pub fn all_client_app_types(&self) -> bool {
        self.conditions
            .as_ref()
            .is_none_or(|c| c.client_app_types.is_empty() || has(&c.client_app_types, "all"))
    }

    /// The names of conditions that make the policy apply only to some sign-ins (platforms,
    /// locations, devices, client applications, risk levels, user actions, authentication
    /// contexts, an application filter). Empty when the policy applies to every sign-in.
    pub fn narrowing_conditions(&self) -> Vec<&'static str> {
        let Some(c) = self.conditions.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if include_exclude_narrows(
            c.other.get("platforms"),
            "includePlatforms",
            "excludePlatforms",
        ) {
            out.push("platforms");
        }
        if include_exclude_narrows(
            c.other.get("locations"),
            "includeLocations",
            "excludeLocations",
        ) {
            out.push("locations");
        }
        out.extend(
            NARROWING_CONDITIONS
                .into_iter()
                .filter(|name| configured(c.other.get(*name))),
        );
        if let Some(apps) = c.applications.as_ref() {
            out.extend(
                NARROWING_APPLICATION_CONDITIONS
                    .into_iter()
                    .filter(|(key, _)| configured(apps.other.get(*key)))
                    .map(|(_, name)| name),
            );
        }
        out
    }

    /// THE coverage test, used by the check, the plan and the report alike: blocks transfer
    /// for all users, all applications, every client app type, with no narrowing condition.
    /// Exclusions are reported apart ([`Self::has_exclusions`]).
    pub fn covers_everyone(&self) -> bool {
        self.blocks_transfer()
            && self.all_users()
            && self.all_applications()
            && self.all_client_app_types()
            && self.narrowing_conditions().is_empty()
    }

    pub fn excluded_users(&self) -> &[String] {
        self.users().map_or(&[], |u| &u.exclude_users)
    }

    pub fn excluded_groups(&self) -> &[String] {
        self.users().map_or(&[], |u| &u.exclude_groups)
    }

    pub fn excluded_roles(&self) -> &[String] {
        self.users().map_or(&[], |u| &u.exclude_roles)
    }

    /// `users.excludeGuestsOrExternalUsers` when set: the guest and external user types it
    /// leaves out (`guestOrExternalUserTypes`, e.g. "internalGuest,b2bCollaborationGuest").
    pub fn excluded_guests_or_external_users(&self) -> Option<String> {
        let v = self.users()?.other.get("excludeGuestsOrExternalUsers");
        if !configured(v) {
            return None;
        }
        Some(
            v.and_then(|v| v.get("guestOrExternalUserTypes"))
                .and_then(Value::as_str)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or("guests or external users")
                .to_owned(),
        )
    }

    /// Any user, group, role or guest/external-user exclusion.
    pub fn has_exclusions(&self) -> bool {
        !(self.excluded_users().is_empty()
            && self.excluded_groups().is_empty()
            && self.excluded_roles().is_empty())
            || self.excluded_guests_or_external_users().is_some()
    }

    pub fn is_enabled(&self) -> bool {
        self.state.eq_ignore_ascii_case(STATE_ENABLED)
    }

    pub fn is_report_only(&self) -> bool {
        self.state.eq_ignore_ascii_case(STATE_REPORT_ONLY)
    }

    pub fn is_disabled(&self) -> bool {
        self.state.eq_ignore_ascii_case(STATE_DISABLED)
    }
}

/// Every policy the service listed; ones that could not be read are named in `warnings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyList {
    pub policies: Vec<ConditionalAccessPolicy>,
    pub warnings: Vec<String>,
    pub pages: u32,
}

/// Reads one page's items; an item that is not a policy becomes a warning, not a failure.
pub(crate) fn policies_of_page(items: &[Value], out: &mut PolicyList) {
    for (index, item) in items.iter().enumerate() {
        match ConditionalAccessPolicy::parse(item) {
            Ok(p) => out.policies.push(p),
            Err(reason) => {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("(no id)");
                out.warnings.push(format!(
                    "Conditional Access policy {id} (item {index} of page {}) could not be read and was left out of the check: {reason}",
                    out.pages
                ));
            }
        }
    }
}

fn json_request(method: Method, url: url::Url, body: Bytes) -> Request {
    let mut req = Request::new(method, url);
    req.headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    req.headers
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    req.body = Some(body);
    req
}

impl GraphClient {
    fn policy_url(&self, id: Option<&str>) -> url::Url {
        let mut segments = POLICIES_SEGMENTS.to_vec();
        if let Some(id) = id {
            segments.push(id);
        }
        self.environment.graph_url(&segments)
    }

    /// Every policy, following `@odata.nextLink` to the end.
    pub async fn list_conditional_access_policies(&self) -> Result<PolicyList, GraphError> {
        let what = "the Conditional Access policies";
        let mut list = PolicyList::default();
        let mut url = Some(self.policy_url(None));
        // A tenant has at most a few hundred policies.
        let mut links = NextLinkGuard::new(10_000);
        while let Some(current) = url.take() {
            let page = self
                .http
                .send(&get_request(current), Some(&self.bearer), |r| {
                    parse_page(&r.body)
                })
                .await
                .map_err(|e| map_http_error(e, what, READ_PERMISSION))?;
            list.pages += 1;
            policies_of_page(&page.value, &mut list);
            if let Some(link) = page.next_link {
                url = Some(follow(
                    &mut links,
                    self.environment.graph_base(),
                    &link,
                    what,
                )?);
            }
        }
        Ok(list)
    }

    /// `POST …/policies` with `body` as given; the service's answer is the created policy.
    pub async fn create_conditional_access_policy(
        &self,
        body: Bytes,
    ) -> Result<ConditionalAccessPolicy, GraphError> {
        let mut req = json_request(Method::POST, self.policy_url(None), body);
        // A retried POST could create a second policy.
        req.idempotent = false;
        let created: Value = self
            .http
            .send_json(&req, Some(&self.bearer))
            .await
            .map_err(|e| {
                map_http_error(
                    e,
                    "creating the Conditional Access policy",
                    WRITE_PERMISSION,
                )
            })?;
        ConditionalAccessPolicy::parse(&created).map_err(|reason| GraphError::BadAnswer {
            what: "the created policy".into(),
            reason,
        })
    }

    /// `PATCH …/policies/{id}` with `body` as given (204).
    pub async fn update_conditional_access_policy(
        &self,
        id: &str,
        body: Bytes,
    ) -> Result<(), GraphError> {
        let req = json_request(Method::PATCH, self.policy_url(Some(id)), body);
        self.http
            .send_raw(&req, Some(&self.bearer))
            .await
            .map_err(|e| {
                map_http_error(
                    e,
                    &format!("Conditional Access policy '{id}'"),
                    WRITE_PERMISSION,
                )
            })?;
        Ok(())
    }

    /// `GET …/policies/{id}`: the policy as the service now holds it.
    pub async fn get_conditional_access_policy(
        &self,
        id: &str,
    ) -> Result<ConditionalAccessPolicy, GraphError> {
        let what = format!("Conditional Access policy '{id}'");
        let value: Value = self
            .http
            .send_json(&get_request(self.policy_url(Some(id))), Some(&self.bearer))
            .await
            .map_err(|e| map_http_error(e, &what, READ_PERMISSION))?;
        ConditionalAccessPolicy::parse(&value)
            .map_err(|reason| GraphError::BadAnswer { what, reason })
    }

    /// `DELETE …/policies/{id}` (204).
    pub async fn delete_conditional_access_policy(&self, id: &str) -> Result<(), GraphError> {
        let req = Request::new(Method::DELETE, self.policy_url(Some(id)));
        self.http
            .send_raw(&req, Some(&self.bearer))
            .await
            .map_err(|e| {
                map_http_error(
                    e,
                    &format!("Conditional Access policy '{id}'"),
                    WRITE_PERMISSION,
                )
            })?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block_all() -> Value {
        json!({
            "id": "6b0d0f61-0000-4000-8000-000000000001",
            "templateId": null,
            "displayName": "Block authentication transfer",
            "createdDateTime": "2026-11-01T00:00:00Z",
            "modifiedDateTime": null,
            "state": "enabled",
            "sessionControls": null,
            "conditions": {
                "userRiskLevels": [], "signInRiskLevels": [], "platforms": null, "locations": null,
                "devices": null, "clientApplications": null,
                "clientAppTypes": ["all"],
                "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                          "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                          "includeGuestsOrExternalUsers": null},
                "applications": {"includeApplications": ["All"], "excludeApplications": [],
                                 "includeUserActions": [], "applicationFilter": null},
                "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"],
                              "customAuthenticationFactors": [], "termsOfUse": []}
        })
    }

    #[test]
    fn reads_a_blocking_policy_and_keeps_unknown_fields() {
        let p = ConditionalAccessPolicy::parse(&block_all()).unwrap();
        assert!(p.blocks_transfer() && p.covers_everyone() && p.is_enabled());
        assert!(!p.has_exclusions());
        assert_eq!(p.other.get("templateId"), Some(&Value::Null));
        assert!(p.other.contains_key("createdDateTime"));
        let users = p.conditions.as_ref().unwrap().users.as_ref().unwrap();
        assert!(users.other.contains_key("includeGuestsOrExternalUsers"));
        // What was read serialises back to the same JSON.
        assert_eq!(serde_json::to_value(&p).unwrap(), block_all());
    }

    #[test]
    fn coverage_rules() {
        let mut v = block_all();
        v["conditions"]["authenticationFlows"]["transferMethods"] = json!("deviceCodeFlow");
        assert!(
            !ConditionalAccessPolicy::parse(&v)
                .unwrap()
                .blocks_transfer()
        );

        let mut v = block_all();
        v["grantControls"]["builtInControls"] = json!(["mfa"]);
        assert!(
            !ConditionalAccessPolicy::parse(&v)
                .unwrap()
                .blocks_transfer()
        );

        let mut v = block_all();
        v["conditions"]["users"]["includeUsers"] = json!([]);
        v["conditions"]["users"]["includeGroups"] = json!(["g"]);
        let p = ConditionalAccessPolicy::parse(&v).unwrap();
        assert!(p.blocks_transfer() && !p.all_users() && !p.covers_everyone());

        let mut v = block_all();
        v["conditions"]["applications"]["excludeApplications"] = json!(["app"]);
        assert!(
            !ConditionalAccessPolicy::parse(&v)
                .unwrap()
                .all_applications()
        );

        let mut v = block_all();
        v["conditions"]["clientAppTypes"] = json!(["browser"]);
        assert!(
            !ConditionalAccessPolicy::parse(&v)
                .unwrap()
                .all_client_app_types()
        );
        v["conditions"]["clientAppTypes"] = Value::Null;
        assert!(
            ConditionalAccessPolicy::parse(&v)
                .unwrap()
                .all_client_app_types()
        );

        let mut v = block_all();
        v["conditions"]["platforms"] = json!({"includePlatforms": ["android"]});
        let p = ConditionalAccessPolicy::parse(&v).unwrap();
        assert_eq!(p.narrowing_conditions(), ["platforms"]);
        assert!(!p.covers_everyone());

        let mut v = block_all();
        v["conditions"]["users"]["excludeRoles"] = json!(["62e90394-69f5-4237-9190-012177145e10"]);
        let p = ConditionalAccessPolicy::parse(&v).unwrap();
        assert!(p.covers_everyone() && p.has_exclusions());
        assert_eq!(p.excluded_roles().len(), 1);
    }

    #[test]
    fn nulls_and_missing_parts_read_as_empty() {
        let p = ConditionalAccessPolicy::parse(&json!({"id": "x", "displayName": null, "state": "disabled", "conditions": null, "grantControls": null})).unwrap();
        assert!(p.is_disabled() && !p.blocks_transfer() && !p.all_users());
        assert!(p.excluded_users().is_empty());
        assert!(ConditionalAccessPolicy::parse(&json!({"state": 3})).is_err());
    }

    #[test]
    fn a_bad_item_becomes_a_warning() {
        let mut list = PolicyList {
            pages: 1,
            ..PolicyList::default()
        };
        policies_of_page(
            &[block_all(), json!({"id": "bad", "state": []}), json!(7)],
            &mut list,
        );
        assert_eq!(list.policies.len(), 1);
        assert_eq!(list.warnings.len(), 2);
        assert!(list.warnings[0].contains("bad"), "{:?}", list.warnings);
    }
}
