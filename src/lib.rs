//! green-impact: values a farm's transition loan in money, on exact decimals.
//!
//! `domain` is the pure core; `grpc` adapts it to the wire and runs the server; `http` serves
//! the same service as HTTP/JSON, gRPC-Web and the browser console; `json` carries proto3 JSON
//! for the command line; `metrics` holds the Prometheus metrics and their exporter; `report`
//! renders an assessment as a self-contained HTML page for a credit file.

pub mod domain;
pub mod error_text;
pub mod grpc;
pub mod http;
pub mod json;
pub mod metrics;
pub mod records;
pub mod report;
pub mod store;

// Generated code: a oneof of two large messages is what the API is.
#[allow(clippy::large_enum_variant)]
pub mod pb {
    tonic::include_proto!("greenimpact.v1");

    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("greenimpact_descriptor");

    pub mod encode_once;

    /// The `google.api.http` rules the methods carry (`proto/google/api/`), read by `http`.
    pub mod google_api {
        tonic::include_proto!("google.api");
    }
}
