//! Currencies: amounts in another currency than the request's, unsupported and malformed currency
//! codes.

use crate::common::{loan, money, seed_request, violated_fields};
use crate::support::{appraisal, descriptions, harness, ops};

#[tokio::test]
async fn baseline_cost_in_a_different_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    let status = h.reject_status(r).await;
    assert_eq!(
        violated_fields(&status),
        ["operations.baseline_treatment_cost_per_t_fresh_manure.currency_code"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("USD") && description.contains("CNY"),
        "description should name both currencies: {description}"
    );
}

#[tokio::test]
async fn capex_line_in_a_different_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].amount = money("EUR", "3800000.00");
    h.expect_only(r, "appraisal.capex[0].amount.currency_code", "EUR capex")
        .await;
}

#[tokio::test]
async fn unsupported_principal_currency_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = money("USD", "3800000.00");
    let status = h.reject_status(r).await;
    let fields = violated_fields(&status);
    // The CNY amounts are not blamed for the principal's unsupported currency.
    assert_eq!(fields, ["loan.principal.currency_code"]);
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("USD"),
        "description should name the currency: {description}"
    );
}

#[tokio::test]
async fn whole_request_in_an_unsupported_currency_reports_it_once() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).principal = money("USD", "3800000.00");
    let o = ops(&mut r);
    o.baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    o.fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .per_t_product = money("USD", "260");
    let a = appraisal(&mut r);
    a.total_project_investment = money("USD", "3800000.00");
    a.capex[0].amount = money("USD", "3800000.00");
    h.expect_only(r, "loan.principal.currency_code", "all USD")
        .await;
}

#[tokio::test]
async fn malformed_currency_codes_are_refused() {
    let mut h = harness().await;
    for code in ["cny", "", "CN", "CNYY", "C1Y", "ＣＮＹ", " CNY"] {
        let mut r = seed_request();
        loan(&mut r).principal = money(code, "3800000.00");
        h.expect_only(r, "loan.principal.currency_code", &format!("{code:?}"))
            .await;
    }
}
