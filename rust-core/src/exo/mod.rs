//! Exchange Online admin REST (`InvokeCommand`): runs cmdlets, pages through results, types
//! the operations the module needs and the service's errors.

mod client;
pub(crate) mod error;
mod mailbox;
pub(crate) mod next_link;
mod opath;
mod org_config;
mod owa_policy;
pub(crate) mod page;

pub use client::{AnchorMailbox, ExchangeClient, ExchangeOptions, PageBody};
pub use error::{ExoError, OdataError};
pub use mailbox::{MAX_FILTER_TERMS, Mailbox, MailboxLookup, MailboxResolution};
pub use opath::{opath_eq, opath_or, quote_opath};
pub use org_config::OrganizationConfig;
pub use owa_policy::OwaMailboxPolicy;
pub use page::{MobileDeviceQuery, Page, ResultSize};
