//! Time stamps in the exact textual forms each service uses.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn datetime(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Exchange form: `2025-03-14T09:26:53.5897932Z` from 100-ns ticks since the Unix epoch.
pub fn exchange_datetime(ticks: i64) -> String {
    let secs = ticks.div_euclid(10_000_000);
    let frac = ticks.rem_euclid(10_000_000);
    let d = datetime(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        frac
    )
}

/// Graph form: `2025-03-14T09:26:53Z`.
pub fn graph_datetime(secs: i64) -> String {
    let d = datetime(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Graph `innerError.date` form: `2025-03-14T09:26:53` (no zone designator).
pub fn graph_inner_error_date(secs: i64) -> String {
    let mut s = graph_datetime(secs);
    s.pop();
    s
}

/// Entra error form: `2025-03-14 09:26:53Z`.
pub fn entra_timestamp(secs: i64) -> String {
    graph_datetime(secs).replacen('T', " ", 1)
}

/// RFC 7231 IMF-fixdate: `Fri, 14 Mar 2025 09:26:53 GMT`.
pub fn http_date(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = datetime(secs);
    let day = DAYS[d.weekday().number_days_from_monday() as usize % 7];
    let month = MONTHS[(u8::from(d.month()) as usize + 11) % 12];
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        d.day(),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Legacy App Service MSI (api-version 2017-09-01) `expires_on`: `06/20/2019 02:57:58 +00:00`.
pub fn legacy_msi_date(secs: i64) -> String {
    let d = datetime(secs);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02} +00:00",
        u8::from(d.month()),
        d.day(),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2025-03-14T09:26:53Z is 1741944413.
        assert_eq!(
            exchange_datetime(1_741_944_413 * 10_000_000 + 5_897_932),
            "2025-03-14T09:26:53.5897932Z"
        );
        assert_eq!(graph_datetime(1_741_944_413), "2025-03-14T09:26:53Z");
        assert_eq!(entra_timestamp(1_741_944_413), "2025-03-14 09:26:53Z");
        assert_eq!(http_date(1_741_944_413), "Fri, 14 Mar 2025 09:26:53 GMT");
        assert_eq!(legacy_msi_date(1_741_944_413), "03/14/2025 09:26:53 +00:00");
        assert_eq!(graph_inner_error_date(1_741_944_413), "2025-03-14T09:26:53");
    }
}
