//! The record stores a test runs against: SQLite always, PostgreSQL when
//! `GREEN_IMPACT_TEST_DATABASE_URL` names a database; server parts on one of them.

use std::path::PathBuf;
use std::sync::Arc;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::server::ServerParts;
use green_impact::records::ServiceKey;
use green_impact::store::Store;
use green_impact::store::postgres::PostgresStore;
use green_impact::store::sqlite::SqliteStore;

use super::server::temp_dir;

pub const TEST_DATABASE_URL: &str = "GREEN_IMPACT_TEST_DATABASE_URL";
/// The SQLite store's file inside its data directory.
pub const SQLITE_FILE: &str = "records.sqlite3";

/// Where a test's records live.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A fresh data directory of its own.
    Sqlite { dir: PathBuf },
    /// A database shared with other tests and runs: tests keep to tenants of their own.
    Postgres { url: String },
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    /// `serve` arguments selecting this store (`--data-dir` is given apart).
    pub fn serve_args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite { .. } => Vec::new(),
            Backend::Postgres { url } => vec!["--database-url".into(), url.clone()],
        }
    }
}

/// Every store a record test runs against: SQLite in a fresh directory, and PostgreSQL
/// when a database is given. CI must exercise PostgreSQL, so there a missing URL fails;
/// elsewhere the tests run on SQLite alone and say so.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite {
        dir: temp_dir("records"),
    }];
    match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.is_empty() => backends.push(Backend::Postgres { url }),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{TEST_DATABASE_URL} is not set in CI: .ci/run should have started PostgreSQL")
        }
        _ => eprintln!("note: {TEST_DATABASE_URL} is not set; running on SQLite only"),
    }
    backends
}

/// Opens the backend's store. The PostgreSQL client is synchronous and runs a runtime of
/// its own, so it is opened on a plain thread, never on an async worker.
pub fn open_store(backend: &Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Sqlite { dir } => Arc::new(SqliteStore::open(dir).expect("open SQLite store")),
        Backend::Postgres { url } => {
            let url = url.clone();
            let store = std::thread::spawn(move || PostgresStore::connect(&url, None))
                .join()
                .expect("the connecting thread does not panic")
                .unwrap_or_else(|e| panic!("connect to the PostgreSQL store: {e}"));
            Arc::new(store)
        }
    }
}

/// Server parts on `backend` with the key of `seed` and the given auth.
pub fn record_parts(backend: &Backend, auth: Auth, seed: &[u8; 32]) -> ServerParts {
    ServerParts {
        factor_library: FactorLibrary::built_in(),
        store: open_store(backend),
        key: Arc::new(ServiceKey::from_seed(seed)),
        auth,
        limits: green_impact::grpc::limits::Limits::default(),
        metrics: green_impact::metrics::Metrics::new(),
        metrics_listener: None,
        tls: None,
        http_listener: None,
    }
}
