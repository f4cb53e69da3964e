//! Inputs the fuzzer (fuzz/, `cargo +nightly fuzz run assess`) found, kept as regressions.
//!
//! `tests/fuzz_regressions/assess/*` are raw AssessRequest encodings, run through the same
//! decode + `ImpactApi::assess` path as fuzz/fuzz_targets/assess.rs;
//! `tests/fuzz_regressions/monitoring_report/*` are inputs of
//! fuzz/fuzz_targets/monitoring_report.rs (a length-prefixed plan, previous report and report),
//! run through the same path as that target. Each must give an answer or an error status
//! that is not INTERNAL, and never panic. The named tests pin what each fixed crash now
//! answers.

mod common;

// The fuzz targets' own paths, compiled here too: a kept input runs as it did when found.
#[path = "../fuzz/src/inputs.rs"]
mod inputs;

use std::path::{Path, PathBuf};

use tonic::{Code, Status};

use green_impact::pb;
use inputs::{assess_request, evaluate_report};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn read(target: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assessed(name: &str) -> Result<pb::AssessResponse, Status> {
    assess_request(&read("assess", name)).expect("the input decodes as an AssessRequest")
}

fn monitored(name: &str) -> Result<pb::MonitoringResult, Status> {
    evaluate_report(&read("monitoring_report", name)).expect("the input reaches the evaluation")
}

/// Not a panic (the caller catches those), and not INTERNAL: a refusal says what is wrong.
fn check_status<T>(name: &Path, outcome: &Result<T, Status>) -> Result<(), String> {
    match outcome {
        Ok(_) => Ok(()),
        Err(status) if status.code() == Code::Internal || status.message().is_empty() => {
            Err(format!("{}: {status:?}", name.display()))
        }
        Err(_) => Ok(()),
    }
}

fn run_all<T>(
    target: &str,
    run: impl Fn(&[u8]) -> Option<Result<T, Status>> + std::panic::RefUnwindSafe,
) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "no inputs under tests/fuzz_regressions/{target}"
    );
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read input");
        match std::panic::catch_unwind(|| run(&bytes)) {
            Err(_) => failures.push(format!("{}: panicked", path.display())),
            Ok(None) => {}
            Ok(Some(outcome)) => {
                if let Err(failure) = check_status(path, &outcome) {
                    failures.push(failure);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_assess_input_answers_without_panicking() {
    run_all("assess", assess_request);
}

#[test]
fn every_monitoring_input_answers_without_panicking() {
    run_all("monitoring_report", evaluate_report);
}

/// "Division overflowed" in the break-even throughput: a variable cash flow of 1e-12 CNY a
/// year against a debt service of 1.1e12 at 100,000 t a day. Now the break-even throughput is
/// absent, as when no throughput raises the cash flow, and a warning says why.
#[test]
fn break_even_throughput_overflow_is_absent_with_a_warning() {
    let response = assessed("break-even-throughput-overflow").expect("assessed");
    let break_even = response
        .debt_service_cover
        .as_ref()
        .and_then(|cover| cover.break_even.as_ref())
        .expect("break-even");
    assert_eq!(break_even.manure_fresh_t_per_day, None);
    assert!(
        response
            .warnings
            .iter()
            .any(|w| w.code == "BREAK_EVEN_THROUGHPUT_OUT_OF_RANGE"),
        "{:?}",
        response.warnings
    );
}

/// "Multiplication overflowed" in a monitoring report's variance percentage: a plan whose cash
/// flow nets to 1e-12 CNY a year against 3.66e13 realised in one day. Now the report is
/// evaluated and that percentage is absent, as for a plan of 0 (which is what the plan shows).
#[test]
fn variance_percentage_overflow_is_absent() {
    let result = monitored("variance-pct-overflow").expect("evaluated");
    let cash_flow = result
        .figures
        .iter()
        .find(|f| f.name == "cash flow")
        .expect("cash flow row");
    assert_eq!(common::value(&cash_flow.plan), "0.00");
    assert_eq!(cash_flow.variance_pct, None);
    let manure = result
        .figures
        .iter()
        .find(|f| f.name == "manure treated")
        .expect("manure row");
    assert!(manure.variance_pct.is_some());
}
