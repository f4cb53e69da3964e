//! Module 3: the project's own energy emissions (grid electricity, diesel), which the
//! reduction must pay for.

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_id::{self, grid_years};
use super::resolve::Resolver;
use super::templates;
use super::trace::{StepResult, StepTemplate, Trace, TraceInput, constant, request_input_at};
use super::{EmissionLine, EmissionSource, EnergyKind, EnergyUse, LineGas, times_ratio};

pub(super) fn estimate(
    uses: &[EnergyUse],
    factors: &mut Resolver,
    trace: &mut Trace,
) -> Vec<EmissionLine> {
    uses.iter()
        .enumerate()
        .map(|(i, energy)| {
            let field = format!("carbon.project_energy[{i}]");
            let step = format!("project.energy[{i}]");
            let (source, record) = match &energy.kind {
                EnergyKind::Electricity {
                    kwh_per_year,
                    region,
                    factor_year,
                } => {
                    // A year the set lacks is the year's fault; no year at all, the region's.
                    let (year, blamed) = match factor_year {
                        Some(year) => (Some(*year), "factor_year"),
                        None => (
                            grid_years(*region, factors.known_ids()).into_iter().max(),
                            "region",
                        ),
                    };
                    let blamed = format!("{field}.electricity.{blamed}");
                    let id = match year {
                        Some(year) => factor_id::grid(*region, year),
                        None => format!("grid.{}.<any year>", region.slug()),
                    };
                    let grid = factors.factor(id, &blamed);
                    let result =
                        Bounds::exact(*kwh_per_year).per(Decimal::ONE_THOUSAND) * grid.value;
                    let inputs = || {
                        vec![
                            request_input_at(
                                *kwh_per_year,
                                None,
                                format!("{field}.electricity.kwh_per_year"),
                            ),
                            constant(Decimal::ONE_THOUSAND),
                            grid.input(),
                        ]
                    };
                    (
                        EmissionSource::Electricity,
                        trace.record(step, &templates::ENERGY_ELECTRICITY, inputs, result),
                    )
                }
                EnergyKind::DieselTonnes(tonnes) => {
                    let mass = || {
                        vec![request_input_at(
                            *tonnes,
                            None,
                            format!("{field}.diesel_t_per_year"),
                        )]
                    };
                    let tonnes = Bounds::exact(*tonnes);
                    let template = &templates::ENERGY_DIESEL_TONNES;
                    diesel((step, template), mass, tonnes, &field, factors, trace)
                }
                EnergyKind::DieselLitres {
                    litres_per_year,
                    density_kg_per_l,
                } => {
                    let inputs = || {
                        vec![
                            request_input_at(
                                *litres_per_year,
                                None,
                                format!("{field}.diesel_litres.litres_per_year"),
                            ),
                            request_input_at(
                                *density_kg_per_l,
                                None,
                                format!("{field}.diesel_litres.density_kg_per_l"),
                            ),
                        ]
                    };
                    let tonnes = Bounds::exact(*litres_per_year * *density_kg_per_l)
                        .per(Decimal::ONE_THOUSAND);
                    let template = &templates::ENERGY_DIESEL_LITRES;
                    diesel((step, template), inputs, tonnes, &field, factors, trace)
                }
            };
            EmissionLine {
                source,
                name: energy.name.clone(),
                gas: LineGas::Co2,
                gas_t_per_year: record.result,
                tco2e_per_year: record.result,
                trace_step: record.step,
            }
        })
        .collect()
}

/// CO2 of burnt diesel from its heat value, carbon content and oxidation (the NDRC method).
fn diesel(
    (step, template): (String, &'static StepTemplate),
    quantity_inputs: impl FnOnce() -> Vec<TraceInput>,
    tonnes: Bounds,
    field: &str,
    factors: &mut Resolver,
    trace: &mut Trace,
) -> (EmissionSource, StepResult) {
    let ncv = factors.factor(factor_id::DIESEL_NET_CALORIFIC_VALUE.into(), field);
    let carbon = factors.factor(factor_id::DIESEL_CARBON_CONTENT.into(), field);
    let oxidised = factors.factor(factor_id::DIESEL_OXIDATION_FRACTION.into(), field);
    let inputs = || {
        let mut inputs = quantity_inputs();
        inputs.extend([
            ncv.input(),
            carbon.input(),
            constant(Decimal::ONE_THOUSAND),
            oxidised.input(),
            constant(Decimal::from(44) / Decimal::from(12)),
        ]);
        inputs
    };
    let carbon_t = (tonnes * ncv.value * carbon.value).per(Decimal::ONE_THOUSAND) * oxidised.value;
    (
        EmissionSource::Diesel,
        trace.record(step, template, inputs, times_ratio(carbon_t, 44, 12)),
    )
}
