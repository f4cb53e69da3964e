//! SubmitMonitoringReport end to end over the real server (local mode, a fresh SQLite store):
//! a quarter worked by hand against the seed plan, the report stored as a record and verified
//! by recomputation, the continuity / jump / capacity / mass-balance flags against the report
//! before, and bad input refused with exact field paths. Concurrent reports on one plan run
//! on every record store, with a tenant of their own.
//!
//! The plan is examples/leshan-yaqing.json with two KPIs added: 90 t/day of fresh layer
//! manure x 365 days = 32,850 t/yr at 0.25 dry matter, 10,950 t/yr of product, baseline
//! treatment 40 CNY/t, unit margin 260 CNY/t product, INCREMENTAL cash-flow basis, no operating
//! cost lines, no subsidies, no energy lines; a 3,800,000 CNY loan at 3.45 % fixed, 36 equal
//! monthly instalments of 111,263.80 from 2025-07-21 (the last 111,263.63).

mod common;

use common::{
    Backend, Principal, TestServer, backends, bearer, cny, dec, money, principal, random_seed,
    record_parts, seed_request, tokens_auth, value, violated_fields,
};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use rust_decimal::Decimal;
use tonic::Code;
use tonic::transport::Channel;

type Client = ImpactServiceClient<Channel>;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A presented decimal, parsed; panics when it is absent or malformed.
fn parsed(presented: &Option<pb::Decimal>) -> Decimal {
    let text = value(presented);
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

fn kpi(
    name: &str,
    metric: pb::KpiMetric,
    annual_target: &str,
    if_met: i32,
    if_missed: i32,
) -> pb::KpiTarget {
    pb::KpiTarget {
        name: name.to_owned(),
        metric: metric as i32,
        annual_target: dec(annual_target),
        rate_step_bps_if_met: if_met,
        rate_step_bps_if_missed: if_missed,
    }
}

/// The seed with the loan's two sustainability-linked terms: 30,000 t of manure a year
/// (-10 bps if met, +10 if missed) and 900 tCO2e a year (-5 bps if met, 0 if missed).
fn seed_with_kpis() -> pb::AssessRequest {
    let mut request = seed_request();
    request.kpis = vec![
        kpi(
            "manure treated",
            pb::KpiMetric::ManureTreatedT,
            "30000",
            -10,
            10,
        ),
        kpi(
            "emission reduction",
            pb::KpiMetric::EmissionReductionTco2e,
            "900",
            -5,
            0,
        ),
    ];
    request
}

async fn assess(client: &mut Client, request: pb::AssessRequest) -> pb::AssessResponse {
    client
        .assess(request)
        .await
        .unwrap_or_else(|e| panic!("assess: {e:?}"))
        .into_inner()
}

/// The seed with KPIs, assessed and stored; its response (with the record's seal).
async fn stored_plan(client: &mut Client) -> pb::AssessResponse {
    let response = assess(client, seed_with_kpis()).await;
    assert!(response.record.is_some(), "the assessment is stored");
    response
}

fn record_id(seal: &Option<pb::RecordSeal>) -> String {
    seal.as_ref().expect("a record seal").record_id.clone()
}

fn operations(
    operating_days: u32,
    manure_fresh_t: &str,
    product_made_t: &str,
    product_sold_t: &str,
    realised_margin_cny_per_t: &str,
) -> pb::ActualOperations {
    pb::ActualOperations {
        operating_days,
        manure_fresh_t: dec(manure_fresh_t),
        manure_dry_matter_fraction: None,
        product_made_t: dec(product_made_t),
        product_sold_t: dec(product_sold_t),
        realised_value_per_t_product: cny(realised_margin_cny_per_t),
        energy: vec![],
        operating_costs: None,
    }
}

/// Operations with a measured dry-matter fraction and reported costs, so that the only flags
/// are the ones a test is about.
fn measured(mut actual: pb::ActualOperations) -> pb::ActualOperations {
    actual.manure_dry_matter_fraction = dec("0.25");
    actual.operating_costs = cny("0");
    actual
}

fn report(
    assessment_record_id: &str,
    period_start: &str,
    period_end: &str,
    actual: pb::ActualOperations,
) -> pb::SubmitMonitoringReportRequest {
    pb::SubmitMonitoringReportRequest {
        assessment_record_id: assessment_record_id.to_owned(),
        period_start: period_start.to_owned(),
        period_end: period_end.to_owned(),
        actual: Some(actual),
        jump_tolerance_fraction: None,
        dry_run: false,
    }
}

/// The third quarter of 2025 (92 days): 90 operating days, 8,000 t of manure, 2,600 t of
/// product made and 2,500 t sold at a realised margin of 250 CNY/t; no dry matter, energy or
/// costs reported.
fn q3_report(assessment_record_id: &str) -> pb::SubmitMonitoringReportRequest {
    report(
        assessment_record_id,
        "2025-07-01",
        "2025-09-30",
        operations(90, "8000", "2600", "2500", "250"),
    )
}

fn dry(mut request: pb::SubmitMonitoringReportRequest) -> pb::SubmitMonitoringReportRequest {
    request.dry_run = true;
    request
}

async fn submit(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> pb::SubmitMonitoringReportResponse {
    client
        .submit_monitoring_report(request)
        .await
        .unwrap_or_else(|e| panic!("submit_monitoring_report: {e:?}"))
        .into_inner()
}

async fn submit_refused(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> tonic::Status {
    match client.submit_monitoring_report(request).await {
        Ok(response) => panic!("expected an error, got {:?}", response.into_inner()),
        Err(status) => status,
    }
}

/// The field paths of the BadRequest details of an INVALID_ARGUMENT status, sorted.
fn bad_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), Code::InvalidArgument, "status: {status:?}");
    let details = status
        .get_details_bad_request()
        .unwrap_or_else(|| panic!("BadRequest details in {status:?}"));
    let mut fields: Vec<String> = details
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    fields.sort();
    fields
}

/// The descriptions of the BadRequest violations, in the order given.
fn descriptions(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|details| {
            details
                .field_violations
                .iter()
                .map(|v| v.description.clone())
                .collect()
        })
        .unwrap_or_default()
}

async fn refused_fields(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> Vec<String> {
    bad_fields(&submit_refused(client, request).await)
}

/// (code, field) of each flag, in the order given.
fn flags(result: &pb::MonitoringResult) -> Vec<(&str, &str)> {
    result
        .flags
        .iter()
        .map(|f| (f.code.as_str(), f.field.as_str()))
        .collect()
}

fn flag_codes(result: &pb::MonitoringResult) -> Vec<&str> {
    result.flags.iter().map(|f| f.code.as_str()).collect()
}

fn flag<'r>(result: &'r pb::MonitoringResult, code: &str) -> &'r pb::Warning {
    result
        .flags
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} flag in {:?}", result.flags))
}

/// [name, unit, plan, actual, variance, variance %] of one plan-vs-actual row.
fn row(figure: &pb::PlanVsActual) -> [&str; 6] {
    [
        figure.name.as_str(),
        figure.unit.as_str(),
        value(&figure.plan),
        value(&figure.actual),
        value(&figure.variance),
        value(&figure.variance_pct),
    ]
}

/// [metric, period target, actual, met, step] of a KPI result.
fn kpi_row(k: &pb::KpiResult) -> (i32, &str, &str, bool, i32) {
    (
        k.metric,
        value(&k.period_target),
        value(&k.actual),
        k.met,
        k.rate_step_bps,
    )
}

async fn verify(client: &mut Client, record_id: &str) -> pb::VerifyAssessmentResponse {
    client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: record_id.to_owned(),
        })
        .await
        .unwrap_or_else(|e| panic!("verify {record_id}: {e:?}"))
        .into_inner()
}

/// Every one of the four checks ran and passed.
async fn assert_verifies(client: &mut Client, record_id: &str) {
    let verification = verify(client, record_id).await;
    let names: Vec<&str> = verification
        .checks
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["chain_link", "digest", "recomputation", "signature"],
        "{record_id}: {:?}",
        verification.checks
    );
    for check in &verification.checks {
        assert!(
            check.passed,
            "{record_id}: check {} failed: {}",
            check.name, check.detail
        );
    }
    assert!(verification.verified, "{record_id}");
}

async fn get_record(client: &mut Client, record_id: &str) -> pb::StoredRecord {
    client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: record_id.to_owned(),
        })
        .await
        .unwrap_or_else(|e| panic!("get {record_id}: {e:?}"))
        .into_inner()
}

async fn stored_report_count(client: &mut Client) -> usize {
    client
        .list_assessments(pb::ListAssessmentsRequest {
            kind: pb::RecordKind::MonitoringReport as i32,
            page_size: 200,
            ..Default::default()
        })
        .await
        .expect("list the reports")
        .into_inner()
        .records
        .len()
}

// ---------------------------------------------------------------------------------------------
// 1. The third quarter of 2025, worked by hand
// ---------------------------------------------------------------------------------------------

/// Q3 2025 (2025-07-01 to 2025-09-30, 92 days, both ends included), worked by hand.
///
/// Plan pro-rated by calendar days / 365 (operating days do not enter):
///   manure  32,850 x 92 / 365 = 8,280 t          actual 8,000: -280,  -280 / 8,280 = -3.3816 %
///   product 10,950 x 92 / 365 = 2,760 t          actual 2,600: -160,  -160 / 2,760 = -5.7971 %
///
/// Emission reduction (the plan's method on the period's 8,000 t at the plan's 0.25 dry
/// matter; layers, low-productivity B0 0.24, warm temperate moist, solid storage MCF 0.04 ->
/// in-vessel 0.005, VS 0.715 and N 0.0163 of dry matter, AR6; see tests/seed_case.rs):
///   plan per year 973.823253975 t CO2e, x 92 / 365 = 245.456820180 -> "245.457"
///   dCH4    = 8,000 x 0.25 x 0.715 x 0.24 x 0.67 x 0.035 = 8.04804 t,  x 27  = 217.29708
///   dN2O-N  = 8,000 x 0.25 x 0.0163 x (0.004 - 0.014 x 0.20 + 0.011 x 0.02 = 0.00142)
///           = 0.046292 t,  x 44/28 x 273 (= x 429) = 19.859268
///   achieved = 217.29708 + 19.859268 = 237.156348 -> "237.156" (no energy, so baseline -
///   project = manure management; the total equals it, as no fertilizer substitution is on)
///   variance shown = 237.156 - 245.457 = -8.301 (the difference of the shown figures; exact
///   -8.300472), variance % = 8,000 / 8,280 - 1 = -3.3816 % (the reduction is linear in the
///   manure at a fixed dry-matter fraction, so the same % as the manure row)
///
/// Cash flow on the INCREMENTAL basis: product sold x realised margin + manure x the baseline
/// cost per t it no longer costs + subsidies (none) - costs (not reported, so the plan's cost
/// lines on the period's tonnages: the seed has none, 0 CNY):
///   2,500 x 250 + 8,000 x 40 = 625,000 + 320,000 = 945,000.00
///   plan (10,950 x 260 + 32,850 x 40 = 4,161,000 a year) x 92 / 365 = 1,048,800.00
///   variance -103,800.00, -103,800 / 1,048,800 = -9.8970 %
///
/// Debt service: the instalments due 2025-07-21, 2025-08-21 and 2025-09-21 fall in the period:
///   3 x 111,263.80 = 333,791.40; realised DSCR = 945,000 / 333,791.40 = 2.83110949 -> 2.8311
///
/// KPIs, target x 92 / 365:
///   manure   30,000 x 92 / 365 = 7,561.643836 -> "7561.644"; 8,000 >= it: met, -10 bps
///   emission    900 x 92 / 365 =   226.849315 -> "226.849"; 237.156348 >= it: met, -5 bps
///   next-period rate = 3.45 + (-10 - 5) / 100 = 3.30 % (shown exactly: "3.3")
///
/// Flags: the dry-matter fraction and the operating costs were not reported, so
/// DRY_MATTER_FRACTION_FROM_PLAN and OPERATING_COSTS_FROM_PLAN. Nothing else: 8,000 / 90 =
/// 88.89 t a day is under the 90 t capacity; 88.89 x 0.25 = 22.22 t of dry matter makes at most
/// 22.22 / 0.7 = 31.75 t of product a day at 30 % moisture, above the 2,600 / 90 = 28.89 made;
/// 90 operating days of 92 is under the plan's 365 of 365; no previous report; the plan has no
/// energy lines; the reduction is positive.
#[tokio::test]
async fn a_quarter_against_the_seed_plan_matches_the_hand_computation() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan = stored_plan(&mut client).await;
    let plan_id = record_id(&plan.record);

    let response = submit(&mut client, q3_report(&plan_id)).await;
    let result = response.result.as_ref().expect("a result");

    assert_eq!(result.assessment_record_id, plan_id);
    assert_eq!(result.period_start, "2025-07-01");
    assert_eq!(result.period_end, "2025-09-30");
    assert_eq!(result.period_days, 92);
    assert_eq!(result.methodology_version, plan.methodology_version);
    assert_eq!(result.factor_set, plan.factor_set);
    assert_eq!(result.factor_set, "ipcc2019-cn/2026.1");

    let rows: Vec<[&str; 6]> = result.figures.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            [
                "manure treated",
                "t fresh manure",
                "8280.000",
                "8000.000",
                "-280.000",
                "-3.3816"
            ],
            [
                "product made",
                "t product",
                "2760.000",
                "2600.000",
                "-160.000",
                "-5.7971"
            ],
            [
                "emission reduction",
                "t CO2e",
                "245.457",
                "237.156",
                "-8.301",
                "-3.3816"
            ],
            [
                "cash flow",
                "CNY",
                "1048800.00",
                "945000.00",
                "-103800.00",
                "-9.8970"
            ],
        ]
    );

    // The achieved reduction's bounds are the plan's per-year bounds scaled by 8,000 / 32,850
    // (every factor enters once, linearly in the manure): equal to within the rounding of
    // the two shown figures (0.0005 + 0.0005 x 8,000 / 32,850).
    let reduction = result
        .achieved_emission_reduction_tco2e
        .as_ref()
        .expect("the plan has a carbon block");
    assert_eq!(value(&reduction.central), "237.156");
    let plan_carbon = plan.carbon.as_ref().expect("the seed has carbon");
    let plan_bounds = plan_carbon
        .reduction
        .as_ref()
        .unwrap()
        .emission_reduction_tco2e_per_year
        .as_ref()
        .unwrap();
    assert_eq!(value(&plan_bounds.central), "973.823");
    let scale = Decimal::from(8000) / Decimal::from(32850);
    for (achieved, planned) in [
        (&reduction.low, &plan_bounds.low),
        (&reduction.central, &plan_bounds.central),
        (&reduction.high, &plan_bounds.high),
    ] {
        let expected = parsed(planned) * scale;
        assert!(
            (parsed(achieved) - expected).abs() <= Decimal::new(1, 3),
            "achieved {} vs plan {} x 8000/32850 = {expected}",
            value(achieved),
            value(planned)
        );
    }
    assert!(parsed(&reduction.low) < parsed(&reduction.central));
    assert!(parsed(&reduction.central) < parsed(&reduction.high));
    // No fertilizer substitution: the total is the emission reduction.
    let total = result.achieved_total_tco2e.as_ref().expect("a total");
    assert_eq!(value(&total.central), "237.156");

    assert_eq!(value(&result.realised_cash_flow_cny), "945000.00");
    assert_eq!(value(&result.debt_service_due_cny), "333791.40");
    assert_eq!(value(&result.realised_dscr), "2.8311");

    let kpis: Vec<_> = result.kpis.iter().map(kpi_row).collect();
    assert_eq!(
        kpis,
        [
            (
                pb::KpiMetric::ManureTreatedT as i32,
                "7561.644",
                "8000.000",
                true,
                -10
            ),
            (
                pb::KpiMetric::EmissionReductionTco2e as i32,
                "226.849",
                "237.156",
                true,
                -5
            ),
        ]
    );
    assert_eq!(result.kpis[0].name, "manure treated");
    assert_eq!(result.kpis[1].name, "emission reduction");
    assert_eq!(value(&result.base_annual_rate_pct), "3.45");
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.3");
    // Not given, so the default 0.5 is used and echoed.
    assert_eq!(value(&result.jump_tolerance_fraction), "0.5");

    assert_eq!(
        flags(result),
        [
            (
                "DRY_MATTER_FRACTION_FROM_PLAN",
                "actual.manure_dry_matter_fraction"
            ),
            ("OPERATING_COSTS_FROM_PLAN", "actual.operating_costs"),
        ]
    );
    assert!(
        flag(result, "DRY_MATTER_FRACTION_FROM_PLAN")
            .message
            .contains("0.25")
    );
    assert!(
        flag(result, "OPERATING_COSTS_FROM_PLAN")
            .message
            .contains("0 cost line(s)")
    );
}

/// A KPI missed, a reported cost and a measured dry-matter fraction, against the same plan:
/// the same quarter with 7,000 t of manure at 0.24 dry matter and 50,000 CNY of costs.
///
///   manure 7,000 < 7,561.644: missed, +10 bps
///   reduction = 217.29708 x (7,000 x 0.24) / (8,000 x 0.25) + 19.859268 x the same
///             = 237.156348 x 0.84 = 199.21133232 -> "199.211" < 226.849: missed, 0 bps
///   next rate = 3.45 + 0.10 = 3.55
///   cash flow = 2,500 x 250 + 7,000 x 40 - 50,000 = 625,000 + 280,000 - 50,000 = 855,000.00
///   DSCR = 855,000 / 333,791.40 = 2.56148... -> 2.5615
///   flags: dry matter and costs are reported, so neither plan-value flag; 7,000 / 90 = 77.78 t
///   a day x 0.24 = 18.67 t of dry matter makes at most 18.67 / 0.7 = 26.67 t of product a day,
///   less than the 2,600 / 90 = 28.89 made: MASS_BALANCE_DOES_NOT_CLOSE, and nothing else.
#[tokio::test]
async fn a_missed_kpi_raises_the_rate_and_reported_figures_replace_the_plans() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let mut actual = operations(90, "7000", "2600", "2500", "250");
    actual.manure_dry_matter_fraction = dec("0.24");
    actual.operating_costs = cny("50000");
    let response = submit(
        &mut client,
        dry(report(&plan_id, "2025-07-01", "2025-09-30", actual)),
    )
    .await;
    assert!(response.record.is_none(), "a dry run is not stored");
    let result = response.result.unwrap();
    let kpis: Vec<_> = result.kpis.iter().map(kpi_row).collect();
    assert_eq!(
        kpis,
        [
            (
                pb::KpiMetric::ManureTreatedT as i32,
                "7561.644",
                "7000.000",
                false,
                10
            ),
            (
                pb::KpiMetric::EmissionReductionTco2e as i32,
                "226.849",
                "199.211",
                false,
                0
            ),
        ]
    );
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.55");
    assert_eq!(value(&result.realised_cash_flow_cny), "855000.00");
    assert_eq!(value(&result.realised_dscr), "2.5615");
    assert_eq!(
        flags(&result),
        [("MASS_BALANCE_DOES_NOT_CLOSE", "actual.product_made_t")]
    );
}

/// A whole leap year before the first instalment: 366 days are allowed (held to 366/365 of a
/// plan year) and, with nothing due, the DSCR is absent.
#[tokio::test]
async fn a_366_day_period_before_the_loan_has_no_debt_service_and_no_dscr() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let request = dry(report(
        &plan_id,
        "2024-01-01",
        "2024-12-31",
        measured(operations(366, "32940", "10980", "10980", "260")),
    ));
    let result = submit(&mut client, request).await.result.unwrap();
    assert_eq!(result.period_days, 366);
    // 32,850 x 366 / 365 = 32,940; 10,950 x 366 / 365 = 10,980; 4,161,000 x 366 / 365 =
    // 4,172,400, and the actual cash flow 10,980 x 260 + 32,940 x 40 is the same.
    let rows: Vec<[&str; 6]> = result.figures.iter().map(row).collect();
    assert_eq!(
        rows[0],
        [
            "manure treated",
            "t fresh manure",
            "32940.000",
            "32940.000",
            "0.000",
            "0.0000"
        ]
    );
    assert_eq!(rows[1][2..], ["10980.000", "10980.000", "0.000", "0.0000"]);
    assert_eq!(rows[3][2..], ["4172400.00", "4172400.00", "0.00", "0.0000"]);
    assert_eq!(value(&result.debt_service_due_cny), "0.00");
    assert!(result.realised_dscr.is_none());
    // 30,000 x 366 / 365 = 30,082.191781 -> met.
    assert_eq!(value(&result.kpis[0].period_target), "30082.192");
    assert!(result.kpis[0].met);
    assert_eq!(flag_codes(&result), Vec::<&str>::new());
}

/// The next rate is never below 0: two KPIs met at -1,000 bps each take 3.45 % to
/// 3.45 - 20 = -16.55 %, held at 0 and flagged. A plan of 300 operating days a year makes 90
/// operating days of 92 a higher share than planned (90 x 365 = 32,850 > 300 x 92 = 27,600).
#[tokio::test]
async fn a_rate_below_zero_is_clamped_and_a_higher_operating_share_is_flagged() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut request = seed_with_kpis();
    for k in &mut request.kpis {
        k.rate_step_bps_if_met = -1000;
    }
    request.operations.as_mut().unwrap().operating_days_per_year = 300;
    let plan_id = record_id(&assess(&mut client, request).await.record);
    let result = submit(
        &mut client,
        dry(report(
            &plan_id,
            "2025-07-01",
            "2025-09-30",
            measured(operations(90, "8000", "2600", "2500", "250")),
        )),
    )
    .await
    .result
    .unwrap();
    // 90 x 300 = 27,000 t a year, x 92 / 365 = 6,805.479452 -> "6805.479".
    assert_eq!(row(&result.figures[0])[2], "6805.479");
    assert!(
        result
            .kpis
            .iter()
            .all(|k| k.met && k.rate_step_bps == -1000)
    );
    assert_eq!(value(&result.base_annual_rate_pct), "3.45");
    assert_eq!(value(&result.next_period_annual_rate_pct), "0");
    assert_eq!(
        flags(&result),
        [
            ("OPERATING_DAYS_ABOVE_PLAN_RATE", "actual.operating_days"),
            ("NEXT_RATE_CLAMPED_AT_ZERO", ""),
        ]
    );
    assert!(
        flag(&result, "NEXT_RATE_CLAMPED_AT_ZERO")
            .message
            .contains("-16.55%")
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The report is a record
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_report_is_stored_chained_after_its_plan_and_verifies() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan = stored_plan(&mut client).await;
    let plan_seal = plan.record.clone().unwrap();

    // A dry run answers in full but stores nothing.
    let dry_response = submit(&mut client, dry(q3_report(&plan_seal.record_id))).await;
    assert!(dry_response.record.is_none());
    assert_eq!(stored_report_count(&mut client).await, 0);

    let request = q3_report(&plan_seal.record_id);
    let response = submit(&mut client, request.clone()).await;
    // The dry run's answer is the stored one's.
    assert_eq!(dry_response.result, response.result);
    let seal = response.record.clone().expect("the report is stored");
    assert_eq!(seal.kind, pb::RecordKind::MonitoringReport as i32);
    assert_eq!(seal.subject_record_id, plan_seal.record_id);
    assert_eq!(seal.tenant, plan_seal.tenant);
    assert_eq!(seal.sequence, plan_seal.sequence + 1);
    assert_eq!(seal.previous_digest_sha256, plan_seal.digest_sha256);
    assert_eq!(seal.factor_set, plan_seal.factor_set);
    assert_eq!(seal.methodology_version, plan_seal.methodology_version);
    // Lists filter a report under its plan's borrower and project.
    assert_eq!(
        (&seal.borrower_id, &seal.project_id),
        (&plan_seal.borrower_id, &plan_seal.project_id)
    );
    assert!(!seal.borrower_id.is_empty() && !seal.project_id.is_empty());
    assert!(seal.created_unix_micros >= plan_seal.created_unix_micros);
    assert!(seal.record_id.starts_with("rec_") && seal.record_id.len() == 36);
    assert_ne!(seal.record_id, plan_seal.record_id);
    assert_eq!(stored_report_count(&mut client).await, 1);

    let stored = get_record(&mut client, &seal.record_id).await;
    assert_eq!(stored.seal.as_ref(), Some(&seal));
    let Some(pb::stored_record::Content::MonitoringReport(content)) = stored.content else {
        panic!("a monitoring report's content, got {:?}", stored.content);
    };
    assert_eq!(content.request.as_ref(), Some(&request));
    assert_eq!(content.result, response.result);

    assert_verifies(&mut client, &seal.record_id).await;
    assert_verifies(&mut client, &plan_seal.record_id).await;

    // A dry run after the stored report stores nothing either, and the chain is unchanged.
    submit(&mut client, dry(q3_report(&plan_seal.record_id))).await;
    assert_eq!(stored_report_count(&mut client).await, 1);
    assert_verifies(&mut client, &seal.record_id).await;
}

// ---------------------------------------------------------------------------------------------
// 3. Flags against the report before
// ---------------------------------------------------------------------------------------------

/// Q3 stored; then, as dry runs against it (8,000 t / 90 days = 88.89 t of manure and 2,600 /
/// 90 = 28.89 t of product per operating day): an overlap, a doubling, intake above capacity,
/// product the dry matter cannot make; then October from the 5th stored with a gap, and both
/// reports verifying, each recomputed against its own previous report.
#[tokio::test]
async fn continuity_jumps_capacity_and_mass_balance_are_flagged_and_reports_verify() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let first = submit(&mut client, q3_report(&plan_id)).await;
    let first_id = record_id(&first.record);

    // Overlap: 2025-09-15..2025-10-15 shares 09-15..09-30 (16 days) with Q3. Same tonnes per
    // operating day (2,400 / 27 = 88.89, 780 / 27 = 28.89), so no jump.
    let overlap = dry(report(
        &plan_id,
        "2025-09-15",
        "2025-10-15",
        measured(operations(27, "2400", "780", "780", "250")),
    ));
    let result = submit(&mut client, overlap).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("OVERLAPS_PREVIOUS_REPORT", "period_start")]
    );
    assert!(
        flag(&result, "OVERLAPS_PREVIOUS_REPORT")
            .message
            .contains("shares 16 day(s)")
    );

    // Doubling: October, 30 operating days, 30 x 2 x 88.89 = 5,333.333333 t (177.78 t a day,
    // a change of 88.89 > 0.5 x 88.89), product per day unchanged (30 x 28.89 = 866.666667).
    // 177.78 t a day is also above the 90 t capacity.
    let doubled = || {
        dry(report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "5333.333333", "866.666667", "866", "250")),
        ))
    };
    let result = submit(&mut client, doubled()).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [
            ("ABOVE_CAPACITY", "actual.manure_fresh_t"),
            ("IMPLAUSIBLE_JUMP", "actual.manure_fresh_t"),
        ]
    );
    assert!(
        flag(&result, "IMPLAUSIBLE_JUMP")
            .message
            .contains("from 88.89 t in the previous report to 177.78 t")
    );
    // A tolerance of 2 (the change may be up to twice the previous figure): no jump.
    let mut tolerant = doubled();
    tolerant.jump_tolerance_fraction = dec("2");
    let result = submit(&mut client, tolerant).await.result.unwrap();
    assert_eq!(value(&result.jump_tolerance_fraction), "2");
    assert_eq!(
        flags(&result),
        [("ABOVE_CAPACITY", "actual.manure_fresh_t")]
    );

    // Above capacity without a jump: 2,730 t over 30 days = 91 t a day > 90.
    let above = dry(report(
        &plan_id,
        "2025-10-01",
        "2025-10-31",
        measured(operations(30, "2730", "860", "860", "250")),
    ));
    let result = submit(&mut client, above).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("ABOVE_CAPACITY", "actual.manure_fresh_t")]
    );
    assert!(
        flag(&result, "ABOVE_CAPACITY")
            .message
            .contains("91 t a day")
    );

    // Mass balance: 2,640 t over 30 days = 88 t a day x 0.25 = 22 t of dry matter, at most
    // 22 / 0.7 = 31.43 t of product a day, against 1,500 / 30 = 50 t made. With the default
    // tolerance the product per day (28.89 -> 50) is also a jump; with 2 it is not.
    let short = |tolerance: Option<&str>| {
        let mut request = dry(report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "2640", "1500", "800", "250")),
        ));
        request.jump_tolerance_fraction = tolerance.and_then(dec);
        request
    };
    let result = submit(&mut client, short(None)).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [
            ("MASS_BALANCE_DOES_NOT_CLOSE", "actual.product_made_t"),
            ("IMPLAUSIBLE_JUMP", "actual.product_made_t"),
        ]
    );
    let result = submit(&mut client, short(Some("2"))).await.result.unwrap();
    assert_eq!(
        flags(&result),
        [("MASS_BALANCE_DOES_NOT_CLOSE", "actual.product_made_t")]
    );
    assert!(
        flag(&result, "MASS_BALANCE_DOES_NOT_CLOSE")
            .message
            .contains("at most 31.43 t of product")
    );

    // None of the dry runs was stored: the second stored report sees Q3 as its previous one.
    //
    // 2025-10-05..2025-10-31, 27 days; 10-01..10-04 (4 days) are in no report. 27 operating
    // days, 2,400 t (88.89 a day, as before), 780 t made, 800 sold at 255, 10,000 CNY of costs.
    //   plan: 32,850 x 27 / 365 = 2,430; 10,950 x 27 / 365 = 810;
    //         973.823253975 x 27 / 365 = 72.036240705; 4,161,000 x 27 / 365 = 307,800
    //   achieved reduction = 237.156348 x 2,400 / 8,000 = 71.1469044 -> "71.147";
    //         variance 71.147 - 72.036 = -0.889, % = 2,400 / 2,430 - 1 = -1.2346 %
    //   cash flow = 800 x 255 + 2,400 x 40 - 10,000 = 204,000 + 96,000 - 10,000 = 290,000;
    //         variance -17,800, -17,800 / 307,800 = -5.7830 %
    //   due: 2025-10-21, 111,263.80; DSCR = 290,000 / 111,263.80 = 2.606418 -> 2.6064
    //   KPIs: 30,000 x 27 / 365 = 2,219.178 <= 2,400 met -10; 900 x 27 / 365 = 66.575 <=
    //         71.147 met -5; next rate 3.3
    let mut october = operations(27, "2400", "780", "800", "255");
    october.manure_dry_matter_fraction = dec("0.25");
    october.operating_costs = cny("10000");
    let second = submit(
        &mut client,
        report(&plan_id, "2025-10-05", "2025-10-31", october),
    )
    .await;
    let result = second.result.as_ref().unwrap();
    assert_eq!(result.period_days, 27);
    assert_eq!(
        flags(result),
        [("GAP_SINCE_PREVIOUS_REPORT", "period_start")]
    );
    assert!(
        flag(result, "GAP_SINCE_PREVIOUS_REPORT")
            .message
            .contains("4 day(s)")
    );
    let rows: Vec<[&str; 6]> = result.figures.iter().map(row).collect();
    assert_eq!(
        rows.iter().map(|r| r[2..].to_vec()).collect::<Vec<_>>(),
        [
            ["2430.000", "2400.000", "-30.000", "-1.2346"],
            ["810.000", "780.000", "-30.000", "-3.7037"],
            ["72.036", "71.147", "-0.889", "-1.2346"],
            ["307800.00", "290000.00", "-17800.00", "-5.7830"],
        ]
    );
    assert_eq!(value(&result.realised_cash_flow_cny), "290000.00");
    assert_eq!(value(&result.debt_service_due_cny), "111263.80");
    assert_eq!(value(&result.realised_dscr), "2.6064");
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.3");
    let second_seal = second.record.clone().unwrap();
    assert_eq!(second_seal.subject_record_id, plan_id);
    assert_eq!(
        second_seal.sequence,
        first.record.as_ref().unwrap().sequence + 1
    );

    // Each recomputes against the report before it: Q3 with none (so still only the two
    // plan-value flags), October with Q3 (so the gap again).
    assert_verifies(&mut client, &first_id).await;
    assert_verifies(&mut client, &second_seal.record_id).await;
    assert_verifies(&mut client, &plan_id).await;
}

/// Reports are expected in order: one that ends before the previous one begins is flagged.
#[tokio::test]
async fn a_report_before_the_previous_one_is_flagged() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    submit(&mut client, q3_report(&plan_id)).await;
    let june = dry(report(
        &plan_id,
        "2025-06-01",
        "2025-06-30",
        measured(operations(27, "2400", "780", "780", "250")),
    ));
    let result = submit(&mut client, june).await.result.unwrap();
    assert_eq!(flags(&result), [("PRECEDES_PREVIOUS_REPORT", "period_end")]);
    // Nothing due in June 2025.
    assert!(result.realised_dscr.is_none());
}

// ---------------------------------------------------------------------------------------------
// 4. Bad input
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_reports_are_refused_with_their_field_paths() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);
    let base = || q3_report(&plan_id);
    let with_actual = |change: &dyn Fn(&mut pb::ActualOperations)| {
        let mut request = q3_report(&plan_id);
        change(request.actual.as_mut().unwrap());
        request
    };

    let mut request = base();
    request.period_end = "2025-06-30".to_owned();
    assert_eq!(refused_fields(&mut client, request).await, ["period_end"]);

    // 2024-01-01..2025-01-01 is 367 days (2024 is a leap year).
    let mut request = base();
    request.period_start = "2024-01-01".to_owned();
    request.period_end = "2025-01-01".to_owned();
    let status = submit_refused(&mut client, request).await;
    assert_eq!(bad_fields(&status), ["period_end"]);
    assert!(
        descriptions(&status)[0].contains("at most 366 days")
            && descriptions(&status)[0].contains("got 367"),
        "{:?}",
        descriptions(&status)
    );

    let mut request = base();
    request.period_start = "2025-7-01".to_owned();
    request.period_end = "2025-02-30".to_owned();
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["period_end", "period_start"]
    );
    let mut request = base();
    request.period_start = String::new();
    assert_eq!(refused_fields(&mut client, request).await, ["period_start"]);

    for days in [0, 93] {
        let request = with_actual(&|a| a.operating_days = days);
        assert_eq!(
            refused_fields(&mut client, request).await,
            ["actual.operating_days"],
            "operating days {days}"
        );
    }
    // 92 (every day of the period) is allowed.
    submit(&mut client, dry(with_actual(&|a| a.operating_days = 92))).await;

    for manure in ["-1", "0", "abc", "1.0000001", ""] {
        let request = with_actual(&|a| a.manure_fresh_t = dec(manure));
        assert_eq!(
            refused_fields(&mut client, request).await,
            ["actual.manure_fresh_t"],
            "manure {manure:?}"
        );
    }
    let request = with_actual(&|a| a.manure_fresh_t = None);
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.manure_fresh_t"]
    );

    let request = with_actual(&|a| a.realised_value_per_t_product = money("USD", "250"));
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.realised_value_per_t_product.currency_code"]
    );

    let mut request = base();
    request.actual = None;
    assert_eq!(refused_fields(&mut client, request).await, ["actual"]);

    let request = with_actual(&|a| {
        a.energy = vec![pb::EnergyUse {
            name: "aeration fans".to_owned(),
            r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
                kwh_per_year: dec("12000"),
                region: 999,
                factor_year: 0,
            })),
        }]
    });
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["actual.energy[0].electricity.region"]
    );

    let mut request = base();
    request.jump_tolerance_fraction = dec("10.5");
    assert_eq!(
        refused_fields(&mut client, request).await,
        ["jump_tolerance_fraction"]
    );

    // Every violation at once.
    let mut request = with_actual(&|a| {
        a.operating_days = 0;
        a.manure_fresh_t = dec("-5");
        a.product_sold_t = None;
        a.operating_costs = cny("-1");
    });
    request.period_end = "2025-06-30".to_owned();
    assert_eq!(
        refused_fields(&mut client, request).await,
        [
            "actual.manure_fresh_t",
            "actual.operating_costs.amount",
            "actual.operating_days",
            "actual.product_sold_t",
            "period_end",
        ]
    );

    // Nothing refused was stored.
    assert_eq!(stored_report_count(&mut client).await, 0);
}

#[tokio::test]
async fn the_assessment_id_must_name_a_stored_assessment() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let plan_id = record_id(&stored_plan(&mut client).await.record);

    let unknown = format!("rec_{}", "0".repeat(32));
    let status = submit_refused(&mut client, q3_report(&unknown)).await;
    assert_eq!(status.code(), Code::NotFound, "{unknown:?}: {status:?}");
    let status = submit_refused(&mut client, q3_report("")).await;
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(violated_fields(&status), ["assessment_record_id"]);

    let report_id = record_id(&submit(&mut client, q3_report(&plan_id)).await.record);
    assert_eq!(
        refused_fields(&mut client, q3_report(&report_id)).await,
        ["assessment_record_id"]
    );
}

#[tokio::test]
async fn bad_kpis_are_refused_on_assess_with_their_field_paths() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let refused = |status: Result<tonic::Response<pb::AssessResponse>, tonic::Status>| match status
    {
        Ok(response) => panic!("expected an error, got {:?}", response.into_inner()),
        Err(status) => bad_fields(&status),
    };

    let mut request = seed_with_kpis();
    request.kpis[0].metric = pb::KpiMetric::Unspecified as i32;
    assert_eq!(refused(client.assess(request).await), ["kpis[0].metric"]);

    let mut request = seed_with_kpis();
    request.kpis[0].annual_target = dec("0");
    assert_eq!(
        refused(client.assess(request).await),
        ["kpis[0].annual_target"]
    );

    let mut request = seed_with_kpis();
    request.kpis[1].rate_step_bps_if_met = 2000;
    request.kpis[1].rate_step_bps_if_missed = -1001;
    assert_eq!(
        refused(client.assess(request).await),
        [
            "kpis[1].rate_step_bps_if_met",
            "kpis[1].rate_step_bps_if_missed"
        ]
    );

    // The emission KPI (kpis[1]) cannot be measured without the carbon block.
    let mut request = seed_with_kpis();
    request.carbon = None;
    assert_eq!(refused(client.assess(request).await), ["kpis[1].metric"]);

    let mut request = seed_with_kpis();
    request.kpis[0].metric = 42;
    request.kpis[0].name = String::new();
    request.kpis[1].annual_target = None;
    assert_eq!(
        refused(client.assess(request).await),
        ["kpis[0].metric", "kpis[0].name", "kpis[1].annual_target"]
    );

    // The limits themselves are allowed: +-1,000 bps, a target of 0.000001.
    let mut request = seed_with_kpis();
    request.dry_run = true;
    request.kpis[0].rate_step_bps_if_met = -1000;
    request.kpis[0].rate_step_bps_if_missed = 1000;
    request.kpis[1].annual_target = dec("0.000001");
    let response = assess(&mut client, request).await;
    assert!(response.record.is_none());
}

// ---------------------------------------------------------------------------------------------
// Energy: period totals, in place of the plan's lines
// ---------------------------------------------------------------------------------------------

fn sichuan_electricity(kwh: &str, factor_year: u32) -> pb::EnergyUse {
    pb::EnergyUse {
        name: "aeration fans".to_owned(),
        r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
            kwh_per_year: dec(kwh),
            region: pb::GridRegion::CnSichuan as i32,
            factor_year,
        })),
    }
}

/// The plan with 120,000 kWh a year of Sichuan grid electricity (2022 factor 0.1404 t CO2 per
/// MWh): 120 x 0.1404 = 16.848 t a year off the reduction, 973.823253975 - 16.848 =
/// 956.975253975, x 92 / 365 = 241.210201002 -> "241.210" for Q3.
///
/// Q3 reporting 30,000 kWh (a period total, not a year's): 30 x 0.1404 = 4.212 t, achieved
/// 237.156348 - 4.212 = 232.944348 -> "232.944"; variance 232.944 - 241.210 = -8.266,
/// -3.4268 %. Q3 reporting no energy: the plan's line is not assumed, the reduction is the
/// manure's 237.156 and ENERGY_NOT_REPORTED says so.
#[tokio::test]
async fn reported_energy_is_a_period_total_and_missing_energy_is_flagged() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut plan_request = seed_with_kpis();
    plan_request.carbon.as_mut().unwrap().project_energy =
        vec![sichuan_electricity("120000", 2022)];
    let plan_id = record_id(&assess(&mut client, plan_request).await.record);

    let mut with_energy = measured(operations(90, "8000", "2600", "2500", "250"));
    with_energy.energy = vec![sichuan_electricity("30000", 2022)];
    let result = submit(
        &mut client,
        dry(report(&plan_id, "2025-07-01", "2025-09-30", with_energy)),
    )
    .await
    .result
    .unwrap();
    assert_eq!(
        row(&result.figures[2]),
        [
            "emission reduction",
            "t CO2e",
            "241.210",
            "232.944",
            "-8.266",
            "-3.4268"
        ]
    );
    assert_eq!(kpi_row(&result.kpis[1]).2, "232.944");
    assert!(result.kpis[1].met);
    assert_eq!(flag_codes(&result), Vec::<&str>::new());

    let result = submit(
        &mut client,
        dry(report(
            &plan_id,
            "2025-07-01",
            "2025-09-30",
            measured(operations(90, "8000", "2600", "2500", "250")),
        )),
    )
    .await
    .result
    .unwrap();
    assert_eq!(row(&result.figures[2])[2..4], ["241.210", "237.156"]);
    assert_eq!(flags(&result), [("ENERGY_NOT_REPORTED", "actual.energy")]);

    // A grid year the plan's factor set lacks, and energy against a plan without carbon.
    let mut bad_year = measured(operations(90, "8000", "2600", "2500", "250"));
    bad_year.energy = vec![
        sichuan_electricity("30000", 2022),
        sichuan_electricity("1", 1999),
    ];
    assert_eq!(
        refused_fields(
            &mut client,
            report(&plan_id, "2025-07-01", "2025-09-30", bad_year)
        )
        .await,
        ["actual.energy[1].electricity.factor_year"]
    );
    let mut no_carbon = seed_request();
    no_carbon.carbon = None;
    let no_carbon_id = record_id(&assess(&mut client, no_carbon).await.record);
    let mut energy = measured(operations(90, "8000", "2600", "2500", "250"));
    energy.energy = vec![sichuan_electricity("30000", 2022)];
    assert_eq!(
        refused_fields(
            &mut client,
            report(&no_carbon_id, "2025-07-01", "2025-09-30", energy)
        )
        .await,
        ["actual.energy"]
    );
    // Without a carbon block there is no reduction row and no achieved reduction.
    let result = submit(
        &mut client,
        dry(report(
            &no_carbon_id,
            "2025-07-01",
            "2025-09-30",
            measured(operations(90, "8000", "2600", "2500", "250")),
        )),
    )
    .await
    .result
    .unwrap();
    let names: Vec<&str> = result.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["manure treated", "product made", "cash flow"]);
    assert!(result.achieved_emission_reduction_tco2e.is_none());
    assert!(result.achieved_total_tco2e.is_none());
    assert!(result.kpis.is_empty());
    assert_eq!(value(&result.next_period_annual_rate_pct), "3.45");
}

// ---------------------------------------------------------------------------------------------
// Concurrent reports on one plan
// ---------------------------------------------------------------------------------------------

const CONCURRENT_REPORTS: usize = 8;
const CONCURRENT_ROUNDS: usize = 6;

/// Eight reports for October on one plan, submitted at once (each on its own connection) after
/// Q3, in six rounds on six plans, on every record store. Whatever order they are stored in,
/// each stored result must be the one its recomputation gives: the previous report is the one
/// stored just before it, so every October report after the first must carry
/// OVERLAPS_PREVIOUS_REPORT (and the first must not), and every record must verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reports_on_one_plan_each_verify() {
    for backend in backends() {
        eprintln!("-- on {}", backend.name());
        // A tenant of its own: the PostgreSQL database is shared by every test and run.
        let bank = principal("reporting-bank", "bank");
        let parts = record_parts(&backend, tokens_auth(&[&bank]), &random_seed());
        let server = TestServer::start_with_parts(parts).await;
        concurrent_reports(&server, &bank).await;
        if let Backend::Sqlite { dir } = &backend {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn concurrent_reports(server: &TestServer, bank: &Principal) {
    let mut client = server.client().await;
    let mut clients = Vec::new();
    for _ in 0..CONCURRENT_REPORTS {
        clients.push(server.client().await);
    }
    let mut expected = vec![true; CONCURRENT_REPORTS];
    expected[0] = false;
    let mut problems = Vec::new();
    for round in 0..CONCURRENT_ROUNDS {
        let plan = client
            .assess(bearer(&bank.token, seed_with_kpis()))
            .await
            .unwrap_or_else(|e| panic!("assess: {e:?}"))
            .into_inner();
        let plan_id = record_id(&plan.record);
        client
            .submit_monitoring_report(bearer(&bank.token, q3_report(&plan_id)))
            .await
            .unwrap_or_else(|e| panic!("submit Q3: {e:?}"));
        let october = report(
            &plan_id,
            "2025-10-01",
            "2025-10-31",
            measured(operations(30, "2640", "860", "860", "250")),
        );
        let mut tasks = tokio::task::JoinSet::new();
        for client in &clients {
            let mut client = client.clone();
            let request = bearer(&bank.token, october.clone());
            tasks.spawn(async move {
                client
                    .submit_monitoring_report(request)
                    .await
                    .unwrap_or_else(|e| panic!("submit October: {e:?}"))
                    .into_inner()
            });
        }
        let mut stored = Vec::new();
        while let Some(response) = tasks.join_next().await {
            stored.push(response.expect("the task does not panic"));
        }
        stored.sort_by_key(|r| r.record.as_ref().unwrap().sequence);
        let overlaps: Vec<bool> = stored
            .iter()
            .map(|r| flag_codes(r.result.as_ref().unwrap()).contains(&"OVERLAPS_PREVIOUS_REPORT"))
            .collect();
        let mut unverified = Vec::new();
        for response in &stored {
            let seal = response.record.as_ref().unwrap();
            let verification = client
                .verify_assessment(bearer(
                    &bank.token,
                    pb::VerifyAssessmentRequest {
                        record_id: seal.record_id.clone(),
                    },
                ))
                .await
                .unwrap_or_else(|e| panic!("verify {}: {e:?}", seal.record_id))
                .into_inner();
            if let Some(check) = verification.checks.iter().find(|c| !c.passed) {
                unverified.push(format!(
                    "sequence {}: {}: {}",
                    seal.sequence, check.name, check.detail
                ));
            }
            assert_eq!(verification.checks.len(), 4, "{verification:?}");
        }
        if overlaps != expected || !unverified.is_empty() {
            problems.push(format!(
                "round {round}: stored overlap flags by sequence {overlaps:?}; {unverified:#?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
