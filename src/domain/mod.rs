//! The pure domain core: loan schedules, the economics and the carbon reduction of a
//! manure-to-fertilizer project, on exact decimals. No gRPC, no async runtime, no I/O.

pub mod assessment;
pub mod calendar;
pub mod carbon;
pub mod decimal_text;
pub mod economics;
pub mod eligibility;
pub mod insurer;
pub mod kpi;
pub mod limits;
pub mod loan;
pub mod lpr;
pub mod mass_balance;
pub mod monitoring;
pub mod portfolio;
pub mod powers;
pub mod presentation;
pub mod product;
pub mod returns;

use std::fmt;

/// Version of the method (economics and carbon); bumped whenever a figure for the same input
/// may change. 1.1.0 added the carbon estimate and the mass balance; the economic figures of
/// 1.0.0 are unchanged. 1.2.0 finds the IRR by Brent's method instead of bisection: the
/// unrounded rate may move within the same 1e-9 tolerance, so a shown IRR can differ in its
/// last place when it lies on a rounding boundary; it also adds the insurer and eligibility
/// views, present only when asked for. 1.3.0 finds the IRR by Newton's method on the annuity
/// factor of the level cash flows, certified by NPV changing sign within 5e-10 of the rate: the
/// unrounded rate may again move within 1e-9; a project whose investment and cash flow are
/// both zero now has no IRR (the search reported -50%).
pub const METHODOLOGY_VERSION: &str = "green-impact/1.3.0";

/// A failure of the calculation itself. Request limits are set so that none can occur for a
/// valid request (each place that could says why it cannot, or checks and answers otherwise);
/// if one does, it is reported rather than panicking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComputeError {
    Overflow(&'static str),
    Invariant(&'static str),
}

impl fmt::Display for ComputeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComputeError::Overflow(what) => write!(f, "arithmetic overflow computing {what}"),
            ComputeError::Invariant(what) => write!(f, "invariant broken: {what}"),
        }
    }
}

impl std::error::Error for ComputeError {}

/// Something legal but worth a human look, tied to a request field where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
}
