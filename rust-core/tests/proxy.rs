//! `-Proxy` / `-ProxyCredential` (#14 item 8): credentials reach the proxy as Basic
//! `Proxy-Authorization` and never appear in an error, whether they came in the URI or apart.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A proxy that records each request head and refuses it with 407.
async fn refusing_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = socket
                    .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (format!("127.0.0.1:{}", address.port()), heads)
}

fn spec(proxy_uri: String, username: Option<&str>, password: Option<&str>) -> ConnectSpec {
    ConnectSpec {
        tenant: "contoso.onmicrosoft.com".into(),
        environment: "Global".into(),
        // Not loopback, so the request goes through the proxy (loopback never does).
        authority_uri: Some("https://login.example.invalid".into()),
        exchange_uri: Some("https://outlook.example.invalid".into()),
        graph_uri: Some("https://graph.example.invalid".into()),
        trusted_root_pem: None,
        allow_http_loopback: false,
        // The example.invalid hosts are neither Global nor loopback.
        allow_custom_endpoint: true,
        proxy_uri: Some(proxy_uri),
        proxy_username: username.map(str::to_owned),
        proxy_password: password.map(secret),
        legacy_assertion: false,
        user_principal_name: None,
        method: ConnectMethod::ClientSecret {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            secret: secret("client-secret-value"),
        },
    }
}

async fn connect_through(spec: ConnectSpec) -> String {
    match Session::connect(spec, tokio_util::sync::CancellationToken::new()).await {
        Ok(_) => panic!("a refusing proxy cannot let the sign-in through"),
        Err(e) => e.message,
    }
}

fn basic(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[tokio::test]
async fn credentials_in_the_proxy_uri_go_to_the_proxy_and_nowhere_else() {
    let (address, heads) = refusing_proxy().await;
    let message = connect_through(spec(
        format!("http://alice:Pr0xy-Secret@{address}"),
        None,
        None,
    ))
    .await;
    assert!(!message.contains("Pr0xy-Secret"), "{message}");
    assert!(!message.contains("alice:"), "{message}");
    assert!(
        message.contains(&format!("http://{address}/")),
        "the message names the proxy: {message}"
    );
    let heads = heads.lock().expect("lock").clone();
    assert!(!heads.is_empty(), "the proxy was never asked");
    assert!(
        heads[0].starts_with("CONNECT login.example.invalid:443"),
        "{}",
        heads[0]
    );
    let expected = format!("basic {}", basic("alice", "Pr0xy-Secret")).to_lowercase();
    assert!(
        heads[0]
            .to_lowercase()
            .contains(&format!("proxy-authorization: {expected}")),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn the_proxy_credential_parameter_is_sent_and_never_shown() {
    let (address, heads) = refusing_proxy().await;
    let message = connect_through(spec(
        format!("http://{address}"),
        Some("CONTOSO\\svc-proxy"),
        Some("An0ther-Secret"),
    ))
    .await;
    assert!(!message.contains("An0ther-Secret"), "{message}");
    let heads = heads.lock().expect("lock").clone();
    let expected = basic("CONTOSO\\svc-proxy", "An0ther-Secret").to_lowercase();
    assert!(heads[0].to_lowercase().contains(&expected), "{}", heads[0]);
}
