//! Records stored by green-impact before answers referred to texts by id (seal text v1, every
//! text written out in the response, bytes uncompressed): the store under
//! tests/fixtures/store-1.3.0 was written by that build (a stored seed assessment, a stored
//! insurer assessment, a monitoring report on the first). Today's server opens it, verifies
//! each record, reads each back whole, and goes on with the chain.

use std::sync::Arc;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::ServerParts;
use green_impact::metrics::Metrics;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::records::ServiceKey;
use green_impact::store::sqlite::SqliteStore;
use tonic::transport::Channel;

use crate::common::{TestServer, seed_request, temp_dir};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-1.3.0");
const SEED_RECORD: &str = "rec_3ba4241367be342fbd95736b9792ed0d";
const SEED_DIGEST: &str = "83bd45602521a36b804c68c8eb027e9151031fa775e35c79214949e93d9583d2";
const REPORT_RECORD: &str = "rec_2793b1d78550d43ef0b11cbb83284cfb";

/// A server on a copy of the fixture's store and key, in local mode.
async fn server_on_the_old_store() -> TestServer {
    let dir = temp_dir("old-store");
    for file in ["records.sqlite3", "service.key"] {
        std::fs::copy(format!("{FIXTURE}/{file}"), dir.join(file)).expect("copy the fixture");
    }
    TestServer::start_with_parts(ServerParts {
        factor_library: FactorLibrary::built_in(),
        store: Arc::new(SqliteStore::open(&dir).expect("today's store opens the old file")),
        key: Arc::new(ServiceKey::load_or_create(&dir.join("service.key")).expect("the old key")),
        auth: Auth::Local,
        limits: Limits::default(),
        metrics: Metrics::new(),
        metrics_listener: None,
        tls: None,
        http_listener: None,
    })
    .await
}

async fn chain(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::RecordSeal> {
    client
        .list_assessments(pb::ListAssessmentsRequest {
            page_size: 100,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .records
}

async fn assert_verifies(client: &mut ImpactServiceClient<Channel>, record_id: &str) {
    let answer = client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: record_id.to_owned(),
        })
        .await
        .expect("verify")
        .into_inner();
    let checks: Vec<(&str, bool)> = answer
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.passed))
        .collect();
    assert_eq!(
        checks,
        [
            ("digest", true),
            ("signature", true),
            ("chain_link", true),
            ("recomputation", true)
        ],
        "{record_id}: {answer:?}"
    );
    assert!(answer.verified, "{record_id}");
}

async fn stored_assessment(
    client: &mut ImpactServiceClient<Channel>,
    record_id: &str,
    view: pb::AssessmentView,
) -> pb::StoredAssessment {
    let stored = client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: record_id.to_owned(),
            view: view as i32,
        })
        .await
        .expect("get")
        .into_inner();
    match stored.content {
        Some(pb::stored_record::Content::Assessment(assessment)) => assessment,
        other => panic!("{record_id}: not an assessment: {other:?}"),
    }
}

#[tokio::test]
async fn records_stored_before_texts_were_referred_to_still_verify() {
    let server = server_on_the_old_store().await;
    let mut client = server.client().await;
    let seals = chain(&mut client).await;
    let sequences: Vec<u64> = seals.iter().map(|s| s.sequence).collect();
    assert_eq!(sequences, [1, 2, 3], "the fixture's chain");
    assert_eq!(seals[0].record_id, SEED_RECORD);
    assert_eq!(seals[0].digest_sha256, SEED_DIGEST, "read back as sealed");
    assert_eq!(seals[2].record_id, REPORT_RECORD);
    for seal in &seals {
        assert!(
            seal.methodology_digest_sha256.is_empty() && seal.factor_set_digest_sha256.is_empty(),
            "{}: sealed before texts were pinned (seal text v1)",
            seal.record_id
        );
        assert_verifies(&mut client, &seal.record_id).await;
    }
}

/// What the old build answered is what it stored, and is today's SELF_CONTAINED answer to the
/// same request, to the byte: the FULL view of an old record is that same document, and BASIC
/// leaves out its rows, trace and factors.
#[tokio::test]
async fn an_old_record_reads_back_whole_and_equal_to_todays_self_contained_answer() {
    let server = server_on_the_old_store().await;
    let mut client = server.client().await;
    let whole = stored_assessment(&mut client, SEED_RECORD, pb::AssessmentView::Unspecified).await;
    let request = whole.request.clone().expect("stored request");
    assert_eq!(
        request,
        seed_request(),
        "the fixture stored the seed request"
    );
    let response = whole.response.expect("stored response");
    let carbon = response.carbon.as_ref().expect("carbon");
    assert!(
        carbon
            .trace
            .iter()
            .all(|s| s.template.is_empty() && !s.equation.is_empty())
    );
    assert!(carbon.factors_used.iter().all(|f| !f.source.is_empty()));

    let today = client
        .assess(pb::AssessRequest {
            dry_run: true,
            view: pb::AssessmentView::SelfContained as i32,
            ..request
        })
        .await
        .expect("assess")
        .into_inner();
    assert_eq!(
        response, today,
        "the old answer is today's self-contained one"
    );

    let full = stored_assessment(&mut client, SEED_RECORD, pb::AssessmentView::Full).await;
    assert_eq!(full.response.as_ref(), Some(&response));
    let basic = stored_assessment(&mut client, SEED_RECORD, pb::AssessmentView::Basic).await;
    let basic = basic.response.expect("response");
    assert!(basic.loan.expect("loan").periods.is_empty());
    assert!(basic.carbon.expect("carbon").trace.is_empty());
}

/// Today's server appends after the old records: the new record links to the old chain's head
/// and pins today's texts (seal text v2), and every record of the chain verifies.
#[tokio::test]
async fn the_chain_goes_on_after_old_records_with_pinned_texts() {
    let server = server_on_the_old_store().await;
    let mut client = server.client().await;
    let old_head = chain(&mut client).await.pop().expect("the old head");
    let answer = client
        .assess(seed_request())
        .await
        .expect("a stored assess")
        .into_inner();
    let seal = answer.record.expect("stored");
    assert_eq!(seal.sequence, 4);
    assert_eq!(seal.previous_digest_sha256, old_head.digest_sha256);
    let methodology = client
        .get_methodology(pb::GetMethodologyRequest::default())
        .await
        .expect("methodology")
        .into_inner();
    assert_eq!(seal.methodology_digest_sha256, methodology.digest_sha256);
    let factor_set = client
        .get_factor_set(pb::GetFactorSetRequest {
            factor_set: seal.factor_set.clone(),
        })
        .await
        .expect("factor set")
        .into_inner();
    assert_eq!(seal.factor_set_digest_sha256, factor_set.digest_sha256);
    for seal in chain(&mut client).await {
        assert_verifies(&mut client, &seal.record_id).await;
    }
}
