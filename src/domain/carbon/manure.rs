//! Module 1: CH4 and N2O of manure management, baseline system vs project system (IPCC 2019
//! Refinement Vol. 4 Ch. 10), and their difference.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_id::{self, Gas, ManureSystem};
use super::resolve::{FactorUse, Resolver};
use super::templates;
use super::trace::{StepResult, Trace, TraceInput, constant, request_input, request_input_at};
use super::{EmissionLine, EmissionSource, GasReduction, Gwp, ManureInput};
use super::{NitrogenContent, co2e, gas_line, line_gas, times_ratio};
use crate::domain::Warning;
use crate::domain::economics::AnnualFigures;

const FIELD: &str = "carbon.manure_management";

/// IPCC Eq. 10.23's conversion of m3 CH4 to kg CH4.
fn ch4_density_kg_per_m3() -> Decimal {
    Decimal::new(67, 2)
}

pub(super) struct ManureEstimate {
    pub baseline_lines: Vec<EmissionLine>,
    pub project_lines: Vec<EmissionLine>,
    pub by_gas: Vec<GasReduction>,
}

/// The factors of one manure management system.
struct SystemFactors {
    mcf: Arc<FactorUse>,
    ef3: Arc<FactorUse>,
    frac_gas: Arc<FactorUse>,
    frac_leach: Arc<FactorUse>,
}

pub(super) fn estimate(
    m: &ManureInput,
    annual: &AnnualFigures,
    operating_days_per_year: u32,
    gwp: &Gwp,
    factors: &mut Resolver,
    trace: &mut Trace,
    warnings: &mut Vec<Warning>,
) -> ManureEstimate {
    let b0 = factors.factor(
        factor_id::b0(m.species, m.productivity),
        "carbon.manure_management.productivity",
    );
    let ef4 = factors.factor(
        factor_id::ef4(m.climate_zone.ef4_climate()),
        "carbon.manure_management.climate_zone",
    );
    let ef5 = factors.factor(factor_id::EF5.to_owned(), FIELD);
    let systems = [
        (
            "carbon.manure_management.baseline_system",
            m.baseline_system,
        ),
        ("carbon.manure_management.project_system", m.project_system),
    ]
    .map(|(field, system)| {
        let category = m.species.category();
        SystemFactors {
            mcf: factors.factor(factor_id::mcf(system, m.climate_zone), field),
            ef3: factors.factor(factor_id::ef3(system), field),
            frac_gas: factors.factor(factor_id::frac_gas_ms(category, system), field),
            frac_leach: factors.factor(factor_id::frac_leach_ms(category, system), field),
        }
    });
    if m.baseline_system == m.project_system {
        warnings.push(Warning {
            code: "SAME_MANURE_SYSTEM",
            field: "carbon.manure_management.project_system",
            message: "the project keeps the baseline's manure management system, so the \
                      management change reduces nothing"
                .into(),
        });
    }

    let (volatile_solids, nitrogen) =
        manure_quantities(m, annual, operating_days_per_year, factors, trace, warnings);

    let mut scenarios = [
        ("baseline", m.baseline_system),
        ("project", m.project_system),
    ]
    .iter()
    .zip(&systems)
    .map(|(&(scenario, system), f)| {
        scenario_emissions(
            scenario,
            system,
            f,
            (&volatile_solids, &nitrogen),
            (&b0, &ef4, &ef5),
            gwp,
            trace,
        )
    })
    .collect::<Vec<_>>();
    let project = scenarios.pop().unwrap_or_default();
    let baseline = scenarios.pop().unwrap_or_default();

    let [baseline_factors, project_factors] = &systems;
    let ch4 = trace.record(
        "reduction.manure.ch4".into(),
        &templates::REDUCTION_MANURE_CH4,
        || {
            vec![
                volatile_solids.as_input(),
                b0.input(),
                ch4_density(),
                baseline_factors.mcf.input(),
                project_factors.mcf.input(),
            ]
        },
        (volatile_solids.result
            * b0.value
            * ch4_density_kg_per_m3()
            * difference(&baseline_factors.mcf, &project_factors.mcf))
        .with_central(baseline.ch4_t - project.ch4_t),
    );
    let n2o_n_per_n = difference(&baseline_factors.ef3, &project_factors.ef3)
        + ef4.value * difference(&baseline_factors.frac_gas, &project_factors.frac_gas)
        + ef5.value * difference(&baseline_factors.frac_leach, &project_factors.frac_leach);
    let n2o_n = (nitrogen.result * n2o_n_per_n).with_central(baseline.n2o_n_t - project.n2o_n_t);
    let n2o = trace.record(
        "reduction.manure.n2o".into(),
        &templates::REDUCTION_MANURE_N2O,
        || {
            vec![
                nitrogen.as_input(),
                baseline_factors.ef3.input(),
                project_factors.ef3.input(),
                ef4.input(),
                baseline_factors.frac_gas.input(),
                project_factors.frac_gas.input(),
                ef5.input(),
                baseline_factors.frac_leach.input(),
                project_factors.frac_leach.input(),
                n2o_n_to_n2o(),
            ]
        },
        times_ratio(n2o_n, 44, 28),
    );
    let by_gas = [(Gas::Ch4, &ch4, None), (Gas::N2o, &n2o, Some(n2o_n))]
        .map(|(gas, mass, n2o_n)| GasReduction {
            gas: line_gas(gas),
            gas_t_per_year: mass.result,
            tco2e_per_year: co2e(gas, mass, n2o_n, gwp, trace),
        })
        .into();
    ManureEstimate {
        baseline_lines: baseline.lines,
        project_lines: project.lines,
        by_gas,
    }
}

/// Volatile solids and nitrogen of the year's manure, from the request or the set's defaults.
fn manure_quantities(
    m: &ManureInput,
    annual: &AnnualFigures,
    operating_days_per_year: u32,
    factors: &mut Resolver,
    trace: &mut Trace,
    warnings: &mut Vec<Warning>,
) -> (StepResult, StepResult) {
    let fresh = trace.record(
        "manure.fresh".into(),
        &templates::MANURE_FRESH,
        || {
            vec![
                request_input(
                    annual.manure_fresh_t_per_year / Decimal::from(operating_days_per_year),
                ),
                request_input(Decimal::from(operating_days_per_year)),
            ]
        },
        Bounds::exact(annual.manure_fresh_t_per_year),
    );
    let dm_fraction = annual.manure_dry_matter_t_per_year / annual.manure_fresh_t_per_year;
    let dry_matter = trace.record(
        "manure.dry_matter".into(),
        &templates::MANURE_DRY_MATTER,
        || vec![fresh.as_input(), request_input(dm_fraction)],
        Bounds::exact(annual.manure_dry_matter_t_per_year),
    );

    let vs_field = "carbon.manure_management.volatile_solids_fraction_of_dry_matter";
    let vs_fraction = match m.volatile_solids_fraction_of_dry_matter {
        Some(value) => TraceInput {
            unit: Some("t VS per t dry matter".into()),
            ..request_input(value)
        },
        None => {
            let default = factors.default_for_missing_input(
                factor_id::volatile_solids_fraction(m.species),
                vs_field,
            );
            warn_default(warnings, "VOLATILE_SOLIDS_DEFAULT", vs_field, &default);
            default.input()
        }
    };
    let volatile_solids = trace.record(
        "manure.volatile_solids".into(),
        &templates::MANURE_VOLATILE_SOLIDS,
        || vec![dry_matter.as_input(), vs_fraction.clone()],
        dry_matter.result * vs_fraction.value,
    );

    let (basis_step, n_input) = match m.nitrogen {
        Some(NitrogenContent::OfDryMatter(v)) => (
            &dry_matter,
            TraceInput {
                unit: Some("t N per t dry matter".into()),
                ..request_input(v)
            },
        ),
        Some(NitrogenContent::OfFreshManure(v)) => (
            &fresh,
            request_input_at(
                v,
                Some("t N per t fresh manure".into()),
                "carbon.manure_management.nitrogen_fraction_of_fresh_manure".to_owned(),
            ),
        ),
        None => {
            let default = factors.default_for_missing_input(
                factor_id::nitrogen_fraction(m.species),
                "carbon.manure_management.nitrogen",
            );
            warn_default(
                warnings,
                "NITROGEN_DEFAULT",
                "carbon.manure_management.nitrogen",
                &default,
            );
            (&dry_matter, default.input())
        }
    };
    let nitrogen = trace.record(
        "manure.nitrogen".into(),
        &templates::MANURE_NITROGEN,
        || vec![basis_step.as_input(), n_input.clone()],
        basis_step.result * n_input.value,
    );
    (volatile_solids, nitrogen)
}

fn warn_default(
    warnings: &mut Vec<Warning>,
    code: &'static str,
    field: &'static str,
    used: &FactorUse,
) {
    warnings.push(Warning {
        code,
        field,
        message: format!(
            "no measured value was given, so the factor set's default {} = {} is used. {}",
            used.id, used.value.central, used.note
        ),
    });
}

/// One scenario's four manure lines, with the central CH4 and N2O-N masses the reduction's
/// central value is defined from.
#[derive(Default)]
struct Scenario {
    lines: Vec<EmissionLine>,
    ch4_t: Decimal,
    n2o_n_t: Decimal,
}

fn scenario_emissions(
    scenario: &str,
    system: ManureSystem,
    f: &SystemFactors,
    (volatile_solids, nitrogen): (&StepResult, &StepResult),
    (b0, ef4, ef5): (&FactorUse, &FactorUse, &FactorUse),
    gwp: &Gwp,
    trace: &mut Trace,
) -> Scenario {
    let system_name = system.slug().replace('_', " ");
    let ch4 = trace.record(
        [scenario, ".manure.ch4"].concat(),
        &templates::MANURE_CH4,
        || {
            vec![
                volatile_solids.as_input(),
                b0.input(),
                ch4_density(),
                f.mcf.input(),
            ]
        },
        volatile_solids.result * b0.value * ch4_density_kg_per_m3() * f.mcf.value,
    );
    // The factors each N2O line cites, between its nitrogen and its 44/28.
    let direct = [&*f.ef3];
    let volatilised = [&*f.frac_gas, ef4];
    let leached = [&*f.frac_leach, ef5];
    let n2o_lines = [
        (
            EmissionSource::ManureN2oDirect,
            "n2o_direct",
            "direct N2O",
            &templates::MANURE_N2O_DIRECT,
            direct.as_slice(),
            nitrogen.result * f.ef3.value,
        ),
        (
            EmissionSource::ManureN2oVolatilisation,
            "n2o_volatilisation",
            "indirect N2O, volatilised N",
            &templates::MANURE_N2O_VOLATILISATION,
            volatilised.as_slice(),
            nitrogen.result * f.frac_gas.value * ef4.value,
        ),
        (
            EmissionSource::ManureN2oLeaching,
            "n2o_leaching",
            "indirect N2O, leached N",
            &templates::MANURE_N2O_LEACHING,
            leached.as_slice(),
            nitrogen.result * f.frac_leach.value * ef5.value,
        ),
    ];
    let mut lines = vec![gas_line(
        EmissionSource::ManureCh4,
        ["CH4 from ", &system_name].concat(),
        Gas::Ch4,
        &ch4,
        None,
        gwp,
        trace,
    )];
    let mut n2o_n_t = Decimal::ZERO;
    for (source, id, what, template, factors_used, n2o_n) in n2o_lines {
        n2o_n_t += n2o_n.central;
        let mass = trace.record(
            [scenario, ".manure.", id].concat(),
            template,
            || {
                let factors = factors_used.iter().map(|f| f.input());
                std::iter::once(nitrogen.as_input())
                    .chain(factors)
                    .chain([n2o_n_to_n2o()])
                    .collect()
            },
            times_ratio(n2o_n, 44, 28),
        );
        lines.push(gas_line(
            source,
            [what, " from ", &system_name].concat(),
            Gas::N2o,
            &mass,
            Some(n2o_n),
            gwp,
            trace,
        ));
    }
    Scenario {
        lines,
        ch4_t: ch4.result.central,
        n2o_n_t,
    }
}

/// a - b, exactly zero when both are the same factor (the same system in both scenarios), so
/// that one factor's range is never counted twice.
fn difference(a: &FactorUse, b: &FactorUse) -> Bounds {
    if a.id == b.id {
        Bounds::ZERO
    } else {
        a.value - b.value
    }
}

fn ch4_density() -> TraceInput {
    constant(ch4_density_kg_per_m3())
}

fn n2o_n_to_n2o() -> TraceInput {
    constant(Decimal::from(44) / Decimal::from(28))
}
