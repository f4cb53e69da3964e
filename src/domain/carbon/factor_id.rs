//! The method's factor ids, e.g. `mcf.solid_storage.warm_temperate_moist`: how the engine names
//! the factor it needs, and which ids a factor set or an override may use. An id names one
//! quantity of the method; its physical bounds follow from what kind of quantity it is.

use rust_decimal::Decimal;

macro_rules! slugged {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $slug:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            fn from_slug(slug: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.slug() == slug)
            }
        }
    };
}

slugged!(Species {
    Layers => "layers",
    Broilers => "broilers",
    Swine => "swine",
    DairyCattle => "dairy_cattle",
});

slugged!(
    /// The animal categories of IPCC 2019 Table 10.22 (Frac_GasMS, Frac_LeachMS).
    AnimalCategory {
        Poultry => "poultry",
        Swine => "swine",
        DairyCattle => "dairy_cattle",
    }
);

slugged!(Productivity { High => "high", Low => "low" });

slugged!(ClimateZone {
    CoolTemperateMoist => "cool_temperate_moist",
    CoolTemperateDry => "cool_temperate_dry",
    BorealMoist => "boreal_moist",
    BorealDry => "boreal_dry",
    WarmTemperateMoist => "warm_temperate_moist",
    WarmTemperateDry => "warm_temperate_dry",
    TropicalMontane => "tropical_montane",
    TropicalWet => "tropical_wet",
    TropicalMoist => "tropical_moist",
    TropicalDry => "tropical_dry",
});

slugged!(ManureSystem {
    SolidStorage => "solid_storage",
    DailySpread => "daily_spread",
    UncoveredAnaerobicLagoon => "uncovered_anaerobic_lagoon",
    CompostingInVessel => "composting_in_vessel",
    CompostingStaticPile => "composting_static_pile",
    CompostingIntensiveWindrow => "composting_intensive_windrow",
    CompostingPassiveWindrow => "composting_passive_windrow",
    PoultryManureWithoutLitter => "poultry_manure_without_litter",
});

slugged!(
    /// The EF4 disaggregation of IPCC 2019 Vol. 4 Ch. 11 Table 11.3.
    Ef4Climate {
        Wet => "wet_climate",
        Dry => "dry_climate",
        Aggregated => "aggregated",
    }
);

slugged!(GwpSet { Ar4 => "ar4", Ar5 => "ar5", Ar6 => "ar6" });

slugged!(Gas { Ch4 => "ch4", N2o => "n2o" });

slugged!(Nutrient { N => "n", P2o5 => "p2o5", K2o => "k2o" });

slugged!(GridRegion {
    National => "national",
    Southwest => "southwest",
    Sichuan => "sichuan",
});

impl Species {
    pub fn category(self) -> AnimalCategory {
        match self {
            Species::Layers | Species::Broilers => AnimalCategory::Poultry,
            Species::Swine => AnimalCategory::Swine,
            Species::DairyCattle => AnimalCategory::DairyCattle,
        }
    }
}

impl ClimateZone {
    /// Moist and wet zones take the wet-climate EF4, dry zones the dry one; tropical montane
    /// spans both, so it takes the aggregated value.
    pub fn ef4_climate(self) -> Ef4Climate {
        use ClimateZone::*;
        match self {
            CoolTemperateMoist | BorealMoist | WarmTemperateMoist | TropicalWet | TropicalMoist => {
                Ef4Climate::Wet
            }
            CoolTemperateDry | BorealDry | WarmTemperateDry | TropicalDry => Ef4Climate::Dry,
            TropicalMontane => Ef4Climate::Aggregated,
        }
    }
}

// Ids are joined with `concat` rather than `format!`: an assessment builds a few dozen, and the
// formatting machinery cost more than the lookups.
pub fn b0(species: Species, productivity: Productivity) -> String {
    ["b0.", species.slug(), ".", productivity.slug()].concat()
}

pub fn mcf(system: ManureSystem, zone: ClimateZone) -> String {
    ["mcf.", system.slug(), ".", zone.slug()].concat()
}

pub fn ef3(system: ManureSystem) -> String {
    ["ef3.", system.slug()].concat()
}

pub fn frac_gas_ms(category: AnimalCategory, system: ManureSystem) -> String {
    ["frac_gas_ms.", category.slug(), ".", system.slug()].concat()
}

pub fn frac_leach_ms(category: AnimalCategory, system: ManureSystem) -> String {
    ["frac_leach_ms.", category.slug(), ".", system.slug()].concat()
}

pub fn ef4(climate: Ef4Climate) -> String {
    ["ef4.", climate.slug()].concat()
}

pub const EF5: &str = "ef5";

pub fn volatile_solids_fraction(species: Species) -> String {
    ["vs_fraction_of_dm.", species.slug()].concat()
}

pub fn nitrogen_fraction(species: Species) -> String {
    ["n_fraction_of_dm.", species.slug()].concat()
}

pub fn fertilizer_production(nutrient: Nutrient) -> String {
    ["fertilizer_production_tce.", nutrient.slug()].concat()
}

pub fn grid(region: GridRegion, year: u32) -> String {
    format!("grid.{}.{year}", region.slug())
}

pub const DIESEL_NET_CALORIFIC_VALUE: &str = "diesel.net_calorific_value";
pub const DIESEL_CARBON_CONTENT: &str = "diesel.carbon_content";
pub const DIESEL_OXIDATION_FRACTION: &str = "diesel.oxidation_fraction";

pub fn gwp(set: GwpSet, gas: Gas) -> String {
    ["gwp.", set.slug(), ".", gas.slug()].concat()
}

pub const PRODUCT_MAX_MOISTURE: &str = "product.max_moisture_fraction";

/// What values a quantity can physically take; a factor or an override outside them is
/// refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhysicalBounds {
    /// 0 to 1 inclusive.
    Fraction,
    /// 0 or more, less than 1.
    FractionBelowOne,
    /// 0 or more.
    NonNegative,
    /// More than 0.
    Positive,
}

impl PhysicalBounds {
    pub fn allows(self, value: Decimal) -> bool {
        match self {
            PhysicalBounds::Fraction => (Decimal::ZERO..=Decimal::ONE).contains(&value),
            PhysicalBounds::FractionBelowOne => (Decimal::ZERO..Decimal::ONE).contains(&value),
            PhysicalBounds::NonNegative => value >= Decimal::ZERO,
            PhysicalBounds::Positive => value > Decimal::ZERO,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            PhysicalBounds::Fraction => "a fraction from 0 to 1",
            PhysicalBounds::FractionBelowOne => "a fraction from 0 to less than 1",
            PhysicalBounds::NonNegative => "0 or more",
            PhysicalBounds::Positive => "more than 0",
        }
    }
}

/// GWPs belong to their published set and the product standard's moisture limit to the
/// standard: a request chooses the set, it does not edit it.
pub fn overridable(id: &str) -> bool {
    !(id.starts_with("gwp.") || id == PRODUCT_MAX_MOISTURE)
}

pub const NOT_OVERRIDABLE: &str = "is fixed by its publication and cannot be overridden: a \
GWP comes with the chosen gwp_set, the product moisture limit with its standard";

/// The bounds of a known id, or None when the method has no such factor.
pub fn physical_bounds(id: &str) -> Option<PhysicalBounds> {
    use PhysicalBounds::*;
    let parts: Vec<&str> = id.split('.').collect();
    let known = |ok: bool, bounds: PhysicalBounds| ok.then_some(bounds);
    match parts.as_slice() {
        ["b0", species, productivity] => known(
            Species::from_slug(species).is_some()
                && Productivity::from_slug(productivity).is_some(),
            NonNegative,
        ),
        ["mcf", system, zone] => known(
            ManureSystem::from_slug(system).is_some() && ClimateZone::from_slug(zone).is_some(),
            Fraction,
        ),
        ["ef3", system] => known(ManureSystem::from_slug(system).is_some(), Fraction),
        ["frac_gas_ms" | "frac_leach_ms", category, system] => known(
            AnimalCategory::from_slug(category).is_some()
                && ManureSystem::from_slug(system).is_some(),
            Fraction,
        ),
        ["ef4", climate] => known(Ef4Climate::from_slug(climate).is_some(), Fraction),
        ["ef5"] => Some(Fraction),
        ["vs_fraction_of_dm" | "n_fraction_of_dm", species] => {
            known(Species::from_slug(species).is_some(), Fraction)
        }
        ["fertilizer_production_tce", nutrient] => {
            known(Nutrient::from_slug(nutrient).is_some(), NonNegative)
        }
        ["grid", region, year] => known(
            GridRegion::from_slug(region).is_some() && grid_year(year).is_some(),
            NonNegative,
        ),
        ["diesel", "net_calorific_value" | "carbon_content"] => Some(Positive),
        ["diesel", "oxidation_fraction"] => Some(Fraction),
        ["gwp", set, gas] => known(
            GwpSet::from_slug(set).is_some() && Gas::from_slug(gas).is_some(),
            Positive,
        ),
        ["product", "max_moisture_fraction"] => Some(FractionBelowOne),
        _ => None,
    }
}

/// The data years of the grid factors of one region, from the ids present.
pub fn grid_years<'a>(region: GridRegion, ids: impl Iterator<Item = &'a str>) -> Vec<u32> {
    ids.filter_map(|id| {
        let rest = id.strip_prefix("grid.")?;
        let (slug, year) = rest.split_once('.')?;
        (slug == region.slug()).then(|| grid_year(year)).flatten()
    })
    .collect()
}

fn grid_year(text: &str) -> Option<u32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|y| (1990..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_id_is_known() {
        for &s in Species::ALL {
            for &p in Productivity::ALL {
                assert_eq!(
                    physical_bounds(&b0(s, p)),
                    Some(PhysicalBounds::NonNegative)
                );
            }
            assert!(physical_bounds(&volatile_solids_fraction(s)).is_some());
            assert!(physical_bounds(&nitrogen_fraction(s)).is_some());
        }
        for &m in ManureSystem::ALL {
            for &z in ClimateZone::ALL {
                assert_eq!(physical_bounds(&mcf(m, z)), Some(PhysicalBounds::Fraction));
            }
            assert!(physical_bounds(&ef3(m)).is_some());
        }
        assert_eq!(
            physical_bounds(&grid(GridRegion::Sichuan, 2022)),
            Some(PhysicalBounds::NonNegative)
        );
        assert_eq!(
            physical_bounds(&gwp(GwpSet::Ar6, Gas::Ch4)),
            Some(PhysicalBounds::Positive)
        );
        assert!(!overridable(&gwp(GwpSet::Ar6, Gas::Ch4)));
        assert!(!overridable(PRODUCT_MAX_MOISTURE));
        assert!(overridable(&b0(Species::Layers, Productivity::Low)));
    }

    #[test]
    fn malformed_ids_are_unknown() {
        for id in [
            "",
            "b0",
            "b0.layers",
            "b0.layers.medium",
            "mcf.lagoon.warm",
            "ef5.x",
            "grid.sichuan",
            "grid.sichuan.22",
            "grid.mars.2022",
            "B0.layers.high",
            "b0.layers.high.",
        ] {
            assert_eq!(physical_bounds(id), None, "{id:?}");
        }
    }
}
