//! Investment returns on exact decimals: NPV, IRR by bisection, simple payback.

use rust_decimal::Decimal;

use super::ComputeError;

/// The IRR is searched for in this range of annual rates (as fractions). Below -50% the
/// discount factor exceeds 2 and a 30-year polynomial would leave the exact range.
const IRR_LOW: Decimal = Decimal::from_parts(5, 0, 0, true, 1); // -0.5
const IRR_HIGH: Decimal = Decimal::TEN; // 1000%
/// Bisection stops once the bracket is this narrow (as a fraction: 1e-9).
const IRR_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

pub const IRR_METHOD: &str = "bisection on exact decimals for the rate at which NPV is zero, \
searched from -50% to 1000% a year, stopped when the bracket is narrower than 1e-9 \
(0.0000001 percentage points); the midpoint of the last bracket is reported";

/// Cash flows at year 0, 1, 2, ...: Σ flow_t / (1 + rate)^t, by Horner's rule in the discount
/// factor so each year costs one multiplication and no division.
pub fn npv(rate: Decimal, flows: &[Decimal]) -> Result<Decimal, ComputeError> {
    let discount = Decimal::ONE
        .checked_div(Decimal::ONE + rate)
        .ok_or(ComputeError::Overflow("discount factor"))?;
    flows.iter().rev().try_fold(Decimal::ZERO, |acc, flow| {
        acc.checked_mul(discount)
            .and_then(|v| v.checked_add(*flow))
            .ok_or(ComputeError::Overflow("net present value"))
    })
}

/// The annual rate (as a fraction) where NPV changes sign, or `None` when it does not change
/// sign over the search range.
pub fn irr(flows: &[Decimal]) -> Result<Option<Decimal>, ComputeError> {
    let (mut low, mut high) = (IRR_LOW, IRR_HIGH);
    let npv_low = npv(low, flows)?;
    let npv_high = npv(high, flows)?;
    if npv_low.is_zero() {
        return Ok(Some(low));
    }
    if npv_high.is_zero() {
        return Ok(Some(high));
    }
    if npv_low.is_sign_negative() == npv_high.is_sign_negative() {
        return Ok(None);
    }
    let low_is_negative = npv_low.is_sign_negative();
    while high - low > IRR_TOLERANCE {
        let mid = (low + high) / Decimal::TWO;
        let npv_mid = npv(mid, flows)?;
        if npv_mid.is_zero() {
            return Ok(Some(mid));
        }
        if npv_mid.is_sign_negative() == low_is_negative {
            low = mid;
        } else {
            high = mid;
        }
    }
    Ok(Some((low + high) / Decimal::TWO))
}

/// Years for the annual cash flow to repay the net investment; `None` when the cash flow is
/// not positive. Zero when nothing was invested.
pub fn simple_payback_years(net_investment: Decimal, annual_cash_flow: Decimal) -> Option<Decimal> {
    if net_investment <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    (annual_cash_flow > Decimal::ZERO).then(|| net_investment / annual_cash_flow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn npv_by_hand() {
        // -1000 + 600/1.1 + 600/1.21 = -1000 + 545.4545... + 495.8677... = 41.3223...
        let value = npv(dec("0.1"), &[dec("-1000"), dec("600"), dec("600")]).unwrap();
        assert_eq!(value.round_dp(4), dec("41.3223"));
        assert_eq!(
            npv(Decimal::ZERO, &[dec("-1000"), dec("600"), dec("600")]).unwrap(),
            dec("200")
        );
    }

    #[test]
    fn irr_brackets_the_exact_root() {
        // -100 + 121/(1+r)^2 = 0 at r = 10% exactly.
        let rate = irr(&[dec("-100"), Decimal::ZERO, dec("121")])
            .unwrap()
            .unwrap();
        assert!((rate - dec("0.1")).abs() <= IRR_TOLERANCE, "{rate}");
        // -1000 + 600 + 600: IRR = (sqrt(4.24)... ) 13.0662386...%.
        let rate = irr(&[dec("-1000"), dec("600"), dec("600")])
            .unwrap()
            .unwrap();
        assert_eq!((rate * Decimal::ONE_HUNDRED).round_dp(4), dec("13.0662"));
    }

    #[test]
    fn irr_is_absent_without_a_sign_change() {
        assert_eq!(irr(&[dec("-100"), dec("-1"), dec("-1")]).unwrap(), None);
        assert_eq!(irr(&[dec("100"), dec("1")]).unwrap(), None);
        // A loss so deep the IRR is below the search range.
        assert_eq!(irr(&[dec("-1000"), dec("1"), dec("1")]).unwrap(), None);
    }

    #[test]
    fn payback_by_hand() {
        assert_eq!(
            simple_payback_years(dec("3800000"), dec("4161000"))
                .unwrap()
                .round_dp(4),
            dec("0.9132")
        );
        assert_eq!(simple_payback_years(dec("100"), Decimal::ZERO), None);
        assert_eq!(
            simple_payback_years(Decimal::ZERO, dec("-5")),
            Some(Decimal::ZERO)
        );
    }
}
