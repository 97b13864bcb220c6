use interoptopus::ffi;

/// The kinds of failure; the C# layer maps each to an ErrorCategory and a stable error id.
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input from the caller (path, UPN, parameter combination).
    InvalidArgument,
    /// Sign-in failed: wrong secret, unknown tenant, expired certificate.
    Authentication,
    /// Signed in but not allowed: missing role, permission or licence.
    PermissionDenied,
    /// The object does not exist (user, policy).
    NotFound,
    /// The service kept throttling past the retry budget.
    Throttled,
    /// Network or TLS failure, or the service kept failing (5xx).
    Connection,
    /// The service answered something we could not understand.
    Protocol,
    /// Reading or writing a local file failed.
    Io,
    /// The target exists and the caller did not allow replacing it.
    AlreadyExists,
    /// The caller cancelled.
    Cancelled,
    /// A bug on our side (a caught panic, an impossible state).
    Internal,
}

/// What went wrong, in words for an admin, plus the service's own code (e.g. `AADSTS7000215`,
/// `Authorization_RequestDenied`) and the object it concerns, so C# can build a precise ErrorRecord.
#[ffi]
pub struct ErrorDetail {
    pub kind: ErrorKind,
    pub message: ffi::String,
    pub code: ffi::String,
    pub target: ffi::String,
    /// The `client-request-id` sent with the failed call; empty when no service call failed.
    pub client_request_id: ffi::String,
    /// The service's `request-id` for it; empty when it gave none.
    pub request_id: ffi::String,
}

/// interoptopus needs an enum as the error type of `ffi::Result`; one variant carries everything.
#[ffi]
pub enum Error {
    Failed(ErrorDetail),
}

impl Error {
    pub fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        code: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        Error::Failed(ErrorDetail {
            kind,
            message: ffi::String::from_string(message.into()),
            code: ffi::String::from_string(code.into()),
            target: ffi::String::from_string(target.into()),
            client_request_id: ffi::String::from_string(String::new()),
            request_id: ffi::String::from_string(String::new()),
        })
    }

    /// The ids Microsoft support asks for, for the C# layer to put on the exception.
    pub fn with_call_ids(self, client_request_id: String, request_id: String) -> Self {
        let Error::Failed(detail) = self;
        Error::Failed(ErrorDetail {
            client_request_id: ffi::String::from_string(client_request_id),
            request_id: ffi::String::from_string(request_id),
            ..detail
        })
    }
}
