//! Exchange admin REST error shapes: OData error bodies, failed cmdlets, and the 401 challenge.
//!
//! A failed cmdlet answers with a generic `error.message` ("Error executing cmdlet") and puts the
//! Exchange sentence and exception type in `details[0].message` as a JSON string
//! `{"Message":…,"TypeName":…,"StackTrace":null,"InnerError":null}` and in
//! `innererror.internalexception` (shapes: ../shared/docs/exchange-admin-rest.md, Errors,
//! CORRECTED 2026-12-06 — Microsoft Q&A "answers/questions/1023619"; KelvinTegelaar/CIPP-API
//! `New-ExoRequest.ps1` reads details.message, then innererror.internalException.message; a Go
//! admin-API client test labelled "A real 400 body" carries the JSON-string detail and code
//! NotFound for ManagementObjectNotFoundException). The exact codes for 401/403 are UNCONFIRMED
//! and are chosen here, in one place.

use http::StatusCode;
use serde_json::json;

use crate::directory::EXCHANGE_APP_ID;
use crate::entra::access::AuthFailure;
use crate::http::{Reply, Req};
use crate::tenant::ORIGINATING_SERVER;

pub const CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The generic text of every failed cmdlet's `error.message` (docs above).
pub const GENERIC_CMDLET_MESSAGE: &str = "Error executing cmdlet";

/// The service-side exception type in `innererror.type` of a failed cmdlet (seen in a public C#
/// AdminApiError test body; UNCONFIRMED beyond that one source).
const ODATA_SERVICE_EXCEPTION: &str = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException";

const OBJECT_NOT_FOUND: &str =
    "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException";

pub fn odata_error(status: StatusCode, code: &str, message: &str) -> Reply {
    let body = json!({"error": {"code": code, "message": message, "details": [{"code": code, "message": message}], "innererror": {"message": message, "type": code}}});
    Reply::json_with_type(status, &body, CONTENT_TYPE)
}

/// A cmdlet that ran and failed. Object-not-found is 404 `NotFound` (the Go client test's body;
/// community clients treat 404 + "couldn't be found" as this case), everything else 400
/// `BadRequest`; which other exceptions map to other statuses is UNCONFIRMED.
pub fn cmdlet_error(exception: &str, message: &str) -> Reply {
    let (status, code) = if exception == OBJECT_NOT_FOUND {
        (StatusCode::NOT_FOUND, "NotFound")
    } else {
        (StatusCode::BAD_REQUEST, "BadRequest")
    };
    let detail =
        json!({"Message": message, "TypeName": exception, "StackTrace": null, "InnerError": null});
    let body = json!({"error": {
        "code": code,
        "message": GENERIC_CMDLET_MESSAGE,
        "details": [{"code": "Client", "target": "", "message": detail.to_string()}],
        "innererror": {
            "message": GENERIC_CMDLET_MESSAGE,
            "type": ODATA_SERVICE_EXCEPTION,
            "stacktrace": "",
            "internalexception": {"message": message, "type": exception, "stacktrace": ""},
        },
    }});
    Reply::json_with_type(status, &body, CONTENT_TYPE)
}

pub fn unauthorized(failure: &AuthFailure) -> Reply {
    let (message, description) = match failure {
        AuthFailure::Missing => (
            "The request does not contain an access token.",
            "no access token",
        ),
        AuthFailure::Expired => (
            "The access token is expired.",
            "The access token is expired",
        ),
        AuthFailure::WrongAudience(_) => (
            "The audience of the access token is not valid for this resource.",
            "invalid audience",
        ),
        AuthFailure::WrongIssuer => (
            "The access token was not issued for this tenant.",
            "invalid issuer",
        ),
        AuthFailure::NotYetValid => ("The access token is not yet valid.", "token not yet valid"),
        AuthFailure::Malformed | AuthFailure::BadSignature => {
            ("The access token is invalid.", "invalid token")
        }
    };
    let challenge = format!(
        "Bearer client_id=\"{EXCHANGE_APP_ID}\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\", error_description=\"{description}\""
    );
    odata_error(StatusCode::UNAUTHORIZED, "Unauthorized", message)
        .with_header("www-authenticate", &challenge)
}

/// 403 without the permission or a role. The real body is UNCONFIRMED (no capture found); the
/// wording names only what the service checks, not how to fix it.
pub fn forbidden(app_only: bool) -> Reply {
    let message = if app_only {
        "The application does not have the Exchange.ManageAsApp permission, or holds no Exchange management role (neither through a Microsoft Entra role nor through an Exchange role assignment to its service principal)."
    } else {
        "The user is not assigned an Exchange administrator role."
    };
    odata_error(StatusCode::FORBIDDEN, "Forbidden", message)
}

/// The generic `error.message` when the parameters could not be bound (two live captures:
/// tests/wire-examples/exchange/error-unknown-parameter.json and
/// error-invalid-enum-internalexception-only.json).
const INVALID_OPERATION: &str = "Invalid Operation";
const AMBIGUOUS_PARAMETER_SET: &str =
    "Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException";
const PARAMETER_TRANSFORMATION: &str =
    "Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException";

/// Parameters that could not be bound: "Invalid Operation", the text in `innererror.
/// internalexception`, and (for an unknown parameter) again in `details[0]` in the
/// `|Type|text` form; a bad value has no `details` and carries the warnings annotation inside
/// `error` (both shapes as captured; see the constants above).
fn invocation_error(exception: &str, message: &str, with_details: bool) -> Reply {
    let mut error = json!({
        "code": "BadRequest",
        "message": INVALID_OPERATION,
        "innererror": {
            "message": INVALID_OPERATION,
            "type": ODATA_SERVICE_EXCEPTION,
            "stacktrace": "",
            "internalexception": {"message": message, "type": exception, "stacktrace": ""},
        },
    });
    if with_details {
        error["details"] =
            json!([{"code": "Client", "target": "", "message": format!("|{exception}|{message}")}]);
    } else {
        error["adminapi.warnings@odata.type"] = json!("#Collection(String)");
        error["@adminapi.warnings"] = json!([]);
    }
    Reply::json_with_type(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error }),
        CONTENT_TYPE,
    )
}

pub fn parameter_not_found(name: &str) -> Reply {
    invocation_error(
        AMBIGUOUS_PARAMETER_SET,
        &format!(
            "Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. {name}"
        ),
        true,
    )
}

pub fn parameter_set_ambiguous() -> Reply {
    invocation_error(
        AMBIGUOUS_PARAMETER_SET,
        "Parameter set cannot be resolved using the specified named parameters.",
        true,
    )
}

pub fn argument_transformation(parameter: &str, value: &str, target_type: &str) -> Reply {
    invocation_error(
        PARAMETER_TRANSFORMATION,
        &format!(
            "Cannot process argument transformation on parameter '{parameter}'. Cannot convert value \"{value}\" to type \"{target_type}\"."
        ),
        false,
    )
}

pub fn empty_argument(parameter: &str) -> Reply {
    cmdlet_error(
        "System.Management.Automation.ParameterBindingValidationException",
        &format!(
            "Cannot validate argument on parameter '{parameter}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again."
        ),
    )
}

pub fn object_not_found(identity: &str) -> Reply {
    cmdlet_error(
        OBJECT_NOT_FOUND,
        &format!(
            "The operation couldn't be performed because object '{identity}' couldn't be found on '{ORIGINATING_SERVER}'."
        ),
    )
}

pub fn object_ambiguous(identity: &str) -> Reply {
    cmdlet_error(
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException",
        &format!(
            "The operation couldn't be performed because '{identity}' matches multiple entries."
        ),
    )
}

pub fn filter_error(message: &str) -> Reply {
    cmdlet_error(
        "System.Management.Automation.ParameterBindingException",
        &format!(
            "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"{message}\""
        ),
    )
}

pub fn unknown_cmdlet(name: &str) -> Reply {
    cmdlet_error(
        "System.Management.Automation.CommandNotFoundException",
        &format!(
            "The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
        ),
    )
}

pub fn bad_request(message: &str) -> Reply {
    odata_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

pub fn throttled(retry_after: &str) -> Reply {
    odata_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "The request was throttled by the Exchange Online admin API. Wait for the Retry-After interval and try again.",
    )
    .with_header("retry-after", retry_after)
}

pub fn server_error(status: StatusCode) -> Reply {
    let code = match status.as_u16() {
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "InternalServerError",
    };
    odata_error(
        status,
        code,
        "The service is temporarily unavailable. Please retry the request.",
    )
}

/// Adds the headers every InvokeCommand response carries.
pub fn with_standard_headers(mut reply: Reply, req: &Req) -> Reply {
    reply.set_header("request-id", &uuid::Uuid::new_v4().to_string());
    reply.set_header("x-calculatedbetarget", ORIGINATING_SERVER);
    if let Some(id) = req.client_request_id() {
        reply.set_header("client-request-id", &id);
    }
    reply
}
