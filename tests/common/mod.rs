//! Test harness: the real server on an ephemeral loopback port, and the seed request.

#![allow(dead_code)] // each test binary uses its own part of the harness

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{self, ServerParts};
use green_impact::json;
use green_impact::metrics::Metrics;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::records::ServiceKey;
use green_impact::store::sqlite::SqliteStore;
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub const SEED_REQUEST_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leshan-yaqing.json");

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

/// A fresh, empty directory under the system temp dir, unique to this process and call.
pub fn temp_dir(what: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "green-impact-test-{what}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Local mode (no tokens), a fresh SQLite store and a fresh key, the default limits, metrics
/// recorded but not served.
pub fn local_parts(factor_library: FactorLibrary) -> ServerParts {
    let dir = temp_dir("store");
    ServerParts {
        factor_library,
        store: Arc::new(SqliteStore::open(&dir).expect("open SQLite store")),
        key: Arc::new(ServiceKey::load_or_create(&dir.join("service.key")).expect("key")),
        auth: Auth::Local,
        limits: Limits::default(),
        metrics: Metrics::new(),
        metrics_listener: None,
        tls: None,
    }
}

impl TestServer {
    /// Starts the real server on 127.0.0.1:0 in this process, with the built-in factor set,
    /// in local mode on a fresh SQLite store.
    pub async fn start() -> TestServer {
        TestServer::start_with(FactorLibrary::built_in()).await
    }

    /// Starts the real server with the given factor sets.
    pub async fn start_with(factor_library: FactorLibrary) -> TestServer {
        TestServer::start_with_parts(local_parts(factor_library)).await
    }

    /// Starts the real server with the given parts (store, key, auth).
    pub async fn start_with_parts(parts: ServerParts) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            server::serve(listener, parts, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestServer {
            addr,
            stop: Some(stop),
        }
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect to test server")
    }

    pub async fn client(&self) -> ImpactServiceClient<Channel> {
        ImpactServiceClient::new(self.channel().await)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn seed_request() -> pb::AssessRequest {
    let text = std::fs::read_to_string(SEED_REQUEST_PATH).expect("read seed request");
    json::assess_request_from_json(&text).expect("seed request is valid proto3 JSON")
}

/// The seed request with 600 stated assumptions of 512 characters: over the 256 KiB a request
/// message may have (and past the 260k the load balancer lets through).
pub fn over_the_size_limit() -> pb::AssessRequest {
    let request = pb::AssessRequest {
        stated_assumptions: vec!["x".repeat(512); 600],
        ..seed_request()
    };
    assert!(prost::Message::encoded_len(&request) > 300 * 1024);
    request
}

/// The refusal of a message over the size limit, by a replica or by the load balancer.
pub fn assert_over_the_size_limit(status: &tonic::Status) {
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(
        status.message().contains("over the limit of 262144 bytes"),
        "{status:?}"
    );
}

pub fn dec(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

pub fn money(currency_code: &str, amount: &str) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: currency_code.to_owned(),
        amount: dec(amount),
    })
}

pub fn cny(amount: &str) -> Option<pb::Money> {
    money("CNY", amount)
}

pub fn value(decimal: &Option<pb::Decimal>) -> &str {
    decimal.as_ref().map_or("<absent>", |d| d.value.as_str())
}

/// The field paths of the BadRequest violations in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    bad_request
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect()
}

/// An exact decimal of a response, parsed; panics when it is absent or malformed.
pub fn decimal(d: &Option<pb::Decimal>) -> rust_decimal::Decimal {
    let text = &d.as_ref().expect("decimal present").value;
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

/// The low, central and high of a Bounds message, parsed.
pub fn ends(b: &Option<pb::Bounds>) -> [rust_decimal::Decimal; 3] {
    let b = b.as_ref().expect("bounds present");
    [decimal(&b.low), decimal(&b.central), decimal(&b.high)]
}

/// Presented parts sum to presented totals: cash-flow lines, per-tonne figures, the schedule
/// and its loan years, and the carbon lines.
pub fn assert_parts_sum(request: &pb::AssessRequest, response: &pb::AssessResponse) {
    let cash_flow = response.annual_cash_flow.as_ref().unwrap();
    let (avoided, project_lines): (Vec<_>, Vec<_>) = cash_flow
        .lines
        .iter()
        .partition(|l| l.kind == pb::CashFlowLineKind::AvoidedBaselineCost as i32);
    let project_sum: rust_decimal::Decimal =
        project_lines.iter().map(|l| decimal(&l.cny_per_year)).sum();
    assert_eq!(project_sum, decimal(&cash_flow.project_only_cny_per_year));
    assert_eq!(
        project_sum + decimal(&avoided[0].cny_per_year),
        decimal(&cash_flow.incremental_cny_per_year)
    );

    let per_tonne = &response.cost_to_revenue.as_ref().unwrap().per_tonne;
    for basis in 1..=3 {
        use pb::PerTonneItem as Item;
        let figure = |item: Item| {
            decimal(
                &per_tonne
                    .iter()
                    .find(|f| f.basis == basis && f.item == item as i32)
                    .unwrap()
                    .cny_per_t,
            )
        };
        assert_eq!(
            figure(Item::FertilizerIncome) + figure(Item::OperatingSubsidies)
                - figure(Item::OperatingCosts),
            figure(Item::ProjectNetMargin)
        );
        assert_eq!(
            figure(Item::BaselineTreatmentCost) + figure(Item::ProjectNetMargin),
            figure(Item::SwingFromBaseline)
        );
    }

    let loan = response.loan.as_ref().unwrap();
    let principal = decimal(
        &request
            .loan
            .as_ref()
            .unwrap()
            .principal
            .as_ref()
            .unwrap()
            .amount,
    );
    let repaid: rust_decimal::Decimal =
        loan.periods.iter().map(|p| decimal(&p.principal_cny)).sum();
    let interest: rust_decimal::Decimal =
        loan.periods.iter().map(|p| decimal(&p.interest_cny)).sum();
    assert_eq!(repaid, principal);
    assert_eq!(decimal(&loan.total_principal_cny), principal);
    assert_eq!(interest, decimal(&loan.total_interest_cny));
    assert_eq!(
        interest + principal,
        decimal(&loan.total_instalments_cny),
        "instalments = interest + principal"
    );
    let cover = response.debt_service_cover.as_ref().unwrap();
    let by_year: rust_decimal::Decimal = cover
        .years
        .iter()
        .map(|y| decimal(&y.debt_service_cny))
        .sum();
    assert_eq!(by_year, decimal(&loan.total_instalments_cny));

    if let Some(carbon) = &response.carbon {
        assert_carbon_parts_sum(carbon);
    }
}

/// The presented carbon parts add up to the presented totals, for the low, central and high
/// rows alike: scenario and avoided lines to their totals; manure management - project energy
/// (its opposite end) + avoided to the total; emission reduction + avoided to the total; the
/// gases to manure management; and, centrally, baseline - project to the emission reduction.
pub fn assert_carbon_parts_sum(carbon: &pb::CarbonResult) {
    use rust_decimal::Decimal;
    let sum_of_ends = |bounds: &mut dyn Iterator<Item = &Option<pb::Bounds>>| -> [Decimal; 3] {
        let mut sum = [Decimal::ZERO; 3];
        for b in bounds {
            for (s, v) in sum.iter_mut().zip(ends(b)) {
                *s += v;
            }
        }
        sum
    };
    let line_sums =
        |lines: &[pb::EmissionLine]| sum_of_ends(&mut lines.iter().map(|l| &l.tco2e_per_year));
    let baseline = carbon.baseline.as_ref().expect("baseline");
    let project = carbon.project.as_ref().expect("project");
    let avoided = carbon.avoided.as_ref().expect("avoided");
    let reduction = carbon.reduction.as_ref().expect("reduction");
    let baseline_total = ends(&baseline.total_tco2e_per_year);
    let project_total = ends(&project.total_tco2e_per_year);
    let avoided_total = ends(&avoided.total_tco2e_per_year);
    let manure = ends(&reduction.manure_management_tco2e_per_year);
    let energy = ends(&reduction.project_energy_tco2e_per_year);
    let emission_reduction = ends(&reduction.emission_reduction_tco2e_per_year);
    let avoided_reduction = ends(&reduction.avoided_tco2e_per_year);
    let total = ends(&reduction.total_tco2e_per_year);
    let gases = sum_of_ends(
        &mut reduction
            .manure_management_by_gas
            .iter()
            .map(|g| &g.tco2e_per_year),
    );
    let mut presented: Vec<&Option<pb::Bounds>> = vec![
        &baseline.total_tco2e_per_year,
        &project.total_tco2e_per_year,
        &avoided.total_tco2e_per_year,
        &reduction.manure_management_tco2e_per_year,
        &reduction.project_energy_tco2e_per_year,
        &reduction.emission_reduction_tco2e_per_year,
        &reduction.total_tco2e_per_year,
    ];
    for line in baseline
        .lines
        .iter()
        .chain(&project.lines)
        .chain(&avoided.lines)
    {
        presented.extend([&line.gas_t_per_year, &line.tco2e_per_year]);
    }
    for gas in &reduction.manure_management_by_gas {
        presented.extend([&gas.gas_t_per_year, &gas.tco2e_per_year]);
    }
    for bounds in presented {
        let [low, central, high] = ends(bounds);
        assert!(
            low <= central && central <= high,
            "presented bounds out of order: {low} / {central} / {high}"
        );
    }
    let baseline_lines = line_sums(&baseline.lines);
    let project_lines = line_sums(&project.lines);
    let avoided_lines = line_sums(&avoided.lines);
    for (i, end) in ["low", "central", "high"].into_iter().enumerate() {
        let opposite = 2 - i;
        assert_eq!(
            baseline_lines[i], baseline_total[i],
            "{end}: baseline lines vs total"
        );
        assert_eq!(
            project_lines[i], project_total[i],
            "{end}: project lines vs total"
        );
        assert_eq!(
            avoided_lines[i], avoided_total[i],
            "{end}: avoided lines vs total"
        );
        assert_eq!(
            avoided_reduction[i], avoided_total[i],
            "{end}: avoided in the reduction"
        );
        assert_eq!(
            manure[i] - energy[opposite] + avoided_reduction[i],
            total[i],
            "{end}: manure management - project energy + avoided vs total"
        );
        assert_eq!(
            manure[i] - energy[opposite],
            emission_reduction[i],
            "{end}: manure management - project energy vs emission reduction"
        );
        assert_eq!(
            emission_reduction[i] + avoided_reduction[i],
            total[i],
            "{end}: emission reduction + avoided vs total"
        );
        assert_eq!(gases[i], manure[i], "{end}: gases vs manure management");
    }
    assert_eq!(
        baseline_total[1] - project_total[1],
        emission_reduction[1],
        "central: baseline - project vs emission reduction"
    );
}

#[allow(unused_imports)] // each test binary uses its own part of the harness
pub use record_harness::*;

/// Harness of the record tests: the stores to run against (SQLite always, PostgreSQL when
/// `GREEN_IMPACT_TEST_DATABASE_URL` names a database), tenants with bearer tokens, direct edits
/// of stored rows (tampering), and the real binary as a child process.
mod record_harness {
    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Child, ChildStdout, Command, Output, Stdio};
    use std::sync::Arc;
    use std::time::Duration;

    use green_impact::domain::carbon::factor_set::FactorLibrary;
    use green_impact::grpc::auth::Auth;
    use green_impact::grpc::server::ServerParts;
    use green_impact::records::ServiceKey;
    use green_impact::store::Store;
    use green_impact::store::postgres::PostgresStore;
    use green_impact::store::sqlite::SqliteStore;
    use sha2::{Digest, Sha256};

    pub const TEST_DATABASE_URL: &str = "GREEN_IMPACT_TEST_DATABASE_URL";
    pub const BINARY: &str = env!("CARGO_BIN_EXE_green-impact");
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
            dir: super::temp_dir("records"),
        }];
        match std::env::var(TEST_DATABASE_URL) {
            Ok(url) if !url.is_empty() => backends.push(Backend::Postgres { url }),
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!(
                    "{TEST_DATABASE_URL} is not set in CI: .ci/run should have started PostgreSQL"
                )
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

    /// `bytes` random bytes, lowercase hex.
    pub fn random_hex(bytes: usize) -> String {
        let mut buffer = vec![0u8; bytes];
        getrandom::fill(&mut buffer).expect("randomness");
        hex::encode(buffer)
    }

    pub fn random_seed() -> [u8; 32] {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("randomness");
        seed
    }

    /// A tenant name no other test or run uses.
    pub fn unique_tenant(label: &str) -> String {
        format!("{label}-{}", random_hex(6))
    }

    /// A tenant of a tokens-mode server with its bearer token.
    #[derive(Debug, Clone)]
    pub struct Principal {
        pub tenant: String,
        pub role: &'static str,
        pub token: String,
    }

    /// A new tenant (unique name from `label`) with a random token.
    pub fn principal(label: &str, role: &'static str) -> Principal {
        Principal {
            tenant: unique_tenant(label),
            role,
            token: random_hex(16),
        }
    }

    /// A tokens file listing `principals`, as `serve --tokens` reads it: hashes only.
    pub fn tokens_json(principals: &[&Principal]) -> String {
        let tokens: Vec<serde_json::Value> = principals
            .iter()
            .map(|p| {
                serde_json::json!({
                    "token_sha256": hex::encode(Sha256::digest(p.token.as_bytes())),
                    "tenant": p.tenant,
                    "role": p.role,
                })
            })
            .collect();
        serde_json::json!({ "tokens": tokens }).to_string()
    }

    pub fn tokens_auth(principals: &[&Principal]) -> Auth {
        Auth::from_tokens_json(&tokens_json(principals)).expect("a valid tokens file")
    }

    /// `message` with an `authorization: Bearer <token>` header.
    pub fn bearer<T>(token: &str, message: T) -> tonic::Request<T> {
        with_authorization(Some(&format!("Bearer {token}")), message)
    }

    /// Every seal the tenant of `token` may list, oldest first, followed to the last page;
    /// more than `max_pages` pages of 200 is a failure (a listing that does not end).
    pub async fn whole_chain(
        client: &mut super::ImpactServiceClient<super::Channel>,
        token: &str,
        max_pages: usize,
    ) -> Vec<green_impact::pb::RecordSeal> {
        let mut seals = Vec::new();
        let mut page_token = String::new();
        for _ in 0..max_pages {
            let page = client
                .list_assessments(bearer(
                    token,
                    green_impact::pb::ListAssessmentsRequest {
                        page_size: 200,
                        page_token: page_token.clone(),
                        ..Default::default()
                    },
                ))
                .await
                .unwrap_or_else(|status| panic!("list: {status:?}"))
                .into_inner();
            seals.extend(page.records);
            if page.next_page_token.is_empty() {
                return seals;
            }
            page_token = page.next_page_token;
        }
        panic!("more than {max_pages} pages of 200 records")
    }

    /// `message` with the given authorization header value, or none.
    pub fn with_authorization<T>(value: Option<&str>, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(value) = value {
            request.metadata_mut().insert(
                "authorization",
                value.parse().expect("an ASCII header value"),
            );
        }
        request
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
        }
    }

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
        let sql =
            |a: &str, b: &str| format!("UPDATE records SET {column} = {a} WHERE record_id = {b}");
        let changed = match backend {
            Backend::Sqlite { dir } => {
                let connection = sqlite(dir);
                let sql = sql("?1", "?2");
                match value {
                    Cell::Bytes(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
                    Cell::Text(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
                    Cell::Int(v) => connection.execute(&sql, rusqlite::params![v, record_id]),
                }
                .unwrap_or_else(|e| panic!("write {column} of {record_id}: {e}"))
                    as u64
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

    /// The real binary running `serve`, its address read from its first line of stdout.
    pub struct ServeProcess {
        pub child: Child,
        /// `http://127.0.0.1:PORT`
        pub url: String,
        /// Where its stderr (the logs) goes.
        pub log: PathBuf,
        _stdout: BufReader<ChildStdout>,
    }

    impl ServeProcess {
        /// Runs `green-impact serve --addr 127.0.0.1:0 ARGS`, logging to `log`.
        pub fn start(args: &[String], log: &Path) -> ServeProcess {
            let log_file = std::fs::File::create(log).expect("create the server log");
            let mut child = Command::new(BINARY)
                .args(["serve", "--addr", "127.0.0.1:0"])
                .args(args)
                .env("RUST_LOG", "info")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log_file)
                .spawn()
                .expect("spawn green-impact serve");
            let mut stdout = BufReader::new(child.stdout.take().expect("stdout piped"));
            let mut first_line = String::new();
            stdout
                .read_line(&mut first_line)
                .expect("read the listening line");
            let Some(addr) = first_line.trim().strip_prefix("green-impact listening on ") else {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "unexpected first line {first_line:?}; log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            };
            let url = format!("http://{addr}");
            ServeProcess {
                child,
                url,
                log: log.to_owned(),
                _stdout: stdout,
            }
        }

        /// SIGKILL (what `Child::kill` sends on unix): no shutdown, no flush, no goodbye.
        pub fn kill(&mut self) {
            self.child.kill().expect("SIGKILL the server");
            self.child.wait().expect("reap the server");
        }

        pub fn log_text(&self) -> String {
            std::fs::read_to_string(&self.log).unwrap_or_default()
        }
    }

    impl Drop for ServeProcess {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Output bytes as text, for messages and checks.
    pub fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// A command's exit code, stdout and stderr, for a failed assertion's message.
    pub fn explain(output: &Output) -> String {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr)
        )
    }

    /// Runs the binary with `args` (and `env`, with GREEN_IMPACT_TOKEN removed unless given),
    /// killed after `limit`.
    pub fn run_binary(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .env_remove("GREEN_IMPACT_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("spawn green-impact");
        let pid = child.id().to_string();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        match receiver.recv_timeout(limit) {
            Ok(output) => output.expect("wait for green-impact"),
            Err(_) => {
                let _ = Command::new("kill").args(["-9", &pid]).status();
                panic!("green-impact {args:?} did not finish within {limit:?}");
            }
        }
    }

    /// `serve` on a free loopback port with `args` after `--data-dir data_dir` stops at start,
    /// without listening, saying each of `says` on stderr.
    pub fn serve_refuses(data_dir: &str, args: &[&str], says: &[&str]) {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir];
        all.extend_from_slice(args);
        let env = [("RUST_LOG", "info"), ("NO_COLOR", "1")];
        let output = run_binary(&all, &env, Duration::from_secs(60));
        assert!(
            output.status.code().is_some_and(|code| code != 0),
            "{args:?}: {}",
            explain(&output)
        );
        assert!(
            !text(&output.stdout).contains("listening"),
            "{args:?}: {}",
            explain(&output)
        );
        for word in says {
            assert!(
                text(&output.stderr).contains(word),
                "{args:?} should say {word:?}: {}",
                explain(&output)
            );
        }
    }
}
