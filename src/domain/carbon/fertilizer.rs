//! Module 2: mineral fertilizer whose manufacture the organic product avoids, reported apart
//! from the reduction.

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_id::{self, Nutrient};
use super::resolve::Resolver;
use super::trace::{Trace, constant, request_input};
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
            "carbon.fertilizer_substitution.product_nitrogen_fraction",
            EmissionSource::FertilizerN,
            "N",
        ),
        (
            Nutrient::P2o5,
            input.p2o5_fraction,
            "carbon.fertilizer_substitution.product_p2o5_fraction",
            EmissionSource::FertilizerP2o5,
            "P2O5",
        ),
        (
            Nutrient::K2o,
            input.k2o_fraction,
            "carbon.fertilizer_substitution.product_k2o_fraction",
            EmissionSource::FertilizerK2o,
            "K2O",
        ),
    ]
    .into_iter()
    .map(|(nutrient, fraction, field, source, name)| {
        let factor = factors.factor(factor_id::fertilizer_production(nutrient), FIELD);
        let avoided =
            Bounds::exact(product_t_per_year * fraction * input.substitution_ratio) * factor.value;
        let step = trace.record(
            format!("avoided.fertilizer.{}", nutrient.slug()),
            (
                "avoided mineral fertilizer manufacture (Chen et al. 2015 factors)",
                "CO2e_t = P_t x f_nutrient x SR x EF_CE x 44/12",
            ),
            || {
                vec![
                    request_input(
                        "P_t",
                        product_t_per_year,
                        "t product per year",
                        "operations.product_output",
                    ),
                    request_input(
                        "f_nutrient",
                        fraction,
                        "t nutrient per t product as sold",
                        field,
                    ),
                    request_input(
                        "SR",
                        input.substitution_ratio,
                        &format!("share substituted ({})", input.substitution_ratio_basis),
                        "carbon.fertilizer_substitution.substitution_ratio",
                    ),
                    factor.input("EF_CE"),
                    constant(
                        "44/12",
                        Decimal::from(44) / Decimal::from(12),
                        "t CO2 per t C",
                        "molecular mass ratio, applied as x 44 then / 12",
                    ),
                ]
            },
            times_ratio(avoided, 44, 12),
            "t CO2e per year",
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
