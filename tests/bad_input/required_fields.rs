//! Missing required fields and ids: every top-level requirement, the loan's, the appraisal's,
//! and ids empty, overlong or with control characters.

use green_impact::pb;

use crate::common::{loan, seed_request};
use crate::support::{appraisal, harness, ops, sorted};

#[tokio::test]
async fn missing_loan_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.loan = None;
    h.expect_only(r, "loan", "no loan").await;
}

#[tokio::test]
async fn missing_operations_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.operations = None;
    h.expect_only(r, "operations", "no operations").await;
}

#[tokio::test]
async fn missing_appraisal_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.appraisal = None;
    h.expect_only(r, "appraisal", "no appraisal").await;
}

#[tokio::test]
async fn missing_principal_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = None;
    h.expect_only(r, "loan.principal", "no principal").await;
}

#[tokio::test]
async fn missing_rate_oneof_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).rate = None;
    h.expect_only(r, "loan.rate", "no rate").await;
}

#[tokio::test]
async fn missing_product_output_oneof_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).product_output = None;
    h.expect_only(r, "operations.product_output", "no product output")
        .await;
}

#[tokio::test]
async fn missing_fertilizer_value_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).fertilizer_value = None;
    h.expect_only(r, "operations.fertilizer_value", "no fertilizer value")
        .await;
}

#[tokio::test]
async fn missing_baseline_cost_and_total_investment_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = None;
    h.expect_only(
        r,
        "operations.baseline_treatment_cost_per_t_fresh_manure",
        "no baseline cost",
    )
    .await;
    let mut r = seed_request();
    appraisal(&mut r).total_project_investment = None;
    h.expect_only(r, "appraisal.total_project_investment", "no investment")
        .await;
}

#[tokio::test]
async fn empty_capex_list_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex.clear();
    h.expect_only(r, "appraisal.capex", "no capex").await;
}

#[tokio::test]
async fn empty_borrower_and_project_ids_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id.clear();
    h.expect_only(r, "borrower_id", "empty borrower id").await;
    let mut r = seed_request();
    r.project_id.clear();
    h.expect_only(r, "project_id", "empty project id").await;
}

#[tokio::test]
async fn overlong_or_control_character_ids_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id = "x".repeat(129);
    h.expect_only(r, "borrower_id", "129 chars").await;
    let mut r = seed_request();
    r.project_id = "project\u{1b}[31m".to_owned();
    h.expect_only(r, "project_id", "ESC").await;
}

#[tokio::test]
async fn missing_discount_rate_and_zero_project_life_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).discount_rate_pct = None;
    h.expect_only(r, "appraisal.discount_rate_pct", "no discount rate")
        .await;
    for life in [0, 31] {
        let mut r = seed_request();
        appraisal(&mut r).project_life_years = life;
        h.expect_only(r, "appraisal.project_life_years", &life.to_string())
            .await;
    }
}

#[tokio::test]
async fn completely_empty_request_reports_every_top_level_requirement() {
    let mut h = harness().await;
    let fields = h.reject(pb::AssessRequest::default()).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "borrower_id",
                "project_id",
                "loan",
                "operations",
                "appraisal"
            ]
            .map(String::from)
            .to_vec()
        )
    );
}
