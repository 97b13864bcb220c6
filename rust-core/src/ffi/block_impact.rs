//! Conversions of the block-impact listing (ops::transfer_block_impact) to its FFI types.

use super::types::{BlockImpactRow, BlockImpactSummary};
use crate::ops::transfer_block_impact::{ImpactRow, ImpactSummary, recommendation};

pub fn row(r: ImpactRow) -> BlockImpactRow {
    BlockImpactRow {
        user_id: r.user_id,
        user_principal_name: r.user_principal_name,
        user_display_name: r.user_display_name,
        app_id: r.app_id,
        app_display_name: r.app_display_name,
        signins: r.signins,
        first_ticks: r.first.ticks(),
        last_ticks: r.last.ticks(),
        policies: r.policies,
        excluded_now: r.excluded_now,
        break_glass: r.break_glass,
    }
}

pub fn summary(s: ImpactSummary) -> BlockImpactSummary {
    let text = recommendation(&s);
    BlockImpactSummary {
        since_ticks: s.since.map_or(0, |t| t.ticks()),
        until_ticks: s.until.map(|t| t.ticks()),
        policies: s.policies,
        users: s.users,
        signins: s.signins,
        rows: s.rows,
        excluded_users: s.excluded_users,
        break_glass_users: s.break_glass_users,
        events_read: s.events_read,
        events_without_policy_data: s.events_without_policy_data,
        events_hidden_result: s.events_hidden_result,
        pages_read: s.pages,
        server_side_filter: s.server_side_filter,
        warnings: s.warnings,
        recommendation: text,
    }
}

/// The summary of a listing still running (no recommendation yet).
pub fn empty_summary() -> BlockImpactSummary {
    BlockImpactSummary {
        policies: Vec::new(),
        since_ticks: 0,
        until_ticks: None,
        users: 0,
        signins: 0,
        rows: 0,
        excluded_users: Vec::new(),
        break_glass_users: Vec::new(),
        events_read: 0,
        events_without_policy_data: 0,
        events_hidden_result: 0,
        pages_read: 0,
        server_side_filter: true,
        warnings: Vec::new(),
        recommendation: String::new(),
    }
}
