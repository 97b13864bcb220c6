//! Send-OutlookQrGuardLog's wire shapes to and from the operation's.

use super::convert::ticks;
use super::types::{LogSendRequest, LogSendSummary};
use crate::ops::OpError;
use crate::ops::evidence::EvidenceSpec;
use crate::ops::log_ingestion::{DriftInput, LogSendOutcome, LogSendSpec};

pub fn log_send_spec(r: LogSendRequest) -> Result<LogSendSpec, OpError> {
    let evidence = if r.include_evidence {
        Some(EvidenceSpec {
            since: ticks(r.evidence_since_ticks, "-EvidenceSince")?,
            ..EvidenceSpec::default()
        })
    } else {
        None
    };
    Ok(LogSendSpec {
        endpoint: r.endpoint,
        rule_id: r.rule_id,
        stream: r.stream,
        include_check: r.include_check,
        evidence,
        drift: r
            .drift
            .into_iter()
            .map(|d| DriftInput {
                what: d.what,
                from: d.from_value,
                to: d.to_value,
                severity: d.severity,
            })
            .collect(),
        what_if: r.what_if,
        batch_limit: None,
    })
}

pub fn log_send_summary(o: LogSendOutcome) -> LogSendSummary {
    LogSendSummary {
        rows: o.rows,
        check_rows: o.check_rows,
        drift_rows: o.drift_rows,
        evidence_rows: o.evidence_rows,
        batches: o.batches,
        bytes: o.bytes,
        sent_bytes: o.sent_bytes,
        elapsed_ms: o.elapsed_ms,
        what_if: o.what_if,
        endpoint: o.endpoint,
        rule_id: o.rule_id,
        stream: o.stream,
    }
}
