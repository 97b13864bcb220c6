//! Exchange Online mobile devices (`Get-MobileDevice` objects) as typed Rust values.
//!
//! [`MobileDevice`] deserializes straight from the objects in an `InvokeCommand` page
//! ([`parse_page`]); [`PROPERTY_NAMES`] is the service's property order, which the CSV header and
//! the C# object layer both follow, and [`MobileDevice::properties`] yields the values in that
//! order.

mod identity;
mod lenient;
mod page;
mod timestamp;

use serde::Deserialize;

pub use identity::{mailbox_distinguished_name, user_display_name_new};
pub use page::{DeviceParseError, MobileDevicePage, parse_page};
pub use timestamp::{DateTimeParts, TICKS_PER_SECOND, TimestampParseError, UtcTimestamp};

/// Number of `Get-MobileDevice` properties the REST API returns.
pub const PROPERTY_COUNT: usize = 40;

/// `Get-MobileDevice` property names in the order ExchangeOnlineManagement 3 (REST) returns
/// them: the live app-only survey recorded in ../shared/docs/exchange-admin-rest.md
/// (`Get-MobileDevice`, CORRECTED 2026-12-06). The older remote-PowerShell order, used by the
/// procedure's CSV, is [`crate::export::CsvLayout::RemotePowerShell`].
pub const PROPERTY_NAMES: [&str; PROPERTY_COUNT] = [
    "FriendlyName",
    "DeviceId",
    "DeviceImei",
    "DeviceMobileOperator",
    "DeviceOS",
    "DeviceOSLanguage",
    "DeviceTelephoneNumber",
    "DeviceType",
    "DeviceUserAgent",
    "DeviceModel",
    "FirstSyncTime",
    "UserDisplayName",
    "DeviceAccessState",
    "DeviceAccessStateReason",
    "DeviceAccessControlRule",
    "ClientVersion",
    "ClientType",
    "IsManaged",
    "IsCompliant",
    "IsDisabled",
    "AdminDisplayName",
    "ExchangeVersion",
    "DirectoryObjectVersion",
    "Name",
    "DistinguishedName",
    "Identity",
    "ObjectCategory",
    "ObjectClass",
    "WhenChanged",
    "WhenCreated",
    "WhenChangedUTC",
    "WhenCreatedUTC",
    "ExchangeObjectId",
    "OrganizationalUnitRoot",
    "OrganizationId",
    "Id",
    "Guid",
    "OriginatingServer",
    "IsValid",
    "ObjectState",
];

/// The value type of each property, index-aligned with [`PROPERTY_NAMES`].
/// DirectoryObjectVersion and OrganizationalUnitRoot are read as text: their JSON value forms
/// are UNCONFIRMED (text keeps a number or a string as it came).
pub const PROPERTY_KINDS: [PropertyKind; PROPERTY_COUNT] = {
    use PropertyKind::{DateTime as D, Flag as B, Text as T, TextList as L};
    [
        T, T, T, T, T, T, T, T, T, T, D, T, T, T, T, T, T, B, B, B, T, T, T, T, T, T, T, L, D, D,
        D, D, T, T, T, T, T, T, B, T,
    ]
};

/// Index of a property in [`PROPERTY_NAMES`] (exact name); `None` for names it lacks.
pub fn property_index(name: &str) -> Option<usize> {
    PROPERTY_NAMES.iter().position(|p| *p == name)
}

/// The value type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    Text,
    Flag,
    DateTime,
    TextList,
}

/// One property's value, borrowed from a [`MobileDevice`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropertyValue<'a> {
    Text(Option<&'a str>),
    Flag(Option<bool>),
    DateTime(Option<UtcTimestamp>),
    /// Empty when the service sent `null` or `[]`.
    TextList(&'a [String]),
}

/// One ActiveSync device partnership as `Get-MobileDevice` returns it.
///
/// Deserializes from the service's JSON (PascalCase names). Unknown properties and
/// `…@data.type` / `@odata.type` annotations are ignored; a missing property is `None`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MobileDevice {
    #[serde(rename = "FriendlyName", deserialize_with = "lenient::text")]
    pub friendly_name: Option<String>,
    #[serde(rename = "DeviceId", deserialize_with = "lenient::text")]
    pub device_id: Option<String>,
    #[serde(rename = "DeviceImei", deserialize_with = "lenient::text")]
    pub device_imei: Option<String>,
    #[serde(rename = "DeviceMobileOperator", deserialize_with = "lenient::text")]
    pub device_mobile_operator: Option<String>,
    #[serde(rename = "DeviceOS", deserialize_with = "lenient::text")]
    pub device_os: Option<String>,
    #[serde(rename = "DeviceOSLanguage", deserialize_with = "lenient::text")]
    pub device_os_language: Option<String>,
    #[serde(rename = "DeviceTelephoneNumber", deserialize_with = "lenient::text")]
    pub device_telephone_number: Option<String>,
    #[serde(rename = "DeviceType", deserialize_with = "lenient::text")]
    pub device_type: Option<String>,
    #[serde(rename = "DeviceUserAgent", deserialize_with = "lenient::text")]
    pub device_user_agent: Option<String>,
    #[serde(rename = "DeviceModel", deserialize_with = "lenient::text")]
    pub device_model: Option<String>,
    #[serde(rename = "FirstSyncTime", deserialize_with = "lenient::date")]
    pub first_sync_time: Option<UtcTimestamp>,
    #[serde(rename = "UserDisplayName", deserialize_with = "lenient::text")]
    pub user_display_name: Option<String>,
    #[serde(rename = "DeviceAccessState", deserialize_with = "lenient::text")]
    pub device_access_state: Option<String>,
    #[serde(rename = "DeviceAccessStateReason", deserialize_with = "lenient::text")]
    pub device_access_state_reason: Option<String>,
    #[serde(rename = "DeviceAccessControlRule", deserialize_with = "lenient::text")]
    pub device_access_control_rule: Option<String>,
    #[serde(rename = "ClientVersion", deserialize_with = "lenient::text")]
    pub client_version: Option<String>,
    #[serde(rename = "ClientType", deserialize_with = "lenient::text")]
    pub client_type: Option<String>,
    #[serde(rename = "IsManaged", deserialize_with = "lenient::flag")]
    pub is_managed: Option<bool>,
    #[serde(rename = "IsCompliant", deserialize_with = "lenient::flag")]
    pub is_compliant: Option<bool>,
    #[serde(rename = "IsDisabled", deserialize_with = "lenient::flag")]
    pub is_disabled: Option<bool>,
    #[serde(rename = "AdminDisplayName", deserialize_with = "lenient::text")]
    pub admin_display_name: Option<String>,
    #[serde(rename = "ExchangeVersion", deserialize_with = "lenient::text")]
    pub exchange_version: Option<String>,
    #[serde(rename = "DirectoryObjectVersion", deserialize_with = "lenient::text")]
    pub directory_object_version: Option<String>,
    #[serde(rename = "Name", deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(rename = "DistinguishedName", deserialize_with = "lenient::text")]
    pub distinguished_name: Option<String>,
    #[serde(rename = "Identity", deserialize_with = "lenient::text")]
    pub identity: Option<String>,
    #[serde(rename = "Guid", deserialize_with = "lenient::text")]
    pub guid: Option<String>,
    #[serde(rename = "ObjectCategory", deserialize_with = "lenient::text")]
    pub object_category: Option<String>,
    #[serde(rename = "ObjectClass", deserialize_with = "lenient::list")]
    pub object_class: Vec<String>,
    #[serde(rename = "WhenChanged", deserialize_with = "lenient::date")]
    pub when_changed: Option<UtcTimestamp>,
    #[serde(rename = "WhenCreated", deserialize_with = "lenient::date")]
    pub when_created: Option<UtcTimestamp>,
    #[serde(rename = "WhenChangedUTC", deserialize_with = "lenient::date")]
    pub when_changed_utc: Option<UtcTimestamp>,
    #[serde(rename = "WhenCreatedUTC", deserialize_with = "lenient::date")]
    pub when_created_utc: Option<UtcTimestamp>,
    #[serde(rename = "ExchangeObjectId", deserialize_with = "lenient::text")]
    pub exchange_object_id: Option<String>,
    #[serde(rename = "OrganizationalUnitRoot", deserialize_with = "lenient::text")]
    pub organizational_unit_root: Option<String>,
    #[serde(rename = "OrganizationId", deserialize_with = "lenient::text")]
    pub organization_id: Option<String>,
    #[serde(rename = "Id", deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(rename = "OriginatingServer", deserialize_with = "lenient::text")]
    pub originating_server: Option<String>,
    #[serde(rename = "IsValid", deserialize_with = "lenient::flag")]
    pub is_valid: Option<bool>,
    #[serde(rename = "ObjectState", deserialize_with = "lenient::text")]
    pub object_state: Option<String>,
}

impl MobileDevice {
    /// All property values in [`PROPERTY_NAMES`] order.
    pub fn properties(&self) -> [PropertyValue<'_>; PROPERTY_COUNT] {
        use PropertyValue::{DateTime as D, Flag as B, Text as T, TextList as L};
        fn t(value: &Option<String>) -> Option<&str> {
            value.as_deref()
        }
        [
            T(t(&self.friendly_name)),
            T(t(&self.device_id)),
            T(t(&self.device_imei)),
            T(t(&self.device_mobile_operator)),
            T(t(&self.device_os)),
            T(t(&self.device_os_language)),
            T(t(&self.device_telephone_number)),
            T(t(&self.device_type)),
            T(t(&self.device_user_agent)),
            T(t(&self.device_model)),
            D(self.first_sync_time),
            T(t(&self.user_display_name)),
            T(t(&self.device_access_state)),
            T(t(&self.device_access_state_reason)),
            T(t(&self.device_access_control_rule)),
            T(t(&self.client_version)),
            T(t(&self.client_type)),
            B(self.is_managed),
            B(self.is_compliant),
            B(self.is_disabled),
            T(t(&self.admin_display_name)),
            T(t(&self.exchange_version)),
            T(t(&self.directory_object_version)),
            T(t(&self.name)),
            T(t(&self.distinguished_name)),
            T(t(&self.identity)),
            T(t(&self.object_category)),
            L(&self.object_class),
            D(self.when_changed),
            D(self.when_created),
            D(self.when_changed_utc),
            D(self.when_created_utc),
            T(t(&self.exchange_object_id)),
            T(t(&self.organizational_unit_root)),
            T(t(&self.organization_id)),
            T(t(&self.id)),
            T(t(&self.guid)),
            T(t(&self.originating_server)),
            B(self.is_valid),
            T(t(&self.object_state)),
        ]
    }

    /// `UserDisplayNameNew`: the text of `Identity` before the first `\`, i.e. the owning
    /// mailbox's Name (`{mailbox Name}\ExchangeActiveSyncDevices\…`, the Identity form of the
    /// Get-MobileDevice docs); the whole `Identity` when it has no `\`; empty when it is null.
    pub fn user_display_name_new(&self) -> &str {
        self.identity.as_deref().map_or("", user_display_name_new)
    }

    /// The DN of the mailbox that owns this device (see [`mailbox_distinguished_name`]).
    pub fn mailbox_distinguished_name(&self) -> Option<&str> {
        self.distinguished_name
            .as_deref()
            .and_then(mailbox_distinguished_name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
