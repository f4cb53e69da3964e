//! Unary methods over HTTP/JSON: the seed's figures, the same field violations as gRPC, the
//! gateway's own refusals, and records read, listed and verified.

use bytes::Bytes;
use green_impact::pb;

use crate::common::{loan, money, seed_request, violated_fields};
use crate::support::{get, post_json, seed_dry_run_json, seed_json, send, start_local};

#[tokio::test]
async fn the_seed_assessed_over_http_answers_the_golden_figures() {
    let server = start_local().await;
    let reply = post_json(server.http, "/v1/assessments:assess", &seed_json()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), "application/json");
    let answer = reply.json();
    let money = &answer["cost_to_revenue"];
    assert_eq!(
        money["fertilizer_income_cny_per_year"]["value"],
        "2847000.00"
    );
    assert_eq!(money["income_to_baseline_cost_ratio"]["value"], "2.1667");
    // Stored by default, as over gRPC: the answer carries its seal.
    let record_id = answer["record"]["record_id"].as_str().unwrap();
    assert!(record_id.starts_with("rec_"), "{record_id}");
}

#[tokio::test]
async fn a_full_dry_run_over_http_is_the_golden_full_response() {
    let server = start_local().await;
    let mut request = seed_dry_run_json();
    request["view"] = "ASSESSMENT_VIEW_FULL".into();
    let reply = post_json(server.http, "/v1/assessments:assess", &request).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/leshan-yaqing.response.full.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(reply.json() == golden, "HTTP answer:\n{}", reply.text());
}

#[tokio::test]
async fn bad_input_over_http_is_400_with_the_field_paths_grpc_gives() {
    let server = start_local().await;
    let mut request = seed_request();
    request.dry_run = true;
    loan(&mut request).principal = money("USD", "3800000.00");
    let status = server
        .grpc
        .client()
        .await
        .assess(request)
        .await
        .expect_err("refused over gRPC");
    let mut body = seed_dry_run_json();
    body["loan"]["principal"]["currency_code"] = "USD".into();
    let reply = post_json(server.http, "/v1/assessments:assess", &body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    let error = &reply.json()["error"];
    assert_eq!(error["status"], "INVALID_ARGUMENT");
    assert_eq!(error["code"], 400);
    assert_eq!(error["message"], status.message());
    assert_eq!(reply.violated_fields(), violated_fields(&status));
    assert_eq!(reply.violated_fields(), ["loan.principal.currency_code"]);
}

#[tokio::test]
async fn json_that_does_not_parse_names_where_it_failed() {
    let server = start_local().await;
    let mut body = seed_dry_run_json();
    body["loan"]["term_months"] = "thirty-six".into();
    let reply = post_json(server.http, "/v1/assessments:assess", &body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.violated_fields(), ["loan.term_months"]);

    let mut body = seed_dry_run_json();
    body["loan"]["principal_typo"] = "1".into();
    let reply = post_json(server.http, "/v1/assessments:assess", &body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    let fields = reply.violated_fields();
    assert_eq!(fields.len(), 1);
    assert!(fields[0].starts_with("loan"), "{fields:?}");
    assert!(reply.text().contains("principal_typo"), "{}", reply.text());
}

#[tokio::test]
async fn the_gateway_refuses_what_it_cannot_route_or_read() {
    let server = start_local().await;
    let seed = seed_dry_run_json().to_string();

    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[],
        seed.clone(),
    )
    .await;
    assert_eq!(reply.status, 415, "no Content-Type: {}", reply.text());

    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[("content-type", "text/plain")],
        seed,
    )
    .await;
    assert_eq!(reply.status, 415, "text/plain: {}", reply.text());

    let reply = get(server.http, "/v1/assessments:assess").await;
    assert_eq!(reply.status, 405, "{}", reply.text());

    let reply = get(server.http, "/v1/nothing-here").await;
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert_eq!(reply.json()["error"]["status"], "NOT_FOUND");

    let big = format!("{{\"borrower_id\": \"{}\"}}", "x".repeat(1024 * 1024 + 1));
    let reply = send(
        server.http,
        "POST",
        "/v1/assessments:assess",
        &[("content-type", "application/json")],
        Bytes::from(big),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["error"]["status"], "RESOURCE_EXHAUSTED");

    let reply = post_json(
        server.http,
        "/v1/assessments:assess?view=ASSESSMENT_VIEW_FULL",
        &seed_dry_run_json(),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.violated_fields(), ["view"]);
}

#[tokio::test]
async fn a_stored_record_is_read_listed_and_verified_over_http() {
    let server = start_local().await;
    let answer = post_json(server.http, "/v1/assessments:assess", &seed_json())
        .await
        .json();
    let record_id = answer["record"]["record_id"].as_str().unwrap().to_owned();

    let record = get(
        server.http,
        &format!("/v1/assessments/{record_id}?view=ASSESSMENT_VIEW_BASIC"),
    )
    .await;
    assert_eq!(record.status, 200, "{}", record.text());
    let record = record.json();
    assert_eq!(record["seal"]["record_id"], record_id.as_str());
    assert_eq!(
        record["assessment"]["response"]["cost_to_revenue"]["fertilizer_income_cny_per_year"]["value"],
        "2847000.00"
    );

    let list = get(server.http, "/v1/assessments?page_size=10").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let ids: Vec<String> = list.json()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seal| seal["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![record_id.clone()]);

    let verdict = post_json(
        server.http,
        &format!("/v1/assessments/{record_id}:verify"),
        &serde_json::json!({}),
    )
    .await;
    assert_eq!(verdict.status, 200, "{}", verdict.text());
    let verdict = verdict.json();
    let checks = verdict["checks"].as_array().expect("checks");
    assert!(!checks.is_empty());
    for check in checks {
        assert_eq!(check["passed"], true, "{check}");
    }

    let missing = get(
        server.http,
        "/v1/assessments/rec_00000000000000000000000000000000",
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.text());

    let bad_query = get(
        server.http,
        &format!("/v1/assessments/{record_id}?view=LARGE"),
    )
    .await;
    assert_eq!(bad_query.status, 400, "{}", bad_query.text());
    assert_eq!(bad_query.violated_fields(), ["view"]);
}

#[tokio::test]
async fn reference_texts_and_the_service_key_are_read_with_get() {
    let server = start_local().await;
    let sets = get(server.http, "/v1/factorSets").await;
    assert_eq!(sets.status, 200, "{}", sets.text());
    let key = get(server.http, "/v1/serviceKey").await;
    assert_eq!(key.status, 200, "{}", key.text());
    let over_grpc = server
        .grpc
        .client()
        .await
        .get_service_key(pb::GetServiceKeyRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(key.json()["key_id"], over_grpc.key_id.as_str());
    let methodology = get(server.http, "/v1/methodology").await;
    assert_eq!(methodology.status, 200, "{}", methodology.text());
}
