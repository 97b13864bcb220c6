//! The fleet page (Get-OutlookQrGuardReport -FleetRow): one table over many tenants, worst
//! first, as self-contained HTML (nothing loaded from elsewhere) or JSON. Shares only the HTML
//! escaping with the single-tenant report.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::error::{FailureKind, OpError};
use super::fleet::{FleetRow, severity};
use super::report::{ReportFormat, escape};
use crate::export::AtomicCsvFile;

pub struct FleetReportSpec {
    pub format: ReportFormat,
    /// `None`: return the text instead of writing a file.
    pub path: Option<PathBuf>,
    pub overwrite: bool,
}

pub struct FleetReportOutcome {
    pub text: String,
    pub path: Option<PathBuf>,
    pub tenants: u64,
    /// Tenants whose verdict leaves the QR sign-in usable (Exposed, ReportOnly, Unknown, Error).
    pub tenants_at_risk: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FleetDocument<'a> {
    generated_at_utc: String,
    tenants: usize,
    tenants_at_risk: u64,
    rows: &'a [FleetRow],
}

/// Still open to a QR sign-in (or not known to be closed).
fn at_risk(verdict: &str) -> bool {
    !matches!(
        verdict,
        "Blocked" | "BlockedWithExclusions" | "PromptHidden"
    )
}

/// Worst first, then by organization (or tenant) name.
pub fn sort_worst_first(rows: &mut [FleetRow]) {
    rows.sort_by(|a, b| {
        severity(&a.verdict)
            .cmp(&severity(&b.verdict))
            .then_with(|| name(a).to_lowercase().cmp(&name(b).to_lowercase()))
    });
}

fn name(row: &FleetRow) -> &str {
    if row.organization.is_empty() {
        &row.tenant
    } else {
        &row.organization
    }
}

pub fn build(
    mut rows: Vec<FleetRow>,
    spec: FleetReportSpec,
) -> Result<FleetReportOutcome, OpError> {
    if spec.format == ReportFormat::Csv {
        return Err(OpError::invalid(
            "The fleet report is Html or Json; for a CSV, pipe the fleet rows to Export-Csv",
        )
        .with_code("UnsupportedFleetFormat")
        .with_target("Csv"));
    }
    let file = match &spec.path {
        Some(path) => Some(AtomicCsvFile::create(path, spec.overwrite, false)?),
        None => None,
    };
    sort_worst_first(&mut rows);
    let tenants_at_risk = rows.iter().filter(|r| at_risk(&r.verdict)).count() as u64;
    let generated_at_utc = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let text = match spec.format {
        ReportFormat::Json => serde_json::to_string_pretty(&FleetDocument {
            generated_at_utc,
            tenants: rows.len(),
            tenants_at_risk,
            rows: &rows,
        })
        .map_err(|e| OpError::new(FailureKind::Internal, e.to_string()))?,
        _ => html(&rows, tenants_at_risk, &generated_at_utc),
    };
    let path = match file {
        Some(mut file) => {
            file.write_all(text.as_bytes())
                .map_err(|e| OpError::new(FailureKind::Io, e.to_string()))?;
            Some(file.commit()?)
        }
        None => None,
    };
    Ok(FleetReportOutcome {
        text,
        path,
        tenants: rows.len() as u64,
        tenants_at_risk,
    })
}

fn colour(verdict: &str) -> &'static str {
    match verdict {
        "Exposed" | "ReportOnly" | "Error" => "#b00020",
        "PromptHidden" | "BlockedWithExclusions" => "#8a5a00",
        "Blocked" => "#1b6e20",
        _ => "#6b6b6b",
    }
}

fn html(rows: &[FleetRow], at_risk: u64, generated: &str) -> String {
    let mut body = String::new();
    for r in rows {
        let blocked = match r.would_be_blocked_users {
            Some(n) => n.to_string(),
            None => "—".to_owned(),
        };
        let errors = if r.errors.is_empty() {
            String::new()
        } else {
            let mut list = String::from("<ul>");
            for e in &r.errors {
                let _ = write!(list, "<li>{}</li>", escape(e));
            }
            list.push_str("</ul>");
            list
        };
        let _ = write!(
            body,
            "<tr><td>{org}{tenant}</td><td><span class=\"badge\" style=\"background:{c}\">{verdict}</span></td>\
<td>{prompt}</td><td>{ca}</td><td>{owa}</td><td class=\"n\">{users}</td><td class=\"n\">{signins}</td><td class=\"t\">{newest}</td>\
<td class=\"n\" title=\"{note}\">{blocked}</td><td class=\"n\">{ms}</td><td class=\"e\">{errors}</td></tr>",
            org = escape(name(r)),
            // The tenant as connected, when it differs from the organization's name.
            tenant = if r.tenant.eq_ignore_ascii_case(name(r)) {
                String::new()
            } else {
                format!("<br><small>{}</small>", escape(&r.tenant))
            },
            c = colour(&r.verdict),
            verdict = escape(&r.verdict),
            prompt = escape(&r.prompt),
            ca = escape(&r.conditional_access),
            owa = escape(&r.owa_account_transfer),
            users = if r.evidence_available {
                r.transfer_users.to_string()
            } else {
                "—".to_owned()
            },
            signins = if r.evidence_available {
                r.transfer_signins.to_string()
            } else {
                "—".to_owned()
            },
            newest = escape(&r.newest_transfer_utc),
            note = escape(&r.would_be_blocked_note),
            blocked = blocked,
            ms = r.elapsed_ms,
            errors = errors,
        );
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Outlook QR sign-in: {n} tenants</title>\
<style>body{{font-family:Segoe UI,Meiryo,Helvetica,Arial,sans-serif;margin:2em;color:#222}}h1{{font-size:1.5em}}\
.badge{{display:inline-block;padding:.2em .6em;border-radius:.3em;color:#fff}}table{{border-collapse:collapse;width:100%}}.t{{white-space:nowrap}}.e{{min-width:24em;font-size:.9em}}th,td{{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}}\
.n{{text-align:right}}.kpi{{display:inline-block;margin-right:2em}}.kpi b{{font-size:1.6em;display:block}}small{{color:#666}}ul{{margin:0;padding-left:1.2em}}</style></head><body>\
<h1>Outlook QR-code sign-in across {n} tenants</h1>\
<p><span class=\"kpi\"><b>{n}</b>tenants</span><span class=\"kpi\"><b>{at_risk}</b>still open to a QR sign-in (or not known)</span></p>\
<table><thead><tr><th>Organization</th><th>Verdict</th><th>Prompt</th><th>Conditional Access</th><th>OWA AccountTransferEnabled</th>\
<th class=\"n\">Transfer users (30 d)</th><th class=\"n\">Transfer sign-ins</th><th>Newest</th><th class=\"n\">Would be blocked</th><th class=\"n\">ms</th><th>Errors</th></tr></thead>\
<tbody>{body}</tbody></table><p><small>Worst first. Generated {at} by OutlookQrGuard {version}.</small></p></body></html>\n",
        n = rows.len(),
        at_risk = at_risk,
        body = body,
        at = escape(generated),
        version = crate::build_info::VERSION,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(org: &str, verdict: &str) -> FleetRow {
        FleetRow {
            tenant: format!("{}.onmicrosoft.com", org.to_lowercase()),
            organization: org.to_owned(),
            verdict: verdict.to_owned(),
            prompt: "Exposed".into(),
            conditional_access: "NotBlocked".into(),
            owa_account_transfer: "On".into(),
            evidence_available: true,
            transfer_users: 2,
            transfer_signins: 5,
            newest_transfer_utc: "2026-12-01T00:00:00Z".into(),
            would_be_blocked_users: None,
            would_be_blocked_note: "pending".into(),
            errors: Vec::new(),
            started_after_ms: 0,
            elapsed_ms: 12,
        }
    }

    #[test]
    fn the_page_lists_every_tenant_worst_first_and_escapes_everything() {
        let mut evil = row("<script>alert(1)</script>", "Error");
        evil.errors.push("AADSTS700016 <b>".into());
        let rows = vec![
            row("Blocked Co", "Blocked"),
            row("Exposed Co", "Exposed"),
            evil,
        ];
        let out = build(
            rows,
            FleetReportSpec {
                format: ReportFormat::Html,
                path: None,
                overwrite: false,
            },
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.tenants, 3);
        assert_eq!(out.tenants_at_risk, 2);
        assert!(!out.text.contains("<script>") && out.text.contains("&lt;script&gt;"));
        assert!(out.text.contains("AADSTS700016 &lt;b&gt;"));
        let (e, x, b) = (
            out.text.find("&lt;script").unwrap_or(usize::MAX),
            out.text.find("Exposed Co").unwrap_or(usize::MAX),
            out.text.find("Blocked Co").unwrap_or(usize::MAX),
        );
        assert!(e < x && x < b, "worst first: {e} {x} {b}");
        assert!(!out.text.contains("http://") && !out.text.contains("https://"));
    }

    #[test]
    fn json_holds_the_rows_and_csv_is_refused() {
        let out = build(
            vec![row("A", "Exposed")],
            FleetReportSpec {
                format: ReportFormat::Json,
                path: None,
                overwrite: false,
            },
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let v: serde_json::Value = serde_json::from_str(&out.text).unwrap_or_default();
        assert_eq!(v["tenants"], 1);
        assert_eq!(v["rows"][0]["verdict"], "Exposed");
        assert!(v["rows"][0]["wouldBeBlockedUsers"].is_null());
        let csv = build(
            Vec::new(),
            FleetReportSpec {
                format: ReportFormat::Csv,
                path: None,
                overwrite: false,
            },
        );
        assert!(csv.is_err());
    }
}
