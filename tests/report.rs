//! `green-impact report` as a user runs it: the real binary serves, the real binary writes the
//! page from a request file and from a record id, and every figure hooked on the page is read
//! back and compared with the record fetched through the gRPC client, for the seed (which asks
//! for neither the insurer's nor the exchange's view, and the page says so) and for the seed
//! with both views. Then headless Chromium opens the page with both views: its DOM holds the
//! same figures, and its screenshot shows both charts.

mod common;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{SEED_REQUEST_PATH, ServeProcess, explain, run_binary, temp_dir};
use green_impact::grpc::server::MAX_RESPONSE_BYTES;
use green_impact::json;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::report;
use prost_reflect::{DescriptorPool, DynamicMessage, ReflectMessage, Value};

/// No client command may take longer.
const LIMIT: Duration = Duration::from_secs(60);
/// Nor may one run of the browser.
const BROWSER_LIMIT: Duration = Duration::from_secs(120);
const CHROMIUM: &str = "/usr/bin/chromium";

/// `serve` on 127.0.0.1, its records and key in `dir`.
fn serve(dir: &Path) -> ServeProcess {
    let args = [
        "--data-dir".to_owned(),
        dir.display().to_string(),
        "--key".to_owned(),
        dir.join("service.key").display().to_string(),
    ];
    ServeProcess::start(&args, &dir.join("serve.log"))
}

fn run_report(target: &str, out: &Path, url: &str) -> Output {
    let out = out.display().to_string();
    run_binary(
        &["report", target, "--out", &out, "--addr", url],
        &[],
        LIMIT,
    )
}

/// Writes the report of `target` to `out`; returns the page.
fn report_page(target: &str, out: &Path, url: &str) -> String {
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
fn stored_assessment(url: &str, record_id: &str) -> (pb::AssessRequest, pb::AssessResponse) {
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

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `attribute="path"` hook of a page with the text of its element.
fn hooks(page: &str, attribute: &str) -> Vec<(String, String)> {
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

fn dynamic<M: prost::Message>(message: &M, full_name: &str) -> DynamicMessage {
    let pool = DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).expect("descriptors");
    let mut dynamic = DynamicMessage::new(pool.get_message_by_name(full_name).expect(full_name));
    dynamic.transcode_from(message).expect("transcode");
    dynamic
}

/// The text of the field at `path` (proto field names, `[i]` for list items; a Decimal
/// message stands for its `value`) and whether it is a Decimal's, or None when the path names
/// nothing.
fn resolve(message: &DynamicMessage, path: &str) -> Option<(String, bool)> {
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
fn assert_grouped(shown: &str, record: &str, what: &str) {
    let unsigned = record.strip_prefix(['-', '+']).unwrap_or(record);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() || !digits(integer) || !digits(fraction) {
        return assert_eq!(shown, record, "{what}");
    }
    assert_eq!(shown.replace(',', ""), record, "{what}: only commas added");
    let sign = &record[..record.len() - unsigned.len()];
    let tail = &unsigned[integer.len()..];
    assert!(shown.starts_with(sign) && shown.ends_with(tail), "{what}: {shown}");
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
const KEY_FIGURES: &[&str] = &[
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
fn assert_page_matches(
    page: &str,
    request: &pb::AssessRequest,
    response: &pb::AssessResponse,
) -> usize {
    let response_message = dynamic(response, "greenimpact.v1.AssessResponse");
    let request_message = dynamic(request, "greenimpact.v1.AssessRequest");
    let figures = hooks(page, "data-figure");
    let compare = |(path, text): &(String, String), expected: Option<(String, bool)>, hook| {
        match expected {
            Some((expected, true)) => assert_grouped(text, &expected, &format!("{hook} {path}")),
            Some((expected, false)) => assert_eq!(text, &expected, "{hook} {path}"),
            None => panic!("{hook} {path:?} names no field of the record"),
        }
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
const VIEW_KEY_FIGURES: &[&str] = &[
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
fn assert_shows_both_views(page: &str, response: &pb::AssessResponse) {
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
const NO_INSURER_VIEW: &str = "No insurer view was requested for this assessment";
const NO_ELIGIBILITY: &str = "No eligibility check was requested for this assessment";

/// The illustrative insurer example with what it leaves out: a stated storage minimum (so a
/// flag cites it) and an HJ 941 air result with the requester's grade, written to `dir`.
fn both_views_request(dir: &Path) -> PathBuf {
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

const INSURER_EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/leshan-yaqing-insurer.json"
);

/// The summary at the top: after the header, before the first section.
fn summary_block(page: &str) -> &str {
    let start = page.find(r#"<section id="summary">"#).expect("a summary");
    let end = page.find(r#"<section id="project-and-loan">"#).expect("section 1");
    assert!(page.find("</header>").expect("a header") < start && start < end);
    &page[start..end]
}

fn assert_has_both_charts(page: &str) {
    for id in [report::DSCR_CHART_ID, report::EMISSIONS_CHART_ID] {
        assert_eq!(
            page.matches(&format!(r#"<svg id="{id}""#)).count(),
            1,
            "one chart {id}"
        );
    }
}

#[test]
fn the_report_of_a_request_file_and_of_its_record_show_the_records_figures() {
    let dir = temp_dir("report");
    let server = serve(&dir);
    let from_file = report_page(SEED_REQUEST_PATH, &dir.join("from-file.html"), &server.url);
    assert_has_both_charts(&from_file);
    let (_, record_id) = hooks(&from_file, "data-figure")
        .into_iter()
        .find(|(path, _)| path == "record.record_id")
        .expect("the page names its record");

    let (request, response) = stored_assessment(&server.url, &record_id);
    let checked = assert_page_matches(&from_file, &request, &response);
    assert!(checked > 300, "{checked} figures checked");
    let seal = response.record.as_ref().expect("a seal");
    assert!(from_file.contains(&seal.digest_sha256));
    assert!(from_file.contains(&seal.signature_ed25519));
    for loader in [
        "<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import",
    ] {
        assert!(
            !from_file.contains(loader),
            "the page loads nothing: {loader}"
        );
    }
    // The seed's published figures, on the page as the README quotes them, money and large
    // quantities grouped in thousands, ratios as they are; never ungrouped.
    for (figure, ungrouped) in [
        ("1,314,000.00", Some("1314000.00")),
        ("2,847,000.00", Some("2847000.00")),
        ("111,263.80", Some("111263.80")),
        ("3.1165", None),
        ("973.823", None),
        ("1,173.985", Some("1173.985")),
    ] {
        assert!(from_file.contains(&format!(">{figure}<")), "{figure}");
        if let Some(ungrouped) = ungrouped {
            assert!(!from_file.contains(&format!(">{ungrouped}<")), "{ungrouped}");
        }
    }
    let summary = summary_block(&from_file);
    for (path, text) in [
        ("debt_service_cover.min_dscr", "3.1165"),
        ("debt_service_cover.min_dscr_loan_year", "1"),
        ("debt_service_cover.dscr_hurdle", "1.25"),
        ("carbon.reduction.emission_reduction_tco2e_per_year.low", "776.980"),
        ("carbon.reduction.emission_reduction_tco2e_per_year.central", "973.823"),
        ("carbon.reduction.emission_reduction_tco2e_per_year.high", "1,173.985"),
        ("carbon.attribution.pboc_loan_share", "1.0000"),
        ("carbon.attribution.pcaf_attribution_factor", "1.0000"),
        ("mass_balance.product_stated_t_per_day", "30.0000"),
        ("mass_balance.product_capacity_t_per_day", "32.1429"),
        ("warnings[0].code", "COMPOSTING_LOSS_NOT_GIVEN"),
    ] {
        let hook = format!(r#"data-figure="{path}">{text}<"#);
        assert!(summary.contains(&hook), "the summary shows {hook}");
    }
    for verdict in ["meets the hurdle", "closes", "not requested", "composting loses at most 0.0667"] {
        assert!(summary.contains(verdict), "the summary says {verdict}");
    }
    for rule in ["@page { size: A4", "@media print", "break-inside: avoid", "break-after: page"] {
        assert!(from_file.contains(rule), "print CSS: {rule}");
    }

    // The seed asks for neither view, and the page says so.
    for absent in [NO_INSURER_VIEW, NO_ELIGIBILITY] {
        assert_eq!(from_file.matches(absent).count(), 1, "{absent}");
    }

    let from_record = report_page(&record_id, &dir.join("from-record.html"), &server.url);
    assert_eq!(
        from_record, from_file,
        "the stored record gives the page its fresh assessment gave"
    );
}

#[test]
fn the_report_of_a_request_with_both_views_shows_the_records_insurer_and_exchange_figures() {
    let dir = temp_dir("report-views");
    let server = serve(&dir);
    let request_path = both_views_request(&dir);
    let from_file = report_page(
        &request_path.display().to_string(),
        &dir.join("from-file.html"),
        &server.url,
    );
    let (_, record_id) = hooks(&from_file, "data-figure")
        .into_iter()
        .find(|(path, _)| path == "record.record_id")
        .expect("the page names its record");

    let (request, response) = stored_assessment(&server.url, &record_id);
    let checked = assert_page_matches(&from_file, &request, &response);
    let view_figures = hooks(&from_file, "data-figure")
        .iter()
        .filter(|(path, _)| path.starts_with("insurer_view.") || path.starts_with("eligibility."))
        .count();
    assert!(
        view_figures > 60,
        "{view_figures} view figures of {checked} checked"
    );
    assert_shows_both_views(&from_file, &response);
    let summary = summary_block(&from_file);
    for path in ["rule_set", "met_count", "not_met_count", "not_evaluable_count"] {
        assert!(summary.contains(&format!(r#"data-figure="eligibility.{path}">"#)), "{path}");
    }
    // The requester's text reaches the page escaped: the stated minimum's source, quoted by
    // its flag.
    assert!(from_file.contains("the insurer&#39;s &lt;underwriting&gt; guideline"));
    assert!(!from_file.contains("<underwriting>"));

    let from_record = report_page(&record_id, &dir.join("from-record.html"), &server.url);
    assert_eq!(
        from_record, from_file,
        "the stored record gives the page its fresh assessment gave, views included"
    );
}

#[test]
fn a_report_needs_an_assessment_a_readable_request_and_a_writable_place() {
    let dir = temp_dir("report-errors");
    let server = serve(&dir);
    let out = dir.join("never.html");

    let unknown = format!("rec_{}", "0".repeat(32));
    let output = run_report(&unknown, &out, &server.url);
    assert_eq!(output.status.code(), Some(1), "{}", explain(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("NotFound"));

    let output = run_report(
        &dir.join("missing.json").display().to_string(),
        &out,
        &server.url,
    );
    assert_eq!(output.status.code(), Some(2), "{}", explain(&output));

    let output = run_report(
        SEED_REQUEST_PATH,
        &dir.join("no-such-dir").join("r.html"),
        &server.url,
    );
    assert_eq!(output.status.code(), Some(2), "{}", explain(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("the assessment is stored as rec_"),
        "says how to write the stored assessment's page again: {}",
        explain(&output)
    );
    assert!(!out.exists(), "nothing written on failure");
}

/// Runs Chromium headless on `page` with `args`, in a profile of its own; its output.
fn chromium(page: &Path, args: &[String]) -> Output {
    let profile = temp_dir("chromium-profile");
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("spawn chromium");
    let pid = child.id().to_string();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = match receiver.recv_timeout(BROWSER_LIMIT) {
        Ok(output) => output.expect("wait for chromium"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("chromium {args:?} did not finish within {BROWSER_LIMIT:?}");
        }
    };
    let _ = std::fs::remove_dir_all(&profile);
    output
}

/// Pixels of a screenshot, 8-bit RGB.
struct Screenshot {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Screenshot {
    fn read(path: &Path) -> Screenshot {
        let file = std::fs::File::open(path).expect("open the screenshot");
        let mut decoder = png::Decoder::new(BufReader::new(file));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buffer = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let frame = reader.next_frame(&mut buffer).expect("a frame");
        let channels = match frame.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("a colour screenshot, not {other:?}"),
        };
        let rgb = buffer[..frame.buffer_size()]
            .chunks_exact(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Screenshot {
            width: frame.width as usize,
            height: frame.height as usize,
            rgb,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }

    /// The bounding box (x0, y0, x1, y1) of the pixels of exactly `colour`.
    fn bounding_box(&self, colour: [u8; 3]) -> Option<(usize, usize, usize, usize)> {
        let mut found: Option<(usize, usize, usize, usize)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.pixel(x, y) == colour {
                    let (x0, y0, x1, y1) = found.unwrap_or((x, y, x, y));
                    found = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
                }
            }
        }
        found
    }

    /// Pixels of `colour`, and distinct colours, inside a box.
    fn census(&self, area: (usize, usize, usize, usize), colour: [u8; 3]) -> (usize, usize) {
        let (x0, y0, x1, y1) = area;
        let mut count = 0;
        let mut colours = std::collections::BTreeSet::new();
        for y in y0..=y1 {
            for x in x0..=x1 {
                let p = self.pixel(x, y);
                count += usize::from(p == colour);
                colours.insert(p);
            }
        }
        (count, colours.len())
    }
}

/// "#rrggbb" as bytes.
fn rgb(hex: &str) -> [u8; 3] {
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour");
    [byte(1), byte(3), byte(5)]
}

/// Where the chart with this plot background is on the screenshot: a box at least as large
/// as a plot area can shrink to, with more than the background in it.
fn chart_area(shot: &Screenshot, background: &str, name: &str) -> (usize, usize, usize, usize) {
    let area = shot
        .bounding_box(rgb(background))
        .unwrap_or_else(|| panic!("the {name} chart's plot area is on the screenshot"));
    let (x0, y0, x1, y1) = area;
    assert!(
        x1 - x0 >= 400 && y1 - y0 >= 150,
        "the {name} plot area is drawn at size: {area:?}"
    );
    let (background_pixels, colours) = shot.census(area, rgb(background));
    let all = (x1 - x0 + 1) * (y1 - y0 + 1);
    assert!(
        background_pixels < all * 9 / 10 && colours >= 4,
        "the {name} plot holds more than its background: {background_pixels} of {all} pixels, \
         {colours} colours"
    );
    area
}

/// Without Chromium the test cannot run: outside CI it says so and passes, in CI (where
/// `.ci/run` installs it) it fails.
fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{CHROMIUM} is missing in CI: .ci/run should have installed Debian's chromium"
    );
    // Straight to the process's stderr: the harness captures eprintln! of a passing test, and
    // a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED chromium_renders_the_report_with_its_figures_views_and_both_charts: {CHROMIUM} is \
         not installed (apt-get install chromium); the browser test did not run"
    );
    false
}

#[test]
fn chromium_renders_the_report_with_its_figures_views_and_both_charts() {
    if !chromium_present() {
        return;
    }
    let dir = temp_dir("report-browser");
    let server = serve(&dir);
    let page_path: PathBuf = dir.join("report.html");
    // The seed with both views: the browser keeps the views' figures as well as the charts.
    let request_path = both_views_request(&dir);
    let page = report_page(&request_path.display().to_string(), &page_path, &server.url);
    let (_, record_id) = hooks(&page, "data-figure")
        .into_iter()
        .find(|(path, _)| path == "record.record_id")
        .expect("the page names its record");
    let (request, response) = stored_assessment(&server.url, &record_id);

    let started = Instant::now();
    let dom = chromium(&page_path, &["--dump-dom".to_owned()]);
    assert!(
        dom.status.success(),
        "chromium --dump-dom: {}",
        explain(&dom)
    );
    let dom = String::from_utf8(dom.stdout).expect("the DOM is UTF-8");
    assert_has_both_charts(&dom);
    let checked = assert_page_matches(&dom, &request, &response);
    assert_eq!(
        checked,
        hooks(&page, "data-figure").len() + hooks(&page, "data-request").len(),
        "the browser's DOM keeps every figure of the file"
    );
    assert_shows_both_views(&dom, &response);

    let shot_path = dir.join("shot.png");
    let shot = chromium(
        &page_path,
        &[
            format!("--screenshot={}", shot_path.display()),
            "--window-size=1280,4000".to_owned(),
        ],
    );
    assert!(
        shot.status.success(),
        "chromium --screenshot: {}",
        explain(&shot)
    );
    let shot = Screenshot::read(&shot_path);
    assert_eq!((shot.width, shot.height), (1280, 4000));

    let dscr = chart_area(&shot, report::DSCR_BACKGROUND, "DSCR");
    let (bar_pixels, _) = shot.census(dscr, rgb(report::DSCR_MET));
    assert!(
        bar_pixels > 5_000,
        "the DSCR bars are drawn: {bar_pixels} pixels"
    );
    let emissions = chart_area(&shot, report::EMISSIONS_BACKGROUND, "emissions");
    assert!(
        emissions.1 > dscr.3,
        "the emissions chart comes after the DSCR chart"
    );
    eprintln!(
        "chromium: DOM and screenshot in {:?}; DSCR plot at {dscr:?}, emissions plot at \
         {emissions:?}; screenshot {}",
        started.elapsed(),
        shot_path.display()
    );
}
