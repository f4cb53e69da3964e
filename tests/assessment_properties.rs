//! Whole assessments of random valid requests, up to the extreme magnitudes the limits allow:
//! never a failure, presented parts always sum to presented totals, and the assessment is
//! linear where the method says it is.

mod common;

use std::str::FromStr;

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::pb;
use proptest::prelude::*;
use rust_decimal::Decimal;

use common::assert_parts_sum;

fn dec(mantissa: i64, scale: u32) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: Decimal::new(mantissa, scale).to_string(),
    })
}

fn cny(mantissa: i64, scale: u32) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: "CNY".into(),
        amount: dec(mantissa, scale),
    })
}

fn parse(d: &Option<pb::Decimal>) -> Decimal {
    Decimal::from_str(&d.as_ref().expect("present").value).expect("decimal")
}

prop_compose! {
    fn cost_line()(basis in 0..3u8, fen in 0i64..=10_000_000_000_000, micro in 0i64..=1_000_000_000_000)
        -> pb::OperatingCost {
        use pb::operating_cost::Amount;
        let amount = match basis {
            0 => Amount::PerYear(cny(fen, 2).unwrap()),
            1 => Amount::PerTFreshManure(cny(micro, 6).unwrap()),
            _ => Amount::PerTProduct(cny(micro, 6).unwrap()),
        };
        pb::OperatingCost { name: format!("cost {basis}"), amount: Some(amount) }
    }
}

prop_compose! {
    fn request()(
        principal_fen in 1i64..=10_000_000_000_000,
        rate_micro in 0i64..=100_000_000,
        years in 1u32..=50,
        method in 1i32..=3,
        frequency in 1i32..=4,
        manure_micro in 1i64..=100_000_000_000,
        days in 1u32..=366,
        dry_matter_micro in 1i64..=1_000_000,
        product_micro in 1i64..=36_600_000_000_000,
        baseline_micro in 0i64..=1_000_000_000_000,
        margin_kind in 1i32..=2,
        value_micro in -1_000_000_000_000i64..=1_000_000_000_000,
        costs in prop::collection::vec(cost_line(), 0..4),
        capex_fen in 0i64..=10_000_000_000_000,
        discount_micro in 0i64..=100_000_000,
        life in 1u32..=30,
        basis in 1i32..=2,
        money_dp in 0u32..=4,
        rounding in 1i32..=3,
    ) -> pb::AssessRequest {
        let months_per_period = [1, 3, 6, 12][(frequency - 1) as usize];
        let term_months = (years * 12).min(600) / months_per_period * months_per_period;
        let value_micro = if margin_kind == 1 { value_micro.abs() } else { value_micro };
        pb::AssessRequest {
            borrower_id: "b".into(),
            project_id: "p".into(),
            loan: Some(pb::LoanTerms {
                principal: cny(principal_fen, 2),
                rate: Some(pb::loan_terms::Rate::FixedAnnualRatePct(dec(rate_micro, 6).unwrap())),
                term_months,
                repayment_method: method,
                repayment_frequency: frequency,
                first_payment_date: "2026-01-31".into(),
                grace_months: 0,
                disbursement_date: String::new(),
            }),
            operations: Some(pb::OperatingData {
                manure_fresh_t_per_day: dec(manure_micro, 6),
                operating_days_per_year: days,
                manure_dry_matter_fraction: dec(dry_matter_micro, 6),
                product_output: Some(pb::operating_data::ProductOutput::ProductTPerYear(dec(product_micro, 6).unwrap())),
                baseline_treatment_cost_per_t_fresh_manure: cny(baseline_micro, 6),
                fertilizer_value: Some(pb::FertilizerValue { kind: margin_kind, per_t_product: cny(value_micro, 6) }),
                operating_costs: costs,
                annual_operating_subsidies: vec![],
                ..Default::default()
            }),
            appraisal: Some(pb::ProjectAppraisal {
                total_project_investment: cny(1_000_000, 2),
                capex: vec![pb::NamedMoney { name: "plant".into(), amount: cny(capex_fen, 2) }],
                capex_subsidies: vec![],
                discount_rate_pct: dec(discount_micro, 6),
                project_life_years: life,
                cash_flow_basis: basis,
                dscr_hurdle: dec(125, 2),
            }),
            presentation: Some(pb::PresentationRules { money_dp: Some(money_dp), ratio_dp: None, rounding_rule: rounding, emissions_dp: None }),
            stated_assumptions: vec![],
            carbon: None,
            kpis: vec![],
            dry_run: false,
            insurer_exposure: None,
            eligibility: None,
            // The schedule rows, so that they can be summed.
            view: pb::AssessmentView::Full as i32,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_valid_request_is_assessed_and_its_parts_sum(request in request()) {
        let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
        let response = api.assess(&request).map_err(|s| TestCaseError::fail(format!("{s:?}")))?;

        assert_parts_sum(&request, &response);
    }
}

/// Doubling throughput and output doubles every annual amount that scales with them.
#[test]
fn annual_amounts_are_linear_in_throughput() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/leshan-yaqing.json"
    ))
    .unwrap();
    let seed = green_impact::json::assess_request_from_json(&text).unwrap();
    let mut doubled = seed.clone();
    let ops = doubled.operations.as_mut().unwrap();
    ops.manure_fresh_t_per_day = Some(pb::Decimal {
        value: "180".into(),
    });
    ops.product_output = Some(pb::operating_data::ProductOutput::ProductTPerYear(
        pb::Decimal {
            value: "21900".into(),
        },
    ));
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    let one = api.assess(&seed).unwrap().cost_to_revenue.unwrap();
    let two = api.assess(&doubled).unwrap().cost_to_revenue.unwrap();
    for (a, b) in [
        (
            &one.baseline_treatment_cost_cny_per_year,
            &two.baseline_treatment_cost_cny_per_year,
        ),
        (
            &one.fertilizer_income_cny_per_year,
            &two.fertilizer_income_cny_per_year,
        ),
        (&one.manure_fresh_t_per_year, &two.manure_fresh_t_per_year),
    ] {
        assert_eq!(parse(a) * Decimal::TWO, parse(b));
    }
    assert_eq!(
        one.per_tonne, two.per_tonne,
        "per-tonne figures do not depend on scale"
    );
}
