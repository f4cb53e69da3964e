//! PostgreSQL only: the store inside the server's async runtime, and reconnecting after its
//! sessions are cut.

use green_impact::records::RecordKind;
use green_impact::store::Store;
use green_impact::store::postgres::PostgresStore;

use crate::backends::Postgres;
use crate::support::{append, new_record, unique};

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
