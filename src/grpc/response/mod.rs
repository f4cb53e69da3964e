//! Domain assessment -> AssessResponse. The only place results are rounded: every figure
//! goes through the request's Presenter, and parts shown with totals are allocated to sum.

mod carbon;
mod views;
mod write_out;

pub use write_out::write_out;

use rust_decimal::Decimal;

use crate::domain::assessment::{
    Assessment, AssessmentInput, BREAK_EVEN_CONDITION, CashFlowBasis, RateSource,
};
use crate::domain::decimal_text::{same_bits, to_text};
use crate::domain::economics::{AnnualFigures, FertilizerValueKind, TONNE_BASES, TonneBasis};
use crate::domain::loan::SCHEDULE_CONVENTION;
use crate::domain::lpr::{LprTable, LprTenor};
use crate::domain::presentation::{Presenter, RoundingRule, exact};
use crate::domain::returns::IRR_METHOD;
use crate::domain::{METHODOLOGY_VERSION, Warning};
use crate::pb;

use super::request::SUPPORTED_CURRENCY;

/// Loan schedule amounts are in fen by the schedule convention, whatever money_dp says.
pub(super) const FEN_DP: u32 = 2;

pub(super) fn text(value: String) -> Option<pb::Decimal> {
    Some(pb::Decimal { value })
}

/// An exact value on the wire, without trailing zeros (inputs, trace values, echoed figures).
pub(super) fn exact_text(value: Decimal) -> Option<pb::Decimal> {
    text(exact(value))
}

/// What an answer holds (`AssessmentView`): BASIC leaves out the schedule's rows and the carbon
/// trace with the factors it used (most of a response's bytes, and most of the work of
/// presenting it); FULL has them, referring to the methodology's and the factor set's texts by
/// id; SELF_CONTAINED writes those texts out (`write_out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Basic,
    Full,
    SelfContained,
}

impl View {
    /// The view `value` (an `AssessmentView` number) names, `default` for UNSPECIFIED; None for
    /// a number the enum lacks.
    pub fn named(value: i32, default: View) -> Option<View> {
        match pb::AssessmentView::try_from(value).ok()? {
            pb::AssessmentView::Unspecified => Some(default),
            pb::AssessmentView::Basic => Some(View::Basic),
            pb::AssessmentView::Full => Some(View::Full),
            pb::AssessmentView::SelfContained => Some(View::SelfContained),
        }
    }

    /// Whether the answer has the schedule rows, the trace and the factors.
    pub fn detailed(self) -> bool {
        self != View::Basic
    }
}

/// A FULL response cut to BASIC: the schedule's rows, the trace and the factors left out.
pub fn trim_to_basic(response: &mut pb::AssessResponse) {
    if let Some(loan) = response.loan.as_mut() {
        loan.periods.clear();
    }
    if let Some(carbon) = response.carbon.as_mut() {
        carbon.trace.clear();
        carbon.factors_used.clear();
    }
}

/// Consumes the assessment so that its trace and factor texts move into the response rather
/// than being copied.
pub fn build(
    request: &pb::AssessRequest,
    input: &AssessmentInput,
    assessment: Assessment,
    presenter: &Presenter,
    lpr_table: &LprTable,
    detailed: bool,
) -> pb::AssessResponse {
    let cash_flow = annual_cash_flow(input, &assessment.annual, presenter);
    let loan = loan_schedule(input, &assessment, presenter, lpr_table, detailed);
    let cost_to_revenue = cost_to_revenue(input, &assessment.annual, &cash_flow, presenter);
    let debt_service_cover = debt_service_cover(input, &assessment, presenter);
    let investment_returns = investment_returns(input, &assessment, presenter);
    let mass_balance = carbon::mass_balance(&assessment.mass_balance, presenter);
    pb::AssessResponse {
        methodology_version: METHODOLOGY_VERSION.to_owned(),
        reference_data_version: format!("{}/{}", lpr_table.id, lpr_table.version),
        currency_code: SUPPORTED_CURRENCY.to_owned(),
        presentation: Some(pb::AppliedPresentation {
            money_dp: presenter.money_dp,
            ratio_dp: presenter.ratio_dp,
            emissions_dp: presenter.emissions_dp,
            rounding_rule: rounding_rule(presenter.rule) as i32,
            description: presenter.description(),
        }),
        borrower_id: request.borrower_id.clone(),
        project_id: request.project_id.clone(),
        stated_assumptions: request.stated_assumptions.clone(),
        loan: Some(loan),
        cost_to_revenue: Some(cost_to_revenue),
        debt_service_cover: Some(debt_service_cover),
        investment_returns: Some(investment_returns),
        annual_cash_flow: Some(cash_flow.message),
        warnings: assessment.warnings.into_iter().map(warning).collect(),
        factor_set: input.factor_set.name(),
        mass_balance: Some(mass_balance),
        carbon: assessment.carbon.map(|(estimate, attribution)| {
            carbon::carbon_result(estimate, &attribution, presenter, detailed)
        }),
        record: None,
        insurer_view: assessment.insurer.as_ref().map(views::insurer_view),
        eligibility: assessment.eligibility.as_ref().map(views::eligibility),
    }
}

fn rounding_rule(rule: RoundingRule) -> pb::RoundingRule {
    match rule {
        RoundingRule::HalfAwayFromZero => pb::RoundingRule::HalfAwayFromZero,
        RoundingRule::HalfEven => pb::RoundingRule::HalfEven,
        RoundingRule::TowardZero => pb::RoundingRule::TowardZero,
    }
}

fn cash_flow_basis(basis: CashFlowBasis) -> i32 {
    match basis {
        CashFlowBasis::ProjectOnly => pb::CashFlowBasis::ProjectOnly as i32,
        CashFlowBasis::Incremental => pb::CashFlowBasis::Incremental as i32,
    }
}

fn fertilizer_kind(kind: FertilizerValueKind) -> i32 {
    match kind {
        FertilizerValueKind::Price => pb::FertilizerValueKind::Price as i32,
        FertilizerValueKind::UnitMargin => pb::FertilizerValueKind::UnitMargin as i32,
    }
}

pub(super) fn warning(w: Warning) -> pb::Warning {
    pb::Warning {
        code: w.code.to_owned(),
        field: w.field.to_owned(),
        message: w.message,
    }
}

/// The last value a schedule column wrote, with its text, for a row that repeats it.
#[derive(Default)]
struct Written(Option<(Decimal, String)>);

impl Written {
    /// `value`'s text, taken from the remembered one when it has the same bits.
    fn take(&mut self, value: Decimal, write: impl Fn(Decimal) -> String) -> String {
        match self.0.take() {
            Some((last, text)) if same_bits(last, value) => text,
            _ => write(value),
        }
    }

    /// `value`'s text, copied from the remembered one when it has the same bits; otherwise
    /// written and remembered.
    fn repeat(&mut self, value: Decimal, write: impl Fn(Decimal) -> String) -> String {
        match &self.0 {
            Some((last, text)) if same_bits(*last, value) => text.clone(),
            _ => self.remember(value, write),
        }
    }

    /// `value`'s text, written and remembered for the next row.
    fn remember(&mut self, value: Decimal, write: impl Fn(Decimal) -> String) -> String {
        let text = write(value);
        self.0 = Some((value, text.clone()));
        text
    }
}

fn loan_schedule(
    input: &AssessmentInput,
    assessment: &Assessment,
    presenter: &Presenter,
    lpr_table: &LprTable,
    detailed: bool,
) -> pb::LoanSchedule {
    let fen = |d: Decimal| to_text(presenter.round(d, FEN_DP));
    let schedule = &assessment.schedule;
    let rate_source = match &input.rate_source {
        RateSource::Fixed => pb::loan_schedule::RateSource::Fixed(pb::FixedRateSource {}),
        RateSource::Lpr {
            tenor,
            fixing,
            spread_bps,
            ..
        } => pb::loan_schedule::RateSource::Lpr(pb::LprRateSource {
            tenor: match tenor {
                LprTenor::OneYear => pb::LprTenor::LprTenor1y,
                LprTenor::FiveYearPlus => pb::LprTenor::LprTenor5yPlus,
            } as i32,
            lpr_pct: exact_text(fixing.pct(*tenor)),
            lpr_announced_on: fixing.announced_on.to_string(),
            spread_bps: *spread_bps,
            source: lpr_table.source.clone(),
        }),
    };
    let periods = if detailed {
        // A row opens on the balance the row before closed on, and a level instalment repeats:
        // the same bits are the same text, copied rather than written again.
        let mut closing = Written::default();
        let mut instalment = Written::default();
        schedule
            .periods
            .iter()
            .map(|p| pb::SchedulePeriod {
                number: p.number,
                due_date: p.due_date.to_text(),
                loan_year: p.loan_year,
                opening_balance_cny: text(closing.take(p.opening_balance_cny, fen)),
                interest_cny: text(fen(p.interest_cny)),
                principal_cny: text(fen(p.principal_cny)),
                instalment_cny: text(instalment.repeat(p.instalment_cny, fen)),
                closing_balance_cny: text(closing.remember(p.closing_balance_cny, fen)),
            })
            .collect()
    } else {
        Vec::new()
    };
    pb::LoanSchedule {
        annual_rate_pct: exact_text(input.loan.annual_rate_pct),
        rate_source: Some(rate_source),
        convention: SCHEDULE_CONVENTION.to_owned(),
        period_count: schedule.periods.len() as u32,
        periods,
        total_interest_cny: text(fen(schedule.total_interest_cny)),
        total_principal_cny: text(fen(schedule.total_principal_cny)),
        total_instalments_cny: text(fen(schedule.total_instalments_cny)),
    }
}

/// The cash-flow block, plus the shown income and avoided-cost figures so that the
/// cost-to-revenue block repeats exactly the same numbers.
struct PresentedCashFlow {
    message: pb::AnnualCashFlow,
    fertilizer_income: String,
    avoided_baseline_cost: String,
}

fn annual_cash_flow(
    input: &AssessmentInput,
    annual: &AnnualFigures,
    presenter: &Presenter,
) -> PresentedCashFlow {
    let ops = &input.operations;
    let mut lines: Vec<(pb::CashFlowLineKind, String, Decimal)> = Vec::new();
    let income_name = match ops.fertilizer_value_kind {
        FertilizerValueKind::Price => "fertilizer revenue",
        FertilizerValueKind::UnitMargin => "fertilizer gross margin",
    };
    lines.push((
        pb::CashFlowLineKind::FertilizerIncome,
        income_name.to_owned(),
        annual.fertilizer_income_cny_per_year,
    ));
    for (subsidy, amount) in ops
        .annual_operating_subsidies
        .iter()
        .zip(&annual.operating_subsidies_cny_per_year)
    {
        lines.push((
            pb::CashFlowLineKind::OperatingSubsidy,
            subsidy.name.clone(),
            *amount,
        ));
    }
    for (cost, amount) in ops
        .operating_costs
        .iter()
        .zip(&annual.operating_costs_cny_per_year)
    {
        lines.push((
            pb::CashFlowLineKind::OperatingCost,
            cost.name.clone(),
            -*amount,
        ));
    }
    let project_only = annual.project_only_cash_flow();
    let avoided = annual.baseline_treatment_cost_cny_per_year;
    let dp = presenter.money_dp;
    // The basis the lender chose gets the correctly rounded total; the other is derived.
    let (project_only_shown, avoided_shown) = match input.appraisal.cash_flow_basis {
        CashFlowBasis::Incremental => {
            let total = presenter.round(project_only + avoided, dp);
            let split = presenter.allocate(&[project_only, avoided], total, dp);
            (split[0], split[1])
        }
        CashFlowBasis::ProjectOnly => (
            presenter.round(project_only, dp),
            presenter.round(avoided, dp),
        ),
    };
    let exact_parts: Vec<Decimal> = lines.iter().map(|line| line.2).collect();
    let shown = presenter.allocate(&exact_parts, project_only_shown, dp);
    let fertilizer_income = to_text(shown[0]);
    let mut message_lines: Vec<pb::CashFlowLine> = lines
        .into_iter()
        .zip(shown)
        .map(|((kind, name, _), amount)| pb::CashFlowLine {
            kind: kind as i32,
            name,
            cny_per_year: text(to_text(amount)),
        })
        .collect();
    message_lines.push(pb::CashFlowLine {
        kind: pb::CashFlowLineKind::AvoidedBaselineCost as i32,
        name: "baseline treatment cost avoided".to_owned(),
        cny_per_year: text(to_text(avoided_shown)),
    });
    PresentedCashFlow {
        message: pb::AnnualCashFlow {
            basis: cash_flow_basis(input.appraisal.cash_flow_basis),
            lines: message_lines,
            project_only_cny_per_year: text(to_text(project_only_shown)),
            incremental_cny_per_year: text(to_text(project_only_shown + avoided_shown)),
        },
        fertilizer_income,
        avoided_baseline_cost: to_text(avoided_shown),
    }
}

fn cost_to_revenue(
    input: &AssessmentInput,
    annual: &AnnualFigures,
    cash_flow: &PresentedCashFlow,
    presenter: &Presenter,
) -> pb::CostToRevenue {
    let kind = input.operations.fertilizer_value_kind;
    pb::CostToRevenue {
        manure_fresh_t_per_year: exact_text(annual.manure_fresh_t_per_year),
        manure_dry_matter_t_per_year: exact_text(annual.manure_dry_matter_t_per_year),
        product_t_per_year: exact_text(annual.product_t_per_year),
        product_yield_t_per_t_fresh_manure: text(
            presenter.ratio(annual.product_yield(TonneBasis::FreshManure)),
        ),
        product_yield_t_per_t_dry_matter: text(
            presenter.ratio(annual.product_yield(TonneBasis::DryMatter)),
        ),
        baseline_treatment_cost_cny_per_year: text(cash_flow.avoided_baseline_cost.clone()),
        fertilizer_value_kind: fertilizer_kind(kind),
        fertilizer_income_cny_per_year: text(cash_flow.fertilizer_income.clone()),
        income_to_baseline_cost_ratio: annual
            .income_to_baseline_cost_ratio()
            .and_then(|r| text(presenter.ratio(r))),
        per_tonne: per_tonne_figures(kind, annual, presenter),
    }
}

fn per_tonne_figures(
    kind: FertilizerValueKind,
    annual: &AnnualFigures,
    presenter: &Presenter,
) -> Vec<pb::PerTonneFigure> {
    use pb::{PerTonneItem as Item, PerTonneKind as Kind};
    let dp = presenter.money_dp;
    let mut by_item: [Vec<pb::PerTonneFigure>; 6] = Default::default();
    for basis in TONNE_BASES {
        let tonnes = annual.tonnes(basis);
        let baseline = annual.baseline_treatment_cost_cny_per_year / tonnes;
        let income = annual.fertilizer_income_cny_per_year / tonnes;
        let subsidies = annual.operating_subsidies_total() / tonnes;
        let costs = annual.operating_costs_total() / tonnes;
        let margin = income + subsidies - costs;
        let swing_shown = presenter.round(baseline + margin, dp);
        let swing_parts = presenter.allocate(&[baseline, margin], swing_shown, dp);
        let margin_parts = presenter.allocate(&[income, subsidies, -costs], swing_parts[1], dp);
        let income_kind = match (kind, basis) {
            (FertilizerValueKind::UnitMargin, _) => Kind::UnitMargin,
            (FertilizerValueKind::Price, TonneBasis::FinishedProduct) => Kind::Price,
            (FertilizerValueKind::Price, _) => Kind::UnitRevenue,
        };
        let figures = [
            (Item::BaselineTreatmentCost, Kind::UnitCost, swing_parts[0]),
            (Item::FertilizerIncome, income_kind, margin_parts[0]),
            (Item::OperatingSubsidies, Kind::UnitSubsidy, margin_parts[1]),
            (Item::OperatingCosts, Kind::UnitCost, -margin_parts[2]),
            (Item::ProjectNetMargin, Kind::UnitMargin, swing_parts[1]),
            (Item::SwingFromBaseline, Kind::UnitSwing, swing_shown),
        ];
        for (slot, (item, kind, value)) in by_item.iter_mut().zip(figures) {
            let mut value = value;
            if value.is_zero() {
                value.set_sign_positive(true);
            }
            slot.push(pb::PerTonneFigure {
                item: item as i32,
                kind: kind as i32,
                basis: tonne_basis(basis) as i32,
                cny_per_t: text(to_text(value)),
            });
        }
    }
    by_item.into_iter().flatten().collect()
}

fn tonne_basis(basis: TonneBasis) -> pb::TonneBasis {
    match basis {
        TonneBasis::FreshManure => pb::TonneBasis::FreshManure,
        TonneBasis::DryMatter => pb::TonneBasis::DryMatter,
        TonneBasis::FinishedProduct => pb::TonneBasis::FinishedProduct,
    }
}

fn debt_service_cover(
    input: &AssessmentInput,
    assessment: &Assessment,
    presenter: &Presenter,
) -> pb::DebtServiceCover {
    let money = |d: Decimal| text(presenter.money(d));
    let ratio = |d: Decimal| text(presenter.ratio(d));
    let hurdle_status = match assessment.hurdle_met {
        None => pb::HurdleStatus::NotRequested,
        Some(true) => pb::HurdleStatus::Met,
        Some(false) => pb::HurdleStatus::NotMet,
    };
    let break_even = &assessment.break_even;
    pb::DebtServiceCover {
        basis: cash_flow_basis(input.appraisal.cash_flow_basis),
        years: assessment
            .dscr_years
            .iter()
            .map(|y| pb::DscrYear {
                loan_year: y.loan_year,
                months: y.months,
                cash_flow_available_cny: money(y.cash_flow_available_cny),
                debt_service_cny: text(to_text(presenter.round(y.debt_service_cny, FEN_DP))),
                dscr: y.dscr.and_then(ratio),
            })
            .collect(),
        min_dscr: assessment.min_dscr.and_then(|(d, _)| ratio(d)),
        min_dscr_loan_year: assessment.min_dscr.map_or(0, |(_, year)| year),
        dscr_hurdle: input.appraisal.dscr_hurdle.and_then(exact_text),
        hurdle_status: hurdle_status as i32,
        break_even: Some(pb::BreakEven {
            condition: BREAK_EVEN_CONDITION.to_owned(),
            required_cash_flow_cny_per_year: money(break_even.required_cash_flow_cny_per_year),
            fertilizer_value_cny_per_t_product: money(
                break_even.fertilizer_value_cny_per_t_product,
            ),
            manure_fresh_t_per_day: break_even.manure_fresh_t_per_day.and_then(ratio),
        }),
    }
}

fn investment_returns(
    input: &AssessmentInput,
    assessment: &Assessment,
    presenter: &Presenter,
) -> pb::InvestmentReturns {
    let appraisal = &input.appraisal;
    pb::InvestmentReturns {
        basis: cash_flow_basis(appraisal.cash_flow_basis),
        net_investment_cny: text(presenter.money(assessment.net_investment_cny)),
        project_life_years: appraisal.project_life_years,
        simple_payback_years: assessment
            .simple_payback_years
            .and_then(|y| text(presenter.ratio(y))),
        discount_rate_pct: exact_text(appraisal.discount_rate_pct),
        npv_cny: text(presenter.money(assessment.npv_cny)),
        irr_pct: assessment
            .irr
            .and_then(|r| text(presenter.ratio(r * Decimal::ONE_HUNDRED))),
        irr_method: IRR_METHOD.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn a_remembered_text_serves_only_the_same_bits() {
        let mut column = Written::default();
        assert_eq!(column.remember(dec("1.50"), to_text), "1.50");
        // Equal in value, not in bits: written again, not copied.
        assert_eq!(column.take(dec("1.5"), to_text), "1.5");
        // `take` hands the text over once.
        column.remember(dec("2.00"), to_text);
        assert_eq!(column.take(dec("2.00"), to_text), "2.00");
        assert_eq!(
            column.take(dec("2.00"), |_| "written".to_owned()),
            "written"
        );

        let mut level = Written::default();
        assert_eq!(level.repeat(dec("-0.10"), to_text), "-0.10");
        assert_eq!(level.repeat(dec("-0.10"), to_text), "-0.10");
        assert_eq!(level.repeat(dec("-0.1"), to_text), "-0.1");
        assert_eq!(level.repeat(dec("-0.1"), |_| "written".to_owned()), "-0.1");
    }
}
