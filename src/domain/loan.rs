//! Loan repayment schedules in fen, by the convention of shared/methodology.md §6.

use rust_decimal::Decimal;

use super::ComputeError;
use super::calendar::Date;
use super::powers::checked_pow;
use super::presentation::RoundingRule;
use super::product::checked_mul;

pub const SCHEDULE_CONVENTION: &str = "periodic rate = annual rate / periods per year, exact; \
interest of a period = opening balance x periodic rate, rounded half away from zero to 0.01 \
each period; the equal instalment (or equal principal) is rounded half away from zero to 0.01 \
once; principal = instalment - interest, never more than the balance; grace periods pay \
interest only; the last period repays the whole remaining balance; every period accrues a \
full period's interest whatever its calendar length; due dates keep the first due date's day \
of month, clamped to the month's last day";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepaymentMethod {
    EqualInstalment,
    EqualPrincipal,
    InterestOnlyBullet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepaymentFrequency {
    Monthly,
    Quarterly,
    SemiAnnual,
    Annual,
}

impl RepaymentFrequency {
    pub fn months_per_period(self) -> u32 {
        match self {
            RepaymentFrequency::Monthly => 1,
            RepaymentFrequency::Quarterly => 3,
            RepaymentFrequency::SemiAnnual => 6,
            RepaymentFrequency::Annual => 12,
        }
    }

    fn periods_per_year(self) -> u32 {
        12 / self.months_per_period()
    }
}

/// Loan terms already checked against the request limits.
#[derive(Debug, Clone)]
pub struct LoanTerms {
    pub principal_cny: Decimal,
    pub annual_rate_pct: Decimal,
    pub term_months: u32,
    pub method: RepaymentMethod,
    pub frequency: RepaymentFrequency,
    pub first_payment_date: Date,
    pub grace_months: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SchedulePeriod {
    pub number: u32,
    pub due_date: Date,
    pub loan_year: u32,
    pub opening_balance_cny: Decimal,
    pub interest_cny: Decimal,
    pub principal_cny: Decimal,
    pub instalment_cny: Decimal,
    pub closing_balance_cny: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub periods: Vec<SchedulePeriod>,
    pub total_interest_cny: Decimal,
    pub total_principal_cny: Decimal,
    pub total_instalments_cny: Decimal,
}

/// Debt service falling due in one loan year.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanYear {
    pub loan_year: u32,
    /// Months of the term inside this loan year: 12, or fewer in a short last year.
    pub months: u32,
    pub debt_service_cny: Decimal,
}

fn to_fen(amount: Decimal) -> Decimal {
    RoundingRule::HalfAwayFromZero.apply(amount, 2)
}

/// The schedule. Terms must satisfy: term a whole number of periods, grace a whole number of
/// periods shorter than the term (the adapter's validation guarantees it).
///
/// No operation here can overflow for a valid request: the balance never exceeds the principal
/// (at most 1e11) and the periodic rate is at most 1 (100% a year, paid annually), so an
/// interest or an instalment is at most 2e11 and the totals over at most 600 periods (50 years
/// of interest at most) under 1e13. Only the equal instalment divides by a small number; it is
/// checked, and its power of the discount factor only shrinks.
pub fn schedule(terms: &LoanTerms) -> Result<Schedule, ComputeError> {
    let months_per_period = terms.frequency.months_per_period();
    let period_count = terms.term_months / months_per_period;
    let grace_periods = terms.grace_months / months_per_period;
    let amortising_periods = period_count - grace_periods;
    debug_assert!(terms.term_months.is_multiple_of(months_per_period) && amortising_periods >= 1);

    let periodic_rate = terms.annual_rate_pct
        / Decimal::ONE_HUNDRED
        / Decimal::from(terms.frequency.periods_per_year());
    let principal = terms.principal_cny;
    let level_amount = match terms.method {
        RepaymentMethod::EqualInstalment => to_fen(equal_instalment(
            principal,
            periodic_rate,
            amortising_periods,
        )?),
        RepaymentMethod::EqualPrincipal => to_fen(principal / Decimal::from(amortising_periods)),
        RepaymentMethod::InterestOnlyBullet => Decimal::ZERO,
    };

    let mut periods = Vec::with_capacity(period_count as usize);
    let mut balance = principal;
    for number in 1..=period_count {
        let interest =
            to_fen(checked_mul(balance, periodic_rate).ok_or(ComputeError::Overflow("interest"))?);
        let principal_part = if number == period_count {
            balance
        } else if number <= grace_periods {
            Decimal::ZERO
        } else {
            match terms.method {
                RepaymentMethod::EqualInstalment => (level_amount - interest).min(balance),
                RepaymentMethod::EqualPrincipal => level_amount.min(balance),
                RepaymentMethod::InterestOnlyBullet => Decimal::ZERO,
            }
        };
        debug_assert!(interest >= Decimal::ZERO && principal_part >= Decimal::ZERO);
        let months_elapsed = number * months_per_period;
        periods.push(SchedulePeriod {
            number,
            due_date: terms.first_payment_date.add_months_clamped(
                (number - 1) * months_per_period,
                terms.first_payment_date.day(),
            ),
            loan_year: months_elapsed.div_ceil(12),
            opening_balance_cny: balance,
            interest_cny: interest,
            principal_cny: principal_part,
            instalment_cny: interest + principal_part,
            closing_balance_cny: balance - principal_part,
        });
        balance -= principal_part;
    }
    debug_assert!(balance.is_zero());

    let total = |field: fn(&SchedulePeriod) -> Decimal| periods.iter().map(field).sum();
    let total_principal_cny: Decimal = total(|p| p.principal_cny);
    if total_principal_cny != principal {
        return Err(ComputeError::Invariant(
            "principal repaid differs from principal lent",
        ));
    }
    Ok(Schedule {
        total_interest_cny: total(|p| p.interest_cny),
        total_principal_cny,
        total_instalments_cny: total(|p| p.instalment_cny),
        periods,
    })
}

/// A = P r / (1 - (1+r)^-n), written with v = 1/(1+r) so that nothing grows with n: v^n only
/// shrinks, where (1+r)^n overflows for long terms at high rates.
fn equal_instalment(
    principal: Decimal,
    periodic_rate: Decimal,
    periods: u32,
) -> Result<Decimal, ComputeError> {
    if periodic_rate.is_zero() {
        return Ok(principal / Decimal::from(periods));
    }
    let discount = Decimal::ONE / (Decimal::ONE + periodic_rate);
    let annuity_denominator =
        Decimal::ONE - checked_pow(discount, periods).ok_or(ComputeError::Overflow("power"))?;
    checked_mul(principal, periodic_rate)
        .and_then(|interest| interest.checked_div(annuity_denominator))
        .ok_or(ComputeError::Overflow("equal instalment"))
}

/// Debt service per loan year, in loan-year order.
pub fn debt_service_by_loan_year(schedule: &Schedule, term_months: u32) -> Vec<LoanYear> {
    let year_count = term_months.div_ceil(12);
    let mut years: Vec<LoanYear> = (1..=year_count)
        .map(|loan_year| LoanYear {
            loan_year,
            months: (term_months - (loan_year - 1) * 12).min(12),
            debt_service_cny: Decimal::ZERO,
        })
        .collect();
    for period in &schedule.periods {
        years[(period.loan_year - 1) as usize].debt_service_cny += period.instalment_cny;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn terms(method: RepaymentMethod, term_months: u32, grace_months: u32) -> LoanTerms {
        LoanTerms {
            principal_cny: dec("1200.00"),
            annual_rate_pct: dec("12"),
            term_months,
            method,
            frequency: RepaymentFrequency::Monthly,
            first_payment_date: Date::parse("2025-01-31").unwrap(),
            grace_months,
        }
    }

    /// (interest, principal, instalment, closing) per period, as text.
    fn rows(schedule: &Schedule) -> Vec<[String; 4]> {
        schedule
            .periods
            .iter()
            .map(|p| {
                [
                    p.interest_cny,
                    p.principal_cny,
                    p.instalment_cny,
                    p.closing_balance_cny,
                ]
                .map(|d| d.to_string())
            })
            .collect()
    }

    // Worked by hand: r = 1% a month, A = 1200 x 0.01 x 1.01^3 / (1.01^3 - 1)
    // = 12 x 1.030301 / 0.030301 = 408.0265... -> 408.03.
    #[test]
    fn equal_instalment_by_hand() {
        let s = schedule(&terms(RepaymentMethod::EqualInstalment, 3, 0)).unwrap();
        assert_eq!(
            rows(&s),
            [
                ["12.00", "396.03", "408.03", "803.97"].map(String::from),
                ["8.04", "399.99", "408.03", "403.98"].map(String::from),
                ["4.04", "403.98", "408.02", "0.00"].map(String::from),
            ]
        );
        assert_eq!(s.total_interest_cny.to_string(), "24.08");
        assert_eq!(s.total_instalments_cny.to_string(), "1224.08");
        let dates: Vec<String> = s.periods.iter().map(|p| p.due_date.to_string()).collect();
        assert_eq!(dates, ["2025-01-31", "2025-02-28", "2025-03-31"]);
    }

    #[test]
    fn equal_principal_by_hand() {
        let s = schedule(&terms(RepaymentMethod::EqualPrincipal, 3, 0)).unwrap();
        assert_eq!(
            rows(&s),
            [
                ["12.00", "400.00", "412.00", "800.00"].map(String::from),
                ["8.00", "400.00", "408.00", "400.00"].map(String::from),
                ["4.00", "400.00", "404.00", "0.00"].map(String::from),
            ]
        );
    }

    #[test]
    fn interest_only_bullet_by_hand() {
        let s = schedule(&terms(RepaymentMethod::InterestOnlyBullet, 3, 0)).unwrap();
        assert_eq!(
            rows(&s),
            [
                ["12.00", "0", "12.00", "1200.00"].map(String::from),
                ["12.00", "0", "12.00", "1200.00"].map(String::from),
                ["12.00", "1200.00", "1212.00", "0.00"].map(String::from),
            ]
        );
    }

    #[test]
    fn grace_period_pays_interest_then_amortises_over_the_rest() {
        let s = schedule(&terms(RepaymentMethod::EqualInstalment, 4, 1)).unwrap();
        let r = rows(&s);
        assert_eq!(r[0], ["12.00", "0", "12.00", "1200.00"].map(String::from));
        assert_eq!(
            r[1],
            ["12.00", "396.03", "408.03", "803.97"].map(String::from)
        );
        assert_eq!(r[3], ["4.04", "403.98", "408.02", "0.00"].map(String::from));
    }

    #[test]
    fn zero_rate_spreads_principal_and_last_period_trues_up() {
        let mut t = terms(RepaymentMethod::EqualInstalment, 3, 0);
        t.principal_cny = dec("100.00");
        t.annual_rate_pct = Decimal::ZERO;
        let s = schedule(&t).unwrap();
        let principal: Vec<String> = s
            .periods
            .iter()
            .map(|p| p.principal_cny.to_string())
            .collect();
        assert_eq!(principal, ["33.33", "33.33", "33.34"]);
        assert_eq!(s.total_interest_cny, Decimal::ZERO);
    }

    #[test]
    fn quarterly_periods_use_a_quarter_of_the_annual_rate_and_step_three_months() {
        let mut t = terms(RepaymentMethod::EqualPrincipal, 12, 0);
        t.frequency = RepaymentFrequency::Quarterly;
        let s = schedule(&t).unwrap();
        assert_eq!(s.periods.len(), 4);
        assert_eq!(s.periods[0].interest_cny.to_string(), "36.00");
        assert_eq!(s.periods[3].due_date.to_string(), "2025-10-31");
        assert!(s.periods.iter().all(|p| p.loan_year == 1));
    }

    #[test]
    fn loan_years_sum_the_instalments_and_count_months() {
        let mut t = terms(RepaymentMethod::EqualPrincipal, 30, 0);
        t.principal_cny = dec("3000.00");
        let s = schedule(&t).unwrap();
        let years = debt_service_by_loan_year(&s, 30);
        assert_eq!(
            years.iter().map(|y| y.months).collect::<Vec<_>>(),
            [12, 12, 6]
        );
        let total: Decimal = years.iter().map(|y| y.debt_service_cny).sum();
        assert_eq!(total, s.total_instalments_cny);
    }

    #[test]
    fn long_high_rate_loans_do_not_overflow() {
        let mut t = terms(RepaymentMethod::EqualInstalment, 600, 0);
        t.principal_cny = dec("100000000000.00");
        t.annual_rate_pct = dec("100");
        let s = schedule(&t).unwrap();
        assert_eq!(s.total_principal_cny, t.principal_cny);
    }
}
