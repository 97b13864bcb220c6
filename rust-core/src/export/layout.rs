//! Which columns the CSV has, in which order: the two layouts admins meet, as one table each.
//!
//! Source for both lists: ../shared/docs/exchange-admin-rest.md, `Get-MobileDevice`
//! (CORRECTED 2026-12-06). The procedure this module replaces exported through a remote
//! PowerShell session, whose objects carry `PSComputerName, RunspaceId, PSShowComputerName`
//! first (remoting adds them; e.g. microsoft/CSS-Exchange Measure-EmailDelayInMTL.ps1 reads such
//! headers) and then 38 properties in the old order, so the admin finds UserDisplayName in
//! column O and UserDisplayNameNew in column AP. ExchangeOnlineManagement 3 (REST) returns 40
//! properties in another order and no remoting columns.

use crate::device::{PROPERTY_COUNT, PROPERTY_NAMES, property_index};

use super::row::USER_DISPLAY_NAME_NEW;

/// The column layout of the file (extra columns, if any, always come after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvLayout {
    /// The procedure's 42 columns: `PSComputerName, RunspaceId, PSShowComputerName`, the 38
    /// remote-PowerShell properties, `UserDisplayNameNew` (UserDisplayName in O, UserDisplayNameNew
    /// in AP).
    #[default]
    RemotePowerShell,
    /// Today's module: the 40 REST properties in the service's order, then `UserDisplayNameNew`
    /// (41 columns; UserDisplayName in L, UserDisplayNameNew in AO).
    ExchangeOnlineManagement,
}

/// What one column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A `Get-MobileDevice` property, by index into [`PROPERTY_NAMES`].
    Property(usize),
    /// The mailbox Name (Identity before the first `\`), the procedure's computed column.
    UserDisplayNameNew,
    /// `PSComputerName`: the Exchange host the session talks to.
    ComputerName,
    /// `RunspaceId`: one GUID per connection.
    RunspaceId,
    /// `PSShowComputerName`: always `False` for Exchange's implicit remoting objects.
    ShowComputerName,
}

/// The remote-PowerShell property order (38: no DirectoryObjectVersion or
/// OrganizationalUnitRoot, Guid right after Identity).
const REMOTE_POWERSHELL_PROPERTIES: [&str; 38] = [
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
    "Name",
    "DistinguishedName",
    "Identity",
    "Guid",
    "ObjectCategory",
    "ObjectClass",
    "WhenChanged",
    "WhenCreated",
    "WhenChangedUTC",
    "WhenCreatedUTC",
    "ExchangeObjectId",
    "OrganizationId",
    "Id",
    "OriginatingServer",
    "IsValid",
    "ObjectState",
];

/// Header text of the remoting columns, exactly as Export-Csv names a deserialized object's
/// remoting properties.
pub const PS_COMPUTER_NAME: &str = "PSComputerName";
pub const RUNSPACE_ID: &str = "RunspaceId";
pub const PS_SHOW_COMPUTER_NAME: &str = "PSShowComputerName";

impl CsvLayout {
    /// The columns, resolved once per export (rows then index a plain slice).
    pub fn columns(self) -> Vec<Column> {
        match self {
            Self::RemotePowerShell => {
                let mut columns = vec![
                    Column::ComputerName,
                    Column::RunspaceId,
                    Column::ShowComputerName,
                ];
                columns.extend(
                    REMOTE_POWERSHELL_PROPERTIES
                        .iter()
                        .filter_map(|name| property_index(name).map(Column::Property)),
                );
                columns.push(Column::UserDisplayNameNew);
                columns
            }
            Self::ExchangeOnlineManagement => (0..PROPERTY_COUNT)
                .map(Column::Property)
                .chain([Column::UserDisplayNameNew])
                .collect(),
        }
    }

    /// The name admins and `-Layout` use.
    pub fn name(self) -> &'static str {
        match self {
            Self::RemotePowerShell => "RemotePowerShell",
            Self::ExchangeOnlineManagement => "ExchangeOnlineManagement",
        }
    }

    /// Parses [`Self::name`] (case-insensitive); `""` is the default.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Some(Self::default());
        }
        [Self::RemotePowerShell, Self::ExchangeOnlineManagement]
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(text))
    }
}

impl Column {
    /// The header Export-Csv writes for this column.
    pub fn header(self) -> &'static str {
        match self {
            Self::Property(i) => PROPERTY_NAMES.get(i).copied().unwrap_or(""),
            Self::UserDisplayNameNew => USER_DISPLAY_NAME_NEW,
            Self::ComputerName => PS_COMPUTER_NAME,
            Self::RunspaceId => RUNSPACE_ID,
            Self::ShowComputerName => PS_SHOW_COMPUTER_NAME,
        }
    }
}

/// The values of the remoting columns for one export (one session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotingValues {
    /// The Exchange host of the session (`outlook.office365.com` in the public cloud).
    pub computer_name: String,
    /// The connection's GUID, lowercase `d` form as Export-Csv prints a `Guid`.
    pub runspace_id: String,
}

impl Default for RemotingValues {
    fn default() -> Self {
        Self {
            computer_name: "outlook.office365.com".to_owned(),
            runspace_id: "00000000-0000-0000-0000-000000000000".to_owned(),
        }
    }
}

/// Spreadsheet column letters (1 → A, 27 → AA), for help texts and tests.
pub fn column_letter(one_based: usize) -> String {
    let mut n = one_based;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(layout: CsvLayout) -> Vec<&'static str> {
        layout.columns().into_iter().map(Column::header).collect()
    }

    fn letter_of(layout: CsvLayout, name: &str) -> String {
        let at = headers(layout).iter().position(|h| *h == name).unwrap();
        column_letter(at + 1)
    }

    #[test]
    fn the_procedures_layout_puts_the_users_in_o_and_ap() {
        let h = headers(CsvLayout::RemotePowerShell);
        assert_eq!(h.len(), 42);
        assert_eq!(
            &h[..3],
            ["PSComputerName", "RunspaceId", "PSShowComputerName"]
        );
        assert_eq!(
            letter_of(CsvLayout::RemotePowerShell, "UserDisplayName"),
            "O"
        );
        assert_eq!(
            letter_of(CsvLayout::RemotePowerShell, "UserDisplayNameNew"),
            "AP"
        );
        // Guid right after Identity; the two REST-only properties absent.
        let identity = h.iter().position(|c| *c == "Identity").unwrap();
        assert_eq!(h[identity + 1], "Guid");
        assert!(!h.contains(&"DirectoryObjectVersion"));
        assert!(!h.contains(&"OrganizationalUnitRoot"));
        assert_eq!(&h[3..41], REMOTE_POWERSHELL_PROPERTIES);
    }

    #[test]
    fn the_modules_layout_is_the_rest_order() {
        let h = headers(CsvLayout::ExchangeOnlineManagement);
        assert_eq!(h.len(), 41);
        assert_eq!(&h[..40], PROPERTY_NAMES);
        assert_eq!(
            letter_of(CsvLayout::ExchangeOnlineManagement, "UserDisplayName"),
            "L"
        );
        assert_eq!(
            letter_of(CsvLayout::ExchangeOnlineManagement, "UserDisplayNameNew"),
            "AO"
        );
    }

    #[test]
    fn every_remote_property_exists_in_the_rest_list() {
        for name in REMOTE_POWERSHELL_PROPERTIES {
            assert!(property_index(name).is_some(), "{name}");
        }
    }

    #[test]
    fn layout_names_parse() {
        assert_eq!(CsvLayout::parse(""), Some(CsvLayout::RemotePowerShell));
        assert_eq!(
            CsvLayout::parse("exchangeonlinemanagement"),
            Some(CsvLayout::ExchangeOnlineManagement)
        );
        assert_eq!(CsvLayout::parse("Rest"), None);
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(15), "O");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(42), "AP");
    }
}
