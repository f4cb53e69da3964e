//! Records as evidence: the canonical bytes a record's digest covers, the text its signature
//! covers, and the service key that signs. Anyone with the public key can redo both offline.

pub mod key;

use sha2::{Digest, Sha256};

pub use key::ServiceKey;

pub const ZERO_DIGEST: [u8; 32] = [0; 32];

pub const CANONICAL_ENCODING: &str = "digest = SHA-256 of: the ASCII tag \
\"green-impact/record/v1\", then the tenant, the kind (\"assessment\" or \"monitoring_report\"), \
the subject record id, each as a big-endian u64 byte length followed by the UTF-8 bytes, then the \
sequence as a big-endian u64, the previous record's 32-byte digest (32 zero bytes for the \
first), and the request and the response, each as a big-endian u64 byte length followed by the \
protobuf bytes (prost encoding: fields in number order, no unknown fields; the response in its \
FULL view, without its record field; uncompressed, whatever the store keeps). signature = Ed25519 \
over the UTF-8 signing text: \"green-impact/seal/v2\" and one \"name=value\" line per seal \
field (record_id, kind, tenant, sequence, created_at, created_unix_micros, methodology_version, \
factor_set, subject_record_id, borrower_id, project_id, digest_sha256, previous_digest_sha256, \
key_id, methodology_digest_sha256, factor_set_digest_sha256), each line ending in a newline, \
digests in lowercase hex. A record sealed before the reference texts were pinned (empty \
methodology_digest_sha256) signs text v1: the tag \"green-impact/seal/v1\" and the same lines \
without the last two";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Assessment,
    MonitoringReport,
}

impl RecordKind {
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Assessment => "assessment",
            RecordKind::MonitoringReport => "monitoring_report",
        }
    }

    pub fn code(self) -> i64 {
        match self {
            RecordKind::Assessment => 1,
            RecordKind::MonitoringReport => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<RecordKind> {
        match code {
            1 => Some(RecordKind::Assessment),
            2 => Some(RecordKind::MonitoringReport),
            _ => None,
        }
    }
}

/// A record before the store has given it a place in its tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub record_id: String,
    pub kind: RecordKind,
    pub tenant: String,
    pub created_at: String,
    pub created_unix_micros: i64,
    pub methodology_version: String,
    pub factor_set: String,
    pub subject_record_id: String,
    pub borrower_id: String,
    pub project_id: String,
    /// The reference texts the response refers to by id, pinned (lowercase hex SHA-256).
    pub methodology_digest: String,
    pub factor_set_digest: String,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
}

impl NewRecord {
    /// The seal of this record once stored at `sequence` after `previous_digest`.
    pub fn sealed(
        &self,
        sequence: u64,
        previous_digest: &[u8],
        digest: &[u8],
        signature: &[u8],
        key_id: &str,
    ) -> Seal {
        Seal {
            record_id: self.record_id.clone(),
            kind: self.kind,
            tenant: self.tenant.clone(),
            sequence,
            created_at: self.created_at.clone(),
            created_unix_micros: self.created_unix_micros,
            methodology_version: self.methodology_version.clone(),
            factor_set: self.factor_set.clone(),
            subject_record_id: self.subject_record_id.clone(),
            borrower_id: self.borrower_id.clone(),
            project_id: self.project_id.clone(),
            methodology_digest: self.methodology_digest.clone(),
            factor_set_digest: self.factor_set_digest.clone(),
            digest: digest.to_vec(),
            previous_digest: previous_digest.to_vec(),
            signature: signature.to_vec(),
            key_id: key_id.to_owned(),
        }
    }
}

/// Everything signed about a record. Digests and the signature are kept as read, whatever
/// their length, so that verification can say a stored one is malformed instead of failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub record_id: String,
    pub kind: RecordKind,
    pub tenant: String,
    pub sequence: u64,
    pub created_at: String,
    /// The same instant as created_at; signed too, because lists filter on it.
    pub created_unix_micros: i64,
    pub methodology_version: String,
    pub factor_set: String,
    pub subject_record_id: String,
    /// Signed too, because lists filter on them.
    pub borrower_id: String,
    pub project_id: String,
    /// The digests of the methodology's templates and of the factor set, lowercase hex; empty
    /// in a record sealed before they were pinned (signing text v1), whose response writes
    /// every text out.
    pub methodology_digest: String,
    pub factor_set_digest: String,
    pub digest: Vec<u8>,
    pub previous_digest: Vec<u8>,
    pub signature: Vec<u8>,
    pub key_id: String,
}

/// A stored record: its seal and the bytes the digest covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seal: Seal,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
    pub shared_with: Vec<String>,
}

fn put_bytes(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The digest of a record's content at its place in the chain.
pub fn digest(
    tenant: &str,
    kind: RecordKind,
    subject_record_id: &str,
    sequence: u64,
    previous_digest: &[u8],
    request: &[u8],
    response: &[u8],
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"green-impact/record/v1");
    put_bytes(&mut hasher, tenant.as_bytes());
    put_bytes(&mut hasher, kind.name().as_bytes());
    put_bytes(&mut hasher, subject_record_id.as_bytes());
    hasher.update(sequence.to_be_bytes());
    hasher.update(previous_digest);
    put_bytes(&mut hasher, request);
    put_bytes(&mut hasher, response);
    hasher.finalize().into()
}

impl Record {
    pub fn recomputed_digest(&self) -> [u8; 32] {
        digest(
            &self.seal.tenant,
            self.seal.kind,
            &self.seal.subject_record_id,
            self.seal.sequence,
            &self.seal.previous_digest,
            &self.request,
            &self.response,
        )
    }
}

impl Seal {
    /// The text the service key signs: every seal field but the signature. Ids and names are
    /// checked to hold no line breaks before they are stored. A seal that pins reference texts
    /// signs text v2, which adds their digests; one that does not, text v1.
    pub fn signing_text(&self) -> String {
        let pinned = !self.methodology_digest.is_empty();
        let mut text = format!(
            "green-impact/seal/{}\nrecord_id={}\nkind={}\ntenant={}\nsequence={}\n\
             created_at={}\ncreated_unix_micros={}\nmethodology_version={}\nfactor_set={}\n\
             subject_record_id={}\nborrower_id={}\nproject_id={}\ndigest_sha256={}\n\
             previous_digest_sha256={}\nkey_id={}\n",
            if pinned { "v2" } else { "v1" },
            self.record_id,
            self.kind.name(),
            self.tenant,
            self.sequence,
            self.created_at,
            self.created_unix_micros,
            self.methodology_version,
            self.factor_set,
            self.subject_record_id,
            self.borrower_id,
            self.project_id,
            hex::encode(&self.digest),
            hex::encode(&self.previous_digest),
            self.key_id,
        );
        if pinned {
            text.push_str("methodology_digest_sha256=");
            text.push_str(&self.methodology_digest);
            text.push_str("\nfactor_set_digest_sha256=");
            text.push_str(&self.factor_set_digest);
            text.push('\n');
        }
        text
    }
}

/// Whether `id` has the shape of a record id, so anything else is not looked up at all.
pub fn is_record_id(id: &str) -> bool {
    id.len() == 36
        && id.starts_with("rec_")
        && id[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// "rec_", the creation time as 14 hex digits of microseconds since 1970, and 18 random hex
/// digits (72 bits). Ids made later sort later, so each new one lands at the right edge of the
/// store's primary-key index instead of on a random page of it: with random ids every stored
/// record rewrote one more index page into SQLite's WAL. Ids carry no secret (every read is
/// checked against the caller's tenant) and the time is in the seal anyway.
pub fn new_record_id(created_unix_micros: u64) -> Result<String, getrandom::Error> {
    let mut random = [0u8; 9];
    getrandom::fill(&mut random)?;
    Ok(format!(
        "rec_{:014x}{}",
        created_unix_micros & 0x00ff_ffff_ffff_ffff,
        hex::encode(random)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_have_the_record_id_shape_and_sort_by_creation_time() {
        let earlier = new_record_id(1_765_000_000_000_000).expect("randomness");
        let later = new_record_id(1_765_000_000_000_001).expect("randomness");
        assert!(
            is_record_id(&earlier) && is_record_id(&later),
            "{earlier} {later}"
        );
        assert!(earlier < later, "{earlier} {later}");
        assert_ne!(
            new_record_id(7).expect("randomness"),
            new_record_id(7).expect("randomness"),
            "the same instant still gives different ids"
        );
    }

    #[test]
    fn every_byte_of_the_content_and_position_changes_the_digest() {
        struct Input {
            tenant: &'static str,
            kind: RecordKind,
            subject: &'static str,
            sequence: u64,
            previous: [u8; 32],
            request: &'static [u8],
            response: &'static [u8],
        }
        let of = |i: &Input| {
            digest(
                i.tenant,
                i.kind,
                i.subject,
                i.sequence,
                &i.previous,
                i.request,
                i.response,
            )
        };
        let base = || Input {
            tenant: "bank",
            kind: RecordKind::Assessment,
            subject: "",
            sequence: 1,
            previous: ZERO_DIGEST,
            request: b"req",
            response: b"resp",
        };
        let variants = [
            Input {
                tenant: "bank2",
                ..base()
            },
            Input {
                kind: RecordKind::MonitoringReport,
                ..base()
            },
            Input {
                subject: "x",
                ..base()
            },
            Input {
                sequence: 2,
                ..base()
            },
            Input {
                previous: [1; 32],
                ..base()
            },
            // Length prefixes keep a byte moving from request to response from colliding.
            Input {
                request: b"reqr",
                response: b"esp",
                ..base()
            },
            Input {
                response: b"resq",
                ..base()
            },
        ];
        for variant in &variants {
            assert_ne!(of(variant), of(&base()));
        }
    }
}
