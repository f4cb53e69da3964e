//! Positive controls: the seed request and requests at the inclusive ends of every bound are
//! accepted, so the catalogue would not pass against a server that refuses everything.

use green_impact::pb;

use crate::common::{cny, dec, loan, seed_request, self_contained};
use crate::support::{
    FixedRate, appraisal, harness, lpr_request, named, operating_cost, ops, with_presentation,
};

#[tokio::test]
async fn unmodified_seed_request_is_accepted() {
    let mut h = harness().await;
    let response = h
        .accept(self_contained(seed_request()), "seed request")
        .await;
    assert_eq!(response.borrower_id, "leshan-yaqing-agri-husbandry");
    assert_eq!(response.currency_code, "CNY");
    let schedule = response.loan.expect("loan schedule present");
    assert_eq!(schedule.period_count, 36);
    assert_eq!(schedule.periods.len(), 36);
}

#[tokio::test]
async fn inclusive_bounds_and_optional_defaults_are_accepted() {
    let mut h = harness().await;
    let mut cases: Vec<(&str, pb::AssessRequest)> = Vec::new();

    let mut r = seed_request();
    ops(&mut r).manure_dry_matter_fraction = dec("1");
    cases.push(("dry matter fraction 1", r));

    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 366;
    cases.push(("366 operating days", r));

    let mut r = seed_request();
    ops(&mut r).operating_days_per_year = 1;
    cases.push(("1 operating day", r));

    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("100");
    cases.push(("fixed rate 100%", r));

    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("0");
    cases.push(("fixed rate 0%", r));

    let mut r = seed_request();
    loan(&mut r).term_months = 600;
    cases.push(("term 600 months", r));

    let mut r = seed_request();
    loan(&mut r).grace_months = 35;
    cases.push(("grace 35 of 36 months", r));

    cases.push((
        "LPR fixed on the first announcement day",
        lpr_request(pb::LprTenor::LprTenor1y, 50, "2019-08-20"),
    ));
    cases.push((
        "LPR 5Y+ with a negative spread",
        lpr_request(pb::LprTenor::LprTenor5yPlus, -100, "2025-06-01"),
    ));

    cases.push((
        "money_dp 4, ratio_dp 10",
        with_presentation(Some(4), Some(10), 3),
    ));
    cases.push((
        "money_dp 0, ratio_dp 0",
        with_presentation(Some(0), Some(0), 2),
    ));
    cases.push((
        "presentation present, every field absent",
        with_presentation(None, None, 0),
    ));

    let mut r = seed_request();
    r.borrower_id = "养".repeat(128);
    cases.push(("128-character CJK borrower id", r));

    let mut r = seed_request();
    ops(&mut r).fertilizer_value = Some(pb::FertilizerValue {
        kind: pb::FertilizerValueKind::UnitMargin as i32,
        per_t_product: cny("-260"),
    });
    cases.push(("negative unit margin", r));

    let mut r = seed_request();
    appraisal(&mut r).dscr_hurdle = None;
    cases.push(("no DSCR hurdle", r));

    let mut r = seed_request();
    let o = ops(&mut r);
    o.operating_costs = (0..64)
        .map(|i| {
            operating_cost(
                &format!("cost {i}"),
                Some(pb::operating_cost::Amount::PerYear(
                    cny("1.01").expect("money"),
                )),
            )
        })
        .collect();
    o.annual_operating_subsidies = (0..64)
        .map(|i| named(&format!("subsidy {i}"), "2"))
        .collect();
    cases.push(("64 cost lines and 64 subsidy lines", r));

    for (what, request) in cases {
        h.accept(request, what).await;
    }
}
