//! The in-repo load generator: drives the real service and a no-op service built on the same
//! transport over loopback, with N connections for a fixed time, and reports requests per
//! second, latency percentiles and their ratio. Bounded: every loop stops at its deadline.

use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tonic::transport::Channel;

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;

/// What one run measured for one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measured {
    pub requests: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub errors: u64,
}

impl Measured {
    /// Batch runs taken in turns, added up (they record no latencies).
    pub fn add_batch_run(&mut self, run: &Measured) {
        self.requests += run.requests;
        self.errors += run.errors;
        self.elapsed += run.elapsed;
    }

    pub fn per_second(&self) -> u64 {
        let micros = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.requests) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }
}

fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() - 1) * per_mille / 1000]
}

async fn connect(addr: std::net::SocketAddr) -> Result<ImpactServiceClient<Channel>, String> {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .map_err(|e| e.to_string())?
        .tcp_nodelay(true)
        .connect()
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    Ok(ImpactServiceClient::new(channel)
        .max_decoding_message_size(green_impact::grpc::server::MAX_RESPONSE_BYTES))
}

/// The calls of one or more unary runs against one server. Runs taken in turns with another
/// server's add up to one measurement, so that a change in the machine's speed during the
/// benchmark (a shared host) falls on both servers alike.
#[derive(Debug, Default)]
pub struct Calls {
    latencies: Vec<Duration>,
    errors: u64,
    elapsed: Duration,
}

impl Calls {
    pub fn add(&mut self, mut run: Calls) {
        self.latencies.append(&mut run.latencies);
        self.errors += run.errors;
        self.elapsed += run.elapsed;
    }

    pub fn measured(&self) -> Measured {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        Measured {
            requests: sorted.len() as u64,
            elapsed: self.elapsed,
            p50: percentile(&sorted, 500),
            p99: percentile(&sorted, 990),
            errors: self.errors,
        }
    }
}

/// Unary Assess from `connections` connections, each one call at a time, for `duration`.
pub async fn unary(
    addr: std::net::SocketAddr,
    request: &pb::AssessRequest,
    connections: usize,
    duration: Duration,
) -> Result<Calls, String> {
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        clients.push(connect(addr).await?);
    }
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match client.assess(request.clone()).await {
                        Ok(_) => latencies.push(sent.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (mut l, e) = worker.await.map_err(|e| e.to_string())?;
        latencies.append(&mut l);
        errors += e;
    }
    Ok(Calls {
        latencies,
        errors,
        elapsed: started.elapsed(),
    })
}

/// AssessBatch on `streams` streams for `duration`, each item the request in its own view
/// (BASIC unless it names another). Each stream keeps up to `window` items in flight.
pub async fn batch(
    addr: std::net::SocketAddr,
    request: &pb::AssessRequest,
    streams: usize,
    duration: Duration,
) -> Result<Measured, String> {
    const WINDOW: usize = 64;
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::with_capacity(streams);
    for _ in 0..streams {
        let mut client = connect(addr).await?;
        let request = request.clone();
        workers.push(tokio::spawn(async move {
            let (items, receiver) = tokio::sync::mpsc::channel::<pb::AssessBatchItem>(WINDOW);
            let outbound = tokio_stream::wrappers::ReceiverStream::new(receiver);
            let producer = tokio::spawn(async move {
                let mut key = 0u64;
                while Instant::now() < deadline {
                    let item = pb::AssessBatchItem {
                        key: key.to_string(),
                        request: Some(request.clone()),
                    };
                    if items.send(item).await.is_err() {
                        break;
                    }
                    key += 1;
                }
            });
            let mut results = match client.assess_batch(outbound).await {
                Ok(response) => response.into_inner(),
                Err(_) => return (0u64, 1u64),
            };
            let (mut ok, mut errors) = (0u64, 0u64);
            loop {
                match results.message().await {
                    Ok(Some(result)) => match result.outcome {
                        Some(pb::assess_batch_result::Outcome::Response(_)) => ok += 1,
                        _ => errors += 1,
                    },
                    Ok(None) => break,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            let _ = producer.await;
            (ok, errors)
        }));
    }
    let (mut requests, mut errors) = (0, 0);
    for worker in workers {
        let (ok, failed) = worker.await.map_err(|e| e.to_string())?;
        requests += ok;
        errors += failed;
    }
    Ok(Measured {
        requests,
        elapsed: started.elapsed(),
        p50: Duration::ZERO,
        p99: Duration::ZERO,
        errors,
    })
}

/// green-impact's rate over the no-op's, to 2 decimal places.
pub fn ratio(service: &Measured, noop: &Measured) -> Decimal {
    Decimal::from(service.per_second())
        .checked_div(Decimal::from(noop.per_second().max(1)))
        .unwrap_or(Decimal::ZERO)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Resident memory of this process in kB, from /proc (None elsewhere).
pub fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A listener on a free loopback port.
pub async fn loopback() -> Result<(TcpListener, std::net::SocketAddr), String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind loopback: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_ratio_are_exact() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_micros).collect();
        assert_eq!(percentile(&sorted, 500), Duration::from_micros(50));
        assert_eq!(percentile(&sorted, 990), Duration::from_micros(99));
        let measured = |requests| Measured {
            requests,
            elapsed: Duration::from_secs(2),
            p50: Duration::ZERO,
            p99: Duration::ZERO,
            errors: 0,
        };
        assert_eq!(measured(2000).per_second(), 1000);
        assert_eq!(ratio(&measured(1666), &measured(2000)), Decimal::new(83, 2));
    }

    #[test]
    fn runs_in_turns_add_up_to_one_measurement() {
        let run = |micros: &[u64], errors| Calls {
            latencies: micros.iter().map(|&m| Duration::from_micros(m)).collect(),
            errors,
            elapsed: Duration::from_secs(1),
        };
        let mut calls = Calls::default();
        calls.add(run(&[30, 10], 1));
        calls.add(run(&[20], 0));
        let measured = calls.measured();
        assert_eq!(measured.requests, 3);
        assert_eq!(measured.errors, 1);
        assert_eq!(measured.elapsed, Duration::from_secs(2));
        assert_eq!(measured.p50, Duration::from_micros(20));
        assert_eq!(measured.p99, Duration::from_micros(20));
    }
}
