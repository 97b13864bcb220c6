//! Wire shapes of the drift call (Test-OutlookQrSignin -BaselinePath, issue #17).

use interoptopus::ffi;

/// What to compare with, and whether to write the current snapshot afterwards.
#[ffi]
pub struct BaselineRequest {
    /// Full path of the baseline JSON file (C# resolves the PowerShell path).
    pub path: String,
    /// -UpdateBaseline (after ShouldProcess): write the current snapshot over the file.
    pub write: bool,
    /// Sign-in evidence window in days, 1..=30; 0 = the default (30).
    pub window_days: u32,
}

/// One change since the baseline (flat: one row in a log or a CSV).
#[ffi]
pub struct DriftDifference {
    /// Worse | Better | Changed | Info
    pub severity: String,
    /// Where in the snapshot, e.g. `conditionalAccess.policies[<id>].excludedGroups`.
    pub path: String,
    pub what: String,
    /// "" when the thing did not exist on that side (`from` is a name the generator refuses).
    pub from_value: String,
    pub to_value: String,
}

/// The comparison and the current snapshot's summary.
#[ffi]
pub struct BaselineResult {
    pub organization: String,
    pub tenant_id: String,
    /// The verdict now.
    pub verdict: String,
    pub taken_at_utc: String,
    /// False on the first run (no file yet): nothing was compared.
    pub baseline_found: bool,
    /// "" when no baseline was found.
    pub baseline_taken_at_utc: String,
    pub baseline_verdict: String,
    /// Where the current snapshot was written; `None` when it was not.
    pub written_path: Option<String>,
    pub differences: Vec<DriftDifference>,
    /// Some difference is Worse (what -Quiet negates).
    pub got_worse: bool,
}
