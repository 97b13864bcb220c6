//! The rows, one flat record per fact, all in one custom table (`OutlookQrGuard_CL`).
//!
//! Column names follow the Logs Ingestion API's rules (MicrosoftDocs/azure-monitor-docs
//! articles/azure-monitor/logs/logs-ingestion-api-overview.md, "Supported tables" note: start
//! with a letter, up to 45 letters, digits and `_`; `TenantId`, `Type`, `id`, `Title`,
//! `UniqueId`, `_ResourceId`, `_SubscriptionId` are reserved). So the tenant is `EntraTenantId`
//! and the drift columns are `DriftWhat` / `DriftFrom` / `DriftTo`. Absent values are left out
//! of the JSON (the column is empty in the table). The README's stream declaration lists every
//! column with its type; a test keeps the two in step.

use serde::Serialize;

use crate::device::UtcTimestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RecordType {
    CheckResult,
    DriftDifference,
    TransferSignin,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::CheckResult => "CheckResult",
            RecordType::DriftDifference => "DriftDifference",
            RecordType::TransferSignin => "TransferSignin",
        }
    }
}

/// One row. `TimeGenerated` is the check's time (CheckResult, DriftDifference) or the
/// sign-in's own time (TransferSignin).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct LogRow {
    pub time_generated: String,
    pub entra_tenant_id: String,
    pub organization: String,
    pub record_type: String,
    pub module_version: String,
    // CheckResult
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditional_access_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking_policies: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    // DriftDifference
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_what: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    // TransferSignin
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signin_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<bool>,
}

/// The table's columns and Log Analytics types, in the order the README's DCR declares them.
pub const COLUMNS: [(&str, &str); 24] = [
    ("TimeGenerated", "datetime"),
    ("EntraTenantId", "string"),
    ("Organization", "string"),
    ("RecordType", "string"),
    ("ModuleVersion", "string"),
    ("Verdict", "string"),
    ("PromptEnabled", "boolean"),
    ("ConditionalAccessState", "string"),
    ("Exposed", "boolean"),
    ("BlockingPolicies", "int"),
    ("Detail", "string"),
    ("DriftWhat", "string"),
    ("DriftFrom", "string"),
    ("DriftTo", "string"),
    ("Severity", "string"),
    ("UserPrincipalName", "string"),
    ("UserId", "string"),
    ("AppId", "string"),
    ("AppDisplayName", "string"),
    ("IpAddress", "string"),
    ("Location", "string"),
    ("SigninId", "string"),
    ("CorrelationId", "string"),
    ("Succeeded", "boolean"),
];

impl LogRow {
    /// The fields every row has.
    pub fn new(
        record_type: RecordType,
        time: UtcTimestamp,
        tenant_id: &str,
        organization: &str,
    ) -> LogRow {
        LogRow {
            time_generated: time.to_string(),
            entra_tenant_id: tenant_id.to_owned(),
            organization: organization.to_owned(),
            record_type: record_type.as_str().to_owned(),
            module_version: crate::build_info::VERSION.to_owned(),
            ..LogRow::default()
        }
    }

    /// Names the row in an error (a row too large to send): its type and key.
    pub fn describe(&self) -> String {
        let key = match self.record_type.as_str() {
            "DriftDifference" => self.drift_what.clone(),
            "TransferSignin" => self
                .signin_id
                .clone()
                .map(|id| format!("{} {id}", self.user_principal_name.as_deref().unwrap_or(""))),
            _ => None,
        };
        match key {
            Some(k) => format!("{} '{}'", self.record_type, k.trim()),
            None => self.record_type.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn serialized_names_are_the_declared_columns_and_none_reserved() {
        let full = LogRow {
            verdict: Some(String::new()),
            prompt_enabled: Some(true),
            conditional_access_state: Some(String::new()),
            exposed: Some(true),
            blocking_policies: Some(1),
            detail: Some(String::new()),
            drift_what: Some(String::new()),
            drift_from: Some(String::new()),
            drift_to: Some(String::new()),
            severity: Some(String::new()),
            user_principal_name: Some(String::new()),
            user_id: Some(String::new()),
            app_id: Some(String::new()),
            app_display_name: Some(String::new()),
            ip_address: Some(String::new()),
            location: Some(String::new()),
            signin_id: Some(String::new()),
            correlation_id: Some(String::new()),
            succeeded: Some(true),
            ..LogRow::new(
                RecordType::CheckResult,
                UtcTimestamp::from_unix_millis(0).unwrap(),
                "t",
                "o",
            )
        };
        let value = serde_json::to_value(&full).unwrap();
        let names: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let declared: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, declared);
        for reserved in ["TenantId", "Type", "id", "Title", "UniqueId", "_ResourceId"] {
            assert!(
                !names.iter().any(|n| n.eq_ignore_ascii_case(reserved)),
                "{reserved}"
            );
        }
        for n in names {
            assert!(
                n.len() <= 45 && n.chars().next().unwrap().is_ascii_alphabetic(),
                "{n}"
            );
        }
        assert_eq!(value["TimeGenerated"], "1970-01-01T00:00:00.0000000Z");
    }

    #[test]
    fn the_readme_declares_every_column_with_its_type() {
        let readme = include_str!("../../../README.md");
        for (name, ty) in COLUMNS {
            let declared = format!(r#"{{ "name": "{name}", "type": "{ty}" }}"#);
            assert!(readme.contains(&declared), "README lacks {declared}");
            assert!(
                readme.contains(&format!("| `{name}` | {ty} |")),
                "README table lacks {name}"
            );
        }
    }

    #[test]
    fn absent_values_are_left_out() {
        let row = LogRow::new(
            RecordType::DriftDifference,
            UtcTimestamp::from_unix_millis(0).unwrap(),
            "t",
            "o",
        );
        let text = serde_json::to_string(&row).unwrap();
        assert!(
            !text.contains("Verdict") && !text.contains("null"),
            "{text}"
        );
        assert!(text.contains(r#""RecordType":"DriftDifference""#), "{text}");
    }
}
