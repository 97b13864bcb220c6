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
    /// The initial `.onmicrosoft.com` domain.
    pub domain: String,
    /// A verified custom ("vanity") domain, as most real tenants have one.
    pub vanity_domain: String,
    pub organization_name: String,
}

/// How a URL's `{tenant}` segment names the tenant. Exchange's admin REST tells these apart
/// (see `exchange::paging::refuse_vanity_follow_up`); Entra does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantName {
    Id,
    InitialDomain,
    VanityDomain,
}

impl Tenant {
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = SeededRng::for_item(seed, 0x7E4A_4E70, 0);
        Self {
            id: rng.guid(),
            domain: "contoso.onmicrosoft.com".to_owned(),
            vanity_domain: "contoso.com".to_owned(),
            organization_name: "Contoso".to_owned(),
        }
    }

    /// Tenant `index` of a multi-tenant emulator: 0 is [`Tenant::from_seed`] (Contoso), the
    /// others get their own name and domains, and an id drawn from their own stream.
    pub fn numbered(seed: u64, index: usize) -> Self {
        if index == 0 {
            return Self::from_seed(seed);
        }
        let mut rng = SeededRng::for_item(seed, 0x7E4A_4E70, index as u64);
        let name = crate::fleet::tenant_name(index);
        let mut organization_name = name.clone();
        if let Some(first) = organization_name.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        Self {
            id: rng.guid(),
            domain: format!("{name}.onmicrosoft.com"),
            vanity_domain: format!("{name}.com"),
            organization_name,
        }
    }

    /// The tenant segment of a URL names this tenant (GUID or either domain, any case).
    /// Entra's endpoints take "GUID or domain-name format" (entra-docs
    /// v2-oauth2-client-creds-grant-flow.md, the `tenant` parameter), any verified domain.
    pub fn matches(&self, segment: &str) -> bool {
        self.resolve(segment).is_some()
    }

    pub fn resolve(&self, segment: &str) -> Option<TenantName> {
        if segment.eq_ignore_ascii_case(&self.domain) {
            Some(TenantName::InitialDomain)
        } else if segment.eq_ignore_ascii_case(&self.vanity_domain) {
            Some(TenantName::VanityDomain)
        } else if Uuid::parse_str(segment).is_ok_and(|u| u == self.id) {
            Some(TenantName::Id)
        } else {
            None
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_the_id_and_both_domains_and_nothing_else() {
        let t = Tenant::from_seed(1);
        assert_eq!(t.resolve(&t.id.to_string()), Some(TenantName::Id));
        assert_eq!(
            t.resolve(&t.id.to_string().to_uppercase()),
            Some(TenantName::Id)
        );
        assert_eq!(
            t.resolve("Contoso.onmicrosoft.com"),
            Some(TenantName::InitialDomain)
        );
        assert_eq!(t.resolve("CONTOSO.COM"), Some(TenantName::VanityDomain));
        assert_eq!(t.resolve("fabrikam.com"), None);
        assert_eq!(t.resolve(&Uuid::nil().to_string()), None);
        assert!(t.matches("contoso.com"));
    }

    #[test]
    fn numbered_tenants_differ_from_each_other_and_keep_tenant_zero() {
        let zero = Tenant::numbered(1, 0);
        assert_eq!(zero.id, Tenant::from_seed(1).id);
        assert_eq!(zero.domain, "contoso.onmicrosoft.com");
        let one = Tenant::numbered(2, 1);
        assert_eq!(one.domain, "fabrikam.onmicrosoft.com");
        assert_eq!(one.organization_name, "Fabrikam");
        assert_ne!(one.id, Tenant::numbered(2, 2).id);
        assert!(!zero.matches(&one.id.to_string()) && !zero.matches("fabrikam.com"));
    }
}
