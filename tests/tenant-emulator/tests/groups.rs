//! Groups for resolving and naming Conditional Access exclusions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn groups_by_id_and_by_display_name() {
    let h = start_default().await;
    let token = h.app_token(GRAPH_SCOPE).await;
    let seeded = h.emulator.seeded_groups_json();
    assert!(seeded.len() >= 10);
    let break_glass = seeded
        .iter()
        .find(|g| g["displayName"] == "Break Glass Accounts")
        .unwrap();
    let members = break_glass["members"].as_array().unwrap();
    assert!(!members.is_empty());
    // Members are real users.
    for m in members {
        let (status, _) = h
            .graph_get(&token, &format!("/v1.0/users/{}", m.as_str().unwrap()))
            .await;
        assert_eq!(status, 200);
    }
    let id = break_glass["id"].as_str().unwrap();
    let (status, g) = h.graph_get(&token, &format!("/v1.0/groups/{id}")).await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(g["displayName"], "Break Glass Accounts");
    assert_eq!(g["securityEnabled"], true);
    assert_eq!(
        g["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#groups/$entity"
    );
    let (status, g) = h
        .graph_get(&token, &format!("/v1.0/groups/{id}?$select=id,displayName"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(g.as_object().unwrap().len(), 3, "{g}");
    let (status, body) = h
        .graph_get(&token, &format!("/v1.0/groups/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(
        (status, graph_code(&body)),
        (404, "Request_ResourceNotFound")
    );
    let (status, _) = h
        .graph_get(&token, &format!("/v1.0/groups/{id}?$select=colour"))
        .await;
    assert_eq!(status, 400);

    let find = |name: &str| {
        with_query(
            "/v1.0/groups",
            &[
                (
                    "$filter",
                    &format!("displayName eq '{}'", name.replace('\'', "''")),
                ),
                ("$select", "id,displayName"),
            ],
        )
    };
    for (name, count) in [
        ("Break Glass Accounts", 1),
        ("営業部", 1),
        ("O'Reilly Book Club", 1),
        ("Finance, Tokyo", 1),
        ("Duplicate Name", 2),
        ("No Such Group", 0),
    ] {
        let (status, page) = h.graph_get(&token, &find(name)).await;
        assert_eq!(status, 200, "{name}: {page}");
        let value = page["value"].as_array().unwrap();
        assert_eq!(value.len(), count, "{name}");
        assert!(value.iter().all(|g| g["displayName"] == name));
        assert!(value.iter().all(|g| g.get("description").is_none()));
    }
    let (_, page) = h
        .graph_get(
            &token,
            &with_query(
                "/v1.0/groups",
                &[
                    ("$filter", "displayName eq 'Duplicate Name'"),
                    ("$top", "1"),
                ],
            ),
        )
        .await;
    assert_eq!(page["value"].as_array().unwrap().len(), 1);
    for bad in [
        "startswith(displayName,'B')",
        "displayName eq 'O'Reilly'",
        "mail eq 'x'",
    ] {
        let (status, body) = h
            .graph_get(&token, &with_query("/v1.0/groups", &[("$filter", bad)]))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (_, all) = h.graph_get(&token, "/v1.0/groups").await;
    let all_ids: Vec<&Value> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["id"])
        .collect();
    let seeded_ids: Vec<&Value> = seeded.iter().map(|g| &g["id"]).collect();
    assert_eq!(all_ids, seeded_ids);
}

#[tokio::test]
async fn groups_need_a_group_or_directory_permission() {
    let h = start_default().await;
    let exchange_only = h.graph_token_for(&h.creds.exchange_only_app).await;
    let id = h.emulator.seeded_groups_json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [format!("/v1.0/groups/{id}"), "/v1.0/groups".to_owned()] {
        let (status, body) = h.graph_get(&exchange_only, &path).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(graph_code(&body), "Authorization_RequestDenied");
    }
    let reader = h.graph_token_for(&h.creds.policy_reader_app).await;
    assert_eq!(
        h.graph_get(&reader, &format!("/v1.0/groups/{id}")).await.0,
        200
    );
    // The Exchange-only app still does its Exchange-side job.
    let exo = h
        .secret_token_for(
            &h.creds.exchange_only_app.client_id,
            &h.creds.exchange_only_app.client_secret,
            EXO_SCOPE,
        )
        .await;
    let (status, body) = h
        .invoke(&exo, "Get-OrganizationConfig", serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let roles = claims(&exchange_only)["roles"].clone();
    assert!(
        roles
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r.as_str().unwrap().starts_with("Policy.")
                && !r.as_str().unwrap().starts_with("AuditLog.")
                && !r.as_str().unwrap().starts_with("Group.")),
        "{roles}"
    );
}
