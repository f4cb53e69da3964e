//! SubmitMonitoringReportRequest -> the period's actual operations, checked against the plan
//! the report is for: its currency, its kind of fertilizer value, its factor set.

use rust_decimal::Decimal;

use super::carbon::energy_uses;
use super::{Checker, Range, SUPPORTED_CURRENCY, Violation};
use crate::domain::assessment::AssessmentInput;
use crate::domain::carbon::{EnergyUse, missing_energy_factors};
use crate::domain::economics::FertilizerValueKind;
use crate::domain::limits::*;
use crate::domain::monitoring::{ActualPeriod, DEFAULT_JUMP_TOLERANCE_FRACTION, Period};
use crate::pb;

/// Where the carbon estimate names a plan's energy lines; a report's are `actual.energy`.
const PLAN_ENERGY_FIELD: &str = "carbon.project_energy";
const ENERGY_FIELD: &str = "actual.energy";

/// Every field but `assessment_record_id` and `dry_run`, which are the handler's.
pub(crate) fn actual_period(
    request: &pb::SubmitMonitoringReportRequest,
    plan: &AssessmentInput,
) -> Result<ActualPeriod, Vec<Violation>> {
    let mut check = Checker {
        violations: Vec::new(),
        // The plan's currency, which is the one supported; amounts in another are refused.
        currency: Some((SUPPORTED_CURRENCY.to_owned(), "the assessment".to_owned())),
    };
    let period = period(&mut check, &request.period_start, &request.period_end);
    let jump_tolerance = match &request.jump_tolerance_fraction {
        None => Some(DEFAULT_JUMP_TOLERANCE_FRACTION),
        Some(tolerance) => check.decimal(
            "jump_tolerance_fraction",
            Some(tolerance),
            DSCR_DP,
            Range::non_negative(MAX_JUMP_TOLERANCE_FRACTION),
        ),
    };
    let actual = check
        .required("actual", request.actual.as_ref())
        .and_then(|actual| operations(&mut check, actual, plan, period, jump_tolerance));
    match actual {
        Some(actual) if check.violations.is_empty() => Ok(actual),
        _ => Err(check.violations),
    }
}

fn period(check: &mut Checker, start: &str, end: &str) -> Option<Period> {
    let start = check.date("period_start", start);
    let end = check.date("period_end", end);
    let period = Period {
        start: start?,
        end: end?,
    };
    let days = period.end.day_number() - period.start.day_number() + 1;
    if days < 1 {
        check.violation(
            "period_end",
            format!("must not be before period_start ({})", period.start),
        );
        return None;
    }
    if days > i64::from(MAX_PERIOD_DAYS) {
        check.violation(
            "period_end",
            format!(
                "the period must be at most {MAX_PERIOD_DAYS} days, both ends included (got \
                 {days})"
            ),
        );
        return None;
    }
    Some(period)
}

fn operations(
    check: &mut Checker,
    actual: &pb::ActualOperations,
    plan: &AssessmentInput,
    period: Option<Period>,
    jump_tolerance: Option<Decimal>,
) -> Option<ActualPeriod> {
    let max_days = period.map_or(MAX_PERIOD_DAYS, |p| p.days());
    let operating_days = check.whole("actual.operating_days", actual.operating_days, 1, max_days);
    let manure = check.decimal(
        "actual.manure_fresh_t",
        actual.manure_fresh_t.as_ref(),
        FINE_DP,
        Range::positive(MAX_T_PER_YEAR),
    );
    let dry_matter = match &actual.manure_dry_matter_fraction {
        None => Some(None),
        Some(fraction) => check
            .decimal(
                "actual.manure_dry_matter_fraction",
                Some(fraction),
                FINE_DP,
                Range::positive(1),
            )
            .map(Some),
    };
    let made = check.decimal(
        "actual.product_made_t",
        actual.product_made_t.as_ref(),
        FINE_DP,
        Range::non_negative(MAX_T_PER_YEAR),
    );
    // Sold may exceed made: stock made in an earlier period.
    let sold = check.decimal(
        "actual.product_sold_t",
        actual.product_sold_t.as_ref(),
        FINE_DP,
        Range::non_negative(MAX_T_PER_YEAR),
    );
    // As in the plan: a margin may be negative, a price may not.
    let value_range = match plan.operations.fertilizer_value_kind {
        FertilizerValueKind::Price => Range::non_negative(MAX_UNIT_AMOUNT_CNY_PER_T),
        FertilizerValueKind::UnitMargin => Range::symmetric(MAX_UNIT_AMOUNT_CNY_PER_T),
    };
    let value = check.money(
        "actual.realised_value_per_t_product",
        actual.realised_value_per_t_product.as_ref(),
        FINE_DP,
        value_range,
    );
    let energy = energy_uses(check, ENERGY_FIELD, &actual.energy)
        .filter(|energy| energy_fits_plan(check, plan, energy));
    let costs = match &actual.operating_costs {
        None => Some(None),
        Some(costs) => check
            .money(
                "actual.operating_costs",
                Some(costs),
                MONEY_AMOUNT_DP,
                Range::non_negative(MAX_LINE_AMOUNT_CNY),
            )
            .map(Some),
    };
    Some(ActualPeriod {
        period: period?,
        operating_days: operating_days?,
        manure_fresh_t: manure?,
        manure_dry_matter_fraction: dry_matter?,
        product_made_t: made?,
        product_sold_t: sold?,
        realised_value_cny_per_t_product: value?,
        energy: energy?,
        operating_costs_cny: costs?,
        jump_tolerance_fraction: jump_tolerance?,
    })
}

/// Energy counts only against a plan with a carbon estimate, and only with factors its set
/// (or its overrides) has: the plan's set is fixed once assessed.
fn energy_fits_plan(check: &mut Checker, plan: &AssessmentInput, energy: &[EnergyUse]) -> bool {
    if energy.is_empty() {
        return true;
    }
    let Some(plan_carbon) = &plan.carbon else {
        check.violation(
            ENERGY_FIELD,
            "the assessment has no carbon estimate, so energy use counts against nothing: \
             leave it out",
        );
        return false;
    };
    let missing = missing_energy_factors(plan_carbon, energy);
    for gap in &missing {
        let field = match gap.field.strip_prefix(PLAN_ENERGY_FIELD) {
            Some(rest) => format!("{ENERGY_FIELD}{rest}"),
            None => ENERGY_FIELD.to_owned(),
        };
        check.violation(
            field,
            format!(
                "the assessment's factor set {} has no factor {} and the assessment overrides \
                 none: report energy the set has a factor for (e.g. another factor_year)",
                plan_carbon.factor_set.name(),
                gap.factor_id
            ),
        );
    }
    missing.is_empty()
}
