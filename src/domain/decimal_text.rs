//! Decimals as they travel on the wire: strict text, parsed exactly or refused.

use std::fmt;

use rust_decimal::Decimal;

/// Longer text than this cannot be an exact `Decimal` (28 significant digits, a sign and a
/// point) and is refused before any parsing work.
const MAX_TEXT_LEN: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalTextError {
    Empty,
    Syntax,
    TooManyDecimalPlaces { max: u32 },
    NotExact,
}

impl fmt::Display for DecimalTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalTextError::Empty => f.write_str("is required: a decimal number as text"),
            DecimalTextError::Syntax => f.write_str(
                "is not a plain decimal: write an optional '-', ASCII digits and an optional \
                 '.' with digits (no exponent, '+', spaces or grouping)",
            ),
            DecimalTextError::TooManyDecimalPlaces { max } => {
                write!(
                    f,
                    "has more than {max} decimal places; it is refused, not rounded"
                )
            }
            DecimalTextError::NotExact => {
                f.write_str("has more significant digits than can be held exactly (28)")
            }
        }
    }
}

/// Parses `-?[0-9]+(\.[0-9]+)?` exactly, with at most `max_dp` digits after the point.
pub fn parse_decimal(text: &str, max_dp: u32) -> Result<Decimal, DecimalTextError> {
    if text.is_empty() {
        return Err(DecimalTextError::Empty);
    }
    if text.len() > MAX_TEXT_LEN {
        return Err(DecimalTextError::NotExact);
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(DecimalTextError::Syntax);
    }
    let places = fraction.map_or(0, str::len);
    if places > max_dp as usize {
        return Err(DecimalTextError::TooManyDecimalPlaces { max: max_dp });
    }
    Decimal::from_str_exact(text).map_err(|_| DecimalTextError::NotExact)
}

/// The same sign, scale and mantissa, so the same text: 1.5 and 1.50 are equal, not the same.
pub fn same_bits(a: Decimal, b: Decimal) -> bool {
    a.serialize() == b.serialize()
}

/// Enough zeros to pad any fraction: a scale is at most 28.
const ZEROS: &str = "0000000000000000000000000000";

/// `value` as text, as `Decimal`'s `Display` writes it (every digit of its scale, no exponent),
/// into one allocation of the right size. A response holds hundreds of decimals, and going
/// through `fmt` for each was the largest single cost of presenting one; `itoa` writes the
/// mantissa's digits two at a time and hands them back as `str`, so they are not checked
/// again as UTF-8.
pub fn to_text(value: Decimal) -> String {
    let mut buffer = itoa::Buffer::new();
    let mantissa = value.mantissa().unsigned_abs();
    let digits = match u64::try_from(mantissa) {
        // u128 formatting divides by a library call: paid only by a mantissa above 2^64.
        Ok(small) => buffer.format(small),
        Err(_) => buffer.format(mantissa),
    };
    let scale = value.scale() as usize;
    let mut text = String::with_capacity(digits.len().max(scale + 1) + 2);
    if value.is_sign_negative() {
        text.push('-');
    }
    match digits.len().checked_sub(scale) {
        Some(whole) if whole > 0 => {
            text.push_str(&digits[..whole]);
            if scale > 0 {
                text.push('.');
                text.push_str(&digits[whole..]);
            }
        }
        // Fewer digits than places (so at least one place): "0." and the missing zeros.
        _ => {
            text.push_str("0.");
            text.push_str(&ZEROS[..scale - digits.len()]);
            text.push_str(digits);
        }
    }
    text
}

/// `count` decimals with mantissas of every length (up to 96 bits), either sign and every
/// scale, from a fixed xorshift sequence seeded by `seed`: the same values on every run.
#[cfg(test)]
pub(crate) fn varied_decimals(seed: u64, count: usize) -> Vec<Decimal> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let wide = (u128::from(next()) << 64 | u128::from(next())) >> (next() % 96 + 32);
            let magnitude = i128::try_from(wide).unwrap_or(0);
            let sign = if next() % 2 == 0 { 1 } else { -1 };
            Decimal::from_i128_with_scale(magnitude * sign, (next() % 29) as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn to_text_writes_what_display_writes() {
        let mut values: Vec<Decimal> = [
            "0",
            "0.00",
            "-0",
            "-0.000",
            "1",
            "-1",
            "10",
            "0.5",
            "-0.05",
            "0.000000001",
            "123.4500",
            "3800000.00",
            "109.43260000",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
            "10000000000000000000",
            "9999999999999999999",
            "10000000000000000000.5",
            "1234567890123456789012345678",
            "18446744073709551615",
            "18446744073709551616",
            "-1844674407.3709551617",
        ]
        .iter()
        .map(|text| Decimal::from_str(text).unwrap())
        .collect();
        // Every scale of a few mantissas, and every power of ten across the u64 split.
        for scale in 0..=28 {
            for mantissa in [
                1i128,
                -7,
                42,
                1_000_000_007,
                i64::MAX as i128,
                -(1i128 << 95),
            ] {
                values.push(Decimal::from_i128_with_scale(mantissa, scale));
            }
        }
        for power in 0..=28u32 {
            let ten = 10i128.pow(power);
            values.extend([ten - 1, ten, ten + 1].map(|m| Decimal::from_i128_with_scale(m, 0)));
        }
        // And many mantissas of every length.
        values.extend(varied_decimals(0x9e37_79b9_7f4a_7c15, 20_000));
        for value in values {
            assert_eq!(to_text(value), value.to_string(), "{value:?}");
        }
    }

    #[test]
    fn accepts_plain_decimals_exactly() {
        assert_eq!(
            parse_decimal("3.45", 6),
            Ok(Decimal::from_str("3.45").unwrap())
        );
        assert_eq!(parse_decimal("-12", 0), Ok(Decimal::from(-12)));
        assert_eq!(parse_decimal("0.000001", 6).unwrap().scale(), 6);
        assert_eq!(
            parse_decimal("3800000.00", 2).unwrap(),
            Decimal::from(3_800_000)
        );
    }

    #[test]
    fn refuses_everything_else() {
        for text in [
            "+1", "1e5", "1E5", "NaN", "Infinity", " 1", "1 ", "1,000", "1_000", ".5", "5.", "--1",
            "-", "١٢٣", "0x10",
        ] {
            assert_eq!(
                parse_decimal(text, 6),
                Err(DecimalTextError::Syntax),
                "{text:?}"
            );
        }
        assert_eq!(parse_decimal("", 6), Err(DecimalTextError::Empty));
        assert_eq!(
            parse_decimal("1.005", 2),
            Err(DecimalTextError::TooManyDecimalPlaces { max: 2 })
        );
        assert_eq!(
            parse_decimal("1234567890123456789012345678901234567890", 2),
            Err(DecimalTextError::NotExact)
        );
        assert_eq!(
            parse_decimal("99999999999999999999999999999", 0),
            Err(DecimalTextError::NotExact)
        );
    }
}
