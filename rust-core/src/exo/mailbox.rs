//! Resolving mailboxes (by distinguished name, UPN or Entra object id) to the UPN and
//! `ExternalDirectoryObjectId` (= Graph user id) with batched `Get-Mailbox -Filter`.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

use super::{ExchangeClient, ExoError, opath_eq, opath_or};

/// Terms per `-Filter` (kept well under OPATH's practical limits).
pub const MAX_FILTER_TERMS: usize = 50;
const REQUESTS_IN_FLIGHT: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Mailbox {
    pub user_principal_name: Option<String>,
    pub external_directory_object_id: Option<String>,
    pub distinguished_name: Option<String>,
    pub display_name: Option<String>,
    pub primary_smtp_address: Option<String>,
}

/// How an input identifies the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailboxLookup {
    DistinguishedName,
    UserPrincipalName,
    ExternalDirectoryObjectId,
}

impl MailboxLookup {
    pub fn of(identity: &str) -> MailboxLookup {
        let t = identity.trim();
        if uuid::Uuid::parse_str(t).is_ok() {
            MailboxLookup::ExternalDirectoryObjectId
        } else if t.len() > 3 && t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("CN=")) {
            MailboxLookup::DistinguishedName
        } else {
            MailboxLookup::UserPrincipalName
        }
    }

    fn property(self) -> &'static str {
        match self {
            MailboxLookup::DistinguishedName => "DistinguishedName",
            MailboxLookup::UserPrincipalName => "UserPrincipalName",
            MailboxLookup::ExternalDirectoryObjectId => "ExternalDirectoryObjectId",
        }
    }

    fn key_of(self, m: &Mailbox) -> Option<&str> {
        match self {
            MailboxLookup::DistinguishedName => m.distinguished_name.as_deref(),
            MailboxLookup::UserPrincipalName => m.user_principal_name.as_deref(),
            MailboxLookup::ExternalDirectoryObjectId => m.external_directory_object_id.as_deref(),
        }
    }
}

/// One input and what it resolved to (`None`: no such mailbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxResolution {
    pub input: String,
    pub mailbox: Option<Mailbox>,
}

impl ExchangeClient {
    /// One result per input, in input order. Duplicates (case-insensitive) are looked up once.
    pub async fn resolve_mailboxes(
        &self,
        identities: &[String],
    ) -> Result<Vec<MailboxResolution>, ExoError> {
        let mut unique: Vec<(MailboxLookup, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in identities {
            let key = id.trim().to_lowercase();
            if !key.is_empty() && seen.insert(key) {
                unique.push((MailboxLookup::of(id), id.trim().to_owned()));
            }
        }
        let chunks: Vec<Vec<(MailboxLookup, String)>> =
            unique.chunks(MAX_FILTER_TERMS).map(<[_]>::to_vec).collect();
        let found: Vec<Vec<Mailbox>> = futures::stream::iter(chunks)
            .map(|chunk| self.get_mailboxes(chunk))
            .buffered(REQUESTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut by_key: HashMap<(MailboxLookup, String), Mailbox> = HashMap::new();
        for m in found.into_iter().flatten() {
            for lookup in [
                MailboxLookup::DistinguishedName,
                MailboxLookup::UserPrincipalName,
                MailboxLookup::ExternalDirectoryObjectId,
            ] {
                if let Some(k) = lookup.key_of(&m) {
                    by_key.insert((lookup, k.to_lowercase()), m.clone());
                }
            }
        }
        Ok(identities
            .iter()
            .map(|id| MailboxResolution {
                input: id.clone(),
                mailbox: by_key
                    .get(&(MailboxLookup::of(id), id.trim().to_lowercase()))
                    .cloned(),
            })
            .collect())
    }

    async fn get_mailboxes(
        &self,
        chunk: Vec<(MailboxLookup, String)>,
    ) -> Result<Vec<Mailbox>, ExoError> {
        let terms: Vec<String> = chunk
            .iter()
            .map(|(l, v)| opath_eq(l.property(), v))
            .collect();
        let mut p = serde_json::Map::new();
        p.insert("Filter".into(), opath_or(&terms).into());
        p.insert("ResultSize".into(), "Unlimited".into());
        let (items, _) = self.invoke_all::<Mailbox>("Get-Mailbox", p).await?;
        Ok(items)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_non_ascii_identity_is_never_sliced_inside_a_character() {
        // "ab" then a 3-byte character: byte 3 falls inside it.
        assert_eq!(
            MailboxLookup::of("ab日本@contoso.com"),
            MailboxLookup::UserPrincipalName
        );
        assert_eq!(
            MailboxLookup::of("cn=山田"),
            MailboxLookup::DistinguishedName
        );
    }

    proptest! {
        /// Sign-in logs and pipelines hand the evidence join any text: classifying it and reading
        /// a device's mailbox out of its Identity and DN never panics.
        #[test]
        fn any_identity_text_is_classified_without_panic(text in "\\PC{0,40}") {
            let _ = MailboxLookup::of(&text);
            let _ = crate::device::user_display_name_new(&text);
            let _ = crate::device::mailbox_distinguished_name(&text);
        }
    }

    #[test]
    fn lookup_kind_from_input() {
        assert_eq!(
            MailboxLookup::of("CN=Yamada,OU=contoso.onmicrosoft.com,DC=x"),
            MailboxLookup::DistinguishedName
        );
        assert_eq!(
            MailboxLookup::of("0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10"),
            MailboxLookup::ExternalDirectoryObjectId
        );
        assert_eq!(
            MailboxLookup::of("taro@contoso.com"),
            MailboxLookup::UserPrincipalName
        );
    }
}
