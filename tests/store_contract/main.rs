//! The `Store` contract, run against every backend: SQLite in a fresh directory per test, and
//! PostgreSQL at `GREEN_IMPACT_TEST_DATABASE_URL` (`.ci/run` starts a throwaway cluster and sets
//! it). Every test works in tenants and subjects of its own, so runs against one database do
//! not see each other.

mod altered_rows;
mod backends;
mod chain;
mod concurrent_appends;
mod postgres_sessions;
mod queries;
mod reports;
mod sqlite_files;
mod support;

/// Each contract test once per backend, in modules named after them (`sqlite::NAME`,
/// `postgres::NAME`), each given as `module::NAME` of the module that holds it. Some run on
/// PostgreSQL only: SQLite serves one process, and two of them on one file would wait on each
/// other through SQLite's busy timeout, which makes no promise a test could hold it to.
macro_rules! contract {
    (
        both: [$($module:ident::$test:ident),* $(,)?],
        postgres_only: [$($replicated_module:ident::$replicated:ident),* $(,)?] $(,)?
    ) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    super::$module::$test(&super::backends::Sqlite::new());
                }
            )*
        }

        mod postgres {
            $(
                #[test]
                fn $test() {
                    if let Some(backend) = super::backends::Postgres::new() {
                        super::$module::$test(&backend);
                    }
                }
            )*
            $(
                #[test]
                fn $replicated() {
                    if let Some(backend) = super::backends::Postgres::new() {
                        super::$replicated_module::$replicated(&backend);
                    }
                }
            )*
        }
    };
}

contract!(
    both: [
        chain::chain_is_numbered_from_one_and_linked,
        chain::get_returns_exactly_what_was_appended,
        chain::unknown_ids_are_none,
        chain::seal_at_gives_the_seal_at_that_place,
        queries::list_filters_and_pages,
        queries::report_before_finds_the_last_earlier_report,
        queries::share_is_idempotent_and_sorted,
        chain::reopened_store_has_the_chain,
        altered_rows::altered_rows_read_as_stored_or_corrupt,
        concurrent_appends::concurrent_appends_through_one_store_keep_one_chain,
        reports::append_checks_the_last_report,
        reports::racing_reports_through_one_store_are_stored_one_per_round,
    ],
    postgres_only: [
        concurrent_appends::concurrent_appends_through_two_replicas_keep_one_chain,
        reports::racing_reports_through_two_replicas_are_stored_one_per_round,
    ],
);
