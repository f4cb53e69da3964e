//! SummarizePortfolio: a book summed by hand, quarter bounds that are their own rounding, an
//! empty portfolio; and the disbursement date that places a loan in its quarter, validated.

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::pb::portfolio_item::Item;
use rust_decimal::Decimal;
use tonic::transport::Channel;

use crate::common::{self, TestServer, loan, seed_dry_run, seed_request, value, violated_fields};
use crate::support::{INVALID_ARGUMENT, assess, set_principal};

const NOT_FOUND: i32 = 5;

fn set_fixed_rate(request: &mut pb::AssessRequest, pct: &str) {
    loan(request).rate = Some(pb::loan_terms::Rate::FixedAnnualRatePct(pb::Decimal {
        value: pct.to_owned(),
    }));
}

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

pub fn assessment(request: pb::AssessRequest) -> pb::PortfolioItem {
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
