//! The one mapping from failures to gRPC status codes, so every handler reports alike.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::domain::ComputeError;

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

/// Request limits make these unreachable for valid input, so one is a bug: log it, and tell
/// the caller no more than that.
pub fn compute_failed(error: ComputeError) -> Status {
    tracing::error!(%error, "assessment failed on a validated request");
    Status::internal("the assessment could not be computed; the error has been logged")
}
