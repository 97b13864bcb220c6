//! The Outlook on the web prompt ("Get Outlook mobile", MobileAppEducationEnabled): check it,
//! turn it off or on.

use serde_json::Value;

use super::error::OpError;
use super::log_sink::{LogLevel, log};
use super::session::Session;

/// What the tenant exposes through the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptVerdict {
    /// The prompt is shown: users can put a sign-in QR code on screen.
    Exposed,
    /// The prompt is hidden (phones already connected stay connected).
    PromptHidden,
    /// The tenant did not report MobileAppEducationEnabled.
    Unknown,
}

impl PromptVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptVerdict::Exposed => "Exposed",
            PromptVerdict::PromptHidden => "PromptHidden",
            PromptVerdict::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PromptState {
    pub organization: String,
    pub prompt_enabled: Option<bool>,
    /// Every MobileApp* / OutlookMobile* setting, in service order.
    pub settings: Vec<(String, Value)>,
    pub verdict: PromptVerdict,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptChangeOutcome {
    pub organization: String,
    pub previous: Option<bool>,
    pub current: bool,
    pub changed: bool,
    pub warnings: Vec<String>,
}

pub async fn check(session: &Session) -> Result<PromptState, OpError> {
    let config = session.exchange.get_organization_config().await?;
    let organization = config
        .name
        .clone()
        .unwrap_or_else(|| session.summary.organization.clone());
    let (verdict, reason) = match config.mobile_app_education_enabled {
        Some(true) => (
            PromptVerdict::Exposed,
            "Outlook on the web shows the 'Get Outlook mobile' prompt (MobileAppEducationEnabled is True): users can sign a phone in with a QR code. Disable-OutlookQrSignin hides it.",
        ),
        Some(false) => (
            PromptVerdict::PromptHidden,
            "The prompt is hidden (MobileAppEducationEnabled is False). Phones connected before stay connected: find them with Get-OutlookMobileDevice and cut them off with Revoke-OutlookMobileSignin.",
        ),
        None => (
            PromptVerdict::Unknown,
            "The tenant did not report MobileAppEducationEnabled.",
        ),
    };
    Ok(PromptState {
        organization,
        prompt_enabled: config.mobile_app_education_enabled,
        settings: config.mobile_properties.into_iter().collect(),
        verdict,
        reason: reason.to_owned(),
    })
}

/// Sets MobileAppEducationEnabled; reads first and writes only when it differs.
pub async fn set(session: &Session, enabled: bool) -> Result<PromptChangeOutcome, OpError> {
    let before = session.exchange.get_organization_config().await?;
    let organization = before
        .name
        .clone()
        .unwrap_or_else(|| session.summary.organization.clone());
    let previous = before.mobile_app_education_enabled;
    if previous == Some(enabled) {
        log(
            LogLevel::Info,
            format!(
                "MobileAppEducationEnabled is already {}; nothing to change",
                if enabled { "True" } else { "False" }
            ),
        );
        return Ok(PromptChangeOutcome {
            organization,
            previous,
            current: enabled,
            changed: false,
            warnings: Vec::new(),
        });
    }
    let warnings = session.exchange.set_mobile_app_education(enabled).await?;
    Ok(PromptChangeOutcome {
        organization,
        previous,
        current: enabled,
        changed: true,
        warnings,
    })
}
