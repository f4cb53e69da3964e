//! Factor overrides: unknown ids, values outside physical bounds, fixed factors, repeats,
//! malformed values, missing reasons, and too many.

use green_impact::pb;

use crate::carbon::{carbon, factor_override, mcf_id, with_override};
use crate::common::{seed_request, violated_fields};
use crate::support::{descriptions, harness};

#[tokio::test]
async fn override_of_an_unknown_factor_id_is_refused() {
    let mut h = harness().await;
    for id in [
        "b0.layers.medium",
        "ef6",
        "",
        "B0.layers.low",
        "grid.mars.2022",
        "grid.sichuan.22",
        "grid.sichuan.1989",
        "b0.layers.low.",
        " b0.layers.low",
        "mcf.solid_storage",
        "frac_gas_ms.layers.solid_storage",
    ] {
        h.expect_only(
            with_override(id, "0.2"),
            "carbon.factor_overrides[0].factor_id",
            &format!("{id:?}"),
        )
        .await;
    }
}

#[tokio::test]
async fn unknown_override_id_is_blamed_at_its_own_index() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("b0.layers.low", "0.25", "feed analysis"),
        factor_override("ef3.solid_storage", "0.01", "same as the set"),
        factor_override("b0.layers.medium", "0.25", "feed analysis"),
    ];
    h.expect_only(r, "carbon.factor_overrides[2].factor_id", "third unknown")
        .await;
}

#[tokio::test]
async fn override_outside_physical_bounds_is_refused() {
    let mut h = harness().await;
    for (id, value) in [
        ("mcf.solid_storage.warm_temperate_moist", "1.5"),
        ("mcf.solid_storage.warm_temperate_moist", "-0.0000000001"),
        ("ef3.solid_storage", "-0.01"),
        ("frac_gas_ms.poultry.solid_storage", "2"),
        ("frac_leach_ms.poultry.composting_in_vessel", "1.0000000001"),
        ("ef4.wet_climate", "1.1"),
        ("ef5", "-1"),
        ("b0.layers.low", "-0.1"),
        ("vs_fraction_of_dm.layers", "1.01"),
        ("fertilizer_production_tce.n", "-2"),
        ("grid.sichuan.2022", "-0.1"),
        ("diesel.net_calorific_value", "0"),
        ("diesel.carbon_content", "-20.2"),
        ("diesel.oxidation_fraction", "1.02"),
    ] {
        h.expect_only(
            with_override(id, value),
            "carbon.factor_overrides[0].value",
            &format!("{id} = {value}"),
        )
        .await;
    }
}

#[tokio::test]
async fn override_outside_physical_bounds_names_the_bounds() {
    let mut h = harness().await;
    let status = h
        .reject_status(with_override(
            "mcf.solid_storage.warm_temperate_moist",
            "1.5",
        ))
        .await;
    assert_eq!(
        violated_fields(&status),
        ["carbon.factor_overrides[0].value"]
    );
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("fraction") && description.contains("1.5"),
        "the description should give the bounds and the value: {description}"
    );
}

#[tokio::test]
async fn override_of_a_fixed_factor_is_refused() {
    let mut h = harness().await;
    for id in [
        "gwp.ar6.ch4",
        "gwp.ar6.n2o",
        "gwp.ar4.ch4",
        "product.max_moisture_fraction",
    ] {
        h.expect_only(
            with_override(id, "0.3"),
            "carbon.factor_overrides[0].factor_id",
            id,
        )
        .await;
    }
    let status = h.reject_status(with_override("gwp.ar6.ch4", "30")).await;
    let (_, description) = &descriptions(&status)[0];
    assert!(
        description.contains("fixed"),
        "description should say why: {description}"
    );
}

#[tokio::test]
async fn duplicate_override_id_is_refused_on_the_repeat() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("b0.layers.low", "0.25", "feed analysis"),
        factor_override("ef3.solid_storage", "0.01", "same as the set"),
        factor_override("b0.layers.low", "0.26", "second analysis"),
    ];
    h.expect_only(r, "carbon.factor_overrides[2].factor_id", "repeat of [0]")
        .await;

    // Each further repeat is blamed on its own index; the first occurrence never is.
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..3)
        .map(|_| factor_override("ef5", "0.011", "repeat"))
        .collect();
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.factor_overrides[1].factor_id",
            "carbon.factor_overrides[2].factor_id"
        ]
    );
}

#[tokio::test]
async fn override_with_a_malformed_value_is_refused() {
    let mut h = harness().await;
    for value in [
        "1e-3",
        "NaN",
        "",
        "0.25 ",
        "+0.25",
        "0.12345678901",
        "1000000.1",
    ] {
        h.expect_only(
            with_override("b0.layers.low", value),
            "carbon.factor_overrides[0].value",
            &format!("{value:?}"),
        )
        .await;
    }
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![pb::FactorOverride {
        factor_id: "b0.layers.low".to_owned(),
        value: None,
        reason: "feed analysis".to_owned(),
    }];
    h.expect_only(r, "carbon.factor_overrides[0].value", "absent value")
        .await;
}

#[tokio::test]
async fn override_without_a_usable_reason_is_refused() {
    let mut h = harness().await;
    for reason in [String::new(), "x".repeat(513), "line\nbreak".to_owned()] {
        let mut r = seed_request();
        carbon(&mut r).factor_overrides = vec![factor_override("b0.layers.low", "0.25", &reason)];
        h.expect_only(
            r,
            "carbon.factor_overrides[0].reason",
            &format!("reason of {} chars", reason.chars().count()),
        )
        .await;
    }
}

#[tokio::test]
async fn override_with_every_part_wrong_reports_each_part() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![factor_override("b0.layers.medium", "abc", "")];
    let fields = h.reject(r).await;
    assert_eq!(
        fields,
        [
            "carbon.factor_overrides[0].factor_id",
            "carbon.factor_overrides[0].value",
            "carbon.factor_overrides[0].reason"
        ]
    );
}

#[tokio::test]
async fn more_than_64_overrides_are_refused_on_the_list() {
    let mut h = harness().await;
    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..65)
        .map(|i| factor_override(&mcf_id(i), "0.01", "site study"))
        .collect();
    h.expect_only(r, "carbon.factor_overrides", "65 distinct overrides")
        .await;
}
