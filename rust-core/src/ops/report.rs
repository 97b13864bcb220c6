//! Get-OutlookQrGuardReport: one audit of the tenant — both layers (the prompt setting and the
//! Conditional Access block), the connected Outlook mobile devices per user and per OS, who used
//! the QR-code sign-in (the sign-in logs' authentication transfers, or why that is unknown), and
//! what to do next — rendered as a self-contained HTML page, JSON or CSV.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::conditional_access::CaLayer;
use super::error::OpError;
use super::evidence::{self, EvidenceSpec, UserEvidence};
use super::inventory::DeviceListing;
use super::prompt::{self, Verdict};
use super::report_html;
use super::report_numbers::NumberFormat;
use super::session::Session;
use crate::device::UtcTimestamp;
use crate::exo::MobileDeviceQuery;
use crate::export::AtomicCsvFile;

const TOP_USERS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Json,
    Csv,
}

impl ReportFormat {
    pub fn parse(name: &str) -> Option<ReportFormat> {
        match name.to_ascii_lowercase().as_str() {
            "html" => Some(ReportFormat::Html),
            "json" => Some(ReportFormat::Json),
            "csv" => Some(ReportFormat::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    pub name: String,
    pub devices: u64,
}

/// A Conditional Access policy that blocks authentication transfer, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    pub display_name: String,
    pub state: String,
    pub covers_everyone: bool,
    /// "Name (kind)" or the id when it could not be named.
    pub exclusions: Vec<String>,
    pub created_by_module: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessSection {
    /// Blocked | BlockedWithExclusions | ReportOnly | NotBlocked | Unknown
    pub state: String,
    pub reason: String,
    pub code: String,
    pub policies: Vec<PolicySummary>,
}

/// An Outlook on the web mailbox policy's QR switch, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwaPolicyRow {
    pub name: String,
    pub is_default: bool,
    /// `None`: not reported by the service.
    pub account_transfer_enabled: Option<bool>,
    pub mailboxes: u64,
}

/// The third layer: AccountTransferEnabled on the OWA mailbox policies (semi-documented).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwaPolicySection {
    /// On | Off | Unknown
    pub state: String,
    pub reason: String,
    /// How far Microsoft documents the switch (shown next to it: it is not a supported setting).
    pub documentation: String,
    pub policies: Vec<OwaPolicyRow>,
}

/// Set-OwaMailboxPolicy.md marks the parameter "reserved for internal Microsoft use";
/// Microsoft365DSC (EXOOwaMailboxPolicy) describes it as the QR code sign-in switch.
const OWA_DOCUMENTATION: &str = super::owa_account_transfer::DOCUMENTATION;

fn owa_section(
    checked: Result<super::owa_account_transfer::OwaState, OpError>,
) -> OwaPolicySection {
    match checked {
        Ok(state) => OwaPolicySection {
            state: state.layer.as_str().to_owned(),
            reason: state.reason,
            documentation: OWA_DOCUMENTATION.to_owned(),
            policies: state
                .policies
                .into_iter()
                .map(|p| OwaPolicyRow {
                    name: p.name,
                    is_default: p.is_default,
                    account_transfer_enabled: p.account_transfer_enabled,
                    mailboxes: p.mailboxes,
                })
                .collect(),
        },
        // The other layers still answer; this one says why it could not.
        Err(e) => OwaPolicySection {
            state: "Unknown".to_owned(),
            reason: format!("The OWA mailbox policies could not be read: {e}"),
            documentation: OWA_DOCUMENTATION.to_owned(),
            policies: Vec::new(),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceUserRow {
    pub user_principal_name: String,
    pub display_name: String,
    pub transfer_sign_ins: u64,
    pub first_utc: String,
    pub last_utc: String,
}

/// One UTC day of the sign-in chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub signins: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceSection {
    /// False when the sign-in logs could not be read (`reason` says why).
    pub available: bool,
    pub reason: String,
    pub window_days: i64,
    pub users: u64,
    pub signins: u64,
    pub per_user: Vec<EvidenceUserRow>,
    /// Transfer sign-ins per UTC day, every day the window touches (zero days included), oldest
    /// first; empty when the logs could not be read.
    pub per_day: Vec<DayCount>,
    /// False when the evidence users could not be matched to their mailboxes (then the CSV's
    /// TransferSignIns column stays empty rather than claiming zero).
    pub matched_to_devices: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    pub organization: String,
    pub generated_at_utc: String,
    pub prompt_enabled: Option<bool>,
    pub verdict: String,
    pub verdict_reason: String,
    pub outlook_mobile_devices: u64,
    pub users_with_devices: u64,
    pub devices_by_os: Vec<Count>,
    pub users_with_most_devices: Vec<Count>,
    pub recommendations: Vec<String>,
    /// Every user with their device count (the CSV body; in JSON for completeness).
    pub devices_per_user: Vec<Count>,
    pub conditional_access: ConditionalAccessSection,
    pub owa_mailbox_policies: OwaPolicySection,
    pub evidence: EvidenceSection,
    /// With a report-only block: what enforcing it would have blocked (None otherwise).
    pub block_impact: Option<super::report_block_impact::BlockImpactSection>,
    /// Transfer sign-ins per device owner (by the name in `devices_per_user`), for the CSV.
    #[serde(skip)]
    pub transfer_per_user: HashMap<String, u64>,
}

pub struct ReportSpec {
    pub format: ReportFormat,
    /// `None`: return the text instead of writing a file.
    pub path: Option<PathBuf>,
    pub overwrite: bool,
    pub query: MobileDeviceQuery,
    /// The reader's culture name (e.g. `ja-JP`) for the HTML's thousands separators; empty:
    /// invariant. The JSON and CSV keep raw numbers.
    pub culture: String,
}

pub struct ReportOutcome {
    pub report: AuditReport,
    pub text: String,
    pub path: Option<PathBuf>,
}

/// "iOS 17.5.1 21F90" -> "iOS"; "Android 14" -> "Android"; empty -> "(unknown)".
fn os_family(os: Option<&str>) -> String {
    match os.and_then(|o| o.split_whitespace().next()) {
        Some(first) => first.to_owned(),
        None => "(unknown)".to_owned(),
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = counts
        .into_iter()
        .map(|(name, devices)| Count { name, devices })
        .collect();
    v.sort_by(|a, b| b.devices.cmp(&a.devices).then_with(|| a.name.cmp(&b.name)));
    v
}

/// The tenant's posture without the device listing: both layers, the OWA policies and the
/// sign-in evidence. Shared by the report and the drift snapshot (ops::drift).
pub struct Posture {
    pub both: prompt::SigninState,
    pub owa: OwaPolicySection,
    pub evidence: EvidenceSection,
    /// The evidence keyed by mailbox distinguished name (empty unless asked for).
    pub by_mailbox: HashMap<String, UserEvidence>,
}

/// Reads the posture; only the Exchange half can fail it (the other parts say why they could
/// not be read). `match_mailboxes`: also resolve the evidence users' mailboxes (for the devices).
pub async fn gather(
    session: &Session,
    window_days: i64,
    match_mailboxes: bool,
) -> Result<Posture, OpError> {
    let both = prompt::check_both(session).await?;
    let (evidence, by_mailbox) = read_evidence(session, window_days, match_mailboxes).await;
    let owa = owa_section(super::owa_account_transfer::check(session).await);
    Ok(Posture {
        both,
        owa,
        evidence,
        by_mailbox,
    })
}

pub async fn build(
    session: &Session,
    spec: ReportSpec,
    mut on_progress: impl FnMut(u64) + Send,
) -> Result<ReportOutcome, OpError> {
    // Refuse a bad target before spending minutes reading devices.
    let file = match &spec.path {
        Some(path) => Some(AtomicCsvFile::create(path, spec.overwrite, false)?),
        None => None,
    };
    let Posture {
        both,
        owa,
        evidence: evidence_section,
        by_mailbox,
    } = gather(session, evidence::DEFAULT_WINDOW_DAYS, true).await?;
    let state = &both.prompt;
    let block_impact =
        super::report_block_impact::read(session, both.conditional_access.layer).await;
    let mut transfer_per_user: HashMap<String, u64> = HashMap::new();
    let mut per_user: HashMap<String, u64> = HashMap::new();
    let mut per_os: HashMap<String, u64> = HashMap::new();
    let mut total = 0u64;
    let mut listing = DeviceListing::start(session, &spec.query);
    while let Some(page) = listing.next_page().await {
        for device in page?.items {
            total += 1;
            *per_user
                .entry(device.user_display_name_new().to_owned())
                .or_default() += 1;
            if let Some(e) = device
                .mailbox_distinguished_name()
                .and_then(|dn| by_mailbox.get(&dn.trim().to_lowercase()))
            {
                transfer_per_user.insert(device.user_display_name_new().to_owned(), e.signins);
            }
            *per_os
                .entry(os_family(device.device_os.as_deref()))
                .or_default() += 1;
        }
        on_progress(total);
    }
    let devices_per_user = sorted(per_user);
    let mut recommendations = recommendations(
        both.verdict,
        both.conditional_access.layer,
        total,
        &devices_per_user,
        &evidence_section,
    );
    if let Some(impact) = &block_impact {
        recommendations.push(impact.recommendation.clone());
    }
    let report = AuditReport {
        organization: state.organization.clone(),
        generated_at_utc: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        prompt_enabled: state.prompt_enabled,
        verdict: both.verdict.as_str().to_owned(),
        verdict_reason: both.reason.clone(),
        outlook_mobile_devices: total,
        users_with_devices: devices_per_user.len() as u64,
        devices_by_os: sorted(per_os),
        users_with_most_devices: devices_per_user.iter().take(TOP_USERS).cloned().collect(),
        recommendations,
        devices_per_user,
        conditional_access: ca_section(&both.conditional_access),
        owa_mailbox_policies: owa,
        evidence: evidence_section,
        block_impact,
        transfer_per_user,
    };
    let text = match spec.format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)
            .map_err(|e| OpError::new(super::FailureKind::Internal, e.to_string()))?,
        ReportFormat::Csv => csv_text(&report),
        ReportFormat::Html => html(&report, &spec.culture),
    };
    let path = match file {
        Some(mut file) => {
            // UTF-8 with BOM for the CSV (Excel); the HTML declares its charset; JSON stays plain.
            if spec.format == ReportFormat::Csv {
                file.write_all("\u{feff}".as_bytes())
                    .map_err(|e| OpError::new(super::FailureKind::Io, e.to_string()))?;
            }
            file.write_all(text.as_bytes())
                .map_err(|e| OpError::new(super::FailureKind::Io, e.to_string()))?;
            Some(file.commit()?)
        }
        None => None,
    };
    Ok(ReportOutcome { report, text, path })
}

fn ca_section(a: &super::conditional_access::CaAssessment) -> ConditionalAccessSection {
    ConditionalAccessSection {
        state: a.layer.as_str().to_owned(),
        reason: a.reason.clone(),
        code: a.code.clone(),
        policies: a
            .policies
            .iter()
            .map(|p| PolicySummary {
                display_name: p.display_name.clone(),
                state: p.state.clone(),
                // The check's own coverage test: narrowing conditions make it "no".
                covers_everyone: p.covers_everyone,
                exclusions: p
                    .excluded_users
                    .iter()
                    .chain(&p.excluded_groups)
                    .chain(&p.excluded_roles)
                    .map(|o| {
                        let name = if o.display_name.is_empty() {
                            &o.id
                        } else {
                            &o.display_name
                        };
                        format!("{name} ({})", o.kind.as_str())
                    })
                    .chain(
                        p.excluded_guests_or_external_users
                            .iter()
                            .map(|g| format!("{g} (guests or external users)")),
                    )
                    .collect(),
                created_by_module: p.created_by_module,
            })
            .collect(),
    }
}

fn utc_text(t: crate::device::UtcTimestamp) -> String {
    crate::graph::signins::filter_time(t)
}

/// The last `window_days` days of transfer sign-ins, keyed by mailbox; never fails the report:
/// what could not be read is said in the section.
async fn read_evidence(
    session: &Session,
    window_days: i64,
    match_mailboxes: bool,
) -> (EvidenceSection, HashMap<String, UserEvidence>) {
    let unavailable = |reason: String| EvidenceSection {
        available: false,
        reason,
        window_days,
        users: 0,
        signins: 0,
        per_user: Vec::new(),
        per_day: Vec::new(),
        matched_to_devices: false,
    };
    // `since: None` is the default window (30 days before now).
    let since = (window_days != evidence::DEFAULT_WINDOW_DAYS)
        .then(|| {
            crate::device::UtcTimestamp::from_ticks(
                evidence::now().ticks() - window_days * 86_400 * crate::device::TICKS_PER_SECOND,
            )
        })
        .flatten();
    let spec = EvidenceSpec {
        since,
        ..EvidenceSpec::default()
    };
    let totals = match evidence::collect(session, &spec).await {
        Ok((totals, _)) => totals,
        Err(e) => {
            return (
                unavailable(format!("The sign-in logs could not be read: {}", e.message)),
                HashMap::new(),
            );
        }
    };
    let (by_mailbox, unmatched) = if !match_mailboxes {
        (HashMap::new(), None)
    } else {
        match evidence::by_mailbox(session, &totals).await {
            Ok(m) => (m, None),
            Err(e) => (HashMap::new(), Some(e.message)),
        }
    };
    let users = totals.users();
    let per_day = days_in_window(totals.per_day(), evidence::now());
    let mut reason = format!(
        "{} user(s) signed a phone in through authentication transfer (the QR code) {} time(s) in the last {} days.",
        users.len(),
        totals.signins,
        window_days
    );
    if let Some(why) = &unmatched {
        reason.push_str(&format!(
            " Their mailboxes could not be looked up, so devices are not matched: {why}"
        ));
    }
    let section = EvidenceSection {
        available: true,
        matched_to_devices: match_mailboxes && unmatched.is_none(),
        reason,
        window_days,
        users: totals.user_count(),
        signins: totals.signins,
        per_user: users
            .iter()
            .map(|u| EvidenceUserRow {
                user_principal_name: u.user_principal_name.clone(),
                display_name: u.user_display_name.clone(),
                transfer_sign_ins: u.signins,
                first_utc: utc_text(u.first),
                last_utc: utc_text(u.last),
            })
            .collect(),
        per_day,
    };
    (section, by_mailbox)
}

/// Every UTC day from the window's first to `now`'s (a 30-day window touches 31 dates), with
/// its count; a day outside that range that has sign-ins (the window is computed a moment
/// before `now`) widens it rather than being dropped, so the bars always add up to the total.
fn days_in_window(per_day: &BTreeMap<i64, u64>, now: UtcTimestamp) -> Vec<DayCount> {
    let last = now.ticks().div_euclid(evidence::TICKS_PER_DAY);
    let first = last - evidence::DEFAULT_WINDOW_DAYS;
    let first = per_day.keys().next().map_or(first, |d| first.min(*d));
    let last = per_day.keys().next_back().map_or(last, |d| last.max(*d));
    (first..=last)
        .filter_map(|day| {
            let parts = UtcTimestamp::from_ticks(day * evidence::TICKS_PER_DAY)?.parts();
            Some(DayCount {
                date: format!("{:04}-{:02}-{:02}", parts.year, parts.month, parts.day),
                signins: per_day.get(&day).copied().unwrap_or(0),
            })
        })
        .collect()
}

fn recommendations(
    verdict: Verdict,
    ca: CaLayer,
    devices: u64,
    per_user: &[Count],
    evidence: &EvidenceSection,
) -> Vec<String> {
    let mut r = Vec::new();
    match verdict {
        Verdict::Exposed | Verdict::ReportOnly => r.push(
            "Turn the Outlook on the web prompt off: Disable-OutlookQrSignin. Until then any signed-in user can put a QR code on screen that signs a phone in without the identity provider's checks.".to_owned(),
        ),
        Verdict::PromptHidden => r.push("The prompt is off. Keep it off; Test-OutlookQrSignin in a scheduled runbook shows if it is turned back on.".to_owned()),
        Verdict::Unknown => r.push("The tenant did not report MobileAppEducationEnabled; check it with Get-OrganizationConfig.".to_owned()),
        Verdict::Blocked | Verdict::BlockedWithExclusions => {}
    }
    if devices > 0 {
        r.push(format!(
            "{devices} Outlook for iOS and Android device(s) of {} user(s) are connected. Review the export (Export-OutlookMobileDevice) and cut off the ones that were not set up through your identity provider: Get-OutlookMobileDevice | Revoke-OutlookMobileSignin.",
            per_user.len()
        ));
    }
    if let Some(top) = per_user.first().filter(|c| c.devices >= 3) {
        r.push(format!(
            "{} has {} Outlook mobile devices; several devices for one user deserve a look.",
            top.name, top.devices
        ));
    }
    match ca {
        CaLayer::Blocked => {}
        CaLayer::BlockedWithExclusions => r.push("Review the exclusions of the Conditional Access block: each excluded account can still use the QR-code sign-in. Keep them to emergency (break-glass) accounts.".to_owned()),
        // Protocol tracking: MicrosoftDocs/entra-docs, docs/identity/conditional-access/concept-authentication-flows.md.
        // The -Enforce step itself comes only with its evidence (report_block_impact).
        CaLayer::ReportOnly => r.push("The Conditional Access block is report-only: it blocks nobody yet. Enforced, it would also stop the phones already connected through the QR code at their next token refresh (Microsoft: sessions started by authentication transfer are protocol tracked and subject to the policy), without signing those users out elsewhere; what it would have blocked is below.".to_owned()),
        CaLayer::NotBlocked => r.push("Close the flow at Entra ID too: a Conditional Access policy that blocks authentication transfer stops the QR sign-in for every client, not only the Outlook on the web prompt (Block-OutlookAuthenticationTransfer); enforced, it also stops the phones already connected through the QR code at their next token refresh (Microsoft: protocol-tracked sessions are subject to the policy).".to_owned()),
        // The reason above names the fix (a permission or the P1 licence); don't guess one here.
        CaLayer::Unknown => r.push("The Conditional Access state could not be read: fix what the reason above names (a Graph permission to grant, or the Microsoft Entra ID P1 licence), then run Test-OutlookQrSignin again. Until then this report cannot tell whether authentication transfer is blocked.".to_owned()),
    }
    if evidence.available && evidence.users > 0 {
        r.push(format!(
            "{} user(s) signed phones in with the QR code in the last {} days: list them with Get-OutlookQrSigninEvidence. An enforced Conditional Access block stops those sessions at their next token refresh; to cut users off now (all their sessions), use Get-OutlookQrSigninEvidence | Revoke-OutlookMobileSignin.",
            evidence.users, evidence.window_days
        ));
    }
    r
}

/// Quoted like Export-Csv, with the export's spreadsheet-formula neutralisation.
pub(super) fn csv_field(value: &str) -> String {
    let guard = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        "'"
    } else {
        ""
    };
    format!("\"{guard}{}\"", value.replace('"', "\"\""))
}

/// One row per device owner; TransferSignIns is empty when the sign-in logs could not be read.
fn csv_text(report: &AuditReport) -> String {
    let mut out = String::from("\"User\",\"OutlookMobileDevices\",\"TransferSignIns\"\r\n");
    for c in &report.devices_per_user {
        let transfers = if report.evidence.available && report.evidence.matched_to_devices {
            report
                .transfer_per_user
                .get(&c.name)
                .copied()
                .unwrap_or(0)
                .to_string()
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "{},\"{}\",\"{transfers}\"\r\n",
            csv_field(&c.name),
            c.devices
        );
    }
    out
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A titled table of counts (one row per name), folded after the first rows.
fn table(
    title: &str,
    first: &str,
    rows: &[Count],
    numbers: NumberFormat,
    full_data: &str,
) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|c| {
            format!(
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(&c.name),
                numbers.format(c.devices)
            )
        })
        .collect();
    format!(
        "<h2>{}</h2>{}",
        escape(title),
        report_html::collapsible_table(
            &format!(
                "<tr><th>{}</th><th class=\"n\">Devices</th></tr>",
                escape(first)
            ),
            &rows,
            numbers,
            full_data
        )
    )
}

const IN_JSON: &str = "the JSON report (Get-OutlookQrGuardReport -Format Json)";
const IN_CSV: &str =
    "the CSV and JSON reports (Get-OutlookQrGuardReport -Format Csv or -Format Json)";

/// One page, no scripts, no external resources: it opens the same in a browser, a mail
/// attachment or a ticket, and a hostile device name cannot run anything (the page's
/// Content-Security-Policy also tells the browser so). Numbers are grouped for `culture`.
fn html(report: &AuditReport, culture: &str) -> String {
    let numbers = NumberFormat::for_culture(culture);
    let (badge, colour) = match report.verdict.as_str() {
        "Exposed" => ("Exposed: the QR sign-in prompt is shown", "#b00020"),
        "ReportOnly" => (
            "Exposed: the Conditional Access block is report-only",
            "#b00020",
        ),
        "PromptHidden" => ("Prompt hidden", "#8a5a00"),
        "BlockedWithExclusions" => ("Blocked at Entra ID, with exclusions", "#8a5a00"),
        "Blocked" => ("Blocked at Entra ID", "#1b6e20"),
        _ => ("Unknown", "#6b6b6b"),
    };
    let policies: Vec<String> = report
        .conditional_access
        .policies
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.display_name),
                escape(&p.state),
                if p.covers_everyone { "yes" } else { "no" },
                escape(&p.exclusions.join(", "))
            )
        })
        .collect();
    let ca = format!(
        "<h2>Conditional Access (Entra ID)</h2><p><b>{}</b>: {}</p>{}",
        escape(&report.conditional_access.state),
        escape(&report.conditional_access.reason),
        if policies.is_empty() {
            String::new()
        } else {
            report_html::collapsible_table(
                "<tr><th>Policy</th><th>State</th><th>All users and apps</th><th>Exclusions</th></tr>",
                &policies,
                numbers,
                IN_JSON,
            )
        }
    );
    let owa_rows: Vec<String> = report
        .owa_mailbox_policies
        .policies
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{}{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(&p.name),
                if p.is_default { " (default)" } else { "" },
                match p.account_transfer_enabled {
                    Some(true) => "True",
                    Some(false) => "False",
                    None => "(not reported)",
                },
                numbers.format(p.mailboxes)
            )
        })
        .collect();
    let owa = format!(
        "<h2>OWA mailbox policies: AccountTransferEnabled (semi-documented)</h2><p><b>{}</b>: {}</p><p><small>{}</small></p>{}",
        escape(&report.owa_mailbox_policies.state),
        escape(&report.owa_mailbox_policies.reason),
        escape(&report.owa_mailbox_policies.documentation),
        if owa_rows.is_empty() {
            String::new()
        } else {
            report_html::collapsible_table(
                "<tr><th>Policy</th><th>AccountTransferEnabled</th><th class=\"n\">Mailboxes</th></tr>",
                &owa_rows,
                numbers,
                IN_JSON,
            )
        }
    );
    let evidence_rows: Vec<String> = report
        .evidence
        .per_user
        .iter()
        .map(|u| {
            format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&u.user_principal_name),
                numbers.format(u.transfer_sign_ins),
                escape(&u.first_utc),
                escape(&u.last_utc)
            )
        })
        .collect();
    let evidence = format!(
        "<h2>QR-code sign-ins (authentication transfer, last {} days)</h2><p>{}</p>{}{}",
        report.evidence.window_days,
        escape(&report.evidence.reason),
        report_html::signins_figure(report, numbers),
        if evidence_rows.is_empty() {
            String::new()
        } else {
            report_html::collapsible_table(
                "<tr><th>User</th><th class=\"n\">Sign-ins</th><th>First (UTC)</th><th>Last (UTC)</th></tr>",
                &evidence_rows,
                numbers,
                IN_JSON,
            )
        }
    );
    let mut recs = String::new();
    for r in &report.recommendations {
        let _ = write!(recs, "<li>{}</li>", escape(r));
    }
    let os = format!(
        "{}{}",
        table(
            "Devices by operating system",
            "Operating system",
            &report.devices_by_os,
            numbers,
            IN_JSON
        ),
        report_html::devices_by_os_figure(report, numbers)
    );
    // The page's sections in order; a new section is one more entry.
    let sections = [
        format!("<h2>Recommendations</h2><ol>{recs}</ol>"),
        report_html::layers_figure(report),
        ca,
        report
            .block_impact
            .as_ref()
            .map(|i| super::report_block_impact::html(i, escape))
            .unwrap_or_default(),
        owa,
        evidence,
        os,
        table(
            "Users with the most devices",
            "User",
            &report.devices_per_user,
            numbers,
            IN_CSV,
        ),
    ];
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{csp}<meta name=\"viewport\" content=\"width=device-width\"><title>Outlook QR sign-in audit: {org}</title>\
<style>{style}</style></head><body data-culture=\"{culture}\">\
<h1>Outlook QR-code sign-in audit: {org}</h1><p><span class=\"badge\">{badge}</span></p><p>{reason}</p>\
<p><span class=\"kpi\"><b>{devices}</b>Outlook mobile devices</span><span class=\"kpi\"><b>{users}</b>users with devices</span></p>\
{sections}<p><small>Generated {at} by OutlookQrGuard {version}. Numbers formatted for {culture_name}.</small></p></body></html>\n",
        csp = report_html::CSP_META,
        style = report_html::stylesheet(colour),
        culture = escape(culture),
        culture_name = if culture.trim().is_empty() {
            "the invariant culture".to_owned()
        } else {
            escape(culture)
        },
        org = escape(&report.organization),
        badge = escape(badge),
        reason = escape(&report.verdict_reason),
        devices = numbers.format(report.outlook_mobile_devices),
        users = numbers.format(report.users_with_devices),
        sections = sections.concat(),
        at = escape(&report.generated_at_utc),
        version = crate::build_info::VERSION,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AuditReport {
        AuditReport {
            organization: "Contoso <script>".into(),
            generated_at_utc: "2026-11-25T00:00:00Z".into(),
            prompt_enabled: Some(true),
            verdict: "Exposed".into(),
            verdict_reason: "r".into(),
            outlook_mobile_devices: 3,
            users_with_devices: 2,
            devices_by_os: vec![
                Count {
                    name: "iOS".into(),
                    devices: 2,
                },
                Count {
                    name: "Android".into(),
                    devices: 1,
                },
            ],
            users_with_most_devices: vec![Count {
                name: "山田 \"太郎\"".into(),
                devices: 2,
            }],
            recommendations: recommendations(
                Verdict::Exposed,
                CaLayer::NotBlocked,
                3,
                &[Count {
                    name: "a".into(),
                    devices: 3,
                }],
                &evidence_sample(),
            ),
            devices_per_user: vec![
                Count {
                    name: "山田 \"太郎\"".into(),
                    devices: 2,
                },
                Count {
                    name: "=cmd".into(),
                    devices: 1,
                },
            ],
            conditional_access: ConditionalAccessSection {
                state: "BlockedWithExclusions".into(),
                reason: "policy <b>".into(),
                code: String::new(),
                policies: vec![PolicySummary {
                    display_name: "Block <transfer>".into(),
                    state: "enabled".into(),
                    covers_everyone: true,
                    exclusions: vec!["Break \"Glass\" (User)".into()],
                    created_by_module: false,
                }],
            },
            owa_mailbox_policies: owa_section(Ok(super::super::owa_account_transfer::assess(
                vec![crate::exo::OwaMailboxPolicy {
                    name: "Policy <x>".into(),
                    is_default: true,
                    account_transfer_enabled: Some(true),
                    mailboxes: 7,
                }],
                HashMap::new(),
            ))),
            evidence: evidence_sample(),
            block_impact: None,
            transfer_per_user: [("山田 \"太郎\"".to_owned(), 4)].into_iter().collect(),
        }
    }

    fn evidence_sample() -> EvidenceSection {
        EvidenceSection {
            available: true,
            reason: "1 user(s)".into(),
            window_days: 30,
            users: 1,
            signins: 4,
            per_user: vec![EvidenceUserRow {
                user_principal_name: "<img>@contoso.com".into(),
                display_name: "山田".into(),
                transfer_sign_ins: 4,
                first_utc: "2026-11-01T00:00:00Z".into(),
                last_utc: "2026-11-20T00:00:00Z".into(),
            }],
            per_day: vec![
                DayCount {
                    date: "2026-11-01".into(),
                    signins: 1,
                },
                DayCount {
                    date: "2026-11-02".into(),
                    signins: 0,
                },
                DayCount {
                    date: "2026-11-03".into(),
                    signins: 3,
                },
            ],
            matched_to_devices: true,
        }
    }

    #[test]
    fn html_escapes_every_value_and_loads_nothing_external() {
        let page = html(&sample(), "en-US");
        assert!(page.contains("Contoso &lt;script&gt;"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(page.contains("山田 &quot;太郎&quot;"));
        assert!(page.contains("Disable-OutlookQrSignin"));
        assert!(
            page.contains("Block &lt;transfer&gt;")
                && page.contains("Break &quot;Glass&quot; (User)")
        );
        assert!(page.contains("&lt;img&gt;@contoso.com") && !page.contains("<img"));
        assert!(page.contains("policy &lt;b&gt;"));
        // The OWA layer, labelled semi-documented, each policy with its switch and mailboxes.
        assert!(page.contains("AccountTransferEnabled (semi-documented)"));
        assert!(
            page.contains("<td>Policy &lt;x&gt; (default)</td><td>True</td><td class=\"n\">7</td>")
        );
        assert!(page.contains("reserved for internal Microsoft use"));
        // The browser is told too: no script, nothing loaded, before anything else in <head>.
        let head = page.split_once("<title>").map(|h| h.0).unwrap_or_default();
        assert!(head.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        ));
        // The three charts, with their marks: a box per layer, a bar per day and per OS.
        let marks = |id: &str, mark: &str| {
            let start = page
                .find(&format!("<svg id=\"{id}\""))
                .unwrap_or(page.len());
            let end = page[start..]
                .find("</svg>")
                .map_or(page.len(), |e| start + e);
            page[start..end].matches(mark).count()
        };
        assert_eq!(marks("chart-layers", "<rect class=\"layer "), 3);
        assert_eq!(marks("chart-signins-per-day", "<rect class=\"bar"), 3);
        assert_eq!(marks("chart-devices-by-os", "<rect class=\"bar\""), 2);
        assert!(page.contains("<rect class=\"layer open\"") && page.contains(">Shown</text>"));
        assert!(page.contains(">Enforced, with exclusions</text>"));
        assert!(page.contains("Numbers formatted for en-US."));
    }

    #[test]
    fn html_numbers_follow_the_culture_and_the_json_stays_raw() {
        let mut report = sample();
        report.outlook_mobile_devices = 12_345;
        report.devices_per_user[0].devices = 4_321;
        let page = html(&report, "de-DE");
        assert!(page.contains("<b>12.345</b>Outlook mobile devices"));
        assert!(page.contains("<td class=\"n\">4.321</td>"));
        assert!(html(&report, "fr-FR").contains("<b>12\u{202f}345</b>"));
        assert!(html(&report, "").contains("<b>12,345</b>"));
        let json = serde_json::to_string(&report).unwrap_or_default();
        assert!(json.contains("\"outlookMobileDevices\":12345"));
        assert!(json.contains("\"perDay\":[{\"date\":\"2026-11-01\",\"signins\":1}"));
    }

    #[test]
    fn no_sign_in_chart_when_the_logs_could_not_be_read() {
        let mut report = sample();
        report.evidence.available = false;
        report.evidence.per_day.clear();
        let page = html(&report, "ja-JP");
        assert!(!page.contains("chart-signins-per-day"));
        assert!(
            page.contains("<svg id=\"chart-layers\"")
                && page.contains("<svg id=\"chart-devices-by-os\"")
        );
        // No devices at all: the OS chart says so instead of drawing nothing.
        report.devices_by_os.clear();
        assert!(html(&report, "ja-JP").contains(">No data</text>"));
    }

    #[test]
    fn long_tables_fold_after_the_first_rows() {
        let mut report = sample();
        report.devices_per_user = (0..30)
            .map(|i| Count {
                name: format!("user{i:02}"),
                devices: 30 - i,
            })
            .collect();
        let page = html(&report, "en-US");
        let top = page
            .split_once("Users with the most devices")
            .map(|p| p.1)
            .unwrap_or_default();
        let (visible, folded) = top.split_once("<details").unwrap_or_default();
        assert!(visible.contains("user09") && !visible.contains("user10"));
        assert!(folded.contains("Show all 30 rows") && folded.contains("user29"));
        assert!(folded.contains("Get-OutlookQrGuardReport -Format Csv"));
    }

    #[test]
    fn the_chart_covers_every_day_of_the_window() {
        let at = |s: &str| UtcTimestamp::parse(s).unwrap_or_else(|_| evidence::now());
        let day = |s: &str| at(s).ticks() / evidence::TICKS_PER_DAY;
        let per_day: BTreeMap<i64, u64> = [
            (day("2026-11-07T08:00:00Z"), 2),
            (day("2026-12-06T01:00:00Z"), 1),
        ]
        .into();
        let days = days_in_window(&per_day, at("2026-12-06T20:00:00Z"));
        assert_eq!(days.len(), 31);
        assert_eq!(days[0].date, "2026-11-06");
        assert_eq!(days[30].date, "2026-12-06");
        assert_eq!(days.iter().map(|d| d.signins).sum::<u64>(), 3);
        assert_eq!(days[1].signins, 2);
        // An event just before the window's first day widens the chart, it is not dropped.
        let early: BTreeMap<i64, u64> = [(day("2026-11-05T23:59:00Z"), 1)].into();
        let days = days_in_window(&early, at("2026-12-06T20:00:00Z"));
        assert_eq!(
            (days.len(), days[0].date.as_str(), days[0].signins),
            (32, "2026-11-05", 1)
        );
        assert_eq!(
            days_in_window(&BTreeMap::new(), at("2026-12-06T00:00:00Z")).len(),
            31
        );
    }

    #[test]
    fn csv_quotes_every_field() {
        let text = csv_text(&sample());
        assert_eq!(
            text,
            "\"User\",\"OutlookMobileDevices\",\"TransferSignIns\"\r\n\"山田 \"\"太郎\"\"\",\"2\",\"4\"\r\n\"'=cmd\",\"1\",\"0\"\r\n"
        );
        // Logs unreadable: the column stays, empty, rather than claiming zero.
        let mut unknown = sample();
        unknown.evidence.available = false;
        assert!(csv_text(&unknown).ends_with("\"'=cmd\",\"1\",\"\"\r\n"));
    }

    #[test]
    fn os_family_is_the_first_word() {
        assert_eq!(os_family(Some("iOS 17.5.1 21F90")), "iOS");
        assert_eq!(os_family(Some("Android 14")), "Android");
        assert_eq!(os_family(Some("  ")), "(unknown)");
        assert_eq!(os_family(None), "(unknown)");
    }

    #[test]
    fn recommendations_follow_the_verdict() {
        let none = EvidenceSection {
            available: false,
            ..evidence_sample()
        };
        let exposed = recommendations(Verdict::Exposed, CaLayer::NotBlocked, 0, &[], &none);
        assert!(exposed[0].contains("Disable-OutlookQrSignin"));
        assert!(
            exposed
                .iter()
                .any(|r| r.contains("Block-OutlookAuthenticationTransfer"))
        );
        let hidden = recommendations(
            Verdict::PromptHidden,
            CaLayer::ReportOnly,
            5,
            &[Count {
                name: "u".into(),
                devices: 5,
            }],
            &evidence_sample(),
        );
        assert!(
            hidden
                .iter()
                .any(|r| r.contains("Revoke-OutlookMobileSignin"))
        );
        assert!(hidden.iter().any(|r| r.contains("u has 5")));
        // -Enforce only comes with the report-only evidence (report_block_impact), not here.
        assert!(hidden.iter().all(|r| !r.contains("-Enforce")), "{hidden:?}");
        // An enforced block is the targeted remedy for phones already connected (protocol tracking).
        assert!(
            hidden
                .iter()
                .any(|r| r.contains("report-only") && r.contains("next token refresh")),
            "{hidden:?}"
        );
        assert!(
            hidden
                .iter()
                .any(|r| r.contains("Get-OutlookQrSigninEvidence"))
        );
        let blocked = recommendations(Verdict::Blocked, CaLayer::Blocked, 0, &[], &none);
        assert!(
            blocked
                .iter()
                .all(|r| !r.contains("Disable-OutlookQrSignin") && !r.contains("Block-Outlook")),
            "{blocked:?}"
        );
        // Unknown can mean a missing licence as well as a missing permission: no advice that fits only one.
        let unknown = recommendations(Verdict::Exposed, CaLayer::Unknown, 0, &[], &none);
        let ca = unknown
            .iter()
            .find(|r| r.contains("Conditional Access"))
            .expect("a Conditional Access recommendation");
        assert!(
            ca.contains("reason above") && !ca.contains("grant Policy.Read.All"),
            "{ca}"
        );
    }

    #[test]
    fn the_all_users_and_apps_column_uses_the_checks_coverage_test() {
        use crate::graph::conditional_access::ConditionalAccessPolicy;
        let block = |extra: serde_json::Value| {
            let mut v = serde_json::json!({
                "id": "p", "displayName": "p", "state": "enabled",
                "conditions": {
                    "users": {"includeUsers": ["All"]},
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"],
                    "authenticationFlows": {"transferMethods": "authenticationTransfer"}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}
            });
            if let (Some(c), serde_json::Value::Object(extra)) =
                (v["conditions"].as_object_mut(), extra)
            {
                c.extend(extra);
            }
            ConditionalAccessPolicy::parse(&v).expect("a policy")
        };
        let android = block(serde_json::json!({"platforms": {"includePlatforms": ["android"]}}));
        let guests = block(serde_json::json!({"users": {"includeUsers": ["All"],
            "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest"}}}));
        let section = ca_section(&super::super::conditional_access::assess(&[
            android, guests,
        ]));
        assert!(
            !section.policies[0].covers_everyone,
            "Android only is not everyone"
        );
        assert!(section.policies[1].covers_everyone);
        assert_eq!(
            section.policies[1].exclusions,
            ["internalGuest (guests or external users)"]
        );
        assert!(
            html(
                &AuditReport {
                    conditional_access: section,
                    ..sample()
                },
                ""
            )
            .contains("<td>p</td><td>enabled</td><td>no</td>")
        );
    }
}
