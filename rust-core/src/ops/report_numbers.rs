//! Whole numbers with the thousands separators of the report reader's culture.
//!
//! The page has no script, so the browser cannot localise it: the numbers are grouped when the
//! report is written, for the culture the cmdlet passes (`-Culture`, by default the admin's
//! PowerShell culture). No ICU number formatter is vendored, so the separators are a small table.
//! Source: CLDR `numbers/symbols/group` and `#,##,##0` (Indian) patterns, as .NET reports them
//! through `NumberFormatInfo.NumberGroupSeparator` / `NumberGroupSizes` (checked on .NET 9 with
//! ICU: `(1234567).ToString('N0', [cultureinfo]'de-CH')` = `1’234’567`). Like .NET's `N0`, and
//! unlike CLDR's `minimumGroupingDigits`, four-digit numbers are grouped too (es-ES `1.234`).
//! A culture outside the table falls back to its language, then to `,` in groups of three
//! (the invariant culture's).

/// How one culture groups the digits of a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    separator: &'static str,
    /// Indian grouping (`12,34,567`): three digits, then twos.
    indian: bool,
}

const COMMA: &str = ",";
const DOT: &str = ".";
/// U+00A0 NO-BREAK SPACE.
const NBSP: &str = "\u{a0}";
/// U+202F NARROW NO-BREAK SPACE (CLDR's French group separator since CLDR 34).
const NARROW_NBSP: &str = "\u{202f}";
/// U+2019 RIGHT SINGLE QUOTATION MARK (Swiss German and Italian).
const APOSTROPHE: &str = "\u{2019}";

/// Full culture names first (regional exceptions), then languages.
const CULTURES: &[(&str, &str, bool)] = &[
    ("en-in", COMMA, true),
    ("hi-in", COMMA, true),
    ("de-at", NBSP, false),
    ("de-ch", APOSTROPHE, false),
    ("de-li", APOSTROPHE, false),
    ("it-ch", APOSTROPHE, false),
    ("fr-ca", NBSP, false),
    ("es-mx", COMMA, false),
    ("es-us", COMMA, false),
    ("pt-pt", NBSP, false),
    ("hi", COMMA, true),
    ("en", COMMA, false),
    ("ja", COMMA, false),
    ("zh", COMMA, false),
    ("ko", COMMA, false),
    ("de", DOT, false),
    ("es", DOT, false),
    ("it", DOT, false),
    ("pt", DOT, false),
    ("nl", DOT, false),
    ("da", DOT, false),
    ("tr", DOT, false),
    ("id", DOT, false),
    ("fr", NARROW_NBSP, false),
    ("sv", NBSP, false),
    ("nb", NBSP, false),
    ("no", NBSP, false),
    ("fi", NBSP, false),
    ("pl", NBSP, false),
    ("cs", NBSP, false),
    ("ru", NBSP, false),
    ("uk", NBSP, false),
];

impl NumberFormat {
    /// The invariant culture's: `1,234,567`.
    pub const INVARIANT: NumberFormat = NumberFormat {
        separator: COMMA,
        indian: false,
    };

    /// The format for a culture name such as `ja-JP`, `de-CH` or `fr` (case-insensitive, `_`
    /// accepted for `-`); empty or unknown names get the invariant format.
    pub fn for_culture(name: &str) -> NumberFormat {
        let name = name.trim().replace('_', "-").to_ascii_lowercase();
        let language = name.split('-').next().unwrap_or_default();
        [name.as_str(), language]
            .iter()
            .find_map(|key| {
                CULTURES
                    .iter()
                    .find(|(culture, _, _)| culture == key)
                    .map(|&(_, separator, indian)| NumberFormat { separator, indian })
            })
            .unwrap_or(NumberFormat::INVARIANT)
    }

    /// `1234567` -> `1,234,567` (en-US), `1.234.567` (de-DE), `12,34,567` (en-IN).
    pub fn format(&self, value: u64) -> String {
        let digits = value.to_string();
        let mut groups: Vec<&str> = Vec::new();
        let mut end = digits.len();
        let mut size = 3;
        while end > size {
            groups.push(&digits[end - size..end]);
            end -= size;
            if self.indian {
                size = 2;
            }
        }
        groups.push(&digits[..end]);
        groups.reverse();
        groups.join(self.separator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_three_with_the_cultures_separator() {
        // Expected values are .NET's (1234567).ToString('N0', culture) with ICU.
        let cases = [
            ("en-US", "1,234,567"),
            ("ja-JP", "1,234,567"),
            ("de-DE", "1.234.567"),
            ("de-AT", "1\u{a0}234\u{a0}567"),
            ("de-CH", "1\u{2019}234\u{2019}567"),
            ("fr-FR", "1\u{202f}234\u{202f}567"),
            ("fr-CA", "1\u{a0}234\u{a0}567"),
            ("es-ES", "1.234.567"),
            ("es-MX", "1,234,567"),
            ("pt-BR", "1.234.567"),
            ("pt-PT", "1\u{a0}234\u{a0}567"),
            ("sv-SE", "1\u{a0}234\u{a0}567"),
            ("en-IN", "12,34,567"),
            ("hi-IN", "12,34,567"),
        ];
        for (culture, want) in cases {
            assert_eq!(
                NumberFormat::for_culture(culture).format(1_234_567),
                want,
                "{culture}"
            );
        }
    }

    #[test]
    fn small_numbers_and_the_group_edges() {
        let en = NumberFormat::for_culture("en-US");
        assert_eq!(en.format(0), "0");
        assert_eq!(en.format(999), "999");
        assert_eq!(en.format(1000), "1,000");
        assert_eq!(en.format(100_000), "100,000");
        assert_eq!(en.format(u64::MAX), "18,446,744,073,709,551,615");
        let de = NumberFormat::for_culture("de-DE");
        assert_eq!(de.format(1234), "1.234");
        let india = NumberFormat::for_culture("en-IN");
        assert_eq!(india.format(1000), "1,000");
        assert_eq!(india.format(100_000), "1,00,000");
        assert_eq!(india.format(12_345_678_901), "12,34,56,78,901");
    }

    #[test]
    fn unknown_cultures_fall_back_to_the_language_then_invariant() {
        assert_eq!(NumberFormat::for_culture("de-BE").format(1234), "1.234");
        assert_eq!(NumberFormat::for_culture("DE_de").format(1234), "1.234");
        assert_eq!(NumberFormat::for_culture("ja").format(1234), "1,234");
        assert_eq!(NumberFormat::for_culture(""), NumberFormat::INVARIANT);
        assert_eq!(NumberFormat::for_culture("  "), NumberFormat::INVARIANT);
        assert_eq!(NumberFormat::for_culture("xx-YY"), NumberFormat::INVARIANT);
        assert_eq!(NumberFormat::for_culture("<b>"), NumberFormat::INVARIANT);
    }
}
