//! Rounding at the presentation edge. Calculations stay exact; a value is rounded once, when
//! it is written into a response, by the rule the request chose. Parts shown beside their total
//! are allocated so that the shown parts add up to the shown total exactly.

use rust_decimal::{Decimal, RoundingStrategy};

pub const DEFAULT_MONEY_DP: u32 = 2;
pub const DEFAULT_RATIO_DP: u32 = 4;
pub const MAX_MONEY_DP: u32 = 4;
pub const MAX_RATIO_DP: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundingRule {
    HalfAwayFromZero,
    HalfEven,
    TowardZero,
}

impl RoundingRule {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingRule::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            RoundingRule::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingRule::TowardZero => RoundingStrategy::ToZero,
        }
    }

    fn words(self) -> &'static str {
        match self {
            RoundingRule::HalfAwayFromZero => "half away from zero",
            RoundingRule::HalfEven => "half to even",
            RoundingRule::TowardZero => "toward zero",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presenter {
    pub money_dp: u32,
    pub ratio_dp: u32,
    pub rule: RoundingRule,
}

impl Default for Presenter {
    fn default() -> Presenter {
        Presenter {
            money_dp: DEFAULT_MONEY_DP,
            ratio_dp: DEFAULT_RATIO_DP,
            rule: RoundingRule::HalfAwayFromZero,
        }
    }
}

impl Presenter {
    pub fn description(&self) -> String {
        format!(
            "money figures at {} decimal places, ratios, yields, percentages and years at {}, \
             rounded {} from the exact result; loan schedule rows are in fen by the schedule \
             convention; quantities in tonnes are exact. Where parts are shown with their total, \
             the total is rounded from its exact value and parts are rounded the same way, then \
             the parts whose rounding moved them furthest from their exact value are moved one \
             unit in the last place back toward it until the parts add up to the total",
            self.money_dp,
            self.ratio_dp,
            self.rule.words()
        )
    }

    pub fn round(&self, value: Decimal, dp: u32) -> Decimal {
        fixed(value.round_dp_with_strategy(dp, self.rule.strategy()), dp)
    }

    pub fn money(&self, value: Decimal) -> String {
        self.round(value, self.money_dp).to_string()
    }

    pub fn ratio(&self, value: Decimal) -> String {
        self.round(value, self.ratio_dp).to_string()
    }

    /// Rounds `parts` so that they sum exactly to `total` (already rounded to `dp`).
    pub fn allocate(&self, parts: &[Decimal], total: Decimal, dp: u32) -> Vec<Decimal> {
        let mut shown: Vec<Decimal> = parts.iter().map(|p| self.round(*p, dp)).collect();
        let unit = Decimal::new(1, dp);
        let shortfall = total - shown.iter().sum::<Decimal>();
        let steps = (shortfall / unit).trunc();
        if steps.is_zero() {
            return shown;
        }
        let step = if steps.is_sign_positive() {
            unit
        } else {
            -unit
        };
        // Move the parts whose rounding error points the same way as the shortfall, largest
        // error first; ties go to the earlier part so the allocation is deterministic.
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|&a, &b| {
            let error = |i: usize| (parts[i] - shown[i]) * step / unit;
            error(b).cmp(&error(a)).then(a.cmp(&b))
        });
        let count = usize::try_from(steps.abs().mantissa()).unwrap_or(usize::MAX);
        debug_assert!(
            count <= parts.len(),
            "rounding moved the parts by more than one unit each"
        );
        for &i in order.iter().cycle().take(count) {
            shown[i] += step;
        }
        shown
    }
}

/// `value` written with exactly `dp` decimal places and no negative zero.
fn fixed(mut value: Decimal, dp: u32) -> Decimal {
    value.rescale(dp);
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

/// Exact values written without trailing zeros (quantities, echoed rates).
pub fn exact(value: Decimal) -> String {
    fixed(value.normalize(), value.normalize().scale()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

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
    fn exact_values_drop_trailing_zeros() {
        assert_eq!(exact(dec("32850.000")), "32850");
        assert_eq!(exact(dec("8212.50")), "8212.5");
        assert_eq!(exact(dec("-0.0")), "0");
    }
}
