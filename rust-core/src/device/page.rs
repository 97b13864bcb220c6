//! One `InvokeCommand` response page of `Get-MobileDevice` results.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::MobileDevice;

/// The parts of an `InvokeCommand` page the device listing needs.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MobileDevicePage {
    /// The devices on this page, in service order.
    #[serde(rename = "value", deserialize_with = "page_of_devices")]
    pub devices: Vec<MobileDevice>,
    /// Where the next page is (POST the same body there); `None` on the last page.
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    /// Warnings the cmdlet emitted (e.g. the 1000-result default limit).
    #[serde(rename = "@adminapi.warnings")]
    pub warnings: Vec<String>,
}

/// Exchange returns at most this many objects per page.
const SERVICE_PAGE_SIZE: usize = 1000;

/// Reserves a full page up front: growing a `Vec` of ~900-byte devices by doubling cost more than
/// the parsing itself (large reallocations make the allocator give memory back and fault it in
/// again on every page). Small pages give the spare room back.
fn page_of_devices<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MobileDevice>, D::Error> {
    struct PageVisitor;

    impl<'de> Visitor<'de> for PageVisitor {
        type Value = Vec<MobileDevice>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of Get-MobileDevice objects")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut devices = Vec::with_capacity(seq.size_hint().unwrap_or(SERVICE_PAGE_SIZE));
            while let Some(device) = seq.next_element()? {
                devices.push(device);
            }
            if devices.len() < devices.capacity() / 2 {
                devices.shrink_to_fit();
            }
            Ok(devices)
        }
    }

    d.deserialize_seq(PageVisitor)
}

/// A page body that is not the JSON we expect.
#[derive(Debug, thiserror::Error)]
#[error("the Get-MobileDevice response page is not valid: {source}")]
pub struct DeviceParseError {
    #[from]
    source: serde_json::Error,
}

impl DeviceParseError {
    /// True when the body ended early (a truncated response; retrying the page may help).
    pub fn is_truncated(&self) -> bool {
        self.source.is_eof()
    }
}

/// Parses one page body (`{"value":[…], "@odata.nextLink": …}`).
pub fn parse_page(body: &[u8]) -> Result<MobileDevicePage, DeviceParseError> {
    Ok(serde_json::from_slice(body)?)
}
