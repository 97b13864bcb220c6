//! `POST {exchange}/adminapi/beta/{tenant}/InvokeCommand` with the module's headers, following
//! `@odata.nextLink` with the same body.

use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;
use reqwest::Method;
use reqwest::header::{ACCEPT, ACCEPT_CHARSET, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use url::Url;
use uuid::Uuid;

use super::error::map_http_error;
use super::page::{RawPage, parse_typed_page};
use super::{ExoError, Page};
use crate::auth::{Credential, ResourceBearer, TokenProvider};
use crate::cloud::Resource;
use crate::http::{HttpClient, Request};

/// The system mailbox every app-only EXO REST call is anchored on.
const APP_ONLY_ANCHOR_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/// `X-AnchorMailbox`: routes the call to the tenant's (or admin's) mailbox server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorMailbox {
    /// App-only: `UPN:SystemMailbox{bb558c35-…}@{organization domain}`.
    AppOnly { organization_domain: String },
    /// Delegated: `UPN:{admin upn}`.
    Delegated { user_principal_name: String },
}

impl AnchorMailbox {
    fn header_value(&self) -> String {
        match self {
            AnchorMailbox::AppOnly {
                organization_domain,
            } => {
                format!("UPN:{APP_ONLY_ANCHOR_MAILBOX}@{organization_domain}")
            }
            AnchorMailbox::Delegated {
                user_principal_name,
            } => format!("UPN:{user_principal_name}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExchangeOptions {
    /// Tenant id or domain in the URL (`-Organization`).
    pub tenant: String,
    pub anchor: AnchorMailbox,
    /// `Prefer: odata.maxpagesize=` (1–1000; callers ask 1000).
    pub page_size: u32,
}

impl ExchangeOptions {
    /// App-only anchored on `organization_domain` (also used as the URL tenant).
    pub fn app_only(organization_domain: &str) -> Self {
        ExchangeOptions {
            tenant: organization_domain.to_owned(),
            anchor: AnchorMailbox::AppOnly {
                organization_domain: organization_domain.to_owned(),
            },
            page_size: 1000,
        }
    }

    pub fn delegated(tenant: &str, admin_upn: &str) -> Self {
        ExchangeOptions {
            tenant: tenant.to_owned(),
            anchor: AnchorMailbox::Delegated {
                user_principal_name: admin_upn.to_owned(),
            },
            page_size: 1000,
        }
    }
}

#[derive(Clone)]
pub struct ExchangeClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    bearer: ResourceBearer,
    url: Url,
    options: ExchangeOptions,
    connection_id: Uuid,
    /// Names the principal in 403 errors.
    principal: String,
    audience: String,
}

impl ExchangeClient {
    pub fn new(tokens: Arc<TokenProvider>, options: ExchangeOptions) -> ExchangeClient {
        let principal = principal_name(tokens.credential());
        ExchangeClient {
            inner: Arc::new(Inner {
                http: tokens.http().clone(),
                url: tokens.environment().invoke_command_url(&options.tenant),
                audience: tokens
                    .environment()
                    .resource_uri(Resource::Exchange)
                    .to_owned(),
                bearer: tokens.bearer(Resource::Exchange),
                options: ExchangeOptions {
                    page_size: options.page_size.clamp(1, 1000),
                    ..options
                },
                connection_id: Uuid::new_v4(),
                principal,
            }),
        }
    }

    /// Runs `cmdlet` and yields its result pages as they arrive. Each page is fetched only
    /// when the stream is polled, so a slow consumer keeps memory flat.
    pub fn invoke<T>(
        &self,
        cmdlet: &str,
        parameters: serde_json::Map<String, serde_json::Value>,
    ) -> impl Stream<Item = Result<Page<T>, ExoError>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        struct State {
            client: ExchangeClient,
            cmdlet: String,
            body: Result<Bytes, String>,
            next: Option<Url>,
            number: u32,
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}
        }))
        .map(Bytes::from)
        .map_err(|e| e.to_string());
        let state = State {
            client: self.clone(),
            cmdlet: cmdlet.to_owned(),
            body,
            next: Some(self.inner.url.clone()),
            number: 0,
        };
        futures::stream::try_unfold(state, |mut s| async move {
            let Some(url) = s.next.take() else {
                return Ok(None);
            };
            let body = s
                .body
                .clone()
                .map_err(|e| ExoError::Protocol(format!("could not encode the request: {e}")))?;
            let raw = s
                .client
                .post_page::<T>(&s.cmdlet, url, body)
                .await?
                .map_err(|(index, reason)| ExoError::UnexpectedObject {
                    cmdlet: s.cmdlet.clone(),
                    index,
                    reason,
                })?;
            s.next = match raw.next_link {
                Some(link) => Some(s.client.checked_next_link(&link)?),
                None => None,
            };
            s.number += 1;
            let page = Page {
                items: raw.value,
                warnings: raw.warnings,
                number: s.number,
            };
            Ok(Some((page, s)))
        })
    }

    /// Runs `cmdlet` and collects every page (for small results such as Get-OrganizationConfig).
    pub async fn invoke_all<T>(
        &self,
        cmdlet: &str,
        parameters: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(Vec<T>, Vec<String>), ExoError>
    where
        T: DeserializeOwned + Send + 'static,
    {
        use futures::TryStreamExt;
        let pages: Vec<Page<T>> = self.invoke(cmdlet, parameters).try_collect().await?;
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        for p in pages {
            items.extend(p.items);
            warnings.extend(p.warnings);
        }
        Ok((items, warnings))
    }

    #[allow(clippy::type_complexity)]
    async fn post_page<T: DeserializeOwned>(
        &self,
        cmdlet: &str,
        url: Url,
        body: Bytes,
    ) -> Result<Result<RawPage<T>, (usize, String)>, ExoError> {
        let mut req = Request::new(Method::POST, url);
        req.headers = self.headers(cmdlet);
        req.body = Some(body);
        self.inner
            .http
            .send(&req, Some(&self.inner.bearer), |r| {
                parse_typed_page::<T>(&r.body)
            })
            .await
            .map_err(|e| map_http_error(e, cmdlet, &self.inner.principal, &self.inner.audience))
    }

    fn headers(&self, cmdlet: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        };
        put("X-AnchorMailbox", self.inner.options.anchor.header_value());
        put(
            CONTENT_TYPE.as_str(),
            "application/json;odata.metadata=minimal;odata.streaming=true".into(),
        );
        put(ACCEPT.as_str(), "application/json".into());
        put(ACCEPT_CHARSET.as_str(), "UTF-8".into());
        put("X-ResponseFormat", "json".into());
        put("X-SerializationLevel", "Partial".into());
        put(
            "Prefer",
            format!("odata.maxpagesize={}", self.inner.options.page_size),
        );
        put("connection-id", self.inner.connection_id.to_string());
        put("X-CmdletName", cmdlet.to_owned());
        h
    }

    /// `@odata.nextLink` is followed as-is, but only on the Exchange host we started on (the
    /// bearer token must not go anywhere else).
    fn checked_next_link(&self, link: &str) -> Result<Url, ExoError> {
        let next = Url::parse(link)
            .map_err(|e| ExoError::Protocol(format!("@odata.nextLink is not a URL: {e}")))?;
        let base = &self.inner.url;
        if next.scheme() != base.scheme()
            || next.host_str() != base.host_str()
            || next.port_or_known_default() != base.port_or_known_default()
        {
            return Err(ExoError::Protocol(format!(
                "@odata.nextLink points to another host ({}); not following it",
                next.host_str().unwrap_or("?")
            )));
        }
        Ok(next)
    }

    pub fn options(&self) -> &ExchangeOptions {
        &self.inner.options
    }
}

fn principal_name(credential: &Credential) -> String {
    match credential {
        Credential::ClientSecret { client_id, .. } | Credential::Certificate { client_id, .. } => {
            format!("app {client_id}")
        }
        Credential::ManagedIdentity(c) => match &c.client_id {
            Some(id) => format!("the user-assigned managed identity {id}"),
            None => "the managed identity of this Automation account".into(),
        },
        Credential::DeviceCode(_) | Credential::AccessTokens { .. } => "the signed-in admin".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn anchor_header_values() {
        assert_eq!(
            AnchorMailbox::AppOnly {
                organization_domain: "contoso.onmicrosoft.com".into()
            }
            .header_value(),
            "UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com"
        );
        assert_eq!(
            AnchorMailbox::Delegated {
                user_principal_name: "admin@contoso.com".into()
            }
            .header_value(),
            "UPN:admin@contoso.com"
        );
    }
}
