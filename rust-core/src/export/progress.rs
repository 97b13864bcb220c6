//! How far an export has got.

use std::time::Duration;

/// Reported after every page and returned by [`super::CsvExporter::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportProgress {
    /// Device rows written so far (the header is not counted).
    pub devices_written: u64,
    /// Pages passed to the exporter so far.
    pub pages_written: u64,
    /// Encoded bytes handed to the writer so far, byte order mark and header included.
    pub bytes_written: u64,
    /// Time since the exporter was created.
    pub elapsed: Duration,
}
