//! Operating data: manure throughput, product output, operating days and the dry-matter
//! fraction.

use green_impact::pb;

use crate::common::{dec, seed_request};
use crate::support::{harness, ops};

#[tokio::test]
async fn zero_manure_throughput_is_refused() {
    let mut h = harness().await;
    for value in ["0", "0.000000", "-0"] {
        let mut r = seed_request();
        ops(&mut r).manure_fresh_t_per_day = dec(value);
        h.expect_only(r, "operations.manure_fresh_t_per_day", value)
            .await;
    }
}

#[tokio::test]
async fn negative_manure_throughput_is_refused() {
    let mut h = harness().await;
    for value in ["-5", "-0.000001"] {
        let mut r = seed_request();
        ops(&mut r).manure_fresh_t_per_day = dec(value);
        h.expect_only(r, "operations.manure_fresh_t_per_day", value)
            .await;
    }
}

#[tokio::test]
async fn manure_throughput_above_limit_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).manure_fresh_t_per_day = dec("100000.000001");
    h.expect_only(r, "operations.manure_fresh_t_per_day", "100000.000001")
        .await;
}

#[tokio::test]
async fn zero_or_negative_product_output_is_refused() {
    let mut h = harness().await;
    use pb::operating_data::ProductOutput;
    for value in ["0", "-1"] {
        let mut r = seed_request();
        ops(&mut r).product_output = Some(ProductOutput::ProductTPerYear(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(r, "operations.product_t_per_year", value)
            .await;
        let mut r = seed_request();
        ops(&mut r).product_output = Some(ProductOutput::ProductTPerDay(pb::Decimal {
            value: value.to_owned(),
        }));
        h.expect_only(r, "operations.product_t_per_day", value)
            .await;
    }
}

#[tokio::test]
async fn operating_days_367_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 367;
    h.expect_only(r, "operations.operating_days_per_year", "367")
        .await;
}

#[tokio::test]
async fn operating_days_zero_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 0;
    h.expect_only(r, "operations.operating_days_per_year", "0")
        .await;
}

#[tokio::test]
async fn operating_days_u32_max_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = u32::MAX;
    h.expect_only(r, "operations.operating_days_per_year", "u32::MAX")
        .await;
}

#[tokio::test]
async fn dry_matter_fraction_outside_zero_to_one_is_refused() {
    let mut h = harness().await;
    for value in ["1.2", "0", "-0.25", "1.000001", "25"] {
        let mut r = seed_request();
        ops(&mut r).manure_dry_matter_fraction = dec(value);
        h.expect_only(r, "operations.manure_dry_matter_fraction", value)
            .await;
    }
}
