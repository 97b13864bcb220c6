//! Streaming CSV export of mobile devices, byte-compatible with the admin's Export-Csv pipeline.
//!
//! ```no_run
//! use outlook_qr_guard::export::{AtomicCsvFile, CsvExporter, CsvOptions};
//! # fn pages() -> Vec<Vec<outlook_qr_guard::device::MobileDevice>> { Vec::new() }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let file = AtomicCsvFile::create("devices.csv", false, false)?;
//! let mut exporter = CsvExporter::new(file, &CsvOptions::default())?
//!     .on_progress(|p| eprintln!("{} devices", p.devices_written));
//! for page in pages() {
//!     exporter.write_page(&page)?; // an error here drops the file: nothing at the target
//! }
//! exporter.finish()?.writer.commit()?;
//! # Ok(()) }
//! ```
//!
//! See [`CsvExporter`] for the format and its few deliberate differences from Export-Csv.

mod atomic_file;
mod background_sync;
mod date_format;
mod encode;
mod error;
mod exporter;
mod layout;
mod options;
mod progress;
mod row;

pub use atomic_file::{AtomicCsvFile, AtomicFileError};
pub use date_format::{DateCulture, DateFormatter, DateNames, DatePatternError};
pub use error::ExportError;
pub use exporter::{CsvExporter, FinishedExport};
pub use layout::{
    Column, CsvLayout, PS_COMPUTER_NAME, PS_SHOW_COMPUTER_NAME, RUNSPACE_ID, RemotingValues,
    column_letter,
};
pub use options::{CsvEncoding, CsvOptions, Newline};
pub use progress::ExportProgress;
pub use row::USER_DISPLAY_NAME_NEW;
