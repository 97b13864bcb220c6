//! What this build is: shown by `Get-OutlookQrGuardVersion` and checked against the manifest.

/// The crate version, which is the workspace version (the single source of the product version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The target the native library was compiled for, e.g. `x86_64-unknown-linux-gnu`-like triple parts.
pub fn target() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// `debug` or `release`.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
