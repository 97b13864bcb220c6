//! The Outlook on the web prompt ("Get Outlook mobile", MobileAppEducationEnabled): check it,
//! turn it off or on; and the verdict over both layers (the prompt and Conditional Access).

use serde_json::Value;

use super::conditional_access::{self, CaAssessment, CaLayer};
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
    let (verdict, reason) = prompt_verdict(config.mobile_app_education_enabled);
    Ok(PromptState {
        organization,
        prompt_enabled: config.mobile_app_education_enabled,
        settings: config.mobile_properties.into_iter().collect(),
        verdict,
        reason: reason.to_owned(),
    })
}

/// The prompt layer's verdict and its reason, from MobileAppEducationEnabled.
fn prompt_verdict(enabled: Option<bool>) -> (PromptVerdict, &'static str) {
    match enabled {
        Some(true) => (
            PromptVerdict::Exposed,
            "Outlook on the web shows the 'Get Outlook mobile' prompt (MobileAppEducationEnabled is True): users can sign a phone in with a QR code. Disable-OutlookQrSignin hides it.",
        ),
        Some(false) => (
            PromptVerdict::PromptHidden,
            // "changes may take up to 8 hours to propagate": MicrosoftDocs/microsoft-365-docs,
            // microsoft-365/admin/manage/use-qr-code-download-outlook.md (note under "Use Exchange PowerShell").
            // Protocol tracking: MicrosoftDocs/entra-docs,
            // docs/identity/conditional-access/concept-authentication-flows.md ("Protocol tracking").
            "The prompt is hidden (MobileAppEducationEnabled is False); Microsoft notes the change may take up to 8 hours to reach users. Hiding it ends no session: phones connected before stay connected until an enforced Conditional Access block stops the transfer-originated sessions at their next token refresh (Microsoft: protocol-tracked sessions are subject to the policy), or Revoke-OutlookMobileSignin cuts their users off now.",
        ),
        None => (
            PromptVerdict::Unknown,
            "The tenant did not report MobileAppEducationEnabled.",
        ),
    }
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

/// Test-OutlookQrSignin's verdict over both layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Exposed,
    PromptHidden,
    ReportOnly,
    BlockedWithExclusions,
    Blocked,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Exposed => "Exposed",
            Verdict::PromptHidden => "PromptHidden",
            Verdict::ReportOnly => "ReportOnly",
            Verdict::BlockedWithExclusions => "BlockedWithExclusions",
            Verdict::Blocked => "Blocked",
            Verdict::Unknown => "Unknown",
        }
    }
}

/// Both layers together: an enforced Conditional Access block decides first (it stops the flow
/// for every client); then the Exchange prompt; a report-only policy only shows when nothing
/// enforces anything. `exposed` (-Quiet) is true unless an enforced block covers everyone or
/// the prompt is known to be hidden.
pub fn verdict(
    prompt: PromptVerdict,
    prompt_enabled: Option<bool>,
    ca: CaLayer,
) -> (Verdict, bool) {
    let verdict = match (ca, prompt) {
        (CaLayer::Blocked, _) => Verdict::Blocked,
        (CaLayer::BlockedWithExclusions, _) => Verdict::BlockedWithExclusions,
        (_, PromptVerdict::PromptHidden) => Verdict::PromptHidden,
        (CaLayer::ReportOnly, _) => Verdict::ReportOnly,
        (_, PromptVerdict::Exposed) => Verdict::Exposed,
        (_, PromptVerdict::Unknown) => Verdict::Unknown,
    };
    let exposed = ca != CaLayer::Blocked && prompt_enabled != Some(false);
    (verdict, exposed)
}

#[derive(Debug, Clone, PartialEq)]
pub struct SigninState {
    pub prompt: PromptState,
    pub conditional_access: CaAssessment,
    pub verdict: Verdict,
    pub reason: String,
    pub exposed: bool,
}

/// The check over both layers. Only the Exchange half can fail it: a Conditional Access half
/// that cannot be read (permission, licence) is Unknown, with its reason.
pub async fn check_both(session: &Session) -> Result<SigninState, OpError> {
    let (prompt, ca) = tokio::join!(check(session), conditional_access::check(session));
    Ok(combine(prompt?, ca))
}

pub fn combine(prompt: PromptState, ca: CaAssessment) -> SigninState {
    let (verdict, exposed) = verdict(prompt.verdict, prompt.prompt_enabled, ca.layer);
    let reason = match verdict {
        Verdict::Blocked | Verdict::BlockedWithExclusions | Verdict::ReportOnly => {
            ca.reason.clone()
        }
        _ => match ca.layer {
            CaLayer::Unknown => format!(
                "{} The Conditional Access state could not be read (see ConditionalAccessReason).",
                prompt.reason
            ),
            // The Conditional Access half's own reason: it tells a report-only policy (enforce it)
            // from none at all (create one).
            _ => format!("{} {}", prompt.reason, ca.reason),
        },
    };
    SigninState {
        prompt,
        conditional_access: ca,
        verdict,
        reason,
        exposed,
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    #[test]
    fn a_hidden_prompt_says_it_takes_hours_and_what_stops_connected_phones() {
        let (verdict, reason) = prompt_verdict(Some(false));
        assert_eq!(verdict, PromptVerdict::PromptHidden);
        for needle in [
            "up to 8 hours",
            "next token refresh",
            "Revoke-OutlookMobileSignin",
        ] {
            assert!(reason.contains(needle), "{needle}: {reason}");
        }
        assert_eq!(prompt_verdict(None).0, PromptVerdict::Unknown);
        assert_eq!(prompt_verdict(Some(true)).0, PromptVerdict::Exposed);
    }

    #[test]
    fn a_hidden_prompt_with_a_report_only_policy_points_at_enforcing_it() {
        let prompt = PromptState {
            organization: "contoso".into(),
            prompt_enabled: Some(false),
            settings: Vec::new(),
            verdict: PromptVerdict::PromptHidden,
            reason: "The prompt is hidden.".into(),
        };
        let ca = CaAssessment {
            layer: CaLayer::ReportOnly,
            reason: "Only report-only policies ('x') would block it. Block-OutlookAuthenticationTransfer -Enforce turns the module's policy on.".into(),
            code: String::new(),
            policies: Vec::new(),
            warnings: Vec::new(),
        };
        let both = combine(prompt, ca);
        assert_eq!(both.verdict, Verdict::PromptHidden);
        assert!(
            both.reason.starts_with("The prompt is hidden.")
                && both.reason.contains("-Enforce")
                && !both.reason.contains("No enabled"),
            "{}",
            both.reason
        );
    }

    #[test]
    fn verdict_matrix() {
        use CaLayer as C;
        use PromptVerdict as P;
        let cases = [
            (
                P::Exposed,
                Some(true),
                C::NotBlocked,
                Verdict::Exposed,
                true,
            ),
            (P::Exposed, Some(true), C::Unknown, Verdict::Exposed, true),
            (
                P::Exposed,
                Some(true),
                C::ReportOnly,
                Verdict::ReportOnly,
                true,
            ),
            (
                P::Exposed,
                Some(true),
                C::BlockedWithExclusions,
                Verdict::BlockedWithExclusions,
                true,
            ),
            (P::Exposed, Some(true), C::Blocked, Verdict::Blocked, false),
            (
                P::PromptHidden,
                Some(false),
                C::NotBlocked,
                Verdict::PromptHidden,
                false,
            ),
            (
                P::PromptHidden,
                Some(false),
                C::Unknown,
                Verdict::PromptHidden,
                false,
            ),
            (
                P::PromptHidden,
                Some(false),
                C::ReportOnly,
                Verdict::PromptHidden,
                false,
            ),
            (
                P::PromptHidden,
                Some(false),
                C::BlockedWithExclusions,
                Verdict::BlockedWithExclusions,
                false,
            ),
            (
                P::PromptHidden,
                Some(false),
                C::Blocked,
                Verdict::Blocked,
                false,
            ),
            (P::Unknown, None, C::NotBlocked, Verdict::Unknown, true),
            (P::Unknown, None, C::Unknown, Verdict::Unknown, true),
            (P::Unknown, None, C::ReportOnly, Verdict::ReportOnly, true),
            (P::Unknown, None, C::Blocked, Verdict::Blocked, false),
        ];
        for (p, enabled, ca, want, exposed) in cases {
            assert_eq!(verdict(p, enabled, ca), (want, exposed), "{p:?} {ca:?}");
        }
    }
}
