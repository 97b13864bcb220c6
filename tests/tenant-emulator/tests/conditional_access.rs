//! Conditional Access policies over real sockets: paging, CRUD, Graph/OData validation, the
//! permission and licence 403s, faults and the journal of writes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use tenant_emulator::{EndpointClass, Fault, FaultPlan, FaultRule, SettingsUpdate};

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

fn block_transfer(users: Value) -> Value {
    json!({
        "displayName": "Block authentication transfer (test)",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "users": users,
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
            "authenticationFlows": {"transferMethods": "authenticationTransfer"}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

async fn list_all(h: &Harness, token: &str, first: &str) -> (Vec<Value>, usize) {
    let mut url = first.to_owned();
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = h.graph_get(token, &url).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        all.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&h.base).unwrap().to_owned(),
            None => return (all, pages),
        }
    }
}

#[tokio::test]
async fn seeded_policies_are_listed_in_full_and_none_blocks_transfer() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let (status, page) = h.graph_get(&token, POLICIES).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies"
    );
    assert!(page.get("@odata.nextLink").is_none());
    let value = page["value"].as_array().unwrap();
    assert_eq!(value.len(), 5);
    let names: Vec<&str> = value
        .iter()
        .map(|p| p["displayName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Require MFA for administrators"));
    assert!(names.contains(&"Block legacy authentication"));
    assert!(names.iter().any(|n| n.contains("営業部")));
    assert!(value.iter().any(|p| p["state"] == "disabled"));
    for p in value {
        // Every property of the type is present, as Graph renders it.
        for name in [
            "id",
            "templateId",
            "createdDateTime",
            "modifiedDateTime",
            "state",
            "sessionControls",
            "conditions",
            "grantControls",
        ] {
            assert!(p.get(name).is_some(), "{name} missing in {p}");
        }
        let users = &p["conditions"]["users"];
        assert!(users["excludeRoles"].is_array() && users["includeGroups"].is_array());
        let flows = p["conditions"]["authenticationFlows"]["transferMethods"]
            .as_str()
            .unwrap_or("");
        assert!(!flows.contains("authenticationTransfer"), "{p}");
    }
    // The device code policy is a trap for a careless checker: a flows policy without transfer.
    assert!(
        value
            .iter()
            .any(|p| p["conditions"]["authenticationFlows"]["transferMethods"] == "deviceCodeFlow")
    );
    // Seeded exclusions name real groups.
    let groups = h.emulator.seeded_groups_json();
    let break_glass = groups
        .iter()
        .find(|g| g["displayName"] == "Break Glass Accounts")
        .unwrap();
    assert!(value.iter().any(|p| {
        p["conditions"]["users"]["excludeGroups"]
            .as_array()
            .unwrap()
            .contains(&break_glass["id"])
    }));
}

#[tokio::test]
async fn paging_honours_page_size_top_and_refuses_tampered_tokens() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .update_settings(SettingsUpdate {
            ca_page_size: Some(2),
            ..Default::default()
        })
        .unwrap();
    let (all, pages) = list_all(&h, &token, POLICIES).await;
    assert_eq!((all.len(), pages), (5, 3));
    let expected: Vec<Value> = h.emulator.conditional_access_policies();
    assert_eq!(all, expected);
    let (all, pages) = list_all(&h, &token, &format!("{POLICIES}?$top=1")).await;
    assert_eq!((all.len(), pages), (5, 5));
    // $top cannot ask for more than the server page.
    let (_, page) = h.graph_get(&token, &format!("{POLICIES}?$top=50")).await;
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(next.contains("$top=50&$skiptoken="), "{next}");
    let token_at = next.find("$skiptoken=").unwrap() + "$skiptoken=".len();
    let mut tampered: Vec<char> = next.chars().collect();
    let i = token_at + 3;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let (status, body) = h
        .graph_get(&token, tampered.strip_prefix(&h.base).unwrap())
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(graph_code(&body), "BadRequest");
    for top in ["0", "1000", "x"] {
        let (status, body) = h.graph_get(&token, &format!("{POLICIES}?$top={top}")).await;
        assert_eq!(status, 400, "$top={top}: {body}");
    }
    let (status, _) = h
        .graph_get(&token, &format!("{POLICIES}?$orderby=displayName"))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn create_get_patch_delete_round_trip_is_journaled() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let groups = h.emulator.seeded_groups_json();
    let break_glass = groups[0]["id"].as_str().unwrap().to_owned();
    let admin_id = {
        let (_, user) = h
            .graph_get(&token, &format!("/v1.0/users/{}", h.creds.admin_upn))
            .await;
        user["id"].as_str().unwrap().to_owned()
    };
    let sent = block_transfer(
        json!({"includeUsers": ["All"], "excludeUsers": [admin_id], "excludeGroups": [break_glass]}),
    );
    let (status, headers, created) =
        graph_send(&h, Method::POST, &token, POLICIES, Some(&sent)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(
        headers["location"].to_str().unwrap(),
        format!("{}{POLICIES}/{id}", h.base)
    );
    assert_eq!(created["templateId"], Value::Null);
    assert_eq!(created["modifiedDateTime"], Value::Null);
    assert!(created["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(created["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        created["conditions"]["authenticationFlows"]["transferMethods"],
        "authenticationTransfer"
    );
    assert_eq!(
        created["conditions"]["users"]["excludeGroups"],
        json!([break_glass])
    );
    assert_eq!(created["conditions"]["platforms"], Value::Null);

    let (status, got) = h.graph_get(&token, &format!("{POLICIES}/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        got["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies/$entity"
    );
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("@odata.context");
        v
    };
    assert_eq!(strip(got), strip(created.clone()));

    let patch = json!({"state": "enabled", "conditions": {"users": {"excludeUsers": []}}});
    let (status, _, body) = graph_send(
        &h,
        Method::PATCH,
        &token,
        &format!("{POLICIES}/{id}"),
        Some(&patch),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = h.graph_get(&token, &format!("{POLICIES}/{id}")).await;
    assert_eq!(got["state"], "enabled");
    assert!(got["modifiedDateTime"].is_string());
    // Complex values merge: only excludeUsers changed under users.
    assert_eq!(got["conditions"]["users"]["excludeUsers"], json!([]));
    assert_eq!(got["conditions"]["users"]["includeUsers"], json!(["All"]));
    assert_eq!(
        got["conditions"]["users"]["excludeGroups"],
        json!([break_glass])
    );

    let (status, _, _) = graph_send(
        &h,
        Method::DELETE,
        &token,
        &format!("{POLICIES}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = h.graph_get(&token, &format!("{POLICIES}/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(graph_code(&body), "Request_ResourceNotFound");
    let (status, _, _) = graph_send(
        &h,
        Method::DELETE,
        &token,
        &format!("{POLICIES}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    let writes = h.emulator.journal().conditional_access_writes;
    let methods: Vec<(&str, &str, u16)> = writes
        .iter()
        .map(|w| (w.method.as_str(), w.policy_id.as_str(), w.status))
        .collect();
    assert_eq!(
        methods,
        [
            ("POST", id.as_str(), 201),
            ("PATCH", id.as_str(), 204),
            ("DELETE", id.as_str(), 204)
        ]
    );
    // The journal keeps the bodies exactly as sent.
    assert_eq!(writes[0].body, sent);
    assert_eq!(writes[1].body, patch);
    assert_eq!(writes[2].body, Value::Null);
    assert_eq!(h.emulator.conditional_access_policies().len(), 5);
}

#[tokio::test]
async fn patch_leaves_an_omitted_condition_in_place_and_an_explicit_null_clears_it() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let mut sent = block_transfer(json!({"includeUsers": ["All"]}));
    sent["conditions"]["platforms"] = json!({"includePlatforms": ["android"]});
    sent["conditions"]["signInRiskLevels"] = json!(["high"]);
    let (status, _, created) = graph_send(&h, Method::POST, &token, POLICIES, Some(&sent)).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("{POLICIES}/{}", created["id"].as_str().unwrap());
    // A body that restates the conditions but omits the platforms: they stay.
    let omitted = json!({"conditions": {
        "users": {"includeUsers": ["All"], "excludeUsers": [], "excludeGroups": []},
        "applications": {"includeApplications": ["All"]},
        "clientAppTypes": ["all"],
        "authenticationFlows": {"transferMethods": "authenticationTransfer"}
    }});
    let (status, _, body) = graph_send(&h, Method::PATCH, &token, &path, Some(&omitted)).await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = h.graph_get(&token, &path).await;
    assert_eq!(
        got["conditions"]["platforms"]["includePlatforms"],
        json!(["android"])
    );
    assert_eq!(got["conditions"]["signInRiskLevels"], json!(["high"]));
    // Explicit null (complex) and [] (collection) clear them.
    let cleared = json!({"conditions": {"platforms": null, "signInRiskLevels": []}});
    let (status, _, body) = graph_send(&h, Method::PATCH, &token, &path, Some(&cleared)).await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = h.graph_get(&token, &path).await;
    assert_eq!(got["conditions"]["platforms"], Value::Null);
    assert_eq!(got["conditions"]["signInRiskLevels"], json!([]));
    // A collection is not nullable: null is refused, nothing changes.
    let null_list = json!({"conditions": {"userRiskLevels": null}});
    let (status, _, body) = graph_send(&h, Method::PATCH, &token, &path, Some(&null_list)).await;
    assert_eq!(status, 400, "{body}");
}

async fn refused(h: &Harness, token: &str, method: Method, path: &str, body: &Value) -> String {
    let (status, _, reply) = graph_send(h, method, token, path, Some(body)).await;
    assert_eq!(status, 400, "{body} → {reply}");
    assert_eq!(graph_code(&reply), "BadRequest");
    reply["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn validation_refuses_what_graph_refuses_and_writes_nothing() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let all_users = json!({"includeUsers": ["All"]});
    let with = |path: &[&str], value: Value| {
        let mut b = block_transfer(all_users.clone());
        let mut at = &mut b;
        for seg in &path[..path.len() - 1] {
            at = at.get_mut(*seg).unwrap();
        }
        at[path[path.len() - 1]] = value;
        b
    };
    let cases: Vec<(Value, String)> = vec![
        (
            with(&["colour"], json!("red")),
            "The property 'colour' does not exist on type 'microsoft.graph.conditionalAccessPolicy'. Make sure to only use property names that are defined by the type or mark the type as open type.".into(),
        ),
        (
            with(&["conditions", "users", "includeUserz"], json!(["All"])),
            "The property 'includeUserz' does not exist on type 'microsoft.graph.conditionalAccessUsers'. Make sure to only use property names that are defined by the type or mark the type as open type.".into(),
        ),
        (
            with(&["conditions", "authenticationFlows", "methods"], json!("x")),
            "The property 'methods' does not exist on type 'microsoft.graph.conditionalAccessAuthenticationFlows'. Make sure to only use property names that are defined by the type or mark the type as open type.".into(),
        ),
        (
            with(&["grantControls", "controls"], json!(["block"])),
            "The property 'controls' does not exist on type 'microsoft.graph.conditionalAccessGrantControls'. Make sure to only use property names that are defined by the type or mark the type as open type.".into(),
        ),
        (
            with(&["state"], json!("on")),
            "Cannot convert the literal 'on' to the expected type 'microsoft.graph.conditionalAccessPolicyState'.".into(),
        ),
        (
            with(&["conditions", "authenticationFlows", "transferMethods"], json!("authenticationTransfer,qrCode")),
            "Cannot convert the literal 'qrCode' to the expected type 'microsoft.graph.conditionalAccessTransferMethods'.".into(),
        ),
        (
            with(&["grantControls", "builtInControls"], json!(["deny"])),
            "Cannot convert the literal 'deny' to the expected type 'microsoft.graph.conditionalAccessGrantControl'.".into(),
        ),
        (
            with(&["conditions", "clientAppTypes"], json!(["everything"])),
            "Cannot convert the literal 'everything' to the expected type 'microsoft.graph.conditionalAccessClientApp'.".into(),
        ),
    ];
    for (body, message) in &cases {
        assert_eq!(
            &refused(&h, &token, Method::POST, POLICIES, body).await,
            message
        );
    }
    // Read-only properties, unknown ids, wrong node kinds, missing required properties.
    let unknown_user = uuid::Uuid::new_v4().to_string();
    let unknown_group = uuid::Uuid::new_v4().to_string();
    let others = [
        with(&["id"], json!(uuid::Uuid::new_v4().to_string())),
        with(&["createdDateTime"], json!("2026-01-01T00:00:00Z")),
        with(&["templateId"], json!("x")),
        with(
            &["conditions", "users", "excludeUsers"],
            json!([unknown_user]),
        ),
        with(
            &["conditions", "users", "excludeUsers"],
            json!(["breakglass@contoso.onmicrosoft.com"]),
        ),
        with(
            &["conditions", "users", "excludeGroups"],
            json!([unknown_group]),
        ),
        with(&["conditions", "users", "excludeGroups"], json!(["All"])),
        with(&["conditions", "users", "includeUsers"], json!("All")),
        with(&["conditions", "users", "includeUsers"], json!([])),
        with(&["conditions", "applications"], Value::Null),
        with(&["grantControls", "operator"], json!("XOR")),
        with(&["displayName"], json!(42)),
        with(&["displayName"], json!("")),
        json!({"displayName": "only a name", "state": "disabled"}),
    ];
    for body in &others {
        refused(&h, &token, Method::POST, POLICIES, body).await;
    }
    let m = refused(&h, &token, Method::POST, POLICIES, &others[0]).await;
    assert!(m.contains("'id'") && m.contains("read-only"), "{m}");
    let m = refused(&h, &token, Method::POST, POLICIES, &others[3]).await;
    assert!(m.contains(&unknown_user), "{m}");
    // Not JSON at all.
    let resp = h
        .client
        .post(format!("{}{POLICIES}", h.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // PATCH validates what is sent, and the merged result.
    let id = h.emulator.conditional_access_policies()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{POLICIES}/{id}");
    for body in [
        json!({"conditions": {"users": {"excludeUserz": []}}}),
        json!({"state": "Enabled"}),
        json!({"id": id}),
        json!({"conditions": {"users": {"includeRoles": [], "includeUsers": []}}}),
        json!({"displayName": null}),
    ] {
        refused(&h, &token, Method::PATCH, &path, &body).await;
    }
    let (status, _, body) = graph_send(
        &h,
        Method::PATCH,
        &token,
        &format!("{POLICIES}/{}", uuid::Uuid::new_v4()),
        Some(&json!({"state": "disabled"})),
    )
    .await;
    assert_eq!(
        (status, graph_code(&body)),
        (404, "Request_ResourceNotFound")
    );
    assert!(h.emulator.journal().conditional_access_writes.is_empty());
    let before = h.emulator.conditional_access_policies();
    assert_eq!(before.len(), 5);
    assert!(before.iter().all(|p| p["modifiedDateTime"].is_null()));
}

#[tokio::test]
async fn read_and_write_permissions_are_separate() {
    let h = start_default().await;
    let body = block_transfer(json!({"includeUsers": ["All"]}));
    let exchange_only = h.graph_token_for(&h.creds.exchange_only_app).await;
    let reader = h.graph_token_for(&h.creds.policy_reader_app).await;
    let no_role = h.graph_token_for(&h.creds.no_role_app).await;
    for token in [&exchange_only, &no_role] {
        let (status, body) = h.graph_get(token, POLICIES).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(graph_code(&body), "AccessDenied");
        assert_eq!(
            body["error"]["message"],
            "You cannot perform the requested operation, required scopes are missing in the token."
        );
    }
    let (status, page) = h.graph_get(&reader, POLICIES).await;
    assert_eq!(status, 200, "{page}");
    let id = page["value"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = h.graph_get(&reader, &format!("{POLICIES}/{id}")).await;
    assert_eq!(status, 200);
    for (method, path, b) in [
        (Method::POST, POLICIES.to_owned(), Some(&body)),
        (
            Method::PATCH,
            format!("{POLICIES}/{id}"),
            Some(&json!({"state": "disabled"})),
        ),
        (Method::DELETE, format!("{POLICIES}/{id}"), None),
    ] {
        let (status, _, reply) = graph_send(&h, method, &reader, &path, b).await;
        assert_eq!(status, 403, "{reply}");
        assert_eq!(graph_code(&reply), "AccessDenied");
    }
    assert!(h.emulator.journal().conditional_access_writes.is_empty());
    let full = h.app_token(GRAPH_SCOPE).await;
    let (status, _, _) = graph_send(&h, Method::POST, &full, POLICIES, Some(&body)).await;
    assert_eq!(status, 201);
    // The certificate app and the managed identity have the same Graph roles as the secret app:
    // their tokens carry both Policy roles.
    let claims = claims(&full);
    let roles: Vec<&str> = claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for r in [
        "Policy.Read.All",
        "Policy.ReadWrite.ConditionalAccess",
        "AuditLog.Read.All",
        "Group.Read.All",
    ] {
        assert!(roles.contains(&r), "{roles:?}");
    }
}

#[tokio::test]
async fn tenant_without_p1_is_refused_with_a_premium_message() {
    let h = start(tenant_emulator::EmulatorOptions {
        premium: false,
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let (status, body) = h.graph_get(&token, POLICIES).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(graph_code(&body), "AccessDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("premium")
    );
    let (status, _, _) = graph_send(
        &h,
        Method::POST,
        &token,
        POLICIES,
        Some(&block_transfer(json!({"includeUsers": ["All"]}))),
    )
    .await;
    assert_eq!(status, 403);
    // Switched on at runtime, the same tenant answers.
    h.emulator
        .update_settings(SettingsUpdate {
            premium: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(h.graph_get(&token, POLICIES).await.0, 200);
}

#[tokio::test]
async fn faults_target_the_conditional_access_class() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator
        .set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphConditionalAccess,
            Fault::Throttle {
                retry_after: "1.5".into(),
            },
            2,
        )));
    assert_eq!(h.graph_get(&token, POLICIES).await.0, 200);
    let resp = h
        .client
        .get(format!("{}{POLICIES}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1.5");
    // Other Graph classes are not affected.
    assert_eq!(h.graph_get(&token, "/v1.0/users?$top=1").await.0, 200);
    let journal = h.emulator.journal();
    assert_eq!(
        journal
            .requests_to(EndpointClass::GraphConditionalAccess)
            .count(),
        2
    );
}

/// A delegated Graph token for `upn` through the device code flow.
async fn delegated_token(h: &Harness, upn: &str) -> String {
    let (status, code) = h
        .post_form(
            &format!("{}/organizations/oauth2/v2.0/devicecode", h.base),
            &[
                ("client_id", h.creds.public_client_id.as_str()),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{code}");
    assert!(
        h.emulator
            .approve_device_code(code["user_code"].as_str().unwrap(), upn)
    );
    let (status, token) = h
        .post_form(
            &h.token_url(),
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", h.creds.public_client_id.as_str()),
                ("device_code", code["device_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{token}");
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn delegated_callers_also_need_an_admin_role() {
    let h = start_default().await;
    let admin = delegated_token(&h, &h.creds.admin_upn).await;
    let app = h.app_token(GRAPH_SCOPE).await;
    let (_, users) = h.graph_get(&app, "/v1.0/users?$top=2").await;
    let member_upn = users["value"][1]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = delegated_token(&h, &member_upn).await;
    let body = block_transfer(json!({"includeUsers": ["All"]}));
    assert_eq!(h.graph_get(&admin, POLICIES).await.0, 200);
    let (status, _, created) = graph_send(&h, Method::POST, &admin, POLICIES, Some(&body)).await;
    assert_eq!(status, 201, "{created}");
    // Same consented scopes, but no Conditional Access or reader role.
    let (status, reply) = h.graph_get(&member, POLICIES).await;
    assert_eq!((status, graph_code(&reply)), (403, "AccessDenied"));
    let (status, _, _) = graph_send(&h, Method::POST, &member, POLICIES, Some(&body)).await;
    assert_eq!(status, 403);
    assert_eq!(h.emulator.journal().conditional_access_writes.len(), 1);
}
