//! Log routing for one FFI call. A C# callback is valid only while the call that received it
//! runs; background tasks may outlive the call by a moment, so the sink is closed (under a
//! lock, so a line being delivered finishes first) before the call returns.

use std::sync::{Arc, Mutex};

use interoptopus::ffi;

use super::engine::LogCallback;
use super::types::LogLine;
use crate::ops::log_sink::{LogLevel, LogSink};

pub struct CallLog {
    callback: Arc<Mutex<Option<LogCallback>>>,
}

impl CallLog {
    pub fn new(callback: LogCallback) -> CallLog {
        CallLog {
            callback: Arc::new(Mutex::new(Some(callback))),
        }
    }

    pub fn sink(&self) -> LogSink {
        let callback = Arc::clone(&self.callback);
        Arc::new(move |level: LogLevel, message: String| {
            if let Ok(guard) = callback.lock()
                && let Some(cb) = guard.as_ref()
            {
                cb.call(level as u8, ffi::String::from_string(message));
            }
        })
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.callback.lock() {
            guard.take();
        }
    }
}

/// Log lines of background work (a device listing), handed over with its next result.
#[derive(Clone, Default)]
pub struct BufferedLog {
    lines: Arc<Mutex<Vec<LogLine>>>,
}

impl BufferedLog {
    pub fn sink(&self) -> LogSink {
        let lines = Arc::clone(&self.lines);
        Arc::new(move |level: LogLevel, message: String| {
            if let Ok(mut l) = lines.lock() {
                l.push(LogLine {
                    level: level as u8,
                    message,
                });
            }
        })
    }

    pub fn drain(&self) -> Vec<LogLine> {
        self.lines
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}
