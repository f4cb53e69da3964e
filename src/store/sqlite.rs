//! The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on
//! disk before an append is answered. One writer thread owns the writing connection: appends
//! queue up for it, and it commits what waits in one transaction (group commit), so they share
//! the commit's fsync, and one refused or failed append leaves the others stored. No caller's thread waits on a commit: the writer answers each
//! append through its `Done`. Reads use a connection of their own, which WAL lets read while
//! the writer commits.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::encoding::{Encoding, Stored};
use super::{Done, Filter, LastReport, Sealer, Store, StoreError};
use crate::records::{NewRecord, Record, RecordKind, Seal, ZERO_DIGEST};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    record_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_unix_micros INTEGER NOT NULL,
    methodology_version TEXT NOT NULL,
    factor_set TEXT NOT NULL,
    subject_record_id TEXT NOT NULL,
    borrower_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    request BLOB NOT NULL,
    response BLOB NOT NULL,
    digest BLOB NOT NULL,
    previous_digest BLOB NOT NULL,
    signature BLOB NOT NULL,
    key_id TEXT NOT NULL,
    methodology_digest TEXT NOT NULL DEFAULT '',
    factor_set_digest TEXT NOT NULL DEFAULT '',
    encoding INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant, sequence)
);
CREATE INDEX IF NOT EXISTS records_by_subject ON records (subject_record_id, sequence);
CREATE TABLE IF NOT EXISTS shares (
    record_id TEXT NOT NULL REFERENCES records (record_id),
    tenant TEXT NOT NULL,
    PRIMARY KEY (record_id, tenant)
);
";

const SEAL_COLUMNS: &str = "record_id, kind, tenant, sequence, created_at, created_unix_micros, \
    methodology_version, factor_set, subject_record_id, borrower_id, project_id, digest, \
    previous_digest, signature, key_id, methodology_digest, factor_set_digest";

/// Columns a file made before they existed lacks; added at open, old rows taking the default
/// (no pinned texts, raw bytes).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("methodology_digest", "TEXT NOT NULL DEFAULT ''"),
    ("factor_set_digest", "TEXT NOT NULL DEFAULT ''"),
    ("encoding", "INTEGER NOT NULL DEFAULT 0"),
];

/// The last report on a plan, the precondition of a new one.
const LAST_REPORT: &str = "SELECT record_id FROM records WHERE subject_record_id = ?1 \
    AND kind = ?2 ORDER BY sequence DESC LIMIT 1";

pub struct SqliteStore {
    reader: Mutex<Connection>,
    /// To the writer thread; dropping it ends the thread once the queue is committed.
    appends: Option<mpsc::Sender<Append>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

struct Append {
    record: NewRecord,
    stored: Stored,
    key_id: String,
    expect: Option<LastReport>,
    seal: Sealer,
    done: Done,
}

/// Appends one transaction commits at most: enough to share one fsync among the calls that
/// arrive while a commit runs, few enough that a reader waits for one short transaction.
const MAX_GROUP: usize = 64;

/// A panic while holding a lock leaves no half-written state (transactions roll back, the
/// queue is only changed whole), so a poisoned lock is still safe to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) `records.sqlite3` in `data_dir`, and starts its writer.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", data_dir.display())))?;
        let path = data_dir.join("records.sqlite3");
        let writing = Connection::open(&path).map_err(backend)?;
        // 16 KiB pages: with 4 KiB ones SQLite spent a third more time writing the 50 KB rows
        // of uncompressed responses (overflow pages, each checksummed into the WAL). It takes
        // effect only in a new file, before WAL mode; an existing file keeps its page size.
        // The WAL is cut back to 16 MiB after each checkpoint rather than kept at its largest.
        writing
            .execute_batch(
                "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA busy_timeout = 5000; PRAGMA journal_size_limit = 16777216;",
            )
            .map_err(backend)?;
        writing.execute_batch(SCHEMA).map_err(backend)?;
        add_missing_columns(&writing)?;
        let reader = Connection::open(&path).map_err(backend)?;
        reader
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
            .map_err(backend)?;
        let (appends, queue) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_all(writing, queue))
            .map_err(|e| StoreError::Backend(format!("starting the store's writer: {e}")))?;
        Ok(SqliteStore {
            reader: Mutex::new(reader),
            appends: Some(appends),
            writer: Some(writer),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        lock(&self.reader)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        drop(self.appends.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

fn add_missing_columns(connection: &Connection) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare("SELECT name FROM pragma_table_info('records')")
        .map_err(backend)?;
    let present: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .map_err(backend)?
        .collect::<Result<_, _>>()
        .map_err(backend)?;
    for (name, definition) in ADDED_COLUMNS {
        if !present.iter().any(|p| p == name) {
            connection
                .execute_batch(&format!(
                    "ALTER TABLE records ADD COLUMN {name} {definition}"
                ))
                .map_err(backend)?;
        }
    }
    Ok(())
}

/// The writer thread: commits what waits, a group at a time, until the store is dropped.
fn write_all(mut connection: Connection, queue: mpsc::Receiver<Append>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(append) => group.push(append),
                Err(_) => break,
            }
        }
        let (dones, group): (Vec<Done>, Vec<Pending>) = group
            .into_iter()
            .map(|a| {
                let pending = Pending {
                    record: a.record,
                    stored: a.stored,
                    key_id: a.key_id,
                    expect: a.expect,
                    seal: a.seal,
                };
                (a.done, pending)
            })
            .unzip();
        let count = group.len();
        let outcomes = catch_unwind(AssertUnwindSafe(|| commit(&mut connection, group)))
            .unwrap_or_else(|_| {
                // The callers waiting on this group must hear of it, not wait for ever.
                tracing::error!("a group commit of the record store panicked");
                (0..count)
                    .map(|_| Err(StoreError::Backend("the commit failed".into())))
                    .collect()
            });
        for (done, outcome) in dones.into_iter().zip(outcomes) {
            done(outcome);
        }
    }
}

/// An append in the writer's hands.
struct Pending {
    record: NewRecord,
    stored: Stored,
    key_id: String,
    expect: Option<LastReport>,
    seal: Sealer,
}

/// Commits `group` in one transaction and returns the appends' outcomes in order. An append
/// writes one row with one statement, after its checks and its seal, and SQLite undoes a
/// failed statement alone: an append refused, failed or panicking (its seal is the caller's
/// code) leaves nothing and the others stand, with no savepoint to pay for. Should SQLite
/// roll the whole transaction back (an I/O error, a full disk), or it not commit, every append
/// of the group is told so, a refused one too: what refused it may not have been stored either.
fn commit(connection: &mut Connection, group: Vec<Pending>) -> Vec<Result<Seal, StoreError>> {
    let count = group.len();
    let failed = |message: String| {
        (0..count)
            .map(|_| Err(StoreError::Backend(message.clone())))
            .collect()
    };
    let tx = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(error) => return failed(error.to_string()),
    };
    let mut outcomes = Vec::with_capacity(count);
    for append in group {
        let outcome = catch_unwind(AssertUnwindSafe(|| append_in(&tx, append)))
            .unwrap_or_else(|_| Err(StoreError::Backend("sealing the record failed".into())));
        if outcome.is_err() && tx.is_autocommit() {
            return failed("the transaction was rolled back".into());
        }
        outcomes.push(outcome);
    }
    match tx.commit() {
        Ok(()) => outcomes,
        Err(error) => failed(error.to_string()),
    }
}

/// One append inside the group's transaction: checks `expect`, reads the chain's head, seals
/// the record after it and writes it.
fn append_in(connection: &Connection, append: Pending) -> Result<Seal, StoreError> {
    let Pending {
        record,
        stored,
        key_id,
        expect,
        seal,
    } = append;
    if let Some(expect) = expect {
        let last: Option<String> = connection
            .prepare_cached(LAST_REPORT)
            .and_then(|mut statement| {
                statement.query_row(
                    params![
                        expect.subject_record_id,
                        RecordKind::MonitoringReport.code()
                    ],
                    |row| row.get(0),
                )
            })
            .optional()
            .map_err(backend)?;
        if last != expect.record_id {
            return Err(StoreError::Conflict(format!(
                "another report on {} was stored meanwhile",
                expect.subject_record_id
            )));
        }
    }
    let head: Option<(i64, Vec<u8>)> = connection
        .prepare_cached(
            "SELECT sequence, digest FROM records WHERE tenant = ?1 \
             ORDER BY sequence DESC LIMIT 1",
        )
        .and_then(|mut statement| {
            statement.query_row(params![record.tenant], |row| Ok((row.get(0)?, row.get(1)?)))
        })
        .optional()
        .map_err(read_error)?;
    let (sequence, previous_digest) = match head {
        None => (1u64, ZERO_DIGEST),
        Some((last, digest)) => (
            u64::try_from(last).map_err(|_| StoreError::Corrupt("negative sequence".into()))? + 1,
            digest
                .try_into()
                .map_err(|_| StoreError::Corrupt("chain head digest is not 32 bytes".into()))?,
        ),
    };
    let (digest, signature) = seal(&record, sequence, &previous_digest);
    let sequence_value = sequence_param(sequence)?;
    connection
        .prepare_cached(
            "INSERT INTO records (record_id, tenant, sequence, kind, created_at, \
         created_unix_micros, methodology_version, factor_set, subject_record_id, \
         borrower_id, project_id, request, response, digest, previous_digest, signature, \
         key_id, methodology_digest, factor_set_digest, encoding) VALUES (?1, ?2, ?3, ?4, ?5, \
         ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                record.record_id,
                record.tenant,
                sequence_value,
                record.kind.code(),
                record.created_at,
                record.created_unix_micros,
                record.methodology_version,
                record.factor_set,
                record.subject_record_id,
                record.borrower_id,
                record.project_id,
                stored.request,
                stored.response,
                digest.as_slice(),
                previous_digest.as_slice(),
                signature.as_slice(),
                key_id,
                record.methodology_digest,
                record.factor_set_digest,
                stored.encoding.code(),
            ])
        })
        .map_err(backend)?;
    Ok(record.sealed(sequence, &previous_digest, &digest, &signature, &key_id))
}

fn seal_from(row: &Row) -> rusqlite::Result<Seal> {
    let kind: i64 = row.get("kind")?;
    let sequence: i64 = row.get("sequence")?;
    Ok(Seal {
        record_id: row.get("record_id")?,
        kind: RecordKind::from_code(kind)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(1, kind))?,
        tenant: row.get("tenant")?,
        sequence: u64::try_from(sequence)
            .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(3, sequence))?,
        created_at: row.get("created_at")?,
        created_unix_micros: row.get("created_unix_micros")?,
        methodology_version: row.get("methodology_version")?,
        factor_set: row.get("factor_set")?,
        subject_record_id: row.get("subject_record_id")?,
        borrower_id: row.get("borrower_id")?,
        project_id: row.get("project_id")?,
        digest: row.get("digest")?,
        previous_digest: row.get("previous_digest")?,
        signature: row.get("signature")?,
        key_id: row.get("key_id")?,
        methodology_digest: row.get("methodology_digest")?,
        factor_set_digest: row.get("factor_set_digest")?,
    })
}

/// A record's row, its bytes as kept (`Stored::read` opens them).
fn stored_from(row: &Row) -> rusqlite::Result<(Seal, Stored)> {
    Ok((
        seal_from(row)?,
        Stored {
            encoding: Encoding::from_code(row.get("encoding")?),
            request: row.get("request")?,
            response: row.get("response")?,
        },
    ))
}

/// Reading a row that does not fit the schema means someone altered the file.
fn read_error(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => StoreError::Corrupt(error.to_string()),
        other => backend(other),
    }
}

fn sequence_param(sequence: u64) -> Result<i64, StoreError> {
    i64::try_from(sequence).map_err(|_| StoreError::Backend("sequence beyond i64".into()))
}

impl Store for SqliteStore {
    fn append(
        &self,
        record: NewRecord,
        key_id: &str,
        expect: Option<LastReport>,
        seal: Sealer,
        done: Done,
    ) {
        // Compressed here, on the caller's thread, so that the writer's serial work is the
        // chain's alone.
        let stored = Stored::compress(&record);
        let append = Append {
            record,
            stored,
            key_id: key_id.to_owned(),
            expect,
            seal,
            done,
        };
        super::hand_over(self.appends.as_ref(), append, |append| append.done);
    }

    fn get(&self, record_id: &str) -> Result<Option<Record>, StoreError> {
        let connection = self.connection();
        let row = connection
            .query_row(
                "SELECT * FROM records WHERE record_id = ?1",
                params![record_id],
                stored_from,
            )
            .optional()
            .map_err(read_error)?;
        let Some((seal, stored)) = row else {
            return Ok(None);
        };
        let mut record = stored.read(seal)?;
        let mut shares = connection
            .prepare("SELECT tenant FROM shares WHERE record_id = ?1 ORDER BY tenant")
            .map_err(backend)?;
        record.shared_with = shares
            .query_map(params![record_id], |row| row.get(0))
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        Ok(Some(record))
    }

    fn seal_at(&self, tenant: &str, sequence: u64) -> Result<Option<Seal>, StoreError> {
        self.connection()
            .query_row(
                &format!("SELECT {SEAL_COLUMNS} FROM records WHERE tenant = ?1 AND sequence = ?2"),
                params![tenant, sequence_param(sequence)?],
                seal_from,
            )
            .optional()
            .map_err(read_error)
    }

    fn list(
        &self,
        tenant: &str,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Seal>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {SEAL_COLUMNS} FROM records WHERE tenant = ?1 AND sequence > ?2 \
                 AND (?3 IS NULL OR borrower_id = ?3) AND (?4 IS NULL OR project_id = ?4) \
                 AND (?5 IS NULL OR kind = ?5) AND (?6 IS NULL OR created_unix_micros >= ?6) \
                 AND (?7 IS NULL OR created_unix_micros < ?7) ORDER BY sequence LIMIT ?8"
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map(
                params![
                    tenant,
                    sequence_param(after)?,
                    filter.borrower_id,
                    filter.project_id,
                    filter.kind.map(RecordKind::code),
                    filter.created_from_micros,
                    filter.created_to_micros,
                    i64::try_from(limit).unwrap_or(i64::MAX),
                ],
                seal_from,
            )
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(read_error)
    }

    fn report_before(
        &self,
        subject_record_id: &str,
        before_sequence: u64,
    ) -> Result<Option<Record>, StoreError> {
        let before = i64::try_from(before_sequence).unwrap_or(i64::MAX);
        let id: Option<String> = self
            .connection()
            .query_row(
                "SELECT record_id FROM records WHERE subject_record_id = ?1 AND kind = ?2 \
                 AND sequence < ?3 ORDER BY sequence DESC LIMIT 1",
                params![
                    subject_record_id,
                    RecordKind::MonitoringReport.code(),
                    before
                ],
                |row| row.get(0),
            )
            .optional()
            .map_err(backend)?;
        match id {
            Some(id) => self.get(&id),
            None => Ok(None),
        }
    }

    fn share(&self, record_id: &str, tenant: &str) -> Result<Vec<String>, StoreError> {
        let connection = self.connection();
        connection
            .execute(
                "INSERT OR IGNORE INTO shares (record_id, tenant) VALUES (?1, ?2)",
                params![record_id, tenant],
            )
            .map_err(backend)?;
        let mut statement = connection
            .prepare("SELECT tenant FROM shares WHERE record_id = ?1 ORDER BY tenant")
            .map_err(backend)?;
        statement
            .query_map(params![record_id], |row| row.get(0))
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)
    }
}
