//! SubmitMonitoringReport's wire side: a report -> the period's actual operations (every
//! violation, with its field path), a stored report -> what the next one is compared with, and
//! the outcome -> MonitoringResult, rounded here and only here by the plan's Presenter.

use crate::domain::METHODOLOGY_VERSION;
use crate::domain::assessment::AssessmentInput;
use crate::domain::calendar::Date;
use crate::domain::carbon::bounds::Bounds;
use crate::domain::decimal_text::parse_decimal;
use crate::domain::kpi::KpiMetric;
use crate::domain::limits::FINE_DP;
use crate::domain::monitoring::{
    ActualPeriod, Figure, KpiResult, MonitoringOutcome, Period, PlanVsActual, PreviousReport,
};
use crate::domain::presentation::{Presenter, exact};
use crate::pb;

use super::request::{self, Violation};
use super::response::{FEN_DP, text, warning};

/// The report checked against `plan` (the stored assessment's input). `assessment_record_id`
/// and `dry_run` are left to the handler.
pub fn to_domain(
    request: &pb::SubmitMonitoringReportRequest,
    plan: &AssessmentInput,
) -> Result<ActualPeriod, Vec<Violation>> {
    request::actual_period(request, plan)
}

/// What the next report is compared with. `stored` passed `to_domain` when it was stored, so
/// None means a corrupt record, not a caller's mistake.
pub fn previous_from(stored: &pb::SubmitMonitoringReportRequest) -> Option<PreviousReport> {
    let actual = stored.actual.as_ref()?;
    let tonnes = |value: Option<&pb::Decimal>| parse_decimal(&value?.value, FINE_DP).ok();
    Some(PreviousReport {
        period: Period {
            start: Date::parse(&stored.period_start).ok()?,
            end: Date::parse(&stored.period_end).ok()?,
        },
        operating_days: actual.operating_days,
        manure_fresh_t: tonnes(actual.manure_fresh_t.as_ref())?,
        product_made_t: tonnes(actual.product_made_t.as_ref())?,
    })
}

/// Money at money_dp (the debt service in fen, as the schedule it sums), tonnes and t CO2e at
/// emissions_dp, ratios and percentages at ratio_dp; rates and the tolerance exact.
pub fn build(
    request: &pb::SubmitMonitoringReportRequest,
    plan: &AssessmentInput,
    outcome: &MonitoringOutcome,
    presenter: &Presenter,
) -> pb::MonitoringResult {
    let achieved = outcome.achieved_carbon.as_ref();
    pb::MonitoringResult {
        assessment_record_id: request.assessment_record_id.clone(),
        period_start: outcome.period.start.to_string(),
        period_end: outcome.period.end.to_string(),
        period_days: outcome.period_days,
        methodology_version: METHODOLOGY_VERSION.to_owned(),
        factor_set: plan.factor_set.name(),
        figures: outcome
            .figures
            .iter()
            .map(|f| plan_vs_actual(f, presenter))
            .collect(),
        achieved_emission_reduction_tco2e: achieved
            .map(|e| tco2e_bounds(&e.emission_reduction_tco2e, presenter)),
        achieved_total_tco2e: achieved.map(|e| tco2e_bounds(&e.total_tco2e, presenter)),
        realised_cash_flow_cny: text(presenter.money(outcome.realised_cash_flow_cny)),
        debt_service_due_cny: text(
            presenter
                .round(outcome.debt_service_due_cny, FEN_DP)
                .to_string(),
        ),
        realised_dscr: outcome.realised_dscr.and_then(|d| text(presenter.ratio(d))),
        flags: outcome.flags.iter().cloned().map(warning).collect(),
        kpis: outcome
            .kpis
            .iter()
            .map(|k| kpi_result(k, presenter))
            .collect(),
        base_annual_rate_pct: text(exact(outcome.base_annual_rate_pct)),
        next_period_annual_rate_pct: text(exact(outcome.next_period_annual_rate_pct)),
        jump_tolerance_fraction: text(exact(outcome.jump_tolerance_fraction)),
    }
}

fn plan_vs_actual(row: &PlanVsActual, presenter: &Presenter) -> pb::PlanVsActual {
    let dp = match row.figure {
        Figure::CashFlow => presenter.money_dp,
        Figure::ManureTreated | Figure::ProductMade | Figure::EmissionReduction => {
            presenter.emissions_dp
        }
    };
    let plan = presenter.round(row.plan, dp);
    let actual = presenter.round(row.actual, dp);
    // The difference of the shown figures, so that the row checks by subtraction.
    let variance = presenter.round(actual - plan, dp);
    pb::PlanVsActual {
        name: row.figure.name().to_owned(),
        unit: row.figure.unit().to_owned(),
        plan: text(plan.to_string()),
        actual: text(actual.to_string()),
        variance: text(variance.to_string()),
        variance_pct: row.variance_pct.and_then(|p| text(presenter.ratio(p))),
    }
}

fn tco2e_bounds(bounds: &Bounds, presenter: &Presenter) -> pb::Bounds {
    pb::Bounds {
        low: text(presenter.emissions(bounds.low)),
        central: text(presenter.emissions(bounds.central)),
        high: text(presenter.emissions(bounds.high)),
    }
}

fn kpi_result(kpi: &KpiResult, presenter: &Presenter) -> pb::KpiResult {
    pb::KpiResult {
        name: kpi.name.clone(),
        metric: kpi_metric(kpi.metric) as i32,
        period_target: text(presenter.emissions(kpi.period_target)),
        actual: text(presenter.emissions(kpi.actual)),
        met: kpi.met,
        rate_step_bps: kpi.rate_step_bps,
    }
}

fn kpi_metric(metric: KpiMetric) -> pb::KpiMetric {
    match metric {
        KpiMetric::ManureTreatedT => pb::KpiMetric::ManureTreatedT,
        KpiMetric::ProductMadeT => pb::KpiMetric::ProductMadeT,
        KpiMetric::EmissionReductionTco2e => pb::KpiMetric::EmissionReductionTco2e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::assess;
    use crate::domain::carbon::factor_set::FactorLibrary;
    use crate::domain::lpr::LprTable;
    use crate::domain::monitoring::{DEFAULT_JUMP_TOLERANCE_FRACTION, monitor};

    /// The README's seed case (with its carbon block) as the stored plan.
    fn seed_plan(carbon: bool) -> (AssessmentInput, Presenter) {
        let mut request = crate::json::assess_request_from_json(include_str!(
            "../../examples/leshan-yaqing.json"
        ))
        .unwrap();
        if !carbon {
            request.carbon = None;
        }
        request::to_domain(&request, &LprTable::embedded(), &FactorLibrary::built_in()).unwrap()
    }

    fn decimal(value: &str) -> Option<pb::Decimal> {
        Some(pb::Decimal {
            value: value.to_owned(),
        })
    }

    fn money(currency: &str, amount: &str) -> Option<pb::Money> {
        Some(pb::Money {
            currency_code: currency.to_owned(),
            amount: decimal(amount),
        })
    }

    fn electricity(kwh: &str, factor_year: u32) -> pb::EnergyUse {
        pb::EnergyUse {
            name: "fans".to_owned(),
            r#use: Some(pb::energy_use::Use::Electricity(pb::ElectricityUse {
                kwh_per_year: decimal(kwh),
                region: pb::GridRegion::CnSichuan as i32,
                factor_year,
            })),
        }
    }

    /// The third quarter of 2025, a little under the plan.
    fn report() -> pb::SubmitMonitoringReportRequest {
        pb::SubmitMonitoringReportRequest {
            assessment_record_id: "rec-1".to_owned(),
            period_start: "2025-07-01".to_owned(),
            period_end: "2025-09-30".to_owned(),
            actual: Some(pb::ActualOperations {
                operating_days: 90,
                manure_fresh_t: decimal("7800"),
                manure_dry_matter_fraction: None,
                product_made_t: decimal("2700"),
                product_sold_t: decimal("2500"),
                realised_value_per_t_product: money("CNY", "250"),
                energy: vec![],
                operating_costs: None,
            }),
            jump_tolerance_fraction: None,
            dry_run: false,
        }
    }

    fn violated_fields(
        request: &pb::SubmitMonitoringReportRequest,
        plan: &AssessmentInput,
    ) -> Vec<String> {
        let mut fields: Vec<String> = to_domain(request, plan)
            .expect_err("the report is invalid")
            .into_iter()
            .map(|v| v.field)
            .collect();
        fields.sort();
        fields
    }

    fn actual(request: &mut pb::SubmitMonitoringReportRequest) -> &mut pb::ActualOperations {
        request.actual.as_mut().unwrap()
    }

    #[test]
    fn a_valid_report_converts_with_the_default_tolerance() {
        let (plan, _) = seed_plan(true);
        let mut request = report();
        actual(&mut request).energy = vec![electricity("12000", 0)];
        let period = to_domain(&request, &plan).unwrap();
        assert_eq!(period.period.days(), 92);
        assert_eq!(period.operating_days, 90);
        assert_eq!(period.manure_dry_matter_fraction, None);
        assert_eq!(period.operating_costs_cny, None);
        assert_eq!(period.energy.len(), 1);
        assert_eq!(
            period.jump_tolerance_fraction,
            DEFAULT_JUMP_TOLERANCE_FRACTION
        );
        assert_eq!(DEFAULT_JUMP_TOLERANCE_FRACTION.to_string(), "0.5");
    }

    #[test]
    fn every_violation_is_reported_with_its_path() {
        let (plan, _) = seed_plan(true);
        let mut request = report();
        request.period_end = "2025-06-30".to_owned();
        request.jump_tolerance_fraction = decimal("10.5");
        let ops = actual(&mut request);
        ops.operating_days = 0;
        ops.manure_fresh_t = decimal("0");
        ops.manure_dry_matter_fraction = decimal("1.5");
        ops.product_made_t = decimal("-1");
        ops.product_sold_t = None;
        ops.realised_value_per_t_product = money("USD", "250");
        ops.operating_costs = money("CNY", "1.234");
        ops.energy = vec![electricity("0", 0)];
        assert_eq!(
            violated_fields(&request, &plan),
            [
                "actual.energy[0].electricity.kwh_per_year",
                "actual.manure_dry_matter_fraction",
                "actual.manure_fresh_t",
                "actual.operating_costs.amount",
                "actual.operating_days",
                "actual.product_made_t",
                "actual.product_sold_t",
                "actual.realised_value_per_t_product.currency_code",
                "jump_tolerance_fraction",
                "period_end",
            ]
        );
    }

    #[test]
    fn the_period_is_at_most_366_days_and_operating_days_fit_in_it() {
        let (plan, _) = seed_plan(true);
        let mut request = report();
        request.period_start = "2024-01-01".to_owned();
        request.period_end = "2025-01-01".to_owned();
        assert_eq!(violated_fields(&request, &plan), ["period_end"]);

        let mut request = report();
        actual(&mut request).operating_days = 93;
        let violations = to_domain(&request, &plan).unwrap_err();
        assert_eq!(violations[0].field, "actual.operating_days");
        assert!(violations[0].description.contains("1 to 92"));

        let mut request = report();
        request.period_start = "2025-7-01".to_owned();
        request.actual = None;
        assert_eq!(violated_fields(&request, &plan), ["actual", "period_start"]);
    }

    #[test]
    fn energy_needs_the_plans_carbon_block_and_a_factor_its_set_has() {
        let (plan, _) = seed_plan(true);
        let mut request = report();
        actual(&mut request).energy = vec![electricity("12000", 2022), electricity("1", 1999)];
        let violations = to_domain(&request, &plan).unwrap_err();
        assert_eq!(violations.len(), 1);
        assert_eq!(
            violations[0].field,
            "actual.energy[1].electricity.factor_year"
        );
        assert!(violations[0].description.contains("grid.sichuan.1999"));

        let (plan, _) = seed_plan(false);
        actual(&mut request).energy = vec![electricity("12000", 2022)];
        assert_eq!(violated_fields(&request, &plan), ["actual.energy"]);
    }

    #[test]
    fn a_price_plan_refuses_a_negative_realised_value_but_a_margin_plan_takes_it() {
        let (mut plan, _) = seed_plan(true);
        let mut request = report();
        actual(&mut request).realised_value_per_t_product = money("CNY", "-5");
        assert!(to_domain(&request, &plan).is_ok());
        plan.operations.fertilizer_value_kind =
            crate::domain::economics::FertilizerValueKind::Price;
        assert_eq!(
            violated_fields(&request, &plan),
            ["actual.realised_value_per_t_product.amount"]
        );
    }

    #[test]
    fn a_stored_report_becomes_the_previous_one() {
        let previous = previous_from(&report()).unwrap();
        assert_eq!(previous.period.days(), 92);
        assert_eq!(previous.operating_days, 90);
        assert_eq!(previous.manure_fresh_t.to_string(), "7800");
        assert_eq!(previous.product_made_t.to_string(), "2700");
        let mut corrupt = report();
        corrupt.period_end = String::new();
        assert_eq!(previous_from(&corrupt), None);
    }

    #[test]
    fn the_result_is_rounded_by_the_plans_presenter() {
        let (plan, presenter) = seed_plan(true);
        let planned = assess(&plan, &LprTable::embedded()).unwrap();
        let mut request = report();
        request.jump_tolerance_fraction = decimal("0.25");
        let actual = to_domain(&request, &plan).unwrap();
        let outcome = monitor(&plan, &planned, &actual, None).unwrap();
        let result = build(&request, &plan, &outcome, &presenter);

        let value = |d: &Option<pb::Decimal>| d.as_ref().map(|d| d.value.clone());
        assert_eq!(result.assessment_record_id, "rec-1");
        assert_eq!(result.period_days, 92);
        assert_eq!(result.methodology_version, METHODOLOGY_VERSION);
        assert_eq!(result.factor_set, plan.factor_set.name());
        // name, plan, actual, variance %
        let rows: Vec<[Option<String>; 4]> = result
            .figures
            .iter()
            .map(|f| {
                [
                    Some(f.name.clone()),
                    value(&f.plan),
                    value(&f.actual),
                    value(&f.variance_pct),
                ]
            })
            .collect();
        let row = |name: &str, plan: &str, actual: &str, pct: &str| {
            [name, plan, actual, pct].map(|s| Some(s.to_owned()))
        };
        assert_eq!(
            rows[0],
            row("manure treated", "8280.000", "7800.000", "-5.7971")
        );
        assert_eq!(
            rows[1],
            row("product made", "2760.000", "2700.000", "-2.1739")
        );
        assert_eq!(rows[2][0].as_deref(), Some("emission reduction"));
        assert_eq!(
            rows[3],
            row("cash flow", "1048800.00", "937000.00", "-10.6598")
        );
        for f in &result.figures {
            let shown = |d: &Option<pb::Decimal>| -> rust_decimal::Decimal {
                d.as_ref().unwrap().value.parse().unwrap()
            };
            assert_eq!(shown(&f.variance), shown(&f.actual) - shown(&f.plan));
        }
        assert_eq!(value(&result.realised_cash_flow_cny).unwrap(), "937000.00");
        assert_eq!(value(&result.debt_service_due_cny).unwrap(), "333791.40");
        assert_eq!(value(&result.realised_dscr).unwrap(), "2.8071");
        assert_eq!(value(&result.base_annual_rate_pct).unwrap(), "3.45");
        assert_eq!(value(&result.next_period_annual_rate_pct).unwrap(), "3.45");
        assert_eq!(value(&result.jump_tolerance_fraction).unwrap(), "0.25");
        let reduction = result.achieved_emission_reduction_tco2e.unwrap();
        assert_eq!(
            value(&reduction.central)
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .len(),
            3
        );
        assert!(result.achieved_total_tco2e.is_some());
        assert!(
            result
                .flags
                .iter()
                .any(|f| f.code == "DRY_MATTER_FRACTION_FROM_PLAN")
        );
    }
}
