//! OutlookQrGuard's engine: everything the PowerShell module does happens here.
//!
//! The crate knows nothing of PowerShell. The `ffi` module is the only surface the C# layer sees;
//! everything else is plain Rust, usable and tested without it.

pub mod auth;
pub mod build_info;
pub mod cloud;
pub mod device;
pub mod exo;
pub mod export;
pub mod ffi;
pub mod graph;
pub mod http;
pub mod monitor;
pub mod next_link_guard;
pub mod ops;
pub mod secret;
#[doc(hidden)]
pub mod wire_replay;

pub use ffi::ffi_inventory;
