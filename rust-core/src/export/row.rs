//! Turning a device into one CSV row, as Export-Csv quotes and prints it.

use crate::device::{MobileDevice, PropertyValue};

use super::date_format::{DateFormatter, DatePatternError};
use super::layout::{Column, RemotingValues};
use super::options::CsvOptions;

/// Header of the computed column the admin's `Select-Object` adds.
pub const USER_DISPLAY_NAME_NEW: &str = "UserDisplayNameNew";

/// One field's text; `Null` is written as nothing at all (Export-Csv writes `$null` as an
/// empty, unquoted field, and `""` only for an empty string).
#[derive(Clone, Copy)]
enum Field<'a> {
    Null,
    Text(&'a str),
}

/// Formats header and rows into UTF-8 text.
pub(super) struct RowFormatter {
    dates: DateFormatter,
    neutralise: bool,
    newline: &'static str,
    /// The layout's columns, resolved once (rows index them, nothing allocated per row).
    columns: Vec<Column>,
    remoting: RemotingValues,
    extra_columns: Vec<String>,
    scratch: String,
}

impl RowFormatter {
    pub(super) fn new(options: &CsvOptions) -> Result<Self, DatePatternError> {
        Ok(Self {
            dates: DateFormatter::general(&options.date_culture)?,
            neutralise: options.neutralise_formulas,
            newline: options.newline.as_str(),
            columns: options.layout.columns(),
            remoting: options.remoting.clone(),
            extra_columns: options.extra_columns.clone(),
            scratch: String::with_capacity(64),
        })
    }

    pub(super) fn extra_count(&self) -> usize {
        self.extra_columns.len()
    }

    pub(super) fn column_count(&self) -> usize {
        self.columns.len() + self.extra_columns.len()
    }

    /// Header of column `index` (the layout's columns, then extra columns).
    pub(super) fn column_name(&self, index: usize) -> &str {
        match self.columns.get(index) {
            Some(column) => column.header(),
            None => self
                .extra_columns
                .get(index - self.columns.len())
                .map_or("", String::as_str),
        }
    }

    /// The header row. Header names are never neutralised: they are ours, not device data.
    pub(super) fn header(&self, out: &mut String) {
        for i in 0..self.column_count() {
            if i > 0 {
                out.push(',');
            }
            push_quoted(out, self.column_name(i), false);
        }
        out.push_str(self.newline);
    }

    /// Appends one row; `extra` holds this row's extra-column values (empty: all null).
    pub(super) fn row(&mut self, device: &MobileDevice, extra: &[Option<&str>], out: &mut String) {
        let neutralise = self.neutralise;
        self.for_each_field(device, extra, |column, field| {
            if column > 0 {
                out.push(',');
            }
            if let Field::Text(text) = field {
                push_quoted(out, text, neutralise);
            }
        });
        out.push_str(self.newline);
    }

    /// The first (row, column) whose text contains `ch`, in the order the text was written.
    pub(super) fn locate_char(
        &mut self,
        devices: &[MobileDevice],
        extra: &[Option<&str>],
        ch: char,
    ) -> Option<(usize, usize)> {
        let per_row = self.extra_count();
        for (row, device) in devices.iter().enumerate() {
            let mut found = None;
            self.for_each_field(device, row_extra(extra, row, per_row), |column, field| {
                if let (None, Field::Text(text)) = (found, field)
                    && text.contains(ch)
                {
                    found = Some(column);
                }
            });
            if let Some(column) = found {
                return Some((row, column));
            }
        }
        None
    }

    fn for_each_field(
        &mut self,
        device: &MobileDevice,
        extra: &[Option<&str>],
        mut emit: impl FnMut(usize, Field<'_>),
    ) {
        let values = device.properties();
        for (column, kind) in self.columns.iter().enumerate() {
            let value = match *kind {
                Column::Property(i) => match values.get(i) {
                    Some(value) => *value,
                    None => PropertyValue::Text(None),
                },
                Column::UserDisplayNameNew => {
                    PropertyValue::Text(Some(device.user_display_name_new()))
                }
                Column::ComputerName => PropertyValue::Text(Some(&self.remoting.computer_name)),
                Column::RunspaceId => PropertyValue::Text(Some(&self.remoting.runspace_id)),
                // Export-Csv prints the Boolean as `False`.
                Column::ShowComputerName => PropertyValue::Flag(Some(false)),
            };
            match value {
                PropertyValue::Text(None)
                | PropertyValue::Flag(None)
                | PropertyValue::DateTime(None) => emit(column, Field::Null),
                PropertyValue::Text(Some(text)) => emit(column, Field::Text(text)),
                PropertyValue::Flag(Some(flag)) => {
                    emit(column, Field::Text(if flag { "True" } else { "False" }))
                }
                PropertyValue::DateTime(Some(value)) => {
                    self.scratch.clear();
                    self.dates.format(value, &mut self.scratch);
                    emit(column, Field::Text(&self.scratch));
                }
                PropertyValue::TextList([]) => emit(column, Field::Null),
                PropertyValue::TextList(values) => {
                    self.scratch.clear();
                    for (i, value) in values.iter().enumerate() {
                        if i > 0 {
                            self.scratch.push(' ');
                        }
                        self.scratch.push_str(value);
                    }
                    emit(column, Field::Text(&self.scratch));
                }
            }
        }
        let first_extra = self.columns.len();
        for i in 0..self.extra_columns.len() {
            let field = extra
                .get(i)
                .copied()
                .flatten()
                .map_or(Field::Null, Field::Text);
            emit(first_extra + i, field);
        }
    }
}

/// The slice of row-major extra values that belongs to `row` (empty when none were given).
pub(super) fn row_extra<'a, 'b>(
    extra: &'a [Option<&'b str>],
    row: usize,
    per_row: usize,
) -> &'a [Option<&'b str>] {
    extra.get(row * per_row..(row + 1) * per_row).unwrap_or(&[])
}

/// Whether a spreadsheet would treat text starting like this as a formula: the characters
/// OWASP's "CSV Injection" page lists (`= + - @`, tab, CR), also after leading spaces (ASCII or
/// ideographic), and their full-width forms `＝ ＋ － ＠`, which Excel on Japanese Windows reads
/// as formulas too (narrowing them is part of its input handling; #14 item 14).
pub(super) fn looks_like_formula(text: &str) -> bool {
    if matches!(text.as_bytes().first(), Some(b'\t' | b'\r')) {
        return true;
    }
    let rest = text.trim_start_matches([' ', '\u{3000}']);
    matches!(
        rest.chars().next(),
        Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠')
    )
}

/// `"text"` with inner quotes doubled; CR/LF stay as they are inside the quotes.
fn push_quoted(out: &mut String, text: &str, neutralise: bool) {
    out.push('"');
    if neutralise && looks_like_formula(text) {
        out.push('\'');
    }
    let mut start = 0;
    for quote in memchr::memchr_iter(b'"', text.as_bytes()) {
        // `quote` indexes an ASCII byte, so both slices end on character boundaries.
        out.push_str(&text[start..=quote]);
        out.push('"');
        start = quote + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn quoted(text: &str, neutralise: bool) -> String {
        let mut out = String::new();
        push_quoted(&mut out, text, neutralise);
        out
    }

    #[test]
    fn quoting_doubles_quotes_and_keeps_line_breaks() {
        assert_eq!(quoted("", false), r#""""#);
        assert_eq!(
            quoted(r#"He said "hi", ok"#, false),
            r#""He said ""hi"", ok""#
        );
        assert_eq!(quoted("\"\"", false), "\"\"\"\"\"\"");
        assert_eq!(quoted("a\r\nb\nc", false), "\"a\r\nb\nc\"");
        assert_eq!(quoted("山田 \"太郎\"", false), "\"山田 \"\"太郎\"\"\"");
    }

    #[test]
    fn neutralisation_on_and_off() {
        for risky in [
            "=1+1",
            "+81 3",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            // Full-width forms, as typed with a Japanese IME.
            "＝1+1",
            "＋81 3",
            "－2",
            "＠SUM(A1)",
            // A formula after leading spaces, ASCII or ideographic.
            " =1",
            "   +1",
            "\u{3000}=HYPERLINK(\"x\")",
            " \u{3000} ＝1",
        ] {
            assert_eq!(
                quoted(risky, true),
                format!("\"'{}\"", risky.replace('"', "\"\""))
            );
            assert_eq!(
                quoted(risky, false),
                format!("\"{}\"", risky.replace('"', "\"\""))
            );
        }
        for safe in [
            "a=1", "'=1", "", "山=", "\n=", "   ", "\u{3000}", "ａ＝1", " a=1",
        ] {
            assert_eq!(quoted(safe, true), format!("\"{safe}\""));
        }
        assert_eq!(quoted("=\"x\"", true), "\"'=\"\"x\"\"\"");
    }
}
