//! Entra ID's error JSON (`error`, `error_description` with the Trace/Correlation/Timestamp
//! tail, `error_codes`, …) and the catalogue of AADSTS errors the emulator produces. Codes and
//! texts come from the shared docs; the ones marked UNCONFIRMED there are chosen here, in one place.

use http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::clock;
use crate::http::{Reply, Req};

#[derive(Debug, Clone)]
pub struct EntraError {
    pub status: StatusCode,
    pub error: &'static str,
    pub codes: Vec<u32>,
    pub message: String,
}

/// Headers every token endpoint response carries.
pub fn with_token_headers(mut reply: Reply, req: &Req) -> Reply {
    for (name, value) in [
        ("cache-control", "no-store, no-cache"),
        ("pragma", "no-cache"),
        ("expires", "-1"),
        (
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-ms-request-id", &Uuid::new_v4().to_string()),
    ] {
        reply.set_header(name, value);
    }
    if let Some(id) = req.client_request_id() {
        reply.set_header("client-request-id", &id);
    }
    reply
}

impl EntraError {
    fn new(status: u16, error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            error,
            codes: vec![code],
            message: message.into(),
        }
    }

    pub fn reply(&self, req: &Req) -> Reply {
        let now = clock::now_unix();
        let timestamp = clock::entra_timestamp(now);
        let trace_id = Uuid::new_v4().to_string();
        // Entra echoes the caller's client-request-id as the correlation id.
        let correlation_id = req
            .client_request_id()
            .filter(|c| Uuid::parse_str(c).is_ok())
            .unwrap_or_else(|| Uuid::new_v4().to_string());
        let description = self.description(&trace_id, &correlation_id, &timestamp);
        let first = self.codes.first().copied().unwrap_or_default();
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": self.codes,
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={first}"),
        });
        with_token_headers(Reply::json(self.status, &body), req)
    }

    /// `AADSTS…: message` with the Trace/Correlation/Timestamp tail, as in `error_description`.
    pub fn description(&self, trace_id: &str, correlation_id: &str, timestamp: &str) -> String {
        let prefix = self
            .codes
            .iter()
            .map(|c| format!("AADSTS{c}: "))
            .collect::<Vec<_>>()
            .join("");
        format!(
            "{prefix}{}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
            self.message
        )
    }

    pub fn tenant_not_found(tenant: &str) -> Self {
        // Newer captures use `invalid_tenant`; older ones `invalid_request`.
        Self::new(
            400,
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    }

    pub fn tenant_independent_endpoint() -> Self {
        Self::new(
            400,
            "invalid_request",
            9001023,
            "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        )
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            400,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub fn duplicated_parameter(name: &str) -> Self {
        Self::new(
            400,
            "invalid_request",
            9000411,
            format!("The request is not properly formatted. The parameter '{name}' is duplicated."),
        )
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self::new(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        )
    }

    pub fn resource_parameter() -> Self {
        Self::new(
            400,
            "invalid_request",
            901002,
            "The 'resource' request parameter is not supported.",
        )
    }

    pub fn app_not_found(client_id: &str, tenant: &str) -> Self {
        Self::new(
            400,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub fn invalid_client_secret(client_id: &str) -> Self {
        Self::new(
            401,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        )
    }

    pub fn missing_client_credential() -> Self {
        Self::new(
            400,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    pub fn public_client_with_credential() -> Self {
        Self::new(
            400,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        )
    }

    pub fn multiple_client_authentications() -> Self {
        Self::new(
            400,
            "invalid_request",
            9000411,
            "The request is not properly formatted. The client was authenticated with more than one method.",
        )
    }

    pub fn invalid_scope(scope: &str) -> Self {
        Self::new(
            400,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid."
            ),
        )
    }

    pub fn client_credentials_scope(scope: &str) -> Self {
        Self::new(
            400,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )
    }

    pub fn multiple_resources(scope: &str, delegated: bool) -> Self {
        let code = if delegated { 28000 } else { 700022 };
        Self::new(
            400,
            "invalid_scope",
            code,
            format!(
                "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."
            ),
        )
    }

    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::new(
            400,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub fn consent_required(client_id: &str, app_name: &str) -> Self {
        Self::new(
            400,
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{client_id}' named '{app_name}'. Send an interactive authorization request for this user and resource."
            ),
        )
    }

    pub fn invalid_assertion_type() -> Self {
        Self::new(
            400,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed. The 'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
        )
    }

    pub fn malformed_assertion(detail: &str) -> Self {
        Self::new(
            400,
            "invalid_request",
            50027,
            format!("JWT token is invalid or malformed. {detail}"),
        )
    }

    fn key_problem(reason: &str, thumbprint: &str, extra: &str, client_id: &str) -> Self {
        Self::new(
            401,
            "invalid_client",
            700027,
            format!(
                "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}'{extra}, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}']"
            ),
        )
    }

    pub fn assertion_key_not_found(thumbprint: &str, client_id: &str) -> Self {
        Self::key_problem("The key was not found.", thumbprint, "", client_id)
    }

    pub fn assertion_key_expired(
        thumbprint: &str,
        not_before: i64,
        not_after: i64,
        client_id: &str,
    ) -> Self {
        let fmt = |t| {
            clock::legacy_msi_date(t)
                .trim_end_matches(" +00:00")
                .to_owned()
        };
        let extra = format!(
            ", Found key 'Start={}, End={}'",
            fmt(not_before),
            fmt(not_after)
        );
        Self::key_problem("The key used is expired.", thumbprint, &extra, client_id)
    }

    pub fn assertion_bad_signature(thumbprint: &str, client_id: &str) -> Self {
        Self::key_problem(
            "The provided signature value did not match the expected signature value.",
            thumbprint,
            "",
            client_id,
        )
    }

    pub fn assertion_unsupported_algorithm(alg: &str) -> Self {
        Self::malformed_assertion(&format!(
            "The JWT header 'alg' value '{alg}' is not supported; use RS256 with 'x5t' or PS256 with 'x5t#S256'."
        ))
    }

    pub fn assertion_audience() -> Self {
        let mut e = Self::new(
            401,
            "invalid_client",
            70002,
            "Error validating credentials. AADSTS50012: Client assertion audience claim does not match Realm issuer.",
        );
        e.codes.push(50012);
        e
    }

    pub fn assertion_issuer() -> Self {
        Self::new(
            401,
            "invalid_client",
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
        )
    }

    pub fn assertion_time_range(now: i64, nbf: Option<i64>, exp: Option<i64>) -> Self {
        let show = |t: Option<i64>| {
            t.map(clock::entra_timestamp)
                .unwrap_or_else(|| "(missing)".into())
        };
        Self::new(
            400,
            "invalid_client",
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
                clock::entra_timestamp(now),
                show(nbf),
                show(exp)
            ),
        )
    }

    // Device code flow.

    pub fn authorization_pending() -> Self {
        Self::new(
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    }

    pub fn slow_down() -> Self {
        Self::new(
            400,
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. The client is polling too quickly; increase the polling interval by 5 seconds.",
        )
    }

    pub fn authorization_declined() -> Self {
        Self::new(
            400,
            "authorization_declined",
            70000,
            "The end user denied the authorization request.",
        )
    }

    pub fn expired_device_code() -> Self {
        Self::new(
            400,
            "expired_token",
            70019,
            "Verification code expired. The device code is past its expires_in time; request a new code.",
        )
    }

    pub fn bad_verification_code() -> Self {
        Self::new(
            400,
            "bad_verification_code",
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
    }

    pub fn code_already_redeemed() -> Self {
        Self::new(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        )
    }

    pub fn device_code_confidential_client() -> Self {
        Self::missing_client_credential()
    }

    // Refresh tokens.

    pub fn refresh_token_malformed() -> Self {
        Self::new(
            400,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    pub fn refresh_token_revoked(issued: i64, valid_from: i64) -> Self {
        Self::new(
            400,
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                clock::graph_datetime(issued),
                clock::graph_datetime(valid_from)
            ),
        )
    }

    pub fn refresh_token_superseded() -> Self {
        Self::new(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )
    }

    pub fn refresh_token_wrong_client() -> Self {
        Self::new(
            400,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The refresh token was issued to a different client.",
        )
    }

    // Authorization code flow. Codes and texts: MicrosoftDocs/entra-docs
    // docs/identity-platform/reference-error-codes.md unless marked UNCONFIRMED; the `error`
    // values on the redirect for 65004/53003/50020 are UNCONFIRMED (access_denied chosen, the
    // value v2-oauth2-auth-code-flow.md lists for "denied").

    pub fn user_declined_consent() -> Self {
        Self::new(
            400,
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
    }

    pub fn blocked_by_conditional_access() -> Self {
        Self::new(
            400,
            "access_denied",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        )
    }

    pub fn user_not_in_tenant(upn: &str, tenant: &str, client_id: &str, app_name: &str) -> Self {
        Self::new(
            400,
            "access_denied",
            50020,
            format!(
                "User account '{upn}' from identity provider 'live.com' does not exist in tenant '{tenant}' and cannot access the application '{client_id}'({app_name}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Microsoft Entra user account."
            ),
        )
    }

    /// On the redirect: OpenID Connect Core §3.1.2.6 `consent_required`, with 65001's text.
    pub fn consent_required_redirect(client_id: &str, app_name: &str) -> Self {
        let mut e = Self::consent_required(client_id, app_name);
        e.error = "consent_required";
        e
    }

    pub fn invalid_username_or_password() -> Self {
        Self::new(
            400,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        )
    }

    /// Shown on Entra's own error page, never sent to an unregistered redirect URI.
    pub fn reply_url_mismatch(redirect_uri: &str, client_id: &str) -> Self {
        Self::new(
            400,
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        )
    }

    pub fn unsupported_response_type() -> Self {
        // UNCONFIRMED code; the `error` value is v2-oauth2-auth-code-flow.md's.
        Self::new(
            400,
            "unsupported_response_type",
            700054,
            "response_type 'id_token' is not enabled for the application.",
        )
    }

    pub fn code_challenge_size() -> Self {
        Self::new(
            400,
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        )
    }

    pub fn code_challenge_method(method: &str) -> Self {
        // UNCONFIRMED code/text; Entra supports only `plain` and `S256` (auth code flow doc).
        Self::new(
            400,
            "invalid_request",
            50147,
            format!("The code_challenge_method '{method}' is not supported."),
        )
    }

    pub fn auth_code_malformed() -> Self {
        // UNCONFIRMED: the code Entra gives a code it cannot read.
        Self::new(
            400,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    pub fn auth_code_redeemed() -> Self {
        Self::new(
            400,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        )
    }

    pub fn auth_code_expired() -> Self {
        Self::new(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )
    }

    pub fn auth_code_wrong_client() -> Self {
        // UNCONFIRMED code and text.
        Self::new(
            400,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The authorization code was issued to a different client.",
        )
    }

    pub fn auth_code_redirect_mismatch() -> Self {
        // UNCONFIRMED code and text (RFC 6749 §4.1.3 requires the same redirect_uri).
        Self::new(
            400,
            "invalid_grant",
            500112,
            "The reply address does not match the reply address provided when requesting the authorization code.",
        )
    }

    pub fn pkce_verifier_missing() -> Self {
        // Code from the task's list; text UNCONFIRMED.
        Self::new(
            400,
            "invalid_grant",
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        )
    }

    pub fn pkce_mismatch() -> Self {
        Self::new(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    // Faults.

    pub fn temporarily_unavailable(status: u16) -> Self {
        Self::new(
            status,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        )
    }
}
