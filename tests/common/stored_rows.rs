//! Direct reads and edits of stored rows, behind the service's back (tampering). The request
//! and response columns are read and written as the protobuf bytes a record is sealed over:
//! the store keeps them zstd-compressed against a published dictionary, which a tamperer has
//! as well as anyone, so that reading decompresses and writing stores the row's payload raw
//! (encoding 0), as records were kept before compression.

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
        "sequence" | "kind" | "created_unix_micros" | "encoding" => Cell::Int(0),
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

const PAYLOAD: [&str; 2] = ["request", "response"];
const RAW: i64 = 0;
const ZSTD_METHODOLOGY_1_3: i64 = 1;
/// Request and response in one frame, after the request's length (big-endian u64), kept in
/// the response column.
const ZSTD_METHODOLOGY_1_3_JOINED: i64 = 2;
const DICTIONARY_1_3: &[u8] = include_bytes!("../../data/zstd/green-impact-1.3.0.dict");

fn decompressed(frame: &[u8]) -> Vec<u8> {
    zstd::bulk::Decompressor::with_dictionary(DICTIONARY_1_3)
        .expect("a zstd context")
        .decompress(frame, 9 << 20)
        .expect("the stored payload decompresses")
}

/// The request or the response (`column`) of a row kept in `encoding`.
fn uncompressed(encoding: i64, column: &str, request: &[u8], response: &[u8]) -> Vec<u8> {
    let pick = |request: &[u8], response: &[u8]| {
        if column == "request" {
            request.to_vec()
        } else {
            response.to_vec()
        }
    };
    match encoding {
        RAW => pick(request, response),
        ZSTD_METHODOLOGY_1_3 => decompressed(&pick(request, response)),
        ZSTD_METHODOLOGY_1_3_JOINED => {
            let joined = decompressed(response);
            let (length, rest) = joined.split_at(8);
            let length = usize::try_from(u64::from_be_bytes(length.try_into().unwrap())).unwrap();
            let (request, response) = rest.split_at(length);
            pick(request, response)
        }
        other => panic!("stored in encoding {other}"),
    }
}

/// One column of the row of `record_id`, read behind the service's back; a request or a
/// response as the bytes its record is sealed over.
pub fn read_cell(backend: &Backend, record_id: &str, column: &str) -> Cell {
    if !PAYLOAD.contains(&column) {
        return read_stored(backend, record_id, column);
    }
    let Cell::Int(encoding) = read_stored(backend, record_id, "encoding") else {
        unreachable!("an integer column")
    };
    let request = read_stored(backend, record_id, "request").bytes();
    let response = read_stored(backend, record_id, "response").bytes();
    Cell::Bytes(uncompressed(encoding, column, &request, &response))
}

/// Overwrites one column of the row of `record_id`, behind the service's back; a request or
/// a response as raw protobuf bytes, the other of the two rewritten raw beside it.
pub fn write_cell(backend: &Backend, record_id: &str, column: &str, value: &Cell) {
    if !PAYLOAD.contains(&column) {
        return write_stored(backend, record_id, column, value);
    }
    let other = PAYLOAD.iter().find(|&&c| c != column).expect("two columns");
    let other_bytes = read_cell(backend, record_id, other);
    write_stored(backend, record_id, "encoding", &Cell::Int(RAW));
    write_stored(backend, record_id, other, &other_bytes);
    write_stored(backend, record_id, column, value);
}

/// Flips one bit in the middle of the stored (compressed) bytes of a request or response (in
/// encoding 2, of the one frame that holds both), leaving its encoding as it is.
pub fn damage_stored_payload(backend: &Backend, record_id: &str, column: &str) {
    assert!(PAYLOAD.contains(&column));
    let mut bytes = read_stored(backend, record_id, column).bytes();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    write_stored(backend, record_id, column, &Cell::Bytes(bytes));
}

/// One column of the row of `record_id` exactly as stored.
fn read_stored(backend: &Backend, record_id: &str, column: &str) -> Cell {
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

/// Overwrites one column of the row of `record_id` with exactly `value`.
fn write_stored(backend: &Backend, record_id: &str, column: &str, value: &Cell) {
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
