//! Versioned emission-factor sets: every factor with its value, unit, source range and
//! citation. One set is built into the binary; more can be loaded from files at start, so a
//! verifier can pin exactly the set an assessment used.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::factor_id::{self, PhysicalBounds};
use crate::domain::decimal_text::parse_decimal;

const BUILT_IN: &str = include_str!("../../../data/factors/ipcc2019-cn-2026.1.json");

/// Decimal places a factor value may have in a set file or an override.
pub const FACTOR_DP: u32 = 10;

/// Factors every set must hold, because any request may need them.
const CORE_FACTORS: &[&str] = &[
    "gwp.ar4.ch4",
    "gwp.ar4.n2o",
    "gwp.ar5.ch4",
    "gwp.ar5.n2o",
    "gwp.ar6.ch4",
    "gwp.ar6.n2o",
    factor_id::EF5,
    factor_id::DIESEL_NET_CALORIFIC_VALUE,
    factor_id::DIESEL_CARBON_CONTENT,
    factor_id::DIESEL_OXIDATION_FRACTION,
    factor_id::PRODUCT_MAX_MOISTURE,
];

#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub id: String,
    pub value: Decimal,
    /// The source's range; both equal the value when the source gives none.
    pub low: Decimal,
    pub high: Decimal,
    pub unit: String,
    /// Document, table or equation, and year.
    pub source: String,
    pub note: String,
    pub physical_bounds: PhysicalBounds,
}

#[derive(Debug, Clone)]
pub struct FactorSet {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    factors: BTreeMap<String, Factor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    id: String,
    version: String,
    title: String,
    description: String,
    sources: BTreeMap<String, RawSource>,
    factors: Vec<RawFactor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    year: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    id: String,
    value: String,
    unit: String,
    #[serde(default)]
    range: Option<[String; 2]>,
    source: String,
    locator: String,
    #[serde(default)]
    note: String,
}

impl FactorSet {
    pub fn built_in() -> FactorSet {
        FactorSet::from_json(BUILT_IN).expect("the built-in factor set is valid; a test checks it")
    }

    /// Parses and checks a set: known ids, exact values within physical bounds and inside
    /// their ranges, a cited source with a year for each, the core factors present.
    pub fn from_json(text: &str) -> Result<FactorSet, String> {
        let raw: RawSet = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let slug_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        if !slug_ok(&raw.id) || !slug_ok(&raw.version) {
            return Err(
                "id and version must be non-empty ASCII letters, digits, '-', '_', '.'".into(),
            );
        }
        let mut factors = BTreeMap::new();
        for f in raw.factors {
            let factor = factor(&f, &raw.sources).map_err(|e| format!("factor {:?}: {e}", f.id))?;
            if factors.insert(factor.id.clone(), factor).is_some() {
                return Err(format!("factor {:?} appears twice", f.id));
            }
        }
        if let Some(missing) = CORE_FACTORS.iter().find(|id| !factors.contains_key(**id)) {
            return Err(format!("the set lacks the core factor {missing:?}"));
        }
        Ok(FactorSet {
            id: raw.id,
            version: raw.version,
            title: raw.title,
            description: raw.description,
            factors,
        })
    }

    /// "id/version", the name requests use.
    pub fn name(&self) -> String {
        format!("{}/{}", self.id, self.version)
    }

    pub fn get(&self, id: &str) -> Option<&Factor> {
        self.factors.get(id)
    }

    pub fn factors(&self) -> impl Iterator<Item = &Factor> {
        self.factors.values()
    }

    pub fn factor_count(&self) -> usize {
        self.factors.len()
    }
}

fn factor(raw: &RawFactor, sources: &BTreeMap<String, RawSource>) -> Result<Factor, String> {
    let bounds = factor_id::physical_bounds(&raw.id).ok_or("is not a factor id of the method")?;
    let number = |text: &str| parse_decimal(text, FACTOR_DP).map_err(|e| format!("{text:?} {e}"));
    let value = number(&raw.value)?;
    let (low, high) = match &raw.range {
        Some([low, high]) => (number(low)?, number(high)?),
        None => (value, value),
    };
    if !(low <= value && value <= high) {
        return Err(format!(
            "range {low}..{high} does not contain the value {value}"
        ));
    }
    if ![low, value, high].iter().all(|v| bounds.allows(*v)) {
        return Err(format!("value or range is not {}", bounds.describe()));
    }
    let source = sources
        .get(&raw.source)
        .ok_or_else(|| format!("source {:?} is not in the set's sources", raw.source))?;
    if source.title.trim().is_empty() || raw.locator.trim().is_empty() || raw.unit.is_empty() {
        return Err("unit, source title and locator are required".into());
    }
    Ok(Factor {
        id: raw.id.clone(),
        value,
        low,
        high,
        unit: raw.unit.clone(),
        source: format!("{}, {} ({})", source.title, raw.locator, source.year),
        note: raw.note.clone(),
        physical_bounds: bounds,
    })
}

/// The sets a server can use: the built-in one (the default) and any loaded at start.
#[derive(Debug, Clone)]
pub struct FactorLibrary {
    sets: Vec<(Arc<FactorSet>, bool)>,
}

impl FactorLibrary {
    pub fn built_in() -> FactorLibrary {
        FactorLibrary {
            sets: vec![(Arc::new(FactorSet::built_in()), true)],
        }
    }

    /// Adds a set loaded from a file. A name already taken is refused, so "id/version" always
    /// means one content.
    pub fn add(&mut self, set: FactorSet) -> Result<(), String> {
        let name = set.name();
        if self.sets.iter().any(|(s, _)| s.name() == name) {
            return Err(format!("a factor set named {name} is already loaded"));
        }
        self.sets.push((Arc::new(set), false));
        Ok(())
    }

    pub fn default_set(&self) -> &Arc<FactorSet> {
        &self.sets[0].0
    }

    /// By "id/version"; the empty name is the default set.
    pub fn find(&self, name: &str) -> Option<&Arc<FactorSet>> {
        if name.is_empty() {
            return Some(self.default_set());
        }
        self.sets
            .iter()
            .map(|(set, _)| set)
            .find(|set| set.name() == name)
    }

    /// The same sets with `name` as the default, so a stored request that named no set is
    /// recomputed under the set it was assessed with; None when `name` is not loaded.
    pub fn pinned(&self, name: &str) -> Option<FactorLibrary> {
        let position = self.sets.iter().position(|(set, _)| set.name() == name)?;
        let mut sets = self.sets.clone();
        sets.swap(0, position);
        Some(FactorLibrary { sets })
    }

    /// Each set with whether it is built in; the default comes first.
    pub fn sets(&self) -> impl Iterator<Item = (&Arc<FactorSet>, bool)> {
        self.sets.iter().map(|(set, built_in)| (set, *built_in))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_loads() {
        let set = FactorSet::built_in();
        assert_eq!(set.name(), "ipcc2019-cn/2026.1");
        assert!(set.factor_count() > CORE_FACTORS.len());
        for factor in set.factors() {
            assert!(factor.source.contains('('), "{factor:?}");
        }
    }

    #[test]
    fn a_bad_set_is_refused_with_the_reason() {
        let good = BUILT_IN;
        let cases = [
            (good.replacen("\"ef5\"", "\"ef6\"", 1), "not a factor id"),
            (
                good.replacen("\"id\": \"ipcc2019-cn\"", "\"id\": \"a b\"", 1),
                "id and version",
            ),
        ];
        for (text, expected) in cases {
            let error = FactorSet::from_json(&text).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn names_are_unique_in_a_library() {
        let mut library = FactorLibrary::built_in();
        assert!(library.add(FactorSet::built_in()).is_err());
        assert!(library.find("").is_some());
        assert!(library.find("ipcc2019-cn/2026.1").is_some());
        assert!(library.find("ipcc2019-cn/2025.9").is_none());
    }
}
