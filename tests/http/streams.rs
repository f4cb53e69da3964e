//! Streams over HTTP as NDJSON: a batch answers every item, its bad item with field paths;
//! a line that does not parse is named by its number; export and summary read the same
//! records as gRPC.

use crate::support::{get, post_json, post_ndjson, seed_dry_run_json, seed_json, start_local};

fn ndjson(items: &[serde_json::Value]) -> String {
    items.iter().map(|item| item.to_string() + "\n").collect()
}

#[tokio::test]
async fn a_batch_answers_each_line_and_names_the_bad_items_fields() {
    let server = start_local().await;
    let mut bad = seed_dry_run_json();
    bad["loan"]["principal"]["amount"]["value"] = "-5".into();
    let body = ndjson(&[
        serde_json::json!({"key": "row-1", "request": seed_dry_run_json()}),
        serde_json::json!({"key": "row-2", "request": bad}),
        serde_json::json!({"key": "row-3", "request": seed_dry_run_json()}),
    ]);
    let reply = post_ndjson(server.http, "/v1/assessments:batch", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), "application/x-ndjson");
    let lines = reply.lines();
    assert_eq!(lines.len(), 3, "{}", reply.text());
    let by_key = |key: &str| {
        lines
            .iter()
            .find(|l| l["key"] == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    for key in ["row-1", "row-3"] {
        assert_eq!(
            by_key(key)["response"]["cost_to_revenue"]["fertilizer_income_cny_per_year"]["value"],
            "2847000.00"
        );
    }
    let error = &by_key("row-2")["error"];
    assert_eq!(error["code"], 3);
    assert_eq!(
        error["field_violations"][0]["field"],
        "loan.principal.amount"
    );
}

#[tokio::test]
async fn a_line_that_does_not_parse_is_refused_by_its_number() {
    let server = start_local().await;
    let body = format!(
        "{{\"key\": \"row-1\", \"request\": {{\"loan\": {{\"term_months\": \"many\"}}}}}}\n{}",
        ndjson(&[serde_json::json!({"key": "row-2", "request": seed_dry_run_json()})])
    );
    let reply = post_ndjson(server.http, "/v1/assessments:batch", body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.violated_fields(), ["request.loan.term_months"]);
    assert!(reply.text().contains("line 1"), "{}", reply.text());

    let reply = post_json(server.http, "/v1/assessments:batch", &seed_json()).await;
    assert_eq!(reply.status, 415, "a batch is NDJSON: {}", reply.text());
}

#[tokio::test]
async fn export_streams_every_record_and_a_summary_reads_ndjson() {
    let server = start_local().await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let answer = post_json(server.http, "/v1/assessments:assess", &seed_json())
            .await
            .json();
        ids.push(answer["record"]["record_id"].as_str().unwrap().to_owned());
    }
    let export = get(
        server.http,
        "/v1/assessments:export?view=ASSESSMENT_VIEW_BASIC",
    )
    .await;
    assert_eq!(export.status, 200, "{}", export.text());
    let exported: Vec<String> = export
        .lines()
        .iter()
        .map(|record| record["seal"]["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(exported, ids);

    let body = ndjson(&[
        serde_json::json!({"record_id": ids[0]}),
        serde_json::json!({"assessment": seed_dry_run_json()}),
    ]);
    let summary = post_ndjson(server.http, "/v1/portfolio:summarize", body).await;
    assert_eq!(summary.status, 200, "{}", summary.text());
    let summary = summary.json();
    assert_eq!(summary["total"]["project_count"], 2);
    // 2 x 3,800,000 CNY in 10,000 CNY.
    assert_eq!(summary["total"]["loan_amount_10k_cny"]["value"], "760.00");
    assert_eq!(summary["error_count"], 0);
}

#[tokio::test]
async fn the_last_line_counts_without_a_final_newline() {
    let server = start_local().await;
    let body = serde_json::json!({"key": "only", "request": seed_dry_run_json()}).to_string();
    let reply = post_ndjson(server.http, "/v1/assessments:batch", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let lines = reply.lines();
    assert_eq!(lines.len(), 1, "{}", reply.text());
    assert_eq!(lines[0]["key"], "only");
}
