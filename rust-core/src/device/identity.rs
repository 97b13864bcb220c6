//! Reading the mailbox a device belongs to out of its `Identity` and `DistinguishedName`.

/// The text before the first `\` of a device `Identity`: the owning mailbox's Name (Identity is
/// `{mailbox Name}\ExchangeActiveSyncDevices\{device Name}`, Get-MobileDevice docs), what the admin's
/// `($_.Identity -split '\\')[0]` yields. Whole text when there is no `\`.
pub fn user_display_name_new(identity: &str) -> &str {
    identity.split('\\').next().unwrap_or(identity)
}

/// The mailbox's DN: the device DN without its first two RDNs
/// (`CN={device},CN=ExchangeActiveSyncDevices,`). RFC 4514 escapes (`\,`, `\\`, `\2C`) inside
/// RDN values are respected. `None` when fewer than three RDNs are present.
pub fn mailbox_distinguished_name(device_dn: &str) -> Option<&str> {
    let first = unescaped_comma(device_dn, 0)?;
    let second = unescaped_comma(device_dn, first + 1)?;
    let rest = device_dn[second + 1..].trim_start_matches(' ');
    (!rest.is_empty()).then_some(rest)
}

/// Byte index of the first `,` at or after `from` that no backslash escapes.
fn unescaped_comma(dn: &str, from: usize) -> Option<usize> {
    let bytes = dn.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            // The escaped character is ASCII whenever it matters (`,` `\` `+` …); a multi-byte
            // character after `\` cannot contain a comma byte, so skipping one byte is safe.
            b'\\' => i += 2,
            b',' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn display_name_is_text_before_first_backslash() {
        assert_eq!(
            user_display_name_new(r"山田 太郎\ExchangeActiveSyncDevices\Outlook§Outlook§abc"),
            "山田 太郎"
        );
        assert_eq!(user_display_name_new("no backslash"), "no backslash");
        assert_eq!(user_display_name_new(r"\leading"), "");
        assert_eq!(user_display_name_new(""), "");
        assert_eq!(user_display_name_new(r"a\b\c"), "a");
    }

    #[test]
    fn mailbox_dn_drops_two_rdns() {
        let dn = "CN=Outlook§Outlook§abc,CN=ExchangeActiveSyncDevices,CN=山田 太郎,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=JPNPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";
        assert_eq!(
            mailbox_distinguished_name(dn),
            Some(
                "CN=山田 太郎,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=JPNPR01A001,DC=PROD,DC=OUTLOOK,DC=COM"
            )
        );
    }

    #[test]
    fn mailbox_dn_respects_escaped_commas() {
        let dn = r"CN=iPhone\, mine,CN=ExchangeActiveSyncDevices,CN=Doe\, John,OU=x,DC=y";
        assert_eq!(
            mailbox_distinguished_name(dn),
            Some(r"CN=Doe\, John,OU=x,DC=y")
        );
        let dn = r"CN=a\\,CN=ExchangeActiveSyncDevices,CN=b,DC=y";
        assert_eq!(mailbox_distinguished_name(dn), Some("CN=b,DC=y"));
        let dn = r"CN=a\2C b,CN=EAS, CN=b,DC=y";
        assert_eq!(mailbox_distinguished_name(dn), Some("CN=b,DC=y"));
    }

    #[test]
    fn mailbox_dn_needs_three_rdns() {
        assert_eq!(mailbox_distinguished_name(""), None);
        assert_eq!(mailbox_distinguished_name("CN=a,CN=b"), None);
        assert_eq!(mailbox_distinguished_name("CN=a,CN=b,"), None);
        assert_eq!(mailbox_distinguished_name(r"CN=a\,CN=b,CN=c"), None);
        assert_eq!(mailbox_distinguished_name("trailing\\"), None);
    }
}
