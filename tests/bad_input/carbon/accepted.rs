//! Positive controls of the carbon block: the seed's block with its defaults flagged, overrides of
//! factors the set lacks, the aggregated EF4 of the tropical montane zone, a straw amendment that
//! closes the mass balance, inclusive bounds with every module on, and a tiny positive reduction.

use green_impact::pb;
use rust_decimal::Decimal;

use crate::carbon::{
    amendment, carbon, diesel_litres, diesel_tonnes, electricity, factor_override, manure, mcf_id,
    number, swine, with_emissions_dp, with_energy, with_fertilizer,
};
use crate::common::{self, dec, seed_request};
use crate::support::{harness, ops, sorted};

#[tokio::test]
async fn seed_carbon_block_is_accepted_with_defaults_flagged() {
    let mut h = harness().await;
    let response = h
        .accept(common::self_contained(seed_request()), "seed request")
        .await;
    let carbon = response.carbon.expect("carbon block present");
    assert_eq!(carbon.factor_set, "ipcc2019-cn/2026.1");
    assert_eq!(response.factor_set, "ipcc2019-cn/2026.1");
    let default_ids: Vec<&str> = carbon
        .factors_used
        .iter()
        .filter(|f| f.origin == pb::FactorOrigin::DefaultForMissingInput as i32)
        .map(|f| f.factor_id.as_str())
        .collect();
    assert_eq!(
        sorted(default_ids.iter().map(|s| s.to_string()).collect()),
        ["n_fraction_of_dm.layers", "vs_fraction_of_dm.layers"]
    );
    assert!(
        carbon
            .factors_used
            .iter()
            .any(|f| f.factor_id == "ef4.wet_climate"),
        "warm temperate moist takes the wet-climate EF4"
    );
}

#[tokio::test]
async fn override_of_a_factor_the_set_lacks_is_accepted_and_used() {
    let mut h = harness().await;
    let mut r = with_energy(
        "aeration fans",
        electricity("250000", pb::GridRegion::CnSichuan as i32, 2019),
    );
    carbon(&mut r).factor_overrides = vec![factor_override(
        "grid.sichuan.2019",
        "0.1031",
        "Sichuan provincial grid factor 2019, MEE notice",
    )];
    let response = h
        .accept(common::self_contained(r), "grid.sichuan.2019 override")
        .await;
    let carbon = response.carbon.expect("carbon block present");
    let grid = carbon
        .factors_used
        .iter()
        .find(|f| f.factor_id == "grid.sichuan.2019")
        .expect("the overridden grid factor is used");
    assert_eq!(grid.origin, pb::FactorOrigin::Override as i32);
    assert_eq!(common::value(&grid.value), "0.1031");
    assert!(
        !response
            .warnings
            .iter()
            .any(|w| w.code == "FACTOR_OVERRIDE_UNUSED"),
        "the override is used: {:?}",
        response.warnings
    );
}

#[tokio::test]
async fn tropical_montane_zone_uses_the_aggregated_ef4() {
    let mut h = harness().await;
    let mut r = seed_request();
    manure(&mut r).climate_zone = pb::ClimateZone::TropicalMontane as i32;
    let response = h
        .accept(common::self_contained(r), "tropical montane")
        .await;
    let ids: Vec<String> = response
        .carbon
        .expect("carbon block present")
        .factors_used
        .into_iter()
        .map(|f| f.factor_id)
        .collect();
    assert!(ids.contains(&"ef4.aggregated".to_owned()), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id == "ef4.wet_climate" || id == "ef4.dry_climate"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"mcf.solid_storage.tropical_montane".to_owned()),
        "{ids:?}"
    );
}

#[tokio::test]
async fn straw_amendment_makes_the_seed_mass_balance_close() {
    let mut h = harness().await;
    // Control: a 30% composting loss leaves 15.75 t of the 22.5 t dry matter, short of the
    // 21 t that 30 t of product at 30% moisture holds.
    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0.3");
    let response = h.accept(r, "30% loss, no amendment").await;
    let balance = response.mass_balance.expect("mass balance present");
    assert!(!balance.closes);
    assert_eq!(
        number(&balance.dry_matter_shortfall_t_per_day),
        Decimal::new(75, 1)
    );
    assert!(
        response
            .warnings
            .iter()
            .any(|w| w.code == "MASS_BALANCE_DOES_NOT_CLOSE")
    );

    // 9 t of straw at 85% dry matter adds 7.65 t: 30.15 t in, 21.105 t out, enough.
    let mut r = seed_request();
    let o = ops(&mut r);
    o.composting_dry_matter_loss_fraction = dec("0.3");
    o.amendments = vec![amendment("wheat straw", "9", "0.85")];
    let response = h.accept(r, "30% loss, 9 t straw").await;
    let balance = response.mass_balance.expect("mass balance present");
    assert!(balance.closes, "{balance:?}");
    assert_eq!(
        number(&balance.amendments_dry_matter_t_per_day),
        Decimal::new(765, 2)
    );
    assert_eq!(
        number(&balance.dry_matter_shortfall_t_per_day),
        Decimal::ZERO
    );
    assert!(
        !response
            .warnings
            .iter()
            .any(|w| w.code == "MASS_BALANCE_DOES_NOT_CLOSE"),
        "{:?}",
        response.warnings
    );
}

#[tokio::test]
async fn carbon_inclusive_bounds_and_full_modules_are_accepted() {
    let mut h = harness().await;
    let mut cases: Vec<(&str, pb::AssessRequest)> = Vec::new();

    let mut r = seed_request();
    swine(&mut r);
    let m = manure(&mut r);
    m.volatile_solids_fraction_of_dry_matter = dec("1");
    m.nitrogen = Some(
        pb::manure_management_input::Nitrogen::NitrogenFractionOfDryMatter(pb::Decimal {
            value: "0.2".to_owned(),
        }),
    );
    cases.push(("swine with measured VS 1 and N 0.2", r));

    let mut r = seed_request();
    swine(&mut r);
    carbon(&mut r).factor_overrides = vec![
        factor_override("vs_fraction_of_dm.swine", "0.8", "lab analysis"),
        factor_override("n_fraction_of_dm.swine", "0.04", "lab analysis"),
    ];
    cases.push(("swine defaults supplied as overrides", r));

    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0.9999");
    cases.push(("composting loss 0.9999", r));

    let mut r = seed_request();
    ops(&mut r).composting_dry_matter_loss_fraction = dec("0");
    cases.push(("composting loss 0", r));

    cases.push(("emissions_dp 0", with_emissions_dp(0)));
    cases.push(("emissions_dp 6", with_emissions_dp(6)));

    let mut r = with_fertilizer(|f| {
        f.product_nitrogen_fraction = dec("0.5");
        f.product_p2o5_fraction = dec("0.3");
        f.product_k2o_fraction = dec("0.2");
        f.substitution_ratio = dec("1");
    });
    carbon(&mut r).project_energy = vec![
        pb::EnergyUse {
            name: "fans".to_owned(),
            r#use: electricity("1", pb::GridRegion::CnNational as i32, 0),
        },
        pb::EnergyUse {
            name: "loader".to_owned(),
            r#use: diesel_litres("1000", Some("0.7")),
        },
        pb::EnergyUse {
            name: "haulage".to_owned(),
            r#use: diesel_litres("1000", Some("1")),
        },
    ];
    cases.push(("N + P2O5 + K2O exactly 1, ratio 1, three energy lines", r));

    let mut r = seed_request();
    carbon(&mut r).factor_overrides = vec![
        factor_override("ef3.composting_in_vessel", "0", "measured: no direct N2O"),
        factor_override(
            "mcf.composting_in_vessel.warm_temperate_moist",
            "1",
            "worst case",
        ),
        factor_override("b0.layers.low", "0.3", "feed analysis"),
    ];
    cases.push(("overrides at their physical bounds", r));

    let mut r = seed_request();
    let c = carbon(&mut r);
    c.factor_set = "ipcc2019-cn/2026.1".to_owned();
    c.gwp_set = pb::GwpSet::Ar4 as i32;
    cases.push(("factor set named, GWP AR4", r));

    let mut r = seed_request();
    carbon(&mut r).gwp_set = pb::GwpSet::Unspecified as i32;
    cases.push(("GWP set unspecified means AR6", r));

    let mut r = seed_request();
    carbon(&mut r).manure_management = None;
    carbon(&mut r).project_energy = vec![pb::EnergyUse {
        name: "fans".to_owned(),
        r#use: diesel_tonnes("12.5"),
    }];
    cases.push(("energy module alone", r));

    let mut r = seed_request();
    carbon(&mut r).factor_overrides = (0..64)
        .map(|i| factor_override(&mcf_id(i), "0.01", "site study"))
        .collect();
    carbon(&mut r).project_energy = (0..64)
        .map(|i| pb::EnergyUse {
            name: format!("line {i}"),
            r#use: diesel_tonnes("1"),
        })
        .collect();
    ops(&mut r).amendments = (0..64)
        .map(|i| amendment(&format!("straw {i}"), "0.1", "0.85"))
        .collect();
    cases.push(("64 overrides, 64 energy lines, 64 amendments", r));

    for (what, request) in cases {
        h.accept(request, what).await;
    }
}

#[tokio::test]
async fn tiny_positive_reduction_is_answered_without_panicking() {
    let mut h = harness().await;
    // Only fertilizer substitution, every factor of it at its smallest valid value: the total
    // reduction is about 3.7e-26 t CO2e a year, positive, and the levelised cost over it
    // (about -8.6e5 CNY a year) does not fit a Decimal.
    let mut r = with_fertilizer(|f| {
        f.product_nitrogen_fraction = dec("0.000001");
        f.product_p2o5_fraction = dec("0");
        f.product_k2o_fraction = dec("0");
        f.substitution_ratio = dec("0.0001");
    });
    ops(&mut r).product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "0.000001".to_owned(),
        },
    ));
    let c = carbon(&mut r);
    c.manure_management = None;
    c.factor_overrides = vec![factor_override(
        "fertilizer_production_tce.n",
        "0.0000000001",
        "smallest positive override",
    )];
    let response = h.accept(r, "tiny positive reduction").await;
    assert!(response.carbon.is_some());
}
