//! End-to-end bad-input catalogue: each case starts from the valid seed request, breaks one
//! thing (or, in the multi-violation cases, several), sends it to the real server over gRPC,
//! and checks that the server answers INVALID_ARGUMENT naming exactly the field path(s) at
//! fault in the google.rpc.BadRequest details.

#[path = "../common/mod.rs"]
mod common;

mod accepted;
mod carbon;
mod currencies;
mod decimal_text;
mod enums;
mod line_items;
mod loan_terms;
mod operations;
mod presentation;
mod required_fields;
mod several_violations;
mod support;
