//! The service's Prometheus metrics and their exporter.
//!
//! [`Metrics`] holds every metric family of the process in one registry; it is cheap to clone
//! (each family is shared), so the server's tower layer and, later, handlers each keep a copy.
//! [`serve`] answers `GET /metrics` in the Prometheus text exposition format (0.0.4) on a port
//! of its own, with a minimal HTTP/1 server (hyper), on its own tokio task.
//!
//! What is recorded is counts, and durations measured with `std::time::Instant`. The one place
//! a floating-point number appears is [`Metrics::call_finished`]: prometheus-client's histogram
//! observes `f64` seconds. That is the exporter's own type, not our data path, and it stays in
//! this file: nothing computed here flows back into an answer.

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
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Upper bounds of the request-duration buckets, in seconds: from half a millisecond (a small
/// assessment in a release build) to 30 s (the default request timeout).
// f64: prometheus-client's bucket type; see the module comment.
const DURATION_BUCKETS_SECONDS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

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
/// | `green_impact_batch_items_total` | counter | `outcome` (`ok` or `error`) |
///
/// `method` is the ImpactService method name (`Assess`, `AssessBatch`, ...), or `unknown` for
/// a path that names no method of it, so a client cannot grow the label set. The first four are
/// recorded by the server's tower layer around the ImpactService, never by the handlers; a call
/// is counted when it completes (its response body has ended, streams included), and one that
/// the client abandoned counts as `CANCELLED`. The batch handler records
/// `green_impact_batch_items_total` through [`Metrics::batch_items`].
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    durations: Family<MethodLabels, Histogram, fn() -> Histogram>,
    in_flight: Family<MethodLabels, Gauge>,
    load_shed: Counter,
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

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS_SECONDS)
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
        let durations = Family::<MethodLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            duration_histogram,
        );
        registry.register(
            "green_impact_request_duration_seconds",
            "Time from a call's arrival to the end of its response, streams included",
            durations.clone(),
        );
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
        // The only f64 of the crate's own code: the histogram's observation type.
        self.durations
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
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

    /// Every metric in the Prometheus text exposition format (0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_text::encode(&mut text, &self.registry) {
            // Writing to a String cannot fail; a label value that cannot be encoded could.
            tracing::error!(%error, "encoding the metrics");
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
        metrics.batch_items(BatchOutcome::Error).inc();
        let text = metrics.encode();
        for line in [
            "green_impact_requests_total{method=\"Assess\",code=\"OK\"} 1",
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"0.001\"} 1",
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"0.0005\"} 0",
            "green_impact_in_flight_requests{method=\"Assess\"} 0",
            "green_impact_load_shed_total 1",
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
