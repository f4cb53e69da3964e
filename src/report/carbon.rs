//! The carbon sections: emissions baseline vs project with their bounds, the share
//! attributable to the loan, and the factors used with their sources.

use crate::pb;

use super::escape::escape;
use super::grouping::group_thousands;
use super::html::{ABSENT, Table, bounds_cells, bounds_inline, decimal, figure, key_values, note};
use super::labels::{self, Label};
use super::svg::{self, Column, Figure, Segment, Swatch, chartable};

fn swatch(colour: &'static str, label: Label) -> Swatch {
    Swatch { colour, label }
}

/// One colour per source, N2O pathways in shades of one hue, so the stack reads by gas.
fn source_swatch(source: pb::EmissionSource) -> Swatch {
    use pb::EmissionSource as S;
    let colour = match source {
        S::ManureCh4 => "#d9822b",
        S::ManureN2oDirect => "#2f5f98",
        S::ManureN2oVolatilisation => "#5b8fcc",
        S::ManureN2oLeaching => "#9dbfe6",
        S::Electricity => "#7b5ea7",
        S::Diesel => "#595959",
        S::FertilizerN => "#4e8f3f",
        S::FertilizerP2o5 => "#84b96f",
        S::FertilizerK2o => "#b9d9a6",
        S::Unspecified => "#a0a0a0",
    };
    swatch(colour, labels::emission_source(source))
}

/// The reduction by gas: CH4 in the manure CH4 colour, N2O in a darker blue than any single
/// pathway, project energy (subtracted) in its own colour.
fn gas_swatch(gas: pb::Gas) -> Swatch {
    match gas {
        pb::Gas::Ch4 => source_swatch(pb::EmissionSource::ManureCh4),
        pb::Gas::N2o => swatch(
            "#1c3d66",
            Label {
                zh: "氧化亚氮（全部途径）",
                en: "N2O, all pathways",
            },
        ),
        _ => swatch("#a0a0a0", labels::gas(gas)),
    }
}

fn energy_swatch() -> Swatch {
    swatch("#b08fd8", labels::PROJECT_ENERGY)
}

fn central(bounds: &Option<pb::Bounds>) -> Option<rust_decimal::Decimal> {
    bounds
        .as_ref()
        .and_then(|b| b.central.as_ref())
        .and_then(|c| chartable(&c.value))
}

fn line_segments(lines: &[pb::EmissionLine]) -> Vec<Segment> {
    lines
        .iter()
        .filter_map(|line| {
            Some(Segment {
                value: central(&line.tco2e_per_year)?,
                swatch: source_swatch(line.source()),
            })
        })
        .collect()
}

fn column(label: Label, segments: Vec<Segment>, path: &str, bounds: &Option<pb::Bounds>) -> Column {
    let end = |name: &str, value: Option<&Option<pb::Decimal>>| {
        value.and_then(|v| Figure::of(format!("{path}.{name}"), v))
    };
    let b = bounds.as_ref();
    Column {
        label,
        segments,
        low: end("low", b.map(|b| &b.low)),
        central: end("central", b.map(|b| &b.central)),
        high: end("high", b.map(|b| &b.high)),
    }
}

/// Manure management by gas, less project energy: the parts of the emission reduction.
fn reduction_segments(reduction: &pb::Reduction) -> Vec<Segment> {
    let mut segments: Vec<Segment> = reduction
        .manure_management_by_gas
        .iter()
        .filter_map(|g| {
            Some(Segment {
                value: central(&g.tco2e_per_year)?,
                swatch: gas_swatch(g.gas()),
            })
        })
        .collect();
    if let Some(energy) = central(&reduction.project_energy_tco2e_per_year) {
        segments.push(Segment {
            value: -energy,
            swatch: energy_swatch(),
        });
    }
    segments
}

fn chart_columns(carbon: &pb::CarbonResult) -> Vec<Column> {
    let mut columns = Vec::new();
    if let Some(baseline) = &carbon.baseline {
        columns.push(column(
            labels::BASELINE,
            line_segments(&baseline.lines),
            "carbon.baseline.total_tco2e_per_year",
            &baseline.total_tco2e_per_year,
        ));
    }
    if let Some(project) = &carbon.project {
        columns.push(column(
            labels::PROJECT_SCENARIO,
            line_segments(&project.lines),
            "carbon.project.total_tco2e_per_year",
            &project.total_tco2e_per_year,
        ));
    }
    if let Some(reduction) = &carbon.reduction {
        columns.push(column(
            labels::REDUCTION,
            reduction_segments(reduction),
            "carbon.reduction.emission_reduction_tco2e_per_year",
            &reduction.emission_reduction_tco2e_per_year,
        ));
    }
    // Avoided emissions only when the module was on: PCAF keeps them apart from the
    // reduction, so they get columns of their own rather than a share of its bar.
    if let (Some(avoided), Some(reduction)) = (&carbon.avoided, &carbon.reduction)
        && !avoided.lines.is_empty()
    {
        columns.push(column(
            labels::AVOIDED,
            line_segments(&avoided.lines),
            "carbon.avoided.total_tco2e_per_year",
            &avoided.total_tco2e_per_year,
        ));
        let mut total = reduction_segments(reduction);
        total.extend(line_segments(&avoided.lines));
        columns.push(column(
            labels::TOTAL_REDUCTION,
            total,
            "carbon.reduction.total_tco2e_per_year",
            &reduction.total_tco2e_per_year,
        ));
    }
    columns
}

pub fn emissions(carbon: Option<&pb::CarbonResult>) -> String {
    let Some(carbon) = carbon else {
        return format!(r#"<p class="no-carbon">{}</p>"#, labels::NO_CARBON.html());
    };
    let mut html = carbon_settings(carbon);
    html.push_str(&format!("<h3>{}</h3>", labels::EMISSIONS_CHART.html()));
    html.push_str(&svg::emissions_chart(&chart_columns(carbon)));
    html.push_str(&lines_table(carbon));
    if let Some(reduction) = &carbon.reduction {
        html.push_str(&reduction_table(reduction));
    }
    html.push_str(&key_values(&[
        (labels::FRAMEWORK, note(&carbon.framework)),
        (labels::BOUNDS_MEANING, note(&carbon.bounds_meaning)),
    ]));
    html
}

fn carbon_settings(carbon: &pb::CarbonResult) -> String {
    let system = |scenario: Option<&pb::ScenarioEmissions>| match scenario {
        Some(s) => labels::manure_system(s.manure_system()).html(),
        None => ABSENT.to_owned(),
    };
    key_values(&[
        (
            labels::GWP,
            format!(
                "{} {}",
                labels::gwp_set(carbon.gwp_set()).html(),
                note(&format!("({})", carbon.factor_set))
            ),
        ),
        (labels::GWP_CH4, decimal("carbon.gwp_ch4", &carbon.gwp_ch4)),
        (labels::GWP_N2O, decimal("carbon.gwp_n2o", &carbon.gwp_n2o)),
        (labels::GWP_SOURCE, note(&carbon.gwp_source)),
        (labels::BASELINE_SYSTEM, system(carbon.baseline.as_ref())),
        (labels::PROJECT_SYSTEM, system(carbon.project.as_ref())),
    ])
}

/// Every emission line of each scenario, then the scenario's total.
fn lines_table(carbon: &pb::CarbonResult) -> String {
    let mut table = Table::new(
        "emission-lines",
        &[
            labels::SCENARIO,
            labels::SOURCE,
            labels::GAS,
            labels::GAS_T,
            labels::LOW,
            labels::CENTRAL,
            labels::HIGH,
        ],
        &[false, false, false, true, true, true, true],
    );
    let scenarios = [
        (
            labels::BASELINE,
            "carbon.baseline",
            carbon
                .baseline
                .as_ref()
                .map(|s| (&s.lines, &s.total_tco2e_per_year)),
        ),
        (
            labels::PROJECT_SCENARIO,
            "carbon.project",
            carbon
                .project
                .as_ref()
                .map(|s| (&s.lines, &s.total_tco2e_per_year)),
        ),
        (
            labels::AVOIDED,
            "carbon.avoided",
            carbon
                .avoided
                .as_ref()
                .map(|s| (&s.lines, &s.total_tco2e_per_year)),
        ),
    ];
    for (label, path, scenario) in scenarios {
        let Some((lines, total)) = scenario else {
            continue;
        };
        for (i, line) in lines.iter().enumerate() {
            let p = format!("{path}.lines[{i}]");
            let gas_central = line.gas_t_per_year.as_ref().and_then(|b| b.central.clone());
            let mut cells = vec![
                label.html(),
                format!(
                    "{}<br>{}",
                    labels::emission_source(line.source()).html(),
                    note(&line.name)
                ),
                labels::gas(line.gas()).html(),
                decimal(&format!("{p}.gas_t_per_year.central"), &gas_central),
            ];
            cells.extend(bounds_cells(
                &format!("{p}.tco2e_per_year"),
                &line.tco2e_per_year,
            ));
            table.row(&cells);
        }
        if lines.is_empty() && label == labels::AVOIDED {
            continue;
        }
        let mut cells = vec![
            format!("{} {}", label.html(), labels::TOTAL.html()),
            String::new(),
            String::new(),
            String::new(),
        ];
        cells.extend(bounds_cells(&format!("{path}.total_tco2e_per_year"), total));
        table.row_with_class("total", &cells);
    }
    format!(
        "<h3>{} {}</h3>{}",
        labels::SOURCE.html(),
        note(&format!("({})", labels::TCO2E_PER_YEAR.text())),
        table.finish()
    )
}

fn reduction_table(reduction: &pb::Reduction) -> String {
    let mut table = Table::new(
        "reduction",
        &[
            labels::REDUCTION,
            labels::LOW,
            labels::CENTRAL,
            labels::HIGH,
        ],
        &[false, true, true, true],
    );
    let mut row = |class: &str, label: String, path: &str, bounds: &Option<pb::Bounds>| {
        let mut cells = vec![label];
        cells.extend(bounds_cells(&format!("carbon.reduction.{path}"), bounds));
        table.row_with_class(class, &cells);
    };
    for (i, gas) in reduction.manure_management_by_gas.iter().enumerate() {
        row(
            "",
            format!(
                "{} · {}",
                labels::MANURE_MANAGEMENT.html(),
                labels::gas(gas.gas()).html()
            ),
            &format!("manure_management_by_gas[{i}].tco2e_per_year"),
            &gas.tco2e_per_year,
        );
    }
    let totals = [
        (
            labels::MANURE_MANAGEMENT,
            "manure_management_tco2e_per_year",
            &reduction.manure_management_tco2e_per_year,
        ),
        (
            labels::PROJECT_ENERGY,
            "project_energy_tco2e_per_year",
            &reduction.project_energy_tco2e_per_year,
        ),
        (
            labels::EMISSION_REDUCTION,
            "emission_reduction_tco2e_per_year",
            &reduction.emission_reduction_tco2e_per_year,
        ),
        (
            labels::AVOIDED,
            "avoided_tco2e_per_year",
            &reduction.avoided_tco2e_per_year,
        ),
        (
            labels::TOTAL_REDUCTION,
            "total_tco2e_per_year",
            &reduction.total_tco2e_per_year,
        ),
    ];
    for (label, path, bounds) in totals {
        let class = if path.starts_with("emission_reduction") || path.starts_with("total") {
            "total"
        } else {
            ""
        };
        row(class, label.html(), path, bounds);
    }
    format!(
        "<h3>{} {}</h3>{}",
        labels::REDUCTION.html(),
        note(&format!("({})", labels::TCO2E_PER_YEAR.text())),
        table.finish()
    )
}

pub fn attribution(carbon: Option<&pb::CarbonResult>) -> String {
    let Some(a) = carbon.and_then(|c| c.attribution.as_ref()) else {
        return format!("<p>{}</p>", labels::NO_ATTRIBUTION.html());
    };
    let p = |field: &str| format!("carbon.attribution.{field}");
    let mut html = key_values(&[
        (
            labels::PBOC_SHARE,
            decimal(&p("pboc_loan_share"), &a.pboc_loan_share),
        ),
        (
            labels::PBOC_REDUCTION,
            bounds_inline(
                &p("pboc_attributed_emission_reduction_tco2e_per_year"),
                &a.pboc_attributed_emission_reduction_tco2e_per_year,
            ),
        ),
        (
            labels::PBOC_TOTAL,
            bounds_inline(
                &p("pboc_attributed_total_tco2e_per_year"),
                &a.pboc_attributed_total_tco2e_per_year,
            ),
        ),
        (
            labels::PCAF_FACTOR,
            decimal(&p("pcaf_attribution_factor"), &a.pcaf_attribution_factor),
        ),
        (
            labels::PCAF_FINANCED,
            bounds_inline(
                &p("pcaf_financed_emissions_tco2e_per_year"),
                &a.pcaf_financed_emissions_tco2e_per_year,
            ),
        ),
        (
            labels::PCAF_REDUCTION,
            bounds_inline(
                &p("pcaf_attributed_emission_reduction_tco2e_per_year"),
                &a.pcaf_attributed_emission_reduction_tco2e_per_year,
            ),
        ),
        (
            labels::PCAF_AVOIDED,
            bounds_inline(
                &p("pcaf_attributed_avoided_tco2e_per_year"),
                &a.pcaf_attributed_avoided_tco2e_per_year,
            ),
        ),
        (
            labels::PCAF_SCORE,
            format!(
                "{}<br>{}",
                figure(
                    &p("pcaf_data_quality_score"),
                    &a.pcaf_data_quality_score.to_string()
                ),
                note(&a.pcaf_data_quality_reason)
            ),
        ),
        (
            labels::PER_10K_CNY,
            bounds_inline(
                &p("total_tco2e_per_year_per_10k_cny_loan"),
                &a.total_tco2e_per_year_per_10k_cny_loan,
            ),
        ),
        (
            labels::ABATEMENT_COST,
            format!(
                "{}<br>{}",
                decimal(
                    &p("abatement_cost_cny_per_tco2e"),
                    &a.abatement_cost_cny_per_tco2e
                ),
                note(&a.abatement_cost_basis)
            ),
        ),
    ]);
    html.push_str(&pcaf_by_year(a));
    html
}

fn pcaf_by_year(a: &pb::LoanAttribution) -> String {
    let mut table = Table::new(
        "pcaf-years",
        &[
            labels::LOAN_YEAR,
            labels::OUTSTANDING,
            labels::FACTOR,
            labels::ATTRIBUTED_TOTAL,
        ],
        &[true, true, true, true],
    );
    for (i, year) in a.pcaf_by_loan_year.iter().enumerate() {
        let p = |field: &str| format!("carbon.attribution.pcaf_by_loan_year[{i}].{field}");
        table.row(&[
            figure(&p("loan_year"), &year.loan_year.to_string()),
            decimal(
                &p("outstanding_at_start_cny"),
                &year.outstanding_at_start_cny,
            ),
            decimal(&p("attribution_factor"), &year.attribution_factor),
            decimal(
                &p("attributed_total_tco2e_per_year"),
                &year.attributed_total_tco2e_per_year,
            ),
        ]);
    }
    format!("<h3>{}</h3>{}", labels::PCAF_BY_YEAR.html(), table.finish())
}

/// Whether a trace input is a factor (of the set, overridden, or a default standing in for a
/// missing measurement), whose `reference` is then the factor id.
fn is_factor(origin: pb::TraceInputOrigin) -> bool {
    use pb::TraceInputOrigin as O;
    matches!(
        origin,
        O::Factor | O::FactorOverride | O::DefaultForMissingInput
    )
}

/// Step ids, each allowed to break after its dots rather than anywhere in a word.
fn step_list(steps: &[&str]) -> String {
    let ids: Vec<String> = steps
        .iter()
        .map(|step| escape(step).replace('.', ".<wbr>"))
        .collect();
    format!(r#"<span class="note">{}</span>"#, ids.join(", "))
}

/// The trace steps that use factor `id`, in trace order.
fn steps_using<'a>(carbon: &'a pb::CarbonResult, id: &str) -> Vec<&'a str> {
    carbon
        .trace
        .iter()
        .filter(|step| {
            step.inputs
                .iter()
                .any(|input| is_factor(input.origin()) && input.reference == id)
        })
        .map(|step| step.step.as_str())
        .collect()
}

/// Every factor used with its value, range, unit, origin and citation, and the trace steps
/// that use it; a factor the trace uses but the list lacks is shown too, marked as such.
pub fn factors(carbon: Option<&pb::CarbonResult>) -> String {
    let Some(carbon) = carbon else {
        return format!("<p>{}</p>", labels::NO_CARBON.html());
    };
    let mut table = Table::new(
        "factors",
        &[
            labels::FACTOR_ID,
            labels::VALUE,
            labels::LOW,
            labels::HIGH,
            labels::UNIT,
            labels::ORIGIN,
            labels::CITATION,
            labels::USED_IN,
        ],
        &[false, true, true, true, false, false, false, false],
    );
    for (i, factor) in carbon.factors_used.iter().enumerate() {
        let p = |field: &str| format!("carbon.factors_used[{i}].{field}");
        let mut source = escape(&factor.source);
        if !factor.note.is_empty() {
            source.push_str(&format!("<br>{}", note(&factor.note)));
        }
        table.row(&[
            figure(&p("factor_id"), &factor.factor_id),
            decimal(&p("value"), &factor.value),
            decimal(&p("low"), &factor.low),
            decimal(&p("high"), &factor.high),
            escape(&factor.unit),
            labels::factor_origin(factor.origin()).html(),
            source,
            step_list(&steps_using(carbon, &factor.factor_id)),
        ]);
    }
    for (reference, unit, value) in unlisted_factors(carbon) {
        table.row(&[
            escape(reference),
            escape(&group_thousands(value)),
            String::new(),
            String::new(),
            escape(unit),
            String::new(),
            note(&labels::NOT_IN_FACTOR_LIST.text()),
            step_list(&steps_using(carbon, reference)),
        ]);
    }
    table.finish()
}

/// Factor inputs of the trace whose id the factor list does not name: the reference, the
/// unit and the central value, once each.
fn unlisted_factors(carbon: &pb::CarbonResult) -> Vec<(&str, &str, &str)> {
    let mut unlisted: Vec<(&str, &str, &str)> = Vec::new();
    let inputs = carbon.trace.iter().flat_map(|step| &step.inputs);
    for input in inputs.filter(|input| is_factor(input.origin())) {
        let listed = carbon
            .factors_used
            .iter()
            .any(|f| f.factor_id == input.reference);
        if listed || unlisted.iter().any(|(r, _, _)| *r == input.reference) {
            continue;
        }
        let value = input
            .value
            .as_ref()
            .and_then(|b| b.central.as_ref())
            .map_or("", |d| d.value.as_str());
        unlisted.push((&input.reference, &input.unit, value));
    }
    unlisted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(low: &str, central: &str, high: &str) -> Option<pb::Bounds> {
        let d = |v: &str| {
            Some(pb::Decimal {
                value: v.to_owned(),
            })
        };
        Some(pb::Bounds {
            low: d(low),
            central: d(central),
            high: d(high),
        })
    }

    fn input(origin: pb::TraceInputOrigin, reference: &str) -> pb::TraceInput {
        pb::TraceInput {
            symbol: "x".to_owned(),
            value: bounds("1", "2", "3"),
            unit: "u".to_owned(),
            origin: origin as i32,
            reference: reference.to_owned(),
        }
    }

    #[test]
    fn the_factor_table_names_the_steps_and_the_factors_the_list_lacks() {
        let carbon = pb::CarbonResult {
            factors_used: vec![pb::FactorUse {
                factor_id: "b0.layers.low".to_owned(),
                source: "IPCC <2019>".to_owned(),
                ..Default::default()
            }],
            trace: vec![
                pb::TraceStep {
                    step: "baseline.manure.ch4".to_owned(),
                    inputs: vec![
                        input(pb::TraceInputOrigin::Factor, "b0.layers.low"),
                        input(pb::TraceInputOrigin::Request, "operations.x"),
                    ],
                    ..Default::default()
                },
                pb::TraceStep {
                    step: "project.manure.ch4".to_owned(),
                    inputs: vec![
                        input(pb::TraceInputOrigin::Factor, "b0.layers.low"),
                        input(pb::TraceInputOrigin::FactorOverride, "mcf.other"),
                        input(pb::TraceInputOrigin::FactorOverride, "mcf.other"),
                    ],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let html = factors(Some(&carbon));
        assert!(
            html.contains("baseline.<wbr>manure.<wbr>ch4, project.<wbr>manure.<wbr>ch4"),
            "{html}"
        );
        assert!(html.contains("IPCC &lt;2019&gt;"), "{html}");
        assert_eq!(unlisted_factors(&carbon), vec![("mcf.other", "u", "2")]);
        assert!(
            !html.contains("operations.<wbr>x"),
            "request inputs are not factors"
        );
    }

    #[test]
    fn avoided_emissions_get_columns_of_their_own_only_when_there_are_any() {
        let line = |source: pb::EmissionSource| pb::EmissionLine {
            source: source as i32,
            tco2e_per_year: bounds("1", "2", "3"),
            ..Default::default()
        };
        let mut carbon = pb::CarbonResult {
            baseline: Some(pb::ScenarioEmissions {
                lines: vec![line(pb::EmissionSource::ManureCh4)],
                total_tco2e_per_year: bounds("1", "2", "3"),
                ..Default::default()
            }),
            reduction: Some(pb::Reduction {
                project_energy_tco2e_per_year: bounds("0.5", "0.5", "0.5"),
                ..Default::default()
            }),
            avoided: Some(pb::AvoidedEmissions::default()),
            ..Default::default()
        };
        let columns = chart_columns(&carbon);
        assert_eq!(columns.len(), 2);
        assert_eq!(
            columns[1].segments[0].value,
            -rust_decimal::Decimal::new(5, 1)
        );
        carbon.avoided = Some(pb::AvoidedEmissions {
            lines: vec![line(pb::EmissionSource::FertilizerN)],
            total_tco2e_per_year: bounds("1", "2", "3"),
        });
        let labels: Vec<Label> = chart_columns(&carbon).iter().map(|c| c.label).collect();
        assert_eq!(
            labels,
            [
                labels::BASELINE,
                labels::REDUCTION,
                labels::AVOIDED,
                labels::TOTAL_REDUCTION
            ]
        );
    }
}
