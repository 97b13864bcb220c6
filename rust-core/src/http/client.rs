//! Building the reqwest clients and choosing one per URL.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;
use url::Url;

use super::{HttpError, HttpLogger, NoopLogger, RetryPolicy, is_loopback, tls};
use crate::secret::{ExposeSecret, SecretString};

/// How outbound requests reach the internet. Loopback always bypasses any proxy.
#[derive(Debug, Clone, Default)]
pub enum ProxyConfig {
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY`, and the Windows/macOS system
    /// settings (reqwest's `system-proxy`).
    #[default]
    System,
    /// Direct connections only.
    None,
    /// One proxy for everything, like `-Proxy <uri> [-ProxyCredential]`.
    Explicit {
        url: String,
        username: Option<String>,
        password: Option<SecretString>,
    },
}

pub struct HttpOptions {
    pub proxy: ProxyConfig,
    /// PEM certificates trusted in addition to the platform roots (corporate TLS inspection,
    /// the tenant emulator's test CA).
    pub extra_root_certificates_pem: Vec<String>,
    /// Permits `http://` to loopback hosts (the emulator's plain mode). Off by default.
    pub allow_plain_http_to_loopback: bool,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Per attempt, headers and body included.
    pub attempt_timeout: Duration,
    pub user_agent: String,
    pub logger: Arc<dyn HttpLogger>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            proxy: ProxyConfig::System,
            extra_root_certificates_pem: Vec::new(),
            allow_plain_http_to_loopback: false,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(120),
            user_agent: format!("OutlookQrGuard/{}", crate::build_info::VERSION),
            logger: Arc::new(NoopLogger),
        }
    }
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("proxy", &self.proxy)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates_pem.len(),
            )
            .field(
                "allow_plain_http_to_loopback",
                &self.allow_plain_http_to_loopback,
            )
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// One logical request; the retry loop re-sends it as often as needed.
#[derive(Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
    /// Safe to resend after a 5xx or a broken connection.
    pub idempotent: bool,
    /// The 2xx body may hold secrets (token responses): never quote it in errors.
    pub secret_response: bool,
    /// Never through a proxy (the managed-identity endpoint), and plain HTTP allowed when the
    /// host is loopback (App Service / Automation serve `http://127.0.0.1:…`).
    pub local_endpoint: bool,
}

/// Method and path only: bodies carry client secrets and assertions, queries skip tokens.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.url.path())
            .field("body_bytes", &self.body.as_ref().map(|b| b.len()))
            .finish_non_exhaustive()
    }
}

impl Request {
    pub fn new(method: Method, url: Url) -> Request {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: true,
            secret_response: false,
            local_endpoint: false,
        }
    }
}

/// Shared by every service client; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) proxied: reqwest::Client,
    pub(super) direct: reqwest::Client,
    pub(super) allow_plain_http_to_loopback: bool,
    pub(super) retry: RetryPolicy,
    pub(super) logger: Arc<dyn HttpLogger>,
}

impl HttpClient {
    pub fn new(options: HttpOptions) -> Result<HttpClient, HttpError> {
        tls::install_crypto_provider();
        let extra = tls::parse_extra_roots(&options.extra_root_certificates_pem)?;
        let proxied = build_client(&options, &extra, Some(&options.proxy))?;
        let direct = build_client(&options, &extra, None)?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                proxied,
                direct,
                allow_plain_http_to_loopback: options.allow_plain_http_to_loopback,
                retry: options.retry,
                logger: options.logger,
            }),
        })
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub fn logger(&self) -> &Arc<dyn HttpLogger> {
        &self.inner.logger
    }

    /// The TLS rule and the proxy bypass, applied to every URL before it is sent.
    pub(super) fn client_for(&self, request: &Request) -> Result<&reqwest::Client, HttpError> {
        let url = &request.url;
        let loopback = is_loopback(url);
        match url.scheme() {
            "https" => {}
            "http"
                if loopback
                    && (self.inner.allow_plain_http_to_loopback || request.local_endpoint) => {}
            _ => {
                return Err(HttpError::PlainHttpRefused {
                    url: format!(
                        "{}://{}{}",
                        url.scheme(),
                        url.host_str().unwrap_or(""),
                        url.port().map(|p| format!(":{p}")).unwrap_or_default()
                    ),
                });
            }
        }
        Ok(if loopback || request.local_endpoint {
            &self.inner.direct
        } else {
            &self.inner.proxied
        })
    }
}

fn build_client(
    options: &HttpOptions,
    extra_roots: &[reqwest::Certificate],
    proxy: Option<&ProxyConfig>,
) -> Result<reqwest::Client, HttpError> {
    let base = || -> Result<reqwest::ClientBuilder, HttpError> {
        let mut b = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(options.attempt_timeout)
            // APIs here never redirect; following one could carry a bearer token elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        b = match proxy {
            None | Some(ProxyConfig::None) => b.no_proxy(),
            Some(ProxyConfig::System) => b,
            Some(ProxyConfig::Explicit {
                url,
                username,
                password,
            }) => {
                let mut p = reqwest::Proxy::all(url.as_str())
                    .map_err(|e| HttpError::Build(format!("proxy '{url}': {e}")))?;
                if let Some(user) = username {
                    let pass = password.as_ref().map(|s| s.expose_secret()).unwrap_or("");
                    p = p.basic_auth(user, pass);
                }
                b.no_proxy().proxy(p)
            }
        };
        Ok(b)
    };
    // Platform roots (Windows/macOS stores, Linux CA files) plus the extras.
    match base()?.tls_certs_merge(extra_roots.iter().cloned()).build() {
        Ok(c) => Ok(c),
        // A Linux host without a CA bundle: fall back to the bundled Mozilla roots.
        Err(first) => {
            let mut config = tls::bundled_roots_config(&options.extra_root_certificates_pem)?;
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            base()?
                .tls_backend_preconfigured(config)
                .build()
                .map_err(|e| HttpError::Build(format!("{first}; with bundled roots: {e}")))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn client(allow_plain: bool) -> HttpClient {
        HttpClient::new(HttpOptions {
            allow_plain_http_to_loopback: allow_plain,
            ..HttpOptions::default()
        })
        .unwrap()
    }

    fn req(url: &str) -> Request {
        Request::new(Method::GET, Url::parse(url).unwrap())
    }

    #[test]
    fn plain_http_only_to_allowed_loopback() {
        let strict = client(false);
        assert!(
            strict
                .client_for(&req("https://graph.microsoft.com/"))
                .is_ok()
        );
        assert!(matches!(
            strict.client_for(&req("http://127.0.0.1:9/")),
            Err(HttpError::PlainHttpRefused { .. })
        ));
        let lax = client(true);
        assert!(lax.client_for(&req("http://127.0.0.1:9/")).is_ok());
        assert!(lax.client_for(&req("http://example.com/")).is_err());
        assert!(lax.client_for(&req("ftp://127.0.0.1/")).is_err());
        // The managed-identity endpoint is plain loopback HTTP by design.
        let mut mi = req("http://127.0.0.1:20072/oauth2/token");
        mi.local_endpoint = true;
        assert!(strict.client_for(&mi).is_ok());
        let mut remote_mi = req("http://169.254.1.1/token");
        remote_mi.local_endpoint = true;
        assert!(strict.client_for(&remote_mi).is_err());
    }

    #[test]
    fn request_debug_shows_no_body_or_query() {
        let mut r = req("https://login.example/t/oauth2/v2.0/token?x=skip-secret");
        r.body = Some(Bytes::from_static(b"client_secret=s3cr3t-value"));
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("skip-secret"),
            "{shown}"
        );
        assert!(shown.contains("/t/oauth2/v2.0/token"));
    }

    #[test]
    fn bad_extra_ca_is_a_build_error() {
        let r = HttpClient::new(HttpOptions {
            extra_root_certificates_pem: vec!["not a pem".into()],
            ..HttpOptions::default()
        });
        assert!(matches!(r, Err(HttpError::Build(_))));
    }

    #[test]
    fn debug_of_proxy_credentials_redacts_password() {
        let p = ProxyConfig::Explicit {
            url: "http://proxy:8080".into(),
            username: Some("u".into()),
            password: Some(crate::secret::secret("proxy-pass-123")),
        };
        assert!(!format!("{p:?}").contains("proxy-pass-123"));
    }
}
