//! A call into the gRPC stack in the same process: the request framed as gRPC, the caller's
//! Authorization header passed on, the reply read back message by message and its status from
//! the trailers. The HTTP API goes through the whole stack (metrics, concurrency limit,
//! deadlines, size limit, caller check, handlers), so it validates, authorises and stores
//! exactly as gRPC does.

use std::convert::Infallible;

use bytes::{Buf, Bytes, BytesMut};
use http::header::{AUTHORIZATION, CONTENT_TYPE, TE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Version};
use http_body_util::BodyExt;
use tonic::Status;
use tonic::body::Body;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

/// The gRPC stack of the impact service, boxed so the gateway does not name its layers.
pub type GrpcService = BoxCloneSyncService<Request<Body>, Response<Body>, Infallible>;

/// `message` in the gRPC length-prefixed framing, uncompressed.
pub fn frame(message: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + message.len());
    out.extend_from_slice(&[0]);
    // A message is bounded by the size limit long before 4 GiB.
    out.extend_from_slice(
        &u32::try_from(message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(message);
    out.freeze()
}

/// Starts the call of `method` (`Assess`) with `body` (framed messages) and the caller's
/// credentials; the reply's messages are then read from the returned `Reply`.
pub async fn call(
    service: &GrpcService,
    method: &str,
    authorization: Option<&HeaderValue>,
    body: Body,
) -> Result<Reply, Status> {
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    *request.version_mut() = Version::HTTP_2;
    *request.uri_mut() = format!("/{}/{method}", super::routes::SERVICE)
        .parse()
        .map_err(|_| Status::internal("the method name is not a path"))?;
    let headers = request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert(TE, HeaderValue::from_static("trailers"));
    if let Some(value) = authorization {
        headers.insert(AUTHORIZATION, value.clone());
    }
    let Ok(response) = service.clone().oneshot(request).await;
    let (parts, body) = response.into_parts();
    // Trailers-only: a call refused before any message carries its status in the headers.
    if let Some(status) = Status::from_header_map(&parts.headers)
        && status.code() != tonic::Code::Ok
    {
        return Err(status);
    }
    Ok(Reply {
        body,
        buffer: BytesMut::new(),
        status: None,
    })
}

/// A unary call: one message in, one out.
pub async fn unary(
    service: &GrpcService,
    method: &str,
    authorization: Option<&HeaderValue>,
    message: Bytes,
) -> Result<Bytes, Status> {
    let body = Body::new(http_body_util::Full::new(frame(&message)));
    let mut reply = call(service, method, authorization, body).await?;
    let message = reply.next_message().await?;
    // The status after the message: a handler may still fail the call in its trailers.
    reply.finish().await?;
    message.ok_or_else(|| Status::internal("the call answered OK with no message"))
}

/// The messages of a reply as they arrive, then its status.
pub struct Reply {
    body: Body,
    buffer: BytesMut,
    status: Option<Status>,
}

impl Reply {
    /// The next message; `None` at the end of a call that ended OK; the call's status when it
    /// did not.
    pub async fn next_message(&mut self) -> Result<Option<Bytes>, Status> {
        loop {
            if let Some(message) = self.take_message()? {
                return Ok(Some(message));
            }
            if let Some(status) = &self.status {
                return match status.code() {
                    tonic::Code::Ok if self.buffer.is_empty() => Ok(None),
                    tonic::Code::Ok => Err(Status::internal("the reply ended inside a message")),
                    _ => Err(status.clone()),
                };
            }
            match self.body.frame().await {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => self.buffer.extend_from_slice(&data),
                    Err(frame) => {
                        let trailers = frame.into_trailers().unwrap_or_default();
                        self.status = Some(status_of(&trailers));
                    }
                },
                Some(Err(status)) => self.status = Some(status),
                None => {
                    self.status = Some(Status::internal("the call ended without a status"));
                }
            }
        }
    }

    /// Reads to the end: the call's status once every message has been read.
    pub async fn finish(&mut self) -> Result<(), Status> {
        while self.next_message().await?.is_some() {}
        Ok(())
    }

    fn take_message(&mut self) -> Result<Option<Bytes>, Status> {
        if self.buffer.len() < 5 {
            return Ok(None);
        }
        if self.buffer[0] != 0 {
            return Err(Status::internal(
                "the service compressed a reply it was not asked to",
            ));
        }
        let length = u32::from_be_bytes([
            self.buffer[1],
            self.buffer[2],
            self.buffer[3],
            self.buffer[4],
        ]) as usize;
        if self.buffer.len() < 5 + length {
            return Ok(None);
        }
        self.buffer.advance(5);
        Ok(Some(self.buffer.split_to(length).freeze()))
    }
}

fn status_of(trailers: &HeaderMap) -> Status {
    Status::from_header_map(trailers)
        .unwrap_or_else(|| Status::internal("the call's trailers carry no grpc-status"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_a_flag_byte_a_big_endian_length_and_the_message() {
        assert_eq!(&frame(b"abc")[..], &[0, 0, 0, 0, 3, b'a', b'b', b'c']);
        assert_eq!(&frame(b"")[..], &[0, 0, 0, 0, 0]);
    }
}
