//! The green-impact command line: `serve` runs the gRPC service, `assess` sends a request
//! written in proto3 JSON to a running service and prints the answer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tonic_types::StatusExt;
use tracing_subscriber::EnvFilter;

use green_impact::domain::carbon::factor_set::{FactorLibrary, FactorSet};
use green_impact::grpc::server::{self, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES};
use green_impact::json;
use green_impact::pb::impact_service_client::ImpactServiceClient;

#[derive(Parser)]
#[command(
    name = "green-impact",
    version,
    about = "Values a farm's transition loan in money, on exact decimals"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gRPC service until Ctrl-C or SIGTERM.
    Serve {
        /// Address to listen on; port 0 picks a free port (the chosen address is printed).
        #[arg(long, default_value = "127.0.0.1:50051")]
        addr: SocketAddr,
        /// A factor-set JSON file to offer besides the built-in (default) set; repeatable.
        /// The file is checked at start; a bad file stops the server.
        #[arg(long = "factor-set", value_name = "FILE")]
        factor_sets: Vec<PathBuf>,
    },
    /// Send an AssessRequest (proto3 JSON file) and print the AssessResponse as proto3 JSON.
    Assess {
        /// Path to the request, e.g. examples/leshan-yaqing.json.
        file: PathBuf,
        /// The service's address.
        #[arg(long, default_value = "http://127.0.0.1:50051")]
        addr: String,
    },
}

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
        Command::Serve { addr, factor_sets } => runtime.block_on(serve(addr, &factor_sets)),
        Command::Assess { file, addr } => runtime.block_on(assess(&file, &addr)),
    }
}

async fn serve(addr: SocketAddr, factor_set_files: &[PathBuf]) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let factor_library = match load_factor_library(factor_set_files) {
        Ok(library) => library,
        Err(error) => {
            tracing::error!(%error, "cannot load the factor sets");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%addr, %error, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let local = listener
        .local_addr()
        .map_or_else(|_| addr.to_string(), |a| a.to_string());
    // Tests and scripts read this line to learn the port when `--addr` ends in :0.
    println!("green-impact listening on {local}");
    tracing::info!(addr = %local, "serving greenimpact.v1.ImpactService, health and reflection");
    match server::serve(listener, factor_library, shutdown_signal()).await {
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

/// Exit codes: 0 success, 1 the service refused or failed the call, 2 a local problem
/// (unreadable file, malformed JSON, unreachable service).
async fn assess(file: &PathBuf, addr: &str) -> ExitCode {
    const LOCAL_ERROR: u8 = 2;
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", file.display());
            return ExitCode::from(LOCAL_ERROR);
        }
    };
    let request = match json::assess_request_from_json(&text) {
        Ok(request) => request,
        Err(error) => {
            eprintln!(
                "error: {} is not a valid AssessRequest in proto3 JSON: {error}",
                file.display()
            );
            return ExitCode::from(LOCAL_ERROR);
        }
    };
    let mut client = match ImpactServiceClient::connect(addr.to_owned()).await {
        Ok(client) => client
            .max_decoding_message_size(MAX_RESPONSE_BYTES)
            .max_encoding_message_size(MAX_REQUEST_BYTES),
        Err(error) => {
            eprintln!("error: cannot connect to {addr}: {error}");
            return ExitCode::from(LOCAL_ERROR);
        }
    };
    match client.assess(request).await {
        Ok(response) => {
            println!("{}", json::assess_response_to_json(response.get_ref()));
            ExitCode::SUCCESS
        }
        Err(status) => {
            eprintln!("error: {:?}: {}", status.code(), status.message());
            if let Some(bad_request) = status.get_details_bad_request() {
                for violation in &bad_request.field_violations {
                    eprintln!("  {}: {}", violation.field, violation.description);
                }
            }
            ExitCode::FAILURE
        }
    }
}
