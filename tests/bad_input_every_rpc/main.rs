//! The bad-input catalogue across every RPC, sent as raw bytes over a real socket: what a
//! hostile or broken client can put on the wire (strings that are not UTF-8, truncated or
//! mistyped fields, nested groups, oversized messages, SQL-looking ids, malformed decimals,
//! dates and page tokens), each case with the status code and the field path it must get.
//! `tests/bad_input/` holds the field-by-field catalogue of `Assess` itself.

#[path = "../common/mod.rs"]
mod common;

mod catalogue;
mod raw_calls;
mod streams;
mod unary;
mod wire;
