use super::error::{Error, ErrorKind};
use crate::build_info;
use interoptopus::pattern::asynk::Async;
use interoptopus::pattern::result::panic_to_result;
use interoptopus::rt::Tokio;
use interoptopus::wire::Wire;
use interoptopus::{AsyncRuntime, callback, ffi};
use std::time::Duration;

// Progress of a long operation: `done` of `total` units (`total` 0 = unknown).
callback!(ProgressCallback(done: u64, total: u64));
// A log line; `level`: 1 error, 2 warning, 3 info (Verbose), 4 debug, 5 trace.
callback!(LogCallback(level: u8, message: ffi::String));

/// Version and build facts of the native library.
#[ffi]
pub struct BuildInfo {
    pub version: String,
    pub target: String,
    pub profile: String,
}

/// The one service C# talks to. It owns the Tokio runtime; each async call runs on it and can be
/// aborted from C# through its CancellationToken. Callbacks are passed per call, so two cmdlets
/// running at once in different runspaces never see each other's progress or log lines.
#[ffi(service)]
#[derive(AsyncRuntime)]
pub struct Engine {
    runtime: Tokio,
}

#[ffi]
impl Engine {
    pub fn create() -> ffi::Result<Self, Error> {
        panic_to_result(|| ffi::Ok(Self { runtime: Tokio::new() }))
    }

    pub fn build_info(&self) -> ffi::Result<Wire<BuildInfo>, Error> {
        panic_to_result(|| {
            ffi::Ok(Wire::from(BuildInfo {
                version: build_info::VERSION.to_string(),
                target: build_info::target(),
                profile: build_info::profile().to_string(),
            }))
        })
    }

    /// A round trip through every layer without a tenant: reports `steps` progress ticks,
    /// `step_ms` apart, logs each, and returns the number of steps done. `fail_at` > 0 makes
    /// that step fail, so the error path is testable end to end.
    pub async fn self_test(_this: Async<Self>, steps: u32, step_ms: u32, fail_at: u32, progress: ProgressCallback, log: LogCallback) -> ffi::Result<u32, Error> {
        for step in 1..=steps {
            tokio::time::sleep(Duration::from_millis(u64::from(step_ms))).await;
            if step == fail_at {
                return ffi::Err(Error::new(ErrorKind::InvalidArgument, format!("The self-test was asked to fail at step {step}."), "SelfTestFailure", step.to_string()));
            }
            progress.call(u64::from(step), u64::from(steps));
            log.call(4, ffi::String::from_string(format!("self-test step {step} of {steps}")));
        }
        ffi::Ok(steps)
    }
}
