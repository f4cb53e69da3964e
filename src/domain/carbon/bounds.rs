//! A value with the low and high ends its factors' source ranges allow, carried through the
//! calculation by interval arithmetic. Each ranged factor enters an expression once (the
//! reduction is written in difference form for that), so the propagated ends are the exact
//! extremes over the ranges: a bound, not a confidence interval.

use std::ops::{Add, Mul, Neg, Sub};

use rust_decimal::Decimal;

use crate::domain::decimal_text::same_bits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub low: Decimal,
    pub central: Decimal,
    pub high: Decimal,
}

impl Bounds {
    pub const ZERO: Bounds = Bounds::exact(Decimal::ZERO);

    pub const fn exact(value: Decimal) -> Bounds {
        Bounds {
            low: value,
            central: value,
            high: value,
        }
    }

    /// `low <= central <= high` is the caller's promise (checked when a factor set loads).
    pub fn ranged(low: Decimal, central: Decimal, high: Decimal) -> Bounds {
        debug_assert!(low <= central && central <= high, "{low} {central} {high}");
        Bounds { low, central, high }
    }

    /// No range: the three ends are the same number, bit for bit, as `exact` makes them and
    /// as every operation here keeps them. Most request quantities are exact; an operation on
    /// exact operands computes one value rather than the same one three times (each a
    /// 28-digit multiplication or division), with the same result.
    fn is_exact(&self) -> bool {
        same_bits(self.low, self.central) && same_bits(self.high, self.central)
    }

    /// Divides by an exact positive divisor (unit conversions).
    pub fn per(self, divisor: Decimal) -> Bounds {
        debug_assert!(divisor > Decimal::ZERO);
        if self.is_exact() {
            return Bounds::exact(self.central / divisor);
        }
        Bounds {
            low: self.low / divisor,
            central: self.central / divisor,
            high: self.high / divisor,
        }
    }

    /// The central value is defined by another path (`central`); the ends are widened if
    /// 28-digit rounding put it a hair outside them.
    pub fn with_central(self, central: Decimal) -> Bounds {
        Bounds {
            low: self.low.min(central),
            central,
            high: self.high.max(central),
        }
    }
}

impl Add for Bounds {
    type Output = Bounds;
    fn add(self, other: Bounds) -> Bounds {
        if self.is_exact() && other.is_exact() {
            return Bounds::exact(self.central + other.central);
        }
        Bounds {
            low: self.low + other.low,
            central: self.central + other.central,
            high: self.high + other.high,
        }
    }
}

impl Neg for Bounds {
    type Output = Bounds;
    fn neg(self) -> Bounds {
        Bounds {
            low: -self.high,
            central: -self.central,
            high: -self.low,
        }
    }
}

impl Sub for Bounds {
    type Output = Bounds;
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn sub(self, other: Bounds) -> Bounds {
        self + -other
    }
}

impl Mul for Bounds {
    type Output = Bounds;
    fn mul(self, other: Bounds) -> Bounds {
        let central = self.central * other.central;
        if self.is_exact() && other.is_exact() {
            return Bounds::exact(central);
        }
        if self.low >= Decimal::ZERO && other.low >= Decimal::ZERO {
            // The common case (masses times factors): no sign changes, two products.
            return Bounds {
                low: self.low * other.low,
                central,
                high: self.high * other.high,
            };
        }
        let corners = [
            self.low * other.low,
            self.low * other.high,
            self.high * other.low,
            self.high * other.high,
        ];
        Bounds {
            low: corners.into_iter().min().unwrap_or(central),
            central,
            high: corners.into_iter().max().unwrap_or(central),
        }
    }
}

impl Mul<Decimal> for Bounds {
    type Output = Bounds;
    fn mul(self, factor: Decimal) -> Bounds {
        self * Bounds::exact(factor)
    }
}

impl std::iter::Sum for Bounds {
    fn sum<I: Iterator<Item = Bounds>>(iter: I) -> Bounds {
        iter.fold(Bounds::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(low: i64, central: i64, high: i64) -> Bounds {
        Bounds::ranged(low.into(), central.into(), high.into())
    }

    #[test]
    fn products_take_the_extreme_corners() {
        assert_eq!(b(1, 2, 3) * b(4, 5, 6), b(4, 10, 18));
        assert_eq!(b(-1, 2, 3) * b(4, 5, 6), b(-6, 10, 18));
        assert_eq!(b(-2, -1, 3) * b(-4, 1, 6), b(-12, -1, 18));
    }

    /// The shortcut for exact operands gives what the three ends computed one by one give,
    /// bit for bit.
    #[test]
    fn exact_operands_give_the_same_bits_as_three_ends() {
        let values = crate::domain::decimal_text::varied_decimals(0x5eed_0123_4567_89ab, 400);
        for pair in values.chunks(2) {
            let (x, y) = (Bounds::exact(pair[0]), Bounds::exact(pair[1]));
            let ends = |f: fn(Decimal, Decimal) -> Option<Decimal>| {
                [(x.low, y.low), (x.central, y.central), (x.high, y.high)]
                    .map(|(a, b)| f(a, b).map(|v| v.serialize()))
            };
            let bits = |b: Bounds| [b.low, b.central, b.high].map(|v| Some(v.serialize()));
            if ends(Decimal::checked_mul).iter().all(Option::is_some) {
                assert_eq!(bits(x * y), ends(Decimal::checked_mul), "{x:?} {y:?}");
            }
            if ends(Decimal::checked_add).iter().all(Option::is_some) {
                assert_eq!(bits(x + y), ends(Decimal::checked_add), "{x:?} {y:?}");
            }
            if y.central > Decimal::ZERO
                && let Some(q) = x.central.checked_div(y.central)
            {
                assert_eq!(bits(x.per(y.central)), [Some(q.serialize()); 3]);
            }
        }
    }

    #[test]
    fn differences_pair_opposite_ends() {
        assert_eq!(b(4, 5, 6) - b(1, 2, 3), b(1, 3, 5));
        assert_eq!(-b(1, 2, 3), b(-3, -2, -1));
    }
}
