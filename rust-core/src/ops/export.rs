//! Export-OutlookMobileDevice: pages stream from Exchange straight into the CSV file. With
//! sign-in evidence, the transfer sign-ins are read first, totalled per user and keyed by the
//! users' mailboxes; each device row then gets three extra columns after the default ones.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;

use super::error::OpError;
use super::evidence::{self, EvidenceSpec, UserEvidence};
use super::inventory::DeviceListing;
use super::session::Session;
use crate::device::MobileDevice;
use crate::exo::MobileDeviceQuery;
use crate::export::{
    AtomicCsvFile, CsvExporter, CsvOptions, DateFormatter, ExportProgress, RemotingValues,
};

/// The evidence columns, appended after UserDisplayNameNew only with -IncludeSigninEvidence.
pub const EVIDENCE_COLUMNS: [&str; 3] = [
    "TransferSignInCount",
    "TransferFirstSignIn",
    "TransferLastSignIn",
];

pub struct ExportSpec {
    pub path: PathBuf,
    pub overwrite: bool,
    pub create_directory: bool,
    pub options: CsvOptions,
    pub query: MobileDeviceQuery,
    /// `Some`: join the transfer sign-ins of this window (-IncludeSigninEvidence).
    pub evidence: Option<EvidenceSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub path: PathBuf,
    pub devices: u64,
    pub users: u64,
    pub pages: u32,
    pub bytes: u64,
    pub warnings: Vec<String>,
    /// Rows marked with transfer sign-ins.
    pub devices_with_evidence: u64,
    /// Users with transfer sign-ins in the window.
    pub users_with_evidence: u64,
}

/// The extra values of one page, row-major, as owned text (the exporter borrows them).
fn evidence_values(
    page: &[MobileDevice],
    by_mailbox: &HashMap<String, UserEvidence>,
    dates: &DateFormatter,
    marked: &mut u64,
) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(page.len() * EVIDENCE_COLUMNS.len());
    for device in page {
        let found = device
            .mailbox_distinguished_name()
            .and_then(|dn| by_mailbox.get(&dn.trim().to_lowercase()));
        match found {
            Some(e) => {
                *marked += 1;
                let mut first = String::new();
                let mut last = String::new();
                dates.format(e.first, &mut first);
                dates.format(e.last, &mut last);
                out.extend([Some(e.signins.to_string()), Some(first), Some(last)]);
            }
            // Checked, none found: a count of 0 and no dates.
            None => out.extend([Some("0".to_owned()), None, None]),
        }
    }
    out
}

/// What a remote PowerShell session would have put in the remoting columns: the Exchange host
/// (`outlook.office365.com` in the public cloud) and one GUID per connection.
fn remoting_values(session: &Session) -> RemotingValues {
    let defaults = RemotingValues::default();
    RemotingValues {
        computer_name: session
            .tokens
            .environment()
            .exchange_base()
            .host_str()
            .map_or(defaults.computer_name, str::to_owned),
        runspace_id: session.exchange.connection_id().to_string(),
    }
}

/// Writes the export. The file appears at `spec.path` only when every page was written: an
/// error, or dropping this future (cancellation), removes the temporary file.
pub async fn export(
    session: &Session,
    spec: ExportSpec,
    mut on_progress: impl FnMut(ExportProgress) + Send + 'static,
) -> Result<ExportOutcome, OpError> {
    let file = AtomicCsvFile::create(&spec.path, spec.overwrite, spec.create_directory)?;
    let mut options = spec.options.clone();
    options.remoting = remoting_values(session);
    let mut warnings = Vec::new();
    let mut joined: Option<(HashMap<String, UserEvidence>, DateFormatter)> = None;
    let mut users_with_evidence = 0;
    if let Some(window) = &spec.evidence {
        options.extra_columns = EVIDENCE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        let dates = DateFormatter::general(&options.date_culture)
            .map_err(|e| OpError::invalid(e.to_string()))?;
        let (totals, evidence_warnings) = evidence::collect(session, window).await?;
        warnings.extend(evidence_warnings);
        users_with_evidence = totals.user_count();
        joined = Some((evidence::by_mailbox(session, &totals).await?, dates));
    }
    let mut exporter = CsvExporter::new(file, &options)?;
    let mut listing = DeviceListing::start(session, &spec.query);
    // Users are counted by a hash of their mailbox, so a million devices cost megabytes, not more.
    let hasher = RandomState::new();
    let mut users = HashSet::new();
    let mut devices_with_evidence = 0;
    while let Some(page) = listing.next_page().await {
        let page = page?;
        for w in page.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        for device in &page.items {
            let key = device
                .mailbox_distinguished_name()
                .unwrap_or_else(|| device.user_display_name_new());
            users.insert(hasher.hash_one(key.to_lowercase()));
        }
        // A page is a few milliseconds of local writing: do it in place rather than hop threads.
        match &joined {
            None => tokio::task::block_in_place(|| exporter.write_page(&page.items))?,
            Some((by_mailbox, dates)) => {
                let owned =
                    evidence_values(&page.items, by_mailbox, dates, &mut devices_with_evidence);
                let extra: Vec<Option<&str>> = owned.iter().map(Option::as_deref).collect();
                tokio::task::block_in_place(|| exporter.write_page_with_extra(&page.items, &extra))?
            }
        }
        on_progress(exporter.progress());
    }
    let finished = tokio::task::block_in_place(|| exporter.finish())?;
    let progress = finished.progress;
    let path = tokio::task::block_in_place(|| finished.writer.commit())?;
    Ok(ExportOutcome {
        path,
        devices: progress.devices_written,
        users: users.len() as u64,
        pages: listing.pages_read(),
        bytes: progress.bytes_written,
        warnings,
        devices_with_evidence,
        users_with_evidence,
    })
}
