//! Acknowledged means durable: the real binary, SIGKILLed while four clients store assessments
//! as fast as it takes them, restarted on the same store and key, still has every record it
//! acknowledged, each verifying, in one chain without gaps. On SQLite, and on PostgreSQL when
//! GREEN_IMPACT_TEST_DATABASE_URL is set. Loopback only; bounded in time and in count.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tonic::transport::Channel;

use common::{
    Backend, Principal, ServeProcess, backends, bearer, principal, seed_request, temp_dir,
    tokens_json, whole_chain,
};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::pb::stored_record::Content;

const CLIENTS: usize = 4;
/// The server is killed once this many assessments are acknowledged ...
const KILL_AFTER_ACKS: usize = 120;
/// ... or this long after the clients start, whichever comes first.
const KILL_AFTER: Duration = Duration::from_secs(1);
/// No client sends more than this many.
const PER_CLIENT_LIMIT: usize = 200;
/// No single call waits longer than this.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server acknowledged: record id, sequence, borrower.
type Ack = (String, u64, String);

async fn connect(url: &str) -> ImpactServiceClient<Channel> {
    let channel = Channel::from_shared(url.to_owned())
        .expect("a service url")
        .timeout(CALL_TIMEOUT)
        .connect()
        .await
        .expect("connect to the server");
    ImpactServiceClient::new(channel)
}

fn serve_args(backend: &Backend, dir: &Path, tokens: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "--data-dir".into(),
        dir.display().to_string(),
        "--key".into(),
        dir.join("service.key").display().to_string(),
        "--tokens".into(),
        tokens.display().to_string(),
    ];
    args.extend(backend.serve_args());
    args
}

/// Sends assessments until told to stop, the server stops answering, or the limit; records
/// every acknowledgement.
async fn client_loop(
    url: String,
    bank: Principal,
    client_number: usize,
    acks: Arc<Mutex<Vec<Ack>>>,
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    // A server already killed is no failure of this client.
    let Ok(endpoint) = Channel::from_shared(url) else {
        panic!("a service url")
    };
    let Ok(channel) = endpoint.timeout(CALL_TIMEOUT).connect().await else {
        return;
    };
    let mut client = ImpactServiceClient::new(channel);
    for i in 0..PER_CLIENT_LIMIT {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let borrower = format!("durable-borrower-{client_number}-{i}");
        let request = pb::AssessRequest {
            borrower_id: borrower.clone(),
            ..seed_request()
        };
        match client.assess(bearer(&bank.token, request)).await {
            Ok(response) => {
                let seal = response
                    .into_inner()
                    .record
                    .expect("a stored assessment carries its seal");
                acks.lock()
                    .unwrap()
                    .push((seal.record_id, seal.sequence, borrower));
                acked.fetch_add(1, Ordering::SeqCst);
            }
            // The server is gone (or going): nothing after this is acknowledged.
            Err(_) => return,
        }
    }
}

async fn service_key(client: &mut ImpactServiceClient<Channel>, bank: &Principal) -> String {
    client
        .get_service_key(bearer(&bank.token, pb::GetServiceKeyRequest {}))
        .await
        .expect("get the service key")
        .into_inner()
        .key_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_record_survives_a_sigkill_and_verifies() {
    for backend in backends() {
        survives_sigkill(backend).await;
    }
}

async fn survives_sigkill(backend: Backend) {
    eprintln!("-- on {}", backend.name());
    // SQLite keeps its records here; for PostgreSQL it holds the key and the logs.
    let dir = match &backend {
        Backend::Sqlite { dir } => dir.clone(),
        Backend::Postgres { .. } => temp_dir("durability"),
    };
    let bank = principal("durable-bank", "bank");
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, tokens_json(&[&bank])).expect("write the tokens file");
    let args = serve_args(&backend, &dir, &tokens);

    let mut server = ServeProcess::start(&args, &dir.join("serve-before.log"));
    let key_id = service_key(&mut connect(&server.url).await, &bank).await;

    let acks = Arc::new(Mutex::new(Vec::new()));
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client_loop(
                server.url.clone(),
                bank.clone(),
                n,
                acks.clone(),
                acked.clone(),
                stop.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    loop {
        let count = acked.load(Ordering::SeqCst);
        if count >= KILL_AFTER_ACKS || (count > 0 && started.elapsed() >= KILL_AFTER) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no assessment acknowledged within 60 s; log:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Mid-flight: the clients are still sending.
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        tokio::time::timeout(Duration::from_secs(60), client)
            .await
            .expect("a client stops once the server is gone")
            .expect("a client task does not panic");
    }
    let acks: Vec<Ack> = acks.lock().unwrap().clone();
    eprintln!(
        "{}: {} assessments acknowledged before SIGKILL at {:?}",
        backend.name(),
        acks.len(),
        started.elapsed()
    );
    assert!(!acks.is_empty());

    let server = ServeProcess::start(&args, &dir.join("serve-after.log"));
    let mut client = connect(&server.url).await;
    assert_eq!(
        service_key(&mut client, &bank).await,
        key_id,
        "the same key after the restart"
    );

    // Every acknowledged record is there, as acknowledged, and verifies.
    for (record_id, sequence, borrower) in &acks {
        let record = client
            .get_assessment(bearer(
                &bank.token,
                pb::GetAssessmentRequest {
                    record_id: record_id.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_or_else(|status| panic!("acknowledged {record_id} is lost: {status:?}"))
            .into_inner();
        let seal = record.seal.expect("seal");
        assert_eq!(seal.sequence, *sequence, "{record_id}");
        assert_eq!(seal.tenant, bank.tenant);
        assert_eq!(
            &seal.borrower_id, borrower,
            "{record_id}: the sealed borrower"
        );
        let Some(Content::Assessment(assessment)) = record.content else {
            panic!("{record_id} holds an assessment");
        };
        assert_eq!(&assessment.request.expect("request").borrower_id, borrower);
        let answer = client
            .verify_assessment(bearer(
                &bank.token,
                pb::VerifyAssessmentRequest {
                    record_id: record_id.clone(),
                },
            ))
            .await
            .unwrap_or_else(|status| panic!("verify {record_id}: {status:?}"))
            .into_inner();
        assert!(answer.verified, "{record_id} after the restart: {answer:?}");
    }

    // The tenant's chain: 1..=n without a gap, each linked to the one before, holding every
    // acknowledged record (and perhaps some the kill cut off before their answer).
    let seals = whole_chain(&mut client, &bank.token, 100).await;
    let sequences: Vec<u64> = seals.iter().map(|s| s.sequence).collect();
    assert_eq!(
        sequences,
        (1..=seals.len() as u64).collect::<Vec<_>>(),
        "the chain has no gaps"
    );
    let mut previous = "0".repeat(64);
    for seal in &seals {
        assert_eq!(
            seal.previous_digest_sha256, previous,
            "{} links",
            seal.record_id
        );
        previous = seal.digest_sha256.clone();
    }
    eprintln!(
        "{}: {} records in the chain after the restart",
        backend.name(),
        seals.len()
    );
    assert!(seals.len() >= acks.len());
    assert!(
        seals.len() <= acks.len() + CLIENTS,
        "at most one unacknowledged record per client was in flight: {} stored, {} acknowledged",
        seals.len(),
        acks.len()
    );
    for (record_id, sequence, _) in &acks {
        assert_eq!(
            &seals[(*sequence - 1) as usize].record_id,
            record_id,
            "sequence {sequence}"
        );
    }

    // The chain carries on where it stopped.
    let next = client
        .assess(bearer(&bank.token, seed_request()))
        .await
        .expect("assess after the restart")
        .into_inner()
        .record
        .expect("seal");
    assert_eq!(next.sequence, seals.len() as u64 + 1);
    assert_eq!(next.previous_digest_sha256, previous);

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
