//! The money sections: the project and its loan, cost to revenue before and after, the
//! schedule with debt-service cover, and the schedule's every period.

use crate::pb;

use super::escape::escape;
use super::html::{
    ABSENT, Table, decimal, figure, key_values, note, request_decimal, request_figure,
};
use super::labels::{self, Label};
use super::svg::{self, DscrYear, Figure};

/// The loan's own terms come from the request (the response echoes the schedule they give,
/// not the terms), with the versions the response was computed under.
pub fn project_and_loan(request: &pb::AssessRequest, response: &pb::AssessResponse) -> String {
    let mut rows = vec![
        (
            labels::BORROWER,
            figure("borrower_id", &response.borrower_id),
        ),
        (labels::PROJECT, figure("project_id", &response.project_id)),
    ];
    if let Some(terms) = &request.loan {
        rows.push((
            labels::PRINCIPAL,
            request_money("loan.principal", &terms.principal),
        ));
    }
    if let Some(schedule) = &response.loan {
        rows.push((
            labels::ANNUAL_RATE,
            decimal("loan.annual_rate_pct", &schedule.annual_rate_pct),
        ));
        rows.push((labels::RATE_SOURCE, rate_source(schedule)));
    }
    if let Some(terms) = &request.loan {
        rows.extend(loan_terms(terms));
    }
    if let Some(schedule) = &response.loan {
        rows.push((
            labels::PERIOD_COUNT,
            figure("loan.period_count", &schedule.period_count.to_string()),
        ));
    }
    if let Some(appraisal) = &request.appraisal {
        rows.push((
            labels::TOTAL_INVESTMENT,
            request_money(
                "appraisal.total_project_investment",
                &appraisal.total_project_investment,
            ),
        ));
    }
    rows.extend([
        (
            labels::METHODOLOGY_VERSION,
            figure("methodology_version", &response.methodology_version),
        ),
        (
            labels::FACTOR_SET,
            figure("factor_set", &response.factor_set),
        ),
        (
            labels::REFERENCE_DATA,
            figure("reference_data_version", &response.reference_data_version),
        ),
    ]);
    if let Some(presentation) = &response.presentation {
        rows.push((labels::PRESENTATION, note(&presentation.description)));
    }
    key_values(&rows)
}

fn loan_terms(terms: &pb::LoanTerms) -> Vec<(Label, String)> {
    let mut rows = vec![
        (
            labels::TERM_MONTHS,
            request_figure("loan.term_months", &terms.term_months.to_string()),
        ),
        (
            labels::METHOD,
            labels::repayment_method(terms.repayment_method()).html(),
        ),
        (
            labels::FREQUENCY,
            labels::repayment_frequency(terms.repayment_frequency()).html(),
        ),
        (
            labels::FIRST_PAYMENT,
            request_figure("loan.first_payment_date", &terms.first_payment_date),
        ),
    ];
    if terms.grace_months > 0 {
        rows.push((
            labels::GRACE_MONTHS,
            request_figure("loan.grace_months", &terms.grace_months.to_string()),
        ));
    }
    rows
}

/// An amount of the request with its currency.
fn request_money(path: &str, money: &Option<pb::Money>) -> String {
    match money {
        Some(m) => format!(
            "{} {}",
            request_decimal(&format!("{path}.amount"), &m.amount),
            escape(&m.currency_code)
        ),
        None => ABSENT.to_owned(),
    }
}

fn rate_source(schedule: &pb::LoanSchedule) -> String {
    match &schedule.rate_source {
        Some(pb::loan_schedule::RateSource::Lpr(lpr)) => format!(
            "{}: {} {} % ({}) {} {} bp<br>{}",
            labels::LPR_RATE.html(),
            labels::lpr_tenor(lpr.tenor()).html(),
            decimal("loan.lpr.lpr_pct", &lpr.lpr_pct),
            figure("loan.lpr.lpr_announced_on", &lpr.lpr_announced_on),
            if lpr.spread_bps < 0 { "" } else { "+" },
            figure("loan.lpr.spread_bps", &lpr.spread_bps.to_string()),
            note(&lpr.source)
        ),
        Some(pb::loan_schedule::RateSource::Fixed(_)) => labels::FIXED_RATE.html(),
        None => ABSENT.to_owned(),
    }
}

pub fn cost_to_revenue(response: &pb::AssessResponse) -> String {
    let Some(c2r) = &response.cost_to_revenue else {
        return format!("<p>{ABSENT}</p>");
    };
    let mut html = quantities(c2r);
    html.push_str(&before_and_after(c2r, response.annual_cash_flow.as_ref()));
    html.push_str(&per_tonne_table(c2r));
    if let Some(cash_flow) = &response.annual_cash_flow {
        html.push_str(&cash_flow_table(cash_flow));
    }
    if let Some(returns) = &response.investment_returns {
        html.push_str(&investment_returns(returns));
    }
    if let Some(balance) = &response.mass_balance {
        html.push_str(&mass_balance(balance));
    }
    html
}

fn quantities(c2r: &pb::CostToRevenue) -> String {
    let p = |field: &str| format!("cost_to_revenue.{field}");
    key_values(&[
        (
            labels::MANURE_FRESH_T_PER_YEAR,
            decimal(&p("manure_fresh_t_per_year"), &c2r.manure_fresh_t_per_year),
        ),
        (
            labels::MANURE_DRY_MATTER_T_PER_YEAR,
            decimal(
                &p("manure_dry_matter_t_per_year"),
                &c2r.manure_dry_matter_t_per_year,
            ),
        ),
        (
            labels::PRODUCT_T_PER_YEAR,
            decimal(&p("product_t_per_year"), &c2r.product_t_per_year),
        ),
        (
            labels::YIELD_PER_T_FRESH,
            decimal(
                &p("product_yield_t_per_t_fresh_manure"),
                &c2r.product_yield_t_per_t_fresh_manure,
            ),
        ),
        (
            labels::YIELD_PER_T_DRY_MATTER,
            decimal(
                &p("product_yield_t_per_t_dry_matter"),
                &c2r.product_yield_t_per_t_dry_matter,
            ),
        ),
        (
            labels::INCOME_TO_COST,
            decimal(
                &p("income_to_baseline_cost_ratio"),
                &c2r.income_to_baseline_cost_ratio,
            ),
        ),
    ])
}

/// The per-tonne figure of `item` on `basis`, with its index in the response's list.
fn per_tonne(
    c2r: &pb::CostToRevenue,
    item: pb::PerTonneItem,
    basis: pb::TonneBasis,
) -> Option<(usize, &pb::PerTonneFigure)> {
    c2r.per_tonne
        .iter()
        .enumerate()
        .find(|(_, f)| f.item() == item && f.basis() == basis)
}

fn per_tonne_cell(
    c2r: &pb::CostToRevenue,
    item: pb::PerTonneItem,
    basis: pb::TonneBasis,
) -> String {
    match per_tonne(c2r, item, basis) {
        Some((i, f)) => format!(
            "{}<br>{}",
            decimal(
                &format!("cost_to_revenue.per_tonne[{i}].cny_per_t"),
                &f.cny_per_t
            ),
            note(&labels::per_tonne_kind(f.kind()).text())
        ),
        None => ABSENT.to_owned(),
    }
}

const BASES: [pb::TonneBasis; 3] = [
    pb::TonneBasis::FreshManure,
    pb::TonneBasis::DryMatter,
    pb::TonneBasis::FinishedProduct,
];

/// Before: what the farm paid to treat its manure. After: what the project nets. The swing
/// is the difference the loan is repaid from (the incremental cash flow, a year).
fn before_and_after(c2r: &pb::CostToRevenue, cash_flow: Option<&pb::AnnualCashFlow>) -> String {
    use pb::PerTonneItem as I;
    let mut table = Table::new(
        "before-after",
        &[
            Label { zh: "", en: "" },
            labels::BEFORE,
            labels::AFTER,
            labels::per_tonne_item(I::SwingFromBaseline),
        ],
        &[false, true, true, true],
    );
    let annual = |path: &str, value: Option<&Option<pb::Decimal>>| match value {
        Some(v) => decimal(path, v),
        None => ABSENT.to_owned(),
    };
    table.row(&[
        labels::ANNUAL_CNY.html(),
        format!(
            "{}<br>{}",
            decimal(
                "cost_to_revenue.baseline_treatment_cost_cny_per_year",
                &c2r.baseline_treatment_cost_cny_per_year
            ),
            note(&labels::BASELINE_COST.text())
        ),
        format!(
            "{}<br>{}",
            annual(
                "annual_cash_flow.project_only_cny_per_year",
                cash_flow.map(|c| &c.project_only_cny_per_year)
            ),
            note(&labels::PROJECT_ONLY_TOTAL.text())
        ),
        format!(
            "{}<br>{}",
            annual(
                "annual_cash_flow.incremental_cny_per_year",
                cash_flow.map(|c| &c.incremental_cny_per_year)
            ),
            note(&labels::INCREMENTAL_TOTAL.text())
        ),
    ]);
    for basis in BASES {
        table.row(&[
            labels::tonne_basis(basis).html(),
            per_tonne_cell(c2r, I::BaselineTreatmentCost, basis),
            per_tonne_cell(c2r, I::ProjectNetMargin, basis),
            per_tonne_cell(c2r, I::SwingFromBaseline, basis),
        ]);
    }
    let mut html = table.finish();
    html.push_str(&format!(
        "<p>{}: {} {}</p>",
        labels::fertilizer_value_kind(c2r.fertilizer_value_kind()).html(),
        decimal(
            "cost_to_revenue.fertilizer_income_cny_per_year",
            &c2r.fertilizer_income_cny_per_year
        ),
        note(&labels::CNY_PER_YEAR.text())
    ));
    html
}

/// Every per-tonne figure the response gives, each on each basis, with its kind.
fn per_tonne_table(c2r: &pb::CostToRevenue) -> String {
    let mut items: Vec<pb::PerTonneItem> = Vec::new();
    for f in &c2r.per_tonne {
        if !items.contains(&f.item()) {
            items.push(f.item());
        }
    }
    let mut headers = vec![labels::ITEM];
    headers.extend(BASES.map(labels::tonne_basis));
    let mut table = Table::new("per-tonne", &headers, &[false, true, true, true]);
    for item in items {
        let mut cells = vec![labels::per_tonne_item(item).html()];
        cells.extend(BASES.map(|basis| per_tonne_cell(c2r, item, basis)));
        table.row(&cells);
    }
    format!("<h3>{}</h3>{}", labels::PER_TONNE.html(), table.finish())
}

fn cash_flow_table(cash_flow: &pb::AnnualCashFlow) -> String {
    let mut table = Table::new(
        "cash-flow",
        &[labels::LINE, labels::KIND, labels::CNY_PER_YEAR],
        &[false, false, true],
    );
    for (i, line) in cash_flow.lines.iter().enumerate() {
        table.row(&[
            escape(&line.name),
            labels::cash_flow_line_kind(line.kind()).html(),
            decimal(
                &format!("annual_cash_flow.lines[{i}].cny_per_year"),
                &line.cny_per_year,
            ),
        ]);
    }
    let basis = cash_flow.basis();
    let used = |b: pb::CashFlowBasis| {
        if b == basis {
            format!(" {}", note(&format!("({})", labels::BASIS_USED.text())))
        } else {
            String::new()
        }
    };
    table.row_with_class(
        "total",
        &[
            format!(
                "{}{}",
                labels::PROJECT_ONLY_TOTAL.html(),
                used(pb::CashFlowBasis::ProjectOnly)
            ),
            String::new(),
            decimal(
                "annual_cash_flow.project_only_cny_per_year",
                &cash_flow.project_only_cny_per_year,
            ),
        ],
    );
    table.row_with_class(
        "total",
        &[
            format!(
                "{}{}",
                labels::INCREMENTAL_TOTAL.html(),
                used(pb::CashFlowBasis::Incremental)
            ),
            String::new(),
            decimal(
                "annual_cash_flow.incremental_cny_per_year",
                &cash_flow.incremental_cny_per_year,
            ),
        ],
    );
    format!("<h3>{}</h3>{}", labels::CASH_FLOW.html(), table.finish())
}

fn investment_returns(returns: &pb::InvestmentReturns) -> String {
    let p = |field: &str| format!("investment_returns.{field}");
    let rows = [
        (
            labels::NET_INVESTMENT,
            decimal(&p("net_investment_cny"), &returns.net_investment_cny),
        ),
        (
            labels::PROJECT_LIFE,
            figure(
                &p("project_life_years"),
                &returns.project_life_years.to_string(),
            ),
        ),
        (
            labels::PAYBACK,
            decimal(&p("simple_payback_years"), &returns.simple_payback_years),
        ),
        (
            labels::DISCOUNT_RATE,
            decimal(&p("discount_rate_pct"), &returns.discount_rate_pct),
        ),
        (labels::NPV, decimal(&p("npv_cny"), &returns.npv_cny)),
        (
            labels::IRR,
            format!(
                "{}<br>{}",
                decimal(&p("irr_pct"), &returns.irr_pct),
                note(&returns.irr_method)
            ),
        ),
    ];
    format!(
        "<h3>{} {}</h3>{}",
        labels::RETURNS.html(),
        note(&format!(
            "({})",
            labels::cash_flow_basis(returns.basis()).text()
        )),
        key_values(&rows)
    )
}

fn mass_balance(balance: &pb::MassBalance) -> String {
    let p = |field: &str| format!("mass_balance.{field}");
    let loss_given = match &balance.composting_dry_matter_loss_fraction {
        Some(_) => decimal(
            &p("composting_dry_matter_loss_fraction"),
            &balance.composting_dry_matter_loss_fraction,
        ),
        None => labels::NOT_GIVEN.html(),
    };
    let closes = if balance.closes {
        labels::YES
    } else {
        labels::NO
    };
    let rows = [
        (
            labels::DRY_MATTER_IN,
            decimal(
                &p("manure_dry_matter_t_per_day"),
                &balance.manure_dry_matter_t_per_day,
            ),
        ),
        (
            labels::AMENDMENTS_DRY_MATTER,
            decimal(
                &p("amendments_dry_matter_t_per_day"),
                &balance.amendments_dry_matter_t_per_day,
            ),
        ),
        (labels::LOSS_GIVEN, loss_given),
        (
            labels::LOSS_TOLERABLE,
            decimal(
                &p("tolerable_dry_matter_loss_fraction"),
                &balance.tolerable_dry_matter_loss_fraction,
            ),
        ),
        (
            labels::CAPACITY,
            decimal(
                &p("product_capacity_t_per_day"),
                &balance.product_capacity_t_per_day,
            ),
        ),
        (
            labels::STATED_OUTPUT,
            decimal(
                &p("product_stated_t_per_day"),
                &balance.product_stated_t_per_day,
            ),
        ),
        (labels::CLOSES, closes.html()),
        (
            labels::SHORTFALL,
            decimal(
                &p("dry_matter_shortfall_t_per_day"),
                &balance.dry_matter_shortfall_t_per_day,
            ),
        ),
    ];
    format!(
        "<h3>{}</h3>{}",
        labels::MASS_BALANCE.html(),
        key_values(&rows)
    )
}

pub fn schedule_and_dscr(response: &pb::AssessResponse) -> String {
    let mut html = String::new();
    if let Some(schedule) = &response.loan {
        html.push_str(&schedule_totals(schedule));
    }
    if let Some(cover) = &response.debt_service_cover {
        html.push_str(&dscr_years_table(cover));
        html.push_str(&format!("<h3>{}</h3>", labels::DSCR_CHART.html()));
        html.push_str(&svg::dscr_chart(&dscr_years(cover), hurdle(cover).as_ref()));
        html.push_str(&dscr_summary(cover));
    }
    html.push_str(&format!("<p>{}</p>", labels::SEE_APPENDIX.html()));
    html
}

fn schedule_totals(schedule: &pb::LoanSchedule) -> String {
    key_values(&[
        (
            labels::ANNUAL_RATE,
            decimal("loan.annual_rate_pct", &schedule.annual_rate_pct),
        ),
        (
            labels::PERIOD_COUNT,
            figure("loan.period_count", &schedule.period_count.to_string()),
        ),
        (
            labels::TOTAL_INTEREST,
            decimal("loan.total_interest_cny", &schedule.total_interest_cny),
        ),
        (
            labels::TOTAL_PRINCIPAL,
            decimal("loan.total_principal_cny", &schedule.total_principal_cny),
        ),
        (
            labels::TOTAL_INSTALMENTS,
            decimal(
                "loan.total_instalments_cny",
                &schedule.total_instalments_cny,
            ),
        ),
        (labels::CONVENTION, note(&schedule.convention)),
    ])
}

/// The per-loan-year summary: what the chart shows, as figures.
fn dscr_years_table(cover: &pb::DebtServiceCover) -> String {
    let mut table = Table::new(
        "dscr-years",
        &[
            labels::LOAN_YEAR,
            labels::MONTHS,
            labels::CASH_FLOW_AVAILABLE,
            labels::DEBT_SERVICE,
            labels::DSCR,
        ],
        &[true, true, true, true, true],
    );
    for (i, year) in cover.years.iter().enumerate() {
        let p = |field: &str| format!("debt_service_cover.years[{i}].{field}");
        table.row(&[
            figure(&p("loan_year"), &year.loan_year.to_string()),
            figure(&p("months"), &year.months.to_string()),
            decimal(&p("cash_flow_available_cny"), &year.cash_flow_available_cny),
            decimal(&p("debt_service_cny"), &year.debt_service_cny),
            decimal(&p("dscr"), &year.dscr),
        ]);
    }
    table.finish()
}

fn dscr_years(cover: &pb::DebtServiceCover) -> Vec<DscrYear> {
    cover
        .years
        .iter()
        .enumerate()
        .map(|(i, year)| DscrYear {
            loan_year: year.loan_year,
            dscr: Figure::of(format!("debt_service_cover.years[{i}].dscr"), &year.dscr),
        })
        .collect()
}

fn hurdle(cover: &pb::DebtServiceCover) -> Option<Figure> {
    Figure::of(
        "debt_service_cover.dscr_hurdle".to_owned(),
        &cover.dscr_hurdle,
    )
}

fn dscr_summary(cover: &pb::DebtServiceCover) -> String {
    let status = cover.hurdle_status();
    let class = match status {
        pb::HurdleStatus::Met => "status-met",
        pb::HurdleStatus::NotMet => "status-not-met",
        _ => "status",
    };
    let mut rows = vec![
        (
            labels::MIN_DSCR,
            format!(
                "{} ({} {})",
                decimal("debt_service_cover.min_dscr", &cover.min_dscr),
                escape(labels::LOAN_YEAR.en),
                figure(
                    "debt_service_cover.min_dscr_loan_year",
                    &cover.min_dscr_loan_year.to_string()
                )
            ),
        ),
        (
            labels::HURDLE,
            decimal("debt_service_cover.dscr_hurdle", &cover.dscr_hurdle),
        ),
        (
            labels::HURDLE_STATUS,
            format!(
                r#"<span class="{class}">{}</span>"#,
                labels::hurdle_status(status).html()
            ),
        ),
    ];
    if let Some(even) = &cover.break_even {
        rows.extend(break_even(even));
    }
    key_values(&rows)
}

fn break_even(even: &pb::BreakEven) -> [(Label, String); 4] {
    let p = |field: &str| format!("debt_service_cover.break_even.{field}");
    [
        (labels::BREAK_EVEN, note(&even.condition)),
        (
            labels::REQUIRED_CASH_FLOW,
            decimal(
                &p("required_cash_flow_cny_per_year"),
                &even.required_cash_flow_cny_per_year,
            ),
        ),
        (
            labels::BREAK_EVEN_VALUE,
            decimal(
                &p("fertilizer_value_cny_per_t_product"),
                &even.fertilizer_value_cny_per_t_product,
            ),
        ),
        (
            labels::BREAK_EVEN_THROUGHPUT,
            decimal(&p("manure_fresh_t_per_day"), &even.manure_fresh_t_per_day),
        ),
    ]
}

/// Every period, at the end of the page so the charts stay near the top of a long schedule.
pub fn schedule_appendix(response: &pb::AssessResponse) -> String {
    let Some(schedule) = &response.loan else {
        return format!("<p>{ABSENT}</p>");
    };
    let mut table = Table::new(
        "schedule",
        &[
            labels::PERIOD,
            labels::DUE_DATE,
            labels::LOAN_YEAR,
            labels::OPENING_BALANCE,
            labels::INTEREST,
            labels::PRINCIPAL_REPAID,
            labels::INSTALMENT,
            labels::CLOSING_BALANCE,
        ],
        &[true, false, true, true, true, true, true, true],
    );
    for (i, period) in schedule.periods.iter().enumerate() {
        let p = |field: &str| format!("loan.periods[{i}].{field}");
        table.row(&[
            figure(&p("number"), &period.number.to_string()),
            figure(&p("due_date"), &period.due_date),
            figure(&p("loan_year"), &period.loan_year.to_string()),
            decimal(&p("opening_balance_cny"), &period.opening_balance_cny),
            decimal(&p("interest_cny"), &period.interest_cny),
            decimal(&p("principal_cny"), &period.principal_cny),
            decimal(&p("instalment_cny"), &period.instalment_cny),
            decimal(&p("closing_balance_cny"), &period.closing_balance_cny),
        ]);
    }
    table.row_with_class(
        "total",
        &[
            labels::TOTAL.html(),
            String::new(),
            String::new(),
            String::new(),
            decimal("loan.total_interest_cny", &schedule.total_interest_cny),
            decimal("loan.total_principal_cny", &schedule.total_principal_cny),
            decimal(
                "loan.total_instalments_cny",
                &schedule.total_instalments_cny,
            ),
            String::new(),
        ],
    );
    table.finish()
}
