//! The streaming exporter: pages in, encoded CSV out, nothing collected.

use std::io::Write;
use std::time::Instant;

use crate::device::MobileDevice;

use super::encode::Transcoder;
use super::error::ExportError;
use super::options::{CsvEncoding, CsvOptions};
use super::progress::ExportProgress;
use super::row::{RowFormatter, row_extra};

/// Text is encoded and written once this much is pending, so memory stays flat however large a
/// page is, while writes stay big enough to be cheap.
const CHUNK_BYTES: usize = 1 << 20;

type ProgressCallback = Box<dyn FnMut(ExportProgress) + Send>;

/// Writes `Get-MobileDevice` pages as the admin's
/// `Select-Object *, @{n='UserDisplayNameNew';e={($_.Identity -split '\\')[0]}} | Export-Csv -NoTypeInformation`
/// would, byte for byte, in the columns of [`super::CsvOptions::layout`] (by default the
/// procedure's remote-session file: `PSComputerName, RunspaceId, PSShowComputerName` first),
/// with these deliberate differences:
/// - `ObjectClass` (multi-valued) is written as its values joined by one space (what
///   `"$array"` gives), not Export-Csv's useless `System.Object[]`; empty or null → null.
/// - With [`CsvOptions::neutralise_formulas`] (the default) formula-like values get a leading `'`.
/// - With no devices at all the file still has its header row (Export-Csv writes no rows).
/// - Dates are printed as UTC values. The service sends `WhenChanged`/`WhenCreated` with an
///   offset, which PowerShell would show in the machine's local time; UTC is the same text only
///   on a UTC machine, and one zone for every date column reads better in a spreadsheet.
/// - Shift_JIS refuses characters CP932 lacks instead of writing a best-fit substitute.
///
/// Nulls are written as an empty unquoted field, every other value quoted, as PowerShell 7 does.
pub struct CsvExporter<W: Write> {
    writer: W,
    rows: RowFormatter,
    transcoder: Transcoder,
    encoding: CsvEncoding,
    text: String,
    progress: ExportProgress,
    started: Instant,
    on_progress: Option<ProgressCallback>,
    failed: bool,
}

/// A completed export: the writer (flushed) and the final counts.
#[derive(Debug)]
pub struct FinishedExport<W> {
    pub writer: W,
    pub progress: ExportProgress,
}

impl<W: Write> CsvExporter<W> {
    /// Starts an export: writes the byte order mark (if any) and the header row.
    pub fn new(writer: W, options: &CsvOptions) -> Result<Self, ExportError> {
        let rows = RowFormatter::new(options)?;
        let mut exporter = Self {
            writer,
            rows,
            transcoder: Transcoder::new(options.encoding),
            encoding: options.encoding,
            text: String::with_capacity(CHUNK_BYTES + 64 * 1024),
            progress: ExportProgress::default(),
            started: Instant::now(),
            on_progress: None,
            failed: false,
        };
        exporter.write_header()?;
        Ok(exporter)
    }

    /// Calls `callback` after every page with the running totals. The callback runs on the
    /// exporting thread, so it should return quickly.
    pub fn on_progress(mut self, callback: impl FnMut(ExportProgress) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Appends one page of devices (null values in any extra columns).
    pub fn write_page(&mut self, devices: &[MobileDevice]) -> Result<(), ExportError> {
        self.write_page_with_extra(devices, &[])
    }

    /// Appends one page with the values of [`CsvOptions::extra_columns`]: row-major,
    /// `extra[row * extra_columns.len() + column]`, or empty for all-null.
    pub fn write_page_with_extra(
        &mut self,
        devices: &[MobileDevice],
        extra: &[Option<&str>],
    ) -> Result<(), ExportError> {
        if self.failed {
            return Err(ExportError::AlreadyFailed);
        }
        let per_row = self.rows.extra_count();
        if !extra.is_empty() && extra.len() != devices.len() * per_row {
            return Err(ExportError::ExtraValuesMismatch {
                expected: devices.len() * per_row,
                got: extra.len(),
                rows: devices.len(),
                columns: per_row,
            });
        }
        let result = self.write_rows(devices, extra, per_row);
        self.failed = result.is_err();
        result?;
        self.progress.pages_written += 1;
        self.progress.elapsed = self.started.elapsed();
        if let Some(callback) = self.on_progress.as_mut() {
            callback(self.progress);
        }
        Ok(())
    }

    /// Totals so far.
    pub fn progress(&self) -> ExportProgress {
        ExportProgress {
            elapsed: self.started.elapsed(),
            ..self.progress
        }
    }

    /// Flushes everything and hands back the writer (commit an [`super::AtomicCsvFile`] next).
    pub fn finish(mut self) -> Result<FinishedExport<W>, ExportError> {
        if self.failed {
            return Err(ExportError::AlreadyFailed);
        }
        self.writer.flush().map_err(ExportError::Write)?;
        Ok(FinishedExport {
            progress: self.progress(),
            writer: self.writer,
        })
    }

    fn write_header(&mut self) -> Result<(), ExportError> {
        let preamble = self.transcoder.preamble();
        self.writer
            .write_all(preamble)
            .map_err(ExportError::Write)?;
        self.progress.bytes_written += preamble.len() as u64;

        self.rows.header(&mut self.text);
        let text = std::mem::take(&mut self.text);
        let written = match self.transcoder.encode(&text) {
            Ok(bytes) => self
                .writer
                .write_all(bytes)
                .map(|()| bytes.len())
                .map_err(ExportError::Write),
            Err(ch) => Err(self.header_error(ch)),
        };
        self.text = text;
        self.text.clear();
        self.progress.bytes_written += written? as u64;
        Ok(())
    }

    fn write_rows(
        &mut self,
        devices: &[MobileDevice],
        extra: &[Option<&str>],
        per_row: usize,
    ) -> Result<(), ExportError> {
        for (row, device) in devices.iter().enumerate() {
            self.rows
                .row(device, row_extra(extra, row, per_row), &mut self.text);
            self.progress.devices_written += 1;
            if self.text.len() >= CHUNK_BYTES {
                self.flush_text(devices, extra)?;
            }
        }
        self.flush_text(devices, extra)
    }

    /// Encodes and writes the pending text of the current page.
    fn flush_text(
        &mut self,
        page: &[MobileDevice],
        extra: &[Option<&str>],
    ) -> Result<(), ExportError> {
        if self.text.is_empty() {
            return Ok(());
        }
        let written = match self.transcoder.encode(&self.text) {
            Ok(bytes) => self.writer.write_all(bytes).map(|()| bytes.len()),
            Err(ch) => return Err(self.unencodable(page, extra, ch)),
        };
        self.text.clear();
        self.progress.bytes_written += written.map_err(ExportError::Write)? as u64;
        Ok(())
    }

    fn unencodable(
        &mut self,
        page: &[MobileDevice],
        extra: &[Option<&str>],
        ch: char,
    ) -> ExportError {
        // Earlier chunks of this page encoded fine, so the first occurrence in the page is the
        // one that failed.
        let (identity, property) = match self.rows.locate_char(page, extra, ch) {
            Some((row, column)) => (
                page[row]
                    .identity
                    .clone()
                    .unwrap_or_else(|| "(no Identity)".to_owned()),
                self.rows.column_name(column).to_owned(),
            ),
            None => ("(unknown)".to_owned(), "(unknown)".to_owned()),
        };
        ExportError::Unencodable {
            identity,
            property,
            character: ch,
            encoding: self.encoding.display_name(),
        }
    }

    fn header_error(&self, ch: char) -> ExportError {
        let column = (0..self.rows.column_count())
            .map(|i| self.rows.column_name(i))
            .find(|name| name.contains(ch))
            .unwrap_or_default();
        ExportError::UnencodableHeader {
            column: column.to_owned(),
            character: ch,
            encoding: self.encoding.display_name(),
        }
    }
}
