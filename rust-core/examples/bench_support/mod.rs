//! Shared by the benchmark examples: a session on the tenant emulator named by its ready file.

use std::error::Error;

use outlook_qr_guard::ops::{ConnectMethod, ConnectSpec, Session};
use outlook_qr_guard::secret::secret;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Connects with the emulator's client-secret app, trusting its test CA.
pub async fn connect(ready_file: &str) -> Result<Session, Box<dyn Error>> {
    let ready: Value = serde_json::from_str(&std::fs::read_to_string(ready_file)?)?;
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .ok_or("ready file field missing")
    };
    let base = text(&ready["baseUrl"])?;
    let ca = match ready["caCertificatePath"].as_str() {
        Some(path) => Some(std::fs::read_to_string(path)?),
        None => None,
    };
    let credentials = &ready["credentials"];
    let session = Session::connect(
        ConnectSpec {
            tenant: text(&credentials["tenantDomain"])?,
            environment: "Global".into(),
            authority_uri: Some(base.clone()),
            exchange_uri: Some(base.clone()),
            graph_uri: Some(base.clone()),
            allow_http_loopback: ca.is_none(),
            allow_custom_endpoint: false,
            trusted_root_pem: ca,
            proxy_uri: None,
            proxy_username: None,
            proxy_password: None,
            legacy_assertion: false,
            user_principal_name: None,
            method: ConnectMethod::ClientSecret {
                client_id: text(&credentials["secretApp"]["clientId"])?,
                secret: secret(text(&credentials["secretApp"]["clientSecret"])?),
            },
        },
        CancellationToken::new(),
    )
    .await?;
    Ok(session)
}
