//! The insurer's and the exchange's views -> wire. Their figures are the request's inputs,
//! their exact differences and exact metric values, so nothing here is rounded: the values
//! are written exactly, without trailing zeros, as input quantities are elsewhere.

use crate::domain::eligibility::{self, EligibilityOutcome, Status, Value};
use crate::domain::insurer::{
    self, ConditionChange, ELevel, FacilityCondition, Hj941Grade, Hj941Medium, Hj941Result,
    InsurerView, LeakProneChange, MLevel, QLevel, SiteExposure, StorageType,
};
use crate::domain::presentation::exact;
use crate::pb;

use super::exact_text;

pub(super) fn insurer_view(view: &InsurerView) -> pb::InsurerView {
    let change = &view.change;
    pb::InsurerView {
        before: Some(site(&view.before)),
        after: Some(site(&view.after)),
        change: Some(pb::ExposureChange {
            untreated_manure_stock_t: exact_text(change.untreated_manure_stock_t),
            storage_capacity_days: exact_text(change.storage_capacity_days),
            nitrogen_handled_t_per_year: exact_text(change.nitrogen_handled_t_per_year),
            phosphorus_handled_t_per_year: exact_text(change.phosphorus_handled_t_per_year),
            distance_to_surface_water_m: exact_text(change.distance_to_surface_water_m),
            storage_type_changed: change.storage_type_changed,
            leak_prone_storage: match change.leak_prone_storage {
                LeakProneChange::Removed => pb::LeakProneChange::Removed,
                LeakProneChange::Introduced => pb::LeakProneChange::Introduced,
                LeakProneChange::StillLeakProne => pb::LeakProneChange::StillLeakProne,
                LeakProneChange::StillNotLeakProne => pb::LeakProneChange::StillNotLeakProne,
            } as i32,
            facility_condition: match change.facility_condition {
                ConditionChange::Improved => pb::ConditionChange::Improved,
                ConditionChange::Unchanged => pb::ConditionChange::Unchanged,
                ConditionChange::Worsened => pb::ConditionChange::Worsened,
            } as i32,
        }),
        flags: view
            .flags
            .iter()
            .map(|f| pb::ExposureFlag {
                code: f.code.to_owned(),
                field: f.field.clone(),
                message: f.message.clone(),
            })
            .collect(),
        hj941: view.hj941.iter().map(hj941).collect(),
        method: insurer::METHOD.to_owned(),
    }
}

fn site(site: &SiteExposure) -> pb::SiteExposureView {
    let storage = site.storage_type;
    pb::SiteExposureView {
        untreated_manure_stock_t: exact_text(site.untreated_manure_stock_t),
        storage_capacity_days: exact_text(site.storage_capacity_days),
        storage_type: match storage {
            StorageType::OpenPile => pb::StorageType::OpenPile,
            StorageType::CoveredShedImpermeableFloor => {
                pb::StorageType::CoveredShedImpermeableFloor
            }
            StorageType::LinedLagoon => pb::StorageType::LinedLagoon,
            StorageType::UnlinedLagoon => pb::StorageType::UnlinedLagoon,
            StorageType::SealedVessel => pb::StorageType::SealedVessel,
        } as i32,
        storage_type_leak_prone: storage.leak_prone(),
        storage_type_covered: storage.covered(),
        storage_type_basis: storage.basis(),
        nitrogen_handled_t_per_year: exact_text(site.nitrogen_handled_t_per_year),
        phosphorus_handled_t_per_year: exact_text(site.phosphorus_handled_t_per_year),
        distance_to_surface_water_m: exact_text(site.distance_to_surface_water_m),
        facility_condition: match site.facility_condition {
            FacilityCondition::Good => pb::FacilityCondition::Good,
            FacilityCondition::Fair => pb::FacilityCondition::Fair,
            FacilityCondition::Poor => pb::FacilityCondition::Poor,
        } as i32,
        facility_condition_description: site.facility_condition.description().to_owned(),
    }
}

fn hj941(result: &Hj941Result) -> pb::Hj941Result {
    let grade_origin = match result.stated_grade {
        Some(_) => pb::Hj941GradeOrigin::StatedByRequest,
        None => pb::Hj941GradeOrigin::NotDetermined,
    };
    pb::Hj941Result {
        medium: match result.medium {
            Hj941Medium::Air => pb::Hj941Medium::Air,
            Hj941Medium::Water => pb::Hj941Medium::Water,
        } as i32,
        q_level: match result.q_level {
            QLevel::Q0 => pb::Hj941QLevel::Q0,
            QLevel::Q1 => pb::Hj941QLevel::Q1,
            QLevel::Q2 => pb::Hj941QLevel::Q2,
            QLevel::Q3 => pb::Hj941QLevel::Q3,
        } as i32,
        q_ratio: result.q_ratio.and_then(exact_text),
        m_level: match result.m {
            MLevel::M1 => pb::Hj941MLevel::M1,
            MLevel::M2 => pb::Hj941MLevel::M2,
            MLevel::M3 => pb::Hj941MLevel::M3,
            MLevel::M4 => pb::Hj941MLevel::M4,
        } as i32,
        e_level: match result.e {
            ELevel::E1 => pb::Hj941ELevel::E1,
            ELevel::E2 => pb::Hj941ELevel::E2,
            ELevel::E3 => pb::Hj941ELevel::E3,
        } as i32,
        levels_code: result.levels_code(),
        grade: match result.stated_grade {
            None => pb::Hj941Grade::Unspecified,
            Some(Hj941Grade::General) => pb::Hj941Grade::General,
            Some(Hj941Grade::Larger) => pb::Hj941Grade::Larger,
            Some(Hj941Grade::Major) => pb::Hj941Grade::Major,
        } as i32,
        grade_origin: grade_origin as i32,
        grade_code: result.grade_code().unwrap_or_default(),
        note: insurer::HJ941_NOTE.to_owned(),
    }
}

fn status(status: Status) -> i32 {
    let wire = match status {
        Status::Met => pb::RuleStatus::Met,
        Status::NotMet => pb::RuleStatus::NotMet,
        Status::NotEvaluable => pb::RuleStatus::NotEvaluable,
    };
    wire as i32
}

fn metric_value(value: Value) -> pb::MetricValue {
    use pb::metric_value::Value as Wire;
    pb::MetricValue {
        value: Some(match value {
            Value::Decimal(d) => Wire::Decimal(pb::Decimal { value: exact(d) }),
            Value::Boolean(b) => Wire::Boolean(b),
        }),
    }
}

pub(super) fn eligibility(outcome: &EligibilityOutcome) -> pb::EligibilityResult {
    let set = &outcome.rule_set;
    let count = |s: Status| u32::try_from(outcome.count(s)).unwrap_or(u32::MAX);
    pb::EligibilityResult {
        rule_set: set.name(),
        title: set.title.clone(),
        description: set.description.clone(),
        rules: outcome
            .rules
            .iter()
            .map(|r| pb::RuleOutcome {
                id: r.rule.id.clone(),
                title: r.rule.title.clone(),
                source: r.rule.source.clone(),
                source_wording: r.rule.wording.clone(),
                mapping: r.rule.mapping.clone(),
                status: status(r.status),
                reason: r.reason.clone(),
                conditions: r
                    .conditions
                    .iter()
                    .map(|c| pb::ConditionOutcome {
                        metric: c.condition.metric.name().to_owned(),
                        unit: c.condition.metric.unit().to_owned(),
                        operator: c.condition.operator.symbol().to_owned(),
                        threshold: Some(metric_value(c.condition.threshold)),
                        value: c.value.map(metric_value),
                        status: status(c.status),
                        missing: c.missing.to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        met_count: count(Status::Met),
        not_met_count: count(Status::NotMet),
        not_evaluable_count: count(Status::NotEvaluable),
        method: eligibility::METHOD.to_owned(),
    }
}
