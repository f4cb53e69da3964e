//! The one mapping from failures to gRPC status codes, so every handler reports alike.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::domain::ComputeError;
use crate::domain::assessment::AssessError;

use super::request::Violation;

/// Violations listed in one status. The details travel in the HTTP/2 trailers, which a
/// client refuses past a few frames: 20,000 empty capex lines once made 40,000 violations and
/// the client dropped the connection instead of reading any of them.
const MAX_LISTED_VIOLATIONS: usize = 32;
/// Characters of a field path or description kept, since both can echo the caller's text.
const MAX_FIELD_CHARS: usize = 128;
const MAX_DESCRIPTION_CHARS: usize = 256;

pub fn invalid_argument(violations: Vec<Violation>) -> Status {
    let count = violations.len();
    let mut field_violations: Vec<FieldViolation> = violations
        .into_iter()
        .take(MAX_LISTED_VIOLATIONS)
        .map(|v| {
            FieldViolation::new(
                clipped(&v.field, MAX_FIELD_CHARS),
                clipped(&v.description, MAX_DESCRIPTION_CHARS),
            )
        })
        .collect();
    if count > MAX_LISTED_VIOLATIONS
        && let Some(last) = field_violations.last_mut()
    {
        last.description = format!(
            "{}; {} more violation(s) not listed",
            last.description,
            count - MAX_LISTED_VIOLATIONS
        );
    }
    Status::with_error_details(
        Code::InvalidArgument,
        format!("the request has {count} invalid field(s); see google.rpc.BadRequest details"),
        ErrorDetails::with_bad_request(field_violations),
    )
}

/// `text` cut to `max` characters, marked with "…" where it was cut.
pub fn clipped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::StatusExt;

    fn violation(field: &str, description: &str) -> Violation {
        Violation {
            field: field.to_owned(),
            description: description.to_owned(),
        }
    }

    #[test]
    fn a_flood_of_violations_is_listed_in_part_and_counted_in_full() {
        let status = invalid_argument(
            (0..40_000)
                .map(|i| violation(&format!("appraisal.capex[{i}].name"), "is required"))
                .collect(),
        );
        assert!(status.message().contains("40000 invalid field(s)"));
        let listed = status.get_details_bad_request().expect("details");
        assert_eq!(listed.field_violations.len(), MAX_LISTED_VIOLATIONS);
        let last = listed.field_violations.last().expect("one");
        assert_eq!(last.field, "appraisal.capex[31].name");
        assert!(
            last.description
                .ends_with("39968 more violation(s) not listed")
        );
    }

    #[test]
    fn a_compute_error_is_internal_and_says_no_more() {
        let bug = assess_failed(AssessError::Compute(ComputeError::Overflow("power")));
        assert_eq!(bug.code(), Code::Internal);
        assert!(!bug.message().contains("power"));
    }

    #[test]
    fn echoed_text_is_clipped_on_a_character_boundary() {
        assert_eq!(clipped("abc", 3), "abc");
        assert_eq!(clipped("abcd", 3), "abc…");
        assert_eq!(clipped("é".repeat(300).as_str(), 2), "éé…");
        let status = invalid_argument(vec![violation(&"f".repeat(1000), &"d".repeat(100_000))]);
        let listed = status.get_details_bad_request().expect("details");
        let only = &listed.field_violations[0];
        assert_eq!(only.field.chars().count(), MAX_FIELD_CHARS + 1);
        assert_eq!(only.description.chars().count(), MAX_DESCRIPTION_CHARS + 1);
    }
}
