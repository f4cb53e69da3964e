//! The benchmark's comparison is fair only if the no-op server answers with the bytes the real
//! one sends: checked here over real sockets, for a unary call and for a batch item, and the
//! load generator's two modes run briefly against both without an error.

use std::time::Duration;

use prost::Message;
use tokio::sync::oneshot;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::limits::Limits;
use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use green_impact::pb::impact_service_client::ImpactServiceClient;

use super::start_service;
use crate::loadgen;
use crate::noop::{self, NoopImpact};

/// The seed as the benchmark sends it: a dry run.
fn dry_seed() -> pb::AssessRequest {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/leshan-yaqing.json"
    ))
    .expect("read the seed request");
    pb::AssessRequest {
        dry_run: true,
        ..green_impact::json::assess_request_from_json(&text).expect("the seed request parses")
    }
}

/// The real service, as the benchmark starts it, in a directory of this test's own.
async fn real_server(test: &str) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let dir = std::env::temp_dir().join(format!(
        "green-impact-bench-test-{test}-{}",
        std::process::id()
    ));
    let (addr, stop, _serving) = start_service(&dir, Limits::default()).await.unwrap();
    (addr, stop)
}

async fn noop_server(request: &pb::AssessRequest) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let service = NoopImpact::answering(&api, request).unwrap();
    let (listener, addr) = loadgen::loopback().await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(noop::serve(listener, service, Limits::default(), async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// One unary answer and one batch item's answer, encoded.
async fn answers(addr: std::net::SocketAddr, request: &pb::AssessRequest) -> (Vec<u8>, Vec<u8>) {
    let mut client = ImpactServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let unary = client.assess(request.clone()).await.unwrap().into_inner();
    let item = pb::AssessBatchItem {
        key: "only".into(),
        request: Some(request.clone()),
    };
    let mut results = client
        .assess_batch(tokio_stream::iter([item]))
        .await
        .unwrap()
        .into_inner();
    let result = results.message().await.unwrap().expect("one result");
    assert_eq!(result.key, "only");
    let Some(Outcome::Response(batch)) = result.outcome else {
        panic!("the item is answered with a response: {:?}", result.outcome);
    };
    assert!(
        results.message().await.unwrap().is_none(),
        "one item, one result"
    );
    (unary.encode_to_vec(), batch.encode_to_vec())
}

#[tokio::test]
async fn the_noop_answers_with_the_bytes_the_service_sends() {
    let (service, _stop_service) = real_server("bytes").await;
    let mut sizes = Vec::new();
    for view in [pb::AssessmentView::Unspecified, pb::AssessmentView::Full] {
        let request = pb::AssessRequest {
            view: view as i32,
            ..dry_seed()
        };
        let (noop, _stop) = noop_server(&request).await;
        let (service_unary, service_item) = answers(service, &request).await;
        let (noop_unary, noop_item) = answers(noop, &request).await;
        assert_eq!(noop_unary, service_unary);
        assert_eq!(noop_item, service_item);
        assert_eq!(
            service_item, service_unary,
            "a batch item is answered as a call"
        );
        sizes.push(service_unary.len());
        if view == pb::AssessmentView::Unspecified {
            // The seed as it is asks for BASIC, and gets it: the two views measure different
            // work.
            let item = pb::AssessResponse::decode(service_item.as_slice()).unwrap();
            assert!(item.carbon.unwrap().trace.is_empty());
            assert!(item.loan.unwrap().periods.is_empty());
        }
    }
    assert!(
        sizes[0] < sizes[1],
        "BASIC {} bytes, FULL {}",
        sizes[0],
        sizes[1]
    );
}

#[tokio::test]
async fn the_load_generator_drives_both_servers_without_errors() {
    let request = dry_seed();
    let (service, _stop_service) = real_server("runs").await;
    let (noop, _stop) = noop_server(&request).await;
    let run = Duration::from_millis(300);
    for addr in [service, noop] {
        let unary = loadgen::unary(addr, &request, 2, run)
            .await
            .unwrap()
            .measured();
        assert_eq!(unary.errors, 0);
        assert!(unary.requests > 0);
        assert!(unary.p50 <= unary.p99);
        let batch = loadgen::batch(addr, &request, 2, run).await.unwrap();
        assert_eq!(batch.errors, 0);
        assert!(batch.requests > 0);
    }
}
