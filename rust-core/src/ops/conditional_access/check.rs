//! Assessing the Conditional Access layer from the policies read.

use super::{CaAssessment, CaLayer, TransferPolicy, ids, is_own_policy, list_policies, name_all};
use crate::graph::conditional_access::ConditionalAccessPolicy;
use crate::graph::directory_objects::ObjectKind;
use crate::ops::entra_access::EntraAccess;
use crate::ops::log_sink::{LogLevel, log};
use crate::ops::session::Session;

fn quoted_names<'a>(policies: impl Iterator<Item = &'a ConditionalAccessPolicy>) -> String {
    policies
        .map(|p| format!("'{}'", p.display_name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The layer and its reason, from the policies alone (exclusions not yet named).
pub fn assess(policies: &[ConditionalAccessPolicy]) -> CaAssessment {
    let blocking: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| p.blocks_transfer()).collect();
    let full_enabled = || {
        blocking
            .iter()
            .copied()
            .filter(|p| p.is_enabled() && p.covers_everyone())
    };
    let (layer, mut reason) = if let Some(p) = full_enabled().find(|p| !p.has_exclusions()) {
        (
            CaLayer::Blocked,
            // Protocol tracking, quoted from MicrosoftDocs/entra-docs,
            // docs/identity/conditional-access/concept-authentication-flows.md: "Any protocol tracked
            // sessions are subject to policy enforcement if a policy exists. Protocol tracking state is
            // sustained through subsequent refreshes." Not verified against a real tenant.
            format!(
                "The Conditional Access policy '{}' blocks authentication transfer for all users and all applications: the QR-code sign-in is stopped at Entra ID for every client, and (Microsoft: sessions started by authentication transfer are protocol tracked, and the state is sustained through refreshes) phones it already connected are stopped at their next token refresh. Revoke-OutlookMobileSignin cuts users off now.",
                p.display_name
            ),
        )
    } else if let Some(p) = full_enabled().next() {
        let guests = p.excluded_guests_or_external_users();
        let n = p.excluded_users().len()
            + p.excluded_groups().len()
            + p.excluded_roles().len()
            + usize::from(guests.is_some());
        (
            CaLayer::BlockedWithExclusions,
            format!(
                "The Conditional Access policy '{}' blocks authentication transfer for all users and applications except {n} exclusion(s) (users {}, groups {}, roles {}{}): each excluded account can still sign a phone in with a QR code.",
                p.display_name,
                p.excluded_users().len(),
                p.excluded_groups().len(),
                p.excluded_roles().len(),
                guests
                    .map(|g| format!(", guests or external users: {g}"))
                    .unwrap_or_default()
            ),
        )
    } else if blocking
        .iter()
        .any(|p| p.is_report_only() && p.covers_everyone())
    {
        (
            CaLayer::ReportOnly,
            format!(
                "Only report-only policies ({}) would block authentication transfer: they log who would be blocked but block nothing. Get-OutlookQrBlockImpact shows whom enforcing them would block.",
                quoted_names(
                    blocking
                        .iter()
                        .copied()
                        .filter(|p| p.is_report_only() && p.covers_everyone())
                )
            ),
        )
    } else {
        (
            CaLayer::NotBlocked,
            "No enabled Conditional Access policy blocks authentication transfer for all users and applications. Block-OutlookAuthenticationTransfer creates one (report-only first, -Enforce to turn it on).".to_owned(),
        )
    };
    let partial: Vec<&ConditionalAccessPolicy> = blocking
        .iter()
        .copied()
        .filter(|p| !p.is_disabled() && !p.covers_everyone())
        .collect();
    if !partial.is_empty() && layer != CaLayer::Blocked {
        reason.push_str(&format!(
            " {} block(s) it only for some users, applications, client app types or conditions.",
            quoted_names(partial.into_iter())
        ));
    }
    CaAssessment {
        layer,
        reason,
        code: String::new(),
        policies: blocking
            .iter()
            .map(|p| TransferPolicy {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
                state: p.state.clone(),
                all_users: p.all_users(),
                all_applications: p.all_applications(),
                all_client_app_types: p.all_client_app_types(),
                covers_everyone: p.covers_everyone(),
                narrowing_conditions: p
                    .narrowing_conditions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                excluded_users: ids(p.excluded_users(), ObjectKind::User),
                excluded_groups: ids(p.excluded_groups(), ObjectKind::Group),
                excluded_roles: ids(p.excluded_roles(), ObjectKind::Role),
                excluded_guests_or_external_users: p.excluded_guests_or_external_users(),
                created_by_module: is_own_policy(p),
            })
            .collect(),
        warnings: Vec::new(),
    }
}

/// The Conditional Access half of Test-OutlookQrSignin. Never fails: what could not be read
/// makes the layer Unknown, with the reason.
pub async fn check(session: &Session) -> CaAssessment {
    let policies = match list_policies(session, EntraAccess::ReadConditionalAccess).await {
        Ok(p) => p,
        Err(e) => {
            log(LogLevel::Warning, e.message.clone());
            return CaAssessment::unknown(&e);
        }
    };
    let mut assessment = assess(&policies);
    let mut warnings = Vec::new();
    for p in &mut assessment.policies {
        name_all(session, &mut p.excluded_users, &mut warnings).await;
        name_all(session, &mut p.excluded_groups, &mut warnings).await;
        name_all(session, &mut p.excluded_roles, &mut warnings).await;
    }
    assessment.warnings = warnings;
    assessment
}
