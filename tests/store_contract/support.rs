//! Records, seals and chains as the contract tests make and check them: unique tenants, records
//! sealed as the service would seal them, the whole chain of a tenant and its soundness, and work
//! on several threads at once.

use std::sync::atomic::{AtomicU64, Ordering};

use green_impact::records::{self, NewRecord, RecordKind, Seal, ServiceKey, ZERO_DIGEST};
use green_impact::store::{Filter, LastReport, Sealer, Store, StoreError};

/// Unique across tests, threads and runs: the process id and a counter keep one run's tests
/// apart, the random part keeps them apart from earlier runs against the same database.
pub fn unique(label: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let random = records::new_record_id(0).expect("randomness");
    format!(
        "{label}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        // The id's random tail; its head is the (here fixed) time.
        &random[random.len() - 8..]
    )
}

pub fn key() -> ServiceKey {
    ServiceKey::from_seed(&[7; 32])
}

pub const CREATED_MICROS: i64 = 1_779_264_000_000_000;

pub fn new_record(tenant: &str, kind: RecordKind) -> NewRecord {
    NewRecord {
        record_id: records::new_record_id(CREATED_MICROS.unsigned_abs()).expect("randomness"),
        kind,
        tenant: tenant.to_owned(),
        created_at: "2026-05-20T08:00:00Z".to_owned(),
        created_unix_micros: CREATED_MICROS,
        methodology_version: "green-impact/1.1.0".to_owned(),
        factor_set: "ipcc2019-cn/2026.1".to_owned(),
        subject_record_id: String::new(),
        borrower_id: "leshan-yaqing".to_owned(),
        project_id: "manure-plant".to_owned(),
        methodology_digest: "ab".repeat(32),
        factor_set_digest: "cd".repeat(32),
        request: b"request bytes".to_vec(),
        response: b"response bytes".to_vec(),
    }
}

pub fn report_about(tenant: &str, subject: &Seal) -> NewRecord {
    NewRecord {
        subject_record_id: subject.record_id.clone(),
        ..new_record(tenant, RecordKind::MonitoringReport)
    }
}

/// The seal the service would make: the real digest over the record at its place, signed.
fn expected_seal(record: &NewRecord, key: &ServiceKey, sequence: u64, previous: &[u8]) -> Seal {
    let mut seal = Seal {
        record_id: record.record_id.clone(),
        kind: record.kind,
        tenant: record.tenant.clone(),
        sequence,
        created_at: record.created_at.clone(),
        created_unix_micros: record.created_unix_micros,
        methodology_version: record.methodology_version.clone(),
        factor_set: record.factor_set.clone(),
        subject_record_id: record.subject_record_id.clone(),
        borrower_id: record.borrower_id.clone(),
        project_id: record.project_id.clone(),
        methodology_digest: record.methodology_digest.clone(),
        factor_set_digest: record.factor_set_digest.clone(),
        digest: records::digest(
            &record.tenant,
            record.kind,
            &record.subject_record_id,
            sequence,
            previous,
            &record.request,
            &record.response,
        )
        .to_vec(),
        previous_digest: previous.to_vec(),
        signature: Vec::new(),
        key_id: key.key_id().to_owned(),
    };
    seal.signature = key.sign(&seal.signing_text()).to_vec();
    seal
}

pub fn append(store: &dyn Store, record: NewRecord) -> Seal {
    try_append(store, record, None).expect("append")
}

/// Appends `record` under the precondition `expect`, sealed as the service would.
pub fn try_append(
    store: &dyn Store,
    record: NewRecord,
    expect: Option<&LastReport>,
) -> Result<Seal, StoreError> {
    let key = key();
    let content = record.clone();
    let sealer = Box::new(|record: &NewRecord, sequence: u64, previous: &[u8; 32]| {
        let seal = expected_seal(record, &self::key(), sequence, previous);
        (
            seal.digest.try_into().expect("a 32-byte digest"),
            seal.signature.try_into().expect("a 64-byte signature"),
        )
    });
    let seal = append_waiting(store, record, key.key_id(), expect, sealer)?;
    assert_eq!(
        seal,
        expected_seal(&content, &key, seal.sequence, &seal.previous_digest),
        "the returned seal is the record's, sealed at the place the store gave it"
    );
    Ok(seal)
}

/// `store.append`, waiting for its outcome.
pub fn append_waiting(
    store: &dyn Store,
    record: NewRecord,
    key_id: &str,
    expect: Option<&LastReport>,
    seal: Sealer,
) -> Result<Seal, StoreError> {
    let (done, outcome) = std::sync::mpsc::sync_channel(1);
    store.append(
        record,
        key_id,
        expect.cloned(),
        seal,
        Box::new(move |outcome| done.send(outcome).expect("the test waits")),
    );
    outcome
        .recv()
        .expect("the store tells every append's outcome")
}

pub fn all(store: &dyn Store, tenant: &str) -> Vec<Seal> {
    store
        .list(tenant, &Filter::default(), 0, usize::MAX)
        .expect("list")
}

pub fn sequences(seals: &[Seal]) -> Vec<u64> {
    seals.iter().map(|seal| seal.sequence).collect()
}

/// Sequences without gaps or repeats from 1, each previous digest the digest before it, each
/// digest the record's own and each signature the service key's.
pub fn assert_sound_chain(store: &dyn Store, seals: &[Seal]) {
    let key = key();
    let mut previous = ZERO_DIGEST.to_vec();
    for (index, seal) in seals.iter().enumerate() {
        assert_eq!(
            seal.sequence,
            index as u64 + 1,
            "sequence of {}",
            seal.record_id
        );
        assert_eq!(
            seal.previous_digest, previous,
            "link at sequence {}",
            seal.sequence
        );
        let record = store
            .get(&seal.record_id)
            .expect("get")
            .expect("listed record");
        assert_eq!(&record.seal, seal);
        assert_eq!(
            record.recomputed_digest()[..],
            seal.digest[..],
            "digest at {}",
            seal.sequence
        );
        assert_eq!(
            key.verify(key.key_id(), &seal.signing_text(), &seal.signature),
            Some(true)
        );
        previous = seal.digest.clone();
    }
}

pub const THREADS: usize = 8;

pub const APPENDS_PER_THREAD: usize = 25;

/// `each(thread, append)` on THREADS threads at once, APPENDS_PER_THREAD times on each; what
/// all of them returned.
pub fn on_threads<T: Send>(each: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let each = &each;
                scope.spawn(move || {
                    (0..APPENDS_PER_THREAD)
                        .map(|append| each(thread, append))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("appending thread"))
            .collect()
    })
}
