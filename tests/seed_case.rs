//! The seed case (shared/seed-case.md) through the real server: the derived figures exactly,
//! the whole response against a hand-reviewed golden file, and byte-identical repeats.

mod common;

use common::{TestServer, seed_request, value};
use green_impact::json;
use green_impact::pb;
use prost::Message;

const GOLDEN_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/leshan-yaqing.response.json"
);

async fn assess_seed(server: &TestServer) -> pb::AssessResponse {
    let mut client = server.client().await;
    client
        .assess(seed_request())
        .await
        .expect("seed case is valid")
        .into_inner()
}

fn per_tonne(
    response: &pb::AssessResponse,
    item: pb::PerTonneItem,
    basis: pb::TonneBasis,
) -> (String, pb::PerTonneKind) {
    let figure = response
        .cost_to_revenue
        .as_ref()
        .unwrap()
        .per_tonne
        .iter()
        .find(|f| f.item == item as i32 && f.basis == basis as i32)
        .expect("every item is given on every basis");
    (
        value(&figure.cny_per_t).to_owned(),
        pb::PerTonneKind::try_from(figure.kind).unwrap(),
    )
}

#[tokio::test]
async fn seed_case_reproduces_the_derived_figures_exactly() {
    let server = TestServer::start().await;
    let response = assess_seed(&server).await;
    let c2r = response.cost_to_revenue.as_ref().unwrap();
    // 90 x 365
    assert_eq!(value(&c2r.manure_fresh_t_per_year), "32850");
    assert_eq!(value(&c2r.product_t_per_year), "10950");
    // 32,850 x 40
    assert_eq!(
        value(&c2r.baseline_treatment_cost_cny_per_year),
        "1314000.00"
    );
    // 10,950 x 260
    assert_eq!(value(&c2r.fertilizer_income_cny_per_year), "2847000.00");
    // 2,847,000 / 1,314,000 = 2.16666...
    assert_eq!(value(&c2r.income_to_baseline_cost_ratio), "2.1667");
    // 10,950 / 32,850 = 1/3
    assert_eq!(value(&c2r.product_yield_t_per_t_fresh_manure), "0.3333");
    use pb::{PerTonneItem as Item, PerTonneKind as Kind, TonneBasis as Basis};
    // 260 x 10,950 / 32,850 = 86.666...
    assert_eq!(
        per_tonne(&response, Item::FertilizerIncome, Basis::FreshManure),
        ("86.67".into(), Kind::UnitMargin)
    );
    // 40 + 86.666... = 126.666...
    assert_eq!(
        per_tonne(&response, Item::SwingFromBaseline, Basis::FreshManure),
        ("126.67".into(), Kind::UnitSwing)
    );
    assert_eq!(
        per_tonne(&response, Item::BaselineTreatmentCost, Basis::FreshManure),
        ("40.00".into(), Kind::UnitCost)
    );
    assert_eq!(
        per_tonne(&response, Item::FertilizerIncome, Basis::FinishedProduct),
        ("260.00".into(), Kind::UnitMargin)
    );
    assert_eq!(response.methodology_version, "green-impact-economics/1.0.0");
}

#[tokio::test]
async fn seed_loan_schedule_is_exact_to_the_fen() {
    let server = TestServer::start().await;
    let response = assess_seed(&server).await;
    let loan = response.loan.as_ref().unwrap();
    assert_eq!(loan.period_count, 36);
    // A = 3,800,000 x 0.002875 / (1 - 1.002875^-36) = 111,263.80 (checked independently).
    let first = &loan.periods[0];
    assert_eq!(value(&first.interest_cny), "10925.00");
    assert_eq!(value(&first.instalment_cny), "111263.80");
    let last = loan.periods.last().unwrap();
    assert_eq!(value(&last.instalment_cny), "111263.63");
    assert_eq!(value(&last.closing_balance_cny), "0.00");
    assert_eq!(value(&loan.total_principal_cny), "3800000.00");
    assert_eq!(value(&loan.total_interest_cny), "205496.63");
    let fen = |d: &Option<pb::Decimal>| -> i64 { value(d).replace('.', "").parse().unwrap() };
    let principal_sum: i64 = loan.periods.iter().map(|p| fen(&p.principal_cny)).sum();
    assert_eq!(principal_sum, 380_000_000);
    for pair in loan.periods.windows(2) {
        assert_eq!(pair[0].closing_balance_cny, pair[1].opening_balance_cny);
    }
}

#[tokio::test]
async fn seed_response_matches_the_reviewed_golden_file() {
    let server = TestServer::start().await;
    let actual = json::assess_response_to_json(&assess_seed(&server).await);
    let golden = std::fs::read_to_string(GOLDEN_PATH).expect("golden file present");
    assert!(
        actual.trim_end() == golden.trim_end(),
        "the seed response differs from {GOLDEN_PATH}; review the difference by hand before \
         changing the golden file.\n--- actual ---\n{actual}"
    );
}

#[tokio::test]
async fn the_same_request_gives_byte_identical_responses() {
    let server = TestServer::start().await;
    let first = assess_seed(&server).await.encode_to_vec();
    let second = assess_seed(&server).await.encode_to_vec();
    assert_eq!(first, second);
}
