//! Direct reads and edits of stored rows, behind the service's back (tampering).

use std::path::Path;
use std::time::Duration;

use super::stores::{Backend, SQLITE_FILE};

/// One column of a stored row, as the schema types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Bytes(Vec<u8>),
    Text(String),
    Int(i64),
}

impl Cell {
    pub fn bytes(self) -> Vec<u8> {
        match self {
            Cell::Bytes(bytes) => bytes,
            other => panic!("not a blob: {other:?}"),
        }
    }

    pub fn text(self) -> String {
        match self {
            Cell::Text(text) => text,
            other => panic!("not text: {other:?}"),
        }
    }
}

/// An empty cell of the column's type.
fn column_type(column: &str) -> Cell {
    match column {
        "request" | "response" | "digest" | "previous_digest" | "signature" => {
            Cell::Bytes(Vec::new())
        }
        "sequence" | "kind" | "created_unix_micros" => Cell::Int(0),
        "record_id"
        | "tenant"
        | "created_at"
        | "methodology_version"
        | "factor_set"
        | "subject_record_id"
        | "borrower_id"
        | "project_id"
        | "key_id" => Cell::Text(String::new()),
        other => panic!("records has no column {other}"),
    }
}

/// Runs `work` on a plain thread: the synchronous PostgreSQL client must not run on an
/// async worker.
fn off_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn sqlite(dir: &Path) -> rusqlite::Connection {
    let connection =
        rusqlite::Connection::open(dir.join(SQLITE_FILE)).expect("open the SQLite file");
    connection
        .busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    connection
}

fn postgres(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to PostgreSQL")
}

/// One column of the row of `record_id`, read behind the service's back.
pub fn read_cell(backend: &Backend, record_id: &str, column: &str) -> Cell {
    let kind = column_type(column);
    let sql = |p: &str| format!("SELECT {column} FROM records WHERE record_id = {p}");
    match backend {
        Backend::Sqlite { dir } => {
            let connection = sqlite(dir);
            connection
                .query_row(&sql("?1"), [record_id], |row| {
                    Ok(match kind {
                        Cell::Bytes(_) => Cell::Bytes(row.get(0)?),
                        Cell::Text(_) => Cell::Text(row.get(0)?),
                        Cell::Int(_) => Cell::Int(row.get(0)?),
                    })
                })
                .unwrap_or_else(|e| panic!("read {column} of {record_id}: {e}"))
        }
        Backend::Postgres { url } => off_async(|| {
            let row = postgres(url)
                .query_one(&sql("$1"), &[&record_id])
                .unwrap_or_else(|e| panic!("read {column} of {record_id}: {e}"));
            match kind {
                Cell::Bytes(_) => Cell::Bytes(row.get(0)),
                Cell::Text(_) => Cell::Text(row.get(0)),
                Cell::Int(_) => Cell::Int(row.get(0)),
            }
        }),
    }
}

/// Overwrites one column of the row of `record_id`, behind the service's back.
pub fn write_cell(backend: &Backend, record_id: &str, column: &str, value: &Cell) {
    let sql = |a: &str, b: &str| format!("UPDATE records SET {column} = {a} WHERE record_id = {b}");
    let changed = match backend {
        Backend::Sqlite { dir } => {
            let connection = sqlite(dir);
            let sql = sql("?1", "?2");
            match value {
                Cell::Bytes(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
                Cell::Text(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
                Cell::Int(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
            }
            .unwrap_or_else(|e| panic!("write {column} of {record_id}: {e}")) as u64
        }
        Backend::Postgres { url } => off_async(|| {
            let mut client = postgres(url);
            let sql = sql("$1", "$2");
            match value {
                Cell::Bytes(v) => client.execute(&sql, &[v, &record_id]),
                Cell::Text(v) => client.execute(&sql, &[v, &record_id]),
                Cell::Int(v) => client.execute(&sql, &[v, &record_id]),
            }
            .unwrap_or_else(|e| panic!("write {column} of {record_id}: {e}"))
        }),
    };
    assert_eq!(changed, 1, "exactly the row of {record_id} is changed");
}

/// Changes one column of the row of `record_id` with `change`; returns the original value.
pub fn alter_cell(
    backend: &Backend,
    record_id: &str,
    column: &str,
    change: impl FnOnce(&mut Cell),
) -> Cell {
    let original = read_cell(backend, record_id, column);
    let mut altered = original.clone();
    change(&mut altered);
    assert_ne!(altered, original, "the change changes {column}");
    write_cell(backend, record_id, column, &altered);
    original
}

/// Removes the row of `record_id` (and its shares), behind the service's back.
pub fn delete_row(backend: &Backend, record_id: &str) {
    let deleted = match backend {
        Backend::Sqlite { dir } => {
            let connection = sqlite(dir);
            connection
                .execute("DELETE FROM shares WHERE record_id = ?1", [record_id])
                .expect("delete shares");
            connection
                .execute("DELETE FROM records WHERE record_id = ?1", [record_id])
                .expect("delete record") as u64
        }
        Backend::Postgres { url } => off_async(|| {
            let mut client = postgres(url);
            client
                .execute("DELETE FROM shares WHERE record_id = $1", &[&record_id])
                .expect("delete shares");
            client
                .execute("DELETE FROM records WHERE record_id = $1", &[&record_id])
                .expect("delete record")
        }),
    };
    assert_eq!(deleted, 1, "the row of {record_id} is deleted");
}
