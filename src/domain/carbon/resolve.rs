//! Looks factors up in the chosen set, applies the request's overrides, and keeps the list of
//! every factor used. A factor the set lacks is collected as a problem with the request field
//! that asked for it, so every gap is reported at once.

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::bounds::Bounds;
use super::factor_set::FactorSet;
use super::trace::{InputOrigin, TraceInput};

#[derive(Debug, Clone, PartialEq)]
pub struct FactorOverride {
    pub factor_id: String,
    pub value: Decimal,
    pub reason: String,
}

/// One factor as used: what it was, where it came from, the range that went into the bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorUse {
    pub id: String,
    pub value: Bounds,
    pub unit: String,
    pub origin: InputOrigin,
    pub source: String,
    pub note: String,
}

impl FactorUse {
    pub fn input(&self) -> TraceInput {
        TraceInput {
            value: self.value,
            origin: self.origin,
            unit: Some(Cow::Owned(self.unit.clone())),
            reference: Some(self.id.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFactor {
    pub factor_id: String,
    /// The request field whose value made the factor necessary.
    pub field: String,
}

/// A factor is looked up once and then shared by every step that uses it: its texts (the
/// source and note run to hundreds of characters) are not copied for each.
pub struct Resolver<'a> {
    set: &'a FactorSet,
    overrides: &'a [FactorOverride],
    used: Vec<Arc<FactorUse>>,
    pub missing: Vec<MissingFactor>,
}

impl<'a> Resolver<'a> {
    pub fn new(set: &'a FactorSet, overrides: &'a [FactorOverride]) -> Resolver<'a> {
        Resolver {
            set,
            overrides,
            used: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// The factor `id`, overridden if the request says so. When the set lacks it the gap is
    /// recorded against `field` and a zero stands in; the caller must check `missing` before
    /// using any result.
    pub fn factor(&mut self, id: String, field: &str) -> Arc<FactorUse> {
        self.lookup(id, field, InputOrigin::Factor)
    }

    /// A site parameter the request left out, taken from the set's default for it.
    pub fn default_for_missing_input(&mut self, id: String, field: &str) -> Arc<FactorUse> {
        self.lookup(id, field, InputOrigin::DefaultForMissingInput)
    }

    fn lookup(&mut self, id: String, field: &str, origin: InputOrigin) -> Arc<FactorUse> {
        if let Some(used) = self.used.iter().find(|u| u.id == id) {
            return Arc::clone(used);
        }
        let from_set = self.set.get(&id);
        let replacement = self.overrides.iter().find(|o| o.factor_id == id);
        let used = match (replacement, from_set) {
            (Some(o), _) => FactorUse {
                value: Bounds::exact(o.value),
                unit: from_set
                    .map_or_else(|| "as the method defines it".to_owned(), |f| f.unit.clone()),
                origin: InputOrigin::FactorOverride,
                source: format!("request override: {}", o.reason),
                note: match from_set {
                    Some(f) => format!(
                        "replaces the value {} (range {} to {}) of {}",
                        f.value,
                        f.low,
                        f.high,
                        self.set.name()
                    ),
                    None => format!("{} has no value for this factor", self.set.name()),
                },
                id,
            },
            (None, Some(f)) => FactorUse {
                value: Bounds::ranged(f.low, f.value, f.high),
                unit: f.unit.clone(),
                origin,
                source: f.source.clone(),
                note: f.note.clone(),
                id,
            },
            (None, None) => {
                self.missing.push(MissingFactor {
                    factor_id: id.clone(),
                    field: field.to_owned(),
                });
                return Arc::new(FactorUse {
                    id,
                    value: Bounds::ZERO,
                    unit: String::new(),
                    origin,
                    source: String::new(),
                    note: String::new(),
                });
            }
        };
        let used = Arc::new(used);
        self.used.push(Arc::clone(&used));
        used
    }

    /// Every factor used, in the order first asked for; copied only where a caller still holds
    /// one (the GWPs).
    pub fn into_used(self) -> Vec<FactorUse> {
        self.used.into_iter().map(Arc::unwrap_or_clone).collect()
    }

    /// Ids that the request overrode but the calculation never asked for.
    pub fn unused_overrides(&self) -> impl Iterator<Item = &FactorOverride> {
        self.overrides
            .iter()
            .filter(|o| !self.used.iter().any(|u| u.id == o.factor_id))
    }

    /// Every id with a value, in the set or among the overrides.
    pub fn known_ids(&self) -> impl Iterator<Item = &str> {
        self.set
            .factors()
            .map(|f| f.id.as_str())
            .chain(self.overrides.iter().map(|o| o.factor_id.as_str()))
    }
}
