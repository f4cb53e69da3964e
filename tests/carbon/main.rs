//! The carbon estimate end to end over the real server: a request worked by hand from the IPCC
//! equations, the seed case against its published figure, overrides, factor sets, presented
//! parts summing to presented totals, and a factor the chosen set lacks.

#[path = "../common/mod.rs"]
mod common;

mod factors;
mod hand_worked;
mod presentation;
mod published_figure;
mod support;
