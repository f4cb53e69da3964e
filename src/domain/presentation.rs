//! Rounding at the presentation edge. Calculations stay exact; a value is rounded once, when
//! it is written into a response, by the rule the request chose. Parts shown beside their total
//! are allocated so that the shown parts add up to the shown total exactly.

use rust_decimal::Decimal;

use super::decimal_text::to_text;

pub const DEFAULT_MONEY_DP: u32 = 2;
pub const DEFAULT_RATIO_DP: u32 = 4;
pub const MAX_MONEY_DP: u32 = 4;
pub const MAX_RATIO_DP: u32 = 10;
pub const DEFAULT_EMISSIONS_DP: u32 = 3;
pub const MAX_EMISSIONS_DP: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundingRule {
    HalfAwayFromZero,
    HalfEven,
    TowardZero,
}

impl RoundingRule {
    /// `value` rounded to `dp` places, as `Decimal::round_dp_with_strategy` rounds it (the
    /// tests compare the two). That one builds its half-unit one digit at a time and divides
    /// the mantissa twice; a response rounds hundreds of values, so this divides it once, in
    /// one machine division when the mantissa fits in 64 bits, as most shown figures do.
    pub fn apply(self, value: Decimal, dp: u32) -> Decimal {
        let scale = value.scale();
        if scale <= dp {
            return value;
        }
        let magnitude = value.mantissa().unsigned_abs();
        let divisor = POWERS_OF_TEN[(scale - dp) as usize];
        let (quotient, remainder) = match (u64::try_from(magnitude), u64::try_from(divisor)) {
            (Ok(m), Ok(d)) => (u128::from(m / d), u128::from(m % d)),
            _ => {
                // One 128-bit division (a library call), not a second for the remainder.
                let quotient = magnitude / divisor;
                (quotient, magnitude - quotient * divisor)
            }
        };
        // The divisor is a power of ten of at least 10, so its half is exact.
        let half = divisor / 2;
        let away = match self {
            RoundingRule::HalfAwayFromZero => remainder >= half,
            RoundingRule::HalfEven => remainder > half || (remainder == half && quotient % 2 == 1),
            RoundingRule::TowardZero => false,
        };
        // Under 2^96 / 10 + 1: an i128 and a Decimal mantissa both hold it.
        let rounded = (quotient + u128::from(away)) as i128;
        let signed = if value.is_sign_negative() {
            -rounded
        } else {
            rounded
        };
        Decimal::from_i128_with_scale(signed, dp)
    }

    fn words(self) -> &'static str {
        match self {
            RoundingRule::HalfAwayFromZero => "half away from zero",
            RoundingRule::HalfEven => "half to even",
            RoundingRule::TowardZero => "toward zero",
        }
    }
}

/// 10^0 to 10^28: every distance between a Decimal's scale and a shown number of places.
const POWERS_OF_TEN: [u128; 29] = {
    let mut powers = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presenter {
    pub money_dp: u32,
    pub ratio_dp: u32,
    /// Tonnes of gas and of CO2e.
    pub emissions_dp: u32,
    pub rule: RoundingRule,
}

impl Default for Presenter {
    fn default() -> Presenter {
        Presenter {
            money_dp: DEFAULT_MONEY_DP,
            ratio_dp: DEFAULT_RATIO_DP,
            emissions_dp: DEFAULT_EMISSIONS_DP,
            rule: RoundingRule::HalfAwayFromZero,
        }
    }
}

impl Presenter {
    pub fn description(&self) -> String {
        format!(
            "money figures at {} decimal places, ratios, yields, percentages, years and derived \
             tonnages of the mass balance at {}, tonnes of gas and CO2e at {}, rounded {} from \
             the exact result; loan schedule rows are in fen by the schedule convention; input \
             quantities in tonnes and the carbon trace are exact. Where parts are shown with their total, \
             the total is rounded from its exact value and parts are rounded the same way, then \
             the parts whose rounding moved them furthest from their exact value are moved one \
             unit in the last place back toward it until the parts add up to the total",
            self.money_dp,
            self.ratio_dp,
            self.emissions_dp,
            self.rule.words()
        )
    }

    pub fn round(&self, value: Decimal, dp: u32) -> Decimal {
        fixed(self.rule.apply(value, dp), dp)
    }

    pub fn money(&self, value: Decimal) -> String {
        to_text(self.round(value, self.money_dp))
    }

    pub fn ratio(&self, value: Decimal) -> String {
        to_text(self.round(value, self.ratio_dp))
    }

    pub fn emissions(&self, value: Decimal) -> String {
        to_text(self.round(value, self.emissions_dp))
    }

    /// Rounds `parts` so that they sum exactly to `total` (already rounded to `dp`).
    pub fn allocate(&self, parts: &[Decimal], total: Decimal, dp: u32) -> Vec<Decimal> {
        let mut shown: Vec<Decimal> = parts.iter().map(|p| self.round(*p, dp)).collect();
        let unit = Decimal::new(1, dp);
        let shortfall = total - shown.iter().sum::<Decimal>();
        // A total at `dp` places (as callers round it) leaves a shortfall in whole units, its
        // mantissa: no division.
        let steps: i128 = if shortfall.scale() == dp {
            shortfall.mantissa()
        } else {
            (shortfall / unit).trunc().mantissa()
        };
        if steps == 0 {
            return shown;
        }
        let upward = steps > 0;
        let step = if upward { unit } else { -unit };
        // Move the parts whose rounding error points the same way as the shortfall, largest
        // error first; ties go to the earlier part so the allocation is deterministic. Each
        // error is computed once, exactly, before sorting.
        let errors: Vec<Decimal> = parts
            .iter()
            .zip(&shown)
            .map(
                |(part, shown)| {
                    if upward { part - shown } else { shown - part }
                },
            )
            .collect();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|&a, &b| errors[b].cmp(&errors[a]).then(a.cmp(&b)));
        // Rounding alone moves a total by less than one unit per part; more steps than parts
        // come from `allocate_bounds`, whose ranged parts absorb the exact parts' moves, and
        // go round the parts again in the same order.
        let count = usize::try_from(steps.unsigned_abs()).unwrap_or(usize::MAX);
        for &i in order.iter().cycle().take(count) {
            shown[i] += step;
        }
        shown
    }
}

/// A value shown with its bounds: [low, central, high].
pub type ShownBounds = [Decimal; 3];

impl Presenter {
    /// Like `allocate`, for parts that carry low and high bounds: the centrals are allocated
    /// to the central total, then each part's distance from its shown central to its low (and
    /// to its high) is allocated to the total's, among the parts that have a range. Each shown
    /// part therefore keeps low <= central <= high, a part without a range shows one value,
    /// every row sums to its total, and where nothing needs moving each end is its own
    /// rounding. `totals` must be ordered.
    pub fn allocate_bounds(
        &self,
        parts: &[ShownBounds],
        totals: ShownBounds,
        dp: u32,
    ) -> Vec<ShownBounds> {
        let [total_low, total_central, total_high] = totals;
        debug_assert!(total_low <= total_central && total_central <= total_high);
        let centrals: Vec<Decimal> = parts.iter().map(|p| p[1]).collect();
        let shown_centrals = self.allocate(&centrals, total_central, dp);
        // Distances are measured from the shown central, so that when no allocation is
        // needed each end is simply its own rounding. Should that leave a distance below zero
        // (a ranged part absorbing the moves of exact ones), they are measured from the exact
        // central instead, which always stays ordered.
        let spread = |end: usize, total: Decimal| {
            let ranged: Vec<usize> = (0..parts.len())
                .filter(|&i| parts[i][end] != parts[i][1])
                .collect();
            let from = |central: &dyn Fn(usize) -> Decimal| -> Vec<Decimal> {
                let distances: Vec<Decimal> = ranged
                    .iter()
                    .map(|&i| (parts[i][end] - central(i)).abs())
                    .collect();
                self.allocate(&distances, total, dp)
            };
            let mut allocated = from(&|i| shown_centrals[i]);
            if allocated
                .iter()
                .any(|d| d.is_sign_negative() && !d.is_zero())
            {
                allocated = from(&|i| parts[i][1]);
            }
            let mut shown = vec![Decimal::ZERO; parts.len()];
            for (&i, d) in ranged.iter().zip(allocated) {
                shown[i] = d;
            }
            shown
        };
        let below = spread(0, total_central - total_low);
        let above = spread(2, total_high - total_central);
        shown_centrals
            .into_iter()
            .zip(below.into_iter().zip(above))
            .map(|(central, (below, above))| {
                [
                    fixed(central - below, dp),
                    central,
                    fixed(central + above, dp),
                ]
            })
            .collect()
    }

    /// The shown bounds of a total whose central value a parent allocation set: its ends keep
    /// their rounded distances from the central, so the order survives a one-unit move.
    pub fn moved_total(&self, exact: ShownBounds, shown_central: Decimal, dp: u32) -> ShownBounds {
        let [low, central, high] = exact.map(|v| self.round(v, dp));
        [
            fixed(shown_central - (central - low), dp),
            shown_central,
            fixed(shown_central + (high - central), dp),
        ]
    }
}

/// `value` written with exactly `dp` decimal places and no negative zero.
fn fixed(mut value: Decimal, dp: u32) -> Decimal {
    // Most values arrive rounded to `dp` already, and `rescale` does its work regardless.
    if value.scale() != dp {
        value.rescale(dp);
    }
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

/// Exact values written without trailing zeros (quantities, echoed rates). The zeros are cut
/// from the text: normalizing the number first would divide its mantissa by ten once a zero.
pub fn exact(value: Decimal) -> String {
    let mut text = to_text(value);
    if value.scale() > 0 {
        // The text has a point: keep up to the last digit that is not a trailing zero, and
        // the point only if a digit follows it.
        let bytes = text.as_bytes();
        let last = bytes.iter().rposition(|&b| b != b'0').unwrap_or(0);
        let kept = if bytes[last] == b'.' { last } else { last + 1 };
        text.truncate(kept);
    }
    if text == "-0" {
        text.remove(0);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decimal_text::varied_decimals;
    use rust_decimal::RoundingStrategy;
    use std::str::FromStr;

    fn strategy(rule: RoundingRule) -> RoundingStrategy {
        match rule {
            RoundingRule::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingRule::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingRule::TowardZero => RoundingStrategy::ToZero,
        }
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn each_rule_rounds_its_own_way() {
        let mut presenter = Presenter::default();
        assert_eq!(presenter.money(dec("2.345")), "2.35");
        assert_eq!(presenter.money(dec("-2.345")), "-2.35");
        assert_eq!(presenter.money(dec("1314000")), "1314000.00");
        assert_eq!(presenter.ratio(dec("2847000") / dec("1314000")), "2.1667");
        assert_eq!(presenter.money(dec("-0.001")), "0.00");
        presenter.rule = RoundingRule::HalfEven;
        assert_eq!(presenter.money(dec("2.345")), "2.34");
        assert_eq!(presenter.money(dec("2.355")), "2.36");
        presenter.rule = RoundingRule::TowardZero;
        assert_eq!(presenter.money(dec("2.349")), "2.34");
        assert_eq!(presenter.money(dec("-2.349")), "-2.34");
    }

    /// The one division of `apply` agrees with Decimal's own rounding, for every rule, on
    /// every scale and number of places, at and around each midpoint.
    #[test]
    fn rounding_agrees_with_decimal_round_dp() {
        let mut values: Vec<Decimal> = ["2.345", "-2.345", "2.355", "0.5", "-0.5", "1.5", "-0.001"]
            .iter()
            .map(|t| dec(t))
            .collect();
        values.extend(varied_decimals(0x2545_f491_4f6c_dd1d, 50_000));
        // Exact midpoints and their neighbours, odd and even, at many scales.
        for places in 1..=28u32 {
            for digits in [4i128, 5, 6, 15, 25, 35, 123_456_785, 999_999_995] {
                let half = digits * POWERS_OF_TEN[places as usize - 1] as i128;
                for m in [half - 1, half, half + 1] {
                    if let Ok(v) = Decimal::try_from_i128_with_scale(m, places) {
                        values.extend([v, -v]);
                    }
                }
            }
        }
        for rule in [
            RoundingRule::HalfAwayFromZero,
            RoundingRule::HalfEven,
            RoundingRule::TowardZero,
        ] {
            for value in &values {
                for dp in 0..=10 {
                    let ours = rule.apply(*value, dp);
                    let theirs = value.round_dp_with_strategy(dp, strategy(rule));
                    assert_eq!(ours, theirs, "{value} to {dp} places, {rule:?}");
                    assert_eq!(fixed(ours, dp).to_string(), fixed(theirs, dp).to_string());
                }
            }
        }
    }

    #[test]
    fn allocated_parts_sum_to_the_rounded_total() {
        let presenter = Presenter::default();
        let third = dec("1") / dec("3");
        let parts = [third, third, third];
        let total = presenter.round(dec("1"), 2);
        let shown = presenter.allocate(&parts, total, 2);
        assert_eq!(shown.iter().sum::<Decimal>(), dec("1.00"));
        assert_eq!(shown, [dec("0.34"), dec("0.33"), dec("0.33")]);

        let parts = [dec("0.005"), dec("0.005"), dec("-0.01")];
        let shown = presenter.allocate(&parts, presenter.round(Decimal::ZERO, 2), 2);
        assert_eq!(shown.iter().sum::<Decimal>(), Decimal::ZERO);
    }

    #[test]
    fn bounded_parts_stay_ordered_and_sum_on_every_row() {
        let presenter = Presenter::default();
        // Two exact lines of 0.005 and a ranged one: independent rows would nudge the exact
        // lines differently at each end.
        let parts = [
            [dec("0.005"), dec("0.005"), dec("0.005")],
            [dec("0.005"), dec("0.005"), dec("0.005")],
            [dec("1.001"), dec("1.404"), dec("1.809")],
        ];
        let totals = [dec("1.01"), dec("1.41"), dec("1.82")];
        let shown = presenter.allocate_bounds(&parts, totals, 2);
        for (row, total) in totals.iter().enumerate() {
            assert_eq!(shown.iter().map(|p| p[row]).sum::<Decimal>(), *total);
        }
        for part in &shown {
            assert!(part[0] <= part[1] && part[1] <= part[2], "{part:?}");
        }
        assert_eq!(shown[0][0], shown[0][2], "an exact part shows one value");
        assert_eq!(
            presenter.moved_total([dec("1"), dec("1.004"), dec("1.2")], dec("0.99"), 2),
            [dec("0.99"), dec("0.99"), dec("1.19")]
        );
    }

    #[test]
    fn exact_values_drop_trailing_zeros() {
        assert_eq!(exact(dec("32850.000")), "32850");
        assert_eq!(exact(dec("8212.50")), "8212.5");
        assert_eq!(exact(dec("-0.0")), "0");
        assert_eq!(exact(dec("-0")), "0");
        assert_eq!(exact(dec("100")), "100");
        assert_eq!(exact(dec("100.0")), "100");
        assert_eq!(exact(dec("0.000")), "0");
        assert_eq!(exact(dec("-10.010")), "-10.01");
        // As the normalized number writes itself, on every scale.
        for scale in 0..=28 {
            for mantissa in [0i128, 1, -1, 10, -100, 120, 1_000_000_000, -(1i128 << 95)] {
                let value = Decimal::from_i128_with_scale(mantissa, scale);
                let normal = value.normalize();
                assert_eq!(exact(value), normal.to_string(), "{value:?}");
            }
        }
    }
}
