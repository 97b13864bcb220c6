//! Graph's error envelope (`error.code`, `message`, `innerError.date/request-id/client-request-id`)
//! and the headers every Graph response carries.

use http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::clock;
use crate::directory::GRAPH_APP_ID;
use crate::entra::access::AuthFailure;
use crate::http::{Reply, Req};

pub const CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// Per-request diagnostics Graph puts in headers and error bodies.
#[derive(Debug, Clone)]
pub struct GraphCtx {
    pub request_id: String,
    pub client_request_id: String,
}

impl GraphCtx {
    pub fn new(req: &Req) -> Self {
        let request_id = Uuid::new_v4().to_string();
        Self {
            client_request_id: req
                .client_request_id()
                .unwrap_or_else(|| request_id.clone()),
            request_id,
        }
    }

    pub fn json(&self, status: StatusCode, body: &serde_json::Value) -> Reply {
        Reply::json_with_type(status, body, CONTENT_TYPE)
    }

    pub fn error(&self, status: StatusCode, code: &str, message: &str) -> Reply {
        let body = json!({"error": {"code": code, "message": message, "innerError": {
            "date": clock::graph_inner_error_date(clock::now_unix()),
            "request-id": self.request_id,
            "client-request-id": self.client_request_id,
        }}});
        self.json(status, &body)
    }

    pub fn unauthorized(&self, failure: &AuthFailure) -> Reply {
        let message = match failure {
            AuthFailure::Missing => "Access token is empty.",
            AuthFailure::Malformed => "CompactToken parsing failed with error code: 80049217",
            AuthFailure::BadSignature => "Access token validation failure. Invalid signature.",
            AuthFailure::WrongIssuer => "Access token validation failure. Invalid issuer.",
            AuthFailure::WrongAudience(_) => "Access token validation failure. Invalid audience.",
            AuthFailure::Expired => "Lifetime validation failed, the token is expired.",
            AuthFailure::NotYetValid => "Lifetime validation failed, the token is not yet valid.",
        };
        let challenge = format!(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\""
        );
        self.error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
        .with_header("www-authenticate", &challenge)
    }

    pub fn forbidden(&self) -> Reply {
        self.error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn user_not_found(&self, id: &str) -> Reply {
        self.error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn bad_request(&self, code: &str, message: &str) -> Reply {
        self.error(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn method_not_allowed(&self) -> Reply {
        self.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn throttled(&self, retry_after: &str) -> Reply {
        let body = json!({"error": {"code": "TooManyRequests", "message": "Please retry again later.", "innerError": {
            "code": "429",
            "date": clock::graph_inner_error_date(clock::now_unix()),
            "message": "Please retry after",
            "request-id": self.request_id,
            "client-request-id": self.client_request_id,
            "status": "429",
        }}});
        self.json(StatusCode::TOO_MANY_REQUESTS, &body)
            .with_header("retry-after", retry_after)
    }

    pub fn server_error(&self, status: StatusCode, retry_after: Option<&str>) -> Reply {
        let (code, message) = match status.as_u16() {
            503 => (
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            ),
            504 => ("UnknownError", "The gateway timed out."),
            _ => ("generalException", "An unexpected error occurred."),
        };
        let reply = self.error(status, code, message);
        match retry_after {
            Some(r) => reply.with_header("retry-after", r),
            None => reply,
        }
    }

    /// Headers on every Graph response.
    pub fn finish(&self, mut reply: Reply) -> Reply {
        reply.set_header("request-id", &self.request_id);
        reply.set_header("client-request-id", &self.client_request_id);
        let diagnostic = format!(
            "{{\"ServerInfo\":{{\"DataCenter\":\"Japan East\",\"Slice\":\"E\",\"Ring\":\"3\",\"ScaleUnit\":\"000\",\"RoleInstance\":\"TY1PEPF0000{}\"}}}}",
            &self.request_id[..4]
        );
        reply.set_header("x-ms-ags-diagnostic", &diagnostic);
        reply.set_header("strict-transport-security", "max-age=31536000");
        reply
    }
}
