//! Sign-in logs (`GET /beta/auditLogs/signIns`): the events whose session began with
//! authentication transfer (the Outlook QR code), paged. The transfer method is filtered on the
//! server when the service accepts it; when it refuses that clause, a narrower server-side
//! filter (time window, Outlook mobile's app id) is used and the method is checked here.
//! Throttling (429 + Retry-After) is handled by the one HTTP retry loop.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

use super::error::map_http_error;
use super::paging::{follow, get_request, odata_string, parse_page};
use super::{GraphClient, GraphError, UserRef, validate_user_ref};
use crate::device::UtcTimestamp;
use crate::next_link_guard::NextLinkGuard;

pub const SIGNINS_PERMISSION: &str = "AuditLog.Read.All";
/// The app id of Outlook for iOS and Android. UNCONFIRMED: commonly cited, not found in
/// Microsoft's reference; only used to narrow the query when the transfer-method filter is refused.
pub const OUTLOOK_MOBILE_APP_ID: &str = "27922004-5251-4030-b22d-91ecd9a37ea4";
pub const TRANSFER_METHOD: &str = "authenticationTransfer";
const WHAT: &str = "the sign-in logs";

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Which events to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInQuery {
    pub since: UtcTimestamp,
    pub until: Option<UtcTimestamp>,
    /// One user (UPN or object id).
    pub user: Option<String>,
    /// Only interactive sign-ins (the QR scan itself), not the app's later token refreshes.
    pub interactive_only: bool,
    /// `$top`; `None` = the service's default page size.
    pub page_size: Option<u32>,
    /// Send `Prefer: include-unknown-enum-members`, without which the report-only results of
    /// `appliedConditionalAccessPolicies` read `unknownFutureValue` (see [`PREFER_UNKNOWN_ENUM_MEMBERS`]).
    pub include_unknown_enum_members: bool,
}

/// The header value that asks Graph for the members of an evolvable enum that come after
/// `unknownFutureValue`. The appliedConditionalAccessPolicy resource
/// (microsoft-graph-docs-contrib, api-reference/{v1.0,beta}/resources/appliedconditionalaccesspolicy.md):
/// "you must use the `Prefer: include-unknown-enum-members` request header to get the following
/// values in this evolvable enum: reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied,
/// reportOnlyInterrupted".
pub const PREFER_UNKNOWN_ENUM_MEMBERS: &str = "include-unknown-enum-members";

/// One entry of `appliedConditionalAccessPolicies`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppliedPolicy {
    pub id: String,
    pub display_name: String,
    /// appliedConditionalAccessPolicyResult, e.g. `reportOnlyFailure` (or `unknownFutureValue`
    /// when the service hid an evolvable member).
    pub result: String,
}

/// One sign-in event, flattened to what the evidence shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub id: String,
    pub created: UtcTimestamp,
    pub user_principal_name: String,
    pub user_id: String,
    pub user_display_name: String,
    pub app_id: String,
    pub app_display_name: String,
    pub client_app_used: String,
    pub ip_address: String,
    pub correlation_id: String,
    pub conditional_access_status: String,
    /// interactiveUser / nonInteractiveUser (first of signInEventTypes, else from isInteractive).
    pub event_type: String,
    pub transfer_method: String,
    pub authentication_protocol: String,
    pub error_code: i64,
    pub failure_reason: String,
    pub device_id: String,
    pub device_name: String,
    pub operating_system: String,
    pub browser: String,
    pub city: String,
    pub state: String,
    pub country: String,
    /// `appliedConditionalAccessPolicies`; `None` when the property is absent, which the service
    /// does when the caller may not read Conditional Access data (signin-list.md, "Viewing
    /// applied conditional access (CA) policies in sign-ins"; for apps Policy.Read.All,
    /// microsoft-graph-docs-contrib#8761).
    pub applied_policies: Option<Vec<AppliedPolicy>>,
}

impl SignIn {
    pub fn succeeded(&self) -> bool {
        self.error_code == 0
    }

    pub fn is_transfer(&self) -> bool {
        self.transfer_method.eq_ignore_ascii_case(TRANSFER_METHOD)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawSignIn {
    #[serde(deserialize_with = "null_default")]
    id: String,
    #[serde(deserialize_with = "null_default")]
    created_date_time: String,
    #[serde(deserialize_with = "null_default")]
    user_principal_name: String,
    #[serde(deserialize_with = "null_default")]
    user_id: String,
    #[serde(deserialize_with = "null_default")]
    user_display_name: String,
    #[serde(deserialize_with = "null_default")]
    app_id: String,
    #[serde(deserialize_with = "null_default")]
    app_display_name: String,
    #[serde(deserialize_with = "null_default")]
    client_app_used: String,
    #[serde(deserialize_with = "null_default")]
    ip_address: String,
    #[serde(deserialize_with = "null_default")]
    correlation_id: String,
    #[serde(deserialize_with = "null_default")]
    conditional_access_status: String,
    is_interactive: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    sign_in_event_types: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    original_transfer_method: String,
    #[serde(deserialize_with = "null_default")]
    authentication_protocol: String,
    #[serde(deserialize_with = "null_default")]
    status: RawStatus,
    #[serde(deserialize_with = "null_default")]
    device_detail: RawDevice,
    #[serde(deserialize_with = "null_default")]
    location: RawLocation,
    applied_conditional_access_policies: Option<Vec<RawApplied>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawApplied {
    #[serde(deserialize_with = "null_default")]
    id: String,
    #[serde(deserialize_with = "null_default")]
    display_name: String,
    #[serde(deserialize_with = "null_default")]
    result: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawStatus {
    error_code: Option<i64>,
    #[serde(deserialize_with = "null_default")]
    failure_reason: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawDevice {
    #[serde(deserialize_with = "null_default")]
    device_id: String,
    #[serde(deserialize_with = "null_default")]
    display_name: String,
    #[serde(deserialize_with = "null_default")]
    operating_system: String,
    #[serde(deserialize_with = "null_default")]
    browser: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawLocation {
    #[serde(deserialize_with = "null_default")]
    city: String,
    #[serde(deserialize_with = "null_default")]
    state: String,
    #[serde(deserialize_with = "null_default")]
    country_or_region: String,
}

/// One event of a page; `Err` says why it could not be used.
pub fn parse_sign_in(value: &Value) -> Result<SignIn, String> {
    let raw = RawSignIn::deserialize(value).map_err(|e| e.to_string())?;
    let created = UtcTimestamp::parse(&raw.created_date_time).map_err(|e| e.to_string())?;
    let event_type = match (raw.sign_in_event_types.first(), raw.is_interactive) {
        (Some(t), _) => t.clone(),
        (None, Some(true)) => "interactiveUser".to_owned(),
        (None, Some(false)) => "nonInteractiveUser".to_owned(),
        (None, None) => String::new(),
    };
    Ok(SignIn {
        id: raw.id,
        created,
        user_principal_name: raw.user_principal_name,
        user_id: raw.user_id,
        user_display_name: raw.user_display_name,
        app_id: raw.app_id,
        app_display_name: raw.app_display_name,
        client_app_used: raw.client_app_used,
        ip_address: raw.ip_address,
        correlation_id: raw.correlation_id,
        conditional_access_status: raw.conditional_access_status,
        event_type,
        transfer_method: raw.original_transfer_method,
        authentication_protocol: raw.authentication_protocol,
        error_code: raw.status.error_code.unwrap_or(0),
        failure_reason: raw.status.failure_reason,
        device_id: raw.device_detail.device_id,
        device_name: raw.device_detail.display_name,
        operating_system: raw.device_detail.operating_system,
        browser: raw.device_detail.browser,
        city: raw.location.city,
        state: raw.location.state,
        country: raw.location.country_or_region,
        applied_policies: raw.applied_conditional_access_policies.map(|list| {
            list.into_iter()
                .map(|a| AppliedPolicy {
                    id: a.id,
                    display_name: a.display_name,
                    result: a.result,
                })
                .collect()
        }),
    })
}

/// `2026-10-26T00:00:00Z`, the form the filter takes.
pub fn filter_time(t: UtcTimestamp) -> String {
    let p = t.parts();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    )
}

/// The `$filter` for `query`; `server_side_transfer` chooses the transfer-method clause or the
/// narrower fallback (Outlook mobile's app id, the method then checked on this side).
pub fn build_filter(
    query: &SignInQuery,
    user: Option<&UserRef>,
    server_side_transfer: bool,
) -> String {
    let mut clauses = vec![format!("createdDateTime ge {}", filter_time(query.since))];
    if let Some(until) = query.until {
        clauses.push(format!("createdDateTime le {}", filter_time(until)));
    }
    clauses.push(if query.interactive_only {
        "(signInEventTypes/any(t: t eq 'interactiveUser'))".to_owned()
    } else {
        "(signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser'))".to_owned()
    });
    clauses.push(if server_side_transfer {
        format!(
            "originalTransferMethod eq {}",
            odata_string(TRANSFER_METHOD)
        )
    } else {
        format!("appId eq {}", odata_string(OUTLOOK_MOBILE_APP_ID))
    });
    if let Some(user) = user {
        clauses.push(if user.is_object_id() {
            format!("userId eq {}", odata_string(user.segment()))
        } else {
            format!("userPrincipalName eq {}", odata_string(user.segment()))
        });
    }
    clauses.join(" and ")
}

/// Whether the service refused the `originalTransferMethod` clause (then the fallback is used).
pub fn refuses_transfer_filter(e: &GraphError) -> bool {
    match e {
        GraphError::Service { status: 400, body } => {
            body.code.eq_ignore_ascii_case("Request_UnsupportedQuery")
                || (body.code.eq_ignore_ascii_case("BadRequest")
                    && body
                        .message
                        .to_ascii_lowercase()
                        .contains("originaltransfermethod"))
        }
        _ => false,
    }
}

/// One page of transfer events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInPage {
    pub events: Vec<SignIn>,
    pub warnings: Vec<String>,
    /// False once the service refused the transfer-method filter.
    pub server_side_filter: bool,
}

enum Position {
    First,
    Next(Url),
    Done,
}

/// Pages of transfer sign-in events, fetched one at a time.
pub struct SignInPager {
    graph: GraphClient,
    query: SignInQuery,
    user: Option<UserRef>,
    position: Position,
    server_side: bool,
    pages: u32,
    links: NextLinkGuard,
}

/// Far above a real 30-day window (a page holds up to 1,000 events): only a misbehaving server
/// reaches it.
const MAX_SIGNIN_PAGES: u64 = 100_000;

/// Keeps the transfer events of a page; unreadable items become warnings naming them.
pub fn transfer_events(items: &[Value], page: u32, out: &mut SignInPage) {
    for (index, item) in items.iter().enumerate() {
        match parse_sign_in(item) {
            Ok(e) if e.is_transfer() => out.events.push(e),
            Ok(_) => {}
            Err(reason) => {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("(no id)");
                out.warnings.push(format!(
                    "Sign-in event {id} (item {index} of page {page}) could not be read and was skipped: {reason}"
                ));
            }
        }
    }
}

impl SignInPager {
    pub fn new(graph: GraphClient, query: SignInQuery) -> Result<SignInPager, GraphError> {
        let user = match query.user.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(
                validate_user_ref(u).map_err(|reason| GraphError::InvalidInput {
                    input: u.to_owned(),
                    reason,
                })?,
            ),
        };
        Ok(SignInPager {
            graph,
            query,
            user,
            position: Position::First,
            server_side: true,
            pages: 0,
            links: NextLinkGuard::new(MAX_SIGNIN_PAGES),
        })
    }

    pub fn pages_read(&self) -> u32 {
        self.pages
    }

    pub fn server_side_filter(&self) -> bool {
        self.server_side
    }

    fn first_url(&self) -> Url {
        let mut url = self
            .graph
            .environment
            .graph_beta_url(&["auditLogs", "signIns"]);
        url.query_pairs_mut().append_pair(
            "$filter",
            &build_filter(&self.query, self.user.as_ref(), self.server_side),
        );
        if let Some(top) = self.query.page_size {
            url.query_pairs_mut().append_pair("$top", &top.to_string());
        }
        url
    }

    async fn fetch(&self, url: Url) -> Result<super::paging::RawPage, GraphError> {
        let mut request = get_request(url);
        if self.query.include_unknown_enum_members {
            request.headers.insert(
                reqwest::header::HeaderName::from_static("prefer"),
                reqwest::header::HeaderValue::from_static(PREFER_UNKNOWN_ENUM_MEMBERS),
            );
        }
        self.graph
            .http
            .send(&request, Some(&self.graph.bearer), |r| parse_page(&r.body))
            .await
            .map_err(|e| map_http_error(e, WHAT, SIGNINS_PERMISSION))
    }

    /// The next page; `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<SignInPage>, GraphError> {
        let mut out = SignInPage::default();
        let raw = match std::mem::replace(&mut self.position, Position::Done) {
            Position::Done => return Ok(None),
            Position::Next(url) => self.fetch(url).await?,
            Position::First => match self.fetch(self.first_url()).await {
                Ok(raw) => raw,
                Err(e) if refuses_transfer_filter(&e) => {
                    self.server_side = false;
                    out.warnings.push(format!(
                        "The sign-in log service does not filter on originalTransferMethod here ({e}); reading Outlook mobile sign-ins in the time window and keeping the authentication-transfer ones on this side."
                    ));
                    self.fetch(self.first_url()).await?
                }
                Err(e) => return Err(e),
            },
        };
        self.pages += 1;
        out.server_side_filter = self.server_side;
        transfer_events(&raw.value, self.pages, &mut out);
        if let Some(link) = raw.next_link {
            self.position = Position::Next(follow(
                &mut self.links,
                self.graph.environment.graph_base(),
                &link,
                WHAT,
            )?);
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::graph::GraphErrorBody;
    use serde_json::json;

    fn ts(text: &str) -> UtcTimestamp {
        UtcTimestamp::parse(text).unwrap()
    }

    fn query() -> SignInQuery {
        SignInQuery {
            since: ts("2026-10-26T00:00:00Z"),
            until: None,
            user: None,
            interactive_only: false,
            page_size: None,
            include_unknown_enum_members: false,
        }
    }

    #[test]
    fn server_side_filter_names_the_transfer_method() {
        assert_eq!(
            build_filter(&query(), None, true),
            "createdDateTime ge 2026-10-26T00:00:00Z and (signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')) and originalTransferMethod eq 'authenticationTransfer'"
        );
    }

    #[test]
    fn fallback_filter_narrows_by_app_and_keeps_window_and_user() {
        let mut q = query();
        q.until = Some(ts("2026-11-30T12:30:05.9Z"));
        q.interactive_only = true;
        let upn = validate_user_ref("o'brien@contoso.com").unwrap();
        assert_eq!(
            build_filter(&q, Some(&upn), false),
            "createdDateTime ge 2026-10-26T00:00:00Z and createdDateTime le 2026-11-30T12:30:05Z and (signInEventTypes/any(t: t eq 'interactiveUser')) and appId eq '27922004-5251-4030-b22d-91ecd9a37ea4' and userPrincipalName eq 'o''brien@contoso.com'"
        );
        let id = validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10").unwrap();
        assert!(build_filter(&q, Some(&id), true).ends_with(
            "originalTransferMethod eq 'authenticationTransfer' and userId eq '0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10'"
        ));
    }

    fn service(status: u16, code: &str, message: &str) -> GraphError {
        GraphError::Service {
            status,
            body: GraphErrorBody {
                code: code.into(),
                message: message.into(),
                ..GraphErrorBody::default()
            },
        }
    }

    #[test]
    fn fallback_only_when_the_transfer_clause_is_refused() {
        assert!(refuses_transfer_filter(&service(
            400,
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'originalTransferMethod' of resource 'SignIn'."
        )));
        assert!(refuses_transfer_filter(&service(
            400,
            "BadRequest",
            "Could not find a property named 'originalTransferMethod' on type 'microsoft.graph.signIn'."
        )));
        assert!(!refuses_transfer_filter(&service(
            400,
            "BadRequest",
            "Invalid filter clause"
        )));
        assert!(!refuses_transfer_filter(&service(
            500,
            "Request_UnsupportedQuery",
            ""
        )));
        assert!(!refuses_transfer_filter(&GraphError::NotFound {
            what: "x".into()
        }));
    }

    fn event(method: &str) -> Value {
        json!({
            "id": "e1", "createdDateTime": "2026-11-30T09:12:33Z",
            "userDisplayName": "山田 太郎", "userPrincipalName": "taro@contoso.com",
            "userId": "0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10",
            "appId": OUTLOOK_MOBILE_APP_ID, "appDisplayName": "Microsoft Outlook",
            "ipAddress": "203.0.113.7", "clientAppUsed": "Mobile Apps and Desktop clients",
            "correlationId": "c1", "conditionalAccessStatus": "notApplied", "isInteractive": false,
            "signInEventTypes": ["nonInteractiveUser"], "originalTransferMethod": method,
            "authenticationProtocol": "none",
            "status": {"errorCode": 50126, "failureReason": "Invalid username or password.", "additionalDetails": null},
            "deviceDetail": {"deviceId": "d1", "displayName": "iPhone", "operatingSystem": "iOS 17.5",
                             "browser": "", "isCompliant": false, "isManaged": false, "trustType": ""},
            "location": {"city": "Tokyo", "state": "Tokyo", "countryOrRegion": "JP",
                         "geoCoordinates": {"latitude": 35.6, "longitude": 139.7}}
        })
    }

    #[test]
    fn events_parse_and_only_transfer_ones_are_kept() {
        let e = parse_sign_in(&event(TRANSFER_METHOD)).unwrap();
        assert_eq!(e.created, ts("2026-11-30T09:12:33Z"));
        assert_eq!(e.event_type, "nonInteractiveUser");
        assert!(!e.succeeded() && e.is_transfer());
        assert_eq!((e.city.as_str(), e.country.as_str()), ("Tokyo", "JP"));
        assert_eq!(e.device_name, "iPhone");
        let mut page = SignInPage::default();
        transfer_events(
            &[
                event(TRANSFER_METHOD),
                event("none"),
                json!({"id": "bad", "createdDateTime": "yesterday"}),
                json!("x"),
            ],
            1,
            &mut page,
        );
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.warnings.len(), 2);
        assert!(page.warnings[0].contains("bad"));
    }

    #[test]
    fn applied_policies_are_read_and_their_absence_is_kept() {
        let mut v = event(TRANSFER_METHOD);
        assert_eq!(parse_sign_in(&v).unwrap().applied_policies, None);
        v["appliedConditionalAccessPolicies"] = json!([
            {"id": "p1", "displayName": "Block", "enforcedGrantControls": ["Block"], "result": "reportOnlyFailure",
             "conditionsSatisfied": "application,users", "conditionsNotSatisfied": "none"},
            {"id": null, "result": null}
        ]);
        let applied = parse_sign_in(&v).unwrap().applied_policies.unwrap();
        assert_eq!(applied.len(), 2);
        assert_eq!(
            (applied[0].id.as_str(), applied[0].result.as_str()),
            ("p1", "reportOnlyFailure")
        );
        assert_eq!(applied[1], AppliedPolicy::default());
        v["appliedConditionalAccessPolicies"] = json!([]);
        assert_eq!(
            parse_sign_in(&v).unwrap().applied_policies,
            Some(Vec::new())
        );
    }

    #[test]
    fn sparse_events_read_with_defaults() {
        let e = parse_sign_in(&json!({"createdDateTime": "2026-11-30T09:12:33Z", "isInteractive": true, "status": null, "deviceDetail": null, "location": null, "originalTransferMethod": null})).unwrap();
        assert_eq!(e.event_type, "interactiveUser");
        assert!(e.succeeded() && !e.is_transfer());
    }
}
