//! Seeded users: each is an Entra user (Graph) with an Exchange mailbox.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::names::{
    ENGLISH, HOSTILE, INTERNATIONAL, JAPANESE_FAMILY, JAPANESE_GIVEN, JOB_TITLES, LANGUAGES,
    OFFICES,
};
use crate::rng::SeededRng;
use crate::tenant::Tenant;

const USER_STREAM: u64 = 0x05E8;
/// 2019-01-01T00:00:00Z
const CREATED_FROM: i64 = 1_546_300_800;
const CREATED_SPAN: i64 = 5 * 365 * 86_400;

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub user_principal_name: String,
    pub alias: String,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// Exchange `Name`: the display name, made unique with a number suffix.
    pub mailbox_name: String,
    pub distinguished_name: String,
    pub mailbox_guid: Uuid,
    pub exchange_guid: Uuid,
    pub job_title: Option<&'static str>,
    pub office_location: Option<&'static str>,
    pub preferred_language: Option<&'static str>,
    pub mobile_phone: Option<String>,
    pub created: i64,
    pub is_admin: bool,
}

impl User {
    pub fn mail(&self) -> &str {
        &self.user_principal_name
    }
}

/// Lookups used by Get-Mailbox -Identity/-Filter, Get-MobileDevice -Mailbox and Graph `/users/{id|upn}`.
#[derive(Debug, Default)]
pub struct UserIndex {
    pub by_id: HashMap<Uuid, u32>,
    pub by_upn: HashMap<String, u32>,
    pub by_alias: HashMap<String, u32>,
    pub by_name: HashMap<String, u32>,
    pub by_dn: HashMap<String, u32>,
    pub by_guid: HashMap<Uuid, u32>,
    pub by_display_name: HashMap<String, Vec<u32>>,
}

/// Escapes an RDN value the way Active Directory does (RFC 4514 specials plus leading `#`/space).
pub fn escape_rdn(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '\\' | '+' | '"' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i + 1 == count && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn generate_users(seed: u64, count: usize, tenant: &Tenant) -> (Vec<User>, UserIndex) {
    let count = count.max(1);
    let org_dn = tenant.organization_dn();
    let mut users = Vec::with_capacity(count);
    let mut aliases = Taken::default();
    let mut names = Taken::default();
    for i in 0..count {
        let mut rng = SeededRng::for_item(seed, USER_STREAM, i as u64);
        let (display, given, surname, stem) = if i == 0 {
            (
                "MOD Administrator".to_owned(),
                Some("MOD".to_owned()),
                Some("Administrator".to_owned()),
                "admin".to_owned(),
            )
        } else {
            pick_name(&mut rng)
        };
        let alias = aliases.claim(&stem, |n| format!("{stem}{n}"));
        // Display names repeat but Exchange names are unique: "山田 太郎" becomes "山田 太郎2".
        let mailbox_name = names.claim(&display, |n| format!("{display}{n}"));
        let user_principal_name = format!("{alias}@{}", tenant.domain);
        let distinguished_name = format!("CN={},{org_dn}", escape_rdn(&mailbox_name));
        let mobile_phone = rng
            .chance(0.4)
            .then(|| format!("+81 90-{}-{}", rng.digits(4), rng.digits(4)));
        users.push(User {
            id: rng.guid(),
            user_principal_name,
            alias,
            display_name: display,
            given_name: given,
            surname,
            mailbox_name,
            distinguished_name,
            mailbox_guid: rng.guid(),
            exchange_guid: rng.guid(),
            job_title: rng.pick(JOB_TITLES).copied().filter(|_| i != 0),
            office_location: rng.pick(OFFICES).copied(),
            preferred_language: rng.pick(LANGUAGES).copied().filter(|_| rng.chance(0.8)),
            mobile_phone,
            created: CREATED_FROM + rng.below(CREATED_SPAN as u64) as i64,
            is_admin: i == 0,
        });
    }
    let index = build_index(&users);
    (users, index)
}

type PickedName = (String, Option<String>, Option<String>, String);

fn pick_name(rng: &mut SeededRng) -> PickedName {
    let roll = rng.unit();
    if roll < 0.03 {
        let (display, stem) = HOSTILE[rng.below(HOSTILE.len() as u64) as usize];
        return (display.to_owned(), None, None, stem.to_owned());
    }
    if roll < 0.43 {
        let (family, family_r) = JAPANESE_FAMILY[rng.below(JAPANESE_FAMILY.len() as u64) as usize];
        let (given, given_r) = JAPANESE_GIVEN[rng.below(JAPANESE_GIVEN.len() as u64) as usize];
        return (
            format!("{family} {given}"),
            Some(given.to_owned()),
            Some(family.to_owned()),
            format!("{given_r}.{family_r}"),
        );
    }
    let pool = if roll < 0.70 { INTERNATIONAL } else { ENGLISH };
    let ((given, given_r), (family, family_r)) = pool[rng.below(pool.len() as u64) as usize];
    // Chinese and Korean names are written family name first, without a space.
    let display = if matches!(family_r, "wang" | "kim") {
        format!("{family}{given}")
    } else {
        format!("{given} {family}")
    };
    (
        display,
        Some(given.to_owned()),
        Some(family.to_owned()),
        format!("{given_r}.{family_r}"),
    )
}

/// Names already handed out, and per base name the next number suffix to try (so a name used
/// thousands of times costs O(1) per new user, not a scan from 2).
#[derive(Default)]
struct Taken {
    names: HashSet<String>,
    next_suffix: HashMap<String, u32>,
}

impl Taken {
    fn claim(&mut self, base: &str, numbered: impl Fn(u32) -> String) -> String {
        let key = base.to_lowercase();
        if self.names.insert(key.clone()) {
            return base.to_owned();
        }
        let next = self.next_suffix.entry(key).or_insert(2);
        loop {
            let candidate = numbered(*next);
            *next += 1;
            if self.names.insert(candidate.to_lowercase()) {
                return candidate;
            }
        }
    }
}

fn build_index(users: &[User]) -> UserIndex {
    let mut index = UserIndex::default();
    for (i, u) in users.iter().enumerate() {
        let i = i as u32;
        index.by_id.insert(u.id, i);
        index.by_upn.insert(u.user_principal_name.to_lowercase(), i);
        index.by_alias.insert(u.alias.to_lowercase(), i);
        index.by_name.insert(u.mailbox_name.to_lowercase(), i);
        index.by_dn.insert(u.distinguished_name.to_lowercase(), i);
        index.by_guid.insert(u.mailbox_guid, i);
        index.by_guid.insert(u.exchange_guid, i);
        index
            .by_display_name
            .entry(u.display_name.to_lowercase())
            .or_default()
            .push(i);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdn_escaping() {
        assert_eq!(escape_rdn("O'Brien, Pat"), "O'Brien\\, Pat");
        assert_eq!(escape_rdn("=SUM"), "\\=SUM");
        assert_eq!(escape_rdn("+81"), "\\+81");
        assert_eq!(escape_rdn("#x "), "\\#x\\ ");
    }

    #[test]
    fn unique_and_deterministic() {
        let tenant = Tenant::from_seed(3);
        let (a, index) = generate_users(3, 2000, &tenant);
        let (b, _) = generate_users(3, 2000, &tenant);
        assert_eq!(a[1234].id, b[1234].id);
        assert_eq!(a[1234].display_name, b[1234].display_name);
        assert_eq!(index.by_upn.len(), 2000);
        assert_eq!(index.by_name.len(), 2000);
        assert!(
            a.iter()
                .any(|u| u.display_name.contains('山') || u.display_name.contains('田'))
        );
        assert!(a.iter().any(|u| u.user_principal_name.contains('\'')));
        assert!(a[0].is_admin);
    }
}
