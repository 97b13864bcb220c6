//! Data that crosses the FFI boundary as `Wire<T>` (interoptopus' binary serialisation).
//!
//! These are transport shapes only: field for field what the cmdlets show or pass in. Optional
//! inputs are `Option` (C# `null`); secrets travel once, at connect time, and are wrapped in
//! redacting types as soon as they reach Rust.

use interoptopus::ffi;

/// Version and build facts of the native library.
#[ffi]
pub struct BuildInfo {
    pub version: String,
    pub target: String,
    pub profile: String,
    /// Get-MobileDevice's properties in service order (the CSV columns before UserDisplayNameNew).
    pub device_properties: Vec<String>,
}

/// How to sign in, and to which tenant and cloud. Built by `Connect-OutlookQrGuard`.
#[ffi]
pub struct ConnectRequest {
    /// Tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com.
    pub tenant: String,
    /// Global, USGovGCCHigh, USGovDoD or China.
    pub environment: String,
    /// Endpoint overrides (emulator, proxies that rewrite hosts); `None` = the cloud's default.
    pub authority_uri: Option<String>,
    pub exchange_uri: Option<String>,
    pub graph_uri: Option<String>,
    /// Extra trusted root certificates (PEM), e.g. a TLS-inspecting proxy's or the emulator's CA.
    pub trusted_root_pem: Option<String>,
    /// Plain HTTP to a loopback address (the emulator's --http mode); never to anything else.
    pub allow_http_loopback: bool,
    /// Explicit proxy URI; `None` = the system proxy settings. Credentials in its user-info
    /// part are taken out of it before it is shown anywhere.
    pub proxy_uri: Option<String>,
    /// `-ProxyCredential` (Basic); wins over credentials in the URI.
    pub proxy_username: Option<String>,
    pub proxy_password: Option<String>,
    /// ClientSecret, CertificateFile, CertificateSigner, ManagedIdentity, DeviceCode, Interactive,
    /// AccessToken. Interactive opens the sign-in page through the connect call's prompt
    /// callback, which receives the authorize URL.
    pub method: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub certificate_path: Option<String>,
    pub certificate_password: Option<String>,
    /// CertificateSigner: the public certificate only; its key stays in C# and signs through
    /// the connect call's signer callback (no private key crosses the boundary).
    pub certificate_pem: Option<String>,
    /// Sign the client assertion RS256 + x5t (legacy) instead of PS256 + x5t#S256.
    pub legacy_assertion: bool,
    pub managed_identity_client_id: Option<String>,
    /// IDENTITY_ENDPOINT / IDENTITY_HEADER as the host process sees them (.NET's environment
    /// is not the C runtime's on every platform, so C# reads and passes them).
    pub identity_endpoint: Option<String>,
    pub identity_header: Option<String>,
    pub exchange_access_token: Option<String>,
    pub graph_access_token: Option<String>,
    /// The signed-in admin for delegated sessions (Exchange's anchor mailbox).
    pub user_principal_name: Option<String>,
    /// `-AllowCustomEndpoint`: endpoint overrides may name hosts outside the cloud and
    /// loopback (Connect warns naming them); another cloud's hosts stay refused.
    pub allow_custom_endpoint: bool,
    /// Interactive: how long to wait for the browser sign-in (`None` = 300 s).
    pub interactive_timeout_seconds: Option<u32>,
    /// Interactive: the texts the browser is shown at the end (the admin's language), `None` =
    /// English.
    pub interactive_success_page: Option<String>,
    pub interactive_failure_page: Option<String>,
}

/// A connected session, as `Connect-OutlookQrGuard` returns it.
#[ffi]
pub struct SessionInfo {
    pub session_id: u64,
    pub tenant: String,
    pub organization: String,
    pub environment: String,
    pub method: String,
    pub client_id: String,
    pub user_principal_name: String,
    /// `-ExchangeUri host, …`: overrides only -AllowCustomEndpoint let through ("" = none);
    /// the cmdlet warns naming them.
    pub custom_endpoints: String,
}

/// One organization setting, with its value as the text PowerShell would show.
#[ffi]
pub struct NamedSetting {
    pub name: String,
    /// 0 = null, 1 = boolean (`flag`), 2 = text (`text`), 3 = number (`text` holds it).
    pub kind: u8,
    pub flag: bool,
    pub text: String,
}

/// The state of the QR / "Get Outlook mobile" prompt.
#[ffi]
pub struct SigninCheck {
    pub organization: String,
    /// `MobileAppEducationEnabled`; `None` when the tenant did not report it.
    pub prompt_enabled: Option<bool>,
    /// Every MobileApp* / OutlookMobile* setting, in service order.
    pub settings: Vec<NamedSetting>,
    /// Both layers: Exposed / PromptHidden / ReportOnly / BlockedWithExclusions / Blocked / Unknown.
    pub verdict: String,
    pub reason: String,
    pub warnings: Vec<String>,
    /// The Entra ID half: is authentication transfer blocked by Conditional Access?
    pub conditional_access: ConditionalAccessState,
    /// What Test-OutlookQrSignin -Quiet returns: true when a user can still put a QR sign-in to
    /// use (no enforced block for all users and apps, and the Exchange half does not rule it out).
    pub exposed: bool,
    /// The third, semi-documented layer: AccountTransferEnabled on every OWA mailbox policy.
    /// An additional finding, not part of `verdict` or `exposed`.
    pub owa_account_transfer: super::owa_types::OwaLayerState,
}

/// The Conditional Access half of the check.
#[ffi]
pub struct ConditionalAccessState {
    /// Blocked | BlockedWithExclusions | ReportOnly | NotBlocked | Unknown
    pub state: String,
    /// A sentence; when Unknown: why (permission / licence), what to grant, what still works.
    pub reason: String,
    /// The service's code when Unknown (e.g. Authentication_RequestFromNonPremiumTenantOrB2CTenant).
    pub code: String,
    /// Every policy whose grant blocks and whose transferMethods contains authenticationTransfer.
    pub policies: Vec<TransferPolicy>,
}

/// A Conditional Access policy that blocks authentication transfer.
#[ffi]
pub struct TransferPolicy {
    pub id: String,
    pub display_name: String,
    /// enabled | enabledForReportingButNotEnforced | disabled
    pub state: String,
    pub all_users: bool,
    pub all_applications: bool,
    pub all_client_app_types: bool,
    pub excluded_users: Vec<DirectoryObjectRef>,
    pub excluded_groups: Vec<DirectoryObjectRef>,
    pub excluded_roles: Vec<DirectoryObjectRef>,
    /// The policy Block-OutlookAuthenticationTransfer creates (found by its display name).
    pub created_by_module: bool,
}

/// A user, group or role by object id, named when it could be read.
#[ffi]
pub struct DirectoryObjectRef {
    pub id: String,
    /// "" when it could not be resolved.
    pub display_name: String,
    /// User | Group | Role
    pub kind: String,
}

/// Block-OutlookAuthenticationTransfer's request.
#[ffi]
pub struct BlockRequest {
    /// Create or switch the policy to enabled (default: report-only).
    pub enforce: bool,
    /// UPNs or object ids; given ones replace the policy's user exclusions.
    pub exclude_users: Vec<String>,
    /// Object ids or exact display names; given ones replace the policy's group exclusions.
    pub exclude_groups: Vec<String>,
}

/// What blocking or unblocking would send; `apply_policy_plan` sends exactly this.
#[ffi]
pub struct PolicyPlan {
    /// Create | Update | Delete | None
    pub action: String,
    /// POST | PATCH | DELETE | "" (None)
    pub method: String,
    /// e.g. /v1.0/identity/conditionalAccess/policies/{id}; "" for None.
    pub path: String,
    /// "" for Create.
    pub policy_id: String,
    pub display_name: String,
    /// "" when there is no policy yet.
    pub current_state: String,
    pub target_state: String,
    /// The exact JSON apply will send; "" for Delete and None.
    pub body: String,
    /// Why this action.
    pub reason: String,
    pub excluded_users: Vec<DirectoryObjectRef>,
    pub excluded_groups: Vec<DirectoryObjectRef>,
}

/// What applying a plan did.
#[ffi]
pub struct PolicyChange {
    pub action: String,
    pub changed: bool,
    pub policy_id: String,
    pub display_name: String,
    pub state: String,
    pub excluded_users: Vec<DirectoryObjectRef>,
    pub excluded_groups: Vec<DirectoryObjectRef>,
    pub warnings: Vec<String>,
}

/// Get-OutlookQrSigninEvidence's request. Dates are .NET ticks (UTC).
#[ffi]
pub struct EvidenceQuery {
    /// `None` = 30 days ago.
    pub since_ticks: Option<i64>,
    /// `None` = now.
    pub until_ticks: Option<i64>,
    /// One user's events (UPN or object id).
    pub user: Option<String>,
    pub interactive_only: bool,
}

/// One sign-in event whose session began with authentication transfer.
#[ffi]
pub struct SigninEvent {
    pub id: String,
    pub created_ticks: i64,
    pub user_principal_name: String,
    pub user_id: String,
    pub user_display_name: String,
    pub app_display_name: String,
    pub app_id: String,
    pub client_app_used: String,
    /// interactiveUser | nonInteractiveUser
    pub event_type: String,
    pub device_name: String,
    pub operating_system: String,
    pub browser: String,
    pub device_id: String,
    pub ip_address: String,
    pub city: String,
    pub state: String,
    pub country: String,
    pub error_code: i32,
    /// Success | Failure
    pub result: String,
    pub failure_reason: String,
    pub conditional_access_status: String,
    pub transfer_method: String,
    pub correlation_id: String,
}

/// The next page of an evidence listing; `done` is set on the last one.
#[ffi]
pub struct SigninPage {
    pub events: Vec<SigninEvent>,
    pub warnings: Vec<String>,
    pub logs: Vec<LogLine>,
    pub pages_read: u32,
    /// False once the service refused the transfer-method filter (filtered on this side).
    pub server_side_filter: bool,
    pub done: bool,
}

/// The outcome of turning the prompt on or off.
#[ffi]
pub struct PromptChange {
    pub organization: String,
    pub previous: Option<bool>,
    pub current: bool,
    /// False when the tenant already was in the asked state (nothing was written).
    pub changed: bool,
    pub warnings: Vec<String>,
}

/// Which devices to list.
#[ffi]
pub struct DeviceQuery {
    /// `DeviceModel -eq …`; `None` = every ActiveSync device.
    pub device_model: Option<String>,
    /// One user's devices (UPN, alias or mailbox identity).
    pub mailbox: Option<String>,
    /// `None` = Unlimited.
    pub result_size: Option<u32>,
}

/// One Get-MobileDevice object; dates are .NET ticks (UTC).
#[ffi]
pub struct DeviceRecord {
    pub friendly_name: Option<String>,
    pub device_id: Option<String>,
    pub device_imei: Option<String>,
    pub device_mobile_operator: Option<String>,
    pub device_os: Option<String>,
    pub device_os_language: Option<String>,
    pub device_telephone_number: Option<String>,
    pub device_type: Option<String>,
    pub device_user_agent: Option<String>,
    pub device_model: Option<String>,
    pub first_sync_time: Option<i64>,
    pub user_display_name: Option<String>,
    pub device_access_state: Option<String>,
    pub device_access_state_reason: Option<String>,
    pub device_access_control_rule: Option<String>,
    pub client_version: Option<String>,
    pub client_type: Option<String>,
    pub is_managed: Option<bool>,
    pub is_compliant: Option<bool>,
    pub is_disabled: Option<bool>,
    pub admin_display_name: Option<String>,
    pub exchange_version: Option<String>,
    pub directory_object_version: Option<String>,
    pub name: Option<String>,
    pub distinguished_name: Option<String>,
    pub identity: Option<String>,
    pub guid: Option<String>,
    pub object_category: Option<String>,
    pub object_class: Vec<String>,
    pub when_changed: Option<i64>,
    pub when_created: Option<i64>,
    pub when_changed_utc: Option<i64>,
    pub when_created_utc: Option<i64>,
    pub exchange_object_id: Option<String>,
    pub organizational_unit_root: Option<String>,
    pub organization_id: Option<String>,
    pub id: Option<String>,
    pub originating_server: Option<String>,
    pub is_valid: Option<bool>,
    pub object_state: Option<String>,
    pub user_display_name_new: String,
    /// The owning mailbox's distinguished name (for revocation), when the device DN has one.
    pub mailbox_distinguished_name: Option<String>,
}

/// A log line produced by background work, delivered with the next result.
#[ffi]
pub struct LogLine {
    pub level: u8,
    pub message: String,
}

/// The next page of a device listing; `done` is set on the last one.
#[ffi]
pub struct DevicePage {
    pub devices: Vec<DeviceRecord>,
    pub warnings: Vec<String>,
    pub logs: Vec<LogLine>,
    pub pages_read: u32,
    pub done: bool,
}

/// How PowerShell would print a DateTime under the caller's culture (from CultureInfo).
#[ffi]
pub struct DateCultureSpec {
    pub short_date_pattern: String,
    pub long_time_pattern: String,
    pub am_designator: String,
    pub pm_designator: String,
    pub date_separator: String,
    pub time_separator: String,
    pub abbreviated_month_names: Vec<String>,
    pub month_names: Vec<String>,
    pub abbreviated_day_names: Vec<String>,
    pub day_names: Vec<String>,
}

/// `Export-OutlookMobileDevice`'s request.
#[ffi]
pub struct ExportRequest {
    pub path: String,
    pub overwrite: bool,
    pub create_directory: bool,
    /// utf8BOM (default), utf8NoBOM, unicode (UTF-16LE), shift_jis.
    pub encoding: String,
    pub neutralise_formulas: bool,
    /// "CRLF", "LF" or "" (the platform's, like Export-Csv).
    pub newline: String,
    pub date_culture: Option<DateCultureSpec>,
    pub query: DeviceQuery,
    /// Column layout: "RemotePowerShell" (or "": the procedure's 42 columns) or
    /// "ExchangeOnlineManagement" (the 40 REST properties + UserDisplayNameNew).
    pub layout: String,
    /// Adds TransferSignInCount, TransferFirstSignIn, TransferLastSignIn after the layout's columns.
    pub include_signin_evidence: bool,
    /// Start of the evidence window (.NET ticks, UTC); `None` = 30 days ago.
    pub evidence_since_ticks: Option<i64>,
}

/// What an export wrote.
#[ffi]
pub struct ExportSummary {
    pub path: String,
    pub devices: u64,
    pub users: u64,
    pub pages: u32,
    pub bytes: u64,
    pub encoding: String,
    pub warnings: Vec<String>,
    /// Rows marked with transfer sign-ins (0 without -IncludeSigninEvidence).
    pub devices_with_evidence: u64,
    /// Users with transfer sign-ins in the evidence window (0 without -IncludeSigninEvidence).
    pub users_with_evidence: u64,
}

/// One user to revoke: a UPN or object id, or a device's mailbox (resolved through Exchange).
#[ffi]
pub struct RevokeTarget {
    /// What the caller gave (UPN, object id, or the device's UserDisplayNameNew). Not named
    /// `input`: that name collides with interoptopus' generated Wire reader.
    pub requested: String,
    /// UPN or Entra object id, when known.
    pub user: Option<String>,
    /// The mailbox's distinguished name, for targets that came from a device.
    pub mailbox_distinguished_name: Option<String>,
}

/// Per-user outcome; every input gets exactly one.
#[ffi]
pub struct RevokeOutcome {
    pub requested: String,
    pub user_principal_name: String,
    pub user_id: String,
    /// Revoked, NotFound, Forbidden, Invalid, NotSupported (guest), Throttled, Failed,
    /// Cancelled (stopped before it was sent), Unknown (stopped while unanswered: may be revoked).
    pub status: String,
    pub message: String,
    pub code: String,
}

#[ffi]
pub struct RevokeRequest {
    pub targets: Vec<RevokeTarget>,
    /// From `Engine::open_revoke_cancel` (0: not cancellable but by aborting the task, which
    /// loses the results). `Engine::cancel_revoke` with it stops the call and still returns
    /// every user's outcome.
    pub cancel_id: u64,
    /// `-ResultPath`: also write every outcome to this CSV file (refused if it exists).
    pub result_path: Option<String>,
}

#[ffi]
pub struct RevokeBatch {
    pub outcomes: Vec<RevokeOutcome>,
    pub done_users: u64,
    pub total_users: u64,
    pub done: bool,
}

/// Get-OutlookQrGuardReport's request.
#[ffi]
pub struct ReportRequest {
    /// Html, Json or Csv.
    pub format: String,
    /// `None`: return the text.
    pub path: Option<String>,
    pub overwrite: bool,
    pub query: DeviceQuery,
    /// The reader's culture name (`-Culture`, e.g. `ja-JP`) for the HTML's thousands
    /// separators; empty: invariant.
    pub culture: String,
}

/// The audit, summarised for the pipeline, plus the rendered text.
#[ffi]
pub struct ReportResult {
    pub organization: String,
    pub verdict: String,
    pub prompt_enabled: Option<bool>,
    pub outlook_mobile_devices: u64,
    pub users_with_devices: u64,
    pub recommendations: Vec<String>,
    pub path: Option<String>,
    pub text: String,
    /// Blocked | BlockedWithExclusions | ReportOnly | NotBlocked | Unknown
    pub conditional_access_state: String,
    /// Users with transfer sign-ins in the last 30 days (0 when the logs could not be read).
    pub transfer_users: u64,
    pub transfer_signins: u64,
}

/// One drift difference piped into Send-OutlookQrGuardLog (the drift cmdlet's What / From /
/// To / Severity, passed through as text).
#[ffi]
pub struct DriftRow {
    pub what: String,
    /// `from` is reserved in the generated C#.
    pub from_value: String,
    pub to_value: String,
    pub severity: String,
}

/// Send-OutlookQrGuardLog: where the rows go and which rows.
#[ffi]
pub struct LogSendRequest {
    /// The data collection endpoint (or the DCR's logs ingestion endpoint).
    pub endpoint: String,
    /// The DCR's immutable id (`dcr-` + 32 hex digits).
    pub rule_id: String,
    /// `Custom-…`, as declared in the DCR.
    pub stream: String,
    /// A CheckResult row from the same check as Test-OutlookQrSignin.
    pub include_check: bool,
    /// TransferSignin rows from the sign-in logs.
    pub include_evidence: bool,
    /// Start of the evidence window in UTC .NET ticks; `None` = 30 days ago.
    pub evidence_since_ticks: Option<i64>,
    pub drift: Vec<DriftRow>,
    /// -WhatIf: build and count the rows and batches, send nothing.
    pub what_if: bool,
}

/// What Send-OutlookQrGuardLog sent (or, with -WhatIf, would send).
#[ffi]
pub struct LogSendSummary {
    pub rows: u64,
    pub check_rows: u64,
    pub drift_rows: u64,
    pub evidence_rows: u64,
    pub batches: u64,
    /// JSON bytes before compression.
    pub bytes: u64,
    /// Bytes on the wire (gzip); 0 with -WhatIf.
    pub sent_bytes: u64,
    pub elapsed_ms: u64,
    pub what_if: bool,
    pub endpoint: String,
    pub rule_id: String,
    pub stream: String,
}

/// One user's sign-ins to one app that a report-only block of authentication transfer would
/// have blocked (Get-OutlookQrBlockImpact). Dates are .NET ticks (UTC).
#[ffi]
pub struct BlockImpactRow {
    pub user_id: String,
    pub user_principal_name: String,
    pub user_display_name: String,
    pub app_id: String,
    pub app_display_name: String,
    pub signins: u64,
    pub first_ticks: i64,
    pub last_ticks: i64,
    /// The report-only policies that reported the block.
    pub policies: Vec<String>,
    /// Excluded now from those policies: enforcing would not block this user.
    pub excluded_now: bool,
    /// Excluded from another enabled policy but not from this block (likely break-glass).
    pub break_glass: bool,
}

/// The totals of a block-impact listing; `recommendation` is the -Enforce advice with its
/// evidence. Dates are .NET ticks (UTC).
#[ffi]
pub struct BlockImpactSummary {
    pub policies: Vec<String>,
    pub since_ticks: i64,
    /// `None` = now.
    pub until_ticks: Option<i64>,
    pub users: u64,
    pub signins: u64,
    /// Distinct user and app pairs.
    pub rows: u64,
    pub excluded_users: Vec<String>,
    pub break_glass_users: Vec<String>,
    pub events_read: u64,
    pub events_without_policy_data: u64,
    pub events_hidden_result: u64,
    pub pages_read: u32,
    pub server_side_filter: bool,
    pub warnings: Vec<String>,
    pub recommendation: String,
}

/// One step of a block-impact listing: progress until `done`; the last step carries the rows
/// (most recent first) and the summary.
#[ffi]
pub struct BlockImpactPage {
    pub rows: Vec<BlockImpactRow>,
    pub events_read: u64,
    pub pages_read: u32,
    pub logs: Vec<LogLine>,
    pub summary: BlockImpactSummary,
    pub done: bool,
}
