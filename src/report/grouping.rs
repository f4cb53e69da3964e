//! Thousand separators on a figure's decimal text: the integer part is grouped in threes with
//! commas, the sign and the fraction are kept exactly as the service wrote them. The text is
//! never parsed into a number, so nothing is re-rounded.

/// `text` with its integer part grouped ("2847000.00" gives "2,847,000.00", "-1234" gives
/// "-1,234"); text that is not a plain decimal (an exponent, a stray character, no digits
/// before the point) comes back unchanged.
pub fn group_thousands(text: &str) -> String {
    let (sign, unsigned) = match text.strip_prefix(['-', '+']) {
        Some(rest) => (&text[..1], rest),
        None => ("", text),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let plain = !integer.is_empty()
        && integer.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit()));
    if !plain || integer.len() <= 3 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + integer.len() / 3);
    out.push_str(sign);
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_thousands as g;

    #[test]
    fn the_integer_part_is_grouped_in_threes() {
        assert_eq!(g("2847000.00"), "2,847,000.00");
        assert_eq!(g("1314000.00"), "1,314,000.00");
        assert_eq!(g("1000"), "1,000");
        assert_eq!(g("12345678"), "12,345,678");
        assert_eq!(g("123456789012.5"), "123,456,789,012.5");
    }

    #[test]
    fn the_sign_is_kept() {
        assert_eq!(g("-3804.83"), "-3,804.83");
        assert_eq!(g("-1234567"), "-1,234,567");
        assert_eq!(g("+1000.1"), "+1,000.1");
        assert_eq!(g("-0.50"), "-0.50");
        assert_eq!(g("-999.99"), "-999.99");
    }

    #[test]
    fn below_a_thousand_nothing_changes() {
        for text in [
            "0", "0.00", "999", "999.999", "2.1667", "3.1165", "1.25", "-0.4833",
        ] {
            assert_eq!(g(text), text);
        }
    }

    #[test]
    fn a_long_fraction_is_kept_digit_for_digit() {
        assert_eq!(
            g("1234.000000000000000000000001"),
            "1,234.000000000000000000000001"
        );
        assert_eq!(g("0.0000123456"), "0.0000123456");
        assert_eq!(g("1173.985"), "1,173.985");
        assert_eq!(g("1000."), "1,000.");
    }

    #[test]
    fn text_that_is_not_a_plain_decimal_is_left_alone() {
        for text in [
            "", "-", ".5", "1e5", "12345e3", "1,234", "12 345", "abc1234", "1234.5x", "--1234",
        ] {
            assert_eq!(g(text), text);
        }
    }
}
