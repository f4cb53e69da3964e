//! Invariants of loan schedules over random principals, rates, terms, methods and grace:
//! principal repaid sums exactly to principal, no negative interest or principal, balances
//! chain, and totals are the sums of their rows.

use green_impact::domain::calendar::Date;
use green_impact::domain::loan::{
    LoanTerms, RepaymentFrequency, RepaymentMethod, debt_service_by_loan_year, schedule,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn method() -> impl Strategy<Value = RepaymentMethod> {
    prop_oneof![
        Just(RepaymentMethod::EqualInstalment),
        Just(RepaymentMethod::EqualPrincipal),
        Just(RepaymentMethod::InterestOnlyBullet),
    ]
}

fn frequency() -> impl Strategy<Value = RepaymentFrequency> {
    prop_oneof![
        Just(RepaymentFrequency::Monthly),
        Just(RepaymentFrequency::Quarterly),
        Just(RepaymentFrequency::SemiAnnual),
        Just(RepaymentFrequency::Annual),
    ]
}

/// Valid terms as the request limits allow them: principal 0.01 to 100 billion CNY in fen,
/// rate 0 to 100% in millionths of a percent, up to 600 months, grace shorter than the term.
fn terms() -> impl Strategy<Value = LoanTerms> {
    terms_with(method())
}

fn terms_with(method: impl Strategy<Value = RepaymentMethod>) -> impl Strategy<Value = LoanTerms> {
    (
        1i64..=10_000_000_000_000,
        0i64..=100_000_000,
        1u32..=50,
        method,
        frequency(),
        0u32..=49,
        1u8..=31,
    )
        .prop_map(
            |(fen, rate_millionths, years_or_periods, method, frequency, grace, day)| {
                let step = frequency.months_per_period();
                let periods = (years_or_periods * 12 / step).clamp(1, 600 / step);
                let grace_periods = grace % periods;
                LoanTerms {
                    principal_cny: Decimal::new(fen, 2),
                    annual_rate_pct: Decimal::new(rate_millionths, 6),
                    term_months: periods * step,
                    method,
                    frequency,
                    first_payment_date: Date::new(2025, 1, day.min(28)).unwrap(),
                    grace_months: grace_periods * step,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn principal_repaid_sums_exactly_to_principal(terms in terms()) {
        let s = schedule(&terms).unwrap();
        let repaid: Decimal = s.periods.iter().map(|p| p.principal_cny).sum();
        prop_assert_eq!(repaid, terms.principal_cny);
        prop_assert_eq!(s.total_principal_cny, terms.principal_cny);
        prop_assert_eq!(s.periods.last().unwrap().closing_balance_cny, Decimal::ZERO);
    }

    #[test]
    fn rows_are_non_negative_in_fen_and_chain(terms in terms()) {
        let s = schedule(&terms).unwrap();
        prop_assert_eq!(s.periods.len() as u32, terms.term_months / terms.frequency.months_per_period());
        let mut opening = terms.principal_cny;
        for p in &s.periods {
            prop_assert!(p.interest_cny >= Decimal::ZERO, "negative interest in {:?}", p);
            prop_assert!(p.principal_cny >= Decimal::ZERO, "negative principal in {:?}", p);
            prop_assert!(p.interest_cny.scale() <= 2 && p.principal_cny.scale() <= 2);
            prop_assert_eq!(p.opening_balance_cny, opening);
            prop_assert_eq!(p.instalment_cny, p.interest_cny + p.principal_cny);
            prop_assert_eq!(p.closing_balance_cny, p.opening_balance_cny - p.principal_cny);
            opening = p.closing_balance_cny;
        }
        let interest: Decimal = s.periods.iter().map(|p| p.interest_cny).sum();
        prop_assert_eq!(s.total_interest_cny, interest);
        prop_assert_eq!(s.total_instalments_cny, interest + terms.principal_cny);
    }

    #[test]
    fn grace_periods_repay_nothing_and_loan_years_sum_to_the_total(terms in terms()) {
        let s = schedule(&terms).unwrap();
        let grace_periods = (terms.grace_months / terms.frequency.months_per_period()) as usize;
        for p in s.periods.iter().take(grace_periods) {
            prop_assert_eq!(p.principal_cny, Decimal::ZERO);
        }
        let years = debt_service_by_loan_year(&s, terms.term_months);
        let by_year: Decimal = years.iter().map(|y| y.debt_service_cny).sum();
        prop_assert_eq!(by_year, s.total_instalments_cny);
        prop_assert_eq!(years.iter().map(|y| y.months).sum::<u32>(), terms.term_months);
    }

    #[test]
    fn equal_instalments_are_level_until_the_last_period(terms in terms_with(Just(RepaymentMethod::EqualInstalment))) {
        let s = schedule(&terms).unwrap();
        let grace_periods = (terms.grace_months / terms.frequency.months_per_period()) as usize;
        let amortising = &s.periods[grace_periods..s.periods.len() - 1];
        if let Some(first) = amortising.first() {
            // Level unless the balance ran out early (a clamped principal), which only a
            // rounding drift on tiny loans can cause.
            for p in amortising {
                prop_assert!(p.instalment_cny == first.instalment_cny || p.principal_cny == p.opening_balance_cny);
            }
        }
    }
}
