//! Stored assessments as evidence, end to end over real sockets, on every record store: each
//! test runs against SQLite (a fresh data directory) and PostgreSQL (when
//! GREEN_IMPACT_TEST_DATABASE_URL is set), always in tenants of its own, since the PostgreSQL
//! database is shared by every test and run.

#[path = "../common/mod.rs"]
mod common;

mod exporting;
mod listing;
mod old_records;
mod rewritten_rows;
mod sealing;
mod support;
mod tampered_bytes;
mod tenants_and_sharing;
mod tokens;
