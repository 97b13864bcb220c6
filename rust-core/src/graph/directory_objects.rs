//! Users, groups and roles named in Conditional Access exclusions: resolving what the admin typed
//! to object ids (before anything is written) and naming ids for the checker.

use futures::StreamExt;
use serde::Deserialize;

use super::error::map_http_error;
use super::paging::{get_request, odata_string, parse_page};
use super::{GraphClient, GraphError, validate_user_ref};

pub const GROUP_READ_PERMISSION: &str = "Group.Read.All";
const NAMING_IN_FLIGHT: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    User,
    Group,
    Role,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::User => "User",
            ObjectKind::Group => "Group",
            ObjectKind::Role => "Role",
        }
    }
}

/// An object id with its display name (`""` when it could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryObject {
    pub id: String,
    pub display_name: String,
    pub kind: ObjectKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no {} '{input}' in this tenant{hint}", kind.as_str().to_lowercase())]
    NotFound {
        input: String,
        kind: ObjectKind,
        hint: String,
    },
    #[error("{count} groups are named '{input}'; pass the object id of the one to exclude ({ids})")]
    Ambiguous {
        input: String,
        count: usize,
        ids: String,
    },
    #[error(transparent)]
    Graph(GraphError),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Named {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// Well-known directory role template ids (the same in every tenant) and their names.
pub const WELL_KNOWN_ROLES: [(&str, &str); 14] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "d29b2b05-8046-44ba-8758-1e26182fcf32",
        "Directory Synchronization Accounts",
    ),
];

/// The name of a well-known role template id; `""` for others.
pub fn role_name(id: &str) -> &'static str {
    WELL_KNOWN_ROLES
        .iter()
        .find(|(rid, _)| rid.eq_ignore_ascii_case(id.trim()))
        .map_or("", |(_, name)| name)
}

/// Keywords Conditional Access accepts in place of user ids.
fn user_keyword(id: &str) -> Option<&'static str> {
    match id.trim() {
        k if k.eq_ignore_ascii_case("All") => Some("All users"),
        k if k.eq_ignore_ascii_case("None") => Some("No users"),
        k if k.eq_ignore_ascii_case("GuestsOrExternalUsers") => Some("Guests or external users"),
        _ => None,
    }
}

impl GraphClient {
    /// A user by UPN or object id, for an exclusion.
    pub async fn resolve_user(&self, input: &str) -> Result<DirectoryObject, ResolveError> {
        let not_found = |hint: &str| ResolveError::NotFound {
            input: input.trim().to_owned(),
            kind: ObjectKind::User,
            hint: hint.to_owned(),
        };
        if validate_user_ref(input).is_err() {
            return Err(not_found(
                " (give a user principal name such as break.glass@contoso.com or an object id)",
            ));
        }
        match self.get_user(input).await {
            Ok(u) => Ok(DirectoryObject {
                display_name: u.display_name.or(u.user_principal_name).unwrap_or_default(),
                id: u.id,
                kind: ObjectKind::User,
            }),
            Err(GraphError::NotFound { .. }) => Err(not_found("")),
            Err(e) => Err(ResolveError::Graph(e)),
        }
    }

    /// A group by object id or exact display name, for an exclusion.
    pub async fn resolve_group(&self, input: &str) -> Result<DirectoryObject, ResolveError> {
        let name = input.trim();
        let not_found = || ResolveError::NotFound {
            input: name.to_owned(),
            kind: ObjectKind::Group,
            hint: String::new(),
        };
        if name.is_empty() {
            return Err(not_found());
        }
        if let Ok(id) = uuid::Uuid::parse_str(name) {
            return match self.get_group(&id.to_string()).await {
                Ok(g) => Ok(g),
                Err(GraphError::NotFound { .. }) => Err(not_found()),
                Err(e) => Err(ResolveError::Graph(e)),
            };
        }
        let found = self.groups_named(name).await.map_err(ResolveError::Graph)?;
        match found.as_slice() {
            [] => Err(not_found()),
            [one] => Ok(one.clone()),
            many => Err(ResolveError::Ambiguous {
                input: name.to_owned(),
                count: many.len(),
                ids: many
                    .iter()
                    .map(|g| g.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// `GET /v1.0/groups/{id}?$select=id,displayName`.
    pub async fn get_group(&self, id: &str) -> Result<DirectoryObject, GraphError> {
        let mut url = self.environment.graph_url(&["groups", id]);
        url.query_pairs_mut()
            .append_pair("$select", "id,displayName");
        let g: Named = self
            .http
            .send_json(&get_request(url), Some(&self.bearer))
            .await
            .map_err(|e| map_http_error(e, &format!("group '{id}'"), GROUP_READ_PERMISSION))?;
        Ok(DirectoryObject {
            id: g.id.unwrap_or_else(|| id.to_owned()),
            display_name: g.display_name.unwrap_or_default(),
            kind: ObjectKind::Group,
        })
    }

    /// Groups whose display name is exactly `name` (one page is plenty: a name shared by more
    /// than two groups is already ambiguous).
    async fn groups_named(&self, name: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        let mut url = self.environment.graph_url(&["groups"]);
        url.query_pairs_mut()
            .append_pair("$filter", &format!("displayName eq {}", odata_string(name)))
            .append_pair("$select", "id,displayName");
        let page = self
            .http
            .send(&get_request(url), Some(&self.bearer), |r| {
                parse_page(&r.body)
            })
            .await
            .map_err(|e| {
                map_http_error(e, &format!("groups named '{name}'"), GROUP_READ_PERMISSION)
            })?;
        Ok(page
            .value
            .iter()
            .filter_map(|v| Named::deserialize(v).ok())
            .filter_map(|g| {
                Some(DirectoryObject {
                    id: g.id?,
                    display_name: g.display_name.unwrap_or_default(),
                    kind: ObjectKind::Group,
                })
            })
            // The service's filter is case-insensitive; an exclusion must match exactly.
            .filter(|g| g.display_name == name)
            .collect())
    }

    /// Names ids of one kind. An id that cannot be read keeps an empty name; the first reason a
    /// read failed (other than not found) comes back as a warning.
    pub async fn name_objects(
        &self,
        ids: &[String],
        kind: ObjectKind,
    ) -> (Vec<DirectoryObject>, Option<String>) {
        let named = futures::stream::iter(ids.iter().cloned())
            .map(|id| async move {
                let keyword = user_keyword(&id).filter(|_| kind == ObjectKind::User);
                let result: Result<String, GraphError> = match (kind, keyword) {
                    (ObjectKind::User, Some(name)) => Ok(name.to_owned()),
                    (ObjectKind::Role, _) => Ok(role_name(&id).to_owned()),
                    (ObjectKind::User, None) => self
                        .get_user(&id)
                        .await
                        .map(|u| u.display_name.or(u.user_principal_name).unwrap_or_default()),
                    (ObjectKind::Group, _) => self.get_group(&id).await.map(|g| g.display_name),
                };
                (id, result)
            })
            .buffered(NAMING_IN_FLIGHT)
            .collect::<Vec<_>>()
            .await;
        let mut warning = None;
        let objects = named
            .into_iter()
            .map(|(id, result)| {
                let display_name = match result {
                    Ok(name) => name,
                    Err(GraphError::NotFound { .. }) => String::new(),
                    Err(e) => {
                        warning.get_or_insert_with(|| {
                            format!(
                                "Some excluded {}s could not be named: {e}",
                                kind.as_str().to_lowercase()
                            )
                        });
                        String::new()
                    }
                };
                DirectoryObject {
                    id,
                    display_name,
                    kind,
                }
            })
            .collect();
        (objects, warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_keywords_are_named_from_tables() {
        assert_eq!(
            role_name("62E90394-69F5-4237-9190-012177145E10"),
            "Global Administrator"
        );
        assert_eq!(role_name("00000000-0000-0000-0000-000000000000"), "");
        assert_eq!(
            user_keyword("guestsorexternalusers"),
            Some("Guests or external users")
        );
        assert_eq!(user_keyword("taro@contoso.com"), None);
        let ids: std::collections::HashSet<_> = WELL_KNOWN_ROLES.iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), WELL_KNOWN_ROLES.len());
        assert!(
            WELL_KNOWN_ROLES
                .iter()
                .all(|(id, _)| uuid::Uuid::parse_str(id).is_ok())
        );
    }

    #[test]
    fn resolve_errors_say_what_to_do() {
        let e = ResolveError::Ambiguous {
            input: "Duplicate Name".into(),
            count: 2,
            ids: "a, b".into(),
        };
        assert!(e.to_string().contains("object id") && e.to_string().contains("a, b"));
        let e = ResolveError::NotFound {
            input: "Nobody".into(),
            kind: ObjectKind::Group,
            hint: String::new(),
        };
        assert_eq!(e.to_string(), "no group 'Nobody' in this tenant");
    }
}
