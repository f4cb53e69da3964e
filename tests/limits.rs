//! Limits and metrics end to end over loopback: a flood shed with RESOURCE_EXHAUSTED (and
//! nothing else) from which the server recovers, in bounded memory; deadlines answered
//! DEADLINE_EXCEEDED, the client's and the server's, unary and streaming; GET /metrics; and
//! health and reflection, which are never shed. Every loop is bounded in count and time.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{TestServer, local_parts, seed_dry_run, seed_request};
use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{MAX_RESPONSE_BYTES, ServerParts};
use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;

/// No call of these tests should take longer; a hang fails instead of stalling the suite.
const CALL_BOUND: Duration = Duration::from_secs(60);

/// The server with `limits`, its metrics served on a port of their own.
async fn start(limits: Limits) -> (TestServer, SocketAddr) {
    let metrics_listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the metrics port");
    let metrics_addr = metrics_listener.local_addr().expect("metrics addr");
    let parts = ServerParts {
        limits,
        metrics_listener: Some(metrics_listener),
        ..local_parts(FactorLibrary::built_in())
    };
    (TestServer::start_with_parts(parts).await, metrics_addr)
}

/// The seed, made as expensive as a valid request gets on its schedule: 600 monthly periods
/// over a 30-year project life; a dry run, so nothing is stored.
fn slow_request() -> pb::AssessRequest {
    let mut request = seed_request();
    request.dry_run = true;
    request.loan.as_mut().expect("loan").term_months = 600;
    request
        .appraisal
        .as_mut()
        .expect("appraisal")
        .project_life_years = 30;
    request
}

fn client(channel: Channel) -> ImpactServiceClient<Channel> {
    ImpactServiceClient::new(channel).max_decoding_message_size(MAX_RESPONSE_BYTES)
}

type RawTransport = HyperClient<HttpConnector, tonic::body::Body>;

/// A client over plain hyper HTTP/2, without tonic's channel. A tonic channel keeps a timer of
/// its own for `grpc-timeout` and, when it fires first, reports CANCELLED without waiting for
/// the server; this client shows what the server itself answers.
fn raw_client(addr: SocketAddr) -> ImpactServiceClient<RawTransport> {
    let transport = HyperClient::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let origin = format!("http://{addr}").parse().expect("origin uri");
    ImpactServiceClient::with_origin(transport, origin)
        .max_decoding_message_size(MAX_RESPONSE_BYTES)
}

/// GET (or another method on) a path of the metrics port: status, content type, body.
async fn http(method: &str, addr: SocketAddr, path: &str) -> (u16, String, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect to metrics");
        let head =
            format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("receive");
        raw
    };
    let raw = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the metrics port answers in time");
    let text = String::from_utf8(raw).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let content_type = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    (status, content_type, body.to_owned())
}

async fn scrape(addr: SocketAddr) -> String {
    let (status, content_type, body) = http("GET", addr, "/metrics").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    body
}

/// The value of the sample `series` (name and labels exactly as exposed), if present.
fn sample(text: &str, series: &str) -> Option<i64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| {
            value
                .parse()
                .unwrap_or_else(|e| panic!("{series} = {value:?}: {e}"))
        })
}

/// Resident memory of this process (server and clients alike), in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

async fn health_serving(channel: Channel) -> Result<(), String> {
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "greenimpact.v1.ImpactService".to_owned(),
        })
        .await
        .map_err(|s| format!("health: {s:?}"))?;
    if answer.get_ref().status == ServingStatus::Serving as i32 {
        Ok(())
    } else {
        Err(format!("health: {:?}", answer.get_ref()))
    }
}

async fn reflection_lists(channel: Channel) -> Result<(), String> {
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .map_err(|s| format!("reflection: {s:?}"))?
        .into_inner();
    match answers.next().await {
        Some(Ok(_)) => Ok(()),
        other => Err(format!("reflection: {other:?}")),
    }
}

/// An open AssessBatch stream that has had one item answered, so it holds a slot.
struct HeldBatch {
    items: mpsc::Sender<pb::AssessBatchItem>,
    results: tonic::Streaming<pb::AssessBatchResult>,
}

async fn hold_a_slot(channel: Channel) -> HeldBatch {
    let (items, receiver) = mpsc::channel(4);
    items
        .send(pb::AssessBatchItem {
            key: "hold".into(),
            request: Some(seed_dry_run()),
        })
        .await
        .expect("queue the item");
    let mut results = client(channel)
        .assess_batch(ReceiverStream::new(receiver))
        .await
        .expect("the batch stream is admitted")
        .into_inner();
    let first = results
        .message()
        .await
        .expect("a result")
        .expect("the stream is open");
    assert!(
        matches!(first.outcome, Some(Outcome::Response(_))),
        "{first:?}"
    );
    HeldBatch { items, results }
}

impl HeldBatch {
    /// Closes the request side and reads the stream to its OK end.
    async fn finish(self) {
        let HeldBatch { items, mut results } = self;
        drop(items);
        let end = tokio::time::timeout(CALL_BOUND, results.message())
            .await
            .expect("the stream ends in time");
        assert!(matches!(end, Ok(None)), "{end:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_flood_is_shed_with_resource_exhausted_and_the_server_recovers() {
    const LIMIT: usize = 4;
    const CALLS: usize = 64;
    const CONNECTIONS: usize = 4;
    let (server, metrics) = start(Limits {
        max_concurrent_requests: LIMIT,
        ..Limits::default()
    })
    .await;
    let mut channels = Vec::new();
    for _ in 0..CONNECTIONS {
        channels.push(server.channel().await);
    }
    // Warm up (first-use allocations), then take the memory baseline.
    client(channels[0].clone())
        .assess(slow_request())
        .await
        .expect("one slow call alone succeeds");
    let timed = Instant::now();
    client(channels[0].clone())
        .assess(slow_request())
        .await
        .expect("one slow call alone succeeds");
    let one_call = timed.elapsed();
    let rss_before = rss_kib();

    let mut calls = JoinSet::new();
    for i in 0..CALLS {
        let mut client = client(channels[i % CONNECTIONS].clone());
        calls.spawn(async move {
            tokio::time::timeout(CALL_BOUND, client.assess(slow_request()))
                .await
                .expect("every call of the flood is answered in time")
                .map(|_| ())
        });
    }
    // Health and reflection on the same connections while the flood runs.
    let mut standard = JoinSet::new();
    for i in 0..16 {
        let channel = channels[i % CONNECTIONS].clone();
        standard.spawn(async move {
            if i % 4 == 0 {
                reflection_lists(channel).await
            } else {
                health_serving(channel).await
            }
        });
    }
    let (mut ok, mut exhausted, mut other) = (0_usize, 0_usize, Vec::new());
    let mut rss_peak = rss_kib();
    while let Some(joined) = calls.join_next().await {
        rss_peak = rss_peak.max(rss_kib());
        match joined.expect("the call task does not panic") {
            Ok(()) => ok += 1,
            Err(status) if status.code() == Code::ResourceExhausted => {
                assert!(
                    status.message().contains("limit of 4 calls"),
                    "{:?}",
                    status.message()
                );
                exhausted += 1;
            }
            Err(status) => other.push(status),
        }
    }
    while let Some(joined) = standard.join_next().await {
        joined
            .expect("the task does not panic")
            .expect("health and reflection are never shed");
    }
    eprintln!(
        "flood of {CALLS} calls, limit {LIMIT}: {ok} OK, {exhausted} RESOURCE_EXHAUSTED; one \
         call alone {one_call:?}; RSS {rss_before} KiB before, {rss_peak} KiB peak"
    );
    assert!(other.is_empty(), "only OK or RESOURCE_EXHAUSTED: {other:?}");
    assert_eq!(ok + exhausted, CALLS);
    assert!(
        exhausted > 0,
        "a flood of {CALLS} over a limit of {LIMIT} is shed"
    );
    assert!(ok >= 1, "the calls admitted are answered");
    // The whole test process: server, 4 connections, 64 clients. Each call holds one request
    // (~3 KB), its response (~150 KB encoded for 600 periods) and the domain values behind
    // it, so even 64 at once are a few tens of MB over a debug test binary's ~25 MB (about
    // 45 MB at the peak when this was written). 256 MB leaves room for allocator slack and
    // other tests of this binary running at the same time, and still catches calls that pile
    // up instead of being refused.
    assert!(
        rss_peak < 256 * 1024,
        "RSS {rss_peak} KiB (before the flood: {rss_before} KiB)"
    );

    let text = scrape(metrics).await;
    let shed = i64::try_from(exhausted).expect("small");
    assert_eq!(sample(&text, "green_impact_load_shed_total"), Some(shed));
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"Assess\",code=\"RESOURCE_EXHAUSTED\"}"
        ),
        Some(shed)
    );
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"Assess\",code=\"OK\"}"
        ),
        Some(i64::try_from(ok + 2).expect("small")),
        "the flood's OK calls and the two warm-up calls"
    );
    assert_eq!(
        sample(&text, "green_impact_in_flight_requests{method=\"Assess\"}"),
        Some(0)
    );

    // Recovery: one at a time, every call is admitted.
    for _ in 0..8 {
        tokio::time::timeout(
            CALL_BOUND,
            client(channels[1].clone()).assess(slow_request()),
        )
        .await
        .expect("answered in time")
        .expect("after the flood every call succeeds");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_slots_shed_new_calls_but_never_health_or_reflection() {
    let (server, metrics) = start(Limits {
        max_concurrent_requests: 2,
        ..Limits::default()
    })
    .await;
    let channel = server.channel().await;
    // Two open batch streams take both slots for as long as they stay open.
    let first = hold_a_slot(channel.clone()).await;
    let second = hold_a_slot(channel.clone()).await;
    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "green_impact_in_flight_requests{method=\"AssessBatch\"}"
        ),
        Some(2)
    );

    let refused = client(channel.clone())
        .assess(seed_dry_run())
        .await
        .expect_err("a third call is refused");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    let refused = client(channel.clone())
        .list_factor_sets(pb::ListFactorSetsRequest::default())
        .await
        .expect_err("every method of the service is limited");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    for _ in 0..5 {
        health_serving(channel.clone())
            .await
            .expect("health is not limited");
        reflection_lists(channel.clone())
            .await
            .expect("reflection is not limited");
    }
    let text = scrape(metrics).await;
    assert_eq!(sample(&text, "green_impact_load_shed_total"), Some(2));
    assert!(!text.contains("method=\"Check\""), "health is not counted");

    // A stream that ends gives its slot back.
    first.finish().await;
    client(channel.clone())
        .assess(seed_dry_run())
        .await
        .expect("a slot is free again");
    second.finish().await;
    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"AssessBatch\",code=\"OK\"}"
        ),
        Some(2)
    );
    assert_eq!(
        sample(
            &text,
            "green_impact_in_flight_requests{method=\"AssessBatch\"}"
        ),
        Some(0)
    );
}

#[tokio::test]
async fn a_tiny_client_deadline_gets_deadline_exceeded() {
    let (server, metrics) = start(Limits::default()).await;
    let mut raw = raw_client(server.addr);
    let mut request = tonic::Request::new(slow_request());
    request.set_timeout(Duration::from_micros(1));
    let status = raw
        .assess(request)
        .await
        .expect_err("a 1 us deadline cannot be met");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(
        status.message().contains("the client's deadline"),
        "{:?}",
        status.message()
    );

    // The same with the header written by hand, and in milliseconds.
    let mut request = tonic::Request::new(slow_request());
    request
        .metadata_mut()
        .insert("grpc-timeout", "1u".parse().expect("header"));
    let status = raw.assess(request).await.expect_err("1u cannot be met");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");

    // A generous deadline changes nothing.
    let mut request = tonic::Request::new(slow_request());
    request.set_timeout(Duration::from_secs(60));
    raw.assess(request).await.expect("60 s is plenty");

    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"Assess\",code=\"DEADLINE_EXCEEDED\"}"
        ),
        Some(2)
    );
}

#[tokio::test]
async fn the_server_request_timeout_ends_unary_calls_but_not_streams() {
    let (server, _metrics) = start(Limits {
        request_timeout: Duration::from_millis(1),
        ..Limits::default()
    })
    .await;
    let status = client(server.channel().await)
        .assess(slow_request())
        .await
        .expect_err("a 600-period assessment takes more than 1 ms");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(
        status.message().contains("the server's request timeout"),
        "{:?}",
        status.message()
    );

    // A stream may last as long as its client likes: three items, 20 ms apart.
    let (items, receiver) = mpsc::channel(4);
    let mut results = client(server.channel().await)
        .assess_batch(ReceiverStream::new(receiver))
        .await
        .expect("the stream opens")
        .into_inner();
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        items
            .send(pb::AssessBatchItem {
                key: format!("item-{i}"),
                request: Some(seed_dry_run()),
            })
            .await
            .expect("queue the item");
        let result = tokio::time::timeout(CALL_BOUND, results.message())
            .await
            .expect("answered in time")
            .expect("the stream is not cut off")
            .expect("a result");
        assert_eq!(result.key, format!("item-{i}"));
    }
    drop(items);
    assert!(matches!(results.message().await, Ok(None)));
}

#[tokio::test]
async fn a_client_deadline_cuts_a_stream_with_deadline_exceeded() {
    let (server, metrics) = start(Limits::default()).await;
    let (items, receiver) = mpsc::channel(4);
    items
        .send(pb::AssessBatchItem {
            key: "only".into(),
            request: Some(seed_dry_run()),
        })
        .await
        .expect("queue the item");
    let mut request = tonic::Request::new(ReceiverStream::new(receiver));
    request.set_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let mut results = raw_client(server.addr)
        .assess_batch(request)
        .await
        .expect("the stream opens")
        .into_inner();
    let first = results.message().await.expect("a result").expect("open");
    assert_eq!(first.key, "only");
    // The client keeps its side open and sends nothing more: the deadline ends the call.
    let end = tokio::time::timeout(CALL_BOUND, results.message())
        .await
        .expect("the deadline ends the stream in time");
    let status = end.expect_err("the stream ends with a status");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    drop(items);
    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"AssessBatch\",code=\"DEADLINE_EXCEEDED\"}"
        ),
        Some(1)
    );
    assert_eq!(
        sample(
            &text,
            "green_impact_in_flight_requests{method=\"AssessBatch\"}"
        ),
        Some(0)
    );
}

#[tokio::test]
async fn metrics_are_served_with_their_labels() {
    let (server, metrics) = start(Limits::default()).await;
    let mut impact = client(server.channel().await);
    impact.assess(seed_dry_run()).await.expect("seed is OK");
    let mut bad = seed_dry_run();
    bad.loan.as_mut().expect("loan").term_months = 0;
    let status = impact.assess(bad).await.expect_err("term 0 is refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    let status = impact
        .assess(common::over_the_size_limit())
        .await
        .expect_err("an oversized request is refused");
    common::assert_over_the_size_limit(&status);
    impact
        .list_factor_sets(pb::ListFactorSetsRequest::default())
        .await
        .expect("factor sets");
    health_serving(server.channel().await)
        .await
        .expect("health");
    // One good and one broken batch item.
    let mut broken = seed_dry_run();
    broken.loan.as_mut().expect("loan").term_months = 0;
    let items = [seed_dry_run(), broken].map(|request| pb::AssessBatchItem {
        key: request
            .loan
            .as_ref()
            .map_or(0, |l| l.term_months)
            .to_string(),
        request: Some(request),
    });
    let mut results = impact
        .assess_batch(tokio_stream::iter(items))
        .await
        .expect("batch")
        .into_inner();
    while results.message().await.expect("batch result").is_some() {}

    let text = scrape(metrics).await;
    for (series, value) in [
        (
            "green_impact_requests_total{method=\"Assess\",code=\"OK\"}",
            1,
        ),
        (
            "green_impact_requests_total{method=\"Assess\",code=\"INVALID_ARGUMENT\"}",
            1,
        ),
        (
            "green_impact_requests_total{method=\"ListFactorSets\",code=\"OK\"}",
            1,
        ),
        (
            "green_impact_requests_total{method=\"Assess\",code=\"RESOURCE_EXHAUSTED\"}",
            1,
        ),
        (
            "green_impact_request_duration_seconds_count{method=\"Assess\"}",
            3,
        ),
        (
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"+Inf\"}",
            3,
        ),
        ("green_impact_in_flight_requests{method=\"Assess\"}", 0),
        ("green_impact_load_shed_total", 0),
        ("green_impact_oversized_requests_total", 1),
        ("green_impact_batch_items_total{outcome=\"ok\"}", 1),
        ("green_impact_batch_items_total{outcome=\"error\"}", 1),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    }
    for name in [
        "# TYPE green_impact_requests_total counter",
        "# TYPE green_impact_request_duration_seconds histogram",
        "# TYPE green_impact_in_flight_requests gauge",
        "# TYPE green_impact_load_shed_total counter",
        "# TYPE green_impact_oversized_requests_total counter",
        "# TYPE green_impact_batch_items_total counter",
    ] {
        assert!(text.lines().any(|l| l == name), "{name} in\n{text}");
    }
    assert!(
        text.contains(
            "green_impact_request_duration_seconds_bucket{method=\"Assess\",le=\"0.0005\"}"
        ),
        "sub-millisecond buckets"
    );
    assert!(!text.contains("method=\"Check\""), "health is not counted");

    let (status, _, _) = http("GET", metrics, "/").await;
    assert_eq!(status, 404);
    let (status, _, _) = http("GET", metrics, "/metrics/x").await;
    assert_eq!(status, 404);
    let (status, _, _) = http("POST", metrics, "/metrics").await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn unknown_methods_share_one_label() {
    let (server, metrics) = start(Limits::default()).await;
    let mut grpc = tonic::client::Grpc::new(server.channel().await);
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::from_static("/greenimpact.v1.ImpactService/NoSuchMethod");
    let status = grpc
        .unary::<_, pb::ListFactorSetsResponse, _>(
            tonic::Request::new(pb::ListFactorSetsRequest::default()),
            path,
            tonic_prost::ProstCodec::default(),
        )
        .await
        .expect_err("no such method");
    assert_eq!(status.code(), Code::Unimplemented);
    let text = scrape(metrics).await;
    assert_eq!(
        sample(
            &text,
            "green_impact_requests_total{method=\"unknown\",code=\"UNIMPLEMENTED\"}"
        ),
        Some(1)
    );
    assert!(!text.contains("NoSuchMethod"));
}
