//! What the module does, as operations over a connected session: the layer between the FFI
//! surface and the clients. Each operation is plain async Rust, testable against the emulator
//! without C#.

pub mod conditional_access;
pub mod drift;
pub mod entra_access;
pub mod error;
pub mod evidence;
pub mod export;
pub mod fleet;
pub mod fleet_report;
pub mod inventory;
pub mod log_ingestion;
pub mod log_sink;
pub mod owa_account_transfer;
pub mod prompt;
pub mod report;
pub mod report_block_impact;
pub mod report_charts;
pub mod report_html;
pub mod report_numbers;
pub mod revoke;
pub mod session;
pub mod transfer_block_impact;

pub use error::{FailureKind, OpError};
pub use session::{ConnectMethod, ConnectSpec, Session};
