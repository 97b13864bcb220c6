//! Microsoft Graph: users and sign-in session revocation in `$batch` requests, Conditional
//! Access policies, the users and groups they exclude, and the sign-in logs.

pub(crate) mod batch;
mod client;
pub mod conditional_access;
pub mod directory_objects;
pub(crate) mod error;
mod group_members;
pub(crate) mod paging;
mod revoke;
pub mod signins;
mod user_id;

pub use client::{GraphClient, GraphUser};
pub use error::{GraphError, GraphErrorBody, NON_PREMIUM_TENANT_CODE, is_licence_failure};
pub use paging::odata_string;
pub use revoke::{MAX_BATCH_SIZE, RevokeOptions, RevokeOutcome, RevokeResult, RevokeSummary};
pub use user_id::{UserRef, validate_user_ref};
