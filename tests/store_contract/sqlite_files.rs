//! SQLite only: the page size of new and existing files, and a panicking seal that fails only
//! its own append among those committed together.

use green_impact::records::{NewRecord, RecordKind, Seal};
use green_impact::store::StoreError;

use crate::backends::{Backend, Sqlite};
use crate::support::{
    all, append, append_waiting, assert_sound_chain, new_record, on_threads, try_append, unique,
};

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

/// SQLite commits the appends that wait for a commit together in one transaction: one whose
/// seal panics (the seal is the caller's code) fails alone, and the others stand.
#[test]
fn sqlite_a_panicking_seal_fails_only_its_own_append() {
    let backend = Sqlite::new();
    let store = backend.open();
    let tenant = unique("bank");
    let outcomes: Vec<(bool, Result<Seal, StoreError>)> = on_threads(|thread, append| {
        let record = new_record(&tenant, RecordKind::Assessment);
        if (thread + append).is_multiple_of(5) {
            let seal = Box::new(|_: &NewRecord, _: u64, _: &[u8; 32]| panic!("a seal that panics"));
            (true, append_waiting(&*store, record, "k", None, seal))
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
