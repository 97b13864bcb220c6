//! Properties of what is parsed from Microsoft Graph: sign-in pages and Conditional Access
//! policies of any shape never panic; well-formed ones read back every field, keep only the
//! transfer events, and keep the policy's unknown properties intact.

#![allow(clippy::unwrap_used)]

use outlook_qr_guard::device::UtcTimestamp;
use outlook_qr_guard::graph::conditional_access::ConditionalAccessPolicy;
use outlook_qr_guard::graph::signins::{SignInPage, parse_sign_in, transfer_events};
use outlook_qr_guard::graph::validate_user_ref;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("2026-11-30T09:12:33Z")),
        Just(json!("authenticationTransfer")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("createdDateTime".to_owned()),
            Just("originalTransferMethod".to_owned()),
            Just("status".to_owned()),
            Just("deviceDetail".to_owned()),
            Just("state".to_owned()),
            Just("conditions".to_owned()),
            Just("users".to_owned()),
            Just("grantControls".to_owned()),
            Just("builtInControls".to_owned()),
            Just("authenticationFlows".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9 .@'\"山田-]{0,16}", any::<String>()]
}

fn timestamp() -> impl Strategy<Value = (UtcTimestamp, String)> {
    (2000u16..2100, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60).prop_map(
        |(y, mo, d, h, mi, s)| {
            (
                UtcTimestamp::from_parts(y, mo, d, h, mi, s, 0).unwrap(),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            )
        },
    )
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("authenticationTransfer".to_owned()),
        Just("none".to_owned()),
        Just("deviceCodeFlow".to_owned()),
        Just("unknownFutureValue".to_owned()),
    ]
}

#[derive(Debug, Clone)]
struct Event {
    json: Value,
    created: UtcTimestamp,
    upn: String,
    os: String,
    error: i32,
    method: String,
}

fn event() -> impl Strategy<Value = Event> {
    (text(), text(), text(), timestamp(), method(), any::<i32>(), any::<bool>()).prop_map(
        |(id, upn, os, (created, at), method, error, interactive)| Event {
            json: json!({
                "id": id, "createdDateTime": at, "userPrincipalName": upn,
                "userId": "0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10", "appId": "a", "appDisplayName": "Microsoft Outlook",
                "isInteractive": interactive,
                "signInEventTypes": [if interactive { "interactiveUser" } else { "nonInteractiveUser" }],
                "originalTransferMethod": method,
                "status": {"errorCode": error, "failureReason": null, "additionalDetails": null},
                "deviceDetail": {"operatingSystem": os, "displayName": null},
                "location": {"city": "東京", "countryOrRegion": "JP", "geoCoordinates": {"latitude": 1.5}}
            }),
            created,
            upn,
            os,
            error,
            method,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_sign_in_page_is_read_without_panicking(items in prop::collection::vec(any_json(), 0..8)) {
        let mut page = SignInPage::default();
        transfer_events(&items, 1, &mut page);
        prop_assert!(page.events.len() + page.warnings.len() <= items.len());
        prop_assert!(page.events.iter().all(|e| e.is_transfer()));
    }

    #[test]
    fn well_formed_events_read_back_and_only_transfers_are_kept(events in prop::collection::vec(event(), 0..12)) {
        let items: Vec<Value> = events.iter().map(|e| e.json.clone()).collect();
        for e in &events {
            let read = parse_sign_in(&e.json).unwrap();
            prop_assert_eq!(read.created, e.created);
            prop_assert_eq!(&read.user_principal_name, &e.upn);
            prop_assert_eq!(&read.operating_system, &e.os);
            prop_assert_eq!(read.error_code, i64::from(e.error));
            prop_assert_eq!(read.succeeded(), e.error == 0);
            prop_assert_eq!(&read.transfer_method, &e.method);
            prop_assert_eq!(read.device_name.as_str(), "");
        }
        let mut page = SignInPage::default();
        transfer_events(&items, 1, &mut page);
        prop_assert!(page.warnings.is_empty());
        let want = events.iter().filter(|e| e.method == "authenticationTransfer").count();
        prop_assert_eq!(page.events.len(), want);
    }

    #[test]
    fn any_policy_json_is_read_without_panicking(v in any_json()) {
        if let Ok(p) = ConditionalAccessPolicy::parse(&v) {
            // The derived answers are consistent with each other.
            prop_assert!(!p.covers_everyone() || (p.blocks_transfer() && p.all_users() && p.all_applications()));
            prop_assert_eq!(p.has_exclusions(), !(p.excluded_users().is_empty() && p.excluded_groups().is_empty() && p.excluded_roles().is_empty()));
        }
    }
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop_oneof![Just("All".to_owned()), "[0-9a-f-]{1,12}"], 0..4)
}

fn extra() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x[a-zA-Z]{1,6}", any_json(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn policy() -> impl Strategy<Value = Value> {
    (
        (text(), text(), prop_oneof![Just("enabled"), Just("disabled"), Just("enabledForReportingButNotEnforced")]),
        (ids(), ids(), ids(), ids(), ids(), ids(), extra()),
        (ids(), ids(), extra()),
        (ids(), prop_oneof![Just("authenticationTransfer"), Just("deviceCodeFlow,authenticationTransfer"), Just("deviceCodeFlow"), Just("")], extra(), extra()),
        (prop_oneof![Just("OR"), Just("AND")], prop::collection::vec(prop_oneof![Just("block"), Just("mfa"), Just("Block")], 0..3), extra(), extra()),
    )
        .prop_map(|((id, name, state), (iu, eu, ig, eg, ir, er, ux), (ia, ea, ax), (cat, tm, fx, cx), (op, bic, gx, top))| {
            let with = |mut base: Map<String, Value>, more: Map<String, Value>| {
                base.extend(more);
                Value::Object(base)
            };
            let users = with(json!({"includeUsers": iu, "excludeUsers": eu, "includeGroups": ig, "excludeGroups": eg, "includeRoles": ir, "excludeRoles": er}).as_object().unwrap().clone(), ux);
            let apps = with(json!({"includeApplications": ia, "excludeApplications": ea}).as_object().unwrap().clone(), ax);
            let flows = with(json!({"transferMethods": tm}).as_object().unwrap().clone(), fx);
            let conditions = with(json!({"users": users, "applications": apps, "clientAppTypes": cat, "authenticationFlows": flows}).as_object().unwrap().clone(), cx);
            let grant = with(json!({"operator": op, "builtInControls": bic}).as_object().unwrap().clone(), gx);
            with(json!({"id": id, "displayName": name, "state": state, "conditions": conditions, "grantControls": grant}).as_object().unwrap().clone(), top)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn policies_keep_every_property_through_a_read(v in policy()) {
        let p = ConditionalAccessPolicy::parse(&v).unwrap();
        prop_assert_eq!(serde_json::to_value(&p).unwrap(), v.clone());
        let blocks = v["grantControls"]["builtInControls"].as_array().unwrap().iter().any(|c| c.as_str().unwrap().eq_ignore_ascii_case("block"));
        let transfer = v["conditions"]["authenticationFlows"]["transferMethods"].as_str().unwrap().split(',').any(|m| m == "authenticationTransfer");
        prop_assert_eq!(p.blocks_transfer(), blocks && transfer);
        prop_assert_eq!(p.all_users(), v["conditions"]["users"]["includeUsers"].as_array().unwrap().iter().any(|u| u == "All"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every UPN the client accepts is addressed so that the service reads back the same UPN:
    /// `users`, `{upn}`, or for a leading `$` the OData literal `users('{upn}')` with `'`
    /// doubled (user-get.md); a guest is recognised whatever the case of `#EXT#`.
    #[test]
    fn any_accepted_upn_is_addressed_unambiguously(
        dollar in any::<bool>(),
        local in "[a-zA-Z0-9.'_$#-]{1,12}",
        ext in prop_oneof![Just(""), Just("#EXT#"), Just("#ext#")],
        domain in "[a-z]{1,8}\\.[a-z]{2,4}",
    ) {
        let upn = format!("{}{local}{ext}@{domain}", if dollar { "$" } else { "" });
        let user = validate_user_ref(&upn).unwrap();
        prop_assert_eq!(user.is_external(), !ext.is_empty() || local.to_lowercase().ends_with("#ext#"));
        let path = user.users_path();
        if upn.starts_with('$') {
            prop_assert_eq!(path.len(), 1);
            let inner = path[0].strip_prefix("users('").and_then(|p| p.strip_suffix("')")).unwrap();
            prop_assert!(!inner.replace("''", "").contains('\''));
            prop_assert_eq!(inner.replace("''", "'"), upn);
        } else {
            prop_assert_eq!(path, vec!["users".to_owned(), upn]);
        }
    }
}
