//! The `Store` contract, run against every backend: SQLite in a fresh directory per test, and
//! PostgreSQL at `GREEN_IMPACT_TEST_DATABASE_URL` (`.ci/run` starts a throwaway cluster and sets
//! it). Every test works in tenants and subjects of its own, so runs against one database do
//! not see each other.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use green_impact::records::{self, NewRecord, Record, RecordKind, Seal, ServiceKey, ZERO_DIGEST};
use green_impact::store::postgres::PostgresStore;
use green_impact::store::sqlite::SqliteStore;
use green_impact::store::{Filter, LastReport, Store, StoreError};

const DATABASE_URL: &str = "GREEN_IMPACT_TEST_DATABASE_URL";

/// A database the tests can open any number of stores on, as replicas would.
trait Backend {
    fn open(&self) -> Box<dyn Store>;

    /// Runs `sql` on the database directly, as someone editing it behind the service's back;
    /// `$1` is `record_id`.
    fn tamper(&self, sql: &str, record_id: &str);
}

struct Sqlite {
    dir: PathBuf,
}

impl Sqlite {
    fn new() -> Sqlite {
        let dir = std::env::temp_dir().join(format!("green-impact-store-{}", unique("db")));
        Sqlite { dir }
    }
}

impl Backend for Sqlite {
    fn open(&self) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.dir).expect("open the SQLite store"))
    }

    fn tamper(&self, sql: &str, record_id: &str) {
        let connection = rusqlite::Connection::open(self.dir.join("records.sqlite3"))
            .expect("open the SQLite file");
        let changed = connection
            .execute(&sql.replace("$1", "?1"), [record_id])
            .expect("tamper");
        assert_eq!(changed, 1);
    }
}

impl Drop for Sqlite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Postgres {
    url: String,
}

impl Postgres {
    /// CI must exercise PostgreSQL, so there a missing database is a failure; elsewhere a
    /// developer without one still gets the SQLite half of the contract.
    fn new() -> Option<Postgres> {
        match std::env::var(DATABASE_URL) {
            Ok(url) if !url.is_empty() => Some(Postgres { url }),
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("{DATABASE_URL} is not set in CI: .ci/run should have started PostgreSQL")
            }
            _ => {
                eprintln!("note: {DATABASE_URL} is not set; the PostgreSQL contract is not run");
                None
            }
        }
    }
}

impl Backend for Postgres {
    fn open(&self) -> Box<dyn Store> {
        Box::new(PostgresStore::connect(&self.url, None).expect("connect to the PostgreSQL store"))
    }

    fn tamper(&self, sql: &str, record_id: &str) {
        let mut client =
            ::postgres::Client::connect(&self.url, ::postgres::NoTls).expect("connect");
        let changed = client.execute(sql, &[&record_id]).expect("tamper");
        assert_eq!(changed, 1);
    }
}

/// Unique across tests, threads and runs: the process id and a counter keep one run's tests
/// apart, the random part keeps them apart from earlier runs against the same database.
fn unique(label: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let random = records::new_record_id().expect("randomness");
    format!(
        "{label}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        &random[4..12]
    )
}

fn key() -> ServiceKey {
    ServiceKey::from_seed(&[7; 32])
}

const CREATED_MICROS: i64 = 1_779_264_000_000_000;

fn new_record(tenant: &str, kind: RecordKind) -> NewRecord {
    NewRecord {
        record_id: records::new_record_id().expect("randomness"),
        kind,
        tenant: tenant.to_owned(),
        created_at: "2026-05-20T08:00:00Z".to_owned(),
        created_unix_micros: CREATED_MICROS,
        methodology_version: "green-impact/1.1.0".to_owned(),
        factor_set: "ipcc2019-cn/2026.1".to_owned(),
        subject_record_id: String::new(),
        borrower_id: "leshan-yaqing".to_owned(),
        project_id: "manure-plant".to_owned(),
        request: b"request bytes".to_vec(),
        response: b"response bytes".to_vec(),
    }
}

fn report_about(tenant: &str, subject: &Seal) -> NewRecord {
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

fn append(store: &dyn Store, record: NewRecord) -> Seal {
    try_append(store, record, None).expect("append")
}

/// Appends `record` under the precondition `expect`, sealed as the service would.
fn try_append(
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
    let seal = store.append(record, key.key_id(), expect, sealer)?;
    assert_eq!(
        seal,
        expected_seal(&content, &key, seal.sequence, &seal.previous_digest),
        "the returned seal is the record's, sealed at the place the store gave it"
    );
    Ok(seal)
}

fn all(store: &dyn Store, tenant: &str) -> Vec<Seal> {
    store
        .list(tenant, &Filter::default(), 0, usize::MAX)
        .expect("list")
}

fn sequences(seals: &[Seal]) -> Vec<u64> {
    seals.iter().map(|seal| seal.sequence).collect()
}

/// Sequences without gaps or repeats from 1, each previous digest the digest before it, each
/// digest the record's own and each signature the service key's.
fn assert_sound_chain(store: &dyn Store, seals: &[Seal]) {
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

fn chain_is_numbered_from_one_and_linked(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let first = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let second = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let third = append(&*store, report_about(&tenant, &first));
    assert_eq!(
        sequences(&[first.clone(), second.clone(), third.clone()]),
        [1, 2, 3]
    );
    assert_eq!(first.previous_digest, ZERO_DIGEST);
    assert_eq!(second.previous_digest, first.digest);
    assert_eq!(third.previous_digest, second.digest);
    assert_sound_chain(&*store, &all(&*store, &tenant));

    let other = unique("insurer");
    let own = append(&*store, new_record(&other, RecordKind::Assessment));
    assert_eq!(
        (own.sequence, own.previous_digest),
        (1, ZERO_DIGEST.to_vec()),
        "a chain per tenant"
    );
    assert_eq!(sequences(&all(&*store, &tenant)), [1, 2, 3]);
}

fn get_returns_exactly_what_was_appended(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment));
    // Bytes that are not text, an empty response, and a body past any page or inline limit.
    let mut request: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    request.extend_from_slice(&[0, 0, 0xff]);
    let record = NewRecord {
        created_at: "2026-06-01T00:00:00.123456Z".to_owned(),
        created_unix_micros: CREATED_MICROS + 1_036_800_123_456,
        methodology_version: "green-impact/1.2.0".to_owned(),
        factor_set: "custom/2026.2".to_owned(),
        borrower_id: "借款人-7".to_owned(),
        project_id: "project \"quoted\" 'x'".to_owned(),
        request,
        response: Vec::new(),
        ..report_about(&tenant, &subject)
    };
    let seal = append(&*store, record.clone());
    let stored = store.get(&record.record_id).expect("get").expect("stored");
    assert_eq!(
        stored,
        Record {
            seal,
            request: record.request,
            response: record.response,
            shared_with: Vec::new(),
        }
    );
    assert_eq!(stored.recomputed_digest()[..], stored.seal.digest[..]);
    assert_eq!(
        (
            &stored.seal.borrower_id,
            &stored.seal.project_id,
            stored.seal.created_unix_micros
        ),
        (
            &record.borrower_id,
            &record.project_id,
            record.created_unix_micros
        ),
        "borrower, project and creation instant are part of the seal"
    );
}

fn unknown_ids_are_none(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let known = append(&*store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!(store.get(&unique("rec_unknown")).expect("get"), None);
    assert_eq!(store.get("").expect("get"), None);
    assert_eq!(store.seal_at(&tenant, 2).expect("seal_at"), None);
    assert_eq!(store.seal_at(&tenant, 0).expect("seal_at"), None);
    assert_eq!(store.seal_at(&unique("nobody"), 1).expect("seal_at"), None);
    assert_eq!(all(&*store, &unique("nobody")), []);
    assert_eq!(
        store
            .report_before(&known.record_id, u64::MAX)
            .expect("report"),
        None
    );
    assert_eq!(
        store
            .report_before(&unique("rec_unknown"), u64::MAX)
            .expect("report"),
        None
    );
}

fn seal_at_gives_the_seal_at_that_place(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let seals: Vec<Seal> = (0..3)
        .map(|_| append(&*store, new_record(&tenant, RecordKind::Assessment)))
        .collect();
    for seal in &seals {
        assert_eq!(
            store
                .seal_at(&tenant, seal.sequence)
                .expect("seal_at")
                .as_ref(),
            Some(seal)
        );
    }
    let other = unique("bank");
    append(&*store, new_record(&other, RecordKind::Assessment));
    assert_ne!(
        store.seal_at(&other, 1).expect("seal_at").as_ref(),
        Some(&seals[0])
    );
}

fn list_filters_and_pages(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let at = |offset: i64, borrower: &str, project: &str, kind: RecordKind| NewRecord {
        created_unix_micros: CREATED_MICROS + offset,
        borrower_id: borrower.to_owned(),
        project_id: project.to_owned(),
        ..new_record(&tenant, kind)
    };
    use RecordKind::{Assessment as A, MonitoringReport as M};
    // Sequence: 1..=6, created out of sequence order on purpose.
    let seals = [
        append(&*store, at(0, "b1", "p1", A)),
        append(&*store, at(10, "b1", "p2", A)),
        append(&*store, at(5, "b2", "p1", M)),
        append(&*store, at(20, "b1", "p1", M)),
        append(&*store, at(15, "b2", "p2", A)),
        append(&*store, at(30, "b1", "p1", A)),
    ];
    // Another tenant's record that matches every filter below.
    append(
        &*store,
        NewRecord {
            tenant: unique("bank"),
            ..at(0, "b1", "p1", A)
        },
    );

    let list = |filter: Filter, after: u64, limit: usize| {
        sequences(&store.list(&tenant, &filter, after, limit).expect("list"))
    };
    let everything = Filter::default();
    assert_eq!(
        store.list(&tenant, &everything, 0, 100).expect("list"),
        seals
    );
    let borrower = |b: &str| Filter {
        borrower_id: Some(b.to_owned()),
        ..Filter::default()
    };
    assert_eq!(list(borrower("b1"), 0, 100), [1, 2, 4, 6]);
    assert_eq!(list(borrower("b2"), 0, 100), [3, 5]);
    assert_eq!(list(borrower("b3"), 0, 100), Vec::<u64>::new());
    let project = Filter {
        project_id: Some("p2".to_owned()),
        ..Filter::default()
    };
    assert_eq!(list(project, 0, 100), [2, 5]);
    let reports = Filter {
        kind: Some(M),
        ..Filter::default()
    };
    assert_eq!(list(reports, 0, 100), [3, 4]);
    let assessments = Filter {
        kind: Some(A),
        ..Filter::default()
    };
    assert_eq!(list(assessments, 0, 100), [1, 2, 5, 6]);
    // From inclusive, to exclusive.
    let range = |from: Option<i64>, to: Option<i64>| Filter {
        created_from_micros: from.map(|offset| CREATED_MICROS + offset),
        created_to_micros: to.map(|offset| CREATED_MICROS + offset),
        ..Filter::default()
    };
    assert_eq!(list(range(Some(10), None), 0, 100), [2, 4, 5, 6]);
    assert_eq!(list(range(None, Some(10)), 0, 100), [1, 3]);
    assert_eq!(list(range(Some(5), Some(20)), 0, 100), [2, 3, 5]);
    assert_eq!(list(range(Some(20), Some(20)), 0, 100), Vec::<u64>::new());
    let combined = Filter {
        borrower_id: Some("b1".to_owned()),
        project_id: Some("p1".to_owned()),
        kind: Some(A),
        created_from_micros: Some(CREATED_MICROS),
        created_to_micros: Some(CREATED_MICROS + 31),
    };
    assert_eq!(list(combined.clone(), 0, 100), [1, 6]);

    // Paging: `after` is the last sequence seen, `limit` the page size.
    assert_eq!(list(everything.clone(), 0, 4), [1, 2, 3, 4]);
    assert_eq!(list(everything.clone(), 4, 4), [5, 6]);
    assert_eq!(list(everything.clone(), 6, 4), Vec::<u64>::new());
    assert_eq!(list(everything.clone(), 0, 0), Vec::<u64>::new());
    assert_eq!(list(everything.clone(), 2, 1), [3]);
    assert_eq!(list(everything, 0, usize::MAX), [1, 2, 3, 4, 5, 6]);
    assert_eq!(list(borrower("b1"), 2, 1), [4]);
    assert_eq!(list(borrower("b1"), 4, 100), [6]);
    assert_eq!(list(combined, 1, 100), [6]);
}

fn report_before_finds_the_last_earlier_report(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment)); // 1
    let first = append(&*store, report_about(&tenant, &subject)); // 2
    let other_subject = append(&*store, new_record(&tenant, RecordKind::Assessment)); // 3
    // An assessment naming the subject is not a monitoring report.
    append(
        &*store,
        NewRecord {
            subject_record_id: subject.record_id.clone(),
            ..new_record(&tenant, RecordKind::Assessment)
        },
    ); // 4
    let second = append(&*store, report_about(&tenant, &subject)); // 5
    append(&*store, report_about(&tenant, &other_subject)); // 6

    let before = |sequence: u64| {
        store
            .report_before(&subject.record_id, sequence)
            .expect("report_before")
            .map(|record| record.seal.sequence)
    };
    assert_eq!(before(u64::MAX), Some(5));
    assert_eq!(before(6), Some(5));
    assert_eq!(before(5), Some(2), "strictly before");
    assert_eq!(before(3), Some(2));
    assert_eq!(before(2), None);
    assert_eq!(before(1), None);
    assert_eq!(before(0), None);

    store.share(&second.record_id, "auditor").expect("share");
    let last = store
        .report_before(&subject.record_id, u64::MAX)
        .expect("report_before")
        .expect("a report");
    assert_eq!(
        Some(&last),
        store.get(&second.record_id).expect("get").as_ref()
    );
    assert_eq!(
        last.shared_with,
        ["auditor"],
        "the whole record, shares included"
    );
    let earlier = store
        .report_before(&subject.record_id, second.sequence)
        .expect("report_before")
        .expect("a report");
    assert_eq!(earlier.seal, first);
    assert_eq!(
        store
            .report_before(&other_subject.record_id, u64::MAX)
            .expect("report_before")
            .map(|record| record.seal.sequence),
        Some(6)
    );
}

fn share_is_idempotent_and_sorted(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let seal = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let untouched = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let id = &seal.record_id;
    assert_eq!(store.share(id, "insurer-b").expect("share"), ["insurer-b"]);
    assert_eq!(
        store.share(id, "insurer-b").expect("share again"),
        ["insurer-b"]
    );
    assert_eq!(
        store.share(id, "exchange").expect("share"),
        ["exchange", "insurer-b"]
    );
    // Byte order, not a locale's: upper case before lower, digits before both.
    let shared = store.share(id, "Insurer-c").expect("share");
    assert_eq!(shared, ["Insurer-c", "exchange", "insurer-b"]);
    let shared = store.share(id, "1st-bank").expect("share");
    assert_eq!(shared, ["1st-bank", "Insurer-c", "exchange", "insurer-b"]);
    let record = store.get(id).expect("get").expect("stored");
    assert_eq!(record.shared_with, shared);
    assert_eq!(record.seal, seal, "sharing does not touch the seal");
    let other = store
        .get(&untouched.record_id)
        .expect("get")
        .expect("stored");
    assert_eq!(other.shared_with, Vec::<String>::new());
    assert!(
        store.share(&unique("rec_unknown"), "insurer-b").is_err(),
        "only a stored record can be shared"
    );
}

/// Survives the store being closed and opened again, as across a restart.
fn reopened_store_has_the_chain(backend: &dyn Backend) {
    let tenant = unique("bank");
    let (first, record_id) = {
        let store = backend.open();
        let record = new_record(&tenant, RecordKind::Assessment);
        let record_id = record.record_id.clone();
        let first = append(&*store, record);
        store.share(&record_id, "insurer").expect("share");
        (first, record_id)
    };
    let store = backend.open();
    let stored = store.get(&record_id).expect("get").expect("still there");
    assert_eq!(stored.seal, first);
    assert_eq!(stored.shared_with, ["insurer"]);
    let second = append(&*store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!((second.sequence, second.previous_digest), (2, first.digest));
}

/// The last report on `subject`, as a precondition (None: no report yet).
fn last_report(subject: &Seal, last: Option<&Seal>) -> LastReport {
    LastReport {
        subject_record_id: subject.record_id.clone(),
        record_id: last.map(|seal| seal.record_id.clone()),
    }
}

/// Appends `record` under `expect`, which must fail: Conflict, before anything is sealed, and
/// nothing stored.
fn assert_refused(store: &dyn Store, record: NewRecord, expect: &LastReport) {
    let chain = all(store, &record.tenant);
    let record_id = record.record_id.clone();
    let tenant = record.tenant.clone();
    let refused = store.append(
        record,
        key().key_id(),
        Some(expect),
        Box::new(|_, _, _| panic!("no seal when the precondition fails")),
    );
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{expect:?}: {refused:?}"
    );
    assert_eq!(all(store, &tenant), chain, "the chain is unchanged");
    assert_eq!(store.get(&record_id).expect("get"), None, "nothing stored");
}

/// A report is stored only while the last report on its plan is still the one it was
/// evaluated against.
fn append_checks_the_last_report(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let subject = append(&*store, new_record(&tenant, RecordKind::Assessment));
    let other_subject = append(&*store, new_record(&tenant, RecordKind::Assessment));

    let no_report = last_report(&subject, None);
    let first = try_append(&*store, report_about(&tenant, &subject), Some(&no_report))
        .expect("no report yet, as expected");
    assert_eq!(first.sequence, 3);
    assert_refused(&*store, report_about(&tenant, &subject), &no_report);

    let after_first = last_report(&subject, Some(&first));
    let second = try_append(&*store, report_about(&tenant, &subject), Some(&after_first))
        .expect("the first is the last report, as expected");
    assert_eq!(
        (second.sequence, &second.previous_digest),
        (4, &first.digest),
        "the refused appends took no place in the chain"
    );
    // Stale: the second has been stored since.
    assert_refused(&*store, report_about(&tenant, &subject), &after_first);
    assert_refused(&*store, report_about(&tenant, &subject), &no_report);
    // A record that is no report on the plan is never its last report.
    assert_refused(
        &*store,
        report_about(&tenant, &subject),
        &last_report(&subject, Some(&subject)),
    );
    assert_refused(
        &*store,
        report_about(&tenant, &subject),
        &last_report(&subject, Some(&other_subject)),
    );

    // Only reports on the same plan count: not an assessment naming it, nor another plan's.
    append(
        &*store,
        NewRecord {
            subject_record_id: subject.record_id.clone(),
            ..new_record(&tenant, RecordKind::Assessment)
        },
    );
    let elsewhere = try_append(
        &*store,
        report_about(&tenant, &other_subject),
        Some(&last_report(&other_subject, None)),
    )
    .expect("no report on the other plan yet");
    let third = try_append(
        &*store,
        report_about(&tenant, &subject),
        Some(&last_report(&subject, Some(&second))),
    )
    .expect("the second is still the last report on the plan");
    assert_eq!((elsewhere.sequence, third.sequence), (6, 7));
    assert_eq!(
        store
            .report_before(&subject.record_id, u64::MAX)
            .expect("report_before")
            .map(|record| record.seal),
        Some(third)
    );
    assert_sound_chain(&*store, &all(&*store, &tenant));
}

/// Reports racing on one plan, all evaluated against the same last report, through `replicas`
/// stores on one database: exactly one is stored in each round, the others conflict.
fn racing_reports_store_one_per_expectation(backend: &dyn Backend, replicas: usize) {
    let stores: Vec<Box<dyn Store>> = (0..replicas).map(|_| backend.open()).collect();
    let tenant = unique("busy-bank");
    let subject = append(&*stores[0], new_record(&tenant, RecordKind::Assessment));
    let mut last: Option<Seal> = None;
    for round in 0..5 {
        let expect = last_report(&subject, last.as_ref());
        let stored: Vec<Seal> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..THREADS)
                .map(|thread| {
                    let store = &*stores[thread % replicas];
                    let (tenant, subject, expect) = (&tenant, &subject, &expect);
                    scope.spawn(move || {
                        match try_append(store, report_about(tenant, subject), Some(expect)) {
                            Ok(seal) => Some(seal),
                            Err(StoreError::Conflict(_)) => None,
                            Err(other) => panic!("append: {other}"),
                        }
                    })
                })
                .collect();
            racers
                .into_iter()
                .filter_map(|racer| racer.join().expect("racing thread"))
                .collect()
        });
        assert_eq!(stored.len(), 1, "round {round}: exactly one report stored");
        last = stored.into_iter().next();
    }
    for store in &stores {
        let chain = all(&**store, &tenant);
        assert_eq!(sequences(&chain), [1, 2, 3, 4, 5, 6]);
        assert_eq!(chain.last(), last.as_ref());
        assert_sound_chain(&**store, &chain);
    }
}

fn racing_reports_through_one_store(backend: &dyn Backend) {
    racing_reports_store_one_per_expectation(backend, 1);
}

fn racing_reports_through_two_replicas(backend: &dyn Backend) {
    racing_reports_store_one_per_expectation(backend, 2);
}

fn is_corrupt<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Corrupt(_)))
}

/// A row edited outside the service: a digest or signature of the wrong length is read back
/// as stored, for verification to report, but nothing is chained onto a head whose digest is
/// not one; a row that does not fit the schema at all reads as corrupt, not as a backend
/// failure and not as a record.
fn altered_rows_read_as_stored_or_corrupt(backend: &dyn Backend) {
    let store = backend.open();
    let tenant = unique("bank");
    let short = append(&*store, new_record(&tenant, RecordKind::Assessment));
    backend.tamper(
        "UPDATE records SET digest = substr(digest, 1, 3), \
         signature = substr(signature, 1, 5) WHERE record_id = $1",
        &short.record_id,
    );
    let altered = Seal {
        digest: short.digest[..3].to_vec(),
        signature: short.signature[..5].to_vec(),
        ..short.clone()
    };
    let stored = store.get(&short.record_id).expect("get").expect("stored");
    assert_eq!(stored.seal, altered, "read back as stored");
    assert_ne!(stored.recomputed_digest()[..], stored.seal.digest[..]);
    assert_eq!(
        store.seal_at(&tenant, 1).expect("seal_at"),
        Some(altered.clone())
    );
    assert_eq!(all(&*store, &tenant), [altered]);
    let refused = store.append(
        new_record(&tenant, RecordKind::Assessment),
        "k",
        None,
        Box::new(|_, _, _| panic!("no seal after a corrupt head")),
    );
    assert!(
        is_corrupt(refused),
        "no append after a head that is not a digest"
    );
    assert_eq!(sequences(&all(&*store, &tenant)), [1]);

    let other = unique("bank");
    let odd = append(&*store, new_record(&other, RecordKind::Assessment));
    backend.tamper(
        "UPDATE records SET kind = 9 WHERE record_id = $1",
        &odd.record_id,
    );
    assert!(is_corrupt(store.get(&odd.record_id)));
    assert!(is_corrupt(store.list(&other, &Filter::default(), 0, 10)));
}

const THREADS: usize = 8;
const APPENDS_PER_THREAD: usize = 25;

/// `each(thread, append)` on THREADS threads at once, APPENDS_PER_THREAD times on each; what
/// all of them returned.
fn on_threads<T: Send>(each: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
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

/// Appends racing on one tenant through `replicas` stores on one database: the chain must come
/// out whole, with no sequence taken twice or skipped and every link right.
fn concurrent_appends_keep_one_chain(backend: &dyn Backend, replicas: usize) {
    let stores: Vec<Box<dyn Store>> = (0..replicas).map(|_| backend.open()).collect();
    let tenant = unique("busy-bank");
    let returned: Vec<Seal> = on_threads(|thread, _| {
        append(
            &*stores[thread % replicas],
            new_record(&tenant, RecordKind::Assessment),
        )
    });
    let total = THREADS * APPENDS_PER_THREAD;
    let taken: BTreeSet<u64> = returned.iter().map(|seal| seal.sequence).collect();
    assert_eq!(
        taken,
        (1..=total as u64).collect(),
        "each sequence given exactly once"
    );
    for store in &stores {
        let chain = all(&**store, &tenant);
        assert_eq!(chain.len(), total);
        let mut by_sequence = returned.clone();
        by_sequence.sort_by_key(|seal| seal.sequence);
        assert_eq!(chain, by_sequence, "what was returned is what was stored");
        assert_sound_chain(&**store, &chain);
    }
}

fn concurrent_appends_through_one_store(backend: &dyn Backend) {
    concurrent_appends_keep_one_chain(backend, 1);
}

fn concurrent_appends_through_two_replicas(backend: &dyn Backend) {
    concurrent_appends_keep_one_chain(backend, 2);
}

/// A new SQLite file has 16 KiB pages (a record is about 50 KB), and an existing one keeps
/// the page size it was made with: SQLite cannot change it in WAL mode.
#[test]
fn sqlite_new_files_have_16_kib_pages_and_old_ones_keep_theirs() {
    let page_size = |backend: &Sqlite| -> i64 {
        rusqlite::Connection::open(backend.dir.join("records.sqlite3"))
            .expect("open the SQLite file")
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .expect("page size")
    };
    let new = Sqlite::new();
    append(
        &*new.open(),
        new_record(&unique("bank"), RecordKind::Assessment),
    );
    assert_eq!(page_size(&new), 16384);

    let old = Sqlite::new();
    std::fs::create_dir_all(&old.dir).expect("store directory");
    rusqlite::Connection::open(old.dir.join("records.sqlite3"))
        .expect("create the SQLite file")
        .execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x);")
        .expect("an older file");
    let store = old.open();
    let tenant = unique("bank");
    let first = append(&*store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!(page_size(&old), 4096);
    assert_eq!(all(&*store, &tenant), [first]);
}

/// SQLite commits the appends that wait for a commit together, each in a savepoint of its own:
/// one whose seal panics (the seal is the caller's code) fails alone, and the others stand.
#[test]
fn sqlite_a_panicking_seal_fails_only_its_own_append() {
    let backend = Sqlite::new();
    let store = backend.open();
    let tenant = unique("bank");
    let outcomes: Vec<(bool, Result<Seal, StoreError>)> = on_threads(|thread, append| {
        let record = new_record(&tenant, RecordKind::Assessment);
        if (thread + append).is_multiple_of(5) {
            let seal = Box::new(|_: &NewRecord, _: u64, _: &[u8; 32]| panic!("a seal that panics"));
            (true, store.append(record, "k", None, seal))
        } else {
            (false, try_append(&*store, record, None))
        }
    });
    for (panicked, outcome) in &outcomes {
        assert_eq!(outcome.is_err(), *panicked, "{outcome:?}");
    }
    let stored = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_ok())
        .count();
    let chain = all(&*store, &tenant);
    assert_eq!(chain.len(), stored);
    assert_sound_chain(&*store, &chain);
}

/// Each contract test once per backend, in modules named after them. Some run on PostgreSQL
/// only: SQLite serves one process, and two of them on one file would wait on each other
/// through SQLite's busy timeout, which makes no promise a test could hold it to.
macro_rules! contract {
    (both: [$($test:ident),* $(,)?], postgres_only: [$($replicated:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    super::$test(&super::Sqlite::new());
                }
            )*
        }

        mod postgres {
            $(
                #[test]
                fn $test() {
                    if let Some(backend) = super::Postgres::new() {
                        super::$test(&backend);
                    }
                }
            )*
            $(
                #[test]
                fn $replicated() {
                    if let Some(backend) = super::Postgres::new() {
                        super::$replicated(&backend);
                    }
                }
            )*
        }
    };
}

contract!(
    both: [
        chain_is_numbered_from_one_and_linked,
        get_returns_exactly_what_was_appended,
        unknown_ids_are_none,
        seal_at_gives_the_seal_at_that_place,
        list_filters_and_pages,
        report_before_finds_the_last_earlier_report,
        share_is_idempotent_and_sorted,
        reopened_store_has_the_chain,
        altered_rows_read_as_stored_or_corrupt,
        concurrent_appends_through_one_store,
        append_checks_the_last_report,
        racing_reports_through_one_store,
    ],
    postgres_only: [
        concurrent_appends_through_two_replicas,
        racing_reports_through_two_replicas,
    ],
);

/// The server's way of using the store: built in async code, called from `spawn_blocking`,
/// dropped in async code. The sync client runs a runtime of its own, which must never end up
/// running on one of the server's async threads.
#[test]
fn postgres_store_lives_in_the_server_runtime() {
    let Some(backend) = Postgres::new() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = std::sync::Arc::new(
            PostgresStore::connect(&backend.url, None).expect("connect from async code"),
        );
        let tenant = unique("bank");
        let appending = std::sync::Arc::clone(&store);
        let record = new_record(&tenant, RecordKind::Assessment);
        let seal = tokio::task::spawn_blocking(move || append(&*appending, record))
            .await
            .expect("append from spawn_blocking");
        let reading = std::sync::Arc::clone(&store);
        let id = seal.record_id.clone();
        let stored = tokio::task::spawn_blocking(move || reading.get(&id))
            .await
            .expect("get from spawn_blocking")
            .expect("get");
        assert_eq!(stored.map(|record| record.seal), Some(seal));
        drop(store);
    });
}

/// A restarted or failed-over database cuts every pooled connection; a store that sat idle
/// through that must reconnect rather than fail its next calls.
#[test]
fn postgres_store_reconnects_after_its_sessions_are_cut() {
    let Some(backend) = Postgres::new() else {
        return;
    };
    // A name of its own, so that only this store's sessions are cut, not other tests'.
    let name = unique("cut");
    let separator = if backend.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}application_name={name}", backend.url);
    let store = PostgresStore::connect(&url, None).expect("connect");
    let tenant = unique("bank");
    let first = append(&store, new_record(&tenant, RecordKind::Assessment));

    let mut admin = ::postgres::Client::connect(&backend.url, ::postgres::NoTls).expect("connect");
    let sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1";
    let cut: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1) AS cut",
            &[&name],
        )
        .expect("terminate")
        .get(0);
    assert!(cut >= 1, "the store keeps a pooled session");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while admin
        .query_one(sessions, &[&name])
        .expect("count")
        .get::<_, i64>(0)
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "sessions still there after 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Idle past the store's check, as a quiet replica would be.
    std::thread::sleep(std::time::Duration::from_millis(1500));

    let stored = store.get(&first.record_id).expect("get after reconnecting");
    assert_eq!(stored.map(|record| record.seal), Some(first.clone()));
    let second = append(&store, new_record(&tenant, RecordKind::Assessment));
    assert_eq!((second.sequence, second.previous_digest), (2, first.digest));
}
