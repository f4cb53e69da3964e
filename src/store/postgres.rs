//! The shared store: PostgreSQL, for several replicas writing one set of chains. An append takes
//! a transaction-scoped advisory lock on its tenant before it reads the chain head, so appends to
//! one tenant queue up across every process instead of two of them sealing after the same head;
//! UNIQUE (tenant, sequence) is the backstop should anything write without taking the lock.
//!
//! The sync `postgres` client drives a small tokio runtime of its own, so its calls must not run
//! on an async worker thread: the server calls the store from `spawn_blocking`, and appends run
//! on the store's own threads.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use postgres::config::{Host, SslMode};
use postgres::types::FromSql;
use postgres::{Client, Config, IsolationLevel, NoTls, Row};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::encoding::{Encoding, Stored};
use super::{Done, Filter, LastReport, Sealer, Store, StoreError};
use crate::error_text::with_causes;
use crate::records::{NewRecord, Record, RecordKind, Seal, ZERO_DIGEST};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    record_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_unix_micros BIGINT NOT NULL,
    methodology_version TEXT NOT NULL,
    factor_set TEXT NOT NULL,
    subject_record_id TEXT NOT NULL,
    borrower_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    request BYTEA NOT NULL,
    response BYTEA NOT NULL,
    digest BYTEA NOT NULL,
    previous_digest BYTEA NOT NULL,
    signature BYTEA NOT NULL,
    key_id TEXT NOT NULL,
    UNIQUE (tenant, sequence)
);
ALTER TABLE records ADD COLUMN IF NOT EXISTS methodology_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN IF NOT EXISTS factor_set_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN IF NOT EXISTS encoding BIGINT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS records_by_subject ON records (subject_record_id, sequence);
CREATE TABLE IF NOT EXISTS shares (
    record_id TEXT NOT NULL REFERENCES records (record_id),
    tenant TEXT NOT NULL,
    PRIMARY KEY (record_id, tenant)
);
";

/// Two replicas starting together would both run CREATE TABLE IF NOT EXISTS, which is not safe
/// against itself in PostgreSQL (it can fail on the catalog's unique index). The two-key form
/// of the advisory lock lives in a key space apart from the one-key form the tenants use.
const SCHEMA_LOCK: (i32, i32) = (0x6772_6e69, 1);

/// The seal's columns, once, so that a record's columns cannot drift from them.
macro_rules! seal_columns {
    () => {
        "record_id, kind, tenant, sequence, created_at, created_unix_micros, \
         methodology_version, factor_set, subject_record_id, borrower_id, project_id, digest, \
         previous_digest, signature, key_id, methodology_digest, factor_set_digest"
    };
}
const SEAL_COLUMNS: &str = seal_columns!();
const RECORD_COLUMNS: &str = concat!(seal_columns!(), ", request, response, encoding");

/// Threads that run appends: each holds a client for its transaction, and appends to one
/// tenant queue on its advisory lock anyway.
const APPEND_THREADS: usize = 4;

/// Enough for the blocking pool's bursts without crowding a server's max_connections when
/// several replicas share it.
const POOL_SIZE: usize = 8;

/// A connection idle this long may have been cut (server restart, failover, proxy timeout)
/// without the client noticing, since the sync client reads the socket only while a call is in
/// flight; one round trip before reuse turns that into a reconnect instead of a failed request.
/// Busy connections skip the check: it would add a round trip to every call.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// Without it an unreachable host holds a request for the kernel's TCP timeout (minutes).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

struct Idle {
    client: Client,
    since: Instant,
}

struct Pool {
    idle: Vec<Idle>,
    /// Clients in existence, idle or lent out.
    open: usize,
}

pub struct PostgresStore {
    shared: Arc<Shared>,
    /// To the append threads; dropping it ends them once the queue is done.
    appends: Option<mpsc::Sender<Append>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// The connections, shared by the append threads and the callers of the other methods.
struct Shared {
    config: Config,
    /// Present when the URL asks for TLS (sslmode=require).
    tls: Option<MakeRustlsConnect>,
    pool: Mutex<Pool>,
    returned: Condvar,
}

struct Append {
    record: NewRecord,
    key_id: String,
    expect: Option<LastReport>,
    seal: Sealer,
    done: Done,
}

fn backend(error: postgres::Error) -> StoreError {
    StoreError::Backend(with_causes(&error))
}

/// TLS for `sslmode=require`, trusting only the given authorities; nothing otherwise. A CA
/// without `sslmode=require`, or the reverse, is refused: either is a setting half made.
fn connector(
    config: &Config,
    ca_pem: Option<&[u8]>,
) -> Result<Option<MakeRustlsConnect>, StoreError> {
    let refused = |why: String| Err(StoreError::Backend(why));
    let pem = match (config.get_ssl_mode(), ca_pem) {
        (SslMode::Require, Some(pem)) => pem,
        (SslMode::Require, None) => {
            return refused(
                "the database URL asks for TLS (sslmode=require): give --database-ca-file, the \
                 certificate authority that signed the database server's certificate"
                    .into(),
            );
        }
        (_, Some(_)) => {
            return refused(
                "--database-ca-file is given but the database URL does not ask for TLS: add \
                 sslmode=require to it"
                    .into(),
            );
        }
        (_, None) => return Ok(None),
    };
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(pem) {
        let certificate =
            certificate.map_err(|e| StoreError::Backend(format!("database CA file: {e}")))?;
        roots
            .add(certificate)
            .map_err(|e| StoreError::Backend(format!("database CA file: {e}")))?;
    }
    if roots.is_empty() {
        return refused("database CA file: no PEM certificate in it".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Backend(format!("database TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(client)))
}

/// Every host of the URL on this machine (a Unix socket or loopback), where the clear is safe.
fn local_only(config: &Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name == "localhost"
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    })
}

fn sequence_param(sequence: u64) -> Result<i64, StoreError> {
    i64::try_from(sequence).map_err(|_| StoreError::Backend("sequence beyond i64".into()))
}

impl PostgresStore {
    /// Connects to the database at `url` (a libpq URL or key=value string) and creates the
    /// schema if it is missing. With `sslmode=require` in the URL every connection is TLS,
    /// the server's certificate checked against the certificate authorities of `ca_pem` and
    /// its name against the URL's host (stricter than libpq's `require`, which checks
    /// neither: libpq's `verify-full`); without it the connection is in the clear.
    pub fn connect(url: &str, ca_pem: Option<&[u8]>) -> Result<PostgresStore, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("database url: {}", with_causes(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        let tls = connector(&config, ca_pem)?;
        if tls.is_none() && !local_only(&config) {
            tracing::warn!(
                "the database connection is not encrypted: add sslmode=require to the URL and \
                 give --database-ca-file"
            );
        }
        let shared = Arc::new(Shared {
            config,
            tls,
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        });
        // A thread of its own, so that starting the store from async code (the server's main)
        // does not run the client's runtime inside the server's.
        std::thread::scope(|scope| {
            scope
                .spawn(|| shared.create_schema())
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
        let (appends, queue) = mpsc::channel::<Append>();
        let queue = Arc::new(Mutex::new(queue));
        let threads = (0..APPEND_THREADS)
            .map(|i| {
                let (shared, queue) = (Arc::clone(&shared), Arc::clone(&queue));
                std::thread::Builder::new()
                    .name(format!("postgres-append-{i}"))
                    .spawn(move || append_all(&shared, &queue))
                    .map_err(|e| StoreError::Backend(format!("starting the store's threads: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(PostgresStore {
            shared,
            appends: Some(appends),
            threads,
        })
    }
}

/// An append thread: runs appends until the store is dropped.
fn append_all(shared: &Shared, queue: &Mutex<mpsc::Receiver<Append>>) {
    loop {
        // The lock is held only to take the next append, never while one runs.
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(append) = next else { return };
        let Append {
            record,
            key_id,
            expect,
            seal,
            done,
        } = append;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared.append(record, &key_id, expect.as_ref(), seal)
        }))
        .unwrap_or_else(|_| Err(StoreError::Backend("the append panicked".into())));
        done(outcome);
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        drop(self.appends.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn create_schema(&self) -> Result<(), StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&SCHEMA_LOCK.0, &SCHEMA_LOCK.1],
        )
        .map_err(backend)?;
        tx.batch_execute(SCHEMA).map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn open_client(&self) -> Result<Client, StoreError> {
        let mut client = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        }
        .map_err(backend)?;
        // A server configured with synchronous_commit=off acknowledges commits it can still
        // lose; an append must be on disk when it returns, so this session asks for the flush.
        // Stronger settings (remote_write, remote_apply) are left as they are.
        let setting = client
            .query_one("SELECT current_setting('synchronous_commit')", &[])
            .map_err(backend)?;
        let setting: String = setting.try_get(0).map_err(backend)?;
        if setting == "off" {
            client
                .batch_execute("SET synchronous_commit = on")
                .map_err(backend)?;
        }
        Ok(client)
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        // The pool's bookkeeping is updated in single statements, so a panic elsewhere while
        // the lock was held cannot leave it half-changed.
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A client for one operation: an idle one if any (checked if it sat long), else a new one
    /// while fewer than POOL_SIZE exist, else the next one returned.
    fn client(&self) -> Result<Lease<'_>, StoreError> {
        let mut pool = self.pool();
        loop {
            if let Some(idle) = pool.idle.pop() {
                drop(pool);
                let mut client = idle.client;
                let usable = !client.is_closed()
                    && (idle.since.elapsed() < IDLE_CHECK || client.check_connection().is_ok());
                if usable {
                    return Ok(Lease {
                        store: self,
                        client: Some(client),
                    });
                }
                drop(client);
                pool = self.pool();
                pool.open -= 1;
                continue;
            }
            if pool.open < POOL_SIZE {
                pool.open += 1;
                break;
            }
            pool = self
                .returned
                .wait(pool)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(pool);
        match self.open_client() {
            Ok(client) => Ok(Lease {
                store: self,
                client: Some(client),
            }),
            Err(error) => {
                self.pool().open -= 1;
                self.returned.notify_one();
                Err(error)
            }
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.pool().idle);
        if idle.is_empty() {
            return;
        }
        // Closing a client runs its runtime, which panics on an async worker thread; the last
        // owner of the store may well be one.
        let closer = std::thread::Builder::new().spawn(move || drop(idle));
        if let Ok(closer) = closer {
            let _ = closer.join();
        }
    }
}

/// A client lent out of the pool; going back on drop, unless its connection has closed.
struct Lease<'a> {
    store: &'a Shared,
    client: Option<Client>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a lease holds its client until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a lease holds its client until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        if client.is_closed() {
            drop(client);
            self.store.pool().open -= 1;
        } else {
            self.store.pool().idle.push(Idle {
                client,
                since: Instant::now(),
            });
        }
        self.store.returned.notify_one();
    }
}

/// A column that does not decode as the schema says means the table was altered outside the
/// service.
fn column<'a, T: FromSql<'a>>(row: &'a Row, name: &str) -> Result<T, StoreError> {
    row.try_get(name)
        .map_err(|e| StoreError::Corrupt(format!("{name}: {}", with_causes(&e))))
}

fn seal_from(row: &Row) -> Result<Seal, StoreError> {
    let kind: i64 = column(row, "kind")?;
    let sequence: i64 = column(row, "sequence")?;
    Ok(Seal {
        record_id: column(row, "record_id")?,
        kind: RecordKind::from_code(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("kind {kind} is no record kind")))?,
        tenant: column(row, "tenant")?,
        sequence: u64::try_from(sequence)
            .map_err(|_| StoreError::Corrupt(format!("negative sequence {sequence}")))?,
        created_at: column(row, "created_at")?,
        created_unix_micros: column(row, "created_unix_micros")?,
        methodology_version: column(row, "methodology_version")?,
        factor_set: column(row, "factor_set")?,
        subject_record_id: column(row, "subject_record_id")?,
        borrower_id: column(row, "borrower_id")?,
        project_id: column(row, "project_id")?,
        digest: column(row, "digest")?,
        previous_digest: column(row, "previous_digest")?,
        signature: column(row, "signature")?,
        key_id: column(row, "key_id")?,
        methodology_digest: column(row, "methodology_digest")?,
        factor_set_digest: column(row, "factor_set_digest")?,
    })
}

fn record_from(row: &Row) -> Result<Record, StoreError> {
    Stored {
        encoding: Encoding::from_code(column(row, "encoding")?),
        request: column(row, "request")?,
        response: column(row, "response")?,
    }
    .read(seal_from(row)?)
}

/// Byte order, as SQLite's BINARY collation gives, whatever the database's locale.
const SHARES_OF: &str =
    "SELECT tenant FROM shares WHERE record_id = $1 ORDER BY tenant COLLATE \"C\"";

fn shares_of(client: &mut Client, record_id: &str) -> Result<Vec<String>, StoreError> {
    client
        .query(SHARES_OF, &[&record_id])
        .map_err(backend)?
        .iter()
        .map(|row| column(row, "tenant"))
        .collect()
}

fn record_by_id(client: &mut Client, record_id: &str) -> Result<Option<Record>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT {RECORD_COLUMNS} FROM records WHERE record_id = $1"),
            &[&record_id],
        )
        .map_err(backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut record = record_from(&row)?;
    record.shared_with = shares_of(client, record_id)?;
    Ok(Some(record))
}

impl Store for PostgresStore {
    fn append(
        &self,
        record: NewRecord,
        key_id: &str,
        expect: Option<LastReport>,
        seal: Sealer,
        done: Done,
    ) {
        let append = Append {
            record,
            key_id: key_id.to_owned(),
            expect,
            seal,
            done,
        };
        super::hand_over(self.appends.as_ref(), append, |append| append.done);
    }

    fn get(&self, record_id: &str) -> Result<Option<Record>, StoreError> {
        self.shared.get(record_id)
    }

    fn seal_at(&self, tenant: &str, sequence: u64) -> Result<Option<Seal>, StoreError> {
        self.shared.seal_at(tenant, sequence)
    }

    fn list(
        &self,
        tenant: &str,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Seal>, StoreError> {
        self.shared.list(tenant, filter, after, limit)
    }

    fn report_before(
        &self,
        subject_record_id: &str,
        before_sequence: u64,
    ) -> Result<Option<Record>, StoreError> {
        self.shared
            .report_before(subject_record_id, before_sequence)
    }

    fn share(&self, record_id: &str, tenant: &str) -> Result<Vec<String>, StoreError> {
        self.shared.share(record_id, tenant)
    }
}

impl Shared {
    /// One append, on an append thread: lock the tenant's chain, check, seal, insert, commit.
    fn append(
        &self,
        record: NewRecord,
        key_id: &str,
        expect: Option<&LastReport>,
        seal: Sealer,
    ) -> Result<Seal, StoreError> {
        let stored = Stored::compress(&record);
        let mut client = self.client()?;
        // Read committed, whatever the server's default: each statement then sees what was
        // committed before it started, so the head read after the lock sees the previous
        // holder's append. Under repeatable read the snapshot would predate the lock.
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(backend)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&record.tenant],
        )
        .map_err(backend)?;
        // Reports on a plan are in its owner's chain, so the tenant lock covers them too.
        if let Some(expect) = expect {
            let last: Option<String> = tx
                .query_opt(
                    "SELECT record_id FROM records WHERE subject_record_id = $1 AND kind = $2 \
                     ORDER BY sequence DESC LIMIT 1",
                    &[
                        &expect.subject_record_id,
                        &RecordKind::MonitoringReport.code(),
                    ],
                )
                .map_err(backend)?
                .map(|row| column(&row, "record_id"))
                .transpose()?;
            if last != expect.record_id {
                return Err(StoreError::Conflict(format!(
                    "another report on {} was stored meanwhile",
                    expect.subject_record_id
                )));
            }
        }
        let head = tx
            .query_opt(
                "SELECT sequence, digest FROM records WHERE tenant = $1 \
                 ORDER BY sequence DESC LIMIT 1",
                &[&record.tenant],
            )
            .map_err(backend)?;
        let (sequence, previous_digest) = match head {
            None => (1u64, ZERO_DIGEST),
            Some(row) => {
                let last: i64 = column(&row, "sequence")?;
                let last = u64::try_from(last)
                    .map_err(|_| StoreError::Corrupt("negative sequence".into()))?;
                let next = last
                    .checked_add(1)
                    .ok_or_else(|| StoreError::Backend("chain is full".into()))?;
                let digest: Vec<u8> = column(&row, "digest")?;
                let digest = digest
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("chain head digest is not 32 bytes".into()))?;
                (next, digest)
            }
        };
        let (digest, signature) = seal(&record, sequence, &previous_digest);
        tx.execute(
            "INSERT INTO records (record_id, tenant, sequence, kind, created_at, \
             created_unix_micros, methodology_version, factor_set, subject_record_id, \
             borrower_id, project_id, request, response, digest, previous_digest, signature, \
             key_id, methodology_digest, factor_set_digest, encoding) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            &[
                &record.record_id,
                &record.tenant,
                &sequence_param(sequence)?,
                &record.kind.code(),
                &record.created_at,
                &record.created_unix_micros,
                &record.methodology_version,
                &record.factor_set,
                &record.subject_record_id,
                &record.borrower_id,
                &record.project_id,
                &stored.request,
                &stored.response,
                &digest.as_slice(),
                &previous_digest.as_slice(),
                &signature.as_slice(),
                &key_id,
                &record.methodology_digest,
                &record.factor_set_digest,
                &stored.encoding.code(),
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(record.sealed(sequence, &previous_digest, &digest, &signature, key_id))
    }

    fn get(&self, record_id: &str) -> Result<Option<Record>, StoreError> {
        let mut client = self.client()?;
        record_by_id(&mut client, record_id)
    }

    fn seal_at(&self, tenant: &str, sequence: u64) -> Result<Option<Seal>, StoreError> {
        let row = self
            .client()?
            .query_opt(
                &format!("SELECT {SEAL_COLUMNS} FROM records WHERE tenant = $1 AND sequence = $2"),
                &[&tenant, &sequence_param(sequence)?],
            )
            .map_err(backend)?;
        row.as_ref().map(seal_from).transpose()
    }

    fn list(
        &self,
        tenant: &str,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Seal>, StoreError> {
        let rows = self
            .client()?
            .query(
                &format!(
                    "SELECT {SEAL_COLUMNS} FROM records WHERE tenant = $1 AND sequence > $2 \
                     AND ($3::TEXT IS NULL OR borrower_id = $3) \
                     AND ($4::TEXT IS NULL OR project_id = $4) \
                     AND ($5::BIGINT IS NULL OR kind = $5) \
                     AND ($6::BIGINT IS NULL OR created_unix_micros >= $6) \
                     AND ($7::BIGINT IS NULL OR created_unix_micros < $7) \
                     ORDER BY sequence LIMIT $8"
                ),
                &[
                    &tenant,
                    &sequence_param(after)?,
                    &filter.borrower_id,
                    &filter.project_id,
                    &filter.kind.map(RecordKind::code),
                    &filter.created_from_micros,
                    &filter.created_to_micros,
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .map_err(backend)?;
        rows.iter().map(seal_from).collect()
    }

    fn report_before(
        &self,
        subject_record_id: &str,
        before_sequence: u64,
    ) -> Result<Option<Record>, StoreError> {
        let before = i64::try_from(before_sequence).unwrap_or(i64::MAX);
        let mut client = self.client()?;
        let row = client
            .query_opt(
                "SELECT record_id FROM records WHERE subject_record_id = $1 AND kind = $2 \
                 AND sequence < $3 ORDER BY sequence DESC LIMIT 1",
                &[
                    &subject_record_id,
                    &RecordKind::MonitoringReport.code(),
                    &before,
                ],
            )
            .map_err(backend)?;
        match row {
            Some(row) => {
                let id: String = column(&row, "record_id")?;
                record_by_id(&mut client, &id)
            }
            None => Ok(None),
        }
    }

    fn share(&self, record_id: &str, tenant: &str) -> Result<Vec<String>, StoreError> {
        let mut client = self.client()?;
        client
            .execute(
                "INSERT INTO shares (record_id, tenant) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&record_id, &tenant],
            )
            .map_err(backend)?;
        shares_of(&mut client, record_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sockets_and_loopback_count_as_local() {
        let local = |url: &str| local_only(&url.parse::<Config>().expect("url"));
        assert!(local("postgres://u@127.0.0.1:5432/db"));
        assert!(local("postgres://u@localhost/db"));
        assert!(local("postgres://u@[::1]:5432/db"));
        assert!(local("host=/var/run/postgresql dbname=db"));
        assert!(!local("postgres://u@db.bank.internal/db"));
        assert!(!local("postgres://u@10.0.0.5/db"));
        assert!(!local("host=127.0.0.1,db.bank.internal dbname=db"));
    }
}
