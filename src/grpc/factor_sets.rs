//! ListFactorSets and GetFactorSet: what a client needs to know exactly which factors an
//! assessment will use, and what a FULL answer leaves out of the factors it lists.

use tonic::Status;

use crate::domain::carbon::factor_id;
use crate::domain::carbon::factor_set::{Factor, FactorLibrary, FactorSet};
use crate::domain::presentation::exact;
use crate::pb;

use super::reference::ReferenceTexts;

pub fn list(library: &FactorLibrary) -> pb::ListFactorSetsResponse {
    let default = library.default_set().name();
    pb::ListFactorSetsResponse {
        factor_sets: library
            .sets()
            .map(|(set, built_in)| pb::FactorSetSummary {
                name: set.name(),
                title: set.title.clone(),
                factor_count: u32::try_from(set.factor_count()).unwrap_or(u32::MAX),
                is_default: set.name() == default,
                built_in,
            })
            .collect(),
    }
}

/// GetFactorSet: the set named `name` (empty: the default), with its digest.
pub fn get(
    library: &FactorLibrary,
    references: &ReferenceTexts,
    name: &str,
) -> Result<pb::GetFactorSetResponse, Status> {
    let set = library.find(name).ok_or_else(|| {
        Status::not_found(format!(
            "no factor set named {:?}; see ListFactorSets",
            super::status::clipped(name, 128)
        ))
    })?;
    let mut document = references
        .factor_set(&set.name())
        .cloned()
        .ok_or_else(|| Status::internal("a loaded factor set has no document"))?;
    document.is_default = set.name() == library.default_set().name();
    Ok(document)
}

/// A set as GetFactorSet serves it, not marked default and without its digest: what the
/// digest covers.
pub fn document(set: &FactorSet) -> pb::GetFactorSetResponse {
    pb::GetFactorSetResponse {
        name: set.name(),
        title: set.title.clone(),
        description: set.description.clone(),
        is_default: false,
        factors: set.factors().map(factor).collect(),
        digest_sha256: String::new(),
    }
}

fn factor(f: &Factor) -> pb::Factor {
    let decimal = |d| Some(pb::Decimal { value: exact(d) });
    pb::Factor {
        id: f.id.clone(),
        value: decimal(f.value),
        unit: f.unit.clone(),
        low: decimal(f.low),
        high: decimal(f.high),
        source: f.source.clone(),
        note: f.note.clone(),
        physical_bounds: if factor_id::overridable(&f.id) {
            f.physical_bounds.describe().to_owned()
        } else {
            format!(
                "{}; {}",
                f.physical_bounds.describe(),
                factor_id::NOT_OVERRIDABLE
            )
        },
    }
}
