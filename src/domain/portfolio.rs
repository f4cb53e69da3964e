//! A book of loans summed for disclosure: count, amount, principal-weighted rate and the
//! carbon reduction, in total and by quarter of disbursement, exactly. Only the sums are kept,
//! so a book of any length takes the same memory.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::calendar::Date;
use super::carbon::bounds::Bounds;

/// One loan as the summary needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioEntry {
    pub principal_cny: Decimal,
    pub annual_rate_pct: Decimal,
    pub disbursement_date: Option<Date>,
    /// The project's total reduction and the loan-attributed (PBoC-style) share of it.
    pub reduction_tco2e: Option<(Bounds, Bounds)>,
}

/// A calendar quarter; None sorts last as "undated".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub number: u8,
}

impl Quarter {
    pub fn of(date: Date) -> Quarter {
        Quarter {
            year: date.year(),
            number: (date.month() - 1) / 3 + 1,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.number)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub project_count: u32,
    pub loan_cny: Decimal,
    /// Sum of principal x rate, so the weighted rate is one division at the end.
    pub principal_times_rate: Decimal,
    pub projects_with_carbon: u32,
    pub reduction_tco2e: Bounds,
    pub attributed_tco2e: Bounds,
}

impl Default for Figures {
    fn default() -> Figures {
        Figures {
            project_count: 0,
            loan_cny: Decimal::ZERO,
            principal_times_rate: Decimal::ZERO,
            projects_with_carbon: 0,
            reduction_tco2e: Bounds::ZERO,
            attributed_tco2e: Bounds::ZERO,
        }
    }
}

impl Figures {
    /// The sums cannot leave the decimal range: a loan is at most 1e11 CNY at 100% and a
    /// reduction under 1e18 t, so it would take more than 7.9e10 loans; each one is a stored
    /// assessment read within one request's time limit. The counts saturate rather than wrap.
    fn add(&mut self, entry: &PortfolioEntry) {
        self.project_count = self.project_count.saturating_add(1);
        self.loan_cny += entry.principal_cny;
        self.principal_times_rate += entry.principal_cny * entry.annual_rate_pct;
        if let Some((reduction, attributed)) = entry.reduction_tco2e {
            self.projects_with_carbon = self.projects_with_carbon.saturating_add(1);
            self.reduction_tco2e = self.reduction_tco2e + reduction;
            self.attributed_tco2e = self.attributed_tco2e + attributed;
        }
    }

    /// Principal-weighted average rate in percent; None for an empty set.
    pub fn weighted_average_rate_pct(&self) -> Option<Decimal> {
        self.principal_times_rate.checked_div(self.loan_cny)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Portfolio {
    pub total: Figures,
    pub by_quarter: BTreeMap<Option<Quarter>, Figures>,
}

impl Portfolio {
    pub fn add(&mut self, entry: &PortfolioEntry) {
        self.total.add(entry);
        self.by_quarter
            .entry(entry.disbursement_date.map(Quarter::of))
            .or_default()
            .add(entry);
    }

    /// Quarters oldest first, undated last.
    pub fn quarters(&self) -> impl Iterator<Item = (Option<Quarter>, &Figures)> {
        let dated = self.by_quarter.iter().filter(|(q, _)| q.is_some());
        let undated = self.by_quarter.iter().filter(|(q, _)| q.is_none());
        dated.chain(undated).map(|(q, f)| (*q, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn sums_are_exact_and_grouped_by_quarter() {
        let mut portfolio = Portfolio::default();
        let entry = |principal: &str, rate: &str, date: Option<&str>, carbon: Option<&str>| {
            PortfolioEntry {
                principal_cny: dec(principal),
                annual_rate_pct: dec(rate),
                disbursement_date: date.map(|d| Date::parse(d).unwrap()),
                reduction_tco2e: carbon.map(|c| (Bounds::exact(dec(c)), Bounds::exact(dec(c)))),
            }
        };
        portfolio.add(&entry(
            "3800000",
            "3.45",
            Some("2025-06-21"),
            Some("973.823"),
        ));
        portfolio.add(&entry("1000000", "4.00", Some("2025-08-01"), None));
        portfolio.add(&entry("200000", "3.00", None, Some("10")));
        assert_eq!(portfolio.total.project_count, 3);
        assert_eq!(portfolio.total.loan_cny, dec("5000000"));
        // (3.8M x 3.45 + 1M x 4 + 0.2M x 3) / 5M = 3.542
        assert_eq!(
            portfolio.total.weighted_average_rate_pct(),
            Some(dec("3.542"))
        );
        assert_eq!(portfolio.total.reduction_tco2e.central, dec("983.823"));
        let quarters: Vec<String> = portfolio
            .quarters()
            .map(|(q, _)| q.map_or("undated".into(), |q| q.to_string()))
            .collect();
        assert_eq!(quarters, ["2025Q2", "2025Q3", "undated"]);
    }
}
