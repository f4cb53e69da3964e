//! The request-size limit of the impact service, answered `RESOURCE_EXHAUSTED` as the gRPC
//! specification and the other gRPC servers (C core, Go, Java) do. tonic's own limit answers
//! `OUT_OF_RANGE`, which gRPC keeps for an operation attempted past a valid range (reading
//! past the end of a file), and a client would not take it for a size problem. tonic's limit
//! stays set behind this one, which reads each message's length prefix as the body arrives and
//! refuses before anything of the message is buffered.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::Request;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use prometheus_client::metrics::counter::Counter;
use tonic::Status;
use tonic::server::NamedService;
use tower_service::Service;

/// Wraps a gRPC service so that a request message longer than `max_bytes` ends its call with
/// `RESOURCE_EXHAUSTED`: a unary call at once, a stream when it reaches that message (the
/// handlers pass the status on, the items before it answered), counted in `refused`.
#[derive(Clone)]
pub(crate) struct RequestSizeLimit<S> {
    inner: S,
    max_bytes: usize,
    refused: Counter,
}

impl<S> RequestSizeLimit<S> {
    pub fn new(inner: S, max_bytes: usize, refused: Counter) -> RequestSizeLimit<S> {
        RequestSizeLimit {
            inner,
            max_bytes,
            refused,
        }
    }
}

impl<S: NamedService> NamedService for RequestSizeLimit<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<Request<B>> for RequestSizeLimit<S>
where
    S: Service<Request<MeasuredBody<B>>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (max_bytes, refused) = (self.max_bytes, self.refused.clone());
        self.inner
            .call(request.map(|inner| MeasuredBody::new(inner, max_bytes, refused)))
    }
}

/// Where the reader is in the stream of length-prefixed messages: a gRPC message is one flag
/// byte, a four-byte big-endian length, then that many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// This many bytes of a message's five-byte prefix seen, and those bytes.
    Prefix { seen: usize, bytes: [u8; 5] },
    /// Inside a message, this many of its bytes still to come.
    Message { left: usize },
    /// A message of this length is over the limit: the bytes before it have been passed on,
    /// the refusal comes next.
    Refusing { length: usize },
    /// The refusal was given; nothing more is read.
    Refused,
}

const START: Position = Position::Prefix {
    seen: 0,
    bytes: [0; 5],
};

/// The first message in a chunk that is over the limit: its length, and how many of the
/// chunk's bytes come before its prefix (the messages before it, whole, pass on).
#[derive(Debug, PartialEq, Eq)]
struct Refusal {
    length: usize,
    bytes_before: usize,
}

/// Reads the length prefixes of the messages in `chunk`, from `position`, and returns where
/// the chunk ends, or the first message over `max_bytes`.
fn advance(mut position: Position, chunk: &[u8], max_bytes: usize) -> Result<Position, Refusal> {
    let mut rest = chunk;
    while !rest.is_empty() {
        position = match position {
            Position::Message { left } => {
                let taken = left.min(rest.len());
                rest = &rest[taken..];
                if left == taken {
                    START
                } else {
                    Position::Message { left: left - taken }
                }
            }
            Position::Prefix {
                mut seen,
                mut bytes,
            } => {
                // A prefix begun in an earlier chunk has nothing of this one before it.
                let prefix_starts = (chunk.len() - rest.len()).saturating_sub(seen);
                let taken = (5 - seen).min(rest.len());
                bytes[seen..seen + taken].copy_from_slice(&rest[..taken]);
                rest = &rest[taken..];
                seen += taken;
                if seen < 5 {
                    Position::Prefix { seen, bytes }
                } else {
                    let length = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
                    let length = usize::try_from(length).unwrap_or(usize::MAX);
                    if length > max_bytes {
                        return Err(Refusal {
                            length,
                            bytes_before: prefix_starts,
                        });
                    }
                    Position::Message { left: length }
                }
            }
            Position::Refusing { .. } | Position::Refused => return Ok(position),
        };
    }
    Ok(position)
}

pin_project! {
    /// A request body passed through unchanged until a message's prefix announces more than
    /// the limit; then the messages before it pass on and the body ends with the
    /// `RESOURCE_EXHAUSTED` status as its error, which tonic answers as it stands.
    pub(crate) struct MeasuredBody<B> {
        #[pin]
        inner: B,
        max_bytes: usize,
        position: Position,
        refused: Counter,
    }
}

impl<B> MeasuredBody<B> {
    fn new(inner: B, max_bytes: usize, refused: Counter) -> MeasuredBody<B> {
        MeasuredBody {
            inner,
            max_bytes,
            position: START,
            refused,
        }
    }
}

impl<B> Body for MeasuredBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        match *this.position {
            Position::Refusing { length } => {
                return refuse(this.position, this.refused, length, *this.max_bytes);
            }
            Position::Refused => return Poll::Ready(None),
            Position::Prefix { .. } | Position::Message { .. } => {}
        }
        let frame = match ready!(this.inner.poll_frame(cx)) {
            Some(Ok(frame)) => frame,
            Some(Err(error)) => return Poll::Ready(Some(Err(error.into()))),
            None => return Poll::Ready(None),
        };
        let Some(data) = frame.data_ref() else {
            return Poll::Ready(Some(Ok(frame)));
        };
        match advance(*this.position, data, *this.max_bytes) {
            Ok(position) => {
                *this.position = position;
                Poll::Ready(Some(Ok(frame)))
            }
            Err(Refusal {
                length,
                bytes_before,
            }) => {
                if bytes_before == 0 {
                    return refuse(this.position, this.refused, length, *this.max_bytes);
                }
                *this.position = Position::Refusing { length };
                Poll::Ready(Some(Ok(Frame::data(data.slice(..bytes_before)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.position == Position::Refused || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Ends the body with the refusal of a message of `length` bytes, and counts it.
fn refuse<T>(
    position: &mut Position,
    refused: &Counter,
    length: usize,
    max_bytes: usize,
) -> Poll<Option<Result<T, Box<dyn std::error::Error + Send + Sync>>>> {
    *position = Position::Refused;
    refused.inc();
    let status = Status::resource_exhausted(format!(
        "the request message is {length} bytes, over the limit of {max_bytes} bytes ({} KiB) \
         a message may have",
        max_bytes / 1024
    ));
    Poll::Ready(Some(Err(Box::new(status))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(length: u32) -> Vec<u8> {
        let mut bytes = vec![0u8];
        bytes.extend(length.to_be_bytes());
        bytes.resize(5 + length as usize, 7);
        bytes
    }

    /// The stream cut into chunks of `size` bytes, fed one by one, and the bytes read before
    /// a refusal (every chunk before its chunk, and the part of its chunk before it).
    fn read_in_chunks(stream: &[u8], size: usize, max_bytes: usize) -> (Position, usize) {
        let mut position = START;
        let mut passed = 0;
        for chunk in stream.chunks(size) {
            match advance(position, chunk, max_bytes) {
                Ok(next) => position = next,
                Err(refusal) => {
                    return (
                        Position::Refusing {
                            length: refusal.length,
                        },
                        passed + refusal.bytes_before,
                    );
                }
            }
            passed += chunk.len();
        }
        (position, passed)
    }

    #[test]
    fn messages_within_the_limit_pass_however_the_stream_is_cut() {
        let stream: Vec<u8> = [message(0), message(3), message(100), message(1)].concat();
        for size in 1..=stream.len() {
            assert_eq!(
                read_in_chunks(&stream, size, 100),
                (START, stream.len()),
                "chunks of {size}"
            );
        }
        // A stream that stops inside a message or its prefix is left there.
        let inside = &stream[..stream.len() - 1];
        let in_prefix = &stream[..stream.len() - 2];
        for size in 1..=inside.len() {
            assert_eq!(
                read_in_chunks(inside, size, 100).0,
                Position::Message { left: 1 }
            );
            assert_eq!(
                read_in_chunks(in_prefix, size, 100).0,
                Position::Prefix {
                    seen: 4,
                    bytes: [0; 5]
                }
            );
        }
    }

    #[test]
    fn the_first_message_over_the_limit_is_refused_after_those_before_it() {
        let before = [message(10), message(0)].concat();
        let stream: Vec<u8> = [before.clone(), message(101), message(1)].concat();
        for size in 1..=stream.len() {
            let (position, passed) = read_in_chunks(&stream, size, 100);
            assert_eq!(
                position,
                Position::Refusing { length: 101 },
                "chunks of {size}"
            );
            // Every byte before the refused message's prefix passes on, and none after it:
            // of the prefix itself, only the part in chunks before the one that completes it.
            let completing_chunk_starts = (before.len() + 4) / size * size;
            assert_eq!(
                passed,
                before.len().max(completing_chunk_starts),
                "chunks of {size}"
            );
        }
        // The prefix suffices: none of the message's bytes need to have arrived.
        assert_eq!(
            advance(START, &message(101)[..5], 100),
            Err(Refusal {
                length: 101,
                bytes_before: 0
            })
        );
        assert_eq!(
            advance(START, &[0, 0xff, 0xff, 0xff, 0xff], 100),
            Err(Refusal {
                length: 0xffff_ffff,
                bytes_before: 0
            })
        );
    }
}
