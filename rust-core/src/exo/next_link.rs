//! Finding `@odata.nextLink` from the end of a page body, without parsing the page.
//!
//! Paging is sequential (each page names the next), so the next request can go out only once
//! the link is known. The service (and the emulator) puts the link last, so reading it off the
//! tail lets the next request leave while the megabyte of devices is still unparsed. This is a
//! speculation checked later: the full parse of the same body must find the same link
//! (`ExchangeClient::parse_page_body`). Anything unexpected here answers `None`, and the caller
//! falls back to a full parse.

const KEY: &[u8] = b"\"@odata.nextLink\"";

/// The link if the body ends with `…,"@odata.nextLink":"<link>"}`; `None` when it does not
/// (no link, another layout, or a body cut short).
pub(crate) fn next_link_from_tail(body: &[u8]) -> Option<String> {
    let mut end = trim_end(body, body.len());
    end = expect_before(body, end, b'}')?;
    end = trim_end(body, end);
    let close = end.checked_sub(1).filter(|&i| body[i] == b'"')?;
    let open = opening_quote(body, close)?;
    let mut before = trim_end(body, open);
    before = expect_before(body, before, b':')?;
    before = trim_end(body, before);
    let key_start = before.checked_sub(KEY.len())?;
    if &body[key_start..before] != KEY {
        return None;
    }
    // The key must be a member of the top-level object, not the tail of some longer string.
    let lead = trim_end(body, key_start);
    if !matches!(lead.checked_sub(1).map(|i| body[i]), Some(b',' | b'{')) {
        return None;
    }
    serde_json::from_slice::<String>(&body[open..=close]).ok()
}

fn trim_end(body: &[u8], mut end: usize) -> usize {
    while end > 0 && matches!(body[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// `end - 1` if the byte there is `want`.
fn expect_before(body: &[u8], end: usize, want: u8) -> Option<usize> {
    end.checked_sub(1).filter(|&i| body[i] == want)
}

/// The quote that opens the string closed at `close`: the nearest `"` before it that is not
/// escaped (preceded by an even number of backslashes).
fn opening_quote(body: &[u8], close: usize) -> Option<usize> {
    let mut search_end = close;
    loop {
        let at = body[..search_end].iter().rposition(|&b| b == b'"')?;
        let backslashes = body[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        search_end = at;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn full_parse_link(body: &[u8]) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        v.get("@odata.nextLink")?.as_str().map(str::to_owned)
    }

    fn page(link: Option<&str>) -> Vec<u8> {
        let mut v = serde_json::json!({
            "@odata.context": "https://outlook.office365.com/adminapi/beta/t/$metadata#x",
            "value": [
                {"FriendlyName": "a\"b\\", "ObjectClass": ["top", "msExchActiveSyncDevice"]},
                {"FriendlyName": null, "Url": "https://h/x?$skiptoken=zzz\"}"}
            ]
        });
        if let Some(l) = link {
            v["@odata.nextLink"] = l.into();
        }
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn finds_the_link_the_full_parse_finds() {
        for link in [
            "https://h/adminapi/beta/t/InvokeCommand?$skiptoken=abc",
            "https://h/x?a=1&b=\"quoted\"&c=back\\slash\\",
            "https://h/\u{e9}t\u{e9}",
        ] {
            let body = page(Some(link));
            assert_eq!(next_link_from_tail(&body).as_deref(), Some(link));
            assert_eq!(full_parse_link(&body).as_deref(), Some(link));
        }
        let spaced = b"{ \"value\" : [ ] ,\r\n \"@odata.nextLink\" :\t\"https://h/n\" }\n";
        assert_eq!(next_link_from_tail(spaced).as_deref(), Some("https://h/n"));
        let escaped = br#"{"value":[],"@odata.nextLink":"https:\/\/h\/n\u0026x"}"#;
        assert_eq!(
            next_link_from_tail(escaped).as_deref(),
            Some("https://h/n&x")
        );
    }

    #[test]
    fn answers_none_when_the_link_is_not_last_or_absent() {
        assert_eq!(next_link_from_tail(&page(None)), None);
        let first = br#"{"@odata.nextLink":"https://h/n","value":[]}"#;
        assert_eq!(next_link_from_tail(first), None);
        // The key's text at the end of another string value is not the key.
        let inside = br#"{"value":["x\"@odata.nextLink\":\"https://h/n"]}"#;
        assert_eq!(next_link_from_tail(inside), None);
        let nested = br#"{"value":[],"o":{"@odata.nextLink":"https://h/n"}}"#;
        assert_eq!(next_link_from_tail(nested), None);
        for tiny in [&b""[..], b"}", b"\"}", b"\"\"}", b":\"\"}"] {
            assert_eq!(next_link_from_tail(tiny), None, "{tiny:?}");
        }
    }

    #[test]
    fn a_body_cut_anywhere_gives_no_link() {
        // A truncated page must never yield a link: the fetch path then parses fully (and
        // retries), exactly as without the fast path.
        let body = page(Some(
            "https://h/adminapi/beta/t/InvokeCommand?$skiptoken=abc",
        ));
        for cut in 0..body.len() {
            assert_eq!(next_link_from_tail(&body[..cut]), None, "cut at {cut}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_full_parse(
            link in proptest::option::of(".{0,40}"),
            texts in proptest::collection::vec(".{0,20}", 0..5),
        ) {
            let mut v = serde_json::json!({"value": texts});
            if let Some(l) = &link {
                v["@odata.nextLink"] = l.clone().into();
            }
            let body = serde_json::to_vec(&v).unwrap();
            proptest::prop_assert_eq!(next_link_from_tail(&body), full_parse_link(&body));
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = next_link_from_tail(&body);
        }
    }
}
