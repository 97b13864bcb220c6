//! Export-OutlookMobileDevice: pages stream from Exchange straight into the CSV file.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;

use super::error::OpError;
use super::inventory::DeviceListing;
use super::session::Session;
use crate::exo::MobileDeviceQuery;
use crate::export::{AtomicCsvFile, CsvExporter, CsvOptions, ExportProgress};

pub struct ExportSpec {
    pub path: PathBuf,
    pub overwrite: bool,
    pub create_directory: bool,
    pub options: CsvOptions,
    pub query: MobileDeviceQuery,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub path: PathBuf,
    pub devices: u64,
    pub users: u64,
    pub pages: u32,
    pub bytes: u64,
    pub warnings: Vec<String>,
}

/// Writes the export. The file appears at `spec.path` only when every page was written: an
/// error, or dropping this future (cancellation), removes the temporary file.
pub async fn export(
    session: &Session,
    spec: ExportSpec,
    mut on_progress: impl FnMut(ExportProgress) + Send + 'static,
) -> Result<ExportOutcome, OpError> {
    let file = AtomicCsvFile::create(&spec.path, spec.overwrite, spec.create_directory)?;
    let mut exporter = CsvExporter::new(file, &spec.options)?;
    let mut listing = DeviceListing::start(session, &spec.query);
    let mut warnings = Vec::new();
    // Users are counted by a hash of their mailbox, so a million devices cost megabytes, not more.
    let hasher = RandomState::new();
    let mut users = HashSet::new();
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
        tokio::task::block_in_place(|| exporter.write_page(&page.items))?;
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
    })
}
