//! The catalogue of unary calls: each case an RPC, what is wrong with its bytes, and the status
//! code and field path it must get; how an answer is judged against its case; a stored plan and
//! report for the cases to aim at; and the check that the catalogue reaches every RPC.

use std::collections::BTreeSet;

use green_impact::pb;
use prost::Message;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::common::{cny, dec, seed_request, violated_fields};
use crate::raw_calls::{SERVICE, unary};
use crate::wire::{
    ASSESS_BORROWER_ID, ASSESS_LOAN, LOAN_PRINCIPAL, MONEY_CURRENCY_CODE, NOT_UTF8, RECORD_ID,
    assess_field_number, delimited, nested_unknown_groups, varint_field,
};

pub enum Expect {
    /// INVALID_ARGUMENT with exactly these field paths in its BadRequest details.
    Fields(&'static [&'static str]),
    /// INVALID_ARGUMENT naming this field first of the 32 listed, and counting them all.
    FirstOfMany(&'static str, usize),
    /// INVALID_ARGUMENT with no field to name: the bytes broke before any field began.
    Unframed,
    /// INVALID_ARGUMENT for bytes that do not decode, wherever they broke.
    Undecodable,
    /// Another code; the message must say what went wrong.
    Other(Code, &'static str),
}

pub struct Case {
    pub rpc: &'static str,
    pub what: String,
    pub body: Vec<u8>,
    pub expect: Expect,
}

fn case(rpc: &'static str, what: impl Into<String>, body: Vec<u8>, expect: Expect) -> Case {
    Case {
        rpc,
        what: what.into(),
        body,
        expect,
    }
}

pub const SQL_LOOKING: [&str; 4] = [
    "rec_' OR '1'='1",
    "rec_00000000000000000000000000000000'; DROP TABLE records; --",
    "\" OR 1=1 --",
    "rec_0000000000000000000000000000000%",
];

fn get(record_id: &str) -> Vec<u8> {
    pb::GetAssessmentRequest {
        record_id: record_id.to_owned(),
        view: pb::AssessmentView::Unspecified as i32,
    }
    .encode_to_vec()
}

fn verify(record_id: &str) -> Vec<u8> {
    pb::VerifyAssessmentRequest {
        record_id: record_id.to_owned(),
    }
    .encode_to_vec()
}

pub fn list(edit: impl FnOnce(&mut pb::ListAssessmentsRequest)) -> Vec<u8> {
    let mut request = pb::ListAssessmentsRequest::default();
    edit(&mut request);
    request.encode_to_vec()
}

fn share(record_id: &str, with_tenant: &str) -> Vec<u8> {
    pb::ShareAssessmentRequest {
        record_id: record_id.to_owned(),
        with_tenant: with_tenant.to_owned(),
    }
    .encode_to_vec()
}

fn q3_report(plan_id: &str, edit: impl FnOnce(&mut pb::SubmitMonitoringReportRequest)) -> Vec<u8> {
    let mut report = pb::SubmitMonitoringReportRequest {
        assessment_record_id: plan_id.to_owned(),
        period_start: "2025-07-01".into(),
        period_end: "2025-09-30".into(),
        actual: Some(pb::ActualOperations {
            operating_days: 90,
            manure_fresh_t: dec("8000"),
            product_made_t: dec("2600"),
            product_sold_t: dec("2500"),
            realised_value_per_t_product: cny("250"),
            ..Default::default()
        }),
        jump_tolerance_fraction: None,
        dry_run: true,
    };
    edit(&mut report);
    report.encode_to_vec()
}

fn actual(report: &mut pb::SubmitMonitoringReportRequest) -> &mut pb::ActualOperations {
    report.actual.as_mut().expect("actual operations")
}

/// Every unary case, given a stored plan and a stored monitoring report on it.
pub fn unary_cases(plan_id: &str, report_id: &str) -> Vec<Case> {
    use Expect::*;
    let mut cases = Vec::new();

    // Assess: what only raw bytes can say (tests/bad_input/ has every field's own checks).
    for (i, bytes) in NOT_UTF8.iter().enumerate() {
        cases.push(case(
            "Assess",
            format!("borrower_id not UTF-8 #{i}"),
            delimited(ASSESS_BORROWER_ID, bytes),
            Fields(&["borrower_id"]),
        ));
    }
    let not_utf8_currency = delimited(
        ASSESS_LOAN,
        &delimited(LOAN_PRINCIPAL, &delimited(MONEY_CURRENCY_CODE, b"CN\xff")),
    );
    cases.push(case(
        "Assess",
        "a nested currency code not UTF-8",
        not_utf8_currency,
        Fields(&["loan.principal.currency_code"]),
    ));
    let mut truncated = seed_request().encode_to_vec();
    truncated.truncate(truncated.len() - 3);
    cases.push(case(
        "Assess",
        "the seed request cut short",
        truncated,
        Undecodable,
    ));
    cases.push(case(
        "Assess",
        "the loan sent as a varint",
        varint_field(ASSESS_LOAN, 5),
        Fields(&["loan"]),
    ));
    cases.push(case(
        "Assess",
        "a length that runs past the end",
        [ASSESS_LOAN as u8 * 8 + 2, 0x7f, 0x01].to_vec(),
        Fields(&["loan"]),
    ));
    cases.push(case(
        "Assess",
        "a field key of eleven varint bytes",
        [[0xff; 10].as_slice(), &[0x01]].concat(),
        Unframed,
    ));
    cases.push(case(
        "Assess",
        "field number zero",
        [0x02, 0x00].to_vec(),
        Unframed,
    ));
    cases.push(case(
        "Assess",
        "unknown groups nested 200 deep",
        nested_unknown_groups(200),
        Expect::Other(Code::InvalidArgument, "recursion limit"),
    ));
    cases.push(case(
        "Assess",
        "a message over the 256 KiB limit",
        delimited(assess_field_number("project_id"), &vec![b'x'; 300 * 1024]),
        Expect::Other(Code::ResourceExhausted, "over the limit of 262144 bytes"),
    ));
    let mut many_capex = seed_request();
    let appraisal = many_capex.appraisal.as_mut().expect("appraisal");
    appraisal.capex = vec![pb::NamedMoney::default(); 20_000];
    cases.push(case(
        "Assess",
        "20,000 capex lines",
        many_capex.encode_to_vec(),
        // The list's own violation, then each empty line's name and amount.
        FirstOfMany("appraisal.capex", 1 + 2 * 20_000),
    ));
    let mut tab_in_id = seed_request();
    tab_in_id.project_id = "plant-1\u{7}".into();
    cases.push(case(
        "Assess",
        "a control character in the project id",
        tab_in_id.encode_to_vec(),
        Fields(&["project_id"]),
    ));

    // GetAssessment and VerifyAssessment: malformed and hostile ids.
    for (rpc, body) in [
        ("GetAssessment", get as fn(&str) -> Vec<u8>),
        ("VerifyAssessment", verify),
    ] {
        cases.push(case(rpc, "an empty id", body(""), Fields(&["record_id"])));
        for id in SQL_LOOKING {
            cases.push(case(
                rpc,
                format!("id {id:?}"),
                body(id),
                Fields(&["record_id"]),
            ));
        }
        cases.push(case(
            rpc,
            "an id of uppercase hex",
            body(&plan_id.to_uppercase().replacen("REC_", "rec_", 1)),
            Fields(&["record_id"]),
        ));
        cases.push(case(
            rpc,
            "an unknown well-formed id",
            body(&format!("rec_{}", "0".repeat(32))),
            Expect::Other(Code::NotFound, "no record"),
        ));
        for (i, bytes) in NOT_UTF8.iter().enumerate() {
            cases.push(case(
                rpc,
                format!("id not UTF-8 #{i}"),
                delimited(RECORD_ID, bytes),
                Fields(&["record_id"]),
            ));
        }
    }

    // ListAssessments: paging and filters.
    cases.push(case(
        "ListAssessments",
        "page_size 201",
        list(|r| r.page_size = 201),
        Fields(&["page_size"]),
    ));
    for token in [
        "garbage",
        "after:",
        "after:-1",
        "after:1e3",
        "after:18446744073709551616",
    ] {
        cases.push(case(
            "ListAssessments",
            format!("page_token {token:?}"),
            list(|r| r.page_token = token.into()),
            Fields(&["page_token"]),
        ));
    }
    for instant in [
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:00+25:00",
        "yesterday",
        "'; DROP TABLE records; --",
    ] {
        cases.push(case(
            "ListAssessments",
            format!("created_from {instant:?}"),
            list(|r| r.created_from = instant.into()),
            Fields(&["created_from"]),
        ));
    }
    cases.push(case(
        "ListAssessments",
        "created_to not an instant",
        list(|r| r.created_to = "2026-01-01T00:00".into()),
        Fields(&["created_to"]),
    ));
    cases.push(case(
        "ListAssessments",
        "an unknown kind",
        list(|r| r.kind = 99),
        Fields(&["kind"]),
    ));

    // ShareAssessment.
    cases.push(case(
        "ShareAssessment",
        "a malformed record id",
        share("rec_' OR 1=1", "other"),
        Fields(&["record_id"]),
    ));
    cases.push(case(
        "ShareAssessment",
        "a tenant this service does not know",
        share(plan_id, "'; DROP TABLE shares; --"),
        Fields(&["with_tenant"]),
    ));
    cases.push(case(
        "ShareAssessment",
        "a tenant name of 200 KiB",
        share(plan_id, &"t".repeat(200 * 1024)),
        Fields(&["with_tenant"]),
    ));
    cases.push(case(
        "ShareAssessment",
        "sharing with oneself",
        share(plan_id, "local"),
        Fields(&["with_tenant"]),
    ));

    // SubmitMonitoringReport.
    cases.push(case(
        "SubmitMonitoringReport",
        "an SQL-looking plan id",
        q3_report(SQL_LOOKING[1], |_| {}),
        Fields(&["assessment_record_id"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "a monitoring report as the plan",
        q3_report(report_id, |_| {}),
        Fields(&["assessment_record_id"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "30 February",
        q3_report(plan_id, |r| r.period_start = "2025-02-30".into()),
        Fields(&["period_start"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "a year past 9999",
        q3_report(plan_id, |r| r.period_end = "10000-01-01".into()),
        Fields(&["period_end"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "an end before the start",
        q3_report(plan_id, |r| r.period_end = "2025-06-30".into()),
        Fields(&["period_end"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "no operating days",
        q3_report(plan_id, |r| actual(r).operating_days = 0),
        Fields(&["actual.operating_days"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "more operating days than the period has",
        q3_report(plan_id, |r| actual(r).operating_days = 93),
        Fields(&["actual.operating_days"]),
    ));
    for (text, what) in [("NaN", "NaN"), ("-5", "negative"), ("1e5", "an exponent")] {
        cases.push(case(
            "SubmitMonitoringReport",
            format!("manure {what}"),
            q3_report(plan_id, |r| actual(r).manure_fresh_t = dec(text)),
            Fields(&["actual.manure_fresh_t"]),
        ));
    }
    cases.push(case(
        "SubmitMonitoringReport",
        "a dry-matter fraction over 1",
        q3_report(plan_id, |r| {
            actual(r).manure_dry_matter_fraction = dec("1.2")
        }),
        Fields(&["actual.manure_dry_matter_fraction"]),
    ));
    cases.push(case(
        "SubmitMonitoringReport",
        "no actual operations",
        q3_report(plan_id, |r| r.actual = None),
        Fields(&["actual"]),
    ));

    // The RPCs without fields to get wrong still refuse bytes that are not a message.
    for rpc in [
        "GetFactorSet",
        "GetMethodology",
        "ListFactorSets",
        "GetServiceKey",
        "ExportAssessments",
    ] {
        cases.push(case(
            rpc,
            "a field key cut short",
            [0x80].to_vec(),
            Unframed,
        ));
        cases.push(case(
            rpc,
            "a field of the reserved wire type 7",
            [0x0f, 0x00].to_vec(),
            Unframed,
        ));
    }
    cases.push(case(
        "GetFactorSet",
        "a name of 200 KiB",
        pb::GetFactorSetRequest {
            factor_set: "n".repeat(200 * 1024),
        }
        .encode_to_vec(),
        Expect::Other(Code::NotFound, "no factor set named"),
    ));
    cases.push(case(
        "GetFactorSet",
        "a set that does not exist",
        pb::GetFactorSetRequest {
            factor_set: "ipcc2019-cn/9999.1'; --".into(),
        }
        .encode_to_vec(),
        Expect::Other(Code::NotFound, "no factor set named"),
    ));
    cases.push(case(
        "GetMethodology",
        "a version this server does not run",
        pb::GetMethodologyRequest {
            methodology_version: "green-impact/0.0.0'; --".into(),
        }
        .encode_to_vec(),
        Expect::Other(Code::NotFound, "holds its texts only"),
    ));
    cases.push(case(
        "GetMethodology",
        "a version of 200 KiB",
        pb::GetMethodologyRequest {
            methodology_version: "v".repeat(200 * 1024),
        }
        .encode_to_vec(),
        Expect::Other(Code::NotFound, "holds its texts only"),
    ));
    cases
}

/// Checks the answer to one case; `Err` says how it missed.
pub fn judge(case: &Case, result: Result<Vec<u8>, Status>) -> Result<(), String> {
    let status = match result {
        Ok(_) => return Err("accepted".into()),
        Err(status) => status,
    };
    let wanted = match case.expect {
        Expect::Other(code, _) => code,
        _ => Code::InvalidArgument,
    };
    if status.code() != wanted {
        return Err(format!(
            "{:?} instead of {wanted:?}: {status:?}",
            status.code()
        ));
    }
    match case.expect {
        Expect::Fields(fields) => {
            let got = violated_fields(&status);
            if got != fields {
                return Err(format!("fields {got:?} instead of {fields:?}: {status:?}"));
            }
        }
        Expect::FirstOfMany(first, count) => {
            let got = violated_fields(&status);
            if got.first().map(String::as_str) != Some(first)
                || got.len() != 32
                || !status
                    .message()
                    .contains(&format!("{count} invalid field(s)"))
            {
                return Err(format!("not {first} first of 32 listed: {got:?}"));
            }
        }
        Expect::Unframed => {
            if !status.message().contains("does not decode") || !status.details().is_empty() {
                return Err(format!("not refused as unframed: {status:?}"));
            }
        }
        Expect::Undecodable => {
            let said = format!("{status:?}");
            if !said.contains("does not decode") {
                return Err(format!("no reason given: {status:?}"));
            }
        }
        Expect::Other(_, says) => {
            if !status.message().contains(says) {
                return Err(format!("message lacks {says:?}: {status:?}"));
            }
        }
    }
    Ok(())
}

/// A stored plan (the seed) and a stored monitoring report on it.
pub async fn plan_and_report(channel: &Channel) -> (String, String) {
    let answer = unary(channel, "Assess", seed_request().encode_to_vec())
        .await
        .expect("the seed request is assessed");
    let plan_id = pb::AssessResponse::decode(answer.as_slice())
        .expect("an AssessResponse")
        .record
        .expect("stored")
        .record_id;
    let report = q3_report(&plan_id, |r| r.dry_run = false);
    let answer = unary(channel, "SubmitMonitoringReport", report)
        .await
        .expect("the Q3 report is stored");
    let report_id = pb::SubmitMonitoringReportResponse::decode(answer.as_slice())
        .expect("a SubmitMonitoringReportResponse")
        .record
        .expect("stored")
        .record_id;
    (plan_id, report_id)
}

/// The catalogue reaches every RPC the service declares, so a new RPC cannot slip past it.
#[test]
fn the_catalogue_covers_every_rpc() {
    let pool = prost_reflect::DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET)
        .expect("the descriptor set decodes");
    let declared: BTreeSet<String> = pool
        .get_service_by_name(SERVICE)
        .expect("the service")
        .methods()
        .map(|m| m.name().to_owned())
        .collect();
    let mut covered: BTreeSet<String> = unary_cases("rec_plan", "rec_report")
        .into_iter()
        .map(|c| c.rpc.to_owned())
        .collect();
    // The streaming RPCs have tests of their own (streams.rs).
    covered.extend(["AssessBatch", "SummarizePortfolio"].map(String::from));
    assert_eq!(covered, declared);
}
