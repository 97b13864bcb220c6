//! OutlookQrGuard's engine: everything the PowerShell module does happens here.
//!
//! The crate knows nothing of PowerShell. The `ffi` module is the only surface the C# layer sees;
//! everything else is plain Rust, usable and tested without it.

pub mod build_info;
pub mod ffi;

pub use ffi::ffi_inventory;
