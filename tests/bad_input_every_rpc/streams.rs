//! Streaming calls: AssessBatch and SummarizePortfolio items refused one by one, and an
//! undecodable batch item that ends the stream naming its field.

use green_impact::pb;
use prost::Message;
use tonic::Code;

use crate::catalogue::{SQL_LOOKING, plan_and_report};
use crate::common::{TestServer, cny, seed_request, violated_fields};
use crate::raw_calls::{RawCodec, client_stream, path, ready, server_stream};
use crate::wire::{BATCH_KEY, PORTFOLIO_RECORD_ID, delimited};

fn batch_item(key: &str, request: Option<pb::AssessRequest>) -> Vec<u8> {
    pb::AssessBatchItem {
        key: key.to_owned(),
        request,
    }
    .encode_to_vec()
}

/// Each bad item gets its own error with its field path; the good items around them are
/// assessed; the stream goes on to its end.
#[tokio::test]
async fn batch_items_are_refused_one_by_one() {
    let server = TestServer::start().await;
    let channel = server.channel().await;
    let mut bad_decimal = seed_request();
    bad_decimal.loan.as_mut().expect("loan").principal = cny("NaN");
    let mut no_loan = seed_request();
    no_loan.loan = None;
    let long_key = "k".repeat(129);
    let items: Vec<(&str, Option<pb::AssessRequest>, &[&str])> = vec![
        ("good-1", Some(seed_request()), &[]),
        ("", Some(seed_request()), &["key"]),
        ("bell\u{7}", Some(seed_request()), &["key"]),
        (&long_key, Some(seed_request()), &["key"]),
        ("no-request", None, &["request"]),
        ("nan", Some(bad_decimal), &["loan.principal.amount"]),
        ("no-loan", Some(no_loan), &["loan"]),
        ("good-2", Some(seed_request()), &[]),
    ];
    let answers = server_stream(
        &channel,
        "AssessBatch",
        items
            .iter()
            .map(|(key, request, _)| batch_item(key, request.clone()))
            .collect(),
    )
    .await
    .expect("the stream ends normally");
    assert_eq!(answers.len(), items.len(), "one answer per item");
    for ((key, _, fields), answer) in items.iter().zip(&answers) {
        let result = pb::AssessBatchResult::decode(answer.as_slice()).expect("a batch result");
        assert_eq!(result.key, *key);
        match (result.outcome, fields.is_empty()) {
            (Some(pb::assess_batch_result::Outcome::Response(_)), true) => {}
            (Some(pb::assess_batch_result::Outcome::Error(error)), false) => {
                assert_eq!(
                    error.code,
                    Code::InvalidArgument as i32,
                    "{key:?}: {error:?}"
                );
                let got: Vec<&str> = error
                    .field_violations
                    .iter()
                    .map(|v| v.field.as_str())
                    .collect();
                assert_eq!(&got, fields, "{key:?}");
            }
            (outcome, _) => panic!("{key:?}: unexpected {outcome:?}"),
        }
    }
}

/// A batch item that does not decode breaks the stream (its key cannot be read to answer
/// it by): the items before it are answered, then INVALID_ARGUMENT names the field.
#[tokio::test]
async fn an_undecodable_batch_item_ends_the_stream_with_its_field() {
    let server = TestServer::start().await;
    let channel = server.channel().await;
    let mut answers = ready(&channel)
        .await
        .streaming(
            tonic::Request::new(tokio_stream::iter(vec![
                batch_item("first", Some(seed_request())),
                delimited(BATCH_KEY, b"\xff\xfe"),
                batch_item("never", Some(seed_request())),
            ])),
            path("AssessBatch"),
            RawCodec,
        )
        .await
        .expect("the stream opens")
        .into_inner();
    let first = answers.message().await.expect("first answer").expect("one");
    let first = pb::AssessBatchResult::decode(first.as_slice()).expect("a result");
    assert_eq!(first.key, "first");
    let status = match answers.message().await {
        Ok(Some(_)) => panic!("nothing after the broken item is answered"),
        Ok(None) => panic!("the stream ended without an error"),
        Err(status) => status,
    };
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(violated_fields(&status), ["key"]);
}

#[tokio::test]
async fn portfolio_items_are_refused_one_by_one() {
    let server = TestServer::start().await;
    let channel = server.channel().await;
    let (plan_id, report_id) = plan_and_report(&channel).await;
    let item = |item: Option<pb::portfolio_item::Item>| pb::PortfolioItem { item }.encode_to_vec();
    let by_id = |id: &str| item(Some(pb::portfolio_item::Item::RecordId(id.to_owned())));
    let mut negative_days = seed_request();
    negative_days
        .operations
        .as_mut()
        .expect("operations")
        .operating_days_per_year = 0;
    // Each item's bytes, and the code and fields of its error if it is refused.
    type Refusal = Option<(Code, &'static [&'static str])>;
    let items: Vec<(Vec<u8>, Refusal)> = vec![
        (by_id(&plan_id), None),
        (item(None), Some((Code::InvalidArgument, &["item"]))),
        (
            by_id(SQL_LOOKING[0]),
            Some((Code::InvalidArgument, &["record_id"])),
        ),
        (
            by_id(&report_id),
            Some((Code::InvalidArgument, &["record_id"])),
        ),
        (
            by_id(&format!("rec_{}", "f".repeat(32))),
            Some((Code::NotFound, &[])),
        ),
        (
            item(Some(pb::portfolio_item::Item::Assessment(negative_days))),
            Some((
                Code::InvalidArgument,
                &["operations.operating_days_per_year"],
            )),
        ),
        (
            delimited(PORTFOLIO_RECORD_ID, b"rec_\xff"),
            None, // never reached: it ends the stream
        ),
    ];
    let (good, undecodable) = items.split_at(items.len() - 1);
    let answer = client_stream(
        &channel,
        "SummarizePortfolio",
        good.iter().map(|(bytes, _)| bytes.clone()).collect(),
    )
    .await
    .expect("the summary");
    let summary = pb::PortfolioSummary::decode(answer.as_slice()).expect("a summary");
    let total = summary.total.expect("a total");
    assert_eq!(total.project_count, 1, "only the stored plan counts");
    let expected: Vec<(u32, Code, &[&str])> = good
        .iter()
        .enumerate()
        .filter_map(|(i, (_, e))| e.map(|(code, fields)| (i as u32, code, fields)))
        .collect();
    assert_eq!(summary.error_count as usize, expected.len());
    for ((position, code, fields), error) in expected.iter().zip(&summary.errors) {
        assert_eq!(error.position, *position);
        let e = error.error.as_ref().expect("an item error");
        assert_eq!(e.code, *code as i32, "item {position}: {e:?}");
        let got: Vec<&str> = e
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(&got, fields, "item {position}");
    }

    let status = client_stream(
        &channel,
        "SummarizePortfolio",
        vec![by_id(&plan_id), undecodable[0].0.clone()],
    )
    .await
    .expect_err("an undecodable item ends the call");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    // prost names a oneof by its own name, not the member's.
    assert_eq!(violated_fields(&status), ["item"]);
}
