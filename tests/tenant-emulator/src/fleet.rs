//! Several tenants in one process: each has its own seed, credentials and state, and a request
//! reaches the tenant its URL or token names — as the real services tell tenants apart:
//! - Entra: the `{tenant}` path segment (entra-docs v2-oauth2-client-creds-grant-flow.md, the
//!   `tenant` parameter: "The directory tenant the application plans to operate against, in GUID
//!   or domain-name format").
//! - Exchange admin REST: the `{tenant}` segment of `/adminapi/beta/{tenant}/InvokeCommand`
//!   (../shared/docs/exchange-admin-rest.md).
//! - Graph: one host for every tenant, so the access token decides: its `tid` claim names the
//!   tenant the token was issued in (learn.microsoft.com/entra/identity-platform/
//!   access-token-claims-reference, `tid`), and an app-only token is requested from that
//!   tenant's token endpoint (learn.microsoft.com/graph/auth-v2-service). That Graph routes on
//!   `tid` alone (not e.g. on `iss`) is UNCONFIRMED; both agree for the tokens issued here.
//! - Managed identity: each Automation account has its own endpoint secret (`IDENTITY_HEADER`).
//! - Control API: each tenant has its own `X-Emulator-Control-Key`.
//!
//! No lock is shared between tenants: picking one reads only immutable data.

use std::sync::Arc;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::Req;
use crate::router::Route;
use crate::state::State;

/// Microsoft's own example organisations, so fleet pages read naturally. Tenant 0 stays Contoso
/// (every single-tenant test relies on it).
const NAMES: &[&str] = &[
    "contoso",
    "fabrikam",
    "northwind",
    "adatum",
    "tailspin",
    "litware",
    "woodgrove",
    "wingtip",
    "proseware",
    "relecloud",
];

/// `contoso` for 0, …, then `tenant10`, `tenant11`…
pub fn tenant_name(index: usize) -> String {
    NAMES
        .get(index)
        .map(|n| (*n).to_owned())
        .unwrap_or_else(|| format!("tenant{index}"))
}

/// What one emulated tenant starts with (the rest — users, devices, page sizes — comes from
/// [`crate::EmulatorOptions`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TenantOptions {
    /// Seed of its users, devices and ids; `None`: the emulator's seed plus the tenant's index.
    pub seed: Option<u64>,
    /// Entra ID P1 (Conditional Access and sign-in logs answer 403 without it).
    pub premium: bool,
    /// `MobileAppEducationEnabled` at start (Exchange's default is true).
    pub prompt_enabled: bool,
    /// A Conditional Access policy blocking authentication transfer at start.
    pub transfer_block: TransferBlock,
    /// The module's app registrations were deleted from this tenant (or never consented): every
    /// client credentials request answers AADSTS700016, as Entra does for an unknown app.
    pub apps_removed: bool,
}

impl Default for TenantOptions {
    fn default() -> Self {
        Self {
            seed: None,
            premium: true,
            prompt_enabled: true,
            transfer_block: TransferBlock::None,
            apps_removed: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TransferBlock {
    #[default]
    None,
    /// `state: enabledForReportingButNotEnforced`.
    ReportOnly,
    /// `state: enabled`.
    Enforced,
}

/// A policy blocking authentication transfer for everyone, in request form. Shape:
/// learn.microsoft.com/graph/api/resources/conditionalaccessauthenticationflows
/// (`transferMethods`: `authenticationTransfer`) and entra/identity/conditional-access/
/// concept-authentication-flows (users All, resources All, grant Block).
pub fn transfer_block_body(block: TransferBlock) -> Option<Value> {
    let state = match block {
        TransferBlock::None => return None,
        TransferBlock::ReportOnly => "enabledForReportingButNotEnforced",
        TransferBlock::Enforced => "enabled",
    };
    Some(json!({
        "displayName": "Block authentication transfer (tenant baseline)",
        "state": state,
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "authenticationFlows": {"transferMethods": "authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    }))
}

/// Every tenant the process serves; tenant 0 answers what names no tenant (its own errors).
pub struct Tenants {
    list: Vec<Arc<State>>,
}

impl Tenants {
    /// `list` must not be empty (the emulator always starts at least one tenant).
    pub fn new(list: Vec<Arc<State>>) -> Self {
        Self { list }
    }

    pub fn first(&self) -> &Arc<State> {
        &self.list[0]
    }

    pub fn get(&self, index: usize) -> Option<&Arc<State>> {
        self.list.get(index)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The tenant a request is for; the first one when nothing names another (it then answers
    /// with its own "tenant not found" / 401 as a single tenant would).
    pub fn pick(&self, route: &Route, req: &Req) -> &Arc<State> {
        if self.list.len() == 1 {
            return self.first();
        }
        let found = match route {
            Route::Token(t) | Route::DeviceCode(t) | Route::Exchange(t) | Route::Authorize(t) => {
                self.list.iter().find(|s| s.tenant.matches(t))
            }
            // The ingestion endpoint is one host for every tenant too: the token says whose rows.
            Route::Graph | Route::LogsIngestion(..) => {
                token_tenant(req).and_then(|tid| self.list.iter().find(|s| s.tenant.matches(&tid)))
            }
            Route::ManagedIdentity => {
                let header = req
                    .header("x-identity-header")
                    .or_else(|| req.header("secret"));
                header.and_then(|h| {
                    self.list.iter().find(|s| {
                        crate::secret::equals(h.as_bytes(), s.directory.identity_header.as_bytes())
                    })
                })
            }
            Route::Control => req.header("x-emulator-control-key").and_then(|k| {
                self.list.iter().find(|s| {
                    crate::secret::equals(k.as_bytes(), s.directory.control_key.as_bytes())
                })
            }),
            Route::NotFound => None,
        };
        found.unwrap_or_else(|| self.first())
    }
}

/// The `tid` claim of the bearer token, read WITHOUT checking the signature: only to pick the
/// tenant, whose own checks (signature, issuer, audience, lifetime) then run as before.
fn token_tenant(req: &Req) -> Option<String> {
    let token = crate::entra::access::bearer_token(req)?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("tid")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_stable() {
        assert_eq!(tenant_name(0), "contoso");
        assert_eq!(tenant_name(1), "fabrikam");
        assert_eq!(tenant_name(12), "tenant12");
        let names: std::collections::HashSet<String> = (0..20).map(tenant_name).collect();
        assert_eq!(names.len(), 20);
    }

    #[test]
    fn tenant_options_read_from_json_and_refuse_unknown_fields() {
        let t: TenantOptions =
            serde_json::from_str(r#"{"promptEnabled":false,"transferBlock":"ReportOnly"}"#)
                .expect("valid options");
        assert!(!t.prompt_enabled && t.premium && !t.apps_removed);
        assert_eq!(t.transfer_block, TransferBlock::ReportOnly);
        assert!(serde_json::from_str::<TenantOptions>(r#"{"prompt":false}"#).is_err());
        assert!(transfer_block_body(TransferBlock::None).is_none());
        assert_eq!(
            transfer_block_body(TransferBlock::Enforced)
                .and_then(|b| b["state"].as_str().map(str::to_owned)),
            Some("enabled".to_owned())
        );
    }
}
