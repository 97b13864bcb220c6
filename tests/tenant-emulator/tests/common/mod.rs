//! Helpers shared by the emulator's integration tests: requests are built by hand with reqwest
//! over real sockets, trusting the emulator's generated CA.
#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use tenant_emulator::{Credentials, Emulator, EmulatorOptions};

pub const EXO_SCOPE: &str = "https://outlook.office365.com/.default";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub struct Harness {
    pub emulator: Emulator,
    pub client: reqwest::Client,
    pub base: String,
    pub creds: Credentials,
}

pub fn client_for(ca_pem: &str, alpn_h2: bool) -> reqwest::Client {
    builder_for(ca_pem, alpn_h2).build().unwrap()
}

/// The builder behind `client_for` (e.g. to turn off following redirects).
pub fn builder_for(ca_pem: &str, alpn_h2: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder().no_proxy();
    // reqwest is built without a default crypto provider: always hand it a rustls config
    // (with no roots when the emulator serves plain HTTP).
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = if alpn_h2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    builder.tls_backend_preconfigured(config)
}

pub async fn start(options: EmulatorOptions) -> Harness {
    let emulator = Emulator::start(options).await.unwrap();
    let client = client_for(&emulator.ca_certificate_pem(), false);
    Harness {
        base: emulator.base_url(),
        creds: emulator.credentials(),
        emulator,
        client,
    }
}

pub async fn start_default() -> Harness {
    start(EmulatorOptions::default()).await
}

/// Status and parsed JSON body (Null if not JSON).
pub async fn status_json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The AADSTS codes of an Entra error body, checking the documented shape along the way.
pub fn entra_codes(body: &Value) -> Vec<u64> {
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    assert!(
        description.contains("\r\nCorrelation ID: "),
        "{description}"
    );
    assert!(description.contains("\r\nTimestamp: "), "{description}");
    for field in [
        "error",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    ] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    body["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect()
}

impl Harness {
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.base, self.creds.tenant_domain
        )
    }

    pub fn exo_url(&self) -> String {
        format!(
            "{}/adminapi/beta/{}/InvokeCommand",
            self.base, self.creds.tenant_id
        )
    }

    pub fn anchor(&self) -> String {
        format!(
            "UPN:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{}",
            self.creds.tenant_domain
        )
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> (u16, Value) {
        status_json(self.client.post(url).form(form).send().await.unwrap()).await
    }

    /// App-only token with the secret app (or the no-role app).
    pub async fn secret_token_for(&self, client_id: &str, secret: &str, scope: &str) -> String {
        let (status, body) = self
            .post_form(
                &self.token_url(),
                &[
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", scope),
                    ("grant_type", "client_credentials"),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn app_token(&self, scope: &str) -> String {
        let app = &self.creds.secret_app;
        self.secret_token_for(&app.client_id, &app.client_secret, scope)
            .await
    }

    pub async fn invoke_with(
        &self,
        token: &str,
        body: &Value,
        query: &str,
        prefer: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}{query}", self.exo_url()))
            .bearer_auth(token)
            .header(
                "Content-Type",
                "application/json;odata.metadata=minimal;odata.streaming=true",
            )
            .header("X-AnchorMailbox", self.anchor())
            .header("X-ResponseFormat", "json")
            .json(body);
        // .json() sets Content-Type; set ours again after it.
        req = req.header(
            "Content-Type",
            "application/json;odata.metadata=minimal;odata.streaming=true",
        );
        if let Some(p) = prefer {
            req = req.header("Prefer", p);
        }
        status_json(req.send().await.unwrap()).await
    }

    pub async fn invoke(&self, token: &str, cmdlet: &str, parameters: Value) -> (u16, Value) {
        let body = json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}});
        self.invoke_with(token, &body, "", None).await
    }

    /// Follows `@odata.nextLink` with the same body until it disappears; returns every object.
    pub async fn invoke_all(
        &self,
        token: &str,
        body: &Value,
        prefer: Option<&str>,
    ) -> (Vec<Value>, usize, Vec<String>) {
        let mut url = self.exo_url();
        let mut all = Vec::new();
        let mut pages = 0;
        let mut warnings = Vec::new();
        loop {
            let mut req = self
                .client
                .post(&url)
                .bearer_auth(token)
                .header("X-AnchorMailbox", self.anchor())
                .json(body);
            if let Some(p) = prefer {
                req = req.header("Prefer", p);
            }
            let (status, page) = status_json(req.send().await.unwrap()).await;
            assert_eq!(status, 200, "{page}");
            pages += 1;
            all.extend(page["value"].as_array().unwrap().iter().cloned());
            if let Some(w) = page["@adminapi.warnings"].as_array() {
                warnings.extend(w.iter().map(|s| s.as_str().unwrap().to_owned()));
            }
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return (all, pages, warnings),
            }
        }
    }

    pub async fn graph_get(&self, token: &str, path: &str) -> (u16, Value) {
        status_json(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn graph_post(&self, token: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token);
        req = match body {
            Some(b) => req.json(b),
            None => req.header("Content-Type", "application/json"),
        };
        status_json(req.send().await.unwrap()).await
    }
}

/// Signs a client assertion with `key_pem`; `alg` is "RS256" (x5t = SHA-1) or "PS256" (x5t#S256).
pub fn assertion(key_pem: &str, cert_pem: &str, alg: &str, claims: &Value) -> String {
    let cert_der = pem::parse(cert_pem).unwrap().into_contents();
    let (thumb_name, thumb) = match alg {
        "PS256" => (
            "x5t#S256",
            ring::digest::digest(&ring::digest::SHA256, &cert_der),
        ),
        _ => (
            "x5t",
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der),
        ),
    };
    let header =
        json!({"alg": alg, "typ": "JWT", thumb_name: URL_SAFE_NO_PAD.encode(thumb.as_ref())});
    sign_jwt(key_pem, &header, claims)
}

pub fn sign_jwt(key_pem: &str, header: &Value, claims: &Value) -> String {
    let key = RsaKeyPair::from_pkcs8(&pem::parse(key_pem).unwrap().into_contents()).unwrap();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    );
    let padding: &dyn signature::RsaEncoding = if header["alg"] == "PS256" {
        &signature::RSA_PSS_SHA256
    } else {
        &signature::RSA_PKCS1_SHA256
    };
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(padding, &SystemRandom::new(), input.as_bytes(), &mut sig)
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn assertion_claims(client_id: &str, aud: &str) -> Value {
    let now = now();
    json!({"aud": aud, "iss": client_id, "sub": client_id, "jti": uuid::Uuid::new_v4().to_string(), "nbf": now, "exp": now + 600})
}

/// Status, headers and parsed JSON body (Null if not JSON) of any Graph call.
pub async fn graph_send(
    h: &Harness,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = h
        .client
        .request(method, format!("{}{path}", h.base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let headers = resp.headers().clone();
    let (status, json) = status_json(resp).await;
    (status, headers, json)
}

/// A control API call (`/_emulator/{path}`) with the control key.
pub async fn control_call(
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = h
        .client
        .request(method, format!("{}/_emulator/{path}", h.base))
        .header("X-Emulator-Control-Key", &h.creds.control_key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    status_json(req.send().await.unwrap()).await
}

/// `path` with the query percent-encoded (for `$filter` values with spaces and quotes).
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Graph error code of an envelope, checking its shape.
pub fn graph_code(body: &Value) -> &str {
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    body["error"]["code"].as_str().unwrap()
}

impl Harness {
    /// App-only Graph token for one of the secret apps in the credentials.
    pub async fn graph_token_for(&self, app: &tenant_emulator::AppCredential) -> String {
        self.secret_token_for(&app.client_id, &app.client_secret, GRAPH_SCOPE)
            .await
    }
}
