//! The calculation trace: each step's equation, inputs with units and origins, and exact
//! result, in the order computed, so a verifier can re-run the estimate by hand.
//!
//! What a step says in words is the methodology's, the same in every estimate: its
//! `StepTemplate` (`templates`). A recorded step holds its template, its id, the inputs' values
//! and origins, and only the texts that depend on the estimate (a factor's id, a request field
//! path with a list index, a unit that the factor set or the request gives); an answer may then
//! refer to the template by id instead of repeating its texts.

use std::borrow::Cow;

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

/// One input as a template describes it. An empty unit or reference means the estimate gives
/// it (a factor's id, a field path with a list index).
#[derive(Debug, PartialEq, Eq)]
pub struct TemplateInput {
    pub symbol: &'static str,
    pub unit: &'static str,
    /// A constant's meaning, a fixed request field path, or an earlier step's id.
    pub reference: &'static str,
}

/// The words of one kind of step, fixed by the methodology version.
#[derive(Debug, PartialEq, Eq)]
pub struct StepTemplate {
    pub id: &'static str,
    pub equation: &'static str,
    /// The formula in symbols, e.g. "CH4_t = VS_t x B0 x 0.67 x MCF".
    pub expression: &'static str,
    /// In the order the step lists its inputs.
    pub inputs: &'static [TemplateInput],
    pub result_unit: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceInput {
    pub value: Bounds,
    pub origin: InputOrigin,
    /// The unit where the estimate gives it (a factor's, an earlier step's, a request's that
    /// depends on the request); None: the template's.
    pub unit: Option<Cow<'static, str>>,
    /// Factor id, earlier step id or request field path where the estimate gives it; None: the
    /// template's.
    pub reference: Option<String>,
}

impl TraceInput {
    /// This input's unit, its own or its template's.
    pub fn unit<'a>(&'a self, template: &'a TemplateInput) -> &'a str {
        self.unit.as_deref().unwrap_or(template.unit)
    }

    /// This input's reference, its own or its template's.
    pub fn reference<'a>(&'a self, template: &'a TemplateInput) -> &'a str {
        self.reference.as_deref().unwrap_or(template.reference)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceStep {
    pub step: String,
    pub template: &'static StepTemplate,
    /// One per template input, in its order.
    pub inputs: Vec<TraceInput>,
    pub result: Bounds,
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
    pub fn as_input(&self) -> TraceInput {
        TraceInput {
            value: self.result,
            origin: InputOrigin::Step,
            unit: Some(Cow::Borrowed(self.unit)),
            reference: Some(self.step.clone()),
        }
    }
}

/// A request value whose unit and field path are the template's.
pub fn request_input(value: Decimal) -> TraceInput {
    TraceInput {
        value: Bounds::exact(value),
        origin: InputOrigin::Request,
        unit: None,
        reference: None,
    }
}

/// A request value from a field the template cannot name (a list item), or with a unit that
/// depends on the request.
pub fn request_input_at(
    value: Decimal,
    unit: Option<Cow<'static, str>>,
    field: String,
) -> TraceInput {
    TraceInput {
        value: Bounds::exact(value),
        origin: InputOrigin::Request,
        unit,
        reference: Some(field),
    }
}

/// A constant of the method; its unit and meaning are the template's.
pub fn constant(value: Decimal) -> TraceInput {
    TraceInput {
        value: Bounds::exact(value),
        origin: InputOrigin::Constant,
        unit: None,
        reference: None,
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
    /// when the trace keeps its steps, and gives one input per template input.
    pub fn record(
        &mut self,
        step: String,
        template: &'static StepTemplate,
        inputs: impl FnOnce() -> Vec<TraceInput>,
        result: Bounds,
    ) -> StepResult {
        if self.tracing == Tracing::Kept {
            let inputs = inputs();
            debug_assert_eq!(
                inputs.len(),
                template.inputs.len(),
                "step {step} lists its template {}'s inputs",
                template.id
            );
            // A text left to the template must be one the template has, or an answer that
            // refers to it could not be written out again.
            debug_assert!(
                inputs.iter().zip(template.inputs).all(|(input, said)| {
                    (input.unit.is_some() || !said.unit.is_empty())
                        && (input.reference.is_some() || !said.reference.is_empty())
                }),
                "step {step} leaves a text to its template {} that it lacks",
                template.id
            );
            self.steps.push(TraceStep {
                step: step.clone(),
                template,
                inputs,
                result,
            });
        }
        StepResult {
            step,
            result,
            unit: template.result_unit,
        }
    }
}
