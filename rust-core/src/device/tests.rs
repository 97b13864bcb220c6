use serde_json::{Map, Value, json};

use super::*;

fn device(value: Value) -> MobileDevice {
    serde_json::from_value(value).unwrap()
}

fn ts(text: &str) -> UtcTimestamp {
    UtcTimestamp::parse(text).unwrap()
}

/// A device whose every property holds a value that tells which property it is.
fn distinct_values() -> Map<String, Value> {
    PROPERTY_NAMES
        .iter()
        .zip(PROPERTY_KINDS)
        .enumerate()
        .map(|(i, (name, kind))| {
            let value = match kind {
                PropertyKind::Text => json!(format!("v{i}")),
                PropertyKind::Flag => json!(i % 2 == 0),
                PropertyKind::DateTime => json!(format!("2025-01-{:02}T00:00:00Z", i - 9)),
                PropertyKind::TextList => json!([format!("v{i}"), "x"]),
            };
            (name.to_string(), value)
        })
        .collect()
}

#[test]
fn every_property_maps_to_its_schema_slot() {
    let d = device(Value::Object(distinct_values()));
    for (i, value) in d.properties().into_iter().enumerate() {
        match (value, PROPERTY_KINDS[i]) {
            (PropertyValue::Text(Some(s)), PropertyKind::Text) => assert_eq!(s, format!("v{i}")),
            (PropertyValue::Flag(Some(b)), PropertyKind::Flag) => assert_eq!(b, i % 2 == 0),
            (PropertyValue::DateTime(Some(t)), PropertyKind::DateTime) => {
                assert_eq!(t.parts().day as usize, i - 9, "{}", PROPERTY_NAMES[i])
            }
            (PropertyValue::TextList(l), PropertyKind::TextList) => {
                assert_eq!(l, [format!("v{i}"), "x".to_string()])
            }
            other => panic!("{} has {other:?}", PROPERTY_NAMES[i]),
        }
    }
}

#[test]
fn missing_and_null_properties_are_none() {
    let all_null: Map<String, Value> = PROPERTY_NAMES
        .iter()
        .map(|n| (n.to_string(), Value::Null))
        .collect();
    assert_eq!(device(Value::Object(all_null)), MobileDevice::default());
    assert_eq!(device(json!({})), MobileDevice::default());
    let d = MobileDevice::default();
    assert!(d.properties().iter().all(|p| matches!(
        p,
        PropertyValue::Text(None)
            | PropertyValue::Flag(None)
            | PropertyValue::DateTime(None)
            | PropertyValue::TextList([])
    )));
}

#[test]
fn unknown_properties_and_annotations_are_ignored() {
    let d = device(json!({
        "@odata.type": "#Exchange.GenericHashTable",
        "Guid@data.type": "#Guid",
        "WhenChanged@odata.type": "#DateTimeOffset",
        "ObjectClass@data.type": "#Collection(String)",
        "RunspaceId": "x",
        "SomethingNew": {"nested": [1, 2, {"a": null}]},
        "Guid": "0f1e2d3c-0000-0000-0000-000000000001",
    }));
    assert_eq!(
        d.guid.as_deref(),
        Some("0f1e2d3c-0000-0000-0000-000000000001")
    );
}

#[test]
fn booleans_from_json_and_strings() {
    let d = device(json!({
        "IsManaged": true, "IsCompliant": "False", "IsDisabled": "true", "IsValid": ""
    }));
    assert_eq!(
        (d.is_managed, d.is_compliant, d.is_disabled, d.is_valid),
        (Some(true), Some(false), Some(true), None)
    );
    assert!(serde_json::from_value::<MobileDevice>(json!({"IsManaged": "yes"})).is_err());
    assert!(serde_json::from_value::<MobileDevice>(json!({"IsManaged": 1})).is_err());
}

#[test]
fn dates_in_every_form() {
    let d = device(json!({
        "FirstSyncTime": "2025-03-14T09:26:53.5897932Z",
        "WhenChanged": "2025-03-14T18:26:53.5897932+09:00",
        "WhenCreated": "/Date(1710408413589)/",
        "WhenChangedUTC": "/Date(1710408413589+0900)/",
        "WhenCreatedUTC": null,
    }));
    assert_eq!(d.first_sync_time, Some(ts("2025-03-14T09:26:53.5897932Z")));
    assert_eq!(d.when_changed, d.first_sync_time);
    assert_eq!(d.when_created, Some(ts("2024-03-14T09:26:53.589Z")));
    assert_eq!(d.when_changed_utc, d.when_created);
    assert_eq!(d.when_created_utc, None);
    assert!(serde_json::from_value::<MobileDevice>(json!({"WhenCreated": "yesterday"})).is_err());
    assert!(serde_json::from_value::<MobileDevice>(json!({"WhenCreated": 5})).is_err());
}

#[test]
fn strings_tolerate_scalars_but_not_structures() {
    let d = device(json!({"ExchangeVersion": 1.5, "Name": 42, "DeviceId": false}));
    assert_eq!(d.exchange_version.as_deref(), Some("1.5"));
    assert_eq!(d.name.as_deref(), Some("42"));
    assert_eq!(d.device_id.as_deref(), Some("False"));
    assert!(serde_json::from_value::<MobileDevice>(json!({"Name": ["a"]})).is_err());
    assert!(serde_json::from_value::<MobileDevice>(json!({"Name": {"a": 1}})).is_err());
}

#[test]
fn object_class_forms() {
    assert_eq!(
        device(json!({"ObjectClass": ["top", "msExchActiveSyncDevice"]})).object_class,
        ["top", "msExchActiveSyncDevice"]
    );
    assert_eq!(device(json!({"ObjectClass": "top"})).object_class, ["top"]);
    assert!(device(json!({"ObjectClass": []})).object_class.is_empty());
    assert!(device(json!({"ObjectClass": null})).object_class.is_empty());
    assert!(serde_json::from_value::<MobileDevice>(json!({"ObjectClass": [1]})).is_err());
}

#[test]
fn escaped_and_non_ascii_strings() {
    let d: MobileDevice = serde_json::from_str(
        r#"{"FriendlyName":"=HYPERLINK(\"x\")\r\n\t\u5c71","UserDisplayName":"山田 太郎"}"#,
    )
    .unwrap();
    assert_eq!(
        d.friendly_name.as_deref(),
        Some("=HYPERLINK(\"x\")\r\n\t山")
    );
    assert_eq!(d.user_display_name.as_deref(), Some("山田 太郎"));
}

#[test]
fn identity_helpers_on_the_device() {
    let d = device(json!({
        "Identity": "山田 太郎\\ExchangeActiveSyncDevices\\Outlook§Outlook§abc",
        "DistinguishedName": "CN=Outlook§Outlook§abc,CN=ExchangeActiveSyncDevices,CN=yamada,OU=contoso.onmicrosoft.com,DC=x",
    }));
    assert_eq!(d.user_display_name_new(), "山田 太郎");
    assert_eq!(
        d.mailbox_distinguished_name(),
        Some("CN=yamada,OU=contoso.onmicrosoft.com,DC=x")
    );
    assert_eq!(MobileDevice::default().user_display_name_new(), "");
    assert_eq!(MobileDevice::default().mailbox_distinguished_name(), None);
}

#[test]
fn page_with_annotations_and_next_link() {
    let body = br##"{"@odata.context":"https://outlook.office365.com/adminapi/beta/t/$metadata#Collection(Exchange.GenericHashTable)",
        "adminapi.warnings@odata.type":"#Collection(String)",
        "@adminapi.warnings":["By default, only the first 1000 items are returned."],
        "value":[{"Identity":"a\\b","IsValid":true},{"Identity":"c"}],
        "@odata.nextLink":"https://outlook.office365.com/adminapi/beta/t/InvokeCommand?$skiptoken=abc"}"##;
    let page = parse_page(body).unwrap();
    assert_eq!(page.devices.len(), 2);
    assert_eq!(page.devices[0].is_valid, Some(true));
    assert_eq!(page.devices[1].user_display_name_new(), "c");
    assert_eq!(page.warnings.len(), 1);
    assert!(page.next_link.unwrap().ends_with("$skiptoken=abc"));

    let last = parse_page(br#"{"value":[]}"#).unwrap();
    assert!(last.devices.is_empty() && last.next_link.is_none());
}

#[test]
fn page_errors_are_reported_not_panicked() {
    let truncated = parse_page(br#"{"value":[{"Identity":"a"#).unwrap_err();
    assert!(truncated.is_truncated());
    let wrong = parse_page(br#"{"value":{"Identity":"a"}}"#).unwrap_err();
    assert!(!wrong.is_truncated());
    assert!(wrong.to_string().contains("Get-MobileDevice"));
    assert!(parse_page(b"<html>502</html>").is_err());
}
