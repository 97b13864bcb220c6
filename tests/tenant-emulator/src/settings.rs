//! Service behaviour a test can change while the emulator runs (control API `/_emulator/settings`).

use serde::{Deserialize, Serialize};

use crate::options::EmulatorOptions;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Tenant has Entra ID P1 (Conditional Access and sign-in logs answer; otherwise 403).
    pub premium: bool,
    /// Sign-in log `$filter` naming `originalTransferMethod` is refused with 400.
    pub refuse_transfer_method_filter: bool,
    /// Sign-in log requests per second per client app (token bucket); 0 = unlimited.
    pub sign_in_rate_per_second: f64,
    /// Server-side page size of Conditional Access policy lists.
    pub ca_page_size: usize,
}

impl Settings {
    pub fn from_options(o: &EmulatorOptions) -> Self {
        Self {
            premium: o.premium,
            refuse_transfer_method_filter: o.refuse_transfer_method_filter,
            sign_in_rate_per_second: o.signin_rate_per_second,
            ca_page_size: o.ca_page_size,
        }
    }
}

/// Any subset of [`Settings`]; unknown names are refused so a typo does not pass silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    pub premium: Option<bool>,
    pub refuse_transfer_method_filter: Option<bool>,
    pub sign_in_rate_per_second: Option<f64>,
    pub ca_page_size: Option<usize>,
}

impl SettingsUpdate {
    /// The settings with this update applied, or why it is invalid.
    pub fn apply_to(&self, current: Settings) -> Result<Settings, String> {
        let mut next = current;
        if let Some(p) = self.premium {
            next.premium = p;
        }
        if let Some(r) = self.refuse_transfer_method_filter {
            next.refuse_transfer_method_filter = r;
        }
        if let Some(rate) = self.sign_in_rate_per_second {
            if !rate.is_finite() || rate < 0.0 {
                return Err("signInRatePerSecond must be a number >= 0 (0 = unlimited).".into());
            }
            next.sign_in_rate_per_second = rate;
        }
        if let Some(size) = self.ca_page_size {
            if size == 0 || size > 999 {
                return Err("caPageSize must be between 1 and 999.".into());
            }
            next.ca_page_size = size;
        }
        Ok(next)
    }
}
