//! `POST {exchange}/adminapi/beta/{tenant}/InvokeCommand` with the module's headers, following
//! `@odata.nextLink` with the same body.

use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use reqwest::Method;
use reqwest::header::{ACCEPT, ACCEPT_CHARSET, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use url::Url;
use uuid::Uuid;

use super::error::map_http_error;
use super::page::{parse_typed_page, scan_next_link};
use super::{ExoError, Page};
use crate::auth::{Credential, ResourceBearer, TokenProvider};
use crate::cloud::Resource;
use crate::http::{HttpClient, Request, Response};
use crate::next_link_guard::NextLinkGuard;

/// The system mailbox every app-only EXO REST call is anchored on.
const APP_ONLY_ANCHOR_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

/// `X-AnchorMailbox`: routes the call to the tenant's (or admin's) mailbox server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorMailbox {
    /// App-only, by tenant id: `APP:SystemMailbox{bb558c35-…}@{tenant id}`, as
    /// KelvinTegelaar/CIPP-API `New-ExoRequest.ps1` sends it (with the id in the URL too).
    AppOnlyTenantId { tenant_id: Uuid },
    /// App-only, by domain, when no tenant id is known (a token without `tid`):
    /// `UPN:SystemMailbox{bb558c35-…}@{domain}` (cisagov/ScubaGear `EXORestHelper.psm1`).
    AppOnly { organization_domain: String },
    /// Delegated: `UPN:{admin upn}` (../shared/docs/exchange-admin-rest.md, headers).
    Delegated { user_principal_name: String },
}

impl AnchorMailbox {
    fn header_value(&self) -> String {
        match self {
            AnchorMailbox::AppOnlyTenantId { tenant_id } => {
                format!("APP:{APP_ONLY_ANCHOR_MAILBOX}@{tenant_id}")
            }
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
    /// Tenant id or domain in the URL.
    pub tenant: String,
    pub anchor: AnchorMailbox,
    /// `Prefer: odata.maxpagesize=` (1–1000; callers ask 1000).
    pub page_size: u32,
}

impl ExchangeOptions {
    /// App-only, addressed by tenant id in the URL and the anchor. A custom (vanity) domain
    /// in the URL breaks paging ("Expired or Invalid pagination request" on page 2:
    /// MicrosoftDocs/office-docs-powershell#10907, Microsoft Q&A "answers/questions/1023619");
    /// the id always works, whatever domain the admin typed.
    pub fn app_only_tenant_id(tenant_id: Uuid) -> Self {
        ExchangeOptions {
            tenant: tenant_id.to_string(),
            anchor: AnchorMailbox::AppOnlyTenantId { tenant_id },
            page_size: 1000,
        }
    }

    /// App-only anchored on `organization_domain` (also used as the URL tenant); only for
    /// when the tenant id is unknown.
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

/// One result page as it came off the wire, before parsing: see
/// [`ExchangeClient::invoke_bodies`].
#[derive(Debug, Clone)]
pub struct PageBody {
    cmdlet: Arc<str>,
    /// The POST body, for fetching this page again.
    request: Bytes,
    url: Url,
    body: Bytes,
    /// The link read off the body's end (already checked to stay on the Exchange host).
    next: Option<Url>,
    /// 1-based.
    pub number: u32,
}

impl PageBody {
    /// Bytes of the response body.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// True on the last page.
    pub fn is_last(&self) -> bool {
        self.next.is_none()
    }
}

/// Runs a parse that takes milliseconds (a page of 1000 devices) without stalling the other
/// tasks on this worker thread, where the runtime allows it.
fn cpu_bound<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
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
        let client = self.clone();
        self.invoke_bodies(cmdlet, parameters)
            .and_then(move |body| {
                let client = client.clone();
                async move { client.parse_page_body::<T>(body).await }
            })
    }

    /// Runs `cmdlet` and yields each result page unparsed, with its next link. The next request
    /// is sent as soon as the previous body is in (its link is read off the tail), so parsing
    /// can happen elsewhere, overlapped with the next fetch: see [`Self::parse_page_body`].
    pub fn invoke_bodies(
        &self,
        cmdlet: &str,
        parameters: serde_json::Map<String, serde_json::Value>,
    ) -> impl Stream<Item = Result<PageBody, ExoError>> + Send + 'static {
        struct State {
            client: ExchangeClient,
            cmdlet: Arc<str>,
            body: Result<Bytes, String>,
            next: Option<Url>,
            number: u32,
            links: NextLinkGuard,
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}
        }))
        .map(Bytes::from)
        .map_err(|e| e.to_string());
        let state = State {
            client: self.clone(),
            cmdlet: Arc::from(cmdlet),
            body,
            next: Some(self.inner.url.clone()),
            number: 0,
            // 100 million objects at 1,000 a page: only a misbehaving server gets there.
            links: NextLinkGuard::new(100_000),
        };
        futures::stream::try_unfold(state, |mut s| async move {
            let Some(url) = s.next.take() else {
                return Ok(None);
            };
            let request = s
                .body
                .clone()
                .map_err(|e| ExoError::Protocol(format!("could not encode the request: {e}")))?;
            let (body, link) = s
                .client
                .post(&s.cmdlet, url.clone(), request.clone(), |r| {
                    scan_next_link(&r.body).map(|link| (r.body.clone(), link))
                })
                .await?;
            s.next = match link {
                Some(link) => {
                    s.links.admit(&link).map_err(|e| {
                        ExoError::Protocol(format!("{} page {}: {e}", s.cmdlet, s.number + 1))
                    })?;
                    Some(s.client.checked_next_link(&link)?)
                }
                None => None,
            };
            s.number += 1;
            let page = PageBody {
                cmdlet: Arc::clone(&s.cmdlet),
                request,
                url,
                body,
                next: s.next.clone(),
                number: s.number,
            };
            Ok(Some((page, s)))
        })
    }

    /// Parses a page from [`Self::invoke_bodies`] into `T`s. The body was only checked at its
    /// tail when it was fetched; if the whole of it turns out not to be a page, it is fetched
    /// again (with the usual retries) and parsed inside the retry loop. Either way the parsed
    /// link must be the one already followed, or the listing stops with a protocol error rather
    /// than skip or repeat pages.
    pub async fn parse_page_body<T>(&self, page: PageBody) -> Result<Page<T>, ExoError>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let typed = match cpu_bound(|| parse_typed_page::<T>(&page.body)) {
            Ok(typed) => typed,
            Err(_) => {
                self.post(&page.cmdlet, page.url.clone(), page.request.clone(), |r| {
                    cpu_bound(|| parse_typed_page::<T>(&r.body))
                })
                .await?
            }
        };
        let raw = typed.map_err(|(index, reason)| ExoError::UnexpectedObject {
            cmdlet: page.cmdlet.to_string(),
            index,
            reason,
        })?;
        let parsed_next = match &raw.next_link {
            Some(link) => Some(self.checked_next_link(link)?),
            None => None,
        };
        if parsed_next != page.next {
            return Err(ExoError::Protocol(format!(
                "page {} of {}: the @odata.nextLink in the parsed page differs from the one read off its end",
                page.number, page.cmdlet
            )));
        }
        Ok(Page {
            items: raw.value,
            warnings: raw.warnings,
            number: page.number,
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
        let pages: Vec<Page<T>> = self.invoke(cmdlet, parameters).try_collect().await?;
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        for p in pages {
            items.extend(p.items);
            warnings.extend(p.warnings);
        }
        Ok((items, warnings))
    }

    /// One InvokeCommand POST through the retry loop; `parse` runs on each 2xx body (a failure
    /// is retried like a transient fault).
    async fn post<R>(
        &self,
        cmdlet: &str,
        url: Url,
        body: Bytes,
        parse: impl Fn(&Response) -> Result<R, String>,
    ) -> Result<R, ExoError> {
        let mut req = Request::new(Method::POST, url);
        req.headers = self.headers(cmdlet);
        req.body = Some(body);
        self.inner
            .http
            .send(&req, Some(&self.inner.bearer), parse)
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
        // What ExchangeOnlineManagement sends on every call (its Add-Headers sets
        // `X-ClientApplication = "ExoManagementModule"`, public code find_string id 47202284517;
        // the same value in module-less callers such as GreyCorbel/ExoHelper). `client-request-id`
        // is added per attempt by the HTTP layer (http/send.rs).
        put("X-ClientApplication", "ExoManagementModule".into());
        h
    }

    /// `@odata.nextLink` is followed as-is, but only on the Exchange host we started on (the
    /// bearer token must not go anywhere else).
    fn checked_next_link(&self, link: &str) -> Result<Url, ExoError> {
        let next = Url::parse(link)
            .map_err(|e| ExoError::Protocol(format!("@odata.nextLink is not a URL: {e}")))?;
        let base = &self.inner.url;
        if !crate::http::same_origin(&next, base) {
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

    /// The GUID this connection sends as `connection-id`; the CSV's RunspaceId reuses it.
    pub fn connection_id(&self) -> Uuid {
        self.inner.connection_id
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
        Credential::DeviceCode(_)
        | Credential::Interactive(_)
        | Credential::AccessTokens { .. } => "the signed-in admin".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn anchor_header_values() {
        assert_eq!(
            AnchorMailbox::AppOnlyTenantId {
                tenant_id: uuid::uuid!("72f988bf-86f1-41af-91ab-2d7cd011db47")
            }
            .header_value(),
            "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
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

    async fn emulator_client() -> (tenant_emulator::Emulator, ExchangeClient) {
        let emu = tenant_emulator::Emulator::start(tenant_emulator::EmulatorOptions {
            users: 30,
            devices: 120,
            exo_page_size: 20,
            ..Default::default()
        })
        .await
        .unwrap();
        let base = emu.base_url();
        let http = HttpClient::new(crate::http::HttpOptions {
            extra_root_certificates_pem: vec![emu.ca_certificate_pem()],
            ..Default::default()
        })
        .unwrap();
        let c = emu.credentials();
        let tokens = TokenProvider::new(
            Credential::ClientSecret {
                tenant: c.tenant_id.clone(),
                client_id: c.secret_app.client_id.clone(),
                secret: crate::secret::secret(c.secret_app.client_secret.clone()),
            },
            crate::cloud::Environment::custom(&base, &base, &base).unwrap(),
            http,
        );
        let client = ExchangeClient::new(tokens, ExchangeOptions::app_only(&c.tenant_domain));
        (emu, client)
    }

    async fn first_body(client: &ExchangeClient) -> PageBody {
        use futures::StreamExt;
        let mut bodies = Box::pin(client.invoke_bodies("Get-MobileDevice", serde_json::Map::new()));
        bodies.next().await.unwrap().unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_broken_before_its_intact_tail_is_fetched_again_and_parsed() {
        let (emu, client) = emulator_client().await;
        let good = first_body(&client).await;
        assert!(good.next.is_some(), "the first page names a next one");
        let expected = client
            .parse_page_body::<serde_json::Value>(good.clone())
            .await
            .unwrap();
        // Break the structure in the middle, keep the tail: the fast path still reads the link
        // off the end. (The comma before a member; a changed byte inside a string would still
        // be JSON, which no parser can catch: TLS is what keeps bodies intact.)
        let mut bytes = good.body.to_vec();
        let key = b",\"DeviceId\"";
        let middle = bytes.len() / 3
            + bytes[bytes.len() / 3..]
                .windows(key.len())
                .position(|w| w == key)
                .unwrap();
        bytes[middle] = b'#';
        assert!(super::super::next_link::next_link_from_tail(&bytes).is_some());
        let broken = PageBody {
            body: Bytes::from(bytes),
            ..good.clone()
        };
        emu.reset_journal();
        let page = client
            .parse_page_body::<serde_json::Value>(broken)
            .await
            .unwrap();
        assert_eq!(page, expected, "the re-fetched page is the page");
        assert_eq!(emu.journal().requests.len(), 1, "fetched once more");

        // A link that disagrees with the parsed one stops the listing.
        let mut elsewhere = good.url.clone();
        elsewhere.set_query(Some("$skiptoken=other"));
        let wrong = PageBody {
            next: Some(elsewhere),
            ..good
        };
        let err = client
            .parse_page_body::<serde_json::Value>(wrong)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
    }
}
