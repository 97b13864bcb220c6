//! The report's "what enforcing would block" section: with a report-only block of authentication
//! transfer, the sign-ins it would have blocked in the last 30 days (ops::transfer_block_impact),
//! and the -Enforce recommendation that only this evidence may carry.

use std::fmt::Write as _;

use serde::Serialize;

use super::conditional_access::CaLayer;
use super::evidence::{DEFAULT_WINDOW_DAYS, EvidenceSpec};
use super::session::Session;
use super::transfer_block_impact::{self, ImpactRow, ImpactSummary};
use crate::graph::signins::filter_time;

/// Users listed in the HTML (the JSON has them all).
const HTML_ROWS: usize = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactUserRow {
    pub user_principal_name: String,
    pub app: String,
    pub sign_ins: u64,
    pub first_utc: String,
    pub last_utc: String,
    pub excluded_now: bool,
    pub break_glass: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockImpactSection {
    /// False when the sign-in logs could not be read (`reason` says why).
    pub available: bool,
    pub reason: String,
    pub window_days: i64,
    pub policies: Vec<String>,
    pub users: u64,
    pub signins: u64,
    pub excluded_users: Vec<String>,
    pub break_glass_users: Vec<String>,
    pub rows: Vec<ImpactUserRow>,
    /// The -Enforce advice with its evidence; without evidence, what to do instead.
    pub recommendation: String,
}

fn section(rows: Vec<ImpactRow>, s: ImpactSummary) -> BlockImpactSection {
    BlockImpactSection {
        available: true,
        reason: s.warnings.join(" "),
        window_days: DEFAULT_WINDOW_DAYS,
        recommendation: transfer_block_impact::recommendation(&s),
        policies: s.policies,
        users: s.users,
        signins: s.signins,
        excluded_users: s.excluded_users,
        break_glass_users: s.break_glass_users,
        rows: rows
            .into_iter()
            .map(|r| ImpactUserRow {
                user_principal_name: r.user_principal_name,
                app: r.app_display_name,
                sign_ins: r.signins,
                first_utc: filter_time(r.first),
                last_utc: filter_time(r.last),
                excluded_now: r.excluded_now,
                break_glass: r.break_glass,
            })
            .collect(),
    }
}

/// `None` unless the Conditional Access layer is report-only. Never fails: what could not be
/// read becomes an unavailable section whose recommendation does not say -Enforce.
pub async fn read(session: &Session, layer: CaLayer) -> Option<BlockImpactSection> {
    if layer != CaLayer::ReportOnly {
        return None;
    }
    Some(
        match transfer_block_impact::collect(session, &EvidenceSpec::default()).await {
            Ok((rows, summary)) => section(rows, summary),
            Err(e) => BlockImpactSection {
                available: false,
                reason: e.message.clone(),
                window_days: DEFAULT_WINDOW_DAYS,
                policies: Vec::new(),
                users: 0,
                signins: 0,
                excluded_users: Vec::new(),
                break_glass_users: Vec::new(),
                rows: Vec::new(),
                recommendation: format!(
                    "What enforcing the report-only block would break could not be read ({}). Review it with Get-OutlookQrBlockImpact before enforcing.",
                    e.message
                ),
            },
        },
    )
}

/// The HTML section; `escape` is the report's HTML escaping.
pub fn html(s: &BlockImpactSection, escape: impl Fn(&str) -> String) -> String {
    let mut out = format!(
        "<h2>What enforcing the block would break (report-only results, last {} days)</h2>",
        s.window_days
    );
    if !s.available {
        let _ = write!(out, "<p>{}</p>", escape(&s.recommendation));
        return out;
    }
    let _ = write!(
        out,
        "<p><span class=\"kpi\"><b>{}</b>users</span><span class=\"kpi\"><b>{}</b>sign-ins it would have blocked</span></p><p>{}</p>",
        s.users,
        s.signins,
        escape(&s.recommendation)
    );
    if !s.reason.is_empty() {
        let _ = write!(out, "<p><small>{}</small></p>", escape(&s.reason));
    }
    if s.rows.is_empty() {
        return out;
    }
    out.push_str("<table><thead><tr><th>User</th><th>App</th><th class=\"n\">Sign-ins</th><th>First (UTC)</th><th>Last (UTC)</th><th>Note</th></tr></thead><tbody>");
    for r in s.rows.iter().take(HTML_ROWS) {
        let note = match (r.break_glass, r.excluded_now) {
            (true, _) => "break-glass? not excluded",
            (_, true) => "excluded now",
            _ => "",
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.user_principal_name),
            escape(&r.app),
            r.sign_ins,
            escape(&r.first_utc),
            escape(&r.last_utc),
            note
        );
    }
    out.push_str("</tbody></table>");
    if s.rows.len() > HTML_ROWS {
        let _ = write!(
            out,
            "<p><small>{} more user and app pair(s): Get-OutlookQrBlockImpact lists them all.</small></p>",
            s.rows.len() - HTML_ROWS
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::device::UtcTimestamp;

    fn summary() -> ImpactSummary {
        ImpactSummary {
            policies: vec!["Block <x>".into()],
            since: UtcTimestamp::parse("2026-11-06T00:00:00Z").ok(),
            users: 1,
            signins: 3,
            break_glass_users: vec!["bg@x.com".into()],
            ..ImpactSummary::default()
        }
    }

    fn row() -> ImpactRow {
        ImpactRow {
            user_id: "u".into(),
            user_principal_name: "<script>@x.com".into(),
            user_display_name: String::new(),
            app_id: "a".into(),
            app_display_name: "Microsoft Outlook".into(),
            signins: 3,
            first: UtcTimestamp::parse("2026-11-07T01:02:03Z").unwrap(),
            last: UtcTimestamp::parse("2026-11-09T01:02:03Z").unwrap(),
            policies: vec!["Block <x>".into()],
            excluded_now: false,
            break_glass: true,
        }
    }

    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    #[test]
    fn the_section_carries_the_evidence_and_escapes_it() {
        let s = section(vec![row()], summary());
        assert!(s.recommendation.contains("-Enforce") && s.recommendation.contains("bg@x.com"));
        let h = html(&s, esc);
        assert!(h.contains("&lt;script&gt;@x.com") && !h.contains("<script>"));
        assert!(h.contains("break-glass? not excluded"));
        assert!(h.contains("2026-11-09T01:02:03Z"));
        assert!(h.contains("<b>3</b>sign-ins"));
    }
}
