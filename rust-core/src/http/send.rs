//! The retry loop every request goes through.

use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::snippet;
use super::{
    HttpClient, HttpError, Request, RequestLogEntry, RetryLogEntry, RetryReason, StatusFailure,
    parse_retry_after,
};
use crate::auth::AuthError;
use crate::secret::{ExposeSecret, SecretString};

/// Bodies above this are refused rather than buffered (an InvokeCommand page of 1000 devices is
/// a few MB).
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Supplies the bearer token for one resource and drops it when the service rejects it.
pub trait BearerSource: Send + Sync {
    fn bearer(&self) -> BoxFuture<'_, Result<SecretString, AuthError>>;
    /// The service answered 401 to `token`: forget it (if it is still the cached one) so the
    /// next `bearer()` fetches a new one.
    fn reject(&self, token: &SecretString);
    /// Whether this token may travel to `url` (the session's host for its resource only).
    fn admits(&self, url: &url::Url) -> bool;
}

/// A complete response (body buffered).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Attempts it took, the successful one included.
    pub attempts: u32,
}

enum Attempt {
    Done(Response),
    Failed(reqwest::Error),
}

/// A failed attempt that may be retried; `error` is returned if the budget is spent.
struct Retryable {
    error: HttpError,
    reason: RetryReason,
    status: Option<u16>,
    server_delay: Option<Duration>,
}

impl HttpClient {
    /// Sends with retries; parses 2xx bodies with `parse` (a parse failure is retried like a
    /// transient fault, then becomes `HttpError::Protocol`). Non-2xx → `HttpError::Status`.
    pub async fn send<T>(
        &self,
        request: &Request,
        bearer: Option<&dyn BearerSource>,
        parse: impl Fn(&Response) -> Result<T, String>,
    ) -> Result<T, HttpError> {
        let client = self.client_for(request)?;
        // Defence in depth behind the override policy (cloud::environment_with_overrides) and
        // the next-link checks: a token never leaves for a host it was not meant for.
        if let Some(b) = bearer
            && !b.admits(&request.url)
        {
            return Err(HttpError::BearerRefused {
                host: request.url.host_str().unwrap_or("").to_owned(),
            });
        }
        let policy = &self.inner.retry;
        let method = request.method.to_string();
        let path = request.url.path().to_owned();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut token_refreshed = false;
        let mut malformed: u32 = 0;
        loop {
            attempt += 1;
            let token = match bearer {
                Some(b) => Some(b.bearer().await?),
                None => None,
            };
            // A new id per attempt, so each try can be found on its own: Graph's best practices
            // ("send a new GUID in client-request-id on every request", see
            // ../shared/docs/entra-auth-and-graph.md [G-best-practices]); for Exchange the
            // module-less callers do the same inside their retry loop (GreyCorbel/ExoHelper
            // Invoke-ExoCommand: "new request id for each request").
            let crid = Uuid::new_v4();
            let t0 = Instant::now();
            let outcome = self
                .attempt_once(client, request, token.as_ref(), crid)
                .await;
            self.inner.logger.request(&RequestLogEntry {
                method: method.clone(),
                path: path.clone(),
                status: match &outcome {
                    Attempt::Done(r) => Some(r.status.as_u16()),
                    Attempt::Failed(e) => e.status().map(|s| s.as_u16()),
                },
                duration: t0.elapsed(),
                retry_count: attempt - 1,
                client_request_id: crid,
            });

            let retryable = match outcome {
                Attempt::Failed(e) => {
                    let safe = request.idempotent || e.is_connect();
                    // An untrusted certificate is the same on every attempt: fail at once.
                    let transient = !is_certificate_error(&e)
                        && (e.is_connect()
                            || e.is_timeout()
                            || e.is_request()
                            || e.is_body()
                            || e.is_decode());
                    let err = HttpError::Transport {
                        method: method.clone(),
                        path: path.clone(),
                        host: request.url.host_str().unwrap_or("").to_owned(),
                        attempts: attempt,
                        reason: describe_reqwest_error(&e),
                    };
                    if !(safe && transient) {
                        return Err(err);
                    }
                    retry(err, RetryReason::Connection, None, None)
                }
                Attempt::Done(mut response) => {
                    response.attempts = attempt;
                    let status = response.status;
                    if status.is_success() {
                        match parse(&response) {
                            Ok(value) => return Ok(value),
                            Err(reason) => {
                                let err = HttpError::Protocol {
                                    method: method.clone(),
                                    path: path.clone(),
                                    reason,
                                    snippet: if request.secret_response {
                                        "(withheld: the response may contain a token)".to_owned()
                                    } else {
                                        snippet(&response.body, 120)
                                    },
                                    attempts: attempt,
                                };
                                malformed += 1;
                                // The service acted on a request that is not safe to resend;
                                // only its reply is broken. The caller decides (it can check).
                                if !request.idempotent || malformed > policy.max_malformed_retries {
                                    return Err(err);
                                }
                                retry(
                                    err,
                                    RetryReason::MalformedResponse,
                                    Some(status.as_u16()),
                                    None,
                                )
                            }
                        }
                    } else {
                        let server_delay = response
                            .headers
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, SystemTime::now()));
                        let err = HttpError::Status(Box::new(StatusFailure {
                            method: method.clone(),
                            path: path.clone(),
                            status: status.as_u16(),
                            headers: response.headers,
                            body: response.body,
                            attempts: attempt,
                            client_request_id: crid,
                        }));
                        match status.as_u16() {
                            401 if bearer.is_some() && !token_refreshed => {
                                token_refreshed = true;
                                if let (Some(b), Some(t)) = (bearer, token.as_ref()) {
                                    b.reject(t);
                                }
                                self.inner.logger.retry(&RetryLogEntry {
                                    method: method.clone(),
                                    path: path.clone(),
                                    status: Some(401),
                                    reason: RetryReason::TokenRejected,
                                    attempt,
                                    delay: Duration::ZERO,
                                });
                                continue;
                            }
                            429 => retry(err, RetryReason::Throttled, Some(429), server_delay),
                            // A 503 to a request that is not safe to resend may come after
                            // the service acted: the caller does its lost-reply lookup.
                            500 | 502 | 503 | 504 if request.idempotent => retry(
                                err,
                                RetryReason::ServerError,
                                Some(status.as_u16()),
                                server_delay,
                            ),
                            _ => return Err(err),
                        }
                    }
                }
            };

            let Retryable {
                error: last_error,
                reason,
                status,
                server_delay,
            } = retryable;
            if attempt >= policy.max_attempts {
                return Err(last_error);
            }
            let delay = match server_delay {
                Some(d) if d > policy.max_retry_after => return Err(last_error),
                Some(d) => d,
                None => policy.backoff(attempt, &mut rand::rng()),
            };
            if started.elapsed() + delay > policy.max_elapsed {
                return Err(last_error);
            }
            self.inner.logger.retry(&RetryLogEntry {
                method: method.clone(),
                path: path.clone(),
                status,
                reason,
                attempt,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// `send` with a JSON body parsed into `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        request: &Request,
        bearer: Option<&dyn BearerSource>,
    ) -> Result<T, HttpError> {
        self.send(request, bearer, |r| parse_json(&r.body)).await
    }

    /// `send` returning the raw 2xx response.
    pub async fn send_raw(
        &self,
        request: &Request,
        bearer: Option<&dyn BearerSource>,
    ) -> Result<Response, HttpError> {
        self.send(request, bearer, |r| Ok(r.clone())).await
    }

    async fn attempt_once(
        &self,
        client: &reqwest::Client,
        request: &Request,
        token: Option<&SecretString>,
        crid: Uuid,
    ) -> Attempt {
        let mut builder = client
            .request(request.method.clone(), request.url.clone())
            .headers(request.headers.clone());
        if let Ok(v) = HeaderValue::from_str(&crid.to_string()) {
            builder = builder.header("client-request-id", v);
        }
        if let Some(token) = token {
            match HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    builder = builder.header(AUTHORIZATION, v);
                }
                Err(_) => {
                    // A token with characters a header cannot carry: send none and let the
                    // service answer 401 (never echo the value).
                }
            }
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Failed(e),
        };
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        // Reserve what the server announced (a 2 MB page otherwise grows by doubling, copying
        // itself several times); capped so a hostile Content-Length reserves nothing huge.
        let announced = response.content_length().unwrap_or(0);
        let mut body = BytesMut::with_capacity(announced.min(MAX_BODY_BYTES as u64) as usize);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        // Treat like a malformed body: the parser will reject the cut text.
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Attempt::Failed(e),
            }
        }
        Attempt::Done(Response {
            status,
            headers,
            body: body.freeze(),
            attempts: 0,
        })
    }
}

fn retry(
    error: HttpError,
    reason: RetryReason,
    status: Option<u16>,
    server_delay: Option<Duration>,
) -> Retryable {
    Retryable {
        error,
        reason,
        status,
        server_delay,
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("JSON: {e}"))
}

/// True when TLS refused the server's certificate (untrusted issuer, wrong name, expired).
fn is_certificate_error(e: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let refused = |tls: &rustls::Error| {
        matches!(
            tls,
            rustls::Error::InvalidCertificate(_) | rustls::Error::InvalidCertRevocationList(_)
        )
    };
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return refused(tls);
        }
        // io::Error's source() skips the error it wraps, and rustls' error travels wrapped in one.
        if let Some(tls) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return refused(tls);
        }
        // Some layers re-wrap the TLS error as text only; rustls words it this way.
        if s.source().is_none() && s.to_string().starts_with("invalid peer certificate") {
            return true;
        }
        source = s.source();
    }
    false
}

/// reqwest's Display for an error can include the full URL (with query); keep it to the
/// error kind and the innermost cause.
fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if is_certificate_error(e) {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut innermost = String::new();
        while let Some(s) = source {
            innermost = s.to_string();
            source = s.source();
        }
        return format!(
            "the server's TLS certificate is not trusted ({innermost}); if a proxy inspects TLS, pass its root certificate with -TrustedRootCertificatePath"
        );
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the response"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    match innermost {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_owned(),
    }
}
