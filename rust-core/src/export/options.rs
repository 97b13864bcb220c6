//! What the caller chooses about the CSV file.

use super::date_format::DateCulture;
use super::layout::{CsvLayout, RemotingValues};

/// Text encoding of the CSV file (the `-Encoding` values admins use with Export-Csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte order mark (Export-Csv's `utf8BOM`; Excel needs the BOM to read
    /// non-ASCII text correctly).
    #[default]
    Utf8Bom,
    /// UTF-8 without a byte order mark (`utf8NoBOM`, PowerShell 7's default).
    Utf8NoBom,
    /// UTF-16 little endian with a byte order mark (`unicode`).
    Utf16LeBom,
    /// Shift_JIS as Windows code page 932, byte-identical to .NET's `GetEncoding(932)` for every
    /// character it can encode. A character CP932 cannot represent fails the export naming the
    /// device and property (Export-Csv would silently write a best-fit substitute or `?`).
    ShiftJis,
}

impl CsvEncoding {
    /// The name admins know it by, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Utf8Bom => "UTF-8 (with BOM)",
            Self::Utf8NoBom => "UTF-8 (without BOM)",
            Self::Utf16LeBom => "UTF-16LE",
            Self::ShiftJis => "Shift_JIS (CP932)",
        }
    }
}

/// Line ending written after every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Newline {
    /// `Environment.NewLine`, as Export-Csv does: CRLF on Windows, LF elsewhere.
    #[default]
    Platform,
    CrLf,
    Lf,
}

impl Newline {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Platform if cfg!(windows) => "\r\n",
            Self::Platform => "\n",
            Self::CrLf => "\r\n",
            Self::Lf => "\n",
        }
    }
}

/// How the CSV is written. [`Default`] gives what the admin's Export-Csv pipeline writes under
/// the invariant culture, with UTF-8 BOM and formula neutralisation on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    pub encoding: CsvEncoding,
    pub newline: Newline,
    /// Prefix `'` to any value starting with `=`, `+`, `-`, `@`, tab or CR so that Excel and
    /// other spreadsheets show it as text instead of running it as a formula (device names
    /// are chosen by device owners, so they are untrusted input). Export-Csv does not do this;
    /// turn it off for byte-identical output.
    pub neutralise_formulas: bool,
    /// The culture dates are printed in (C# passes `CultureInfo.CurrentCulture`'s).
    pub date_culture: DateCulture,
    /// Which columns, in which order (the procedure's remote-PowerShell layout by default).
    pub layout: CsvLayout,
    /// The remoting columns' values ([`CsvLayout::RemotePowerShell`] only).
    pub remoting: RemotingValues,
    /// Header names of columns appended after the layout's columns; their values come with
    /// each page ([`super::CsvExporter::write_page_with_extra`]). Empty: the file is exactly
    /// the default column set.
    pub extra_columns: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            encoding: CsvEncoding::default(),
            newline: Newline::default(),
            neutralise_formulas: true,
            date_culture: DateCulture::invariant(),
            layout: CsvLayout::default(),
            remoting: RemotingValues::default(),
            extra_columns: Vec::new(),
        }
    }
}
