//! What the HTTP layer reports: one entry per attempt, one warning per scheduled retry. Never
//! headers, bodies or query strings (they can carry secrets or skip tokens).

use std::time::Duration;

use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLogEntry {
    pub method: String,
    /// URL path only, no query.
    pub path: String,
    /// `None` when no response arrived (connection failure).
    pub status: Option<u16>,
    pub duration: Duration,
    /// Retries made before this attempt.
    pub retry_count: u32,
    pub client_request_id: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    Throttled,
    ServerError,
    Connection,
    MalformedResponse,
    TokenRejected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryLogEntry {
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub reason: RetryReason,
    /// The attempt that failed (1-based).
    pub attempt: u32,
    pub delay: Duration,
}

/// Routed by the FFI layer to PowerShell's -Verbose (requests) and warnings (retries).
pub trait HttpLogger: Send + Sync {
    fn request(&self, entry: &RequestLogEntry) {
        let _ = entry;
    }
    fn retry(&self, entry: &RetryLogEntry) {
        let _ = entry;
    }
}

pub struct NoopLogger;

impl HttpLogger for NoopLogger {}
