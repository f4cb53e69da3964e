//! The seed case's reduction beside its published figure, with the defaults it falls back on
//! flagged.

use green_impact::pb;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::{TestServer, assert_carbon_parts_sum, assess, ends};
use crate::support::{BUILT_IN_SET, d, factor_use, seed_request, warning_codes};

const PUBLISHED_TCO2E_PER_YEAR: &str = "2204.70";

#[tokio::test]
async fn the_seed_reduction_is_positive_and_flags_its_defaults_beside_the_published_figure() {
    let server = TestServer::start().await;
    let response = assess(&server, seed_request()).await;
    assert_eq!(response.methodology_version, "green-impact/1.3.0");
    assert_eq!(response.factor_set, BUILT_IN_SET);
    let carbon = response.carbon.as_ref().expect("carbon block");
    assert_eq!(carbon.factor_set, BUILT_IN_SET);
    assert_eq!(carbon.gwp_set, pb::GwpSet::Ar6 as i32);
    let reduction = carbon.reduction.as_ref().expect("reduction");
    let [low, central, high] = ends(&reduction.total_tco2e_per_year);
    let published = d(PUBLISHED_TCO2E_PER_YEAR);
    let percent = ((central - published) / published * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    println!(
        "seed total reduction: {central} tCO2e/yr (low {low}, high {high}); published \
         {published}; difference {percent} %"
    );
    let [er_low, er_central, er_high] = ends(&reduction.emission_reduction_tco2e_per_year);
    println!(
        "seed emission reduction (no fertilizer module): {er_central} ({er_low} .. {er_high})"
    );
    assert!(central > Decimal::ZERO, "reduction {central}");
    assert!(low > Decimal::ZERO && low <= central && central <= high);
    assert_carbon_parts_sum(carbon);
    let codes = warning_codes(&response);
    for code in ["VOLATILE_SOLIDS_DEFAULT", "NITROGEN_DEFAULT"] {
        assert!(codes.contains(&code), "missing warning {code}: {codes:?}");
    }
    for (id, field) in [
        (
            "vs_fraction_of_dm.layers",
            "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        ),
        (
            "n_fraction_of_dm.layers",
            "carbon.manure_management.nitrogen",
        ),
    ] {
        assert_eq!(
            factor_use(carbon, id).origin,
            pb::FactorOrigin::DefaultForMissingInput as i32,
            "{id}"
        );
        assert!(
            response.warnings.iter().any(|w| w.field == field),
            "no warning on {field}"
        );
    }
}
