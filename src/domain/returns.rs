//! Investment returns on exact decimals: NPV, IRR by Brent's method, simple payback.

use rust_decimal::Decimal;

use super::ComputeError;

/// The IRR is searched for in this range of annual rates (as fractions). Below -50% the
/// discount factor exceeds 2 and a 30-year polynomial would leave the exact range.
const IRR_LOW: Decimal = Decimal::from_parts(5, 0, 0, true, 1); // -0.5
const IRR_HIGH: Decimal = Decimal::TEN; // 1000%
/// The search stops once the bracket is this narrow (as a fraction: 1e-9).
const IRR_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

pub const IRR_METHOD: &str = "the rate at which NPV changes sign, on exact decimals, searched \
from -50% to 1000% a year by Brent's method (inverse quadratic interpolation and secant steps, \
each falling back to bisection when it would not shrink the bracket fast enough), stopped when \
the bracket is narrower than 1e-9 (0.0000001 percentage points); the midpoint of the last \
bracket is reported";

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
/// sign over the search range. Each evaluation is a full-precision NPV, so their number is the
/// cost: Brent's method (R. P. Brent, Algorithms for Minimization without Derivatives, 1973,
/// ch. 4, the "zeroin" procedure) takes about 10 on a typical project where bisection takes 34,
/// and never many more than bisection, because a step that does not halve the bracket quickly
/// is replaced by a bisection step.
pub fn irr(flows: &[Decimal]) -> Result<Option<Decimal>, ComputeError> {
    sign_change(|rate| npv(rate, flows))
}

/// Brent's search for a sign change of `f` over the IRR range.
fn sign_change(
    mut f: impl FnMut(Decimal) -> Result<Decimal, ComputeError>,
) -> Result<Option<Decimal>, ComputeError> {
    let (mut a, mut b) = (IRR_LOW, IRR_HIGH);
    let (mut fa, mut fb) = (f(a)?, f(b)?);
    if fa.is_zero() {
        return Ok(Some(a));
    }
    if fb.is_zero() {
        return Ok(Some(b));
    }
    if fa.is_sign_negative() == fb.is_sign_negative() {
        return Ok(None);
    }
    // b is the best estimate, c the other end of the bracket [b, c], a the previous b.
    let (mut c, mut fc) = (a, fa);
    let mut step = b - a;
    let mut previous_step = step;
    let half_tolerance = IRR_TOLERANCE / Decimal::TWO;
    loop {
        if fb.is_sign_negative() == fc.is_sign_negative() {
            (c, fc) = (a, fa);
            step = b - a;
            previous_step = step;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let half_width = (c - b) / Decimal::TWO;
        if half_width.abs() <= half_tolerance {
            return Ok(Some(midpoint(b, c)));
        }
        let interpolated = (previous_step.abs() >= half_tolerance && fa.abs() > fb.abs())
            .then(|| interpolation_step(a, fa, b, fb, c, fc, half_width))
            .flatten()
            .filter(|&(p, q)| step_is_acceptable(p, q, half_width, previous_step, half_tolerance));
        match interpolated {
            Some((p, q)) => {
                previous_step = step;
                step = p / q;
            }
            None => {
                step = half_width;
                previous_step = step;
            }
        }
        (a, fa) = (b, fb);
        b += if step.abs() > half_tolerance {
            step
        } else if half_width.is_sign_positive() {
            half_tolerance
        } else {
            -half_tolerance
        };
        fb = f(b)?;
        if fb.is_zero() {
            return Ok(Some(b));
        }
    }
}

/// Brent's interpolation step from b as p / q with p >= 0: inverse quadratic through a, b and
/// c when they are distinct, else the secant through b and c. `None` when the arithmetic
/// would leave the decimal range (then the caller bisects).
fn interpolation_step(
    a: Decimal,
    fa: Decimal,
    b: Decimal,
    fb: Decimal,
    c: Decimal,
    fc: Decimal,
    half_width: Decimal,
) -> Option<(Decimal, Decimal)> {
    let s = fb.checked_div(fa)?;
    let (p, q) = if a == c {
        (
            Decimal::TWO.checked_mul(half_width)?.checked_mul(s)?,
            Decimal::ONE - s,
        )
    } else {
        let q = fa.checked_div(fc)?;
        let r = fb.checked_div(fc)?;
        let p = s.checked_mul(
            Decimal::TWO
                .checked_mul(half_width)?
                .checked_mul(q)?
                .checked_mul(q.checked_sub(r)?)?
                .checked_sub((b - a).checked_mul(r - Decimal::ONE)?)?,
        )?;
        let q = (q - Decimal::ONE)
            .checked_mul(r - Decimal::ONE)?
            .checked_mul(s - Decimal::ONE)?;
        (p, q)
    };
    Some(if p.is_sign_positive() {
        (p, -q)
    } else {
        (-p, q)
    })
}

/// Brent's test: the step p / q must land within three quarters of the way across the bracket
/// and be less than half the step before last, or interpolation is converging too slowly.
fn step_is_acceptable(
    p: Decimal,
    q: Decimal,
    half_width: Decimal,
    previous_step: Decimal,
    half_tolerance: Decimal,
) -> bool {
    let doubled = p.checked_mul(Decimal::TWO);
    let inside = Decimal::from(3)
        .checked_mul(half_width)
        .and_then(|v| v.checked_mul(q))
        .zip(half_tolerance.checked_mul(q))
        .and_then(|(span, slack)| span.abs().checked_sub(slack.abs()));
    let shrinking = previous_step.checked_mul(q).map(|v| v.abs());
    match (doubled, inside, shrinking) {
        (Some(doubled), Some(inside), Some(shrinking)) => doubled < inside && doubled < shrinking,
        _ => false,
    }
}

fn midpoint(low: Decimal, high: Decimal) -> Decimal {
    (low + high) / Decimal::TWO
}

/// Years for the annual cash flow to repay the net investment; `None` when the cash flow is
/// not positive. Zero when nothing was invested. The investment is at most 6.4e12 (64 capex
/// lines of 1e11) and a positive cash flow at least 1e-12 (products of 6-dp inputs), so the
/// quotient stays under 6.4e24.
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

    /// The reported rate sits in a bracket no wider than the tolerance across which NPV
    /// changes sign, on curves that are steep, flat, or change sign more than once.
    #[test]
    fn irr_brackets_a_sign_change_within_the_tolerance() {
        let cases: &[&[&str]] = &[
            &[
                "-3800000", "4161000", "4161000", "4161000", "4161000", "4161000",
            ],
            &[
                "-1000", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "995",
            ],
            &[
                "-1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1000000",
            ],
            &["-100", "50", "-10", "80"],
            &["-1000000", "999999.999999"],
            &["-0.01", "0.011"],
            &[
                "-5000", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "5000.01",
            ],
        ];
        let half = IRR_TOLERANCE / Decimal::TWO;
        for flows in cases {
            let flows: Vec<Decimal> = flows.iter().map(|f| dec(f)).collect();
            let mut evaluations = 0;
            let rate = sign_change(|rate| {
                evaluations += 1;
                npv(rate, &flows)
            })
            .unwrap()
            .unwrap_or_else(|| panic!("{flows:?}"));
            // Bisection takes 36 here (two ends and 34 halvings); Brent's safeguard bounds it
            // near three times that, and a smooth NPV curve takes far fewer.
            assert!(evaluations <= 20, "{flows:?}: {evaluations} evaluations");
            assert_eq!(irr(&flows).unwrap(), Some(rate));
            let below = npv(rate - half, &flows).unwrap();
            let above = npv(rate + half, &flows).unwrap();
            assert!(
                below.is_zero()
                    || above.is_zero()
                    || below.is_sign_negative() != above.is_sign_negative(),
                "{flows:?}: {rate} brackets {below} .. {above}"
            );
        }
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
