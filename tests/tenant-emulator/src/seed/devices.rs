//! Seeded ActiveSync partnerships: about 70% Outlook for iOS and Android, the rest native EAS
//! clients. Stored compactly; the 40 Exchange properties are rendered on demand.

use std::borrow::Cow;

use uuid::Uuid;

use crate::rng::SeededRng;

const DEVICE_STREAM: u64 = 0xDE71CE;
/// 2021-01-01T00:00:00Z in 100-ns ticks.
const FIRST_SYNC_FROM: i64 = 1_609_459_200 * 10_000_000;
const FIRST_SYNC_SPAN: u64 = 4 * 365 * 86_400 * 10_000_000;

pub const OUTLOOK_MODEL: &str = "Outlook for iOS and Android";

#[derive(Debug)]
pub struct DeviceTemplate {
    pub model: &'static str,
    pub device_type: &'static str,
    pub client_type: &'static str,
    /// First segment of the device Name (`REST§Outlook§…` for Outlook for iOS and Android).
    pub name_protocol: &'static str,
    pub client_version: &'static str,
    pub os: &'static [&'static str],
    pub user_agents: &'static [&'static str],
    pub friendly_names: &'static [&'static str],
    pub operators: bool,
}

const IOS: &[&str] = &["iOS 17.5.1 21F90", "iOS 18.1 22B83", "iOS 16.7.8 20H343"];
const ANDROID: &[&str] = &["Android 14.0.0", "Android 13.0.0", "Android 15.0.0"];

pub const TEMPLATES: &[DeviceTemplate] = &[
    DeviceTemplate {
        model: OUTLOOK_MODEL,
        device_type: "Outlook",
        client_type: "Outlook",
        name_protocol: "REST",
        client_version: "1.0",
        os: IOS,
        user_agents: &["Outlook-iOS/2.0"],
        friendly_names: &["iPhone", "iPhone 15 Pro", "山田の iPhone"],
        operators: false,
    },
    DeviceTemplate {
        model: OUTLOOK_MODEL,
        device_type: "Outlook",
        client_type: "Outlook",
        name_protocol: "REST",
        client_version: "1.0",
        os: ANDROID,
        user_agents: &["Outlook-Android/2.0"],
        friendly_names: &["Pixel 8", "Galaxy S24", "Xperia 1 V"],
        operators: false,
    },
    DeviceTemplate {
        model: "iPhone15C2",
        device_type: "iPhone",
        client_type: "EAS",
        name_protocol: "EAS",
        client_version: "16.1",
        os: IOS,
        user_agents: &["Apple-iPhone15C2/2105.259", "Apple-iPhone15C2/2201.83"],
        friendly_names: &["iPhone"],
        operators: true,
    },
    DeviceTemplate {
        model: "iPad13C1",
        device_type: "iPad",
        client_type: "EAS",
        name_protocol: "EAS",
        client_version: "16.1",
        os: IOS,
        user_agents: &["Apple-iPad13C1/2105.259"],
        friendly_names: &["iPad"],
        operators: false,
    },
    DeviceTemplate {
        model: "SM-S921B",
        device_type: "SAMSUNGSMS921B",
        client_type: "EAS",
        name_protocol: "EAS",
        client_version: "16.1",
        os: ANDROID,
        user_agents: &["Android-SAMSUNG-SM-S921B/102.20300"],
        friendly_names: &["Galaxy S24"],
        operators: true,
    },
    DeviceTemplate {
        model: "Pixel 8",
        device_type: "Android",
        client_type: "EAS",
        name_protocol: "EAS",
        client_version: "16.1",
        os: ANDROID,
        user_agents: &["Android-Mail/2024.05.19.634917420.Release"],
        friendly_names: &["Pixel 8"],
        operators: true,
    },
    DeviceTemplate {
        model: "WindowsMail",
        device_type: "WindowsMail",
        client_type: "EAS",
        name_protocol: "EAS",
        client_version: "16.1",
        os: &["Windows 10.0.19045", "Windows 10.0.22631"],
        user_agents: &["MSFT-WIN-3/10.0.19045"],
        friendly_names: &["DESKTOP-4F2K9Q1"],
        operators: false,
    },
];

/// Values that must survive CSV export untouched (formula prefixes, separators, quotes, newlines).
pub const HOSTILE_FRIENDLY_NAMES: &[&str] = &[
    "=cmd|' /C calc'!A0",
    "+1 (555) 010-0199",
    "-2+3",
    "@SUM(A1:A2)",
    "Taro's iPhone, \"work\"",
    "Line one\r\nLine two",
    "Tab\there",
    "\"quoted\"",
];

pub const OPERATORS: &[&str] = &[
    "NTT DOCOMO",
    "SoftBank",
    "au",
    "Verizon",
    "Vodafone",
    "Orange F, \"pro\"",
];
pub const OS_LANGUAGES: &[&str] = &["ja-JP", "en-US", "de-DE", "fr-FR"];

/// (DeviceAccessState, DeviceAccessStateReason, DeviceAccessControlRule)
pub const ACCESS_STATES: &[(&str, &str, Option<&str>)] = &[
    ("Allowed", "Global", None),
    ("Allowed", "Individual", None),
    (
        "Allowed",
        "DeviceRule",
        Some("Outlook for iOS and Android (DeviceModel)"),
    ),
    ("Quarantined", "Global", None),
    ("Blocked", "DeviceRule", Some("iPhone15C2 (DeviceModel)")),
    ("DeviceDiscovery", "Global", None),
];

#[derive(Debug, Clone)]
pub struct Device {
    pub user: u32,
    pub template: u8,
    pub device_id: Box<str>,
    pub friendly_name: Option<Cow<'static, str>>,
    pub imei: Option<Box<str>>,
    pub operator: Option<&'static str>,
    pub os: &'static str,
    pub os_language: Option<&'static str>,
    pub phone: Option<Box<str>>,
    pub user_agent: &'static str,
    pub first_sync: i64,
    pub created: i64,
    pub changed: i64,
    pub guid: Uuid,
    pub access: u8,
    pub is_managed: bool,
    pub is_compliant: bool,
    pub is_disabled: bool,
}

impl Device {
    pub fn template(&self) -> &'static DeviceTemplate {
        TEMPLATES
            .get(self.template as usize)
            .unwrap_or(&TEMPLATES[0])
    }

    pub fn access_state(&self) -> (&'static str, &'static str, Option<&'static str>) {
        ACCESS_STATES
            .get(self.access as usize)
            .copied()
            .unwrap_or(ACCESS_STATES[0])
    }
}

fn pick<T: Copy>(rng: &mut SeededRng, items: &[T], fallback: T) -> T {
    rng.pick(items).copied().unwrap_or(fallback)
}

pub fn generate_devices(seed: u64, count: usize, users: usize) -> Vec<Device> {
    let users = users.max(1) as u64;
    (0..count)
        .map(|i| {
            let mut rng = SeededRng::for_item(seed, DEVICE_STREAM, i as u64);
            let template = if rng.chance(0.70) {
                // Outlook: iOS a bit more common than Android.
                u8::from(!rng.chance(0.6))
            } else {
                2 + rng.below((TEMPLATES.len() - 2) as u64) as u8
            };
            let t = &TEMPLATES[template as usize];
            let device_id: Box<str> = if t.client_type == "Outlook" {
                // Lowercase, as in Microsoft's documented `REST§Outlook§5eec4e94…` example.
                rng.hex(32, false).into()
            } else if rng.chance(0.5) {
                rng.hex(32, true).into()
            } else {
                format!("Appl{}", rng.hex(10, true)).into()
            };
            let friendly_name = if rng.chance(0.06) {
                Some(Cow::Borrowed(pick(&mut rng, HOSTILE_FRIENDLY_NAMES, "")))
            } else if rng.chance(0.15) {
                None
            } else {
                Some(Cow::Borrowed(pick(&mut rng, t.friendly_names, "")))
            };
            let first_sync = FIRST_SYNC_FROM + rng.below(FIRST_SYNC_SPAN) as i64;
            let created = first_sync - rng.below(50_000_000) as i64;
            let changed = first_sync + rng.below(FIRST_SYNC_SPAN / 4) as i64;
            let imei = (t.operators && rng.chance(0.5)).then(|| rng.digits(15).into());
            let operator =
                (t.operators && rng.chance(0.6)).then(|| pick(&mut rng, OPERATORS, "au"));
            let phone = (t.operators && rng.chance(0.3))
                .then(|| format!("+81 80 {} {}", rng.digits(4), rng.digits(4)).into());
            let access = if rng.chance(0.85) {
                0
            } else {
                1 + rng.below((ACCESS_STATES.len() - 1) as u64) as u8
            };
            Device {
                user: rng.below(users) as u32,
                template,
                device_id,
                friendly_name,
                imei,
                operator,
                os: pick(&mut rng, t.os, ""),
                os_language: rng
                    .chance(0.9)
                    .then(|| pick(&mut rng, OS_LANGUAGES, "en-US")),
                phone,
                user_agent: pick(&mut rng, t.user_agents, ""),
                first_sync,
                created,
                changed,
                guid: rng.guid(),
                access,
                is_managed: rng.chance(0.2),
                is_compliant: rng.chance(0.15),
                is_disabled: rng.chance(0.02),
            }
        })
        .collect()
}

/// Device indices per user, in service order (compressed sparse rows).
#[derive(Debug, Default)]
pub struct DevicesByUser {
    offsets: Vec<u32>,
    indices: Vec<u32>,
}

impl DevicesByUser {
    pub fn build(devices: &[Device], users: usize) -> Self {
        let mut counts = vec![0u32; users + 1];
        for d in devices {
            if let Some(c) = counts.get_mut(d.user as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut cursor = counts;
        let mut indices = vec![0u32; devices.len()];
        for (i, d) in devices.iter().enumerate() {
            if let Some(slot) = cursor.get_mut(d.user as usize) {
                if let Some(target) = indices.get_mut(*slot as usize) {
                    *target = i as u32;
                }
                *slot += 1;
            }
        }
        Self { offsets, indices }
    }

    pub fn of(&self, user: u32) -> &[u32] {
        let u = user as usize;
        match (self.offsets.get(u), self.offsets.get(u + 1)) {
            (Some(&a), Some(&b)) => self.indices.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_and_grouping() {
        let devices = generate_devices(1, 10_000, 100);
        let outlook = devices
            .iter()
            .filter(|d| d.template().model == OUTLOOK_MODEL)
            .count();
        assert!((6_500..7_500).contains(&outlook), "{outlook}");
        let grouped = DevicesByUser::build(&devices, 100);
        let total: usize = (0..100).map(|u| grouped.of(u).len()).sum();
        assert_eq!(total, 10_000);
        assert!(grouped.of(5).iter().all(|&i| devices[i as usize].user == 5));
        assert!(grouped.of(100).is_empty());
        assert!(devices.iter().any(|d| {
            d.friendly_name
                .as_deref()
                .is_some_and(|f| f.contains("\r\n"))
        }));
    }
}
