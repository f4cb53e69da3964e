//! The sustainability-linked KPIs of an AssessRequest.

use super::{Checker, Range};
use crate::domain::kpi::{Kpi, KpiMetric};
use crate::domain::limits::{
    FINE_DP, MAX_KPI_ANNUAL_TARGET, MAX_KPI_STEP_BPS, MAX_KPIS, MAX_NAME_CHARS,
};
use crate::pb;

/// `carbon_requested`: whether the request has a carbon block, without which an
/// emission-reduction KPI could never be measured.
pub(super) fn kpis(
    check: &mut Checker,
    kpis: &[pb::KpiTarget],
    carbon_requested: bool,
) -> Option<Vec<Kpi>> {
    check.list("kpis", kpis, (0, MAX_KPIS), |check, path, kpi| {
        let name = check.text(&format!("{path}.name"), &kpi.name, MAX_NAME_CHARS);
        let metric_field = format!("{path}.metric");
        let metric = check.enumeration(&metric_field, kpi.metric, |m| match m {
            pb::KpiMetric::Unspecified => None,
            pb::KpiMetric::ManureTreatedT => Some(KpiMetric::ManureTreatedT),
            pb::KpiMetric::ProductMadeT => Some(KpiMetric::ProductMadeT),
            pb::KpiMetric::EmissionReductionTco2e => Some(KpiMetric::EmissionReductionTco2e),
        });
        let unmeasurable = metric == Some(KpiMetric::EmissionReductionTco2e) && !carbon_requested;
        if unmeasurable {
            check.violation(
                metric_field,
                "an emission-reduction KPI needs the request's carbon block to be measured: \
                 add carbon or choose another metric",
            );
        }
        let annual_target = check.decimal(
            &format!("{path}.annual_target"),
            kpi.annual_target.as_ref(),
            FINE_DP,
            Range::positive(MAX_KPI_ANNUAL_TARGET),
        );
        let if_met = step(
            check,
            &format!("{path}.rate_step_bps_if_met"),
            kpi.rate_step_bps_if_met,
        );
        let if_missed = step(
            check,
            &format!("{path}.rate_step_bps_if_missed"),
            kpi.rate_step_bps_if_missed,
        );
        Some(Kpi {
            name: name?,
            metric: metric.filter(|_| !unmeasurable)?,
            annual_target: annual_target?,
            rate_step_bps_if_met: if_met?,
            rate_step_bps_if_missed: if_missed?,
        })
    })
}

fn step(check: &mut Checker, field: &str, bps: i32) -> Option<i32> {
    if (-MAX_KPI_STEP_BPS..=MAX_KPI_STEP_BPS).contains(&bps) {
        Some(bps)
    } else {
        check.violation(
            field,
            format!("must be from -{MAX_KPI_STEP_BPS} to {MAX_KPI_STEP_BPS} bps (got {bps})"),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::carbon::factor_set::FactorLibrary;
    use crate::domain::kpi::KpiMetric;
    use crate::domain::lpr::LprTable;
    use crate::pb;

    fn seed_with(kpis: Vec<pb::KpiTarget>, carbon: bool) -> pb::AssessRequest {
        let mut request = crate::json::assess_request_from_json(include_str!(
            "../../../examples/leshan-yaqing.json"
        ))
        .unwrap();
        request.kpis = kpis;
        if !carbon {
            request.carbon = None;
        }
        request
    }

    fn target(metric: pb::KpiMetric, annual_target: &str) -> pb::KpiTarget {
        pb::KpiTarget {
            name: "manure treated".to_owned(),
            metric: metric as i32,
            annual_target: Some(pb::Decimal {
                value: annual_target.to_owned(),
            }),
            rate_step_bps_if_met: -10,
            rate_step_bps_if_missed: 10,
        }
    }

    fn violated_fields(request: &pb::AssessRequest) -> Vec<String> {
        super::super::to_domain(request, &LprTable::embedded(), &FactorLibrary::built_in())
            .expect_err("the request is invalid")
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn valid_kpis_reach_the_assessment_input() {
        let request = seed_with(
            vec![
                target(pb::KpiMetric::ManureTreatedT, "30000"),
                target(pb::KpiMetric::EmissionReductionTco2e, "900.5"),
            ],
            true,
        );
        let (input, _) =
            super::super::to_domain(&request, &LprTable::embedded(), &FactorLibrary::built_in())
                .unwrap();
        let metrics: Vec<KpiMetric> = input.kpis.iter().map(|k| k.metric).collect();
        assert_eq!(
            metrics,
            [KpiMetric::ManureTreatedT, KpiMetric::EmissionReductionTco2e]
        );
        assert_eq!(input.kpis[1].annual_target.to_string(), "900.5");
        assert_eq!(input.kpis[0].rate_step_bps_if_met, -10);
    }

    #[test]
    fn every_kpi_violation_is_reported_with_its_path() {
        let mut bad = target(pb::KpiMetric::Unspecified, "0");
        bad.name = "a\u{7}".to_owned();
        bad.rate_step_bps_if_met = -1001;
        bad.rate_step_bps_if_missed = 1001;
        let mut unknown = target(pb::KpiMetric::ProductMadeT, "1000000000000.0000001");
        unknown.metric = 9;
        let request = seed_with(
            vec![
                target(pb::KpiMetric::ProductMadeT, "1000000000000"),
                bad,
                unknown,
            ],
            true,
        );
        assert_eq!(
            violated_fields(&request),
            [
                "kpis[1].name",
                "kpis[1].metric",
                "kpis[1].annual_target",
                "kpis[1].rate_step_bps_if_met",
                "kpis[1].rate_step_bps_if_missed",
                "kpis[2].metric",
                "kpis[2].annual_target",
            ]
        );
    }

    #[test]
    fn an_emission_kpi_needs_the_carbon_block() {
        let request = seed_with(
            vec![
                target(pb::KpiMetric::ManureTreatedT, "1"),
                target(pb::KpiMetric::EmissionReductionTco2e, "1"),
            ],
            false,
        );
        assert_eq!(violated_fields(&request), ["kpis[1].metric"]);
    }

    #[test]
    fn at_most_sixteen_kpis() {
        let request = seed_with(vec![target(pb::KpiMetric::ManureTreatedT, "1"); 17], true);
        assert_eq!(violated_fields(&request), ["kpis"]);
    }
}
