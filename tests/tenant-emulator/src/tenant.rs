//! The emulated organisation's identity and the Exchange forest names that appear in object ids.

use uuid::Uuid;

use crate::rng::SeededRng;

/// Exchange Online forest the tenant lives in (appears in DNs, UserDisplayName, OrganizationId).
pub const FOREST: &str = "JPNPR01A001.PROD.OUTLOOK.COM";
/// Server name reported as `OriginatingServer`.
pub const ORIGINATING_SERVER: &str = "TYCPR01MB8351.JPNPR01.PROD.OUTLOOK.COM";

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub domain: String,
    pub organization_name: String,
}

impl Tenant {
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = SeededRng::for_item(seed, 0x7E4A_4E70, 0);
        Self {
            id: rng.guid(),
            domain: "contoso.onmicrosoft.com".to_owned(),
            organization_name: "Contoso".to_owned(),
        }
    }

    /// The tenant segment of a URL names this tenant (GUID or domain, any case).
    pub fn matches(&self, segment: &str) -> bool {
        segment.eq_ignore_ascii_case(&self.domain)
            || Uuid::parse_str(segment).is_ok_and(|u| u == self.id)
    }

    /// `OU={domain},OU=Microsoft Exchange Hosted Organizations,DC=…` under which mailboxes live.
    pub fn organization_dn(&self) -> String {
        let dcs: Vec<String> = FOREST.split('.').map(|p| format!("DC={p}")).collect();
        format!(
            "OU={},OU=Microsoft Exchange Hosted Organizations,{}",
            self.domain,
            dcs.join(",")
        )
    }

    /// `FOREST/Microsoft Exchange Hosted Organizations/{domain}`: prefix of canonical names.
    pub fn canonical_prefix(&self) -> String {
        format!(
            "{FOREST}/Microsoft Exchange Hosted Organizations/{}",
            self.domain
        )
    }

    pub fn organization_id(&self) -> String {
        format!(
            "{} - {FOREST}/ConfigurationUnits/{}/Configuration",
            self.canonical_prefix(),
            self.domain
        )
    }
}
