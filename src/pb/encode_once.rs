//! prost's encoding of our messages, byte for byte, with each nested message's length worked out
//! once. prost writes a nested message's length before it, and finds it by walking the whole
//! message below; it does so at every level, so a decimal six messages deep in a FULL answer
//! (answer, carbon result, scenario, line, bounds, decimal) was walked six times, and the walks
//! took about half of the time of encoding one (docs/benchmarks.md). Here one pass records every
//! nested length, in the order the writing pass meets them, and the writing pass takes them.
//!
//! The impls are generated (`build/encode_once.rs`) from the descriptors prost's messages are
//! generated from; the tests below hold them to prost's bytes for every message type with every
//! field set, and to each oneof member in turn.

use bytes::BufMut;
use prost::encoding::encoded_len_varint;

use crate::pb;

/// A message that encodes as prost encodes it, each nested length computed once.
pub trait EncodeOnce {
    /// The message's encoded length. Pushes onto `lengths` the length of every message nested
    /// in it, in the order `write` meets them.
    fn lengths(&self, lengths: &mut Vec<usize>) -> usize;

    /// Writes the message, taking nested lengths from `lengths` as `lengths()` pushed them.
    fn write(&self, lengths: &mut Cursor<'_>, buf: &mut impl BufMut);
}

/// Nested lengths, taken in order.
pub struct Cursor<'a> {
    lengths: std::slice::Iter<'a, usize>,
    ran_out: bool,
}

impl Cursor<'_> {
    /// The next length. The generated code takes one exactly where it pushed one, over the
    /// same borrowed message, so none runs out; `Prepared::write` checks that it did not and
    /// that none is left over (the tests are what hold the generator to prost's bytes).
    fn take(&mut self) -> usize {
        match self.lengths.next() {
            Some(len) => *len,
            None => {
                self.ran_out = true;
                0
            }
        }
    }
}

/// A message with its nested lengths worked out: its length is known before a byte is written.
pub struct Prepared<'a, M> {
    message: &'a M,
    lengths: Vec<usize>,
    len: usize,
}

pub fn prepare<M: EncodeOnce>(message: &M) -> Prepared<'_, M> {
    let mut lengths = Vec::with_capacity(64);
    let len = message.lengths(&mut lengths);
    Prepared {
        message,
        lengths,
        len,
    }
}

impl<M: EncodeOnce> Prepared<'_, M> {
    pub fn encoded_len(&self) -> usize {
        self.len
    }

    /// Writes the message, or says the two passes disagreed, which would be a bug of the
    /// generator: the bytes written are then not to be used.
    pub fn write(&self, buf: &mut impl BufMut) -> Result<(), Mismatch> {
        let before = buf.remaining_mut();
        let mut cursor = Cursor {
            lengths: self.lengths.iter(),
            ran_out: false,
        };
        self.message.write(&mut cursor, buf);
        let written = before - buf.remaining_mut();
        if written == self.len && !cursor.ran_out && cursor.lengths.next().is_none() {
            Ok(())
        } else {
            Err(Mismatch)
        }
    }
}

/// The bytes prost's `encode_to_vec` gives.
pub fn to_vec<M: EncodeOnce + prost::Message>(message: &M) -> Vec<u8> {
    let prepared = prepare(message);
    let mut buf = Vec::with_capacity(prepared.encoded_len());
    match prepared.write(&mut buf) {
        Ok(()) => buf,
        Err(Mismatch) => {
            // Cannot happen (see `Cursor::take`); prost's bytes are the ones these must equal.
            tracing::error!("EncodeOnce disagreed with itself; encoded by prost instead");
            message.encode_to_vec()
        }
    }
}

/// The two passes over one message disagreed.
#[derive(Debug)]
pub struct Mismatch;

// The generated code passes a field's key as the bytes it is (and its length as their count),
// worked out when it was generated.

#[inline]
fn message_len<M: EncodeOnce>(key_len: usize, message: &M, lengths: &mut Vec<usize>) -> usize {
    let slot = lengths.len();
    lengths.push(0);
    let len = message.lengths(lengths);
    lengths[slot] = len;
    key_len + encoded_len_varint(len as u64) + len
}

#[inline]
fn write_message<M: EncodeOnce>(
    key: &[u8],
    message: &M,
    lengths: &mut Cursor<'_>,
    buf: &mut impl BufMut,
) {
    put_key(key, buf);
    put_varint(lengths.take() as u64, buf);
    message.write(lengths, buf);
}

#[inline]
fn string_len(key_len: usize, value: &str) -> usize {
    key_len + encoded_len_varint(value.len() as u64) + value.len()
}

#[inline]
fn put_string(key: &[u8], value: &str, buf: &mut impl BufMut) {
    put_key(key, buf);
    put_varint(value.len() as u64, buf);
    buf.put_slice(value.as_bytes());
}

/// A key of one byte (a field number below 16) is one byte put, not a copy of a slice: the
/// key is a constant where this is inlined, so the test folds away.
#[inline]
fn put_key(key: &[u8], buf: &mut impl BufMut) {
    match key {
        [byte] => buf.put_u8(*byte),
        _ => buf.put_slice(key),
    }
}

/// A length as prost's `encode_varint` writes it. Not that function: with it the seed FULL
/// response took 27-29 us to encode instead of 19-23 us (`cargo bench --bench domain --
/// encode/`, 2026-12-07, three runs against two).
#[inline]
fn put_varint(mut value: u64, buf: &mut impl BufMut) {
    while value >= 0x80 {
        buf.put_u8((value as u8) | 0x80);
        value >>= 7;
    }
    buf.put_u8(value as u8);
}

include!(concat!(env!("OUT_DIR"), "/encode_once.rs"));

#[cfg(test)]
fn both<M: prost::Message + Default + EncodeOnce>(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let message = M::decode(bytes).unwrap_or_else(|error| panic!("decodes: {error}"));
    (message.encode_to_vec(), to_vec(&message))
}

#[cfg(test)]
mod tests;
