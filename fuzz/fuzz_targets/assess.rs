//! Any bytes that decode as an AssessRequest must assess to a response or to an error status:
//! a panic (decimal or integer overflow, an index out of range, a failed debug assertion) is
//! a bug. The same path as the server's `Assess`, without the record store.
//!
//! Mutation is structure-aware (see src/lib.rs) four times in five, so most mutants stay valid
//! protobuf and many stay valid requests.

#![no_main]

use std::sync::LazyLock;

use green_impact_fuzz::{Rng, assess_request, descriptor, mutate};
use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use prost_reflect::MessageDescriptor;

static REQUEST: LazyLock<MessageDescriptor> =
    LazyLock::new(|| descriptor("greenimpact.v1.AssessRequest"));

fuzz_target!(|data: &[u8]| {
    let _ = assess_request(data);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed);
    if rng.below(5) == 0 {
        return fuzzer_mutate(data, size, max_size);
    }
    match mutate(&REQUEST, &data[..size], &mut rng, &mut bytes_mutate) {
        Some(bytes) if bytes.len() <= max_size => {
            data[..bytes.len()].copy_from_slice(&bytes);
            bytes.len()
        }
        _ => fuzzer_mutate(data, size, max_size),
    }
});

/// libFuzzer's mutation of one string's bytes, with room to grow.
fn bytes_mutate(bytes: &mut Vec<u8>) {
    let len = bytes.len();
    bytes.resize(len * 2 + 8, 0);
    let capacity = bytes.len();
    let new_len = fuzzer_mutate(bytes, len, capacity);
    bytes.truncate(new_len);
}
