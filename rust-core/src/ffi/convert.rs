//! Between FFI transport shapes and the operations' own types.

use std::path::PathBuf;
use std::sync::Arc;

use super::error::{Error, ErrorKind};
use super::types::{
    ConditionalAccessState, ConnectRequest, DateCultureSpec, DeviceQuery, DeviceRecord,
    DirectoryObjectRef, EvidenceQuery, ExportRequest, NamedSetting, PolicyChange, PolicyPlan,
    RevokeTarget, SigninEvent, TransferPolicy,
};
use crate::device::{MobileDevice, UtcTimestamp};
use crate::exo::{MobileDeviceQuery, ResultSize};
use crate::export::{
    CsvEncoding, CsvLayout, CsvOptions, DateCulture, DateNames, Newline, RemotingValues,
};
use crate::graph::directory_objects::{DirectoryObject, ObjectKind};
use crate::graph::signins::SignIn;
use crate::ops::conditional_access::{self as ca, CaAssessment, PlanAction};
use crate::ops::evidence::EvidenceSpec;
use crate::ops::export::ExportSpec;
use crate::ops::revoke::RevokeTargetSpec;
use crate::ops::{ConnectMethod, ConnectSpec, FailureKind, OpError};
use crate::secret::secret;

impl From<OpError> for Error {
    fn from(e: OpError) -> Error {
        let kind = match e.kind {
            FailureKind::InvalidArgument => ErrorKind::InvalidArgument,
            FailureKind::Authentication => ErrorKind::Authentication,
            FailureKind::PermissionDenied => ErrorKind::PermissionDenied,
            FailureKind::NotFound => ErrorKind::NotFound,
            FailureKind::Throttled => ErrorKind::Throttled,
            FailureKind::Connection => ErrorKind::Connection,
            FailureKind::Protocol => ErrorKind::Protocol,
            FailureKind::Io => ErrorKind::Io,
            FailureKind::AlreadyExists => ErrorKind::AlreadyExists,
            FailureKind::Cancelled => ErrorKind::Cancelled,
            FailureKind::Internal => ErrorKind::Internal,
        };
        let (client_request_id, request_id) = e.call_id_texts();
        Error::new(kind, e.message, e.code, e.target).with_call_ids(client_request_id, request_id)
    }
}

fn required(value: Option<String>, parameter: &str, method: &str) -> Result<String, OpError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(
            OpError::invalid(format!("{method} sign-in needs {parameter}"))
                .with_target(parameter.to_owned()),
        ),
    }
}

/// `show` puts text before the admin (false once it no longer can): the device code message,
/// or the authorize URL of an interactive sign-in (C# opens the browser with it).
pub fn connect_spec(
    r: ConnectRequest,
    show: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    sign: crate::auth::SignFn,
) -> Result<ConnectSpec, OpError> {
    let prompt_show = Arc::clone(&show);
    let prompt = Arc::new(move |p: &crate::auth::DeviceCodePrompt| {
        prompt_show(&p.message);
    });
    let method = match r.method.as_str() {
        "ClientSecret" => ConnectMethod::ClientSecret {
            client_id: required(r.client_id, "-AppId", "Client-secret")?,
            secret: secret(required(r.client_secret, "-ClientSecret", "Client-secret")?),
        },
        "CertificateFile" => ConnectMethod::CertificateFile {
            client_id: required(r.client_id, "-AppId", "Certificate")?,
            path: PathBuf::from(required(
                r.certificate_path,
                "-CertificateFilePath",
                "Certificate",
            )?),
            password: secret(r.certificate_password.unwrap_or_default()),
        },
        "CertificateSigner" => ConnectMethod::CertificateWithSigner {
            client_id: required(r.client_id, "-AppId", "Certificate")?,
            certificate_pem: required(r.certificate_pem, "-Certificate", "Certificate")?,
            sign,
        },
        "ManagedIdentity" => ConnectMethod::ManagedIdentity {
            client_id: r.managed_identity_client_id,
            endpoint: match (r.identity_endpoint, r.identity_header) {
                (Some(url), Some(header)) if !url.is_empty() => Some((url, secret(header))),
                _ => None,
            },
        },
        "DeviceCode" => ConnectMethod::DeviceCode {
            client_id: required(r.client_id, "-AppId", "Device-code")?,
            prompt,
            market: None,
        },
        "Interactive" => ConnectMethod::Interactive {
            client_id: required(r.client_id, "-AppId", "Interactive")?,
            open_browser: show,
            login_hint: r.user_principal_name.clone(),
            timeout: r
                .interactive_timeout_seconds
                .filter(|s| *s > 0)
                .map(|s| std::time::Duration::from_secs(u64::from(s)))
                .unwrap_or(crate::auth::INTERACTIVE_TIMEOUT),
            pages: {
                let default = crate::auth::LoopbackPages::default();
                crate::auth::LoopbackPages {
                    success: r.interactive_success_page.unwrap_or(default.success),
                    failure: r.interactive_failure_page.unwrap_or(default.failure),
                }
            },
        },
        "AccessToken" => ConnectMethod::AccessToken {
            exchange: r.exchange_access_token.map(secret),
            graph: r.graph_access_token.map(secret),
        },
        other => {
            return Err(OpError::invalid(format!(
                "'{other}' is not a sign-in method"
            )));
        }
    };
    Ok(ConnectSpec {
        tenant: r.tenant,
        environment: r.environment,
        authority_uri: r.authority_uri,
        exchange_uri: r.exchange_uri,
        graph_uri: r.graph_uri,
        trusted_root_pem: r.trusted_root_pem,
        allow_http_loopback: r.allow_http_loopback,
        allow_custom_endpoint: r.allow_custom_endpoint,
        proxy_uri: r.proxy_uri,
        proxy_username: r.proxy_username,
        proxy_password: r.proxy_password.map(secret),
        legacy_assertion: r.legacy_assertion,
        user_principal_name: r.user_principal_name,
        method,
    })
}

pub fn device_query(q: DeviceQuery) -> MobileDeviceQuery {
    MobileDeviceQuery {
        device_model: q.device_model,
        mailbox: q.mailbox,
        result_size: q
            .result_size
            .map_or(ResultSize::Unlimited, ResultSize::Limit),
    }
}

fn names<const N: usize>(given: Vec<String>, default: [String; N]) -> [String; N] {
    given.try_into().unwrap_or(default)
}

fn date_culture(spec: DateCultureSpec) -> DateCulture {
    let defaults = DateNames::default();
    DateCulture {
        short_date_pattern: spec.short_date_pattern,
        long_time_pattern: spec.long_time_pattern,
        am_designator: spec.am_designator,
        pm_designator: spec.pm_designator,
        date_separator: spec.date_separator,
        time_separator: spec.time_separator,
        names: DateNames {
            month_names: names(spec.month_names, defaults.month_names),
            abbreviated_month_names: names(
                spec.abbreviated_month_names,
                defaults.abbreviated_month_names,
            ),
            day_names: names(spec.day_names, defaults.day_names),
            abbreviated_day_names: names(
                spec.abbreviated_day_names,
                defaults.abbreviated_day_names,
            ),
        },
    }
}

pub fn export_spec(r: ExportRequest) -> Result<ExportSpec, OpError> {
    let encoding = match r
        .encoding
        .to_ascii_lowercase()
        .replace(['-', '_'], "")
        .as_str()
    {
        "" | "utf8bom" => CsvEncoding::Utf8Bom,
        "utf8" | "utf8nobom" => CsvEncoding::Utf8NoBom,
        "unicode" | "utf16" | "utf16le" => CsvEncoding::Utf16LeBom,
        "shiftjis" | "sjis" | "cp932" => CsvEncoding::ShiftJis,
        _ => {
            return Err(OpError::invalid(format!(
                "'{}' is not a supported encoding; use utf8BOM, utf8NoBOM, unicode or shift_jis",
                r.encoding
            ))
            .with_target(r.encoding));
        }
    };
    let newline = match r.newline.to_ascii_uppercase().as_str() {
        "" => Newline::Platform,
        "CRLF" => Newline::CrLf,
        "LF" => Newline::Lf,
        other => {
            return Err(OpError::invalid(format!(
                "'{other}' is not a line ending; use CRLF or LF"
            )));
        }
    };
    if r.path.trim().is_empty() {
        return Err(OpError::invalid("-Path is empty"));
    }
    let layout = CsvLayout::parse(&r.layout).ok_or_else(|| {
        OpError::invalid(format!(
            "'{}' is not a CSV layout; use RemotePowerShell or ExchangeOnlineManagement",
            r.layout
        ))
        .with_target(r.layout.clone())
    })?;
    let mut date_culture = r.date_culture.map(date_culture).unwrap_or_default();
    if encoding == CsvEncoding::ShiftJis {
        date_culture = plain_spaces(date_culture);
    }
    let evidence = if r.include_signin_evidence {
        Some(EvidenceSpec {
            since: ticks(r.evidence_since_ticks, "-EvidenceSince")?,
            ..EvidenceSpec::default()
        })
    } else {
        None
    };
    Ok(ExportSpec {
        evidence,
        path: PathBuf::from(r.path),
        overwrite: r.overwrite,
        create_directory: r.create_directory,
        options: CsvOptions {
            encoding,
            newline,
            neutralise_formulas: r.neutralise_formulas,
            date_culture,
            layout,
            remoting: RemotingValues::default(),
            extra_columns: Vec::new(),
        },
        query: device_query(r.query),
    })
}

/// ICU cultures put a narrow no-break space before AM/PM (en-US "h:mm:ss\u{202F}tt"), which
/// code page 932 cannot encode: Shift_JIS dates use a plain space there (values are untouched).
fn plain_spaces(mut culture: DateCulture) -> DateCulture {
    for text in [
        &mut culture.short_date_pattern,
        &mut culture.long_time_pattern,
        &mut culture.am_designator,
        &mut culture.pm_designator,
        &mut culture.date_separator,
        &mut culture.time_separator,
    ] {
        *text = text.replace(['\u{202F}', '\u{00A0}'], " ");
    }
    culture
}

/// .NET ticks (UTC) from C#; out of range is refused naming the parameter.
pub(super) fn ticks(value: Option<i64>, parameter: &str) -> Result<Option<UtcTimestamp>, OpError> {
    match value {
        None => Ok(None),
        Some(t) => UtcTimestamp::from_ticks(t).map(Some).ok_or_else(|| {
            OpError::invalid(format!("{parameter} is not a date between 0001 and 9999"))
                .with_target(parameter.to_owned())
        }),
    }
}

pub fn evidence_spec(q: EvidenceQuery) -> Result<EvidenceSpec, OpError> {
    Ok(EvidenceSpec {
        since: ticks(q.since_ticks, "-Since")?,
        until: ticks(q.until_ticks, "-Until")?,
        user: q.user,
        interactive_only: q.interactive_only,
        page_size: None,
    })
}

pub fn directory_ref(o: DirectoryObject) -> DirectoryObjectRef {
    DirectoryObjectRef {
        id: o.id,
        display_name: o.display_name,
        kind: o.kind.as_str().to_owned(),
    }
}

fn directory_refs(objects: Vec<DirectoryObject>) -> Vec<DirectoryObjectRef> {
    objects.into_iter().map(directory_ref).collect()
}

fn directory_object(r: DirectoryObjectRef, kind: ObjectKind) -> DirectoryObject {
    DirectoryObject {
        id: r.id,
        display_name: r.display_name,
        kind,
    }
}

pub fn conditional_access_state(a: CaAssessment) -> ConditionalAccessState {
    ConditionalAccessState {
        state: a.layer.as_str().to_owned(),
        reason: a.reason,
        code: a.code,
        policies: a
            .policies
            .into_iter()
            .map(|p| TransferPolicy {
                id: p.id,
                display_name: p.display_name,
                state: p.state,
                all_users: p.all_users,
                all_applications: p.all_applications,
                all_client_app_types: p.all_client_app_types,
                excluded_users: directory_refs(p.excluded_users),
                excluded_groups: directory_refs(p.excluded_groups),
                excluded_roles: directory_refs(p.excluded_roles),
                created_by_module: p.created_by_module,
            })
            .collect(),
    }
}

pub fn policy_plan(p: ca::PolicyPlan) -> PolicyPlan {
    PolicyPlan {
        action: p.action.as_str().to_owned(),
        method: p.method,
        path: p.path,
        policy_id: p.policy_id,
        display_name: p.display_name,
        current_state: p.current_state,
        target_state: p.target_state,
        body: p.body,
        reason: p.reason,
        excluded_users: directory_refs(p.excluded_users),
        excluded_groups: directory_refs(p.excluded_groups),
    }
}

/// A plan back from C#; an unknown action is refused (the ops layer checks the rest).
pub fn plan_from_wire(p: PolicyPlan) -> Result<ca::PolicyPlan, OpError> {
    let action = PlanAction::parse(&p.action).ok_or_else(|| {
        OpError::invalid(format!(
            "'{}' is not a plan action; use Create, Update, Delete or None",
            p.action
        ))
        .with_code("PlanRefused")
        .with_target(p.action.clone())
    })?;
    Ok(ca::PolicyPlan {
        action,
        method: p.method,
        path: p.path,
        policy_id: p.policy_id,
        display_name: p.display_name,
        current_state: p.current_state,
        target_state: p.target_state,
        body: p.body,
        reason: p.reason,
        excluded_users: p
            .excluded_users
            .into_iter()
            .map(|r| directory_object(r, ObjectKind::User))
            .collect(),
        excluded_groups: p
            .excluded_groups
            .into_iter()
            .map(|r| directory_object(r, ObjectKind::Group))
            .collect(),
    })
}

pub fn policy_change(c: ca::PolicyChange) -> PolicyChange {
    PolicyChange {
        action: c.action.as_str().to_owned(),
        changed: c.changed,
        policy_id: c.policy_id,
        display_name: c.display_name,
        state: c.state,
        excluded_users: directory_refs(c.excluded_users),
        excluded_groups: directory_refs(c.excluded_groups),
        warnings: c.warnings,
    }
}

pub fn signin_event(e: SignIn) -> SigninEvent {
    let result = if e.succeeded() { "Success" } else { "Failure" };
    SigninEvent {
        created_ticks: e.created.ticks(),
        error_code: i32::try_from(e.error_code).unwrap_or(i32::MAX),
        result: result.to_owned(),
        id: e.id,
        user_principal_name: e.user_principal_name,
        user_id: e.user_id,
        user_display_name: e.user_display_name,
        app_display_name: e.app_display_name,
        app_id: e.app_id,
        client_app_used: e.client_app_used,
        event_type: e.event_type,
        device_name: e.device_name,
        operating_system: e.operating_system,
        browser: e.browser,
        device_id: e.device_id,
        ip_address: e.ip_address,
        city: e.city,
        state: e.state,
        country: e.country,
        failure_reason: e.failure_reason,
        conditional_access_status: e.conditional_access_status,
        transfer_method: e.transfer_method,
        correlation_id: e.correlation_id,
    }
}

pub fn revoke_targets(targets: Vec<RevokeTarget>) -> Vec<RevokeTargetSpec> {
    targets
        .into_iter()
        .map(|t| RevokeTargetSpec {
            input: t.requested,
            // A blank user stays a (blank, so Invalid) user: only a target with no user at all
            // is a device, resolved through its mailbox or reported NotFound.
            user: t.user,
            mailbox_distinguished_name: t.mailbox_distinguished_name,
        })
        .collect()
}

pub fn setting(name: String, value: &serde_json::Value) -> NamedSetting {
    use serde_json::Value;
    match value {
        Value::Null => NamedSetting {
            name,
            kind: 0,
            flag: false,
            text: String::new(),
        },
        Value::Bool(b) => NamedSetting {
            name,
            kind: 1,
            flag: *b,
            text: String::new(),
        },
        Value::Number(n) => NamedSetting {
            name,
            kind: 3,
            flag: false,
            text: n.to_string(),
        },
        Value::String(s) => NamedSetting {
            name,
            kind: 2,
            flag: false,
            text: s.clone(),
        },
        other => NamedSetting {
            name,
            kind: 2,
            flag: false,
            text: other.to_string(),
        },
    }
}

pub fn device_record(d: MobileDevice) -> DeviceRecord {
    let ticks = |t: Option<crate::device::UtcTimestamp>| t.map(|t| t.ticks());
    let user_display_name_new = d.user_display_name_new().to_owned();
    let mailbox_distinguished_name = d.mailbox_distinguished_name().map(str::to_owned);
    DeviceRecord {
        friendly_name: d.friendly_name,
        device_id: d.device_id,
        device_imei: d.device_imei,
        device_mobile_operator: d.device_mobile_operator,
        device_os: d.device_os,
        device_os_language: d.device_os_language,
        device_telephone_number: d.device_telephone_number,
        device_type: d.device_type,
        device_user_agent: d.device_user_agent,
        device_model: d.device_model,
        first_sync_time: ticks(d.first_sync_time),
        user_display_name: d.user_display_name,
        device_access_state: d.device_access_state,
        device_access_state_reason: d.device_access_state_reason,
        device_access_control_rule: d.device_access_control_rule,
        client_version: d.client_version,
        client_type: d.client_type,
        is_managed: d.is_managed,
        is_compliant: d.is_compliant,
        is_disabled: d.is_disabled,
        admin_display_name: d.admin_display_name,
        exchange_version: d.exchange_version,
        directory_object_version: d.directory_object_version,
        name: d.name,
        distinguished_name: d.distinguished_name,
        identity: d.identity,
        guid: d.guid,
        object_category: d.object_category,
        object_class: d.object_class,
        when_changed: ticks(d.when_changed),
        when_created: ticks(d.when_created),
        when_changed_utc: ticks(d.when_changed_utc),
        when_created_utc: ticks(d.when_created_utc),
        exchange_object_id: d.exchange_object_id,
        organizational_unit_root: d.organizational_unit_root,
        organization_id: d.organization_id,
        id: d.id,
        originating_server: d.originating_server,
        is_valid: d.is_valid,
        object_state: d.object_state,
        user_display_name_new,
        mailbox_distinguished_name,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(encoding: &str) -> ExportRequest {
        ExportRequest {
            path: "devices.csv".into(),
            overwrite: false,
            create_directory: false,
            encoding: encoding.into(),
            neutralise_formulas: true,
            newline: String::new(),
            date_culture: Some(DateCultureSpec {
                short_date_pattern: "M/d/yyyy".into(),
                long_time_pattern: "h:mm:ss\u{202F}tt".into(),
                am_designator: "AM".into(),
                pm_designator: "PM".into(),
                date_separator: "/".into(),
                time_separator: ":".into(),
                abbreviated_month_names: Vec::new(),
                month_names: Vec::new(),
                abbreviated_day_names: Vec::new(),
                day_names: Vec::new(),
            }),
            query: DeviceQuery {
                device_model: None,
                mailbox: None,
                result_size: None,
            },
            layout: String::new(),
            include_signin_evidence: false,
            evidence_since_ticks: None,
        }
    }

    #[test]
    fn layout_defaults_to_the_procedures_and_refuses_unknown_names() {
        let spec = export_spec(request("utf8BOM")).unwrap();
        assert_eq!(spec.options.layout, CsvLayout::RemotePowerShell);
        let mut r = request("utf8BOM");
        r.layout = "exchangeOnlineManagement".into();
        assert_eq!(
            export_spec(r).unwrap().options.layout,
            CsvLayout::ExchangeOnlineManagement
        );
        let mut r = request("utf8BOM");
        r.layout = "Rest".into();
        let err = export_spec(r).err().unwrap();
        assert_eq!(err.kind, FailureKind::InvalidArgument);
        assert!(err.message.contains("'Rest'"));
    }

    #[test]
    fn shift_jis_dates_use_a_plain_space_and_other_encodings_keep_the_culture() {
        assert_eq!(
            export_spec(request("shift_jis"))
                .unwrap()
                .options
                .date_culture
                .long_time_pattern,
            "h:mm:ss tt"
        );
        assert_eq!(
            export_spec(request("utf8BOM"))
                .unwrap()
                .options
                .date_culture
                .long_time_pattern,
            "h:mm:ss\u{202F}tt"
        );
    }

    #[test]
    fn unknown_encodings_and_line_endings_are_refused_with_the_value() {
        let err = export_spec(request("latin1")).err().unwrap();
        assert_eq!(err.kind, FailureKind::InvalidArgument);
        assert!(err.message.contains("latin1"));
        let mut r = request("utf8BOM");
        r.newline = "CR".into();
        assert!(export_spec(r).err().unwrap().message.contains("CR"));
    }

    fn interactive_request(client_id: Option<&str>, timeout: Option<u32>) -> ConnectRequest {
        ConnectRequest {
            tenant: "contoso.onmicrosoft.com".into(),
            environment: "Global".into(),
            authority_uri: None,
            exchange_uri: None,
            graph_uri: None,
            trusted_root_pem: None,
            allow_http_loopback: false,
            proxy_uri: None,
            proxy_username: None,
            proxy_password: None,
            method: "Interactive".into(),
            client_id: client_id.map(str::to_owned),
            client_secret: None,
            certificate_path: None,
            certificate_password: None,
            certificate_pem: None,
            legacy_assertion: false,
            managed_identity_client_id: None,
            identity_endpoint: None,
            identity_header: None,
            exchange_access_token: None,
            graph_access_token: None,
            user_principal_name: Some("admin@contoso.com".into()),
            allow_custom_endpoint: false,
            interactive_timeout_seconds: timeout,
            interactive_success_page: Some("サインインが完了しました。".into()),
            interactive_failure_page: None,
        }
    }

    #[test]
    fn interactive_needs_an_app_and_takes_the_hint_timeout_and_page_texts() {
        let show: Arc<dyn Fn(&str) -> bool + Send + Sync> = Arc::new(|_| true);
        let sign: crate::auth::SignFn = Arc::new(|_, _| Err(crate::auth::SignerError("x".into())));
        let e = connect_spec(interactive_request(None, None), show.clone(), sign.clone())
            .err()
            .unwrap();
        assert_eq!(e.target, "-AppId");
        let spec = connect_spec(
            interactive_request(Some("11111111-2222-3333-4444-555555555555"), Some(42)),
            show.clone(),
            sign.clone(),
        )
        .unwrap();
        let ConnectMethod::Interactive {
            client_id,
            login_hint,
            timeout,
            pages,
            ..
        } = spec.method
        else {
            panic!("not interactive");
        };
        assert_eq!(client_id, "11111111-2222-3333-4444-555555555555");
        assert_eq!(login_hint.as_deref(), Some("admin@contoso.com"));
        assert_eq!(timeout, std::time::Duration::from_secs(42));
        assert_eq!(pages.success, "サインインが完了しました。");
        assert!(pages.failure.contains("Sign-in failed"));
        // No timeout (or 0) is the default.
        let spec = connect_spec(
            interactive_request(Some("11111111-2222-3333-4444-555555555555"), Some(0)),
            show,
            sign,
        )
        .unwrap();
        let ConnectMethod::Interactive { timeout, .. } = spec.method else {
            panic!("not interactive");
        };
        assert_eq!(timeout, crate::auth::INTERACTIVE_TIMEOUT);
    }
}
