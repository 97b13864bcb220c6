//! Exchange Online admin REST: `POST /adminapi/beta/{tenant}/InvokeCommand`.

mod cas_mailbox;
pub mod errors;
mod headers;
pub mod invoke;
mod mailbox;
pub mod mobile_device;
pub mod opath;
pub mod org_config;
pub mod owa_policy;
mod paging;
mod params;
pub mod rbac;
mod select;

use serde_json::{Map, Value};

use crate::http::Req;
use crate::state::State;

/// One cmdlet invocation after the request passed authentication and validation.
pub struct CmdletCall<'a> {
    pub state: &'a State,
    pub req: &'a Req,
    pub tenant_segment: &'a str,
    pub parameters: Map<String, Value>,
    /// `?$select=` of the request.
    pub select: Option<String>,
    pub body_hash: String,
    /// When the request came in: a list page is answered `page_latency` after this.
    pub received: tokio::time::Instant,
}

impl CmdletCall<'_> {
    /// Holds a list page until `page_latency` after the request came in. The page is built
    /// while the clock runs (a service's latency includes its own work), so the configured
    /// latency is what a client sees, not latency plus our serialisation time; the benchmark's
    /// sum-of-latencies floor relies on that.
    pub async fn page_latency(&self) {
        let latency = self.state.options.page_latency;
        if !latency.is_zero() {
            tokio::time::sleep_until(self.received + latency).await;
        }
    }
}

/// A page's result objects: JSON values, or the `value` array already serialised (list pages
/// write their objects straight to text; building a JSON tree per object cost more than the
/// page latency the benchmarks configure).
pub enum Objects {
    Json(Vec<Value>),
    /// The text of a JSON array.
    Serialized(Vec<u8>),
}

/// What a cmdlet returns: objects, warnings, and the next page's link.
pub struct CmdletOutput {
    pub values: Objects,
    pub warnings: Vec<String>,
    pub next_link: Option<String>,
}

impl CmdletOutput {
    pub fn values(values: Vec<Value>) -> Self {
        Self {
            values: Objects::Json(values),
            warnings: Vec::new(),
            next_link: None,
        }
    }
}
