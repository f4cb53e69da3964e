//! AssessBatch and SummarizePortfolio end to end over the real server: every batch item
//! answered once, in order, under its key, equal to a unary Assess; stored batch items that
//! verify; a client that leaves a stored batch midway, leaving a whole chain; backpressure that
//! keeps both ends' buffers bounded; a message over the size limit ending a stream with
//! RESOURCE_EXHAUSTED; a portfolio summary worked out by hand; and the disbursement date's
//! validation.

#[path = "../common/mod.rs"]
mod common;

mod backpressure;
mod batch;
mod stored_batches;
mod summaries;
mod support;
