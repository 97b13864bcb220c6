//! One `InvokeCommand` response page of `Get-MobileDevice` results.

use serde::Deserialize;

use super::MobileDevice;

/// The parts of an `InvokeCommand` page the device listing needs.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MobileDevicePage {
    /// The devices on this page, in service order.
    #[serde(rename = "value")]
    pub devices: Vec<MobileDevice>,
    /// Where the next page is (POST the same body there); `None` on the last page.
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    /// Warnings the cmdlet emitted (e.g. the 1000-result default limit).
    #[serde(rename = "@adminapi.warnings")]
    pub warnings: Vec<String>,
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
