//! The built-in factor set's name, the hand-worked request, and the readings of a carbon result
//! the carbon tests share (trace steps, factors used, values compared with hand-worked ones).

use green_impact::pb;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::{self, dec, ends};

pub const BUILT_IN_SET: &str = "ipcc2019-cn/2026.1";

pub fn d(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

pub fn step<'a>(carbon: &'a pb::CarbonResult, id: &str) -> &'a pb::TraceStep {
    carbon
        .trace
        .iter()
        .find(|s| s.step == id)
        .unwrap_or_else(|| panic!("no trace step {id:?}"))
}

pub fn factor_use<'a>(carbon: &'a pb::CarbonResult, id: &str) -> &'a pb::FactorUse {
    carbon
        .factors_used
        .iter()
        .find(|f| f.factor_id == id)
        .unwrap_or_else(|| panic!("factor {id:?} not in factors_used"))
}

/// Compares a server value with a hand-worked one. A literal with exactly 20 decimal places is
/// a non-terminating value rounded (half away from zero) to 20 places, so the server's value is
/// rounded the same way first; any other literal is the exact value.
fn assert_worked(what: &str, server: Decimal, expected: &str) {
    let places = expected.split_once('.').map_or(0, |(_, f)| f.len());
    let server_shown = if places == 20 {
        server.round_dp_with_strategy(20, RoundingStrategy::MidpointAwayFromZero)
    } else {
        server
    };
    assert_eq!(
        server_shown,
        d(expected),
        "{what}: server {server}, by hand {expected}"
    );
}

pub fn assert_step(carbon: &pb::CarbonResult, id: &str, expected: [&str; 3]) {
    let s = step(carbon, id);
    for ((end, server), expected) in ["low", "central", "high"]
        .into_iter()
        .zip(ends(&s.result))
        .zip(expected)
    {
        assert_worked(&format!("trace {id} {end}"), server, expected);
    }
}

pub fn warning_codes(response: &pb::AssessResponse) -> Vec<&str> {
    response.warnings.iter().map(|w| w.code.as_str()).collect()
}

/// The seed request answered with every text written out: these tests read the trace and the
/// factors, which the default answer (BASIC) leaves out.
pub fn seed_request() -> pb::AssessRequest {
    common::self_contained(common::seed_request())
}

/// The seed's plant scaled down to round numbers, with every carbon module on.
pub fn hand_worked_request() -> pb::AssessRequest {
    use pb::energy_use::Use;
    let mut request = seed_request();
    let ops = request.operations.as_mut().expect("operations");
    ops.manure_fresh_t_per_day = dec("10");
    ops.operating_days_per_year = 100;
    ops.manure_dry_matter_fraction = dec("0.25");
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerDay(
        pb::Decimal { value: "3".into() },
    ));
    request.presentation = Some(pb::PresentationRules {
        emissions_dp: Some(6),
        ..Default::default()
    });
    request.carbon = Some(pb::CarbonInput {
        factor_set: String::new(),
        gwp_set: pb::GwpSet::Ar5 as i32,
        manure_management: Some(pb::ManureManagementInput {
            species: pb::Species::Layers as i32,
            productivity: pb::Productivity::High as i32,
            productivity_reason: "modern caged-layer house, high-energy feed".into(),
            climate_zone: pb::ClimateZone::WarmTemperateMoist as i32,
            baseline_system: pb::ManureSystem::SolidStorage as i32,
            project_system: pb::ManureSystem::CompostingStaticPile as i32,
            volatile_solids_fraction_of_dry_matter: dec("0.7"),
            nitrogen: Some(
                pb::manure_management_input::Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
                    value: "0.02".into(),
                }),
            ),
        }),
        fertilizer_substitution: Some(pb::FertilizerSubstitutionInput {
            product_nitrogen_fraction: dec("0.015"),
            product_p2o5_fraction: dec("0.01"),
            product_k2o_fraction: dec("0.01"),
            substitution_ratio: dec("0.5"),
            substitution_ratio_basis: "half the buyers' mineral fertilizer, survey of buyers"
                .into(),
        }),
        project_energy: vec![
            pb::EnergyUse {
                name: "aeration fans".into(),
                r#use: Some(Use::Electricity(pb::ElectricityUse {
                    kwh_per_year: dec("10000"),
                    region: pb::GridRegion::CnSichuan as i32,
                    factor_year: 2022,
                })),
            },
            pb::EnergyUse {
                name: "loader".into(),
                r#use: Some(Use::DieselLitres(pb::DieselLitres {
                    litres_per_year: dec("1000"),
                    density_kg_per_l: dec("0.84"),
                })),
            },
        ],
        factor_overrides: vec![],
    });
    request
}
