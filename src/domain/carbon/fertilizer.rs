//! Module 2: mineral fertilizer whose manufacture the organic product avoids, reported apart
//! from the reduction.

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_id::{self, Nutrient};
use super::resolve::Resolver;
use super::templates;
use super::trace::{Trace, TraceInput, constant, request_input};
use super::{EmissionLine, EmissionSource, FertilizerInput, LineGas, times_ratio};

const FIELD: &str = "carbon.fertilizer_substitution";

pub(super) fn estimate(
    input: &FertilizerInput,
    product_t_per_year: Decimal,
    factors: &mut Resolver,
    trace: &mut Trace,
) -> Vec<EmissionLine> {
    [
        (
            Nutrient::N,
            input.nitrogen_fraction,
            &templates::AVOIDED_FERTILIZER_N,
            EmissionSource::FertilizerN,
            "N",
        ),
        (
            Nutrient::P2o5,
            input.p2o5_fraction,
            &templates::AVOIDED_FERTILIZER_P2O5,
            EmissionSource::FertilizerP2o5,
            "P2O5",
        ),
        (
            Nutrient::K2o,
            input.k2o_fraction,
            &templates::AVOIDED_FERTILIZER_K2O,
            EmissionSource::FertilizerK2o,
            "K2O",
        ),
    ]
    .into_iter()
    .map(|(nutrient, fraction, template, source, name)| {
        let factor = factors.factor(factor_id::fertilizer_production(nutrient), FIELD);
        let avoided =
            Bounds::exact(product_t_per_year * fraction * input.substitution_ratio) * factor.value;
        let step = trace.record(
            format!("avoided.fertilizer.{}", nutrient.slug()),
            template,
            || {
                let basis = format!("share substituted ({})", input.substitution_ratio_basis);
                vec![
                    request_input(product_t_per_year),
                    request_input(fraction),
                    TraceInput {
                        unit: Some(basis.into()),
                        ..request_input(input.substitution_ratio)
                    },
                    factor.input(),
                    constant(Decimal::from(44) / Decimal::from(12)),
                ]
            },
            times_ratio(avoided, 44, 12),
        );
        EmissionLine {
            source,
            name: format!("{name} fertilizer manufacture avoided"),
            gas: LineGas::Co2e,
            gas_t_per_year: step.result,
            tco2e_per_year: step.result,
            trace_step: step.step,
        }
    })
    .collect()
}
