//! The FFI surface (interoptopus 0.16): one service, its callbacks and its error type.
//!
//! Rules kept here: every sync body runs inside `panic_to_result`, async bodies cannot unwind into
//! C# (interoptopus maps an async panic to a cancelled task, which the C# layer reports as an
//! internal error when it did not ask to cancel), strings are `ffi::String` (UTF-8, never ANSI).

mod block_impact;
mod call_log;
mod convert;
mod drift_types;
mod engine;
mod error;
mod fleet;
mod log_send;
mod owa;
mod owa_types;
mod types;

pub use drift_types::*;
pub use engine::{Engine, LogCallback, ProgressCallback, PromptCallback};
pub use error::{Error, ErrorDetail, ErrorKind};
pub use fleet::*;
pub use owa_types::*;
pub use types::*;

use interoptopus::inventory::RustInventory;
use interoptopus::{builtins_string, builtins_wire, guard, service};

/// Everything the C# bindings are generated from.
pub fn ffi_inventory() -> RustInventory {
    RustInventory::new()
        // The guard makes the C# side refuse a native library built from other sources (a stale
        // DLL next to fresh bindings is otherwise undefined behaviour).
        .register(guard!(ffi_inventory))
        .register(builtins_string!())
        .register(builtins_wire!())
        .register(service!(Engine))
        .validate()
}
