//! Limits of the impact service: how many calls it runs at once, how long a call may take, and
//! the connection settings that find dead peers. The two tower layers here wrap the
//! ImpactService only; health and reflection are never limited.
//!
//! - [`LoadShed`]: at most `max_concurrent_requests` ImpactService calls in flight; one more is
//!   refused at once with `RESOURCE_EXHAUSTED` (no queue). A call holds its slot until its
//!   response body ends: for a unary call that is right after the handler returns; a streaming
//!   call (`AssessBatch`, `ExportAssessments`) holds it for the whole stream, and a client that
//!   goes away releases it when its stream is dropped. The slot is taken when the runtime first
//!   polls the call (hyper spawns a task per HTTP/2 stream and calls the service lazily), so
//!   calls received but not yet run wait in the runtime's queue, at most
//!   `max_concurrent_streams` per connection.
//! - [`Deadline`]: a client's `grpc-timeout` ends the call with `DEADLINE_EXCEEDED` (tonic by
//!   itself answers `CANCELLED`), covering the whole call, stream bodies included: a stream cut
//!   short ends with `DEADLINE_EXCEEDED` trailers. Unary calls also get the server's
//!   `request_timeout` when the client asks for longer or for no deadline. Streaming calls are
//!   not bounded by the server's timeout, since a batch may be as long as its client likes:
//!   backpressure, the slot they hold and HTTP/2 keepalive bound them instead.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tonic::Status;
use tonic::server::NamedService;
use tower_service::Service;

use crate::metrics::Metrics;

/// The limits a server runs with. `Limits::default()` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// ImpactService calls in flight at once, streams included; one more gets
    /// `RESOURCE_EXHAUSTED`. Default 256: each unary call is CPU work of milliseconds, so 256
    /// waiting on 2-8 cores is already a queue of seconds; past it, refusing is kinder than
    /// queueing.
    pub max_concurrent_requests: usize,
    /// Longest a unary call may run when the client's deadline is longer or absent. Default
    /// 30 s: a 600-period schedule with the full carbon trace takes well under a second.
    pub request_timeout: Duration,
    /// How often an idle HTTP/2 connection is pinged. Default 30 s.
    pub http2_keepalive_interval: Duration,
    /// How long a ping may go unanswered before the connection (and every call on it, with the
    /// slots they hold) is closed. Default 10 s: a dead peer is found within 40 s.
    pub http2_keepalive_timeout: Duration,
    /// Idle time before the OS starts TCP keepalive probes. Default 60 s, for peers that
    /// vanish without a FIN while HTTP/2 pings are not yet due.
    pub tcp_keepalive: Duration,
    /// Concurrent HTTP/2 streams (calls) per connection. Default 128: half the default
    /// concurrency limit, so one connection cannot take every slot, and more than enough for
    /// any one client's pipelining; a client past it waits for a stream on its own side.
    pub max_concurrent_streams: u32,
}

impl Limits {
    pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 256;
    pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
    pub const DEFAULT_REQUEST_TIMEOUT: Duration =
        Duration::from_millis(Limits::DEFAULT_REQUEST_TIMEOUT_MS);
    pub const DEFAULT_HTTP2_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
    pub const DEFAULT_HTTP2_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_TCP_KEEPALIVE: Duration = Duration::from_secs(60);
    pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 128;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrent_requests: Limits::DEFAULT_MAX_CONCURRENT_REQUESTS,
            request_timeout: Limits::DEFAULT_REQUEST_TIMEOUT,
            http2_keepalive_interval: Limits::DEFAULT_HTTP2_KEEPALIVE_INTERVAL,
            http2_keepalive_timeout: Limits::DEFAULT_HTTP2_KEEPALIVE_TIMEOUT,
            tcp_keepalive: Limits::DEFAULT_TCP_KEEPALIVE,
            max_concurrent_streams: Limits::DEFAULT_MAX_CONCURRENT_STREAMS,
        }
    }
}

/// One method of a service, as its descriptor declares it.
#[derive(Debug, Clone)]
pub(crate) struct MethodInfo {
    pub name: String,
    /// Neither the request nor the response is a stream.
    pub unary: bool,
}

/// The methods of one gRPC service, looked up by request path. Paths that name no method of it
/// (tonic answers them `UNIMPLEMENTED`) share one entry, `unknown`, so metric labels stay few.
#[derive(Debug, Clone)]
pub(crate) struct Methods {
    by_name: Arc<HashMap<String, MethodInfo>>,
    unknown: Arc<MethodInfo>,
}

impl Methods {
    /// The methods of `service` (full name, e.g. `greenimpact.v1.ImpactService`) in an encoded
    /// file descriptor set.
    pub fn from_descriptor_set(descriptor_set: &[u8], service: &str) -> Result<Methods, String> {
        let pool = prost_reflect::DescriptorPool::decode(descriptor_set)
            .map_err(|e| format!("decoding the descriptor set: {e}"))?;
        let service_descriptor = pool
            .get_service_by_name(service)
            .ok_or_else(|| format!("the descriptor set has no service {service}"))?;
        let by_name = service_descriptor
            .methods()
            .map(|m| {
                let info = MethodInfo {
                    name: m.name().to_owned(),
                    unary: !m.is_client_streaming() && !m.is_server_streaming(),
                };
                (info.name.clone(), info)
            })
            .collect();
        Ok(Methods {
            by_name: Arc::new(by_name),
            unknown: Arc::new(MethodInfo {
                name: "unknown".to_owned(),
                unary: true,
            }),
        })
    }

    /// The method a request path (`/package.Service/Method`) calls.
    pub fn of_path(&self, path: &str) -> &MethodInfo {
        path.rsplit_once('/')
            .and_then(|(_, name)| self.by_name.get(name))
            .unwrap_or(&self.unknown)
    }
}

/// The value of a `grpc-timeout` header (1 to 8 digits and a unit: H, M, S, m, u, n), or
/// `None` when it is malformed: such a header is ignored, as tonic ignores it.
pub(crate) fn parse_grpc_timeout(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?;
    let unit_at = text.len().checked_sub(1)?;
    let (digits, unit) = text.split_at(unit_at);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    match unit {
        "H" => Some(Duration::from_secs(amount * 3600)),
        "M" => Some(Duration::from_secs(amount * 60)),
        "S" => Some(Duration::from_secs(amount)),
        "m" => Some(Duration::from_millis(amount)),
        "u" => Some(Duration::from_micros(amount)),
        "n" => Some(Duration::from_nanos(amount)),
        _ => None,
    }
}

const GRPC_TIMEOUT: &str = "grpc-timeout";

// ---------------------------------------------------------------------------------------------
// Load shedding

/// Admits at most `max` calls of the inner service at once and refuses the rest with
/// `RESOURCE_EXHAUSTED` at once; see the module comment.
#[derive(Debug, Clone)]
pub(crate) struct LoadShed<S> {
    inner: S,
    slots: Arc<Semaphore>,
    max: usize,
    metrics: Metrics,
}

impl<S> LoadShed<S> {
    pub fn new(inner: S, max: usize, metrics: Metrics) -> LoadShed<S> {
        LoadShed {
            inner,
            slots: Arc::new(Semaphore::new(max)),
            max,
            metrics,
        }
    }
}

impl<S: NamedService> NamedService for LoadShed<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for LoadShed<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<SlotBody<ResBody>>;
    type Error = S::Error;
    type Future = LoadShedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(slot) => LoadShedFuture::Admitted {
                inner: self.inner.call(request),
                slot: Some(slot),
            },
            Err(_) => {
                self.metrics.load_shed();
                LoadShedFuture::Refused {
                    status: Some(Status::resource_exhausted(format!(
                        "the server is running its limit of {} calls; retry with backoff",
                        self.max
                    ))),
                }
            }
        }
    }
}

pin_project! {
    #[project = LoadShedProj]
    pub(crate) enum LoadShedFuture<F> {
        Admitted { #[pin] inner: F, slot: Option<OwnedSemaphorePermit> },
        Refused { status: Option<Status> },
    }
}

impl<F, E, B> Future for LoadShedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<SlotBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            LoadShedProj::Admitted { inner, slot } => {
                let response = ready!(inner.poll(cx))?;
                let slot = slot.take();
                // A trailers-only answer (an error, a deadline) ends the call now: the slot is
                // free before the client can see the answer.
                let slot = slot.filter(|_| !response.headers().contains_key("grpc-status"));
                Poll::Ready(Ok(response.map(|inner| SlotBody {
                    inner: Some(inner),
                    slot,
                })))
            }
            LoadShedProj::Refused { status } => {
                let status = status
                    .take()
                    .unwrap_or_else(|| Status::resource_exhausted("refused"));
                // A trailers-only response: HTTP 200, grpc-status 8 and the message in headers.
                Poll::Ready(Ok(status.into_http()))
            }
        }
    }
}

pin_project! {
    /// A response body that holds its call's slot until it ends or is dropped. Without an
    /// inner body it is the empty body of a trailers-only refusal.
    pub(crate) struct SlotBody<B> {
        #[pin]
        inner: Option<B>,
        slot: Option<OwnedSemaphorePermit>,
    }
}

impl<B> Default for SlotBody<B> {
    fn default() -> Self {
        SlotBody {
            inner: None,
            slot: None,
        }
    }
}

impl<B: Body> Body for SlotBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            return Poll::Ready(None);
        };
        let frame = ready!(inner.poll_frame(cx));
        let last = match &frame {
            Some(Ok(frame)) => frame.is_trailers(),
            Some(Err(_)) | None => true,
        };
        if last {
            this.slot.take();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/// Ends calls that pass their deadline with `DEADLINE_EXCEEDED`; see the module comment.
#[derive(Debug, Clone)]
pub(crate) struct Deadline<S> {
    inner: S,
    methods: Methods,
    request_timeout: Duration,
}

impl<S> Deadline<S> {
    pub fn new(inner: S, methods: Methods, request_timeout: Duration) -> Deadline<S> {
        Deadline {
            inner,
            methods,
            request_timeout,
        }
    }
}

impl<S: NamedService> NamedService for Deadline<S> {
    const NAME: &'static str = S::NAME;
}

/// Which deadline a call has, and whose it is.
#[derive(Debug, Clone, Copy)]
struct CallDeadline {
    at: Instant,
    after: Duration,
    set_by_client: bool,
}

impl CallDeadline {
    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    fn status(&self) -> Status {
        let whose = if self.set_by_client {
            "the client's deadline"
        } else {
            "the server's request timeout"
        };
        Status::deadline_exceeded(format!("{whose} of {:?} passed", self.after))
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Deadline<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<DeadlineBody<ResBody>>;
    type Error = S::Error;
    type Future = DeadlineFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let now = Instant::now();
        let deadline = |after: Duration, set_by_client: bool| {
            now.checked_add(after).map(|at| CallDeadline {
                at,
                after,
                set_by_client,
            })
        };
        let client = request
            .headers()
            .get(GRPC_TIMEOUT)
            .and_then(parse_grpc_timeout)
            .and_then(|after| deadline(after, true));
        let server = if self.methods.of_path(request.uri().path()).unary {
            deadline(self.request_timeout, false)
        } else {
            None
        };
        let first = match (client, server) {
            (Some(c), Some(s)) => Some(if c.at <= s.at { c } else { s }),
            (one, other) => one.or(other),
        };
        DeadlineFuture {
            inner: self.inner.call(request),
            sleep: first.map(|d| tokio::time::sleep_until(d.at)),
            deadline: first,
            body_deadline: client,
        }
    }
}

pin_project! {
    pub(crate) struct DeadlineFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Option<Sleep>,
        deadline: Option<CallDeadline>,
        // The client's deadline also bounds the response body (a stream).
        body_deadline: Option<CallDeadline>,
    }
}

impl<F, E, B> Future for DeadlineFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<DeadlineBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Checked against the clock as well as the timer: a timer fires on a millisecond tick,
        // and a call already past its deadline should not start its work.
        if let Some(deadline) = this.deadline.filter(CallDeadline::passed) {
            return Poll::Ready(Ok(deadline.status().into_http()));
        }
        match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => {
                // An answer ready only after the deadline is not given: the client has gone.
                if let Some(deadline) = this.deadline.filter(CallDeadline::passed) {
                    return Poll::Ready(Ok(deadline.status().into_http()));
                }
                let body_deadline = *this.body_deadline;
                Poll::Ready(Ok(response.map(|inner| DeadlineBody {
                    inner: Some(inner),
                    sleep: body_deadline.map(|d| tokio::time::sleep_until(d.at)),
                    deadline: body_deadline,
                })))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                if let (Some(sleep), Some(deadline)) = (this.sleep.as_pin_mut(), this.deadline)
                    && sleep.poll(cx).is_ready()
                {
                    // Dropping the handler's future ends its work at its next await.
                    return Poll::Ready(Ok(deadline.status().into_http()));
                }
                Poll::Pending
            }
        }
    }
}

pin_project! {
    /// A response body cut off with `DEADLINE_EXCEEDED` trailers when the client's deadline
    /// passes before it ends. Without an inner body it is the empty body of a trailers-only
    /// answer.
    pub(crate) struct DeadlineBody<B> {
        #[pin]
        inner: Option<B>,
        #[pin]
        sleep: Option<Sleep>,
        deadline: Option<CallDeadline>,
    }
}

impl<B> Default for DeadlineBody<B> {
    fn default() -> Self {
        DeadlineBody {
            inner: None,
            sleep: None,
            deadline: None,
        }
    }
}

impl<B: Body> Body for DeadlineBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        match inner.poll_frame(cx) {
            Poll::Ready(frame) => {
                let last = match &frame {
                    Some(Ok(frame)) => frame.is_trailers(),
                    Some(Err(_)) | None => true,
                };
                if last {
                    this.sleep.set(None);
                }
                Poll::Ready(frame)
            }
            Poll::Pending => {
                let expired = this
                    .sleep
                    .as_mut()
                    .as_pin_mut()
                    .is_some_and(|sleep| sleep.poll(cx).is_ready());
                match this.deadline.filter(|_| expired) {
                    Some(deadline) => {
                        *this.deadline = None;
                        this.inner.set(None);
                        this.sleep.set(None);
                        let mut trailers = HeaderMap::new();
                        if deadline.status().add_header(&mut trailers).is_err() {
                            tracing::error!("the deadline status does not fit in trailers");
                        }
                        Poll::Ready(Some(Ok(Frame::trailers(trailers))))
                    }
                    None => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(text: &str) -> Option<Duration> {
        parse_grpc_timeout(&HeaderValue::from_str(text).expect("header text"))
    }

    #[test]
    fn grpc_timeout_units() {
        assert_eq!(timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(timeout("30S"), Some(Duration::from_secs(30)));
        assert_eq!(timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(timeout("1u"), Some(Duration::from_micros(1)));
        assert_eq!(timeout("99999999n"), Some(Duration::from_nanos(99_999_999)));
    }

    #[test]
    fn malformed_grpc_timeouts_are_ignored() {
        for text in [
            "",
            "S",
            "123456789S",
            "10",
            "10s",
            "-1S",
            "+1S",
            "1.5S",
            "1 S",
        ] {
            assert_eq!(timeout(text), None, "{text:?}");
        }
    }

    #[test]
    fn methods_come_from_the_descriptor() {
        let methods = Methods::from_descriptor_set(
            crate::pb::FILE_DESCRIPTOR_SET,
            "greenimpact.v1.ImpactService",
        )
        .expect("the service is in the descriptor set");
        let assess = methods.of_path("/greenimpact.v1.ImpactService/Assess");
        assert_eq!((assess.name.as_str(), assess.unary), ("Assess", true));
        let export = methods.of_path("/greenimpact.v1.ImpactService/ExportAssessments");
        assert_eq!(
            (export.name.as_str(), export.unary),
            ("ExportAssessments", false)
        );
        let unknown = methods.of_path("/greenimpact.v1.ImpactService/NoSuchMethod");
        assert_eq!(unknown.name, "unknown");
        assert!(Methods::from_descriptor_set(crate::pb::FILE_DESCRIPTOR_SET, "no.Such").is_err());
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let limits = Limits::default();
        assert_eq!(limits.max_concurrent_requests, 256);
        assert_eq!(limits.request_timeout, Duration::from_secs(30));
        assert_eq!(limits.max_concurrent_streams, 128);
    }
}
