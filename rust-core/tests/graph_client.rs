//! Graph users and sign-in session revocation against the tenant emulator.

#![allow(clippy::unwrap_used)]

mod http_support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_support::*;
use outlook_qr_guard::auth::Credential;
use outlook_qr_guard::exo::{ExchangeClient, ExchangeOptions, Mailbox};
use outlook_qr_guard::graph::{
    GraphClient, GraphError, RevokeOptions, RevokeOutcome, RevokeResult,
};
use outlook_qr_guard::secret::secret;
use tenant_emulator::{Emulator, EmulatorOptions, EndpointClass, Fault, FaultPlan, FaultRule};

async fn all_mailboxes(emu: &Emulator) -> Vec<Mailbox> {
    let exo = ExchangeClient::new(
        secret_provider(emu),
        ExchangeOptions::app_only(&emu.credentials().tenant_domain),
    );
    let mut p = serde_json::Map::new();
    p.insert("ResultSize".into(), "Unlimited".into());
    exo.invoke_all::<Mailbox>("Get-Mailbox", p).await.unwrap().0
}

fn upns(mailboxes: &[Mailbox]) -> Vec<String> {
    mailboxes
        .iter()
        .map(|m| m.user_principal_name.clone().unwrap())
        .collect()
}

struct Collected {
    results: Arc<Mutex<Vec<RevokeResult>>>,
}

impl Collected {
    fn new() -> Self {
        Collected {
            results: Arc::new(Mutex::new(Vec::new())),
        }
    }
    fn callback(&self) -> impl Fn(&RevokeResult) + Send + Sync + use<> {
        let r = self.results.clone();
        move |x: &RevokeResult| r.lock().unwrap().push(x.clone())
    }
    fn take(&self) -> Vec<RevokeResult> {
        std::mem::take(&mut self.results.lock().unwrap())
    }
}

fn assert_one_result_per_input(results: &[RevokeResult], n: usize) {
    let mut seen: Vec<usize> = results.iter().map(|r| r.index).collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..n).collect::<Vec<_>>(),
        "exactly one result per input"
    );
}

fn revocations_per_user(emu: &Emulator) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in emu.journal().revocations {
        *m.entry(r.user_principal_name.to_lowercase()).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn get_user_by_upn_and_id() {
    let emu = default_emulator().await;
    let graph = GraphClient::new(secret_provider(&emu));
    let admin = emu.credentials().admin_upn;
    let user = graph.get_user(&admin).await.unwrap();
    assert_eq!(user.user_principal_name.as_deref(), Some(admin.as_str()));
    let again = graph.get_user(&user.id.to_uppercase()).await.unwrap();
    assert_eq!(again, user);
    assert!(matches!(
        graph.get_user("ghost@example.invalid").await,
        Err(GraphError::NotFound { .. })
    ));
    assert!(matches!(
        graph.get_user("../me").await,
        Err(GraphError::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn revoke_a_thousand_users_once_each_in_at_most_fifty_batches() {
    let emu = emulator(EmulatorOptions {
        users: 1000,
        devices: 10,
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    assert_eq!(users.len(), 1000);
    // Half by object id, a duplicate in other case, an invalid entry, an unknown user.
    let ids: HashMap<String, String> = all_mailboxes(&emu)
        .await
        .into_iter()
        .map(|m| {
            (
                m.user_principal_name.unwrap(),
                m.external_directory_object_id.unwrap(),
            )
        })
        .collect();
    let mut inputs: Vec<String> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            if i % 2 == 0 {
                u.clone()
            } else {
                ids[u].clone()
            }
        })
        .collect();
    inputs.push(users[0].to_uppercase());
    inputs.push("not a user".into());
    inputs.push("ghost@example.invalid".into());

    let graph = GraphClient::new(secret_provider(&emu));
    let collected = Collected::new();
    let cb = collected.callback();
    let summary = graph
        .revoke_sign_in_sessions(&inputs, &RevokeOptions::default(), &cb)
        .await;
    let results = collected.take();
    assert_one_result_per_input(&results, inputs.len());
    assert_eq!(summary.revoked, 1000);
    assert_eq!(summary.duplicates, 1);
    assert_eq!(summary.invalid, 1);
    assert_eq!(summary.not_found, 1);
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.batch_requests, 51);
    let batches = emu
        .journal()
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphBatch && r.batch_item_id.is_none())
        .count();
    assert_eq!(
        batches, 51,
        "1001 valid distinct users → 51 batches of ≤ 20"
    );
    let per_user = revocations_per_user(&emu);
    assert_eq!(per_user.len(), 1000);
    assert!(
        per_user.values().all(|&n| n == 1),
        "every user revoked exactly once"
    );
}

#[tokio::test]
async fn throttled_items_wait_their_retry_after_and_ride_in_later_batches() {
    let emu = emulator(EmulatorOptions {
        users: 200,
        devices: 10,
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    emu.set_faults(FaultPlan {
        seed: 7,
        rules: vec![
            FaultRule::every_nth(
                EndpointClass::GraphRevoke,
                Fault::Throttle {
                    retry_after: "0.5".into(),
                },
                9,
            ),
            // Whole-batch failures on a sparse schedule: with four batches in flight, a denser
            // one can (depending on how requests interleave on a loaded machine) hand one batch
            // more consecutive failures than the retry budget allows.
            FaultRule::every_nth(
                EndpointClass::GraphBatch,
                Fault::ServerError {
                    status: 503,
                    retry_after: Some("1".into()),
                },
                7,
            ),
            FaultRule::every_nth(
                EndpointClass::GraphBatch,
                Fault::Throttle {
                    retry_after: "1".into(),
                },
                11,
            ),
        ],
    });
    let logger = Arc::new(MemoryLogger::default());
    let graph = GraphClient::new(provider(
        &emu,
        secret_credential(&emu),
        http_with(&emu, logger.clone()),
    ));
    let collected = Collected::new();
    let cb = collected.callback();
    let summary = graph
        .revoke_sign_in_sessions(&users, &RevokeOptions::default(), &cb)
        .await;
    assert_one_result_per_input(&collected.take(), users.len());
    assert_eq!(summary.revoked, 200, "{summary:?}");
    let per_user = revocations_per_user(&emu);
    assert_eq!(per_user.len(), 200);
    assert!(
        per_user.values().all(|&n| n == 1),
        "throttled items retried, successes never resent"
    );
    let journal = emu.journal();
    let throttled_items = journal
        .requests
        .iter()
        .filter(|r| r.batch_item_id.is_some() && r.status == 429)
        .count();
    assert!(throttled_items > 0);
    // 10 batches; item retries add small batches; envelope 503/429 are retried by the HTTP layer.
    let envelopes = journal
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphBatch && r.batch_item_id.is_none())
        .count();
    assert!(
        envelopes > 10 && envelopes <= 10 + throttled_items + 10,
        "{envelopes} batch requests"
    );
    let retries = logger.retries.lock().unwrap();
    assert!(
        retries
            .iter()
            .any(|r| r.delay >= Duration::from_millis(500)),
        "Retry-After honoured"
    );
    assert!(retries.iter().all(|r| r.path == "/v1.0/$batch"));
}

#[tokio::test]
async fn forbidden_without_the_permission() {
    let emu = default_emulator().await;
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.no_role_app.client_id.clone(),
        secret: secret(c.no_role_app.client_secret.clone()),
    };
    let graph = GraphClient::new(provider(&emu, cred, http(&emu)));
    let users = vec![c.admin_upn.clone()];
    let collected = Collected::new();
    let cb = collected.callback();
    let summary = graph
        .revoke_sign_in_sessions(&users, &RevokeOptions::default(), &cb)
        .await;
    let results = collected.take();
    assert_one_result_per_input(&results, 1);
    assert_eq!(summary.forbidden + summary.failed, 1, "{results:?}");
    assert!(emu.journal().revocations.is_empty());
}

#[tokio::test]
async fn cancellation_still_gives_every_input_a_result() {
    // Ctrl+C mid-run (issue #14 item 12): the admin must learn who was cut off. The batch in
    // flight at the cancel is answered within the grace, so "Revoked" is exactly what the
    // service did, and everyone else is Cancelled with nothing sent.
    let emu = emulator(EmulatorOptions {
        users: 300,
        devices: 10,
        page_latency: Duration::from_millis(0),
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::GraphBatch,
        Fault::Latency(Duration::from_millis(400)),
        1.0,
    )));
    let graph = GraphClient::new(secret_provider(&emu));
    let options = RevokeOptions {
        batches_in_flight: 1,
        ..RevokeOptions::default()
    };
    let cancel = options.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        cancel.cancel();
    });
    let collected = Collected::new();
    let cb = collected.callback();
    let started = std::time::Instant::now();
    let summary = graph.revoke_sign_in_sessions(&users, &options, &cb).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let results = collected.take();
    assert_one_result_per_input(&results, users.len());
    assert!(summary.revoked > 0 && summary.revoked < 300, "{summary:?}");
    assert_eq!(summary.revoked + summary.cancelled, 300, "{summary:?}");
    assert_eq!(summary.maybe_revoked, 0, "{summary:?}");
    for r in &results {
        assert!(
            matches!(
                r.outcome,
                RevokeOutcome::Revoked
                    | RevokeOutcome::Cancelled {
                        maybe_revoked: false
                    }
            ),
            "{r:?}"
        );
    }
    let revoked: HashSet<String> = results
        .iter()
        .filter(|r| r.outcome == RevokeOutcome::Revoked)
        .map(|r| r.input.to_lowercase())
        .collect();
    let journal: HashSet<String> = emu
        .journal()
        .revocations
        .iter()
        .map(|r| r.user_principal_name.to_lowercase())
        .collect();
    assert_eq!(revoked, journal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_with_an_unanswered_batch_says_it_may_have_been_revoked() {
    let emu = emulator(EmulatorOptions {
        users: 120,
        devices: 10,
        page_latency: Duration::from_millis(0),
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    emu.set_faults(FaultPlan::none().with_rule(FaultRule::at_rate(
        EndpointClass::GraphBatch,
        Fault::Latency(Duration::from_secs(4)),
        1.0,
    )));
    let graph = GraphClient::new(secret_provider(&emu));
    let options = RevokeOptions {
        batches_in_flight: 2,
        cancel_grace: Duration::from_millis(300),
        ..RevokeOptions::default()
    };
    let cancel = options.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cancel.cancel();
    });
    let collected = Collected::new();
    let cb = collected.callback();
    let started = std::time::Instant::now();
    let summary = graph.revoke_sign_in_sessions(&users, &options, &cb).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the grace bounds the wait"
    );
    let results = collected.take();
    assert_one_result_per_input(&results, users.len());
    // Two batches of 20 were sent and never answered; nothing else was sent.
    assert_eq!(summary.revoked, 0, "{summary:?}");
    assert_eq!(summary.maybe_revoked, 40, "{summary:?}");
    assert_eq!(summary.cancelled, users.len() - 40, "{summary:?}");
    let maybe: HashSet<String> = results
        .iter()
        .filter(|r| {
            r.outcome
                == RevokeOutcome::Cancelled {
                    maybe_revoked: true,
                }
        })
        .map(|r| r.input.to_lowercase())
        .collect();
    tokio::time::sleep(Duration::from_secs(4)).await;
    for r in &emu.journal().revocations {
        assert!(
            maybe.contains(&r.user_principal_name.to_lowercase()),
            "{} was revoked but reported as not sent",
            r.user_principal_name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_errors_and_throttled_checks_still_revoke_each_user_once() {
    let emu = emulator(EmulatorOptions {
        users: 300,
        devices: 10,
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    emu.set_faults(FaultPlan {
        seed: 9,
        rules: vec![
            // A gateway's 502 to a revocation batch: the service may have acted, so the users
            // are read before anything is sent again.
            FaultRule::every_nth(
                EndpointClass::GraphBatch,
                Fault::ServerError {
                    status: 502,
                    retry_after: None,
                },
                4,
            ),
            // Some of those reads are throttled: read again, not revoked again.
            FaultRule::every_nth(
                EndpointClass::GraphUsers,
                Fault::Throttle {
                    retry_after: "0.2".into(),
                },
                3,
            ),
        ],
    });
    let graph = GraphClient::new(secret_provider(&emu));
    let collected = Collected::new();
    let cb = collected.callback();
    let summary = graph
        .revoke_sign_in_sessions(&users, &RevokeOptions::default(), &cb)
        .await;
    let results = collected.take();
    assert_one_result_per_input(&results, users.len());
    assert_eq!(summary.revoked, users.len(), "{summary:?}");
    let per_user = revocations_per_user(&emu);
    assert_eq!(per_user.len(), users.len());
    assert!(per_user.values().all(|&n| n == 1), "revoked exactly once");
    let journal = emu.journal();
    let reads = journal
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphUsers && r.batch_item_id.is_some())
        .collect::<Vec<_>>();
    assert!(!reads.is_empty(), "lost batches are checked");
    assert!(
        reads.iter().any(|r| r.status == 429),
        "some checks were throttled and read again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_user_read_a_lost_reply_is_sent_again_and_said_once() {
    let emu = emulator(EmulatorOptions {
        users: 100,
        devices: 10,
        ..EmulatorOptions::default()
    })
    .await;
    let users = upns(&all_mailboxes(&emu).await);
    let c = emu.credentials();
    let cred = Credential::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.revoke_only_app.client_id.clone(),
        secret: secret(c.revoke_only_app.client_secret.clone()),
    };
    let graph = GraphClient::new(provider(&emu, cred, http(&emu)));
    // The 2nd $batch reply is cut after the service acted on it. One batch in flight: the
    // reset drops the whole connection, and with HTTP/2 any other batch on it would lose its
    // reply too (that case is right, but not the one counted here).
    emu.set_faults(FaultPlan::none().with_rule(
        FaultRule::every_nth(EndpointClass::GraphBatch, Fault::ResetMidBody, 2).times(1),
    ));
    let collected = Collected::new();
    let cb = collected.callback();
    let options = RevokeOptions {
        batches_in_flight: 1,
        ..RevokeOptions::default()
    };
    let summary = graph.revoke_sign_in_sessions(&users, &options, &cb).await;
    assert_one_result_per_input(&collected.take(), users.len());
    assert_eq!(summary.revoked, users.len(), "{summary:?}");
    assert!(summary.read_denied, "the denied read is reported");
    let journal = emu.journal();
    let denied_reads = journal
        .requests
        .iter()
        .filter(|r| r.endpoint == EndpointClass::GraphUsers && r.status == 403)
        .count();
    assert!(denied_reads > 0 && denied_reads <= 20, "{denied_reads}");
    // At least once for everyone; the lost batch's users (≤ 20) twice.
    let per_user = revocations_per_user(&emu);
    assert_eq!(per_user.len(), users.len());
    let twice = per_user.values().filter(|&&n| n == 2).count();
    assert!(per_user.values().all(|&n| n <= 2));
    assert_eq!(
        twice, denied_reads,
        "exactly the users that could not be read"
    );
}

/// Guests (`#EXT#`) are reported NotSupported and never sent (user-revokesigninsessions.md:
/// external users' sessions are not revoked); a UPN that starts with `$` goes out as
/// `/users('$x@y')` (user-get.md), which the emulator resolves, where `/users/$x@y` is a 400.
#[tokio::test]
async fn guests_are_not_sent_and_a_dollar_upn_is_addressed_in_quotes() {
    let emu = default_emulator().await;
    let graph = GraphClient::new(secret_provider(&emu));
    let admin = emu.credentials().admin_upn;
    let inputs = vec![
        "Guest_Fabrikam.com#EXT#@contoso.onmicrosoft.com".to_owned(),
        "$svc.account@contoso.onmicrosoft.com".to_owned(),
        admin.clone(),
        "guest_fabrikam.com#ext#@CONTOSO.onmicrosoft.com".to_owned(),
    ];
    let collected = Collected::new();
    let cb = collected.callback();
    let summary = graph
        .revoke_sign_in_sessions(&inputs, &RevokeOptions::default(), &cb)
        .await;
    let mut results = collected.take();
    assert_one_result_per_input(&results, inputs.len());
    results.sort_by_key(|r| r.index);
    let RevokeOutcome::NotSupported { reason } = &results[0].outcome else {
        panic!("a guest is not revoked: {:?}", results[0]);
    };
    assert!(reason.contains("external"), "{reason}");
    assert_eq!(
        results[1].outcome,
        RevokeOutcome::NotFound,
        "addressed as users('$…'), not a 400"
    );
    assert_eq!(results[2].outcome, RevokeOutcome::Revoked);
    assert_eq!(
        results[3].outcome,
        RevokeOutcome::Duplicate { first_index: 0 }
    );
    assert_eq!(
        (summary.not_supported, summary.revoked, summary.not_found),
        (1, 1, 1)
    );
    let journal = emu.journal();
    let items: Vec<&str> = journal
        .requests
        .iter()
        .filter(|r| r.batch_item_id.is_some())
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items.iter().all(|p| !p.to_lowercase().contains("ext")),
        "the guest is never sent: {items:?}"
    );
    assert!(
        items
            .iter()
            .any(|p| p.contains("users('$svc.account@contoso.onmicrosoft.com')")),
        "{items:?}"
    );
    assert_eq!(journal.revocations.len(), 1);
}
