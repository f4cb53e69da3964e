//! A plan and a monitoring report on it (and optionally the report before it), evaluated as
//! the server's `SubmitMonitoringReport` does, without the record store: any panic is a bug.
//!
//! Input: a u16 (big-endian) length, that many bytes of the plan's AssessRequest, a u16 length,
//! that many bytes of the previous SubmitMonitoringReportRequest (0: none), and the rest is the
//! report. `fuzz/examples/seed_corpus.rs` writes seeds in this layout.

#![no_main]

use std::sync::LazyLock;

use green_impact_fuzz::{Rng, descriptor, evaluate_report, mutate, part};
use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use prost_reflect::MessageDescriptor;

static PLAN: LazyLock<MessageDescriptor> =
    LazyLock::new(|| descriptor("greenimpact.v1.AssessRequest"));
static REPORT: LazyLock<MessageDescriptor> =
    LazyLock::new(|| descriptor("greenimpact.v1.SubmitMonitoringReportRequest"));

fuzz_target!(|data: &[u8]| {
    let _ = evaluate_report(data);
});

// Structure-aware four times in five: one of the three parts is mutated as its message (the
// report most often) and the input is framed again.
fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed);
    if rng.below(5) == 0 {
        return fuzzer_mutate(data, size, max_size);
    }
    let Some((plan, rest)) = part(&data[..size]) else {
        return fuzzer_mutate(data, size, max_size);
    };
    let Some((previous, report)) = part(rest) else {
        return fuzzer_mutate(data, size, max_size);
    };
    let mut parts = [plan.to_vec(), previous.to_vec(), report.to_vec()];
    let which = [0, 1, 2, 2, 2, 2][rng.below(6)];
    let descriptor = if which == 0 { &*PLAN } else { &*REPORT };
    match mutate(descriptor, &parts[which], &mut rng, &mut bytes_mutate) {
        Some(bytes) => parts[which] = bytes,
        None => return fuzzer_mutate(data, size, max_size),
    }
    let mut out = Vec::with_capacity(size + 16);
    for part in &parts[..2] {
        let Ok(len) = u16::try_from(part.len()) else {
            return fuzzer_mutate(data, size, max_size);
        };
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(part);
    }
    out.extend_from_slice(&parts[2]);
    if out.len() > max_size {
        return fuzzer_mutate(data, size, max_size);
    }
    data[..out.len()].copy_from_slice(&out);
    out.len()
});

/// libFuzzer's mutation of one string's bytes, with room to grow.
fn bytes_mutate(bytes: &mut Vec<u8>) {
    let len = bytes.len();
    bytes.resize(len * 2 + 8, 0);
    let capacity = bytes.len();
    let new_len = fuzzer_mutate(bytes, len, capacity);
    bytes.truncate(new_len);
}
