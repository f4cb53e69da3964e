//! Report figures worked by hand against the seed plan: the third quarter of 2025, a missed KPI
//! with reported figures in place of the plan's, a 366-day period before the loan, and a rate
//! clamped below zero.

use green_impact::pb;
use rust_decimal::Decimal;

use crate::common::{TestServer, cny, dec, value};
use crate::support::{
    assess, dry, flag, flag_codes, flags, kpi_row, measured, operations, parsed, q3_report,
    record_id, report, row, seed_with_kpis, stored_plan, submit,
};

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
