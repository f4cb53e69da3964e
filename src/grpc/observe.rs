//! The tower layer that records the ImpactService's metrics (`crate::metrics`) around every
//! call, outside the handlers: in-flight calls, and at the end of each call its duration and
//! its gRPC status code, read from the response headers (a trailers-only answer: errors,
//! refusals, deadlines) or from the trailers that end the body (every OK call, every stream).
//! A call whose response ends with no status, or is dropped before it ends (the client went
//! away), counts as `UNKNOWN` or `CANCELLED`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::time::Instant;
use tonic::Code;
use tonic::server::NamedService;
use tower_service::Service;

use crate::metrics::Metrics;

use super::limits::Methods;

/// Records the metrics of every call of the inner service.
#[derive(Debug, Clone)]
pub(crate) struct Observe<S> {
    inner: S,
    methods: Methods,
    metrics: Metrics,
}

impl<S> Observe<S> {
    pub fn new(inner: S, methods: Methods, metrics: Metrics) -> Observe<S> {
        Observe {
            inner,
            methods,
            metrics,
        }
    }
}

impl<S: NamedService> NamedService for Observe<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Observe<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = ObservedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = self.methods.of_path(request.uri().path()).name.clone();
        self.metrics.call_started(&method);
        let call = Call {
            metrics: self.metrics.clone(),
            method,
            started: Instant::now(),
            code: None,
            ended: false,
        };
        ObservedFuture {
            inner: self.inner.call(request),
            call: Some(call),
        }
    }
}

/// One call being observed; recorded exactly once, when dropped.
#[derive(Debug)]
struct Call {
    metrics: Metrics,
    method: String,
    started: Instant,
    code: Option<Code>,
    /// The response body ended (rather than being dropped half-way).
    ended: bool,
}

impl Call {
    fn status_from(&mut self, headers: &HeaderMap) {
        if let Some(value) = headers.get("grpc-status") {
            self.code = Some(Code::from_bytes(value.as_bytes()));
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        let code = match (self.code, self.ended) {
            (Some(code), _) => code,
            (None, true) => Code::Unknown,
            (None, false) => Code::Cancelled,
        };
        self.metrics
            .call_finished(&self.method, code, self.started.elapsed());
    }
}

pin_project! {
    pub(crate) struct ObservedFuture<F> {
        #[pin]
        inner: F,
        call: Option<Call>,
    }
}

impl<F, E, B> Future for ObservedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ObservedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let mut call = this.call.take();
        match result {
            Ok(response) => {
                if let Some(call) = call.as_mut() {
                    call.status_from(response.headers());
                }
                // A trailers-only answer (its status in the headers) is recorded now, before
                // the client can see it; any other when its body ends.
                let call = call.filter(|call| call.code.is_none());
                Poll::Ready(Ok(response.map(|inner| ObservedBody { inner, call })))
            }
            Err(error) => {
                if let Some(call) = call.as_mut() {
                    call.code = Some(Code::Unknown);
                }
                Poll::Ready(Err(error))
            }
        }
    }
}

pin_project! {
    /// A response body that records its call when it ends or is dropped.
    pub(crate) struct ObservedBody<B> {
        #[pin]
        inner: B,
        call: Option<Call>,
    }
}

impl<B: Body> Body for ObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let (Some(trailers), Some(call)) = (frame.trailers_ref(), this.call.as_mut()) {
                    call.status_from(trailers);
                    call.ended = true;
                    // Recorded before the trailers are sent, so before the client sees the end.
                    this.call.take();
                }
            }
            Some(Err(_)) => {
                if let Some(call) = this.call.as_mut() {
                    call.code.get_or_insert(Code::Unknown);
                }
                this.call.take();
            }
            None => {
                if let Some(call) = this.call.as_mut() {
                    call.ended = true;
                }
                this.call.take();
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
