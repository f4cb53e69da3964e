//! The carbon-reduction estimate: baseline vs project manure management (IPCC 2019 Vol. 4
//! Ch. 10), avoided mineral-fertilizer production, and the project's energy, each a module with
//! its own trace lines, on factors from a versioned, cited set.

pub mod attribution;
pub mod bounds;
mod energy;
pub mod factor_id;
pub mod factor_set;
mod fertilizer;
mod manure;
pub mod resolve;
pub mod templates;
pub mod trace;

use std::sync::Arc;

use rust_decimal::Decimal;

use self::bounds::Bounds;
use self::factor_id::{ClimateZone, Gas, GridRegion, GwpSet, ManureSystem, Productivity, Species};
use self::factor_set::FactorSet;
use self::resolve::{FactorOverride, FactorUse, MissingFactor, Resolver};
use self::trace::{StepResult, Trace, TraceStep, Tracing};
use super::Warning;
use super::economics::AnnualFigures;

pub const FRAMEWORK: &str = "baseline and project manure management both by IPCC 2019 \
Refinement Vol. 4 Ch. 10 (CH4 by Eq. 10.23 with B0 and MCF; direct N2O by Eq. 10.25 with EF3; \
indirect N2O from volatilisation and leaching with Frac_GasMS, Frac_LeachMS, EF4 and EF5), on the \
measured fresh manure, its dry matter, volatile solids and nitrogen; the Vol. 5 Ch. 4 composting \
factors are not used, so both scenarios share one basis. Avoided fertilizer manufacture uses \
Chinese cradle-to-gate factors per tonne of nutrient (Chen, Lu & Wang 2015); project energy \
uses grid and fuel factors. Soil carbon is not estimated";

pub const BOUNDS_MEANING: &str = "low and high take every factor with a published range to the \
end of its range that lowers or raises the figure (interval arithmetic, each ranged factor \
entering once; the reduction is computed on baseline-minus-project differences, so factors \
common to both scenarios cancel). This is a bound over the source ranges, not a confidence \
interval. Factors without a published range, request inputs and overrides are exact. \
total.low = manure_management.low - project_energy.high + avoided.low, and likewise for high";

#[derive(Debug, Clone)]
pub struct CarbonInput {
    pub factor_set: Arc<FactorSet>,
    pub gwp_set: GwpSet,
    pub manure: Option<ManureInput>,
    pub fertilizer: Option<FertilizerInput>,
    pub energy: Vec<EnergyUse>,
    pub overrides: Vec<FactorOverride>,
}

#[derive(Debug, Clone)]
pub struct ManureInput {
    pub species: Species,
    pub productivity: Productivity,
    pub productivity_reason: String,
    pub climate_zone: ClimateZone,
    pub baseline_system: ManureSystem,
    pub project_system: ManureSystem,
    pub volatile_solids_fraction_of_dry_matter: Option<Decimal>,
    pub nitrogen: Option<NitrogenContent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NitrogenContent {
    OfDryMatter(Decimal),
    OfFreshManure(Decimal),
}

#[derive(Debug, Clone)]
pub struct FertilizerInput {
    pub nitrogen_fraction: Decimal,
    pub p2o5_fraction: Decimal,
    pub k2o_fraction: Decimal,
    pub substitution_ratio: Decimal,
    pub substitution_ratio_basis: String,
}

#[derive(Debug, Clone)]
pub struct EnergyUse {
    pub name: String,
    pub kind: EnergyKind,
}

#[derive(Debug, Clone)]
pub enum EnergyKind {
    Electricity {
        kwh_per_year: Decimal,
        region: GridRegion,
        /// None: the latest year the set (or an override) has for the region.
        factor_year: Option<u32>,
    },
    DieselTonnes(Decimal),
    DieselLitres {
        litres_per_year: Decimal,
        density_kg_per_l: Decimal,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmissionSource {
    ManureCh4,
    ManureN2oDirect,
    ManureN2oVolatilisation,
    ManureN2oLeaching,
    Electricity,
    Diesel,
    FertilizerN,
    FertilizerP2o5,
    FertilizerK2o,
}

/// The gas a line's mass is of; `Co2e` for factors that already combine gases (fertilizer manufacture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineGas {
    Ch4,
    N2o,
    Co2,
    Co2e,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmissionLine {
    pub source: EmissionSource,
    pub name: String,
    pub gas: LineGas,
    pub gas_t_per_year: Bounds,
    pub tco2e_per_year: Bounds,
    pub trace_step: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GasReduction {
    pub gas: LineGas,
    pub gas_t_per_year: Bounds,
    pub tco2e_per_year: Bounds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gwp {
    pub set: GwpSet,
    pub ch4: Arc<FactorUse>,
    pub n2o: Arc<FactorUse>,
}

impl Gwp {
    fn of(&self, gas: Gas) -> &FactorUse {
        match gas {
            Gas::Ch4 => &self.ch4,
            Gas::N2o => &self.n2o,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CarbonEstimate {
    pub factor_set_name: String,
    pub gwp: Gwp,
    pub baseline_system: Option<ManureSystem>,
    pub project_system: Option<ManureSystem>,
    pub baseline_lines: Vec<EmissionLine>,
    /// Manure lines first, then energy lines.
    pub project_lines: Vec<EmissionLine>,
    pub avoided_lines: Vec<EmissionLine>,
    pub manure_by_gas: Vec<GasReduction>,
    pub manure_management_tco2e: Bounds,
    pub project_energy_tco2e: Bounds,
    pub emission_reduction_tco2e: Bounds,
    pub avoided_tco2e: Bounds,
    pub total_tco2e: Bounds,
    pub factors_used: Vec<FactorUse>,
    pub trace: Vec<TraceStep>,
    pub warnings: Vec<Warning>,
}

impl CarbonEstimate {
    pub fn baseline_total(&self) -> Bounds {
        self.baseline_lines.iter().map(|l| l.tco2e_per_year).sum()
    }

    pub fn project_total(&self) -> Bounds {
        self.project_lines.iter().map(|l| l.tco2e_per_year).sum()
    }
}

/// Estimates the annual reduction; every factor the set lacks (and no override supplies) is
/// returned with the request field that needed it.
pub fn estimate(
    input: &CarbonInput,
    annual: &AnnualFigures,
    operating_days_per_year: u32,
    tracing: Tracing,
) -> Result<CarbonEstimate, Vec<MissingFactor>> {
    let mut factors = Resolver::new(&input.factor_set, &input.overrides);
    let mut trace = Trace::new(tracing);
    let mut warnings = Vec::new();
    let gwp = Gwp {
        set: input.gwp_set,
        ch4: factors.factor(factor_id::gwp(input.gwp_set, Gas::Ch4), "carbon.gwp_set"),
        n2o: factors.factor(factor_id::gwp(input.gwp_set, Gas::N2o), "carbon.gwp_set"),
    };

    let manure = input.manure.as_ref().map(|m| {
        manure::estimate(
            m,
            annual,
            operating_days_per_year,
            &gwp,
            &mut factors,
            &mut trace,
            &mut warnings,
        )
    });
    let energy_lines = energy::estimate(&input.energy, &mut factors, &mut trace);
    let avoided_lines = input.fertilizer.as_ref().map_or_else(Vec::new, |f| {
        fertilizer::estimate(f, annual.product_t_per_year, &mut factors, &mut trace)
    });

    for unused in factors.unused_overrides() {
        warnings.push(Warning {
            code: "FACTOR_OVERRIDE_UNUSED",
            field: "carbon.factor_overrides",
            message: format!(
                "the override of {} was not used: no module of this request needs that factor",
                unused.factor_id
            ),
        });
    }
    if !factors.missing.is_empty() {
        return Err(factors.missing);
    }

    let (baseline_lines, mut project_lines, manure_by_gas) = match manure {
        Some(m) => (m.baseline_lines, m.project_lines, m.by_gas),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let manure_management_tco2e: Bounds = manure_by_gas.iter().map(|g| g.tco2e_per_year).sum();
    let project_energy_tco2e: Bounds = energy_lines.iter().map(|l| l.tco2e_per_year).sum();
    project_lines.extend(energy_lines);
    let emission_reduction_tco2e = manure_management_tco2e - project_energy_tco2e;
    let avoided_tco2e: Bounds = avoided_lines.iter().map(|l| l.tco2e_per_year).sum();
    let total_tco2e = emission_reduction_tco2e + avoided_tco2e;
    if total_tco2e.central < Decimal::ZERO {
        warnings.push(Warning {
            code: "NEGATIVE_REDUCTION",
            field: "carbon",
            message: "the project emits more than the baseline, even counting avoided \
                      fertilizer production"
                .into(),
        });
    }
    Ok(CarbonEstimate {
        factor_set_name: input.factor_set.name(),
        gwp,
        baseline_system: input.manure.as_ref().map(|m| m.baseline_system),
        project_system: input.manure.as_ref().map(|m| m.project_system),
        baseline_lines,
        project_lines,
        avoided_lines,
        manure_by_gas,
        manure_management_tco2e,
        project_energy_tco2e,
        emission_reduction_tco2e,
        avoided_tco2e,
        total_tco2e,
        factors_used: factors.into_used(),
        trace: trace.steps,
        warnings,
    })
}

/// The factors `energy` would need that neither the set nor the overrides of `input` supply,
/// each with its `carbon.project_energy[i]` field; for checking energy reported later against
/// an assessment whose set is fixed.
pub fn missing_energy_factors(input: &CarbonInput, energy: &[EnergyUse]) -> Vec<MissingFactor> {
    let mut factors = Resolver::new(&input.factor_set, &input.overrides);
    energy::estimate(energy, &mut factors, &mut Trace::new(Tracing::Skipped));
    factors.missing
}

/// A gas mass's CO2e: the mass times the GWP, recorded as its own trace step. N2O passes its
/// N2O-N mass so that the 44/28 division comes last and the result stays exact whenever it
/// can be.
fn co2e(
    gas: Gas,
    mass: &StepResult,
    n2o_n: Option<Bounds>,
    gwp: &Gwp,
    trace: &mut Trace,
) -> Bounds {
    let factor = gwp.of(gas);
    let result = match n2o_n {
        Some(n2o_n) => times_ratio(n2o_n * factor.value, 44, 28),
        None => mass.result * factor.value,
    };
    let template = match gas {
        Gas::Ch4 => &templates::CO2E_CH4,
        Gas::N2o => &templates::CO2E_N2O,
    };
    trace.record(
        [mass.step.as_str(), ".co2e"].concat(),
        template,
        || vec![mass.as_input(), factor.input()],
        result,
    );
    result
}

fn line_gas(gas: Gas) -> LineGas {
    match gas {
        Gas::Ch4 => LineGas::Ch4,
        Gas::N2o => LineGas::N2o,
    }
}

/// An emission line of CH4 or N2O with its CO2e step.
fn gas_line(
    source: EmissionSource,
    name: String,
    gas: Gas,
    mass: &StepResult,
    n2o_n: Option<Bounds>,
    gwp: &Gwp,
    trace: &mut Trace,
) -> EmissionLine {
    EmissionLine {
        source,
        name,
        gas: line_gas(gas),
        gas_t_per_year: mass.result,
        tco2e_per_year: co2e(gas, mass, n2o_n, gwp, trace),
        trace_step: mass.step.clone(),
    }
}

/// Molecular-mass ratios are applied as "multiply, then divide" so that the only rounding is
/// the final division at 28 significant digits.
fn times_ratio(value: Bounds, numerator: i64, denominator: i64) -> Bounds {
    (value * Decimal::from(numerator)).per(Decimal::from(denominator))
}

/// The seed's manure: layers, low productivity, warm temperate moist, solid storage before,
/// `project_system` after, the set's defaults for volatile solids and nitrogen; for tests.
#[cfg(test)]
pub(crate) fn seed_manure(project_system: ManureSystem) -> ManureInput {
    ManureInput {
        species: Species::Layers,
        productivity: Productivity::Low,
        productivity_reason: "IPCC Tier 1 default for Asia".into(),
        climate_zone: ClimateZone::WarmTemperateMoist,
        baseline_system: ManureSystem::SolidStorage,
        project_system,
        volatile_solids_fraction_of_dry_matter: None,
        nitrogen: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::economics::seed_operations;

    /// Every module and every kind of energy, so that each step is recorded (or skipped).
    fn every_module() -> (CarbonInput, AnnualFigures) {
        let dec = |text: &str| text.parse::<Decimal>().unwrap();
        let input = CarbonInput {
            factor_set: Arc::new(FactorSet::built_in()),
            gwp_set: GwpSet::Ar6,
            manure: Some(ManureInput {
                nitrogen: Some(NitrogenContent::OfFreshManure(dec("0.0145"))),
                ..seed_manure(ManureSystem::CompostingInVessel)
            }),
            fertilizer: Some(FertilizerInput {
                nitrogen_fraction: dec("0.02"),
                p2o5_fraction: dec("0.015"),
                k2o_fraction: dec("0.01"),
                substitution_ratio: dec("0.5"),
                substitution_ratio_basis: "field trials".into(),
            }),
            energy: vec![
                EnergyUse {
                    name: "plant".into(),
                    kind: EnergyKind::Electricity {
                        kwh_per_year: dec("120000"),
                        region: GridRegion::Sichuan,
                        factor_year: None,
                    },
                },
                EnergyUse {
                    name: "loader".into(),
                    kind: EnergyKind::DieselTonnes(dec("3.5")),
                },
                EnergyUse {
                    name: "truck".into(),
                    kind: EnergyKind::DieselLitres {
                        litres_per_year: dec("2000"),
                        density_kg_per_l: dec("0.84"),
                    },
                },
            ],
            overrides: vec![],
        };
        (input, AnnualFigures::of(&seed_operations()))
    }

    #[test]
    fn a_skipped_trace_changes_nothing_but_the_trace() {
        let (input, annual) = every_module();
        let kept = estimate(&input, &annual, 365, Tracing::Kept).unwrap();
        let skipped = estimate(&input, &annual, 365, Tracing::Skipped).unwrap();
        assert!(skipped.trace.is_empty());
        // Every line cites a step the kept trace holds, under the same name either way.
        let steps: Vec<&str> = kept.trace.iter().map(|s| s.step.as_str()).collect();
        let lines = || {
            kept.baseline_lines
                .iter()
                .chain(&kept.project_lines)
                .chain(&kept.avoided_lines)
        };
        assert_eq!(lines().count(), 4 + 4 + 3 + 3);
        for line in lines() {
            assert!(
                steps.contains(&line.trace_step.as_str()),
                "{}",
                line.trace_step
            );
        }
        assert!(kept.trace.iter().all(|s| !s.inputs.is_empty()));
        assert_eq!(
            CarbonEstimate {
                trace: Vec::new(),
                ..kept
            },
            skipped
        );
    }
}
