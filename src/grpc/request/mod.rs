//! AssessRequest -> domain input. Every field is checked here, every violation is collected
//! with its field path, and only a fully valid request reaches the domain.

mod carbon;
mod eligibility;
mod insurer;
mod kpi;
mod monitoring;

pub(crate) use monitoring::actual_period;

use rust_decimal::Decimal;

use crate::domain::assessment::{Appraisal, AssessmentInput, CashFlowBasis, RateSource};
use crate::domain::calendar::Date;
use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::decimal_text::parse_decimal;
use crate::domain::economics::{
    CostBasis, FertilizerValueKind, NamedAmount, OperatingCost, Operations, ProductOutput,
};
use crate::domain::limits::*;
use crate::domain::loan::{LoanTerms, RepaymentFrequency, RepaymentMethod};
use crate::domain::lpr::{LprTable, LprTenor};
use crate::domain::presentation::{
    DEFAULT_EMISSIONS_DP, DEFAULT_MONEY_DP, DEFAULT_RATIO_DP, MAX_EMISSIONS_DP, MAX_MONEY_DP,
    MAX_RATIO_DP, Presenter, RoundingRule,
};
use crate::pb;

pub const SUPPORTED_CURRENCY: &str = "CNY";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub description: String,
}

/// Allowed range of a decimal field: lower bound (inclusive or not) and inclusive upper bound.
#[derive(Clone, Copy)]
struct Range {
    low: Decimal,
    low_inclusive: bool,
    high: Decimal,
}

impl Range {
    fn positive(high: i64) -> Range {
        Range {
            low: Decimal::ZERO,
            low_inclusive: false,
            high: Decimal::from(high),
        }
    }
    fn non_negative(high: i64) -> Range {
        Range {
            low: Decimal::ZERO,
            low_inclusive: true,
            high: Decimal::from(high),
        }
    }
    fn symmetric(bound: i64) -> Range {
        Range {
            low: Decimal::from(-bound),
            low_inclusive: true,
            high: Decimal::from(bound),
        }
    }
    fn contains(&self, value: Decimal) -> bool {
        let above_low = if self.low_inclusive {
            value >= self.low
        } else {
            value > self.low
        };
        above_low && value <= self.high
    }
    fn describe(&self) -> String {
        let low = if self.low_inclusive {
            "at least"
        } else {
            "more than"
        };
        format!("must be {low} {} and at most {}", self.low, self.high)
    }
}

/// A decimal of at most `max_dp` places within `range`, or what is wrong with it.
fn decimal_in_range(
    value: Option<&pb::Decimal>,
    max_dp: u32,
    range: Range,
) -> Result<Decimal, String> {
    let text = value.map_or("", |d| d.value.as_str());
    match parse_decimal(text, max_dp) {
        Ok(parsed) if range.contains(parsed) => Ok(parsed),
        Ok(parsed) => Err(format!("{} (got {parsed})", range.describe())),
        Err(error) => Err(error.to_string()),
    }
}

/// Walks the request, collecting violations instead of stopping at the first.
struct Checker {
    violations: Vec<Violation>,
    /// The request's currency and the field it was first seen in (loan.principal normally).
    currency: Option<(String, String)>,
}

impl Checker {
    fn violation(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.violations.push(Violation {
            field: field.into(),
            description: description.into(),
        });
    }

    fn required<'m, T>(&mut self, field: &str, message: Option<&'m T>) -> Option<&'m T> {
        if message.is_none() {
            self.violation(field, "is required");
        }
        message
    }

    fn decimal(
        &mut self,
        field: &str,
        value: Option<&pb::Decimal>,
        max_dp: u32,
        range: Range,
    ) -> Option<Decimal> {
        decimal_in_range(value, max_dp, range)
            .map_err(|description| self.violation(field, description))
            .ok()
    }

    /// A money field; the paths of its parts are written only for a violation (a request
    /// holds a dozen amounts, and most requests have no violation).
    fn money(
        &mut self,
        field: &str,
        money: Option<&pb::Money>,
        max_dp: u32,
        range: Range,
    ) -> Option<Decimal> {
        let money = self.required(field, money)?;
        let currency_ok = self.currency_code(field, &money.currency_code);
        let amount = decimal_in_range(money.amount.as_ref(), max_dp, range)
            .map_err(|description| self.violation(format!("{field}.amount"), description))
            .ok();
        amount.filter(|_| currency_ok)
    }

    /// The currency of the money at `money_field`: valid, supported, and the same as the
    /// request's first.
    fn currency_code(&mut self, money_field: &str, code: &str) -> bool {
        let field = || format!("{money_field}.currency_code");
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            self.violation(
                field(),
                "must be an ISO 4217 code of three capital letters, e.g. CNY",
            );
            return false;
        }
        match &self.currency {
            None => {
                self.currency = Some((code.to_owned(), field()));
                if code != SUPPORTED_CURRENCY {
                    self.violation(
                        field(),
                        format!("currency {code} is not supported: only CNY"),
                    );
                    return false;
                }
                true
            }
            // A supported code after an unsupported first one is not blamed: the first is.
            Some((expected, first_field)) if expected != code && code != SUPPORTED_CURRENCY => {
                let description = format!(
                    "currency {code} does not match {first_field} ({expected}): every amount \
                     in one request must be in the same currency"
                );
                self.violation(field(), description);
                false
            }
            Some(_) => true,
        }
    }

    fn text(&mut self, field: &str, value: &str, max_chars: usize) -> Option<String> {
        match text_problem(value, max_chars) {
            Some(problem) => {
                self.violation(field, problem);
                None
            }
            None => Some(value.to_owned()),
        }
    }

    fn count<T>(&mut self, field: &str, items: &[T], min: usize, max: usize) -> bool {
        if items.len() < min || items.len() > max {
            self.violation(
                field,
                format!("must have {min} to {max} entries (got {})", items.len()),
            );
            return false;
        }
        true
    }

    fn date(&mut self, field: &str, text: &str) -> Option<Date> {
        Date::parse(text)
            .map_err(|e| self.violation(field, e.to_string()))
            .ok()
    }

    fn whole(&mut self, field: &str, value: u32, min: u32, max: u32) -> Option<u32> {
        if (min..=max).contains(&value) {
            Some(value)
        } else {
            self.violation(field, format!("must be from {min} to {max} (got {value})"));
            None
        }
    }

    /// A required proto enum: UNSPECIFIED and numbers the schema does not define are refused.
    fn enumeration<E: TryFrom<i32>, T>(
        &mut self,
        field: &str,
        raw: i32,
        map: impl Fn(E) -> Option<T>,
    ) -> Option<T> {
        match E::try_from(raw) {
            Ok(value) => match map(value) {
                Some(mapped) => Some(mapped),
                None => {
                    self.violation(field, "is required: UNSPECIFIED is not a value");
                    None
                }
            },
            Err(_) => {
                self.violation(field, format!("unknown enum value {raw}"));
                None
            }
        }
    }

    /// A repeated field of `min` to `max` entries, each checked by `item` with its path
    /// ("field[i]"); every entry is checked even when the count is wrong, so all violations
    /// come back at once.
    fn list<'a, T, U>(
        &mut self,
        field: &str,
        items: &'a [T],
        (min, max): (usize, usize),
        mut item: impl FnMut(&mut Checker, &str, &'a T) -> Option<U>,
    ) -> Option<Vec<U>> {
        let count_ok = self.count(field, items, min, max);
        let checked: Vec<Option<U>> = items
            .iter()
            .enumerate()
            .map(|(i, entry)| item(self, &format!("{field}[{i}]"), entry))
            .collect();
        if !count_ok {
            return None;
        }
        checked.into_iter().collect()
    }

    fn named_amounts(
        &mut self,
        field: &str,
        items: &[pb::NamedMoney],
        min: usize,
    ) -> Option<Vec<NamedAmount>> {
        self.list(field, items, (min, MAX_LINE_ITEMS), |check, path, item| {
            let name = check.text(&format!("{path}.name"), &item.name, MAX_NAME_CHARS);
            let cny = check.money(
                &format!("{path}.amount"),
                item.amount.as_ref(),
                MONEY_AMOUNT_DP,
                Range::non_negative(MAX_LINE_AMOUNT_CNY),
            );
            Some(NamedAmount {
                name: name?,
                cny: cny?,
            })
        })
    }
}

/// What is wrong with a text field, if anything: empty, longer than `max_chars` characters, or
/// holding control characters.
fn text_problem(value: &str, max_chars: usize) -> Option<String> {
    // ASCII text (most of it) is counted and checked byte by byte, which is cheaper than
    // decoding characters; the answer is the same. The check folds over every byte, with no
    // early exit, so that it runs many bytes at a time.
    let (chars, control) = if value.is_ascii() {
        let control = value
            .bytes()
            .fold(false, |found, b| found | (b < 0x20) | (b == 0x7f));
        (value.len(), control)
    } else {
        (value.chars().count(), value.chars().any(char::is_control))
    };
    if chars == 0 {
        Some("is required".to_owned())
    } else if chars > max_chars {
        Some(format!(
            "must be at most {max_chars} characters (got {chars})"
        ))
    } else if control {
        Some("must not contain control characters".to_owned())
    } else {
        None
    }
}

/// The validated domain input and the presentation rules, or every violation found.
pub fn to_domain(
    request: &pb::AssessRequest,
    lpr_table: &LprTable,
    factor_library: &FactorLibrary,
) -> Result<(AssessmentInput, Presenter), Vec<Violation>> {
    let mut check = Checker {
        violations: Vec::new(),
        currency: None,
    };
    check.text("borrower_id", &request.borrower_id, MAX_ID_CHARS);
    check.text("project_id", &request.project_id, MAX_ID_CHARS);
    if check.count(
        "stated_assumptions",
        &request.stated_assumptions,
        0,
        MAX_ASSUMPTIONS,
    ) {
        // The response echoes the request's own texts; each is only checked here, and its
        // field path written only when something is wrong with it.
        for (i, assumption) in request.stated_assumptions.iter().enumerate() {
            if let Some(problem) = text_problem(assumption, MAX_ASSUMPTION_CHARS) {
                check.violation(format!("stated_assumptions[{i}]"), problem);
            }
        }
    }
    let loan = check
        .required("loan", request.loan.as_ref())
        .and_then(|loan| loan_terms(&mut check, loan, lpr_table));
    let operations = check
        .required("operations", request.operations.as_ref())
        .and_then(|ops| operations(&mut check, ops));
    let appraisal = check
        .required("appraisal", request.appraisal.as_ref())
        .and_then(|appraisal| project_appraisal(&mut check, appraisal));
    let presenter = presentation(&mut check, request.presentation.as_ref());
    let mass_balance = request.operations.as_ref().map(|ops| {
        (
            carbon::amendments(&mut check, &ops.amendments),
            carbon::composting_loss(&mut check, ops.composting_dry_matter_loss_fraction.as_ref()),
        )
    });
    let carbon = carbon::carbon(&mut check, request.carbon.as_ref(), factor_library);
    let kpis = kpi::kpis(&mut check, &request.kpis, request.carbon.is_some());
    let insurer = insurer::insurer_exposure(&mut check, request.insurer_exposure.as_ref());
    let eligibility = eligibility::eligibility(&mut check, request.eligibility.as_ref());
    match (
        loan,
        operations,
        appraisal,
        presenter,
        mass_balance,
        carbon,
        kpis,
        insurer,
        eligibility,
    ) {
        (
            Some((loan, rate_source)),
            Some(operations),
            Some(appraisal),
            Some(presenter),
            Some((Some(amendments), Some(composting_dry_matter_loss_fraction))),
            Some((factor_set, carbon)),
            Some(kpis),
            Some(insurer),
            Some(eligibility),
        ) if check.violations.is_empty() => Ok((
            AssessmentInput {
                loan,
                rate_source,
                operations,
                appraisal,
                amendments,
                composting_dry_matter_loss_fraction,
                factor_set,
                carbon,
                kpis,
                insurer,
                eligibility,
            },
            presenter,
        )),
        _ => Err(check.violations),
    }
}

fn loan_terms(
    check: &mut Checker,
    loan: &pb::LoanTerms,
    lpr_table: &LprTable,
) -> Option<(LoanTerms, RateSource)> {
    let principal = check.money(
        "loan.principal",
        loan.principal.as_ref(),
        MONEY_AMOUNT_DP,
        Range::positive(MAX_PRINCIPAL_CNY),
    );
    let rate = match &loan.rate {
        None => {
            check.violation(
                "loan.rate",
                "is required: set fixed_annual_rate_pct or lpr_linked",
            );
            None
        }
        Some(pb::loan_terms::Rate::FixedAnnualRatePct(pct)) => check
            .decimal(
                "loan.fixed_annual_rate_pct",
                Some(pct),
                FINE_DP,
                Range::non_negative(MAX_RATE_PCT),
            )
            .map(|pct| (pct, RateSource::Fixed)),
        Some(pb::loan_terms::Rate::LprLinked(lpr)) => lpr_rate(check, lpr, lpr_table),
    };
    let method = check.enumeration(
        "loan.repayment_method",
        loan.repayment_method,
        |m| match m {
            pb::RepaymentMethod::Unspecified => None,
            pb::RepaymentMethod::EqualInstalment => Some(RepaymentMethod::EqualInstalment),
            pb::RepaymentMethod::EqualPrincipal => Some(RepaymentMethod::EqualPrincipal),
            pb::RepaymentMethod::InterestOnlyBullet => Some(RepaymentMethod::InterestOnlyBullet),
        },
    );
    let frequency =
        check.enumeration(
            "loan.repayment_frequency",
            loan.repayment_frequency,
            |f| match f {
                pb::RepaymentFrequency::Unspecified => None,
                pb::RepaymentFrequency::Monthly => Some(RepaymentFrequency::Monthly),
                pb::RepaymentFrequency::Quarterly => Some(RepaymentFrequency::Quarterly),
                pb::RepaymentFrequency::SemiAnnual => Some(RepaymentFrequency::SemiAnnual),
                pb::RepaymentFrequency::Annual => Some(RepaymentFrequency::Annual),
            },
        );
    let term_months = check.whole("loan.term_months", loan.term_months, 1, MAX_TERM_MONTHS);
    let first_payment_date = check.date("loan.first_payment_date", &loan.first_payment_date);
    if !loan.disbursement_date.is_empty()
        && let Some(disbursed) = check.date("loan.disbursement_date", &loan.disbursement_date)
        && first_payment_date.is_some_and(|first| disbursed > first)
    {
        check.violation(
            "loan.disbursement_date",
            "must be on or before first_payment_date",
        );
    }
    let grace_months = loan.grace_months;
    if let (Some(term), Some(frequency)) = (term_months, frequency) {
        let step = frequency.months_per_period();
        if !term.is_multiple_of(step) {
            check.violation(
                "loan.term_months",
                format!("must be a whole number of {step}-month repayment periods (got {term})"),
            );
        }
        if !grace_months.is_multiple_of(step) || grace_months >= term {
            check.violation(
                "loan.grace_months",
                format!(
                    "must be a whole number of {step}-month periods and less than term_months \
                     ({term}) (got {grace_months})"
                ),
            );
        }
    }
    let (annual_rate_pct, rate_source) = rate?;
    Some((
        LoanTerms {
            principal_cny: principal?,
            annual_rate_pct,
            term_months: term_months?,
            method: method?,
            frequency: frequency?,
            first_payment_date: first_payment_date?,
            grace_months,
        },
        rate_source,
    ))
}

fn lpr_rate(
    check: &mut Checker,
    lpr: &pb::LprLinkedRate,
    table: &LprTable,
) -> Option<(Decimal, RateSource)> {
    let tenor = check.enumeration("loan.lpr_linked.tenor", lpr.tenor, |t| match t {
        pb::LprTenor::Unspecified => None,
        pb::LprTenor::LprTenor1y => Some(LprTenor::OneYear),
        pb::LprTenor::LprTenor5yPlus => Some(LprTenor::FiveYearPlus),
    });
    let spread_bps = lpr.spread_bps;
    let spread_ok = (-MAX_SPREAD_BPS..=MAX_SPREAD_BPS).contains(&spread_bps);
    if !spread_ok {
        check.violation(
            "loan.lpr_linked.spread_bps",
            format!("must be from -{MAX_SPREAD_BPS} to {MAX_SPREAD_BPS} (got {spread_bps})"),
        );
    }
    let fixing_date = check.date("loan.lpr_linked.fixing_date", &lpr.fixing_date)?;
    let Some(fixing) = table.in_force_on(fixing_date) else {
        check.violation(
            "loan.lpr_linked.fixing_date",
            format!(
                "is before the first LPR announcement in the reference data ({})",
                table.first_announced_on()
            ),
        );
        return None;
    };
    let tenor = tenor?;
    // An out-of-range spread is already reported; the resulting rate would only repeat it.
    if !spread_ok {
        return None;
    }
    let annual_rate_pct = fixing.pct(tenor) + Decimal::new(i64::from(spread_bps), 2);
    if !Range::non_negative(MAX_RATE_PCT).contains(annual_rate_pct) {
        check.violation(
            "loan.lpr_linked.spread_bps",
            format!(
                "LPR {} + spread gives {annual_rate_pct}%, outside 0 to 100%",
                fixing.pct(tenor)
            ),
        );
        return None;
    }
    Some((
        annual_rate_pct,
        RateSource::Lpr {
            tenor,
            fixing: fixing.clone(),
            spread_bps,
            fixing_date,
        },
    ))
}

fn operations(check: &mut Checker, ops: &pb::OperatingData) -> Option<Operations> {
    let manure = check.decimal(
        "operations.manure_fresh_t_per_day",
        ops.manure_fresh_t_per_day.as_ref(),
        FINE_DP,
        Range::positive(MAX_T_PER_DAY),
    );
    let days = check.whole(
        "operations.operating_days_per_year",
        ops.operating_days_per_year,
        1,
        MAX_OPERATING_DAYS,
    );
    let dry_matter = check.decimal(
        "operations.manure_dry_matter_fraction",
        ops.manure_dry_matter_fraction.as_ref(),
        FINE_DP,
        Range::positive(1),
    );
    use pb::operating_data::ProductOutput as Output;
    let product = match &ops.product_output {
        None => {
            check.violation(
                "operations.product_output",
                "is required: set product_t_per_day or product_t_per_year",
            );
            None
        }
        Some(Output::ProductTPerDay(t)) => check
            .decimal(
                "operations.product_t_per_day",
                Some(t),
                FINE_DP,
                Range::positive(MAX_T_PER_DAY),
            )
            .map(|t| (ProductOutput::PerDay, t)),
        Some(Output::ProductTPerYear(t)) => check
            .decimal(
                "operations.product_t_per_year",
                Some(t),
                FINE_DP,
                Range::positive(MAX_T_PER_YEAR),
            )
            .map(|t| (ProductOutput::PerYear, t)),
    };
    let baseline_cost = check.money(
        "operations.baseline_treatment_cost_per_t_fresh_manure",
        ops.baseline_treatment_cost_per_t_fresh_manure.as_ref(),
        FINE_DP,
        Range::non_negative(MAX_UNIT_AMOUNT_CNY_PER_T),
    );
    let fertilizer = check
        .required("operations.fertilizer_value", ops.fertilizer_value.as_ref())
        .and_then(|value| fertilizer_value(check, value));
    let costs = operating_costs(check, &ops.operating_costs);
    let subsidies = check.named_amounts(
        "operations.annual_operating_subsidies",
        &ops.annual_operating_subsidies,
        0,
    );
    let (product_output, product_t) = product?;
    let (fertilizer_value_kind, fertilizer_value_cny_per_t_product) = fertilizer?;
    Some(Operations {
        manure_fresh_t_per_day: manure?,
        operating_days_per_year: days?,
        manure_dry_matter_fraction: dry_matter?,
        product_output,
        product_t,
        baseline_treatment_cost_cny_per_t_fresh_manure: baseline_cost?,
        fertilizer_value_kind,
        fertilizer_value_cny_per_t_product,
        operating_costs: costs?,
        annual_operating_subsidies: subsidies?,
    })
}

fn fertilizer_value(
    check: &mut Checker,
    value: &pb::FertilizerValue,
) -> Option<(FertilizerValueKind, Decimal)> {
    let kind = check.enumeration(
        "operations.fertilizer_value.kind",
        value.kind,
        |k| match k {
            pb::FertilizerValueKind::Unspecified => None,
            pb::FertilizerValueKind::Price => Some(FertilizerValueKind::Price),
            pb::FertilizerValueKind::UnitMargin => Some(FertilizerValueKind::UnitMargin),
        },
    );
    // A margin may be negative; a price may not. Without a valid kind, check the wider range.
    let range = match kind {
        Some(FertilizerValueKind::Price) => Range::non_negative(MAX_UNIT_AMOUNT_CNY_PER_T),
        _ => Range::symmetric(MAX_UNIT_AMOUNT_CNY_PER_T),
    };
    let amount = check.money(
        "operations.fertilizer_value.per_t_product",
        value.per_t_product.as_ref(),
        FINE_DP,
        range,
    );
    Some((kind?, amount?))
}

fn operating_costs(check: &mut Checker, costs: &[pb::OperatingCost]) -> Option<Vec<OperatingCost>> {
    use pb::operating_cost::Amount;
    let field = "operations.operating_costs";
    check.list(field, costs, (0, MAX_LINE_ITEMS), |check, path, cost| {
        let name = check.text(&format!("{path}.name"), &cost.name, MAX_NAME_CHARS);
        let (basis, field, max_dp, high) = match &cost.amount {
            None => {
                check.violation(
                    format!("{path}.amount"),
                    "is required: set per_year, per_t_fresh_manure or per_t_product",
                );
                return None;
            }
            Some(Amount::PerYear(m)) => (
                CostBasis::PerYear,
                ("per_year", m),
                MONEY_AMOUNT_DP,
                MAX_LINE_AMOUNT_CNY,
            ),
            Some(Amount::PerTFreshManure(m)) => (
                CostBasis::PerTonneFreshManure,
                ("per_t_fresh_manure", m),
                FINE_DP,
                MAX_UNIT_AMOUNT_CNY_PER_T,
            ),
            Some(Amount::PerTProduct(m)) => (
                CostBasis::PerTonneProduct,
                ("per_t_product", m),
                FINE_DP,
                MAX_UNIT_AMOUNT_CNY_PER_T,
            ),
        };
        let cny = check.money(
            &format!("{path}.{}", field.0),
            Some(field.1),
            max_dp,
            Range::non_negative(high),
        );
        Some(OperatingCost {
            name: name?,
            basis,
            cny: cny?,
        })
    })
}

fn project_appraisal(check: &mut Checker, appraisal: &pb::ProjectAppraisal) -> Option<Appraisal> {
    let total = check.money(
        "appraisal.total_project_investment",
        appraisal.total_project_investment.as_ref(),
        MONEY_AMOUNT_DP,
        Range::positive(MAX_TOTAL_INVESTMENT_CNY),
    );
    let capex = check.named_amounts("appraisal.capex", &appraisal.capex, 1);
    let capex_subsidies =
        check.named_amounts("appraisal.capex_subsidies", &appraisal.capex_subsidies, 0);
    let discount = check.decimal(
        "appraisal.discount_rate_pct",
        appraisal.discount_rate_pct.as_ref(),
        FINE_DP,
        Range::non_negative(MAX_RATE_PCT),
    );
    let life = check.whole(
        "appraisal.project_life_years",
        appraisal.project_life_years,
        1,
        MAX_PROJECT_LIFE_YEARS,
    );
    let basis = check.enumeration(
        "appraisal.cash_flow_basis",
        appraisal.cash_flow_basis,
        |b| match b {
            pb::CashFlowBasis::Unspecified => None,
            pb::CashFlowBasis::ProjectOnly => Some(CashFlowBasis::ProjectOnly),
            pb::CashFlowBasis::Incremental => Some(CashFlowBasis::Incremental),
        },
    );
    // Absent means no hurdle; present means it must be valid.
    let hurdle = match appraisal.dscr_hurdle.as_ref() {
        None => Some(None),
        Some(h) => check
            .decimal(
                "appraisal.dscr_hurdle",
                Some(h),
                DSCR_DP,
                Range::positive(MAX_DSCR_HURDLE),
            )
            .map(Some),
    };
    Some(Appraisal {
        total_project_investment_cny: total?,
        capex: capex?,
        capex_subsidies: capex_subsidies?,
        discount_rate_pct: discount?,
        project_life_years: life?,
        cash_flow_basis: basis?,
        dscr_hurdle: hurdle?,
    })
}

fn presentation(check: &mut Checker, rules: Option<&pb::PresentationRules>) -> Option<Presenter> {
    let Some(rules) = rules else {
        return Some(Presenter::default());
    };
    let money_dp = check.whole(
        "presentation.money_dp",
        rules.money_dp.unwrap_or(DEFAULT_MONEY_DP),
        0,
        MAX_MONEY_DP,
    );
    let ratio_dp = check.whole(
        "presentation.ratio_dp",
        rules.ratio_dp.unwrap_or(DEFAULT_RATIO_DP),
        0,
        MAX_RATIO_DP,
    );
    let emissions_dp = check.whole(
        "presentation.emissions_dp",
        rules.emissions_dp.unwrap_or(DEFAULT_EMISSIONS_DP),
        0,
        MAX_EMISSIONS_DP,
    );
    let rule = match pb::RoundingRule::try_from(rules.rounding_rule) {
        Ok(pb::RoundingRule::Unspecified | pb::RoundingRule::HalfAwayFromZero) => {
            Some(RoundingRule::HalfAwayFromZero)
        }
        Ok(pb::RoundingRule::HalfEven) => Some(RoundingRule::HalfEven),
        Ok(pb::RoundingRule::TowardZero) => Some(RoundingRule::TowardZero),
        Err(_) => {
            check.violation(
                "presentation.rounding_rule",
                format!("unknown enum value {}", rules.rounding_rule),
            );
            None
        }
    };
    Some(Presenter {
        money_dp: money_dp?,
        ratio_dp: ratio_dp?,
        emissions_dp: emissions_dp?,
        rule: rule?,
    })
}
