//! Several violations at once, economic and carbon, all reported in one status.

use green_impact::pb;

use crate::carbon::{amendment, carbon, factor_override, fertilizer, manure};
use crate::common::{cny, dec, loan, money, seed_request, violated_fields};
use crate::support::{FixedRate, appraisal, harness, ops, sorted};

#[tokio::test]
async fn independent_violations_are_all_reported_in_one_status() {
    let mut h = harness().await;
    let mut r = seed_request();
    r.borrower_id.clear();
    loan(&mut r).principal = cny("-1");
    loan(&mut r).term_months = 0;
    ops(&mut r).manure_fresh_t_per_day = dec("abc");
    ops(&mut r).operating_days_per_year = 400;
    appraisal(&mut r).capex.clear();
    appraisal(&mut r).cash_flow_basis = 99;
    r.presentation = Some(pb::PresentationRules {
        money_dp: Some(5),
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: None,
    });
    let status = h.reject_status(r).await;
    let expected = [
        "borrower_id",
        "loan.principal.amount",
        "loan.term_months",
        "operations.manure_fresh_t_per_day",
        "operations.operating_days_per_year",
        "appraisal.capex",
        "appraisal.cash_flow_basis",
        "presentation.money_dp",
    ];
    assert_eq!(
        sorted(violated_fields(&status)),
        sorted(expected.map(String::from).to_vec())
    );
    assert!(
        status.message().contains(&expected.len().to_string()),
        "the message should count the violations: {}",
        status.message()
    );
}

#[tokio::test]
async fn violations_in_every_section_are_reported_together() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).fixed_annual_rate_pct_mut("100.5");
    ops(&mut r).manure_dry_matter_fraction = dec("1.2");
    ops(&mut r).baseline_treatment_cost_per_t_fresh_manure = money("USD", "40");
    appraisal(&mut r).discount_rate_pct = dec("NaN");
    r.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: Some(11),
        rounding_rule: 0,
        emissions_dp: None,
    });
    let fields = h.reject(r).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "loan.fixed_annual_rate_pct",
                "operations.manure_dry_matter_fraction",
                "operations.baseline_treatment_cost_per_t_fresh_manure.currency_code",
                "appraisal.discount_rate_pct",
                "presentation.ratio_dp",
            ]
            .map(String::from)
            .to_vec()
        )
    );
}

#[tokio::test]
async fn carbon_violations_are_all_reported_in_one_status() {
    let mut h = harness().await;
    let mut r = seed_request();
    ops(&mut r).amendments = vec![amendment("", "5", "0.85")];
    ops(&mut r).composting_dry_matter_loss_fraction = dec("1");
    r.presentation = Some(pb::PresentationRules {
        money_dp: None,
        ratio_dp: None,
        rounding_rule: 0,
        emissions_dp: Some(7),
    });
    let c = carbon(&mut r);
    c.factor_set = "ipcc2019-cn/1999.1".to_owned();
    c.gwp_set = 99;
    c.fertilizer_substitution = Some(pb::FertilizerSubstitutionInput {
        substitution_ratio: dec("1.5"),
        ..fertilizer()
    });
    c.project_energy = vec![pb::EnergyUse {
        name: "fans".to_owned(),
        r#use: None,
    }];
    c.factor_overrides = vec![
        factor_override("ef6", "0.1", "typo"),
        factor_override("ef3.solid_storage", "-0.01", "sign error"),
    ];
    let m = manure(&mut r);
    m.species = pb::Species::Swine as i32;
    m.baseline_system = pb::ManureSystem::PoultryManureWithoutLitter as i32;
    m.productivity_reason.clear();
    m.volatile_solids_fraction_of_dry_matter = dec("1.5");
    let status = h.reject_status(r).await;
    let expected = [
        "presentation.emissions_dp",
        "operations.amendments[0].name",
        "operations.composting_dry_matter_loss_fraction",
        "carbon.factor_set",
        "carbon.gwp_set",
        "carbon.manure_management.productivity_reason",
        "carbon.manure_management.volatile_solids_fraction_of_dry_matter",
        "carbon.manure_management.baseline_system",
        "carbon.fertilizer_substitution.substitution_ratio",
        "carbon.project_energy[0].use",
        "carbon.factor_overrides[0].factor_id",
        "carbon.factor_overrides[1].value",
    ];
    assert_eq!(
        sorted(violated_fields(&status)),
        sorted(expected.map(String::from).to_vec())
    );
    assert!(
        status.message().contains(&expected.len().to_string()),
        "the message should count the violations: {}",
        status.message()
    );
}

#[tokio::test]
async fn carbon_and_economics_violations_are_reported_together() {
    let mut h = harness().await;
    let mut r = seed_request();
    loan(&mut r).term_months = 0;
    ops(&mut r).manure_dry_matter_fraction = dec("1.2");
    manure(&mut r).climate_zone = 0;
    carbon(&mut r).factor_overrides = vec![factor_override("gwp.ar6.ch4", "30", "newer IPCC")];
    let fields = h.reject(r).await;
    assert_eq!(
        sorted(fields),
        sorted(
            [
                "loan.term_months",
                "operations.manure_dry_matter_fraction",
                "carbon.manure_management.climate_zone",
                "carbon.factor_overrides[0].factor_id",
            ]
            .map(String::from)
            .to_vec()
        )
    );
}
