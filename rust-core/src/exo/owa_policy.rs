//! Outlook on the web mailbox policies and their `AccountTransferEnabled` switch (the QR-code
//! sign-in, semi-documented), with how many mailboxes each policy is assigned to.
//!
//! Sources: MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/exchange/Set-OwaMailboxPolicy.md
//! (`-AccountTransferEnabled`, Boolean, Exchange Online only: "This parameter is reserved for
//! internal Microsoft use"); Microsoft365DSC EXOOwaMailboxPolicy ("specifies whether to enable or
//! disable QR code sign-in. By default, QR code sign-in is enabled"). Assignment is read from
//! `Get-CASMailbox -ResultSize Unlimited` (`OwaMailboxPolicy`, Get-CASMailbox.md): one paged scan
//! for the whole tenant, rather than one filtered call per policy, which cannot ask for "no policy".
//! UNCONFIRMED: that an empty `OwaMailboxPolicy` means the default policy applies.

use std::collections::HashMap;

use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{ExchangeClient, ExoError, ResultSize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwaMailboxPolicy {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    /// `None` when the service did not report it.
    #[serde(default)]
    pub account_transfer_enabled: Option<bool>,
    /// Mailboxes the policy applies to (for the default policy, including mailboxes with no
    /// policy assigned); filled by [`ExchangeClient::owa_mailbox_policies_with_counts`].
    #[serde(skip)]
    pub mailboxes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CasMailbox {
    #[serde(default)]
    owa_mailbox_policy: Option<String>,
}

impl ExchangeClient {
    pub async fn get_owa_mailbox_policies(&self) -> Result<Vec<OwaMailboxPolicy>, ExoError> {
        let (items, _) = self
            .invoke_all::<OwaMailboxPolicy>("Get-OwaMailboxPolicy", Map::new())
            .await?;
        Ok(items)
    }

    /// Every policy with its mailbox count. Mailboxes naming a policy that was not listed are
    /// returned as the second value (count per name as reported).
    pub async fn owa_mailbox_policies_with_counts(
        &self,
    ) -> Result<(Vec<OwaMailboxPolicy>, HashMap<String, u64>), ExoError> {
        let mut policies = self.get_owa_mailbox_policies().await?;
        let mut p = Map::new();
        p.insert("ResultSize".into(), ResultSize::Unlimited.to_json());
        let mut per_name: HashMap<String, u64> = HashMap::new();
        let mut pages = std::pin::pin!(self.invoke::<CasMailbox>("Get-CASMailbox", p));
        while let Some(page) = pages.try_next().await? {
            for m in page.items {
                let name = m
                    .owa_mailbox_policy
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default();
                *per_name.entry(name.to_lowercase()).or_default() += 1;
            }
        }
        let unassigned = per_name.remove("").unwrap_or(0);
        for policy in &mut policies {
            policy.mailboxes = per_name.remove(&policy.name.to_lowercase()).unwrap_or(0);
            if policy.is_default {
                policy.mailboxes += unassigned;
            }
        }
        Ok((policies, per_name))
    }

    /// `Set-OwaMailboxPolicy -Identity <name> -AccountTransferEnabled <enabled>`; returns the
    /// service's warnings.
    pub async fn set_owa_account_transfer(
        &self,
        policy: &str,
        enabled: bool,
    ) -> Result<Vec<String>, ExoError> {
        let mut p = Map::new();
        p.insert("Identity".into(), Value::String(policy.to_owned()));
        p.insert("AccountTransferEnabled".into(), Value::Bool(enabled));
        let (_, warnings) = self.invoke_all::<Value>("Set-OwaMailboxPolicy", p).await?;
        Ok(warnings)
    }
}
