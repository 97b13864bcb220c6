//! The drift snapshot: a small, versioned JSON document of the tenant's QR sign-in posture
//! (the prompt, the OWA switches, the Conditional Access block with its exclusions, the verdict
//! and the evidence counts). Read strictly, written atomically; it holds no secret (ids, names,
//! states and counts only).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::export::{AtomicCsvFile, AtomicFileError};
use crate::graph::directory_objects::DirectoryObject;
use crate::ops::conditional_access::CaAssessment;
use crate::ops::report::{EvidenceSection, OwaPolicySection, Posture};

/// The only layout this version reads and writes; a new one gets a new number.
pub const SCHEMA_VERSION: u32 = 1;

/// Known verdict names (prompt::Verdict::as_str), to refuse a hand-edited typo.
const VERDICTS: [&str; 6] = [
    "Exposed",
    "PromptHidden",
    "ReportOnly",
    "BlockedWithExclusions",
    "Blocked",
    "Unknown",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    /// The tenant id (GUID) the session addressed, or its domain when no id was known.
    pub tenant_id: String,
    pub organization: String,
    pub taken_at_utc: String,
    pub module_version: String,
    pub verdict: String,
    pub prompt_enabled: Option<bool>,
    pub owa_mailbox_policies: OwaSnapshot,
    pub conditional_access: CaSnapshot,
    pub evidence: EvidenceSnapshot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwaSnapshot {
    /// On | Off | Unknown (Unknown with no policies: they could not be read).
    pub state: String,
    pub policies: Vec<OwaPolicySnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwaPolicySnapshot {
    pub name: String,
    pub is_default: bool,
    /// `None`: not reported by the service (the documented default is on).
    pub account_transfer_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaSnapshot {
    /// Blocked | BlockedWithExclusions | ReportOnly | NotBlocked | Unknown
    pub state: String,
    /// The policies that block authentication transfer (any state).
    pub policies: Vec<CaPolicySnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaPolicySnapshot {
    pub id: String,
    pub display_name: String,
    /// Graph's `state`: enabled | enabledForReportingButNotEnforced | disabled
    pub state: String,
    pub covers_everyone: bool,
    pub excluded_users: Vec<ObjectRef>,
    pub excluded_groups: Vec<ObjectRef>,
    pub excluded_roles: Vec<ObjectRef>,
    pub excluded_guests_or_external_users: Option<String>,
    pub created_by_module: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRef {
    pub id: String,
    /// "" when it could not be named.
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceSnapshot {
    /// False when the sign-in logs could not be read (the counts are then 0 and mean nothing).
    pub available: bool,
    pub window_days: i64,
    pub users: u64,
    pub sign_ins: u64,
    pub newest_sign_in_utc: Option<String>,
}

/// Why a baseline could not be read or written. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("the baseline '{}' could not be read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the baseline '{}' is not a valid OutlookQrGuard snapshot ({detail}); it was left untouched: restore it from a copy, or move it away and run again to start a new baseline",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the baseline '{}' has schemaVersion {version}, but this version of OutlookQrGuard reads only schemaVersion {SCHEMA_VERSION}; it was left untouched: use the module version that wrote it, or move it away to start a new baseline",
        path.display()
    )]
    UnsupportedVersion { path: PathBuf, version: String },
    #[error(
        "the baseline '{}' was taken in tenant '{baseline}' ({baseline_org}), but this session is connected to '{current}' ({current_org}); nothing was compared and the file was left untouched: use that tenant's baseline file",
        path.display()
    )]
    OtherTenant {
        path: PathBuf,
        baseline: String,
        baseline_org: String,
        current: String,
        current_org: String,
    },
    #[error(
        "the folder of the baseline '{}' does not exist; create it first or choose another path",
        path.display()
    )]
    FolderMissing { path: PathBuf },
    #[error("the baseline could not be written: {0}")]
    Write(#[from] AtomicFileError),
    #[error(
        "the baseline '{}' was not written completely, so the previous file was left as it was",
        path.display()
    )]
    Incomplete { path: PathBuf },
}

fn object_refs(objects: &[DirectoryObject]) -> Vec<ObjectRef> {
    objects
        .iter()
        .map(|o| ObjectRef {
            id: o.id.clone(),
            display_name: o.display_name.clone(),
        })
        .collect()
}

fn ca_snapshot(a: &CaAssessment) -> CaSnapshot {
    CaSnapshot {
        state: a.layer.as_str().to_owned(),
        policies: a
            .policies
            .iter()
            .map(|p| CaPolicySnapshot {
                id: p.id.clone(),
                display_name: p.display_name.clone(),
                state: p.state.clone(),
                covers_everyone: p.covers_everyone,
                excluded_users: object_refs(&p.excluded_users),
                excluded_groups: object_refs(&p.excluded_groups),
                excluded_roles: object_refs(&p.excluded_roles),
                excluded_guests_or_external_users: p.excluded_guests_or_external_users.clone(),
                created_by_module: p.created_by_module,
            })
            .collect(),
    }
}

fn owa_snapshot(s: &OwaPolicySection) -> OwaSnapshot {
    OwaSnapshot {
        state: s.state.clone(),
        // Mailbox counts are left out: they move with every new hire and say nothing about drift.
        policies: s
            .policies
            .iter()
            .map(|p| OwaPolicySnapshot {
                name: p.name.clone(),
                is_default: p.is_default,
                account_transfer_enabled: p.account_transfer_enabled,
            })
            .collect(),
    }
}

fn evidence_snapshot(e: &EvidenceSection) -> EvidenceSnapshot {
    EvidenceSnapshot {
        available: e.available,
        window_days: e.window_days,
        users: e.users,
        sign_ins: e.signins,
        // RFC 3339 UTC text of one fixed shape sorts as time; the rows are newest first anyway.
        newest_sign_in_utc: e.per_user.iter().map(|u| u.last_utc.clone()).max(),
    }
}

impl Snapshot {
    pub fn from_posture(tenant_id: &str, posture: &Posture, taken_at_utc: String) -> Snapshot {
        Snapshot {
            schema_version: SCHEMA_VERSION,
            tenant_id: tenant_id.to_owned(),
            organization: posture.both.prompt.organization.clone(),
            taken_at_utc,
            module_version: crate::build_info::VERSION.to_owned(),
            verdict: posture.both.verdict.as_str().to_owned(),
            prompt_enabled: posture.both.prompt.prompt_enabled,
            owa_mailbox_policies: owa_snapshot(&posture.owa),
            conditional_access: ca_snapshot(&posture.both.conditional_access),
            evidence: evidence_snapshot(&posture.evidence),
        }
    }

    /// Parses `text` read from `path`: the version is checked before the layout, so a newer
    /// file says "newer", not "corrupt".
    pub fn parse(path: &Path, text: &str) -> Result<Snapshot, SnapshotError> {
        let corrupt = |detail: String| SnapshotError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
        let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| corrupt(format!("not JSON: {e}")))?;
        let Some(object) = value.as_object() else {
            return Err(corrupt("not a JSON object".to_owned()));
        };
        match object.get("schemaVersion") {
            None => return Err(corrupt("no schemaVersion".to_owned())),
            Some(v) if v.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
            Some(v) => {
                return Err(SnapshotError::UnsupportedVersion {
                    path: path.to_path_buf(),
                    version: v.to_string(),
                });
            }
        }
        let snapshot: Snapshot =
            serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        if snapshot.tenant_id.trim().is_empty() {
            return Err(corrupt("tenantId is empty".to_owned()));
        }
        if !VERDICTS.contains(&snapshot.verdict.as_str()) {
            return Err(corrupt(format!("unknown verdict '{}'", snapshot.verdict)));
        }
        Ok(snapshot)
    }

    /// `Ok(None)`: there is no file at `path` yet (the first run).
    pub fn read(path: &Path) -> Result<Option<Snapshot>, SnapshotError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| SnapshotError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "not UTF-8 text".to_owned(),
                })?;
                Snapshot::parse(path, &text).map(Some)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SnapshotError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Refuses a baseline of another tenant. Two ids are compared when both are GUIDs; when
    /// either side only knew a domain, the organization names are too.
    pub fn check_tenant(
        &self,
        tenant_id: &str,
        organization: &str,
        path: &Path,
    ) -> Result<(), SnapshotError> {
        let guid = |t: &str| uuid::Uuid::parse_str(t.trim()).ok();
        let same = match (guid(&self.tenant_id), guid(tenant_id)) {
            (Some(a), Some(b)) => a == b,
            _ => {
                self.tenant_id.trim().eq_ignore_ascii_case(tenant_id.trim())
                    || self
                        .organization
                        .trim()
                        .eq_ignore_ascii_case(organization.trim())
            }
        };
        if same {
            Ok(())
        } else {
            Err(SnapshotError::OtherTenant {
                path: path.to_path_buf(),
                baseline: self.tenant_id.clone(),
                baseline_org: self.organization.clone(),
                current: tenant_id.to_owned(),
                current_org: organization.to_owned(),
            })
        }
    }

    /// Before minutes of reading: a baseline that could never be written is refused now.
    pub fn check_writable(path: &Path) -> Result<(), SnapshotError> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match absolute.parent() {
            Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => {
                Err(SnapshotError::FolderMissing {
                    path: path.to_path_buf(),
                })
            }
            _ => Ok(()),
        }
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Writes the snapshot atomically over `path` (temporary file in the same folder, then a
    /// rename): if anything fails the old file stays as it was.
    pub fn write(&self, path: &Path) -> Result<PathBuf, SnapshotError> {
        let text = self.to_json();
        write_atomically(path, |w| w.write_all(text.as_bytes()))
    }
}

/// The atomic write with the content given by `fill` (tests make it fail half way).
pub(super) fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf, SnapshotError> {
    let mut file = AtomicCsvFile::create(path, true, false)?;
    if fill(&mut file).is_err() {
        // Dropping the file removes the temporary copy; the target is untouched.
        drop(file);
        return Err(SnapshotError::Incomplete {
            path: path.to_path_buf(),
        });
    }
    Ok(file.commit()?)
}
