//! The summary at the top of the page, one screen (and, printed, page 1): a verdict line each
//! for debt-service cover against the requested hurdle, eligibility under the rule set, the
//! carbon reduction with its bounds and the loan's share of it, and the mass balance.
//!
//! Presentation only: every figure here is one the detailed sections print too (same text,
//! same hook), and every verdict is the response's own (`hurdle_status`, the rule counts,
//! `mass_balance.closes`). Nothing is compared or computed here. A figure the response does not
//! carry is said to be "not in this view" rather than filled in.

use crate::pb;

use super::escape::escape;
use super::html::{decimal, figure, key_values};
use super::labels::{self, Label};

/// Warning codes the mass balance raises (`domain::mass_balance::warnings`).
const MASS_BALANCE_WARNINGS: [&str; 2] =
    ["COMPOSTING_LOSS_NOT_GIVEN", "MASS_BALANCE_DOES_NOT_CLOSE"];

pub fn summary(request: &pb::AssessRequest, response: &pb::AssessResponse) -> String {
    let mut html = format!(
        r#"<section id="summary"><h2>{}</h2>"#,
        labels::SUMMARY.html()
    );
    html.push_str(&key_values(&[
        (
            labels::SUMMARY_DSCR,
            dscr(response.debt_service_cover.as_ref()),
        ),
        (
            labels::SUMMARY_ELIGIBILITY,
            eligibility(request, response.eligibility.as_ref()),
        ),
        (
            labels::SUMMARY_REDUCTION,
            reduction(request, response.carbon.as_ref()),
        ),
        (
            labels::SUMMARY_ATTRIBUTION,
            attribution(request, response.carbon.as_ref()),
        ),
        (labels::MASS_BALANCE, mass_balance(response)),
    ]));
    html.push_str(&format!(
        r#"<p class="note">{}</p></section>"#,
        labels::SUMMARY_NOTE.html()
    ));
    html
}

fn not_in_view() -> String {
    format!(
        r#"<span class="absent">{}</span>"#,
        labels::NOT_IN_VIEW.html()
    )
}

/// A Decimal as the sections print it, or "not in this view".
fn present(path: &str, value: &Option<pb::Decimal>) -> String {
    match value {
        Some(_) => decimal(path, value),
        None => not_in_view(),
    }
}

/// Central, then low – high, each as the sections print it; "not in this view" for any part
/// the response leaves out.
fn bounds(path: &str, value: &Option<pb::Bounds>) -> String {
    let Some(b) = value else {
        return not_in_view();
    };
    let part = |name: &str, d: &Option<pb::Decimal>| present(&format!("{path}.{name}"), d);
    format!(
        r#"<strong>{}</strong> {} <span class="range">({} {} – {} {})</span>"#,
        part("central", &b.central),
        escape(&labels::TCO2E_PER_YEAR.text()),
        labels::LOW.html(),
        part("low", &b.low),
        labels::HIGH.html(),
        part("high", &b.high),
    )
}

fn verdict(class: &str, label: Label) -> String {
    format!(r#"<span class="verdict {class}">{}</span>"#, label.html())
}

fn dscr(cover: Option<&pb::DebtServiceCover>) -> String {
    let Some(cover) = cover else {
        return not_in_view();
    };
    let minimum = format!(
        "{} <strong>{}</strong> ({} {})",
        labels::SUMMARY_MIN_DSCR.html(),
        present("debt_service_cover.min_dscr", &cover.min_dscr),
        escape(labels::LOAN_YEAR.en),
        figure(
            "debt_service_cover.min_dscr_loan_year",
            &cover.min_dscr_loan_year.to_string()
        ),
    );
    let hurdle = present("debt_service_cover.dscr_hurdle", &cover.dscr_hurdle);
    match cover.hurdle_status() {
        pb::HurdleStatus::Met => format!(
            "{minimum} {} <strong>{hurdle}</strong>",
            verdict("status-met", labels::MEETS_HURDLE)
        ),
        pb::HurdleStatus::NotMet => format!(
            "{minimum} {} <strong>{hurdle}</strong>",
            verdict("status-not-met", labels::BELOW_HURDLE)
        ),
        status => format!("{minimum}; {}", labels::hurdle_status(status).html()),
    }
}

fn eligibility(request: &pb::AssessRequest, result: Option<&pb::EligibilityResult>) -> String {
    let Some(result) = result else {
        return if request.eligibility.is_some() {
            not_in_view()
        } else {
            labels::NOT_REQUESTED.html()
        };
    };
    let (class, outcome) = if result.not_met_count > 0 {
        ("status-not-met", labels::SOME_NOT_MET)
    } else if result.not_evaluable_count > 0 {
        ("status-not-evaluable", labels::SOME_NOT_EVALUABLE)
    } else {
        ("status-met", labels::ALL_MET)
    };
    let count = |field: &str, n: u32, status: pb::RuleStatus| {
        format!(
            "{} {}",
            labels::rule_status(status).html(),
            figure(&format!("eligibility.{field}"), &n.to_string())
        )
    };
    format!(
        r#"{} {} <span class="note">{}</span><br>{} <span class="sep">·</span> {} <span class="sep">·</span> {}"#,
        verdict(class, outcome),
        figure("eligibility.rule_set", &result.rule_set),
        escape(&result.title),
        count("met_count", result.met_count, pb::RuleStatus::Met),
        count(
            "not_met_count",
            result.not_met_count,
            pb::RuleStatus::NotMet
        ),
        count(
            "not_evaluable_count",
            result.not_evaluable_count,
            pb::RuleStatus::NotEvaluable
        ),
    )
}

/// Carbon the request did not ask for is "not requested"; asked for but absent from the
/// response, "not in this view".
fn carbon_absent(request: &pb::AssessRequest) -> String {
    if request.carbon.is_some() {
        not_in_view()
    } else {
        labels::NOT_REQUESTED.html()
    }
}

fn reduction(request: &pb::AssessRequest, carbon: Option<&pb::CarbonResult>) -> String {
    let Some(carbon) = carbon else {
        return carbon_absent(request);
    };
    let Some(reduction) = &carbon.reduction else {
        return not_in_view();
    };
    let mut html = bounds(
        "carbon.reduction.emission_reduction_tco2e_per_year",
        &reduction.emission_reduction_tco2e_per_year,
    );
    // Avoided emissions only when the module was on; PCAF keeps them apart, so the total
    // that includes them is a line of its own.
    if carbon.avoided.as_ref().is_some_and(|a| !a.lines.is_empty()) {
        html.push_str(&format!(
            "<br>{}: {}",
            labels::TOTAL_REDUCTION.html(),
            bounds(
                "carbon.reduction.total_tco2e_per_year",
                &reduction.total_tco2e_per_year
            )
        ));
    }
    html
}

fn attribution(request: &pb::AssessRequest, carbon: Option<&pb::CarbonResult>) -> String {
    let Some(carbon) = carbon else {
        return carbon_absent(request);
    };
    let Some(a) = &carbon.attribution else {
        return not_in_view();
    };
    let p = |field: &str| format!("carbon.attribution.{field}");
    format!(
        "{} <strong>{}</strong>: {}<br>{} <strong>{}</strong>: {}",
        labels::PBOC_SHARE.html(),
        present(&p("pboc_loan_share"), &a.pboc_loan_share),
        bounds(
            &p("pboc_attributed_emission_reduction_tco2e_per_year"),
            &a.pboc_attributed_emission_reduction_tco2e_per_year
        ),
        labels::PCAF_FACTOR.html(),
        present(&p("pcaf_attribution_factor"), &a.pcaf_attribution_factor),
        bounds(
            &p("pcaf_attributed_emission_reduction_tco2e_per_year"),
            &a.pcaf_attributed_emission_reduction_tco2e_per_year
        ),
    )
}

fn mass_balance(response: &pb::AssessResponse) -> String {
    let Some(balance) = &response.mass_balance else {
        return not_in_view();
    };
    let p = |field: &str| format!("mass_balance.{field}");
    let mut html = if balance.closes {
        verdict("status-met", labels::BALANCE_CLOSES)
    } else {
        verdict("status-not-met", labels::BALANCE_DOES_NOT_CLOSE)
    };
    html.push_str(&format!(
        " {} {} <span class=\"sep\">·</span> {} {}",
        labels::STATED_OUTPUT.html(),
        present(
            &p("product_stated_t_per_day"),
            &balance.product_stated_t_per_day
        ),
        labels::CAPACITY.html(),
        present(
            &p("product_capacity_t_per_day"),
            &balance.product_capacity_t_per_day
        ),
    ));
    for (i, warning) in response.warnings.iter().enumerate() {
        if MASS_BALANCE_WARNINGS.contains(&warning.code.as_str()) {
            html.push_str(&format!(
                r#"<br><span class="warning-code" data-figure="warnings[{i}].code">{}</span> <span data-figure="warnings[{i}].message">{}</span>"#,
                escape(&warning.code),
                escape(&warning.message)
            ));
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::dec;

    fn bounds_of(low: &str, central: &str, high: &str) -> Option<pb::Bounds> {
        Some(pb::Bounds {
            low: dec(low),
            central: dec(central),
            high: dec(high),
        })
    }

    fn cover(status: pb::HurdleStatus, hurdle: Option<&str>) -> pb::DebtServiceCover {
        pb::DebtServiceCover {
            min_dscr: dec("1.1000"),
            min_dscr_loan_year: 2,
            dscr_hurdle: hurdle.and_then(dec),
            hurdle_status: status as i32,
            ..Default::default()
        }
    }

    fn hooked(html: &str, path: &str, text: &str) -> bool {
        html.contains(&format!(r#"data-figure="{path}">{text}<"#))
    }

    #[test]
    fn the_dscr_line_gives_the_services_verdict_with_both_figures() {
        let met = dscr(Some(&cover(pb::HurdleStatus::Met, Some("1.05"))));
        assert!(met.contains(&labels::MEETS_HURDLE.html()), "{met}");
        assert!(met.contains("status-met"));
        assert!(hooked(&met, "debt_service_cover.min_dscr", "1.1000"));
        assert!(hooked(&met, "debt_service_cover.dscr_hurdle", "1.05"));
        assert!(hooked(&met, "debt_service_cover.min_dscr_loan_year", "2"));

        let below = dscr(Some(&cover(pb::HurdleStatus::NotMet, Some("1.25"))));
        assert!(below.contains(&labels::BELOW_HURDLE.html()), "{below}");
        assert!(below.contains("status-not-met"));
        assert!(hooked(&below, "debt_service_cover.dscr_hurdle", "1.25"));

        let none = dscr(Some(&cover(pb::HurdleStatus::NotRequested, None)));
        assert!(none.contains(&labels::hurdle_status(pb::HurdleStatus::NotRequested).html()));
        assert!(!none.contains(&labels::MEETS_HURDLE.html()));
        assert!(!none.contains(&labels::BELOW_HURDLE.html()));

        assert_eq!(dscr(None), not_in_view());
    }

    #[test]
    fn absent_figures_are_not_in_this_view_and_unasked_ones_not_requested() {
        let asked = pb::AssessRequest {
            carbon: Some(pb::CarbonInput::default()),
            eligibility: Some(pb::EligibilityInput::default()),
            ..Default::default()
        };
        let unasked = pb::AssessRequest::default();
        assert_eq!(reduction(&asked, None), not_in_view());
        assert_eq!(attribution(&asked, None), not_in_view());
        assert_eq!(eligibility(&asked, None), not_in_view());
        assert_eq!(reduction(&unasked, None), labels::NOT_REQUESTED.html());
        assert_eq!(eligibility(&unasked, None), labels::NOT_REQUESTED.html());
        assert_eq!(mass_balance(&pb::AssessResponse::default()), not_in_view());

        // A reduction without its low end says so for that end only.
        let carbon = pb::CarbonResult {
            reduction: Some(pb::Reduction {
                emission_reduction_tco2e_per_year: Some(pb::Bounds {
                    low: None,
                    central: dec("1173.985"),
                    high: dec("2000"),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let html = reduction(&asked, Some(&carbon));
        assert!(hooked(
            &html,
            "carbon.reduction.emission_reduction_tco2e_per_year.central",
            "1,173.985"
        ));
        assert!(hooked(
            &html,
            "carbon.reduction.emission_reduction_tco2e_per_year.high",
            "2,000"
        ));
        assert_eq!(html.matches(labels::NOT_IN_VIEW.en).count(), 1, "{html}");
        assert_eq!(attribution(&asked, Some(&carbon)), not_in_view());
    }

    #[test]
    fn the_reduction_and_the_loans_share_are_the_responses_figures() {
        let carbon = pb::CarbonResult {
            reduction: Some(pb::Reduction {
                emission_reduction_tco2e_per_year: bounds_of("776.980", "973.823", "1173.985"),
                ..Default::default()
            }),
            attribution: Some(pb::LoanAttribution {
                pboc_loan_share: dec("0.7500"),
                pboc_attributed_emission_reduction_tco2e_per_year: bounds_of(
                    "582.735", "730.367", "880.489",
                ),
                pcaf_attribution_factor: dec("0.6000"),
                pcaf_attributed_emission_reduction_tco2e_per_year: bounds_of(
                    "466.188", "584.294", "704.391",
                ),
                ..Default::default()
            }),
            ..Default::default()
        };
        let request = pb::AssessRequest::default();
        let html = reduction(&request, Some(&carbon));
        let p = "carbon.reduction.emission_reduction_tco2e_per_year";
        assert!(hooked(&html, &format!("{p}.central"), "973.823"));
        assert!(hooked(&html, &format!("{p}.low"), "776.980"));
        assert!(hooked(&html, &format!("{p}.high"), "1,173.985"));
        assert!(
            !html.contains(labels::TOTAL_REDUCTION.en),
            "no avoided module"
        );

        let html = attribution(&request, Some(&carbon));
        let p = "carbon.attribution";
        assert!(hooked(&html, &format!("{p}.pboc_loan_share"), "0.7500"));
        assert!(hooked(
            &html,
            &format!("{p}.pcaf_attribution_factor"),
            "0.6000"
        ));
        assert!(hooked(
            &html,
            &format!("{p}.pboc_attributed_emission_reduction_tco2e_per_year.central"),
            "730.367"
        ));
        assert!(hooked(
            &html,
            &format!("{p}.pcaf_attributed_emission_reduction_tco2e_per_year.high"),
            "704.391"
        ));
    }

    #[test]
    fn the_eligibility_line_gives_the_counts_and_the_worst_outcome() {
        let result = pb::EligibilityResult {
            rule_set: "cn-transition/2026.1".to_owned(),
            title: "<title>".to_owned(),
            met_count: 4,
            not_met_count: 0,
            not_evaluable_count: 1,
            ..Default::default()
        };
        let html = eligibility(&pb::AssessRequest::default(), Some(&result));
        assert!(html.contains(&labels::SOME_NOT_EVALUABLE.html()), "{html}");
        assert!(hooked(
            &html,
            "eligibility.rule_set",
            "cn-transition/2026.1"
        ));
        assert!(hooked(&html, "eligibility.met_count", "4"));
        assert!(hooked(&html, "eligibility.not_met_count", "0"));
        assert!(hooked(&html, "eligibility.not_evaluable_count", "1"));
        assert!(html.contains("&lt;title&gt;") && !html.contains("<title>"));
        let not_met = pb::EligibilityResult {
            not_met_count: 1,
            ..result.clone()
        };
        let html = eligibility(&pb::AssessRequest::default(), Some(&not_met));
        assert!(html.contains(&labels::SOME_NOT_MET.html()), "{html}");
        let all = pb::EligibilityResult {
            not_evaluable_count: 0,
            ..result
        };
        let html = eligibility(&pb::AssessRequest::default(), Some(&all));
        assert!(html.contains(&labels::ALL_MET.html()), "{html}");
    }

    #[test]
    fn the_mass_balance_line_quotes_its_warnings_escaped() {
        let response = pb::AssessResponse {
            mass_balance: Some(pb::MassBalance {
                closes: false,
                product_stated_t_per_day: dec("30.0000"),
                product_capacity_t_per_day: dec("25.7143"),
                ..Default::default()
            }),
            warnings: vec![
                pb::Warning {
                    code: "NITROGEN_DEFAULT".to_owned(),
                    field: String::new(),
                    message: "not about the balance".to_owned(),
                },
                pb::Warning {
                    code: "MASS_BALANCE_DOES_NOT_CLOSE".to_owned(),
                    field: "operations.product_output".to_owned(),
                    message: "needs <more> dry matter".to_owned(),
                },
            ],
            ..Default::default()
        };
        let html = mass_balance(&response);
        assert!(
            html.contains(&labels::BALANCE_DOES_NOT_CLOSE.html()),
            "{html}"
        );
        assert!(hooked(
            &html,
            "mass_balance.product_stated_t_per_day",
            "30.0000"
        ));
        assert!(hooked(
            &html,
            "mass_balance.product_capacity_t_per_day",
            "25.7143"
        ));
        assert!(hooked(
            &html,
            "warnings[1].code",
            "MASS_BALANCE_DOES_NOT_CLOSE"
        ));
        assert!(hooked(
            &html,
            "warnings[1].message",
            "needs &lt;more&gt; dry matter"
        ));
        assert!(!html.contains("not about the balance"));
    }
}
