//! Presentation rules: money, ratio and emissions decimal places and the rounding rule.

use crate::carbon::with_emissions_dp;
use crate::support::{harness, with_presentation};

#[tokio::test]
async fn money_dp_5_is_refused() {
    let mut h = harness().await;
    for dp in [5, u32::MAX] {
        h.expect_only(
            with_presentation(Some(dp), None, 0),
            "presentation.money_dp",
            &dp.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn ratio_dp_11_is_refused() {
    let mut h = harness().await;
    for dp in [11, 28] {
        h.expect_only(
            with_presentation(None, Some(dp), 0),
            "presentation.ratio_dp",
            &dp.to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn all_presentation_violations_are_reported_together() {
    let mut h = harness().await;
    let fields = h.reject(with_presentation(Some(5), Some(11), 9)).await;
    assert_eq!(
        fields,
        [
            "presentation.money_dp",
            "presentation.ratio_dp",
            "presentation.rounding_rule"
        ]
    );
}

#[tokio::test]
async fn emissions_dp_above_6_is_refused() {
    let mut h = harness().await;
    for dp in [7, 28, u32::MAX] {
        h.expect_only(
            with_emissions_dp(dp),
            "presentation.emissions_dp",
            &dp.to_string(),
        )
        .await;
    }
}
