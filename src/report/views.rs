//! The two other readers' sections: the insurer's view of the site's pollution exposure
//! before and after the project, and the exchange's check of the project against a versioned
//! rule set. Both show only what the response holds: figures verbatim and hooked, the
//! response's own words for bases, flags, notes and readings, and no figure of the page's
//! own (no premium, no grade the service did not state).

use crate::pb;

use super::escape::escape;
use super::grouping::group_thousands;
use super::html::{ABSENT, Table, decimal, figure, key_values, note};
use super::labels::{self, Label};

/// The exposure figures, each named alike in `SiteExposureView` and `ExposureChange`, so one
/// field name gives the before, after and change paths.
const FIGURE_ROWS: [(Label, &str); 5] = [
    (labels::UNTREATED_STOCK, "untreated_manure_stock_t"),
    (labels::STORAGE_DAYS, "storage_capacity_days"),
    (labels::NITROGEN, "nitrogen_handled_t_per_year"),
    (labels::PHOSPHORUS, "phosphorus_handled_t_per_year"),
    (labels::DISTANCE_TO_WATER, "distance_to_surface_water_m"),
];

/// The figures of one side of the site, in `FIGURE_ROWS` order.
fn site_figures(site: &pb::SiteExposureView) -> [&Option<pb::Decimal>; 5] {
    [
        &site.untreated_manure_stock_t,
        &site.storage_capacity_days,
        &site.nitrogen_handled_t_per_year,
        &site.phosphorus_handled_t_per_year,
        &site.distance_to_surface_water_m,
    ]
}

/// The changes, in `FIGURE_ROWS` order.
fn change_figures(change: &pb::ExposureChange) -> [&Option<pb::Decimal>; 5] {
    [
        &change.untreated_manure_stock_t,
        &change.storage_capacity_days,
        &change.nitrogen_handled_t_per_year,
        &change.phosphorus_handled_t_per_year,
        &change.distance_to_surface_water_m,
    ]
}

fn yes_no(value: bool) -> String {
    let label = if value { labels::YES } else { labels::NO };
    label.html()
}

/// A cell for one side of the site, or the absent mark when the response lacks that side.
fn side(
    site: Option<&pb::SiteExposureView>,
    cell: impl Fn(&pb::SiteExposureView) -> String,
) -> String {
    site.map_or_else(|| ABSENT.to_owned(), cell)
}

pub fn insurer(view: Option<&pb::InsurerView>) -> String {
    let Some(view) = view else {
        return format!("<p>{}</p>", labels::NO_INSURER_VIEW.html());
    };
    let mut html = exposure_figures(view);
    html.push_str(&storage(view));
    html.push_str(&flags(view));
    html.push_str(&hj941(view));
    html.push_str(&format!(
        r#"<h3>{}</h3><p class="method">{}</p>"#,
        labels::VIEW_METHOD.html(),
        escape(&view.method)
    ));
    html
}

fn exposure_figures(view: &pb::InsurerView) -> String {
    let mut table = Table::new(
        "exposure",
        &[
            labels::ITEM,
            labels::SITE_BEFORE,
            labels::SITE_AFTER,
            labels::CHANGE,
        ],
        &[false, true, true, true],
    );
    let before = view.before.as_ref().map(site_figures);
    let after = view.after.as_ref().map(site_figures);
    let change = view.change.as_ref().map(change_figures);
    for (i, (label, field)) in FIGURE_ROWS.iter().enumerate() {
        let cell = |part: &str, figures: Option<[&Option<pb::Decimal>; 5]>| match figures {
            Some(figures) => decimal(&format!("insurer_view.{part}.{field}"), figures[i]),
            None => ABSENT.to_owned(),
        };
        table.row(&[
            label.html(),
            cell("before", before),
            cell("after", after),
            cell("change", change),
        ]);
    }
    format!("<h3>{}</h3>{}", labels::EXPOSURE.html(), table.finish())
}

/// Storage type, its classification and basis, and the facility's condition: labels, the
/// response's words, and the change as the response classes it.
fn storage(view: &pb::InsurerView) -> String {
    let mut table = Table::new(
        "storage",
        &[
            labels::ITEM,
            labels::SITE_BEFORE,
            labels::SITE_AFTER,
            labels::CHANGE,
        ],
        &[false, false, false, false],
    );
    let (before, after) = (view.before.as_ref(), view.after.as_ref());
    let change = view.change.as_ref();
    let changed = |cell: fn(&pb::ExposureChange) -> String| change.map_or_else(String::new, cell);
    table.row(&[
        labels::STORAGE_TYPE.html(),
        side(before, |s| labels::storage_type(s.storage_type()).html()),
        side(after, |s| labels::storage_type(s.storage_type()).html()),
        changed(|c| {
            let label = if c.storage_type_changed {
                labels::CHANGED
            } else {
                labels::UNCHANGED
            };
            label.html()
        }),
    ]);
    table.row(&[
        labels::LEAK_PRONE.html(),
        side(before, |s| yes_no(s.storage_type_leak_prone)),
        side(after, |s| yes_no(s.storage_type_leak_prone)),
        changed(|c| labels::leak_prone_change(c.leak_prone_storage()).html()),
    ]);
    // The response gives no change for cover: the flags say when storage is uncovered.
    table.row(&[
        labels::COVERED.html(),
        side(before, |s| yes_no(s.storage_type_covered)),
        side(after, |s| yes_no(s.storage_type_covered)),
        String::new(),
    ]);
    table.row(&[
        labels::STORAGE_BASIS.html(),
        side(before, |s| note(&s.storage_type_basis)),
        side(after, |s| note(&s.storage_type_basis)),
        String::new(),
    ]);
    let condition = |s: &pb::SiteExposureView| {
        format!(
            "{}<br>{}",
            labels::facility_condition(s.facility_condition()).html(),
            note(&s.facility_condition_description)
        )
    };
    table.row(&[
        labels::FACILITY_CONDITION.html(),
        side(before, condition),
        side(after, condition),
        changed(|c| labels::condition_change(c.facility_condition()).html()),
    ]);
    format!("<h3>{}</h3>{}", labels::STORAGE.html(), table.finish())
}

fn flags(view: &pb::InsurerView) -> String {
    let heading = format!("<h3>{}</h3>", labels::FLAGS.html());
    if view.flags.is_empty() {
        return format!("{heading}<p>{}</p>", labels::NONE.html());
    }
    let mut table = Table::new(
        "flags",
        &[labels::CODE, labels::FIELD, labels::MESSAGE],
        &[false, false, false],
    );
    for (i, flag) in view.flags.iter().enumerate() {
        table.row(&[
            format!(
                r#"<span class="warning-code" data-figure="insurer_view.flags[{i}].code">{}</span>"#,
                escape(&flag.code)
            ),
            note(&flag.field),
            escape(&flag.message),
        ]);
    }
    format!("{heading}{}", table.finish())
}

/// One row per medium as the response gives it. A grade appears only as the requester stated
/// it, marked as theirs; the note, the same for every result in practice, is shown once per
/// distinct text.
fn hj941(view: &pb::InsurerView) -> String {
    let heading = format!("<h3>{}</h3>", labels::HJ941.html());
    if view.hj941.is_empty() {
        return format!("{heading}<p>{}</p>", labels::NONE.html());
    }
    let mut table = Table::new(
        "hj941",
        &[
            labels::MEDIUM,
            labels::LEVELS_CODE,
            labels::Q_RATIO,
            labels::GRADE,
        ],
        &[false, false, true, false],
    );
    let mut notes: Vec<&str> = Vec::new();
    for (i, result) in view.hj941.iter().enumerate() {
        let p = |field: &str| format!("insurer_view.hj941[{i}].{field}");
        let q_ratio = match &result.q_ratio {
            Some(_) => decimal(&p("q_ratio"), &result.q_ratio),
            None => note(&labels::Q_LEVEL_GIVEN.text()),
        };
        let origin = labels::hj941_grade_origin(result.grade_origin()).html();
        let grade = if result.grade_code.is_empty() {
            format!(r#"<span class="not-graded">{origin}</span>"#)
        } else {
            format!(
                r#"<strong>{}</strong> · {}<br><span class="stated">{origin}</span>"#,
                figure(&p("grade_code"), &result.grade_code),
                labels::hj941_grade(result.grade()).html()
            )
        };
        table.row(&[
            labels::hj941_medium(result.medium()).html(),
            format!(
                "<strong>{}</strong>",
                figure(&p("levels_code"), &result.levels_code)
            ),
            q_ratio,
            grade,
        ]);
        if !result.note.is_empty() && !notes.contains(&result.note.as_str()) {
            notes.push(&result.note);
        }
    }
    let mut html = format!("{heading}{}", table.finish());
    for text in notes {
        html.push_str(&format!(
            r#"<p class="note">{}: {}</p>"#,
            labels::NOTE.html(),
            escape(text)
        ));
    }
    html
}

fn status_class(status: pb::RuleStatus) -> &'static str {
    match status {
        pb::RuleStatus::Met => "status-met",
        pb::RuleStatus::NotMet => "status-not-met",
        pb::RuleStatus::NotEvaluable => "status-not-evaluable",
        pb::RuleStatus::Unspecified => "status",
    }
}

fn status(status: pb::RuleStatus) -> String {
    format!(
        r#"<span class="{}">{}</span>"#,
        status_class(status),
        labels::rule_status(status).html()
    )
}

pub fn eligibility(result: Option<&pb::EligibilityResult>) -> String {
    let Some(result) = result else {
        return format!("<p>{}</p>", labels::NO_ELIGIBILITY.html());
    };
    let count = |field: &str, n: u32, s: pb::RuleStatus| {
        format!(
            "{} {}",
            figure(&format!("eligibility.{field}"), &n.to_string()),
            status(s)
        )
    };
    let mut html = key_values(&[
        (
            labels::RULE_SET,
            figure("eligibility.rule_set", &result.rule_set),
        ),
        (
            labels::RULE_SET_TITLE,
            figure("eligibility.title", &result.title),
        ),
        (labels::RULE_SET_SCOPE, note(&result.description)),
        (
            labels::OUTCOME,
            [
                count("met_count", result.met_count, pb::RuleStatus::Met),
                count(
                    "not_met_count",
                    result.not_met_count,
                    pb::RuleStatus::NotMet,
                ),
                count(
                    "not_evaluable_count",
                    result.not_evaluable_count,
                    pb::RuleStatus::NotEvaluable,
                ),
            ]
            .join(r#"<span class="sep"> · </span>"#),
        ),
    ]);
    let mut table = Table::new(
        "rules",
        &[
            labels::RULE,
            labels::STATUS,
            labels::FIGURES_COMPARED,
            labels::READING,
        ],
        &[false, false, false, false],
    );
    for (i, rule) in result.rules.iter().enumerate() {
        let p = format!("eligibility.rules[{i}]");
        table.row(&[
            format!(
                "<strong>{}</strong><br>{}",
                figure(&format!("{p}.id"), &rule.id),
                escape(&rule.title)
            ),
            status(rule.status()),
            format!(
                r#"{}<p class="note">{}: {}</p>"#,
                conditions(&p, &rule.conditions),
                labels::REASON.html(),
                escape(&rule.reason)
            ),
            format!(
                r#"<p><strong>{}</strong> {}</p><p class="wording" lang="zh-CN"><strong>{}</strong> {}</p><p><strong>{}</strong> {}</p>"#,
                labels::CITATION.html(),
                escape(&rule.source),
                labels::SOURCE_WORDING.html(),
                escape(&rule.source_wording),
                labels::MAPPING.html(),
                escape(&rule.mapping)
            ),
        ]);
    }
    html.push_str(&table.finish());
    html.push_str(&format!(
        r#"<h3>{}</h3><p class="method">{}</p>"#,
        labels::VIEW_METHOD.html(),
        escape(&result.method)
    ));
    html
}

/// A metric value as the response gives it: a decimal's text, or `true` / `false` as the
/// rule set writes them; hooked by the path of the oneof member it is.
fn metric_value(path: &str, value: &Option<pb::MetricValue>) -> String {
    match value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(pb::metric_value::Value::Decimal(d)) => {
            figure(&format!("{path}.decimal"), &group_thousands(&d.value))
        }
        Some(pb::metric_value::Value::Boolean(b)) => {
            figure(&format!("{path}.boolean"), &b.to_string())
        }
        None => ABSENT.to_owned(),
    }
}

/// Each condition as "metric: assessed value, required operator threshold (unit), status";
/// a condition that could not be evaluated names the input the assessment lacks.
fn conditions(rule_path: &str, conditions: &[pb::ConditionOutcome]) -> String {
    let mut html = String::from(r#"<ul class="conditions">"#);
    for (j, condition) in conditions.iter().enumerate() {
        let p = format!("{rule_path}.conditions[{j}]");
        let mut assessed = format!(
            "<strong>{}</strong>",
            metric_value(&format!("{p}.value"), &condition.value)
        );
        if !condition.missing.is_empty() {
            assessed.push_str(&format!(
                " ({}: {})",
                labels::MISSING.html(),
                note(&condition.missing)
            ));
        }
        html.push_str(&format!(
            r#"<li><span class="metric">{}</span><br>{} {assessed}<span class="sep"> · </span>{} {} {} <span class="note">({})</span> {}</li>"#,
            figure(&format!("{p}.metric"), &condition.metric),
            labels::ASSESSED.html(),
            labels::REQUIRED.html(),
            figure(&format!("{p}.operator"), &condition.operator),
            metric_value(&format!("{p}.threshold"), &condition.threshold),
            figure(&format!("{p}.unit"), &condition.unit),
            status(condition.status()),
        ));
    }
    html.push_str("</ul>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::dec;

    fn site(stock: &str, storage: pb::StorageType, leak_prone: bool) -> pb::SiteExposureView {
        pb::SiteExposureView {
            untreated_manure_stock_t: dec(stock),
            storage_capacity_days: dec("15.50"),
            storage_type: storage as i32,
            storage_type_leak_prone: leak_prone,
            storage_type_covered: !leak_prone,
            storage_type_basis: "basis <GB 18596-2001> & more".to_owned(),
            nitrogen_handled_t_per_year: dec("535.455"),
            phosphorus_handled_t_per_year: dec("220.770396"),
            distance_to_surface_water_m: dec("120"),
            facility_condition: pb::FacilityCondition::Poor as i32,
            facility_condition_description: "poor: <cracked>".to_owned(),
        }
    }

    fn view() -> pb::InsurerView {
        pb::InsurerView {
            before: Some(site("1350", pb::StorageType::OpenPile, true)),
            after: Some(site(
                "270.000",
                pb::StorageType::CoveredShedImpermeableFloor,
                false,
            )),
            change: Some(pb::ExposureChange {
                untreated_manure_stock_t: dec("-1080.000"),
                storage_capacity_days: dec("0.00"),
                nitrogen_handled_t_per_year: dec("0"),
                phosphorus_handled_t_per_year: dec("0"),
                distance_to_surface_water_m: dec("0"),
                storage_type_changed: true,
                leak_prone_storage: pb::LeakProneChange::Removed as i32,
                facility_condition: pb::ConditionChange::Unchanged as i32,
            }),
            flags: vec![pb::ExposureFlag {
                code: "LEAK_PRONE_STORAGE".to_owned(),
                field: "insurer_exposure.before.storage_type".to_owned(),
                message: "an <open> pile & no floor".to_owned(),
            }],
            hj941: vec![
                pb::Hj941Result {
                    medium: pb::Hj941Medium::Water as i32,
                    q_level: pb::Hj941QLevel::Q0 as i32,
                    q_ratio: dec("0.5"),
                    levels_code: "Q0-M1-E2".to_owned(),
                    grade_origin: pb::Hj941GradeOrigin::NotDetermined as i32,
                    note: "no matrix <confirmed>".to_owned(),
                    ..Default::default()
                },
                pb::Hj941Result {
                    medium: pb::Hj941Medium::Air as i32,
                    q_level: pb::Hj941QLevel::Q1 as i32,
                    levels_code: "Q1-M2-E1".to_owned(),
                    grade: pb::Hj941Grade::Larger as i32,
                    grade_origin: pb::Hj941GradeOrigin::StatedByRequest as i32,
                    grade_code: "较大-大气（Q1-M2-E1）".to_owned(),
                    note: "no matrix <confirmed>".to_owned(),
                    ..Default::default()
                },
            ],
            method: "No premium: <the insurer prices>".to_owned(),
        }
    }

    fn condition(
        metric: &str,
        value: Option<pb::metric_value::Value>,
        status: pb::RuleStatus,
    ) -> pb::ConditionOutcome {
        pb::ConditionOutcome {
            metric: metric.to_owned(),
            unit: "t <a> year".to_owned(),
            operator: ">=".to_owned(),
            threshold: Some(pb::MetricValue {
                value: Some(pb::metric_value::Value::Decimal(pb::Decimal {
                    value: "0.0".to_owned(),
                })),
            }),
            missing: if value.is_none() {
                "insurer_exposure".to_owned()
            } else {
                String::new()
            },
            value: value.map(|v| pb::MetricValue { value: Some(v) }),
            status: status as i32,
        }
    }

    fn result() -> pb::EligibilityResult {
        use pb::RuleStatus::{Met, NotEvaluable, NotMet};
        let rule = |id: &str, status: pb::RuleStatus, conditions| pb::RuleOutcome {
            id: id.to_owned(),
            title: "Title <b>".to_owned(),
            source: "Catalogue (2021) & entry".to_owned(),
            source_wording: "畜禽粪污<资源化>".to_owned(),
            mapping: "the set's <reading>".to_owned(),
            status: status as i32,
            reason: "because <x>".to_owned(),
            conditions,
        };
        pb::EligibilityResult {
            rule_set: "cn-transition/2026.1".to_owned(),
            title: "Set <title>".to_owned(),
            description: "scope & sources".to_owned(),
            rules: vec![
                rule(
                    "r.met",
                    Met,
                    vec![condition(
                        "project.manure_treated_t_per_year",
                        Some(pb::metric_value::Value::Decimal(pb::Decimal {
                            value: "32850.00".to_owned(),
                        })),
                        Met,
                    )],
                ),
                rule(
                    "r.not-met",
                    NotMet,
                    vec![condition(
                        "insurer.after.storage_type_leak_prone",
                        Some(pb::metric_value::Value::Boolean(false)),
                        NotMet,
                    )],
                ),
                rule(
                    "r.not-evaluable",
                    NotEvaluable,
                    vec![condition(
                        "insurer.after.storage_capacity_days",
                        None,
                        NotEvaluable,
                    )],
                ),
            ],
            met_count: 1,
            not_met_count: 1,
            not_evaluable_count: 1,
            method: "all conditions <must> hold".to_owned(),
        }
    }

    #[test]
    fn absent_views_say_they_were_not_requested() {
        let insurer_html = insurer(None);
        assert!(
            insurer_html.contains(labels::NO_INSURER_VIEW.en),
            "{insurer_html}"
        );
        assert!(insurer_html.contains(labels::NO_INSURER_VIEW.zh));
        assert!(!insurer_html.contains("data-figure"));
        let eligibility_html = eligibility(None);
        assert!(eligibility_html.contains(labels::NO_ELIGIBILITY.en));
        assert!(eligibility_html.contains(labels::NO_ELIGIBILITY.zh));
        assert!(!eligibility_html.contains("data-figure"));
    }

    #[test]
    fn the_insurer_view_shows_before_after_and_change_verbatim_and_hooked() {
        let html = insurer(Some(&view()));
        for (path, text) in [
            ("insurer_view.before.untreated_manure_stock_t", "1,350"),
            ("insurer_view.after.untreated_manure_stock_t", "270.000"),
            ("insurer_view.change.untreated_manure_stock_t", "-1,080.000"),
            ("insurer_view.before.storage_capacity_days", "15.50"),
            ("insurer_view.change.storage_capacity_days", "0.00"),
            (
                "insurer_view.after.phosphorus_handled_t_per_year",
                "220.770396",
            ),
            ("insurer_view.change.distance_to_surface_water_m", "0"),
            ("insurer_view.flags[0].code", "LEAK_PRONE_STORAGE"),
            ("insurer_view.hj941[0].levels_code", "Q0-M1-E2"),
            ("insurer_view.hj941[0].q_ratio", "0.5"),
            ("insurer_view.hj941[1].levels_code", "Q1-M2-E1"),
            ("insurer_view.hj941[1].grade_code", "较大-大气（Q1-M2-E1）"),
        ] {
            assert!(
                html.contains(&format!(r#"data-figure="{path}">{text}<"#)),
                "{path} {text}: {html}"
            );
        }
        for label in [
            labels::storage_type(pb::StorageType::OpenPile),
            labels::storage_type(pb::StorageType::CoveredShedImpermeableFloor),
            labels::leak_prone_change(pb::LeakProneChange::Removed),
            labels::condition_change(pb::ConditionChange::Unchanged),
            labels::facility_condition(pb::FacilityCondition::Poor),
            labels::hj941_grade(pb::Hj941Grade::Larger),
            labels::CHANGED,
        ] {
            assert!(html.contains(&label.html()), "{label:?}");
        }
        // The stated grade is marked as the requester's; the water result has none and says
        // the service does not grade.
        let stated = labels::hj941_grade_origin(pb::Hj941GradeOrigin::StatedByRequest);
        let not_graded = labels::hj941_grade_origin(pb::Hj941GradeOrigin::NotDetermined);
        assert_eq!(html.matches(&stated.html()).count(), 1);
        assert_eq!(html.matches(&not_graded.html()).count(), 1);
        // The air result gave its Q as a level: no ratio is made up for it.
        assert!(html.contains(labels::Q_LEVEL_GIVEN.en));
        assert!(!html.contains(r#"data-figure="insurer_view.hj941[1].q_ratio""#));
        // The same note for both results is shown once.
        assert_eq!(html.matches("no matrix &lt;confirmed&gt;").count(), 1);
    }

    #[test]
    fn the_insurer_view_escapes_the_responses_text() {
        let html = insurer(Some(&view()));
        for escaped in [
            "basis &lt;GB 18596-2001&gt; &amp; more",
            "poor: &lt;cracked&gt;",
            "an &lt;open&gt; pile &amp; no floor",
            "No premium: &lt;the insurer prices&gt;",
        ] {
            assert!(html.contains(escaped), "{escaped}");
        }
        for raw in ["<GB", "<cracked", "<open", "<the insurer", "<confirmed"] {
            assert!(!html.contains(raw), "{raw}");
        }
    }

    #[test]
    fn a_view_missing_a_side_shows_it_absent_rather_than_zero() {
        let mut partial = view();
        partial.after = None;
        partial.change = None;
        partial.hj941.clear();
        partial.flags.clear();
        let html = insurer(Some(&partial));
        assert!(html.contains(r#"data-figure="insurer_view.before.storage_capacity_days""#));
        assert!(!html.contains("insurer_view.after."));
        assert!(!html.contains("insurer_view.change."));
        assert!(html.contains(ABSENT));
        assert_eq!(html.matches(&labels::NONE.html()).count(), 2, "{html}");
    }

    #[test]
    fn each_rule_shows_its_status_the_figures_compared_and_its_reading() {
        let html = eligibility(Some(&result()));
        for (path, text) in [
            ("eligibility.rule_set", "cn-transition/2026.1"),
            ("eligibility.met_count", "1"),
            ("eligibility.not_met_count", "1"),
            ("eligibility.not_evaluable_count", "1"),
            ("eligibility.rules[0].id", "r.met"),
            (
                "eligibility.rules[0].conditions[0].metric",
                "project.manure_treated_t_per_year",
            ),
            (
                "eligibility.rules[0].conditions[0].value.decimal",
                "32,850.00",
            ),
            ("eligibility.rules[0].conditions[0].operator", "&gt;="),
            (
                "eligibility.rules[0].conditions[0].threshold.decimal",
                "0.0",
            ),
            ("eligibility.rules[1].conditions[0].value.boolean", "false"),
        ] {
            assert!(
                html.contains(&format!(r#"data-figure="{path}">{text}<"#)),
                "{path} {text}: {html}"
            );
        }
        for class in ["status-met", "status-not-met", "status-not-evaluable"] {
            // The rule, its condition and the count each carry the status.
            assert_eq!(
                html.matches(&format!(r#"class="{class}""#)).count(),
                3,
                "{class}"
            );
        }
        // Not evaluable: no value, and the input the assessment lacks.
        assert!(!html.contains("eligibility.rules[2].conditions[0].value"));
        assert!(html.contains(labels::MISSING.en));
        assert!(html.contains(">insurer_exposure<"));
    }

    #[test]
    fn the_eligibility_section_escapes_the_rule_sets_text() {
        let html = eligibility(Some(&result()));
        for escaped in [
            "Set &lt;title&gt;",
            "scope &amp; sources",
            "Title &lt;b&gt;",
            "Catalogue (2021) &amp; entry",
            "畜禽粪污&lt;资源化&gt;",
            "the set&#39;s &lt;reading&gt;",
            "because &lt;x&gt;",
            "t &lt;a&gt; year",
            "all conditions &lt;must&gt; hold",
        ] {
            assert!(html.contains(escaped), "{escaped}");
        }
        for raw in [
            "<title",
            "<b>",
            "<资源化",
            "<reading",
            "<x>",
            "<a>",
            "<must",
        ] {
            assert!(!html.contains(raw), "{raw}");
        }
    }
}
