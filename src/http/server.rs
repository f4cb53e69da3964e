//! The HTTP/1.1 server: the JSON API (`routes`, `transcode`), gRPC-Web, the OpenAPI document,
//! the browser console and its report pages, each request answered through the in-process
//! gRPC stack (`grpc_call`) so that validation, errors, auth and storage are gRPC's own.
//!
//! Limits: 256 connections at once (more wait in the kernel's backlog), request headers
//! within 10 s, a unary JSON body of at most 1 MiB (413 past it), NDJSON stream lines of at
//! most 1 MiB each, read as they arrive with backpressure so a 100,000-line body never sits in
//! memory; the gRPC limits (message size, concurrency, deadlines) apply behind them.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, LOCATION, ORIGIN,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;
use tower::ServiceExt;

use super::error::{self, FieldViolation, invalid_argument};
use super::grpc_call::{self, GrpcService, Reply, frame};
use super::routes::{Found, Route, Routes};
use super::transcode;
use super::{console, openapi};
use crate::pb;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type HttpBody = UnsyncBoxBody<Bytes, BoxError>;

const MAX_CONNECTIONS: usize = 256;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A unary JSON body; the gRPC message behind it is limited to 256 KiB, and JSON of a maximal
/// message is about three times its protobuf size.
pub const MAX_JSON_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_NDJSON_LINE_BYTES: usize = 1024 * 1024;
/// The console's report form carries a token and nothing else.
const MAX_REPORT_FORM_BYTES: usize = 4 * 1024;
/// Decoded messages waiting between the body reader and the gRPC call: the backpressure
/// that keeps a long upload from being read faster than it is assessed.
const STREAM_BUFFER: usize = 8;

/// The API's pages: no script may run from anywhere but the console's own files, nothing
/// is fetched from another origin, and no other site may frame them.
const CONSOLE_CSP: &str = "default-src 'self'; img-src 'self' data: blob:; \
    style-src 'self'; script-src 'self'; frame-src 'self' blob:; frame-ancestors 'self'; \
    base-uri 'none'; form-action 'self'";
/// A report page is self-contained: its own inline styles and data: images, no script.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// Everything a request is answered from.
pub struct Gateway {
    grpc: GrpcService,
    grpc_web: tonic_web::GrpcWebService<GrpcService>,
    routes: Routes,
    openapi: Bytes,
    /// Local mode (no authentication): answer only requests addressed to a loopback name, so
    /// that a web page elsewhere cannot reach the service through DNS rebinding.
    loopback_hosts_only: bool,
}

impl Gateway {
    pub fn new(grpc: GrpcService, loopback_hosts_only: bool) -> Result<Gateway, String> {
        let routes = Routes::compiled()?;
        let openapi = Bytes::from(openapi::text(&routes));
        let grpc_web = tower_layer::Layer::layer(&tonic_web::GrpcWebLayer::new(), grpc.clone());
        Ok(Gateway {
            grpc,
            grpc_web,
            routes,
            openapi,
            loopback_hosts_only,
        })
    }
}

/// Serves HTTP on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, gateway: Gateway) {
    let gateway = Arc::new(gateway);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "http: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let gateway = Arc::clone(&gateway);
        connections.spawn(async move {
            let _slot = slot;
            let service = service_fn(move |request: Request<Incoming>| {
                let gateway = Arc::clone(&gateway);
                async move { Ok::<_, Infallible>(handle(&gateway, request).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "http connection");
            }
        });
    }
}

async fn handle(gateway: &Gateway, request: Request<Incoming>) -> Response<HttpBody> {
    if let Some(refusal) = refuse_cross_site(gateway, &request) {
        return refusal;
    }
    let path = request.uri().path().to_owned();
    let is_get = request.method() == Method::GET;
    if is_grpc_web(&request) {
        let Ok(response) = gateway.grpc_web.clone().oneshot(request).await;
        return response.map(|body| body.map_err(BoxError::from).boxed_unsync());
    }
    if is_get && path == "/" {
        let mut response = bytes_response(StatusCode::FOUND, "text/plain", Bytes::new());
        response
            .headers_mut()
            .insert(LOCATION, HeaderValue::from_static("/console/"));
        return response;
    }
    if is_get && path == "/openapi.json" {
        return bytes_response(StatusCode::OK, "application/json", gateway.openapi.clone());
    }
    if is_get && let Some(record_id) = path.strip_prefix("/console/report/") {
        let authorization = request.headers().get(AUTHORIZATION).cloned();
        return report_page(gateway, record_id, authorization.as_ref()).await;
    }
    if request.method() == Method::POST
        && let Some(record_id) = path.strip_prefix("/console/report/")
    {
        let record_id = record_id.to_owned();
        return report_page_for_form(gateway, &record_id, request).await;
    }
    if is_get && let Some((content_type, bytes)) = console::asset(&path) {
        let mut response = bytes_response(StatusCode::OK, content_type, Bytes::from_static(bytes));
        response.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        );
        return response;
    }
    api(gateway, request).await
}

/// Refuses, before anything else runs, a request another site's page could have made: one
/// whose Origin is not this server (a browser always sends Origin on a cross-origin POST),
/// and in local mode one addressed to a host name that is not loopback.
fn refuse_cross_site(gateway: &Gateway, request: &Request<Incoming>) -> Option<Response<HttpBody>> {
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
    if gateway.loopback_hosts_only && !host.is_some_and(is_loopback_host) {
        return Some(status_response(
            &Status::permission_denied(
                "local mode answers requests to a loopback address only (Host 127.0.0.1, \
                 localhost or [::1])",
            ),
            None,
        ));
    }
    let origin = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok());
    if let Some(origin) = origin {
        let same = host.is_some_and(|host| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        });
        if !same {
            return Some(status_response(
                &Status::permission_denied(format!(
                    "a request from the page at {origin} is not accepted: the API answers its \
                     own console and clients that send no Origin"
                )),
                None,
            ));
        }
    }
    None
}

fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_grpc_web(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc-web"))
}

/// One RPC by its HTTP route.
async fn api(gateway: &Gateway, request: Request<Incoming>) -> Response<HttpBody> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let (route, raw_fields) = match gateway.routes.find(&parts.method, path) {
        Found::Route(route, fields) => (route, fields),
        Found::WrongVerb => {
            let status = Status::unimplemented(format!("{} is not served on {path}", parts.method));
            return status_response(&status, Some(StatusCode::METHOD_NOT_ALLOWED));
        }
        Found::NotFound => {
            let status = Status::not_found(format!(
                "no API route {path}; the routes are listed at /openapi.json"
            ));
            return status_response(&status, None);
        }
    };
    let mut violations = Vec::new();
    let mut path_fields = Vec::new();
    for (name, raw) in raw_fields {
        match transcode::percent_decode(raw) {
            Some(value) => path_fields.push((name, value)),
            None => violations.push(FieldViolation::new(name, "not UTF-8 when decoded".into())),
        }
    }
    let query = match transcode::query_pairs(parts.uri.query()) {
        Ok(query) => query,
        Err(violation) => {
            violations.push(violation);
            Vec::new()
        }
    };
    if route.body_is_request {
        for (name, _) in &query {
            violations.push(FieldViolation::new(
                name,
                "this method takes the whole request in its body; give the field there".into(),
            ));
        }
    }
    if !violations.is_empty() {
        return bad_path_or_query(violations);
    }
    let authorization = parts.headers.get(AUTHORIZATION).cloned();
    let media = media_type(&parts.headers);
    let input = route.method.input();
    if route.method.is_client_streaming() {
        if media.as_deref() != Some("application/x-ndjson") {
            return unsupported_media(route, "application/x-ndjson");
        }
        return client_stream(gateway, route, authorization, body).await;
    }
    let mut message = if route.body_is_request {
        if media.as_deref() != Some("application/json") {
            return unsupported_media(route, "application/json");
        }
        let bytes = match Limited::new(body, MAX_JSON_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) => return body_error(&error),
        };
        match transcode::from_json(input, &bytes) {
            Ok(message) => message,
            Err(violation) => {
                return status_response(
                    &invalid_argument("the request body is not a valid request", vec![violation]),
                    None,
                );
            }
        }
    } else {
        DynamicMessage::new(input)
    };
    let violations = transcode::set_fields(&mut message, &path_fields, &query);
    if !violations.is_empty() {
        return bad_path_or_query(violations);
    }
    let method = route.method.name();
    let framed = frame(&message.encode_to_vec());
    let body = tonic::body::Body::new(Full::new(framed));
    let reply = match grpc_call::call(&gateway.grpc, method, authorization.as_ref(), body).await {
        Ok(reply) => reply,
        Err(status) => return status_response(&status, None),
    };
    if route.method.is_server_streaming() {
        return server_stream(reply, route.method.output(), None).await;
    }
    unary_reply(reply, route.method.output(), None).await
}

/// The media type of the body, lowercase, without its parameters (`; charset=utf-8`).
fn media_type(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

fn bad_path_or_query(violations: Vec<FieldViolation>) -> Response<HttpBody> {
    let status = invalid_argument("the request's path or query is invalid", violations);
    status_response(&status, None)
}

fn unsupported_media(route: &Route, expected: &str) -> Response<HttpBody> {
    let status = Status::invalid_argument(format!(
        "{} {} takes Content-Type: {expected}",
        route.verb, route.template
    ));
    status_response(&status, Some(StatusCode::UNSUPPORTED_MEDIA_TYPE))
}

fn body_error(error: &BoxError) -> Response<HttpBody> {
    if error.is::<http_body_util::LengthLimitError>() {
        let status = Status::resource_exhausted(format!(
            "the body is over the limit of {MAX_JSON_BODY_BYTES} bytes"
        ));
        return status_response(&status, Some(StatusCode::PAYLOAD_TOO_LARGE));
    }
    status_response(
        &Status::invalid_argument(format!("reading the body: {error}")),
        None,
    )
}

/// A client stream: the body's NDJSON lines decoded as they arrive into the call's messages.
/// A line that does not parse ends the input and is what the call answers.
async fn client_stream(
    gateway: &Gateway,
    route: &Route,
    authorization: Option<HeaderValue>,
    body: Incoming,
) -> Response<HttpBody> {
    let failure = Arc::new(Mutex::new(None));
    let input = ndjson_messages(body, route.method.input(), Arc::clone(&failure));
    let method = route.method.name();
    let reply = grpc_call::call(&gateway.grpc, method, authorization.as_ref(), input).await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(status) => return status_response(&take(&failure).unwrap_or(status), None),
    };
    if route.method.is_server_streaming() {
        return server_stream(reply, route.method.output(), Some(failure)).await;
    }
    unary_reply(reply, route.method.output(), Some(failure)).await
}

type Failure = Arc<Mutex<Option<Status>>>;

fn take(failure: &Failure) -> Option<Status> {
    failure.lock().ok().and_then(|mut slot| slot.take())
}

fn ndjson_messages(
    mut body: Incoming,
    input: MessageDescriptor,
    failure: Failure,
) -> tonic::body::Body {
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, Status>>(STREAM_BUFFER);
    tokio::spawn(async move {
        let fail = |status: Status| {
            if let Ok(mut slot) = failure.lock() {
                *slot = Some(status.clone());
            }
            status
        };
        let mut buffer = BytesMut::new();
        let mut line_number = 0usize;
        let mut ended = false;
        loop {
            // The next whole line, or the last one when the body ends without a newline.
            let end = match buffer.iter().position(|b| *b == b'\n') {
                Some(newline) => newline + 1,
                None if ended && buffer.is_empty() => return,
                None if ended => buffer.len(),
                None if buffer.len() > MAX_NDJSON_LINE_BYTES => {
                    let status = fail(Status::resource_exhausted(format!(
                        "line {} of the body is over the limit of {MAX_NDJSON_LINE_BYTES} bytes",
                        line_number + 1
                    )));
                    let _ = sender.send(Err(status)).await;
                    return;
                }
                None => {
                    match body.frame().await {
                        Some(Ok(frame)) => {
                            if let Ok(data) = frame.into_data() {
                                buffer.extend_from_slice(&data);
                            }
                        }
                        Some(Err(error)) => {
                            let status =
                                fail(Status::cancelled(format!("reading the body: {error}")));
                            let _ = sender.send(Err(status)).await;
                            return;
                        }
                        None => ended = true,
                    }
                    continue;
                }
            };
            let line = buffer.split_to(end);
            line_number += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let item = match transcode::from_json(input.clone(), &line) {
                Ok(message) => Ok(Frame::data(frame(&message.encode_to_vec()))),
                Err(violation) => Err(fail(invalid_argument(
                    &format!(
                        "line {line_number} of the body is not a valid {}",
                        input.name()
                    ),
                    vec![FieldViolation::new(
                        &violation.field,
                        format!("line {line_number}: {}", violation.description),
                    )],
                ))),
            };
            let stop = item.is_err();
            if sender.send(item).await.is_err() || stop {
                return;
            }
        }
    });
    tonic::body::Body::new(StreamBody::new(ReceiverStream::new(receiver)))
}

async fn unary_reply(
    mut reply: Reply,
    output: MessageDescriptor,
    failure: Option<Failure>,
) -> Response<HttpBody> {
    let message = reply.next_message().await;
    let finished = reply.finish().await;
    if let Some(status) = failure.as_ref().and_then(take) {
        return status_response(&status, None);
    }
    let message = match (message, finished) {
        (Ok(Some(message)), Ok(())) => message,
        (Ok(None), Ok(())) => {
            return status_response(&Status::internal("the call answered no message"), None);
        }
        (Err(status), _) | (_, Err(status)) => return status_response(&status, None),
    };
    match transcode::to_json(output, &message) {
        Ok(json) => bytes_response(StatusCode::OK, "application/json", Bytes::from(json)),
        Err(error) => status_response(
            &Status::internal(format!("encoding the answer: {error}")),
            None,
        ),
    }
}

/// A server stream as NDJSON, one message a line. The HTTP status waits for the first message
/// (a call refused at once is an HTTP error like a unary one); a call that fails later ends
/// with a line `{"error": {...}}`.
async fn server_stream(
    mut reply: Reply,
    output: MessageDescriptor,
    failure: Option<Failure>,
) -> Response<HttpBody> {
    let first = match reply.next_message().await {
        Ok(first) => first,
        Err(status) => {
            let status = failure.as_ref().and_then(take).unwrap_or(status);
            return status_response(&status, None);
        }
    };
    if first.is_none()
        && let Some(status) = failure.as_ref().and_then(take)
    {
        return status_response(&status, None);
    }
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, BoxError>>(STREAM_BUFFER);
    tokio::spawn(async move {
        let send = |bytes: Vec<u8>| sender.send(Ok(Frame::data(Bytes::from(bytes))));
        let mut next = first;
        while let Some(message) = next {
            let line = match transcode::to_json(output.clone(), &message) {
                Ok(mut json) => {
                    json.push(b'\n');
                    json
                }
                Err(error) => {
                    let status = Status::internal(format!("encoding the answer: {error}"));
                    let _ = send(error_line(&status)).await;
                    return;
                }
            };
            if send(line).await.is_err() {
                return;
            }
            next = match reply.next_message().await {
                Ok(next) => next,
                Err(status) => {
                    let status = failure.as_ref().and_then(take).unwrap_or(status);
                    let _ = send(error_line(&status)).await;
                    return;
                }
            };
        }
        // The call ended OK, but a line that did not parse may have ended its input early.
        if let Some(status) = failure.as_ref().and_then(take) {
            let _ = send(error_line(&status)).await;
        }
    });
    let body = StreamBody::new(ReceiverStream::new(receiver)).boxed_unsync();
    let mut response = Response::new(body);
    set_api_headers(&mut response, "application/x-ndjson");
    response
}

fn error_line(status: &Status) -> Vec<u8> {
    let mut line = error::body(status, error::http_status(status.code())).to_string();
    line.push('\n');
    line.into_bytes()
}

/// The report page opened from the console on a server with tokens: a new tab cannot send an
/// Authorization header, so the console posts the token in a form (never in the URL, where
/// history and logs would keep it). Another site's form is refused by its Origin first.
async fn report_page_for_form(
    gateway: &Gateway,
    record_id: &str,
    request: Request<Incoming>,
) -> Response<HttpBody> {
    if media_type(request.headers()).as_deref() != Some("application/x-www-form-urlencoded") {
        let status = Status::invalid_argument(
            "POST /console/report/{record_id} takes Content-Type: application/x-www-form-urlencoded",
        );
        return status_response(&status, Some(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    let body = match Limited::new(request.into_body(), MAX_REPORT_FORM_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) => return body_error(&error),
    };
    let pairs = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| transcode::query_pairs(Some(text)).ok())
        .unwrap_or_default();
    let token = pairs
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty());
    let authorization = match token.map(|t| HeaderValue::from_str(&format!("Bearer {t}"))) {
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            let status = Status::unauthenticated("the token is not valid header text");
            return status_response(&status, None);
        }
        None => None,
    };
    report_page(gateway, record_id, authorization.as_ref()).await
}

/// The report page of a stored assessment, from GetAssessment as the caller may read it.
async fn report_page(
    gateway: &Gateway,
    record_id: &str,
    authorization: Option<&HeaderValue>,
) -> Response<HttpBody> {
    let Some(record_id) = transcode::percent_decode(record_id) else {
        return status_response(
            &Status::invalid_argument("the record id is not UTF-8"),
            None,
        );
    };
    let request = pb::GetAssessmentRequest {
        record_id,
        view: pb::AssessmentView::SelfContained as i32,
    };
    let reply = grpc_call::unary(
        &gateway.grpc,
        "GetAssessment",
        authorization,
        Bytes::from(request.encode_to_vec()),
    )
    .await;
    let record = match reply.and_then(|bytes| {
        pb::StoredRecord::decode(bytes).map_err(|e| Status::internal(e.to_string()))
    }) {
        Ok(record) => record,
        Err(status) => return status_response(&status, None),
    };
    match crate::report::stored::page_content(record) {
        Ok((request, response)) => {
            let page = crate::report::render(&request, &response);
            let mut response = bytes_response(
                StatusCode::OK,
                "text/html; charset=utf-8",
                Bytes::from(page),
            );
            response.headers_mut().insert(
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(REPORT_CSP),
            );
            response
        }
        Err(problem) => {
            let status = Status::failed_precondition(format!("the record {problem}"));
            status_response(&status, None)
        }
    }
}

fn bytes_response(
    status: StatusCode,
    content_type: &'static str,
    bytes: Bytes,
) -> Response<HttpBody> {
    let body = Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    set_api_headers(&mut response, content_type);
    response
}

fn set_api_headers(response: &mut Response<HttpBody>, content_type: &'static str) {
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Answers carry a tenant's records: no shared cache may keep them.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
}

/// A status as the Google JSON error; `http` overrides the status's own mapping where the
/// gateway knows better (405, 413, 415).
fn status_response(status: &Status, http: Option<StatusCode>) -> Response<HttpBody> {
    let http = http.unwrap_or_else(|| error::http_status(status.code()));
    let bytes = Bytes::from(error::body(status, http).to_string());
    bytes_response(http, "application/json", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_from_others() {
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "localhost",
            "127.0.0.2",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1:8080",
            "attacker.example:8080",
            "[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
