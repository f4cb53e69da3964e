//! ListFactorSets and GetFactorSet: what a client needs to know exactly which factors an
//! assessment will use, and what a FULL answer leaves out of the factors it lists (the
//! documents themselves are built by `reference`).

use tonic::Status;

use crate::domain::carbon::factor_set::FactorLibrary;
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
