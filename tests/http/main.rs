//! The HTTP/JSON API, gRPC-Web and the console's server side, end to end over real sockets:
//! the same figures, field violations, auth and records as over gRPC.

#[path = "../common/mod.rs"]
mod common;

mod api;
mod auth;
mod console_pages;
mod grpc_web;
mod streams;
mod support;
