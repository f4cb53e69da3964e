//! Presented parts always sum exactly to their presented total, under every rounding rule and
//! precision, and no part moves more than one unit in the last place from its own rounding.

use green_impact::domain::presentation::{Presenter, RoundingRule};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn rule() -> impl Strategy<Value = RoundingRule> {
    prop_oneof![
        Just(RoundingRule::HalfAwayFromZero),
        Just(RoundingRule::HalfEven),
        Just(RoundingRule::TowardZero),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn allocated_parts_sum_to_the_rounded_total(
        raw_parts in prop::collection::vec((-1_000_000_000_000i64..1_000_000_000_000, 0u32..=8), 1..20),
        divisor in 1i64..1000,
        dp in 0u32..=4,
        rule in rule(),
    ) {
        let presenter = Presenter { money_dp: dp, ratio_dp: 4, emissions_dp: 3, rule };
        // Dividing makes parts with long (often repeating) expansions, as per-tonne figures have.
        let parts: Vec<Decimal> = raw_parts
            .iter()
            .map(|&(mantissa, scale)| Decimal::new(mantissa, scale) / Decimal::from(divisor))
            .collect();
        let total = presenter.round(parts.iter().sum(), dp);
        let shown = presenter.allocate(&parts, total, dp);
        prop_assert_eq!(shown.iter().sum::<Decimal>(), total);
        let unit = Decimal::new(1, dp);
        for (part, shown) in parts.iter().zip(&shown) {
            prop_assert!(shown.scale() == dp);
            prop_assert!((presenter.round(*part, dp) - shown).abs() <= unit);
        }
    }
}
