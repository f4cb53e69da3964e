//! The seed request, requests made from it, and how a refused request is read.

use green_impact::json;
use green_impact::pb;

pub const SEED_REQUEST_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leshan-yaqing.json");

pub fn seed_request() -> pb::AssessRequest {
    let text = std::fs::read_to_string(SEED_REQUEST_PATH).expect("read seed request");
    json::assess_request_from_json(&text).expect("seed request is valid proto3 JSON")
}

/// The seed request as a dry run: answered, not stored.
pub fn seed_dry_run() -> pb::AssessRequest {
    pb::AssessRequest {
        dry_run: true,
        ..seed_request()
    }
}

/// The loan terms of a request that has them (the seed's do).
pub fn loan(request: &mut pb::AssessRequest) -> &mut pb::LoanTerms {
    request.loan.as_mut().expect("seed request has loan")
}

/// The seed request with 600 stated assumptions of 512 characters: over the 256 KiB a request
/// message may have (and past the 260k the load balancer lets through).
pub fn over_the_size_limit() -> pb::AssessRequest {
    let request = pb::AssessRequest {
        stated_assumptions: vec!["x".repeat(512); 600],
        ..seed_request()
    };
    assert!(prost::Message::encoded_len(&request) > 300 * 1024);
    request
}

/// The refusal of a message over the size limit, by a replica or by the load balancer.
pub fn assert_over_the_size_limit(status: &tonic::Status) {
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(
        status.message().contains("over the limit of 262144 bytes"),
        "{status:?}"
    );
}

/// The field paths of the BadRequest violations in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    bad_request
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect()
}

/// `request` answered in `view`: tests that read the schedule rows, the trace or the factors
/// ask for them, since the default answer (BASIC) carries figures only.
pub fn in_view(view: pb::AssessmentView, request: pb::AssessRequest) -> pb::AssessRequest {
    pb::AssessRequest {
        view: view as i32,
        ..request
    }
}

/// `request` answered with every text written out (SELF_CONTAINED).
pub fn self_contained(request: pb::AssessRequest) -> pb::AssessRequest {
    in_view(pb::AssessmentView::SelfContained, request)
}
