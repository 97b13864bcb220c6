//! JSON batching wire types (`POST /v1.0/$batch`).

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::http::parse_retry_after;

#[derive(Serialize)]
pub(crate) struct BatchRequest<'a> {
    pub requests: Vec<BatchItem<'a>>,
}

#[derive(Serialize)]
pub(crate) struct BatchItem<'a> {
    pub id: String,
    pub method: &'a str,
    /// Relative to the version root, e.g. `/users/{id}/revokeSignInSessions`.
    pub url: String,
}

#[derive(Deserialize)]
pub(crate) struct BatchResponse {
    #[serde(default)]
    pub responses: Vec<BatchItemResponse>,
}

#[derive(Deserialize)]
pub(crate) struct BatchItemResponse {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub body: serde_json::Value,
}

impl BatchItemResponse {
    /// The item's own `Retry-After` (header names are case-insensitive).
    pub fn retry_after(&self) -> Option<Duration> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| match v {
                serde_json::Value::String(s) => parse_retry_after(s, SystemTime::now()),
                serde_json::Value::Number(n) => n
                    .as_f64()
                    .and_then(|f| parse_retry_after(&f.to_string(), SystemTime::now())),
                _ => None,
            })
    }
}

pub(crate) fn parse_batch_response(body: &[u8]) -> Result<BatchResponse, String> {
    let r: BatchResponse =
        serde_json::from_slice(body).map_err(|e| format!("not a $batch answer: {e}"))?;
    Ok(r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn item_retry_after_from_headers() {
        let r: BatchResponse = serde_json::from_str(r#"{"responses":[
            {"id":"2","status":429,"headers":{"Retry-After":"3"},"body":{"error":{"code":"TooManyRequests","message":"m"}}},
            {"id":"1","status":200,"body":{"value":true}},
            {"id":"3","status":429,"headers":{"retry-after":1.5}}
        ]}"#).unwrap();
        assert_eq!(r.responses[0].retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(r.responses[1].retry_after(), None);
        assert_eq!(
            r.responses[2].retry_after(),
            Some(Duration::from_millis(1500))
        );
    }
}
