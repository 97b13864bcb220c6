//! The request/response values every handler works with: a fully read request and a complete
//! reply. The server turns replies into hyper responses (and applies body faults there).

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

/// Response headers in order (a small list keeps `Reply` cheap to move around in `Result`s).
pub type HeaderList = Vec<(HeaderName, HeaderValue)>;
use percent_encoding::percent_decode_str;

/// A request whose body has been read. Debug shows method and path only: headers, query and
/// body carry secrets (bearer tokens, client secrets, assertions, refresh tokens).
#[derive(Clone)]
pub struct Req {
    pub method: Method,
    /// Raw (still percent-encoded) path.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Set by the `ExpiredToken` fault: resource endpoints treat the bearer token as expired and
    /// token endpoints hand out tokens that are already expired.
    pub force_expired_token: bool,
}

impl std::fmt::Debug for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Req")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `client-request-id` as sent by MSAL, Graph SDKs and the EXO module.
    pub fn client_request_id(&self) -> Option<String> {
        self.header("client-request-id")
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 128)
            .map(str::to_owned)
    }

    /// Decoded query pairs (`+` is a space, as in form encoding).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Percent-decoded path segments (empty segments dropped).
    pub fn segments(&self) -> Vec<String> {
        path_segments(&self.path)
    }

    /// Media type of the body, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

pub fn path_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// Form fields in order; duplicates are kept so the token endpoint can refuse them.
#[derive(Default)]
pub struct Form {
    fields: Vec<(String, String)>,
}

/// Names only: values include client secrets, assertions and refresh tokens.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.fields.iter().map(|(k, _)| k))
            .finish()
    }
}

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Self {
            fields: serde_urlencoded::from_bytes(body).unwrap_or_default(),
        }
    }

    pub fn from_pairs(fields: Vec<(String, String)>) -> Self {
        Self { fields }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field that is present and not blank.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    /// The first parameter name that occurs more than once.
    pub fn duplicated(&self) -> Option<&str> {
        self.fields.iter().enumerate().find_map(|(i, (k, _))| {
            self.fields[..i]
                .iter()
                .any(|(seen, _)| seen == k)
                .then_some(k.as_str())
        })
    }
}

/// A complete response. Debug omits the body, which may hold access or refresh tokens.
#[derive(Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderList,
    pub body: Bytes,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Reply {
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderList::new(),
            body: Bytes::new(),
        }
    }

    pub fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        Self::json_with_type(status, value, "application/json; charset=utf-8")
    }

    pub fn json_with_type(
        status: StatusCode,
        value: &serde_json::Value,
        content_type: &str,
    ) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Self::new(status)
            .with_header(CONTENT_TYPE.as_str(), content_type)
            .with_body(body)
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Adds a header; values that are not valid header text are dropped (they come from options
    /// or fault plans, never from something a client must see).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }

    pub fn set_header(&mut self, name: &str, value: &str) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.retain(|(existing, _)| *existing != n);
            self.headers.push((n, v));
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.to_str().ok())
    }

    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_duplicates_and_segments() {
        let f = Form::parse(b"a=1&b=x+y&a=2");
        assert_eq!(f.get("b"), Some("x y"));
        assert_eq!(f.duplicated(), Some("a"));
        let secret = Form::parse(b"client_secret=s3cr3t");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        assert_eq!(
            path_segments("/v1.0/users/o%27brien%40contoso.com/"),
            vec!["v1.0", "users", "o'brien@contoso.com"]
        );
    }
}
