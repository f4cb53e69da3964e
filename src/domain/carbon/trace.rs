//! The calculation trace: each step's equation, inputs with units and origins, and exact
//! result, in the order computed, so a verifier can re-run the estimate by hand.

use rust_decimal::Decimal;

use super::bounds::Bounds;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOrigin {
    Request,
    Factor,
    FactorOverride,
    DefaultForMissingInput,
    Constant,
    Step,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceInput {
    pub symbol: &'static str,
    pub value: Bounds,
    pub unit: String,
    pub origin: InputOrigin,
    /// Factor id, earlier step id, request field path, or the constant's meaning.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceStep {
    pub step: String,
    pub equation: &'static str,
    pub expression: &'static str,
    pub inputs: Vec<TraceInput>,
    pub result: Bounds,
    pub unit: &'static str,
}

impl TraceStep {
    /// What later steps need of this one; its inputs stay in the trace, not copied.
    pub fn output(&self) -> StepResult {
        StepResult {
            step: self.step.clone(),
            result: self.result,
            unit: self.unit,
        }
    }
}

/// A recorded step as later steps cite it: its id, result and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub step: String,
    pub result: Bounds,
    pub unit: &'static str,
}

impl StepResult {
    /// This step's result as an input of a later one.
    pub fn as_input(&self, symbol: &'static str) -> TraceInput {
        TraceInput {
            symbol,
            value: self.result,
            unit: self.unit.to_owned(),
            origin: InputOrigin::Step,
            reference: self.step.clone(),
        }
    }
}

pub fn request_input(symbol: &'static str, value: Decimal, unit: &str, field: &str) -> TraceInput {
    TraceInput {
        symbol,
        value: Bounds::exact(value),
        unit: unit.to_owned(),
        origin: InputOrigin::Request,
        reference: field.to_owned(),
    }
}

pub fn constant(symbol: &'static str, value: Decimal, unit: &str, meaning: &str) -> TraceInput {
    TraceInput {
        symbol,
        value: Bounds::exact(value),
        unit: unit.to_owned(),
        origin: InputOrigin::Constant,
        reference: meaning.to_owned(),
    }
}

#[derive(Debug, Default)]
pub struct Trace {
    pub steps: Vec<TraceStep>,
}

impl Trace {
    /// Records a step and returns it for later steps to cite.
    pub fn record(
        &mut self,
        step: String,
        (equation, expression): (&'static str, &'static str),
        inputs: Vec<TraceInput>,
        result: Bounds,
        unit: &'static str,
    ) -> &TraceStep {
        self.steps.push(TraceStep {
            step,
            equation,
            expression,
            inputs,
            result,
            unit,
        });
        self.steps.last().expect("just pushed")
    }
}
