//! AssessBatch and SummarizePortfolio end to end over the real server: every batch item
//! answered once, in order, under its key, equal to a unary Assess; stored batch items that
//! verify; a client that leaves a stored batch midway, leaving a whole chain; backpressure that
//! keeps both ends' buffers bounded; a message over the size limit ending a stream with
//! RESOURCE_EXHAUSTED; a portfolio summary worked out by hand; and the disbursement date's
//! validation.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{
    TestServer, assert_over_the_size_limit, cny, loan, over_the_size_limit, seed_dry_run,
    seed_request, value, violated_fields,
};
use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::pb::portfolio_item::Item;
use prost::Message;
use rust_decimal::Decimal;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

/// google.rpc.Code numbers.
const INVALID_ARGUMENT: i32 = 3;
const NOT_FOUND: i32 = 5;

fn set_principal(request: &mut pb::AssessRequest, amount: &str) {
    loan(request).principal = cny(amount);
}

fn set_fixed_rate(request: &mut pb::AssessRequest, pct: &str) {
    loan(request).rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
        value: pct.to_owned(),
    }));
}

/// Every result of a batch of `items`, in the order they came.
async fn run_batch(
    client: &mut ImpactServiceClient<Channel>,
    items: Vec<pb::AssessBatchItem>,
) -> Vec<pb::AssessBatchResult> {
    let mut stream = client
        .assess_batch(tokio_stream::iter(items))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    let mut results = Vec::new();
    while let Some(result) = stream.message().await.expect("the batch stream goes on") {
        results.push(result);
    }
    results
}

async fn assess(
    client: &mut ImpactServiceClient<Channel>,
    request: pb::AssessRequest,
) -> pb::AssessResponse {
    client
        .assess(request)
        .await
        .expect("unary Assess answers")
        .into_inner()
}

/// What the batch returns for an item whose full response is `full`: the omitted parts gone.
fn omitting(mut full: pb::AssessResponse, item: &pb::AssessBatchItem) -> pb::AssessResponse {
    if item.omit_schedule_periods {
        full.loan.as_mut().expect("schedule").periods.clear();
    }
    if item.omit_carbon_trace {
        let carbon = full.carbon.as_mut().expect("carbon");
        carbon.trace.clear();
        carbon.factors_used.clear();
    }
    full
}

// ---------------------------------------------------------------------------------------------
// AssessBatch: keys, order, errors, equality with Assess
// ---------------------------------------------------------------------------------------------

/// How an item of the 200-item batch is broken, and the one field violation it must report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Broken {
    TermZero,
    MissingRequest,
    EmptyKey,
    LongKey,
    UnknownEnum,
}

impl Broken {
    const ALL: [Broken; 5] = [
        Broken::TermZero,
        Broken::MissingRequest,
        Broken::EmptyKey,
        Broken::LongKey,
        Broken::UnknownEnum,
    ];

    fn field(self) -> &'static str {
        match self {
            Broken::TermZero => "loan.term_months",
            Broken::MissingRequest => "request",
            Broken::EmptyKey | Broken::LongKey => "key",
            Broken::UnknownEnum => "loan.repayment_method",
        }
    }
}

const BATCH_ITEMS: usize = 200;

/// Item `i` of the 200-item batch: key "k{i}", a dry-run seed with its own principal, omit
/// flags on a pattern that covers every combination; every 7th broken, cycling the ways.
fn batch_item(i: usize) -> (pb::AssessBatchItem, Option<Broken>) {
    let mut request = seed_dry_run();
    set_principal(&mut request, &format!("{}.00", 1_000_000 + 10_000 * i));
    let mut item = pb::AssessBatchItem {
        key: format!("k{i}"),
        request: Some(request),
        omit_schedule_periods: i % 3 == 1,
        omit_carbon_trace: i % 4 == 2,
    };
    let broken = i
        .is_multiple_of(7)
        .then(|| Broken::ALL[(i / 7) % Broken::ALL.len()]);
    match broken {
        None => {}
        Some(Broken::TermZero) => {
            loan(item.request.as_mut().unwrap()).term_months = 0;
        }
        Some(Broken::MissingRequest) => item.request = None,
        Some(Broken::EmptyKey) => item.key.clear(),
        Some(Broken::LongKey) => {
            let width = 129;
            item.key = format!("{:x<width$}", item.key);
            assert_eq!(item.key.chars().count(), 129);
        }
        Some(Broken::UnknownEnum) => {
            loan(item.request.as_mut().unwrap()).repayment_method = 99;
        }
    }
    (item, broken)
}

#[tokio::test]
async fn assess_batch_answers_each_item_once_in_order_like_assess() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let (items, broken): (Vec<_>, Vec<_>) = (0..BATCH_ITEMS).map(batch_item).unzip();
    assert_eq!(broken.iter().flatten().count(), 29, "every 7th of 200");
    for way in Broken::ALL {
        assert!(
            broken.iter().flatten().filter(|&&b| b == way).count() >= 5,
            "{way:?} is tried several times"
        );
    }

    let results = run_batch(&mut client, items.clone()).await;
    assert_eq!(results.len(), BATCH_ITEMS, "one result per item");
    // In item order, each under its own key: so each key comes back exactly once (the keys
    // that are not empty are distinct).
    let keys: Vec<&str> = results.iter().map(|r| r.key.as_str()).collect();
    let sent_keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys, sent_keys,
        "results in item order, keys echoed unchanged"
    );
    let distinct: BTreeSet<&str> = keys.iter().copied().filter(|k| !k.is_empty()).collect();
    assert_eq!(
        distinct.len(),
        keys.iter().filter(|k| !k.is_empty()).count()
    );

    let (mut answered, mut omitted_periods, mut omitted_trace) = (0, 0, 0);
    for ((item, broken), result) in items.iter().zip(&broken).zip(&results) {
        let key = &item.key;
        match (broken, &result.outcome) {
            (Some(way), Some(Outcome::Error(error))) => {
                assert_eq!(error.code, INVALID_ARGUMENT, "{key:?}: {error:?}");
                let fields: Vec<&str> = error
                    .field_violations
                    .iter()
                    .map(|v| v.field.as_str())
                    .collect();
                assert_eq!(fields, [way.field()], "{key:?} ({way:?}): {error:?}");
                assert!(!error.message.is_empty(), "{key:?}: a message");
            }
            (None, Some(Outcome::Response(response))) => {
                let request = item.request.clone().expect("a valid item has a request");
                let full = assess(&mut client, request).await;
                assert!(full.record.is_none(), "a dry run stores nothing");
                let schedule = full.loan.as_ref().expect("schedule");
                assert_eq!(
                    schedule.periods.len(),
                    36,
                    "the unary answer has every period"
                );
                let carbon = full.carbon.as_ref().expect("carbon");
                assert!(!carbon.trace.is_empty() && !carbon.factors_used.is_empty());
                assert_eq!(
                    response,
                    &omitting(full.clone(), item),
                    "{key}: the batch answer is the unary answer less what was omitted"
                );
                if item.omit_schedule_periods {
                    omitted_periods += 1;
                    let shown = response.loan.as_ref().unwrap();
                    assert!(shown.periods.is_empty(), "{key}: no periods");
                    assert_eq!(shown.period_count, 36, "{key}: the count stays");
                    assert_eq!(shown.total_interest_cny, schedule.total_interest_cny);
                    assert_eq!(shown.total_principal_cny, schedule.total_principal_cny);
                    assert_eq!(shown.total_instalments_cny, schedule.total_instalments_cny);
                    assert_eq!(response.debt_service_cover, full.debt_service_cover);
                }
                if item.omit_carbon_trace {
                    omitted_trace += 1;
                    let shown = response.carbon.as_ref().unwrap();
                    assert!(
                        shown.trace.is_empty() && shown.factors_used.is_empty(),
                        "{key}"
                    );
                    assert_eq!(
                        shown.reduction, carbon.reduction,
                        "{key}: figures unchanged"
                    );
                    assert_eq!(shown.attribution, carbon.attribution, "{key}");
                    assert_eq!(shown.baseline, carbon.baseline, "{key}");
                }
                answered += 1;
            }
            (expected, outcome) => {
                panic!("{key:?}: expected {expected:?} to give an error, got {outcome:?}")
            }
        }
    }
    assert_eq!(answered, BATCH_ITEMS - 29);
    assert!(omitted_periods > 20 && omitted_trace > 20);
}

#[tokio::test]
async fn a_stored_batch_seals_each_item_with_its_full_response() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let items: Vec<pb::AssessBatchItem> = (0..6)
        .map(|i| {
            let mut request = seed_request();
            assert!(!request.dry_run, "stored");
            request.project_id = format!("batch-project-{i}");
            set_principal(&mut request, &format!("{}.00", 3_000_000 + 100_000 * i));
            pb::AssessBatchItem {
                key: format!("stored-{i}"),
                request: Some(request),
                omit_schedule_periods: i % 2 == 1,
                omit_carbon_trace: i >= 3,
            }
        })
        .collect();
    let results = run_batch(&mut client, items.clone()).await;
    assert_eq!(results.len(), items.len());
    let mut sequences = Vec::new();
    for (item, result) in items.iter().zip(&results) {
        assert_eq!(result.key, item.key);
        let Some(Outcome::Response(returned)) = &result.outcome else {
            panic!("{}: {:?}", item.key, result.outcome);
        };
        let seal = returned.record.as_ref().expect("a stored item has a seal");
        assert_eq!(seal.project_id, item.request.as_ref().unwrap().project_id);
        sequences.push(seal.sequence);

        assert_verified(&mut client, seal).await;

        let stored = client
            .get_assessment(pb::GetAssessmentRequest {
                record_id: seal.record_id.clone(),
            })
            .await
            .expect("GetAssessment answers")
            .into_inner();
        let Some(pb::stored_record::Content::Assessment(stored)) = stored.content else {
            panic!("an assessment record");
        };
        let stored_response = stored.response.expect("stored response");
        assert_eq!(stored_response.loan.as_ref().unwrap().periods.len(), 36);
        let carbon = stored_response.carbon.as_ref().unwrap();
        assert!(!carbon.trace.is_empty() && !carbon.factors_used.is_empty());
        let mut returned_unsealed = returned.clone();
        returned_unsealed.record = None;
        assert_eq!(
            omitting(stored_response, item),
            returned_unsealed,
            "{}: stored in full, returned less what was omitted",
            item.key
        );
    }
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "sequences increase in item order: {sequences:?}"
    );
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6], "a fresh store's chain");
}

/// A client whose HTTP/2 receive window, for the stream and the connection, is `window` bytes:
/// how much of the server's answers it holds unread.
async fn client_receiving(server: &TestServer, window: u32) -> ImpactServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .expect("uri")
        .initial_stream_window_size(window)
        .initial_connection_window_size(window)
        .connect()
        .await
        .expect("connect");
    ImpactServiceClient::new(channel)
}

/// VerifyAssessment passes every check on the record of `seal`.
async fn assert_verified(client: &mut ImpactServiceClient<Channel>, seal: &pb::RecordSeal) {
    let verified = client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: seal.record_id.clone(),
        })
        .await
        .expect("VerifyAssessment answers")
        .into_inner();
    assert!(
        verified.verified && verified.checks.iter().all(|c| c.passed),
        "{}: {:?}",
        seal.project_id,
        verified.checks
    );
}

/// The seals of the caller's assessment records, oldest first.
async fn all_seals(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::RecordSeal> {
    client
        .list_assessments(pb::ListAssessmentsRequest {
            page_size: 200,
            ..Default::default()
        })
        .await
        .expect("ListAssessments answers")
        .into_inner()
        .records
}

/// The same, once no more arrive: a batch the client left may still be committing the item it
/// was storing.
async fn settled_seals(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::RecordSeal> {
    let mut seals = all_seals(client).await;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = all_seals(client).await;
        if now.len() == seals.len() {
            return now;
        }
        seals = now;
    }
    panic!("records still arriving after 5 s: {}", seals.len());
}

#[tokio::test]
async fn a_client_leaving_a_stored_batch_leaves_its_chain_whole_and_in_item_order() {
    const ITEMS: usize = 60;
    const READ: usize = 3;
    let server = TestServer::start().await;
    // A receive window of about two answers, so that the server cannot answer every item
    // before the client leaves.
    let mut client = client_receiving(&server, 16 * 1024).await;
    let (items, rx) = tokio::sync::mpsc::channel(ITEMS);
    for i in 0..ITEMS {
        let mut request = seed_request();
        request.project_id = format!("left-{i}");
        let item = pb::AssessBatchItem {
            key: format!("left-{i}"),
            request: Some(request),
            omit_schedule_periods: true,
            omit_carbon_trace: true,
        };
        items
            .send(item)
            .await
            .expect("the channel holds every item");
    }
    let mut results = client
        .assess_batch(ReceiverStream::new(rx))
        .await
        .expect("AssessBatch starts")
        .into_inner();
    for i in 0..READ {
        let result = results
            .message()
            .await
            .expect("the batch stream goes on")
            .expect("a result");
        assert_eq!(result.key, format!("left-{i}"));
    }
    // The client cancels the call with items under way and one perhaps being stored, the item
    // stream still open.
    drop(results);

    let left = settled_seals(&mut client).await;
    eprintln!("{} of {ITEMS} items stored", left.len());
    assert!(
        (READ..ITEMS).contains(&left.len()),
        "the answered items are stored and the server stopped reading: {} of {ITEMS}",
        left.len()
    );
    let mut after = seed_request();
    after.project_id = "after".to_owned();
    let answered = assess(&mut client, after).await;
    assert_eq!(
        answered
            .record
            .expect("a stored Assess has a seal")
            .sequence,
        left.len() as u64 + 1,
        "the next call appends right after the batch's last stored item"
    );
    drop(items);

    let seals = settled_seals(&mut client).await;
    let projects: Vec<&str> = seals.iter().map(|s| s.project_id.as_str()).collect();
    let expected: Vec<String> = (0..left.len())
        .map(|i| format!("left-{i}"))
        .chain(["after".to_owned()])
        .collect();
    assert_eq!(projects, expected, "a prefix of the items, in item order");
    for (n, seal) in seals.iter().enumerate() {
        assert_eq!(seal.sequence, n as u64 + 1, "no gap in the chain");
        if n > 0 {
            assert_eq!(seal.previous_digest_sha256, seals[n - 1].digest_sha256);
        }
        assert_verified(&mut client, seal).await;
    }
}

// ---------------------------------------------------------------------------------------------
// AssessBatch: backpressure
// ---------------------------------------------------------------------------------------------

const STREAM_ITEMS: usize = 2_000;
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
    // The carbon block is the costly part to compute, and the batch test above covers it; the
    // schedule, the cash flow and the returns are computed for every item.
    request.carbon = None;
    // As many stated assumptions as a request may carry (32 of 512 characters), echoed in the
    // response: large messages, so that the windows hold few of them and the bound is tight.
    request.stated_assumptions = (0..32)
        .map(|n| format!("{i}/{n} {}", "assumption ".repeat(47))[..512].to_owned())
        .collect();
    pb::AssessBatchItem {
        key: format!("k{i}"),
        request: Some(request),
        omit_schedule_periods: false,
        omit_carbon_trace: false,
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
    tokio::time::timeout(Duration::from_secs(60), consume)
        .await
        .expect("the batch drains in time");
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
    assert!(
        elapsed < Duration::from_secs(30),
        "{STREAM_ITEMS} items took {elapsed:?}"
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_ends_a_stream_with_resource_exhausted() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let item = |key: &str, request: pb::AssessRequest| pb::AssessBatchItem {
        key: key.to_owned(),
        request: Some(request),
        omit_schedule_periods: true,
        omit_carbon_trace: true,
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

// ---------------------------------------------------------------------------------------------
// SummarizePortfolio
// ---------------------------------------------------------------------------------------------

async fn summarize(
    client: &mut ImpactServiceClient<Channel>,
    items: Vec<pb::PortfolioItem>,
) -> pb::PortfolioSummary {
    client
        .summarize_portfolio(tokio_stream::iter(items))
        .await
        .expect("SummarizePortfolio answers")
        .into_inner()
}

fn assessment(request: pb::AssessRequest) -> pb::PortfolioItem {
    pb::PortfolioItem {
        item: Some(Item::Assessment(request)),
    }
}

fn record(record_id: &str) -> pb::PortfolioItem {
    pb::PortfolioItem {
        item: Some(Item::RecordId(record_id.to_owned())),
    }
}

fn bounds_text(b: &Option<pb::Bounds>) -> [&str; 3] {
    let b = b.as_ref().expect("bounds present");
    [value(&b.low), value(&b.central), value(&b.high)]
}

/// The book: (a) the seed disbursed 2025-06-21, (b) a 1,000,000.00 loan at 4.00 % disbursed
/// 2025-08-01 without carbon, (c) a 200,000.00 loan at 3.00 % without a date, (d) the stored
/// seed (no date), (e) a term of 0 and (f) a malformed record id.
async fn the_book(client: &mut ImpactServiceClient<Channel>) -> Vec<pb::PortfolioItem> {
    let stored = assess(client, seed_request()).await;
    let stored_id = stored.record.expect("the seed is stored").record_id;

    let mut a = seed_dry_run();
    loan(&mut a).disbursement_date = "2025-06-21".into();

    let mut b = seed_dry_run();
    set_principal(&mut b, "1000000.00");
    set_fixed_rate(&mut b, "4.00");
    // Disbursed after the seed's first due date (2025-07-21), so it is first due later.
    loan(&mut b).first_payment_date = "2025-09-01".into();
    loan(&mut b).disbursement_date = "2025-08-01".into();
    b.carbon = None;

    let mut c = seed_dry_run();
    set_principal(&mut c, "200000.00");
    set_fixed_rate(&mut c, "3.00");
    assert!(loan(&mut c).disbursement_date.is_empty());

    let mut e = seed_dry_run();
    loan(&mut e).term_months = 0;

    vec![
        assessment(a),
        assessment(b),
        assessment(c),
        record(&stored_id),
        assessment(e),
        // Well-formed but stored nowhere: NOT_FOUND (a malformed id is INVALID_ARGUMENT).
        record(&format!("rec_{}", "0".repeat(32))),
    ]
}

/// The seed's total annual reduction, exactly as its trace computes it: CH4 742.52349675 /
/// 892.27613475 / 1047.644496675 plus N2O 34.45652925 / 81.547119225 / 126.34060725 tCO2e.
const SEED_REDUCTION: [&str; 3] = ["776.980026", "973.823253975", "1173.985103925"];

/// Hand-worked figures (PBoC share = principal / total project investment, capped at 1; the
/// seed's investment is 3,800,000.00):
///
/// | item | 10k CNY | rate | quarter | carbon | share |
/// |---|---|---|---|---|---|
/// | (a) | 380.00 | 3.45 | 2025Q2 | R | 1 |
/// | (b) | 100.00 | 4.00 | 2025Q3 | none | - |
/// | (c) | 20.00 | 3.00 | undated | R | 200,000 / 3,800,000 = 1/19 |
/// | (d) | 380.00 | 3.45 | undated | R | 1 |
///
/// R = 776.980026 / 973.823253975 / 1173.985103925 (the seed's trace).
/// Total 880.00; rate (3.8M x 3.45 + 1M x 4 + 0.2M x 3 + 3.8M x 3.45) / 8.8M = 30.82 / 8.8
/// = 3.50227... -> 3.5023; undated (0.6 + 13.11) / 4 = 3.4275.
/// Reductions 3R = 2330.940078 / 2921.469761925 / 3521.955311775 -> 2330.94 / 2921.47 /
/// 3521.96; 2025Q2 R -> 776.98 / 973.82 / 1173.99; undated 2R = 1553.960052 / 1947.64650795
/// / 2347.97020785 -> 1553.96 / 1947.65 / 2347.97; these already sum to the totals.
/// Attributed 2R + R/19: R/19 = 40.893685578947... / 51.253855472368... / 61.788689680263...,
/// total 1594.853737... / 1998.900363... / 2409.758897... -> 1594.85 / 1998.90 / 2409.76;
/// undated R + R/19 = 817.873711... / 1025.077109... / 1235.773793... -> 817.87 / 1025.08 /
/// 1235.77; with 2025Q2's R these also sum to the totals.
#[tokio::test]
async fn summarize_portfolio_sums_a_book_by_hand() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let book = the_book(&mut client).await;

    // The seed's reduction as the server computes it, and as the hand-worked figures take it.
    let seed = assess(&mut client, seed_dry_run()).await;
    let seed_total = seed.carbon.unwrap().reduction.unwrap().total_tco2e_per_year;
    assert_eq!(bounds_text(&seed_total), ["776.980", "973.823", "1173.985"]);

    let summary = summarize(&mut client, book).await;

    // The two broken items, by position, with their codes.
    assert_eq!(summary.error_count, 2, "{:?}", summary.errors);
    assert_eq!(summary.errors.len(), 2);
    let (e, f) = (&summary.errors[0], &summary.errors[1]);
    assert_eq!(e.position, 4);
    let e = e.error.as_ref().expect("error");
    assert_eq!(e.code, INVALID_ARGUMENT, "{e:?}");
    let fields: Vec<&str> = e
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, ["loan.term_months"]);
    assert_eq!(f.position, 5);
    let f = f.error.as_ref().expect("error");
    assert_eq!(f.code, NOT_FOUND, "{f:?}");
    assert!(f.field_violations.is_empty());

    let total = summary.total.as_ref().expect("total");
    assert_eq!(total.project_count, 4);
    assert_eq!(value(&total.loan_amount_10k_cny), "880.00");
    assert_eq!(value(&total.weighted_average_rate_pct), "3.5023");
    assert_eq!(total.projects_with_carbon, 3);
    assert_eq!(
        bounds_text(&total.reduction_tco2e_per_year),
        ["2330.94", "2921.47", "3521.96"]
    );
    assert_eq!(
        bounds_text(&total.loan_attributed_reduction_tco2e_per_year),
        ["1594.85", "1998.90", "2409.76"]
    );

    let quarters: Vec<&str> = summary
        .by_quarter
        .iter()
        .map(|q| q.quarter.as_str())
        .collect();
    assert_eq!(quarters, ["2025Q2", "2025Q3", "undated"]);
    let figures: Vec<&pb::PortfolioFigures> = summary
        .by_quarter
        .iter()
        .map(|q| q.figures.as_ref().expect("figures"))
        .collect();
    let [q2, q3, undated] = figures[..] else {
        unreachable!()
    };
    let counts: Vec<(u32, u32)> = figures
        .iter()
        .map(|f| (f.project_count, f.projects_with_carbon))
        .collect();
    assert_eq!(counts, [(1, 1), (1, 0), (2, 2)]);
    let amounts: Vec<&str> = figures
        .iter()
        .map(|f| value(&f.loan_amount_10k_cny))
        .collect();
    assert_eq!(amounts, ["380.00", "100.00", "400.00"]);
    let rates: Vec<&str> = figures
        .iter()
        .map(|f| value(&f.weighted_average_rate_pct))
        .collect();
    assert_eq!(rates, ["3.4500", "4.0000", "3.4275"]);
    let centrals = |of: fn(&pb::PortfolioFigures) -> &Option<pb::Bounds>| -> Vec<&str> {
        figures.iter().map(|f| bounds_text(of(f))[1]).collect()
    };
    assert_eq!(
        centrals(|f| &f.reduction_tco2e_per_year),
        ["973.82", "0.00", "1947.65"]
    );
    assert_eq!(
        centrals(|f| &f.loan_attributed_reduction_tco2e_per_year),
        ["973.82", "0.00", "1025.08"]
    );
    // Lows: each quarter's own rounding, which already sums to the total.
    assert_eq!(bounds_text(&q2.reduction_tco2e_per_year)[0], "776.98");
    assert_eq!(bounds_text(&q3.reduction_tco2e_per_year)[0], "0.00");
    assert_eq!(bounds_text(&undated.reduction_tco2e_per_year)[0], "1553.96");
    assert_eq!(
        bounds_text(&undated.loan_attributed_reduction_tco2e_per_year)[0],
        "817.87"
    );

    // The quarters sum exactly to the totals: amounts, and each end of each bound.
    let amounts: Decimal = figures
        .iter()
        .map(|f| common::decimal(&f.loan_amount_10k_cny))
        .sum();
    assert_eq!(amounts, common::decimal(&total.loan_amount_10k_cny));
    let sum_ends = |of: fn(&pb::PortfolioFigures) -> &Option<pb::Bounds>| {
        let mut sum = [Decimal::ZERO; 3];
        for f in &figures {
            for (s, v) in sum.iter_mut().zip(common::ends(of(f))) {
                *s += v;
            }
        }
        sum
    };
    assert_eq!(
        sum_ends(|f| &f.reduction_tco2e_per_year),
        common::ends(&total.reduction_tco2e_per_year)
    );
    assert_eq!(
        sum_ends(|f| &f.loan_attributed_reduction_tco2e_per_year),
        common::ends(&total.loan_attributed_reduction_tco2e_per_year)
    );
    // Every shown quarter end is within one unit (0.01) of its exact value.
    let r = SEED_REDUCTION.map(|r| r.parse::<Decimal>().unwrap());
    let share_c = Decimal::from(200_000) / Decimal::from(3_800_000);
    for (shown, exact) in [
        (&q2.reduction_tco2e_per_year, r),
        (
            &undated.reduction_tco2e_per_year,
            r.map(|v| v * Decimal::TWO),
        ),
        (&q2.loan_attributed_reduction_tco2e_per_year, r),
        (
            &undated.loan_attributed_reduction_tco2e_per_year,
            r.map(|v| v + v * share_c),
        ),
    ] {
        for (s, x) in common::ends(shown).into_iter().zip(exact) {
            assert!(
                (s - x).abs() < Decimal::new(1, 2),
                "{s} is more than 0.01 from {x}"
            );
        }
    }
    assert!(!summary.rounding.is_empty());
}

/// The rounding the summary documents ("each rounded half away from zero once from the exact
/// sum; the quarters' amounts and reductions are then allocated (largest rounding error first)
/// so that they add up to the shown totals"): here the quarters' own roundings already add up
/// to the totals, so nothing should move. 2025Q2 holds only the seed, whose high is
/// 1173.985103925: 1173.99, as the seed's own answer shows 1173.985.
#[tokio::test]
async fn summarize_portfolio_quarter_bounds_are_their_own_rounding() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let book = the_book(&mut client).await;
    let summary = summarize(&mut client, book).await;
    let shown: Vec<([&str; 3], [&str; 3])> = summary
        .by_quarter
        .iter()
        .map(|q| {
            let f = q.figures.as_ref().unwrap();
            (
                bounds_text(&f.reduction_tco2e_per_year),
                bounds_text(&f.loan_attributed_reduction_tco2e_per_year),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                ["776.98", "973.82", "1173.99"],
                ["776.98", "973.82", "1173.99"]
            ),
            (["0.00", "0.00", "0.00"], ["0.00", "0.00", "0.00"]),
            (
                ["1553.96", "1947.65", "2347.97"],
                ["817.87", "1025.08", "1235.77"]
            ),
        ]
    );
}

#[tokio::test]
async fn summarize_portfolio_of_nothing_is_empty() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let summary = summarize(&mut client, Vec::new()).await;
    let total = summary.total.as_ref().expect("total");
    assert_eq!(total.project_count, 0);
    assert_eq!(total.projects_with_carbon, 0);
    assert!(summary.by_quarter.is_empty());
    assert!(total.weighted_average_rate_pct.is_none(), "no rate");
    assert_eq!(value(&total.loan_amount_10k_cny), "0.00");
    assert_eq!(
        bounds_text(&total.reduction_tco2e_per_year),
        ["0.00", "0.00", "0.00"]
    );
    assert_eq!(
        bounds_text(&total.loan_attributed_reduction_tco2e_per_year),
        ["0.00", "0.00", "0.00"]
    );
    assert_eq!(summary.error_count, 0);
    assert!(summary.errors.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The disbursement date
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn disbursement_date_must_be_a_date_no_later_than_the_first_payment() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    // The seed's first payment is due 2025-07-21.
    for bad in [
        "2025-07-22",
        "2026-01-01",
        "2025-13-01",
        "2025-02-30",
        "21/06/2025",
        "x",
    ] {
        let mut request = seed_dry_run();
        loan(&mut request).disbursement_date = bad.into();
        let status = client
            .assess(request)
            .await
            .expect_err(&format!("disbursement {bad:?} is refused"));
        assert_eq!(
            violated_fields(&status),
            ["loan.disbursement_date"],
            "{bad:?}: {status:?}"
        );
    }
    for good in ["2025-07-21", "2025-06-21", ""] {
        let mut request = seed_dry_run();
        loan(&mut request).disbursement_date = good.into();
        let response = assess(&mut client, request).await;
        assert_eq!(
            response,
            assess(&mut client, seed_dry_run()).await,
            "{good:?}: the date does not change the assessment"
        );
    }
}
