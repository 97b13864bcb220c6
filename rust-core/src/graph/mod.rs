//! Microsoft Graph: users and sign-in session revocation in `$batch` requests.

mod batch;
mod client;
mod error;
mod revoke;
mod user_id;

pub use client::{GraphClient, GraphUser};
pub use error::{GraphError, GraphErrorBody};
pub use revoke::{MAX_BATCH_SIZE, RevokeOptions, RevokeOutcome, RevokeResult, RevokeSummary};
pub use user_id::{UserRef, validate_user_ref};
