//! Bounds on every request quantity. They are generous for any farm project and tight enough
//! that no sum or product on a valid request can leave the range of `Decimal` (each module says
//! why where it computes). A quotient by a difference of inputs can still be too large for it
//! (the break-even throughput): that one is checked, and absent with a warning when it would.

pub const MAX_ID_CHARS: usize = 128;
pub const MAX_NAME_CHARS: usize = 128;
pub const MAX_ASSUMPTIONS: usize = 32;
pub const MAX_ASSUMPTION_CHARS: usize = 512;
pub const MAX_LINE_ITEMS: usize = 64;

/// Decimal places accepted: money amounts in fen, everything else to a millionth.
pub const MONEY_AMOUNT_DP: u32 = 2;
pub const FINE_DP: u32 = 6;
pub const DSCR_DP: u32 = 4;

pub const MAX_PRINCIPAL_CNY: i64 = 100_000_000_000;
pub const MAX_TOTAL_INVESTMENT_CNY: i64 = 1_000_000_000_000;
pub const MAX_LINE_AMOUNT_CNY: i64 = 100_000_000_000;
pub const MAX_UNIT_AMOUNT_CNY_PER_T: i64 = 1_000_000;
pub const MAX_RATE_PCT: i64 = 100;
pub const MAX_SPREAD_BPS: i32 = 10_000;
pub const MAX_TERM_MONTHS: u32 = 600;
pub const MAX_T_PER_DAY: i64 = 100_000;
pub const MAX_T_PER_YEAR: i64 = 36_600_000;
pub const MAX_OPERATING_DAYS: u32 = 366;
pub const MAX_PROJECT_LIFE_YEARS: u32 = 30;
pub const MAX_DSCR_HURDLE: i64 = 10;
pub const MAX_DIESEL_T_PER_YEAR: i64 = 1_000_000;
pub const MAX_DIESEL_L_PER_YEAR: i64 = 1_000_000_000;
pub const MAX_ELECTRICITY_KWH_PER_YEAR: i64 = 10_000_000_000;
/// Overrides are checked against physical bounds; this only keeps them in a sane range.
pub const MAX_FACTOR_VALUE: i64 = 1_000_000;

pub const MAX_KPIS: usize = 16;
pub const MAX_KPI_ANNUAL_TARGET: i64 = 1_000_000_000_000;
pub const MAX_KPI_STEP_BPS: i32 = 1_000;
/// A monitoring period is at most a leap year long.
pub const MAX_PERIOD_DAYS: u32 = 366;
pub const MAX_JUMP_TOLERANCE_FRACTION: i64 = 10;
