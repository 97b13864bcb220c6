//! Seeded sign-in events, consistent with the seeded devices: every owner of an "Outlook for iOS
//! and Android" partnership set it up through the QR code (authentication transfer) only, a
//! normal sign-in only, or both; other users leave browser/Teams noise, a few of them failures.
//! Events are small structs; ids, addresses and the JSON are derived on demand from the seed.

use super::devices::{Device, DevicesByUser, OUTLOOK_MODEL};
use crate::rng::SeededRng;

const SIGNIN_STREAM: u64 = 0x51614E;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// Events are seeded at least this long before start-up and at most `RETENTION_DAYS - 1` days
/// before it, so none is older than the retention window while the emulator runs.
const NEWEST_AGE: i64 = HOUR;
pub const RETENTION_DAYS: i64 = 30;

/// UNCONFIRMED: the appId Microsoft's docs do not state; commonly cited for Outlook mobile.
pub const OUTLOOK_MOBILE_APP_ID: &str = "27922004-5251-4030-b22d-91ecd9a37ea4";

/// A client application that signs in: (appId, appDisplayName, clientAppUsed, is a browser).
#[derive(Debug)]
pub struct SignInApp {
    pub app_id: &'static str,
    pub display_name: &'static str,
    pub client_app_used: &'static str,
    pub browser: bool,
}

pub const APPS: &[SignInApp] = &[
    SignInApp {
        app_id: OUTLOOK_MOBILE_APP_ID,
        display_name: "Microsoft Outlook",
        client_app_used: "Mobile Apps and Desktop clients",
        browser: false,
    },
    SignInApp {
        app_id: "4765445b-32c6-49b0-83e6-1d93765276ca",
        display_name: "OfficeHome",
        client_app_used: "Browser",
        browser: true,
    },
    SignInApp {
        app_id: "9199bf20-a13f-4107-85dc-02114787ef48",
        display_name: "One Outlook Web",
        client_app_used: "Browser",
        browser: true,
    },
    SignInApp {
        app_id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        display_name: "Microsoft Teams",
        client_app_used: "Mobile Apps and Desktop clients",
        browser: false,
    },
    SignInApp {
        app_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        display_name: "Microsoft Azure CLI",
        client_app_used: "Mobile Apps and Desktop clients",
        browser: false,
    },
];
const OUTLOOK_APP: u8 = 0;
const AZURE_CLI_APP: u8 = 4;

/// `originalTransferMethod` (beta `signIn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferMethod {
    None,
    DeviceCodeFlow,
    AuthenticationTransfer,
}

impl TransferMethod {
    pub const ALL: [TransferMethod; 3] = [
        TransferMethod::None,
        TransferMethod::DeviceCodeFlow,
        TransferMethod::AuthenticationTransfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::DeviceCodeFlow => "deviceCodeFlow",
            Self::AuthenticationTransfer => "authenticationTransfer",
        }
    }
}

/// (errorCode, failureReason, blocked by Conditional Access)
pub const FAILURES: &[(i32, &str, bool)] = &[
    (
        50126,
        "Error validating credentials due to invalid username or password.",
        false,
    ),
    (50074, "Strong Authentication is required.", false),
    (
        53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        true,
    ),
];

/// How an Outlook mobile owner set the app up (the contract's three mixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupMix {
    QrOnly,
    NormalOnly,
    Both,
}

#[derive(Debug, Clone)]
pub struct SignIn {
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub user: u32,
    /// Index of the Outlook mobile partnership signing in, `u32::MAX` for other apps.
    pub device: u32,
    /// Generation order: the seed for the event's ids, address and location.
    pub serial: u32,
    /// Events of one session share it (and their correlationId).
    pub session: u32,
    pub app: u8,
    pub transfer: TransferMethod,
    pub interactive: bool,
    /// 0 = success, otherwise `FAILURES[failure - 1]`.
    pub failure: u8,
}

impl SignIn {
    pub fn app(&self) -> &'static SignInApp {
        APPS.get(self.app as usize).unwrap_or(&APPS[0])
    }

    pub fn failure(&self) -> Option<&'static (i32, &'static str, bool)> {
        self.failure
            .checked_sub(1)
            .and_then(|i| FAILURES.get(i as usize))
    }
}

#[derive(Debug, Default)]
pub struct SignIns {
    /// Newest first (createdDateTime descending), ties in generation order.
    pub events: Vec<SignIn>,
}

struct Builder {
    events: Vec<SignIn>,
    session: u32,
}

impl Builder {
    fn push(&mut self, mut e: SignIn) {
        e.serial = self.events.len() as u32;
        e.session = self.session;
        self.events.push(e);
    }

    /// One interactive sign-in, then `follow_ups` silent token refreshes in the same session.
    fn session(
        &mut self,
        rng: &mut SeededRng,
        first: SignIn,
        follow_ups: u64,
        newest_allowed: i64,
    ) {
        self.session += 1;
        let mut at = first.at;
        let template = first.clone();
        self.push(first);
        for _ in 0..follow_ups {
            at += HOUR + rng.below(5 * HOUR as u64) as i64;
            if at > newest_allowed {
                break;
            }
            self.push(SignIn {
                at,
                interactive: false,
                failure: 0,
                ..template.clone()
            });
        }
    }
}

pub fn setup_mix(seed: u64, user: u32) -> SetupMix {
    let roll = SeededRng::for_item(seed, SIGNIN_STREAM ^ 0xF1, user as u64).unit();
    if roll < 0.3 {
        SetupMix::QrOnly
    } else if roll < 0.8 {
        SetupMix::NormalOnly
    } else {
        SetupMix::Both
    }
}

/// `anchor` is the emulator clock at start-up (Unix seconds).
pub fn generate_signins(
    seed: u64,
    users: usize,
    devices: &[Device],
    by_user: &DevicesByUser,
    anchor: i64,
) -> SignIns {
    let newest = anchor - NEWEST_AGE;
    let window = (RETENTION_DAYS - 1) * DAY - NEWEST_AGE;
    let mut b = Builder {
        events: Vec::with_capacity(users * 4),
        session: 0,
    };
    let mut outlook: Vec<u32> = Vec::new();
    for user in 0..users as u32 {
        let mut rng = SeededRng::for_item(seed, SIGNIN_STREAM, user as u64);
        outlook.clear();
        outlook.extend(
            by_user
                .of(user)
                .iter()
                .copied()
                .filter(|&d| devices[d as usize].template().model == OUTLOOK_MODEL),
        );
        if !outlook.is_empty() {
            let methods: &[TransferMethod] = match setup_mix(seed, user) {
                SetupMix::QrOnly => &[TransferMethod::AuthenticationTransfer],
                SetupMix::NormalOnly => &[TransferMethod::None],
                SetupMix::Both => &[TransferMethod::AuthenticationTransfer, TransferMethod::None],
            };
            for (k, &transfer) in methods.iter().enumerate() {
                // With two or more phones, "both" uses a different phone for each setup.
                let device =
                    outlook[(rng.below(outlook.len() as u64) as usize + k) % outlook.len()];
                let at = newest - rng.below(window as u64) as i64;
                let follow_ups = 1 + rng.below(3);
                let first = SignIn {
                    at,
                    user,
                    device,
                    serial: 0,
                    session: 0,
                    app: OUTLOOK_APP,
                    transfer,
                    interactive: true,
                    failure: 0,
                };
                b.session(&mut rng, first, follow_ups, newest);
            }
        }
        if rng.chance(0.35) {
            let sessions = 1 + rng.below(2);
            for _ in 0..sessions {
                let app = 1 + rng.below(3) as u8;
                let failure = if rng.chance(0.08) {
                    1 + rng.below(FAILURES.len() as u64) as u8
                } else {
                    0
                };
                let first = SignIn {
                    at: newest - rng.below(window as u64) as i64,
                    user,
                    device: u32::MAX,
                    serial: 0,
                    session: 0,
                    app,
                    transfer: TransferMethod::None,
                    interactive: true,
                    failure,
                };
                let follow_ups = if failure == 0 { rng.below(2) } else { 0 };
                b.session(&mut rng, first, follow_ups, newest);
            }
        }
        if user == 0 {
            // The admin once signed in to the Azure CLI with the device code flow.
            let first = SignIn {
                at: newest - rng.below(window as u64) as i64,
                user,
                device: u32::MAX,
                serial: 0,
                session: 0,
                app: AZURE_CLI_APP,
                transfer: TransferMethod::DeviceCodeFlow,
                interactive: true,
                failure: 0,
            };
            b.session(&mut rng, first, 1, newest);
        }
    }
    let mut events = b.events;
    events.sort_unstable_by(|x, y| y.at.cmp(&x.at).then(x.serial.cmp(&y.serial)));
    SignIns { events }
}

#[cfg(test)]
mod tests {
    use super::super::devices::generate_devices;
    use super::*;

    #[test]
    fn consistent_with_devices_and_within_retention() {
        let devices = generate_devices(2, 3_000, 1_000);
        let by_user = DevicesByUser::build(&devices, 1_000);
        let anchor = 1_800_000_000;
        let s = generate_signins(2, 1_000, &devices, &by_user, anchor);
        assert!(s.events.windows(2).all(|w| w[0].at >= w[1].at));
        assert!(
            s.events
                .iter()
                .all(|e| e.at < anchor && e.at > anchor - RETENTION_DAYS * DAY)
        );
        for e in &s.events {
            if e.transfer == TransferMethod::AuthenticationTransfer {
                let d = &devices[e.device as usize];
                assert_eq!(d.user, e.user);
                assert_eq!(d.template().model, OUTLOOK_MODEL);
            }
        }
        let again = generate_signins(2, 1_000, &devices, &by_user, anchor);
        assert_eq!(again.events.len(), s.events.len());
        assert!(
            s.events
                .iter()
                .zip(&again.events)
                .all(|(a, b)| a.serial == b.serial && a.at == b.at)
        );
    }
}
