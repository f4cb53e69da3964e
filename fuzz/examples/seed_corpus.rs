//! Writes the committed seed corpora: the example requests encoded, and variants that switch on
//! every module and push each magnitude to the largest (or smallest) value validation accepts,
//! so the fuzzer starts from requests that reach the arithmetic rather than the validator.
//!
//!     cd fuzz && cargo +nightly run --example seed_corpus
//!
//! Rewrites `corpus/assess/seed-*` and `corpus/monitoring_report/seed-*`, and the inputs of
//! `tests/fuzz_regressions/` that the audit of the arithmetic found (see `regressions`).

use std::path::Path;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::json::assess_request_from_json;
use green_impact::pb;
use green_impact_fuzz::evaluate_report;
use prost::Message;

fn dec(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

fn cny(amount: &str) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: "CNY".to_owned(),
        amount: dec(amount),
    })
}

fn example(name: &str) -> pb::AssessRequest {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read example");
    assess_request_from_json(&text).expect("example decodes")
}

fn cost(name: &str, amount: pb::operating_cost::Amount) -> pb::OperatingCost {
    pb::OperatingCost {
        name: name.to_owned(),
        amount: Some(amount),
    }
}

fn named(name: &str, amount: &str) -> pb::NamedMoney {
    pb::NamedMoney {
        name: name.to_owned(),
        amount: cny(amount),
    }
}

/// Every module on: cost lines of each basis, subsidies, amendments, fertilizer substitution,
/// energy of each kind, a factor override, KPIs, insurer and eligibility views.
fn everything() -> pb::AssessRequest {
    use pb::operating_cost::Amount;
    let mut r = example("leshan-yaqing-insurer.json");
    let ops = r.operations.as_mut().unwrap();
    ops.operating_costs = vec![
        cost("labour", Amount::PerYear(cny("120000").unwrap())),
        cost("power", Amount::PerTFreshManure(cny("3.5").unwrap())),
        cost("bags", Amount::PerTProduct(cny("12").unwrap())),
    ];
    ops.annual_operating_subsidies = vec![named("county grant", "50000")];
    ops.amendments = vec![pb::Amendment {
        name: "rice husk".to_owned(),
        fresh_t_per_day: dec("10"),
        dry_matter_fraction: dec("0.88"),
    }];
    ops.composting_dry_matter_loss_fraction = dec("0.3");
    let appraisal = r.appraisal.as_mut().unwrap();
    appraisal.capex_subsidies = vec![named("equipment subsidy", "300000")];
    let carbon = r.carbon.as_mut().unwrap();
    carbon.fertilizer_substitution = Some(pb::FertilizerSubstitutionInput {
        product_nitrogen_fraction: dec("0.02"),
        product_p2o5_fraction: dec("0.015"),
        product_k2o_fraction: dec("0.01"),
        substitution_ratio: dec("0.5"),
        substitution_ratio_basis: "field trial".to_owned(),
    });
    carbon.project_energy = vec![
        pb::EnergyUse {
            name: "plant".to_owned(),
            r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
                kwh_per_year: dec("200000"),
                region: pb::GridRegion::CnSichuan as i32,
                factor_year: 0,
            })),
        },
        pb::EnergyUse {
            name: "loader".to_owned(),
            r#use: Some(pb::energy_use::Use::DieselTPerYear(pb::Decimal {
                value: "5".to_owned(),
            })),
        },
        pb::EnergyUse {
            name: "truck".to_owned(),
            r#use: Some(pb::energy_use::Use::DieselLitres(pb::DieselLitres {
                litres_per_year: dec("3000"),
                density_kg_per_l: dec("0.84"),
            })),
        },
    ];
    let mm = carbon.manure_management.as_mut().unwrap();
    mm.volatile_solids_fraction_of_dry_matter = dec("0.7");
    mm.nitrogen = Some(
        pb::manure_management_input::Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
            value: "0.05".to_owned(),
        }),
    );
    carbon.factor_overrides = vec![pb::FactorOverride {
        factor_id: "ef5".to_owned(),
        value: dec("0.011"),
        reason: "measured leaching".to_owned(),
    }];
    r.kpis = vec![
        pb::KpiTarget {
            name: "manure".to_owned(),
            metric: pb::KpiMetric::ManureTreatedT as i32,
            annual_target: dec("30000"),
            rate_step_bps_if_met: -10,
            rate_step_bps_if_missed: 10,
        },
        pb::KpiTarget {
            name: "reduction".to_owned(),
            metric: pb::KpiMetric::EmissionReductionTco2e as i32,
            annual_target: dec("500"),
            rate_step_bps_if_met: -5,
            rate_step_bps_if_missed: 0,
        },
    ];
    r
}

/// The largest magnitudes validation accepts, everywhere at once.
fn largest(mut r: pb::AssessRequest) -> pb::AssessRequest {
    use pb::operating_cost::Amount;
    let loan = r.loan.as_mut().unwrap();
    loan.principal = cny("100000000000");
    loan.rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
        value: "100".to_owned(),
    }));
    loan.term_months = 600;
    let ops = r.operations.as_mut().unwrap();
    ops.manure_fresh_t_per_day = dec("100000");
    ops.operating_days_per_year = 366;
    ops.manure_dry_matter_fraction = dec("1");
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "36600000".to_owned(),
        },
    ));
    ops.baseline_treatment_cost_per_t_fresh_manure = cny("1000000");
    ops.fertilizer_value.as_mut().unwrap().per_t_product = cny("1000000");
    ops.operating_costs = (0..64)
        .map(|i| match i % 3 {
            0 => cost("year", Amount::PerYear(cny("100000000000").unwrap())),
            1 => cost("manure", Amount::PerTFreshManure(cny("1000000").unwrap())),
            _ => cost("product", Amount::PerTProduct(cny("1000000").unwrap())),
        })
        .collect();
    ops.annual_operating_subsidies = (0..64).map(|_| named("grant", "100000000000")).collect();
    let appraisal = r.appraisal.as_mut().unwrap();
    appraisal.total_project_investment = cny("1000000000000");
    appraisal.capex = (0..64).map(|_| named("capex", "100000000000")).collect();
    appraisal.capex_subsidies = vec![named("subsidy", "100000000000")];
    appraisal.discount_rate_pct = dec("100");
    appraisal.project_life_years = 30;
    appraisal.dscr_hurdle = dec("10");
    r
}

/// The smallest positive magnitudes.
fn smallest(mut r: pb::AssessRequest) -> pb::AssessRequest {
    let loan = r.loan.as_mut().unwrap();
    loan.principal = cny("0.01");
    loan.rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
        value: "0.000001".to_owned(),
    }));
    loan.term_months = 1;
    let ops = r.operations.as_mut().unwrap();
    ops.manure_fresh_t_per_day = dec("0.000001");
    ops.operating_days_per_year = 1;
    ops.manure_dry_matter_fraction = dec("0.000001");
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerDay(
        pb::Decimal {
            value: "0.000001".to_owned(),
        },
    ));
    ops.baseline_treatment_cost_per_t_fresh_manure = cny("0.01");
    ops.fertilizer_value.as_mut().unwrap().per_t_product = cny("0.01");
    let appraisal = r.appraisal.as_mut().unwrap();
    appraisal.total_project_investment = cny("0.01");
    appraisal.capex = vec![named("capex", "0.01")];
    appraisal.discount_rate_pct = dec("0.000001");
    appraisal.project_life_years = 1;
    r
}

fn assess_seeds() -> Vec<(&'static str, pb::AssessRequest)> {
    let seed = example("leshan-yaqing.json");
    let mut lpr = seed.clone();
    let loan = lpr.loan.as_mut().unwrap();
    loan.rate = Some(pb::loan_terms::Rate::LprLinked(pb::LprLinkedRate {
        tenor: pb::LprTenor::LprTenor5yPlus as i32,
        spread_bps: -20,
        fixing_date: "2025-06-20".to_owned(),
    }));
    loan.repayment_method = pb::RepaymentMethod::EqualPrincipal as i32;
    loan.repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
    loan.term_months = 60;
    loan.grace_months = 12;
    let mut bullet = seed.clone();
    let loan = bullet.loan.as_mut().unwrap();
    loan.repayment_method = pb::RepaymentMethod::InterestOnlyBullet as i32;
    loan.repayment_frequency = pb::RepaymentFrequency::Annual as i32;
    loan.term_months = 120;
    bullet.appraisal.as_mut().unwrap().cash_flow_basis = pb::CashFlowBasis::ProjectOnly as i32;
    let mut no_carbon = seed.clone();
    no_carbon.carbon = None;
    no_carbon.presentation = Some(pb::PresentationRules {
        money_dp: Some(4),
        ratio_dp: Some(8),
        rounding_rule: pb::RoundingRule::HalfEven as i32,
        emissions_dp: Some(0),
    });
    let mut largest_monthly = largest(everything());
    largest_monthly
        .appraisal
        .as_mut()
        .unwrap()
        .discount_rate_pct = dec("0");
    let mut largest_loss = largest(seed.clone());
    largest_loss.operations.as_mut().unwrap().fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::Price as i32,
        per_t_product: cny("0"),
    });
    vec![
        ("seed-leshan-yaqing", seed.clone()),
        (
            "seed-leshan-yaqing-insurer",
            example("leshan-yaqing-insurer.json"),
        ),
        ("seed-everything", everything()),
        ("seed-lpr-equal-principal-quarterly-grace", lpr),
        ("seed-bullet-annual-project-only", bullet),
        ("seed-no-carbon-presentation", no_carbon),
        ("seed-largest", largest(seed.clone())),
        ("seed-largest-everything", largest(everything())),
        ("seed-largest-zero-discount", largest_monthly),
        ("seed-largest-loss", largest_loss),
        ("seed-smallest", smallest(seed.clone())),
        ("seed-smallest-everything", smallest(everything())),
    ]
}

fn report(days: u32, manure: &str, product: &str) -> pb::SubmitMonitoringReportRequest {
    pb::SubmitMonitoringReportRequest {
        assessment_record_id: "r".to_owned(),
        period_start: "2025-07-01".to_owned(),
        period_end: "2025-09-30".to_owned(),
        actual: Some(pb::ActualOperations {
            operating_days: days,
            manure_fresh_t: dec(manure),
            manure_dry_matter_fraction: dec("0.24"),
            product_made_t: dec(product),
            product_sold_t: dec(product),
            realised_value_per_t_product: cny("250"),
            energy: vec![],
            operating_costs: None,
        }),
        jump_tolerance_fraction: dec("0.5"),
        dry_run: true,
    }
}

fn framed(
    plan: &pb::AssessRequest,
    previous: Option<&pb::SubmitMonitoringReportRequest>,
    report: &pb::SubmitMonitoringReportRequest,
) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [
        plan.encode_to_vec(),
        previous.map(Message::encode_to_vec).unwrap_or_default(),
    ] {
        out.extend_from_slice(&u16::try_from(part.len()).expect("part fits").to_be_bytes());
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(&report.encode_to_vec());
    out
}

fn monitoring_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let seed = example("leshan-yaqing.json");
    let all = everything();
    let first = report(90, "8000", "2700");
    let mut second = report(92, "8300", "2760");
    second.period_start = "2025-10-01".to_owned();
    second.period_end = "2025-12-31".to_owned();
    let mut with_energy = second.clone();
    let actual = with_energy.actual.as_mut().unwrap();
    actual.energy = all.carbon.as_ref().unwrap().project_energy.clone();
    actual.operating_costs = cny("40000");
    let mut huge = report(366, "36600000", "36600000");
    huge.period_start = "2028-01-01".to_owned();
    huge.period_end = "2028-12-31".to_owned();
    huge.actual.as_mut().unwrap().realised_value_per_t_product = cny("1000000");
    let largest_plan = largest(everything());
    vec![
        ("seed-first-report", framed(&seed, None, &first)),
        ("seed-second-report", framed(&seed, Some(&first), &second)),
        (
            "seed-everything-energy",
            framed(&all, Some(&first), &with_energy),
        ),
        ("seed-largest", framed(&largest_plan, None, &huge)),
        (
            "seed-largest-after-small",
            framed(&largest_plan, Some(&first), &huge),
        ),
    ]
}

type NamedInputs = Vec<(&'static str, Vec<u8>)>;

/// Requests that panicked before the checked arithmetic, in the fuzz targets' input formats.
fn regressions() -> (NamedInputs, NamedInputs) {
    // The break-even throughput: 1e-6 t of product a year at 0.000001 CNY/t is a variable
    // cash flow of 1e-12 CNY against a year's debt service of 1.1e12 at 100,000 t a day.
    let mut tiny_margin = largest(example("leshan-yaqing.json"));
    tiny_margin.carbon = None;
    tiny_margin.loan.as_mut().unwrap().term_months = 1;
    let ops = tiny_margin.operations.as_mut().unwrap();
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "0.000001".to_owned(),
        },
    ));
    ops.fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::Price as i32,
        per_t_product: cny("0.000001"),
    });
    ops.baseline_treatment_cost_per_t_fresh_manure = cny("0");
    ops.operating_costs.clear();
    ops.annual_operating_subsidies.clear();
    let appraisal = tiny_margin.appraisal.as_mut().unwrap();
    appraisal.cash_flow_basis = pb::CashFlowBasis::ProjectOnly as i32;
    appraisal.capex_subsidies.clear();

    // The variance percentage: a plan whose cash flow nets to 1e-12 CNY a year, and a one-day
    // period that realises 3.66e13.
    let mut near_zero_plan = example("leshan-yaqing.json");
    near_zero_plan.carbon = None;
    let ops = near_zero_plan.operations.as_mut().unwrap();
    ops.manure_fresh_t_per_day = dec("1");
    ops.operating_days_per_year = 1;
    ops.baseline_treatment_cost_per_t_fresh_manure = cny("1000");
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "0.000001".to_owned(),
        },
    ));
    ops.fertilizer_value.as_mut().unwrap().per_t_product = cny("0.000001");
    ops.operating_costs = vec![cost(
        "fixed",
        pb::operating_cost::Amount::PerYear(cny("1000.00").unwrap()),
    )];
    let mut one_day = report(1, "1", "1");
    one_day.period_start = "2025-07-21".to_owned();
    one_day.period_end = "2025-07-21".to_owned();
    let actual = one_day.actual.as_mut().unwrap();
    actual.product_sold_t = dec("36600000");
    actual.realised_value_per_t_product = cny("1000000");
    (
        vec![(
            "break-even-throughput-overflow",
            tiny_margin.encode_to_vec(),
        )],
        vec![(
            "variance-pct-overflow",
            framed(&near_zero_plan, None, &one_day),
        )],
    )
}

fn write(dir: &str, seeds: impl IntoIterator<Item = (&'static str, Vec<u8>)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::create_dir_all(&dir).expect("create corpus dir");
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("write seed");
    }
}

fn main() {
    // Each seed is reported with what it assesses to, so that a seed validation refuses is
    // noticed (it would only exercise the validator).
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let seeds = assess_seeds();
    for (name, request) in &seeds {
        match std::panic::catch_unwind(|| api.assess(request)) {
            Ok(Ok(_)) => println!("{name}: OK"),
            Ok(Err(status)) => println!("{name}: {:?} {}", status.code(), status.message()),
            Err(_) => println!("{name}: PANICKED"),
        }
    }
    write(
        "corpus/assess",
        seeds
            .into_iter()
            .map(|(name, request)| (name, request.encode_to_vec())),
    );
    let seeds = monitoring_seeds();
    for (name, bytes) in &seeds {
        match std::panic::catch_unwind(|| evaluate_report(bytes)) {
            Ok(Some(Ok(_))) => println!("monitoring {name}: OK"),
            Ok(Some(Err(status))) => println!("monitoring {name}: {status:?}"),
            Ok(None) => println!("monitoring {name}: does not reach the evaluation"),
            Err(_) => println!("monitoring {name}: PANICKED"),
        }
    }
    write("corpus/monitoring_report", seeds);
    let (assess, monitoring) = regressions();
    write("../tests/fuzz_regressions/assess", assess);
    write("../tests/fuzz_regressions/monitoring_report", monitoring);
}
