//! AssessBatch backpressure: the server reads ahead only as far as the client reads, and a
//! message over the size limit ends a stream with RESOURCE_EXHAUSTED.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use prost::Message;
use tokio_stream::wrappers::ReceiverStream;

use crate::common::{TestServer, assert_over_the_size_limit, over_the_size_limit, seed_dry_run};
use crate::summaries::assessment;
use crate::support::{assess, client_receiving, run_batch};

/// Long enough that the bound on read-ahead is far below it (asserted below), short enough to
/// drain in a few seconds on a loaded machine: the check is on counts, not on time.
const STREAM_ITEMS: usize = 800;

/// Only a guard against a hang: a debug build on a busy 2-core machine runs an item in 10-20 ms.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(90);

/// The first reads the consumer makes slowly, and how slowly.
const SLOW_READS: usize = 5;

const SLOW_READ_PAUSE: Duration = Duration::from_millis(50);

/// Then the consumer stops reading until the producer has sent nothing more for this long.
const STALL: Duration = Duration::from_millis(400);

const STALL_POLL: Duration = Duration::from_millis(50);

/// HTTP/2 flow control in the stack under test and tonic's buffering. The server's receive
/// window is hyper 1's server default (neither tonic nor this server's builder changes it):
/// it holds the items the server has not read yet. The client's receive window is set by this
/// test: it holds the results the client has not read yet.
const SERVER_STREAM_WINDOW: usize = 1024 * 1024;

const CLIENT_STREAM_WINDOW: u32 = 256 * 1024;

/// tonic encodes messages into one buffer until it passes 32 KiB, then hands it to hyper,
/// which takes a whole buffer once the window has room for one byte; the decoder holds at
/// most a buffer's worth of a message in progress. Counted four times per direction.
const TONIC_CHUNK: usize = 32 * 1024;

/// The items the server has read and not yet answered (BATCH_PARALLEL in src/grpc/batch.rs).
const SERVER_UNDER_WAY: usize = 8;

/// gRPC's length prefix on every message.
const GRPC_PREFIX: usize = 5;

fn stream_item(i: usize) -> pb::AssessBatchItem {
    let mut request = seed_dry_run();
    // The carbon block is the costly part to compute, and the batch test (batch.rs) covers it; the
    // schedule, the cash flow and the returns are computed for every item.
    request.carbon = None;
    // As many stated assumptions as a request may carry (32 of 512 characters), echoed in the
    // response: large messages, so that the windows hold few of them and the bound is tight.
    request.stated_assumptions = (0..32)
        .map(|n| format!("{i}/{n} {}", "assumption ".repeat(47))[..512].to_owned())
        .collect();
    pb::AssessBatchItem {
        key: format!("k{i}"),
        request: Some(pb::AssessRequest {
            view: pb::AssessmentView::Full as i32,
            ..request
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assess_batch_reads_ahead_only_as_far_as_the_client_reads() {
    let server = TestServer::start().await;
    let mut client = client_receiving(&server, CLIENT_STREAM_WINDOW).await;

    // What one item and its result weigh on the wire.
    let item_bytes = stream_item(0).encoded_len() + GRPC_PREFIX;
    let probe = run_batch(&mut client, vec![stream_item(0)]).await;
    assert!(matches!(probe[0].outcome, Some(Outcome::Response(_))));
    let result_bytes = probe[0].encoded_len() + GRPC_PREFIX;
    // How far the producer can get ahead of the consumer: its one-slot channel; on the way in,
    // what fits in the server's receive window and tonic's buffers; the server's 8 items under
    // way; on the way out, what fits in the client's receive window and tonic's buffers. Each
    // division rounds up and adds four for the messages split across the edges of those
    // buffers.
    let inbound = (SERVER_STREAM_WINDOW + 4 * TONIC_CHUNK).div_ceil(item_bytes) + 4;
    let outbound = (CLIENT_STREAM_WINDOW as usize + 4 * TONIC_CHUNK).div_ceil(result_bytes) + 4;
    let bound = 1 + inbound + SERVER_UNDER_WAY + outbound;
    eprintln!(
        "item {item_bytes} B, result {result_bytes} B: at most {inbound} items on the way in, \
         {outbound} results on the way out, bound {bound}"
    );
    assert!(
        bound < STREAM_ITEMS / 5,
        "the bound ({bound}) must be far below the stream's length to mean anything"
    );

    let sent = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(AtomicUsize::new(0));
    let max_ahead = Arc::new(AtomicUsize::new(0));
    let (items, rx) = tokio::sync::mpsc::channel::<pb::AssessBatchItem>(1);
    let producer = {
        let (sent, received, max_ahead) = (sent.clone(), received.clone(), max_ahead.clone());
        tokio::spawn(async move {
            for i in 0..STREAM_ITEMS {
                if items.send(stream_item(i)).await.is_err() {
                    panic!("the batch stream closed after {i} items");
                }
                let now_sent = sent.fetch_add(1, Ordering::SeqCst) + 1;
                let ahead = now_sent.saturating_sub(received.load(Ordering::SeqCst));
                max_ahead.fetch_max(ahead, Ordering::SeqCst);
            }
        })
    };

    let started = Instant::now();
    let mut results = client
        .assess_batch(ReceiverStream::new(rx))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    let mut count = 0;
    let mut stalled = None;
    let consume = async {
        while let Some(result) = results.message().await.expect("the stream goes on") {
            assert_eq!(result.key, format!("k{count}"), "in order, each once");
            assert!(
                matches!(result.outcome, Some(Outcome::Response(_))),
                "{}: {:?}",
                result.key,
                result.outcome
            );
            count += 1;
            received.store(count, Ordering::SeqCst);
            if count <= SLOW_READS {
                tokio::time::sleep(SLOW_READ_PAUSE).await;
            }
            if count == SLOW_READS {
                // Stop reading until the producer can send no more: every buffer between the
                // two is full.
                let (mut last, mut since) = (sent.load(Ordering::SeqCst), Instant::now());
                while since.elapsed() < STALL {
                    tokio::time::sleep(STALL_POLL).await;
                    let now = sent.load(Ordering::SeqCst);
                    if now != last {
                        (last, since) = (now, Instant::now());
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(20),
                        "the producer never stalled: {now} sent, {count} read"
                    );
                }
                stalled = Some(last);
            }
        }
    };
    tokio::time::timeout(DRAIN_TIMEOUT, consume)
        .await
        .expect("the batch drains before the hang guard");
    producer.await.expect("the producer finishes");
    let elapsed = started.elapsed();

    assert_eq!(count, STREAM_ITEMS, "every key arrives");
    let stalled = stalled.expect("the consumer paused");
    let max_ahead = max_ahead.load(Ordering::SeqCst);
    eprintln!(
        "{STREAM_ITEMS} items in {elapsed:?}; the producer stalled at {stalled} sent for \
         {SLOW_READS} read, and was at most {max_ahead} ahead (bound {bound})"
    );
    // While the consumer did not read, the producer got only a bounded way ahead (more than
    // the server's own items under way: the transport's buffers fill too), then had to wait.
    assert!(
        stalled - SLOW_READS > SERVER_UNDER_WAY && stalled - SLOW_READS < bound,
        "the producer got {stalled} items out while the consumer read {SLOW_READS} (bound {bound})"
    );
    assert!(
        max_ahead < bound,
        "the producer got {max_ahead} items ahead (bound {bound})"
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_ends_a_stream_with_resource_exhausted() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let item = |key: &str, request: pb::AssessRequest| pb::AssessBatchItem {
        key: key.to_owned(),
        request: Some(request),
    };
    let items = vec![
        item("before", seed_dry_run()),
        item("too-large", over_the_size_limit()),
        item("after", seed_dry_run()),
    ];
    let mut stream = client
        .assess_batch(tokio_stream::iter(items))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    let first = stream
        .message()
        .await
        .expect("the item before is answered")
        .expect("a result");
    assert_eq!(first.key, "before");
    assert!(matches!(first.outcome, Some(Outcome::Response(_))));
    let status = stream
        .message()
        .await
        .expect_err("the stream ends at the oversized message");
    assert_over_the_size_limit(&status);

    let status = client
        .summarize_portfolio(tokio_stream::iter(vec![
            assessment(seed_dry_run()),
            assessment(over_the_size_limit()),
        ]))
        .await
        .expect_err("a portfolio with an oversized item is refused");
    assert_over_the_size_limit(&status);

    // The same limit holds for unary calls, and the server goes on answering.
    let status = client
        .assess(over_the_size_limit())
        .await
        .expect_err("an oversized Assess");
    assert_over_the_size_limit(&status);
    assess(&mut client, seed_dry_run()).await;
}
