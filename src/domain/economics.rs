//! Cost-to-revenue conversion: annual quantities, per-tonne figures on every basis, and the
//! steady-state annual cash flow of the project, exact.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductOutput {
    PerDay,
    PerYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FertilizerValueKind {
    Price,
    UnitMargin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostBasis {
    PerYear,
    PerTonneFreshManure,
    PerTonneProduct,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperatingCost {
    pub name: String,
    pub basis: CostBasis,
    pub cny: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedAmount {
    pub name: String,
    pub cny: Decimal,
}

/// Operating data already checked against the request limits.
#[derive(Debug, Clone)]
pub struct Operations {
    pub manure_fresh_t_per_day: Decimal,
    pub operating_days_per_year: u32,
    pub manure_dry_matter_fraction: Decimal,
    pub product_output: ProductOutput,
    /// Tonnes of product per day or per year, as `product_output` says.
    pub product_t: Decimal,
    pub baseline_treatment_cost_cny_per_t_fresh_manure: Decimal,
    pub fertilizer_value_kind: FertilizerValueKind,
    pub fertilizer_value_cny_per_t_product: Decimal,
    pub operating_costs: Vec<OperatingCost>,
    pub annual_operating_subsidies: Vec<NamedAmount>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TonneBasis {
    FreshManure,
    DryMatter,
    FinishedProduct,
}

pub const TONNE_BASES: [TonneBasis; 3] = [
    TonneBasis::FreshManure,
    TonneBasis::DryMatter,
    TonneBasis::FinishedProduct,
];

/// Annual quantities and amounts, exact.
///
/// No operation here can overflow for a valid request (src/domain/limits.rs): tonnes are at
/// most 100,000 t/day x 366 days (or 36,600,000 t/year) = 3.66e7 a year, every per-tonne
/// amount at most 1e6 CNY, so each product is at most 3.66e13 CNY; the cash flow sums at most
/// 64 cost lines, 64 subsidies of 1e11 and two such products, under 2.5e15, against a decimal
/// range of 7.9e28. The ratios divide by tonnes of at least 1e-12 (1e-6 t/day x 1 day x a
/// dry-matter fraction of 1e-6) or by a baseline cost of at least 1e-12 CNY, so they stay
/// under 2.5e27.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualFigures {
    pub manure_fresh_t_per_year: Decimal,
    pub manure_dry_matter_t_per_year: Decimal,
    pub product_t_per_year: Decimal,
    pub baseline_treatment_cost_cny_per_year: Decimal,
    pub fertilizer_income_cny_per_year: Decimal,
    /// Per operating cost line, same order as the request, positive amounts.
    pub operating_costs_cny_per_year: Vec<Decimal>,
    pub operating_subsidies_cny_per_year: Vec<Decimal>,
}

impl AnnualFigures {
    pub fn of(ops: &Operations) -> AnnualFigures {
        let days = Decimal::from(ops.operating_days_per_year);
        let manure_fresh_t_per_year = ops.manure_fresh_t_per_day * days;
        let product_t_per_year = match ops.product_output {
            ProductOutput::PerDay => ops.product_t * days,
            ProductOutput::PerYear => ops.product_t,
        };
        let operating_costs_cny_per_year = ops
            .operating_costs
            .iter()
            .map(|cost| match cost.basis {
                CostBasis::PerYear => cost.cny,
                CostBasis::PerTonneFreshManure => cost.cny * manure_fresh_t_per_year,
                CostBasis::PerTonneProduct => cost.cny * product_t_per_year,
            })
            .collect();
        AnnualFigures {
            manure_fresh_t_per_year,
            manure_dry_matter_t_per_year: manure_fresh_t_per_year * ops.manure_dry_matter_fraction,
            product_t_per_year,
            baseline_treatment_cost_cny_per_year: manure_fresh_t_per_year
                * ops.baseline_treatment_cost_cny_per_t_fresh_manure,
            fertilizer_income_cny_per_year: product_t_per_year
                * ops.fertilizer_value_cny_per_t_product,
            operating_costs_cny_per_year,
            operating_subsidies_cny_per_year: ops
                .annual_operating_subsidies
                .iter()
                .map(|s| s.cny)
                .collect(),
        }
    }

    pub fn operating_costs_total(&self) -> Decimal {
        self.operating_costs_cny_per_year.iter().sum()
    }

    pub fn operating_subsidies_total(&self) -> Decimal {
        self.operating_subsidies_cny_per_year.iter().sum()
    }

    /// Fertilizer income + operating subsidies - operating costs.
    pub fn project_only_cash_flow(&self) -> Decimal {
        self.fertilizer_income_cny_per_year + self.operating_subsidies_total()
            - self.operating_costs_total()
    }

    /// The project's own cash flow plus the baseline cost the farm no longer pays.
    pub fn incremental_cash_flow(&self) -> Decimal {
        self.project_only_cash_flow() + self.baseline_treatment_cost_cny_per_year
    }

    pub fn tonnes(&self, basis: TonneBasis) -> Decimal {
        match basis {
            TonneBasis::FreshManure => self.manure_fresh_t_per_year,
            TonneBasis::DryMatter => self.manure_dry_matter_t_per_year,
            TonneBasis::FinishedProduct => self.product_t_per_year,
        }
    }

    pub fn product_yield(&self, basis: TonneBasis) -> Decimal {
        self.product_t_per_year / self.tonnes(basis)
    }

    /// Fertilizer income / baseline treatment cost; `None` when the baseline cost nothing.
    pub fn income_to_baseline_cost_ratio(&self) -> Option<Decimal> {
        (!self.baseline_treatment_cost_cny_per_year.is_zero()).then(|| {
            self.fertilizer_income_cny_per_year / self.baseline_treatment_cost_cny_per_year
        })
    }

    /// The annual cash flow as a linear function of fresh-manure throughput, for break-even:
    /// (part that scales with throughput, part that does not). Product yield and per-tonne
    /// costs stay fixed when throughput changes; fixed costs and subsidies do not move.
    pub fn throughput_split(&self, ops: &Operations, incremental: bool) -> (Decimal, Decimal) {
        let mut variable = self.fertilizer_income_cny_per_year;
        if incremental {
            variable += self.baseline_treatment_cost_cny_per_year;
        }
        let mut fixed = self.operating_subsidies_total();
        for (cost, annual) in ops
            .operating_costs
            .iter()
            .zip(&self.operating_costs_cny_per_year)
        {
            match cost.basis {
                CostBasis::PerYear => fixed -= annual,
                CostBasis::PerTonneFreshManure | CostBasis::PerTonneProduct => variable -= annual,
            }
        }
        (variable, fixed)
    }
}

/// The seed case's operations: 90 t of fresh manure (25 % dry matter) a day for 365 days,
/// 10,950 t of product a year valued at 260 CNY/t, treatment at 40 CNY/t before; for the tests
/// of every module that starts from them.
#[cfg(test)]
pub(crate) fn seed_operations() -> Operations {
    Operations {
        manure_fresh_t_per_day: Decimal::from(90),
        operating_days_per_year: 365,
        manure_dry_matter_fraction: Decimal::new(25, 2),
        product_output: ProductOutput::PerYear,
        product_t: Decimal::from(10950),
        baseline_treatment_cost_cny_per_t_fresh_manure: Decimal::from(40),
        fertilizer_value_kind: FertilizerValueKind::UnitMargin,
        fertilizer_value_cny_per_t_product: Decimal::from(260),
        operating_costs: vec![],
        annual_operating_subsidies: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn seed_case_annual_figures() {
        let annual = AnnualFigures::of(&seed_operations());
        assert_eq!(annual.manure_fresh_t_per_year, dec("32850"));
        assert_eq!(annual.baseline_treatment_cost_cny_per_year, dec("1314000"));
        assert_eq!(annual.fertilizer_income_cny_per_year, dec("2847000"));
        assert_eq!(
            annual.product_yield(TonneBasis::FreshManure).round_dp(4),
            dec("0.3333")
        );
        assert_eq!(annual.incremental_cash_flow(), dec("4161000"));
    }

    #[test]
    fn cost_lines_follow_their_basis_and_split_into_fixed_and_variable() {
        let mut ops = seed_operations();
        ops.operating_costs = vec![
            OperatingCost {
                name: "labour".into(),
                basis: CostBasis::PerYear,
                cny: dec("100000"),
            },
            OperatingCost {
                name: "power".into(),
                basis: CostBasis::PerTonneFreshManure,
                cny: dec("2"),
            },
            OperatingCost {
                name: "bags".into(),
                basis: CostBasis::PerTonneProduct,
                cny: dec("5"),
            },
        ];
        ops.annual_operating_subsidies = vec![NamedAmount {
            name: "grant".into(),
            cny: dec("10000"),
        }];
        let annual = AnnualFigures::of(&ops);
        assert_eq!(
            annual.operating_costs_cny_per_year,
            [dec("100000"), dec("65700"), dec("54750")]
        );
        let (variable, fixed) = annual.throughput_split(&ops, true);
        assert_eq!(fixed, dec("-90000"));
        assert_eq!(variable + fixed, annual.incremental_cash_flow());
        let (variable, fixed) = annual.throughput_split(&ops, false);
        assert_eq!(variable + fixed, annual.project_only_cash_flow());
    }
}
