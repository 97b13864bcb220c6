//! Graph collection pages (`{"value":[…],"@odata.nextLink":…}`) and following their next links.

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::Deserialize;
use url::Url;

use super::GraphError;
use crate::http::Request;
use crate::next_link_guard::NextLinkGuard;

/// One page with its items still as JSON, so one odd item can be reported without losing the
/// page.
#[derive(Debug, Deserialize)]
pub(crate) struct RawPage {
    #[serde(default)]
    pub value: Vec<serde_json::Value>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

pub(crate) fn parse_page(body: &[u8]) -> Result<RawPage, String> {
    serde_json::from_slice(body).map_err(|e| format!("not a Graph collection page: {e}"))
}

/// The next page's URL. Followed as the service gave it (it is opaque), but only to the Graph
/// root the session talks to: the bearer token travels with it.
pub(crate) fn next_url(graph_base: &Url, link: &str, what: &str) -> Result<Url, GraphError> {
    let bad = |reason: String| GraphError::BadAnswer {
        what: format!("a next-page link for {what}"),
        reason,
    };
    let url = Url::parse(link).map_err(|e| bad(e.to_string()))?;
    if !crate::http::same_origin(&url, graph_base) {
        return Err(bad(format!(
            "it points at {}://{}, not the Graph endpoint of this session",
            url.scheme(),
            url.host_str().unwrap_or("")
        )));
    }
    Ok(url)
}

/// [`next_url`] for a link the `guard` admits: a repeated link or a listing past its cap is
/// a bad answer, never an endless loop.
pub(crate) fn follow(
    guard: &mut NextLinkGuard,
    graph_base: &Url,
    link: &str,
    what: &str,
) -> Result<Url, GraphError> {
    guard.admit(link).map_err(|e| GraphError::BadAnswer {
        what: format!("the pages of {what}"),
        reason: e.to_string(),
    })?;
    next_url(graph_base, link, what)
}

pub(crate) fn get_request(url: Url) -> Request {
    let mut req = Request::new(Method::GET, url);
    req.headers
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    req
}

/// An OData string literal: single quotes, an embedded quote doubled (`O'Brien` → `'O''Brien'`).
pub fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn odata_literals_double_quotes() {
        assert_eq!(odata_string("Executives"), "'Executives'");
        assert_eq!(odata_string("O'Brien's team"), "'O''Brien''s team'");
        assert_eq!(odata_string("''"), "''''''");
        assert_eq!(odata_string("営業部"), "'営業部'");
        assert_eq!(odata_string(""), "''");
    }

    #[test]
    fn next_links_stay_on_the_graph_root() {
        let base = Url::parse("https://127.0.0.1:4443").unwrap();
        assert!(
            next_url(
                &base,
                "https://127.0.0.1:4443/beta/auditLogs/signIns?$skiptoken=abc",
                "x"
            )
            .is_ok()
        );
        for bad in [
            "https://evil.example/beta/auditLogs/signIns?$skiptoken=abc",
            "http://127.0.0.1:4443/v1.0/x",
            "https://127.0.0.1:4444/v1.0/x",
            "not a url",
        ] {
            assert!(
                matches!(next_url(&base, bad, "x"), Err(GraphError::BadAnswer { .. })),
                "{bad}"
            );
        }
        let graph = Url::parse("https://graph.microsoft.com").unwrap();
        assert!(next_url(&graph, "https://graph.microsoft.com:443/v1.0/x", "x").is_ok());
    }

    #[test]
    fn a_looping_next_link_is_a_bad_answer() {
        let base = Url::parse("https://127.0.0.1:4443").unwrap();
        let mut guard = NextLinkGuard::new(10);
        let link = "https://127.0.0.1:4443/v1.0/x?$skiptoken=a";
        assert!(follow(&mut guard, &base, link, "x").is_ok());
        let Err(GraphError::BadAnswer { reason, .. }) = follow(&mut guard, &base, link, "x") else {
            panic!("a repeated link must stop the listing");
        };
        assert!(reason.contains("same next-page link"), "{reason}");
    }

    #[test]
    fn pages_parse_with_or_without_next_link() {
        let p = parse_page(
            br#"{"@odata.context":"c","value":[{"id":"1"}],"@odata.nextLink":"https://x/y"}"#,
        )
        .unwrap();
        assert_eq!(p.value.len(), 1);
        assert_eq!(p.next_link.as_deref(), Some("https://x/y"));
        let last = parse_page(br#"{"value":[]}"#).unwrap();
        assert!(last.next_link.is_none());
        assert!(parse_page(b"<html>").is_err());
    }
}
