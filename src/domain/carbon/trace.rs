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

/// Whether a trace keeps its steps: an answer that leaves the trace out need not list the
/// steps' inputs at all (each is a few texts to allocate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracing {
    Kept,
    Skipped,
}

#[derive(Debug)]
pub struct Trace {
    pub steps: Vec<TraceStep>,
    tracing: Tracing,
}

impl Trace {
    pub fn new(tracing: Tracing) -> Trace {
        Trace {
            steps: Vec::new(),
            tracing,
        }
    }

    /// Records a step and returns its result for later steps to cite. `inputs` is called only
    /// when the trace keeps its steps.
    pub fn record(
        &mut self,
        step: String,
        (equation, expression): (&'static str, &'static str),
        inputs: impl FnOnce() -> Vec<TraceInput>,
        result: Bounds,
        unit: &'static str,
    ) -> StepResult {
        if self.tracing == Tracing::Kept {
            self.steps.push(TraceStep {
                step: step.clone(),
                equation,
                expression,
                inputs: inputs(),
                result,
                unit,
            });
        }
        StepResult { step, result, unit }
    }
}
