//! The reference texts a FULL answer refers to by id: the methodology's trace-step templates
//! (GetMethodology) and every loaded factor set (GetFactorSet), each with the digest a record's
//! seal pins. Built once at start; the digest of a document is SHA-256 of its protobuf
//! encoding with the digest field empty, so anyone holding the document can check it.

use prost::Message;
use sha2::{Digest, Sha256};
use tonic::Status;

use crate::domain::METHODOLOGY_VERSION;
use crate::domain::carbon::factor_id;
use crate::domain::carbon::factor_set::{Factor, FactorLibrary, FactorSet};
use crate::domain::carbon::templates::STEP_TEMPLATES;
use crate::domain::presentation::exact;
use crate::pb;

pub struct ReferenceTexts {
    methodology: pb::GetMethodologyResponse,
    /// Each loaded set by name, as GetFactorSet serves it (is_default false).
    factor_sets: Vec<pb::GetFactorSetResponse>,
}

fn sha256_hex<M: Message>(message: &M) -> String {
    hex::encode(Sha256::digest(message.encode_to_vec()))
}

/// The methodology document of this server's version, with its digest.
pub fn methodology() -> pb::GetMethodologyResponse {
    let mut document = pb::GetMethodologyResponse {
        methodology_version: METHODOLOGY_VERSION.to_owned(),
        step_templates: STEP_TEMPLATES
            .iter()
            .map(|t| pb::StepTemplate {
                id: t.id.to_owned(),
                equation: t.equation.to_owned(),
                expression: t.expression.to_owned(),
                inputs: t
                    .inputs
                    .iter()
                    .map(|i| pb::TemplateInput {
                        symbol: i.symbol.to_owned(),
                        unit: i.unit.to_owned(),
                        reference: i.reference.to_owned(),
                    })
                    .collect(),
                result_unit: t.result_unit.to_owned(),
            })
            .collect(),
        digest_sha256: String::new(),
    };
    document.digest_sha256 = sha256_hex(&document);
    document
}

impl ReferenceTexts {
    pub fn new(library: &FactorLibrary) -> ReferenceTexts {
        ReferenceTexts {
            methodology: methodology(),
            factor_sets: library
                .sets()
                .map(|(set, _)| {
                    let mut document = document(set);
                    document.digest_sha256 = sha256_hex(&document);
                    document
                })
                .collect(),
        }
    }

    /// The methodology document of `version` (empty: this server's), or NOT_FOUND.
    pub fn methodology(&self, version: &str) -> Result<&pb::GetMethodologyResponse, Status> {
        if version.is_empty() || version == self.methodology.methodology_version {
            return Ok(&self.methodology);
        }
        Err(Status::not_found(format!(
            "this server runs methodology {} and holds its texts only, not {:?}'s",
            self.methodology.methodology_version,
            super::status::clipped(version, 64)
        )))
    }

    pub fn methodology_digest(&self) -> &str {
        &self.methodology.digest_sha256
    }

    /// A loaded factor set's document (is_default false), by name.
    pub fn factor_set(&self, name: &str) -> Option<&pb::GetFactorSetResponse> {
        self.factor_sets.iter().find(|set| set.name == name)
    }

    pub fn factor_set_digest(&self, name: &str) -> Option<&str> {
        self.factor_set(name).map(|set| set.digest_sha256.as_str())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest of this methodology version's texts. A change to any template text changes
    /// what stored records mean: it needs a new METHODOLOGY_VERSION, and then this digest.
    const METHODOLOGY_1_3_0_DIGEST: &str =
        "8650112033d28fa74bd720d83b5482f642732504e0df61c9fb754ffb3b17c80a";

    #[test]
    fn the_methodology_texts_are_the_ones_this_version_pinned() {
        let document = methodology();
        assert_eq!(document.methodology_version, "green-impact/1.3.0");
        assert_eq!(document.digest_sha256, METHODOLOGY_1_3_0_DIGEST);
        let mut ids: Vec<&str> = STEP_TEMPLATES.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), STEP_TEMPLATES.len(), "template ids are unique");
    }

    #[test]
    fn a_digest_is_the_hash_of_the_document_without_it() {
        let document = methodology();
        let mut without = document.clone();
        without.digest_sha256.clear();
        assert_eq!(
            document.digest_sha256,
            hex::encode(Sha256::digest(without.encode_to_vec()))
        );
        let references = ReferenceTexts::new(&FactorLibrary::built_in());
        let set = references.factor_set("ipcc2019-cn/2026.1").unwrap();
        let mut without = set.clone();
        without.digest_sha256.clear();
        assert!(!set.is_default);
        assert_eq!(
            set.digest_sha256,
            hex::encode(Sha256::digest(without.encode_to_vec()))
        );
        assert!(references.methodology("green-impact/0.9.0").is_err());
    }
}
