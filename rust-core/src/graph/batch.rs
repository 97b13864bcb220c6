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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<ItemHeaders>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub(crate) struct ItemHeaders {
    /// Spelled `Content-Type` as in Microsoft's examples (microsoft-graph-docs-contrib#8032).
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
}

impl<'a> BatchItem<'a> {
    /// A read: no headers, no body (`concepts/json-batching.md`, items 1, 2 and 5).
    pub fn read(id: String, url: String) -> BatchItem<'a> {
        BatchItem {
            id,
            method: "GET",
            url,
            headers: None,
            body: None,
        }
    }

    /// A POST whose API takes no body. Graph still wants `"body":{}` and a Content-Type on
    /// every write item, or it refuses the whole batch with 400 "Write request id : 1 does not
    /// contain Content-Type header or body." and runs none of it (`concepts/json-batching.md`,
    /// item 4 and "you must still specify the headers and body parameters where only body can
    /// be an empty object"; msgraph-sdk-dotnet#2628 and #1038 for the error).
    pub fn bodyless_post(id: String, url: String) -> BatchItem<'a> {
        BatchItem {
            id,
            method: "POST",
            url,
            headers: Some(ItemHeaders {
                content_type: "application/json",
            }),
            body: Some(serde_json::Value::Object(serde_json::Map::new())),
        }
    }
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
    fn write_items_carry_an_empty_body_and_a_content_type_and_reads_carry_neither() {
        let batch = BatchRequest {
            requests: vec![
                BatchItem::bodyless_post("1".into(), "/users/a@b.com/revokeSignInSessions".into()),
                BatchItem::read("2".into(), "/users/a@b.com?$select=id".into()),
            ],
        };
        assert_eq!(
            serde_json::to_value(&batch).unwrap(),
            serde_json::json!({"requests": [
                {"id": "1", "method": "POST", "url": "/users/a@b.com/revokeSignInSessions",
                 "headers": {"Content-Type": "application/json"}, "body": {}},
                {"id": "2", "method": "GET", "url": "/users/a@b.com?$select=id"},
            ]})
        );
    }

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
