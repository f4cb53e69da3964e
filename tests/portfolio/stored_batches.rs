//! Stored batches: each item sealed with its full response, and a client that leaves a stored
//! batch midway leaves its chain whole and in item order.

use std::time::Duration;

use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

use crate::common::{TestServer, seed_request};
use crate::support::{assess, basic, client_receiving, is_basic, run_batch, set_principal};

const VIEWS: [pb::AssessmentView; 3] = [
    pb::AssessmentView::Basic,
    pb::AssessmentView::Full,
    pb::AssessmentView::SelfContained,
];

#[tokio::test]
async fn a_stored_batch_seals_each_item_with_its_full_response() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let items: Vec<pb::AssessBatchItem> = (0..6)
        .map(|i| {
            let mut request = seed_request();
            assert!(!request.dry_run, "stored");
            request.project_id = format!("batch-project-{i}");
            set_principal(&mut request, &format!("{}.00", 3_000_000 + 100_000 * i));
            request.view = VIEWS[i % VIEWS.len()] as i32;
            pb::AssessBatchItem {
                key: format!("stored-{i}"),
                request: Some(request),
            }
        })
        .collect();
    let results = run_batch(&mut client, items.clone()).await;
    assert_eq!(results.len(), items.len());
    let mut sequences = Vec::new();
    for (item, result) in items.iter().zip(&results) {
        assert_eq!(result.key, item.key);
        let Some(Outcome::Response(returned)) = &result.outcome else {
            panic!("{}: {:?}", item.key, result.outcome);
        };
        let seal = returned.record.as_ref().expect("a stored item has a seal");
        assert_eq!(seal.project_id, item.request.as_ref().unwrap().project_id);
        sequences.push(seal.sequence);

        assert_verified(&mut client, seal).await;

        let view = item.request.as_ref().unwrap().view;
        let whole = stored_response(&mut client, seal, pb::AssessmentView::SelfContained).await;
        assert_eq!(whole.loan.as_ref().unwrap().periods.len(), 36);
        let carbon = whole.carbon.as_ref().unwrap();
        assert!(!carbon.trace.is_empty() && !carbon.factors_used.is_empty());
        let mut returned_unsealed = returned.clone();
        returned_unsealed.record = None;
        let stored_in_view = if is_basic(view) {
            basic(whole)
        } else {
            let view = pb::AssessmentView::try_from(view).expect("a known view");
            stored_response(&mut client, seal, view).await
        };
        assert_eq!(
            stored_in_view, returned_unsealed,
            "{}: stored in full, returned in the item's view",
            item.key
        );
    }
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "sequences increase in item order: {sequences:?}"
    );
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6], "a fresh store's chain");
}

/// The stored response of the record of `seal`, in `view`.
async fn stored_response(
    client: &mut ImpactServiceClient<Channel>,
    seal: &pb::RecordSeal,
    view: pb::AssessmentView,
) -> pb::AssessResponse {
    let stored = client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: seal.record_id.clone(),
            view: view as i32,
        })
        .await
        .expect("GetAssessment answers")
        .into_inner();
    let Some(pb::stored_record::Content::Assessment(stored)) = stored.content else {
        panic!("an assessment record");
    };
    stored.response.expect("stored response")
}

/// VerifyAssessment passes every check on the record of `seal`.
async fn assert_verified(client: &mut ImpactServiceClient<Channel>, seal: &pb::RecordSeal) {
    let verified = client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: seal.record_id.clone(),
        })
        .await
        .expect("VerifyAssessment answers")
        .into_inner();
    assert!(
        verified.verified && verified.checks.iter().all(|c| c.passed),
        "{}: {:?}",
        seal.project_id,
        verified.checks
    );
}

/// The seals of the caller's assessment records, oldest first.
async fn all_seals(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::RecordSeal> {
    client
        .list_assessments(pb::ListAssessmentsRequest {
            page_size: 200,
            ..Default::default()
        })
        .await
        .expect("ListAssessments answers")
        .into_inner()
        .records
}

/// The same, once no more arrive: a batch the client left may still be committing the item it
/// was storing.
async fn settled_seals(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::RecordSeal> {
    let mut seals = all_seals(client).await;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = all_seals(client).await;
        if now.len() == seals.len() {
            return now;
        }
        seals = now;
    }
    panic!("records still arriving after 5 s: {}", seals.len());
}

#[tokio::test]
async fn a_client_leaving_a_stored_batch_leaves_its_chain_whole_and_in_item_order() {
    const ITEMS: usize = 60;
    const READ: usize = 3;
    let server = TestServer::start().await;
    // A receive window of about two answers, so that the server cannot answer every item
    // before the client leaves.
    let mut client = client_receiving(&server, 16 * 1024).await;
    let (items, rx) = tokio::sync::mpsc::channel(ITEMS);
    for i in 0..ITEMS {
        let mut request = seed_request();
        request.project_id = format!("left-{i}");
        let item = pb::AssessBatchItem {
            key: format!("left-{i}"),
            request: Some(request),
        };
        items
            .send(item)
            .await
            .expect("the channel holds every item");
    }
    let mut results = client
        .assess_batch(ReceiverStream::new(rx))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    for i in 0..READ {
        let result = results
            .message()
            .await
            .expect("the batch stream goes on")
            .expect("a result");
        assert_eq!(result.key, format!("left-{i}"));
    }
    // The client cancels the call with items under way and one perhaps being stored, the item
    // stream still open.
    drop(results);

    let left = settled_seals(&mut client).await;
    eprintln!("{} of {ITEMS} items stored", left.len());
    assert!(
        (READ..ITEMS).contains(&left.len()),
        "the answered items are stored and the server stopped reading: {} of {ITEMS}",
        left.len()
    );
    let mut after = seed_request();
    after.project_id = "after".to_owned();
    let answered = assess(&mut client, after).await;
    assert_eq!(
        answered
            .record
            .expect("a stored Assess has a seal")
            .sequence,
        left.len() as u64 + 1,
        "the next call appends right after the batch's last stored item"
    );
    drop(items);

    let seals = settled_seals(&mut client).await;
    let projects: Vec<&str> = seals.iter().map(|s| s.project_id.as_str()).collect();
    let expected: Vec<String> = (0..left.len())
        .map(|i| format!("left-{i}"))
        .chain(["after".to_owned()])
        .collect();
    assert_eq!(projects, expected, "a prefix of the items, in item order");
    for (n, seal) in seals.iter().enumerate() {
        assert_eq!(seal.sequence, n as u64 + 1, "no gap in the chain");
        if n > 0 {
            assert_eq!(seal.previous_digest_sha256, seals[n - 1].digest_sha256);
        }
        assert_verified(&mut client, seal).await;
    }
}
