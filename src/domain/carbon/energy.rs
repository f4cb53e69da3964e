//! Module 3: the project's own energy emissions (grid electricity, diesel), which the
//! reduction must pay for.

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_id::{self, grid_years};
use super::resolve::Resolver;
use super::trace::{StepResult, Trace, TraceInput, constant, request_input};
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
                            request_input(
                                "E_kWh",
                                *kwh_per_year,
                                "kWh per year",
                                &format!("{field}.electricity.kwh_per_year"),
                            ),
                            constant(
                                "1000",
                                Decimal::ONE_THOUSAND,
                                "kWh per MWh",
                                "unit conversion",
                            ),
                            grid.input("EF_grid"),
                        ]
                    };
                    (
                        EmissionSource::Electricity,
                        trace.record(
                            step,
                            (
                                "grid electricity, location-based average factor",
                                "CO2_t = E_kWh / 1000 x EF_grid",
                            ),
                            inputs,
                            result,
                            "t CO2 per year",
                        ),
                    )
                }
                EnergyKind::DieselTonnes(tonnes) => {
                    let mass = || {
                        vec![request_input(
                            "D_t",
                            *tonnes,
                            "t diesel per year",
                            &format!("{field}.diesel_t_per_year"),
                        )]
                    };
                    diesel(step, mass, Bounds::exact(*tonnes), &field, factors, trace)
                }
                EnergyKind::DieselLitres {
                    litres_per_year,
                    density_kg_per_l,
                } => {
                    let inputs = || {
                        vec![
                            request_input(
                                "D_L",
                                *litres_per_year,
                                "L diesel per year",
                                &format!("{field}.diesel_litres.litres_per_year"),
                            ),
                            request_input(
                                "rho",
                                *density_kg_per_l,
                                "kg per L",
                                &format!("{field}.diesel_litres.density_kg_per_l"),
                            ),
                        ]
                    };
                    let tonnes = Bounds::exact(*litres_per_year * *density_kg_per_l)
                        .per(Decimal::ONE_THOUSAND);
                    diesel(step, inputs, tonnes, &field, factors, trace)
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
    step: String,
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
            ncv.input("NCV"),
            carbon.input("CC"),
            constant(
                "1000",
                Decimal::ONE_THOUSAND,
                "GJ per TJ",
                "unit conversion",
            ),
            oxidised.input("OF"),
            constant(
                "44/12",
                Decimal::from(44) / Decimal::from(12),
                "t CO2 per t C",
                "molecular mass ratio, applied as x 44 then / 12",
            ),
        ]);
        inputs
    };
    let carbon_t = (tonnes * ncv.value * carbon.value).per(Decimal::ONE_THOUSAND) * oxidised.value;
    (
        EmissionSource::Diesel,
        trace.record(
            step,
            (
                "fuel combustion, NDRC enterprise GHG accounting guidelines",
                "CO2_t = D_t x NCV x CC / 1000 x OF x 44/12",
            ),
            inputs,
            times_ratio(carbon_t, 44, 12),
            "t CO2 per year",
        ),
    )
}
