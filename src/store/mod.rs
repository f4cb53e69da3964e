//! Where records live: an append-only hash chain per tenant. SQLite by default (one file under
//! the data directory), PostgreSQL when several replicas share one store. Both give the same
//! guarantees: an append is durable when it returns, and a tenant's chain never forks.

pub mod encoding;
pub mod postgres;
pub mod sqlite;

use crate::records::{NewRecord, Record, RecordKind, Seal};

#[derive(Debug)]
pub enum StoreError {
    /// The backend failed (I/O, connection, constraint); the message is for the log.
    Backend(String),
    /// A stored row cannot be read back as a record: the store was altered outside the service.
    Corrupt(String),
    /// The append's precondition no longer held when its transaction ran; nothing was stored.
    Conflict(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Backend(e) => write!(f, "store backend: {e}"),
            StoreError::Corrupt(e) => write!(f, "stored record unreadable: {e}"),
            StoreError::Conflict(e) => write!(f, "append precondition failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// What a list or an export selects, within one tenant's chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub borrower_id: Option<String>,
    pub project_id: Option<String>,
    pub kind: Option<RecordKind>,
    /// created_unix_micros >= from and < to.
    pub created_from_micros: Option<i64>,
    pub created_to_micros: Option<i64>,
}

/// Seals the record once the store knows its place: given the record, its sequence number and
/// the previous digest, returns the digest and the signature. Owned and `Send`: the SQLite
/// store may seal a record on another caller's thread, which commits several appends together.
pub type Sealer = Box<dyn Fn(&NewRecord, u64, &[u8; 32]) -> ([u8; 32], [u8; 64]) + Send>;

/// Hears an append's outcome, once, on a thread of the store's: the seal once the record is
/// durable, or why it was not stored.
pub type Done = Box<dyn FnOnce(Result<Seal, StoreError>) + Send>;

/// Hands `append` to a store's writing threads, or answers its `Done` at once when they are
/// gone (`appends` is `None` once the store is closed).
fn hand_over<A>(appends: Option<&std::sync::mpsc::Sender<A>>, append: A, done_of: fn(A) -> Done) {
    let refused = match appends {
        Some(appends) => match appends.send(append) {
            Ok(()) => return,
            Err(std::sync::mpsc::SendError(append)) => (append, "the store's writer stopped"),
        },
        None => (append, "the store is closed"),
    };
    let (append, why) = refused;
    done_of(append)(Err(StoreError::Backend(why.into())));
}

/// A monitoring report is computed against the last report on its plan; it may be stored
/// only if that is still the last one when its append runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastReport {
    pub subject_record_id: String,
    /// None: there must be no report on the plan yet.
    pub record_id: Option<String>,
}

/// Every method but `append` blocks: call it from a blocking thread.
pub trait Store: Send + Sync {
    /// Appends `record` to its tenant's chain in one transaction: checks `expect` (Conflict
    /// if it fails), reads the chain's head, seals the record after it, writes it, commits
    /// durably, and then tells `done`. Returns at once: the work is done by the store's own
    /// threads, so no caller's thread waits for a commit.
    fn append(
        &self,
        record: NewRecord,
        key_id: &str,
        expect: Option<LastReport>,
        seal: Sealer,
        done: Done,
    );

    /// A record by id, whatever its tenant (access is the caller's to check).
    fn get(&self, record_id: &str) -> Result<Option<Record>, StoreError>;

    /// The seal at `sequence` in `tenant`'s chain.
    fn seal_at(&self, tenant: &str, sequence: u64) -> Result<Option<Seal>, StoreError>;

    /// Seals of `tenant`'s records matching `filter` with a sequence above `after`, oldest
    /// first, at most `limit`.
    fn list(
        &self,
        tenant: &str,
        filter: &Filter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Seal>, StoreError>;

    /// The last monitoring report about `subject_record_id` stored before `before_sequence`
    /// in its chain (u64::MAX: the last of all), if any.
    fn report_before(
        &self,
        subject_record_id: &str,
        before_sequence: u64,
    ) -> Result<Option<Record>, StoreError>;

    /// Lets `tenant` read `record_id`; returns every tenant it is shared with.
    fn share(&self, record_id: &str, tenant: &str) -> Result<Vec<String>, StoreError>;
}
