//! A UTC instant with .NET's resolution (100 ns ticks), parsed from the forms Exchange's JSON uses.
//!
//! Ticks count from 0001-01-01T00:00:00Z exactly like `System.DateTime.Ticks`, so C# rebuilds the
//! value with `new DateTime(ticks, DateTimeKind.Utc)` and no precision is lost on the way.

use std::fmt;

/// 100 ns ticks per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MILLISECOND: i64 = 10_000;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
/// Days from 0001-01-01 to 1970-01-01 (proleptic Gregorian).
const DAYS_TO_UNIX_EPOCH: i64 = 719_162;
/// `DateTime.MaxValue.Ticks + 1`: 10000-01-01T00:00:00Z.
const TICKS_END: i64 = 3_155_378_976_000_000_000;

/// A UTC date and time from 0001-01-01 to 9999-12-31, in 100 ns ticks.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTimestamp {
    ticks: i64,
}

/// The calendar fields of a [`UtcTimestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTimeParts {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Sub-second part in 100 ns ticks, `0..10_000_000`.
    pub fraction_ticks: u32,
    /// 0 = Sunday … 6 = Saturday (as .NET's `DayOfWeek`).
    pub day_of_week: u8,
}

/// Why a date string was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a date Exchange sends (ISO 8601 or /Date(ms)/): {reason}")]
pub struct TimestampParseError {
    text: String,
    reason: &'static str,
}

impl UtcTimestamp {
    /// `ticks` as in .NET `DateTime.Ticks`; `None` outside 0001-01-01..=9999-12-31.
    pub fn from_ticks(ticks: i64) -> Option<Self> {
        (0..TICKS_END).contains(&ticks).then_some(Self { ticks })
    }

    /// The .NET `DateTime.Ticks` of this instant (always UTC).
    pub fn ticks(self) -> i64 {
        self.ticks
    }

    /// Milliseconds since 1970-01-01T00:00:00Z, as in `/Date(ms)/`.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        let ticks = millis
            .checked_mul(TICKS_PER_MILLISECOND)?
            .checked_add(DAYS_TO_UNIX_EPOCH * TICKS_PER_DAY)?;
        Self::from_ticks(ticks)
    }

    /// Builds a timestamp from calendar fields; `None` when a field is out of range.
    pub fn from_parts(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        fraction_ticks: u32,
    ) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60
            && i64::from(fraction_ticks) < TICKS_PER_SECOND;
        if !valid {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        let seconds = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Self::from_ticks(
            days * TICKS_PER_DAY + seconds * TICKS_PER_SECOND + i64::from(fraction_ticks),
        )
    }

    /// Parses `2025-03-14T09:26:53.5897932Z`, offsets (`+09:00`, `+0900`, `-05:00`), no zone
    /// (taken as UTC, as PowerShell prints such values unchanged), a space instead of `T`,
    /// and `/Date(ms)/` or `/Date(ms+0900)/` (the offset there only says how the sender
    /// displayed it; `ms` is already UTC). Fractions beyond 7 digits are truncated.
    pub fn parse(text: &str) -> Result<Self, TimestampParseError> {
        let fail = |reason| TimestampParseError {
            text: text.chars().take(64).collect(),
            reason,
        };
        if let Some(inner) = text
            .strip_prefix("/Date(")
            .and_then(|t| t.strip_suffix(")/"))
        {
            return parse_ms_date(inner).ok_or_else(|| fail("bad /Date(ms)/ value"));
        }
        parse_iso(text.as_bytes()).map_err(fail)
    }

    /// Calendar fields of this instant.
    pub fn parts(self) -> DateTimeParts {
        let days = self.ticks / TICKS_PER_DAY;
        let in_day = self.ticks % TICKS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        let seconds = in_day / TICKS_PER_SECOND;
        DateTimeParts {
            year,
            month,
            day,
            hour: (seconds / 3600) as u8,
            minute: (seconds / 60 % 60) as u8,
            second: (seconds % 60) as u8,
            fraction_ticks: (in_day % TICKS_PER_SECOND) as u32,
            // 0001-01-01 was a Monday.
            day_of_week: ((days + 1) % 7) as u8,
        }
    }
}

/// Round-trip ISO 8601 with 7 fractional digits, as .NET's `"o"` format writes a UTC value.
impl fmt::Display for UtcTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.parts();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            p.year, p.month, p.day, p.hour, p.minute, p.second, p.fraction_ticks
        )
    }
}

impl fmt::Debug for UtcTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn parse_ms_date(inner: &str) -> Option<UtcTimestamp> {
    // The millisecond count may itself start with '-', so look for the offset sign after it.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '+' || c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let (millis, offset) = inner.split_at(split);
    if !offset.is_empty() {
        let digits = &offset[1..];
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    UtcTimestamp::from_unix_millis(millis.parse().ok()?)
}

fn parse_iso(b: &[u8]) -> Result<UtcTimestamp, &'static str> {
    if b.len() < 19 {
        return Err("too short");
    }
    let sep_ok = b[4] == b'-' && b[7] == b'-' && b[13] == b':' && b[16] == b':';
    if !sep_ok || !matches!(b[10], b'T' | b't' | b' ') {
        return Err("expected yyyy-MM-ddTHH:mm:ss");
    }
    let year = digits(&b[0..4]).ok_or("bad year")?;
    let month = digits(&b[5..7]).ok_or("bad month")?;
    let day = digits(&b[8..10]).ok_or("bad day")?;
    let hour = digits(&b[11..13]).ok_or("bad hour")?;
    let minute = digits(&b[14..16]).ok_or("bad minute")?;
    let second = digits(&b[17..19]).ok_or("bad second")?;

    let mut rest = &b[19..];
    let mut fraction: u32 = 0;
    if let Some((b'.', tail)) = rest.split_first() {
        let count = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 {
            return Err("empty fraction");
        }
        let kept = &tail[..count.min(7)];
        fraction = kept.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
        fraction *= 10u32.pow(7 - kept.len() as u32);
        rest = &tail[count..];
    }

    let offset_minutes: i64 = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => ([*h1, *h2], [*m1, *m2]),
                [h1, h2] => ([*h1, *h2], [b'0', b'0']),
                _ => return Err("bad offset"),
            };
            let total =
                i64::from(digits(&h).ok_or("bad offset")? * 60 + digits(&m).ok_or("bad offset")?);
            if *sign == b'-' { -total } else { total }
        }
        _ => return Err("unexpected text after the time"),
    };

    let local = UtcTimestamp::from_parts(
        u16::try_from(year).map_err(|_| "bad year")?,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
        fraction,
    )
    .ok_or("field out of range")?;
    UtcTimestamp::from_ticks(local.ticks - offset_minutes * 60 * TICKS_PER_SECOND)
        .ok_or("out of range")
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 0001-01-01 (H. Hinnant's algorithm, shifted from the Unix epoch).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + DAYS_TO_UNIX_EPOCH
}

fn civil_from_days(days_since_0001: i64) -> (u16, u8, u8) {
    let z = days_since_0001 - DAYS_TO_UNIX_EPOCH + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u16, month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ts(text: &str) -> UtcTimestamp {
        UtcTimestamp::parse(text).unwrap()
    }

    #[test]
    fn keeps_seven_fraction_digits_and_dotnet_ticks() {
        let t = ts("2025-03-14T09:26:53.5897932Z");
        // [datetime]::new(2025,3,14,9,26,53,'Utc').AddTicks(5897932).Ticks
        assert_eq!(t.ticks(), 638_775_412_135_897_932);
        assert_eq!(t.to_string(), "2025-03-14T09:26:53.5897932Z");
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let utc = ts("2025-03-14T09:26:53.5897932Z");
        assert_eq!(ts("2025-03-14T18:26:53.5897932+09:00"), utc);
        assert_eq!(ts("2025-03-14T18:26:53.5897932+0900"), utc);
        assert_eq!(ts("2025-03-14T04:26:53.5897932-05:00"), utc);
        assert_eq!(ts("2025-03-14 09:26:53.5897932"), utc);
    }

    #[test]
    fn short_and_long_fractions() {
        assert_eq!(
            ts("2024-01-02T03:04:05.5Z").parts().fraction_ticks,
            5_000_000
        );
        assert_eq!(ts("2024-01-02T03:04:05Z").parts().fraction_ticks, 0);
        assert_eq!(
            ts("2024-01-02T03:04:05.123456789Z").parts().fraction_ticks,
            1_234_567
        );
    }

    #[test]
    fn ms_dates_with_and_without_offset() {
        let expected = ts("2024-03-14T09:26:53.589Z");
        assert_eq!(ts("/Date(1710408413589)/"), expected);
        assert_eq!(ts("/Date(1710408413589+0900)/"), expected);
        assert_eq!(ts("/Date(1710408413589-0500)/"), expected);
        assert_eq!(ts("/Date(-62135596800000)/").ticks(), 0);
        assert!(UtcTimestamp::parse("/Date(abc)/").is_err());
        assert!(UtcTimestamp::parse("/Date(1+09)/").is_err());
    }

    #[test]
    fn rejects_garbage_and_out_of_range() {
        for bad in [
            "",
            "2025",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00Zjunk",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "２０２５-01-01T00:00:00Z",
        ] {
            assert!(UtcTimestamp::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ts("2024-02-29T00:00:00Z").parts().day, 29);
    }

    #[test]
    fn parts_round_trip_and_day_of_week() {
        let p = ts("2025-03-14T09:26:53.5897932Z").parts();
        assert_eq!(
            (p.year, p.month, p.day, p.hour, p.minute, p.second),
            (2025, 3, 14, 9, 26, 53)
        );
        assert_eq!(p.day_of_week, 5); // Friday
        assert_eq!(ts("0001-01-01T00:00:00Z").parts().day_of_week, 1); // Monday
        let last = ts("9999-12-31T23:59:59.9999999Z");
        assert_eq!(last.ticks(), TICKS_END - 1);
        assert_eq!(last.to_string(), "9999-12-31T23:59:59.9999999Z");
        for days in (0..3_652_059).step_by(997) {
            let t = UtcTimestamp::from_ticks(days * TICKS_PER_DAY).unwrap();
            assert_eq!(ts(&t.to_string()), t);
        }
    }
}
