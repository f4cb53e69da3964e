//! The real server on an ephemeral loopback port, in this process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::limits::Limits;
use green_impact::grpc::server::{self, ServerParts};
use green_impact::metrics::Metrics;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use green_impact::records::ServiceKey;
use green_impact::store::sqlite::SqliteStore;
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

/// A fresh, empty directory under the system temp dir, unique to this process and call.
pub fn temp_dir(what: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "green-impact-test-{what}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Local mode (no tokens), a fresh SQLite store and a fresh key, the default limits, metrics
/// recorded but not served.
pub fn local_parts(factor_library: FactorLibrary) -> ServerParts {
    let dir = temp_dir("store");
    ServerParts {
        factor_library,
        store: Arc::new(SqliteStore::open(&dir).expect("open SQLite store")),
        key: Arc::new(ServiceKey::load_or_create(&dir.join("service.key")).expect("key")),
        auth: Auth::Local,
        limits: Limits::default(),
        metrics: Metrics::new(),
        metrics_listener: None,
        tls: None,
        http_listener: None,
    }
}

impl TestServer {
    /// Starts the real server on 127.0.0.1:0 in this process, with the built-in factor set,
    /// in local mode on a fresh SQLite store.
    pub async fn start() -> TestServer {
        TestServer::start_with(FactorLibrary::built_in()).await
    }

    /// Starts the real server with the given factor sets.
    pub async fn start_with(factor_library: FactorLibrary) -> TestServer {
        TestServer::start_with_parts(local_parts(factor_library)).await
    }

    /// Starts the real server with the given parts (store, key, auth).
    pub async fn start_with_parts(parts: ServerParts) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            server::serve(listener, parts, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestServer {
            addr,
            stop: Some(stop),
        }
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect to test server")
    }

    pub async fn client(&self) -> ImpactServiceClient<Channel> {
        ImpactServiceClient::new(self.channel().await)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Assesses `request` on a fresh connection to `server`; panics unless it succeeds.
pub async fn assess(server: &TestServer, request: pb::AssessRequest) -> pb::AssessResponse {
    server
        .client()
        .await
        .assess(request)
        .await
        .unwrap_or_else(|status| panic!("expected success, got {status:?}"))
        .into_inner()
}
