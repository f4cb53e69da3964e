//! The one mapping from failures to gRPC status codes, so every handler reports alike.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::domain::ComputeError;
use crate::domain::assessment::AssessError;

use super::request::Violation;

pub fn invalid_argument(violations: Vec<Violation>) -> Status {
    let count = violations.len();
    let field_violations: Vec<FieldViolation> = violations
        .into_iter()
        .map(|v| FieldViolation::new(v.field, v.description))
        .collect();
    Status::with_error_details(
        Code::InvalidArgument,
        format!("the request has {count} invalid field(s); see google.rpc.BadRequest details"),
        ErrorDetails::with_bad_request(field_violations),
    )
}

/// INVALID_ARGUMENT for one field.
pub fn invalid_field(field: &str, description: impl Into<String>) -> Status {
    invalid_argument(vec![Violation {
        field: field.to_owned(),
        description: description.into(),
    }])
}

/// A factor the request needs is in neither the chosen set nor the overrides: the request
/// must name another set or supply the factor, so it is the caller's to fix.
pub fn assess_failed(error: AssessError) -> Status {
    match error {
        AssessError::Compute(error) => compute_failed(error),
        AssessError::MissingFactors(missing) => invalid_argument(
            missing
                .into_iter()
                .map(|m| Violation {
                    field: m.field,
                    description: format!(
                        "the chosen factor set has no factor {}; choose another set or give \
                         it in carbon.factor_overrides with its source",
                        m.factor_id
                    ),
                })
                .collect(),
        ),
    }
}

/// Request limits make these unreachable for valid input, so one is a bug: log it, and tell
/// the caller no more than that.
fn compute_failed(error: ComputeError) -> Status {
    tracing::error!(%error, "assessment failed on a validated request");
    Status::internal("the assessment could not be computed; the error has been logged")
}
