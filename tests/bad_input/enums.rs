//! Enums: unknown numbers and unspecified values of the required enums.

use green_impact::pb;

use crate::common::{loan, seed_request};
use crate::support::{appraisal, harness, ops, with_presentation};

#[tokio::test]
async fn unknown_repayment_method_is_refused() {
    let mut h = harness().await;
    for value in [99, 4, -1, i32::MAX, i32::MIN] {
        let mut r = seed_request();
        loan(&mut r).repayment_method = value;
        h.expect_only(r, "loan.repayment_method", &value.to_string())
            .await;
    }
}

#[tokio::test]
async fn unknown_repayment_frequency_is_refused() {
    let mut h = harness().await;
    for value in [42, 5, -3] {
        let mut r = seed_request();
        loan(&mut r).repayment_frequency = value;
        h.expect_only(r, "loan.repayment_frequency", &value.to_string())
            .await;
    }
}

#[tokio::test]
async fn unknown_cash_flow_basis_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).cash_flow_basis = 7;
    h.expect_only(r, "appraisal.cash_flow_basis", "7").await;
}

#[tokio::test]
async fn unknown_fertilizer_value_kind_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r)
        .fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .kind = 3;
    h.expect_only(r, "operations.fertilizer_value.kind", "3")
        .await;
}

#[tokio::test]
async fn unknown_rounding_rule_is_refused() {
    let mut h = harness().await;
    for value in [9, 4, -1] {
        h.expect_only(
            with_presentation(None, None, value),
            "presentation.rounding_rule",
            &value.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn unspecified_required_enums_are_refused() {
    let mut h = harness().await;

    let mut r = seed_request();
    loan(&mut r).repayment_method = pb::RepaymentMethod::Unspecified as i32;
    h.expect_only(r, "loan.repayment_method", "method 0").await;

    let mut r = seed_request();
    loan(&mut r).repayment_frequency = pb::RepaymentFrequency::Unspecified as i32;
    h.expect_only(r, "loan.repayment_frequency", "frequency 0")
        .await;

    let mut r = seed_request();
    appraisal(&mut r).cash_flow_basis = pb::CashFlowBasis::Unspecified as i32;
    h.expect_only(r, "appraisal.cash_flow_basis", "basis 0")
        .await;

    let mut r = seed_request();
    ops(&mut r)
        .fertilizer_value
        .as_mut()
        .expect("fertilizer")
        .kind = pb::FertilizerValueKind::Unspecified as i32;
    h.expect_only(r, "operations.fertilizer_value.kind", "kind 0")
        .await;
}
