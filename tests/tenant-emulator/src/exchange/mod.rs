//! Exchange Online admin REST: `POST /adminapi/beta/{tenant}/InvokeCommand`.

pub mod errors;
mod headers;
pub mod invoke;
mod mailbox;
pub mod mobile_device;
pub mod opath;
pub mod org_config;
mod paging;
mod params;
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
}

impl CmdletCall<'_> {
    /// The configured delay before every list page.
    pub async fn page_latency(&self) {
        let latency = self.state.options.page_latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }
}

/// What a cmdlet returns: objects, warnings, and the next page's link.
pub struct CmdletOutput {
    pub values: Vec<Value>,
    pub warnings: Vec<String>,
    pub next_link: Option<String>,
}

impl CmdletOutput {
    pub fn values(values: Vec<Value>) -> Self {
        Self {
            values,
            warnings: Vec::new(),
            next_link: None,
        }
    }
}
