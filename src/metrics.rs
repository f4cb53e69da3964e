//! The service's Prometheus metrics and their exporter.
//!
//! [`Metrics`] holds every metric family of the process in one registry; it is cheap to clone
//! (each family is shared), so the server's tower layer and, later, handlers each keep a copy.
//! [`serve`] answers `GET /metrics` in the Prometheus text exposition format (0.0.4) on a port
//! of its own, with a minimal HTTP/1 server (hyper), on its own tokio task.
//!
//! What is recorded is counts, and durations measured with `std::time::Instant` in whole
//! microseconds. The duration histogram is ours (integer buckets, written out by hand in the
//! text format) because prometheus-client's observes binary floating point, which this crate
//! does not use.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Upper bounds of the request-duration buckets, in microseconds and as the `le` label shows
/// them in seconds: from half a millisecond (a small assessment in a release build) to 30 s
/// (the default request timeout).
const DURATION_BUCKETS: [(u64, &str); 15] = [
    (500, "0.0005"),
    (1_000, "0.001"),
    (2_500, "0.0025"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
    (2_500_000, "2.5"),
    (5_000_000, "5"),
    (10_000_000, "10"),
    (30_000_000, "30"),
];

const DURATION_NAME: &str = "green_impact_request_duration_seconds";
const DURATION_HELP: &str =
    "Time from a call's arrival to the end of its response, streams included";

/// One method's durations: a count per bucket (not cumulative), the total and the sum.
#[derive(Default)]
struct Durations {
    buckets: [u64; DURATION_BUCKETS.len()],
    count: u64,
    sum_micros: u64,
}

impl Durations {
    fn observe(&mut self, micros: u64) {
        if let Some(i) = DURATION_BUCKETS.iter().position(|(le, _)| micros <= *le) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum_micros = self.sum_micros.saturating_add(micros);
    }

    fn encode(&self, method: &str, out: &mut String) {
        use std::fmt::Write;
        let mut cumulative = 0;
        for ((_, le), n) in DURATION_BUCKETS.iter().zip(self.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{DURATION_NAME}_bucket{{method=\"{method}\",le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = rust_decimal::Decimal::new(i64::try_from(self.sum_micros).unwrap_or(i64::MAX), 6)
            .normalize();
        let _ = writeln!(
            out,
            "{DURATION_NAME}_bucket{{method=\"{method}\",le=\"+Inf\"}} {}\n\
             {DURATION_NAME}_sum{{method=\"{method}\"}} {sum}\n\
             {DURATION_NAME}_count{{method=\"{method}\"}} {}",
            self.count, self.count
        );
    }
}

/// Scrape connections served at once; more are closed at accept. A scraper needs one.
const MAX_SCRAPE_CONNECTIONS: usize = 16;
/// A scrape connection must send its request head within this time.
const SCRAPE_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// And is closed after this time, keep-alive or not.
const SCRAPE_CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The outcome of one item of an `AssessBatch` stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    /// The item was assessed (and stored unless a dry run).
    Ok,
    /// The item got its own error.
    Error,
}

impl BatchOutcome {
    fn label(self) -> &'static str {
        match self {
            BatchOutcome::Ok => "ok",
            BatchOutcome::Error => "error",
        }
    }
}

/// Every metric of the service, registered in one registry:
///
/// | metric | type | labels |
/// |---|---|---|
/// | `green_impact_requests_total` | counter | `method`, `code` (gRPC status name) |
/// | `green_impact_request_duration_seconds` | histogram | `method` |
/// | `green_impact_in_flight_requests` | gauge | `method` |
/// | `green_impact_load_shed_total` | counter | |
/// | `green_impact_oversized_requests_total` | counter | |
/// | `green_impact_batch_items_total` | counter | `outcome` (`ok` or `error`) |
///
/// `method` is the ImpactService method name (`Assess`, `AssessBatch`, ...), or `unknown` for
/// a path that names no method of it, so a client cannot grow the label set. The first five are
/// recorded by the server's tower layers around the ImpactService, never by the handlers; a call
/// is counted when it completes (its response body has ended, streams included), and one that
/// the client abandoned counts as `CANCELLED`. The batch handler records
/// `green_impact_batch_items_total` through [`Metrics::batch_items`].
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    /// By method name; method names come from the service descriptor, so the map is bounded.
    durations: Arc<std::sync::Mutex<std::collections::BTreeMap<String, Durations>>>,
    in_flight: Family<MethodLabels, Gauge>,
    load_shed: Counter,
    oversized_requests: Counter,
    batch_items: Family<OutcomeLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every family registered (and both batch outcomes at zero).
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        // The text encoder appends `_total` to a counter's name.
        registry.register(
            "green_impact_requests",
            "ImpactService calls completed, by method and gRPC status code",
            requests.clone(),
        );
        let durations = Arc::default();
        let in_flight = Family::<MethodLabels, Gauge>::default();
        registry.register(
            "green_impact_in_flight_requests",
            "ImpactService calls in progress",
            in_flight.clone(),
        );
        let load_shed = Counter::default();
        registry.register(
            "green_impact_load_shed",
            "ImpactService calls refused with RESOURCE_EXHAUSTED because the concurrency \
             limit was reached",
            load_shed.clone(),
        );
        let oversized_requests = Counter::default();
        registry.register(
            "green_impact_oversized_requests",
            "ImpactService calls ended with RESOURCE_EXHAUSTED because a request message was \
             over the request-size limit",
            oversized_requests.clone(),
        );
        let batch_items = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "green_impact_batch_items",
            "AssessBatch items answered, by outcome",
            batch_items.clone(),
        );
        for outcome in [BatchOutcome::Ok, BatchOutcome::Error] {
            batch_items.get_or_create_owned(&OutcomeLabels {
                outcome: outcome.label(),
            });
        }
        Metrics {
            registry: Arc::new(registry),
            requests,
            durations,
            in_flight,
            load_shed,
            oversized_requests,
            batch_items,
        }
    }

    /// The counter of batch items with this outcome: `batch_items(BatchOutcome::Ok).inc()`.
    /// The handle shares its value with the registry, so it may be kept and reused.
    pub fn batch_items(&self, outcome: BatchOutcome) -> Counter {
        self.batch_items.get_or_create_owned(&OutcomeLabels {
            outcome: outcome.label(),
        })
    }

    /// A call of `method` has arrived.
    pub(crate) fn call_started(&self, method: &str) {
        self.in_flight
            .get_or_create(&MethodLabels {
                method: method.to_owned(),
            })
            .inc();
    }

    /// A call of `method` that [`Metrics::call_started`] counted has completed with `code`
    /// after `elapsed`.
    pub(crate) fn call_finished(&self, method: &str, code: tonic::Code, elapsed: Duration) {
        let labels = MethodLabels {
            method: method.to_owned(),
        };
        self.in_flight.get_or_create(&labels).dec();
        self.durations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(labels.method.clone())
            .or_default()
            .observe(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        self.requests
            .get_or_create(&RequestLabels {
                method: labels.method,
                code: code_name(code),
            })
            .inc();
    }

    /// A call was refused because the concurrency limit was reached.
    pub(crate) fn load_shed(&self) {
        self.load_shed.inc();
    }

    /// The counter of calls ended by a request message over the size limit; the handle shares
    /// its value with the registry.
    pub(crate) fn oversized_requests(&self) -> Counter {
        self.oversized_requests.clone()
    }

    /// Every metric in the Prometheus text exposition format (0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_text::encode(&mut text, &self.registry) {
            // Writing to a String cannot fail; a label value that cannot be encoded could.
            tracing::error!(%error, "encoding the metrics");
        }
        // The histogram family, written after the registry's families (the text format has
        // no end marker, so the order of families is free).
        text.push_str(&format!(
            "# HELP {DURATION_NAME} {DURATION_HELP}.\n# TYPE {DURATION_NAME} histogram\n"
        ));
        let durations = self
            .durations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (method, observed) in durations.iter() {
            observed.encode(method, &mut text);
        }
        text
    }

    fn respond(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let plain = |status: StatusCode, text: &'static str| {
            let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
            *response.status_mut() = status;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        };
        if request.uri().path() != "/metrics" {
            return plain(
                StatusCode::NOT_FOUND,
                "not found: the metrics are at /metrics\n",
            );
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET\n");
            response.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, HEAD"),
            );
            return response;
        }
        let mut response = Response::new(Full::new(Bytes::from(self.encode())));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(prometheus_text::CONTENT_TYPE),
        );
        response
    }
}

/// The canonical name of a gRPC status code, as the gRPC specification spells it.
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// Serves `GET /metrics` on `listener` until the task running it is dropped or aborted (which
/// also ends every connection it serves); anything else gets 404 (405 for another method on
/// `/metrics`). At most 16 connections at once, each closed after a minute.
pub async fn serve(listener: TcpListener, metrics: Metrics) {
    let slots = Arc::new(Semaphore::new(MAX_SCRAPE_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait a little rather than spin.
                tracing::warn!(%error, "metrics: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(%peer, "metrics: too many scrape connections; closing one");
            continue;
        };
        let metrics = metrics.clone();
        connections.spawn(async move {
            let _slot = slot;
            let service = service_fn(move |request: Request<Incoming>| {
                let response = metrics.respond(&request);
                async move { Ok::<_, Infallible>(response) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(SCRAPE_HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            match tokio::time::timeout(SCRAPE_CONNECTION_LIFETIME, connection).await {
                Ok(Ok(())) | Err(_) => {}
                Ok(Err(error)) => tracing::debug!(%peer, %error, "metrics connection"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_family_with_its_labels() {
        let metrics = Metrics::new();
        metrics.call_started("Assess");
        metrics.call_finished("Assess", tonic::Code::Ok, Duration::from_micros(700));
        metrics.load_shed();
        metrics.oversized_requests().inc();
        metrics.batch_items(BatchOutcome::Error).inc();
        let text = metrics.encode();
        for line in [
            "green_impact_requests_total{method=\"Assess\",code=\"OK\"} 1",
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"0.001\"} 1",
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"0.0005\"} 0",
            "green_impact_in_flight_requests{method=\"Assess\"} 0",
            "green_impact_load_shed_total 1",
            "green_impact_oversized_requests_total 1",
            "green_impact_batch_items_total{outcome=\"ok\"} 0",
            "green_impact_batch_items_total{outcome=\"error\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing in\n{text}"
            );
        }
    }

    #[test]
    fn a_batch_counter_handle_shares_the_registered_value() {
        let metrics = Metrics::new();
        let ok = metrics.batch_items(BatchOutcome::Ok);
        ok.inc();
        ok.inc();
        assert_eq!(metrics.batch_items(BatchOutcome::Ok).get(), 2);
        assert_eq!(metrics.batch_items(BatchOutcome::Error).get(), 0);
    }

    #[test]
    fn code_names_are_the_specification_s() {
        assert_eq!(
            code_name(tonic::Code::ResourceExhausted),
            "RESOURCE_EXHAUSTED"
        );
        assert_eq!(
            code_name(tonic::Code::DeadlineExceeded),
            "DEADLINE_EXCEEDED"
        );
        assert_eq!(code_name(tonic::Code::from(99)), "UNKNOWN");
    }
}
