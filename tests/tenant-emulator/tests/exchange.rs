//! Exchange Online admin REST `InvokeCommand`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::EmulatorOptions;

fn body(cmdlet: &str, parameters: Value) -> Value {
    json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})
}

fn guids(objects: &[Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| o["Guid"].as_str().unwrap().to_owned())
        .collect()
}

/// A failed cmdlet's `|TypeName|Message`, read where the real service puts it, under a generic
/// `error.message`: a JSON string in `details[0].message`, or `|Type|text` there, or (no
/// details: a bad parameter value) `innererror.internalexception`.
fn cmdlet_message(body: &Value) -> String {
    let error = &body["error"];
    assert!(
        matches!(
            error["message"].as_str(),
            Some("Error executing cmdlet" | "Invalid Operation")
        ),
        "{body}"
    );
    if let Some(detail) = error["details"][0]["message"].as_str() {
        return match serde_json::from_str::<Value>(detail) {
            Ok(d) => format!(
                "|{}|{}",
                d["TypeName"].as_str().unwrap(),
                d["Message"].as_str().unwrap()
            ),
            Err(_) => detail.to_owned(),
        };
    }
    let internal = &error["innererror"]["internalexception"];
    format!(
        "|{}|{}",
        internal["type"].as_str().unwrap(),
        internal["message"].as_str().unwrap()
    )
}

#[tokio::test]
async fn get_organization_config_defaults() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h.invoke(&token, "Get-OrganizationConfig", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Collection(Exchange.GenericHashTable)")
    );
    let org = &body["value"][0];
    assert_eq!(org["Name"], h.creds.tenant_domain.as_str());
    assert_eq!(org["MobileAppEducationEnabled"], true);
    for p in [
        "OutlookMobileGCCRestrictionsEnabled",
        "OutlookMobileHelpShiftEnabled",
        "OutlookMobileSingleAccountEnabled",
    ] {
        assert!(org[p].is_boolean(), "{p}");
    }
    assert!(org.as_object().unwrap().len() >= 15);
}

#[tokio::test]
async fn set_organization_config_is_journaled_and_visible() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnabled": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"], json!([]));
    let (_, body) = h.invoke(&token, "Get-OrganizationConfig", json!({})).await;
    assert_eq!(body["value"][0]["MobileAppEducationEnabled"], false);
    // Setting it again changes nothing: a warning, and no second journal entry.
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"mobileappeducationenabled": false, "Confirm": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        body["@adminapi.warnings"][0]
            .as_str()
            .unwrap()
            .contains("no settings of"),
        "{body}"
    );
    let journal = h.emulator.journal();
    assert_eq!(journal.organization_config_changes.len(), 1);
    let change = &journal.organization_config_changes[0];
    assert_eq!(
        (change.property.as_str(), &change.old, &change.new),
        ("MobileAppEducationEnabled", &json!(true), &json!(false))
    );
    let cmdlets: Vec<_> = journal
        .requests
        .iter()
        .filter_map(|r| r.cmdlet.clone())
        .collect();
    assert_eq!(
        cmdlets,
        [
            "Set-OrganizationConfig",
            "Get-OrganizationConfig",
            "Set-OrganizationConfig"
        ]
    );
}

#[tokio::test]
async fn set_organization_config_refuses_unknown_parameters_and_bad_values() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnable": false}),
        )
        .await;
    assert_eq!(status, 400);
    let m = cmdlet_message(&body);
    assert!(m.starts_with("|Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException|Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. MobileAppEducationEnable"), "{m}");
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnabled": "no"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(cmdlet_message(&body).contains("System.Boolean"));
    assert!(h.emulator.journal().organization_config_changes.is_empty());
}

#[tokio::test]
async fn get_mobile_device_filter_matches_ground_truth_in_order_and_shape() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, page) = h
        .invoke(&token, "Get-MobileDevice", json!({"Filter": "DeviceModel -eq 'Outlook for iOS and Android'", "ResultSize": "Unlimited"}))
        .await;
    assert_eq!(status, 200, "{page}");
    let got = page["value"].as_array().unwrap();
    let expected = h
        .emulator
        .seeded_devices_json(Some("Outlook for iOS and Android"));
    assert!(expected.len() > 200, "about 70% of 400");
    assert_eq!(got, &expected);
    let first = got[0].as_object().unwrap();
    // The 40 properties of the live REST survey, in its order (exchange-admin-rest.md).
    let names: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 40);
    assert_eq!(&names[..3], ["FriendlyName", "DeviceId", "DeviceImei"]);
    assert_eq!(
        &names[21..26],
        [
            "ExchangeVersion",
            "DirectoryObjectVersion",
            "Name",
            "DistinguishedName",
            "Identity"
        ]
    );
    assert_eq!(
        &names[32..],
        [
            "ExchangeObjectId",
            "OrganizationalUnitRoot",
            "OrganizationId",
            "Id",
            "Guid",
            "OriginatingServer",
            "IsValid",
            "ObjectState"
        ]
    );
    // Warnings on every page: an empty array when there are none.
    assert_eq!(page["@adminapi.warnings"], json!([]), "{page}");
    assert_eq!(page["adminapi.warnings@odata.type"], "#Collection(String)");
    assert_eq!(
        first["ObjectClass"],
        json!(["top", "msExchActiveSyncDevice"])
    );
    assert_eq!(first["ClientType"], "Outlook");
    assert!(first["IsManaged"].is_boolean());
    let sync = first["FirstSyncTime"].as_str().unwrap();
    assert_eq!(sync.len(), 28, "{sync}");
    assert!(sync.ends_with('Z') && sync.as_bytes()[19] == b'.');
    // WhenChanged/WhenCreated carry an offset, the *UTC ones a Z; the same instants.
    for (offset, utc) in [
        ("WhenChanged", "WhenChangedUTC"),
        ("WhenCreated", "WhenCreatedUTC"),
    ] {
        let offset = first[offset].as_str().unwrap();
        let utc = first[utc].as_str().unwrap();
        assert_eq!(offset.len(), 33, "{offset}");
        assert!(offset.ends_with("+00:00"), "{offset}");
        assert!(utc.ends_with('Z'), "{utc}");
        assert_eq!(offset[..27], utc[..27]);
    }
    // Shaped like Microsoft's documented `Lila\ExchangeActiveSyncDevices\REST§Outlook§5eec…`.
    let identity = first["Identity"].as_str().unwrap();
    let (mailbox, rest) = identity.split_once('\\').unwrap();
    assert!(!mailbox.is_empty());
    let device_id = first["DeviceId"].as_str().unwrap();
    assert_eq!(
        rest,
        format!("ExchangeActiveSyncDevices\\REST§Outlook§{device_id}")
    );
    assert_eq!(device_id.len(), 32);
    assert!(
        device_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(first["Name"], format!("REST§Outlook§{device_id}"));
    assert_eq!(first["OrganizationalUnitRoot"], "contoso.onmicrosoft.com");
    assert_eq!(first["Id"], first["Identity"]);
    // Hostile values come through untouched somewhere in the data.
    let all = h.emulator.seeded_devices_json(None);
    assert!(all.iter().any(|d| {
        d["FriendlyName"]
            .as_str()
            .is_some_and(|f| f.contains("\r\n"))
    }));
    assert!(all.iter().any(|d| {
        d["FriendlyName"]
            .as_str()
            .is_some_and(|f| f.starts_with('='))
    }));
}

#[tokio::test]
async fn opath_combinations() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let all = h.emulator.seeded_devices_json(None);
    let count = |pred: &dyn Fn(&Value) -> bool| all.iter().filter(|d| pred(d)).count();
    let cases: Vec<(&str, usize)> = vec![
        (
            "DeviceModel -ne 'Outlook for iOS and Android'",
            count(&|d| d["DeviceModel"] != "Outlook for iOS and Android"),
        ),
        (
            "DeviceUserAgent -like 'Outlook-*'",
            count(&|d| {
                d["DeviceUserAgent"]
                    .as_str()
                    .unwrap()
                    .starts_with("Outlook-")
            }),
        ),
        (
            "(DeviceType -eq \"iPhone\" -or DeviceType -eq 'iPad') -and IsManaged -eq $true",
            count(&|d| {
                (d["DeviceType"] == "iPhone" || d["DeviceType"] == "iPad") && d["IsManaged"] == true
            }),
        ),
        (
            "FriendlyName -eq $null",
            count(&|d| d["FriendlyName"].is_null()),
        ),
        (
            "-not (ClientType -eq 'Outlook')",
            count(&|d| d["ClientType"] != "Outlook"),
        ),
    ];
    for (filter, expected) in cases {
        let (status, page) = h
            .invoke(
                &token,
                "Get-MobileDevice",
                json!({"Filter": filter, "ResultSize": "Unlimited"}),
            )
            .await;
        assert_eq!(status, 200, "{filter}: {page}");
        assert_eq!(
            page["value"].as_array().unwrap().len(),
            expected,
            "{filter}"
        );
        assert!(expected > 0, "{filter} should match something");
    }
}

#[tokio::test]
async fn unsupported_filters_are_400_with_exchange_messages() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let cases = [
        ("DeviceModel -eq", "Invalid filter syntax"),
        (
            "Colour -eq 'red'",
            "'Colour' is not a recognized filterable property",
        ),
        (
            "FirstSyncTime -gt '2024-01-01'",
            "The operator '-gt' is not supported",
        ),
        ("DeviceModel -eq 'x' garbage", "at position 21"),
        ("DeviceModel -eq $maybe", "$maybe"),
    ];
    for (filter, needle) in cases {
        let (status, body) = h
            .invoke(&token, "Get-MobileDevice", json!({"Filter": filter}))
            .await;
        assert_eq!(status, 400, "{filter}");
        let m = cmdlet_message(&body);
        assert!(m.contains("Cannot bind parameter 'Filter'"), "{m}");
        assert!(m.contains(needle), "{filter}: {m}");
    }
    let (status, body) = h
        .invoke(&token, "Get-MobileDevice", json!({"Filter": ""}))
        .await;
    assert_eq!(status, 400);
    assert!(cmdlet_message(&body).contains("The argument is null or empty"));
}

#[tokio::test]
async fn result_size_default_number_unlimited_and_invalid() {
    let h = start(EmulatorOptions {
        devices: 1_500,
        users: 300,
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let (all, _, warnings) = h
        .invoke_all(&token, &body("Get-MobileDevice", json!({})), None)
        .await;
    assert_eq!(all.len(), 1000);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("By default, only the first 1000 items are returned."),
        "{warnings:?}"
    );
    let (all, _, warnings) = h
        .invoke_all(
            &token,
            &body("Get-MobileDevice", json!({"ResultSize": "Unlimited"})),
            None,
        )
        .await;
    assert_eq!(all.len(), 1500);
    assert!(warnings.is_empty());
    let (some, pages, warnings) = h
        .invoke_all(
            &token,
            &body("Get-MobileDevice", json!({"ResultSize": 25})),
            Some("odata.maxpagesize=10"),
        )
        .await;
    assert_eq!((some.len(), pages), (25, 3));
    assert!(
        warnings[0].contains("There are more results available"),
        "{warnings:?}"
    );
    assert_eq!(
        guids(&some),
        guids(&h.emulator.seeded_devices_json(None)[..25])
    );
    for bad in [json!("lots"), json!(0), json!(-5)] {
        let (status, body) = h
            .invoke(&token, "Get-MobileDevice", json!({"ResultSize": bad}))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert!(cmdlet_message(&body).contains("ResultSize"), "{body}");
    }
}

#[tokio::test]
async fn paging_returns_every_device_exactly_once_for_page_sizes_1_7_1000() {
    let h = start(EmulatorOptions {
        devices: 400,
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let expected = guids(&h.emulator.seeded_devices_json(None));
    for (prefer, pages) in [
        ("odata.maxpagesize=1", 400),
        ("odata.maxpagesize=7", 58),
        ("odata.maxpagesize=1000", 1),
    ] {
        let (all, got_pages, _) = h
            .invoke_all(
                &token,
                &body("Get-MobileDevice", json!({"ResultSize": "Unlimited"})),
                Some(prefer),
            )
            .await;
        assert_eq!(guids(&all), expected, "{prefer}");
        assert_eq!(got_pages, pages, "{prefer}");
    }
    // A filtered scan pages over matches only and never ends with an empty page.
    let filtered = json!({"Filter": "ClientType -eq 'EAS'", "ResultSize": "Unlimited"});
    let (all, pages, _) = h
        .invoke_all(
            &token,
            &body("Get-MobileDevice", filtered),
            Some("odata.maxpagesize=7"),
        )
        .await;
    let eas: Vec<String> = guids(
        &h.emulator
            .seeded_devices_json(None)
            .into_iter()
            .filter(|d| d["ClientType"] == "EAS")
            .collect::<Vec<_>>(),
    );
    assert_eq!(guids(&all), eas);
    assert_eq!(pages, eas.len().div_ceil(7));
}

#[tokio::test]
async fn server_page_size_caps_the_preference() {
    let h = start(EmulatorOptions {
        exo_page_size: 50,
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let (all, pages, _) = h
        .invoke_all(
            &token,
            &body("Get-MobileDevice", json!({"ResultSize": "Unlimited"})),
            Some("odata.maxpagesize=1000"),
        )
        .await;
    assert_eq!((all.len(), pages), (400, 8));
}

#[tokio::test]
async fn skiptoken_is_rejected_when_tampered_or_used_with_another_body() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let b = body("Get-MobileDevice", json!({"ResultSize": "Unlimited"}));
    let (_, page) = h
        .invoke_with(&token, &b, "", Some("odata.maxpagesize=10"))
        .await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(
        next.starts_with(&format!("{}/adminapi/beta/", h.base)) && next.contains("$skiptoken=")
    );
    let query = &next[next.find('?').unwrap()..];
    let (status, _) = h
        .invoke_with(&token, &b, query, Some("odata.maxpagesize=10"))
        .await;
    assert_eq!(status, 200);
    let other = body(
        "Get-MobileDevice",
        json!({"ResultSize": "Unlimited", "Filter": "ClientType -eq 'EAS'"}),
    );
    let (status, body_err) = h.invoke_with(&token, &other, query, None).await;
    assert_eq!(status, 400, "{body_err}");
    // Flip one character in the middle of the token (not just padding bits at the end).
    let mut chars: Vec<char> = query.chars().collect();
    let middle = query.find('=').unwrap() + (chars.len() - query.find('=').unwrap()) / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let (status, body_err) = h.invoke_with(&token, &b, &tampered, None).await;
    assert_eq!(status, 400);
    assert!(
        body_err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("$skiptoken")
    );
}

#[tokio::test]
async fn mailbox_parameter_limits_to_one_users_devices() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let all = h.emulator.seeded_devices_json(None);
    let owner = all[0]["UserDisplayName"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|d| {
            d["UserDisplayName"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{owner}"))
        })
        .collect();
    let (status, page) = h
        .invoke(&token, "Get-MobileDevice", json!({"Mailbox": owner}))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["value"].as_array().unwrap().iter().collect::<Vec<_>>(),
        expected
    );
    let (status, body) = h
        .invoke(
            &token,
            "Get-MobileDevice",
            json!({"Mailbox": "nobody-here"}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(cmdlet_message(&body).contains("ManagementObjectNotFoundException"));
}

#[tokio::test]
async fn get_mailbox_by_identity_and_50_term_filter() {
    let h = start(EmulatorOptions {
        users: 500,
        ..Default::default()
    })
    .await;
    let token = h.app_token(EXO_SCOPE).await;
    let (all, _, _) = h
        .invoke_all(
            &token,
            &body("Get-Mailbox", json!({"ResultSize": "Unlimited"})),
            None,
        )
        .await;
    assert_eq!(all.len(), 500);
    let first = all[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "Name",
            "DisplayName",
            "Alias",
            "UserPrincipalName",
            "PrimarySmtpAddress",
            "ExternalDirectoryObjectId",
            "DistinguishedName",
            "Identity",
            "Guid",
            "ExchangeGuid"
        ]
    );
    for key in [
        "UserPrincipalName",
        "ExternalDirectoryObjectId",
        "DistinguishedName",
        "Alias",
    ] {
        let (status, page) = h
            .invoke(&token, "Get-Mailbox", json!({"Identity": all[7][key]}))
            .await;
        assert_eq!(status, 200, "{key}: {page}");
        assert_eq!(page["value"][0], all[7], "{key}");
    }
    // 60 terms mixing the three identity properties, including UPNs with apostrophes.
    let picked: Vec<&Value> = all.iter().step_by(8).take(60).collect();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let terms: Vec<String> = picked
        .iter()
        .enumerate()
        .map(|(i, m)| match i % 3 {
            0 => format!(
                "UserPrincipalName -eq {}",
                quote(m["UserPrincipalName"].as_str().unwrap())
            ),
            1 => format!(
                "ExternalDirectoryObjectId -eq {}",
                quote(m["ExternalDirectoryObjectId"].as_str().unwrap())
            ),
            _ => format!(
                "DistinguishedName -eq {}",
                quote(m["DistinguishedName"].as_str().unwrap())
            ),
        })
        .collect();
    let filter = terms.join(" -or ");
    let (status, page) = h
        .invoke(
            &token,
            "Get-Mailbox",
            json!({"Filter": filter, "ResultSize": "Unlimited"}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["value"].as_array().unwrap().iter().collect::<Vec<_>>(),
        picked
    );
    let (status, body) = h
        .invoke(
            &token,
            "Get-Mailbox",
            json!({"Identity": "no.such.person@contoso.onmicrosoft.com"}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(cmdlet_message(&body).contains("couldn't be found"));
}

#[tokio::test]
async fn select_projects_properties() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let b = body("Get-MobileDevice", json!({"ResultSize": 2}));
    let (status, page) = h
        .invoke_with(&token, &b, "?$select=DeviceId,Identity", None)
        .await;
    assert_eq!(status, 200, "{page}");
    let keys: Vec<&String> = page["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["DeviceId", "Identity"]);
    let (status, _) = h.invoke_with(&token, &b, "?$select=Nope", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn authentication_and_authorization_failures() {
    let h = start_default().await;
    let org = body("Get-OrganizationConfig", json!({}));
    // No token.
    let resp = h
        .client
        .post(h.exo_url())
        .header("X-AnchorMailbox", h.anchor())
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    // A Graph token has the wrong audience.
    let graph = h.app_token(GRAPH_SCOPE).await;
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&graph)
        .header("X-AnchorMailbox", h.anchor())
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    // No Exchange.ManageAsApp / role.
    let no_role = &h.creds.no_role_app;
    let weak = h
        .secret_token_for(&no_role.client_id, &no_role.client_secret, EXO_SCOPE)
        .await;
    assert_eq!(
        h.invoke(&weak, "Get-OrganizationConfig", json!({})).await.0,
        403
    );
    // Expired after expire_all_tokens.
    let token = h.app_token(EXO_SCOPE).await;
    assert_eq!(
        h.invoke(&token, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        200
    );
    h.emulator.expire_all_tokens();
    assert_eq!(
        h.invoke(&token, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        401
    );
    let fresh = h.app_token(EXO_SCOPE).await;
    assert_eq!(
        h.invoke(&fresh, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        200
    );
    // A token signed by someone else.
    let forged = sign_jwt(
        &h.creds.certificate_app.private_key_pem,
        &json!({"alg": "RS256", "typ": "JWT"}),
        &claims(&fresh),
    );
    assert_eq!(
        h.invoke(&forged, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn required_headers_and_body_shape() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let org = body("Get-OrganizationConfig", json!({}));
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "missing X-AnchorMailbox");
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .header("X-AnchorMailbox", h.anchor())
        .header("Content-Type", "text/plain")
        .body(org.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let (status, _) = h
        .invoke_with(
            &token,
            &json!({"Cmdlet": "Get-OrganizationConfig"}),
            "",
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = h.invoke(&token, "Get-Nonsense", json!({})).await;
    assert_eq!(status, 400);
    assert!(cmdlet_message(&body).contains("CommandNotFoundException"));
    let url = format!(
        "{}/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand",
        h.base
    );
    let resp = h
        .client
        .post(url)
        .bearer_auth(&token)
        .header("X-AnchorMailbox", h.anchor())
        .json(&org)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn the_seed_fixes_the_tenant_but_not_the_secrets() {
    let a = start(EmulatorOptions {
        seed: 7,
        ..Default::default()
    })
    .await;
    let b = start(EmulatorOptions {
        seed: 7,
        ..Default::default()
    })
    .await;
    let c = start(EmulatorOptions {
        seed: 8,
        ..Default::default()
    })
    .await;
    assert_eq!(
        a.emulator.seeded_devices_json(None),
        b.emulator.seeded_devices_json(None)
    );
    assert_ne!(
        a.emulator.seeded_devices_json(None),
        c.emulator.seeded_devices_json(None)
    );
    assert_eq!(a.creds.tenant_id, b.creds.tenant_id);
    assert_eq!(a.creds.secret_app.client_id, b.creds.secret_app.client_id);
    assert_ne!(a.creds.tenant_id, c.creds.tenant_id);
    assert_ne!(
        a.creds.secret_app.client_secret,
        b.creds.secret_app.client_secret
    );
    assert_ne!(a.creds.control_key, b.creds.control_key);
}

#[tokio::test]
async fn failed_cmdlet_answers_in_the_real_shape() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let (status, body) = h
        .invoke(
            &token,
            "Get-Mailbox",
            json!({"Identity": "ghost@contoso.onmicrosoft.com"}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let error = &body["error"];
    assert_eq!(error["code"], "NotFound");
    assert_eq!(error["message"], "Error executing cmdlet");
    let detail: Value =
        serde_json::from_str(error["details"][0]["message"].as_str().unwrap()).unwrap();
    assert_eq!(
        detail["TypeName"],
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
    );
    assert!(
        detail["Message"]
            .as_str()
            .unwrap()
            .starts_with("The operation couldn't be performed because object 'ghost@contoso.onmicrosoft.com' couldn't be found")
    );
    let internal = &error["innererror"]["internalexception"];
    assert_eq!(internal["type"], detail["TypeName"]);
    assert_eq!(internal["message"], detail["Message"]);
    // Parameter binding failures are 400 BadRequest in the same shape.
    let (status, body) = h
        .invoke(&token, "Get-OrganizationConfig", json!({"Nope": 1}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "BadRequest");
    assert!(cmdlet_message(&body).starts_with(
        "|Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException|"
    ));
}

#[tokio::test]
async fn diagnostics_headers_are_echoed_and_recorded() {
    let h = start_default().await;
    let token = h.app_token(EXO_SCOPE).await;
    let crid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let resp = h
        .client
        .post(h.exo_url())
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .header("X-AnchorMailbox", h.anchor())
        .header("client-request-id", crid)
        .header("X-ClientApplication", "ExoManagementModule")
        .json(&body("Get-OrganizationConfig", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["client-request-id"], crid);
    assert!(uuid::Uuid::parse_str(resp.headers()["request-id"].to_str().unwrap()).is_ok());
    let journal = h.emulator.journal();
    let last = journal.requests.last().unwrap();
    assert_eq!(last.client_request_id.as_deref(), Some(crid));
    assert_eq!(
        last.client_application.as_deref(),
        Some("ExoManagementModule")
    );
    // Not required: callers without it (CIPP-API New-ExoRequest.ps1) are served.
    assert_eq!(
        h.invoke(&token, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        h.emulator
            .journal()
            .requests
            .last()
            .unwrap()
            .client_application,
        None
    );
}

#[tokio::test]
async fn exchange_rbac_for_applications_authorises_without_an_entra_role() {
    let h = start_default().await;
    let rbac = &h.creds.exchange_rbac_app;
    let token = h
        .secret_token_for(&rbac.client_id, &rbac.client_secret, EXO_SCOPE)
        .await;
    for (cmdlet, parameters) in [
        ("Get-OrganizationConfig", json!({})),
        (
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnabled": false}),
        ),
        ("Get-MobileDevice", json!({"ResultSize": 1})),
        ("Get-Mailbox", json!({"ResultSize": 1})),
    ] {
        let (status, body) = h.invoke(&token, cmdlet, parameters).await;
        assert_eq!(status, 200, "{cmdlet}: {body}");
    }
    // A cmdlet outside its Exchange roles is invisible to it, as an unknown one.
    let (status, body) = h.invoke(&token, "Get-Nonsense", json!({})).await;
    assert_eq!(status, 400);
    assert!(cmdlet_message(&body).contains("CommandNotFoundException"));
    // Read-only Exchange roles: reads work, the write cmdlet does not exist for it.
    let reader = &h.creds.exchange_rbac_reader_app;
    let token = h
        .secret_token_for(&reader.client_id, &reader.client_secret, EXO_SCOPE)
        .await;
    assert_eq!(
        h.invoke(&token, "Get-OrganizationConfig", json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        h.invoke(&token, "Get-MobileDevice", json!({"ResultSize": 1}))
            .await
            .0,
        200
    );
    let (status, body) = h
        .invoke(
            &token,
            "Set-OrganizationConfig",
            json!({"MobileAppEducationEnabled": false}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(cmdlet_message(&body).contains("'Set-OrganizationConfig' is not recognized"));
    assert!(h.emulator.journal().organization_config_changes.len() == 1);
    // Exchange.ManageAsApp alone, with neither an Entra nor an Exchange role: 403.
    let bare = &h.creds.exchange_unassigned_app;
    let token = h
        .secret_token_for(&bare.client_id, &bare.client_secret, EXO_SCOPE)
        .await;
    let (status, body) = h.invoke(&token, "Get-OrganizationConfig", json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Forbidden");
}
