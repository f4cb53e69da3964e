//! The exchange's view: the assessment checked against a versioned, cited rule set. Each rule
//! is a conjunction of conditions over a closed vocabulary of metrics; a condition is met, not
//! met, or not evaluable when the assessment lacks its input, and a rule is met only when every
//! condition is, not met when any is not, and not evaluable otherwise.

pub mod rule_set;

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::carbon::CarbonEstimate;
use super::carbon::factor_id::ManureSystem;
use super::economics::AnnualFigures;
use super::insurer::InsurerView;
use super::mass_balance::MassBalance;
use super::presentation::exact;

pub use rule_set::{Condition, EligibilityLibrary, Operator, Rule, RuleSet};

pub const METHOD: &str = "Each rule holds when all of its conditions hold. A condition compares \
one metric of this assessment, from a closed vocabulary, with the rule's threshold, on the \
exact (unrounded) figure; it cannot be evaluated when the assessment lacks the input the \
metric needs (no carbon block, no manure-management module, no insurer block, no debt \
service). A rule is not met when any condition fails, not evaluable when none fails but one \
cannot be evaluated, and met otherwise. A rule's thresholds are those its source states; a \
source without a quantitative threshold is read as qualitative checks, and each rule says how \
it reads its source";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Decimal,
    Boolean,
}

/// The closed vocabulary a rule may test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    ProjectManureTreatedTPerYear,
    ProjectProductTPerYear,
    MassBalanceCloses,
    MinimumDscr,
    EmissionReductionLow,
    EmissionReductionCentral,
    TotalReductionLow,
    TotalReductionCentral,
    ProjectSystemIsComposting,
    InsurerBeforeLeakProne,
    InsurerAfterLeakProne,
    InsurerAfterCovered,
    InsurerAfterStorageCapacityDays,
    InsurerAfterDistanceToSurfaceWaterM,
    InsurerChangeUntreatedManureStockT,
}

impl Metric {
    pub const ALL: [Metric; 15] = [
        Metric::ProjectManureTreatedTPerYear,
        Metric::ProjectProductTPerYear,
        Metric::MassBalanceCloses,
        Metric::MinimumDscr,
        Metric::EmissionReductionLow,
        Metric::EmissionReductionCentral,
        Metric::TotalReductionLow,
        Metric::TotalReductionCentral,
        Metric::ProjectSystemIsComposting,
        Metric::InsurerBeforeLeakProne,
        Metric::InsurerAfterLeakProne,
        Metric::InsurerAfterCovered,
        Metric::InsurerAfterStorageCapacityDays,
        Metric::InsurerAfterDistanceToSurfaceWaterM,
        Metric::InsurerChangeUntreatedManureStockT,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::ProjectManureTreatedTPerYear => "project.manure_treated_t_per_year",
            Metric::ProjectProductTPerYear => "project.product_t_per_year",
            Metric::MassBalanceCloses => "mass_balance.closes",
            Metric::MinimumDscr => "debt_service_cover.minimum_dscr",
            Metric::EmissionReductionLow => "carbon.emission_reduction_low_tco2e_per_year",
            Metric::EmissionReductionCentral => "carbon.emission_reduction_central_tco2e_per_year",
            Metric::TotalReductionLow => "carbon.total_reduction_low_tco2e_per_year",
            Metric::TotalReductionCentral => "carbon.total_reduction_central_tco2e_per_year",
            Metric::ProjectSystemIsComposting => {
                "carbon.manure_management.project_system_is_composting"
            }
            Metric::InsurerBeforeLeakProne => "insurer.before.storage_type_leak_prone",
            Metric::InsurerAfterLeakProne => "insurer.after.storage_type_leak_prone",
            Metric::InsurerAfterCovered => "insurer.after.storage_type_covered",
            Metric::InsurerAfterStorageCapacityDays => "insurer.after.storage_capacity_days",
            Metric::InsurerAfterDistanceToSurfaceWaterM => {
                "insurer.after.distance_to_surface_water_m"
            }
            Metric::InsurerChangeUntreatedManureStockT => "insurer.change.untreated_manure_stock_t",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn kind(self) -> MetricKind {
        match self {
            Metric::MassBalanceCloses
            | Metric::ProjectSystemIsComposting
            | Metric::InsurerBeforeLeakProne
            | Metric::InsurerAfterLeakProne
            | Metric::InsurerAfterCovered => MetricKind::Boolean,
            _ => MetricKind::Decimal,
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Metric::ProjectManureTreatedTPerYear => "t fresh manure a year",
            Metric::ProjectProductTPerYear => "t product a year",
            Metric::MinimumDscr => "ratio",
            Metric::EmissionReductionLow
            | Metric::EmissionReductionCentral
            | Metric::TotalReductionLow
            | Metric::TotalReductionCentral => "tCO2e a year",
            Metric::InsurerAfterStorageCapacityDays => "days",
            Metric::InsurerAfterDistanceToSurfaceWaterM => "m",
            Metric::InsurerChangeUntreatedManureStockT => "t fresh manure",
            Metric::MassBalanceCloses
            | Metric::ProjectSystemIsComposting
            | Metric::InsurerBeforeLeakProne
            | Metric::InsurerAfterLeakProne
            | Metric::InsurerAfterCovered => "true/false",
        }
    }

    /// The metric's value in this assessment, or what the assessment lacks to give it.
    pub fn value(self, facts: &Facts) -> Result<Value, &'static str> {
        const NO_CARBON: &str = "the request has no carbon block";
        const NO_INSURER: &str = "the request has no insurer_exposure block";
        let carbon = || facts.carbon.ok_or(NO_CARBON);
        let insurer = || facts.insurer.ok_or(NO_INSURER);
        Ok(match self {
            Metric::ProjectManureTreatedTPerYear => {
                Value::Decimal(facts.annual.manure_fresh_t_per_year)
            }
            Metric::ProjectProductTPerYear => Value::Decimal(facts.annual.product_t_per_year),
            Metric::MassBalanceCloses => Value::Boolean(facts.mass_balance.closes),
            Metric::MinimumDscr => Value::Decimal(
                facts
                    .minimum_dscr
                    .ok_or("no debt service falls due in any loan year")?,
            ),
            Metric::EmissionReductionLow => Value::Decimal(carbon()?.emission_reduction_tco2e.low),
            Metric::EmissionReductionCentral => {
                Value::Decimal(carbon()?.emission_reduction_tco2e.central)
            }
            Metric::TotalReductionLow => Value::Decimal(carbon()?.total_tco2e.low),
            Metric::TotalReductionCentral => Value::Decimal(carbon()?.total_tco2e.central),
            Metric::ProjectSystemIsComposting => {
                let system = carbon()?
                    .project_system
                    .ok_or("the carbon block has no manure_management module")?;
                Value::Boolean(matches!(
                    system,
                    ManureSystem::CompostingInVessel
                        | ManureSystem::CompostingStaticPile
                        | ManureSystem::CompostingIntensiveWindrow
                        | ManureSystem::CompostingPassiveWindrow
                ))
            }
            Metric::InsurerBeforeLeakProne => {
                Value::Boolean(insurer()?.before.storage_type.leak_prone())
            }
            Metric::InsurerAfterLeakProne => {
                Value::Boolean(insurer()?.after.storage_type.leak_prone())
            }
            Metric::InsurerAfterCovered => Value::Boolean(insurer()?.after.storage_type.covered()),
            Metric::InsurerAfterStorageCapacityDays => {
                Value::Decimal(insurer()?.after.storage_capacity_days)
            }
            Metric::InsurerAfterDistanceToSurfaceWaterM => {
                Value::Decimal(insurer()?.after.distance_to_surface_water_m)
            }
            Metric::InsurerChangeUntreatedManureStockT => {
                Value::Decimal(insurer()?.change.untreated_manure_stock_t)
            }
        })
    }
}

/// What the metrics read: the assessment's own results.
pub struct Facts<'a> {
    pub annual: &'a AnnualFigures,
    pub mass_balance: &'a MassBalance,
    pub minimum_dscr: Option<Decimal>,
    pub carbon: Option<&'a CarbonEstimate>,
    pub insurer: Option<&'a InsurerView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Decimal(Decimal),
    Boolean(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Decimal(d) => f.write_str(&exact(*d)),
            Value::Boolean(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    NotMet,
    NotEvaluable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionOutcome {
    pub condition: Condition,
    /// Absent when not evaluable.
    pub value: Option<Value>,
    pub status: Status,
    /// When not evaluable, what the assessment lacks.
    pub missing: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    pub rule: Rule,
    pub status: Status,
    pub reason: String,
    pub conditions: Vec<ConditionOutcome>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EligibilityOutcome {
    pub rule_set: Arc<RuleSet>,
    pub rules: Vec<RuleOutcome>,
}

impl EligibilityOutcome {
    pub fn count(&self, status: Status) -> usize {
        self.rules.iter().filter(|r| r.status == status).count()
    }
}

pub fn evaluate(rule_set: &Arc<RuleSet>, facts: &Facts) -> EligibilityOutcome {
    EligibilityOutcome {
        rule_set: rule_set.clone(),
        rules: rule_set
            .rules
            .iter()
            .map(|r| evaluate_rule(r, facts))
            .collect(),
    }
}

fn evaluate_condition(condition: &Condition, facts: &Facts) -> ConditionOutcome {
    match condition.metric.value(facts) {
        Err(missing) => ConditionOutcome {
            condition: condition.clone(),
            value: None,
            status: Status::NotEvaluable,
            missing,
        },
        Ok(value) => ConditionOutcome {
            condition: condition.clone(),
            value: Some(value),
            status: if condition.holds(value) {
                Status::Met
            } else {
                Status::NotMet
            },
            missing: "",
        },
    }
}

fn evaluate_rule(rule: &Rule, facts: &Facts) -> RuleOutcome {
    let conditions: Vec<ConditionOutcome> = rule
        .conditions
        .iter()
        .map(|c| evaluate_condition(c, facts))
        .collect();
    let with = |status: Status| -> Vec<String> {
        conditions
            .iter()
            .filter(|c| c.status == status)
            .map(|c| {
                let condition = &c.condition;
                match c.value {
                    Some(value) => format!(
                        "{} = {value}, required {} {}",
                        condition.metric.name(),
                        condition.operator.symbol(),
                        condition.threshold
                    ),
                    None => format!("{condition} cannot be evaluated: {}", c.missing),
                }
            })
            .collect()
    };
    let failing = with(Status::NotMet);
    let unknown = with(Status::NotEvaluable);
    let (status, reason) = if !failing.is_empty() {
        let mut reason = format!("not met: fails {}", failing.join("; "));
        if !unknown.is_empty() {
            reason.push_str(&format!("; also not evaluable: {}", unknown.join("; ")));
        }
        (Status::NotMet, reason)
    } else if !unknown.is_empty() {
        (
            Status::NotEvaluable,
            format!(
                "not evaluable: {}; every other condition holds",
                unknown.join("; ")
            ),
        )
    } else {
        (
            Status::Met,
            format!("met: {}", with(Status::Met).join("; ")),
        )
    };
    RuleOutcome {
        rule: rule.clone(),
        status,
        reason,
        conditions,
    }
}

#[cfg(test)]
mod tests;
