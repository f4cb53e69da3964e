//! What in a monitoring report deserves a human look: output the manure cannot make, intake
//! above the plant's size, periods that leave days out or count them twice, jumps from the
//! previous report, and figures assumed from the plan rather than reported. Each flag names
//! the report field and carries the numbers.

use rust_decimal::Decimal;

use super::super::Warning;
use super::super::assessment::AssessmentInput;
use super::super::carbon::CarbonEstimate;
use super::super::carbon::factor_id;
use super::super::economics::AnnualFigures;
use super::super::mass_balance::{self, MassBalanceInput};
use super::{ActualPeriod, DAYS_PER_PLAN_YEAR, Period, PreviousReport};

/// Derived figures in messages only; the outcome keeps them exact.
fn shown(value: Decimal) -> Decimal {
    value.round_dp(2).normalize()
}

fn per_day(total: Decimal, days: u32) -> Decimal {
    total / Decimal::from(days)
}

/// Flags that need only this report and its plan.
pub(super) fn of_report(
    plan: &AssessmentInput,
    actual: &ActualPeriod,
    manure_dry_matter_fraction: Decimal,
    period_totals: &AnnualFigures,
) -> Vec<Warning> {
    let mut flags = Vec::new();
    flags.extend(mass_balance(plan, actual, manure_dry_matter_fraction));
    flags.extend(above_capacity(plan, actual));
    flags.extend(operating_days(plan, actual));
    if actual.manure_dry_matter_fraction.is_none() {
        flags.push(Warning {
            code: "DRY_MATTER_FRACTION_FROM_PLAN",
            field: "actual.manure_dry_matter_fraction",
            message: format!(
                "no measured dry-matter fraction was reported, so the plan's {} is used for the \
                 mass balance and the achieved reduction",
                manure_dry_matter_fraction.normalize()
            ),
        });
    }
    if actual.operating_costs_cny.is_none() {
        flags.push(Warning {
            code: "OPERATING_COSTS_FROM_PLAN",
            field: "actual.operating_costs",
            message: format!(
                "no operating costs were reported, so the plan's {} cost line(s) on the period's \
                 tonnages are used: {} CNY",
                plan.operations.operating_costs.len(),
                shown(period_totals.operating_costs_total())
            ),
        });
    }
    flags
}

/// The plan's amendments and composting loss, applied per operating day of the period.
fn mass_balance(
    plan: &AssessmentInput,
    actual: &ActualPeriod,
    manure_dry_matter_fraction: Decimal,
) -> Option<Warning> {
    let product_max_moisture_fraction = plan
        .factor_set
        .get(factor_id::PRODUCT_MAX_MOISTURE)
        .map_or(Decimal::ZERO, |f| f.value);
    let balance = mass_balance::mass_balance(&MassBalanceInput {
        manure_fresh_t_per_day: per_day(actual.manure_fresh_t, actual.operating_days),
        manure_dry_matter_fraction,
        amendments: &plan.amendments,
        dry_matter_loss_fraction: plan.composting_dry_matter_loss_fraction,
        product_stated_t_per_day: per_day(actual.product_made_t, actual.operating_days),
        product_max_moisture_fraction,
    });
    if balance.closes {
        return None;
    }
    let loss = match balance.dry_matter_loss_fraction {
        Some(loss) => format!(
            "the plan's composting dry-matter loss of {}",
            loss.normalize()
        ),
        None => "no composting loss".to_owned(),
    };
    Some(Warning {
        code: "MASS_BALANCE_DOES_NOT_CLOSE",
        field: "actual.product_made_t",
        message: format!(
            "per operating day, {} t of dry matter (manure and the plan's amendments), with \
             {loss}, makes at most {} t of product at {} moisture, less than the {} t reported \
             ({} t over {} operating days): about {} t more dry matter a day was needed, or the \
             product or manure figure is wrong",
            shown(balance.manure_dry_matter_t_per_day + balance.amendments_dry_matter_t_per_day),
            shown(balance.product_capacity_t_per_day),
            balance.product_max_moisture_fraction.normalize(),
            shown(balance.product_stated_t_per_day),
            actual.product_made_t.normalize(),
            actual.operating_days,
            shown(balance.dry_matter_shortfall_t_per_day),
        ),
    })
}

fn above_capacity(plan: &AssessmentInput, actual: &ActualPeriod) -> Option<Warning> {
    let capacity = plan.operations.manure_fresh_t_per_day;
    let intake = per_day(actual.manure_fresh_t, actual.operating_days);
    (intake > capacity).then(|| Warning {
        code: "ABOVE_CAPACITY",
        field: "actual.manure_fresh_t",
        message: format!(
            "{} t of fresh manure over {} operating days is {} t a day, more than the {} t a \
             day the plan was sized for",
            actual.manure_fresh_t.normalize(),
            actual.operating_days,
            shown(intake),
            capacity.normalize()
        ),
    })
}

/// Plan figures are pro-rated by calendar days, so a plant running more of its days than the
/// plan said can beat the plan without treating more per day.
fn operating_days(plan: &AssessmentInput, actual: &ActualPeriod) -> Option<Warning> {
    let planned_days = plan.operations.operating_days_per_year;
    let period_days = actual.period.days();
    let above = u64::from(actual.operating_days) * u64::from(DAYS_PER_PLAN_YEAR)
        > u64::from(planned_days) * u64::from(period_days);
    above.then(|| Warning {
        code: "OPERATING_DAYS_ABOVE_PLAN_RATE",
        field: "actual.operating_days",
        message: format!(
            "the plant ran {} of the period's {period_days} days, a higher share than the plan's \
             {planned_days} operating days in {DAYS_PER_PLAN_YEAR}",
            actual.operating_days
        ),
    })
}

/// Days between the previous report's period and this one: left out, or counted twice.
pub(super) fn continuity(period: Period, previous: &PreviousReport) -> Option<Warning> {
    let before = previous.period;
    let shared_days =
        period.end.min(before.end).day_number() - period.start.max(before.start).day_number() + 1;
    if shared_days > 0 {
        return Some(Warning {
            code: "OVERLAPS_PREVIOUS_REPORT",
            field: "period_start",
            message: format!(
                "this period ({} to {}) shares {shared_days} day(s) with the previous report's \
                 ({} to {}): those days are counted twice",
                period.start, period.end, before.start, before.end
            ),
        });
    }
    if period.start > before.end {
        let missing_days = period.start.day_number() - before.end.day_number() - 1;
        return (missing_days > 0).then(|| Warning {
            code: "GAP_SINCE_PREVIOUS_REPORT",
            field: "period_start",
            message: format!(
                "the previous report's period ended on {}; this one starts on {}, so \
                 {missing_days} day(s) between them are in no report",
                before.end, period.start
            ),
        });
    }
    Some(Warning {
        code: "PRECEDES_PREVIOUS_REPORT",
        field: "period_end",
        message: format!(
            "this period ends on {}, before the previous report's period ({} to {}) begins: \
             reports are expected in order",
            period.end, before.start, before.end
        ),
    })
}

/// Per operating day, so that periods of different lengths compare.
pub(super) fn jumps(actual: &ActualPeriod, previous: &PreviousReport) -> Vec<Warning> {
    if previous.operating_days == 0 {
        return Vec::new();
    }
    let tolerance = actual.jump_tolerance_fraction;
    [
        (
            "actual.manure_fresh_t",
            "fresh manure",
            actual.manure_fresh_t,
            previous.manure_fresh_t,
        ),
        (
            "actual.product_made_t",
            "product made",
            actual.product_made_t,
            previous.product_made_t,
        ),
    ]
    .into_iter()
    .filter_map(|(field, what, now, before)| {
        let now_per_day = per_day(now, actual.operating_days);
        let before_per_day = per_day(before, previous.operating_days);
        let change = now_per_day - before_per_day;
        (change.abs() > tolerance * before_per_day).then(|| Warning {
            code: "IMPLAUSIBLE_JUMP",
            field,
            message: format!(
                "{what} per operating day went from {} t in the previous report to {} t, a \
                 change of {} t, more than {} of the previous figure",
                shown(before_per_day),
                shown(now_per_day),
                shown(change),
                tolerance.normalize()
            ),
        })
    })
    .collect()
}

pub(super) fn carbon(
    plan: &AssessmentInput,
    actual: &ActualPeriod,
    achieved: Option<&CarbonEstimate>,
) -> Vec<Warning> {
    let mut flags = Vec::new();
    if let Some(plan_carbon) = &plan.carbon
        && !plan_carbon.energy.is_empty()
        && actual.energy.is_empty()
    {
        flags.push(Warning {
            code: "ENERGY_NOT_REPORTED",
            field: "actual.energy",
            message: format!(
                "the plan counts {} energy line(s) against the reduction, but the report gives \
                 no energy use, so the achieved reduction counts none",
                plan_carbon.energy.len()
            ),
        });
    }
    if let Some(achieved) = achieved
        && achieved.emission_reduction_tco2e.central < Decimal::ZERO
    {
        flags.push(Warning {
            code: "ACHIEVED_REDUCTION_NEGATIVE",
            field: "",
            message: format!(
                "in this period the project emitted more than the baseline would have: the \
                 central emission reduction is {} t CO2e",
                achieved
                    .emission_reduction_tco2e
                    .central
                    .round_dp(3)
                    .normalize()
            ),
        });
    }
    flags
}

pub(super) fn rate_clamped(base_pct: Decimal, steps_bps: i64, stepped_pct: Decimal) -> Warning {
    Warning {
        code: "NEXT_RATE_CLAMPED_AT_ZERO",
        field: "",
        message: format!(
            "the plan's rate of {}% with KPI steps totalling {steps_bps} bps gives {}%; the \
             next period's rate is held at 0%",
            base_pct.normalize(),
            stepped_pct.normalize()
        ),
    }
}
