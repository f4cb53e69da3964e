//! Products of decimals, bit for bit those of `Decimal::checked_mul`, for the loops of the
//! loan and the returns (the instalment's power, the periods' interest, the IRR's annuity
//! factor, NPV).
//!
//! A product of two 28-digit mantissas runs past 96 bits and must be brought back by dividing
//! it by a power of ten. rust_decimal divides by a power held in a variable, one hardware
//! division per 32-bit limb and per nine digits, about twenty in a chain: a tenth of an
//! assessment's time went there. Here each divisor is a constant, so the compiler divides by
//! multiplying. The digits dropped, the rounding (half to even, on the whole remainder) and
//! the scale are rust_decimal's; every case this does not handle itself (a product that fits,
//! an overflow, a rounding that carries past 96 bits) is handed to `Decimal::checked_mul`.

use rust_decimal::Decimal;

const MAX_SCALE: u32 = 28;

/// `a * b` as `a.checked_mul(b)` gives it.
pub fn checked_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    rounded(a, b).or_else(|| a.checked_mul(b))
}

/// The product when it runs past 96 bits and is rounded to a representable decimal; `None`
/// for every other case, left to rust_decimal.
fn rounded(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a_mantissa, b_mantissa) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    if 256 - a_mantissa.leading_zeros() - b_mantissa.leading_zeros() <= 96 {
        // Under 2^96: nothing to round away (the usual product of an amount and a short rate).
        return None;
    }
    let mut limbs = limbs(a_mantissa, b_mantissa);
    let mut upper = limbs.iter().rposition(|&limb| limb != 0)?;
    if upper < 3 {
        return None;
    }
    let scale = a.scale() + b.scale();
    // rust_decimal's first count of digits to drop: never more than the fewest that bring the
    // product within 96 bits (77/256 is just under log10(2)), and never leaving a scale above 28.
    let bits = 32 * upper as u32 + 32 - limbs[upper].leading_zeros();
    let mut dropped = (((bits - 97) * 77) >> 8) + 1;
    dropped = dropped.max(scale.saturating_sub(MAX_SCALE));
    let mut to_drop = dropped;
    let mut sticky = false;
    let (remainder, half) = loop {
        let digits = to_drop.min(9);
        if dropped > scale {
            return None;
        }
        let (remainder, half) = divide(&mut limbs, upper, digits);
        while upper > 0 && limbs[upper] == 0 {
            upper -= 1;
        }
        to_drop -= digits;
        if to_drop == 0 && upper <= 2 {
            break (remainder, half);
        }
        sticky |= remainder != 0;
        if to_drop == 0 {
            // Still past 96 bits: one digit more.
            dropped += 1;
            to_drop = 1;
        }
    };
    let odd = limbs[0] & 1 == 1;
    if remainder > half || (remainder == half && (sticky || odd)) {
        let (low, carry) = (u64::from(limbs[1]) << 32 | u64::from(limbs[0])).overflowing_add(1);
        limbs[0] = low as u32;
        limbs[1] = (low >> 32) as u32;
        if carry {
            let (high, carry) = limbs[2].overflowing_add(1);
            if carry {
                return None;
            }
            limbs[2] = high;
        }
    }
    if limbs[..3] == [0, 0, 0] {
        return None;
    }
    let negative = a.is_sign_negative() != b.is_sign_negative();
    Some(Decimal::from_parts(
        limbs[0],
        limbs[1],
        limbs[2],
        negative,
        scale - dropped,
    ))
}

/// The product of two mantissas below 2^96 in 32-bit limbs, lowest first.
fn limbs(a: u128, b: u128) -> [u32; 6] {
    let (a_low, a_high) = (a as u64, (a >> 64) as u64);
    let (b_low, b_high) = (b as u64, (b >> 64) as u64);
    let low = u128::from(a_low) * u128::from(b_low);
    let cross = u128::from(a_low) * u128::from(b_high) + u128::from(a_high) * u128::from(b_low);
    let high = u128::from(a_high) * u128::from(b_high);
    let middle = (low >> 64) + u128::from(cross as u64);
    let top = (middle >> 64) + (cross >> 64) + high;
    let words = [low as u64, middle as u64, top as u64];
    std::array::from_fn(|i| (words[i / 2] >> (32 * (i % 2))) as u32)
}

/// Divides the limbs up to `upper` by 10^digits (1 to 9) in place; returns the remainder and
/// half the divisor.
fn divide(limbs: &mut [u32; 6], upper: usize, digits: u32) -> (u32, u32) {
    match digits {
        1 => by::<10>(limbs, upper),
        2 => by::<100>(limbs, upper),
        3 => by::<1_000>(limbs, upper),
        4 => by::<10_000>(limbs, upper),
        5 => by::<100_000>(limbs, upper),
        6 => by::<1_000_000>(limbs, upper),
        7 => by::<10_000_000>(limbs, upper),
        8 => by::<100_000_000>(limbs, upper),
        _ => by::<1_000_000_000>(limbs, upper),
    }
}

fn by<const DIVISOR: u32>(limbs: &mut [u32; 6], upper: usize) -> (u32, u32) {
    let divisor = u64::from(DIVISOR);
    let mut remainder = 0u64;
    for limb in limbs[..=upper].iter_mut().rev() {
        let number = remainder << 32 | u64::from(*limb);
        *limb = (number / divisor) as u32;
        remainder = number % divisor;
    }
    (remainder as u32, DIVISOR / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal_text::{same_bits, varied_decimals};
    use std::str::FromStr;

    fn agrees(a: Decimal, b: Decimal) {
        let (fast, reference) = (checked_mul(a, b), a.checked_mul(b));
        let same = match (fast, reference) {
            (Some(x), Some(y)) => same_bits(x, y),
            (None, None) => true,
            _ => false,
        };
        assert!(same, "{a} * {b}: {fast:?}, rust_decimal {reference:?}");
    }

    #[test]
    fn varied_products_have_rust_decimals_bits() {
        let values = varied_decimals(0x9E37_79B9_7F4A_7C15, 1_500);
        for a in &values {
            for b in values.iter().step_by(7) {
                agrees(*a, *b);
            }
        }
    }

    #[test]
    fn long_mantissas_at_every_scale_have_rust_decimals_bits() {
        // The loops' case: both mantissas near 96 bits, so every product is rounded.
        let long = varied_decimals(7, 4_000)
            .into_iter()
            .filter(|d| d.mantissa().unsigned_abs() >> 80 != 0);
        let near_one = Decimal::from_str("0.9925558312655086848635235732").unwrap();
        for d in long {
            assert!(rounded(d, near_one).is_some(), "{d} is rounded here");
            agrees(d, d);
            agrees(d, near_one);
            agrees(near_one, d);
            agrees(d, -near_one);
        }
    }

    #[test]
    fn boundaries_have_rust_decimals_bits() {
        let max = Decimal::MAX;
        let cases = [
            (max, max),
            (max, Decimal::ONE),
            (max, Decimal::TWO),
            (max, Decimal::new(1, 28)),
            (max, Decimal::new(5, 1)),
            (max, Decimal::new(15, 1)),
            (Decimal::new(1, 28), Decimal::new(1, 28)),
            (
                Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 28),
                Decimal::new(10, 1),
            ),
            (
                Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 14),
                Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 14),
            ),
            (
                Decimal::from_i128_with_scale(7_922_816_251_426_433_759_354_395_034, 0),
                Decimal::new(100000000000000000, 17),
            ),
        ];
        for (a, b) in cases {
            agrees(a, b);
            agrees(-a, b);
            agrees(b, a);
        }
        // Rounding that carries past 96 bits: (2^96 - 1) * 10 + 6 and (2^96 - 1) * 100 + 51.
        for (small, large) in [
            (12, 66_023_468_761_886_947_994_619_958_613),
            (107, 74_045_011_695_574_147_283_685_934_893),
        ] {
            let (a, b) = (
                Decimal::from(small),
                Decimal::from_i128_with_scale(large, 3),
            );
            assert_eq!(rounded(a, b), None);
            agrees(a, b);
        }
        // Exact halves (an odd mantissa times 5 / 10^digits) round to even; a half and a unit
        // in a later digit rounds up.
        let odd = [
            79_228_162_514_264_337_593_543_950_335,
            79_228_162_514_264_337_593_543_950_333,
            7_922_816_251_426_433_759_354_395_033,
        ];
        for mantissa in odd {
            for digits in 2..=28u32 {
                let a = Decimal::from_i128_with_scale(mantissa, 0);
                let half = Decimal::from_i128_with_scale(5 * 10i128.pow(digits - 1), digits);
                let above = Decimal::from_i128_with_scale(5 * 10i128.pow(digits - 1) + 1, digits);
                for b in [half, above] {
                    assert!(rounded(a, b).is_some(), "{a} * {b} is rounded here");
                    agrees(a, b);
                    agrees(a - Decimal::ONE, b);
                }
            }
        }
    }
}
