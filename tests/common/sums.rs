//! Presented parts sum to presented totals: the economics and the carbon estimate.

use green_impact::pb;

use super::decimals::{decimal, ends};

/// Presented parts sum to presented totals: cash-flow lines, per-tonne figures, the schedule
/// and its loan years, and the carbon lines.
pub fn assert_parts_sum(request: &pb::AssessRequest, response: &pb::AssessResponse) {
    let cash_flow = response.annual_cash_flow.as_ref().unwrap();
    let (avoided, project_lines): (Vec<_>, Vec<_>) = cash_flow
        .lines
        .iter()
        .partition(|l| l.kind == pb::CashFlowLineKind::AvoidedBaselineCost as i32);
    let project_sum: rust_decimal::Decimal =
        project_lines.iter().map(|l| decimal(&l.cny_per_year)).sum();
    assert_eq!(project_sum, decimal(&cash_flow.project_only_cny_per_year));
    assert_eq!(
        project_sum + decimal(&avoided[0].cny_per_year),
        decimal(&cash_flow.incremental_cny_per_year)
    );

    let per_tonne = &response.cost_to_revenue.as_ref().unwrap().per_tonne;
    for basis in 1..=3 {
        use pb::PerTonneItem as Item;
        let figure = |item: Item| {
            decimal(
                &per_tonne
                    .iter()
                    .find(|f| f.basis == basis && f.item == item as i32)
                    .unwrap()
                    .cny_per_t,
            )
        };
        assert_eq!(
            figure(Item::FertilizerIncome) + figure(Item::OperatingSubsidies)
                - figure(Item::OperatingCosts),
            figure(Item::ProjectNetMargin)
        );
        assert_eq!(
            figure(Item::BaselineTreatmentCost) + figure(Item::ProjectNetMargin),
            figure(Item::SwingFromBaseline)
        );
    }

    let loan = response.loan.as_ref().unwrap();
    let principal = decimal(
        &request
            .loan
            .as_ref()
            .unwrap()
            .principal
            .as_ref()
            .unwrap()
            .amount,
    );
    let repaid: rust_decimal::Decimal =
        loan.periods.iter().map(|p| decimal(&p.principal_cny)).sum();
    let interest: rust_decimal::Decimal =
        loan.periods.iter().map(|p| decimal(&p.interest_cny)).sum();
    assert_eq!(repaid, principal);
    assert_eq!(decimal(&loan.total_principal_cny), principal);
    assert_eq!(interest, decimal(&loan.total_interest_cny));
    assert_eq!(
        interest + principal,
        decimal(&loan.total_instalments_cny),
        "instalments = interest + principal"
    );
    let cover = response.debt_service_cover.as_ref().unwrap();
    let by_year: rust_decimal::Decimal = cover
        .years
        .iter()
        .map(|y| decimal(&y.debt_service_cny))
        .sum();
    assert_eq!(by_year, decimal(&loan.total_instalments_cny));

    if let Some(carbon) = &response.carbon {
        assert_carbon_parts_sum(carbon);
    }
}

/// The presented carbon parts add up to the presented totals, for the low, central and high
/// rows alike: scenario and avoided lines to their totals; manure management - project energy
/// (its opposite end) + avoided to the total; emission reduction + avoided to the total; the
/// gases to manure management; and, centrally, baseline - project to the emission reduction.
pub fn assert_carbon_parts_sum(carbon: &pb::CarbonResult) {
    use rust_decimal::Decimal;
    let sum_of_ends = |bounds: &mut dyn Iterator<Item = &Option<pb::Bounds>>| -> [Decimal; 3] {
        let mut sum = [Decimal::ZERO; 3];
        for b in bounds {
            for (s, v) in sum.iter_mut().zip(ends(b)) {
                *s += v;
            }
        }
        sum
    };
    let line_sums =
        |lines: &[pb::EmissionLine]| sum_of_ends(&mut lines.iter().map(|l| &l.tco2e_per_year));
    let baseline = carbon.baseline.as_ref().expect("baseline");
    let project = carbon.project.as_ref().expect("project");
    let avoided = carbon.avoided.as_ref().expect("avoided");
    let reduction = carbon.reduction.as_ref().expect("reduction");
    let baseline_total = ends(&baseline.total_tco2e_per_year);
    let project_total = ends(&project.total_tco2e_per_year);
    let avoided_total = ends(&avoided.total_tco2e_per_year);
    let manure = ends(&reduction.manure_management_tco2e_per_year);
    let energy = ends(&reduction.project_energy_tco2e_per_year);
    let emission_reduction = ends(&reduction.emission_reduction_tco2e_per_year);
    let avoided_reduction = ends(&reduction.avoided_tco2e_per_year);
    let total = ends(&reduction.total_tco2e_per_year);
    let gases = sum_of_ends(
        &mut reduction
            .manure_management_by_gas
            .iter()
            .map(|g| &g.tco2e_per_year),
    );
    let mut presented: Vec<&Option<pb::Bounds>> = vec![
        &baseline.total_tco2e_per_year,
        &project.total_tco2e_per_year,
        &avoided.total_tco2e_per_year,
        &reduction.manure_management_tco2e_per_year,
        &reduction.project_energy_tco2e_per_year,
        &reduction.emission_reduction_tco2e_per_year,
        &reduction.total_tco2e_per_year,
    ];
    for line in baseline
        .lines
        .iter()
        .chain(&project.lines)
        .chain(&avoided.lines)
    {
        presented.extend([&line.gas_t_per_year, &line.tco2e_per_year]);
    }
    for gas in &reduction.manure_management_by_gas {
        presented.extend([&gas.gas_t_per_year, &gas.tco2e_per_year]);
    }
    for bounds in presented {
        let [low, central, high] = ends(bounds);
        assert!(
            low <= central && central <= high,
            "presented bounds out of order: {low} / {central} / {high}"
        );
    }
    let baseline_lines = line_sums(&baseline.lines);
    let project_lines = line_sums(&project.lines);
    let avoided_lines = line_sums(&avoided.lines);
    for (i, end) in ["low", "central", "high"].into_iter().enumerate() {
        let opposite = 2 - i;
        assert_eq!(
            baseline_lines[i], baseline_total[i],
            "{end}: baseline lines vs total"
        );
        assert_eq!(
            project_lines[i], project_total[i],
            "{end}: project lines vs total"
        );
        assert_eq!(
            avoided_lines[i], avoided_total[i],
            "{end}: avoided lines vs total"
        );
        assert_eq!(
            avoided_reduction[i], avoided_total[i],
            "{end}: avoided in the reduction"
        );
        assert_eq!(
            manure[i] - energy[opposite] + avoided_reduction[i],
            total[i],
            "{end}: manure management - project energy + avoided vs total"
        );
        assert_eq!(
            manure[i] - energy[opposite],
            emission_reduction[i],
            "{end}: manure management - project energy vs emission reduction"
        );
        assert_eq!(
            emission_reduction[i] + avoided_reduction[i],
            total[i],
            "{end}: emission reduction + avoided vs total"
        );
        assert_eq!(gases[i], manure[i], "{end}: gases vs manure management");
    }
    assert_eq!(
        baseline_total[1] - project_total[1],
        emission_reduction[1],
        "central: baseline - project vs emission reduction"
    );
}
