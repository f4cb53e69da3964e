//! The largest and smallest magnitudes validation accepts, alone and mixed, through the real
//! `ImpactApi::assess`: never a panic; either an answer whose presented parts sum to its
//! presented totals, or a clear refusal (INVALID_ARGUMENT naming a field, or OUT_OF_RANGE
//! naming the figure that leaves the decimal range). Every module is switched on, every list
//! may be as long as the limits allow, and factor overrides are pushed to their maximum.

mod common;

use common::{API, assert_parts_sum, cny, dec};
use green_impact::pb;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Mostly an end of the range (the smallest positive value, the largest, zero where legal),
/// sometimes any value in between at the field's precision.
fn magnitude(ends: &'static [&'static str], max_units: i64, dp: u32) -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(ends).prop_map(str::to_owned),
        1 => (1..=max_units).prop_map(move |units| Decimal::new(units, dp).to_string()),
    ]
    .boxed()
}

fn money_amount() -> BoxedStrategy<String> {
    magnitude(&["0", "0.01", "100000000000"], 10_000_000_000_000, 2)
}

fn unit_amount() -> BoxedStrategy<String> {
    magnitude(&["0", "0.000001", "1000000"], 1_000_000_000_000, 6)
}

fn cost_line() -> BoxedStrategy<pb::OperatingCost> {
    (0..3u8, money_amount(), unit_amount())
        .prop_map(|(basis, money, unit)| {
            use pb::operating_cost::Amount;
            let amount = match basis {
                0 => Amount::PerYear(cny(&money).unwrap()),
                1 => Amount::PerTFreshManure(cny(&unit).unwrap()),
                _ => Amount::PerTProduct(cny(&unit).unwrap()),
            };
            pb::OperatingCost {
                name: format!("cost {basis}"),
                amount: Some(amount),
            }
        })
        .boxed()
}

fn named(amount: String) -> pb::NamedMoney {
    pb::NamedMoney {
        name: "line".into(),
        amount: cny(&amount),
    }
}

/// Up to the line-item limit, but usually short, so that a case stays quick in debug builds.
fn lines<T: std::fmt::Debug>(
    item: impl Strategy<Value = T> + Clone,
    min: usize,
) -> impl Strategy<Value = Vec<T>> {
    prop_oneof![
        3 => prop::collection::vec(item.clone(), min..=3),
        1 => prop::collection::vec(item, 64..=64),
    ]
}

#[derive(Debug, Clone)]
struct Loan {
    principal: String,
    rate_pct: String,
    method: i32,
    frequency: i32,
    term_months: u32,
    grace_months: u32,
}

fn loan() -> impl Strategy<Value = Loan> {
    (
        magnitude(&["0.01", "100000000000"], 10_000_000_000_000, 2),
        magnitude(&["0", "0.000001", "100"], 100_000_000, 6),
        1i32..=3,
        1i32..=4,
        prop::sample::select(&[0u8, 1, 2][..]),
        any::<prop::sample::Index>(),
        prop::sample::select(&[0u8, 1, 2][..]),
        any::<prop::sample::Index>(),
    )
        .prop_map(
            |(principal, rate_pct, method, frequency, term, term_i, grace, grace_i)| {
                let months_per_period = [1, 3, 6, 12][(frequency - 1) as usize];
                let max_periods = 600 / months_per_period;
                let periods = match term {
                    0 => 1,
                    1 => max_periods,
                    _ => 1 + term_i.index(max_periods as usize) as u32,
                };
                let grace_periods = match grace {
                    0 => 0,
                    1 => periods - 1,
                    _ => grace_i.index(periods as usize) as u32,
                };
                Loan {
                    principal,
                    rate_pct,
                    method,
                    frequency,
                    term_months: periods * months_per_period,
                    grace_months: grace_periods * months_per_period,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct Operations {
    manure_t_per_day: String,
    days: u32,
    dry_matter: String,
    product_per_day: bool,
    product_t: String,
    baseline_cost: String,
    price: bool,
    value: String,
    costs: Vec<pb::OperatingCost>,
    subsidies: Vec<String>,
}

fn operations() -> impl Strategy<Value = Operations> {
    (
        magnitude(&["0.000001", "100000"], 100_000_000_000, 6),
        prop_oneof![Just(1u32), Just(366u32), 1u32..=366],
        magnitude(&["0.000001", "1"], 1_000_000, 6),
        any::<bool>(),
        magnitude(&["0.000001", "100000"], 100_000_000_000, 6),
        unit_amount(),
        any::<bool>(),
        magnitude(
            &["-1000000", "-0.000001", "0", "0.000001", "1000000"],
            1_000_000_000_000,
            6,
        ),
        lines(cost_line(), 0),
        lines(money_amount(), 0),
    )
        .prop_map(
            |(
                manure_t_per_day,
                days,
                dry_matter,
                product_per_day,
                product_t,
                baseline_cost,
                price,
                value,
                costs,
                subsidies,
            )| {
                // A price is never negative; the per-year output goes up to 36,600,000 t.
                let value = if price {
                    value.trim_start_matches('-').to_owned()
                } else {
                    value
                };
                let product_t = if !product_per_day && product_t == "100000" {
                    "36600000".to_owned()
                } else {
                    product_t
                };
                Operations {
                    manure_t_per_day,
                    days,
                    dry_matter,
                    product_per_day,
                    product_t,
                    baseline_cost,
                    price,
                    value,
                    costs,
                    subsidies,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct Appraisal {
    total_investment: String,
    capex: Vec<String>,
    capex_subsidies: Vec<String>,
    discount_pct: String,
    life_years: u32,
    incremental: bool,
    hurdle: Option<&'static str>,
}

fn appraisal() -> impl Strategy<Value = Appraisal> {
    (
        magnitude(&["0.01", "1000000000000"], 100_000_000_000_000, 2),
        lines(money_amount(), 1),
        lines(money_amount(), 0),
        magnitude(&["0", "0.000001", "100"], 100_000_000, 6),
        prop_oneof![Just(1u32), Just(30u32), 1u32..=30],
        any::<bool>(),
        prop::option::of(prop::sample::select(&["0.0001", "1.25", "10"][..])),
    )
        .prop_map(
            |(
                total_investment,
                capex,
                capex_subsidies,
                discount_pct,
                life_years,
                incremental,
                hurdle,
            )| Appraisal {
                total_investment,
                capex,
                capex_subsidies,
                discount_pct,
                life_years,
                incremental,
                hurdle,
            },
        )
}

/// The carbon modules at their largest: every energy kind at its maximum, fertilizer
/// substitution of pure nitrogen, and overrides of the ranged-free factors to 1,000,000.
#[derive(Debug, Clone)]
struct Carbon {
    fertilizer: bool,
    energy: bool,
    overrides: bool,
    /// Measured volatile solids and nitrogen (of fresh manure): at their largest (true) or
    /// smallest (false); None: the set's defaults.
    measured_largest: Option<bool>,
}

fn carbon() -> impl Strategy<Value = Option<Carbon>> {
    prop::option::weighted(
        0.8,
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(fertilizer, energy, overrides, measured_largest)| Carbon {
                fertilizer,
                energy,
                overrides,
                measured_largest,
            }),
    )
}

fn carbon_input(c: &Carbon) -> pb::CarbonInput {
    let energy = |name: &str, kind: pb::energy_use::Use| pb::EnergyUse {
        name: name.into(),
        r#use: Some(kind),
    };
    let overrides = [
        "b0.layers.low",
        "fertilizer_production_tce.n",
        "grid.sichuan.2022",
        "diesel.net_calorific_value",
        "diesel.carbon_content",
    ]
    .map(|id| pb::FactorOverride {
        factor_id: id.into(),
        value: dec("1000000"),
        reason: "the largest value validation accepts".into(),
    });
    pb::CarbonInput {
        factor_set: String::new(),
        gwp_set: pb::GwpSet::Ar6 as i32,
        manure_management: Some(pb::ManureManagementInput {
            species: pb::Species::Layers as i32,
            productivity: pb::Productivity::Low as i32,
            productivity_reason: "Tier 1 default".into(),
            climate_zone: pb::ClimateZone::WarmTemperateMoist as i32,
            baseline_system: pb::ManureSystem::SolidStorage as i32,
            project_system: pb::ManureSystem::CompostingInVessel as i32,
            volatile_solids_fraction_of_dry_matter: c
                .measured_largest
                .and_then(|largest| dec(if largest { "1" } else { "0.000001" })),
            nitrogen: c.measured_largest.map(|largest| {
                pb::manure_management_input::Nitrogen::NitrogenFractionOfFreshManure(
                    dec(if largest { "0.2" } else { "0.000001" }).unwrap(),
                )
            }),
        }),
        fertilizer_substitution: c.fertilizer.then(|| pb::FertilizerSubstitutionInput {
            product_nitrogen_fraction: dec("1"),
            product_p2o5_fraction: dec("0"),
            product_k2o_fraction: dec("0"),
            substitution_ratio: dec("1"),
            substitution_ratio_basis: "the largest ratio".into(),
        }),
        project_energy: if c.energy {
            vec![
                energy(
                    "grid",
                    pb::energy_use::Use::Electricity(pb::ElectricityUse {
                        kwh_per_year: dec("10000000000"),
                        region: pb::GridRegion::CnSichuan as i32,
                        factor_year: 2022,
                    }),
                ),
                energy(
                    "diesel t",
                    pb::energy_use::Use::DieselTPerYear(dec("1000000").unwrap()),
                ),
                energy(
                    "diesel L",
                    pb::energy_use::Use::DieselLitres(pb::DieselLitres {
                        litres_per_year: dec("1000000000"),
                        density_kg_per_l: dec("1"),
                    }),
                ),
            ]
        } else {
            vec![]
        },
        factor_overrides: if c.overrides {
            overrides.into()
        } else {
            vec![]
        },
    }
}

fn request(
    loan: &Loan,
    ops: &Operations,
    appraisal: &Appraisal,
    carbon: &Option<Carbon>,
    widest_presentation: bool,
) -> pb::AssessRequest {
    use pb::operating_data::ProductOutput;
    let product = dec(&ops.product_t).unwrap();
    pb::AssessRequest {
        borrower_id: "b".into(),
        project_id: "p".into(),
        loan: Some(pb::LoanTerms {
            principal: cny(&loan.principal),
            rate: Some(pb::loan_terms::Rate::FixedAnnualRatePct(
                dec(&loan.rate_pct).unwrap(),
            )),
            term_months: loan.term_months,
            repayment_method: loan.method,
            repayment_frequency: loan.frequency,
            first_payment_date: "2026-01-31".into(),
            grace_months: loan.grace_months,
            disbursement_date: String::new(),
        }),
        operations: Some(pb::OperatingData {
            manure_fresh_t_per_day: dec(&ops.manure_t_per_day),
            operating_days_per_year: ops.days,
            manure_dry_matter_fraction: dec(&ops.dry_matter),
            product_output: Some(if ops.product_per_day {
                ProductOutput::ProductTPerDay(product)
            } else {
                ProductOutput::ProductTPerYear(product)
            }),
            baseline_treatment_cost_per_t_fresh_manure: cny(&ops.baseline_cost),
            fertilizer_value: Some(pb::FertilizerValue {
                kind: if ops.price {
                    pb::FertilizerValueKind::Price
                } else {
                    pb::FertilizerValueKind::UnitMargin
                } as i32,
                per_t_product: cny(&ops.value),
            }),
            operating_costs: ops.costs.clone(),
            annual_operating_subsidies: ops.subsidies.iter().cloned().map(named).collect(),
            ..Default::default()
        }),
        appraisal: Some(pb::ProjectAppraisal {
            total_project_investment: cny(&appraisal.total_investment),
            capex: appraisal.capex.iter().cloned().map(named).collect(),
            capex_subsidies: appraisal
                .capex_subsidies
                .iter()
                .cloned()
                .map(named)
                .collect(),
            discount_rate_pct: dec(&appraisal.discount_pct),
            project_life_years: appraisal.life_years,
            cash_flow_basis: if appraisal.incremental {
                pb::CashFlowBasis::Incremental
            } else {
                pb::CashFlowBasis::ProjectOnly
            } as i32,
            dscr_hurdle: appraisal.hurdle.and_then(dec),
        }),
        presentation: widest_presentation.then_some(pb::PresentationRules {
            money_dp: Some(green_impact::domain::presentation::MAX_MONEY_DP),
            ratio_dp: Some(green_impact::domain::presentation::MAX_RATIO_DP),
            rounding_rule: pb::RoundingRule::HalfEven as i32,
            emissions_dp: Some(green_impact::domain::presentation::MAX_EMISSIONS_DP),
        }),
        stated_assumptions: vec![],
        carbon: carbon.as_ref().map(carbon_input),
        kpis: vec![],
        dry_run: true,
        insurer_exposure: None,
        eligibility: Some(pb::EligibilityInput {
            rule_set: String::new(),
        }),
        // The schedule rows, so that they can be summed.
        view: pb::AssessmentView::Full as i32,
    }
}

/// A valid request, however extreme, is assessed, and its parts sum to their totals.
fn check_outcome(request: &pb::AssessRequest, outcome: Result<pb::AssessResponse, tonic::Status>) {
    match outcome {
        Ok(response) => assert_parts_sum(request, &response),
        Err(status) => panic!("a valid request refused: {status:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn extreme_legal_magnitudes_assess_or_fail_clearly(
        loan in loan(),
        ops in operations(),
        appraisal in appraisal(),
        carbon in carbon(),
        widest_presentation in any::<bool>(),
    ) {
        let request = request(&loan, &ops, &appraisal, &carbon, widest_presentation);
        check_outcome(&request, API.assess(&request));
    }
}

fn largest_loan() -> Loan {
    Loan {
        principal: "100000000000".into(),
        rate_pct: "100".into(),
        method: pb::RepaymentMethod::EqualInstalment as i32,
        frequency: pb::RepaymentFrequency::Monthly as i32,
        term_months: 600,
        grace_months: 0,
    }
}

fn largest_operations() -> Operations {
    use pb::operating_cost::Amount;
    Operations {
        manure_t_per_day: "100000".into(),
        days: 366,
        dry_matter: "1".into(),
        product_per_day: true,
        product_t: "100000".into(),
        baseline_cost: "1000000".into(),
        price: true,
        value: "1000000".into(),
        costs: (0..64)
            .map(|i| pb::OperatingCost {
                name: format!("cost {i}"),
                amount: Some(match i % 3 {
                    0 => Amount::PerYear(cny("100000000000").unwrap()),
                    1 => Amount::PerTFreshManure(cny("1000000").unwrap()),
                    _ => Amount::PerTProduct(cny("1000000").unwrap()),
                }),
            })
            .collect(),
        subsidies: vec!["100000000000".into(); 64],
    }
}

fn largest_appraisal() -> Appraisal {
    Appraisal {
        total_investment: "1000000000000".into(),
        capex: vec!["100000000000".into(); 64],
        capex_subsidies: vec!["100000000000".into(); 64],
        discount_pct: "100".into(),
        life_years: 30,
        incremental: true,
        hurdle: Some("10"),
    }
}

fn everything_on() -> Option<Carbon> {
    Some(Carbon {
        fertilizer: true,
        energy: true,
        overrides: true,
        measured_largest: Some(true),
    })
}

/// Every magnitude at its largest at once is an ordinary assessment: nothing here comes near
/// the decimal range.
#[test]
fn everything_at_its_largest_assesses() {
    let request = request(
        &largest_loan(),
        &largest_operations(),
        &largest_appraisal(),
        &everything_on(),
        true,
    );
    let response = API.assess(&request).expect("the largest request assesses");
    assert_parts_sum(&request, &response);
}

/// Every magnitude at its smallest positive value.
#[test]
fn everything_at_its_smallest_assesses() {
    let loan = Loan {
        principal: "0.01".into(),
        rate_pct: "0.000001".into(),
        method: pb::RepaymentMethod::EqualInstalment as i32,
        frequency: pb::RepaymentFrequency::Monthly as i32,
        term_months: 600,
        grace_months: 0,
    };
    let ops = Operations {
        manure_t_per_day: "0.000001".into(),
        days: 1,
        dry_matter: "0.000001".into(),
        product_per_day: false,
        product_t: "0.000001".into(),
        baseline_cost: "0.000001".into(),
        price: true,
        value: "0.000001".into(),
        costs: vec![],
        subsidies: vec![],
    };
    let appraisal = Appraisal {
        total_investment: "0.01".into(),
        capex: vec!["0.01".into()],
        capex_subsidies: vec![],
        discount_pct: "0.000001".into(),
        life_years: 1,
        incremental: false,
        hurdle: Some("0.0001"),
    };
    let carbon = Some(Carbon {
        fertilizer: true,
        energy: false,
        overrides: false,
        measured_largest: Some(false),
    });
    let request = request(&loan, &ops, &appraisal, &carbon, true);
    let response = API.assess(&request).expect("the smallest request assesses");
    assert_parts_sum(&request, &response);
}

/// Found by the audit: the break-even throughput divides by the part of the cash flow that
/// grows with throughput, here 1e-6 t of product a year at 0.000001 CNY/t = 1e-12 CNY, while
/// 100,000 t a day must cover a year's debt service of about 1.3e12: 1.3e29 t a day, beyond the
/// decimal range. It panicked ("Division overflowed"); now that break-even is absent, as when no
/// throughput raises the cash flow, and a warning says why.
#[test]
fn a_break_even_throughput_beyond_the_decimal_range_is_absent_with_a_warning() {
    let loan = Loan {
        term_months: 1,
        ..largest_loan()
    };
    let ops = Operations {
        product_per_day: false,
        product_t: "0.000001".into(),
        baseline_cost: "0".into(),
        value: "0.000001".into(),
        costs: vec![],
        subsidies: vec![],
        ..largest_operations()
    };
    let appraisal = Appraisal {
        incremental: false,
        capex_subsidies: vec![],
        ..largest_appraisal()
    };
    let tiny_margin = request(&loan, &ops, &appraisal, &None, false);
    let response = API.assess(&tiny_margin).expect("assessed");
    assert_parts_sum(&tiny_margin, &response);
    let break_even = response
        .debt_service_cover
        .as_ref()
        .and_then(|cover| cover.break_even.as_ref())
        .expect("break-even");
    assert_eq!(break_even.manure_fresh_t_per_day, None);
    assert!(break_even.fertilizer_value_cny_per_t_product.is_some());
    let warning = response
        .warnings
        .iter()
        .find(|w| w.code == "BREAK_EVEN_THROUGHPUT_OUT_OF_RANGE")
        .expect("the warning");
    assert_eq!(warning.field, "operations.fertilizer_value.per_t_product");
    assert!(
        warning.message.contains("about 7.9e28 t a day"),
        "{warning:?}"
    );
    // A throughput break-even within the range is still given.
    let ops = Operations {
        value: "1000000".into(),
        ..ops
    };
    let response = API
        .assess(&request(&loan, &ops, &appraisal, &None, false))
        .expect("assesses");
    let break_even = response
        .debt_service_cover
        .unwrap()
        .break_even
        .expect("break-even");
    assert!(break_even.manure_fresh_t_per_day.is_some());
    assert!(
        !response
            .warnings
            .iter()
            .any(|w| w.code == "BREAK_EVEN_THROUGHPUT_OUT_OF_RANGE")
    );
}
