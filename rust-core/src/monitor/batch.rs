//! Rows into JSON arrays no larger than the request size limit.
//!
//! The service refuses a call above 1 MB, "both compressed and uncompressed data"
//! (MicrosoftDocs/azure-monitor-docs, service-limits "Logs Ingestion API": Maximum size of API
//! call 1 MB), with 413 `ContentLengthLimitExceeded` "Maximum allowed content length: 1048576
//! bytes (1 MB)." (Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.Ingestion/tests/
//! IngestionClientTest.cs, GreaterThan1MbData). Microsoft's .NET client cuts its arrays at
//! 1,000,000 bytes of uncompressed JSON before gzipping them (LogsIngestionClient.cs,
//! `SingleUploadThreshold = 1000000`, `Batch<T>`); we do the same, measured exactly on the
//! bytes sent. Unlike that client, which sends a single oversized entry alone (and lets the
//! service refuse it), a row that cannot fit is an error naming it, before anything is sent.

use super::rows::LogRow;

/// Uncompressed bytes per request (Azure.Monitor.Ingestion's `SingleUploadThreshold`).
pub const MAX_BATCH_BYTES: usize = 1_000_000;

/// One request body: a JSON array of `rows` rows, `json.len()` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub json: Vec<u8>,
    pub rows: usize,
    /// Index (0-based, in the input) of the batch's first row.
    pub first_row: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BatchError {
    #[error(
        "row {number} ({what}) is {bytes} bytes of JSON, more than the {limit} bytes one Logs Ingestion API call may carry; it was not sent (nor any other row)"
    )]
    RowTooLarge {
        /// 1-based, as an admin counts.
        number: usize,
        what: String,
        bytes: usize,
        limit: usize,
    },
    #[error("a row could not be written as JSON: {0}")]
    Serialize(String),
}

/// Splits `rows` in order into arrays of at most `limit` bytes (brackets and commas counted).
pub fn batch_rows(rows: &[LogRow], limit: usize) -> Result<Vec<Batch>, BatchError> {
    let mut batches = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut count = 0usize;
    let mut first_row = 0usize;
    for (index, row) in rows.iter().enumerate() {
        let json = serde_json::to_vec(row).map_err(|e| BatchError::Serialize(e.to_string()))?;
        // Alone it needs `[` and `]`.
        if json.len() + 2 > limit {
            return Err(BatchError::RowTooLarge {
                number: index + 1,
                what: row.describe(),
                bytes: json.len(),
                limit,
            });
        }
        // Appending costs a comma (or the opening bracket) plus the closing bracket.
        let needed = current.len().max(1) + 1 + json.len() + 1;
        if count > 0 && needed > limit {
            current.push(b']');
            batches.push(Batch {
                json: std::mem::take(&mut current),
                rows: count,
                first_row,
            });
            count = 0;
        }
        if count == 0 {
            current.push(b'[');
            first_row = index;
        } else {
            current.push(b',');
        }
        current.extend_from_slice(&json);
        count += 1;
    }
    if count > 0 {
        current.push(b']');
        batches.push(Batch {
            json: current,
            rows: count,
            first_row,
        });
    }
    Ok(batches)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::device::UtcTimestamp;
    use crate::monitor::rows::RecordType;

    fn row(detail_len: usize) -> LogRow {
        LogRow {
            detail: Some("x".repeat(detail_len)),
            ..LogRow::new(
                RecordType::CheckResult,
                UtcTimestamp::from_unix_millis(0).unwrap(),
                "t",
                "o",
            )
        }
    }

    fn row_len(r: &LogRow) -> usize {
        serde_json::to_vec(r).unwrap().len()
    }

    #[test]
    fn every_batch_is_a_json_array_under_the_limit_and_no_row_is_lost() {
        let rows: Vec<LogRow> = (0..500).map(|i| row(i * 7 % 3000)).collect();
        let batches = batch_rows(&rows, 50_000).unwrap();
        assert!(batches.len() > 1);
        let mut seen = 0;
        for b in &batches {
            assert!(b.json.len() <= 50_000, "{}", b.json.len());
            let parsed: Vec<serde_json::Value> = serde_json::from_slice(&b.json).unwrap();
            assert_eq!(parsed.len(), b.rows);
            assert_eq!(b.first_row, seen);
            assert_eq!(parsed[0], serde_json::to_value(&rows[seen]).unwrap());
            seen += b.rows;
        }
        assert_eq!(seen, rows.len());
    }

    #[test]
    fn rows_exactly_at_the_limit_fit_and_one_byte_more_splits() {
        let r = row(100);
        let n = row_len(&r);
        // Two rows: `[` + n + `,` + n + `]`.
        let exact = 2 * n + 3;
        let batches = batch_rows(&[r.clone(), r.clone()], exact).unwrap();
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].json.len(), exact);
        let batches = batch_rows(&[r.clone(), r.clone()], exact - 1).unwrap();
        assert_eq!(batches.len(), 2);
        assert!(batches.iter().all(|b| b.json.len() == n + 2 && b.rows == 1));
        // One row alone exactly at the limit is sent.
        let batches = batch_rows(std::slice::from_ref(&r), n + 2).unwrap();
        assert_eq!(batches[0].json.len(), n + 2);
    }

    #[test]
    fn a_row_over_the_limit_is_an_error_naming_it() {
        let small = row(10);
        let mut big = row(2000);
        big.record_type = "DriftDifference".into();
        big.drift_what = Some("OwaMailboxPolicy-Default.AccountTransferEnabled".into());
        let n = row_len(&big);
        let e = batch_rows(&[small.clone(), small, big], n + 1).unwrap_err();
        assert_eq!(
            e,
            BatchError::RowTooLarge {
                number: 3,
                what: "DriftDifference 'OwaMailboxPolicy-Default.AccountTransferEnabled'".into(),
                bytes: n,
                limit: n + 1,
            }
        );
        let m = e.to_string();
        assert!(
            m.contains("row 3") && m.contains("AccountTransferEnabled"),
            "{m}"
        );
    }

    #[test]
    fn the_default_limit_gives_megabyte_arrays() {
        let rows: Vec<LogRow> = (0..3000).map(|_| row(900)).collect();
        let batches = batch_rows(&rows, MAX_BATCH_BYTES).unwrap();
        assert!(batches.len() >= 3);
        assert!(batches.iter().all(|b| b.json.len() <= MAX_BATCH_BYTES));
        // Full batches are close to the limit (within one row).
        assert!(batches[0].json.len() > MAX_BATCH_BYTES - row_len(&rows[0]) - 2);
        assert!(batch_rows(&[], MAX_BATCH_BYTES).unwrap().is_empty());
    }
}
