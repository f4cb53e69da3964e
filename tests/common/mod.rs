//! Test harness shared by the test binaries: the real server on an ephemeral loopback port,
//! the seed request, decimals, the parts-sum checks, and the record tests' harness (the stores
//! to run against, tenants with bearer tokens, direct edits of stored rows, and the real binary
//! as a child process). Everything is re-exported here, so `use common::...` names any of it.

#![allow(dead_code)] // each test binary uses its own part of the harness

mod binary;
mod decimals;
mod in_process;
mod requests;
mod server;
mod stored_rows;
mod stores;
mod sums;
mod tenants;

// Each test binary uses its own part of the harness.
#[allow(unused_imports)]
pub use binary::*;
#[allow(unused_imports)]
pub use decimals::*;
#[allow(unused_imports)]
pub use in_process::*;
#[allow(unused_imports)]
pub use requests::*;
#[allow(unused_imports)]
pub use server::*;
#[allow(unused_imports)]
pub use stored_rows::*;
#[allow(unused_imports)]
pub use stores::*;
#[allow(unused_imports)]
pub use sums::*;
#[allow(unused_imports)]
pub use tenants::*;
