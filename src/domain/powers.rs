//! Whole powers of exact decimals, shared by the loan's equal instalment and the IRR's annuity
//! factor.

use rust_decimal::Decimal;

use super::product::checked_mul;

/// base^exponent by squaring: under 2 log2(exponent) multiplications (9 for 600 periods), each
/// rounded to Decimal's 28 significant digits; `None` when a product leaves Decimal's range.
pub fn checked_pow(base: Decimal, mut exponent: u32) -> Option<Decimal> {
    let mut result = Decimal::ONE;
    let mut square = base;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = checked_mul(result, square)?;
        }
        exponent >>= 1;
        if exponent > 0 {
            square = checked_mul(square, square)?;
        }
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_by_hand() {
        assert_eq!(checked_pow(Decimal::TWO, 0), Some(Decimal::ONE));
        assert_eq!(checked_pow(Decimal::TWO, 10), Some(Decimal::from(1024)));
        assert_eq!(
            checked_pow(Decimal::new(11, 1), 3),
            Some(Decimal::new(1331, 3))
        );
        assert_eq!(
            checked_pow(Decimal::TEN, 28),
            Some(Decimal::from_i128_with_scale(10i128.pow(28), 0))
        );
        assert_eq!(checked_pow(Decimal::TEN, 29), None);
    }
}
