//! Loan terms: fixed and LPR-linked rates, term and grace, and the first payment and LPR fixing
//! dates.

use green_impact::pb;

use crate::common::{loan, seed_request, violated_fields};
use crate::support::{FixedRate, descriptions, harness, lpr_request};

#[tokio::test]
async fn fixed_rate_above_100_pct_is_refused() {
    let mut h = harness().await;
    for value in ["100.5", "100.000001", "1000"] {
        let mut r = seed_request();
        loan(&mut r).fixed_annual_rate_pct_mut(value);
        h.expect_only(r, "loan.fixed_annual_rate_pct", value).await;
    }
}

#[tokio::test]
async fn negative_fixed_rate_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("-0.01");
    h.expect_only(r, "loan.fixed_annual_rate_pct", "-0.01")
        .await;
}

#[tokio::test]
async fn lpr_spread_that_lifts_rate_above_100_pct_is_refused() {
    let mut h = harness().await;
    // 1Y LPR in force on 2025-06-01 is 3.00%; +98.00 points gives 101.00%.
    let status = h
        .reject_status(lpr_request(pb::LprTenor::LprTenor1y, 9800, "2025-06-01"))
        .await;
    assert_eq!(violated_fields(&status), ["loan.lpr_linked.spread_bps"]);
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("101"),
        "the description should give the resulting rate: {description}"
    );
}

#[tokio::test]
async fn lpr_spread_that_drops_rate_below_zero_is_refused() {
    let mut h = harness().await;
    // 1Y LPR 3.00% - 4.00 points = -1.00%.
    let fields = h
        .reject(lpr_request(pb::LprTenor::LprTenor1y, -400, "2025-06-01"))
        .await;
    assert_eq!(fields, ["loan.lpr_linked.spread_bps"]);
}

#[tokio::test]
async fn lpr_spread_beyond_10000_bps_is_refused() {
    let mut h = harness().await;
    for spread in [10_001, -10_001, 20_000, i32::MAX] {
        let fields = h
            .reject(lpr_request(pb::LprTenor::LprTenor1y, spread, "2025-06-01"))
            .await;
        assert!(
            fields.contains(&"loan.lpr_linked.spread_bps".to_owned()),
            "spread {spread}: {fields:?}"
        );
        assert!(
            fields.iter().all(|f| f == "loan.lpr_linked.spread_bps"),
            "spread {spread}: nothing but the spread is wrong: {fields:?}"
        );
    }
}

#[tokio::test]
async fn lpr_spread_i32_min_is_refused_without_panicking() {
    let mut h = harness().await;
    let fields = h
        .reject(lpr_request(
            pb::LprTenor::LprTenor1y,
            i32::MIN,
            "2025-06-01",
        ))
        .await;
    assert_eq!(fields, ["loan.lpr_linked.spread_bps"]);
}

#[tokio::test]
async fn lpr_tenor_unspecified_or_unknown_is_refused() {
    let mut h = harness().await;
    for tenor in [0, 3, -1] {
        let mut r = lpr_request(pb::LprTenor::LprTenor1y, 50, "2025-06-01");
        if let Some(pb::loan_terms::Rate::LprLinked(lpr)) = &mut loan(&mut r).rate {
            lpr.tenor = tenor;
        }
        h.expect_only(r, "loan.lpr_linked.tenor", &format!("tenor {tenor}"))
            .await;
    }
}

#[tokio::test]
async fn term_zero_months_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).term_months = 0;
    h.expect_only(r, "loan.term_months", "0").await;
}

#[tokio::test]
async fn term_601_months_is_refused() {
    let mut h = harness().await;
    for term in [601, u32::MAX] {
        let mut r = seed_request();
        loan(&mut r).term_months = term;
        h.expect_only(r, "loan.term_months", &term.to_string())
            .await;
    }
}

#[tokio::test]
async fn quarterly_term_not_a_whole_number_of_quarters_is_refused() {
    let mut h = harness().await;
    for term in [37, 1, 599] {
        let mut r = seed_request();
        let l = loan(&mut r);
        l.repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
        l.term_months = term;
        h.expect_only(r, "loan.term_months", &format!("quarterly, {term} months"))
            .await;
    }
    // Control: 36 months is twelve quarters.
    let mut r = seed_request();
    loan(&mut r).repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
    h.accept(r, "quarterly, 36 months").await;
}

#[tokio::test]
async fn annual_term_not_a_whole_number_of_years_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    let l = loan(&mut r);
    l.repayment_frequency = pb::RepaymentFrequency::Annual as i32;
    l.term_months = 30;
    h.expect_only(r, "loan.term_months", "annual, 30 months")
        .await;
}

#[tokio::test]
async fn grace_months_not_less_than_term_is_refused() {
    let mut h = harness().await;
    for grace in [36, 37, 600, u32::MAX] {
        let mut r = seed_request();
        loan(&mut r).grace_months = grace;
        h.expect_only(r, "loan.grace_months", &format!("grace {grace} of 36"))
            .await;
    }
}

#[tokio::test]
async fn grace_months_not_a_whole_number_of_periods_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    let l = loan(&mut r);
    l.repayment_frequency = pb::RepaymentFrequency::Quarterly as i32;
    l.grace_months = 2;
    h.expect_only(r, "loan.grace_months", "quarterly, grace 2")
        .await;
}

#[tokio::test]
async fn impossible_or_malformed_first_payment_dates_are_refused() {
    let mut h = harness().await;
    for text in [
        "2025-02-30",
        "2025/01/01",
        "2025-13-01",
        "2025-00-10",
        "2025-1-01",
        "20250101",
        "2025-01-01T00:00:00Z",
        "1899-12-31",
        "2201-01-01",
        "2025-02-29",
        "",
        "２０２５-01-01",
    ] {
        let mut r = seed_request();
        loan(&mut r).first_payment_date = text.to_owned();
        h.expect_only(r, "loan.first_payment_date", &format!("{text:?}"))
            .await;
    }
}

#[tokio::test]
async fn lpr_fixing_date_before_first_announcement_is_refused() {
    let mut h = harness().await;
    for date in ["2019-08-19", "2000-01-01", "1900-01-01"] {
        h.expect_only(
            lpr_request(pb::LprTenor::LprTenor1y, 50, date),
            "loan.lpr_linked.fixing_date",
            date,
        )
        .await;
    }
}

#[tokio::test]
async fn malformed_lpr_fixing_date_is_refused() {
    let mut h = harness().await;
    for date in ["", "2025-06-31", "2025.06.01"] {
        h.expect_only(
            lpr_request(pb::LprTenor::LprTenor5yPlus, 50, date),
            "loan.lpr_linked.fixing_date",
            &format!("{date:?}"),
        )
        .await;
    }
}
