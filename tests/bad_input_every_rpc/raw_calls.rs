//! Calls with raw bytes: a codec that passes message bytes through untouched, and unary,
//! server-streaming and client-streaming calls to a method of the service by name.

use bytes::{Buf, BufMut};
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;

pub const SERVICE: &str = "greenimpact.v1.ImpactService";

/// Sends bytes as they are and hands back the answer's bytes, so a case can put anything on
/// the wire that a generated client never would.
#[derive(Clone, Copy, Default)]
pub struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(buf.copy_to_bytes(buf.remaining()).to_vec()))
    }
}

pub fn path(method: &str) -> http::uri::PathAndQuery {
    format!("/{SERVICE}/{method}")
        .parse()
        .expect("a method path")
}

pub async fn ready(channel: &Channel) -> tonic::client::Grpc<Channel> {
    let mut grpc = tonic::client::Grpc::new(channel.clone())
        .max_decoding_message_size(16 * 1024 * 1024)
        .max_encoding_message_size(16 * 1024 * 1024);
    grpc.ready().await.expect("the channel is ready");
    grpc
}

pub async fn unary(channel: &Channel, method: &str, body: Vec<u8>) -> Result<Vec<u8>, Status> {
    ready(channel)
        .await
        .unary(tonic::Request::new(body), path(method), RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

/// Every message of a server stream, or the status that ended it.
pub async fn server_stream(
    channel: &Channel,
    method: &str,
    bodies: Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, Status> {
    let mut answers = ready(channel)
        .await
        .streaming(
            tonic::Request::new(tokio_stream::iter(bodies)),
            path(method),
            RawCodec,
        )
        .await?
        .into_inner();
    let mut all = Vec::new();
    while let Some(answer) = answers.message().await? {
        all.push(answer);
    }
    Ok(all)
}

pub async fn client_stream(
    channel: &Channel,
    method: &str,
    bodies: Vec<Vec<u8>>,
) -> Result<Vec<u8>, Status> {
    ready(channel)
        .await
        .client_streaming(
            tonic::Request::new(tokio_stream::iter(bodies)),
            path(method),
            RawCodec,
        )
        .await
        .map(tonic::Response::into_inner)
}
