//! Microsoft Graph: users, revokeSignInSessions, $batch, and the error envelope.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::{Value, json};
use tenant_emulator::{EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule};

async fn users(h: &Harness, token: &str, n: usize) -> Vec<Value> {
    let (status, body) = h.graph_get(token, &format!("/v1.0/users?$top={n}")).await;
    assert_eq!(status, 200, "{body}");
    body["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn get_user_by_id_and_upn_with_select() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 5).await;
    let user = &some[3];
    let (status, by_id) = h
        .graph_get(
            &token,
            &format!("/v1.0/users/{}", user["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, 200, "{by_id}");
    assert_eq!(
        by_id["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    );
    for key in [
        "id",
        "userPrincipalName",
        "displayName",
        "mail",
        "businessPhones",
    ] {
        assert_eq!(by_id[key], user[key], "{key}");
    }
    let upn = user["userPrincipalName"].as_str().unwrap();
    let encoded: String = url_path(upn);
    let (status, by_upn) = h
        .graph_get(
            &token,
            &format!(
                "/v1.0/users/{encoded}?$select=id,displayName,signInSessionsValidFromDateTime"
            ),
        )
        .await;
    assert_eq!(status, 200, "{by_upn}");
    let keys: Vec<&String> = by_upn.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "@odata.context",
            "id",
            "displayName",
            "signInSessionsValidFromDateTime"
        ]
    );
    assert_eq!(
        by_upn["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,signInSessionsValidFromDateTime)/$entity"
    );
    let (status, body) = h
        .graph_get(&token, &format!("/v1.0/users/{encoded}?$select=shoeSize"))
        .await;
    assert_eq!(status, 400, "{body}");
}

fn url_path(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn unknown_user_is_404_with_the_envelope_and_echoed_client_request_id() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let crid = "2b1f3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d";
    let resp = h
        .client
        .get(format!(
            "{}/v1.0/users/ghost@contoso.onmicrosoft.com",
            h.base
        ))
        .bearer_auth(&token)
        .header("client-request-id", crid)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["client-request-id"], crid);
    assert!(resp.headers().contains_key("request-id"));
    assert!(resp.headers().contains_key("x-ms-ags-diagnostic"));
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(
        body["error"]["message"],
        "Resource 'ghost@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present."
    );
    let inner = &body["error"]["innerError"];
    assert_eq!(inner["client-request-id"], crid);
    assert!(inner["request-id"].is_string());
    assert_eq!(inner["date"].as_str().unwrap().len(), 19);
}

#[tokio::test]
async fn no_permission_is_403_authorization_request_denied() {
    let h = start_default().await;
    let app = &h.creds.no_role_app;
    let token = h
        .secret_token_for(&app.client_id, &app.client_secret, GRAPH_SCOPE)
        .await;
    let (status, body) = h
        .graph_get(&token, &format!("/v1.0/users/{}", h.creds.admin_upn))
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    let (status, body) = h
        .graph_post(
            &token,
            &format!("/v1.0/users/{}/revokeSignInSessions", h.creds.admin_upn),
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    assert!(h.emulator.journal().revocations.is_empty());
}

#[tokio::test]
async fn expired_missing_and_wrong_audience_tokens_are_401() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    h.emulator.expire_all_tokens();
    let resp = h
        .client
        .get(format!("{}/v1.0/users", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (status, body) = status_json(resp).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
    let (status, body) = status_json(
        h.client
            .get(format!("{}/v1.0/users", h.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (401, Some("Access token is empty."))
    );
    let exo = h.app_token(EXO_SCOPE).await;
    let (status, body) = h.graph_get(&exo, "/v1.0/users").await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (
            401,
            Some("Access token validation failure. Invalid audience.")
        )
    );
}

#[tokio::test]
async fn users_paging_with_top_and_skiptoken() {
    let h = start(EmulatorOptions {
        users: 2_100,
        devices: 10,
        ..Default::default()
    })
    .await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let (_, first) = h.graph_get(&token, "/v1.0/users").await;
    assert_eq!(
        first["value"].as_array().unwrap().len(),
        100,
        "default page is 100"
    );
    let mut url = format!(
        "{}/v1.0/users?$top=999&$select=id,userPrincipalName",
        h.base
    );
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) =
            status_json(h.client.get(&url).bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for u in page["value"].as_array().unwrap() {
            assert_eq!(u.as_object().unwrap().len(), 2);
            ids.push(u["id"].as_str().unwrap().to_owned());
        }
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (2100, 2100));
    let (status, body) = h.graph_get(&token, "/v1.0/users?$top=1000").await;
    assert_eq!(status, 400, "{body}");
    let (_, page) = h.graph_get(&token, "/v1.0/users?$top=5").await;
    let next = page["@odata.nextLink"].as_str().unwrap();
    let tampered = format!("{}x", &next[..next.len() - 1]);
    let (status, _) = status_json(
        h.client
            .get(tampered)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = h
        .graph_get(&token, "/v1.0/users?$filter=startswith(displayName,'a')")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn revoke_sign_in_sessions_returns_the_documented_body_and_is_journaled_once() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 3).await;
    let target = &some[2];
    let id = target["id"].as_str().unwrap();
    let (status, body) = h
        .graph_post(
            &token,
            &format!("/v1.0/users/{id}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value": true})
    );
    let journal = h.emulator.journal();
    assert_eq!(journal.revocations.len(), 1);
    assert_eq!(journal.revocations[0].user_id, id);
    assert_eq!(
        journal.revocations[0].user_principal_name,
        target["userPrincipalName"].as_str().unwrap()
    );
    let (_, after) = h
        .graph_get(
            &token,
            &format!("/v1.0/users/{id}?$select=signInSessionsValidFromDateTime"),
        )
        .await;
    assert_eq!(
        after["signInSessionsValidFromDateTime"],
        journal.revocations[0].at.as_str()
    );
    // By UPN, with the beta root too.
    let upn = url_path(target["userPrincipalName"].as_str().unwrap());
    let (status, _) = h
        .graph_post(
            &token,
            &format!("/beta/users/{upn}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(h.emulator.journal().revocations.len(), 2);
    let (status, body) = h
        .graph_post(
            &token,
            "/v1.0/users/ghost@contoso.onmicrosoft.com/revokeSignInSessions",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );
    let (status, _) = h
        .graph_get(&token, &format!("/v1.0/users/{id}/revokeSignInSessions"))
        .await;
    assert_eq!(status, 405);
    assert_eq!(h.emulator.journal().revocations.len(), 2);
}

/// user-get.md: a UPN that starts with `$` is addressed as `/users('$x@y')`; `/users/$x@y` is
/// a 400 (OData reserves the `$` prefix).
#[tokio::test]
async fn users_can_be_addressed_in_parentheses_and_a_dollar_segment_is_400() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 2).await;
    let upn = some[1]["userPrincipalName"].as_str().unwrap();
    let quoted = url_path(&format!("users('{}')", upn.replace('\'', "''")));
    let (status, body) = h
        .graph_get(&token, &format!("/v1.0/{quoted}?$select=id"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], some[1]["id"]);
    let (status, body) = h
        .graph_post(
            &token,
            &format!("/v1.0/{quoted}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.emulator.journal().revocations.len(), 1);
    let (status, body) = h
        .graph_post(
            &token,
            "/v1.0/users('$nobody@contoso.onmicrosoft.com')/revokeSignInSessions",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound")),
        "{body}"
    );
    let (status, body) = h
        .graph_post(
            &token,
            "/v1.0/users/$nobody@contoso.onmicrosoft.com/revokeSignInSessions",
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("BadRequest")),
        "{body}"
    );
    assert_eq!(h.emulator.journal().revocations.len(), 1);
}

#[tokio::test]
async fn batch_runs_items_with_dependencies_and_shuffles_deterministically() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 4).await;
    let id = |i: usize| some[i]["id"].as_str().unwrap().to_owned();
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": format!("/users/{}/revokeSignInSessions", id(1)), "headers": {"content-type": "application/json"}, "body": {}},
        {"id": "2", "method": "POST", "url": "/users/ghost@contoso.onmicrosoft.com/revokeSignInSessions", "headers": {"Content-Type": "application/json"}, "body": {}},
        {"id": "3", "method": "GET", "url": format!("users/{}?$select=id", id(2)), "dependsOn": ["1"]},
        {"id": "4", "method": "POST", "url": format!("/users/{}/revokeSignInSessions", id(3)), "dependsOn": ["2"], "headers": {"Content-Type": "application/json"}, "body": {}},
        {"id": "5", "method": "POST", "url": format!("/users/{}/revokeSignInSessions", id(0)), "headers": {"Content-Type": "application/json"}, "body": {}},
    ]});
    let (status, body) = h.graph_post(&token, "/v1.0/$batch", Some(&batch)).await;
    assert_eq!(status, 200, "{body}");
    let responses = body["responses"].as_array().unwrap();
    let by_id = |i: &str| responses.iter().find(|r| r["id"] == i).unwrap();
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(by_id("1")["body"]["value"], true);
    assert_eq!(by_id("2")["status"], 404);
    assert_eq!(
        by_id("2")["body"]["error"]["code"],
        "Request_ResourceNotFound"
    );
    assert_eq!(by_id("3")["status"], 200);
    assert_eq!(by_id("3")["body"]["id"], id(2).as_str());
    assert_eq!(by_id("4")["status"], 424);
    assert_eq!(by_id("5")["status"], 200);
    assert!(
        by_id("1")["headers"]["Content-Type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    let order: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let journal = h.emulator.journal();
    assert_eq!(journal.revocations.len(), 2, "items 1 and 5");
    assert_eq!(
        journal
            .requests
            .iter()
            .filter(|r| r.batch_item_id.is_some())
            .count(),
        5
    );

    // Same seed, same batch position: same order.
    let h2 = start_default().await;
    let token2 = h2.app_token(GRAPH_SCOPE).await;
    let some2 = users(&h2, &token2, 4).await;
    assert_eq!(some2[1]["id"], some[1]["id"]);
    let (_, body2) = h2.graph_post(&token2, "/v1.0/$batch", Some(&batch)).await;
    let order2: Vec<&str> = body2["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, order2);
    assert_ne!(
        order,
        ["1", "2", "3", "4", "5"],
        "responses are shuffled (for this seed)"
    );
}

#[tokio::test]
async fn malformed_batches_are_400() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let item = |i: usize| json!({"id": i.to_string(), "method": "GET", "url": "/users?$top=1"});
    let cases = vec![
        json!({"requests": (0..21).map(item).collect::<Vec<_>>()}),
        json!({"requests": [item(1), item(1)]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": "/users/x/revokeSignInSessions", "body": {}}]}),
        json!({"requests": [{"id": "1", "method": "POST", "url": "/users/x/revokeSignInSessions"}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]}),
        json!({"requests": [{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["2"]}, {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["1"]}]}),
        json!({"nope": []}),
    ];
    for case in cases {
        let (status, body) = h.graph_post(&token, "/v1.0/$batch", Some(&case)).await;
        assert_eq!(status, 400, "{case}");
        assert_eq!(body["error"]["code"], "BadRequest");
    }
    let ok = json!({"requests": (0..20).map(item).collect::<Vec<_>>()});
    assert_eq!(h.graph_post(&token, "/v1.0/$batch", Some(&ok)).await.0, 200);
}

/// Graph refuses the whole batch when one write item lacks a body or a Content-Type, even for
/// an API that takes no body: nothing in it runs (msgraph-sdk-dotnet#2628, json-batching.md).
#[tokio::test]
async fn a_write_item_without_body_or_content_type_refuses_the_whole_batch() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 2).await;
    let revoke = |i: usize| {
        format!(
            "/users/{}/revokeSignInSessions",
            some[i]["id"].as_str().unwrap()
        )
    };
    let ok = json!({"id": "1", "method": "POST", "url": revoke(0), "headers": {"Content-Type": "application/json"}, "body": {}});
    let bad_items = [
        json!({"id": "x7", "method": "POST", "url": revoke(1)}),
        json!({"id": "x7", "method": "POST", "url": revoke(1), "body": {}}),
        json!({"id": "x7", "method": "POST", "url": revoke(1), "body": {}, "headers": {"Accept": "application/json"}}),
        json!({"id": "x7", "method": "post", "url": revoke(1), "headers": {"Content-Type": "application/json"}}),
        json!({"id": "x7", "method": "POST", "url": revoke(1), "headers": {"Content-Type": "application/json"}, "body": null}),
        json!({"id": "x7", "method": "PATCH", "url": format!("/users/{}", some[1]["id"].as_str().unwrap())}),
    ];
    for bad in bad_items {
        let batch = json!({"requests": [ok.clone(), bad.clone()]});
        let (status, body) = h.graph_post(&token, "/v1.0/$batch", Some(&batch)).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest", "{bad}");
        assert_eq!(
            body["error"]["message"],
            "Write request id : x7 does not contain Content-Type header or body.",
            "{bad}"
        );
        assert!(
            body["error"]["innerError"]["request-id"].is_string(),
            "{body}"
        );
    }
    let journal = h.emulator.journal();
    assert!(
        journal.revocations.is_empty(),
        "nothing in a refused batch runs"
    );
    assert!(journal.requests.iter().all(|r| r.batch_item_id.is_none()));

    // Reads need neither; a body on a GET or DELETE is ignored (lenient: UNCONFIRMED either way).
    let reads = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/users/{}?$select=id", some[0]["id"].as_str().unwrap())},
        {"id": "2", "method": "GET", "url": "/users?$top=1", "body": {"ignored": true}},
    ]});
    let (status, body) = h.graph_post(&token, "/v1.0/$batch", Some(&reads)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == 200),
        "{body}"
    );
}

#[tokio::test]
async fn batch_items_are_throttled_individually() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let some = users(&h, &token, 6).await;
    h.emulator
        .set_faults(FaultPlan::none().with_rule(FaultRule::every_nth(
            EndpointClass::GraphRevoke,
            Fault::Throttle {
                retry_after: "3".into(),
            },
            2,
        )));
    let requests: Vec<Value> = (0..6)
        .map(|i| json!({"id": format!("r{i}"), "method": "POST", "url": format!("/users/{}/revokeSignInSessions", some[i]["id"].as_str().unwrap()), "headers": {"Content-Type": "application/json"}, "body": {}}))
        .collect();
    let (status, body) = h
        .graph_post(&token, "/v1.0/$batch", Some(&json!({"requests": requests})))
        .await;
    assert_eq!(status, 200, "{body}");
    let responses = body["responses"].as_array().unwrap();
    let throttled: Vec<&Value> = responses.iter().filter(|r| r["status"] == 429).collect();
    assert_eq!(throttled.len(), 3);
    for r in &throttled {
        assert_eq!(r["headers"]["Retry-After"], "3");
        assert_eq!(r["body"]["error"]["code"], "TooManyRequests");
    }
    let mut ids: Vec<&str> = throttled
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["r1", "r3", "r5"]);
    assert_eq!(h.emulator.journal().revocations.len(), 3);
}
