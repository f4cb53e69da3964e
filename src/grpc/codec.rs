//! prost's codec with two changes: a request that does not decode (a string that is not UTF-8,
//! a truncated field, a wrong wire type) is the caller's fault, so it is answered
//! INVALID_ARGUMENT naming the field prost reports, where tonic's codec answers INTERNAL; and a
//! message is encoded by `EncodeOnce`, prost's bytes with each nested length computed once.

use std::marker::PhantomData;

use prost::Message;
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

use super::status;
use crate::pb::encode_once::{self, EncodeOnce};

/// The codec the generated client and server use (`build.rs` names it).
#[derive(Debug, Clone)]
pub struct ProstCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for ProstCodec<T, U> {
    fn default() -> Self {
        ProstCodec(PhantomData)
    }
}

impl<T, U> Codec for ProstCodec<T, U>
where
    T: EncodeOnce + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = OnceEncoder<T>;
    type Decoder = StrictDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        OnceEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        StrictDecoder(PhantomData)
    }
}

#[derive(Debug, Clone)]
pub struct OnceEncoder<T>(PhantomData<T>);

impl<T: EncodeOnce> Encoder for OnceEncoder<T> {
    type Item = T;
    type Error = Status;

    fn encode(&mut self, item: T, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        let prepared = encode_once::prepare(&item);
        buf.reserve(prepared.encoded_len());
        prepared.write(buf).map_err(|_| {
            tracing::error!("a message's two encoding passes disagreed");
            Status::internal("the answer could not be encoded")
        })
    }
}

#[derive(Debug, Clone)]
pub struct StrictDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for StrictDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf)
            .map(Some)
            .map_err(|error| undecodable(&error.to_string()))
    }
}

/// prost's error text is its only public form: "failed to decode Protobuf message: " then one
/// "Message.field: " frame per enclosing field, innermost first, then what went wrong.
fn undecodable(text: &str) -> Status {
    let (path, reason) = field_path(text);
    let description = format!("does not decode as protobuf: {reason}");
    if path.is_empty() {
        // Framing broken before any field: there is no field to name.
        Status::invalid_argument(format!("the message {description}"))
    } else {
        status::invalid_field(&path, description)
    }
}

fn field_path(text: &str) -> (String, &str) {
    let mut rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(text);
    let mut fields = Vec::new();
    while let Some((frame, tail)) = rest.split_once(": ") {
        let Some((message, field)) = frame.split_once('.') else {
            break;
        };
        if !is_identifier(message) || !is_identifier(field) {
            break;
        }
        fields.push(field);
        rest = tail;
    }
    fields.reverse();
    (fields.join("."), rest)
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb;

    fn decode_error(bytes: &[u8]) -> String {
        pb::AssessRequest::decode(bytes)
            .expect_err("the bytes do not decode")
            .to_string()
    }

    #[test]
    fn a_nested_string_that_is_not_utf8_is_named_by_its_path_from_the_request() {
        // AssessRequest.loan holding a principal whose currency code is the byte 0xFF.
        let money = [0x0a, 0x01, 0xff]; // Money.currency_code = "\xFF"
        let mut loan = vec![0x0a, money.len() as u8]; // LoanTerms.principal = money
        loan.extend_from_slice(&money);
        let mut request = vec![loan_tag(), loan.len() as u8];
        request.extend_from_slice(&loan);
        let text = decode_error(&request);
        let (path, reason) = field_path(&text);
        assert_eq!(path, "loan.principal.currency_code", "from {text:?}");
        assert_eq!(reason, "invalid string value: data is not UTF-8 encoded");
    }

    #[test]
    fn a_truncated_field_is_named_and_broken_framing_has_no_path() {
        let text = decode_error(&[loan_tag(), 0x05, 0x01]);
        let (path, reason) = field_path(&text);
        assert_eq!(path, "loan", "the truncated field is the loan: {text:?}");
        assert!(!reason.is_empty());
        let (path, _) = field_path("failed to decode Protobuf message: invalid varint");
        assert_eq!(path, "");
    }

    #[test]
    fn a_reason_with_a_dot_and_colon_is_not_taken_for_a_frame() {
        let text = "failed to decode Protobuf message: A.b: unexpected type URL.type_url: x";
        assert_eq!(
            field_path(text),
            ("b".to_owned(), "unexpected type URL.type_url: x")
        );
    }

    /// The key of AssessRequest.loan, read off the generated message so the test follows the
    /// proto.
    fn loan_tag() -> u8 {
        let request = pb::AssessRequest {
            loan: Some(pb::LoanTerms::default()),
            ..Default::default()
        };
        request.encode_to_vec()[0]
    }
}
