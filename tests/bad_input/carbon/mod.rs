//! The carbon block of the request: the edits of it the carbon modules share.

mod accepted;
mod energy;
mod factor_sets_and_modules;
mod manure_module;
mod mass_balance;
mod overrides;

use green_impact::pb;
use rust_decimal::Decimal;

use crate::common::{self, dec, seed_request};

pub fn carbon(request: &mut pb::AssessRequest) -> &mut pb::CarbonInput {
    request.carbon.as_mut().expect("seed request has carbon")
}

pub fn manure(request: &mut pb::AssessRequest) -> &mut pb::ManureManagementInput {
    carbon(request)
        .manure_management
        .as_mut()
        .expect("seed request has manure management")
}

pub fn factor_override(factor_id: &str, value: &str, reason: &str) -> pb::FactorOverride {
    pb::FactorOverride {
        factor_id: factor_id.to_owned(),
        value: dec(value),
        reason: reason.to_owned(),
    }
}

/// The seed request with one override.
pub fn with_override(factor_id: &str, value: &str) -> pb::AssessRequest {
    let mut request = seed_request();
    carbon(&mut request).factor_overrides =
        vec![factor_override(factor_id, value, "lab analysis, 2025")];
    request
}

pub fn electricity(kwh: &str, region: i32, factor_year: u32) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
        kwh_per_year: dec(kwh),
        region,
        factor_year,
    }))
}

pub fn diesel_tonnes(tonnes: &str) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::DieselTPerYear(pb::Decimal {
        value: tonnes.to_owned(),
    }))
}

pub fn diesel_litres(litres: &str, density: Option<&str>) -> Option<pb::energy_use::Use> {
    Some(pb::energy_use::Use::DieselLitres(pb::DieselLitres {
        litres_per_year: dec(litres),
        density_kg_per_l: density.and_then(dec),
    }))
}

/// The seed request with one energy line.
pub fn with_energy(name: &str, r#use: Option<pb::energy_use::Use>) -> pb::AssessRequest {
    let mut request = seed_request();
    carbon(&mut request).project_energy = vec![pb::EnergyUse {
        name: name.to_owned(),
        r#use,
    }];
    request
}

/// A valid fertilizer substitution block: 2% N, 1.5% P2O5, 1% K2O, half substituted.
pub fn fertilizer() -> pb::FertilizerSubstitutionInput {
    pb::FertilizerSubstitutionInput {
        product_nitrogen_fraction: dec("0.02"),
        product_p2o5_fraction: dec("0.015"),
        product_k2o_fraction: dec("0.01"),
        substitution_ratio: dec("0.5"),
        substitution_ratio_basis: "buyers' survey, 2025".to_owned(),
    }
}

/// The seed request with fertilizer substitution on, after `edit`.
pub fn with_fertilizer(
    edit: impl FnOnce(&mut pb::FertilizerSubstitutionInput),
) -> pb::AssessRequest {
    let mut request = seed_request();
    let mut f = fertilizer();
    edit(&mut f);
    carbon(&mut request).fertilizer_substitution = Some(f);
    request
}

pub fn amendment(name: &str, fresh_t_per_day: &str, dry_matter_fraction: &str) -> pb::Amendment {
    pb::Amendment {
        name: name.to_owned(),
        fresh_t_per_day: dec(fresh_t_per_day),
        dry_matter_fraction: dec(dry_matter_fraction),
    }
}

pub fn with_emissions_dp(emissions_dp: u32) -> pb::AssessRequest {
    let mut request = seed_request();
    request.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: Some(emissions_dp),
    });
    request
}

/// A presented decimal as a number, so "7.5" and "7.5000" compare equal.
pub fn number(decimal: &Option<pb::Decimal>) -> Decimal {
    common::value(decimal)
        .parse()
        .unwrap_or_else(|e| panic!("{decimal:?} is not a decimal: {e}"))
}

pub fn swine(request: &mut pb::AssessRequest) {
    manure(request).species = pb::Species::Swine as i32;
}

/// The `i`-th of the 80 well-formed MCF ids (8 systems x 10 zones).
pub fn mcf_id(i: usize) -> String {
    const SYSTEMS: [&str; 8] = [
        "solid_storage",
        "daily_spread",
        "uncovered_anaerobic_lagoon",
        "composting_in_vessel",
        "composting_static_pile",
        "composting_intensive_windrow",
        "composting_passive_windrow",
        "poultry_manure_without_litter",
    ];
    const ZONES: [&str; 10] = [
        "cool_temperate_moist",
        "cool_temperate_dry",
        "boreal_moist",
        "boreal_dry",
        "warm_temperate_moist",
        "warm_temperate_dry",
        "tropical_montane",
        "tropical_wet",
        "tropical_moist",
        "tropical_dry",
    ];
    format!("mcf.{}.{}", SYSTEMS[i / 10], ZONES[i % 10])
}
