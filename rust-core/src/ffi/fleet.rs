//! Transport shapes of the fleet run (Get-OutlookQrFleetStatus) and the fleet page, and their
//! conversion from and to `ops::fleet`.

use interoptopus::ffi;

use crate::ops::fleet::FleetRow;

/// One session of the run, with the name its row shows if the session is gone.
#[ffi]
pub struct FleetSessionRef {
    pub session_id: u64,
    pub label: String,
}

#[ffi]
pub struct FleetRequest {
    pub sessions: Vec<FleetSessionRef>,
    /// Tenants checked at once (1..64).
    pub throttle_limit: u32,
}

/// One tenant's row (see `ops::fleet::FleetRow`); also what the fleet page is built from.
#[ffi]
pub struct FleetTenantRow {
    pub tenant: String,
    pub organization: String,
    pub verdict: String,
    pub prompt: String,
    pub conditional_access: String,
    pub owa_account_transfer: String,
    pub evidence_available: bool,
    pub transfer_users: u64,
    pub transfer_signins: u64,
    pub newest_transfer_utc: String,
    pub would_be_blocked_users: Option<u64>,
    pub would_be_blocked_note: String,
    pub errors: Vec<String>,
    pub started_after_ms: u64,
    pub elapsed_ms: u64,
}

#[ffi]
pub struct FleetStatusResult {
    pub rows: Vec<FleetTenantRow>,
    /// The whole run, wall clock.
    pub elapsed_ms: u64,
}

#[ffi]
pub struct FleetReportRequest {
    pub rows: Vec<FleetTenantRow>,
    /// Html or Json.
    pub format: String,
    pub path: Option<String>,
    pub overwrite: bool,
}

#[ffi]
pub struct FleetReportResult {
    pub text: String,
    pub path: Option<String>,
    pub tenants: u64,
    pub tenants_at_risk: u64,
}

pub(super) fn to_wire(r: FleetRow) -> FleetTenantRow {
    FleetTenantRow {
        tenant: r.tenant,
        organization: r.organization,
        verdict: r.verdict,
        prompt: r.prompt,
        conditional_access: r.conditional_access,
        owa_account_transfer: r.owa_account_transfer,
        evidence_available: r.evidence_available,
        transfer_users: r.transfer_users,
        transfer_signins: r.transfer_signins,
        newest_transfer_utc: r.newest_transfer_utc,
        would_be_blocked_users: r.would_be_blocked_users,
        would_be_blocked_note: r.would_be_blocked_note,
        errors: r.errors,
        started_after_ms: r.started_after_ms,
        elapsed_ms: r.elapsed_ms,
    }
}

pub(super) fn from_wire(r: FleetTenantRow) -> FleetRow {
    FleetRow {
        tenant: r.tenant,
        organization: r.organization,
        verdict: r.verdict,
        prompt: r.prompt,
        conditional_access: r.conditional_access,
        owa_account_transfer: r.owa_account_transfer,
        evidence_available: r.evidence_available,
        transfer_users: r.transfer_users,
        transfer_signins: r.transfer_signins,
        newest_transfer_utc: r.newest_transfer_utc,
        would_be_blocked_users: r.would_be_blocked_users,
        would_be_blocked_note: r.would_be_blocked_note,
        errors: r.errors,
        started_after_ms: r.started_after_ms,
        elapsed_ms: r.elapsed_ms,
    }
}
