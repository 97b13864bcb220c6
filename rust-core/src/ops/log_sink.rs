//! Where log lines of the current call go. The HTTP clients are shared by every call of a
//! session, but each PowerShell command must see only its own requests in -Verbose: the FFI layer
//! runs each call inside `scope(sink, …)`, and the shared logger looks the sink up task-locally.

use std::future::Future;
use std::sync::Arc;

use crate::http::{HttpLogger, RequestLogEntry, RetryLogEntry, RetryReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum LogLevel {
    Error = 1,
    Warning = 2,
    /// Shown with -Verbose.
    Info = 3,
    /// Shown with -Debug.
    Debug = 4,
    Trace = 5,
}

pub type LogSink = Arc<dyn Fn(LogLevel, String) + Send + Sync>;

tokio::task_local! {
    static SINK: LogSink;
}

/// Runs `future` with `sink` receiving its log lines (spawned tasks must be scoped again).
pub async fn scope<F: Future>(sink: LogSink, future: F) -> F::Output {
    SINK.scope(sink, future).await
}

/// The sink of the current task, to hand to a task it spawns.
pub fn current() -> Option<LogSink> {
    SINK.try_with(Arc::clone).ok()
}

/// Logs to the current call's sink; outside any call the line is dropped.
pub fn log(level: LogLevel, message: impl Into<String>) {
    let _ = SINK.try_with(|sink| sink(level, message.into()));
}

/// A throttling wait shorter than this is the service pacing us (the sign-in log throttles every
/// caller): -Verbose, not a warning on every page. Longer waits explain a slow run, so they warn.
const QUIET_THROTTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Short throttling waits are routine; every other retry (server errors, resets, malformed
/// bodies, rejected tokens) says something about the service and stays a warning.
fn retry_level(entry: &RetryLogEntry) -> LogLevel {
    match entry.reason {
        RetryReason::Throttled if entry.delay < QUIET_THROTTLE_WAIT => LogLevel::Info,
        _ => LogLevel::Warning,
    }
}

/// The HTTP layer's logger for every session: requests at Info (-Verbose), retries as warnings
/// (short throttling waits at Info, see `retry_level`).
/// Entries carry method, path, status, timing and retry count only: never headers, bodies or
/// query strings.
pub struct CallScopedHttpLogger;

impl HttpLogger for CallScopedHttpLogger {
    fn request(&self, entry: &RequestLogEntry) {
        let status = entry
            .status
            .map_or_else(|| "no response".to_owned(), |s| s.to_string());
        let retry = if entry.retry_count > 0 {
            format!(" (retry {})", entry.retry_count)
        } else {
            String::new()
        };
        log(
            LogLevel::Info,
            format!(
                "{} {} -> {} in {} ms{} [client-request-id {}]",
                entry.method,
                entry.path,
                status,
                entry.duration.as_millis(),
                retry,
                entry.client_request_id
            ),
        );
    }

    fn retry(&self, entry: &RetryLogEntry) {
        let why = match entry.reason {
            RetryReason::Throttled => "throttled",
            RetryReason::ServerError => "server error",
            RetryReason::Connection => "connection failed",
            RetryReason::MalformedResponse => "malformed response",
            RetryReason::TokenRejected => "token rejected, signing in again",
        };
        let status = entry
            .status
            .map_or_else(String::new, |s| format!(" HTTP {s}"));
        log(
            retry_level(entry),
            format!(
                "{} {}:{} ({why}); retrying in {:.1} s (attempt {})",
                entry.method,
                entry.path,
                status,
                entry.delay.as_secs_f64(),
                entry.attempt + 1
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn entry(reason: RetryReason, delay_ms: u64) -> RetryLogEntry {
        RetryLogEntry {
            method: "GET".into(),
            path: "/beta/auditLogs/signIns".into(),
            status: Some(429),
            reason,
            attempt: 1,
            delay: Duration::from_millis(delay_ms),
        }
    }

    #[test]
    fn short_throttling_waits_are_verbose_everything_else_warns() {
        assert_eq!(
            retry_level(&entry(RetryReason::Throttled, 200)),
            LogLevel::Info
        );
        assert_eq!(
            retry_level(&entry(RetryReason::Throttled, 4_999)),
            LogLevel::Info
        );
        assert_eq!(
            retry_level(&entry(RetryReason::Throttled, 5_000)),
            LogLevel::Warning
        );
        for reason in [
            RetryReason::ServerError,
            RetryReason::Connection,
            RetryReason::MalformedResponse,
            RetryReason::TokenRejected,
        ] {
            assert_eq!(retry_level(&entry(reason, 100)), LogLevel::Warning);
        }
    }
}
