//! Authentication failures, each saying what the admin should do.

use crate::cloud::Resource;
use crate::http::HttpError;

use super::EntraError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "Entra ID rejected the client secret of app {client_id} in tenant '{tenant}' ({detail}). Use the secret's Value (not its Secret ID) from that app registration's 'Certificates & secrets' page."
    )]
    InvalidClientSecret {
        client_id: String,
        tenant: String,
        detail: String,
    },

    #[error(
        "the client secret of app {client_id} has expired; create a new one in the app registration and use its Value"
    )]
    ClientSecretExpired { client_id: String },

    #[error(
        "the certificate {thumbprint} is not registered on app {client_id} in tenant '{tenant}' ({detail}); upload its public part (.cer) under the app registration's 'Certificates & secrets'"
    )]
    CertificateNotRegistered {
        client_id: String,
        tenant: String,
        thumbprint: String,
        detail: String,
    },

    #[error(
        "the certificate {thumbprint} for app {client_id} has expired{}; create a new one and register it on the app", not_after.as_ref().map(|d| format!(" (valid until {d})")).unwrap_or_default()
    )]
    CertificateExpired {
        client_id: String,
        thumbprint: String,
        not_after: Option<String>,
    },

    #[error(
        "Entra ID says the client assertion is outside its valid time range ({detail}). This computer's clock reads {local_utc} UTC; correct it (time sync / NTP) and try again."
    )]
    AssertionClockSkew { local_utc: String, detail: String },

    #[error(
        "tenant '{tenant}' was not found in this cloud ({detail}); check the tenant ID or domain and the -Environment"
    )]
    UnknownTenant { tenant: String, detail: String },

    #[error(
        "app {client_id} does not exist in tenant '{tenant}' ({detail}); check the application (client) ID and that the app was consented in this tenant"
    )]
    AppNotInTenant {
        client_id: String,
        tenant: String,
        detail: String,
    },

    #[error("Entra ID refused the token request for app {client_id}: {entra}")]
    Entra {
        client_id: String,
        entra: Box<EntraError>,
    },

    #[error("the device code sign-in was declined")]
    DeviceCodeDeclined,

    #[error("the device code expired before the sign-in was completed; run the command again")]
    DeviceCodeExpired,

    #[error("Entra ID did not recognise the device code ({0})")]
    DeviceCodeRejected(String),

    #[error(
        "the sign-in was cancelled in the browser ({detail}); run Connect-OutlookQrGuard again and complete the sign-in"
    )]
    SignInCancelled { detail: String },

    #[error(
        "app {client_id} has not been granted the permissions this module needs ({detail}); an administrator must grant admin consent for it (Entra admin center > App registrations > API permissions > Grant admin consent)"
    )]
    ConsentRequired { client_id: String, detail: String },

    #[error(
        "Conditional Access blocked this sign-in ({detail}); check the sign-in log entry for the policy that applied, or sign in from a device or location the policy allows"
    )]
    ConditionalAccessBlocked { detail: String },

    #[error(
        "the account used in the browser does not belong to tenant '{tenant}' ({detail}); sign in with an account of that tenant, or pass the account's own tenant to -TenantId"
    )]
    WrongTenant { tenant: String, detail: String },

    #[error("the browser sign-in failed: {detail}")]
    InteractiveRefused { detail: String },

    #[error(
        "no sign-in was completed in the browser within {seconds} seconds (if the browser shows an Entra ID error such as AADSTS53003, that is the reason); run Connect-OutlookQrGuard again (-TimeoutSeconds gives more time)"
    )]
    InteractiveTimeout { seconds: u64 },

    #[error(
        "the browser's answer did not carry the state value this sign-in sent, so it was refused (it may come from another sign-in or another program); run Connect-OutlookQrGuard again"
    )]
    InteractiveStateMismatch,

    #[error(
        "the browser's answer carried the authorization code in the URL instead of posting it (response_mode=form_post), so it was refused"
    )]
    InteractiveCodeInUrl,

    #[error("could not listen on localhost for the browser's answer: {0}")]
    LoopbackUnavailable(String),

    #[error("the sign-in is no longer valid ({0}); sign in again")]
    SignInRequired(String),

    #[error(
        "the access token supplied for {resource} has expired or was rejected, and a supplied token cannot be refreshed; pass a new token"
    )]
    SuppliedTokenExpired { resource: Resource },

    #[error("no access token was supplied for {resource}")]
    NoTokenForResource { resource: Resource },

    #[error(
        "managed identity is not available here: {0} (it needs an Azure Automation account or App Service with an identity)"
    )]
    ManagedIdentityUnavailable(String),

    #[error("the managed identity endpoint answered HTTP {status}: {message}{hint}")]
    ManagedIdentity {
        status: u16,
        message: String,
        hint: String,
    },

    #[error("the certificate could not be used: {0}")]
    Certificate(String),

    #[error("the external signer failed: {0}")]
    Signer(String),

    #[error("the token endpoint sent an unexpected answer: {0}")]
    Protocol(String),

    #[error("the operation was cancelled")]
    Cancelled,

    #[error(transparent)]
    Http(#[from] HttpError),
}

/// Who was asking, to name the app and tenant in errors.
#[derive(Debug, Clone)]
pub(crate) struct ClientContext {
    pub tenant: String,
    pub client_id: String,
    pub thumbprint: Option<String>,
}

/// Maps an Entra error to the variant that tells the admin what to do.
pub(crate) fn classify_entra(e: EntraError, ctx: &ClientContext) -> AuthError {
    let detail = match e.aadsts {
        Some(c) => format!("AADSTS{c}"),
        None => e.error.clone(),
    };
    let code = e.aadsts.unwrap_or(0);
    let thumbprint = || ctx.thumbprint.clone().unwrap_or_else(|| "(unknown)".into());
    match (e.error.as_str(), code) {
        (_, 7000215) | (_, 7000216) => AuthError::InvalidClientSecret {
            client_id: ctx.client_id.clone(),
            tenant: ctx.tenant.clone(),
            detail,
        },
        (_, 7000222) => AuthError::ClientSecretExpired {
            client_id: ctx.client_id.clone(),
        },
        (_, 700027) if e.description.to_ascii_lowercase().contains("expired") => {
            AuthError::CertificateExpired {
                client_id: ctx.client_id.clone(),
                thumbprint: thumbprint(),
                not_after: None,
            }
        }
        (_, 700027) => AuthError::CertificateNotRegistered {
            client_id: ctx.client_id.clone(),
            tenant: ctx.tenant.clone(),
            thumbprint: thumbprint(),
            detail,
        },
        (_, 700024) => AuthError::AssertionClockSkew {
            local_utc: now_utc_text(),
            detail,
        },
        (_, 90002) | ("invalid_tenant", _) => AuthError::UnknownTenant {
            tenant: ctx.tenant.clone(),
            detail,
        },
        (_, 700016) => AuthError::AppNotInTenant {
            client_id: ctx.client_id.clone(),
            tenant: ctx.tenant.clone(),
            detail,
        },
        ("invalid_grant", _) => AuthError::SignInRequired(e.to_string()),
        _ => AuthError::Entra {
            client_id: ctx.client_id.clone(),
            entra: Box::new(e),
        },
    }
}

pub(crate) fn now_utc_text() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ctx() -> ClientContext {
        ClientContext {
            tenant: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            thumbprint: Some("ABCD".into()),
        }
    }

    fn entra(status: u16, body: &str) -> EntraError {
        EntraError::parse(status, body.as_bytes()).unwrap()
    }

    #[test]
    fn wrong_secret_names_the_app_and_what_to_do() {
        let e = classify_entra(
            entra(
                401,
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
            ),
            &ctx(),
        );
        let text = e.to_string();
        assert!(matches!(e, AuthError::InvalidClientSecret { .. }));
        assert!(
            text.contains("11111111-2222-3333-4444-555555555555"),
            "{text}"
        );
        assert!(text.contains("Value"), "{text}");
    }

    #[test]
    fn certificate_cases() {
        let expired = classify_entra(
            entra(
                401,
                r#"{"error":"invalid_client","error_description":"AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: 'X']","error_codes":[700027]}"#,
            ),
            &ctx(),
        );
        assert!(
            matches!(expired, AuthError::CertificateExpired { .. }),
            "{expired}"
        );
        let unknown = classify_entra(
            entra(
                401,
                r#"{"error":"invalid_client","error_description":"AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.]","error_codes":[700027]}"#,
            ),
            &ctx(),
        );
        assert!(matches!(
            unknown,
            AuthError::CertificateNotRegistered { .. }
        ));
        assert!(unknown.to_string().contains("ABCD"));
    }

    #[test]
    fn clock_skew_reports_local_utc_time() {
        let e = classify_entra(
            entra(
                400,
                r#"{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time range.","error_codes":[700024]}"#,
            ),
            &ctx(),
        );
        let AuthError::AssertionClockSkew { local_utc, .. } = &e else {
            panic!("{e}")
        };
        let year = time::OffsetDateTime::now_utc().year().to_string();
        assert!(local_utc.starts_with(&year), "{local_utc}");
        assert!(e.to_string().contains("UTC"));
    }

    #[test]
    fn tenant_and_app_cases() {
        for body in [
            r#"{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found.","error_codes":[90002]}"#,
            r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}"#,
        ] {
            assert!(matches!(
                classify_entra(entra(400, body), &ctx()),
                AuthError::UnknownTenant { .. }
            ));
        }
        assert!(matches!(
            classify_entra(
                entra(
                    400,
                    r#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.","error_codes":[700016]}"#
                ),
                &ctx()
            ),
            AuthError::AppNotInTenant { .. }
        ));
        assert!(matches!(
            classify_entra(
                entra(
                    400,
                    r#"{"error":"invalid_grant","error_description":"AADSTS50173: revoked","error_codes":[50173]}"#
                ),
                &ctx()
            ),
            AuthError::SignInRequired(_)
        ));
        let other = classify_entra(
            entra(
                400,
                r#"{"error":"invalid_scope","error_description":"AADSTS70011: bad scope","error_codes":[70011]}"#,
            ),
            &ctx(),
        );
        assert!(other.to_string().contains("AADSTS70011"));
    }
}
