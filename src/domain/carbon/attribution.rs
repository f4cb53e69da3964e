//! The share of the estimate a lender may claim: PBoC-style by loan share of the investment,
//! PCAF project finance by outstanding amount over equity plus debt, and the intensity and
//! abatement-cost figures a green-finance desk reports.

use rust_decimal::Decimal;

use super::CarbonEstimate;
use super::bounds::Bounds;
use crate::domain::loan::Schedule;

pub const PCAF_DATA_QUALITY_SCORE: u32 = 3;

pub const PCAF_DATA_QUALITY_REASON: &str = "PCAF Global GHG Accounting Standard, project \
finance, option 2b: emissions estimated from the project's physical activity data (manure \
treated, product made, energy used) and published emission factors, not reported or verified \
emissions (scores 1-2) nor economic-activity estimates (scores 4-5)";

pub const ABATEMENT_COST_BASIS: &str = "levelised: (net investment x capital recovery factor \
at the appraisal discount rate over the project life - the annual cash flow on the appraisal's \
basis) / total annual reduction including avoided emissions (central); negative when the \
project's cash flow more than pays for its investment";

/// What the attribution needs from the loan and the appraisal.
pub struct Financing<'a> {
    pub principal_cny: Decimal,
    pub total_project_investment_cny: Decimal,
    pub schedule: &'a Schedule,
    pub net_investment_cny: Decimal,
    pub annual_cash_flow_cny: Decimal,
    pub discount_rate: Decimal,
    pub project_life_years: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PcafLoanYear {
    pub loan_year: u32,
    pub outstanding_at_start_cny: Decimal,
    pub attribution_factor: Decimal,
    pub attributed_total_tco2e: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoanAttribution {
    pub pboc_loan_share: Decimal,
    pub pboc_emission_reduction_tco2e: Bounds,
    pub pboc_total_tco2e: Bounds,
    pub pcaf_attribution_factor: Decimal,
    pub pcaf_financed_emissions_tco2e: Bounds,
    pub pcaf_emission_reduction_tco2e: Bounds,
    pub pcaf_avoided_tco2e: Bounds,
    pub pcaf_by_loan_year: Vec<PcafLoanYear>,
    pub total_tco2e_per_10k_cny_loan: Bounds,
    pub abatement_cost_cny_per_tco2e: Option<Decimal>,
}

pub fn attribute(estimate: &CarbonEstimate, financing: &Financing) -> LoanAttribution {
    let share = |outstanding: Decimal| {
        // Validation keeps the investment positive.
        (outstanding / financing.total_project_investment_cny).min(Decimal::ONE)
    };
    // At drawdown the outstanding amount is the principal, so both conventions coincide then;
    // they part ways as the loan amortises (see the per-year PCAF list).
    let loan_share = share(financing.principal_cny);
    let mut by_loan_year: Vec<PcafLoanYear> = Vec::new();
    for period in &financing.schedule.periods {
        if by_loan_year
            .last()
            .is_none_or(|y| y.loan_year != period.loan_year)
        {
            let factor = share(period.opening_balance_cny);
            by_loan_year.push(PcafLoanYear {
                loan_year: period.loan_year,
                outstanding_at_start_cny: period.opening_balance_cny,
                attribution_factor: factor,
                attributed_total_tco2e: estimate.total_tco2e.central * factor,
            });
        }
    }
    let total = estimate.total_tco2e;
    LoanAttribution {
        pboc_loan_share: loan_share,
        pboc_emission_reduction_tco2e: estimate.emission_reduction_tco2e * loan_share,
        pboc_total_tco2e: total * loan_share,
        pcaf_attribution_factor: loan_share,
        pcaf_financed_emissions_tco2e: estimate.project_total() * loan_share,
        pcaf_emission_reduction_tco2e: estimate.emission_reduction_tco2e * loan_share,
        pcaf_avoided_tco2e: estimate.avoided_tco2e * loan_share,
        pcaf_by_loan_year: by_loan_year,
        // A reduction is under 1e18 t (3.66e7 t of manure, factors and overrides at most 1e6,
        // 64 energy lines) and 10,000 / principal at most 1e6: no overflow.
        total_tco2e_per_10k_cny_loan: total
            * Decimal::from(10_000)
                .checked_div(financing.principal_cny)
                .unwrap_or(Decimal::ZERO),
        abatement_cost_cny_per_tco2e: abatement_cost(total.central, financing),
    }
}

fn abatement_cost(total_tco2e: Decimal, financing: &Financing) -> Option<Decimal> {
    if total_tco2e <= Decimal::ZERO {
        return None;
    }
    let annualised = financing.net_investment_cny
        * capital_recovery_factor(financing.discount_rate, financing.project_life_years);
    // A reduction of a few grams against millions of yuan has no cost per tonne worth showing.
    (annualised - financing.annual_cash_flow_cny).checked_div(total_tco2e)
}

/// r (1+r)^n / ((1+r)^n - 1), and 1/n at r = 0. The rate is at most 1 (100%) and n at most
/// 30 years (limits.rs), so (1+r)^n is at most 2^30 and the factor at most 2: no overflow, and
/// (1+r)^n - 1 is at least r > 0.
fn capital_recovery_factor(rate: Decimal, years: u32) -> Decimal {
    let years = years.max(1);
    if rate.is_zero() {
        return Decimal::ONE / Decimal::from(years);
    }
    let growth = (0..years).fold(Decimal::ONE, |acc, _| acc * (Decimal::ONE + rate));
    rate * growth / (growth - Decimal::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capital_recovery_matches_the_annuity_formula() {
        // 10% over 2 years: 0.1 x 1.21 / 0.21 = 0.576190...
        let crf = capital_recovery_factor(Decimal::new(1, 1), 2);
        assert_eq!(crf.round_dp(6), Decimal::new(576190, 6));
        assert_eq!(
            capital_recovery_factor(Decimal::ZERO, 4),
            Decimal::new(25, 2)
        );
    }
}
