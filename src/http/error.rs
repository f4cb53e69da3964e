//! Errors in the Google JSON error model (AIP-193): the gRPC status's code as an HTTP status,
//! its name and message, and its `google.rpc.BadRequest` field violations as they are over
//! gRPC, so a client sees the same field paths whichever protocol it speaks.

use http::StatusCode;
use serde_json::json;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::metrics::code_name;

/// One input field at fault, as in `google.rpc.BadRequest`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: &str, description: String) -> FieldViolation {
        FieldViolation {
            field: field.to_owned(),
            description,
        }
    }
}

/// INVALID_ARGUMENT with these violations, as the gRPC handlers build it.
pub fn invalid_argument(message: &str, violations: Vec<FieldViolation>) -> Status {
    let details = tonic_types::ErrorDetails::with_bad_request(
        violations
            .into_iter()
            .map(|v| tonic_types::FieldViolation::new(v.field, v.description))
            .collect::<Vec<_>>(),
    );
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// The HTTP status of a gRPC code, as google.rpc.Code documents it.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        // 499 Client Closed Request, as Google's APIs answer CANCELLED.
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error object, `{"error": {...}}`, of a status, with an HTTP status of its own when the
/// gateway (not the service) refused the request (413 for a body over the limit, 405).
pub fn body(status: &Status, http: StatusCode) -> serde_json::Value {
    let mut details = Vec::new();
    if let Some(bad_request) = status.get_error_details().bad_request() {
        let violations: Vec<_> = bad_request
            .field_violations
            .iter()
            .map(|v| json!({"field": v.field, "description": v.description}))
            .collect();
        details.push(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": violations,
        }));
    }
    json!({
        "error": {
            "code": http.as_u16(),
            "message": status.message(),
            "status": code_name(status.code()),
            "details": details,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_request_keeps_every_field_path_and_maps_to_400() {
        let status = invalid_argument(
            "the request is invalid",
            vec![
                FieldViolation::new("loan.principal.amount", "must be positive".into()),
                FieldViolation::new("operations", "is required".into()),
            ],
        );
        let http = http_status(status.code());
        assert_eq!(http, StatusCode::BAD_REQUEST);
        let value = body(&status, http);
        assert_eq!(value["error"]["code"], 400);
        assert_eq!(value["error"]["status"], "INVALID_ARGUMENT");
        assert_eq!(value["error"]["message"], "the request is invalid");
        let detail = &value["error"]["details"][0];
        assert_eq!(detail["@type"], "type.googleapis.com/google.rpc.BadRequest");
        assert_eq!(
            detail["fieldViolations"][0]["field"],
            "loan.principal.amount"
        );
        assert_eq!(detail["fieldViolations"][1]["description"], "is required");
    }

    #[test]
    fn codes_map_to_the_http_statuses_google_rpc_documents() {
        assert_eq!(http_status(Code::Unauthenticated), StatusCode::UNAUTHORIZED);
        assert_eq!(http_status(Code::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            http_status(Code::ResourceExhausted),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(http_status(Code::Cancelled).as_u16(), 499);
        let status = Status::not_found("no record");
        let http = http_status(status.code());
        assert_eq!(http, StatusCode::NOT_FOUND);
        let value = body(&status, http);
        assert_eq!(value["error"]["details"], json!([]));
    }
}
