//! Can the manure and the amendments make the stated product? Dry matter in, minus what
//! composting mineralises, at the product standard's highest moisture, bounds the output.

use rust_decimal::Decimal;

use super::Warning;

#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub name: String,
    pub fresh_t_per_day: Decimal,
    pub dry_matter_fraction: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MassBalance {
    pub manure_dry_matter_t_per_day: Decimal,
    pub amendments_dry_matter_t_per_day: Decimal,
    /// None: the request gave no loss, and none is assumed (the capacity is an upper bound).
    pub dry_matter_loss_fraction: Option<Decimal>,
    pub dry_matter_out_t_per_day: Decimal,
    pub product_max_moisture_fraction: Decimal,
    pub product_capacity_t_per_day: Decimal,
    pub product_stated_t_per_day: Decimal,
    /// The largest composting loss at which the stated output can still be made.
    pub tolerable_dry_matter_loss_fraction: Decimal,
    pub closes: bool,
    pub dry_matter_shortfall_t_per_day: Decimal,
}

pub struct MassBalanceInput<'a> {
    pub manure_fresh_t_per_day: Decimal,
    pub manure_dry_matter_fraction: Decimal,
    pub amendments: &'a [Amendment],
    pub dry_matter_loss_fraction: Option<Decimal>,
    pub product_stated_t_per_day: Decimal,
    pub product_max_moisture_fraction: Decimal,
}

/// No overflow for a valid request: tonnes a day are at most 1e5 (manure) plus 64 amendments
/// of 1e5, and the divisors are bounded away from zero by validation: the kept fraction by the
/// loss limit of 0.9999, the product's dry-matter fraction by the set's moisture limit (below
/// 1), the dry matter in by a positive manure tonnage and dry-matter fraction (at least 1e-12).
pub fn mass_balance(input: &MassBalanceInput) -> MassBalance {
    let manure_dm = input.manure_fresh_t_per_day * input.manure_dry_matter_fraction;
    let amendments_dm: Decimal = input
        .amendments
        .iter()
        .map(|a| a.fresh_t_per_day * a.dry_matter_fraction)
        .sum();
    let dm_in = manure_dm + amendments_dm;
    let kept = Decimal::ONE - input.dry_matter_loss_fraction.unwrap_or(Decimal::ZERO);
    let dm_out = dm_in * kept;
    let product_dm_fraction = Decimal::ONE - input.product_max_moisture_fraction;
    let capacity = dm_out / product_dm_fraction;
    let stated_dm = input.product_stated_t_per_day * product_dm_fraction;
    let closes = input.product_stated_t_per_day <= capacity;
    MassBalance {
        manure_dry_matter_t_per_day: manure_dm,
        amendments_dry_matter_t_per_day: amendments_dm,
        dry_matter_loss_fraction: input.dry_matter_loss_fraction,
        dry_matter_out_t_per_day: dm_out,
        product_max_moisture_fraction: input.product_max_moisture_fraction,
        product_capacity_t_per_day: capacity,
        product_stated_t_per_day: input.product_stated_t_per_day,
        tolerable_dry_matter_loss_fraction: (Decimal::ONE - stated_dm / dm_in).max(Decimal::ZERO),
        closes,
        dry_matter_shortfall_t_per_day: if closes {
            Decimal::ZERO
        } else {
            stated_dm / kept - dm_in
        },
    }
}

pub fn warnings(balance: &MassBalance) -> Option<Warning> {
    if balance.closes {
        return balance.dry_matter_loss_fraction.is_none().then(|| Warning {
            code: "COMPOSTING_LOSS_NOT_GIVEN",
            field: "operations.composting_dry_matter_loss_fraction",
            message: format!(
                "no composting dry-matter loss was given, so none is assumed; the stated output \
                 is possible only if composting loses at most {} of the dry matter going in",
                balance
                    .tolerable_dry_matter_loss_fraction
                    .round_dp(4)
                    .normalize()
            ),
        });
    }
    let loss = match balance.dry_matter_loss_fraction {
        Some(loss) => format!("a composting dry-matter loss of {}", loss.normalize()),
        None => "no composting loss at all".to_owned(),
    };
    Some(Warning {
        code: "MASS_BALANCE_DOES_NOT_CLOSE",
        field: "operations.product_output",
        message: format!(
            "{} t of dry matter a day (manure and amendments), with {loss}, makes at most {} t \
             of product a day at {} moisture, less than the stated {} t: about {} t more dry \
             matter a day (e.g. bulking agent) or a drier product is needed",
            (balance.manure_dry_matter_t_per_day + balance.amendments_dry_matter_t_per_day)
                .normalize(),
            balance.product_capacity_t_per_day.round_dp(2).normalize(),
            balance.product_max_moisture_fraction.normalize(),
            balance.product_stated_t_per_day.normalize(),
            balance
                .dry_matter_shortfall_t_per_day
                .round_dp(2)
                .normalize(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn the_seed_closes_only_with_almost_no_composting_loss() {
        let input = MassBalanceInput {
            manure_fresh_t_per_day: dec("90"),
            manure_dry_matter_fraction: dec("0.25"),
            amendments: &[],
            dry_matter_loss_fraction: None,
            product_stated_t_per_day: dec("30"),
            product_max_moisture_fraction: dec("0.30"),
        };
        let balance = mass_balance(&input);
        assert_eq!(balance.manure_dry_matter_t_per_day, dec("22.5"));
        assert_eq!(
            balance.product_capacity_t_per_day.round_dp(4),
            dec("32.1429")
        );
        assert!(balance.closes);
        // 30 t at 70% dry matter is 21 t of dry matter: 1.5 of the 22.5 t may be lost.
        assert_eq!(
            balance.tolerable_dry_matter_loss_fraction.round_dp(6),
            dec("0.066667")
        );

        let with_loss = mass_balance(&MassBalanceInput {
            dry_matter_loss_fraction: Some(dec("0.3")),
            ..input
        });
        assert!(!with_loss.closes);
        // 21 t of dry matter out needs 30 t in: 7.5 t a day more.
        assert_eq!(with_loss.dry_matter_shortfall_t_per_day, dec("7.5"));
        assert!(warnings(&with_loss).is_some());
    }
}
