//! A server with its HTTP port, and a plain HTTP/1.1 client for it.

use std::net::SocketAddr;

use bytes::Bytes;
use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::server::ServerParts;
use http::header::HOST;
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::common::{TestServer, local_parts};

/// The server and its HTTP address.
pub struct HttpServer {
    pub grpc: TestServer,
    pub http: SocketAddr,
}

pub async fn start_local() -> HttpServer {
    start_with(local_parts(FactorLibrary::built_in())).await
}

pub async fn start_with(parts: ServerParts) -> HttpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the HTTP port");
    let http = listener.local_addr().expect("HTTP addr");
    let grpc = TestServer::start_with_parts(ServerParts {
        http_listener: Some(listener),
        ..parts
    })
    .await;
    HttpServer { grpc, http }
}

/// An answer, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The NDJSON lines, each parsed.
    pub fn lines(&self) -> Vec<serde_json::Value> {
        String::from_utf8_lossy(&self.body)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The google.rpc.BadRequest field paths of a JSON error.
    pub fn violated_fields(&self) -> Vec<String> {
        let value = self.json();
        value["error"]["details"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|detail| {
                detail["fieldViolations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|v| v["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// One request on a fresh connection, with the Host header a browser would send unless
/// `headers` names another.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP handshake");
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .body(Full::new(body.into()))
        .expect("a valid request");
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is header text");
    request.headers_mut().insert(HOST, host);
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
        let value = HeaderValue::from_str(value).expect("header text");
        request.headers_mut().insert(name, value);
    }
    let response = sender.send_request(request).await.expect("an answer");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("the whole body").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, "GET", path, &[], Bytes::new()).await
}

pub async fn post_json(addr: SocketAddr, path: &str, body: &serde_json::Value) -> Reply {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

/// `body` as newline-delimited JSON, as a streaming method takes it.
pub async fn post_ndjson(addr: SocketAddr, path: &str, body: String) -> Reply {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/x-ndjson")],
        body,
    )
    .await
}

/// The seed request as proto3 JSON, as a user would send it.
pub fn seed_json() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/leshan-yaqing.json"
    ))
    .expect("the seed example");
    serde_json::from_str(&text).expect("the seed is JSON")
}

pub fn seed_dry_run_json() -> serde_json::Value {
    let mut seed = seed_json();
    seed["dry_run"] = serde_json::Value::Bool(true);
    seed
}
