//! The gRPC adapter: converts between the wire and the domain core, and runs the server.

pub mod api;
pub mod auth;
mod batch;
pub mod codec;
pub mod factor_sets;
pub mod impact;
pub mod limits;
pub mod message_size;
pub mod monitoring;
pub mod observe;
pub mod portfolio;
pub mod records;
pub mod reference;
pub mod request;
pub mod response;
pub mod server;
pub mod service;
pub mod status;
pub mod tls;
