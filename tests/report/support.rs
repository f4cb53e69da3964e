//! The report tests' shared steps: serve, write a page, fetch its record, and read every
//! hooked figure back against the record.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use green_impact::grpc::server::MAX_RESPONSE_BYTES;
use green_impact::json;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::report;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, Value};

use crate::common::{ServeProcess, explain, run_binary};

/// No client command may take longer.
pub const LIMIT: Duration = Duration::from_secs(60);

/// `serve` on 127.0.0.1, its records and key in `dir`.
pub fn serve(dir: &Path) -> ServeProcess {
    let args = [
        "--data-dir".to_owned(),
        dir.display().to_string(),
        "--key".to_owned(),
        dir.join("service.key").display().to_string(),
    ];
    ServeProcess::start(&args, &dir.join("serve.log"))
}

pub fn run_report(target: &str, out: &Path, url: &str) -> Output {
    let out = out.display().to_string();
    run_binary(
        &["report", target, "--out", &out, "--addr", url],
        &[],
        LIMIT,
    )
}

/// Writes the report of `target` to `out`; returns the page.
pub fn report_page(target: &str, out: &Path, url: &str) -> String {
    let output = run_report(target, out, url);
    assert_eq!(
        output.status.code(),
        Some(0),
        "report: {}",
        explain(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!("wrote {} (record rec_", out.display())),
        "{stdout}"
    );
    std::fs::read_to_string(out).expect("the report is written")
}

/// The stored request, and the stored response with the record's seal, through the gRPC
/// client.
pub fn stored_assessment(url: &str, record_id: &str) -> (pb::AssessRequest, pb::AssessResponse) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let record = runtime.block_on(async {
        let mut client = ImpactServiceClient::connect(url.to_owned())
            .await
            .expect("connect")
            .max_decoding_message_size(MAX_RESPONSE_BYTES);
        client
            .get_assessment(pb::GetAssessmentRequest {
                record_id: record_id.to_owned(),
                ..Default::default()
            })
            .await
            .expect("GetAssessment")
            .into_inner()
    });
    let Some(pb::stored_record::Content::Assessment(stored)) = record.content else {
        panic!("{record_id} is an assessment");
    };
    let mut response = stored.response.expect("a stored response");
    response.record = record.seal;
    (stored.request.expect("a stored request"), response)
}

pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `attribute="path"` hook of a page with the text of its element.
pub fn hooks(page: &str, attribute: &str) -> Vec<(String, String)> {
    let marker = format!("{attribute}=\"");
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(&marker) {
        rest = &rest[start + marker.len()..];
        let end = rest.find('"').expect("the attribute closes");
        let path = unescape(&rest[..end]);
        let open_end = rest.find('>').expect("the tag closes");
        let text_end = rest[open_end..].find('<').expect("the element closes");
        let text = unescape(&rest[open_end + 1..open_end + text_end]);
        found.push((path, text));
        rest = &rest[open_end..];
    }
    found
}

pub fn dynamic<M: prost::Message>(message: &M, full_name: &str) -> DynamicMessage {
    let pool = DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).expect("descriptors");
    let mut dynamic = DynamicMessage::new(pool.get_message_by_name(full_name).expect(full_name));
    dynamic.transcode_from(message).expect("transcode");
    dynamic
}

/// The text of the field at `path` (proto field names, `[i]` for list items; a Decimal
/// message stands for its `value`) and whether it is a Decimal's, or None when the path names
/// nothing.
pub fn resolve(message: &DynamicMessage, path: &str) -> Option<(String, bool)> {
    let mut value = Value::Message(message.clone());
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']')?.parse::<usize>().ok()?)),
            None => (segment, None),
        };
        let Value::Message(current) = &value else {
            return None;
        };
        let field = current.descriptor().get_field_by_name(name)?;
        let mut next = current.get_field(&field).into_owned();
        if let Some(i) = index {
            let Value::List(items) = next else {
                return None;
            };
            next = items.get(i)?.clone();
        }
        value = next;
    }
    let text = match value {
        Value::Message(m) if m.descriptor().full_name() == "greenimpact.v1.Decimal" => {
            return Some((m.get_field_by_name("value")?.as_str()?.to_owned(), true));
        }
        Value::String(s) => s,
        // A rule's true/false metric, printed as the rule set writes it.
        Value::Bool(b) => b.to_string(),
        Value::U32(n) => n.to_string(),
        Value::U64(n) => n.to_string(),
        Value::I32(n) => n.to_string(),
        Value::I64(n) => n.to_string(),
        _ => return None,
    };
    Some((text, false))
}

/// A Decimal's text as the page prints it: the record's text with a comma before every three
/// digits of the integer part (counted from the point), sign and fraction untouched; text that
/// is not a plain decimal, verbatim.
pub fn assert_grouped(shown: &str, record: &str, what: &str) {
    let unsigned = record.strip_prefix(['-', '+']).unwrap_or(record);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() || !digits(integer) || !digits(fraction) {
        return assert_eq!(shown, record, "{what}");
    }
    assert_eq!(shown.replace(',', ""), record, "{what}: only commas added");
    let sign = &record[..record.len() - unsigned.len()];
    let tail = &unsigned[integer.len()..];
    assert!(
        shown.starts_with(sign) && shown.ends_with(tail),
        "{what}: {shown}"
    );
    let groups: Vec<&str> = shown[sign.len()..shown.len() - (unsigned.len() - integer.len())]
        .split(',')
        .collect();
    assert_eq!(groups.len(), integer.len().div_ceil(3), "{what}: {shown}");
    assert!(
        (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3),
        "{what}: groups of three in {shown}"
    );
}

/// Paths whose figures the page must show, whatever else it shows.
pub const KEY_FIGURES: &[&str] = &[
    "borrower_id",
    "methodology_version",
    "factor_set",
    "reference_data_version",
    "loan.annual_rate_pct",
    "loan.total_interest_cny",
    "loan.periods[35].instalment_cny",
    "cost_to_revenue.baseline_treatment_cost_cny_per_year",
    "cost_to_revenue.income_to_baseline_cost_ratio",
    "annual_cash_flow.incremental_cny_per_year",
    "debt_service_cover.years[0].dscr",
    "debt_service_cover.years[2].dscr",
    "debt_service_cover.dscr_hurdle",
    "investment_returns.irr_pct",
    "carbon.baseline.total_tco2e_per_year.low",
    "carbon.baseline.total_tco2e_per_year.central",
    "carbon.baseline.total_tco2e_per_year.high",
    "carbon.project.total_tco2e_per_year.central",
    "carbon.reduction.emission_reduction_tco2e_per_year.central",
    "carbon.reduction.total_tco2e_per_year.high",
    "carbon.attribution.pboc_loan_share",
    "carbon.attribution.pcaf_attribution_factor",
    "carbon.factors_used[2].value",
    "warnings[0].code",
    "record.record_id",
    "record.digest_sha256",
    "record.previous_digest_sha256",
    "record.signature_ed25519",
    "record.key_id",
    "record.created_at",
];

/// Every hooked figure on `page` equals the record's; returns how many were checked.
pub fn assert_page_matches(
    page: &str,
    request: &pb::AssessRequest,
    response: &pb::AssessResponse,
) -> usize {
    let response_message = dynamic(response, "greenimpact.v1.AssessResponse");
    let request_message = dynamic(request, "greenimpact.v1.AssessRequest");
    let figures = hooks(page, "data-figure");
    let compare =
        |(path, text): &(String, String), expected: Option<(String, bool)>, hook| match expected {
            Some((expected, true)) => assert_grouped(text, &expected, &format!("{hook} {path}")),
            Some((expected, false)) => assert_eq!(text, &expected, "{hook} {path}"),
            None => panic!("{hook} {path:?} names no field of the record"),
        };
    for hook in &figures {
        compare(hook, resolve(&response_message, &hook.0), "data-figure");
    }
    for key in KEY_FIGURES {
        assert!(
            figures.iter().any(|(path, _)| path == key),
            "the page shows {key}"
        );
    }
    let from_request = hooks(page, "data-request");
    for hook in &from_request {
        compare(hook, resolve(&request_message, &hook.0), "data-request");
    }
    for key in ["loan.principal.amount", "loan.term_months"] {
        assert!(
            from_request.iter().any(|(path, _)| path == key),
            "the page shows the request's {key}"
        );
    }
    figures.len() + from_request.len()
}

/// The insurer and exchange views' figures the page must show when the response has them.
pub const VIEW_KEY_FIGURES: &[&str] = &[
    "insurer_view.before.untreated_manure_stock_t",
    "insurer_view.after.untreated_manure_stock_t",
    "insurer_view.change.untreated_manure_stock_t",
    "insurer_view.before.storage_capacity_days",
    "insurer_view.change.storage_capacity_days",
    "insurer_view.after.nitrogen_handled_t_per_year",
    "insurer_view.after.phosphorus_handled_t_per_year",
    "insurer_view.change.distance_to_surface_water_m",
    "insurer_view.hj941[0].levels_code",
    "insurer_view.hj941[0].q_ratio",
    "insurer_view.hj941[1].levels_code",
    "insurer_view.hj941[1].grade_code",
    "eligibility.rule_set",
    "eligibility.title",
    "eligibility.met_count",
    "eligibility.not_met_count",
    "eligibility.not_evaluable_count",
];

/// The page shows both views whole: the key figures, every flag, and every rule with each
/// condition's metric, operator, threshold and compared figure (hooked, so
/// `assert_page_matches` has compared them with the record already).
pub fn assert_shows_both_views(page: &str, response: &pb::AssessResponse) {
    let paths: Vec<String> = hooks(page, "data-figure")
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    let shown = |path: &str| assert!(paths.iter().any(|p| p == path), "the page shows {path}");
    VIEW_KEY_FIGURES.iter().for_each(|path| shown(path));
    let view = response.insurer_view.as_ref().expect("an insurer view");
    assert!(!view.flags.is_empty());
    for i in 0..view.flags.len() {
        shown(&format!("insurer_view.flags[{i}].code"));
    }
    let eligibility = response
        .eligibility
        .as_ref()
        .expect("an eligibility result");
    assert!(!eligibility.rules.is_empty());
    let oneof =
        |value: &Option<pb::MetricValue>| match value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(pb::metric_value::Value::Decimal(_)) => "decimal",
            Some(pb::metric_value::Value::Boolean(_)) => "boolean",
            None => panic!("a compared figure on every condition of this assessment"),
        };
    for (i, rule) in eligibility.rules.iter().enumerate() {
        shown(&format!("eligibility.rules[{i}].id"));
        for (j, condition) in rule.conditions.iter().enumerate() {
            let p = format!("eligibility.rules[{i}].conditions[{j}]");
            shown(&format!("{p}.metric"));
            shown(&format!("{p}.operator"));
            shown(&format!("{p}.threshold.{}", oneof(&condition.threshold)));
            shown(&format!("{p}.value.{}", oneof(&condition.value)));
        }
    }
    // The requester's HJ 941 grade is on the page as theirs, in the response's notation.
    let stated = page
        .find(">较大-大气（Q1-M2-E1）<")
        .expect("the stated grade code");
    assert!(
        page[stated..].contains("stated by the requester, not graded by the service"),
        "the stated grade is marked as the requester's"
    );
    for absent in [NO_INSURER_VIEW, NO_ELIGIBILITY] {
        assert!(!page.contains(absent), "{absent}");
    }
}

/// What the page says in place of a view the request did not ask for.
pub const NO_INSURER_VIEW: &str = "No insurer view was requested for this assessment";
pub const NO_ELIGIBILITY: &str = "No eligibility check was requested for this assessment";

/// The illustrative insurer example with what it leaves out: a stated storage minimum (so a
/// flag cites it) and an HJ 941 air result with the requester's grade, written to `dir`.
pub fn both_views_request(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(INSURER_EXAMPLE).expect("read the insurer example");
    let mut request =
        json::assess_request_from_json(&text).expect("the insurer example is valid proto3 JSON");
    assert!(
        request.eligibility.is_some(),
        "the example asks for eligibility"
    );
    let exposure = request
        .insurer_exposure
        .as_mut()
        .expect("the example has an insurer block");
    exposure.storage_minimum_days = Some(pb::StatedMinimum {
        value: Some(pb::Decimal {
            value: "7".to_owned(),
        }),
        source: "illustrative: the insurer's <underwriting> guideline".to_owned(),
    });
    exposure.hj941.push(pb::Hj941Input {
        medium: pb::Hj941Medium::Air as i32,
        quantity: Some(pb::hj941_input::Quantity::QLevel(
            pb::Hj941QLevel::Q1 as i32,
        )),
        m_level: pb::Hj941MLevel::M2 as i32,
        e_level: pb::Hj941ELevel::E1 as i32,
        stated_grade: pb::Hj941Grade::Larger as i32,
    });
    let path = dir.join("both-views.json");
    std::fs::write(
        &path,
        json::to_json(&request, "greenimpact.v1.AssessRequest"),
    )
    .expect("write the request");
    path
}

pub const INSURER_EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/leshan-yaqing-insurer.json"
);

/// The summary at the top: after the header, before the first section.
pub fn summary_block(page: &str) -> &str {
    let start = page.find(r#"<section id="summary">"#).expect("a summary");
    let end = page
        .find(r#"<section id="project-and-loan">"#)
        .expect("section 1");
    assert!(page.find("</header>").expect("a header") < start && start < end);
    &page[start..end]
}

pub fn assert_has_both_charts(page: &str) {
    for id in [report::DSCR_CHART_ID, report::EMISSIONS_CHART_ID] {
        assert_eq!(
            page.matches(&format!(r#"<svg id="{id}""#)).count(),
            1,
            "one chart {id}"
        );
    }
}
