//! Why an export stopped.

use super::date_format::DatePatternError;

/// An export failure. After any error the exporter refuses further pages; with an
/// [`super::AtomicCsvFile`] nothing is left at the target path.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    DatePattern(#[from] DatePatternError),

    #[error(
        "device '{identity}': {property} contains '{character}' (U+{code:04X}), which {encoding} cannot represent; \
         export with UTF-8 or UTF-16 instead, or correct the value in Exchange",
        code = u32::from(*character)
    )]
    Unencodable {
        /// The device's `Identity` (`(no Identity)` when null).
        identity: String,
        property: String,
        character: char,
        encoding: &'static str,
    },

    #[error(
        "the column name '{column}' contains '{character}' (U+{code:04X}), which {encoding} cannot represent",
        code = u32::from(*character)
    )]
    UnencodableHeader {
        column: String,
        character: char,
        encoding: &'static str,
    },

    #[error(
        "{got} extra column values were given for a page that needs {expected} ({rows} rows × {columns} extra columns)"
    )]
    ExtraValuesMismatch {
        expected: usize,
        got: usize,
        rows: usize,
        columns: usize,
    },

    #[error("writing the CSV failed: {0}")]
    Write(#[source] std::io::Error),

    #[error("the export already failed; start a new export")]
    AlreadyFailed,
}
