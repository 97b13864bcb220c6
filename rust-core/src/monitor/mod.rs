//! Azure Monitor Logs Ingestion API: check results, drift differences and transfer sign-ins as
//! rows of one custom table (Log Analytics / Microsoft Sentinel).
//!
//! `rows` is the table's schema, `batch` splits rows into JSON arrays under the request size
//! limit, `ingestion` sends them to a data collection endpoint with the session's credential.

pub mod batch;
pub mod ingestion;
pub mod rows;

pub use batch::{Batch, BatchError, MAX_BATCH_BYTES, batch_rows};
pub use ingestion::{IngestionTarget, SendTotals, TargetError, send_batches};
pub use rows::{LogRow, RecordType};
