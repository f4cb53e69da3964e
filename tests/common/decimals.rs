//! Decimal and money messages: written from text, read back as text or as exact decimals.

use green_impact::pb;

pub fn dec(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

pub fn money(currency_code: &str, amount: &str) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: currency_code.to_owned(),
        amount: dec(amount),
    })
}

pub fn cny(amount: &str) -> Option<pb::Money> {
    money("CNY", amount)
}

pub fn value(decimal: &Option<pb::Decimal>) -> &str {
    decimal.as_ref().map_or("<absent>", |d| d.value.as_str())
}

/// An exact decimal of a response, parsed; panics when it is absent or malformed.
pub fn decimal(d: &Option<pb::Decimal>) -> rust_decimal::Decimal {
    let text = &d.as_ref().expect("decimal present").value;
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

/// The low, central and high of a Bounds message, parsed.
pub fn ends(b: &Option<pb::Bounds>) -> [rust_decimal::Decimal; 3] {
    let b = b.as_ref().expect("bounds present");
    [decimal(&b.low), decimal(&b.central), decimal(&b.high)]
}
