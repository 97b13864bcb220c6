//! Which service a path belongs to. One listener serves every "host" by path.

use crate::entra::{authorize, device_code, managed_identity, token};
use crate::exchange::invoke;
use crate::faults::EndpointClass;
use crate::graph;
use crate::http::{Reply, Req, path_segments};
use crate::state::State;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/{tenant}/oauth2/v2.0/token`
    Token(String),
    /// `/{tenant}/oauth2/v2.0/devicecode`
    DeviceCode(String),
    /// `/{tenant}/oauth2/v2.0/authorize` (the sign-in page)
    Authorize(String),
    /// `/msi/token`
    ManagedIdentity,
    /// `/adminapi/beta/{tenant}/InvokeCommand`
    Exchange(String),
    /// `/v1.0/…`, `/beta/…`
    Graph,
    /// `/dataCollectionRules/{id}/streams/{stream}` (Logs Ingestion API; the DCE host)
    LogsIngestion(String, String),
    /// `/_emulator/…`
    Control,
    NotFound,
}

pub fn route_of(path: &str) -> Route {
    let segments = path_segments(path);
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    match s.as_slice() {
        [t, "oauth2", "v2.0", "token"] => Route::Token((*t).to_owned()),
        [t, "oauth2", "v2.0", "devicecode"] => Route::DeviceCode((*t).to_owned()),
        [t, "oauth2", "v2.0", "authorize"] => Route::Authorize((*t).to_owned()),
        ["msi", "token"] => Route::ManagedIdentity,
        ["adminapi", "beta", t, cmd] if cmd.eq_ignore_ascii_case("InvokeCommand") => {
            Route::Exchange((*t).to_owned())
        }
        ["v1.0" | "beta", ..] => Route::Graph,
        ["_emulator", ..] => Route::Control,
        _ => match crate::logs_ingestion::route(&s) {
            Some((rule, stream)) => Route::LogsIngestion(rule, stream),
            None => Route::NotFound,
        },
    }
}

pub fn class_of(route: &Route, path: &str) -> EndpointClass {
    match route {
        Route::Token(_) | Route::DeviceCode(_) => EndpointClass::Token,
        Route::ManagedIdentity => EndpointClass::ManagedIdentity,
        Route::Exchange(_) => EndpointClass::ExchangeInvokeCommand,
        Route::Graph => graph::class_for(path),
        Route::LogsIngestion(..) => EndpointClass::LogsIngestion,
        Route::Authorize(_) | Route::Control | Route::NotFound => EndpointClass::Other,
    }
}

pub async fn dispatch(state: &State, route: &Route, req: &Req) -> Reply {
    match route {
        Route::Token(tenant) => token::handle(state, req, tenant),
        Route::DeviceCode(tenant) => device_code::start(state, req, tenant),
        Route::Authorize(tenant) => authorize::handle(state, req, tenant),
        Route::ManagedIdentity => managed_identity::handle(state, req),
        Route::Exchange(tenant) => invoke::handle(state, req, tenant).await,
        Route::Graph => graph::handle(state, req).await,
        Route::LogsIngestion(rule, stream) => {
            crate::logs_ingestion::handle(state, req, rule, stream)
        }
        Route::Control | Route::NotFound => not_found(),
    }
}

pub fn not_found() -> Reply {
    Reply::json(
        http::StatusCode::NOT_FOUND,
        &serde_json::json!({"error": {"code": "NotFound", "message": "The tenant emulator does not serve this path."}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route_of("/contoso.onmicrosoft.com/oauth2/v2.0/token"),
            Route::Token("contoso.onmicrosoft.com".into())
        );
        assert_eq!(
            route_of("/organizations/oauth2/v2.0/devicecode"),
            Route::DeviceCode("organizations".into())
        );
        assert_eq!(route_of("/msi/token"), Route::ManagedIdentity);
        assert_eq!(
            route_of("/adminapi/beta/x/InvokeCommand"),
            Route::Exchange("x".into())
        );
        assert_eq!(route_of("/v1.0/%24batch"), Route::Graph);
        assert_eq!(
            class_of(&Route::Graph, "/v1.0/$batch"),
            EndpointClass::GraphBatch
        );
        assert_eq!(
            class_of(&Route::Graph, "/v1.0/users/a/revokeSignInSessions"),
            EndpointClass::GraphRevoke
        );
        assert_eq!(
            class_of(&Route::Graph, "/beta/me/revokeSignInSessions"),
            EndpointClass::GraphRevoke
        );
        assert_eq!(
            class_of(&Route::Graph, "/v1.0/users"),
            EndpointClass::GraphUsers
        );
        assert_eq!(route_of("/other"), Route::NotFound);
    }
}
