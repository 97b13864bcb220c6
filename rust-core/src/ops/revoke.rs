//! Revoke-OutlookMobileSignin: from UPNs, object ids or inventory rows to revoked sessions,
//! one outcome per user, none dropped, none revoked twice.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use super::error::OpError;
use super::log_sink::{LogLevel, log};
use super::report::csv_field;
use super::session::Session;
use crate::export::AtomicCsvFile;
use crate::graph::{RevokeOptions, RevokeOutcome};

/// One thing to revoke, as the caller gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeTargetSpec {
    pub input: String,
    /// UPN or Entra object id.
    pub user: Option<String>,
    /// A device's mailbox, resolved to its user through Exchange.
    pub mailbox_distinguished_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeStatus {
    Revoked,
    NotFound,
    Forbidden,
    Invalid,
    /// An external (guest) account: Graph does not revoke its sessions; not sent.
    NotSupported,
    Throttled,
    Failed,
    /// Stopped (Ctrl+C) before anything that could revoke the user was sent.
    Cancelled,
    /// Stopped while the request for the user was unanswered: it may have been revoked.
    Unknown,
}

impl RevokeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeStatus::Revoked => "Revoked",
            RevokeStatus::NotFound => "NotFound",
            RevokeStatus::Forbidden => "Forbidden",
            RevokeStatus::Invalid => "Invalid",
            RevokeStatus::NotSupported => "NotSupported",
            RevokeStatus::Throttled => "Throttled",
            RevokeStatus::Failed => "Failed",
            RevokeStatus::Cancelled => "Cancelled",
            RevokeStatus::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeRecord {
    pub input: String,
    pub user_principal_name: String,
    pub user_id: String,
    pub status: RevokeStatus,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RevokeTotals {
    pub users: usize,
    pub revoked: usize,
    pub cancelled: usize,
    /// Status Unknown: cancelled with the request in flight.
    pub unknown: usize,
    pub batch_requests: usize,
    /// `cancel` was triggered before every user had an answer.
    pub stopped: bool,
}

/// Resolves, deduplicates per user, and revokes. `on_record` is called once per distinct user,
/// also after `cancel`: users not known revoked by then come back `Cancelled` or `Unknown`.
pub async fn revoke(
    session: &Session,
    targets: Vec<RevokeTargetSpec>,
    cancel: CancellationToken,
    on_record: &(dyn Fn(RevokeRecord) + Send + Sync),
) -> Result<RevokeTotals, OpError> {
    // Inventory rows name a mailbox, not a user: ask Exchange who owns each (batched).
    let dns: Vec<String> = targets
        .iter()
        .filter(|t| t.user.is_none())
        .filter_map(|t| mailbox_dn(t).map(str::to_owned))
        .collect();
    let mut owners: HashMap<String, (String, String)> = HashMap::new();
    if !dns.is_empty() {
        log(
            LogLevel::Info,
            format!("Resolving {} mailbox(es) to their users", dns.len()),
        );
        // Cancelled here, nothing has been sent to Graph: every target is Cancelled.
        let resolutions = tokio::select! {
            r = session.exchange.resolve_mailboxes(&dns) => r?,
            _ = cancel.cancelled() => Vec::new(),
        };
        for resolution in resolutions {
            if let Some(mailbox) = resolution.mailbox {
                owners.insert(
                    resolution.input.to_lowercase(),
                    (
                        mailbox.user_principal_name.unwrap_or_default(),
                        mailbox.external_directory_object_id.unwrap_or_default(),
                    ),
                );
            }
        }
    }

    // One Graph call per distinct user, whatever the number of devices or spellings.
    let mut users: Vec<String> = Vec::new();
    let mut shown: Vec<(String, String, String)> = Vec::new(); // input, upn, id per user
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut totals = RevokeTotals::default();
    for target in targets {
        let (user, upn, id) = match (&target.user, mailbox_dn(&target)) {
            (Some(user), _) => (
                user.trim().to_owned(),
                if user.contains('@') {
                    user.trim().to_owned()
                } else {
                    String::new()
                },
                String::new(),
            ),
            (None, Some(_)) if cancel.is_cancelled() => {
                totals.users += 1;
                totals.cancelled += 1;
                on_record(RevokeRecord {
                    input: target.input.clone(),
                    user_principal_name: String::new(),
                    user_id: String::new(),
                    status: RevokeStatus::Cancelled,
                    message: CANCELLED.to_owned(),
                });
                continue;
            }
            (None, Some(dn)) => match owners.get(&dn.trim().to_lowercase()) {
                Some((upn, id)) if !id.is_empty() || !upn.is_empty() => (
                    // By object id, except for a guest: only its UPN shows it is one.
                    if id.is_empty() || is_external_upn(upn) {
                        upn.clone()
                    } else {
                        id.clone()
                    },
                    upn.clone(),
                    id.clone(),
                ),
                _ => {
                    totals.users += 1;
                    on_record(not_found_device(
                        &target.input,
                        format!(
                            "No mailbox owns the device entry '{dn}' any more (the user may have been deleted)."
                        ),
                    ));
                    continue;
                }
            },
            // A device that names no mailbox: its user cannot be known. Never fall back to the
            // name it shows (a mailbox Name or display name is not a user, and may be someone
            // else's UPN).
            (None, None) => {
                totals.users += 1;
                on_record(not_found_device(
                    &target.input,
                    "The device entry names no mailbox, so its user cannot be found; nothing was revoked.".to_owned(),
                ));
                continue;
            }
        };
        let key = user.to_lowercase();
        if seen.contains_key(&key) {
            continue;
        }
        seen.insert(key, users.len());
        users.push(user);
        shown.push((target.input, upn, id));
    }
    totals.users += users.len();

    let options = RevokeOptions {
        cancel,
        ..RevokeOptions::default()
    };
    let counts = Mutex::new(RevokeTotals::default());
    let summary = session
        .graph
        .revoke_sign_in_sessions(&users, &options, &|result| {
            let Some((input, upn, id)) = shown.get(result.index) else { return };
            let (status, message) = match &result.outcome {
                RevokeOutcome::Revoked => (RevokeStatus::Revoked, "Sign-in sessions revoked: the user's apps must sign in again through Entra ID.".to_owned()),
                RevokeOutcome::NotFound => (RevokeStatus::NotFound, format!("No user '{}' in this tenant.", result.input)),
                RevokeOutcome::Forbidden { message } => (RevokeStatus::Forbidden, message.clone()),
                RevokeOutcome::Failed { reason } => (RevokeStatus::Failed, reason.clone()),
                RevokeOutcome::Throttled { reason } => (RevokeStatus::Throttled, format!("Microsoft Graph kept throttling; run the command again later for this user ({reason}).")),
                RevokeOutcome::Invalid { reason } => (RevokeStatus::Invalid, reason.clone()),
                RevokeOutcome::NotSupported { reason } => (RevokeStatus::NotSupported, format!("Not revoked: {reason}.")),
                RevokeOutcome::Cancelled { maybe_revoked: false } => (RevokeStatus::Cancelled, CANCELLED.to_owned()),
                RevokeOutcome::Cancelled { maybe_revoked: true } => (RevokeStatus::Unknown, MAYBE_REVOKED.to_owned()),
                // Inputs are deduplicated above; the client's own check is a safety net.
                RevokeOutcome::Duplicate { .. } => return,
            };
            if let Ok(mut n) = counts.lock() {
                match status {
                    RevokeStatus::Revoked => n.revoked += 1,
                    RevokeStatus::Cancelled => n.cancelled += 1,
                    RevokeStatus::Unknown => n.unknown += 1,
                    _ => {}
                }
            }
            let upn = if upn.is_empty() && result.input.contains('@') { result.input.clone() } else { upn.clone() };
            on_record(RevokeRecord { input: input.clone(), user_principal_name: upn, user_id: id.clone(), status, message });
        })
        .await;
    if summary.read_denied {
        log(
            LogLevel::Warning,
            "A $batch reply was lost and reading its users to see which were revoked was denied, so they were revoked again (harmless: it only moves the time again). Grant User.Read.All to avoid it.",
        );
    }
    let counts = counts.into_inner().unwrap_or_default();
    totals.revoked = counts.revoked;
    totals.cancelled += counts.cancelled;
    totals.unknown = counts.unknown;
    totals.batch_requests = summary.batch_requests;
    totals.stopped = totals.cancelled + totals.unknown > 0;
    Ok(totals)
}

const CANCELLED: &str =
    "Stopped before this user was revoked: nothing that revokes the user's sessions was sent.";
const MAYBE_REVOKED: &str = "Stopped while Microsoft Graph had not answered the request for this user: the sessions may have been revoked. Run the command again for this user (revoking twice only moves the time again).";

/// `-ResultPath`: every user's outcome as a CSV file (UTF-8 with BOM, like the export), so a
/// stopped run (Ctrl+C), whose results PowerShell no longer lets onto the pipeline, still
/// tells the admin who was cut off. Opened before anything is revoked, so a bad path costs
/// nothing; written once the call ends, stopped or not.
pub struct ResultFile(AtomicCsvFile);

impl ResultFile {
    pub fn create(path: &Path) -> Result<Self, OpError> {
        Ok(ResultFile(AtomicCsvFile::create(path, false, false)?))
    }

    pub fn write(mut self, records: &[RevokeRecord]) -> Result<PathBuf, OpError> {
        let mut text = String::from(
            "\u{feff}\"Requested\",\"UserPrincipalName\",\"UserId\",\"Status\",\"Message\"\r\n",
        );
        for r in records {
            text.push_str(&csv_field(&r.input));
            for value in [
                &r.user_principal_name,
                &r.user_id,
                r.status.as_str(),
                &r.message,
            ] {
                text.push(',');
                text.push_str(&csv_field(value));
            }
            text.push_str("\r\n");
        }
        self.0
            .write_all(text.as_bytes())
            .map_err(|e| OpError::new(super::FailureKind::Io, e.to_string()))?;
        Ok(self.0.commit()?)
    }
}

/// The target's mailbox, when it came from a device that names one.
fn mailbox_dn(target: &RevokeTargetSpec) -> Option<&str> {
    target
        .mailbox_distinguished_name
        .as_deref()
        .map(str::trim)
        .filter(|dn| !dn.is_empty())
}

fn is_external_upn(upn: &str) -> bool {
    upn.to_ascii_lowercase().contains("#ext#@")
}

fn not_found_device(input: &str, message: String) -> RevokeRecord {
    RevokeRecord {
        input: input.to_owned(),
        user_principal_name: String::new(),
        user_id: String::new(),
        status: RevokeStatus::NotFound,
        message,
    }
}
