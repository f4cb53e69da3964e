//! The fuzz targets' inputs and the paths they take, in one file that the fuzz crate compiles
//! as a module and `tests/fuzz_regressions.rs` includes, so that a kept input runs in the tests
//! exactly as it ran when it was found.

use std::sync::LazyLock;

use green_impact::domain::assessment::assess;
use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::domain::lpr::LprTable;
use green_impact::grpc::api::ImpactApi;
use green_impact::grpc::{monitoring, request};
use green_impact::pb;
use prost::Message;
use tonic::Status;

static LPR: LazyLock<LprTable> = LazyLock::new(LprTable::embedded);
static LIBRARY: LazyLock<FactorLibrary> = LazyLock::new(FactorLibrary::built_in);
static API: LazyLock<ImpactApi> =
    LazyLock::new(|| ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in()));

/// The `assess` target: the bytes as an AssessRequest through `ImpactApi::assess`, as the
/// server's `Assess` without the record store. None when they do not decode.
pub fn assess_request(data: &[u8]) -> Option<Result<pb::AssessResponse, Status>> {
    let request = pb::AssessRequest::decode(data).ok()?;
    Some(API.assess(&request))
}

/// The next u16-length-prefixed (big-endian) part of `data`, and what follows it.
pub fn part(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = data.split_first_chunk::<2>()?;
    let len = usize::from(u16::from_be_bytes(*len));
    (rest.len() >= len).then(|| rest.split_at(len))
}

/// The `monitoring_report` target: a plan, the report before it (length 0: none) and a report,
/// evaluated by `ImpactApi::evaluate_report` as `SubmitMonitoringReport` evaluates a report
/// against its stored plan. None when the input does not get that far: undecodable, or a plan
/// (or previous report) that the server would never have stored because it is invalid.
pub fn evaluate_report(data: &[u8]) -> Option<Result<pb::MonitoringResult, Status>> {
    let (plan_bytes, rest) = part(data)?;
    let (previous_bytes, report_bytes) = part(rest)?;
    let plan_request = pb::AssessRequest::decode(plan_bytes).ok()?;
    let report = pb::SubmitMonitoringReportRequest::decode(report_bytes).ok()?;
    let previous = match previous_bytes {
        [] => None,
        bytes => Some(pb::SubmitMonitoringReportRequest::decode(bytes).ok()?),
    };
    let (plan, _) = request::to_domain(&plan_request, &LPR, &LIBRARY).ok()?;
    assess(&plan, &LPR).ok()?;
    if let Some(previous) = &previous {
        monitoring::to_domain(previous, &plan).ok()?;
    }
    Some(API.evaluate_report(&plan_request, &LIBRARY, &report, previous.as_ref()))
}
