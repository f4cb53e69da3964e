//! The fixture of the record tests (a server on one store, with two banks, an exchange and an
//! administrator as tenants) and the helpers and checks they share.

use std::collections::BTreeSet;

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::records::{RecordKind, Seal};
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::common::{
    Backend, Principal, TestServer, bearer, principal, random_seed, record_parts, seed_request,
    tokens_auth,
};

/// The checks VerifyAssessment runs, in the order it reports them.
const CHECKS: [&str; 4] = ["digest", "signature", "chain_link", "recomputation"];

/// A server on one store, with two banks, an exchange and an administrator as tenants.
pub struct Fixture {
    pub backend: Backend,
    /// The service key's seed: what a forger holding the key could sign with.
    pub seed: [u8; 32],
    pub bank: Principal,
    pub other_bank: Principal,
    pub exchange: Principal,
    pub admin: Principal,
    pub client: ImpactServiceClient<Channel>,
    _server: TestServer,
}

impl Fixture {
    pub async fn start(backend: Backend) -> Fixture {
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

    pub fn client(&self) -> ImpactServiceClient<Channel> {
        self.client.clone()
    }

    pub async fn assess(&self, who: &Principal, request: pb::AssessRequest) -> pb::AssessResponse {
        self.client()
            .assess(bearer(&who.token, request))
            .await
            .unwrap_or_else(|status| panic!("assess on {}: {status:?}", self.backend.name()))
            .into_inner()
    }

    /// Stores the seed case for `borrower` and `project`; returns its seal.
    pub async fn store(&self, who: &Principal, borrower: &str, project: &str) -> pb::RecordSeal {
        self.assess(who, request_for(borrower, project))
            .await
            .record
            .expect("a stored assessment carries its seal")
    }

    pub async fn get(&self, who: &Principal, record_id: &str) -> Result<pb::StoredRecord, Status> {
        self.get_in(who, record_id, pb::AssessmentView::Unspecified)
            .await
    }

    pub async fn get_in(
        &self,
        who: &Principal,
        record_id: &str,
        view: pb::AssessmentView,
    ) -> Result<pb::StoredRecord, Status> {
        let request = pb::GetAssessmentRequest {
            record_id: record_id.to_owned(),
            view: view as i32,
        };
        Ok(self
            .client()
            .get_assessment(bearer(&who.token, request))
            .await?
            .into_inner())
    }

    pub async fn verify(
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
    pub async fn failing(&self, record_id: &str) -> BTreeSet<String> {
        let answer = self
            .verify(&self.bank, record_id)
            .await
            .unwrap_or_else(|status| panic!("verify on {}: {status:?}", self.backend.name()));
        failed_checks(&answer)
    }

    pub async fn list(
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
    pub async fn list_all(
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

    pub async fn export(
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

    pub async fn share(
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

    pub async fn service_key(&self, who: &Principal) -> pb::GetServiceKeyResponse {
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

pub fn request_for(borrower: &str, project: &str) -> pb::AssessRequest {
    pb::AssessRequest {
        borrower_id: borrower.to_owned(),
        project_id: project.to_owned(),
        ..seed_request()
    }
}

pub fn ids(seals: &[pb::RecordSeal]) -> Vec<String> {
    seals.iter().map(|s| s.record_id.clone()).collect()
}

pub fn export_ids(records: &[pb::StoredRecord]) -> Vec<String> {
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

pub fn seal_ids(seals: &[&pb::RecordSeal]) -> Vec<String> {
    seals.iter().map(|s| s.record_id.clone()).collect()
}

pub fn hex_array<const N: usize>(text: &str) -> [u8; N] {
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes)
        .unwrap_or_else(|e| panic!("{text:?} is not {N} bytes of hex: {e}"));
    bytes
}

/// The names of the failed checks; panics unless all four checks are reported, in order, each
/// with a detail, and `verified` agrees with them.
pub fn failed_checks(answer: &pb::VerifyAssessmentResponse) -> BTreeSet<String> {
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

pub fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

pub fn detail<'a>(answer: &'a pb::VerifyAssessmentResponse, name: &str) -> &'a str {
    &answer
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check"))
        .detail
}

/// The seal as the library's type, to rebuild its signing text.
pub fn seal_of(seal: &pb::RecordSeal) -> Seal {
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
        methodology_digest: seal.methodology_digest_sha256.clone(),
        factor_set_digest: seal.factor_set_digest_sha256.clone(),
        digest: hex_array::<32>(&seal.digest_sha256).to_vec(),
        previous_digest: hex_array::<32>(&seal.previous_digest_sha256).to_vec(),
        signature: hex_array::<64>(&seal.signature_ed25519).to_vec(),
        key_id: seal.key_id.clone(),
    }
}

pub fn assert_code<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: Code,
    what: &str,
) -> Status {
    match result {
        Ok(value) => panic!("{what}: expected {code:?}, got {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "{what}: {status:?}");
            status
        }
    }
}

/// The seven records of the listing tests: (borrower, project).
pub const SEVEN: [(&str, &str); 7] = [
    ("borrower-a", "plant-1"),
    ("borrower-b", "plant-1"),
    ("borrower-a", "plant-2"),
    ("borrower-c", "plant-1"),
    ("borrower-a", "plant-1"),
    ("borrower-b", "plant-2"),
    ("borrower-a", "plant-1"),
];

pub async fn store_seven(f: &Fixture) -> Vec<pb::RecordSeal> {
    let mut seals = Vec::new();
    for (borrower, project) in SEVEN {
        seals.push(f.store(&f.bank, borrower, project).await);
    }
    seals
}
