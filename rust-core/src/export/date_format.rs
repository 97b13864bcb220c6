//! .NET custom date/time patterns, so dates read exactly as `DateTime.ToString()` prints them
//! under the admin's culture (Export-Csv calls `ToString()`, i.e. the "G" format:
//! `ShortDatePattern + " " + LongTimePattern`).

use crate::device::UtcTimestamp;

/// The parts of a .NET `DateTimeFormatInfo` that the "G" format uses. C# fills it from
/// `CultureInfo.CurrentCulture.DateTimeFormat`; [`Default`] is the invariant culture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateCulture {
    /// e.g. `MM/dd/yyyy` (invariant), `M/d/yyyy` (en-US), `yyyy/MM/dd` (ja-JP).
    pub short_date_pattern: String,
    /// e.g. `HH:mm:ss` (invariant), `h:mm:ss tt` (en-US), `H:mm:ss` (ja-JP).
    pub long_time_pattern: String,
    pub am_designator: String,
    pub pm_designator: String,
    /// What `/` in a pattern becomes.
    pub date_separator: String,
    /// What `:` in a pattern becomes.
    pub time_separator: String,
    /// Names for `MMM`/`MMMM`/`ddd`/`dddd`, which short date patterns rarely use.
    pub names: DateNames,
}

/// Month and day names (`DateTimeFormatInfo.AbbreviatedMonthNames` etc.). Genitive month
/// forms (used by a few cultures when `d` and `MMMM` meet) are not modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateNames {
    pub month_names: [String; 12],
    pub abbreviated_month_names: [String; 12],
    /// Sunday first, as .NET orders them.
    pub day_names: [String; 7],
    pub abbreviated_day_names: [String; 7],
}

impl Default for DateNames {
    fn default() -> Self {
        let s = |names: [&str; 12]| names.map(str::to_owned);
        let d = |names: [&str; 7]| names.map(str::to_owned);
        Self {
            month_names: s([
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]),
            abbreviated_month_names: s([
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ]),
            day_names: d([
                "Sunday",
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
            ]),
            abbreviated_day_names: d(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        }
    }
}

impl Default for DateCulture {
    fn default() -> Self {
        Self::invariant()
    }
}

impl DateCulture {
    /// .NET's `CultureInfo.InvariantCulture`: `MM/dd/yyyy HH:mm:ss`.
    pub fn invariant() -> Self {
        Self::with_patterns("MM/dd/yyyy", "HH:mm:ss")
    }

    /// Invariant designators, separators and names with the given patterns.
    pub fn with_patterns(short_date_pattern: &str, long_time_pattern: &str) -> Self {
        Self {
            short_date_pattern: short_date_pattern.to_owned(),
            long_time_pattern: long_time_pattern.to_owned(),
            am_designator: "AM".to_owned(),
            pm_designator: "PM".to_owned(),
            date_separator: "/".to_owned(),
            time_separator: ":".to_owned(),
            names: DateNames::default(),
        }
    }
}

/// A pattern .NET would reject (or that uses a specifier this formatter does not support).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the date pattern '{pattern}' cannot be used: {reason}")]
pub struct DatePatternError {
    pub pattern: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Day(usize),
    Month(usize),
    Year(usize),
    Hour12(usize),
    Hour24(usize),
    Minute(usize),
    Second(usize),
    /// `f…` (keep zeros) or `F…` (trim trailing zeros).
    Fraction {
        digits: usize,
        trim: bool,
    },
    Designator(usize),
    Offset(usize),
    Kind,
}

/// A culture's "G" pattern compiled once, then applied to every date in the export.
#[derive(Debug, Clone)]
pub struct DateFormatter {
    tokens: Vec<Token>,
    culture: DateCulture,
}

impl DateFormatter {
    /// Compiles `short_date_pattern + " " + long_time_pattern`.
    pub fn general(culture: &DateCulture) -> Result<Self, DatePatternError> {
        let pattern = format!(
            "{} {}",
            culture.short_date_pattern, culture.long_time_pattern
        );
        Self::custom(&pattern, culture)
    }

    /// Compiles any .NET custom date/time pattern (not a one-letter standard format).
    pub fn custom(pattern: &str, culture: &DateCulture) -> Result<Self, DatePatternError> {
        let tokens = tokenize(pattern, culture).map_err(|reason| DatePatternError {
            pattern: pattern.to_owned(),
            reason,
        })?;
        Ok(Self {
            tokens,
            culture: culture.clone(),
        })
    }

    /// Appends the formatted UTC value to `out`.
    pub fn format(&self, value: UtcTimestamp, out: &mut String) {
        let p = value.parts();
        let c = &self.culture;
        let hour12 = match p.hour % 12 {
            0 => 12,
            h => h,
        };
        for token in &self.tokens {
            match *token {
                Token::Literal(ref text) => out.push_str(text),
                Token::Day(n @ (1 | 2)) => push_digits(out, u32::from(p.day), n),
                Token::Month(n @ (1 | 2)) => push_digits(out, u32::from(p.month), n),
                Token::Day(3) => {
                    out.push_str(&c.names.abbreviated_day_names[usize::from(p.day_of_week)])
                }
                Token::Day(_) => out.push_str(&c.names.day_names[usize::from(p.day_of_week)]),
                Token::Month(3) => {
                    out.push_str(&c.names.abbreviated_month_names[usize::from(p.month - 1)])
                }
                Token::Month(_) => out.push_str(&c.names.month_names[usize::from(p.month - 1)]),
                Token::Year(n) if n <= 2 => push_digits(out, u32::from(p.year % 100), n),
                Token::Year(n) => push_digits(out, u32::from(p.year), n),
                Token::Hour12(n) => push_digits(out, u32::from(hour12), n.min(2)),
                Token::Hour24(n) => push_digits(out, u32::from(p.hour), n.min(2)),
                Token::Minute(n) => push_digits(out, u32::from(p.minute), n.min(2)),
                Token::Second(n) => push_digits(out, u32::from(p.second), n.min(2)),
                Token::Fraction { digits, trim } => {
                    push_fraction(out, p.fraction_ticks, digits, trim);
                }
                Token::Designator(n) => {
                    let designator = if p.hour < 12 {
                        &c.am_designator
                    } else {
                        &c.pm_designator
                    };
                    match (n, designator.chars().next()) {
                        (1, Some(first)) => out.push(first),
                        (1, None) => {}
                        _ => out.push_str(designator),
                    }
                }
                // The value is UTC, so the offset is zero.
                Token::Offset(1) => out.push_str("+0"),
                Token::Offset(2) => out.push_str("+00"),
                Token::Offset(_) => out.push_str("+00:00"),
                Token::Kind => out.push('Z'),
            }
        }
    }
}

fn push_digits(out: &mut String, value: u32, min_width: usize) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    let mut v = value;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..min_width {
        out.push('0');
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

fn push_fraction(out: &mut String, fraction_ticks: u32, digits: usize, trim: bool) {
    let mut value = fraction_ticks / 10u32.pow(7 - digits as u32);
    let mut width = digits;
    if trim {
        while width > 0 && value.is_multiple_of(10) {
            value /= 10;
            width -= 1;
        }
        if width == 0 {
            // .NET drops the decimal point together with an all-zero `F` fraction.
            if out.ends_with('.') {
                out.pop();
            }
            return;
        }
    }
    push_digits(out, value, width);
}

fn tokenize(pattern: &str, culture: &DateCulture) -> Result<Vec<Token>, &'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    // Set by '%': the next character is a one-letter specifier even when repeated ("%dd").
    let mut single = false;
    while i < chars.len() {
        let ch = chars[i];
        let run = if std::mem::take(&mut single) {
            1
        } else {
            chars[i..].iter().take_while(|&&c| c == ch).count()
        };
        let token = match ch {
            'd' => Token::Day(run),
            'M' => Token::Month(run),
            'y' => Token::Year(run),
            'h' => Token::Hour12(run),
            'H' => Token::Hour24(run),
            'm' => Token::Minute(run),
            's' => Token::Second(run),
            'f' | 'F' if run > 7 => return Err("more than 7 fraction digits"),
            'f' | 'F' => Token::Fraction {
                digits: run,
                trim: ch == 'F',
            },
            't' => Token::Designator(run),
            'z' => Token::Offset(run),
            'K' => {
                i += 1;
                flush_then(&mut tokens, &mut literal, Token::Kind);
                continue;
            }
            'g' => return Err("era names (g) are not supported"),
            ':' => {
                literal.push_str(&culture.time_separator);
                i += 1;
                continue;
            }
            '/' => {
                literal.push_str(&culture.date_separator);
                i += 1;
                continue;
            }
            '\'' | '"' => {
                i = quoted(&chars, i, &mut literal)?;
                continue;
            }
            '\\' => {
                let next = chars.get(i + 1).ok_or("pattern ends with '\\'")?;
                literal.push(*next);
                i += 2;
                continue;
            }
            '%' => {
                // "%d" means the single-letter specifier d, not the standard format "d".
                match chars.get(i + 1) {
                    Some('%') | None => return Err("'%' must be followed by a specifier"),
                    Some(_) => {
                        single = true;
                        i += 1;
                        continue;
                    }
                }
            }
            other => {
                literal.push(other);
                i += 1;
                continue;
            }
        };
        i += run;
        flush_then(&mut tokens, &mut literal, token);
    }
    if !literal.is_empty() {
        tokens.push(Token::Literal(literal));
    }
    Ok(tokens)
}

fn flush_then(tokens: &mut Vec<Token>, literal: &mut String, token: Token) {
    if !literal.is_empty() {
        tokens.push(Token::Literal(std::mem::take(literal)));
    }
    tokens.push(token);
}

/// Copies a quoted literal starting at `chars[start]`; returns the index after the closing quote.
fn quoted(chars: &[char], start: usize, literal: &mut String) -> Result<usize, &'static str> {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            c if c == quote => return Ok(i + 1),
            '\\' => {
                let next = chars.get(i + 1).ok_or("unterminated quoted text")?;
                literal.push(*next);
                i += 2;
            }
            c => {
                literal.push(c);
                i += 1;
            }
        }
    }
    Err("unterminated quoted text")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn culture(date: &str, time: &str, am: &str, pm: &str, date_sep: &str) -> DateCulture {
        DateCulture {
            am_designator: am.to_owned(),
            pm_designator: pm.to_owned(),
            date_separator: date_sep.to_owned(),
            ..DateCulture::with_patterns(date, time)
        }
    }

    fn g(c: &DateCulture, value: &str) -> String {
        let mut out = String::new();
        DateFormatter::general(c)
            .unwrap()
            .format(UtcTimestamp::parse(value).unwrap(), &mut out);
        out
    }

    fn custom(pattern: &str, value: &str) -> String {
        let mut out = String::new();
        DateFormatter::custom(pattern, &DateCulture::invariant())
            .unwrap()
            .format(UtcTimestamp::parse(value).unwrap(), &mut out);
        out
    }

    const MORNING: &str = "2025-03-04T09:06:05.5897932Z";
    const AFTERNOON: &str = "2025-12-14T13:26:53.0000000Z";
    const MIDNIGHT: &str = "2025-01-02T00:05:06Z";
    const NOON: &str = "2025-01-02T12:00:00Z";

    #[test]
    fn invariant_culture() {
        let c = DateCulture::invariant();
        assert_eq!(g(&c, MORNING), "03/04/2025 09:06:05");
        assert_eq!(g(&c, AFTERNOON), "12/14/2025 13:26:53");
        assert_eq!(g(&c, MIDNIGHT), "01/02/2025 00:05:06");
    }

    #[test]
    fn en_us() {
        let c = culture("M/d/yyyy", "h:mm:ss tt", "AM", "PM", "/");
        assert_eq!(g(&c, MORNING), "3/4/2025 9:06:05 AM");
        assert_eq!(g(&c, AFTERNOON), "12/14/2025 1:26:53 PM");
        assert_eq!(g(&c, MIDNIGHT), "1/2/2025 12:05:06 AM");
        assert_eq!(g(&c, NOON), "1/2/2025 12:00:00 PM");
    }

    #[test]
    fn ja_jp() {
        let c = culture("yyyy/MM/dd", "H:mm:ss", "午前", "午後", "/");
        assert_eq!(g(&c, MORNING), "2025/03/04 9:06:05");
        assert_eq!(g(&c, AFTERNOON), "2025/12/14 13:26:53");
        assert_eq!(g(&c, MIDNIGHT), "2025/01/02 0:05:06");
    }

    #[test]
    fn de_de() {
        let c = culture("dd.MM.yyyy", "HH:mm:ss", "", "", ".");
        assert_eq!(g(&c, MORNING), "04.03.2025 09:06:05");
        assert_eq!(g(&c, MIDNIGHT), "02.01.2025 00:05:06");
    }

    #[test]
    fn separators_come_from_the_culture() {
        let mut c = culture("dd/MM/yyyy", "HH:mm:ss", "", "", "-");
        c.time_separator = ".".to_owned();
        assert_eq!(g(&c, MORNING), "04-03-2025 09.06.05");
    }

    #[test]
    fn designators_single_letter_and_empty() {
        let c = culture("M/d/yy", "h:mm t", "午前", "午後", "/");
        assert_eq!(g(&c, MORNING), "3/4/25 9:06 午");
        let c = culture("M/d/yy", "h:mm tt", "", "", "/");
        assert_eq!(g(&c, MORNING), "3/4/25 9:06 ");
    }

    #[test]
    fn fractions() {
        assert_eq!(custom("ss.fffffff", MORNING), "05.5897932");
        assert_eq!(custom("ss.fff", MORNING), "05.589");
        assert_eq!(custom("ss.f", MORNING), "05.5");
        assert_eq!(custom("ss.FFFFFFF", MORNING), "05.5897932");
        assert_eq!(custom("ss.FFFFFFF", AFTERNOON), "53");
        assert_eq!(custom("ss.fff", AFTERNOON), "53.000");
        assert_eq!(custom("ss.FF", "2025-01-01T00:00:00.5000000Z"), "00.5");
        assert!(DateFormatter::custom("ffffffff", &DateCulture::invariant()).is_err());
    }

    #[test]
    fn years_names_and_literals() {
        assert_eq!(
            custom("y yy yyy yyyy yyyyy", "2005-01-01T00:00:00Z"),
            "5 05 2005 2005 02005"
        );
        assert_eq!(
            custom("ddd dddd MMM MMMM", MORNING),
            "Tue Tuesday Mar March"
        );
        assert_eq!(custom("'d' \"at\" \\h H", MORNING), "d at h 9");
        assert_eq!(custom("%d", MORNING), "4");
        assert_eq!(custom("%dd", MORNING), "44");
        assert_eq!(custom("'it''s'", MORNING), "its");
        assert_eq!(custom("zzz K z zz", MORNING), "+00:00 Z +0 +00");
        assert_eq!(custom("hh HHH mmm sss", MIDNIGHT), "12 00 05 06");
        assert_eq!(custom("yyyy年M月d日", MORNING), "2025年3月4日");
    }

    #[test]
    fn invalid_patterns_are_errors() {
        for bad in ["'open", "dd\\", "%", "%%", "g yyyy"] {
            assert!(
                DateFormatter::custom(bad, &DateCulture::invariant()).is_err(),
                "{bad}"
            );
        }
    }
}
