//! The one HTTP stack: reqwest 0.13 on rustls (ring), system proxy with a loopback bypass,
//! TLS enforced except to an explicitly allowed loopback, extra trusted CAs, and one retry
//! loop (throttling, 5xx, connection faults, malformed bodies, one token refresh on 401).

mod client;
mod error;
mod log;
mod proxy;
mod retry;
mod send;
mod tls;

pub use client::{HttpClient, HttpOptions, ProxyConfig, Request};
pub use error::{CallIds, HttpError, StatusFailure};
pub use log::{HttpLogger, NoopLogger, RequestLogEntry, RetryLogEntry, RetryReason};
pub use proxy::explicit_proxy;
pub use retry::{RetryPolicy, parse_retry_after};
pub use send::{BearerSource, Response};
pub use tls::install_crypto_provider;

/// Loopback hosts never go through a proxy and may use plain HTTP when the caller allows it.
/// Same scheme, host and port: where a bearer token may follow (the session's endpoint, its
/// next links).
pub fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for u in [
            "http://127.0.0.1:1/x",
            "http://127.9.9.9/",
            "http://[::1]:8080/",
            "http://LOCALHOST/",
        ] {
            assert!(is_loopback(&url::Url::parse(u).unwrap()), "{u}");
        }
        for u in [
            "http://10.0.0.1/",
            "https://graph.microsoft.com/",
            "http://localhost.evil.com/",
        ] {
            assert!(!is_loopback(&url::Url::parse(u).unwrap()), "{u}");
        }
    }
}
