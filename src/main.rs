//! The green-impact command line: `serve` runs the service (gRPC, and HTTP/JSON with the
//! browser console); `assess`, `get` and `verify` talk to a running one, reading and printing
//! proto3 JSON; `report` writes an assessment as a self-contained HTML page; `openapi` prints
//! the HTTP API's OpenAPI document.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic_types::StatusExt;
use tracing_subscriber::EnvFilter;

use green_impact::domain::carbon::factor_set::{FactorLibrary, FactorSet};
use green_impact::error_text::with_causes;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{self, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, ServerParts};
use green_impact::grpc::tls::{TlsError, TlsSettings};
use green_impact::json;
use green_impact::metrics::Metrics;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::records::{self, ServiceKey};
use green_impact::report;
use green_impact::store::Store;
use green_impact::store::postgres::PostgresStore;
use green_impact::store::sqlite::SqliteStore;

/// Exit codes of the client commands.
const RPC_ERROR: u8 = 1;
const LOCAL_ERROR: u8 = 2;
const NOT_VERIFIED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "green-impact",
    version,
    about = "Values a farm's transition loan in money and carbon, on exact decimals, and keeps \
             every answer as signed evidence"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (gRPC; HTTP/JSON, gRPC-Web and the browser console on --http-addr) until
    /// Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Send an AssessRequest (proto3 JSON file) and print the AssessResponse as proto3 JSON.
    Assess {
        /// Path to the request, e.g. examples/leshan-yaqing.json.
        file: PathBuf,
        /// How much of the assessment to print; without it, the request's own view (BASIC
        /// when it names none).
        #[arg(long, value_enum)]
        view: Option<ViewArg>,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Print a stored record (assessment or monitoring report) as proto3 JSON.
    Get {
        record_id: String,
        /// How much of an assessment to print.
        #[arg(long, value_enum, default_value = "self-contained")]
        view: ViewArg,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Verify a stored record: digest, signature, chain link, recomputation. Exit code 0 only
    /// when every check passes (3 when one fails).
    Verify {
        record_id: String,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Write an assessment as a self-contained HTML page for a credit file (charts inline,
    /// nothing loaded from the network): a stored record, or a request file assessed (and
    /// stored) first.
    Report {
        /// A stored assessment's record id (rec_ and 32 hex digits), or the path of an
        /// AssessRequest in proto3 JSON, e.g. examples/leshan-yaqing.json.
        target: String,
        /// Where to write the page.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Print the OpenAPI 3 document of the HTTP API (as served at /openapi.json).
    Openapi,
}

/// AssessmentView on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ViewArg {
    /// Figures, warnings and the seal.
    Basic,
    /// Plus the schedule rows, the carbon trace and the factors, texts referred to by id.
    Full,
    /// FULL with every text written out.
    SelfContained,
}

impl ViewArg {
    fn wire(self) -> i32 {
        (match self {
            ViewArg::Basic => pb::AssessmentView::Basic,
            ViewArg::Full => pb::AssessmentView::Full,
            ViewArg::SelfContained => pb::AssessmentView::SelfContained,
        }) as i32
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:50051")]
    addr: SocketAddr,
    /// A factor-set JSON file to offer besides the built-in (default) set; repeatable.
    /// The file is checked at start; a bad file stops the server.
    #[arg(long = "factor-set", value_name = "FILE")]
    factor_sets: Vec<PathBuf>,
    /// Directory for the SQLite record store and, by default, the service key.
    #[arg(long, default_value = "green-impact-data")]
    data_dir: PathBuf,
    /// postgres://user@host:port/db: keep records in PostgreSQL instead of SQLite, so several
    /// replicas can share one store (give them the same --key). From the environment too, so
    /// that its password need not appear in the process's arguments.
    #[arg(long, env = "GREEN_IMPACT_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// PEM certificate authorities that sign the database server's certificate, for a URL with
    /// sslmode=require: the connection is TLS, the certificate and the host name checked.
    #[arg(long, value_name = "FILE", requires = "database_url")]
    database_ca_file: Option<PathBuf>,
    /// The Ed25519 service key; created at first start if absent. Default DATA_DIR/service.key.
    #[arg(long)]
    key: Option<PathBuf>,
    /// The public key (64 hex digits, as GetServiceKey serves it) of a service key this one
    /// replaced: records it signed still verify. Repeatable.
    #[arg(long = "retired-key", value_name = "FILE")]
    retired_keys: Vec<PathBuf>,
    /// Credentials per institution (JSON: {"tokens": [{"token_sha256", "tenant", "role"}],
    /// "client_certificates": [{"certificate_sha256", "tenant", "role"}]}). Without it the
    /// server runs in local mode: no authentication, one tenant "local".
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// Serve TLS with this certificate chain (PEM, the server's own certificate first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Mutual TLS: require a client certificate issued by one of these CA certificates (PEM).
    /// The --tokens file's client_certificates map each certificate's SHA-256 to a tenant.
    #[arg(long, value_name = "FILE", requires = "tls_cert", requires = "tokens")]
    tls_client_ca: Option<PathBuf>,
    /// Allow local mode (no tokens) on a non-loopback address. Anyone who can reach the port
    /// can then read and write every record.
    #[arg(long)]
    insecure_no_auth_on_network: bool,
    /// ImpactService calls in flight at once (streams included); one more is refused at once
    /// with RESOURCE_EXHAUSTED. Health and reflection are not limited.
    #[arg(long, default_value_t = Limits::DEFAULT_MAX_CONCURRENT_REQUESTS,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000).map(|n| n as usize))]
    max_concurrent_requests: usize,
    /// Longest a unary call may run, in milliseconds, when the client's deadline (grpc-timeout)
    /// is longer or absent; past it the call ends with DEADLINE_EXCEEDED.
    #[arg(long, default_value_t = Limits::DEFAULT_REQUEST_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    request_timeout_ms: u64,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464); off by default.
    /// Plain HTTP even with TLS: keep it on loopback or a cluster-internal address.
    #[arg(long, value_name = "ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Serve the HTTP/JSON API, gRPC-Web and the browser console (http://ADDR/console/) here;
    /// port 0 picks a free port (printed). The same auth as gRPC, and the same loopback-only
    /// rule for local mode. Plain HTTP: in front of a network, put TLS before it.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        conflicts_with = "no_http"
    )]
    http_addr: SocketAddr,
    /// Serve gRPC only, no HTTP port.
    #[arg(long)]
    no_http: bool,
}

#[derive(Args)]
struct ClientArgs {
    /// The service's address; https://... speaks TLS and needs --ca-cert.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    addr: String,
    /// Bearer token, for a server started with --tokens.
    #[arg(long, env = "GREEN_IMPACT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The CA certificate (PEM) that issued the server's certificate, for an https:// address.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// A client certificate (PEM), for a server that requires one (--tls-client-ca).
    #[arg(
        long,
        value_name = "FILE",
        requires = "client_key",
        requires = "ca_cert"
    )]
    client_cert: Option<PathBuf>,
    /// The private key of --client-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,
}

// See Cargo.toml: most of an assessment's work is small allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
        Command::Assess { file, view, client } => runtime.block_on(assess(&file, view, &client)),
        Command::Get {
            record_id,
            view,
            client,
        } => runtime.block_on(get(&record_id, view, &client)),
        Command::Verify { record_id, client } => runtime.block_on(verify(&record_id, &client)),
        Command::Report {
            target,
            out,
            client,
        } => runtime.block_on(write_report(&target, &out, &client)),
        Command::Openapi => openapi(),
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let parts = match server_parts(&args).await {
        Ok(parts) => parts,
        Err(error) => {
            tracing::error!(%error, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(addr = %args.addr, %error, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let metrics_local = parts
        .metrics_listener
        .as_ref()
        .and_then(|l| l.local_addr().ok());
    let http_local = parts
        .http_listener
        .as_ref()
        .and_then(|l| l.local_addr().ok());
    let local = listener
        .local_addr()
        .map_or_else(|_| args.addr.to_string(), |a| a.to_string());
    // Tests and scripts read the first line to learn the port when `--addr` ends in :0; the
    // others name the HTTP and metrics ports. One write, and its failure ignored: a reader
    // that closes the pipe after the first line must not stop the server.
    let mut banner = format!("green-impact listening on {local}\n");
    if let Some(addr) = http_local {
        banner.push_str(&format!("green-impact http on http://{addr}\n"));
    }
    if let Some(addr) = metrics_local {
        banner.push_str(&format!("green-impact metrics on http://{addr}/metrics\n"));
    }
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(banner.as_bytes())
            .and_then(|()| stdout.flush());
    }
    tracing::info!(addr = %local, "serving greenimpact.v1.ImpactService, health and reflection");
    match server::serve(listener, parts, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped after draining in-flight calls");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn server_parts(args: &ServeArgs) -> Result<ServerParts, String> {
    let auth = match &args.tokens {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            Auth::from_tokens_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None if let Some(addr) = network_addr(args)
            && !args.insecure_no_auth_on_network =>
        {
            return Err(format!(
                "refusing to serve {addr} without --tokens: local mode has no authentication; \
                 give a tokens file, bind a loopback address, or pass \
                 --insecure-no-auth-on-network"
            ));
        }
        None => Auth::Local,
    };
    let tls = tls_settings(args)?;
    if args.tls_client_ca.is_some() && !auth.maps_client_certificates() {
        return Err(
            "--tls-client-ca makes a client certificate required, but the --tokens file maps \
             none in client_certificates: every call would be refused"
                .to_owned(),
        );
    }
    if tls.is_none() && !args.addr.ip().is_loopback() {
        tracing::warn!(
            addr = %args.addr,
            "serving without TLS on a non-loopback address: tokens and records cross the \
             network in plaintext; give --tls-cert and --tls-key"
        );
    }
    let factor_library = load_factor_library(&args.factor_sets)?;
    let key_path = args
        .key
        .clone()
        .unwrap_or_else(|| args.data_dir.join("service.key"));
    let mut key = ServiceKey::load_or_create(&key_path)?;
    for retired in &args.retired_keys {
        key = key.retire_from_file(retired)?;
    }
    tracing::info!(
        key_id = key.key_id(),
        path = %key_path.display(),
        retired = ?key.retired_key_ids().collect::<Vec<_>>(),
        "service key"
    );
    let database_ca = match &args.database_ca_file {
        Some(path) => Some(read_flag_file("--database-ca-file", path)?),
        None => None,
    };
    let store = open_store(
        args.database_url.clone(),
        database_ca,
        args.data_dir.clone(),
    )
    .await?;
    let metrics_listener = match args.metrics_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?,
        ),
        None => None,
    };
    let http_listener = if args.no_http {
        None
    } else {
        Some(
            tokio::net::TcpListener::bind(args.http_addr)
                .await
                .map_err(|e| {
                    format!(
                        "cannot listen for HTTP on {}: {e} (--http-addr, or --no-http)",
                        args.http_addr
                    )
                })?,
        )
    };
    Ok(ServerParts {
        factor_library,
        store,
        key: Arc::new(key),
        auth,
        limits: Limits {
            max_concurrent_requests: args.max_concurrent_requests,
            request_timeout: Duration::from_millis(args.request_timeout_ms),
            ..Limits::default()
        },
        metrics: Metrics::new(),
        metrics_listener,
        tls,
        http_listener,
    })
}

/// The first address `serve` would listen on beyond loopback: gRPC's, then HTTP's.
fn network_addr(args: &ServeArgs) -> Option<SocketAddr> {
    let http = (!args.no_http).then_some(args.http_addr);
    [Some(args.addr), http]
        .into_iter()
        .flatten()
        .find(|addr| !addr.ip().is_loopback())
}

fn openapi() -> ExitCode {
    match green_impact::http::routes::Routes::compiled() {
        Ok(routes) => {
            print!("{}", green_impact::http::openapi::text(&routes));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(LOCAL_ERROR)
        }
    }
}

/// The TLS settings of --tls-cert, --tls-key and --tls-client-ca, every file read and checked.
fn tls_settings(args: &ServeArgs) -> Result<Option<TlsSettings>, String> {
    // clap gives both or neither.
    let (Some(cert_path), Some(key_path)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let certificate_chain = read_flag_file("--tls-cert", cert_path)?;
    let key = read_flag_file("--tls-key", key_path)?;
    let client_ca = match &args.tls_client_ca {
        Some(path) => Some(read_flag_file("--tls-client-ca", path)?),
        None => None,
    };
    let files = || {
        let mut files = format!(
            "--tls-cert {}, --tls-key {}",
            cert_path.display(),
            key_path.display()
        );
        if let Some(path) = &args.tls_client_ca {
            files.push_str(&format!(", --tls-client-ca {}", path.display()));
        }
        files
    };
    let settings = TlsSettings::from_pem(&certificate_chain, &key, client_ca.as_deref());
    settings
        .map(Some)
        .map_err(|error| match (error, &args.tls_client_ca) {
            (TlsError::Certificate(e), _) => format!("--tls-cert {}: {e}", cert_path.display()),
            (TlsError::Key(e), _) => format!("--tls-key {}: {e}", key_path.display()),
            (TlsError::ClientCa(e), Some(path)) => {
                format!("--tls-client-ca {}: {e}", path.display())
            }
            (error, _) => format!("{}: {error}", files()),
        })
}

/// The bytes of the file given to `flag`.
fn read_flag_file(flag: &str, path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("reading {flag} {}: {e}", path.display()))
}

/// Opening a store blocks (and the PostgreSQL client runs its own runtime), so it happens off
/// the async threads.
async fn open_store(
    database_url: Option<String>,
    database_ca: Option<Vec<u8>>,
    data_dir: PathBuf,
) -> Result<Arc<dyn Store>, String> {
    tokio::task::spawn_blocking(move || -> Result<Arc<dyn Store>, String> {
        match database_url {
            Some(url) => {
                let store = PostgresStore::connect(&url, database_ca.as_deref())
                    .map_err(|e| e.to_string())?;
                tracing::info!(tls = database_ca.is_some(), "records in PostgreSQL");
                Ok(Arc::new(store))
            }
            None => {
                let store = SqliteStore::open(&data_dir).map_err(|e| e.to_string())?;
                tracing::info!(dir = %data_dir.display(), "records in SQLite");
                Ok(Arc::new(store))
            }
        }
    })
    .await
    .map_err(|e| format!("opening the store: {e}"))?
}

/// The built-in set and every set file given, each checked in full.
fn load_factor_library(files: &[PathBuf]) -> Result<FactorLibrary, String> {
    let mut library = FactorLibrary::built_in();
    for file in files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("reading {}: {e}", file.display()))?;
        let set = FactorSet::from_json(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        tracing::info!(set = %set.name(), file = %file.display(), "loaded factor set");
        library
            .add(set)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(library)
}

/// Completes on Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Adds the bearer token, if any, to every call.
type AddToken =
    Box<dyn FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Send>;
type Client =
    ImpactServiceClient<tonic::service::interceptor::InterceptedService<Channel, AddToken>>;

async fn connect(args: &ClientArgs) -> Result<Client, ExitCode> {
    let local_error = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(LOCAL_ERROR)
    };
    let endpoint = Channel::from_shared(args.addr.clone())
        .map_err(|e| local_error(format!("{} is not a service address: {e}", args.addr)))?;
    let https = endpoint.uri().scheme_str() == Some("https");
    let endpoint = match client_tls(args, https).map_err(local_error)? {
        Some(tls) => endpoint
            .tls_config(tls)
            .map_err(|e| local_error(format!("the client's TLS settings: {}", with_causes(&e))))?,
        None => endpoint,
    };
    let channel = endpoint.connect().await.map_err(|error| {
        local_error(format!(
            "cannot connect to {}: {}",
            args.addr,
            with_causes(&error)
        ))
    })?;
    let header = match &args.token {
        Some(token) => Some(
            format!("Bearer {token}")
                .parse::<tonic::metadata::MetadataValue<tonic::metadata::Ascii>>()
                .map_err(|_| {
                    eprintln!("error: the token is not valid header text");
                    ExitCode::from(LOCAL_ERROR)
                })?,
        ),
        None => None,
    };
    let add_token: AddToken = Box::new(move |mut request: tonic::Request<()>| {
        if let Some(header) = &header {
            request
                .metadata_mut()
                .insert("authorization", header.clone());
        }
        Ok(request)
    });
    Ok(ImpactServiceClient::with_interceptor(channel, add_token)
        .max_decoding_message_size(MAX_RESPONSE_BYTES)
        .max_encoding_message_size(MAX_REQUEST_BYTES))
}

/// TLS for an https:// address: the server is trusted when --ca-cert issued its certificate;
/// --client-cert and --client-key, if given, are the client's own.
fn client_tls(args: &ClientArgs, https: bool) -> Result<Option<ClientTlsConfig>, String> {
    match (&args.ca_cert, https) {
        (None, false) => Ok(None),
        (None, true) => Err(format!(
            "{} is https: give --ca-cert FILE, the CA certificate that issued the server's",
            args.addr
        )),
        (Some(_), false) => Err(format!(
            "--ca-cert is for an https:// address; {} is plaintext",
            args.addr
        )),
        (Some(ca_path), true) => {
            let ca = read_flag_file("--ca-cert", ca_path)?;
            let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca));
            // clap gives both or neither.
            if let (Some(cert_path), Some(key_path)) = (&args.client_cert, &args.client_key) {
                tls = tls.identity(Identity::from_pem(
                    read_flag_file("--client-cert", cert_path)?,
                    read_flag_file("--client-key", key_path)?,
                ));
            }
            Ok(Some(tls))
        }
    }
}

fn rpc_failed(status: &tonic::Status) -> ExitCode {
    eprintln!("error: {:?}: {}", status.code(), status.message());
    if let Some(bad_request) = status.get_details_bad_request() {
        for violation in &bad_request.field_violations {
            eprintln!("  {}: {}", violation.field, violation.description);
        }
    }
    ExitCode::from(RPC_ERROR)
}

/// The AssessRequest in a proto3 JSON file; on failure, says why and gives the exit code.
fn read_request(file: &Path) -> Result<pb::AssessRequest, ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|error| {
        eprintln!("error: cannot read {}: {error}", file.display());
        ExitCode::from(LOCAL_ERROR)
    })?;
    json::assess_request_from_json(&text).map_err(|error| {
        eprintln!(
            "error: {} is not a valid AssessRequest in proto3 JSON: {error}",
            file.display()
        );
        ExitCode::from(LOCAL_ERROR)
    })
}

/// Exit codes: 0 success, 1 the service refused or failed the call, 2 a local problem
/// (unreadable file, malformed JSON, unreachable service).
async fn assess(file: &Path, view: Option<ViewArg>, args: &ClientArgs) -> ExitCode {
    let mut request = match read_request(file) {
        Ok(request) => request,
        Err(code) => return code,
    };
    if let Some(view) = view {
        request.view = view.wire();
    }
    let mut client = match connect(args).await {
        Ok(client) => client,
        Err(code) => return code,
    };
    match client.assess(request).await {
        Ok(response) => {
            println!("{}", json::assess_response_to_json(response.get_ref()));
            ExitCode::SUCCESS
        }
        Err(status) => rpc_failed(&status),
    }
}

async fn get(record_id: &str, view: ViewArg, args: &ClientArgs) -> ExitCode {
    let mut client = match connect(args).await {
        Ok(client) => client,
        Err(code) => return code,
    };
    let request = pb::GetAssessmentRequest {
        record_id: record_id.to_owned(),
        view: view.wire(),
    };
    match client.get_assessment(request).await {
        Ok(record) => {
            println!(
                "{}",
                json::to_json(record.get_ref(), "greenimpact.v1.StoredRecord")
            );
            ExitCode::SUCCESS
        }
        Err(status) => rpc_failed(&status),
    }
}

async fn verify(record_id: &str, args: &ClientArgs) -> ExitCode {
    let mut client = match connect(args).await {
        Ok(client) => client,
        Err(code) => return code,
    };
    let request = pb::VerifyAssessmentRequest {
        record_id: record_id.to_owned(),
    };
    match client.verify_assessment(request).await {
        Ok(answer) => {
            let answer = answer.into_inner();
            for check in &answer.checks {
                let mark = if check.passed { "ok    " } else { "FAILED" };
                println!("{mark} {}: {}", check.name, check.detail);
            }
            if answer.verified {
                println!("verified: {record_id}");
                ExitCode::SUCCESS
            } else {
                println!("NOT verified: {record_id}");
                ExitCode::from(NOT_VERIFIED)
            }
        }
        Err(status) => rpc_failed(&status),
    }
}

/// The request and response a report shows: a stored assessment's, with the record's seal put
/// back into the response (a stored response is kept without it), or a fresh assessment of
/// a request file, whose response carries its seal already.
async fn report_content(
    target: &str,
    args: &ClientArgs,
) -> Result<(pb::AssessRequest, pb::AssessResponse), ExitCode> {
    if !records::is_record_id(target) {
        // The page lists every factor with its source: it needs the texts written out.
        let request = pb::AssessRequest {
            view: ViewArg::SelfContained.wire(),
            ..read_request(Path::new(target))?
        };
        let mut client = connect(args).await?;
        let response = client
            .assess(request.clone())
            .await
            .map_err(|status| rpc_failed(&status))?;
        return Ok((request, response.into_inner()));
    }
    let mut client = connect(args).await?;
    let record = client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: target.to_owned(),
            view: ViewArg::SelfContained.wire(),
        })
        .await
        .map_err(|status| rpc_failed(&status))?
        .into_inner();
    report::stored::page_content(record).map_err(|problem| match problem {
        report::stored::NoPage::MonitoringReport => {
            eprintln!("error: {target} is a monitoring report, not an assessment");
            ExitCode::from(LOCAL_ERROR)
        }
        report::stored::NoPage::Incomplete(what) => {
            eprintln!("error: the service sent record {target} without its {what}");
            ExitCode::from(RPC_ERROR)
        }
    })
}

/// Exit codes as for `assess`; writing the page is a local problem (2) when it fails.
async fn write_report(target: &str, out: &Path, args: &ClientArgs) -> ExitCode {
    let (request, response) = match report_content(target, args).await {
        Ok(content) => content,
        Err(code) => return code,
    };
    let page = report::render(&request, &response);
    if let Err(error) = std::fs::write(out, page) {
        eprintln!("error: cannot write {}: {error}", out.display());
        // An assessed file is stored all the same: say how to write its page again.
        if let Some(seal) = &response.record {
            eprintln!(
                "the assessment is stored as {0}; `green-impact report {0} --out FILE` writes \
                 its page",
                seal.record_id
            );
        }
        return ExitCode::from(LOCAL_ERROR);
    }
    match &response.record {
        Some(seal) => println!("wrote {} (record {})", out.display(), seal.record_id),
        None => println!("wrote {} (dry run: not stored, no seal)", out.display()),
    }
    ExitCode::SUCCESS
}
