//! The request headers InvokeCommand insists on, checked in one place. Which of these the real
//! service enforces, and how it words the refusal, is UNCONFIRMED; the emulator is strict so a
//! client that omits one fails here rather than in production.

use http::StatusCode;

use super::errors;
use crate::http::{Reply, Req};

pub fn check(req: &Req) -> Result<(), Reply> {
    if req.media_type().as_deref() != Some("application/json") {
        return Err(errors::odata_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "The request body must be JSON: send Content-Type: application/json;odata.metadata=minimal;odata.streaming=true.",
        ));
    }
    // App-only callers anchor on `APP:SystemMailbox{bb558c35-…}@{tenant id}` (KelvinTegelaar/CIPP-API
    // New-ExoRequest.ps1) or `UPN:SystemMailbox{bb558c35-…}@{domain}` (cisagov/ScubaGear
    // EXORestHelper.psm1), delegated ones on `UPN:{upn}`. What the service does with an anchor
    // naming another tenant is UNCONFIRMED, so only the shape is checked.
    let anchor = req
        .header("x-anchormailbox")
        .map(str::trim)
        .unwrap_or_default();
    let well_formed = anchor.split_once(':').is_some_and(|(kind, address)| {
        ["UPN", "SMTP", "APP"]
            .iter()
            .any(|k| kind.eq_ignore_ascii_case(k))
            && address.contains('@')
    });
    if !well_formed {
        return Err(errors::bad_request(
            "The X-AnchorMailbox header is missing or malformed. Send 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenant id>' for app-only access or 'UPN:<admin upn>' for delegated access.",
        ));
    }
    if let Some(format) = req.header("x-responseformat")
        && !format.trim().eq_ignore_ascii_case("json")
    {
        return Err(errors::bad_request(
            "Only X-ResponseFormat: json is served by this endpoint.",
        ));
    }
    Ok(())
}
