//! Reading `scope`: one resource per request, `/.default` for client credentials, named or
//! `/.default` delegated permissions plus the OpenID scopes for user flows.

use crate::directory::{App, Resource};
use crate::entra::errors::EntraError;

const OIDC: [&str; 4] = ["openid", "profile", "offline_access", "email"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// `{resource}/.default`: everything consented.
    Default,
    Named(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegatedScopes {
    pub resource: Resource,
    pub permissions: Permissions,
    pub openid: bool,
    pub offline_access: bool,
    pub profile: bool,
    pub email: bool,
}

/// Looks like a resource identifier even though it is not one we know.
fn looks_like_resource(prefix: &str) -> bool {
    prefix.contains("://") || uuid::Uuid::parse_str(prefix).is_ok() || prefix.starts_with("api:")
}

/// The single resource of a client credentials `scope` (`https://graph.microsoft.com/.default`).
pub fn client_credentials_resource(scope: &str, tenant: &str) -> Result<Resource, EntraError> {
    let items: Vec<&str> = scope.split_whitespace().collect();
    let [item] = items.as_slice() else {
        let resources: Vec<Option<Resource>> = items
            .iter()
            .map(|i| Resource::from_identifier(i.rsplit_once('/').map_or(*i, |(p, _)| p)))
            .collect();
        let distinct = resources
            .iter()
            .flatten()
            .collect::<std::collections::HashSet<_>>()
            .len();
        return Err(if distinct > 1 {
            EntraError::multiple_resources(scope, false)
        } else {
            EntraError::invalid_scope(scope)
        });
    };
    let Some((prefix, permission)) = item.rsplit_once('/') else {
        return Err(EntraError::invalid_scope(scope));
    };
    let resource = match Resource::from_identifier(prefix) {
        Some(r) => r,
        None if looks_like_resource(prefix) => {
            return Err(EntraError::resource_not_found(prefix, tenant));
        }
        None => return Err(EntraError::invalid_scope(scope)),
    };
    if permission != ".default" {
        return Err(EntraError::client_credentials_scope(scope));
    }
    Ok(resource)
}

pub fn delegated(scope: &str, tenant: &str) -> Result<DelegatedScopes, EntraError> {
    let mut found: Option<(Resource, Permissions)> = None;
    let (mut openid, mut offline_access, mut profile, mut email) = (false, false, false, false);
    for item in scope.split_whitespace() {
        match item.to_ascii_lowercase().as_str() {
            "openid" => openid = true,
            "offline_access" => offline_access = true,
            "profile" => profile = true,
            "email" => email = true,
            _ => {
                let (resource, permission) = match item.rsplit_once('/') {
                    Some((prefix, perm)) => match Resource::from_identifier(prefix) {
                        Some(r) => (r, perm),
                        None if looks_like_resource(prefix) => {
                            return Err(EntraError::resource_not_found(prefix, tenant));
                        }
                        None => return Err(EntraError::invalid_scope(item)),
                    },
                    // A bare permission name means Microsoft Graph.
                    None => (Resource::Graph, item),
                };
                if permission.is_empty() {
                    return Err(EntraError::invalid_scope(item));
                }
                match &mut found {
                    Some((r, _)) if *r != resource => {
                        return Err(EntraError::multiple_resources(scope, true));
                    }
                    Some((_, perms)) => {
                        if permission == ".default" || *perms == Permissions::Default {
                            *perms = Permissions::Default;
                        } else if let Permissions::Named(list) = perms {
                            list.push(permission.to_owned());
                        }
                    }
                    None => {
                        let perms = if permission == ".default" {
                            Permissions::Default
                        } else {
                            Permissions::Named(vec![permission.to_owned()])
                        };
                        found = Some((resource, perms));
                    }
                }
            }
        }
    }
    if scope.split_whitespace().next().is_none() {
        return Err(EntraError::missing_parameter("scope"));
    }
    // Only OpenID scopes: Entra returns a Graph token for User.Read.
    let (resource, permissions) = found.unwrap_or((
        Resource::Graph,
        Permissions::Named(vec!["User.Read".to_owned()]),
    ));
    Ok(DelegatedScopes {
        resource,
        permissions,
        openid,
        offline_access,
        profile,
        email,
    })
}

impl DelegatedScopes {
    /// Granted permission names (the `scp` claim), or 65001 when one was never consented.
    pub fn grant(&self, client: &App) -> Result<Vec<&'static str>, EntraError> {
        let consented = self.resource.delegated_consented();
        match &self.permissions {
            Permissions::Default => Ok(consented.to_vec()),
            Permissions::Named(list) => list
                .iter()
                .map(|p| {
                    consented
                        .iter()
                        .copied()
                        .find(|c| c.eq_ignore_ascii_case(p))
                        .ok_or_else(|| {
                            EntraError::consent_required(
                                &client.client_id.to_string(),
                                client.display_name,
                            )
                        })
                })
                .collect(),
        }
    }

    /// The `scope` value of the token response.
    pub fn response_scope(&self, granted: &[&str]) -> String {
        let mut out: Vec<String> = granted
            .iter()
            .map(|p| match self.resource {
                Resource::Graph => (*p).to_owned(),
                r => format!("{}/{p}", r.uri()),
            })
            .collect();
        for (flag, name) in [
            (self.profile, OIDC[1]),
            (self.openid, OIDC[0]),
            (self.email, OIDC[3]),
        ] {
            if flag {
                out.push(name.to_owned());
            }
        }
        out.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_credentials() {
        assert_eq!(
            client_credentials_resource("https://graph.microsoft.com/.default", "t").unwrap(),
            Resource::Graph
        );
        assert_eq!(
            client_credentials_resource("https://outlook.office365.com/.default", "t").unwrap(),
            Resource::Exchange
        );
        let e = client_credentials_resource(
            "https://graph.microsoft.com/.default https://outlook.office365.com/.default",
            "t",
        )
        .unwrap_err();
        assert_eq!(e.codes, vec![700022]);
        assert_eq!(
            client_credentials_resource("User.Read", "t")
                .unwrap_err()
                .codes,
            vec![70011]
        );
        assert_eq!(
            client_credentials_resource("https://graph.microsoft.com/User.Read.All", "t")
                .unwrap_err()
                .codes,
            vec![1002012]
        );
        assert_eq!(
            client_credentials_resource("https://vault.azure.net/.default", "t")
                .unwrap_err()
                .codes,
            vec![500011]
        );
    }

    #[test]
    fn delegated_scopes() {
        let s = delegated(
            "https://outlook.office365.com/.default offline_access openid",
            "t",
        )
        .unwrap();
        assert_eq!(s.resource, Resource::Exchange);
        assert!(s.offline_access && s.openid && !s.profile);
        let s = delegated("User.Read User.RevokeSessions.All", "t").unwrap();
        assert_eq!(s.resource, Resource::Graph);
        assert_eq!(
            s.permissions,
            Permissions::Named(vec!["User.Read".into(), "User.RevokeSessions.All".into()])
        );
        assert_eq!(
            delegated("User.Read https://outlook.office365.com/.default", "t")
                .unwrap_err()
                .codes,
            vec![28000]
        );
        assert_eq!(delegated("openid", "t").unwrap().resource, Resource::Graph);
    }
}
