//! The engine's atomic CSV file tests and its Windows path tests, built for Windows (Wine).
#![cfg(windows)]

#[path = "../../../rust-core/tests/export_atomic.rs"]
mod export_atomic;

#[path = "../../../rust-core/tests/windows_paths.rs"]
mod windows_paths;
