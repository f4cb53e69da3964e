//! The page of a request file and of its stored record, for the seed and for the seed with
//! both views: every hooked figure against the record, the summary's verdicts, the seed's
//! figures grouped in thousands, the print CSS; and what a report needs to be written.

use crate::common::{SEED_REQUEST_PATH, explain, temp_dir};
use crate::support::*;

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
            assert!(
                !from_file.contains(&format!(">{ungrouped}<")),
                "{ungrouped}"
            );
        }
    }
    let summary = summary_block(&from_file);
    for (path, text) in [
        ("debt_service_cover.min_dscr", "3.1165"),
        ("debt_service_cover.min_dscr_loan_year", "1"),
        ("debt_service_cover.dscr_hurdle", "1.25"),
        (
            "carbon.reduction.emission_reduction_tco2e_per_year.low",
            "776.980",
        ),
        (
            "carbon.reduction.emission_reduction_tco2e_per_year.central",
            "973.823",
        ),
        (
            "carbon.reduction.emission_reduction_tco2e_per_year.high",
            "1,173.985",
        ),
        ("carbon.attribution.pboc_loan_share", "1.0000"),
        ("carbon.attribution.pcaf_attribution_factor", "1.0000"),
        ("mass_balance.product_stated_t_per_day", "30.0000"),
        ("mass_balance.product_capacity_t_per_day", "32.1429"),
        ("warnings[0].code", "COMPOSTING_LOSS_NOT_GIVEN"),
    ] {
        let hook = format!(r#"data-figure="{path}">{text}<"#);
        assert!(summary.contains(&hook), "the summary shows {hook}");
    }
    for verdict in [
        "meets the hurdle",
        "closes",
        "not requested",
        "composting loses at most 0.0667",
    ] {
        assert!(summary.contains(verdict), "the summary says {verdict}");
    }
    for rule in [
        "@page { size: A4",
        "@media print",
        "break-inside: avoid",
        "break-after: page",
    ] {
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
    for path in [
        "rule_set",
        "met_count",
        "not_met_count",
        "not_evaluable_count",
    ] {
        assert!(
            summary.contains(&format!(r#"data-figure="eligibility.{path}">"#)),
            "{path}"
        );
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
