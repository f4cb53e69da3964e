//! The factor set and the modules: an unknown factor set, a carbon block with no module on, and
//! the fertilizer-substitution fractions, ratio and basis.

use green_impact::pb;

use crate::carbon::{carbon, factor_override, with_fertilizer};
use crate::common::{dec, seed_request, violated_fields};
use crate::support::{descriptions, harness};

#[tokio::test]
async fn unknown_factor_set_is_refused() {
    let mut h = harness().await;
    for name in [
        "ipcc2019-cn/2025.9",
        "ipcc2019-cn",
        "ipcc2019-cn/",
        "/2026.1",
        " ipcc2019-cn/2026.1",
        "IPCC2019-CN/2026.1",
        "ipcc2019-cn/2026.1/",
    ] {
        let mut r = seed_request();
        carbon(&mut r).factor_set = name.to_owned();
        let status = h.reject_status(r).await;
        assert_eq!(violated_fields(&status), ["carbon.factor_set"], "{name:?}");
        let (_, description) = &descriptions(&status)[0];
        assert!(
            description.contains("ipcc2019-cn/2026.1"),
            "the description should list the known sets: {description}"
        );
    }
}

#[tokio::test]
async fn carbon_with_no_module_on_is_refused() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.carbon = Some(pb::CarbonInput::default());
    h.expect_only(r, "carbon", "empty carbon").await;

    // Overrides and a GWP set alone turn on nothing.
    let mut r = seed_request();
    let c = carbon(&mut r);
    c.manure_management = None;
    c.gwp_set = pb::GwpSet::Ar5 as i32;
    c.factor_overrides = vec![factor_override("b0.layers.low", "0.25", "feed analysis")];
    h.expect_only(r, "carbon", "overrides only").await;
}

#[tokio::test]
async fn bad_fertilizer_fractions_are_refused() {
    let mut h = harness().await;
    h.expect_only(
        with_fertilizer(|f| f.product_nitrogen_fraction = dec("1.5")),
        "carbon.fertilizer_substitution.product_nitrogen_fraction",
        "N 1.5",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_p2o5_fraction = dec("-0.01")),
        "carbon.fertilizer_substitution.product_p2o5_fraction",
        "P2O5 -0.01",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_k2o_fraction = dec("0.0100001")),
        "carbon.fertilizer_substitution.product_k2o_fraction",
        "K2O 7 dp",
    )
    .await;
    h.expect_only(
        with_fertilizer(|f| f.product_k2o_fraction = None),
        "carbon.fertilizer_substitution.product_k2o_fraction",
        "K2O absent",
    )
    .await;
    // Each within 0..1, together more than the whole product.
    let status = h
        .reject_status(with_fertilizer(|f| {
            f.product_nitrogen_fraction = dec("0.5");
            f.product_p2o5_fraction = dec("0.4");
            f.product_k2o_fraction = dec("0.100001");
        }))
        .await;
    assert_eq!(
        violated_fields(&status),
        ["carbon.fertilizer_substitution.product_nitrogen_fraction"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("1.000001"),
        "the description should give the sum: {description}"
    );
}

#[tokio::test]
async fn bad_substitution_ratio_or_basis_is_refused() {
    let mut h = harness().await;
    for (case, ratio) in [
        ("absent", None),
        ("1.5", dec("1.5")),
        ("-0.1", dec("-0.1")),
        ("5 dp", dec("0.12345")),
        ("NaN", dec("NaN")),
    ] {
        h.expect_only(
            with_fertilizer(|f| f.substitution_ratio = ratio),
            "carbon.fertilizer_substitution.substitution_ratio",
            case,
        )
        .await;
    }
    for basis in [String::new(), "b".repeat(513), "a\u{0}b".to_owned()] {
        h.expect_only(
            with_fertilizer(|f| f.substitution_ratio_basis = basis.clone()),
            "carbon.fertilizer_substitution.substitution_ratio_basis",
            &format!("basis of {} chars", basis.chars().count()),
        )
        .await;
    }
}
