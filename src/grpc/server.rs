//! Assembles the gRPC server: the impact service behind its caller check, health,
//! reflection (v1 and v1alpha), message-size limits, TCP_NODELAY and graceful shutdown; the
//! impact service's metrics, concurrency limit and deadlines (`limits`, `observe`), HTTP/2 and
//! TCP keepalive, TLS when configured (`tls`), the metrics exporter on a port of its own, and
//! the HTTP gateway (`crate::http`) on another, calling the same impact service in process.
//!
//! Around the impact service, from the outside in: metrics (so refusals and deadlines are
//! counted too), the concurrency limit (a refusal costs nothing further), deadlines, the
//! request-size limit (`message_size`), the caller check (client certificate or bearer
//! token), the handlers. Health and reflection are outside all of them.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::server::NamedService;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::domain::carbon::factor_set::FactorLibrary;
use crate::domain::lpr::LprTable;
use crate::error_text::with_causes;
use crate::metrics::{self, Metrics};
use crate::pb;
use crate::pb::impact_service_server::ImpactServiceServer;
use crate::records::ServiceKey;
use crate::store::Store;

use super::api::ImpactApi;
use super::auth::Auth;
use super::impact::ImpactServer;
use super::limits::{Deadline, Limits, LoadShed, Methods};
use super::message_size::RequestSizeLimit;
use super::observe::Observe;
use super::records::RecordBook;
use super::tls::TlsSettings;

/// What a server runs with, besides its address.
pub struct ServerParts {
    pub factor_library: FactorLibrary,
    pub store: Arc<dyn Store>,
    pub key: Arc<ServiceKey>,
    pub auth: Auth,
    /// Concurrency, deadlines and keepalive (`Limits::default()`: the documented defaults).
    pub limits: Limits,
    /// Where the impact service's metrics are recorded; the handlers may record theirs too.
    pub metrics: Metrics,
    /// Where to serve `GET /metrics`; `None` records the metrics without serving them. Plain
    /// HTTP even when the gRPC port has TLS: keep it on loopback or a cluster-internal address.
    pub metrics_listener: Option<TcpListener>,
    /// TLS on the gRPC port; `None` serves plaintext HTTP/2.
    pub tls: Option<TlsSettings>,
    /// Where to serve the HTTP/JSON API, gRPC-Web and the browser console (`crate::http`);
    /// `None` serves gRPC only. Plain HTTP: the same tokens as gRPC, in plaintext.
    pub http_listener: Option<TcpListener>,
}

/// The largest request accepted. A maximal valid request (64 lines in each list, 32
/// assumptions of 512 characters) is well under 100 KiB.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;
/// The largest response sent: a 600-period schedule is about 100 KiB.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug)]
pub enum ServeError {
    Reflection(tonic_reflection::server::Error),
    Descriptor(String),
    Transport(tonic::transport::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Reflection(e) => write!(f, "building the reflection service: {e}"),
            ServeError::Descriptor(e) => write!(f, "reading the service's methods: {e}"),
            ServeError::Transport(e) => write!(f, "serving gRPC: {}", with_causes(e)),
        }
    }
}

impl std::error::Error for ServeError {}

/// Aborts a task when dropped: the metrics exporter and the HTTP gateway live as long as the
/// gRPC server.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves on `listener` until `shutdown` completes, then drains in-flight calls. Serves the
/// metrics on `parts.metrics_listener`, if any, for as long.
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
        &parts.metrics,
    );
    let auth = parts.auth;
    let auth_is_local = auth.is_local();
    let impact = InterceptedService::new(
        ImpactServiceServer::new(server)
            .max_decoding_message_size(MAX_REQUEST_BYTES)
            .max_encoding_message_size(MAX_RESPONSE_BYTES),
        move |request| auth.authenticate(request),
    );
    let limits = parts.limits;
    let methods = Methods::from_descriptor_set(
        pb::FILE_DESCRIPTOR_SET,
        ImpactServiceServer::<ImpactServer>::NAME,
    )
    .map_err(ServeError::Descriptor)?;
    let impact = Observe::new(
        LoadShed::new(
            Deadline::new(
                RequestSizeLimit::new(
                    impact,
                    MAX_REQUEST_BYTES,
                    parts.metrics.oversized_requests(),
                ),
                methods.clone(),
                limits.request_timeout,
            ),
            limits.max_concurrent_requests,
            parts.metrics.clone(),
        ),
        methods,
        parts.metrics.clone(),
    );

    let _gateway = match parts.http_listener {
        Some(listener) => {
            let grpc: crate::http::GrpcService =
                tower::util::BoxCloneSyncService::new(tower::ServiceExt::<
                    http::Request<tonic::body::Body>,
                >::map_response(
                    impact.clone(),
                    |response| response.map(tonic::body::Body::new),
                ));
            let gateway =
                crate::http::Gateway::new(grpc, auth_is_local).map_err(ServeError::Descriptor)?;
            if let Ok(addr) = listener.local_addr() {
                tracing::info!(%addr, "serving HTTP/JSON, gRPC-Web and the console");
            }
            Some(AbortOnDrop(tokio::spawn(crate::http::serve(
                listener, gateway,
            ))))
        }
        None => None,
    };

    let _exporter = parts.metrics_listener.map(|listener| {
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, "serving GET /metrics");
        }
        AbortOnDrop(tokio::spawn(metrics::serve(listener, parts.metrics)))
    });

    // tonic's own `Server::timeout` is not used: it would answer CANCELLED, and for health
    // and reflection too; `Deadline` answers DEADLINE_EXCEEDED for the impact service alone.
    transport(&limits, parts.tls.as_ref())?
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(impact)
        .serve_with_incoming_shutdown(incoming(listener, &limits), shutdown)
        .await
        .map_err(ServeError::Transport)
}

/// The HTTP/2 settings every server of ours uses, and TLS if given.
pub fn transport(limits: &Limits, tls: Option<&TlsSettings>) -> Result<Server, ServeError> {
    let server = Server::builder()
        .http2_keepalive_interval(Some(limits.http2_keepalive_interval))
        .http2_keepalive_timeout(Some(limits.http2_keepalive_timeout))
        .max_concurrent_streams(limits.max_concurrent_streams);
    match tls {
        Some(tls) => server
            .tls_config(tls.server_config())
            .map_err(ServeError::Transport),
        None => Ok(server),
    }
}

/// The listener's connections with TCP_NODELAY and TCP keepalive.
pub fn incoming(listener: TcpListener, limits: &Limits) -> TcpIncoming {
    TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .with_keepalive(Some(limits.tcp_keepalive))
}
