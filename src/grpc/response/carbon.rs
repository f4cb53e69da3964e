//! The carbon block and the mass balance of AssessResponse. Emissions are rounded at the
//! request's emissions_dp; every table of parts is allocated to its shown total, for the low,
//! central and high rows alike, keeping each part's low <= central <= high, and the reduction
//! chain (total -> components -> gases -> scenario totals -> lines) is allocated top down so
//! each level adds up to the one above.

use rust_decimal::Decimal;

use crate::domain::carbon::attribution::{
    ABATEMENT_COST_BASIS, LoanAttribution, PCAF_DATA_QUALITY_REASON, PCAF_DATA_QUALITY_SCORE,
};
use crate::domain::carbon::bounds::Bounds;
use crate::domain::carbon::factor_id::{GwpSet, ManureSystem};
use crate::domain::carbon::resolve::FactorUse;
use crate::domain::carbon::trace::{InputOrigin, TraceStep};
use crate::domain::carbon::{
    BOUNDS_MEANING, CarbonEstimate, EmissionLine, EmissionSource, FRAMEWORK, LineGas,
};
use crate::domain::decimal_text::{same_bits, to_text};
use crate::domain::mass_balance::MassBalance;
use crate::domain::presentation::{Presenter, ShownBounds, exact};
use crate::pb;

use super::{exact_text, text};

fn ends(b: &Bounds) -> ShownBounds {
    [b.low, b.central, b.high]
}

fn message(shown: ShownBounds) -> Option<pb::Bounds> {
    written_bounds(shown, to_text)
}

/// The three ends as text. An end with the central value's bits (an exact value, or an
/// exact part of a table) is a copy of its text, not written again: the same bits are the
/// same text.
fn written_bounds(
    [low, central, high]: ShownBounds,
    write: fn(Decimal) -> String,
) -> Option<pb::Bounds> {
    let central_text = write(central);
    let end = |value: Decimal| {
        if same_bits(value, central) {
            central_text.clone()
        } else {
            write(value)
        }
    };
    Some(pb::Bounds {
        low: text(end(low)),
        high: text(end(high)),
        central: text(central_text),
    })
}

/// Rounds and allocates at the request's emissions_dp.
struct Allocator<'p> {
    presenter: &'p Presenter,
}

impl Allocator<'_> {
    fn dp(&self) -> u32 {
        self.presenter.emissions_dp
    }
    fn total(&self, b: &Bounds) -> ShownBounds {
        ends(b).map(|v| self.presenter.round(v, self.dp()))
    }
    fn split(&self, parts: &[Bounds], total: ShownBounds) -> Vec<ShownBounds> {
        let parts: Vec<ShownBounds> = parts.iter().map(ends).collect();
        self.presenter.allocate_bounds(&parts, total, self.dp())
    }
    fn moved(&self, b: &Bounds, shown_central: Decimal) -> ShownBounds {
        self.presenter
            .moved_total(ends(b), shown_central, self.dp())
    }
    fn bounds(&self, b: &Bounds) -> Option<pb::Bounds> {
        message(self.total(b))
    }
}

fn negated(shown: ShownBounds) -> ShownBounds {
    let [low, central, high] = shown;
    [-high, -central, -low].map(|mut v| {
        if v.is_zero() {
            v.set_sign_positive(true);
        }
        v
    })
}

pub(super) fn carbon_result(
    estimate: CarbonEstimate,
    attribution: &LoanAttribution,
    presenter: &Presenter,
    detailed: bool,
) -> pb::CarbonResult {
    let at = Allocator { presenter };
    // Top down: total -> (emission reduction, avoided) -> (manure management, -energy) -> gases.
    let total = at.total(&estimate.total_tco2e);
    let [reduction, avoided] = two(at.split(
        &[estimate.emission_reduction_tco2e, estimate.avoided_tco2e],
        total,
    ));
    let [manure, negative_energy] = two(at.split(
        &[
            estimate.manure_management_tco2e,
            -estimate.project_energy_tco2e,
        ],
        reduction,
    ));
    let energy = negated(negative_energy);
    let gas_bounds: Vec<Bounds> = estimate
        .manure_by_gas
        .iter()
        .map(|g| g.tco2e_per_year)
        .collect();
    let gas_shown = at.split(&gas_bounds, manure);

    // The scenarios: baseline total - project manure total = the manure figure (central);
    // their bounds keep their own rounded distances.
    let manure_lines = estimate
        .project_lines
        .iter()
        .filter(|l| {
            !matches!(
                l.source,
                EmissionSource::Electricity | EmissionSource::Diesel
            )
        })
        .count();
    let sum = |lines: &[EmissionLine]| -> Bounds { lines.iter().map(|l| l.tco2e_per_year).sum() };
    let (baseline_exact, project_manure_exact) = (
        sum(&estimate.baseline_lines),
        sum(&estimate.project_lines[..manure_lines]),
    );
    let central = presenter.allocate(
        &[baseline_exact.central, -project_manure_exact.central],
        manure[1],
        presenter.emissions_dp,
    );
    let baseline_total = at.moved(&baseline_exact, central[0]);
    let project_manure_total = at.moved(&project_manure_exact, -central[1]);
    let project_total: ShownBounds = std::array::from_fn(|i| project_manure_total[i] + energy[i]);

    let mut project_manure = estimate.project_lines;
    let project_energy = project_manure.split_off(manure_lines);
    let baseline_lines = emission_lines(&at, estimate.baseline_lines, baseline_total);
    let mut project_lines = emission_lines(&at, project_manure, project_manure_total);
    project_lines.extend(emission_lines(&at, project_energy, energy));

    let avoided_lines = emission_lines(&at, estimate.avoided_lines, avoided);
    let reduction = pb::Reduction {
        manure_management_by_gas: estimate
            .manure_by_gas
            .iter()
            .zip(gas_shown)
            .map(|(g, shown)| pb::GasReduction {
                gas: gas(g.gas) as i32,
                gas_t_per_year: at.bounds(&g.gas_t_per_year),
                tco2e_per_year: message(shown),
            })
            .collect(),
        manure_management_tco2e_per_year: message(manure),
        project_energy_tco2e_per_year: message(energy),
        emission_reduction_tco2e_per_year: message(reduction),
        avoided_tco2e_per_year: message(avoided),
        total_tco2e_per_year: message(total),
    };
    let (factors_used, trace) = if detailed {
        (
            estimate.factors_used.into_iter().map(factor_use).collect(),
            estimate.trace.into_iter().map(trace_step).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    pb::CarbonResult {
        factor_set: estimate.factor_set_name,
        gwp_set: gwp_set(estimate.gwp.set) as i32,
        gwp_ch4: exact_text(estimate.gwp.ch4.value.central),
        gwp_n2o: exact_text(estimate.gwp.n2o.value.central),
        gwp_source: estimate.gwp.ch4.source.clone(),
        framework: FRAMEWORK.to_owned(),
        bounds_meaning: BOUNDS_MEANING.to_owned(),
        baseline: Some(pb::ScenarioEmissions {
            manure_system: manure_system(estimate.baseline_system),
            lines: baseline_lines,
            total_tco2e_per_year: message(baseline_total),
        }),
        project: Some(pb::ScenarioEmissions {
            manure_system: manure_system(estimate.project_system),
            lines: project_lines,
            total_tco2e_per_year: message(project_total),
        }),
        avoided: Some(pb::AvoidedEmissions {
            lines: avoided_lines,
            total_tco2e_per_year: message(avoided),
        }),
        reduction: Some(reduction),
        attribution: Some(loan_attribution(&at, attribution, presenter)),
        factors_used,
        trace,
    }
}

fn two(parts: Vec<ShownBounds>) -> [ShownBounds; 2] {
    [parts[0], parts[1]]
}

/// Each line's CO2e allocated to the shown total; its gas mass rounded on its own, so that a
/// mass never depends on the GWP set through its neighbours' allocation.
fn emission_lines(
    at: &Allocator,
    lines: Vec<EmissionLine>,
    total: ShownBounds,
) -> Vec<pb::EmissionLine> {
    let rows: Vec<Bounds> = lines.iter().map(|l| l.tco2e_per_year).collect();
    lines
        .into_iter()
        .zip(at.split(&rows, total))
        .map(|(line, shown)| pb::EmissionLine {
            source: emission_source(line.source) as i32,
            gas: gas(line.gas) as i32,
            gas_t_per_year: at.bounds(&line.gas_t_per_year),
            tco2e_per_year: message(shown),
            name: line.name,
            trace_step: line.trace_step,
        })
        .collect()
}

fn loan_attribution(
    at: &Allocator,
    a: &LoanAttribution,
    presenter: &Presenter,
) -> pb::LoanAttribution {
    let ratio = |d: Decimal| text(presenter.ratio(d));
    pb::LoanAttribution {
        pboc_loan_share: ratio(a.pboc_loan_share),
        pboc_attributed_emission_reduction_tco2e_per_year: at
            .bounds(&a.pboc_emission_reduction_tco2e),
        pboc_attributed_total_tco2e_per_year: at.bounds(&a.pboc_total_tco2e),
        pcaf_attribution_factor: ratio(a.pcaf_attribution_factor),
        pcaf_financed_emissions_tco2e_per_year: at.bounds(&a.pcaf_financed_emissions_tco2e),
        pcaf_attributed_emission_reduction_tco2e_per_year: at
            .bounds(&a.pcaf_emission_reduction_tco2e),
        pcaf_attributed_avoided_tco2e_per_year: at.bounds(&a.pcaf_avoided_tco2e),
        pcaf_data_quality_score: PCAF_DATA_QUALITY_SCORE,
        pcaf_data_quality_reason: PCAF_DATA_QUALITY_REASON.to_owned(),
        pcaf_by_loan_year: a
            .pcaf_by_loan_year
            .iter()
            .map(|y| pb::PcafLoanYear {
                loan_year: y.loan_year,
                outstanding_at_start_cny: text(presenter.money(y.outstanding_at_start_cny)),
                attribution_factor: ratio(y.attribution_factor),
                attributed_total_tco2e_per_year: text(
                    presenter.emissions(y.attributed_total_tco2e),
                ),
            })
            .collect(),
        total_tco2e_per_year_per_10k_cny_loan: Some(pb::Bounds {
            low: ratio(a.total_tco2e_per_10k_cny_loan.low),
            central: ratio(a.total_tco2e_per_10k_cny_loan.central),
            high: ratio(a.total_tco2e_per_10k_cny_loan.high),
        }),
        abatement_cost_cny_per_tco2e: a
            .abatement_cost_cny_per_tco2e
            .and_then(|c| text(presenter.money(c))),
        abatement_cost_basis: ABATEMENT_COST_BASIS.to_owned(),
    }
}

fn exact_bounds(b: &Bounds) -> Option<pb::Bounds> {
    written_bounds(ends(b), exact)
}

/// A factor as a FULL answer lists it: a factor of the set without the set's texts
/// (`write_out` restores them), an override with its own.
fn factor_use(f: FactorUse) -> pb::FactorUse {
    let (origin, texts) = match f.origin {
        InputOrigin::FactorOverride => {
            (pb::FactorOrigin::Override, Some((f.unit, f.source, f.note)))
        }
        InputOrigin::DefaultForMissingInput => (pb::FactorOrigin::DefaultForMissingInput, None),
        _ => (pb::FactorOrigin::FactorSet, None),
    };
    let (unit, source, note) = texts.unwrap_or_default();
    pb::FactorUse {
        factor_id: f.id,
        value: exact_text(f.value.central),
        unit,
        low: exact_text(f.value.low),
        high: exact_text(f.value.high),
        origin: origin as i32,
        source,
        note,
    }
}

/// A step as a FULL answer lists it: its template's id, and of each input only what the
/// template does not say (`write_out` restores the rest).
fn trace_step(step: TraceStep) -> pb::TraceStep {
    let template = step.template;
    pb::TraceStep {
        step: step.step,
        template: template.id.to_owned(),
        equation: String::new(),
        expression: String::new(),
        inputs: step
            .inputs
            .into_iter()
            .zip(template.inputs)
            .map(|(input, said)| pb::TraceInput {
                symbol: String::new(),
                value: exact_bounds(&input.value),
                unit: unless_said(input.unit, said.unit),
                origin: match input.origin {
                    InputOrigin::Request => pb::TraceInputOrigin::Request,
                    InputOrigin::Factor => pb::TraceInputOrigin::Factor,
                    InputOrigin::FactorOverride => pb::TraceInputOrigin::FactorOverride,
                    InputOrigin::DefaultForMissingInput => {
                        pb::TraceInputOrigin::DefaultForMissingInput
                    }
                    InputOrigin::Constant => pb::TraceInputOrigin::Constant,
                    InputOrigin::Step => pb::TraceInputOrigin::Step,
                } as i32,
                reference: unless_said(input.reference, said.reference),
            })
            .collect(),
        result: exact_bounds(&step.result),
        result_unit: String::new(),
    }
}

/// An input's own text, or nothing where its template says the same (or it has none: then it
/// is the template's).
fn unless_said(own: Option<impl AsRef<str> + Into<String>>, template: &str) -> String {
    match own {
        Some(text) if text.as_ref() != template => text.into(),
        _ => String::new(),
    }
}

pub(super) fn gwp_set(set: GwpSet) -> pb::GwpSet {
    match set {
        GwpSet::Ar4 => pb::GwpSet::Ar4,
        GwpSet::Ar5 => pb::GwpSet::Ar5,
        GwpSet::Ar6 => pb::GwpSet::Ar6,
    }
}

fn manure_system(system: Option<ManureSystem>) -> i32 {
    use pb::ManureSystem as S;
    (match system {
        None => S::Unspecified,
        Some(ManureSystem::SolidStorage) => S::SolidStorage,
        Some(ManureSystem::DailySpread) => S::DailySpread,
        Some(ManureSystem::UncoveredAnaerobicLagoon) => S::UncoveredAnaerobicLagoon,
        Some(ManureSystem::CompostingInVessel) => S::CompostingInVessel,
        Some(ManureSystem::CompostingStaticPile) => S::CompostingStaticPile,
        Some(ManureSystem::CompostingIntensiveWindrow) => S::CompostingIntensiveWindrow,
        Some(ManureSystem::CompostingPassiveWindrow) => S::CompostingPassiveWindrow,
        Some(ManureSystem::PoultryManureWithoutLitter) => S::PoultryManureWithoutLitter,
    }) as i32
}

fn gas(gas: LineGas) -> pb::Gas {
    match gas {
        LineGas::Ch4 => pb::Gas::Ch4,
        LineGas::N2o => pb::Gas::N2o,
        LineGas::Co2 => pb::Gas::Co2,
        LineGas::Co2e => pb::Gas::Co2e,
    }
}

fn emission_source(source: EmissionSource) -> pb::EmissionSource {
    use pb::EmissionSource as S;
    match source {
        EmissionSource::ManureCh4 => S::ManureCh4,
        EmissionSource::ManureN2oDirect => S::ManureN2oDirect,
        EmissionSource::ManureN2oVolatilisation => S::ManureN2oVolatilisation,
        EmissionSource::ManureN2oLeaching => S::ManureN2oLeaching,
        EmissionSource::Electricity => S::Electricity,
        EmissionSource::Diesel => S::Diesel,
        EmissionSource::FertilizerN => S::FertilizerN,
        EmissionSource::FertilizerP2o5 => S::FertilizerP2o5,
        EmissionSource::FertilizerK2o => S::FertilizerK2o,
    }
}

pub(super) fn mass_balance(balance: &MassBalance, presenter: &Presenter) -> pb::MassBalance {
    let tonnes = |d: Decimal| text(presenter.ratio(d));
    pb::MassBalance {
        manure_dry_matter_t_per_day: exact_text(balance.manure_dry_matter_t_per_day),
        amendments_dry_matter_t_per_day: exact_text(balance.amendments_dry_matter_t_per_day),
        composting_dry_matter_loss_fraction: balance.dry_matter_loss_fraction.and_then(exact_text),
        tolerable_dry_matter_loss_fraction: tonnes(balance.tolerable_dry_matter_loss_fraction),
        dry_matter_out_t_per_day: exact_text(balance.dry_matter_out_t_per_day),
        product_max_moisture_fraction: exact_text(balance.product_max_moisture_fraction),
        product_capacity_t_per_day: tonnes(balance.product_capacity_t_per_day),
        product_stated_t_per_day: tonnes(balance.product_stated_t_per_day),
        closes: balance.closes,
        dry_matter_shortfall_t_per_day: tonnes(balance.dry_matter_shortfall_t_per_day),
    }
}
