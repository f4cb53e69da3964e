//! Several replicas on one store: two processes of the real binary on one PostgreSQL database,
//! with the same service key and tokens file, take assessments of the same tenants at the same
//! time, alternating between them. Each tenant must still have one chain, 1..=n without a gap or
//! a duplicate and without a fork, holding every record either replica acknowledged, each
//! verifying through both replicas.
//!
//! PostgreSQL only (SQLite is one process's store): without GREEN_IMPACT_TEST_DATABASE_URL the
//! test says it did not run, except in CI, where that is a failure, as for the other record
//! tests. Loopback only; a fixed number of calls, each with a timeout.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tonic::transport::Channel;

use common::{
    Principal, ServeProcess, TEST_DATABASE_URL, bearer, principal, seed_request, temp_dir,
    tokens_json, whole_chain,
};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::pb::stored_record::Content;
use green_impact::records::ServiceKey;

const REPLICAS: usize = 2;
const TENANTS: usize = 3;
/// Rounds of concurrent appends: each round, every tenant gets one assessment through each
/// replica at the same time. Enough for the appends of one tenant to meet in both processes
/// many times over, few enough for a shared 2-core machine.
const ROUNDS: usize = 12;
/// Records each tenant ends with.
const PER_TENANT: usize = ROUNDS * REPLICAS;
/// No single call waits longer than this.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// The checks VerifyAssessment reports, in order (tests/records/ checks what each covers).
const CHECKS: [&str; 4] = ["digest", "signature", "chain_link", "recomputation"];

/// What a replica acknowledged: which replica, and the seal it answered with.
struct Ack {
    tenant: usize,
    replica: usize,
    borrower: String,
    seal: pb::RecordSeal,
}

/// The database the replicas share; `None` (after saying so) when there is none outside CI.
/// The same rule as `common::backends()`: CI must exercise PostgreSQL.
fn database_url() -> Option<String> {
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{TEST_DATABASE_URL} is not set in CI: .ci/run should have started PostgreSQL")
        }
        _ => {
            // Straight to the process's stderr: the harness captures eprintln! of a passing
            // test, and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED replicas_on_one_database_keep_one_chain_per_tenant: {TEST_DATABASE_URL} \
                 is not set; two replicas need a shared PostgreSQL database"
            );
            None
        }
    }
}

async fn connect(url: &str) -> ImpactServiceClient<Channel> {
    let channel = Channel::from_shared(url.to_owned())
        .expect("a service url")
        .timeout(CALL_TIMEOUT)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    ImpactServiceClient::new(channel)
}

/// `serve` arguments of replica `n`: a data directory of its own (nothing else is shared
/// through the file system), the shared key, tokens and database.
fn serve_args(dir: &Path, n: usize, key: &Path, tokens: &Path, url: &str) -> Vec<String> {
    vec![
        "--data-dir".into(),
        dir.join(format!("replica-{n}")).display().to_string(),
        "--key".into(),
        key.display().to_string(),
        "--tokens".into(),
        tokens.display().to_string(),
        "--database-url".into(),
        url.to_owned(),
    ]
}

async fn assess(
    mut client: ImpactServiceClient<Channel>,
    bank: Principal,
    tenant: usize,
    replica: usize,
    borrower: String,
) -> Ack {
    let request = pb::AssessRequest {
        borrower_id: borrower.clone(),
        dry_run: false,
        ..seed_request()
    };
    let seal = client
        .assess(bearer(&bank.token, request))
        .await
        .unwrap_or_else(|status| panic!("assess {borrower} on replica {replica}: {status:?}"))
        .into_inner()
        .record
        .unwrap_or_else(|| panic!("{borrower}: a stored assessment carries its seal"));
    Ack {
        tenant,
        replica,
        borrower,
        seal,
    }
}

/// Every seal of the tenant of `bank`, oldest first: PER_TENANT records fill one page of 200.
async fn chain(client: &mut ImpactServiceClient<Channel>, bank: &Principal) -> Vec<pb::RecordSeal> {
    whole_chain(client, &bank.token, 1).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_database_keep_one_chain_per_tenant() {
    let Some(url) = database_url() else {
        return;
    };
    let dir = temp_dir("replicas");
    // Tenants of their own: the database is shared with every other test and run.
    let banks: Vec<Principal> = (0..TENANTS)
        .map(|t| principal(&format!("replica-bank-{t}"), "bank"))
        .collect();
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, tokens_json(&banks.iter().collect::<Vec<_>>()))
        .expect("write the tokens file");
    // Created here, before either replica starts, so neither creates a key of its own.
    let key = dir.join("service.key");
    let key_id = ServiceKey::load_or_create(&key)
        .expect("create the shared key")
        .key_id()
        .to_owned();

    let servers: Vec<ServeProcess> = (0..REPLICAS)
        .map(|n| {
            ServeProcess::start(
                &serve_args(&dir, n, &key, &tokens, &url),
                &dir.join(format!("replica-{n}.log")),
            )
        })
        .collect();
    assert_ne!(servers[0].url, servers[1].url, "two processes, two ports");
    let mut clients = Vec::new();
    for server in &servers {
        clients.push(connect(&server.url).await);
    }
    for (n, client) in clients.iter_mut().enumerate() {
        let served = client
            .get_service_key(bearer(&banks[0].token, pb::GetServiceKeyRequest {}))
            .await
            .unwrap_or_else(|status| panic!("service key of replica {n}: {status:?}"))
            .into_inner();
        assert_eq!(
            served.key_id, key_id,
            "replica {n} signs with the shared key"
        );
    }

    // In rounds: each round sends every tenant one assessment through each replica, all at
    // once, so that in every round both processes append to the same chains at the same moment.
    // (Sent all in one go instead, each replica tended to finish its share before the other
    // began appending, and the chains barely changed hands.)
    let mut acks: Vec<Ack> = Vec::new();
    for round in 0..ROUNDS {
        let calls: Vec<_> = (0..TENANTS)
            .flat_map(|t| (0..REPLICAS).map(move |r| (t, r)))
            .map(|(t, replica)| {
                tokio::spawn(assess(
                    clients[replica].clone(),
                    banks[t].clone(),
                    t,
                    replica,
                    format!("replica-borrower-{t}-{round}-{replica}"),
                ))
            })
            .collect();
        for call in calls {
            acks.push(
                call.await
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic())),
            );
        }
    }
    // Every call was acknowledged (`assess` panics otherwise): PER_TENANT per tenant.

    for (t, bank) in banks.iter().enumerate() {
        let mine: Vec<&Ack> = acks.iter().filter(|a| a.tenant == t).collect();

        // One chain, seen the same through either replica.
        let seals = chain(&mut clients[0], bank).await;
        let seen_by_other: Vec<String> = chain(&mut clients[1], bank)
            .await
            .into_iter()
            .map(|s| s.record_id)
            .collect();
        assert_eq!(
            seals
                .iter()
                .map(|s| s.record_id.clone())
                .collect::<Vec<_>>(),
            seen_by_other,
            "{}: both replicas list the same chain",
            bank.tenant
        );

        // 1..=n, no gap, no duplicate, nothing beyond what was acknowledged.
        let sequences: Vec<u64> = seals.iter().map(|s| s.sequence).collect();
        assert_eq!(
            sequences,
            (1..=PER_TENANT as u64).collect::<Vec<_>>(),
            "{}: sequences 1..={PER_TENANT} without a gap or a duplicate",
            bank.tenant
        );
        let ids: BTreeSet<&str> = seals.iter().map(|s| s.record_id.as_str()).collect();
        assert_eq!(ids.len(), seals.len(), "{}: no record twice", bank.tenant);

        // No fork: each record links to the one before it.
        let mut previous = "0".repeat(64);
        for seal in &seals {
            assert_eq!(seal.tenant, bank.tenant);
            assert_eq!(
                seal.previous_digest_sha256, previous,
                "{}: {} (sequence {}) links to the record before it",
                bank.tenant, seal.record_id, seal.sequence
            );
            assert_eq!(
                seal.key_id, key_id,
                "{}: signed by the shared key",
                seal.record_id
            );
            previous = seal.digest_sha256.clone();
        }

        // Nothing acknowledged is missing, and each is stored as it was acknowledged.
        let by_id: BTreeMap<&str, &pb::RecordSeal> =
            seals.iter().map(|s| (s.record_id.as_str(), s)).collect();
        for ack in &mine {
            let stored = by_id.get(ack.seal.record_id.as_str()).unwrap_or_else(|| {
                panic!(
                    "{}: {} acknowledged by replica {} is missing from the chain",
                    bank.tenant, ack.seal.record_id, ack.replica
                )
            });
            assert_eq!(
                **stored, ack.seal,
                "{}: stored as acknowledged by replica {}",
                ack.seal.record_id, ack.replica
            );
        }

        // Each record reads and verifies through both replicas, whichever wrote it.
        for ack in &mine {
            let record_id = &ack.seal.record_id;
            for (n, client) in clients.iter_mut().enumerate() {
                let record = client
                    .get_assessment(bearer(
                        &bank.token,
                        pb::GetAssessmentRequest {
                            record_id: record_id.clone(),
                            ..Default::default()
                        },
                    ))
                    .await
                    .unwrap_or_else(|status| panic!("get {record_id} on replica {n}: {status:?}"))
                    .into_inner();
                let Some(Content::Assessment(assessment)) = record.content else {
                    panic!("{record_id} holds an assessment");
                };
                assert_eq!(
                    assessment.request.expect("the stored request").borrower_id,
                    ack.borrower,
                    "{record_id} on replica {n}: the request that was sent"
                );
                let answer = client
                    .verify_assessment(bearer(
                        &bank.token,
                        pb::VerifyAssessmentRequest {
                            record_id: record_id.clone(),
                        },
                    ))
                    .await
                    .unwrap_or_else(|status| {
                        panic!("verify {record_id} on replica {n}: {status:?}")
                    })
                    .into_inner();
                let names: Vec<&str> = answer.checks.iter().map(|c| c.name.as_str()).collect();
                assert_eq!(names, CHECKS, "{record_id} on replica {n}: the checks run");
                assert!(
                    answer.verified && answer.checks.iter().all(|c| c.passed),
                    "{record_id} (written by replica {}) verifies on replica {n}: {answer:?}",
                    ack.replica
                );
            }
        }
        // How often the chain passes from one replica's append to the other's: evidence that
        // the appends raced, reported rather than asserted, since scheduling decides it.
        let writer: BTreeMap<&str, usize> = mine
            .iter()
            .map(|a| (a.seal.record_id.as_str(), a.replica))
            .collect();
        let handovers = seals
            .windows(2)
            .filter(|w| writer[w[0].record_id.as_str()] != writer[w[1].record_id.as_str()])
            .count();
        eprintln!(
            "{}: {} records in one chain, {handovers} handovers between replicas, each \
             verified on both replicas",
            bank.tenant,
            seals.len()
        );
    }

    drop(clients);
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
}
