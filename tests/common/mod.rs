//! Test harness: the real server on an ephemeral loopback port, and the seed request.

#![allow(dead_code)] // each test binary uses its own part of the harness

use std::net::SocketAddr;

use green_impact::grpc::server;
use green_impact::json;
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub const SEED_REQUEST_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leshan-yaqing.json");

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts the real server on 127.0.0.1:0 in this process.
    pub async fn start() -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            server::serve(listener, async {
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

pub fn seed_request() -> pb::AssessRequest {
    let text = std::fs::read_to_string(SEED_REQUEST_PATH).expect("read seed request");
    json::assess_request_from_json(&text).expect("seed request is valid proto3 JSON")
}

pub fn dec(value: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: value.to_owned(),
    })
}

pub fn money(currency_code: &str, amount: &str) -> Option<pb::Money> {
    Some(pb::Money {
        currency_code: currency_code.to_owned(),
        amount: dec(amount),
    })
}

pub fn cny(amount: &str) -> Option<pb::Money> {
    money("CNY", amount)
}

pub fn value(decimal: &Option<pb::Decimal>) -> &str {
    decimal.as_ref().map_or("<absent>", |d| d.value.as_str())
}

/// The field paths of the BadRequest violations in an INVALID_ARGUMENT status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(
        status.code(),
        tonic::Code::InvalidArgument,
        "status: {status:?}"
    );
    let bad_request = status
        .get_details_bad_request()
        .expect("BadRequest details present");
    bad_request
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect()
}
