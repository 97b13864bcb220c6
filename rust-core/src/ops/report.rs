//! Get-OutlookQrGuardReport: one audit of the tenant — the prompt setting, the connected Outlook
//! mobile devices per user and per OS, the users with the most devices, and what to do next —
//! rendered as a self-contained HTML page, JSON or CSV.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::error::OpError;
use super::inventory::DeviceListing;
use super::prompt::{self, PromptVerdict};
use super::session::Session;
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
}

pub struct ReportSpec {
    pub format: ReportFormat,
    /// `None`: return the text instead of writing a file.
    pub path: Option<PathBuf>,
    pub overwrite: bool,
    pub query: MobileDeviceQuery,
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
    let state = prompt::check(session).await?;
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
            *per_os
                .entry(os_family(device.device_os.as_deref()))
                .or_default() += 1;
        }
        on_progress(total);
    }
    let devices_per_user = sorted(per_user);
    let report = AuditReport {
        organization: state.organization.clone(),
        generated_at_utc: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        prompt_enabled: state.prompt_enabled,
        verdict: state.verdict.as_str().to_owned(),
        verdict_reason: state.reason.clone(),
        outlook_mobile_devices: total,
        users_with_devices: devices_per_user.len() as u64,
        devices_by_os: sorted(per_os),
        users_with_most_devices: devices_per_user.iter().take(TOP_USERS).cloned().collect(),
        recommendations: recommendations(state.verdict, total, &devices_per_user),
        devices_per_user,
    };
    let text = match spec.format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)
            .map_err(|e| OpError::new(super::FailureKind::Internal, e.to_string()))?,
        ReportFormat::Csv => csv_text(&report),
        ReportFormat::Html => html(&report),
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

fn recommendations(verdict: PromptVerdict, devices: u64, per_user: &[Count]) -> Vec<String> {
    let mut r = Vec::new();
    match verdict {
        PromptVerdict::Exposed => r.push(
            "Turn the Outlook on the web prompt off: Disable-OutlookQrSignin. Until then any signed-in user can put a QR code on screen that signs a phone in without the identity provider's checks.".to_owned(),
        ),
        PromptVerdict::PromptHidden => r.push("The prompt is off. Keep it off; Test-OutlookQrSignin in a scheduled runbook shows if it is turned back on.".to_owned()),
        PromptVerdict::Unknown => r.push("The tenant did not report MobileAppEducationEnabled; check it with Get-OrganizationConfig.".to_owned()),
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
    r.push("Close the flow at Entra ID too: a Conditional Access policy that blocks authentication transfer stops the QR sign-in for every client, not only the Outlook on the web prompt.".to_owned());
    r
}

/// Quoted like Export-Csv, with the export's spreadsheet-formula neutralisation.
fn csv_field(value: &str) -> String {
    let guard = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        "'"
    } else {
        ""
    };
    format!("\"{guard}{}\"", value.replace('"', "\"\""))
}

fn csv_text(report: &AuditReport) -> String {
    let mut out = String::from("\"User\",\"OutlookMobileDevices\"\r\n");
    for c in &report.devices_per_user {
        let _ = write!(out, "{},\"{}\"\r\n", csv_field(&c.name), c.devices);
    }
    out
}

fn escape(text: &str) -> String {
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

fn table(title: &str, first: &str, rows: &[Count]) -> String {
    let mut t = format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th class=\"n\">Devices</th></tr></thead><tbody>",
        escape(title),
        escape(first)
    );
    for c in rows {
        let _ = write!(
            t,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&c.name),
            c.devices
        );
    }
    t.push_str("</tbody></table>");
    t
}

/// One page, no scripts, no external resources: it opens the same in a browser, a mail
/// attachment or a ticket, and a hostile device name cannot run anything.
fn html(report: &AuditReport) -> String {
    let (badge, colour) = match report.verdict.as_str() {
        "Exposed" => ("Exposed: the QR sign-in prompt is shown", "#b00020"),
        "PromptHidden" => ("Prompt hidden", "#1b6e20"),
        _ => ("Unknown", "#6b6b6b"),
    };
    let mut recs = String::new();
    for r in &report.recommendations {
        let _ = write!(recs, "<li>{}</li>", escape(r));
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Outlook QR sign-in audit: {org}</title>\
<style>body{{font-family:Segoe UI,Meiryo,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:60em}}h1{{font-size:1.5em}}h2{{font-size:1.15em;margin-top:1.6em}}\
.badge{{display:inline-block;padding:.3em .8em;border-radius:.3em;color:#fff;background:{colour}}}table{{border-collapse:collapse;min-width:24em}}th,td{{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}}\
.n{{text-align:right}}.kpi{{display:inline-block;margin-right:2em}}.kpi b{{font-size:1.6em;display:block}}small{{color:#666}}</style></head><body>\
<h1>Outlook QR-code sign-in audit: {org}</h1><p><span class=\"badge\">{badge}</span></p><p>{reason}</p>\
<p><span class=\"kpi\"><b>{devices}</b>Outlook mobile devices</span><span class=\"kpi\"><b>{users}</b>users with devices</span></p>\
<h2>Recommendations</h2><ol>{recs}</ol>{os}{top}<p><small>Generated {at} by OutlookQrGuard {version}.</small></p></body></html>\n",
        org = escape(&report.organization),
        colour = colour,
        badge = escape(badge),
        reason = escape(&report.verdict_reason),
        devices = report.outlook_mobile_devices,
        users = report.users_with_devices,
        recs = recs,
        os = table(
            "Devices by operating system",
            "Operating system",
            &report.devices_by_os
        ),
        top = table(
            "Users with the most devices",
            "User",
            &report.users_with_most_devices
        ),
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
                PromptVerdict::Exposed,
                3,
                &[Count {
                    name: "a".into(),
                    devices: 3,
                }],
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
        }
    }

    #[test]
    fn html_escapes_every_value_and_loads_nothing_external() {
        let page = html(&sample());
        assert!(page.contains("Contoso &lt;script&gt;"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(page.contains("山田 &quot;太郎&quot;"));
        assert!(page.contains("Disable-OutlookQrSignin"));
    }

    #[test]
    fn csv_quotes_every_field() {
        let text = csv_text(&sample());
        assert_eq!(
            text,
            "\"User\",\"OutlookMobileDevices\"\r\n\"山田 \"\"太郎\"\"\",\"2\"\r\n\"'=cmd\",\"1\"\r\n"
        );
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
        let exposed = recommendations(PromptVerdict::Exposed, 0, &[]);
        assert!(exposed[0].contains("Disable-OutlookQrSignin"));
        let hidden = recommendations(
            PromptVerdict::PromptHidden,
            5,
            &[Count {
                name: "u".into(),
                devices: 5,
            }],
        );
        assert!(
            hidden
                .iter()
                .any(|r| r.contains("Revoke-OutlookMobileSignin"))
        );
        assert!(hidden.iter().any(|r| r.contains("u has 5")));
    }
}
