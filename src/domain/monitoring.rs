//! A monitoring period measured against its plan: the plan's annual figures pro-rated to the
//! period beside what the plant really did, the reduction and the cash flow recomputed on the
//! plan's own method from the period's quantities, the debt service that fell due, the
//! sustainability-linked KPIs and the rate they lead to, and flags for a report that deserves a
//! second look. Exact throughout: rounding belongs to the adapter.

mod flags;

use rust_decimal::Decimal;

use super::assessment::{AssessError, Assessment, AssessmentInput, CashFlowBasis};
use super::calendar::Date;
use super::carbon::trace::Tracing;
use super::carbon::{self, CarbonEstimate, CarbonInput, EnergyUse};
use super::economics::{AnnualFigures, CostBasis};
use super::kpi::{Kpi, KpiMetric};
use super::{ComputeError, Warning};

pub const DAYS_PER_PLAN_YEAR: u32 = 365;

/// How a plan's annual figure becomes a period's.
pub const PRO_RATING: &str = "a plan figure for a monitoring period is the plan's annual figure \
x the period's calendar days (first and last day included) / 365, exact, whatever the plan's \
operating days a year; a 366-day period is held to 366/365 of a plan year. KPI targets, \
operating subsidies and per-year cost lines are pro-rated the same way";

pub const ACHIEVED_REDUCTION: &str = "the plan's carbon estimate (same factor set, GWP set, \
modules, systems, site parameters and overrides) run on the period's totals: fresh manure \
treated, its dry matter (the measured fraction, else the plan's), product made, and the \
energy reported for the period in place of the plan's energy lines";

pub const REALISED_CASH_FLOW: &str = "on the plan's cash-flow basis: product sold x realised \
value per t (of the plan's kind, price or unit margin) + the plan's operating subsidies x days \
/ 365 - operating costs (as reported, else the plan's cost lines on the period's tonnages: \
per-year lines x days / 365, per t fresh manure x manure treated, per t product x product \
made) + (INCREMENTAL only) manure treated x the plan's baseline treatment cost per t";

pub const DEBT_SERVICE_DUE: &str = "the instalments of the plan's schedule whose due date falls \
in the period, first and last day included; realised DSCR = realised cash flow / that sum, \
absent when nothing fell due";

pub const NEXT_RATE: &str = "the plan's annual rate + the sum of the KPI steps (the met step for \
a KPI whose actual is at least its period target, else the missed step) / 100, never below 0";

/// Used when a report gives no tolerance (the API documents the same default).
pub const DEFAULT_JUMP_TOLERANCE_FRACTION: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// Both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    /// Calendar days, first and last included; 0 for an end before the start.
    pub fn days(&self) -> u32 {
        u32::try_from(self.end.day_number() - self.start.day_number() + 1).unwrap_or(0)
    }

    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// The period's share of an annual figure, by `PRO_RATING`. At most 366/365 of an annual
    /// figure (the period is at most 366 days), so no overflow.
    pub fn pro_rated(&self, annual: Decimal) -> Decimal {
        annual * Decimal::from(self.days()) / Decimal::from(DAYS_PER_PLAN_YEAR)
    }
}

/// What the plant did in one period: totals for the period, not rates a year.
#[derive(Debug, Clone)]
pub struct ActualPeriod {
    pub period: Period,
    pub operating_days: u32,
    pub manure_fresh_t: Decimal,
    /// None: the plan's fraction.
    pub manure_dry_matter_fraction: Option<Decimal>,
    pub product_made_t: Decimal,
    pub product_sold_t: Decimal,
    /// Of the plan's kind (price or unit margin).
    pub realised_value_cny_per_t_product: Decimal,
    /// Amounts are the period's totals (the `_per_year` fields included).
    pub energy: Vec<EnergyUse>,
    /// None: the plan's cost lines on the period's tonnages.
    pub operating_costs_cny: Option<Decimal>,
    pub jump_tolerance_fraction: Decimal,
}

/// The report before this one, as far as continuity and jumps need it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousReport {
    pub period: Period,
    pub operating_days: u32,
    pub manure_fresh_t: Decimal,
    pub product_made_t: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    ManureTreated,
    ProductMade,
    EmissionReduction,
    CashFlow,
}

impl Figure {
    pub fn name(self) -> &'static str {
        match self {
            Figure::ManureTreated => "manure treated",
            Figure::ProductMade => "product made",
            Figure::EmissionReduction => "emission reduction",
            Figure::CashFlow => "cash flow",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Figure::ManureTreated => "t fresh manure",
            Figure::ProductMade => "t product",
            Figure::EmissionReduction => "t CO2e",
            Figure::CashFlow => "CNY",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanVsActual {
    pub figure: Figure,
    /// Pro-rated to the period.
    pub plan: Decimal,
    pub actual: Decimal,
    /// actual - plan.
    pub variance: Decimal,
    /// variance / plan x 100; None when the plan is 0, or so close to 0 that the percentage
    /// leaves the decimal range (then |plan| is below 1e-9, which every presentation shows as
    /// 0: the variance is at most 1e18 in any figure, see `PlanVsActual::new`).
    pub variance_pct: Option<Decimal>,
}

impl PlanVsActual {
    fn new(figure: Figure, plan: Decimal, actual: Decimal) -> PlanVsActual {
        // Plan and actual are each under 1e18 in magnitude (tonnes at most 3.66e7 a period,
        // cash flows under 2.5e15, reductions under 1e18), so the variance and its x 100 are
        // safe; the plan, pro-rated from an annual figure of 6-dp inputs, can be any tiny
        // non-zero value, so the division is checked.
        let variance = actual - plan;
        PlanVsActual {
            figure,
            plan,
            actual,
            variance,
            variance_pct: (variance * Decimal::ONE_HUNDRED).checked_div(plan),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiResult {
    pub name: String,
    pub metric: KpiMetric,
    /// annual_target x period days / 365.
    pub period_target: Decimal,
    pub actual: Decimal,
    /// actual >= period_target, exactly.
    pub met: bool,
    pub rate_step_bps: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringOutcome {
    pub period: Period,
    pub period_days: u32,
    /// The period's totals in the plan's shape: every `_per_year` field holds the period's total.
    pub period_totals: AnnualFigures,
    /// The fraction the dry matter was computed with (measured, else the plan's).
    pub manure_dry_matter_fraction: Decimal,
    pub figures: Vec<PlanVsActual>,
    /// None when the plan has no carbon estimate.
    pub achieved_carbon: Option<CarbonEstimate>,
    pub realised_cash_flow_cny: Decimal,
    pub debt_service_due_cny: Decimal,
    pub realised_dscr: Option<Decimal>,
    pub kpis: Vec<KpiResult>,
    pub base_annual_rate_pct: Decimal,
    pub next_period_annual_rate_pct: Decimal,
    pub jump_tolerance_fraction: Decimal,
    pub flags: Vec<Warning>,
}

/// One period against the plan `planned` was assessed from. `actual` must be valid for that
/// plan (the adapter checks it): at least one operating day, some manure, energy only with
/// factors the plan's set or overrides have.
pub fn monitor(
    plan: &AssessmentInput,
    planned: &Assessment,
    actual: &ActualPeriod,
    previous: Option<&PreviousReport>,
) -> Result<MonitoringOutcome, AssessError> {
    let period = actual.period;
    let period_days = period.days();
    // Per-day figures and the dry-matter fraction divide by these.
    if period_days == 0 || actual.operating_days == 0 || actual.manure_fresh_t <= Decimal::ZERO {
        return Err(ComputeError::Invariant(
            "a monitoring period needs days, operating days and manure",
        )
        .into());
    }
    let manure_dry_matter_fraction = actual
        .manure_dry_matter_fraction
        .unwrap_or(plan.operations.manure_dry_matter_fraction);
    let period_totals = period_totals(plan, actual, manure_dry_matter_fraction);
    let achieved_carbon = match &plan.carbon {
        None => None,
        Some(carbon_input) => Some(achieved_carbon(carbon_input, actual, &period_totals)?),
    };
    let realised_cash_flow_cny = match plan.appraisal.cash_flow_basis {
        CashFlowBasis::ProjectOnly => period_totals.project_only_cash_flow(),
        CashFlowBasis::Incremental => period_totals.incremental_cash_flow(),
    };
    let debt_service_due_cny: Decimal = planned
        .schedule
        .periods
        .iter()
        .filter(|p| period.contains(p.due_date))
        .map(|p| p.instalment_cny)
        .sum();
    let realised_dscr =
        (!debt_service_due_cny.is_zero()).then(|| realised_cash_flow_cny / debt_service_due_cny);

    let figures = plan_vs_actual(
        planned,
        actual,
        achieved_carbon.as_ref(),
        realised_cash_flow_cny,
    );

    let kpis = kpi_results(&plan.kpis, actual, achieved_carbon.as_ref())?;
    let base_annual_rate_pct = plan.loan.annual_rate_pct;
    let steps: i64 = kpis.iter().map(|k| i64::from(k.rate_step_bps)).sum();
    let stepped = base_annual_rate_pct + Decimal::new(steps, 2);
    let next_period_annual_rate_pct = stepped.max(Decimal::ZERO);

    let mut flags = flags::of_report(plan, actual, manure_dry_matter_fraction, &period_totals);
    flags.extend(previous.and_then(|p| flags::continuity(period, p)));
    flags.extend(previous.into_iter().flat_map(|p| flags::jumps(actual, p)));
    flags.extend(flags::carbon(plan, actual, achieved_carbon.as_ref()));
    if stepped < Decimal::ZERO {
        flags.push(flags::rate_clamped(base_annual_rate_pct, steps, stepped));
    }

    Ok(MonitoringOutcome {
        period,
        period_days,
        period_totals,
        manure_dry_matter_fraction,
        figures,
        achieved_carbon,
        realised_cash_flow_cny,
        debt_service_due_cny,
        realised_dscr,
        kpis,
        base_annual_rate_pct,
        next_period_annual_rate_pct,
        jump_tolerance_fraction: actual.jump_tolerance_fraction,
        flags,
    })
}

/// Each plan figure pro-rated to the period beside the period's own; the emission reduction
/// only when the plan estimated one.
fn plan_vs_actual(
    planned: &Assessment,
    actual: &ActualPeriod,
    achieved: Option<&CarbonEstimate>,
    realised_cash_flow_cny: Decimal,
) -> Vec<PlanVsActual> {
    let period = actual.period;
    let mut figures = vec![
        PlanVsActual::new(
            Figure::ManureTreated,
            period.pro_rated(planned.annual.manure_fresh_t_per_year),
            actual.manure_fresh_t,
        ),
        PlanVsActual::new(
            Figure::ProductMade,
            period.pro_rated(planned.annual.product_t_per_year),
            actual.product_made_t,
        ),
    ];
    if let (Some((plan_estimate, _)), Some(achieved)) = (&planned.carbon, achieved) {
        figures.push(PlanVsActual::new(
            Figure::EmissionReduction,
            period.pro_rated(plan_estimate.emission_reduction_tco2e.central),
            achieved.emission_reduction_tco2e.central,
        ));
    }
    figures.push(PlanVsActual::new(
        Figure::CashFlow,
        period.pro_rated(planned.annual_cash_flow_cny),
        realised_cash_flow_cny,
    ));
    figures
}

/// The period's quantities and amounts in the plan's AnnualFigures shape, so that the plan's
/// own cash-flow definitions and carbon method apply to them unchanged.
fn period_totals(
    plan: &AssessmentInput,
    actual: &ActualPeriod,
    manure_dry_matter_fraction: Decimal,
) -> AnnualFigures {
    let ops = &plan.operations;
    let period = actual.period;
    let operating_costs = match actual.operating_costs_cny {
        Some(reported) => vec![reported],
        None => ops
            .operating_costs
            .iter()
            .map(|cost| match cost.basis {
                CostBasis::PerYear => period.pro_rated(cost.cny),
                CostBasis::PerTonneFreshManure => cost.cny * actual.manure_fresh_t,
                CostBasis::PerTonneProduct => cost.cny * actual.product_made_t,
            })
            .collect(),
    };
    AnnualFigures {
        manure_fresh_t_per_year: actual.manure_fresh_t,
        manure_dry_matter_t_per_year: actual.manure_fresh_t * manure_dry_matter_fraction,
        product_t_per_year: actual.product_made_t,
        baseline_treatment_cost_cny_per_year: actual.manure_fresh_t
            * ops.baseline_treatment_cost_cny_per_t_fresh_manure,
        fertilizer_income_cny_per_year: actual.product_sold_t
            * actual.realised_value_cny_per_t_product,
        operating_costs_cny_per_year: operating_costs,
        operating_subsidies_cny_per_year: ops
            .annual_operating_subsidies
            .iter()
            .map(|s| period.pro_rated(s.cny))
            .collect(),
    }
}

/// By `ACHIEVED_REDUCTION`.
fn achieved_carbon(
    plan_carbon: &CarbonInput,
    actual: &ActualPeriod,
    period_totals: &AnnualFigures,
) -> Result<CarbonEstimate, AssessError> {
    let input = CarbonInput {
        energy: actual.energy.clone(),
        ..plan_carbon.clone()
    };
    // The monitoring result reports the figures, not the steps.
    carbon::estimate(
        &input,
        period_totals,
        actual.operating_days,
        Tracing::Skipped,
    )
    .map_err(AssessError::MissingFactors)
}

fn kpi_results(
    kpis: &[Kpi],
    actual: &ActualPeriod,
    achieved: Option<&CarbonEstimate>,
) -> Result<Vec<KpiResult>, AssessError> {
    kpis.iter()
        .map(|kpi| {
            let value = match kpi.metric {
                KpiMetric::ManureTreatedT => actual.manure_fresh_t,
                KpiMetric::ProductMadeT => actual.product_made_t,
                KpiMetric::EmissionReductionTco2e => achieved
                    .map(|e| e.emission_reduction_tco2e.central)
                    .ok_or(ComputeError::Invariant(
                        "an emission-reduction KPI on a plan without a carbon estimate",
                    ))?,
            };
            let period_target = actual.period.pro_rated(kpi.annual_target);
            let met = value >= period_target;
            Ok(KpiResult {
                name: kpi.name.clone(),
                metric: kpi.metric,
                period_target,
                actual: value,
                met,
                rate_step_bps: if met {
                    kpi.rate_step_bps_if_met
                } else {
                    kpi.rate_step_bps_if_missed
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
