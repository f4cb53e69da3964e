//! Properties of the carbon estimate over random valid requests, assessed in process: the
//! estimate is linear in throughput, the GWP set changes only the CO2e aggregation, presented
//! parts sum to presented totals at every emissions_dp and rounding rule, and an override shows
//! wherever its factor is used.

mod common;

use common::{API, assert_carbon_parts_sum, decimal, ends, seed_request, self_contained};
use green_impact::domain::carbon::factor_id::{overridable, physical_bounds};
use green_impact::pb;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

fn dec(mantissa: i64, scale: u32) -> pb::Decimal {
    pb::Decimal {
        value: Decimal::new(mantissa, scale).to_string(),
    }
}

fn assess(request: &pb::AssessRequest) -> Result<pb::AssessResponse, TestCaseError> {
    API.assess(request)
        .map_err(|s| TestCaseError::fail(format!("assess refused a valid request: {s:?}")))
}

fn carbon(response: &pb::AssessResponse) -> &pb::CarbonResult {
    response.carbon.as_ref().expect("carbon block")
}

/// Layers or broilers, any productivity, climate zone and pair of systems (the built-in set
/// has every system for poultry). VS and N are given unless `defaults_allowed` and the species
/// has defaults in the set (layers only).
fn manure(defaults_allowed: bool) -> impl Strategy<Value = pb::ManureManagementInput> {
    (
        prop_oneof![Just(pb::Species::Layers), Just(pb::Species::Broilers)],
        1i32..=2,
        1i32..=10,
        1i32..=8,
        1i32..=8,
        (1i64..=1_000_000, any::<bool>()),
        (1i64..=200_000, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            move |(species, productivity, zone, baseline, project, vs, n)| {
                use pb::manure_management_input::Nitrogen;
                let must_give = !defaults_allowed || species == pb::Species::Broilers;
                let (vs_micro, give_vs) = vs;
                let (n_micro, give_n, n_of_fresh) = n;
                pb::ManureManagementInput {
                    species: species as i32,
                    productivity,
                    productivity_reason: "random".into(),
                    climate_zone: zone,
                    baseline_system: baseline,
                    project_system: project,
                    volatile_solids_fraction_of_dry_matter: (must_give || give_vs)
                        .then(|| dec(vs_micro, 6)),
                    nitrogen: (must_give || give_n).then(|| {
                        if n_of_fresh {
                            Nitrogen::NitrogenFractionOfFreshManure(dec(n_micro, 6))
                        } else {
                            Nitrogen::NitrogenFractionOfDryMatter(dec(n_micro, 6))
                        }
                    }),
                }
            },
        )
}

fn fertilizer() -> impl Strategy<Value = pb::FertilizerSubstitutionInput> {
    (
        0i64..=300_000,
        0i64..=300_000,
        0i64..=300_000,
        0i64..=10_000,
    )
        .prop_map(|(n, p, k, ratio)| pb::FertilizerSubstitutionInput {
            product_nitrogen_fraction: Some(dec(n, 6)),
            product_p2o5_fraction: Some(dec(p, 6)),
            product_k2o_fraction: Some(dec(k, 6)),
            substitution_ratio: Some(dec(ratio, 4)),
            substitution_ratio_basis: "random".into(),
        })
}

fn energy_use() -> impl Strategy<Value = pb::EnergyUse> {
    use pb::energy_use::Use;
    // (region, data year): 0 is the latest year the set has; the others are the set's years.
    let grids = vec![
        (1, 0),
        (1, 2021),
        (1, 2022),
        (1, 2023),
        (2, 0),
        (2, 2022),
        (2, 2023),
        (3, 0),
        (3, 2022),
    ];
    prop_oneof![
        (1i64..=10_000_000_000_000_000, prop::sample::select(grids)).prop_map(
            |(kwh_micro, (region, factor_year))| {
                Use::Electricity(pb::ElectricityUse {
                    kwh_per_year: Some(dec(kwh_micro, 6)),
                    region,
                    factor_year,
                })
            }
        ),
        (1i64..=1_000_000_000_000).prop_map(|t_micro| Use::DieselTPerYear(dec(t_micro, 6))),
        (1i64..=1_000_000_000_000_000, 700_000i64..=1_000_000).prop_map(
            |(l_micro, density_micro)| {
                Use::DieselLitres(pb::DieselLitres {
                    litres_per_year: Some(dec(l_micro, 6)),
                    density_kg_per_l: Some(dec(density_micro, 6)),
                })
            }
        ),
    ]
    .prop_map(|u| pb::EnergyUse {
        name: "energy".into(),
        r#use: Some(u),
    })
}

/// The seed request with random operations at 6 dp and a random carbon input with every
/// module that `fertilizer` and `energy` allow.
fn request(
    defaults_allowed: bool,
    energy: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = pb::AssessRequest> {
    (
        1i64..=100_000_000_000,
        1u32..=366,
        1i64..=1_000_000,
        1i64..=100_000_000_000,
        manure(defaults_allowed),
        prop::option::of(fertilizer()),
        prop::collection::vec(energy_use(), energy),
        0i32..=3,
    )
        .prop_map(
            |(manure_micro, days, dm_micro, product_micro, manure, fertilizer, energy, gwp)| {
                // The properties read the trace and the factors: the self-contained answer.
                let mut request = self_contained(seed_request());
                let ops = request.operations.as_mut().expect("operations");
                ops.manure_fresh_t_per_day = Some(dec(manure_micro, 6));
                ops.operating_days_per_year = days;
                ops.manure_dry_matter_fraction = Some(dec(dm_micro, 6));
                ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerDay(dec(
                    product_micro,
                    6,
                )));
                request.carbon = Some(pb::CarbonInput {
                    factor_set: String::new(),
                    gwp_set: gwp,
                    manure_management: Some(manure),
                    fertilizer_substitution: fertilizer,
                    project_energy: energy,
                    factor_overrides: vec![],
                });
                request
            },
        )
}

/// |a - b| is within 1e-20 of the larger magnitude (or of 1): the trace is exact but for the
/// 28-significant-digit rounding of its divisions and of very long products.
fn close(a: Decimal, b: Decimal) -> bool {
    let scale = a.abs().max(b.abs()).max(Decimal::ONE);
    (a - b).abs() <= scale * Decimal::new(1, 20)
}

/// The exact central total, re-added from the trace as the engine adds it: manure management
/// (the gases' CO2e) - project energy + avoided.
fn total_from_trace(carbon: &pb::CarbonResult) -> Decimal {
    let central = |s: &pb::TraceStep| ends(&s.result)[1];
    let sum = |filter: &dyn Fn(&str) -> bool| -> Decimal {
        carbon
            .trace
            .iter()
            .filter(|s| filter(&s.step))
            .map(central)
            .fold(Decimal::ZERO, |a, b| a + b)
    };
    let manure = sum(&|id| id.starts_with("reduction.manure.") && id.ends_with(".co2e"));
    let energy = sum(&|id| id.starts_with("project.energy["));
    let avoided = sum(&|id| id.starts_with("avoided.fertilizer."));
    manure + -energy + avoided
}

fn gwp_values(set: i32) -> (Decimal, Decimal) {
    match pb::GwpSet::try_from(set).expect("gwp set") {
        pb::GwpSet::Ar4 => (Decimal::from(25), Decimal::from(298)),
        pb::GwpSet::Ar5 => (Decimal::from(28), Decimal::from(265)),
        pb::GwpSet::Ar6 | pb::GwpSet::Unspecified => (Decimal::new(270, 1), Decimal::from(273)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Scaling the fresh manure and the product by k scales every trace result (low, central
    /// and high) and the central total by k. No energy here: it does not scale.
    #[test]
    fn reduction_is_linear_in_throughput(
        base in request(false, 0..=0),
        manure_milli in 1i64..=5_000_000,
        product_milli in 1i64..=5_000_000,
        k in 1i64..=20,
    ) {
        let mut one = base;
        let ops = one.operations.as_mut().unwrap();
        ops.manure_fresh_t_per_day = Some(dec(manure_milli, 3));
        ops.product_output =
            Some(pb::operating_data::ProductOutput::ProductTPerDay(dec(product_milli, 3)));
        let mut scaled = one.clone();
        let ops = scaled.operations.as_mut().unwrap();
        ops.manure_fresh_t_per_day = Some(dec(manure_milli * k, 3));
        ops.product_output =
            Some(pb::operating_data::ProductOutput::ProductTPerDay(dec(product_milli * k, 3)));

        let a = assess(&one)?;
        let b = assess(&scaled)?;
        let (a, b) = (carbon(&a), carbon(&b));
        let k = Decimal::from(k);
        prop_assert_eq!(a.trace.len(), b.trace.len());
        for (sa, sb) in a.trace.iter().zip(&b.trace) {
            prop_assert_eq!(&sa.step, &sb.step);
            for (end, (va, vb)) in ["low", "central", "high"]
                .into_iter()
                .zip(ends(&sa.result).into_iter().zip(ends(&sb.result)))
            {
                prop_assert!(
                    close(va * k, vb),
                    "{} {}: {} x {} != {}", sa.step, end, va, k, vb
                );
            }
        }
        for id in ["reduction.manure.ch4", "reduction.manure.n2o", "manure.volatile_solids"] {
            prop_assert!(a.trace.iter().any(|s| s.step == id), "no step {}", id);
        }
        let (ta, tb) = (total_from_trace(a), total_from_trace(b));
        prop_assert!(close(ta * k, tb), "total: {} x {} != {}", ta, k, tb);
    }

    /// AR4, AR5 and AR6 give the same gas masses and the same non-CO2e trace; each CO2e step
    /// is its gas mass times the set's GWP, and the CO2e steps that are no gas times a GWP
    /// (avoided fertilizer) are unchanged.
    #[test]
    fn gwp_set_changes_only_the_co2e_aggregation(base in request(true, 0..=3)) {
        let responses = (1..=3)
            .map(|gwp| {
                let mut request = base.clone();
                request.carbon.as_mut().unwrap().gwp_set = gwp;
                assess(&request)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let results: Vec<&pb::CarbonResult> = responses.iter().map(carbon).collect();
        let first = results[0];
        for (set, result) in (1..=3).zip(&results) {
            prop_assert_eq!(result.gwp_set, set);
            let (ch4, n2o) = gwp_values(set);
            prop_assert_eq!(decimal(&result.gwp_ch4), ch4);
            prop_assert_eq!(decimal(&result.gwp_n2o), n2o);
            prop_assert_eq!(result.trace.len(), first.trace.len());
            for (s, s1) in result.trace.iter().zip(&first.trace) {
                prop_assert_eq!(&s.step, &s1.step);
                if s.result_unit != "t CO2e per year" {
                    prop_assert_eq!(&s.result, &s1.result, "{}", s.step);
                    continue;
                }
                match s.step.strip_suffix(".co2e") {
                    Some(mass_id) => {
                        let mass = result.trace.iter().find(|m| m.step == mass_id).unwrap();
                        let gwp = if mass.result_unit == "t CH4 per year" { ch4 } else { n2o };
                        for (m, c) in ends(&mass.result).into_iter().zip(ends(&s.result)) {
                            prop_assert!(close(m * gwp, c), "{}: {} x {} != {}", s.step, m, gwp, c);
                        }
                    }
                    None => prop_assert_eq!(&s.result, &s1.result, "{}", s.step),
                }
            }
            let lines = |r: &pb::CarbonResult| -> Vec<pb::EmissionLine> {
                let mut all = r.baseline.as_ref().unwrap().lines.clone();
                all.extend(r.project.as_ref().unwrap().lines.clone());
                all.extend(r.avoided.as_ref().unwrap().lines.clone());
                all
            };
            for (line, line1) in lines(result).iter().zip(&lines(first)) {
                prop_assert_eq!(&line.trace_step, &line1.trace_step);
                prop_assert_eq!(
                    &line.gas_t_per_year, &line1.gas_t_per_year,
                    "{} ({}): presented gas mass", line.name, line.trace_step
                );
            }
            let by_gas = |r: &pb::CarbonResult| r.reduction.as_ref().unwrap().manure_management_by_gas.clone();
            for (g, g1) in by_gas(result).iter().zip(&by_gas(first)) {
                prop_assert_eq!(&g.gas_t_per_year, &g1.gas_t_per_year);
            }
        }
    }

    /// At every emissions_dp and rounding rule the presented parts add up to the presented
    /// totals, and the presented total is the trace's exact total rounded once.
    #[test]
    fn presented_parts_sum_to_presented_totals(
        base in request(true, 0..=3),
        emissions_dp in 0u32..=6,
        rounding in 1i32..=3,
    ) {
        let mut request = base;
        request.presentation = Some(pb::PresentationRules {
            emissions_dp: Some(emissions_dp),
            rounding_rule: rounding,
            ..Default::default()
        });
        let response = assess(&request)?;
        let presentation = response.presentation.as_ref().unwrap();
        prop_assert_eq!(presentation.emissions_dp, emissions_dp);
        prop_assert_eq!(presentation.rounding_rule, rounding);
        let carbon = carbon(&response);
        assert_carbon_parts_sum(carbon);
        let strategy = match pb::RoundingRule::try_from(rounding).unwrap() {
            pb::RoundingRule::HalfEven => RoundingStrategy::MidpointNearestEven,
            pb::RoundingRule::TowardZero => RoundingStrategy::ToZero,
            _ => RoundingStrategy::MidpointAwayFromZero,
        };
        let total = carbon.reduction.as_ref().unwrap().total_tco2e_per_year.as_ref().unwrap();
        let shown = total.central.as_ref().unwrap().value.clone();
        prop_assert_eq!(
            shown.split_once('.').map_or(0, |(_, f)| f.len()),
            emissions_dp as usize,
            "{} has {} dp", shown, emissions_dp
        );
        prop_assert_eq!(
            decimal(&total.central),
            total_from_trace(carbon).round_dp_with_strategy(emissions_dp, strategy)
        );
    }

    /// Any overridable factor the request uses, overridden with any value its physical bounds
    /// allow, is marked as an override in factors_used and in every trace input that cites it.
    #[test]
    fn overrides_show_in_the_trace(
        base in request(true, 0..=3),
        pick in any::<prop::sample::Index>(),
        fraction_e10 in 0i64..=10_000_000_000,
        amount_micro in 1i64..=1_000_000_000_000,
    ) {
        let plain = assess(&base)?;
        let overridable: Vec<&pb::FactorUse> = carbon(&plain)
            .factors_used
            .iter()
            .filter(|f| overridable(&f.factor_id))
            .collect();
        prop_assert!(!overridable.is_empty());
        let id = overridable[pick.index(overridable.len())].factor_id.clone();
        let bounds = physical_bounds(&id).expect("a factor of the method");
        // Amounts (B0, grid and fuel factors) anywhere from 0 (or just above) to a million;
        // fractions anywhere from 0 to 1 (or just below) at 10 dp.
        let candidates = if bounds.allows(Decimal::TWO) {
            [Decimal::new(amount_micro - 1, 6), Decimal::new(amount_micro, 6)]
        } else {
            let fraction = Decimal::new(fraction_e10, 10);
            [fraction, fraction / Decimal::TWO]
        };
        let value = candidates.into_iter().find(|v| bounds.allows(*v)).expect("an allowed value");
        let mut request = base;
        request.carbon.as_mut().unwrap().factor_overrides = vec![pb::FactorOverride {
            factor_id: id.clone(),
            value: Some(pb::Decimal { value: value.to_string() }),
            reason: "random measurement".into(),
        }];
        let response = assess(&request)?;
        prop_assert!(
            response.warnings.iter().all(|w| w.code != "FACTOR_OVERRIDE_UNUSED"),
            "{:?}", response.warnings
        );
        let carbon = carbon(&response);
        let used: Vec<&pb::FactorUse> =
            carbon.factors_used.iter().filter(|f| f.factor_id == id).collect();
        prop_assert_eq!(used.len(), 1, "{} once in factors_used", &id);
        let used = used[0];
        prop_assert_eq!(used.origin, pb::FactorOrigin::Override as i32);
        prop_assert_eq!([decimal(&used.low), decimal(&used.value), decimal(&used.high)], [value; 3]);
        prop_assert!(used.source.contains("random measurement"), "{}", used.source);
        let citing: Vec<&pb::TraceInput> = carbon
            .trace
            .iter()
            .flat_map(|s| &s.inputs)
            .filter(|i| i.reference == id)
            .collect();
        prop_assert!(!citing.is_empty(), "no trace input cites {}", id);
        for input in citing {
            prop_assert_eq!(
                input.origin,
                pb::TraceInputOrigin::FactorOverride as i32,
                "{} cites {}", &input.symbol, &id
            );
            prop_assert_eq!(ends(&input.value), [value; 3]);
        }
        // Every other factor keeps its origin.
        for f in &carbon.factors_used {
            if f.factor_id != id {
                prop_assert_ne!(f.origin, pb::FactorOrigin::Override as i32, "{}", &f.factor_id);
            }
        }
    }
}
