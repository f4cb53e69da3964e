//! The databases the contract runs on: SQLite in a fresh directory, and PostgreSQL at
//! `GREEN_IMPACT_TEST_DATABASE_URL`. Each opens any number of stores on one database, as replicas
//! would, and can be edited directly, behind the service's back.

use std::path::PathBuf;

use green_impact::store::Store;
use green_impact::store::postgres::PostgresStore;
use green_impact::store::sqlite::SqliteStore;

use crate::support::unique;

const DATABASE_URL: &str = "GREEN_IMPACT_TEST_DATABASE_URL";

/// A database the tests can open any number of stores on, as replicas would.
pub trait Backend {
    fn open(&self) -> Box<dyn Store>;

    /// Runs `sql` on the database directly, as someone editing it behind the service's back;
    /// `$1` is `record_id`.
    fn tamper(&self, sql: &str, record_id: &str);
}

pub struct Sqlite {
    pub dir: PathBuf,
}

impl Sqlite {
    pub fn new() -> Sqlite {
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

pub struct Postgres {
    pub url: String,
}

impl Postgres {
    /// CI must exercise PostgreSQL, so there a missing database is a failure; elsewhere a
    /// developer without one still gets the SQLite half of the contract.
    pub fn new() -> Option<Postgres> {
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
