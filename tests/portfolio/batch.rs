//! AssessBatch: every item answered once, in order, under its key, equal to a unary Assess, and
//! each broken item refused with its own field violation.

use std::collections::BTreeSet;

use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;

use crate::common::{TestServer, loan, seed_dry_run};
use crate::support::{INVALID_ARGUMENT, assess, basic, is_basic, run_batch, set_principal};

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

const VIEWS: [pb::AssessmentView; 4] = [
    pb::AssessmentView::Unspecified,
    pb::AssessmentView::Basic,
    pb::AssessmentView::Full,
    pb::AssessmentView::SelfContained,
];

/// Item `i` of the 200-item batch: key "k{i}", a dry-run seed with its own principal, in each
/// view in turn; every 7th broken, cycling the ways.
fn batch_item(i: usize) -> (pb::AssessBatchItem, Option<Broken>) {
    let mut request = seed_dry_run();
    set_principal(&mut request, &format!("{}.00", 1_000_000 + 10_000 * i));
    request.view = VIEWS[i % VIEWS.len()] as i32;
    let mut item = pb::AssessBatchItem {
        key: format!("k{i}"),
        request: Some(request),
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

    let (mut answered, mut basic_answers) = (0, 0);
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
                let view = request.view;
                let unary = assess(&mut client, request.clone()).await;
                assert_eq!(
                    response, &unary,
                    "{key}: the batch answer is the unary answer in the item's view"
                );
                let whole = assess(
                    &mut client,
                    pb::AssessRequest {
                        view: pb::AssessmentView::SelfContained as i32,
                        ..request
                    },
                )
                .await;
                assert!(whole.record.is_none(), "a dry run stores nothing");
                let schedule = whole.loan.as_ref().expect("schedule");
                assert_eq!(
                    schedule.periods.len(),
                    36,
                    "the whole answer has every period"
                );
                let carbon = whole.carbon.as_ref().expect("carbon");
                assert!(!carbon.trace.is_empty() && !carbon.factors_used.is_empty());
                if is_basic(view) {
                    basic_answers += 1;
                    assert_eq!(response, &basic(whole.clone()), "{key}: BASIC");
                    let shown = response.loan.as_ref().unwrap();
                    assert!(shown.periods.is_empty(), "{key}: no periods");
                    assert_eq!(shown.period_count, 36, "{key}: the count stays");
                    assert_eq!(shown.total_interest_cny, schedule.total_interest_cny);
                    assert_eq!(shown.total_principal_cny, schedule.total_principal_cny);
                    assert_eq!(shown.total_instalments_cny, schedule.total_instalments_cny);
                    assert_eq!(response.debt_service_cover, whole.debt_service_cover);
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
                } else {
                    let shown = response.carbon.as_ref().unwrap();
                    assert_eq!(response.loan, whole.loan, "{key}: every period");
                    assert_eq!(shown.trace.len(), carbon.trace.len(), "{key}: every step");
                    assert_eq!(shown.reduction, carbon.reduction, "{key}");
                }
                answered += 1;
            }
            (expected, outcome) => {
                panic!("{key:?}: expected {expected:?} to give an error, got {outcome:?}")
            }
        }
    }
    assert_eq!(answered, BATCH_ITEMS - 29);
    assert!(basic_answers > 60, "half the items are in a BASIC view");
}
