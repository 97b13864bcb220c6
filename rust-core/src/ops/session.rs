//! Connecting: from what the admin typed to signed-in Exchange and Graph clients.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::error::{FailureKind, OpError};
use super::log_sink::{CallScopedHttpLogger, LogLevel, log};
use crate::auth::{
    AssertionAlgorithm, CertificateSigner, Credential, DeviceCodeConfig, DeviceCodePrompt,
    InteractiveConfig, ManagedIdentityConfig, TokenProvider, unverified_tenant_id,
};
use crate::cloud::{
    Cloud, EndpointError, EndpointOverrides, Environment, Resource, environment_with_overrides,
};
use crate::exo::{ExchangeClient, ExchangeOptions};
use crate::graph::GraphClient;
use crate::http::{HttpClient, HttpOptions, ProxyConfig, explicit_proxy};
use crate::secret::{ExposeSecret, SecretString};

/// How to sign in.
pub enum ConnectMethod {
    ClientSecret {
        client_id: String,
        secret: SecretString,
    },
    CertificateFile {
        client_id: String,
        path: PathBuf,
        password: SecretString,
    },
    CertificatePem {
        client_id: String,
        certificate_pem: String,
        private_key_pem: SecretString,
    },
    /// The key stays with the caller (C#: the certificate store, a smart card, an HSM); `sign`
    /// is called for every assertion, including token refreshes long after connect.
    CertificateWithSigner {
        client_id: String,
        certificate_pem: String,
        sign: crate::auth::SignFn,
    },
    /// `endpoint` `None`: IDENTITY_ENDPOINT / IDENTITY_HEADER from the environment (Azure Automation).
    ManagedIdentity {
        client_id: Option<String>,
        endpoint: Option<(String, SecretString)>,
    },
    DeviceCode {
        client_id: String,
        prompt: Arc<dyn Fn(&DeviceCodePrompt) + Send + Sync>,
        market: Option<String>,
    },
    AccessToken {
        exchange: Option<SecretString>,
        graph: Option<SecretString>,
    },
    /// The system browser (auth code + PKCE); `login_hint` pre-fills the sign-in page.
    Interactive {
        client_id: String,
        open_browser: crate::auth::BrowserCallback,
        login_hint: Option<String>,
        timeout: std::time::Duration,
        pages: crate::auth::LoopbackPages,
    },
}

impl ConnectMethod {
    pub fn name(&self) -> &'static str {
        match self {
            ConnectMethod::ClientSecret { .. } => "ClientSecret",
            ConnectMethod::CertificateFile { .. }
            | ConnectMethod::CertificatePem { .. }
            | ConnectMethod::CertificateWithSigner { .. } => "Certificate",
            ConnectMethod::ManagedIdentity { .. } => "ManagedIdentity",
            ConnectMethod::DeviceCode { .. } => "DeviceCode",
            ConnectMethod::AccessToken { .. } => "AccessToken",
            ConnectMethod::Interactive { .. } => "Interactive",
        }
    }
}

/// Everything `Connect-OutlookQrGuard` collects.
pub struct ConnectSpec {
    pub tenant: String,
    pub environment: String,
    pub authority_uri: Option<String>,
    pub exchange_uri: Option<String>,
    pub graph_uri: Option<String>,
    pub trusted_root_pem: Option<String>,
    pub allow_http_loopback: bool,
    /// `-AllowCustomEndpoint`: overrides to hosts that are neither the cloud's nor loopback.
    pub allow_custom_endpoint: bool,
    pub proxy_uri: Option<String>,
    pub proxy_username: Option<String>,
    pub proxy_password: Option<SecretString>,
    pub legacy_assertion: bool,
    pub user_principal_name: Option<String>,
    pub method: ConnectMethod,
}

/// What a connected session is, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub tenant: String,
    pub organization: String,
    pub environment: String,
    pub method: String,
    pub client_id: String,
    pub user_principal_name: String,
    /// `-Parameter host` of each override only -AllowCustomEndpoint let through; the cmdlet
    /// warns naming them (in the admin's language).
    pub custom_endpoints: Vec<String>,
}

pub struct Session {
    pub summary: SessionSummary,
    pub exchange: ExchangeClient,
    pub graph: GraphClient,
    pub tokens: Arc<TokenProvider>,
}

impl Session {
    /// Signs in and proves it by reading the organization config (so a wrong secret or a
    /// missing Exchange role fails here, not in the middle of an export).
    pub async fn connect(spec: ConnectSpec, cancel: CancellationToken) -> Result<Session, OpError> {
        let tenant = spec.tenant.trim().to_owned();
        if tenant.is_empty() {
            return Err(OpError::invalid(
                "-TenantId / -Organization is required: the tenant's ID or its domain (contoso.onmicrosoft.com)",
            ));
        }
        let (environment, custom_endpoints) = environment(&spec)?;
        let proxy = match &spec.proxy_uri {
            Some(uri) => explicit_proxy(uri, spec.proxy_username, spec.proxy_password)?,
            None => ProxyConfig::System,
        };
        // Shown in messages: the URI without any credentials.
        let proxy_shown = match &proxy {
            ProxyConfig::Explicit { url, .. } => Some(url.clone()),
            _ => None,
        };
        let http = HttpClient::new(HttpOptions {
            proxy,
            extra_root_certificates_pem: spec.trusted_root_pem.iter().cloned().collect(),
            allow_plain_http_to_loopback: spec.allow_http_loopback,
            logger: Arc::new(CallScopedHttpLogger),
            ..HttpOptions::default()
        })?;
        let method_name = spec.method.name().to_owned();
        // In the browser the admin may pick another account than -UserPrincipalName suggested
        // (prompt=select_account): the account that signed in is the one Exchange must anchor on.
        let signed_in_user_first = matches!(spec.method, ConnectMethod::Interactive { .. });
        let algorithm = if spec.legacy_assertion {
            AssertionAlgorithm::Rs256
        } else {
            AssertionAlgorithm::Ps256
        };
        let (credential, client_id) = credential(spec.method, &tenant, algorithm, cancel)?;
        let app_only = credential.is_app_only();
        let tokens = TokenProvider::new(credential, environment.clone(), http);
        // A refused or unreachable proxy reads like an unreachable service: say which it was.
        let blame_proxy = |e: OpError| match (&proxy_shown, e.kind) {
            (Some(proxy), FailureKind::Connection) => OpError {
                message: format!(
                    "{} The requests went through the proxy '{proxy}': check that it runs and can be reached.",
                    e.message
                ),
                ..e
            },
            _ => e,
        };
        log(
            LogLevel::Info,
            format!(
                "Signing in to tenant '{tenant}' ({}, {method_name})",
                environment.name()
            ),
        );

        // The Exchange token comes first: its `tid` names the tenant to address, and a
        // delegated sign-in knows its admin only once signed in.
        let exchange_token = tokens
            .token(Resource::Exchange)
            .await
            .map_err(|e| blame_proxy(e.into()))?;
        let tenant_id = unverified_tenant_id(exchange_token.expose_secret());
        let user = if app_only {
            String::new()
        } else if signed_in_user_first {
            tokens
                .signed_in_user()
                .or_else(|| spec.user_principal_name.clone())
                .unwrap_or_default()
        } else {
            spec.user_principal_name
                .clone()
                .or_else(|| tokens.signed_in_user())
                .unwrap_or_default()
        };
        let exchange_options = exchange_options(&tenant, tenant_id, &user)?;
        if exchange_options.tenant != tenant {
            log(
                LogLevel::Info,
                format!(
                    "Exchange Online calls address the tenant ID '{}' (from the sign-in token) rather than '{tenant}'",
                    exchange_options.tenant
                ),
            );
        }
        let exchange = ExchangeClient::new(Arc::clone(&tokens), exchange_options);
        let graph = GraphClient::new(Arc::clone(&tokens));
        let config = exchange
            .get_organization_config()
            .await
            .map_err(|e| blame_proxy(e.into()))?;
        let organization = config.name.unwrap_or_else(|| tenant.clone());
        log(LogLevel::Info, format!("Connected to '{organization}'"));
        Ok(Session {
            summary: SessionSummary {
                tenant,
                organization,
                environment: environment.name().to_owned(),
                method: method_name,
                client_id,
                user_principal_name: user,
                custom_endpoints,
            },
            exchange,
            graph,
            tokens,
        })
    }
}

/// Where Exchange calls go and how they are anchored. App-only calls use the tenant id (from
/// the token, else -Organization if it is one) in the URL and the anchor, whatever domain the
/// admin typed: a custom domain in the URL breaks paging past page 1 (see
/// `ExchangeOptions::app_only_tenant_id`). Delegated calls anchor on the admin (`UPN:`); their
/// URL takes the tenant id too (UNCONFIRMED for delegated: the reports and CIPP are app-only;
/// the id names the same organization as any of its domains).
fn exchange_options(
    tenant: &str,
    token_tenant_id: Option<Uuid>,
    user: &str,
) -> Result<ExchangeOptions, OpError> {
    let tenant_id = token_tenant_id.or_else(|| Uuid::parse_str(tenant).ok());
    if !user.is_empty() {
        let url_tenant = tenant_id.map_or_else(|| tenant.to_owned(), |id| id.to_string());
        return Ok(ExchangeOptions::delegated(&url_tenant, user));
    }
    match tenant_id {
        Some(id) => Ok(ExchangeOptions::app_only_tenant_id(id)),
        // A token without `tid` (not a JWT): the domain is all there is.
        None if tenant.contains('.') => Ok(ExchangeOptions::app_only(tenant)),
        None => Err(OpError::invalid(format!(
            "'{tenant}' is neither a tenant ID (a GUID) nor a domain (contoso.onmicrosoft.com), and the Exchange token does not name its tenant: pass one of those to -Organization"
        ))
        .with_target(tenant.to_owned())),
    }
}

/// The cloud's endpoints with the admin's overrides, and the hosts only -AllowCustomEndpoint let
/// through.
fn environment(spec: &ConnectSpec) -> Result<(Environment, Vec<String>), OpError> {
    let cloud = Cloud::parse(&spec.environment).ok_or_else(|| {
        OpError::invalid(format!(
            "'{}' is not a known environment; use Global, USGovGCCHigh, USGovDoD or China",
            spec.environment
        ))
        .with_target(spec.environment.clone())
    })?;
    let checked = environment_with_overrides(
        cloud,
        EndpointOverrides {
            authority: spec.authority_uri.as_deref(),
            exchange: spec.exchange_uri.as_deref(),
            graph: spec.graph_uri.as_deref(),
        },
        spec.allow_custom_endpoint,
    )
    .map_err(|e| {
        let target = match &e {
            EndpointError::OtherCloud { host, .. } | EndpointError::NotOfTheCloud { host, .. } => {
                host.clone()
            }
            EndpointError::BadUrl(_) => String::new(),
        };
        OpError::invalid(e.to_string()).with_target(target)
    })?;
    if !checked.custom_hosts.is_empty() {
        log(
            LogLevel::Info,
            format!(
                "-AllowCustomEndpoint: the {} tokens also go to {}",
                cloud.parameter_value(),
                checked.custom_hosts.join(", ")
            ),
        );
    }
    Ok((checked.environment, checked.custom_hosts))
}

fn credential(
    method: ConnectMethod,
    tenant: &str,
    algorithm: AssertionAlgorithm,
    cancel: CancellationToken,
) -> Result<(Credential, String), OpError> {
    let tenant = tenant.to_owned();
    Ok(match method {
        ConnectMethod::ClientSecret { client_id, secret } => (
            Credential::ClientSecret {
                tenant,
                client_id: client_id.clone(),
                secret,
            },
            client_id,
        ),
        ConnectMethod::CertificateFile {
            client_id,
            path,
            password,
        } => {
            let signer = CertificateSigner::from_pfx_file(&path, &password).map_err(|e| {
                let e = OpError::from(e);
                OpError {
                    message: format!(
                        "The certificate file '{}' could not be used. {}",
                        path.display(),
                        e.message
                    ),
                    target: path.display().to_string(),
                    ..e
                }
            })?;
            (
                Credential::Certificate {
                    tenant,
                    client_id: client_id.clone(),
                    signer: Arc::new(signer),
                    algorithm,
                },
                client_id,
            )
        }
        ConnectMethod::CertificatePem {
            client_id,
            certificate_pem,
            private_key_pem,
        } => {
            let signer = CertificateSigner::from_pem(&certificate_pem, &private_key_pem)?;
            (
                Credential::Certificate {
                    tenant,
                    client_id: client_id.clone(),
                    signer: Arc::new(signer),
                    algorithm,
                },
                client_id,
            )
        }
        ConnectMethod::CertificateWithSigner {
            client_id,
            certificate_pem,
            sign,
        } => {
            let signer = crate::auth::ExternalSigner::new(&certificate_pem, sign)?;
            (
                Credential::Certificate {
                    tenant,
                    client_id: client_id.clone(),
                    signer: Arc::new(signer),
                    algorithm,
                },
                client_id,
            )
        }
        ConnectMethod::ManagedIdentity {
            client_id,
            endpoint,
        } => {
            let shown = client_id
                .clone()
                .unwrap_or_else(|| "system-assigned".to_owned());
            let config = match endpoint {
                Some((url, header)) => ManagedIdentityConfig::new(&url, header, client_id)?,
                None => ManagedIdentityConfig::from_environment(client_id)?,
            };
            (Credential::ManagedIdentity(config), shown)
        }
        ConnectMethod::DeviceCode {
            client_id,
            prompt,
            market,
        } => {
            let prompt: crate::auth::DeviceCodeCallback = prompt;
            (
                Credential::DeviceCode(DeviceCodeConfig {
                    tenant,
                    client_id: client_id.clone(),
                    prompt,
                    cancel,
                    market,
                }),
                client_id,
            )
        }
        ConnectMethod::Interactive {
            client_id,
            open_browser,
            login_hint,
            timeout,
            pages,
        } => (
            Credential::Interactive(InteractiveConfig {
                tenant,
                client_id: client_id.clone(),
                login_hint,
                open_browser,
                cancel,
                timeout,
                pages,
            }),
            client_id,
        ),
        ConnectMethod::AccessToken { exchange, graph } => {
            if exchange.is_none() && graph.is_none() {
                return Err(OpError::new(
                    FailureKind::InvalidArgument,
                    "-AccessToken needs at least one token (Exchange or Graph)",
                ));
            }
            (Credential::AccessTokens { exchange, graph }, String::new())
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::exo::AnchorMailbox;

    const TID: Uuid = uuid::uuid!("72f988bf-86f1-41af-91ab-2d7cd011db47");

    #[test]
    fn app_only_uses_the_token_tenant_id_whatever_was_typed() {
        for typed in ["contoso.com", "contoso.onmicrosoft.com", &TID.to_string()] {
            let o = exchange_options(typed, Some(TID), "").unwrap();
            assert_eq!(o.tenant, TID.to_string(), "{typed}");
            assert_eq!(o.anchor, AnchorMailbox::AppOnlyTenantId { tenant_id: TID });
        }
    }

    #[test]
    fn without_tid_a_typed_guid_or_domain_is_used_and_anything_else_refused() {
        let upper = TID.to_string().to_uppercase();
        let o = exchange_options(&upper, None, "").unwrap();
        assert_eq!(o.tenant, TID.to_string());
        let o = exchange_options("contoso.onmicrosoft.com", None, "").unwrap();
        assert_eq!(o.tenant, "contoso.onmicrosoft.com");
        assert_eq!(
            o.anchor,
            AnchorMailbox::AppOnly {
                organization_domain: "contoso.onmicrosoft.com".into()
            }
        );
        let e = exchange_options("contoso", None, "").unwrap_err();
        assert!(e.message.contains("'contoso'"), "{}", e.message);
    }

    #[test]
    fn delegated_anchors_on_the_admin_and_addresses_the_tenant_id() {
        let o = exchange_options("contoso.com", Some(TID), "admin@contoso.com").unwrap();
        assert_eq!(o.tenant, TID.to_string());
        assert_eq!(
            o.anchor,
            AnchorMailbox::Delegated {
                user_principal_name: "admin@contoso.com".into()
            }
        );
        let o = exchange_options("contoso.com", None, "admin@contoso.com").unwrap();
        assert_eq!(o.tenant, "contoso.com");
    }
}
