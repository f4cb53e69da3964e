//! PortfolioSummary: the disclosure figures, rounded once from the exact sums, with the
//! quarters allocated so that they add up to the shown totals.

use rust_decimal::Decimal;

use crate::domain::carbon::bounds::Bounds;
use crate::domain::portfolio::{Figures, Portfolio};
use crate::domain::presentation::{Presenter, RoundingRule, ShownBounds};
use crate::pb;

const AMOUNT_DP: u32 = 2;
const RATE_DP: u32 = 4;
const TCO2E_DP: u32 = 2;

pub const ROUNDING: &str = "loan amounts in 10,000 CNY at 2 decimal places, weighted rates in \
percent at 4, tCO2e at 2, each rounded half away from zero once from the exact sum; the \
quarters' amounts and reductions are then allocated (largest rounding error first) so that they \
add up to the shown totals; a weighted rate is its quarter's own";

fn text(value: Decimal) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_string(),
    })
}

fn bounds(shown: ShownBounds) -> Option<pb::Bounds> {
    let [low, central, high] = shown.map(text);
    Some(pb::Bounds { low, central, high })
}

fn ends(b: &Bounds) -> ShownBounds {
    [b.low, b.central, b.high]
}

pub fn summary(
    portfolio: &Portfolio,
    errors: Vec<pb::PortfolioItemError>,
    error_count: u32,
) -> pb::PortfolioSummary {
    let presenter = Presenter {
        rule: RoundingRule::HalfAwayFromZero,
        ..Presenter::default()
    };
    let ten_thousand = Decimal::from(10_000);
    let quarters: Vec<_> = portfolio.quarters().collect();

    let loan_total = presenter.round(portfolio.total.loan_cny / ten_thousand, AMOUNT_DP);
    let loan_parts: Vec<Decimal> = quarters
        .iter()
        .map(|(_, f)| f.loan_cny / ten_thousand)
        .collect();
    let loans = presenter.allocate(&loan_parts, loan_total, AMOUNT_DP);

    let spread = |of: fn(&Figures) -> &Bounds| -> (ShownBounds, Vec<ShownBounds>) {
        let total = ends(of(&portfolio.total)).map(|v| presenter.round(v, TCO2E_DP));
        let parts: Vec<ShownBounds> = quarters.iter().map(|(_, f)| ends(of(f))).collect();
        (total, presenter.allocate_bounds(&parts, total, TCO2E_DP))
    };
    let (reduction_total, reductions) = spread(|f| &f.reduction_tco2e);
    let (attributed_total, attributed) = spread(|f| &f.attributed_tco2e);

    let figures = |f: &Figures, loan: Decimal, reduction: ShownBounds, attributed: ShownBounds| {
        pb::PortfolioFigures {
            project_count: f.project_count,
            loan_amount_10k_cny: text(loan),
            weighted_average_rate_pct: f
                .weighted_average_rate_pct()
                .and_then(|r| text(presenter.round(r, RATE_DP))),
            projects_with_carbon: f.projects_with_carbon,
            reduction_tco2e_per_year: bounds(reduction),
            loan_attributed_reduction_tco2e_per_year: bounds(attributed),
        }
    };
    pb::PortfolioSummary {
        total: Some(figures(
            &portfolio.total,
            loan_total,
            reduction_total,
            attributed_total,
        )),
        by_quarter: quarters
            .iter()
            .enumerate()
            .map(|(i, (quarter, f))| pb::QuarterFigures {
                quarter: quarter.map_or_else(|| "undated".to_owned(), |q| q.to_string()),
                figures: Some(figures(f, loans[i], reductions[i], attributed[i])),
            })
            .collect(),
        rounding: ROUNDING.to_owned(),
        errors,
        error_count,
    }
}
