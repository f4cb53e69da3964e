use std::str::FromStr;

use super::*;
use crate::domain::carbon::factor_id::GwpSet;
use crate::domain::carbon::factor_set::FactorSet;
use crate::domain::carbon::trace::Tracing;
use crate::domain::carbon::{self, CarbonInput};
use crate::domain::economics::seed_operations;
use crate::domain::insurer::{FacilityCondition, InsurerInput, SiteExposure, StorageType};
use crate::domain::mass_balance::{self, MassBalanceInput};

const BUILT_IN: &str = include_str!("../../../data/eligibility/cn-transition-2026.1.json");

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// The seed case: 90 t/day for 365 days, 10,950 t of product a year.
fn seed_annual() -> AnnualFigures {
    AnnualFigures::of(&seed_operations())
}

fn seed_mass_balance() -> MassBalance {
    mass_balance::mass_balance(&MassBalanceInput {
        manure_fresh_t_per_day: dec("90"),
        manure_dry_matter_fraction: dec("0.25"),
        amendments: &[],
        dry_matter_loss_fraction: None,
        product_stated_t_per_day: dec("30"),
        product_max_moisture_fraction: dec("0.3"),
    })
}

/// The seed's carbon estimate: layers, low productivity, warm temperate moist, solid storage
/// before, `project_system` after.
fn seed_carbon(annual: &AnnualFigures, project_system: ManureSystem) -> CarbonEstimate {
    let input = CarbonInput {
        factor_set: Arc::new(FactorSet::built_in()),
        gwp_set: GwpSet::Ar6,
        manure: Some(carbon::seed_manure(project_system)),
        fertilizer: None,
        energy: vec![],
        overrides: vec![],
    };
    carbon::estimate(&input, annual, 365, Tracing::Kept)
        .expect("the built-in set has every seed factor")
}

fn site(storage_type: StorageType) -> SiteExposure {
    SiteExposure {
        untreated_manure_stock_t: dec("180"),
        storage_capacity_days: dec("2"),
        storage_type,
        nitrogen_handled_t_per_year: dec("120"),
        phosphorus_handled_t_per_year: dec("40"),
        distance_to_surface_water_m: dec("350"),
        facility_condition: FacilityCondition::Good,
    }
}

fn insurer_view(after: StorageType) -> InsurerView {
    crate::domain::insurer::view(&InsurerInput {
        before: site(StorageType::OpenPile),
        after: site(after),
        storage_minimum_days: None,
        surface_water_minimum_distance_m: None,
        hj941: vec![],
    })
}

fn built_in() -> Arc<RuleSet> {
    EligibilityLibrary::built_in().default_set().clone()
}

fn statuses(outcome: &EligibilityOutcome) -> Vec<(&str, Status)> {
    outcome
        .rules
        .iter()
        .map(|r| (r.rule.id.as_str(), r.status))
        .collect()
}

#[test]
fn the_built_in_set_loads_and_cites_every_rule() {
    let library = EligibilityLibrary::built_in();
    assert_eq!(library.names(), ["cn-transition/2026.1"]);
    assert!(library.find("").is_some());
    assert!(library.find("cn-transition/2026.1").is_some());
    assert!(library.find("cn-transition/2025.9").is_none());
    let set = built_in();
    assert_eq!(set.rules.len(), 3);
    for rule in &set.rules {
        assert!(rule.source.contains("2021 Edition"), "{}", rule.source);
        assert!(rule.source.ends_with("(2021)"), "{}", rule.source);
        assert!(
            rule.source.contains(&rule.id["gbepc-2021.".len()..]),
            "{rule:?}"
        );
        assert!(!rule.wording.is_empty() && !rule.mapping.is_empty());
    }
}

#[test]
fn each_operator_compares_exact_decimals() {
    let condition = |operator, threshold: &str| Condition {
        metric: Metric::MinimumDscr,
        operator,
        threshold: Value::Decimal(dec(threshold)),
    };
    use Operator::*;
    // (operator, value below, equal, above the threshold 1.25)
    let cases = [
        (Less, [true, false, false]),
        (LessOrEqual, [true, true, false]),
        (Greater, [false, false, true]),
        (GreaterOrEqual, [false, true, true]),
        (Equal, [false, true, false]),
        (NotEqual, [true, false, true]),
    ];
    for (operator, expected) in cases {
        let c = condition(operator, "1.25");
        let got =
            ["1.2499999999", "1.2500", "1.2500000001"].map(|v| c.holds(Value::Decimal(dec(v))));
        assert_eq!(got, expected, "{}", operator.symbol());
    }
}

#[test]
fn booleans_compare_for_equality_only() {
    let c = Condition {
        metric: Metric::InsurerAfterLeakProne,
        operator: Operator::Equal,
        threshold: Value::Boolean(false),
    };
    assert!(c.holds(Value::Boolean(false)));
    assert!(!c.holds(Value::Boolean(true)));
    let c = Condition {
        operator: Operator::NotEqual,
        ..c
    };
    assert!(c.holds(Value::Boolean(true)));
    // A value of the other kind never holds (the loader makes it impossible).
    assert!(!c.holds(Value::Decimal(Decimal::ONE)));
}

#[test]
fn every_metric_has_a_unique_name_and_a_unit() {
    for metric in Metric::ALL {
        assert_eq!(Metric::from_name(metric.name()), Some(metric));
        assert!(!metric.unit().is_empty());
        assert_eq!(
            metric.unit() == "true/false",
            metric.kind() == MetricKind::Boolean,
            "{}",
            metric.name()
        );
    }
    assert_eq!(Metric::from_name("carbon.reduction"), None);
}

/// The built-in file with one edit.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value: serde_json::Value = serde_json::from_str(BUILT_IN).unwrap();
    edit(&mut value);
    value.to_string()
}

#[test]
fn a_bad_rule_file_is_refused_with_the_reason() {
    use serde_json::json;
    let cases: Vec<(String, &str)> = vec![
        (
            edited(|v| v["rules"][0]["all"][1]["metric"] = json!("project.product_t")),
            "rule \"gbepc-2021.1.5.3.2\": condition 2: unknown metric \"project.product_t\"; \
             the vocabulary is project.manure_treated_t_per_year, project.product_t_per_year",
        ),
        (
            edited(|v| v["rules"][0]["all"][0]["op"] = json!("=>")),
            "unknown operator \"=>\"; use one of < <= > >= = !=",
        ),
        (
            edited(|v| v["rules"][0]["all"][2]["op"] = json!(">=")),
            "is true/false: compare it with = or !=, not >=",
        ),
        (
            edited(|v| v["rules"][0]["all"][2]["value"] = json!("true")),
            "is true/false: give the threshold as true or false",
        ),
        (
            edited(|v| v["rules"][0]["all"][0]["value"] = json!(0)),
            "is a number: give the threshold as a decimal string",
        ),
        (
            edited(|v| v["rules"][0]["all"][0]["value"] = json!("1e3")),
            "threshold \"1e3\" is not a plain decimal",
        ),
        (
            edited(|v| v["rules"][0]["all"][0]["value"] = json!("0.00000000001")),
            "has more than 10 decimal places",
        ),
        (
            edited(|v| v["rules"][1]["id"] = json!("gbepc-2021.1.5.3.2")),
            "rule \"gbepc-2021.1.5.3.2\" appears twice",
        ),
        (
            edited(|v| v["rules"][2]["source"] = json!("gbepc-2015")),
            "source \"gbepc-2015\" is not in the set's sources",
        ),
        (
            edited(|v| v["sources"]["gbepc-2021"]["year"] = json!(21)),
            "needs a title and a year from 1900 to 2200",
        ),
        (
            edited(|v| v["rules"][0]["x"] = json!("")),
            "unknown field `x`",
        ),
        (
            edited(|v| v["rules"][0]["locator"] = json!("  ")),
            "locator is required",
        ),
        (
            edited(|v| v["rules"][0]["all"] = json!([])),
            "needs 1 to 16 conditions",
        ),
        (
            edited(|v| v["rules"] = json!([])),
            "the set needs 1 to 256 rules",
        ),
        (
            edited(|v| v["id"] = json!("cn transition")),
            "id and version must be",
        ),
    ];
    for (text, expected) in cases {
        let error = RuleSet::from_json(&text).expect_err(expected);
        assert!(error.contains(expected), "{error}\n  expected: {expected}");
    }
}

#[test]
fn the_seed_with_composting_and_a_covered_shed_meets_every_rule() {
    let annual = seed_annual();
    let mass_balance = seed_mass_balance();
    let carbon = seed_carbon(&annual, ManureSystem::CompostingInVessel);
    let insurer = insurer_view(StorageType::CoveredShedImpermeableFloor);
    let facts = Facts {
        annual: &annual,
        mass_balance: &mass_balance,
        minimum_dscr: Some(dec("3.1165")),
        carbon: Some(&carbon),
        insurer: Some(&insurer),
    };
    let outcome = evaluate(&built_in(), &facts);
    assert_eq!(
        statuses(&outcome),
        [
            ("gbepc-2021.1.5.3.2", Status::Met),
            ("gbepc-2021.2.2.1.2", Status::Met),
            ("gbepc-2021.4.1.3.2", Status::Met),
        ]
    );
    let first = &outcome.rules[0];
    // 90 t x 365 = 32,850 t of manure; 10,950 t of product.
    assert_eq!(
        first.reason,
        "met: project.manure_treated_t_per_year = 32850, required > 0; \
         project.product_t_per_year = 10950, required > 0; \
         carbon.manure_management.project_system_is_composting = true, required = true"
    );
    assert_eq!(
        first.conditions[0].value,
        Some(Value::Decimal(dec("32850")))
    );
    // The seed's emission reduction (README: 973.823 tCO2e a year, central).
    let central = Metric::EmissionReductionCentral.value(&facts).unwrap();
    let Value::Decimal(central) = central else {
        panic!("a decimal metric")
    };
    assert_eq!(central.round_dp(3), dec("973.823"));
    assert_eq!(outcome.count(Status::Met), 3);
}

#[test]
fn a_rule_fails_on_any_failing_condition_and_is_not_evaluable_on_missing_input() {
    let annual = seed_annual();
    let mass_balance = seed_mass_balance();
    let carbon = seed_carbon(&annual, ManureSystem::SolidStorage);
    let unlined = insurer_view(StorageType::UnlinedLagoon);
    // No carbon, no insurer: every rule lacks an input; none fails.
    let bare = Facts {
        annual: &annual,
        mass_balance: &mass_balance,
        minimum_dscr: None,
        carbon: None,
        insurer: None,
    };
    let outcome = evaluate(&built_in(), &bare);
    assert_eq!(outcome.count(Status::NotEvaluable), 3);
    let reason = &outcome.rules[1].reason;
    assert!(
        reason.starts_with(
            "not evaluable: carbon.manure_management.project_system_is_composting = true \
             cannot be evaluated: the request has no carbon block"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("the request has no insurer_exposure block"),
        "{reason}"
    );
    assert_eq!(
        Metric::MinimumDscr.value(&bare),
        Err("no debt service falls due in any loan year")
    );

    // Solid storage after the project is not composting, and an unlined lagoon is leak-prone:
    // every rule fails, whatever else is missing.
    let failing = Facts {
        carbon: Some(&carbon),
        insurer: Some(&unlined),
        ..bare
    };
    let outcome = evaluate(&built_in(), &failing);
    assert_eq!(outcome.count(Status::NotMet), 3);
    assert!(
        outcome.rules[1]
            .reason
            .contains("insurer.after.storage_type_leak_prone = true, required = false"),
        "{}",
        outcome.rules[1].reason
    );

    // A failing condition beside a missing one: not met, and the reason says both.
    let partial = Facts {
        carbon: None,
        insurer: Some(&unlined),
        ..bare
    };
    let outcome = evaluate(&built_in(), &partial);
    let rule = &outcome.rules[1];
    assert_eq!(rule.status, Status::NotMet);
    assert!(
        rule.reason.contains("; also not evaluable: "),
        "{}",
        rule.reason
    );
    assert_eq!(rule.conditions[0].status, Status::NotEvaluable);
    assert_eq!(rule.conditions[0].value, None);
    assert_eq!(rule.conditions[1].status, Status::NotMet);
}

#[test]
fn a_carbon_block_without_manure_management_cannot_say_how_manure_is_treated() {
    let annual = seed_annual();
    let mass_balance = seed_mass_balance();
    let mut carbon = seed_carbon(&annual, ManureSystem::CompostingInVessel);
    carbon.project_system = None;
    let facts = Facts {
        annual: &annual,
        mass_balance: &mass_balance,
        minimum_dscr: None,
        carbon: Some(&carbon),
        insurer: None,
    };
    assert_eq!(
        Metric::ProjectSystemIsComposting.value(&facts),
        Err("the carbon block has no manure_management module")
    );
    assert_eq!(
        Metric::MassBalanceCloses.value(&facts),
        Ok(Value::Boolean(true))
    );
}
