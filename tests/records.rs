//! Stored assessments as evidence, end to end over real sockets, on every record store: each
//! test runs against SQLite (a fresh data directory) and PostgreSQL (when
//! GREEN_IMPACT_TEST_DATABASE_URL is set), always in tenants of its own, since the PostgreSQL
//! database is shared by every test and run.

mod common;

use std::collections::BTreeSet;

use ed25519_dalek::{Signature, VerifyingKey};
use prost::Message;
use sha2::{Digest, Sha256};
use tonic::transport::Channel;
use tonic::{Code, Status};

use common::{
    Backend, Cell, Principal, TestServer, alter_cell, backends, bearer, delete_row, principal,
    random_hex, random_seed, read_cell, record_parts, seed_request, tokens_auth, violated_fields,
    with_authorization, write_cell,
};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::pb::stored_record::Content;
use green_impact::records::{self, RecordKind, Seal, ServiceKey};

/// The checks VerifyAssessment runs, in the order it reports them.
const CHECKS: [&str; 4] = ["digest", "signature", "chain_link", "recomputation"];

/// A server on one store, with two banks, an exchange and an administrator as tenants.
struct Fixture {
    backend: Backend,
    /// The service key's seed: what a forger holding the key could sign with.
    seed: [u8; 32],
    bank: Principal,
    other_bank: Principal,
    exchange: Principal,
    admin: Principal,
    client: ImpactServiceClient<Channel>,
    _server: TestServer,
}

impl Fixture {
    async fn start(backend: Backend) -> Fixture {
        eprintln!("-- on {}", backend.name());
        let bank = principal("bank", "bank");
        let other_bank = principal("other-bank", "bank");
        let exchange = principal("exchange", "exchange");
        let admin = principal("admin", "admin");
        let seed = random_seed();
        let auth = tokens_auth(&[&bank, &other_bank, &exchange, &admin]);
        let server = TestServer::start_with_parts(record_parts(&backend, auth, &seed)).await;
        let client = server.client().await;
        Fixture {
            backend,
            seed,
            bank,
            other_bank,
            exchange,
            admin,
            client,
            _server: server,
        }
    }

    fn client(&self) -> ImpactServiceClient<Channel> {
        self.client.clone()
    }

    async fn assess(&self, who: &Principal, request: pb::AssessRequest) -> pb::AssessResponse {
        self.client()
            .assess(bearer(&who.token, request))
            .await
            .unwrap_or_else(|status| panic!("assess on {}: {status:?}", self.backend.name()))
            .into_inner()
    }

    /// Stores the seed case for `borrower` and `project`; returns its seal.
    async fn store(&self, who: &Principal, borrower: &str, project: &str) -> pb::RecordSeal {
        self.assess(who, request_for(borrower, project))
            .await
            .record
            .expect("a stored assessment carries its seal")
    }

    async fn get(&self, who: &Principal, record_id: &str) -> Result<pb::StoredRecord, Status> {
        let request = pb::GetAssessmentRequest {
            record_id: record_id.to_owned(),
        };
        Ok(self
            .client()
            .get_assessment(bearer(&who.token, request))
            .await?
            .into_inner())
    }

    async fn verify(
        &self,
        who: &Principal,
        record_id: &str,
    ) -> Result<pb::VerifyAssessmentResponse, Status> {
        let request = pb::VerifyAssessmentRequest {
            record_id: record_id.to_owned(),
        };
        Ok(self
            .client()
            .verify_assessment(bearer(&who.token, request))
            .await?
            .into_inner())
    }

    /// The names of the checks that fail on `record_id`, verified as its owner.
    async fn failing(&self, record_id: &str) -> BTreeSet<String> {
        let answer = self
            .verify(&self.bank, record_id)
            .await
            .unwrap_or_else(|status| panic!("verify on {}: {status:?}", self.backend.name()));
        failed_checks(&answer)
    }

    async fn list(
        &self,
        who: &Principal,
        request: pb::ListAssessmentsRequest,
    ) -> Result<pb::ListAssessmentsResponse, Status> {
        Ok(self
            .client()
            .list_assessments(bearer(&who.token, request))
            .await?
            .into_inner())
    }

    /// Every page of a listing, followed to the end.
    async fn list_all(
        &self,
        who: &Principal,
        filter: pb::ListAssessmentsRequest,
    ) -> Vec<pb::RecordSeal> {
        let mut seals = Vec::new();
        let mut page_token = String::new();
        for _ in 0..1000 {
            let page = self
                .list(
                    who,
                    pb::ListAssessmentsRequest {
                        page_token: page_token.clone(),
                        ..filter.clone()
                    },
                )
                .await
                .unwrap_or_else(|status| panic!("list on {}: {status:?}", self.backend.name()));
            seals.extend(page.records);
            if page.next_page_token.is_empty() {
                return seals;
            }
            page_token = page.next_page_token;
        }
        panic!("a listing that does not end");
    }

    async fn export(
        &self,
        who: &Principal,
        request: pb::ExportAssessmentsRequest,
    ) -> Result<Vec<pb::StoredRecord>, Status> {
        let mut stream = self
            .client()
            .export_assessments(bearer(&who.token, request))
            .await?
            .into_inner();
        let mut records = Vec::new();
        while let Some(record) = stream.message().await? {
            records.push(record);
        }
        Ok(records)
    }

    async fn share(
        &self,
        who: &Principal,
        record_id: &str,
        with_tenant: &str,
    ) -> Result<pb::ShareAssessmentResponse, Status> {
        let request = pb::ShareAssessmentRequest {
            record_id: record_id.to_owned(),
            with_tenant: with_tenant.to_owned(),
        };
        Ok(self
            .client()
            .share_assessment(bearer(&who.token, request))
            .await?
            .into_inner())
    }

    async fn service_key(&self, who: &Principal) -> pb::GetServiceKeyResponse {
        self.client()
            .get_service_key(bearer(&who.token, pb::GetServiceKeyRequest {}))
            .await
            .expect("get the service key")
            .into_inner()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Backend::Sqlite { dir } = &self.backend {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn request_for(borrower: &str, project: &str) -> pb::AssessRequest {
    pb::AssessRequest {
        borrower_id: borrower.to_owned(),
        project_id: project.to_owned(),
        ..seed_request()
    }
}

fn ids(seals: &[pb::RecordSeal]) -> Vec<String> {
    seals.iter().map(|s| s.record_id.clone()).collect()
}

fn export_ids(records: &[pb::StoredRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r.seal
                .as_ref()
                .expect("an exported record has its seal")
                .record_id
                .clone()
        })
        .collect()
}

fn seal_ids(seals: &[&pb::RecordSeal]) -> Vec<String> {
    seals.iter().map(|s| s.record_id.clone()).collect()
}

fn hex_array<const N: usize>(text: &str) -> [u8; N] {
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes)
        .unwrap_or_else(|e| panic!("{text:?} is not {N} bytes of hex: {e}"));
    bytes
}

/// The names of the failed checks; panics unless all four checks are reported, in order, each
/// with a detail, and `verified` agrees with them.
fn failed_checks(answer: &pb::VerifyAssessmentResponse) -> BTreeSet<String> {
    let names: Vec<&str> = answer.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, CHECKS, "the checks reported");
    for check in &answer.checks {
        assert!(!check.detail.is_empty(), "{} has a detail", check.name);
    }
    let failed: BTreeSet<String> = answer
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        answer.verified,
        failed.is_empty(),
        "verified is true exactly when every check passed: {answer:?}"
    );
    failed
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn detail<'a>(answer: &'a pb::VerifyAssessmentResponse, name: &str) -> &'a str {
    &answer
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check"))
        .detail
}

/// The seal as the library's type, to rebuild its signing text.
fn seal_of(seal: &pb::RecordSeal) -> Seal {
    Seal {
        record_id: seal.record_id.clone(),
        kind: match pb::RecordKind::try_from(seal.kind) {
            Ok(pb::RecordKind::Assessment) => RecordKind::Assessment,
            Ok(pb::RecordKind::MonitoringReport) => RecordKind::MonitoringReport,
            other => panic!("record kind {other:?}"),
        },
        tenant: seal.tenant.clone(),
        sequence: seal.sequence,
        created_at: seal.created_at.clone(),
        created_unix_micros: seal.created_unix_micros,
        methodology_version: seal.methodology_version.clone(),
        factor_set: seal.factor_set.clone(),
        subject_record_id: seal.subject_record_id.clone(),
        borrower_id: seal.borrower_id.clone(),
        project_id: seal.project_id.clone(),
        digest: hex_array::<32>(&seal.digest_sha256).to_vec(),
        previous_digest: hex_array::<32>(&seal.previous_digest_sha256).to_vec(),
        signature: hex_array::<64>(&seal.signature_ed25519).to_vec(),
        key_id: seal.key_id.clone(),
    }
}

/// The digest as GetServiceKey's canonical_encoding describes it, written from that text alone.
fn digest_from_the_description(seal: &pb::RecordSeal, request: &[u8], response: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"green-impact/record/v1");
    for text in [
        seal.tenant.as_str(),
        "assessment",
        seal.subject_record_id.as_str(),
    ] {
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.update(seal.sequence.to_be_bytes());
    hasher.update(hex_array::<32>(&seal.previous_digest_sha256));
    for bytes in [request, response] {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hex::encode(hasher.finalize())
}

/// The signing text as the description gives it: a header line, then one name=value line per
/// seal field but the signature, in the order the description lists them.
fn signing_text_from_the_description(seal: &pb::RecordSeal) -> String {
    let fields = [
        ("record_id", seal.record_id.clone()),
        ("kind", "assessment".to_owned()),
        ("tenant", seal.tenant.clone()),
        ("sequence", seal.sequence.to_string()),
        ("created_at", seal.created_at.clone()),
        ("created_unix_micros", seal.created_unix_micros.to_string()),
        ("methodology_version", seal.methodology_version.clone()),
        ("factor_set", seal.factor_set.clone()),
        ("subject_record_id", seal.subject_record_id.clone()),
        ("borrower_id", seal.borrower_id.clone()),
        ("project_id", seal.project_id.clone()),
        ("digest_sha256", seal.digest_sha256.clone()),
        (
            "previous_digest_sha256",
            seal.previous_digest_sha256.clone(),
        ),
        ("key_id", seal.key_id.clone()),
    ];
    let mut text = String::from("green-impact/seal/v1\n");
    for (name, value) in fields {
        text.push_str(&format!("{name}={value}\n"));
    }
    text
}

fn assert_lower_hex(text: &str, digits: usize, what: &str) {
    assert!(
        text.len() == digits
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{what} is {digits} lowercase hex digits: {text:?}"
    );
}

fn assert_code<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, what: &str) -> Status {
    match result {
        Ok(value) => panic!("{what}: expected {code:?}, got {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "{what}: {status:?}");
            status
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Storing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn assess_stores_a_sealed_chained_record_and_a_dry_run_stores_nothing() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let key = f.service_key(&f.bank).await;

        let first_request = request_for("leshan-yaqing-a", "plant-1");
        let first = f.assess(&f.bank, first_request.clone()).await;
        let s1 = first.record.clone().expect("the first record's seal");
        assert!(s1.record_id.starts_with("rec_"), "{}", s1.record_id);
        assert_lower_hex(&s1.record_id[4..], 32, "the record id after rec_");
        assert_eq!(s1.kind, pb::RecordKind::Assessment as i32);
        assert_eq!(s1.tenant, f.bank.tenant);
        assert_eq!(s1.sequence, 1);
        assert_eq!(s1.previous_digest_sha256, "0".repeat(64));
        assert_eq!(s1.key_id, key.key_id);
        assert_eq!(s1.methodology_version, first.methodology_version);
        assert_eq!(s1.factor_set, first.factor_set);
        assert_eq!(s1.subject_record_id, "");
        assert_lower_hex(&s1.digest_sha256, 64, "the digest");
        assert_lower_hex(&s1.signature_ed25519, 128, "the signature");
        assert!(
            s1.created_at.ends_with('Z')
                && s1.created_at.len() == "2026-01-01T00:00:00.000000Z".len(),
            "RFC 3339 UTC with microseconds: {}",
            s1.created_at
        );
        let created = humantime::parse_rfc3339(&s1.created_at).expect("created_at is RFC 3339");
        let micros = created
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_micros();
        assert_eq!(
            i128::from(s1.created_unix_micros),
            micros as i128,
            "created_unix_micros is created_at"
        );
        assert_eq!(
            (s1.borrower_id.as_str(), s1.project_id.as_str()),
            ("leshan-yaqing-a", "plant-1"),
            "the seal names the request's borrower and project"
        );

        let second_request = request_for("leshan-yaqing-b", "plant-1");
        let second = f.assess(&f.bank, second_request.clone()).await;
        let s2 = second.record.clone().expect("the second record's seal");
        assert_ne!(s2.record_id, s1.record_id);
        assert_eq!(s2.sequence, 2);
        assert_eq!(s2.previous_digest_sha256, s1.digest_sha256);
        assert_eq!(s2.key_id, key.key_id);
        assert_eq!(s2.tenant, f.bank.tenant);

        // What was stored is what was sent and answered.
        let stored = f
            .get(&f.bank, &s1.record_id)
            .await
            .expect("get the first record");
        assert_eq!(stored.seal.as_ref(), Some(&s1));
        assert!(stored.shared_with.is_empty());
        let Some(Content::Assessment(assessment)) = stored.content else {
            panic!(
                "an assessment record holds an assessment: {:?}",
                stored.content
            );
        };
        assert_eq!(assessment.request.as_ref(), Some(&first_request));
        let mut answered = first.clone();
        answered.record = None;
        assert_eq!(assessment.response.as_ref(), Some(&answered));

        // A dry run answers the same and stores nothing.
        let listed = ids(&f.list_all(&f.bank, Default::default()).await);
        assert_eq!(listed, [s1.record_id.clone(), s2.record_id.clone()]);
        let dry = f
            .assess(
                &f.bank,
                pb::AssessRequest {
                    dry_run: true,
                    ..second_request.clone()
                },
            )
            .await;
        assert_eq!(dry.record, None, "a dry run has no seal");
        let mut second_unsealed = second.clone();
        second_unsealed.record = None;
        assert_eq!(
            dry, second_unsealed,
            "a dry run answers as the stored run did"
        );
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            listed,
            "a dry run lists nothing new"
        );
        let exported = f.export(&f.bank, Default::default()).await.expect("export");
        assert_eq!(
            export_ids(&exported),
            listed,
            "a dry run exports nothing new"
        );

        // ... and leaves no gap in the chain.
        let s3 = f.store(&f.bank, "leshan-yaqing-c", "plant-1").await;
        assert_eq!(s3.sequence, 3);
        assert_eq!(s3.previous_digest_sha256, s2.digest_sha256);
    }
}

// ---------------------------------------------------------------------------------------------
// Verifying
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_third_party_verifies_a_record_offline_with_the_public_key_alone() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let s1 = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let s2 = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let key = f.service_key(&f.exchange).await;
        assert!(key.canonical_encoding.contains("green-impact/record/v1"));
        assert!(key.canonical_encoding.contains("green-impact/seal/v1"));
        let public = VerifyingKey::from_bytes(&hex_array(&key.public_key_ed25519))
            .expect("an Ed25519 public key");
        assert_eq!(
            key.key_id,
            hex::encode(&Sha256::digest(public.as_bytes())[..8]),
            "the key id is the first 16 hex digits of SHA-256 of the public key"
        );
        assert_eq!(public, ServiceKey::from_seed(&f.seed).public_key());

        for sealed in [&s1, &s2] {
            let record = f.get(&f.bank, &sealed.record_id).await.expect("get");
            let seal = record.seal.expect("seal");
            assert_eq!(&seal, sealed);
            let Some(Content::Assessment(assessment)) = record.content else {
                panic!("an assessment record holds an assessment");
            };
            // The bytes the digest covers: canonical protobuf of the request and of the
            // response without its record field.
            let request = assessment.request.expect("request").encode_to_vec();
            let mut response = assessment.response.expect("response");
            response.record = None;
            let response = response.encode_to_vec();

            let digest = records::digest(
                &seal.tenant,
                RecordKind::Assessment,
                &seal.subject_record_id,
                seal.sequence,
                &hex_array::<32>(&seal.previous_digest_sha256),
                &request,
                &response,
            );
            assert_eq!(
                hex::encode(digest),
                seal.digest_sha256,
                "the digest recomputes"
            );
            assert_eq!(
                digest_from_the_description(&seal, &request, &response),
                seal.digest_sha256,
                "the published description of the digest is the digest"
            );

            let text = signing_text_from_the_description(&seal);
            assert_eq!(
                text,
                seal_of(&seal).signing_text(),
                "the published signing text"
            );
            assert_eq!(seal.key_id, key.key_id);
            let signature = Signature::from_bytes(&hex_array(&seal.signature_ed25519));
            public
                .verify_strict(text.as_bytes(), &signature)
                .expect("the signature verifies under the service's public key");

            // Any other seal would not.
            let moved = text.replace(
                &format!("\nsequence={}\n", seal.sequence),
                &format!("\nsequence={}\n", seal.sequence + 1),
            );
            assert_ne!(moved, text);
            assert!(public.verify_strict(moved.as_bytes(), &signature).is_err());
            let other_tenant = text.replace(&seal.tenant, &f.other_bank.tenant);
            assert!(
                public
                    .verify_strict(other_tenant.as_bytes(), &signature)
                    .is_err()
            );
        }
        // And the chain links offline too.
        assert_eq!(s2.previous_digest_sha256, s1.digest_sha256);
    }
}

#[tokio::test]
async fn verify_assessment_passes_all_four_checks_on_fresh_records() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let mut seals = Vec::new();
        for project in ["plant-1", "plant-2", "plant-3"] {
            seals.push(f.store(&f.bank, "leshan-yaqing", project).await);
        }
        for (i, seal) in seals.iter().enumerate() {
            let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
            assert_eq!(failed_checks(&answer), set(&[]), "{answer:?}");
            assert!(answer.verified);
            assert_eq!(answer.seal.as_ref(), Some(seal));
            assert!(detail(&answer, "digest").contains(&seal.digest_sha256));
            assert!(detail(&answer, "signature").contains(&seal.key_id));
            if i > 0 {
                assert!(
                    detail(&answer, "chain_link").contains(&seals[i - 1].record_id),
                    "{}",
                    detail(&answer, "chain_link")
                );
            }
        }
    }
}

/// Changes the first byte of the first occurrence of `needle` to another digit.
fn change_digit_of(needle: &'static [u8]) -> impl FnOnce(&mut Cell) {
    move |cell| {
        let Cell::Bytes(bytes) = cell else {
            panic!("a blob column")
        };
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| {
                panic!(
                    "{:?} is in the stored bytes",
                    String::from_utf8_lossy(needle)
                )
            });
        bytes[at] = if bytes[at] == b'9' {
            b'8'
        } else {
            bytes[at] + 1
        };
    }
}

fn flip_first_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes[0] ^= 0x01;
}

/// Changes the last digit of the microseconds, before the Z.
fn change_last_digit(cell: &mut Cell) {
    let Cell::Text(text) = cell else {
        panic!("a text column")
    };
    let mut bytes = std::mem::take(text).into_bytes();
    let at = bytes.len() - 2;
    assert!(
        bytes[at].is_ascii_digit(),
        "created_at ends in a digit and Z"
    );
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    *text = String::from_utf8(bytes).expect("ASCII");
}

/// A column of the middle of three records, how to change it, the checks that then fail on
/// it, and those that fail on the next record.
type Tampering = (
    &'static str,
    Box<dyn FnOnce(&mut Cell)>,
    &'static [&'static str],
    &'static [&'static str],
);

#[tokio::test]
async fn one_changed_byte_fails_the_check_that_covers_it() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        let cases: Vec<Tampering> = vec![
            (
                "request",
                Box::new(change_digit_of(b"3800000.00")),
                &["digest", "recomputation"],
                &[],
            ),
            (
                "response",
                Box::new(change_digit_of(b"1314000.00")),
                &["digest", "recomputation"],
                &[],
            ),
            (
                "digest",
                Box::new(flip_first_byte),
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "previous_digest",
                Box::new(flip_first_byte),
                &["digest", "signature", "chain_link"],
                &[],
            ),
            ("signature", Box::new(flip_first_byte), &["signature"], &[]),
            (
                "created_at",
                Box::new(change_last_digit),
                &["signature"],
                &[],
            ),
        ];
        for (column, change, on_middle, on_next) in cases {
            let original = alter_cell(&f.backend, &middle.record_id, column, change);

            let answer = f.verify(&f.bank, &middle.record_id).await.expect("verify");
            assert!(!answer.verified, "{column} changed: {answer:?}");
            assert_eq!(
                failed_checks(&answer),
                set(on_middle),
                "{column} changed: {answer:?}"
            );
            for name in on_middle {
                let detail = detail(&answer, name);
                let names_it = match *name {
                    "digest" => detail.contains(&middle.digest_sha256) || column == "digest",
                    "signature" => detail.contains("signature"),
                    "chain_link" => detail.contains("digest"),
                    _ => !detail.is_empty(),
                };
                assert!(names_it, "{column} changed, {name}: {detail}");
            }
            let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
            assert_eq!(
                failed_checks(&next),
                set(on_next),
                "{column} changed, next: {next:?}"
            );
            if !on_next.is_empty() {
                assert!(
                    detail(&next, "chain_link").contains(&middle.record_id),
                    "{}",
                    detail(&next, "chain_link")
                );
            }
            assert_eq!(
                failed_checks(&f.verify(&f.bank, &first.record_id).await.unwrap()),
                set(&[])
            );

            // Put back, everything verifies again.
            write_cell(&f.backend, &middle.record_id, column, &original);
            for seal in [&first, &middle, &last] {
                let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
                assert!(answer.verified, "{column} restored: {answer:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_resealed_or_removed_middle_record_breaks_the_next_records_chain_link() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        // Someone holding the service key rewrites the middle record with other content and
        // seals it afresh: the record checks out alone, the chain does not.
        let forged_request = request_for("someone-else", "plant-2");
        let forged_response = f
            .assess(
                &f.bank,
                pb::AssessRequest {
                    dry_run: true,
                    ..forged_request.clone()
                },
            )
            .await;
        let (request, response) = (
            forged_request.encode_to_vec(),
            forged_response.encode_to_vec(),
        );
        let mut seal = seal_of(&middle);
        seal.borrower_id = forged_request.borrower_id.clone();
        seal.digest = records::digest(
            &seal.tenant,
            seal.kind,
            &seal.subject_record_id,
            seal.sequence,
            &seal.previous_digest,
            &request,
            &response,
        )
        .to_vec();
        seal.signature = ServiceKey::from_seed(&f.seed)
            .sign(&seal.signing_text())
            .to_vec();
        let id = &middle.record_id;
        write_cell(&f.backend, id, "request", &Cell::Bytes(request));
        write_cell(&f.backend, id, "response", &Cell::Bytes(response));
        write_cell(&f.backend, id, "digest", &Cell::Bytes(seal.digest.clone()));
        write_cell(
            &f.backend,
            id,
            "signature",
            &Cell::Bytes(seal.signature.clone()),
        );
        write_cell(
            &f.backend,
            id,
            "borrower_id",
            &Cell::Text(seal.borrower_id.clone()),
        );

        assert_eq!(
            f.failing(id).await,
            set(&[]),
            "a re-sealed record verifies alone"
        );
        let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
        assert_eq!(failed_checks(&next), set(&["chain_link"]), "{next:?}");
        let link = detail(&next, "chain_link");
        assert!(
            link.contains(&hex::encode(&seal.digest)) && link.contains(id),
            "{link}"
        );
        assert_eq!(f.failing(&first.record_id).await, set(&[]));

        // Without the middle record the next one has nothing to link to.
        delete_row(&f.backend, id);
        let next = f.verify(&f.bank, &last.record_id).await.expect("verify");
        assert_eq!(failed_checks(&next), set(&["chain_link"]), "{next:?}");
        assert!(detail(&next, "chain_link").contains("missing"), "{next:?}");
        assert_code(
            f.get(&f.bank, id).await,
            Code::NotFound,
            "the removed record",
        );
    }
}

#[tokio::test]
async fn a_record_whose_bytes_no_longer_decode_is_data_loss_to_get_and_unverified() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let second = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let third = f.store(&f.bank, "leshan-yaqing", "plant-3").await;

        // A length-delimited field 1 promising 127 bytes that are not there.
        let truncated = Cell::Bytes(vec![0x0a, 0x7f]);
        write_cell(&f.backend, &second.record_id, "request", &truncated);
        write_cell(&f.backend, &third.record_id, "response", &truncated);

        for (seal, what) in [(&second, "request"), (&third, "response")] {
            let status = assert_code(
                f.get(&f.bank, &seal.record_id).await,
                Code::DataLoss,
                &format!("get with an undecodable {what}"),
            );
            assert!(status.message().contains(&seal.record_id), "{status:?}");
            let answer = f
                .verify(&f.bank, &seal.record_id)
                .await
                .unwrap_or_else(|status| {
                    panic!("verify answers for an undecodable {what}: {status:?}")
                });
            assert!(!answer.verified);
            assert_eq!(
                failed_checks(&answer),
                set(&["digest", "recomputation"]),
                "undecodable {what}: {answer:?}"
            );
        }
        assert!(
            detail(
                &f.verify(&f.bank, &second.record_id).await.unwrap(),
                "recomputation"
            )
            .contains("decode")
        );

        // The server carries on: the intact record reads and verifies, the list lists.
        f.get(&f.bank, &first.record_id)
            .await
            .expect("the intact record");
        assert_eq!(f.failing(&first.record_id).await, set(&[]));
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            [
                first.record_id.clone(),
                second.record_id.clone(),
                third.record_id.clone()
            ]
        );
        assert_code(
            f.export(&f.bank, Default::default()).await,
            Code::DataLoss,
            "an export reaching an undecodable record",
        );
    }
}

/// Shortens a blob by one byte.
fn drop_last_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes.pop();
}

/// Lengthens a blob by one byte.
fn add_a_byte(cell: &mut Cell) {
    let Cell::Bytes(bytes) = cell else {
        panic!("a blob column")
    };
    bytes.push(0);
}

fn empty_blob(cell: &mut Cell) {
    *cell = Cell::Bytes(Vec::new());
}

/// A digest or signature column of the wrong width, as an edit behind the service's back can
/// leave it: VerifyAssessment answers verified=false with the checks that fail, on the record
/// and on the next one's chain link, instead of DATA_LOSS; GetAssessment serves the row as
/// stored; and nothing is chained onto a head whose digest is not one.
#[tokio::test]
async fn stored_digests_and_signatures_of_the_wrong_width_are_reported_by_verify() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let first = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let middle = f.store(&f.bank, "leshan-yaqing", "plant-2").await;
        let last = f.store(&f.bank, "leshan-yaqing", "plant-3").await;
        let seals = [&first, &middle, &last];

        // The column, which record (index into seals, not the last), how it is changed, the
        // checks that then fail on that record and those that fail on the next.
        type Width = (
            &'static str,
            usize,
            (&'static str, fn(&mut Cell)),
            &'static [&'static str],
            &'static [&'static str],
        );
        let shorter: (&str, fn(&mut Cell)) = ("one byte shorter", drop_last_byte);
        let longer: (&str, fn(&mut Cell)) = ("one byte longer", add_a_byte);
        let empty: (&str, fn(&mut Cell)) = ("empty", empty_blob);
        let cases: [Width; 8] = [
            (
                "digest",
                1,
                shorter,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "digest",
                1,
                longer,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "digest",
                1,
                empty,
                &["digest", "signature"],
                &["chain_link"],
            ),
            (
                "previous_digest",
                1,
                shorter,
                &["digest", "signature", "chain_link"],
                &[],
            ),
            (
                "previous_digest",
                0,
                longer,
                &["digest", "signature", "chain_link"],
                &[],
            ),
            ("signature", 1, shorter, &["signature"], &[]),
            ("signature", 1, longer, &["signature"], &[]),
            ("signature", 0, empty, &["signature"], &[]),
        ];
        for (column, index, (how, change), on_it, on_next) in cases {
            let (altered, next) = (seals[index], seals[index + 1]);
            let what = format!("{column} of record {} {how}", altered.sequence);
            let original = alter_cell(&f.backend, &altered.record_id, column, change);
            let stored = read_cell(&f.backend, &altered.record_id, column).bytes();

            let answer = f
                .verify(&f.bank, &altered.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: verify answers: {status:?}"));
            assert!(!answer.verified, "{what}: {answer:?}");
            assert_eq!(failed_checks(&answer), set(on_it), "{what}: {answer:?}");
            if column != "signature" {
                assert!(
                    detail(&answer, "digest").contains("malformed"),
                    "{what}: {}",
                    detail(&answer, "digest")
                );
            }
            let seal = answer.seal.as_ref().expect("the seal verified");
            let shown = match column {
                "digest" => &seal.digest_sha256,
                "previous_digest" => &seal.previous_digest_sha256,
                _ => &seal.signature_ed25519,
            };
            assert_eq!(shown, &hex::encode(&stored), "{what}: the seal as stored");
            let got = f
                .get(&f.bank, &altered.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: get serves the row: {status:?}"));
            assert_eq!(got.seal, answer.seal, "{what}");

            let next_answer = f
                .verify(&f.bank, &next.record_id)
                .await
                .unwrap_or_else(|status| panic!("{what}: verify the next: {status:?}"));
            assert_eq!(
                failed_checks(&next_answer),
                set(on_next),
                "{what}, next: {next_answer:?}"
            );
            if !on_next.is_empty() {
                assert!(
                    detail(&next_answer, "chain_link").contains(&altered.record_id),
                    "{what}: {}",
                    detail(&next_answer, "chain_link")
                );
            }

            write_cell(&f.backend, &altered.record_id, column, &original);
            for seal in seals {
                let answer = f.verify(&f.bank, &seal.record_id).await.expect("verify");
                assert!(answer.verified, "{what} restored: {answer:?}");
            }
        }

        // The head's digest is what the next record would link to: with it malformed the
        // service stores nothing more in the chain, and still says what is wrong.
        let original = alter_cell(&f.backend, &last.record_id, "digest", drop_last_byte);
        let refused = f
            .client()
            .assess(bearer(
                &f.bank.token,
                request_for("leshan-yaqing", "plant-4"),
            ))
            .await;
        let status = assert_code(refused, Code::DataLoss, "assess after a malformed head");
        assert!(status.message().contains("VerifyAssessment"), "{status:?}");
        assert_eq!(
            f.failing(&last.record_id).await,
            set(&["digest", "signature"])
        );
        assert_eq!(
            ids(&f.list_all(&f.bank, Default::default()).await),
            seal_ids(&seals),
            "nothing stored"
        );
        write_cell(&f.backend, &last.record_id, "digest", &original);
        let fourth = f.store(&f.bank, "leshan-yaqing", "plant-4").await;
        assert_eq!(
            (fourth.sequence, &fourth.previous_digest_sha256),
            (4, &last.digest_sha256)
        );
    }
}

/// The columns List and Export filter on are signed: edited behind the service's back they
/// still move a record in or out of a filtered listing, but VerifyAssessment then fails the
/// record's signature check, and only that.
#[tokio::test]
async fn verify_notices_edited_filter_columns() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let a = f.store(&f.bank, "borrower-a", "plant-1").await;
        let b = f.store(&f.bank, "borrower-b", "plant-1").await;
        let c = f.store(&f.bank, "borrower-c", "plant-1").await;
        let seals = [&a, &b, &c];
        let a_year = 365 * 24 * 3600 * 1_000_000;

        let by_borrower = pb::ListAssessmentsRequest {
            borrower_id: "borrower-b".into(),
            ..Default::default()
        };
        let by_project = pb::ListAssessmentsRequest {
            project_id: "plant-9".into(),
            ..Default::default()
        };
        let before_a = pb::ListAssessmentsRequest {
            created_to: a.created_at.clone(),
            ..Default::default()
        };
        // The column, whose, its new value, a filter the edit changes, and what the filter
        // lists before and after the edit.
        let cases = [
            (
                "borrower_id",
                &a,
                Cell::Text("borrower-b".into()),
                by_borrower,
                seal_ids(&[&b]),
                seal_ids(&[&a, &b]),
            ),
            (
                "project_id",
                &b,
                Cell::Text("plant-9".into()),
                by_project,
                vec![],
                seal_ids(&[&b]),
            ),
            (
                "created_unix_micros",
                &c,
                Cell::Int(c.created_unix_micros - a_year),
                before_a,
                vec![],
                seal_ids(&[&c]),
            ),
        ];
        for (column, edited, value, filter, before, after) in cases {
            assert_eq!(
                ids(&f.list_all(&f.bank, filter.clone()).await),
                before,
                "{column}: before the edit"
            );
            let original = read_cell(&f.backend, &edited.record_id, column);
            write_cell(&f.backend, &edited.record_id, column, &value);
            assert_eq!(
                ids(&f.list_all(&f.bank, filter.clone()).await),
                after,
                "{column}: the edit moves the record"
            );
            let answer = f.verify(&f.bank, &edited.record_id).await.expect("verify");
            assert!(!answer.verified, "{column} edited: {answer:?}");
            assert_eq!(
                failed_checks(&answer),
                set(&["signature"]),
                "{column} edited: {answer:?}"
            );
            assert!(
                detail(&answer, "signature").contains("does not match"),
                "{column}: {}",
                detail(&answer, "signature")
            );
            for other in seals.iter().filter(|s| s.record_id != edited.record_id) {
                assert_eq!(
                    f.failing(&other.record_id).await,
                    set(&[]),
                    "{column} of {} edited, {}",
                    edited.record_id,
                    other.record_id
                );
            }

            write_cell(&f.backend, &edited.record_id, column, &original);
            assert_eq!(
                f.failing(&edited.record_id).await,
                set(&[]),
                "{column} restored"
            );
            assert_eq!(
                ids(&f.list_all(&f.bank, filter).await),
                before,
                "{column}: restored"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tenants and tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_tenant_sees_only_its_own_records_and_others_ids_are_not_found() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let mine = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let theirs = f.store(&f.other_bank, "leshan-yaqing", "plant-1").await;
        assert_eq!(theirs.tenant, f.other_bank.tenant);
        assert_eq!(theirs.sequence, 1, "each tenant has a chain of its own");
        let unknown = format!("rec_{}", random_hex(16));

        for (who, foreign) in [(&f.bank, &theirs), (&f.other_bank, &mine)] {
            let id = &foreign.record_id;
            let get = assert_code(f.get(who, id).await, Code::NotFound, "another tenant's id");
            let verify = assert_code(f.verify(who, id).await, Code::NotFound, "verify another's");
            let share = assert_code(
                f.share(who, id, &f.exchange.tenant).await,
                Code::NotFound,
                "share another's",
            );
            let get_unknown = assert_code(f.get(who, &unknown).await, Code::NotFound, "unknown id");
            let verify_unknown = assert_code(
                f.verify(who, &unknown).await,
                Code::NotFound,
                "verify unknown",
            );
            // Nothing tells an existing foreign id from one that never existed.
            let shape = |status: &Status, id: &str| status.message().replace(id, "<id>");
            assert_eq!(shape(&get, id), shape(&get_unknown, &unknown));
            assert_eq!(shape(&verify, id), shape(&verify_unknown, &unknown));
            assert_eq!(shape(&share, id), shape(&get_unknown, &unknown));
        }

        for (who, own) in [(&f.bank, &mine), (&f.other_bank, &theirs)] {
            let listed = f.list_all(who, Default::default()).await;
            assert_eq!(ids(&listed), [own.record_id.as_str()]);
            let exported = f.export(who, Default::default()).await.expect("export");
            assert_eq!(export_ids(&exported), [own.record_id.as_str()]);
            let by_borrower = pb::ListAssessmentsRequest {
                borrower_id: "leshan-yaqing".into(),
                ..Default::default()
            };
            assert_eq!(
                ids(&f.list_all(who, by_borrower).await),
                [own.record_id.as_str()]
            );
        }
        assert!(f.list_all(&f.exchange, Default::default()).await.is_empty());
        assert!(
            f.export(&f.exchange, Default::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// Only `rec_` and 32 lowercase hex digits is a record id; anything else is INVALID_ARGUMENT
/// naming the field, without being looked up: not even a row stored under that very id is found.
#[tokio::test]
async fn ids_not_shaped_like_record_ids_are_refused_without_a_lookup() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let stored = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let hex = &stored.record_id[4..];
        let unknown = format!("rec_{}", random_hex(16));
        assert_code(f.get(&f.bank, &unknown).await, Code::NotFound, "unknown");
        fn malformed_id<T: std::fmt::Debug>(result: Result<T, Status>, what: &str) {
            let status = assert_code(result, Code::InvalidArgument, what);
            assert_eq!(violated_fields(&status), ["record_id"], "{what}");
        }

        let malformed = [
            format!("rec_{}", hex.to_uppercase()),
            format!("REC_{hex}"),
            format!("rec_{}", &hex[1..]),
            format!("rec_{hex}0"),
            format!(" {}", stored.record_id),
            format!("{}\n", stored.record_id),
            format!("rec_{}g", &hex[1..]),
            hex.to_owned(),
            String::new(),
        ];
        for id in &malformed {
            for who in [&f.bank, &f.admin] {
                malformed_id(f.get(who, id).await, &format!("get {id:?}"));
                malformed_id(f.verify(who, id).await, &format!("verify {id:?}"));
            }
            malformed_id(
                f.share(&f.bank, id, &f.exchange.tenant).await,
                &format!("share {id:?}"),
            );
        }

        // A row stored under an id of another shape is never looked up.
        let upper = format!("rec_{}", hex.to_uppercase());
        write_cell(
            &f.backend,
            &stored.record_id,
            "record_id",
            &Cell::Text(upper.clone()),
        );
        for who in [&f.bank, &f.admin] {
            malformed_id(f.get(who, &upper).await, "get the renamed row");
            malformed_id(f.verify(who, &upper).await, "verify the renamed row");
        }
        assert_code(
            f.get(&f.bank, &stored.record_id).await,
            Code::NotFound,
            "the old id is gone",
        );
        write_cell(
            &f.backend,
            &upper,
            "record_id",
            &Cell::Text(stored.record_id.clone()),
        );
        assert_eq!(f.failing(&stored.record_id).await, set(&[]), "renamed back");
    }
}

/// Calls every ImpactService RPC with the given authorization header (or none); returns each
/// RPC's name and its status code (Ok for success).
async fn every_rpc(
    client: &ImpactServiceClient<Channel>,
    header: Option<&str>,
) -> Vec<(&'static str, Code)> {
    fn code<T>(result: Result<T, Status>) -> Code {
        result.map_or_else(|s| s.code(), |_| Code::Ok)
    }
    let id = format!("rec_{}", random_hex(16));
    let mut c = client.clone();
    vec![
        (
            "Assess",
            code(c.assess(with_authorization(header, seed_request())).await),
        ),
        (
            "Assess (dry run)",
            code(
                c.assess(with_authorization(
                    header,
                    pb::AssessRequest {
                        dry_run: true,
                        ..seed_request()
                    },
                ))
                .await,
            ),
        ),
        (
            "ListFactorSets",
            code(
                c.list_factor_sets(with_authorization(
                    header,
                    pb::ListFactorSetsRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "GetFactorSet",
            code(
                c.get_factor_set(with_authorization(
                    header,
                    pb::GetFactorSetRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "SubmitMonitoringReport",
            code(
                c.submit_monitoring_report(with_authorization(
                    header,
                    pb::SubmitMonitoringReportRequest {
                        assessment_record_id: id.clone(),
                        dry_run: true,
                        ..Default::default()
                    },
                ))
                .await,
            ),
        ),
        (
            "GetAssessment",
            code(
                c.get_assessment(with_authorization(
                    header,
                    pb::GetAssessmentRequest {
                        record_id: id.clone(),
                    },
                ))
                .await,
            ),
        ),
        (
            "ListAssessments",
            code(
                c.list_assessments(with_authorization(
                    header,
                    pb::ListAssessmentsRequest::default(),
                ))
                .await,
            ),
        ),
        (
            "VerifyAssessment",
            code(
                c.verify_assessment(with_authorization(
                    header,
                    pb::VerifyAssessmentRequest {
                        record_id: id.clone(),
                    },
                ))
                .await,
            ),
        ),
        ("ExportAssessments", {
            match c
                .export_assessments(with_authorization(
                    header,
                    pb::ExportAssessmentsRequest::default(),
                ))
                .await
            {
                Err(status) => status.code(),
                Ok(stream) => {
                    let mut stream = stream.into_inner();
                    let mut outcome = Code::Ok;
                    loop {
                        match stream.message().await {
                            Ok(Some(_)) => continue,
                            Ok(None) => break,
                            Err(status) => {
                                outcome = status.code();
                                break;
                            }
                        }
                    }
                    outcome
                }
            }
        }),
        (
            "ShareAssessment",
            code(
                c.share_assessment(with_authorization(
                    header,
                    pb::ShareAssessmentRequest {
                        record_id: id.clone(),
                        with_tenant: "someone".into(),
                    },
                ))
                .await,
            ),
        ),
        (
            "GetServiceKey",
            code(
                c.get_service_key(with_authorization(header, pb::GetServiceKeyRequest {}))
                    .await,
            ),
        ),
    ]
}

#[tokio::test]
async fn every_rpc_refuses_a_missing_malformed_or_unknown_token() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let unknown = format!("Bearer {}", random_hex(16));
        let no_scheme = f.bank.token.clone();
        let basic = format!("Basic {}", f.bank.token);
        let headers: [Option<&str>; 6] = [
            None,
            Some(&basic),
            Some("Bearer"),
            Some("Bearer "),
            Some(&no_scheme),
            Some(&unknown),
        ];
        for header in headers {
            for (rpc, code) in every_rpc(&f.client, header).await {
                assert_eq!(
                    code,
                    Code::Unauthenticated,
                    "{rpc} with authorization {header:?}"
                );
            }
        }
        assert!(
            f.list_all(&f.bank, Default::default()).await.is_empty(),
            "nothing was stored by the refused calls"
        );
        // With the token the same calls get through to the service.
        let good = format!("Bearer {}", f.bank.token);
        for (rpc, code) in every_rpc(&f.client, Some(&good)).await {
            assert_ne!(code, Code::Unauthenticated, "{rpc} with a valid token");
        }
    }
}

#[tokio::test]
async fn an_administrator_reads_and_verifies_any_tenants_record() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let record = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let got = f
            .get(&f.admin, &record.record_id)
            .await
            .expect("the admin reads it");
        assert_eq!(got.seal.as_ref(), Some(&record));
        let answer = f
            .verify(&f.admin, &record.record_id)
            .await
            .expect("the admin verifies it");
        assert_eq!(failed_checks(&answer), set(&[]));
        // An administrator still owns nothing it did not store.
        assert_code(
            f.share(&f.admin, &record.record_id, &f.exchange.tenant)
                .await,
            Code::NotFound,
            "the admin shares another's record",
        );
        assert!(f.list_all(&f.admin, Default::default()).await.is_empty());
    }
}

#[tokio::test]
async fn a_shared_record_can_be_read_and_verified_by_the_exchange_but_not_listed() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let shared = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let kept = f.store(&f.bank, "leshan-yaqing", "plant-2").await;

        assert_code(
            f.get(&f.exchange, &shared.record_id).await,
            Code::NotFound,
            "before sharing",
        );
        let answer = f
            .share(&f.bank, &shared.record_id, &f.exchange.tenant)
            .await
            .expect("the owner shares");
        assert_eq!(answer.shared_with, [f.exchange.tenant.as_str()]);
        let again = f
            .share(&f.bank, &shared.record_id, &f.exchange.tenant)
            .await
            .expect("sharing twice is harmless");
        assert_eq!(again.shared_with, [f.exchange.tenant.as_str()]);

        let got = f
            .get(&f.exchange, &shared.record_id)
            .await
            .expect("the exchange reads it");
        assert_eq!(got.seal.as_ref(), Some(&shared));
        assert_eq!(got.shared_with, [f.exchange.tenant.as_str()]);
        assert!(matches!(got.content, Some(Content::Assessment(_))));
        let verified = f
            .verify(&f.exchange, &shared.record_id)
            .await
            .expect("and verifies it");
        assert_eq!(failed_checks(&verified), set(&[]));
        assert_eq!(
            f.get(&f.bank, &shared.record_id).await.unwrap().shared_with,
            [f.exchange.tenant.as_str()],
            "the owner sees whom it shared with"
        );

        // Only that record, only to that tenant, and never in the exchange's own list.
        assert_code(
            f.get(&f.exchange, &kept.record_id).await,
            Code::NotFound,
            "the unshared one",
        );
        assert_code(
            f.get(&f.other_bank, &shared.record_id).await,
            Code::NotFound,
            "a third tenant",
        );
        assert!(f.list_all(&f.exchange, Default::default()).await.is_empty());
        assert!(
            f.export(&f.exchange, Default::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn sharing_is_refused_to_unknown_tenants_and_to_anyone_but_the_owner() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let record = f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let id = &record.record_id;

        for with in [
            format!("unknown-{}", random_hex(4)),
            f.bank.tenant.clone(),
            String::new(),
        ] {
            let status = assert_code(
                f.share(&f.bank, id, &with).await,
                Code::InvalidArgument,
                &format!("sharing with {with:?}"),
            );
            assert_eq!(violated_fields(&status), ["with_tenant"]);
        }
        f.share(&f.bank, id, &f.exchange.tenant)
            .await
            .expect("the owner shares");
        for (who, what) in [
            (&f.other_bank, "another bank"),
            (&f.exchange, "the exchange it was shared with"),
            (&f.admin, "the administrator"),
        ] {
            assert_code(
                f.share(who, id, &f.other_bank.tenant).await,
                Code::NotFound,
                &format!("{what} shares the record"),
            );
        }
        let unknown = format!("rec_{}", random_hex(16));
        assert_code(
            f.share(&f.bank, &unknown, &f.exchange.tenant).await,
            Code::NotFound,
            "sharing an unknown record",
        );
        assert_eq!(
            f.get(&f.bank, id).await.unwrap().shared_with,
            [f.exchange.tenant.as_str()],
            "the refused shares left no trace"
        );
        assert_code(
            f.get(&f.other_bank, id).await,
            Code::NotFound,
            "still not the other bank's",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Listing and exporting
// ---------------------------------------------------------------------------------------------

/// The seven records of the listing tests: (borrower, project).
const SEVEN: [(&str, &str); 7] = [
    ("borrower-a", "plant-1"),
    ("borrower-b", "plant-1"),
    ("borrower-a", "plant-2"),
    ("borrower-c", "plant-1"),
    ("borrower-a", "plant-1"),
    ("borrower-b", "plant-2"),
    ("borrower-a", "plant-1"),
];

async fn store_seven(f: &Fixture) -> Vec<pb::RecordSeal> {
    let mut seals = Vec::new();
    for (borrower, project) in SEVEN {
        seals.push(f.store(&f.bank, borrower, project).await);
    }
    seals
}

#[tokio::test]
async fn list_pages_through_every_record_once_in_chain_order() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;

        let mut pages = Vec::new();
        let mut token = String::new();
        loop {
            let page = f
                .list(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size: 3,
                        page_token: token.clone(),
                        ..Default::default()
                    },
                )
                .await
                .expect("a page");
            pages.push(page.records);
            if page.next_page_token.is_empty() {
                break;
            }
            assert!(pages.len() < 5, "three pages are enough");
            token = page.next_page_token;
        }
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 3, 1]);
        let listed: Vec<pb::RecordSeal> = pages.concat();
        assert_eq!(
            listed, seals,
            "every record once, oldest first, seals as stored"
        );
        let sequences: Vec<u64> = listed.iter().map(|s| s.sequence).collect();
        assert_eq!(sequences, (1..=7).collect::<Vec<u64>>());

        for page_size in [0, 7, 200] {
            let page = f
                .list(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size,
                        ..Default::default()
                    },
                )
                .await
                .expect("one page");
            assert_eq!(page.records, seals, "page_size {page_size}");
            assert_eq!(
                page.next_page_token, "",
                "page_size {page_size}: no next page"
            );
        }
    }
}

#[tokio::test]
async fn list_filters_by_borrower_project_kind_and_creation_time() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
            seal_ids(
                &seals
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| keep(*i))
                    .map(|(_, s)| s)
                    .collect::<Vec<_>>(),
            )
        };

        let cases: Vec<(&str, pb::ListAssessmentsRequest, Vec<String>)> = vec![
            (
                "borrower-a",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i].0 == "borrower-a"),
            ),
            (
                "plant-2",
                pb::ListAssessmentsRequest {
                    project_id: "plant-2".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i].1 == "plant-2"),
            ),
            (
                "borrower-a and plant-1",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    project_id: "plant-1".into(),
                    ..Default::default()
                },
                pick(&|i| SEVEN[i] == ("borrower-a", "plant-1")),
            ),
            (
                "an unknown borrower",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-z".into(),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "assessments",
                pb::ListAssessmentsRequest {
                    kind: pb::RecordKind::Assessment as i32,
                    ..Default::default()
                },
                pick(&|_| true),
            ),
            (
                "monitoring reports",
                pb::ListAssessmentsRequest {
                    kind: pb::RecordKind::MonitoringReport as i32,
                    ..Default::default()
                },
                vec![],
            ),
            (
                "from the fourth",
                pb::ListAssessmentsRequest {
                    created_from: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i >= 3),
            ),
            (
                "before the fourth",
                pb::ListAssessmentsRequest {
                    created_to: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i < 3),
            ),
            (
                "from the second to the sixth",
                pb::ListAssessmentsRequest {
                    created_from: seals[1].created_at.clone(),
                    created_to: seals[5].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| (1..5).contains(&i)),
            ),
            (
                "borrower-a from the fourth",
                pb::ListAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    created_from: seals[3].created_at.clone(),
                    ..Default::default()
                },
                pick(&|i| i >= 3 && SEVEN[i].0 == "borrower-a"),
            ),
            (
                "from a second-precision instant before all",
                pb::ListAssessmentsRequest {
                    created_from: "2020-01-01T00:00:00Z".into(),
                    created_to: "2200-01-01T00:00:00Z".into(),
                    ..Default::default()
                },
                pick(&|_| true),
            ),
        ];
        for (what, filter, expected) in cases {
            let listed = f.list_all(&f.bank, filter.clone()).await;
            assert_eq!(ids(&listed), expected, "list {what}");
            // Page by page the filter holds on every page.
            let paged = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        page_size: 2,
                        ..filter
                    },
                )
                .await;
            assert_eq!(ids(&paged), expected, "list {what}, two at a time");
        }
    }
}

/// The instant `micros` since 1970 plus `extra_nanos` (below a microsecond) as RFC 3339 in
/// the zone `offset_minutes` east of UTC, with `digits` fraction digits (0: none, the instant
/// cut to the second).
fn rfc3339_at(micros: i64, extra_nanos: u32, offset_minutes: i64, digits: usize) -> String {
    assert!(extra_nanos < 1000);
    let local = micros.div_euclid(1_000_000) + offset_minutes * 60;
    let nanos =
        u32::try_from(micros.rem_euclid(1_000_000)).expect("below a second") * 1000 + extra_nanos;
    let local = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(local).expect("after 1970"));
    let mut text = humantime::format_rfc3339_seconds(local).to_string();
    text.pop(); // the Z
    if digits > 0 {
        text.push_str(&format!(".{nanos:09}")[..=digits]);
    }
    if offset_minutes == 0 {
        text.push('Z');
    } else {
        let sign = if offset_minutes > 0 { '+' } else { '-' };
        let minutes = offset_minutes.abs();
        text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    }
    text
}

#[test]
fn rfc3339_at_writes_local_time_with_the_offset() {
    let micros = 1_779_264_000_123_456;
    assert_eq!(rfc3339_at(micros, 0, 0, 6), "2026-05-20T08:00:00.123456Z");
    assert_eq!(
        rfc3339_at(micros, 789, 480, 9),
        "2026-05-20T16:00:00.123456789+08:00"
    );
    assert_eq!(rfc3339_at(micros, 0, -330, 0), "2026-05-20T02:30:00-05:30");
    assert_eq!(
        rfc3339_at(micros, 0, -720, 3),
        "2026-05-19T20:00:00.123-12:00"
    );
}

/// created_from and created_to are instants: written with any offset, in whole seconds or
/// with up to nine fraction digits (cut to the microsecond), they select what the same instant
/// in UTC selects.
#[tokio::test]
async fn list_reads_creation_times_with_an_offset_as_the_instants_they_are() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        let fourth = &seals[3];
        let micros = fourth.created_unix_micros;
        let created = humantime::parse_rfc3339(&fourth.created_at)
            .expect("RFC 3339")
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970");
        assert_eq!(
            created.as_micros(),
            micros as u128,
            "created_at and created_unix_micros are one instant"
        );
        let selected = |keep: &dyn Fn(i64) -> bool| -> Vec<String> {
            seals
                .iter()
                .filter(|s| keep(s.created_unix_micros))
                .map(|s| s.record_id.clone())
                .collect()
        };
        assert_eq!(selected(&|m| m >= micros), ids(&seals[3..]));
        let whole_second = micros - micros.rem_euclid(1_000_000);

        // The instant as written, and the microsecond it means.
        let mut instants = Vec::new();
        for offset in [0, 480, -330, 345, -720, 14 * 60] {
            instants.push((rfc3339_at(micros, 0, offset, 6), micros));
            // Nanoseconds below the microsecond are cut, not rounded up.
            instants.push((rfc3339_at(micros, 999, offset, 9), micros));
            instants.push((rfc3339_at(micros, 0, offset, 0), whole_second));
        }
        instants.push((
            fourth.created_at.replace('T', "t").replace('Z', "z"),
            micros,
        ));
        instants.push((fourth.created_at.replace('Z', "+00:00"), micros));
        instants.push((fourth.created_at.replace('Z', "-00:00"), micros));
        for (text, meant) in instants {
            let from = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        created_from: text.clone(),
                        ..Default::default()
                    },
                )
                .await;
            assert_eq!(ids(&from), selected(&|m| m >= meant), "created_from {text}");
            let to = f
                .export(
                    &f.bank,
                    pb::ExportAssessmentsRequest {
                        created_to: text.clone(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_or_else(|status| panic!("created_to {text}: {status:?}"));
            assert_eq!(
                export_ids(&to),
                selected(&|m| m < meant),
                "created_to {text}"
            );
        }
        // Its own microsecond, in Beijing time, holds the fourth record alone.
        let only_fourth = f
            .list_all(
                &f.bank,
                pb::ListAssessmentsRequest {
                    created_from: rfc3339_at(micros, 0, 480, 6),
                    created_to: rfc3339_at(micros + 1, 0, 480, 6),
                    ..Default::default()
                },
            )
            .await;
        assert_eq!(ids(&only_fourth), ids(&seals[3..4]));
    }
}

#[tokio::test]
async fn list_and_export_refuse_bad_arguments_naming_the_field() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        f.store(&f.bank, "leshan-yaqing", "plant-1").await;
        let list_cases: Vec<(pb::ListAssessmentsRequest, &str)> = vec![
            (
                pb::ListAssessmentsRequest {
                    page_token: "not-a-token".into(),
                    ..Default::default()
                },
                "page_token",
            ),
            (
                pb::ListAssessmentsRequest {
                    page_token: "after:-1".into(),
                    ..Default::default()
                },
                "page_token",
            ),
            (
                pb::ListAssessmentsRequest {
                    page_size: 201,
                    ..Default::default()
                },
                "page_size",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "yesterday".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-13-01T00:00:00Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T08:00:00".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T16:00:00+0800".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20 08:00:00Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_from: "2026-05-20T16:00:00.+08:00".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20T16:00:00.1234567890Z".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    created_to: "2026-05-20T16:00:00+24:00".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ListAssessmentsRequest {
                    kind: 99,
                    ..Default::default()
                },
                "kind",
            ),
        ];
        for (request, field) in list_cases {
            let status = assert_code(
                f.list(&f.bank, request.clone()).await,
                Code::InvalidArgument,
                &format!("list {request:?}"),
            );
            assert_eq!(violated_fields(&status), [field], "{request:?}");
        }
        let export_cases: Vec<(pb::ExportAssessmentsRequest, &str)> = vec![
            (
                pb::ExportAssessmentsRequest {
                    created_from: "2026-05-20".into(),
                    ..Default::default()
                },
                "created_from",
            ),
            (
                pb::ExportAssessmentsRequest {
                    created_to: "soon".into(),
                    ..Default::default()
                },
                "created_to",
            ),
            (
                pb::ExportAssessmentsRequest {
                    kind: -1,
                    ..Default::default()
                },
                "kind",
            ),
        ];
        for (request, field) in export_cases {
            let status = assert_code(
                f.export(&f.bank, request.clone()).await,
                Code::InvalidArgument,
                &format!("export {request:?}"),
            );
            assert_eq!(violated_fields(&status), [field], "{request:?}");
        }
    }
}

#[tokio::test]
async fn export_streams_exactly_the_filtered_records_with_content_oldest_first() {
    for backend in backends() {
        let f = Fixture::start(backend).await;
        let seals = store_seven(&f).await;
        f.store(&f.other_bank, "borrower-a", "plant-1").await;

        let everything = f.export(&f.bank, Default::default()).await.expect("export");
        assert_eq!(export_ids(&everything), ids(&seals));
        for (record, seal) in everything.iter().zip(&seals) {
            assert_eq!(record.seal.as_ref(), Some(seal));
            let stored = f.get(&f.bank, &seal.record_id).await.expect("get");
            assert_eq!(
                record, &stored,
                "the export carries what GetAssessment gives"
            );
        }

        let filters = [
            pb::ExportAssessmentsRequest {
                borrower_id: "borrower-a".into(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                project_id: "plant-2".into(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                borrower_id: "borrower-b".into(),
                created_from: seals[2].created_at.clone(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                kind: pb::RecordKind::Assessment as i32,
                created_to: seals[4].created_at.clone(),
                ..Default::default()
            },
            pb::ExportAssessmentsRequest {
                kind: pb::RecordKind::MonitoringReport as i32,
                ..Default::default()
            },
        ];
        for filter in filters {
            let exported = f.export(&f.bank, filter.clone()).await.expect("export");
            let listed = f
                .list_all(
                    &f.bank,
                    pb::ListAssessmentsRequest {
                        borrower_id: filter.borrower_id.clone(),
                        project_id: filter.project_id.clone(),
                        kind: filter.kind,
                        created_from: filter.created_from.clone(),
                        created_to: filter.created_to.clone(),
                        ..Default::default()
                    },
                )
                .await;
            assert_eq!(export_ids(&exported), ids(&listed), "{filter:?}");
            let sequences: Vec<u64> = exported
                .iter()
                .map(|r| r.seal.as_ref().unwrap().sequence)
                .collect();
            assert!(sequences.is_sorted(), "oldest first: {sequences:?}");
            for record in &exported {
                let Some(Content::Assessment(assessment)) = &record.content else {
                    panic!("an exported assessment has its content");
                };
                let request = assessment.request.as_ref().expect("request");
                let response = assessment.response.as_ref().expect("response");
                if !filter.borrower_id.is_empty() {
                    assert_eq!(request.borrower_id, filter.borrower_id);
                    assert_eq!(response.borrower_id, filter.borrower_id);
                }
                if !filter.project_id.is_empty() {
                    assert_eq!(request.project_id, filter.project_id);
                }
                assert_eq!(record.seal.as_ref().unwrap().tenant, f.bank.tenant);
            }
        }
        // The expected counts, independently of List.
        let count = |borrower: &str| SEVEN.iter().filter(|(b, _)| *b == borrower).count();
        let by_a = f
            .export(
                &f.bank,
                pb::ExportAssessmentsRequest {
                    borrower_id: "borrower-a".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_a.len(), count("borrower-a"));
    }
}
