use std::sync::Arc;

use super::*;
use crate::domain::assessment::{Appraisal, RateSource, assess};
use crate::domain::carbon::EnergyKind;
use crate::domain::carbon::ManureInput;
use crate::domain::carbon::factor_id::{ClimateZone, GwpSet, ManureSystem, Productivity, Species};
use crate::domain::carbon::factor_set::FactorSet;
use crate::domain::economics::{NamedAmount, OperatingCost, seed_operations};
use crate::domain::loan::{LoanTerms, RepaymentFrequency, RepaymentMethod};
use crate::domain::lpr::LprTable;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn period(start: &str, end: &str) -> Period {
    Period {
        start: date(start),
        end: date(end),
    }
}

/// The seed case of the README: 90 t/day, 10,950 t of product a year at a 260 CNY/t margin,
/// 40 CNY/t baseline cost, 3.8 M CNY over 36 months at 3.45 %, incremental basis.
fn seed_plan() -> AssessmentInput {
    AssessmentInput {
        loan: LoanTerms {
            principal_cny: dec("3800000"),
            annual_rate_pct: dec("3.45"),
            term_months: 36,
            method: RepaymentMethod::EqualInstalment,
            frequency: RepaymentFrequency::Monthly,
            first_payment_date: date("2025-07-21"),
            grace_months: 0,
        },
        rate_source: RateSource::Fixed,
        operations: seed_operations(),
        appraisal: Appraisal {
            total_project_investment_cny: dec("3800000"),
            capex: vec![NamedAmount {
                name: "plant".into(),
                cny: dec("3800000"),
            }],
            capex_subsidies: vec![],
            discount_rate_pct: dec("3.45"),
            project_life_years: 10,
            cash_flow_basis: CashFlowBasis::Incremental,
            dscr_hurdle: Some(dec("1.25")),
        },
        amendments: vec![],
        composting_dry_matter_loss_fraction: None,
        factor_set: Arc::new(FactorSet::built_in()),
        carbon: None,
        kpis: vec![],
        insurer: None,
        eligibility: None,
    }
}

fn with_carbon(mut plan: AssessmentInput, energy: Vec<EnergyUse>) -> AssessmentInput {
    plan.carbon = Some(CarbonInput {
        factor_set: plan.factor_set.clone(),
        gwp_set: GwpSet::Ar6,
        manure: Some(ManureInput {
            species: Species::Layers,
            productivity: Productivity::Low,
            productivity_reason: "Tier 1 default for Asia".into(),
            climate_zone: ClimateZone::WarmTemperateMoist,
            baseline_system: ManureSystem::SolidStorage,
            project_system: ManureSystem::CompostingInVessel,
            volatile_solids_fraction_of_dry_matter: None,
            nitrogen: None,
        }),
        fertilizer: None,
        energy,
        overrides: vec![],
    });
    plan
}

fn diesel(tonnes: &str) -> EnergyUse {
    EnergyUse {
        name: "loader".into(),
        kind: EnergyKind::DieselTonnes(dec(tonnes)),
    }
}

fn kpi(metric: KpiMetric, annual_target: &str, if_met: i32, if_missed: i32) -> Kpi {
    Kpi {
        name: format!("{metric:?}"),
        metric,
        annual_target: dec(annual_target),
        rate_step_bps_if_met: if_met,
        rate_step_bps_if_missed: if_missed,
    }
}

/// The third quarter of 2025: 92 days, 90 of them operating, a little under the plan.
fn third_quarter() -> ActualPeriod {
    ActualPeriod {
        period: period("2025-07-01", "2025-09-30"),
        operating_days: 90,
        manure_fresh_t: dec("7800"),
        manure_dry_matter_fraction: None,
        product_made_t: dec("2700"),
        product_sold_t: dec("2500"),
        realised_value_cny_per_t_product: dec("250"),
        energy: vec![],
        operating_costs_cny: None,
        jump_tolerance_fraction: DEFAULT_JUMP_TOLERANCE_FRACTION,
    }
}

/// The second quarter, at exactly the plan's 90 t and 30 t a day.
fn second_quarter() -> PreviousReport {
    PreviousReport {
        period: period("2025-04-01", "2025-06-30"),
        operating_days: 91,
        manure_fresh_t: dec("8190"),
        product_made_t: dec("2730"),
    }
}

fn run(
    plan: &AssessmentInput,
    actual: &ActualPeriod,
    previous: Option<&PreviousReport>,
) -> MonitoringOutcome {
    let planned = assess(plan, &LprTable::embedded()).unwrap();
    monitor(plan, &planned, actual, previous).unwrap()
}

fn codes(outcome: &MonitoringOutcome) -> Vec<&'static str> {
    outcome.flags.iter().map(|f| f.code).collect()
}

fn flag<'o>(outcome: &'o MonitoringOutcome, code: &str) -> &'o Warning {
    outcome
        .flags
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(outcome)))
}

#[test]
fn hand_worked_third_quarter_of_the_seed_case() {
    let mut plan = seed_plan();
    plan.kpis = vec![
        kpi(KpiMetric::ManureTreatedT, "30000", -10, 0),
        kpi(KpiMetric::ProductMadeT, "11000", -5, 5),
    ];
    let outcome = run(&plan, &third_quarter(), Some(&second_quarter()));

    assert_eq!(outcome.period_days, 92);
    let rows: Vec<(Figure, Decimal, Decimal, Decimal)> = outcome
        .figures
        .iter()
        .map(|f| (f.figure, f.plan, f.actual, f.variance))
        .collect();
    // 32,850 t x 92 / 365 = 90 t x 92; 10,950 t x 92 / 365 = 30 t x 92; 4,161,000 x 92 / 365.
    // Realised: 2,500 t sold x 250 + 7,800 t x 40 avoided, no cost lines in the plan.
    assert_eq!(
        rows,
        [
            (Figure::ManureTreated, dec("8280"), dec("7800"), dec("-480")),
            (Figure::ProductMade, dec("2760"), dec("2700"), dec("-60")),
            (
                Figure::CashFlow,
                dec("1048800"),
                dec("937000"),
                dec("-111800")
            ),
        ]
    );
    let pct: Vec<Decimal> = outcome
        .figures
        .iter()
        .map(|f| f.variance_pct.unwrap().round_dp(6))
        .collect();
    assert_eq!(pct, [dec("-5.797101"), dec("-2.173913"), dec("-10.659802")]);
    assert!(outcome.achieved_carbon.is_none());

    assert_eq!(outcome.realised_cash_flow_cny, dec("937000"));
    // Instalments due 2025-07-21, 08-21 and 09-21, 111,263.80 each.
    assert_eq!(outcome.debt_service_due_cny, dec("333791.40"));
    assert_eq!(outcome.realised_dscr.unwrap().round_dp(6), dec("2.807142"));

    // 7,800 >= 30,000 x 92 / 365 = 7,561.64: met, -10 bps; 2,700 < 11,000 x 92 / 365 =
    // 2,772.60: missed, +5 bps. 3.45 % - 0.05 = 3.40 %.
    let kpis: Vec<(bool, i32)> = outcome
        .kpis
        .iter()
        .map(|k| (k.met, k.rate_step_bps))
        .collect();
    assert_eq!(kpis, [(true, -10), (false, 5)]);
    assert_eq!(
        outcome.kpis[0].period_target.round_dp(6),
        dec("7561.643836")
    );
    assert_eq!(outcome.kpis[1].actual, dec("2700"));
    assert_eq!(outcome.base_annual_rate_pct, dec("3.45"));
    assert_eq!(outcome.next_period_annual_rate_pct, dec("3.40"));

    // 86.67 t a day of the plan's 90, 30 t of product a day as before, contiguous with the
    // second quarter, and 21.67 t of dry matter a day can make 30.95 t of product.
    assert_eq!(
        codes(&outcome),
        ["DRY_MATTER_FRACTION_FROM_PLAN", "OPERATING_COSTS_FROM_PLAN"]
    );
    assert_eq!(outcome.manure_dry_matter_fraction, dec("0.25"));
    assert_eq!(
        outcome.period_totals.manure_dry_matter_t_per_year,
        dec("1950")
    );
}

#[test]
fn project_only_basis_uses_plan_cost_lines_on_actual_tonnages_unless_costs_are_reported() {
    let mut plan = seed_plan();
    plan.appraisal.cash_flow_basis = CashFlowBasis::ProjectOnly;
    plan.operations.operating_costs = vec![
        OperatingCost {
            name: "labour".into(),
            basis: CostBasis::PerYear,
            cny: dec("36500"),
        },
        OperatingCost {
            name: "power".into(),
            basis: CostBasis::PerTonneFreshManure,
            cny: dec("2"),
        },
        OperatingCost {
            name: "bags".into(),
            basis: CostBasis::PerTonneProduct,
            cny: dec("5"),
        },
    ];
    plan.operations.annual_operating_subsidies = vec![NamedAmount {
        name: "operating grant".into(),
        cny: dec("3650"),
    }];
    let mut actual = third_quarter();
    let outcome = run(&plan, &actual, None);
    // 625,000 income + 3,650 x 92/365 - (36,500 x 92/365 + 2 x 7,800 + 5 x 2,700 made).
    assert_eq!(
        outcome.period_totals.operating_costs_cny_per_year,
        [dec("9200"), dec("15600"), dec("13500")]
    );
    assert_eq!(outcome.realised_cash_flow_cny, dec("587620"));
    assert!(
        flag(&outcome, "OPERATING_COSTS_FROM_PLAN")
            .message
            .contains("38300")
    );

    actual.operating_costs_cny = Some(dec("30000"));
    let outcome = run(&plan, &actual, None);
    assert_eq!(outcome.realised_cash_flow_cny, dec("595920"));
    assert!(!codes(&outcome).contains(&"OPERATING_COSTS_FROM_PLAN"));
}

#[test]
fn a_period_with_no_instalment_due_has_no_dscr() {
    let mut actual = third_quarter();
    actual.period = period("2025-07-01", "2025-07-20");
    actual.operating_days = 20;
    actual.manure_fresh_t = dec("1800");
    actual.product_made_t = dec("600");
    let outcome = run(&seed_plan(), &actual, None);
    assert_eq!(outcome.debt_service_due_cny, Decimal::ZERO);
    assert_eq!(outcome.realised_dscr, None);

    // Both ends count: a period ending on a due date owes that instalment.
    actual.period = period("2025-07-01", "2025-07-21");
    let outcome = run(&seed_plan(), &actual, None);
    assert_eq!(outcome.debt_service_due_cny, dec("111263.80"));
}

#[test]
fn a_plan_year_at_plan_quantities_achieves_the_planned_reduction() {
    let mut plan = with_carbon(seed_plan(), vec![]);
    let planned = assess(&plan, &LprTable::embedded()).unwrap();
    let plan_reduction = planned.carbon.as_ref().unwrap().0.emission_reduction_tco2e;
    plan.kpis = vec![kpi(
        KpiMetric::EmissionReductionTco2e,
        &plan_reduction.central.to_string(),
        -10,
        10,
    )];
    let actual = ActualPeriod {
        period: period("2025-01-01", "2025-12-31"),
        operating_days: 365,
        manure_fresh_t: dec("32850"),
        product_made_t: dec("10950"),
        product_sold_t: dec("10950"),
        realised_value_cny_per_t_product: dec("260"),
        ..third_quarter()
    };
    let outcome = monitor(&plan, &planned, &actual, None).unwrap();
    let achieved = outcome.achieved_carbon.as_ref().unwrap();
    assert_eq!(achieved.emission_reduction_tco2e, plan_reduction);
    let row = &outcome.figures[2];
    assert_eq!(row.figure, Figure::EmissionReduction);
    assert_eq!(row.plan, plan_reduction.central);
    assert_eq!(row.variance, Decimal::ZERO);
    assert_eq!(outcome.figures[3].variance, Decimal::ZERO);
    // Exactly on target is met.
    assert!(outcome.kpis[0].met);
    assert_eq!(outcome.next_period_annual_rate_pct, dec("3.35"));

    // The manure-management reduction is linear in the manure: half the manure, half of it.
    let half = ActualPeriod {
        manure_fresh_t: dec("16425"),
        ..actual
    };
    let outcome = monitor(&plan, &planned, &half, None).unwrap();
    let achieved = outcome
        .achieved_carbon
        .unwrap()
        .emission_reduction_tco2e
        .central;
    assert_eq!(
        achieved.round_dp(20),
        (plan_reduction.central / Decimal::TWO).round_dp(20)
    );
    assert!(!outcome.kpis[0].met);
    assert_eq!(outcome.next_period_annual_rate_pct, dec("3.55"));
}

#[test]
fn the_period_energy_replaces_the_plan_energy() {
    let plan = with_carbon(seed_plan(), vec![diesel("10")]);
    let mut actual = third_quarter();
    actual.energy = vec![diesel("2")];
    let outcome = run(&plan, &actual, None);
    let achieved = outcome.achieved_carbon.as_ref().unwrap();
    assert!(achieved.project_energy_tco2e.central > Decimal::ZERO);
    assert_eq!(
        achieved.emission_reduction_tco2e,
        achieved.manure_management_tco2e - achieved.project_energy_tco2e
    );
    assert!(!codes(&outcome).contains(&"ENERGY_NOT_REPORTED"));
    let with_two_tonnes = achieved.project_energy_tco2e.central;

    actual.energy = vec![diesel("4")];
    let outcome = run(&plan, &actual, None);
    let doubled = outcome
        .achieved_carbon
        .unwrap()
        .project_energy_tco2e
        .central;
    assert_eq!(doubled, with_two_tonnes * Decimal::TWO);

    actual.energy = vec![];
    let outcome = run(&plan, &actual, None);
    assert_eq!(
        outcome
            .achieved_carbon
            .as_ref()
            .unwrap()
            .project_energy_tco2e,
        carbon::bounds::Bounds::ZERO
    );
    assert!(codes(&outcome).contains(&"ENERGY_NOT_REPORTED"));
}

#[test]
fn a_measured_dry_matter_fraction_replaces_the_plans() {
    let plan = with_carbon(seed_plan(), vec![]);
    let mut actual = third_quarter();
    let at_plan = run(&plan, &actual, None);
    actual.manure_dry_matter_fraction = Some(dec("0.3"));
    let measured = run(&plan, &actual, None);
    assert_eq!(measured.manure_dry_matter_fraction, dec("0.3"));
    assert_eq!(
        measured.period_totals.manure_dry_matter_t_per_year,
        dec("2340")
    );
    assert!(!codes(&measured).contains(&"DRY_MATTER_FRACTION_FROM_PLAN"));
    let reduction = |o: &MonitoringOutcome| {
        o.achieved_carbon
            .as_ref()
            .unwrap()
            .emission_reduction_tco2e
            .central
    };
    assert!(reduction(&measured) > reduction(&at_plan));
}

#[test]
fn continuity_with_the_previous_report() {
    let plan = seed_plan();
    let actual = third_quarter();
    let previous_ending = |start: &str, end: &str| PreviousReport {
        period: period(start, end),
        ..second_quarter()
    };

    let gap = run(
        &plan,
        &actual,
        Some(&previous_ending("2025-04-01", "2025-06-20")),
    );
    let message = &flag(&gap, "GAP_SINCE_PREVIOUS_REPORT").message;
    assert!(message.contains("10 day(s)"), "{message}");

    let overlap = run(
        &plan,
        &actual,
        Some(&previous_ending("2025-04-01", "2025-07-10")),
    );
    let message = &flag(&overlap, "OVERLAPS_PREVIOUS_REPORT").message;
    assert!(message.contains("10 day(s)"), "{message}");
    assert!(!codes(&overlap).contains(&"GAP_SINCE_PREVIOUS_REPORT"));

    let later = run(
        &plan,
        &actual,
        Some(&previous_ending("2025-10-01", "2025-12-31")),
    );
    assert!(codes(&later).contains(&"PRECEDES_PREVIOUS_REPORT"));

    let contiguous = run(&plan, &actual, Some(&second_quarter()));
    for code in [
        "GAP_SINCE_PREVIOUS_REPORT",
        "OVERLAPS_PREVIOUS_REPORT",
        "PRECEDES_PREVIOUS_REPORT",
    ] {
        assert!(!codes(&contiguous).contains(&code));
    }
}

#[test]
fn jumps_are_per_operating_day_against_the_tolerance() {
    let plan = seed_plan();
    let mut actual = third_quarter();
    // 45 t a day before, 86.67 now: a change of 41.67 t, more than 0.5 x 45.
    let half_rate = PreviousReport {
        manure_fresh_t: dec("4095"),
        ..second_quarter()
    };
    let outcome = run(&plan, &actual, Some(&half_rate));
    let jump = flag(&outcome, "IMPLAUSIBLE_JUMP");
    assert_eq!(jump.field, "actual.manure_fresh_t");
    assert!(jump.message.contains("from 45 t"), "{}", jump.message);
    assert_eq!(codes(&outcome).len(), 3);

    // Within a tolerance of 1, the same change passes.
    actual.jump_tolerance_fraction = Decimal::ONE;
    let outcome = run(&plan, &actual, Some(&half_rate));
    assert!(!codes(&outcome).contains(&"IMPLAUSIBLE_JUMP"));

    // From no product to some is a jump at any tolerance.
    let no_product = PreviousReport {
        product_made_t: Decimal::ZERO,
        ..second_quarter()
    };
    let outcome = run(&plan, &actual, Some(&no_product));
    assert_eq!(
        flag(&outcome, "IMPLAUSIBLE_JUMP").field,
        "actual.product_made_t"
    );
}

#[test]
fn intake_above_the_plant_output_beyond_the_manure_and_days_above_plan_are_flagged() {
    let mut plan = seed_plan();
    plan.operations.operating_days_per_year = 300;
    let mut actual = third_quarter();
    actual.manure_fresh_t = dec("9000");
    actual.product_made_t = dec("4000");
    let outcome = run(&plan, &actual, None);
    // 100 t a day against the plan's 90.
    assert_eq!(
        flag(&outcome, "ABOVE_CAPACITY").field,
        "actual.manure_fresh_t"
    );
    // 25 t of dry matter a day makes at most 35.71 t of product at 30 % moisture, not 44.44.
    let message = &flag(&outcome, "MASS_BALANCE_DOES_NOT_CLOSE").message;
    assert!(message.contains("35.71 t of product"), "{message}");
    assert!(message.contains("44.44 t reported"), "{message}");
    // 90 of 92 days against the plan's 300 of 365.
    assert!(codes(&outcome).contains(&"OPERATING_DAYS_ABOVE_PLAN_RATE"));
}

#[test]
fn the_next_rate_is_never_below_zero() {
    let mut plan = seed_plan();
    plan.kpis = vec![kpi(KpiMetric::ManureTreatedT, "1", -1000, 0)];
    let outcome = run(&plan, &third_quarter(), None);
    assert_eq!(outcome.next_period_annual_rate_pct, Decimal::ZERO);
    let message = &flag(&outcome, "NEXT_RATE_CLAMPED_AT_ZERO").message;
    assert!(message.contains("-6.55%"), "{message}");
}

#[test]
fn inputs_the_adapter_refuses_are_errors_not_panics() {
    let plan = with_carbon(seed_plan(), vec![]);
    let planned = assess(&plan, &LprTable::embedded()).unwrap();
    let no_days = ActualPeriod {
        operating_days: 0,
        ..third_quarter()
    };
    assert!(matches!(
        monitor(&plan, &planned, &no_days, None),
        Err(AssessError::Compute(_))
    ));
    let emission_kpi = AssessmentInput {
        kpis: vec![kpi(KpiMetric::EmissionReductionTco2e, "1", 0, 0)],
        ..seed_plan()
    };
    let planned = assess(&emission_kpi, &LprTable::embedded()).unwrap();
    assert!(matches!(
        monitor(&emission_kpi, &planned, &third_quarter(), None),
        Err(AssessError::Compute(_))
    ));
}

#[test]
fn periods_count_both_days_and_pro_rate_by_365() {
    assert_eq!(period("2025-07-01", "2025-09-30").days(), 92);
    assert_eq!(period("2025-07-01", "2025-07-01").days(), 1);
    assert_eq!(period("2024-01-01", "2024-12-31").days(), 366);
    assert_eq!(period("2025-07-02", "2025-07-01").days(), 0);
    assert_eq!(
        period("2024-01-01", "2024-12-31").pro_rated(dec("365")),
        dec("366")
    );
}

/// A plan whose cash flow nets to 1e-12 CNY a year (1000.000000000001 of income and avoided
/// cost against a 1000.00 fixed cost) and a one-day period that realises 3.66e13: the variance
/// as a percentage of a plan of 2.7e-15 would be about 1.3e30, beyond the decimal range. It is
/// absent, as for a plan of 0 (which is what any presentation shows for such a plan), rather
/// than a panic; every other figure is there.
#[test]
fn a_variance_percentage_beyond_the_decimal_range_is_absent() {
    let mut plan = seed_plan();
    let ops = &mut plan.operations;
    ops.manure_fresh_t_per_day = dec("1");
    ops.operating_days_per_year = 1;
    ops.baseline_treatment_cost_cny_per_t_fresh_manure = dec("1000");
    ops.product_t = dec("0.000001");
    ops.fertilizer_value_cny_per_t_product = dec("0.000001");
    ops.operating_costs = vec![OperatingCost {
        name: "fixed".into(),
        basis: CostBasis::PerYear,
        cny: dec("1000.00"),
    }];
    let planned = assess(&plan, &LprTable::embedded()).unwrap();
    assert_eq!(planned.annual_cash_flow_cny, dec("0.000000000001"));
    let actual = ActualPeriod {
        period: period("2025-07-21", "2025-07-21"),
        operating_days: 1,
        manure_fresh_t: dec("1"),
        manure_dry_matter_fraction: None,
        product_made_t: dec("1"),
        product_sold_t: dec("36600000"),
        realised_value_cny_per_t_product: dec("1000000"),
        energy: vec![],
        operating_costs_cny: None,
        jump_tolerance_fraction: DEFAULT_JUMP_TOLERANCE_FRACTION,
    };
    let outcome = monitor(&plan, &planned, &actual, None).unwrap();
    let cash_flow = outcome
        .figures
        .iter()
        .find(|f| f.figure == Figure::CashFlow)
        .unwrap();
    assert!(cash_flow.plan > Decimal::ZERO && cash_flow.plan < dec("0.000000000000003"));
    assert_eq!(cash_flow.variance, cash_flow.actual - cash_flow.plan);
    assert_eq!(cash_flow.variance_pct, None);
    let manure = &outcome.figures[0];
    assert_eq!(manure.figure, Figure::ManureTreated);
    assert!(manure.variance_pct.is_some());
}
