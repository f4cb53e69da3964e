//! What the browser console is served: the OpenAPI document, the seed example, a stored
//! assessment's report page, each with headers that keep other sites out.

use crate::support::{get, post_json, seed_json, start_local};

#[tokio::test]
async fn the_served_openapi_document_is_the_checked_in_one() {
    let server = start_local().await;
    let reply = get(server.http, "/openapi.json").await;
    assert_eq!(reply.status, 200);
    let checked_in: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
    assert!(
        reply.json() == checked_in,
        "docs/openapi.json differs from /openapi.json"
    );
    assert_eq!(reply.json()["openapi"], "3.0.3");
}

#[tokio::test]
async fn the_root_leads_to_the_console_and_the_seed_is_one_click_away() {
    let server = start_local().await;
    let root = get(server.http, "/").await;
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), "/console/");
    let seed = get(server.http, "/console/seed.json").await;
    assert_eq!(seed.status, 200);
    assert_eq!(seed.json(), seed_json());
    assert_eq!(seed.header("x-content-type-options"), "nosniff");
    assert!(
        seed.header("content-security-policy")
            .contains("default-src 'self'")
    );
}

#[tokio::test]
async fn a_stored_assessment_has_a_report_page_that_runs_no_script() {
    let server = start_local().await;
    let answer = post_json(server.http, "/v1/assessments:assess", &seed_json())
        .await
        .json();
    let record_id = answer["record"]["record_id"].as_str().unwrap();
    let page = get(server.http, &format!("/console/report/{record_id}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.header("content-type").starts_with("text/html"));
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = page.text();
    assert!(html.contains(record_id), "the page names its record");
    assert!(
        html.contains("2,847,000.00"),
        "figures grouped in thousands"
    );

    let missing = get(
        server.http,
        "/console/report/rec_00000000000000000000000000000000",
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.text());
}
