//! The assessment as a page for a credit file: one self-contained HTML document (inline CSS
//! and SVG, no script, no font or image from anywhere) that a credit committee can read,
//! print and archive, with Chinese and English labels side by side.
//!
//! `render` is a pure function of the request and the response: no I/O, so the same record
//! always gives the same page. It opens with a one-screen summary of the verdicts
//! (`summary`) and prints as A4 pages for a PDF (the `@media print` rules). Every number on
//! the page is the response's (or, for the loan's terms, the request's) decimal text verbatim
//! but for commas between thousands (`grouping`), and carries a `data-figure` (or
//! `data-request`) hook naming its path in the message's proto3 JSON, so a script can check
//! the page against the record.

mod carbon;
mod escape;
mod grouping;
mod html;
mod labels;
mod money;
pub mod stored;
mod summary;
mod svg;
mod views;

use crate::pb;

use escape::escape;
use html::{ABSENT, Table, figure, heading, key_values, note};
use labels::Label;

/// The chart fills a screenshot test looks for.
pub use svg::{DSCR_BACKGROUND, DSCR_MET, EMISSIONS_BACKGROUND};

/// The ids of the two charts' `<svg>` elements.
pub const DSCR_CHART_ID: &str = "chart-dscr";
pub const EMISSIONS_CHART_ID: &str = "chart-emissions";

/// The page of an assessment: `request` as sent (or stored) and `response` with its seal in
/// `record` (absent for a dry run, and the page says so).
pub fn render(request: &pb::AssessRequest, response: &pb::AssessResponse) -> String {
    let sections = [
        money::project_and_loan(request, response),
        money::cost_to_revenue(response),
        money::schedule_and_dscr(response),
        carbon::emissions(response.carbon.as_ref()),
        carbon::attribution(response.carbon.as_ref()),
        views::insurer(response.insurer_view.as_ref()),
        views::eligibility(response.eligibility.as_ref()),
        warnings_and_assumptions(response),
        carbon::factors(response.carbon.as_ref()),
        seal(response.record.as_ref()),
        money::schedule_appendix(response),
    ];
    let mut page = String::with_capacity(64 * 1024);
    page.push_str(&head(response));
    page.push_str(&header(response));
    page.push_str(&summary::summary(request, response));
    for (i, body) in sections.iter().enumerate() {
        page.push_str(&format!(
            r#"<section id="{}">{}{body}</section>"#,
            SECTION_IDS[i],
            heading(i as u32 + 1, SECTION_TITLES[i])
        ));
    }
    page.push_str(&format!(
        r#"<footer><p>{}</p></footer></body></html>"#,
        labels::VERBATIM.html()
    ));
    page
}

const SECTION_IDS: [&str; 11] = [
    "project-and-loan",
    "cost-to-revenue",
    "schedule-and-dscr",
    "emissions",
    "attribution",
    "insurer-view",
    "exchange-view",
    "warnings",
    "factors",
    "seal",
    "appendix-schedule",
];

const SECTION_TITLES: [Label; 11] = [
    labels::PROJECT_AND_LOAN,
    labels::COST_TO_REVENUE,
    labels::SCHEDULE_AND_DSCR,
    labels::EMISSIONS,
    labels::ATTRIBUTION,
    labels::INSURER_VIEW,
    labels::EXCHANGE_VIEW,
    labels::WARNINGS_AND_ASSUMPTIONS,
    labels::FACTORS,
    labels::SEAL,
    labels::APPENDIX_SCHEDULE,
];

/// Fonts are the reader's own: a CJK face first so Chinese never falls back to boxes, then
/// the usual sans faces. Nothing is fetched.
const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 24px 32px 40px; max-width: 1200px; background: #ffffff; color: #1a1a1a;
  font: 13px/1.45 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
header { border-bottom: 3px solid #1f4e79; padding-bottom: 8px; margin-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 6px; color: #1f4e79; }
h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 1px solid #b7c4d1; color: #1f4e79; }
h2 .num { display: inline-block; min-width: 1.6em; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.en { color: #3d4b59; }
h1 .en, h2 .en, h3 .en { font-weight: normal; }
.ids { margin: 0; color: #333; }
.ids span.sep { margin: 0 10px; color: #999; }
table { border-collapse: collapse; margin: 4px 0 10px; }
th, td { border: 1px solid #cfd6de; padding: 3px 7px; vertical-align: top; text-align: left; }
thead th { background: #eaf0f6; }
table.kv th { background: #f4f6f8; width: 300px; font-weight: normal; }
table.kv td { min-width: 320px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f7f9fb; }
.fig { font-variant-numeric: tabular-nums; }
.note { color: #55606b; font-size: 12px; }
.range { color: #55606b; }
.absent { color: #999; }
.hex { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; word-break: break-all; font-size: 12px; }
.status-met { color: #2e7d32; font-weight: bold; }
.status-not-met { color: #c62828; font-weight: bold; }
.status-not-evaluable { color: #8a5a00; font-weight: bold; }
span.sep { color: #999; }
.stated { color: #55606b; font-style: italic; }
.not-graded { color: #55606b; }
.method { color: #3d4b59; max-width: 1000px; }
table.exposure td:first-child { width: 380px; }
table.exposure td.n { min-width: 150px; }
table.storage, table.flags, table.rules { width: 100%; table-layout: fixed; }
table.storage th:nth-child(1) { width: 18%; }
table.storage th:nth-child(2), table.storage th:nth-child(3) { width: 33%; }
table.flags th:nth-child(1) { width: 24%; }
table.flags th:nth-child(2) { width: 30%; }
table.flags td { overflow-wrap: anywhere; }
table.rules th:nth-child(1) { width: 16%; }
table.rules th:nth-child(2) { width: 9%; }
table.rules th:nth-child(3) { width: 38%; }
table.rules td { overflow-wrap: anywhere; }
table.rules p { margin: 0 0 5px; }
ul.conditions { margin: 0 0 5px; padding-left: 16px; }
ul.conditions li { margin-bottom: 4px; }
.metric { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
.wording { border-left: 3px solid #b7c4d1; padding-left: 6px; }
.warning-code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; white-space: nowrap; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 10px; }
svg.chart text { font-size: 12px; fill: #1a1a1a; }
svg.chart text.tick, svg.chart text.unit, svg.chart text.range, svg.chart text.legend { font-size: 11px; fill: #3d4b59; }
svg.chart text.value { font-weight: bold; }
svg.chart text.hurdle-label { fill: #c62828; font-weight: bold; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
ol.assumptions li { margin-bottom: 3px; }
table.factors { width: 100%; table-layout: fixed; }
table.factors td:nth-child(1) { overflow-wrap: anywhere; }
table.factors th:nth-child(1) { width: 17%; }
table.factors th:nth-child(2), table.factors th:nth-child(3), table.factors th:nth-child(4) { width: 6%; }
table.factors th:nth-child(5) { width: 11%; }
table.factors th:nth-child(6) { width: 8%; }
table.factors th:nth-child(7) { width: 27%; }
table.factors th:nth-child(8) { width: 19%; }
footer { margin-top: 28px; border-top: 1px solid #b7c4d1; padding-top: 6px; color: #55606b; font-size: 12px; }
section#summary { border: 2px solid #1f4e79; padding: 2px 14px 6px; margin: 10px 0 18px; }
section#summary h2 { margin-top: 10px; }
section#summary table.kv { width: 100%; }
section#summary table.kv th { width: 260px; font-weight: bold; }
.verdict { white-space: nowrap; }
@page { size: A4 portrait; margin: 16mm 14mm 18mm 14mm; }
@media print {
  :root, body, .en, .note, .range, .absent, .stated, .not-graded, .method, header, footer,
  h1, h2, h3, th, td, span.sep, .ids { color: #000 !important; background: #fff !important; }
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  nav, button, input, select, textarea, form, .no-print { display: none !important; }
  a { color: #000; text-decoration: none; }
  a::after { content: none !important; }
  header { border-bottom: 2px solid #000; }
  h2 { border-bottom: 1px solid #000; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
  section { break-inside: auto; }
  section#summary { border: 1.5pt solid #000; break-inside: avoid; page-break-inside: avoid; break-after: page; page-break-after: always; }
  table { width: 100%; break-inside: auto; }
  thead { display: table-header-group; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  th, td { border-color: #666; }
  table.kv th { width: 34%; }
  table.kv td { min-width: 0; }
  td.n, th.n { white-space: normal; }
  .status-met, .status-not-met, .status-not-evaluable { color: #000 !important; }
  .status-not-met, .status-not-evaluable { text-decoration: underline; }
  tr.total td { border-top: 1.5pt solid #000; }
  svg.chart { break-inside: avoid; page-break-inside: avoid; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  ol.assumptions li, ul.conditions li { break-inside: avoid; }
}
"#;

fn head(response: &pb::AssessResponse) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{} · {} · {}</title><style>{STYLE}</style></head><body>"#,
        escape(&labels::TITLE.text()),
        escape(&response.borrower_id),
        escape(&response.project_id)
    )
}

fn header(response: &pb::AssessResponse) -> String {
    let record = match &response.record {
        Some(seal) => format!(
            r#"<span class="sep">|</span>{} {}"#,
            labels::RECORD_ID.html(),
            figure("record.record_id", &seal.record_id)
        ),
        None => String::new(),
    };
    format!(
        r#"<header><h1>{}</h1><p class="ids">{} {}<span class="sep">|</span>{} {}{record}</p></header>"#,
        labels::TITLE.html(),
        labels::BORROWER.html(),
        figure("borrower_id", &response.borrower_id),
        labels::PROJECT.html(),
        figure("project_id", &response.project_id),
    )
}

fn warnings_and_assumptions(response: &pb::AssessResponse) -> String {
    let mut html = format!("<h3>{}</h3>", labels::WARNINGS.html());
    if response.warnings.is_empty() {
        html.push_str(&format!("<p>{}</p>", labels::NONE.html()));
    } else {
        let mut table = Table::new(
            "warnings",
            &[labels::CODE, labels::FIELD, labels::MESSAGE],
            &[false, false, false],
        );
        for (i, warning) in response.warnings.iter().enumerate() {
            table.row(&[
                format!(
                    r#"<span class="warning-code" data-figure="warnings[{i}].code">{}</span>"#,
                    escape(&warning.code)
                ),
                note(&warning.field),
                escape(&warning.message),
            ]);
        }
        html.push_str(&table.finish());
    }
    html.push_str(&format!("<h3>{}</h3>", labels::ASSUMPTIONS.html()));
    if response.stated_assumptions.is_empty() {
        html.push_str(&format!("<p>{}</p>", labels::NONE.html()));
    } else {
        html.push_str(r#"<ol class="assumptions">"#);
        for assumption in &response.stated_assumptions {
            html.push_str(&format!("<li>{}</li>", escape(assumption)));
        }
        html.push_str("</ol>");
    }
    html
}

fn seal(seal: Option<&pb::RecordSeal>) -> String {
    let Some(seal) = seal else {
        return format!(r#"<p class="not-stored">{}</p>"#, labels::NOT_STORED.html());
    };
    let hex = |path: &str, text: &str| {
        format!(
            r#"<span class="fig hex" data-figure="{}">{}</span>"#,
            escape(path),
            escape(text)
        )
    };
    let text_or_absent = |path: &str, text: &str| {
        if text.is_empty() {
            ABSENT.to_owned()
        } else {
            figure(path, text)
        }
    };
    key_values(&[
        (
            labels::RECORD_ID,
            figure("record.record_id", &seal.record_id),
        ),
        (labels::RECORD_KIND, labels::record_kind(seal.kind()).html()),
        (labels::TENANT, figure("record.tenant", &seal.tenant)),
        (
            labels::SEQUENCE,
            figure("record.sequence", &seal.sequence.to_string()),
        ),
        (
            labels::CREATED_AT,
            figure("record.created_at", &seal.created_at),
        ),
        (
            labels::DIGEST,
            hex("record.digest_sha256", &seal.digest_sha256),
        ),
        (
            labels::PREVIOUS_DIGEST,
            hex(
                "record.previous_digest_sha256",
                &seal.previous_digest_sha256,
            ),
        ),
        (
            labels::SIGNATURE,
            hex("record.signature_ed25519", &seal.signature_ed25519),
        ),
        (labels::KEY_ID, hex("record.key_id", &seal.key_id)),
        (
            labels::METHODOLOGY_VERSION,
            text_or_absent("record.methodology_version", &seal.methodology_version),
        ),
        (
            labels::FACTOR_SET,
            text_or_absent("record.factor_set", &seal.factor_set),
        ),
        (
            labels::BORROWER,
            text_or_absent("record.borrower_id", &seal.borrower_id),
        ),
        (
            labels::PROJECT,
            text_or_absent("record.project_id", &seal.project_id),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decimal field of `value`, for the report modules' tests.
    pub(super) fn dec(value: &str) -> Option<pb::Decimal> {
        Some(pb::Decimal {
            value: value.to_owned(),
        })
    }

    /// A small response without carbon and without a seal: one period, one loan year.
    fn one_period() -> (pb::AssessRequest, pb::AssessResponse) {
        let request = pb::AssessRequest {
            borrower_id: "b".to_owned(),
            project_id: "p".to_owned(),
            ..Default::default()
        };
        let response = pb::AssessResponse {
            borrower_id: "<script>alert(1)</script>".to_owned(),
            project_id: "p & q".to_owned(),
            methodology_version: "green-impact/1.1.0".to_owned(),
            loan: Some(pb::LoanSchedule {
                annual_rate_pct: dec("3.45"),
                period_count: 1,
                periods: vec![pb::SchedulePeriod {
                    number: 1,
                    due_date: "2026-01-31".to_owned(),
                    loan_year: 1,
                    opening_balance_cny: dec("1000.00"),
                    interest_cny: dec("34.50"),
                    principal_cny: dec("1000.00"),
                    instalment_cny: dec("1034.50"),
                    closing_balance_cny: dec("0.00"),
                }],
                total_interest_cny: dec("34.50"),
                ..Default::default()
            }),
            debt_service_cover: Some(pb::DebtServiceCover {
                years: vec![pb::DscrYear {
                    loan_year: 1,
                    months: 12,
                    cash_flow_available_cny: dec("-500.00"),
                    debt_service_cny: dec("1034.50"),
                    dscr: dec("-0.4833"),
                }],
                min_dscr: dec("-0.4833"),
                min_dscr_loan_year: 1,
                ..Default::default()
            }),
            warnings: vec![pb::Warning {
                code: "X".to_owned(),
                field: String::new(),
                message: "a <b>bold</b> claim".to_owned(),
            }],
            ..Default::default()
        };
        (request, response)
    }

    #[test]
    fn a_response_without_carbon_or_seal_says_so_and_draws_only_the_dscr_chart() {
        let (request, response) = one_period();
        let page = render(&request, &response);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.ends_with("</html>"));
        assert_eq!(page.matches(r#"<svg id="chart-dscr""#).count(), 1);
        assert!(!page.contains("chart-emissions"));
        assert!(page.contains(labels::NO_CARBON.en));
        assert!(page.contains(labels::NOT_STORED.en));
        assert!(page.contains(r#"data-figure="debt_service_cover.years[0].dscr">-0.4833<"#));
        assert!(page.contains(r#"data-figure="loan.periods[0].instalment_cny">1,034.50<"#));
    }

    #[test]
    fn the_summary_comes_first_and_the_print_css_makes_an_a4_credit_file() {
        let (request, response) = one_period();
        let page = render(&request, &response);
        let summary = page.find(r#"<section id="summary">"#).expect("a summary");
        let first = page
            .find(r#"<section id="project-and-loan">"#)
            .expect("section 1");
        assert!(page.find("</header>").expect("a header") < summary);
        assert!(summary < first, "the summary before the sections");
        let block = &page[summary..first];
        assert!(block.contains(&labels::SUMMARY.html()));
        assert!(block.contains(r#"data-figure="debt_service_cover.min_dscr">-0.4833<"#));
        // No carbon asked for, and no mass balance in this response.
        assert!(block.contains(labels::NOT_REQUESTED.en));
        assert!(block.contains(labels::NOT_IN_VIEW.en));
        for rule in [
            "@page { size: A4",
            "@media print",
            "break-inside: avoid",
            "break-after: avoid",
            "section#summary { border: 1.5pt solid #000; break-inside: avoid",
            "display: table-header-group",
        ] {
            assert!(page.contains(rule), "{rule}");
        }
    }

    #[test]
    fn the_views_follow_attribution_and_say_when_they_were_not_requested() {
        let (request, mut response) = one_period();
        let page = render(&request, &response);
        let at = |id: &str| {
            page.find(&format!(r#"<section id="{id}">"#))
                .unwrap_or_else(|| panic!("section {id}"))
        };
        assert!(at("attribution") < at("insurer-view"));
        assert!(at("insurer-view") < at("exchange-view"));
        assert!(at("exchange-view") < at("warnings"));
        assert!(page.contains(labels::NO_INSURER_VIEW.en));
        assert!(page.contains(labels::NO_ELIGIBILITY.en));

        response.insurer_view = Some(pb::InsurerView {
            method: "no premium".to_owned(),
            ..Default::default()
        });
        response.eligibility = Some(pb::EligibilityResult {
            rule_set: "cn-transition/2026.1".to_owned(),
            ..Default::default()
        });
        let page = render(&request, &response);
        assert!(!page.contains(labels::NO_INSURER_VIEW.en));
        assert!(!page.contains(labels::NO_ELIGIBILITY.en));
        assert!(page.contains(r#"data-figure="eligibility.rule_set">cn-transition/2026.1<"#));
    }

    #[test]
    fn the_requesters_text_is_escaped_everywhere() {
        let (request, response) = one_period();
        let page = render(&request, &response);
        assert!(
            !page.contains("<script"),
            "no script, not even the borrower's"
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("p &amp; q"));
        assert!(page.contains("a &lt;b&gt;bold&lt;/b&gt; claim"));
    }

    #[test]
    fn the_page_loads_nothing() {
        let (request, response) = one_period();
        let page = render(&request, &response);
        for needle in [
            "http:", "https:", "src=", "href=", "url(", "@import", "<link", "<script",
        ] {
            assert!(!page.contains(needle), "{needle}");
        }
    }

    #[test]
    fn a_seal_is_shown_in_full() {
        let (request, mut response) = one_period();
        response.record = Some(pb::RecordSeal {
            record_id: "rec_0123456789abcdef0123456789abcdef".to_owned(),
            digest_sha256: "ab".repeat(32),
            previous_digest_sha256: "0".repeat(64),
            signature_ed25519: "cd".repeat(64),
            key_id: "0011223344556677".to_owned(),
            created_at: "2026-05-20T08:00:00.000001Z".to_owned(),
            sequence: 7,
            ..Default::default()
        });
        let page = render(&request, &response);
        for (path, text) in [
            ("record.digest_sha256", "ab".repeat(32)),
            ("record.previous_digest_sha256", "0".repeat(64)),
            ("record.signature_ed25519", "cd".repeat(64)),
            ("record.key_id", "0011223344556677".to_owned()),
            ("record.sequence", "7".to_owned()),
            (
                "record.created_at",
                "2026-05-20T08:00:00.000001Z".to_owned(),
            ),
        ] {
            assert!(
                page.contains(&format!(r#"data-figure="{path}">{text}<"#)),
                "{path}"
            );
        }
        assert!(!page.contains(labels::NOT_STORED.en));
    }
}
