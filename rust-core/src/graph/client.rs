//! The Graph client and single-object reads.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::Deserialize;

use super::error::map_http_error;
use super::{GraphError, validate_user_ref};
use crate::auth::{ResourceBearer, TokenProvider};
use crate::cloud::{Environment, Resource};
use crate::http::{HttpClient, Request};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    pub id: String,
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub mail: Option<String>,
}

#[derive(Clone)]
pub struct GraphClient {
    pub(super) http: HttpClient,
    pub(super) bearer: ResourceBearer,
    pub(super) environment: Environment,
}

impl GraphClient {
    pub fn new(tokens: Arc<TokenProvider>) -> GraphClient {
        GraphClient {
            http: tokens.http().clone(),
            environment: tokens.environment().clone(),
            bearer: tokens.bearer(Resource::Graph),
        }
    }

    /// `GET /v1.0/users/{id | userPrincipalName}?$select=id,userPrincipalName,displayName,mail`.
    pub async fn get_user(&self, id_or_upn: &str) -> Result<GraphUser, GraphError> {
        let user = validate_user_ref(id_or_upn).map_err(|reason| GraphError::InvalidInput {
            input: id_or_upn.to_owned(),
            reason,
        })?;
        let path = user.users_path();
        let segments: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut url = self.environment.graph_url(&segments);
        url.query_pairs_mut()
            .append_pair("$select", "id,userPrincipalName,displayName,mail");
        let mut req = Request::new(Method::GET, url);
        req.headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        self.http
            .send_json::<GraphUser>(&req, Some(&self.bearer))
            .await
            .map_err(|e| {
                map_http_error(e, &format!("user '{}'", id_or_upn.trim()), "User.Read.All")
            })
    }
}
