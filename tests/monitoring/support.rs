//! The seed plan with its two KPIs, report requests made from it, and the calls and readings of
//! an answer the monitoring tests share.

use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use rust_decimal::Decimal;
use tonic::Code;
use tonic::transport::Channel;

use crate::common::{cny, dec, seed_request, value};

type Client = ImpactServiceClient<Channel>;

/// A presented decimal, parsed; panics when it is absent or malformed.
pub fn parsed(presented: &Option<pb::Decimal>) -> Decimal {
    let text = value(presented);
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a decimal: {e}"))
}

fn kpi(
    name: &str,
    metric: pb::KpiMetric,
    annual_target: &str,
    if_met: i32,
    if_missed: i32,
) -> pb::KpiTarget {
    pb::KpiTarget {
        name: name.to_owned(),
        metric: metric as i32,
        annual_target: dec(annual_target),
        rate_step_bps_if_met: if_met,
        rate_step_bps_if_missed: if_missed,
    }
}

/// The seed with the loan's two sustainability-linked terms: 30,000 t of manure a year
/// (-10 bps if met, +10 if missed) and 900 tCO2e a year (-5 bps if met, 0 if missed).
pub fn seed_with_kpis() -> pb::AssessRequest {
    let mut request = seed_request();
    request.kpis = vec![
        kpi(
            "manure treated",
            pb::KpiMetric::ManureTreatedT,
            "30000",
            -10,
            10,
        ),
        kpi(
            "emission reduction",
            pb::KpiMetric::EmissionReductionTco2e,
            "900",
            -5,
            0,
        ),
    ];
    request
}

pub async fn assess(client: &mut Client, request: pb::AssessRequest) -> pb::AssessResponse {
    client
        .assess(request)
        .await
        .unwrap_or_else(|e| panic!("assess: {e:?}"))
        .into_inner()
}

/// The seed with KPIs, assessed and stored; its response (with the record's seal).
pub async fn stored_plan(client: &mut Client) -> pb::AssessResponse {
    let response = assess(client, seed_with_kpis()).await;
    assert!(response.record.is_some(), "the assessment is stored");
    response
}

pub fn record_id(seal: &Option<pb::RecordSeal>) -> String {
    seal.as_ref().expect("a record seal").record_id.clone()
}

pub fn operations(
    operating_days: u32,
    manure_fresh_t: &str,
    product_made_t: &str,
    product_sold_t: &str,
    realised_margin_cny_per_t: &str,
) -> pb::ActualOperations {
    pb::ActualOperations {
        operating_days,
        manure_fresh_t: dec(manure_fresh_t),
        manure_dry_matter_fraction: None,
        product_made_t: dec(product_made_t),
        product_sold_t: dec(product_sold_t),
        realised_value_per_t_product: cny(realised_margin_cny_per_t),
        energy: vec![],
        operating_costs: None,
    }
}

/// Operations with a measured dry-matter fraction and reported costs, so that the only flags
/// are the ones a test is about.
pub fn measured(mut actual: pb::ActualOperations) -> pb::ActualOperations {
    actual.manure_dry_matter_fraction = dec("0.25");
    actual.operating_costs = cny("0");
    actual
}

pub fn report(
    assessment_record_id: &str,
    period_start: &str,
    period_end: &str,
    actual: pb::ActualOperations,
) -> pb::SubmitMonitoringReportRequest {
    pb::SubmitMonitoringReportRequest {
        assessment_record_id: assessment_record_id.to_owned(),
        period_start: period_start.to_owned(),
        period_end: period_end.to_owned(),
        actual: Some(actual),
        jump_tolerance_fraction: None,
        dry_run: false,
    }
}

/// The third quarter of 2025 (92 days): 90 operating days, 8,000 t of manure, 2,600 t of
/// product made and 2,500 t sold at a realised margin of 250 CNY/t; no dry matter, energy or
/// costs reported.
pub fn q3_report(assessment_record_id: &str) -> pb::SubmitMonitoringReportRequest {
    report(
        assessment_record_id,
        "2025-07-01",
        "2025-09-30",
        operations(90, "8000", "2600", "2500", "250"),
    )
}

pub fn dry(mut request: pb::SubmitMonitoringReportRequest) -> pb::SubmitMonitoringReportRequest {
    request.dry_run = true;
    request
}

pub async fn submit(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> pb::SubmitMonitoringReportResponse {
    client
        .submit_monitoring_report(request)
        .await
        .unwrap_or_else(|e| panic!("submit_monitoring_report: {e:?}"))
        .into_inner()
}

pub async fn submit_refused(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> tonic::Status {
    match client.submit_monitoring_report(request).await {
        Ok(response) => panic!("expected an error, got {:?}", response.into_inner()),
        Err(status) => status,
    }
}

/// The field paths of the BadRequest details of an INVALID_ARGUMENT status, sorted.
pub fn bad_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), Code::InvalidArgument, "status: {status:?}");
    let details = status
        .get_details_bad_request()
        .unwrap_or_else(|| panic!("BadRequest details in {status:?}"));
    let mut fields: Vec<String> = details
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    fields.sort();
    fields
}

/// The descriptions of the BadRequest violations, in the order given.
pub fn descriptions(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|details| {
            details
                .field_violations
                .iter()
                .map(|v| v.description.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub async fn refused_fields(
    client: &mut Client,
    request: pb::SubmitMonitoringReportRequest,
) -> Vec<String> {
    bad_fields(&submit_refused(client, request).await)
}

/// (code, field) of each flag, in the order given.
pub fn flags(result: &pb::MonitoringResult) -> Vec<(&str, &str)> {
    result
        .flags
        .iter()
        .map(|f| (f.code.as_str(), f.field.as_str()))
        .collect()
}

pub fn flag_codes(result: &pb::MonitoringResult) -> Vec<&str> {
    result.flags.iter().map(|f| f.code.as_str()).collect()
}

pub fn flag<'r>(result: &'r pb::MonitoringResult, code: &str) -> &'r pb::Warning {
    result
        .flags
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} flag in {:?}", result.flags))
}

/// [name, unit, plan, actual, variance, variance %] of one plan-vs-actual row.
pub fn row(figure: &pb::PlanVsActual) -> [&str; 6] {
    [
        figure.name.as_str(),
        figure.unit.as_str(),
        value(&figure.plan),
        value(&figure.actual),
        value(&figure.variance),
        value(&figure.variance_pct),
    ]
}

/// [metric, period target, actual, met, step] of a KPI result.
pub fn kpi_row(k: &pb::KpiResult) -> (i32, &str, &str, bool, i32) {
    (
        k.metric,
        value(&k.period_target),
        value(&k.actual),
        k.met,
        k.rate_step_bps,
    )
}

async fn verify(client: &mut Client, record_id: &str) -> pb::VerifyAssessmentResponse {
    client
        .verify_assessment(pb::VerifyAssessmentRequest {
            record_id: record_id.to_owned(),
        })
        .await
        .unwrap_or_else(|e| panic!("verify {record_id}: {e:?}"))
        .into_inner()
}

/// Every one of the four checks ran and passed.
pub async fn assert_verifies(client: &mut Client, record_id: &str) {
    let verification = verify(client, record_id).await;
    let names: Vec<&str> = verification
        .checks
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["chain_link", "digest", "recomputation", "signature"],
        "{record_id}: {:?}",
        verification.checks
    );
    for check in &verification.checks {
        assert!(
            check.passed,
            "{record_id}: check {} failed: {}",
            check.name, check.detail
        );
    }
    assert!(verification.verified, "{record_id}");
}

pub async fn get_record(client: &mut Client, record_id: &str) -> pb::StoredRecord {
    client
        .get_assessment(pb::GetAssessmentRequest {
            record_id: record_id.to_owned(),
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("get {record_id}: {e:?}"))
        .into_inner()
}

pub async fn stored_report_count(client: &mut Client) -> usize {
    client
        .list_assessments(pb::ListAssessmentsRequest {
            kind: pb::RecordKind::MonitoringReport as i32,
            page_size: 200,
            ..Default::default()
        })
        .await
        .expect("list the reports")
        .into_inner()
        .records
        .len()
}
