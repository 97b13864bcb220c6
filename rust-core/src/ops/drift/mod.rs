//! Drift (issue #17): a snapshot of the tenant's QR sign-in posture kept as a baseline file,
//! and what changed since it (Test-OutlookQrSignin -BaselinePath). The posture is gathered by
//! the report's own step (`report::gather`), without the device listing.

mod compare;
mod snapshot;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use compare::{Difference, Severity, compare, got_worse};
pub use snapshot::{
    CaPolicySnapshot, CaSnapshot, EvidenceSnapshot, ObjectRef, OwaPolicySnapshot, OwaSnapshot,
    SCHEMA_VERSION, Snapshot, SnapshotError,
};

use super::error::{FailureKind, OpError};
use super::evidence::DEFAULT_WINDOW_DAYS;
use super::report;
use super::session::Session;

/// What Test-OutlookQrSignin -BaselinePath asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineSpec {
    pub path: PathBuf,
    /// Write the current snapshot over the baseline after comparing (-UpdateBaseline).
    pub write: bool,
    /// The sign-in evidence window in days (1..=30; 30 is the logs' retention with P1/P2).
    pub window_days: i64,
}

#[derive(Debug, Clone)]
pub struct BaselineOutcome {
    /// `None`: there was no file yet (first run): nothing to compare.
    pub baseline: Option<Snapshot>,
    pub current: Snapshot,
    pub differences: Vec<Difference>,
    /// Where the current snapshot was written (with `write`).
    pub written: Option<PathBuf>,
}

impl From<SnapshotError> for OpError {
    fn from(e: SnapshotError) -> OpError {
        let message = e.to_string();
        let (kind, code, path) = match e {
            SnapshotError::Read { path, .. } => (FailureKind::Io, "BaselineUnreadable", path),
            SnapshotError::Corrupt { path, .. } => {
                (FailureKind::InvalidArgument, "BaselineCorrupt", path)
            }
            SnapshotError::UnsupportedVersion { path, .. } => (
                FailureKind::InvalidArgument,
                "BaselineVersionUnsupported",
                path,
            ),
            SnapshotError::OtherTenant { path, .. } => {
                (FailureKind::InvalidArgument, "BaselineOtherTenant", path)
            }
            SnapshotError::FolderMissing { path } => {
                (FailureKind::InvalidArgument, "BaselineFolderMissing", path)
            }
            // The file layer's kind (permission, disk full …), with the baseline named.
            SnapshotError::Write(inner) => {
                let kind = OpError::from(inner).kind;
                return OpError::new(kind, message).with_code("BaselineNotWritten");
            }
            SnapshotError::Incomplete { path } => (FailureKind::Io, "BaselineNotWritten", path),
        };
        OpError::new(kind, message)
            .with_code(code)
            .with_target(path.display().to_string())
    }
}

fn now_text() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The tenant as the session addresses it: the id from the sign-in token when known.
fn session_tenant(session: &Session) -> String {
    session.exchange.options().tenant.clone()
}

/// The current posture as a snapshot.
pub async fn take(session: &Session, window_days: i64) -> Result<Snapshot, OpError> {
    let posture = report::gather(session, window_days, false).await?;
    Ok(Snapshot::from_posture(
        &session_tenant(session),
        &posture,
        now_text(),
    ))
}

fn check_spec(spec: &BaselineSpec) -> Result<(), OpError> {
    if spec.path.as_os_str().is_empty() {
        return Err(OpError::invalid(
            "-BaselinePath is empty: give the path of the baseline JSON file",
        )
        .with_target("BaselinePath"));
    }
    if !(1..=DEFAULT_WINDOW_DAYS).contains(&spec.window_days) {
        return Err(OpError::invalid(format!(
            "The sign-in window is {} days; it must be 1 to {DEFAULT_WINDOW_DAYS} (the sign-in logs keep {DEFAULT_WINDOW_DAYS} days)",
            spec.window_days
        ))
        .with_target("WindowDays"));
    }
    Ok(())
}

/// Compares the tenant with the baseline at `spec.path` and, with `spec.write`, writes the
/// current snapshot there. A baseline that cannot be read, is corrupt, of another version or of
/// another tenant fails the call before anything is read from the tenant, and is never
/// overwritten.
pub async fn compare_baseline(
    session: &Session,
    spec: &BaselineSpec,
) -> Result<BaselineOutcome, OpError> {
    check_spec(spec)?;
    let baseline = Snapshot::read(&spec.path)?;
    if spec.write {
        Snapshot::check_writable(&spec.path)?;
    }
    if let Some(b) = &baseline {
        b.check_tenant(
            &session_tenant(session),
            &session.summary.organization,
            &spec.path,
        )?;
    }
    let current = take(session, spec.window_days).await?;
    let differences = baseline
        .as_ref()
        .map(|b| compare(b, &current))
        .unwrap_or_default();
    let written = if spec.write {
        Some(current.write(&spec.path)?)
    } else {
        None
    };
    Ok(BaselineOutcome {
        baseline,
        current,
        differences,
        written,
    })
}
