//! Sustainability-linked terms of a loan: a yearly target on one measured figure, and the rate
//! step the loan takes when a monitoring period meets or misses it.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiMetric {
    ManureTreatedT,
    ProductMadeT,
    /// Baseline - project, energy included, central; avoided fertilizer is not counted.
    EmissionReductionTco2e,
}

/// A sustainability-linked term of the loan.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub name: String,
    pub metric: KpiMetric,
    pub annual_target: Decimal,
    pub rate_step_bps_if_met: i32,
    pub rate_step_bps_if_missed: i32,
}
