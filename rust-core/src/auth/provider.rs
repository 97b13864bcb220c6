//! Turns a `Credential` into cached access tokens per resource.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::assertion::{build_assertion, thumbprint_text};
use super::cache::{CachedToken, TokenCache};
use super::device_code::{self, PollAnswer, interpret_poll_error};
use super::error::{ClientContext, classify_entra};
use super::interactive;
use super::jwt::{unverified_claims, unverified_expiry};
use super::token_endpoint::{EndpointError, IssuedToken, request_token};
use super::{AuthError, Credential, managed_identity};
use crate::cloud::{Environment, Resource};
use crate::http::{BearerSource, HttpClient};
use crate::secret::{ExposeSecret, SecretString};

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub struct TokenProvider {
    credential: Credential,
    environment: Environment,
    http: HttpClient,
    cache: TokenCache,
    /// Delegated sign-in state; the lock also serialises sign-in and refresh-token use, since
    /// each use rotates the refresh token.
    delegated: tokio::sync::Mutex<Option<SecretString>>,
    signed_in_user: Mutex<Option<String>>,
    rejected_supplied: Mutex<Vec<Resource>>,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("credential", &self.credential)
            .field("environment", &self.environment.name())
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    pub fn new(
        credential: Credential,
        environment: Environment,
        http: HttpClient,
    ) -> Arc<TokenProvider> {
        let signed_in_user = match &credential {
            Credential::AccessTokens { exchange, graph } => exchange
                .iter()
                .chain(graph.iter())
                .find_map(|t| upn_from_claims(t.expose_secret())),
            _ => None,
        };
        Arc::new(TokenProvider {
            credential,
            environment,
            http,
            cache: TokenCache::default(),
            delegated: tokio::sync::Mutex::new(None),
            signed_in_user: Mutex::new(signed_in_user),
            rejected_supplied: Mutex::new(Vec::new()),
        })
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The delegated admin's UPN (from the sign-in's `id_token`, or a supplied token's claims).
    pub fn signed_in_user(&self) -> Option<String> {
        self.signed_in_user.lock().ok().and_then(|g| g.clone())
    }

    /// A valid access token for `resource`, from the cache or freshly obtained.
    pub async fn token(&self, resource: Resource) -> Result<SecretString, AuthError> {
        if let Credential::AccessTokens { exchange, graph } = &self.credential {
            return self.supplied(resource, exchange, graph);
        }
        self.cache
            .get_or_fetch(resource, || self.fetch(resource))
            .await
    }

    /// Forget the cached token for `resource` (the next call fetches a new one).
    pub fn invalidate(&self, resource: Resource) {
        self.cache.invalidate(resource);
        if matches!(self.credential, Credential::AccessTokens { .. }) {
            self.mark_supplied_rejected(resource);
        }
    }

    /// A service rejected `token` (401).
    pub fn reject(&self, resource: Resource, token: &SecretString) {
        match &self.credential {
            Credential::AccessTokens { .. } => self.mark_supplied_rejected(resource),
            _ => self.cache.reject(resource, token),
        }
    }

    /// The `BearerSource` the HTTP layer uses for one resource.
    pub fn bearer(self: &Arc<Self>, resource: Resource) -> ResourceBearer {
        ResourceBearer {
            provider: Arc::clone(self),
            resource,
        }
    }

    fn mark_supplied_rejected(&self, resource: Resource) {
        if let Ok(mut g) = self.rejected_supplied.lock()
            && !g.contains(&resource)
        {
            g.push(resource);
        }
    }

    fn supplied(
        &self,
        resource: Resource,
        exchange: &Option<SecretString>,
        graph: &Option<SecretString>,
    ) -> Result<SecretString, AuthError> {
        let token = match resource {
            Resource::Exchange => exchange,
            Resource::Graph => graph,
            // -AccessToken takes Exchange and Graph tokens only.
            Resource::Monitor => &None,
        }
        .as_ref()
        .ok_or(AuthError::NoTokenForResource { resource })?;
        let rejected = self
            .rejected_supplied
            .lock()
            .map(|g| g.contains(&resource))
            .unwrap_or(false);
        let expired = unverified_expiry(token.expose_secret())
            .is_some_and(|exp| exp <= time::OffsetDateTime::now_utc().unix_timestamp());
        if rejected || expired {
            return Err(AuthError::SuppliedTokenExpired { resource });
        }
        Ok(token.clone())
    }

    async fn fetch(&self, resource: Resource) -> Result<CachedToken, AuthError> {
        let received = Instant::now();
        match &self.credential {
            Credential::ClientSecret {
                tenant,
                client_id,
                secret,
            } => {
                let scope = self.environment.default_scope(resource);
                let form = [
                    ("client_id", client_id.as_str()),
                    ("scope", scope.as_str()),
                    ("client_secret", secret.expose_secret()),
                    ("grant_type", "client_credentials"),
                ];
                let ctx = ClientContext {
                    tenant: tenant.clone(),
                    client_id: client_id.clone(),
                    thumbprint: None,
                };
                let issued = self.post(tenant, &form, &ctx).await?;
                Ok(cached(issued, received))
            }
            Credential::Certificate {
                tenant,
                client_id,
                signer,
                algorithm,
            } => {
                let thumbprint = thumbprint_text(signer.as_ref());
                let now = time::OffsetDateTime::now_utc();
                if let Some(not_after) = signer.not_after().filter(|na| *na <= now) {
                    return Err(AuthError::CertificateExpired {
                        client_id: client_id.clone(),
                        thumbprint,
                        not_after: not_after
                            .format(&time::format_description::well_known::Rfc3339)
                            .ok(),
                    });
                }
                let audience = self.environment.token_endpoint(tenant);
                let assertion = build_assertion(
                    signer.as_ref(),
                    *algorithm,
                    client_id,
                    audience.as_str(),
                    now,
                )?;
                let scope = self.environment.default_scope(resource);
                let form = [
                    ("client_id", client_id.as_str()),
                    ("scope", scope.as_str()),
                    ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                    ("client_assertion", assertion.expose_secret()),
                    ("grant_type", "client_credentials"),
                ];
                let ctx = ClientContext {
                    tenant: tenant.clone(),
                    client_id: client_id.clone(),
                    thumbprint: Some(thumbprint),
                };
                let issued = self.post(tenant, &form, &ctx).await?;
                Ok(cached(issued, received))
            }
            Credential::ManagedIdentity(config) => {
                let t = managed_identity::fetch(
                    &self.http,
                    config,
                    self.environment.resource_uri(resource),
                )
                .await?;
                Ok(CachedToken::new(
                    t.access_token,
                    received,
                    t.expires_in,
                    None,
                ))
            }
            Credential::DeviceCode(_) | Credential::Interactive(_) => {
                self.delegated_token(resource).await
            }
            Credential::AccessTokens { .. } => Err(AuthError::NoTokenForResource { resource }),
        }
    }

    async fn post(
        &self,
        tenant: &str,
        form: &[(&str, &str)],
        ctx: &ClientContext,
    ) -> Result<IssuedToken, AuthError> {
        request_token(&self.http, self.environment.token_endpoint(tenant), form)
            .await
            .map_err(|e| match e {
                EndpointError::Entra(entra) => classify_entra(entra, ctx),
                EndpointError::Other(a) => a,
            })
    }

    /// Uses the rotating refresh token if there is one, else runs the sign-in (device code or
    /// browser).
    async fn delegated_token(&self, resource: Resource) -> Result<CachedToken, AuthError> {
        let (tenant, client_id) = match &self.credential {
            Credential::DeviceCode(c) => (&c.tenant, &c.client_id),
            Credential::Interactive(c) => (&c.tenant, &c.client_id),
            _ => return Err(AuthError::Protocol("not a delegated credential".into())),
        };
        let ctx = ClientContext {
            tenant: tenant.clone(),
            client_id: client_id.clone(),
            thumbprint: None,
        };
        let scope = format!(
            "{} offline_access openid profile",
            self.environment.default_scope(resource)
        );
        let mut refresh_token = self.delegated.lock().await;
        let received = Instant::now();
        let issued = if let Some(rt) = refresh_token.as_ref() {
            let form = [
                ("client_id", client_id.as_str()),
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.expose_secret()),
                ("scope", scope.as_str()),
            ];
            match self.post(tenant, &form, &ctx).await {
                Ok(t) => t,
                Err(e) => {
                    if matches!(e, AuthError::SignInRequired(_)) {
                        *refresh_token = None;
                    }
                    return Err(e);
                }
            }
        } else {
            match &self.credential {
                Credential::DeviceCode(config) => {
                    self.device_code_sign_in(config, &scope, &ctx).await?
                }
                Credential::Interactive(config) => {
                    interactive::sign_in(&self.http, &self.environment, config, &scope, &ctx)
                        .await?
                }
                _ => return Err(AuthError::Protocol("not a delegated credential".into())),
            }
        };
        if let Some(new_rt) = &issued.refresh_token {
            *refresh_token = Some(new_rt.clone());
        }
        if let Some(upn) = &issued.user_principal_name
            && let Ok(mut g) = self.signed_in_user.lock()
        {
            *g = Some(upn.clone());
        }
        Ok(cached(issued, received))
    }

    async fn device_code_sign_in(
        &self,
        config: &super::DeviceCodeConfig,
        scope: &str,
        ctx: &ClientContext,
    ) -> Result<IssuedToken, AuthError> {
        let code = device_code::request_code(
            &self.http,
            self.environment.device_code_endpoint(&config.tenant),
            &config.client_id,
            scope,
            config.market.as_deref(),
        )
        .await
        .map_err(|e| match e {
            EndpointError::Entra(entra) => classify_entra(entra, ctx),
            EndpointError::Other(a) => a,
        })?;
        (config.prompt)(&code.prompt);
        let url = self.environment.token_endpoint(&config.tenant);
        device_code::poll_until_done(
            code.interval,
            code.prompt.expires_in,
            &config.cancel,
            || {
                let url = url.clone();
                let code = &code;
                async move {
                    let form = [
                        ("grant_type", DEVICE_CODE_GRANT),
                        ("client_id", config.client_id.as_str()),
                        ("device_code", code.device_code.expose_secret()),
                    ];
                    match request_token(&self.http, url, &form).await {
                        Ok(t) => Ok(PollAnswer::Done(t)),
                        Err(EndpointError::Entra(e)) => {
                            let text = e.to_string();
                            match e.error.as_str() {
                                "authorization_pending"
                                | "slow_down"
                                | "authorization_declined"
                                | "access_denied"
                                | "expired_token"
                                | "code_expired"
                                | "bad_verification_code" => interpret_poll_error(&e.error, text),
                                _ => Err(classify_entra(e, ctx)),
                            }
                        }
                        Err(EndpointError::Other(a)) => Err(a),
                    }
                }
            },
        )
        .await
    }
}

fn cached(issued: IssuedToken, received: Instant) -> CachedToken {
    CachedToken::new(
        issued.access_token,
        received,
        issued.expires_in,
        issued.refresh_in,
    )
}

fn upn_from_claims(jwt: &str) -> Option<String> {
    let claims = unverified_claims(jwt)?;
    ["upn", "preferred_username", "unique_name"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
}

/// `BearerSource` for one resource of a `TokenProvider`.
#[derive(Clone, Debug)]
pub struct ResourceBearer {
    provider: Arc<TokenProvider>,
    resource: Resource,
}

impl ResourceBearer {
    /// Drop the cached token unconditionally (a per-item 401 inside a `$batch`).
    pub fn invalidate(&self) {
        self.provider.cache.invalidate(self.resource);
    }
}

impl BearerSource for ResourceBearer {
    fn bearer(&self) -> BoxFuture<'_, Result<SecretString, AuthError>> {
        Box::pin(self.provider.token(self.resource))
    }

    fn reject(&self, token: &SecretString) {
        self.provider.reject(self.resource, token);
    }

    fn admits(&self, url: &url::Url) -> bool {
        self.provider
            .environment()
            .admits_bearer(self.resource, url)
    }
}
