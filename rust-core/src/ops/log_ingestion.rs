//! Send-OutlookQrGuardLog: builds the rows (the check, drift differences passed in, transfer
//! sign-ins) and sends them through the Logs Ingestion API with the session's credential.

use super::error::OpError;
use super::evidence::{EvidenceSpec, SigninListing, now};
use super::log_sink::{LogLevel, log};
use super::{Session, prompt};
use crate::auth::unverified_tenant_id;
use crate::cloud::Resource;
use crate::graph::signins::SignIn;
use crate::monitor::{
    Batch, IngestionTarget, LogRow, MAX_BATCH_BYTES, RecordType, batch_rows, send_batches,
};
use crate::secret::ExposeSecret;

/// One drift difference as the drift cmdlet emits it (What / From / To / Severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftInput {
    pub what: String,
    pub from: String,
    pub to: String,
    pub severity: String,
}

pub struct LogSendSpec {
    pub endpoint: String,
    pub rule_id: String,
    pub stream: String,
    pub include_check: bool,
    /// `Some`: the transfer sign-ins of that window as rows too.
    pub evidence: Option<EvidenceSpec>,
    pub drift: Vec<DriftInput>,
    /// Build and count, send nothing.
    pub what_if: bool,
    /// Bytes per request; `None` = [`MAX_BATCH_BYTES`]. Tests lower it.
    pub batch_limit: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSendOutcome {
    pub rows: u64,
    pub check_rows: u64,
    pub drift_rows: u64,
    pub evidence_rows: u64,
    pub batches: u64,
    pub bytes: u64,
    pub sent_bytes: u64,
    pub elapsed_ms: u64,
    pub what_if: bool,
    pub endpoint: String,
    pub rule_id: String,
    pub stream: String,
}

/// Checks the target first (nothing is read for a target that cannot work), then builds the
/// rows, batches them and sends them. `progress(done, total)` counts rows.
pub async fn send(
    session: &Session,
    spec: LogSendSpec,
    progress: impl FnMut(u64, u64),
) -> Result<LogSendOutcome, OpError> {
    let target = IngestionTarget::new(
        session.tokens.environment(),
        &spec.endpoint,
        &spec.rule_id,
        &spec.stream,
    )
    .map_err(|e| OpError::invalid(e.to_string()).with_target(e.parameter_value()))?;
    if matches!(
        session.tokens.credential(),
        crate::auth::Credential::AccessTokens { .. }
    ) && !spec.what_if
    {
        return Err(OpError::new(
            super::FailureKind::Authentication,
            "This session was connected with -AccessToken, which holds Exchange and Graph tokens only: connect with a certificate, client secret, managed identity or device code to send to Azure Monitor",
        )
        .with_code("NoMonitorToken"));
    }
    if !spec.include_check && spec.evidence.is_none() && spec.drift.is_empty() {
        return Err(OpError::invalid(
            "There is nothing to send: -SkipCheck leaves only drift differences piped in and -IncludeEvidence, and there are neither",
        )
        .with_code("NothingToSend"));
    }
    let rows = build_rows(session, &spec).await?;
    let counts = |t: RecordType| rows.iter().filter(|r| r.record_type == t.as_str()).count() as u64;
    let mut outcome = LogSendOutcome {
        rows: rows.len() as u64,
        check_rows: counts(RecordType::CheckResult),
        drift_rows: counts(RecordType::DriftDifference),
        evidence_rows: counts(RecordType::TransferSignin),
        what_if: spec.what_if,
        endpoint: target.url().origin().ascii_serialization(),
        rule_id: target.rule_id().to_owned(),
        stream: target.stream().to_owned(),
        ..LogSendOutcome::default()
    };
    let batches = batch_rows(&rows, spec.batch_limit.unwrap_or(MAX_BATCH_BYTES))
        .map_err(|e| OpError::invalid(e.to_string()).with_code("RowTooLarge"))?;
    outcome.batches = batches.len() as u64;
    outcome.bytes = batches.iter().map(|b| b.json.len() as u64).sum();
    if spec.what_if || batches.is_empty() {
        return Ok(outcome);
    }
    log(
        LogLevel::Info,
        format!(
            "Sending {} rows in {} batches to {} (rule {}, stream {})",
            outcome.rows, outcome.batches, outcome.endpoint, outcome.rule_id, outcome.stream
        ),
    );
    let totals = send_rows(session, &target, &batches, progress, outcome.rows).await?;
    outcome.sent_bytes = totals.sent_bytes;
    outcome.elapsed_ms = totals.elapsed_ms;
    Ok(outcome)
}

async fn send_rows(
    session: &Session,
    target: &IngestionTarget,
    batches: &[Batch],
    mut progress: impl FnMut(u64, u64),
    total: u64,
) -> Result<crate::monitor::SendTotals, OpError> {
    send_batches(
        session.tokens.http(),
        &session.tokens,
        target,
        batches,
        |done| progress(done, total),
    )
    .await
}

/// The rows, in order: the check, the drift differences, the sign-ins.
pub async fn build_rows(session: &Session, spec: &LogSendSpec) -> Result<Vec<LogRow>, OpError> {
    let time = now();
    let tenant_id = tenant_id(session).await;
    let organization = session.summary.organization.clone();
    let mut rows = Vec::new();
    if spec.include_check {
        let state = prompt::check_both(session).await?;
        let mut row = LogRow::new(RecordType::CheckResult, time, &tenant_id, &organization);
        row.verdict = Some(state.verdict.as_str().to_owned());
        row.prompt_enabled = state.prompt.prompt_enabled;
        row.conditional_access_state = Some(state.conditional_access.layer.as_str().to_owned());
        row.exposed = Some(state.exposed);
        row.blocking_policies = Some(state.conditional_access.policies.len() as u32);
        row.detail = Some(state.reason);
        rows.push(row);
    }
    for d in &spec.drift {
        if d.what.trim().is_empty() {
            return Err(OpError::invalid(
                "A drift difference without 'What' cannot be sent: pipe the objects the drift cmdlet returns (What, From, To, Severity)",
            ));
        }
        let mut row = LogRow::new(RecordType::DriftDifference, time, &tenant_id, &organization);
        row.drift_what = Some(d.what.clone());
        row.drift_from = Some(d.from.clone());
        row.drift_to = Some(d.to.clone());
        row.severity = Some(d.severity.clone());
        rows.push(row);
    }
    if let Some(evidence) = &spec.evidence {
        let mut listing = SigninListing::start(session, evidence)?;
        while let Some(page) = listing.next_page().await {
            for s in page?.events {
                rows.push(signin_row(&s, &tenant_id, &organization));
            }
        }
    }
    Ok(rows)
}

fn signin_row(s: &SignIn, tenant_id: &str, organization: &str) -> LogRow {
    let mut row = LogRow::new(
        RecordType::TransferSignin,
        s.created,
        tenant_id,
        organization,
    );
    let text = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    row.user_principal_name = text(&s.user_principal_name);
    row.user_id = text(&s.user_id);
    row.app_id = text(&s.app_id);
    row.app_display_name = text(&s.app_display_name);
    row.ip_address = text(&s.ip_address);
    let place: Vec<&str> = [s.city.as_str(), s.state.as_str(), s.country.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    row.location = (!place.is_empty()).then(|| place.join(", "));
    row.signin_id = text(&s.id);
    row.correlation_id = text(&s.correlation_id);
    row.succeeded = Some(s.succeeded());
    row
}

/// The directory's id, from the Exchange token's `tid` (already cached by connect); the typed
/// tenant when the token does not say.
async fn tenant_id(session: &Session) -> String {
    match session.tokens.token(Resource::Exchange).await {
        Ok(t) => unverified_tenant_id(t.expose_secret())
            .map(|id| id.to_string())
            .unwrap_or_else(|| session.summary.tenant.clone()),
        Err(_) => session.summary.tenant.clone(),
    }
}
