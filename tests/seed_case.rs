//! The seed case (shared/seed-case.md) through the real server: the derived figures exactly,
//! the whole response in each view against hand-reviewed golden files, and byte-identical
//! repeats.

mod common;

use common::{TestServer, seed_request, value};
use green_impact::json;
use green_impact::pb;
use prost::Message;

/// The seed's SELF_CONTAINED response: every text written out. It is, to the byte, the
/// response records held before texts were referred to by id.
const GOLDEN_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/leshan-yaqing.response.json"
);
/// The seed's FULL response: what a record stores, texts referred to by id.
const GOLDEN_FULL_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/leshan-yaqing.response.full.json"
);

/// The seed's response in `view`, without its record seal (id, time, chain position): the part
/// that is the same every time.
async fn assess_seed_in(server: &TestServer, view: pb::AssessmentView) -> pb::AssessResponse {
    let mut client = server.client().await;
    let mut response = client
        .assess(pb::AssessRequest {
            view: view as i32,
            ..seed_request()
        })
        .await
        .expect("seed case is valid")
        .into_inner();
    assert!(response.record.is_some(), "the seed assessment is stored");
    response.record = None;
    response
}

async fn assess_seed(server: &TestServer) -> pb::AssessResponse {
    assess_seed_in(server, pb::AssessmentView::SelfContained).await
}

fn assert_golden(actual: &pb::AssessResponse, path: &str) {
    let actual = json::assess_response_to_json(actual);
    let golden = std::fs::read_to_string(path).expect("golden file present");
    assert!(
        actual.trim_end() == golden.trim_end(),
        "the seed response differs from {path}; review the difference by hand before \
         changing the golden file.\n--- actual ---\n{actual}"
    );
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
    assert_eq!(response.methodology_version, "green-impact/1.3.0");
}

/// The seed's carbon figure worked by hand from the example's stated choices and the factor
/// set's cited defaults (layers, low-productivity B0 0.24, warm temperate moist, solid storage
/// MCF 0.04 -> in-vessel 0.005, EF3 0.010 -> 0.006, poultry Frac_GasMS 0.40 -> 0.60,
/// Frac_LeachMS 0.02 -> 0, EF4 wet 0.014, EF5 0.011, VS 0.715 and N 0.0163 of dry matter, AR6).
#[tokio::test]
async fn seed_carbon_and_mass_balance_follow_from_the_cited_defaults() {
    let server = TestServer::start().await;
    let response = assess_seed(&server).await;
    assert_eq!(response.factor_set, "ipcc2019-cn/2026.1");
    let carbon = response.carbon.as_ref().expect("the seed asks for carbon");
    let reduction = carbon.reduction.as_ref().unwrap();
    let central =
        |b: &Option<pb::Bounds>| b.as_ref().unwrap().central.as_ref().unwrap().value.clone();
    // VS = 32,850 t x 0.25 x 0.715 = 5,871.9375 t.
    // dCH4 = 5,871.9375 x 0.24 x 0.67 x (0.04 - 0.005) = 33.04726425 t; x 27 = 892.27613475.
    assert_eq!(
        central(&reduction.manure_management_by_gas[0].tco2e_per_year),
        "892.276"
    );
    // N = 8,212.5 t x 0.0163 = 133.86375 t; dN2O-N = N x (0.004 - 0.014 x 0.20 + 0.011 x 0.02)
    // = 0.190086525 t; x 44/28 x 273 (= x 429) = 81.547119225.
    assert_eq!(
        central(&reduction.manure_management_by_gas[1].tco2e_per_year),
        "81.547"
    );
    // 892.27613475 + 81.547119225 = 973.823253975.
    assert_eq!(central(&reduction.total_tco2e_per_year), "973.823");

    // 22.5 t of dry matter a day; 30 t of product at 30 % moisture holds 21 t of it.
    let balance = response.mass_balance.as_ref().unwrap();
    let value = |d: &Option<pb::Decimal>| d.as_ref().unwrap().value.clone();
    assert_eq!(value(&balance.manure_dry_matter_t_per_day), "22.5");
    assert_eq!(value(&balance.product_capacity_t_per_day), "32.1429");
    assert_eq!(value(&balance.tolerable_dry_matter_loss_fraction), "0.0667");
    assert!(balance.closes);
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
    assert_golden(&assess_seed(&server).await, GOLDEN_PATH);
}

#[tokio::test]
async fn the_full_seed_response_refers_to_the_texts_and_matches_its_golden_file() {
    let server = TestServer::start().await;
    let full = assess_seed_in(&server, pb::AssessmentView::Full).await;
    assert_golden(&full, GOLDEN_FULL_PATH);
    let self_contained = assess_seed(&server).await;
    assert!(
        full.encoded_len() * 10 < self_contained.encoded_len() * 7,
        "FULL {} bytes, SELF_CONTAINED {}",
        full.encoded_len(),
        self_contained.encoded_len()
    );
    let carbon = full.carbon.as_ref().unwrap();
    assert!(
        carbon
            .trace
            .iter()
            .all(|s| !s.template.is_empty() && s.equation.is_empty())
    );
    assert!(carbon.factors_used.iter().all(|f| f.source.is_empty()));

    // BASIC is FULL without the schedule's rows, the trace and the factors, to the byte.
    let basic = assess_seed_in(&server, pb::AssessmentView::Basic).await;
    let mut trimmed = full.clone();
    trimmed.loan.as_mut().unwrap().periods.clear();
    let carbon = trimmed.carbon.as_mut().unwrap();
    carbon.trace.clear();
    carbon.factors_used.clear();
    assert_eq!(basic.encode_to_vec(), trimmed.encode_to_vec());
    // And an unnamed view is BASIC.
    let unnamed = assess_seed_in(&server, pb::AssessmentView::Unspecified).await;
    assert_eq!(unnamed, basic);
}

#[tokio::test]
async fn the_same_request_gives_byte_identical_responses() {
    let server = TestServer::start().await;
    let first = assess_seed(&server).await.encode_to_vec();
    let second = assess_seed(&server).await.encode_to_vec();
    assert_eq!(first, second);
}
