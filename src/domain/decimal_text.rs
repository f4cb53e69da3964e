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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

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
