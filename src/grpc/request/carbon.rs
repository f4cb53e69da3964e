//! CarbonInput -> domain carbon input, and the operating data only the mass balance and the
//! carbon estimate use (amendments, composting loss).

use std::collections::BTreeSet;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Checker, Range};
use crate::domain::carbon::factor_id::{
    self, ClimateZone, GridRegion, GwpSet, ManureSystem, Productivity, Species,
};
use crate::domain::carbon::factor_set::{FACTOR_DP, FactorLibrary, FactorSet};
use crate::domain::carbon::resolve::FactorOverride;
use crate::domain::carbon::{
    CarbonInput, EnergyKind, EnergyUse, FertilizerInput, ManureInput, NitrogenContent,
};
use crate::domain::limits::*;
use crate::domain::mass_balance::Amendment;
use crate::pb;

/// The factor set a request names (or the default), and its carbon input if it asked for one.
pub(super) fn carbon(
    check: &mut Checker,
    input: Option<&pb::CarbonInput>,
    library: &FactorLibrary,
) -> Option<(Arc<FactorSet>, Option<CarbonInput>)> {
    let Some(input) = input else {
        return Some((library.default_set().clone(), None));
    };
    let set = match library.find(&input.factor_set) {
        Some(set) => Some(set.clone()),
        None => {
            let known: Vec<String> = library.sets().map(|(s, _)| s.name()).collect();
            check.violation(
                "carbon.factor_set",
                format!(
                    "unknown factor set {:?}; this server has {}",
                    input.factor_set,
                    known.join(", ")
                ),
            );
            None
        }
    };
    let gwp_set = check.enumeration("carbon.gwp_set", input.gwp_set, |g| match g {
        pb::GwpSet::Unspecified | pb::GwpSet::Ar6 => Some(GwpSet::Ar6),
        pb::GwpSet::Ar4 => Some(GwpSet::Ar4),
        pb::GwpSet::Ar5 => Some(GwpSet::Ar5),
    });
    let manure = input
        .manure_management
        .as_ref()
        .map(|m| manure_management(check, m));
    let fertilizer = input
        .fertilizer_substitution
        .as_ref()
        .map(|f| fertilizer_substitution(check, f));
    let energy = energy_uses(check, "carbon.project_energy", &input.project_energy);
    let overrides = factor_overrides(check, &input.factor_overrides);
    if input.manure_management.is_none()
        && input.fertilizer_substitution.is_none()
        && input.project_energy.is_empty()
    {
        check.violation(
            "carbon",
            "turns on no module: give manure_management, fertilizer_substitution or \
             project_energy, or leave carbon out",
        );
    }
    let set = set?;
    let carbon = CarbonInput {
        factor_set: set.clone(),
        gwp_set: gwp_set?,
        manure: manure.valid_if_present().ok()?,
        fertilizer: fertilizer.valid_if_present().ok()?,
        energy: energy?,
        overrides: overrides?,
    };
    Some((set, Some(carbon)))
}

/// An optional module: absent is fine, present must be valid.
trait OptionalModule<T> {
    fn valid_if_present(self) -> Result<Option<T>, ()>;
}

impl<T> OptionalModule<T> for Option<Option<T>> {
    fn valid_if_present(self) -> Result<Option<T>, ()> {
        match self {
            None => Ok(None),
            Some(Some(value)) => Ok(Some(value)),
            Some(None) => Err(()),
        }
    }
}

/// A field path under the manure-management input, joined at compile time: validation runs
/// on every request, and a path is needed as text only when it names a violation.
macro_rules! mm {
    ($field:literal) => {
        concat!("carbon.manure_management.", $field)
    };
}

fn manure_management(check: &mut Checker, m: &pb::ManureManagementInput) -> Option<ManureInput> {
    let species = check.enumeration(mm!("species"), m.species, |s| match s {
        pb::Species::Unspecified => None,
        pb::Species::Layers => Some(Species::Layers),
        pb::Species::Broilers => Some(Species::Broilers),
        pb::Species::Swine => Some(Species::Swine),
        pb::Species::DairyCattle => Some(Species::DairyCattle),
    });
    let productivity = check.enumeration(mm!("productivity"), m.productivity, |p| match p {
        pb::Productivity::Unspecified => None,
        pb::Productivity::High => Some(Productivity::High),
        pb::Productivity::Low => Some(Productivity::Low),
    });
    let reason = check.text(
        mm!("productivity_reason"),
        &m.productivity_reason,
        MAX_ASSUMPTION_CHARS,
    );
    let zone = check.enumeration(mm!("climate_zone"), m.climate_zone, climate_zone);
    let baseline = check.enumeration(mm!("baseline_system"), m.baseline_system, system);
    let project = check.enumeration(mm!("project_system"), m.project_system, system);
    let vs = optional_fraction(
        check,
        mm!("volatile_solids_fraction_of_dry_matter"),
        m.volatile_solids_fraction_of_dry_matter.as_ref(),
        Range::positive(1),
    );
    use pb::manure_management_input::Nitrogen;
    let nitrogen_range = Range {
        low: Decimal::ZERO,
        low_inclusive: false,
        high: Decimal::new(2, 1),
    };
    let nitrogen = match &m.nitrogen {
        None => Some(None),
        Some(Nitrogen::NitrogenFractionOfDryMatter(v)) => check
            .decimal(
                mm!("nitrogen_fraction_of_dry_matter"),
                Some(v),
                FINE_DP,
                nitrogen_range,
            )
            .map(|v| Some(NitrogenContent::OfDryMatter(v))),
        Some(Nitrogen::NitrogenFractionOfFreshManure(v)) => check
            .decimal(
                mm!("nitrogen_fraction_of_fresh_manure"),
                Some(v),
                FINE_DP,
                nitrogen_range,
            )
            .map(|v| Some(NitrogenContent::OfFreshManure(v))),
    };
    // Poultry-only systems have no factors for other animals: say so on the field, not later.
    for (field, chosen) in [("baseline_system", baseline), ("project_system", project)] {
        if let (Some(ManureSystem::PoultryManureWithoutLitter), Some(s)) = (chosen, species)
            && s.category() != factor_id::AnimalCategory::Poultry
        {
            check.violation(
                format!("carbon.manure_management.{field}"),
                "poultry manure without litter is a system for poultry only",
            );
        }
    }
    Some(ManureInput {
        species: species?,
        productivity: productivity?,
        productivity_reason: reason?,
        climate_zone: zone?,
        baseline_system: baseline?,
        project_system: project?,
        volatile_solids_fraction_of_dry_matter: vs?,
        nitrogen: nitrogen?,
    })
}

fn climate_zone(zone: pb::ClimateZone) -> Option<ClimateZone> {
    use pb::ClimateZone as Z;
    Some(match zone {
        Z::Unspecified => return None,
        Z::CoolTemperateMoist => ClimateZone::CoolTemperateMoist,
        Z::CoolTemperateDry => ClimateZone::CoolTemperateDry,
        Z::BorealMoist => ClimateZone::BorealMoist,
        Z::BorealDry => ClimateZone::BorealDry,
        Z::WarmTemperateMoist => ClimateZone::WarmTemperateMoist,
        Z::WarmTemperateDry => ClimateZone::WarmTemperateDry,
        Z::TropicalMontane => ClimateZone::TropicalMontane,
        Z::TropicalWet => ClimateZone::TropicalWet,
        Z::TropicalMoist => ClimateZone::TropicalMoist,
        Z::TropicalDry => ClimateZone::TropicalDry,
    })
}

fn system(system: pb::ManureSystem) -> Option<ManureSystem> {
    use pb::ManureSystem as S;
    Some(match system {
        S::Unspecified => return None,
        S::SolidStorage => ManureSystem::SolidStorage,
        S::DailySpread => ManureSystem::DailySpread,
        S::UncoveredAnaerobicLagoon => ManureSystem::UncoveredAnaerobicLagoon,
        S::CompostingInVessel => ManureSystem::CompostingInVessel,
        S::CompostingStaticPile => ManureSystem::CompostingStaticPile,
        S::CompostingIntensiveWindrow => ManureSystem::CompostingIntensiveWindrow,
        S::CompostingPassiveWindrow => ManureSystem::CompostingPassiveWindrow,
        S::PoultryManureWithoutLitter => ManureSystem::PoultryManureWithoutLitter,
    })
}

/// Absent is `Some(None)`; present must be valid.
fn optional_fraction(
    check: &mut Checker,
    field: &str,
    value: Option<&pb::Decimal>,
    range: Range,
) -> Option<Option<Decimal>> {
    match value {
        None => Some(None),
        Some(v) => check.decimal(field, Some(v), FINE_DP, range).map(Some),
    }
}

/// A field path under the fertilizer-substitution input (see `mm!`).
macro_rules! fs {
    ($field:literal) => {
        concat!("carbon.fertilizer_substitution.", $field)
    };
}

fn fertilizer_substitution(
    check: &mut Checker,
    f: &pb::FertilizerSubstitutionInput,
) -> Option<FertilizerInput> {
    let mut fraction = |path: &str, value: Option<&pb::Decimal>| {
        check.decimal(path, value, FINE_DP, Range::non_negative(1))
    };
    let n = fraction(
        fs!("product_nitrogen_fraction"),
        f.product_nitrogen_fraction.as_ref(),
    );
    let p = fraction(
        fs!("product_p2o5_fraction"),
        f.product_p2o5_fraction.as_ref(),
    );
    let k = fraction(fs!("product_k2o_fraction"), f.product_k2o_fraction.as_ref());
    if let (Some(n), Some(p), Some(k)) = (n, p, k)
        && n + p + k > Decimal::ONE
    {
        check.violation(
            fs!("product_nitrogen_fraction"),
            format!(
                "N + P2O5 + K2O fractions add up to {}, more than 1",
                n + p + k
            ),
        );
    }
    let ratio = check.decimal(
        fs!("substitution_ratio"),
        f.substitution_ratio.as_ref(),
        DSCR_DP,
        Range::non_negative(1),
    );
    let basis = check.text(
        fs!("substitution_ratio_basis"),
        &f.substitution_ratio_basis,
        MAX_ASSUMPTION_CHARS,
    );
    Some(FertilizerInput {
        nitrogen_fraction: n?,
        p2o5_fraction: p?,
        k2o_fraction: k?,
        substitution_ratio: ratio?,
        substitution_ratio_basis: basis?,
    })
}

/// Energy lines at `field` (a plan's a year, a monitoring report's for its period).
pub(super) fn energy_uses(
    check: &mut Checker,
    field: &str,
    uses: &[pb::EnergyUse],
) -> Option<Vec<EnergyUse>> {
    use pb::energy_use::Use;
    check.list(field, uses, (0, MAX_LINE_ITEMS), |check, path, energy| {
        let name = check.text(&format!("{path}.name"), &energy.name, MAX_NAME_CHARS);
        let kind = match &energy.r#use {
            None => {
                check.violation(
                    format!("{path}.use"),
                    "is required: set electricity, diesel_t_per_year or diesel_litres",
                );
                None
            }
            Some(Use::Electricity(e)) => electricity(check, &format!("{path}.electricity"), e),
            Some(Use::DieselTPerYear(t)) => check
                .decimal(
                    &format!("{path}.diesel_t_per_year"),
                    Some(t),
                    FINE_DP,
                    Range::positive(MAX_DIESEL_T_PER_YEAR),
                )
                .map(EnergyKind::DieselTonnes),
            Some(Use::DieselLitres(l)) => {
                let litres = check.decimal(
                    &format!("{path}.diesel_litres.litres_per_year"),
                    l.litres_per_year.as_ref(),
                    FINE_DP,
                    Range::positive(MAX_DIESEL_L_PER_YEAR),
                );
                let density = check.decimal(
                    &format!("{path}.diesel_litres.density_kg_per_l"),
                    l.density_kg_per_l.as_ref(),
                    FINE_DP,
                    Range {
                        low: Decimal::new(7, 1),
                        low_inclusive: true,
                        high: Decimal::ONE,
                    },
                );
                Some(EnergyKind::DieselLitres {
                    litres_per_year: litres?,
                    density_kg_per_l: density?,
                })
            }
        };
        Some(EnergyUse {
            name: name?,
            kind: kind?,
        })
    })
}

fn electricity(check: &mut Checker, path: &str, e: &pb::ElectricityUse) -> Option<EnergyKind> {
    let kwh = check.decimal(
        &format!("{path}.kwh_per_year"),
        e.kwh_per_year.as_ref(),
        FINE_DP,
        Range::positive(MAX_ELECTRICITY_KWH_PER_YEAR),
    );
    let region = check.enumeration(&format!("{path}.region"), e.region, |r| match r {
        pb::GridRegion::Unspecified => None,
        pb::GridRegion::CnNational => Some(GridRegion::National),
        pb::GridRegion::CnSouthwest => Some(GridRegion::Southwest),
        pb::GridRegion::CnSichuan => Some(GridRegion::Sichuan),
    });
    let year = match e.factor_year {
        0 => Some(None),
        year => check
            .whole(&format!("{path}.factor_year"), year, 1990, 2100)
            .map(Some),
    };
    Some(EnergyKind::Electricity {
        kwh_per_year: kwh?,
        region: region?,
        factor_year: year?,
    })
}

fn factor_overrides(
    check: &mut Checker,
    overrides: &[pb::FactorOverride],
) -> Option<Vec<FactorOverride>> {
    let mut seen = BTreeSet::new();
    check.list(
        "carbon.factor_overrides",
        overrides,
        (0, MAX_LINE_ITEMS),
        |check, path, o| {
            let bounds = match factor_id::physical_bounds(&o.factor_id) {
                None => {
                    check.violation(
                        format!("{path}.factor_id"),
                        format!(
                            "{:?} is not a factor id of the method; GetFactorSet lists them",
                            o.factor_id
                        ),
                    );
                    None
                }
                Some(_) if !factor_id::overridable(&o.factor_id) => {
                    check.violation(
                        format!("{path}.factor_id"),
                        format!("{} {}", o.factor_id, factor_id::NOT_OVERRIDABLE),
                    );
                    None
                }
                Some(bounds) => {
                    if !seen.insert(o.factor_id.as_str()) {
                        check.violation(
                            format!("{path}.factor_id"),
                            format!("{} is overridden more than once", o.factor_id),
                        );
                    }
                    Some(bounds)
                }
            };
            let value = check.decimal(
                &format!("{path}.value"),
                o.value.as_ref(),
                FACTOR_DP,
                Range::symmetric(MAX_FACTOR_VALUE),
            );
            if let (Some(bounds), Some(v)) = (bounds, value)
                && !bounds.allows(v)
            {
                check.violation(
                    format!("{path}.value"),
                    format!("{} must be {} (got {v})", o.factor_id, bounds.describe()),
                );
            }
            let reason = check.text(&format!("{path}.reason"), &o.reason, MAX_ASSUMPTION_CHARS);
            Some(FactorOverride {
                factor_id: o.factor_id.clone(),
                value: value.filter(|v| bounds.is_some_and(|b| b.allows(*v)))?,
                reason: reason?,
            })
        },
    )
}

pub(super) fn amendments(check: &mut Checker, items: &[pb::Amendment]) -> Option<Vec<Amendment>> {
    check.list(
        "operations.amendments",
        items,
        (0, MAX_LINE_ITEMS),
        |check, path, a| {
            let name = check.text(&format!("{path}.name"), &a.name, MAX_NAME_CHARS);
            let tonnes = check.decimal(
                &format!("{path}.fresh_t_per_day"),
                a.fresh_t_per_day.as_ref(),
                FINE_DP,
                Range::positive(MAX_T_PER_DAY),
            );
            let dry = check.decimal(
                &format!("{path}.dry_matter_fraction"),
                a.dry_matter_fraction.as_ref(),
                FINE_DP,
                Range::positive(1),
            );
            Some(Amendment {
                name: name?,
                fresh_t_per_day: tonnes?,
                dry_matter_fraction: dry?,
            })
        },
    )
}

pub(super) fn composting_loss(
    check: &mut Checker,
    value: Option<&pb::Decimal>,
) -> Option<Option<Decimal>> {
    match value {
        None => Some(None),
        Some(v) => {
            let range = Range {
                low: Decimal::ZERO,
                low_inclusive: true,
                high: Decimal::new(9999, 4),
            };
            check
                .decimal(
                    "operations.composting_dry_matter_loss_fraction",
                    Some(v),
                    DSCR_DP,
                    range,
                )
                .map(Some)
        }
    }
}
