//! The mass balance: amendments and the composting loss.

use green_impact::pb;

use crate::carbon::amendment;
use crate::common::{dec, seed_request};
use crate::support::{harness, ops};

#[tokio::test]
async fn bad_amendments_are_refused() {
    let mut h = harness().await;
    let cases = [
        (amendment("", "5", "0.85"), "operations.amendments[0].name"),
        (
            amendment(&"s".repeat(129), "5", "0.85"),
            "operations.amendments[0].name",
        ),
        (
            amendment("straw\n", "5", "0.85"),
            "operations.amendments[0].name",
        ),
        (
            amendment("straw", "0", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "-5", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "100000.000001", "0.85"),
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            amendment("straw", "5", "1.2"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            amendment("straw", "5", "0"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            amendment("straw", "5", "0.8500001"),
            "operations.amendments[0].dry_matter_fraction",
        ),
        (
            pb::Amendment {
                name: "straw".to_owned(),
                fresh_t_per_day: None,
                dry_matter_fraction: dec("0.85"),
            },
            "operations.amendments[0].fresh_t_per_day",
        ),
        (
            pb::Amendment {
                name: "straw".to_owned(),
                fresh_t_per_day: dec("5"),
                dry_matter_fraction: None,
            },
            "operations.amendments[0].dry_matter_fraction",
        ),
    ];
    for (item, field) in cases {
        let case = format!("{item:?}");
        let mut r = seed_request();
        ops(&mut r).amendments = vec![item];
        h.expect_only(r, field, &case).await;
    }

    // The index is the bad item's; all of one item's faults are reported.
    let mut r = seed_request();
    ops(&mut r).amendments = vec![amendment("straw", "5", "0.85"), amendment("", "0", "1.2")];
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "operations.amendments[1].name",
            "operations.amendments[1].fresh_t_per_day",
            "operations.amendments[1].dry_matter_fraction"
        ]
    );
}

#[tokio::test]
async fn more_than_64_amendments_are_refused_on_the_list() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).amendments = (0..65)
        .map(|i| amendment(&format!("straw {i}"), "0.1", "0.85"))
        .collect();
    h.expect_only(r, "operations.amendments", "65 amendments")
        .await;
}

#[tokio::test]
async fn amendments_are_checked_without_a_carbon_block() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.carbon = None;
    ops(&mut r).amendments = vec![amendment("straw", "5", "1.2")];
    h.expect_only(
        r,
        "operations.amendments[0].dry_matter_fraction",
        "no carbon, bad amendment",
    )
    .await;
}

#[tokio::test]
async fn composting_loss_outside_its_range_is_refused() {
    let mut h = harness().await;
    for value in ["1", "-0.1", "0.12345", "0.99999", "-0", "abc", ""] {
        let mut r = seed_request();
        ops(&mut r).composting_dry_matter_loss_fraction = dec(value);
        // "-0" is zero, a valid loss: skip it as a refusal case, accept it below.
        if value == "-0" {
            h.accept(r, "loss -0").await;
            continue;
        }
        h.expect_only(
            r,
            "operations.composting_dry_matter_loss_fraction",
            &format!("{value:?}"),
        )
        .await;
    }
}
