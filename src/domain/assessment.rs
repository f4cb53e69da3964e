//! One project and its loan, assessed: schedule, cost-to-revenue, cash flow, debt-service
//! cover, break-even and returns, all exact, with warnings for what deserves a second look.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::calendar::Date;
use super::carbon::attribution::{self, Financing, LoanAttribution};
use super::carbon::factor_id;
use super::carbon::factor_set::FactorSet;
use super::carbon::resolve::MissingFactor;
use super::carbon::trace::Tracing;
use super::carbon::{self, CarbonEstimate, CarbonInput};
use super::economics::ProductOutput;
use super::economics::{AnnualFigures, NamedAmount, Operations};
use super::eligibility::{self, EligibilityOutcome, Facts, RuleSet};
use super::insurer::{self, InsurerInput, InsurerView};
use super::kpi::Kpi;
use super::loan::{self, LoanTerms, LoanYear, Schedule};
use super::lpr::{LprFixing, LprTable, LprTenor};
use super::mass_balance::{self, Amendment, MassBalance, MassBalanceInput};
use super::returns;
use super::{ComputeError, Warning};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashFlowBasis {
    ProjectOnly,
    Incremental,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RateSource {
    Fixed,
    Lpr {
        tenor: LprTenor,
        fixing: LprFixing,
        spread_bps: i32,
        fixing_date: Date,
    },
}

/// Investment, discounting and cover settings, already checked against the request limits.
#[derive(Debug, Clone)]
pub struct Appraisal {
    pub total_project_investment_cny: Decimal,
    pub capex: Vec<NamedAmount>,
    pub capex_subsidies: Vec<NamedAmount>,
    pub discount_rate_pct: Decimal,
    pub project_life_years: u32,
    pub cash_flow_basis: CashFlowBasis,
    pub dscr_hurdle: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub loan: LoanTerms,
    pub rate_source: RateSource,
    pub operations: Operations,
    pub appraisal: Appraisal,
    pub amendments: Vec<Amendment>,
    pub composting_dry_matter_loss_fraction: Option<Decimal>,
    /// The set the carbon estimate and the mass balance use (the default when no carbon
    /// estimate is asked for).
    pub factor_set: Arc<FactorSet>,
    pub carbon: Option<CarbonInput>,
    /// Sustainability-linked terms, checked by later monitoring reports.
    pub kpis: Vec<Kpi>,
    /// The site's exposure before and after, for the insurer's view.
    pub insurer: Option<InsurerInput>,
    /// The rule set to check the project against, for the exchange's view.
    pub eligibility: Option<Arc<RuleSet>>,
}

/// Why an assessment could not be made: a gap in the chosen factor set that the request
/// must fill, or (a bug) a failed calculation.
#[derive(Debug, Clone, PartialEq)]
pub enum AssessError {
    MissingFactors(Vec<MissingFactor>),
    Compute(ComputeError),
}

impl From<ComputeError> for AssessError {
    fn from(error: ComputeError) -> AssessError {
        AssessError::Compute(error)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DscrYear {
    pub loan_year: u32,
    pub months: u32,
    pub cash_flow_available_cny: Decimal,
    pub debt_service_cny: Decimal,
    pub dscr: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    pub required_cash_flow_cny_per_year: Decimal,
    pub fertilizer_value_cny_per_t_product: Decimal,
    pub manure_fresh_t_per_day: Option<Decimal>,
}

pub const BREAK_EVEN_CONDITION: &str = "the annual cash flow on the chosen basis equals the \
binding loan year's debt service scaled to twelve months, so that loan year's DSCR is exactly \
1; one input moves, all others stay as requested";

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub schedule: Schedule,
    pub annual: AnnualFigures,
    pub annual_cash_flow_cny: Decimal,
    pub dscr_years: Vec<DscrYear>,
    /// Lowest DSCR and the first loan year it occurs in.
    pub min_dscr: Option<(Decimal, u32)>,
    pub hurdle_met: Option<bool>,
    pub break_even: BreakEven,
    pub net_investment_cny: Decimal,
    pub simple_payback_years: Option<Decimal>,
    pub npv_cny: Decimal,
    /// As a fraction (0.1 = 10%).
    pub irr: Option<Decimal>,
    pub mass_balance: MassBalance,
    pub carbon: Option<(CarbonEstimate, LoanAttribution)>,
    pub insurer: Option<InsurerView>,
    pub eligibility: Option<EligibilityOutcome>,
    pub warnings: Vec<Warning>,
}

pub fn assess(input: &AssessmentInput, lpr_table: &LprTable) -> Result<Assessment, AssessError> {
    assess_tracing(input, lpr_table, Tracing::Kept)
}

/// `assess`, with the carbon estimate's trace kept or skipped (an answer that leaves it out,
/// a portfolio that only sums).
pub fn assess_tracing(
    input: &AssessmentInput,
    lpr_table: &LprTable,
    tracing: Tracing,
) -> Result<Assessment, AssessError> {
    let mut warnings = Vec::new();
    let schedule = loan::schedule(&input.loan)?;
    let loan_years = loan::debt_service_by_loan_year(&schedule, input.loan.term_months);
    let annual = AnnualFigures::of(&input.operations);
    let appraisal = &input.appraisal;
    let incremental = appraisal.cash_flow_basis == CashFlowBasis::Incremental;
    let annual_cash_flow_cny = if incremental {
        annual.incremental_cash_flow()
    } else {
        annual.project_only_cash_flow()
    };

    let dscr_years = dscr_by_loan_year(&loan_years, annual_cash_flow_cny);
    let min_dscr = dscr_years
        .iter()
        .filter_map(|y| y.dscr.map(|d| (d, y.loan_year)))
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let hurdle_met = appraisal
        .dscr_hurdle
        .map(|hurdle| min_dscr.is_none_or(|(d, _)| d >= hurdle));
    let break_even = break_even(
        input,
        &annual,
        &loan_years,
        annual_cash_flow_cny,
        incremental,
        &mut warnings,
    );

    // At most 64 lines of 1e11 each (limits.rs): sums under 6.4e12, no overflow.
    let capex_total: Decimal = appraisal.capex.iter().map(|c| c.cny).sum();
    let subsidy_total: Decimal = appraisal.capex_subsidies.iter().map(|c| c.cny).sum();
    let net_investment_cny = capex_total - subsidy_total;
    let flows: Vec<Decimal> = std::iter::once(-net_investment_cny)
        .chain(std::iter::repeat_n(
            annual_cash_flow_cny,
            appraisal.project_life_years as usize,
        ))
        .collect();
    let npv_cny = returns::npv(appraisal.discount_rate_pct / Decimal::ONE_HUNDRED, &flows)?;
    let irr = returns::annuity_irr(
        net_investment_cny,
        annual_cash_flow_cny,
        appraisal.project_life_years,
    )?;
    let simple_payback_years =
        returns::simple_payback_years(net_investment_cny, annual_cash_flow_cny);

    warn_about_rate(input, lpr_table, &mut warnings);
    warn_about_investment(input, capex_total, subsidy_total, &mut warnings);
    warn_about_operations(&annual, &mut warnings);
    warn_about_results(
        appraisal,
        annual_cash_flow_cny,
        min_dscr,
        hurdle_met,
        irr,
        &mut warnings,
    );

    let mass_balance = mass_balance_of(input, &annual);
    warnings.extend(mass_balance::warnings(&mass_balance));
    let carbon = match &input.carbon {
        None => None,
        Some(carbon_input) => {
            let estimate = carbon::estimate(
                carbon_input,
                &annual,
                input.operations.operating_days_per_year,
                tracing,
            )
            .map_err(AssessError::MissingFactors)?;
            let financing = Financing {
                principal_cny: input.loan.principal_cny,
                total_project_investment_cny: appraisal.total_project_investment_cny,
                schedule: &schedule,
                net_investment_cny,
                annual_cash_flow_cny,
                discount_rate: appraisal.discount_rate_pct / Decimal::ONE_HUNDRED,
                project_life_years: appraisal.project_life_years,
            };
            let attributed = attribution::attribute(&estimate, &financing);
            warnings.extend(estimate.warnings.iter().cloned());
            Some((estimate, attributed))
        }
    };

    let insurer = input.insurer.as_ref().map(insurer::view);
    let eligibility = input.eligibility.as_ref().map(|rule_set| {
        let facts = Facts {
            annual: &annual,
            mass_balance: &mass_balance,
            minimum_dscr: min_dscr.map(|(dscr, _)| dscr),
            carbon: carbon.as_ref().map(|(estimate, _)| estimate),
            insurer: insurer.as_ref(),
        };
        eligibility::evaluate(rule_set, &facts)
    });

    Ok(Assessment {
        schedule,
        annual,
        annual_cash_flow_cny,
        dscr_years,
        min_dscr,
        hurdle_met,
        break_even,
        net_investment_cny,
        simple_payback_years,
        npv_cny,
        irr,
        mass_balance,
        carbon,
        insurer,
        eligibility,
        warnings,
    })
}

fn mass_balance_of(input: &AssessmentInput, annual: &AnnualFigures) -> MassBalance {
    let ops = &input.operations;
    let product_stated_t_per_day = match ops.product_output {
        ProductOutput::PerDay => ops.product_t,
        ProductOutput::PerYear => {
            annual.product_t_per_year / Decimal::from(ops.operating_days_per_year)
        }
    };
    let product_max_moisture_fraction = input
        .factor_set
        .get(factor_id::PRODUCT_MAX_MOISTURE)
        .map_or(Decimal::ZERO, |f| f.value);
    mass_balance::mass_balance(&MassBalanceInput {
        manure_fresh_t_per_day: ops.manure_fresh_t_per_day,
        manure_dry_matter_fraction: ops.manure_dry_matter_fraction,
        amendments: &input.amendments,
        dry_matter_loss_fraction: input.composting_dry_matter_loss_fraction,
        product_stated_t_per_day,
        product_max_moisture_fraction,
    })
}

/// The cash flow is under 2.5e15 (see `AnnualFigures`) and a non-zero debt service, a sum of
/// instalments in fen, at least 0.01: a DSCR is under 2.5e17, no overflow.
fn dscr_by_loan_year(loan_years: &[LoanYear], annual_cash_flow_cny: Decimal) -> Vec<DscrYear> {
    loan_years
        .iter()
        .map(|year| {
            let cash_flow_available_cny =
                annual_cash_flow_cny * Decimal::from(year.months) / Decimal::from(12);
            DscrYear {
                loan_year: year.loan_year,
                months: year.months,
                cash_flow_available_cny,
                debt_service_cny: year.debt_service_cny,
                dscr: (!year.debt_service_cny.is_zero())
                    .then(|| cash_flow_available_cny / year.debt_service_cny),
            }
        })
        .collect()
}

/// Cash flow is linear in the fertilizer value (slope: tonnes of product a year) and in the
/// throughput (the variable part scales with it), so each break-even is one division.
///
/// Magnitudes under the request limits: a loan year's debt service is at most the principal
/// plus a year's interest at 100% (2e11), so `required` is at most 2.4e12; an annual amount
/// is at most 3.66e7 t x 1e6 CNY/t = 3.66e13 a line, and the cash flow and its parts at most
/// 64 such lines and 64 subsidies of 1e11, under 2.5e15. The fertilizer break-even divides by
/// at least 1e-6 t of product a year, so it stays under 1e22. The throughput break-even
/// divides by the variable part of the cash flow, a difference of products of 6-dp inputs that
/// can be as small as 1e-12 while positive: it can leave the decimal range, and is checked.
fn break_even(
    input: &AssessmentInput,
    annual: &AnnualFigures,
    loan_years: &[LoanYear],
    annual_cash_flow_cny: Decimal,
    incremental: bool,
    warnings: &mut Vec<Warning>,
) -> BreakEven {
    let required = loan_years
        .iter()
        .map(|y| y.debt_service_cny * Decimal::from(12) / Decimal::from(y.months))
        .max()
        .unwrap_or(Decimal::ZERO);
    let ops = &input.operations;
    let shortfall = required - annual_cash_flow_cny;
    let fertilizer_value =
        ops.fertilizer_value_cny_per_t_product + shortfall / annual.product_t_per_year;
    let (variable, fixed) = annual.throughput_split(ops, incremental);
    let throughput = if variable > Decimal::ZERO {
        let throughput =
            throughput_break_even(ops.manure_fresh_t_per_day, required - fixed, variable);
        if throughput.is_none() {
            warnings.push(Warning {
                code: "BREAK_EVEN_THROUGHPUT_OUT_OF_RANGE",
                field: "operations.fertilizer_value.per_t_product",
                message: format!(
                    "the part of the annual cash flow that grows with throughput is {} CNY a \
                     year at today's throughput: no throughput within the exact decimal range \
                     (about 7.9e28 t a day) covers the debt service, so the break-even \
                     throughput is absent; check the fertilizer value, the product output and \
                     the per-tonne costs",
                    variable.normalize()
                ),
            });
        }
        throughput
    } else {
        None
    };
    BreakEven {
        required_cash_flow_cny_per_year: required,
        fertilizer_value_cny_per_t_product: fertilizer_value,
        manure_fresh_t_per_day: throughput,
    }
}

/// manure_t_per_day x (required - fixed) / variable, at least 0 (none is needed when the fixed
/// lines alone cover the debt service), or `None` past the decimal range.
fn throughput_break_even(
    manure_fresh_t_per_day: Decimal,
    required_less_fixed: Decimal,
    variable: Decimal,
) -> Option<Decimal> {
    if required_less_fixed <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    // At most 1e5 t a day x 1.5e13 CNY: the product is safe, the quotient is not.
    (manure_fresh_t_per_day * required_less_fixed).checked_div(variable)
}

fn warn_about_rate(input: &AssessmentInput, table: &LprTable, warnings: &mut Vec<Warning>) {
    if let RateSource::Lpr { fixing_date, .. } = &input.rate_source {
        warnings.push(Warning {
            code: "LPR_RATE_NOT_REPRICED",
            field: "loan.lpr_linked",
            message: "the LPR-linked rate is held at its fixing-date value for the whole term; \
                      a floating loan reprices (commonly each year) and its real schedule will \
                      differ when the LPR moves"
                .into(),
        });
        if *fixing_date > table.confirmed_unchanged_through {
            warnings.push(Warning {
                code: "LPR_TABLE_MAY_BE_STALE",
                field: "loan.lpr_linked.fixing_date",
                message: format!(
                    "the fixing date {fixing_date} is after {}, the last date the reference \
                     LPR table ({}) is confirmed for; an LPR announced since is not reflected",
                    table.confirmed_unchanged_through, table.version
                ),
            });
        }
    }
}

fn warn_about_investment(
    input: &AssessmentInput,
    capex_total: Decimal,
    subsidy_total: Decimal,
    warnings: &mut Vec<Warning>,
) {
    let total_investment = input.appraisal.total_project_investment_cny;
    if input.loan.principal_cny > total_investment {
        warnings.push(Warning {
            code: "LOAN_EXCEEDS_PROJECT_INVESTMENT",
            field: "loan.principal",
            message: format!(
                "the loan ({}) is larger than the total project investment ({total_investment}); \
                 attributing the project's results by loan share would exceed 100%",
                input.loan.principal_cny
            ),
        });
    }
    if capex_total > total_investment {
        warnings.push(Warning {
            code: "CAPEX_EXCEEDS_PROJECT_INVESTMENT",
            field: "appraisal.capex",
            message: format!(
                "capex lines add up to {capex_total}, more than the total project investment \
                 ({total_investment})"
            ),
        });
    }
    if subsidy_total > capex_total {
        warnings.push(Warning {
            code: "SUBSIDIES_EXCEED_CAPEX",
            field: "appraisal.capex_subsidies",
            message: format!(
                "capex subsidies ({subsidy_total}) exceed capex ({capex_total}); the net \
                 investment is negative"
            ),
        });
    }
}

fn warn_about_operations(annual: &AnnualFigures, warnings: &mut Vec<Warning>) {
    if annual.product_t_per_year > annual.manure_fresh_t_per_year {
        warnings.push(Warning {
            code: "PRODUCT_EXCEEDS_MANURE",
            field: "operations.product_output",
            message: format!(
                "{} t of product a year from {} t of fresh manure: composting loses water and \
                 organic matter, so more product than manure needs large bulking-agent inputs; \
                 check the output figure",
                annual.product_t_per_year.normalize(),
                annual.manure_fresh_t_per_year.normalize()
            ),
        });
    }
}

fn warn_about_results(
    appraisal: &Appraisal,
    annual_cash_flow_cny: Decimal,
    min_dscr: Option<(Decimal, u32)>,
    hurdle_met: Option<bool>,
    irr: Option<Decimal>,
    warnings: &mut Vec<Warning>,
) {
    if let Some((dscr, year)) = min_dscr
        && dscr < Decimal::ONE
    {
        warnings.push(Warning {
            code: "DEBT_SERVICE_NOT_COVERED",
            field: "",
            message: format!(
                "in loan year {year} the project's cash flow does not cover its debt \
                 service (DSCR below 1)"
            ),
        });
    }
    if hurdle_met == Some(false) {
        warnings.push(Warning {
            code: "DSCR_BELOW_HURDLE",
            field: "appraisal.dscr_hurdle",
            message: "the lowest loan-year DSCR is below the requested hurdle".into(),
        });
    }
    if annual_cash_flow_cny <= Decimal::ZERO {
        warnings.push(Warning {
            code: "NO_POSITIVE_CASH_FLOW",
            field: "",
            message: "the annual cash flow is not positive: the investment never pays back".into(),
        });
    }
    if irr.is_none() {
        warnings.push(Warning {
            code: "IRR_NOT_FOUND",
            field: "",
            message: format!(
                "NPV does not change sign between -50% and 1000% over {} years, so no IRR is \
                 reported",
                appraisal.project_life_years
            ),
        });
    }
}
