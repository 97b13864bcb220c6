//! `GET /v1.0/groups/{id}/members?$select=id`: the member ids of a group (Conditional Access
//! exclusions name groups; the block-impact listing needs their users). Source:
//! microsoft-graph-docs-contrib, api-reference/v1.0/api/group-list-members.md (directoryObject
//! collection, `$select`, `$top`, `@odata.nextLink`; GroupMember.Read.All, Group.Read.All or
//! Directory.Read.All). Direct members only: nested groups are not expanded (members that are
//! groups are skipped by their `@odata.type`).

use serde_json::Value;

use super::directory_objects::GROUP_READ_PERMISSION;
use super::error::map_http_error;
use super::paging::{follow, get_request, parse_page};
use super::{GraphClient, GraphError};
use crate::next_link_guard::NextLinkGuard;

/// UNCONFIRMED maximum page size for directory object lists.
const PAGE_SIZE: &str = "999";
/// A group of ten million members; only a misbehaving server goes past it.
const MAX_PAGES: u64 = 10_000;

impl GraphClient {
    /// The object ids (lower case) of the users directly in `group_id`.
    pub async fn group_member_ids(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let what = format!("the members of group {group_id}");
        let mut url = self
            .environment
            .graph_url(&["groups", group_id.trim(), "members"]);
        url.query_pairs_mut()
            .append_pair("$select", "id")
            .append_pair("$top", PAGE_SIZE);
        let mut next = Some(url);
        let mut links = NextLinkGuard::new(MAX_PAGES);
        let mut out = Vec::new();
        while let Some(current) = next.take() {
            let page = self
                .http
                .send(&get_request(current), Some(&self.bearer), |r| {
                    parse_page(&r.body)
                })
                .await
                .map_err(|e| map_http_error(e, &what, GROUP_READ_PERMISSION))?;
            for item in &page.value {
                let is_user = item
                    .get("@odata.type")
                    .and_then(Value::as_str)
                    .is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"));
                if let Some(id) = item.get("id").and_then(Value::as_str)
                    && is_user
                {
                    out.push(id.trim().to_lowercase());
                }
            }
            if let Some(link) = page.next_link {
                next = Some(follow(
                    &mut links,
                    self.environment.graph_base(),
                    &link,
                    &what,
                )?);
            }
        }
        Ok(out)
    }
}
