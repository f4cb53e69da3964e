//! Assembles the gRPC server: the impact service behind its bearer-token check, health,
//! reflection (v1 and v1alpha), message-size limits, TCP_NODELAY and graceful shutdown.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::lpr::LprTable;
use crate::pb;
use crate::pb::impact_service_server::ImpactServiceServer;
use crate::records::ServiceKey;
use crate::store::Store;

use super::auth::Auth;
use super::records::RecordBook;
use super::service::{ImpactApi, ImpactServer};

/// What a server runs with, besides its address.
pub struct ServerParts {
    pub factor_library: FactorLibrary,
    pub store: Arc<dyn Store>,
    pub key: Arc<ServiceKey>,
    pub auth: Auth,
}

/// The largest request accepted. A maximal valid request (64 lines in each list, 32
/// assumptions of 512 characters) is well under 100 KiB.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;
/// The largest response sent: a 600-period schedule is about 100 KiB.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug)]
pub enum ServeError {
    Reflection(tonic_reflection::server::Error),
    Transport(tonic::transport::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Reflection(e) => write!(f, "building the reflection service: {e}"),
            ServeError::Transport(e) => write!(f, "serving gRPC: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves on `listener` until `shutdown` completes, then drains in-flight calls.
pub async fn serve(
    listener: TcpListener,
    parts: ServerParts,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<ImpactServiceServer<ImpactServer>>()
        .await;

    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().map_err(ServeError::Reflection)?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(ServeError::Reflection)?;

    let server = ImpactServer::new(
        ImpactApi::new(LprTable::embedded(), parts.factor_library),
        RecordBook::new(parts.store, parts.key),
        parts.auth.clone(),
    );
    let auth = parts.auth;
    let impact = InterceptedService::new(
        ImpactServiceServer::new(server)
            .max_decoding_message_size(MAX_REQUEST_BYTES)
            .max_encoding_message_size(MAX_RESPONSE_BYTES),
        move |request| auth.authenticate(request),
    );

    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(impact)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
        .map_err(ServeError::Transport)
}
