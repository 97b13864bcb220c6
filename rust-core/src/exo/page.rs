//! One `InvokeCommand` response page and the `Get-MobileDevice` query.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Results of one page, in service order, with the page's `@adminapi.warnings`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub warnings: Vec<String>,
    /// 1-based.
    pub number: u32,
}

/// The page as JSON: syntax is checked inside the retry loop (a truncated body is a
/// transient fault); item types are checked afterwards (a shape mismatch is not).
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct RawPage<T = serde_json::Value> {
    #[serde(default = "Vec::new", deserialize_with = "reserved_seq")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    #[serde(rename = "@adminapi.warnings", default)]
    pub warnings: Vec<String>,
}

/// The service's largest page; a full page is reserved up front.
const SERVICE_PAGE_SIZE: usize = 1000;

/// Reserves a full page before reading items: growing a `Vec` of ~900-byte devices by doubling
/// cost more than parsing them (each large reallocation is memory returned and faulted in
/// again). Short pages give the spare room back.
fn reserved_seq<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Reserved<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Reserved<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of result objects")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(SERVICE_PAGE_SIZE));
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            if items.len() < items.capacity() / 2 {
                items.shrink_to_fit();
            }
            Ok(items)
        }
    }

    d.deserialize_seq(Reserved(PhantomData))
}

fn describe_page_error(e: &serde_json::Error) -> String {
    if e.is_eof() {
        format!(
            "the JSON ends early (line {} column {})",
            e.line(),
            e.column()
        )
    } else {
        format!("not an InvokeCommand JSON page: {e}")
    }
}

pub(crate) fn parse_raw_page(body: &[u8]) -> Result<RawPage, String> {
    serde_json::from_slice::<RawPage>(body).map_err(|e| describe_page_error(&e))
}

/// The fetch path's check when the link is not at the tail: the whole body must be a page
/// (syntax only, nothing kept), and this is its link.
pub(crate) fn scan_next_link(body: &[u8]) -> Result<Option<String>, String> {
    if let Some(link) = super::next_link::next_link_from_tail(body) {
        return Ok(Some(link));
    }
    serde_json::from_slice::<RawPage<IgnoredAny>>(body)
        .map(|page| page.next_link)
        .map_err(|e| describe_page_error(&e))
}

/// Parses a page straight into `T` (no intermediate JSON tree: this is the hot path of a
/// large export). `Err` = the body is not a valid page (worth a retry); `Ok(Err(index, why))` =
/// a valid page whose item `index` is not a `T`.
#[allow(clippy::type_complexity)]
pub(crate) fn parse_typed_page<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Result<RawPage<T>, (usize, String)>, String> {
    match serde_json::from_slice::<RawPage<T>>(body) {
        Ok(page) => Ok(Ok(page)),
        Err(typed) => {
            let raw = parse_raw_page(body)?;
            Ok(Err(type_items::<T>(raw.value)
                .err()
                .unwrap_or((0, typed.to_string()))))
        }
    }
}

pub(crate) fn type_items<T: DeserializeOwned>(
    values: Vec<serde_json::Value>,
) -> Result<Vec<T>, (usize, String)> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| serde_json::from_value(v).map_err(|e| (i, e.to_string())))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultSize {
    #[default]
    Unlimited,
    Limit(u32),
}

impl ResultSize {
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            ResultSize::Unlimited => serde_json::Value::from("Unlimited"),
            ResultSize::Limit(n) => serde_json::Value::from(n),
        }
    }
}

/// `Get-MobileDevice [-Mailbox m] [-Filter "DeviceModel -eq '…'"] -ResultSize …`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MobileDeviceQuery {
    /// Server-side filter on `DeviceModel`, e.g. `Outlook for iOS and Android`.
    pub device_model: Option<String>,
    pub mailbox: Option<String>,
    pub result_size: ResultSize,
}

impl MobileDeviceQuery {
    pub const OUTLOOK_MOBILE_MODEL: &'static str = "Outlook for iOS and Android";

    pub fn outlook_mobile() -> Self {
        MobileDeviceQuery {
            device_model: Some(Self::OUTLOOK_MOBILE_MODEL.to_owned()),
            ..Default::default()
        }
    }

    pub(crate) fn parameters(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut p = serde_json::Map::new();
        if let Some(model) = &self.device_model {
            p.insert(
                "Filter".into(),
                super::opath_eq("DeviceModel", model).into(),
            );
        }
        if let Some(mailbox) = &self.mailbox {
            p.insert("Mailbox".into(), mailbox.clone().into());
        }
        p.insert("ResultSize".into(), self.result_size.to_json());
        p
    }
}

impl super::ExchangeClient {
    /// `Get-MobileDevice` pages as they arrive; `T` is the caller's device type (or
    /// `serde_json::Value`).
    pub fn list_mobile_devices<T>(
        &self,
        query: &MobileDeviceQuery,
    ) -> impl futures::Stream<Item = Result<Page<T>, super::ExoError>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.invoke("Get-MobileDevice", query.parameters())
    }

    /// `Get-MobileDevice` pages unparsed, for a listing that parses off the fetch path.
    pub fn list_mobile_device_bodies(
        &self,
        query: &MobileDeviceQuery,
    ) -> impl futures::Stream<Item = Result<super::PageBody, super::ExoError>> + Send + 'static
    {
        self.invoke_bodies("Get-MobileDevice", query.parameters())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_parse_and_typing() {
        let body = br##"{"@odata.context":"x","adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":["w1"],"value":[{"a":1},{"a":2}],"@odata.nextLink":"https://h/adminapi/beta/t/InvokeCommand?$skiptoken=abc"}"##;
        let raw = parse_raw_page(body).unwrap();
        assert_eq!(raw.warnings, ["w1"]);
        assert_eq!(
            raw.next_link.as_deref(),
            Some("https://h/adminapi/beta/t/InvokeCommand?$skiptoken=abc")
        );
        #[derive(Deserialize, Debug, PartialEq)]
        struct A {
            a: u8,
        }
        let items: Vec<A> = type_items(raw.value).unwrap();
        assert_eq!(items, [A { a: 1 }, A { a: 2 }]);
        let bad = type_items::<A>(vec![json!({"a":1}), json!({"a":"x"})]).unwrap_err();
        assert_eq!(bad.0, 1);
    }

    #[test]
    fn typed_pages_parse_directly_and_name_the_bad_item() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct A {
            a: u8,
        }
        let page = parse_typed_page::<A>(br#"{"value":[{"a":1},{"a":2}],"@odata.nextLink":"n"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(page.value, [A { a: 1 }, A { a: 2 }]);
        assert_eq!(page.next_link.as_deref(), Some("n"));
        let (index, _) = parse_typed_page::<A>(br#"{"value":[{"a":1},{"a":"x"}]}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(index, 1);
        assert!(
            parse_typed_page::<A>(br#"{"value":[{"a":1},"#)
                .unwrap_err()
                .contains("ends early")
        );
    }

    #[test]
    fn malformed_pages_are_described() {
        assert!(
            parse_raw_page(br#"{"value":[{"a":1},{"#)
                .unwrap_err()
                .contains("ends early")
        );
        assert!(
            parse_raw_page(b"<html><body>Proxy error</body></html>")
                .unwrap_err()
                .contains("not an InvokeCommand")
        );
        // An empty Set-* answer.
        assert!(parse_raw_page(br#"{"value":[]}"#).unwrap().value.is_empty());
    }

    #[test]
    fn mobile_device_parameters() {
        let q = MobileDeviceQuery {
            mailbox: Some("o'brien@contoso.com".into()),
            ..MobileDeviceQuery::outlook_mobile()
        };
        assert_eq!(
            serde_json::Value::Object(q.parameters()),
            json!({"Filter":"DeviceModel -eq 'Outlook for iOS and Android'","Mailbox":"o'brien@contoso.com","ResultSize":"Unlimited"})
        );
        let q = MobileDeviceQuery {
            result_size: ResultSize::Limit(25),
            ..Default::default()
        };
        assert_eq!(
            serde_json::Value::Object(q.parameters()),
            json!({"ResultSize":25})
        );
    }
}
