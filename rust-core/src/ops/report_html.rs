//! Building blocks of the HTML report: the page frame (Content-Security-Policy, screen and print
//! styles), collapsed long tables, and the report's charts fed from its data. `report::html`
//! composes them; a new section is one more string in its list.

use std::fmt::Write as _;

use super::report::{AuditReport, escape};
use super::report_charts::{self, DayValue, Layer, Tone};
use super::report_numbers::NumberFormat;

/// Rows a table shows before the rest is folded away.
pub const VISIBLE_ROWS: usize = 10;
/// Rows a table carries at most, folded or not; the JSON (and CSV) have them all.
pub const MAX_ROWS: usize = 1000;

/// No script may run and nothing may load: the page is data only, whatever a device or policy
/// name holds. `img-src data:` is the only exception (none is used today). The browser enforces
/// it (a `<meta http-equiv>` CSP applies to everything after it:
/// https://www.w3.org/TR/CSP3/#meta-element), so it comes first in `<head>`.
pub const CSP_META: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">";

/// Screen and print styles. In print the folded rows unfold, the "show all" summary goes, and
/// charts and rows are not cut by a page break. Unfolding uses `::details-content`
/// (https://drafts.csswg.org/css-pseudo-4/#details-content-pseudo; Chrome/Edge 131, Firefox 143,
/// Safari 18.4 per MDN); the `details:not([open])>…{display:block}` rule is a best effort for
/// older engines (UNCONFIRMED which honour it). tests/pester/ReportRender.Tests.ps1 checks it in
/// Chromium by counting printed pages.
pub fn stylesheet(badge_colour: &str) -> String {
    format!(
        "body{{font-family:Segoe UI,Meiryo,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:60em}}h1{{font-size:1.5em}}h2{{font-size:1.15em;margin-top:1.6em}}\
.badge{{display:inline-block;padding:.3em .8em;border-radius:.3em;color:#fff;background:{badge_colour}}}table{{border-collapse:collapse;min-width:24em}}th,td{{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}}\
.n{{text-align:right;font-variant-numeric:tabular-nums}}.kpi{{display:inline-block;margin-right:2em}}.kpi b{{font-size:1.6em;display:block}}small,.note{{color:#666}}\
figure{{margin:1em 0}}figcaption{{color:#444;font-size:.9em;margin-top:.3em}}svg.chart{{max-width:100%;height:auto;font-size:12px}}\
svg .bar{{fill:#3867a8}}svg .grid{{stroke:#e3e3e3}}svg .baseline{{stroke:#888}}svg .axis,svg .value,svg .label{{fill:#333}}svg .empty{{fill:#888}}\
svg .layer{{stroke-width:2}}svg .layer.open{{fill:#fde8ea;stroke:#b00020}}svg .layer.partial{{fill:#fff3dc;stroke:#8a5a00}}svg .layer.closed{{fill:#e6f4e7;stroke:#1b6e20}}svg .layer.unknown{{fill:#f0f0f0;stroke:#6b6b6b}}\
svg .layer-name{{font-weight:bold;fill:#222}}svg .layer-setting{{font-family:Consolas,monospace;font-size:11px;fill:#333}}svg .layer-note{{font-style:italic;fill:#666}}\
svg .layer-state{{font-weight:bold;font-size:14px}}svg .layer-state.open{{fill:#b00020}}svg .layer-state.partial{{fill:#8a5a00}}svg .layer-state.closed{{fill:#1b6e20}}svg .layer-state.unknown{{fill:#444}}\
svg .flow{{stroke:#666;stroke-width:2}}svg .arrowhead{{fill:#666}}details{{margin:.4em 0}}summary{{cursor:pointer;color:#3867a8}}\
@media print{{body{{margin:0;max-width:none;color:#000}}.badge,svg{{print-color-adjust:exact;-webkit-print-color-adjust:exact}}\
details>summary{{display:none}}details::details-content{{content-visibility:visible;display:contents}}details:not([open])>:not(summary){{display:block}}\
figure,svg.chart,tr,.kpi{{break-inside:avoid}}h2{{break-after:avoid}}}}"
    )
}

/// A table of `rows` (each a rendered `<tr>`) whose first [`VISIBLE_ROWS`] show and the rest,
/// up to [`MAX_ROWS`], fold into a `<details>` (no script needed to open it); `full_data` says
/// where every row is (e.g. "the JSON report").
pub fn collapsible_table(
    head: &str,
    rows: &[String],
    numbers: NumberFormat,
    full_data: &str,
) -> String {
    let mut out = format!("<table><thead>{head}</thead><tbody>");
    for row in rows.iter().take(VISIBLE_ROWS) {
        out.push_str(row);
    }
    out.push_str("</tbody></table>");
    if rows.len() > VISIBLE_ROWS {
        let shown = rows.len().min(MAX_ROWS);
        let _ = write!(
            out,
            "<details class=\"more\"><summary>Show all {} rows</summary><table class=\"continued\"><thead>{head}</thead><tbody>",
            numbers.format(shown as u64)
        );
        for row in &rows[VISIBLE_ROWS..shown] {
            out.push_str(row);
        }
        out.push_str("</tbody></table></details>");
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            if rows.len() > MAX_ROWS {
                format!(
                    "This page lists the first {} of {} rows; all of them are in {}.",
                    numbers.format(MAX_ROWS as u64),
                    numbers.format(rows.len() as u64),
                    escape(full_data)
                )
            } else {
                format!("The full data is also in {}.", escape(full_data))
            }
        );
    }
    out
}

/// The three layers a QR-code sign-in passes, as the report found them.
pub fn layers_figure(report: &AuditReport) -> String {
    let (prompt, prompt_tone) = match report.prompt_enabled {
        Some(true) => ("Shown", Tone::Open),
        Some(false) => ("Hidden", Tone::Closed),
        None => ("Unknown", Tone::Unknown),
    };
    let (owa, owa_tone) = match report.owa_mailbox_policies.state.as_str() {
        "On" => ("On", Tone::Open),
        "Off" => ("Off in every policy", Tone::Closed),
        _ => ("Unknown", Tone::Unknown),
    };
    let (ca, ca_tone) = match report.conditional_access.state.as_str() {
        "Blocked" => ("Enforced", Tone::Closed),
        "BlockedWithExclusions" => ("Enforced, with exclusions", Tone::Partial),
        "ReportOnly" => ("Report-only (not blocking)", Tone::Open),
        "NotBlocked" => ("None", Tone::Open),
        _ => ("Unknown", Tone::Unknown),
    };
    let layers = [
        Layer {
            name: "Prompt in Outlook on the web",
            setting: "MobileAppEducationEnabled",
            note: "",
            state: prompt,
            tone: prompt_tone,
        },
        Layer {
            name: "OWA mailbox policies",
            setting: "AccountTransferEnabled",
            note: "semi-documented",
            state: owa,
            tone: owa_tone,
        },
        Layer {
            name: "Conditional Access",
            setting: "Authentication transfer block",
            note: "Entra ID",
            state: ca,
            tone: ca_tone,
        },
    ];
    format!(
        "<h2>The three layers</h2><figure>{}<figcaption>Red: the layer lets the QR-code sign-in through; amber: it stops it with exceptions; green: it stops it; grey: unknown. The state is written in each box.</figcaption></figure>",
        report_charts::layers_diagram(
            "chart-layers",
            "The layers a QR-code sign-in passes, and their states",
            &layers
        )
    )
}

/// Sign-ins per day, or nothing when the logs could not be read (the evidence section says why).
pub fn signins_figure(report: &AuditReport, numbers: NumberFormat) -> String {
    let e = &report.evidence;
    if !e.available {
        return String::new();
    }
    let days: Vec<DayValue<'_>> = e
        .per_day
        .iter()
        .map(|d| DayValue {
            date: &d.date,
            value: d.signins,
        })
        .collect();
    format!(
        "<figure>{}<figcaption>QR-code sign-ins (authentication transfer) per UTC day, last {} days.</figcaption></figure>",
        report_charts::daily_bars(
            "chart-signins-per-day",
            "QR-code sign-ins per day",
            &days,
            numbers
        ),
        numbers.format(e.window_days.max(0) as u64)
    )
}

/// Devices per operating system family.
pub fn devices_by_os_figure(report: &AuditReport, numbers: NumberFormat) -> String {
    let rows: Vec<(&str, u64)> = report
        .devices_by_os
        .iter()
        .map(|c| (c.name.as_str(), c.devices))
        .collect();
    format!(
        "<figure>{}<figcaption>Outlook for iOS and Android devices per operating system.</figcaption></figure>",
        report_charts::labelled_bars(
            "chart-devices-by-os",
            "Outlook mobile devices by operating system",
            "devices",
            &rows,
            numbers
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("<tr><td>u{i}</td></tr>")).collect()
    }

    #[test]
    fn short_tables_are_not_folded() {
        let t = collapsible_table(
            "<tr><th>User</th></tr>",
            &rows(10),
            NumberFormat::INVARIANT,
            "the JSON report",
        );
        assert_eq!(t.matches("<tr><td>").count(), 10);
        assert!(!t.contains("<details"));
    }

    #[test]
    fn long_tables_show_the_first_rows_and_fold_the_rest() {
        let t = collapsible_table(
            "<tr><th>User</th></tr>",
            &rows(25),
            NumberFormat::INVARIANT,
            "the JSON report",
        );
        let (visible, folded) = t.split_once("<details").unwrap_or_default();
        assert_eq!(visible.matches("<tr><td>").count(), 10);
        assert_eq!(folded.matches("<tr><td>").count(), 15);
        assert!(folded.contains("<summary>Show all 25 rows</summary>"));
        assert!(folded.contains("<thead><tr><th>User</th></tr></thead>"));
        assert!(t.contains("The full data is also in the JSON report."));
    }

    #[test]
    fn very_long_tables_are_capped_and_say_so() {
        let t = collapsible_table(
            "<tr><th>User</th></tr>",
            &rows(2500),
            NumberFormat::for_culture("de-DE"),
            "the CSV report",
        );
        assert_eq!(t.matches("<tr><td>").count(), MAX_ROWS);
        assert!(t.contains("Show all 1.000 rows"));
        assert!(t.contains("the first 1.000 of 2.500 rows; all of them are in the CSV report."));
    }

    #[test]
    fn the_stylesheet_unfolds_and_keeps_charts_whole_in_print() {
        let css = stylesheet("#000");
        let print = css
            .split_once("@media print{")
            .map(|p| p.1)
            .unwrap_or_default();
        assert!(print.contains("details>summary{display:none}"));
        assert!(print.contains("details::details-content{content-visibility:visible"));
        assert!(print.contains("svg.chart") && print.contains("break-inside:avoid"));
    }
}
