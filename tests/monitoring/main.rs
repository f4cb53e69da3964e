//! SubmitMonitoringReport end to end over the real server (local mode, a fresh SQLite store):
//! a quarter worked by hand against the seed plan, the report stored as a record and verified
//! by recomputation, the continuity / jump / capacity / mass-balance flags against the report
//! before, and bad input refused with exact field paths. Concurrent reports on one plan run
//! on every record store, with a tenant of their own.
//!
//! The plan is examples/leshan-yaqing.json with two KPIs added: 90 t/day of fresh layer
//! manure x 365 days = 32,850 t/yr at 0.25 dry matter, 10,950 t/yr of product, baseline
//! treatment 40 CNY/t, unit margin 260 CNY/t product, INCREMENTAL cash-flow basis, no operating
//! cost lines, no subsidies, no energy lines; a 3,800,000 CNY loan at 3.45 % fixed, 36 equal
//! monthly instalments of 111,263.80 from 2025-07-21 (the last 111,263.63).

#[path = "../common/mod.rs"]
mod common;

mod energy;
mod flags;
mod hand_worked_figures;
mod refusals;
mod reports_as_records;
mod support;
