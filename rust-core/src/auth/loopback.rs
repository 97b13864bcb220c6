//! The one-shot loopback listener that receives the browser's redirect after an interactive
//! sign-in.
//!
//! - Announced as `http://localhost:{port}`: for a registered `http://localhost` redirect URI
//!   "the port component ... is ignored for the purposes of matching a redirect URI"
//!   (MicrosoftDocs/entra-docs docs/identity-platform/reply-url.md, "Localhost exceptions", after
//!   RFC 8252 §7.3), and MSAL.NET listens on `http://localhost:{port}/`
//!   (`Platforms/Shared/DefaultOSBrowser/HttpListenerInterceptor.cs`). The same page says `[::1]`
//!   is not supported as a redirect URI, so the name stays `localhost`.
//! - Bound to 127.0.0.1 and, when the system has it, to [::1] on the same port, because a
//!   browser may resolve `localhost` to either.
//! - The answer is a `form_post` (the code never appears in a URL or the browser's history):
//!   v2-oauth2-auth-code-flow.md recommends `form_post` "especially when using
//!   `http://localhost` as a redirect URI", and MSAL.NET's `HttpListenerInterceptor` refuses a
//!   GET that carries a code as "a security issue". Errors are accepted by GET as well (they
//!   carry nothing secret).
//! - The first request at `/` that carries `code` or `error` ends the wait, as in MSAL.NET;
//!   a `state` that is not ours fails the sign-in (MSAL.NET: `MsalError.StateMismatchError`).
//!   Other paths (favicon) get 404 and the wait goes on.

use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::AuthError;
use crate::secret::SecretString;

/// Largest redirect body read (a code is a few KB; real form posts stay far below this).
const MAX_BODY: usize = 64 * 1024;
/// How long a browser connection may stay open after the answer was given.
const CONNECTION_GRACE: Duration = Duration::from_secs(30);

/// What came back from the browser.
#[derive(Debug)]
pub(crate) enum RedirectAnswer {
    Code(SecretString),
    Error { error: String, description: String },
}

/// The texts the browser is shown (the Rust core knows no language; C# may pass its own).
#[derive(Debug, Clone)]
pub struct LoopbackPages {
    pub success: String,
    pub failure: String,
}

impl Default for LoopbackPages {
    fn default() -> Self {
        LoopbackPages {
            success: "Sign-in complete. You can close this window and return to PowerShell."
                .to_owned(),
            failure: "Sign-in failed. You can close this window; PowerShell shows what happened."
                .to_owned(),
        }
    }
}

pub(crate) struct LoopbackListener {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
}

impl LoopbackListener {
    /// A free port on 127.0.0.1 (and the same port on [::1] when it can be had).
    pub(crate) async fn bind() -> Result<LoopbackListener, AuthError> {
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|e| AuthError::LoopbackUnavailable(e.to_string()))?;
        let port = v4
            .local_addr()
            .map_err(|e| AuthError::LoopbackUnavailable(e.to_string()))?
            .port();
        let v6 = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
            .await
            .ok();
        Ok(LoopbackListener { v4, v6, port })
    }

    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Waits for the redirect until `timeout` or `cancel`; answers the browser with `pages`.
    pub(crate) async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        cancel: &CancellationToken,
        pages: &LoopbackPages,
    ) -> Result<RedirectAnswer, AuthError> {
        let (tx, mut rx) = mpsc::channel::<Result<RedirectAnswer, AuthError>>(1);
        let shared = Arc::new(Handler {
            expected_state: expected_state.to_owned(),
            pages: pages.clone(),
            done: Mutex::new(Some(tx)),
        });
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            let accepted = tokio::select! {
                _ = cancel.cancelled() => return Err(AuthError::Cancelled),
                _ = &mut deadline => {
                    return Err(AuthError::InteractiveTimeout { seconds: timeout.as_secs() })
                }
                answer = rx.recv() => {
                    return answer.unwrap_or(Err(AuthError::LoopbackUnavailable(
                        "the listener stopped".into(),
                    )));
                }
                a = self.v4.accept() => a,
                a = accept_optional(self.v6.as_ref()) => a,
            };
            let Ok((stream, _)) = accepted else {
                continue;
            };
            let handler = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let handler = Arc::clone(&handler);
                    async move { Ok::<_, Infallible>(handler.handle(req).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(stream), service);
                let _ = tokio::time::timeout(CONNECTION_GRACE, conn).await;
            });
        }
    }
}

async fn accept_optional(
    listener: Option<&TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

struct Handler {
    expected_state: String,
    pages: LoopbackPages,
    /// Taken by the first decisive request; later ones are told the sign-in is over.
    done: Mutex<Option<mpsc::Sender<Result<RedirectAnswer, AuthError>>>>,
}

impl Handler {
    async fn handle(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() != "/" {
            return page(StatusCode::NOT_FOUND, "Not found.");
        }
        let fields = match read_fields(req).await {
            Ok(f) => f,
            Err(status) => return page(status, "This address only receives a sign-in answer."),
        };
        let Some(outcome) = interpret(&fields, &self.expected_state) else {
            return page(
                StatusCode::BAD_REQUEST,
                "This address only receives a sign-in answer.",
            );
        };
        let sender = self.done.lock().ok().and_then(|mut g| g.take());
        let Some(sender) = sender else {
            return page(StatusCode::OK, "This sign-in is already complete.");
        };
        let reply = match &outcome {
            Ok(RedirectAnswer::Code(_)) => page(StatusCode::OK, &self.pages.success),
            Ok(RedirectAnswer::Error { error, description }) => page(
                StatusCode::OK,
                &format!(
                    "{}\n\n{error}: {}",
                    self.pages.failure,
                    first_line(description)
                ),
            ),
            Err(e) => page(
                StatusCode::BAD_REQUEST,
                &format!("{}\n\n{e}", self.pages.failure),
            ),
        };
        let _ = sender.send(outcome).await;
        reply
    }
}

/// Fields of a `form_post` body, or of the query of a GET.
struct Fields {
    pairs: Vec<(String, String)>,
    posted: bool,
}

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_fields(req: Request<Incoming>) -> Result<Fields, StatusCode> {
    if req.method() == Method::GET {
        let pairs = req
            .uri()
            .query()
            .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
            .unwrap_or_default();
        return Ok(Fields {
            pairs,
            posted: false,
        });
    }
    if req.method() != Method::POST {
        return Err(StatusCode::METHOD_NOT_ALLOWED);
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !is_form {
        return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let body = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?
        .to_bytes();
    Ok(Fields {
        pairs: serde_urlencoded::from_bytes(&body).unwrap_or_default(),
        posted: true,
    })
}

/// `None`: not a sign-in answer at all (keep waiting).
fn interpret(fields: &Fields, expected_state: &str) -> Option<Result<RedirectAnswer, AuthError>> {
    let code = fields.get("code").filter(|c| !c.is_empty());
    let error = fields.get("error").filter(|e| !e.is_empty());
    if code.is_none() && error.is_none() {
        return None;
    }
    let state_ok = fields.get("state").is_some_and(|s| {
        s.len() == expected_state.len()
            && s.bytes()
                .zip(expected_state.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !state_ok {
        return Some(Err(AuthError::InteractiveStateMismatch));
    }
    if let Some(error) = error {
        return Some(Ok(RedirectAnswer::Error {
            error: error.to_owned(),
            description: fields
                .get("error_description")
                .unwrap_or_default()
                .to_owned(),
        }));
    }
    if !fields.posted {
        return Some(Err(AuthError::InteractiveCodeInUrl));
    }
    code.map(|c| Ok(RedirectAnswer::Code(SecretString::from(c.to_owned()))))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn page(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let paragraphs: String = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", html_escape(p)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>OutlookQrGuard</title></head><body>{paragraphs}</body></html>"
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    response
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secret::ExposeSecret;

    fn fields(pairs: &[(&str, &str)], posted: bool) -> Fields {
        Fields {
            pairs: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            posted,
        }
    }

    #[test]
    fn a_posted_code_with_our_state_is_the_answer() {
        let f = fields(&[("code", "abc"), ("state", "s1")], true);
        match interpret(&f, "s1") {
            Some(Ok(RedirectAnswer::Code(c))) => assert_eq!(c.expose_secret(), "abc"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn another_state_or_none_fails_the_sign_in() {
        for f in [
            fields(&[("code", "abc"), ("state", "s2")], true),
            fields(&[("code", "abc")], true),
            fields(&[("error", "access_denied"), ("state", "s")], false),
        ] {
            assert!(matches!(
                interpret(&f, "s1"),
                Some(Err(AuthError::InteractiveStateMismatch))
            ));
        }
    }

    #[test]
    fn a_code_in_a_url_is_refused_but_an_error_is_read() {
        let f = fields(&[("code", "abc"), ("state", "s1")], false);
        assert!(matches!(
            interpret(&f, "s1"),
            Some(Err(AuthError::InteractiveCodeInUrl))
        ));
        let f = fields(
            &[
                ("error", "access_denied"),
                ("error_description", "AADSTS65004: declined"),
                ("state", "s1"),
            ],
            false,
        );
        assert!(matches!(
            interpret(&f, "s1"),
            Some(Ok(RedirectAnswer::Error { .. }))
        ));
    }

    #[test]
    fn requests_without_an_answer_do_not_end_the_wait() {
        assert!(interpret(&fields(&[], false), "s1").is_none());
        assert!(interpret(&fields(&[("state", "s1")], true), "s1").is_none());
    }

    /// A raw HTTP/1.1 form post, as a browser sends the `form_post` answer.
    async fn post_form(addr: SocketAddr, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            addr.port(),
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn the_answer_arrives_over_ipv4_and_ipv6_loopback() {
        for v6 in [false, true] {
            let listener = LoopbackListener::bind().await.unwrap();
            if v6 && listener.v6.is_none() {
                // No IPv6 loopback on this machine: the IPv4 case is all there is.
                continue;
            }
            let port = listener.port;
            assert_eq!(listener.redirect_uri(), format!("http://localhost:{port}"));
            let addr = if v6 {
                SocketAddr::from((Ipv6Addr::LOCALHOST, port))
            } else {
                SocketAddr::from((Ipv4Addr::LOCALHOST, port))
            };
            let browser = tokio::spawn(async move {
                // A stray request first (favicon): answered 404, the wait goes on.
                let stray = {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                    s.write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .await
                        .unwrap();
                    let mut out = String::new();
                    s.read_to_string(&mut out).await.unwrap();
                    out
                };
                assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
                post_form(addr, "code=c0de&state=s1&session_state=x").await
            });
            let answer = listener
                .wait(
                    "s1",
                    Duration::from_secs(30),
                    &CancellationToken::new(),
                    &LoopbackPages::default(),
                )
                .await
                .unwrap();
            assert!(matches!(answer, RedirectAnswer::Code(ref c) if c.expose_secret() == "c0de"));
            let page = browser.await.unwrap();
            assert!(page.starts_with("HTTP/1.1 200"), "{page}");
            assert!(page.contains("Sign-in complete"), "{page}");
            assert!(page.contains("no-store"), "{page}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_ends_at_the_timeout() {
        let listener = LoopbackListener::bind().await.unwrap();
        let e = listener
            .wait(
                "s1",
                Duration::from_secs(5),
                &CancellationToken::new(),
                &LoopbackPages::default(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AuthError::InteractiveTimeout { seconds: 5 }),
            "{e:?}"
        );
    }

    #[test]
    fn pages_escape_what_the_service_sent() {
        assert_eq!(
            html_escape("a<script>\"&'"),
            "a&lt;script&gt;&quot;&amp;&#39;"
        );
    }
}
