//! Line items: operating costs, subsidies, capex lines, their names and counts, the fertilizer
//! price, and the stated assumptions.

use green_impact::pb;

use crate::common::{cny, money, seed_request};
use crate::support::{appraisal, harness, named, operating_cost, ops};

#[tokio::test]
async fn operating_cost_without_amount_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = vec![operating_cost("electricity", None)];
    h.expect_only(r, "operations.operating_costs[0].amount", "no amount")
        .await;
}

#[tokio::test]
async fn negative_per_tonne_product_cost_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = vec![
        operating_cost(
            "packaging",
            Some(pb::operating_cost::Amount::PerTProduct(
                cny("12").expect("money"),
            )),
        ),
        operating_cost(
            "bagging",
            Some(pb::operating_cost::Amount::PerTProduct(
                cny("-3.5").expect("money"),
            )),
        ),
    ];
    h.expect_only(
        r,
        "operations.operating_costs[1].per_t_product.amount",
        "negative per t product",
    )
    .await;
}

#[tokio::test]
async fn operating_cost_amounts_out_of_range_or_precision_are_refused() {
    let mut h = harness().await;
    use pb::operating_cost::Amount;
    let cases: [(Amount, &str); 4] = [
        (
            Amount::PerYear(cny("1.001").expect("money")),
            "operations.operating_costs[0].per_year.amount",
        ),
        (
            Amount::PerYear(cny("100000000000.01").expect("money")),
            "operations.operating_costs[0].per_year.amount",
        ),
        (
            Amount::PerTFreshManure(cny("1000000.000001").expect("money")),
            "operations.operating_costs[0].per_t_fresh_manure.amount",
        ),
        (
            Amount::PerTFreshManure(money("USD", "1").expect("money")),
            "operations.operating_costs[0].per_t_fresh_manure.currency_code",
        ),
    ];
    for (amount, field) in cases {
        let mut r = seed_request();
        ops(&mut r).operating_costs = vec![operating_cost("line", Some(amount))];
        h.expect_only(r, field, field).await;
    }
}

#[tokio::test]
async fn more_than_64_subsidy_lines_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = (0..65)
        .map(|i| named(&format!("subsidy {i}"), "1"))
        .collect();
    h.expect_only(r, "operations.annual_operating_subsidies", "65 lines")
        .await;
}

#[tokio::test]
async fn more_than_64_cost_and_capex_lines_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).operating_costs = (0..65)
        .map(|i| {
            operating_cost(
                &format!("cost {i}"),
                Some(pb::operating_cost::Amount::PerYear(
                    cny("1").expect("money"),
                )),
            )
        })
        .collect();
    h.expect_only(r, "operations.operating_costs", "65 costs")
        .await;
    let mut r = seed_request();
    appraisal(&mut r).capex = (0..65).map(|i| named(&format!("item {i}"), "1")).collect();
    h.expect_only(r, "appraisal.capex", "65 capex").await;
}

#[tokio::test]
async fn line_names_with_control_characters_are_refused() {
    let mut h = harness().await;
    for name in ["bad\nname", "tab\there", "nul\u{0}", "\u{7f}", "c1\u{85}"] {
        let mut r = seed_request();
        ops(&mut r).operating_costs = vec![operating_cost(
            name,
            Some(pb::operating_cost::Amount::PerYear(
                cny("100").expect("money"),
            )),
        )];
        h.expect_only(
            r,
            "operations.operating_costs[0].name",
            &format!("{name:?}"),
        )
        .await;
        let mut r = seed_request();
        appraisal(&mut r).capex_subsidies = vec![named(name, "10")];
        h.expect_only(r, "appraisal.capex_subsidies[0].name", &format!("{name:?}"))
            .await;
    }
}

#[tokio::test]
async fn empty_or_overlong_line_names_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].name.clear();
    h.expect_only(r, "appraisal.capex[0].name", "empty").await;
    let mut r = seed_request();
    appraisal(&mut r).capex[0].name = "n".repeat(129);
    h.expect_only(r, "appraisal.capex[0].name", "129 chars")
        .await;
}

#[tokio::test]
async fn subsidy_line_without_amount_or_negative_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = vec![pb::NamedMoney {
        name: "county grant".to_owned(),
        amount: None,
    }];
    h.expect_only(
        r,
        "operations.annual_operating_subsidies[0].amount",
        "no amount",
    )
    .await;
    let mut r = seed_request();
    ops(&mut r).annual_operating_subsidies = vec![named("county grant", "-1")];
    h.expect_only(
        r,
        "operations.annual_operating_subsidies[0].amount.amount",
        "negative",
    )
    .await;
}

#[tokio::test]
async fn negative_fertilizer_price_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::Price as i32,
        per_t_product: cny("-1"),
    });
    h.expect_only(
        r,
        "operations.fertilizer_value.per_t_product.amount",
        "negative price",
    )
    .await;
}

#[tokio::test]
async fn too_many_or_bad_stated_assumptions_are_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.stated_assumptions = (0..33).map(|i| format!("assumption {i}")).collect();
    h.expect_only(r, "stated_assumptions", "33 assumptions")
        .await;
    let mut r = seed_request();
    r.stated_assumptions[2] = "line one\rline two".to_owned();
    h.expect_only(r, "stated_assumptions[2]", "CR").await;
    let mut r = seed_request();
    r.stated_assumptions[0] = "a".repeat(513);
    h.expect_only(r, "stated_assumptions[0]", "513 chars").await;
    let mut r = seed_request();
    r.stated_assumptions.push(String::new());
    let index = r.stated_assumptions.len() - 1;
    h.expect_only(r, &format!("stated_assumptions[{index}]"), "empty")
        .await;
}
