//! `green-impact-bench`: starts the real service and a no-op service on the same transport in
//! this process, drives each over loopback with N connections for a fixed time, and prints
//! requests per second, p50 / p99 latency, resident memory, the AssessBatch rate, and on its
//! last line the ratio green-impact / no-op. Not a test: a measurement to run on a quiet
//! machine (see README "Speed").

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tokio::sync::oneshot;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{self, ServerParts};

use green_impact::metrics::Metrics;
use green_impact::pb;
use green_impact::records::ServiceKey;
use green_impact::store::sqlite::SqliteStore;

mod loadgen;
mod noop;

use loadgen::{Calls, Measured};
use noop::NoopImpact;

#[derive(Parser)]
#[command(
    name = "green-impact-bench",
    about = "Load-test green-impact against a no-op server"
)]
struct Args {
    /// Seconds each measurement runs (for the unary runs: each server's total).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The unary runs are taken in this many turns, no-op then green-impact, each a share of
    /// --seconds, and added up: a shared host's speed drifts, and a drift during one long run
    /// would fall on one server only.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    rounds: u32,
    /// Concurrent connections (one call in flight on each) for the unary runs; 0 skips them.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Concurrent AssessBatch streams for the batch run; 0 skips it.
    #[arg(long, default_value_t = 8)]
    batch_streams: usize,
    /// Store every assessment as a signed record (durable commit per call), as a bank's real
    /// traffic would; without it the requests are dry runs and measure the computation.
    #[arg(long)]
    stored: bool,
    /// The request to send (proto3 JSON); the seed case by default.
    #[arg(long, default_value = "examples/leshan-yaqing.json")]
    request: std::path::PathBuf,
}

fn line(name: &str, m: &Measured, connections: usize, rounds: u32) -> String {
    format!(
        "{name}: {} req/s, p50 {} us, p99 {} us, {} errors ({connections} connections, {} calls \
         in {} ms, {rounds} rounds)",
        m.per_second(),
        m.p50.as_micros(),
        m.p99.as_micros(),
        m.errors,
        m.requests,
        m.elapsed.as_millis()
    )
}

// See Cargo.toml: most of an assessment's work is small allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.request)
        .map_err(|e| format!("reading {}: {e}", args.request.display()))?;
    let mut request = green_impact::json::assess_request_from_json(&text)?;
    request.dry_run = !args.stored;
    let duration = Duration::from_secs(args.seconds);

    // The no-op answers with the bytes the real service computes for this request, in full
    // and as a batch item.
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let noop_service = NoopImpact::answering(&api, &request)
        .map_err(|s| format!("the request does not assess: {}", s.message()))?;

    let data_dir = std::env::temp_dir().join(format!("green-impact-bench-{}", std::process::id()));
    let limits = Limits::default();
    let (service_addr, stop_service, service) = start_service(&data_dir, limits.clone()).await?;
    let (listener, noop_addr) = loadgen::loopback().await?;
    let (stop_noop, noop_stopped) = oneshot::channel::<()>();
    let noop = tokio::spawn(noop::serve(listener, noop_service, limits, async {
        let _ = noop_stopped.await;
    }));

    let mode = if args.stored { "stored" } else { "dry run" };
    println!(
        "green-impact-bench: Assess of {} ({mode}), {} s per run, {} connections, {} cores",
        args.request.display(),
        args.seconds,
        args.connections,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let round = duration / args.rounds;
    let unary = if args.connections > 0 {
        Some(unary_runs(&args, &request, (noop_addr, service_addr), round).await?)
    } else {
        None
    };
    if let Some(kb) = loadgen::resident_kb() {
        println!(
            "resident memory: {} MB (this process: both servers and the clients)",
            kb / 1024
        );
    }
    if args.batch_streams > 0 {
        // In turns, as the unary runs are.
        let (mut noop_items, mut service_items) = (Measured::default(), Measured::default());
        for _ in 0..args.rounds {
            let batch = |addr| loadgen::batch(addr, &request, args.batch_streams, round);
            noop_items.add_batch_run(&batch(noop_addr).await?);
            service_items.add_batch_run(&batch(service_addr).await?);
        }
        for (name, run) in [
            ("no-op AssessBatch       ", &noop_items),
            ("green-impact AssessBatch", &service_items),
        ] {
            println!(
                "{name}: {} items/s, {} errors ({} streams, schedule rows and carbon trace \
                 omitted, {} rounds)",
                run.per_second(),
                run.errors,
                args.batch_streams,
                args.rounds
            );
        }
        println!(
            "ratio green-impact / no-op (AssessBatch items/s): {}",
            loadgen::ratio(&service_items, &noop_items)
        );
    }
    let _ = stop_service.send(());
    let _ = stop_noop.send(());
    let _ = service.await;
    let _ = noop.await;
    let _ = std::fs::remove_dir_all(&data_dir);
    if let Some((noop_run, service_run)) = unary {
        println!(
            "ratio green-impact / no-op (unary req/s): {}",
            loadgen::ratio(&service_run, &noop_run)
        );
    }
    Ok(())
}

type Serving = tokio::task::JoinHandle<Result<(), server::ServeError>>;

/// The real service on a free loopback port, local mode, a fresh SQLite store in `data_dir`.
async fn start_service(
    data_dir: &std::path::Path,
    limits: Limits,
) -> Result<(SocketAddr, oneshot::Sender<()>, Serving), String> {
    let _ = std::fs::remove_dir_all(data_dir);
    let store = SqliteStore::open(data_dir).map_err(|e| e.to_string())?;
    let key = ServiceKey::load_or_create(&data_dir.join("service.key"))?;
    let parts = ServerParts {
        factor_library: FactorLibrary::built_in(),
        store: Arc::new(store),
        key: Arc::new(key),
        auth: Auth::Local,
        limits,
        metrics: Metrics::new(),
        metrics_listener: None,
        tls: None,
        http_listener: None,
    };
    let (listener, addr) = loadgen::loopback().await?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve(listener, parts, async {
        let _ = stopped.await;
    }));
    Ok((addr, stop, serving))
}

/// The unary runs, in turns; prints each server's figures and the ratio of each turn.
async fn unary_runs(
    args: &Args,
    request: &pb::AssessRequest,
    (noop_addr, service_addr): (SocketAddr, SocketAddr),
    round: Duration,
) -> Result<(Measured, Measured), String> {
    let (mut noop_calls, mut service_calls) = (Calls::default(), Calls::default());
    let mut round_ratios = Vec::new();
    for _ in 0..args.rounds {
        let noop = loadgen::unary(noop_addr, request, args.connections, round).await?;
        let service = loadgen::unary(service_addr, request, args.connections, round).await?;
        round_ratios.push(loadgen::ratio(&service.measured(), &noop.measured()).to_string());
        noop_calls.add(noop);
        service_calls.add(service);
    }
    let (noop_run, service_run) = (noop_calls.measured(), service_calls.measured());
    for (name, run) in [
        ("no-op unary       ", &noop_run),
        ("green-impact unary", &service_run),
    ] {
        println!("{}", line(name, run, args.connections, args.rounds));
    }
    println!("ratio by round: {}", round_ratios.join(" "));
    Ok((noop_run, service_run))
}

#[cfg(test)]
mod tests;
