//! The HTTP side of the service, on a port of its own: the JSON API derived from the protos'
//! `google.api.http` rules, gRPC-Web, the OpenAPI document and the browser console. Every call
//! goes through the same gRPC stack as a gRPC client's, in the same process.

pub mod console;
pub mod error;
pub mod grpc_call;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod transcode;

pub use grpc_call::GrpcService;
pub use server::{Gateway, serve};
