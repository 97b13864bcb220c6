//! Entra ID: the v2.0 authorize (sign-in page), token and device code endpoints, and managed
//! identity.

pub mod access;
pub mod assertion;
pub mod auth_code;
pub mod authorize;
pub mod client_credentials;
pub mod device_code;
pub mod errors;
pub mod issue;
pub mod jwt;
pub mod managed_identity;
pub mod refresh;
pub mod scopes;
pub mod token;

use crate::state::State;

/// What the `{tenant}` path segment of an Entra URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantSegment {
    Ours,
    /// `common`, `organizations`, `consumers`.
    Independent,
    Unknown,
}

pub fn resolve_tenant(state: &State, segment: &str) -> TenantSegment {
    if state.tenant.matches(segment) {
        TenantSegment::Ours
    } else if ["common", "organizations", "consumers"]
        .iter()
        .any(|t| segment.eq_ignore_ascii_case(t))
    {
        TenantSegment::Independent
    } else {
        TenantSegment::Unknown
    }
}
