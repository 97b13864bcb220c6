//! Seeded security groups (for Conditional Access exclusions and their names): a handful with
//! fixed names, members drawn from the seeded users. Two share a display name on purpose.

use uuid::Uuid;

use crate::rng::SeededRng;

const GROUP_STREAM: u64 = 0x6A00B;

/// (display name, description, mail nickname, how many members)
const GROUPS: &[(&str, &str, &str, usize)] = &[
    (
        "Break Glass Accounts",
        "Emergency access accounts excluded from Conditional Access.",
        "breakglass",
        2,
    ),
    ("Executives", "Board and executive team.", "executives", 6),
    ("営業部", "営業部の全メンバー", "sales-jp", 12),
    ("IT Helpdesk", "First-line support.", "it-helpdesk", 5),
    (
        "Outlook Mobile Pilot",
        "Users piloting Outlook for iOS and Android.",
        "outlook-pilot",
        8,
    ),
    ("Contractors", "External contractors.", "contractors", 4),
    (
        "O'Reilly Book Club",
        "A name with an apostrophe.",
        "oreilly",
        3,
    ),
    (
        "Duplicate Name",
        "First of two groups with this name.",
        "dup1",
        2,
    ),
    (
        "Duplicate Name",
        "Second of two groups with this name.",
        "dup2",
        2,
    ),
    ("Finance, Tokyo", "A name with a comma.", "finance-tokyo", 4),
];

#[derive(Debug, Clone)]
pub struct Group {
    pub id: Uuid,
    pub display_name: &'static str,
    pub description: &'static str,
    pub mail_nickname: &'static str,
    /// Seconds since the Unix epoch.
    pub created: i64,
    /// User indices, ascending, no duplicates.
    pub members: Vec<u32>,
}

pub fn generate_groups(seed: u64, users: usize) -> Vec<Group> {
    let users = users.max(1) as u64;
    GROUPS
        .iter()
        .enumerate()
        .map(|(i, &(display_name, description, mail_nickname, size))| {
            let mut rng = SeededRng::for_item(seed, GROUP_STREAM, i as u64);
            let mut members: Vec<u32> = if i == 0 {
                // The admin is always a break-glass member: tests exclude a known account.
                std::iter::once(0)
                    .chain((1..size).map(|_| rng.below(users) as u32))
                    .collect()
            } else {
                (0..size).map(|_| rng.below(users) as u32).collect()
            };
            members.sort_unstable();
            members.dedup();
            Group {
                id: rng.guid(),
                display_name,
                description,
                mail_nickname,
                created: 1_577_836_800 + rng.below(4 * 365 * 86_400) as i64,
                members,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_duplicate_names() {
        let a = generate_groups(5, 300);
        let b = generate_groups(5, 300);
        assert_eq!(a.len(), GROUPS.len());
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.members == y.members)
        );
        assert_eq!(
            a.iter()
                .filter(|g| g.display_name == "Duplicate Name")
                .count(),
            2
        );
        assert!(a[0].members.contains(&0));
        assert!(a.iter().all(|g| g.members.iter().all(|&m| m < 300)));
    }
}
