//! How a record's request and response bytes are kept: compressed with zstd against a
//! dictionary shipped for the methodology version, so that a record of the seed case takes a
//! few kilobytes where its protobuf bytes take about twenty. The digest and the signature cover
//! the protobuf bytes, never these: reading a record gives back exactly the bytes it was sealed
//! over, and records kept raw (encoding 0, every record stored before compression) or in an
//! earlier encoding read as they are.
//!
//! New records are kept in encoding 2: the request and the response in one frame. A response
//! repeats much of its request (ids, stated assumptions, figures), which one frame finds and
//! two frames cannot, and one frame spares a second frame's set-up: on the seed record it is
//! about a fifth smaller and a quarter quicker than encoding 1 (docs/benchmarks.md,
//! "Compression").
//!
//! A dictionary is never changed once shipped: records compressed against it need it to be
//! read. A new one comes with a new encoding number.

use std::sync::LazyLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use super::StoreError;
use crate::records::{NewRecord, Record, Seal};

/// Request and response bytes as raw or zstd-compressed against the 1.3.0 dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Raw,
    /// Request and response each in a frame of its own.
    ZstdMethodology1_3,
    /// One frame of the request's length (big-endian u64), the request, then the response,
    /// kept where the response is kept; the request is kept empty.
    ZstdMethodology1_3Joined,
    /// A code this build does not know: such a record cannot be read.
    Unknown(i64),
}

/// The dictionary of encoding 1: the requests and FULL responses of the project's examples
/// under methodology green-impact/1.3.0 (`cargo run --example zstd-dictionary` shows how it
/// was made; the test below holds its digest).
const DICTIONARY_1_3: &[u8] = include_bytes!("../../data/zstd/green-impact-1.3.0.dict");

/// zstd's level 1: on the seed record it takes about half the time of level 3 for about 12%
/// more bytes, and compression is a quarter of the stored path's CPU (docs/benchmarks.md,
/// "Compression"). Readers need not know the level.
const LEVEL: i32 = 1;

/// No stored message is larger than the largest response the service sends; a joined frame
/// holds two and their length.
const MAX_BYTES: u64 = 4 * 1024 * 1024;
const MAX_JOINED_BYTES: u64 = 2 * MAX_BYTES + LENGTH_BYTES as u64;

/// The request's length at the start of a joined frame.
const LENGTH_BYTES: usize = 8;

static ENCODER: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICTIONARY_1_3, LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICTIONARY_1_3));

thread_local! {
    // A context per thread: making one costs more than compressing a record.
    static COMPRESSOR: std::cell::RefCell<Option<Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

impl Encoding {
    pub fn code(self) -> i64 {
        match self {
            Encoding::Raw => 0,
            Encoding::ZstdMethodology1_3 => 1,
            Encoding::ZstdMethodology1_3Joined => 2,
            Encoding::Unknown(code) => code,
        }
    }

    pub fn from_code(code: i64) -> Encoding {
        match code {
            0 => Encoding::Raw,
            1 => Encoding::ZstdMethodology1_3,
            2 => Encoding::ZstdMethodology1_3Joined,
            other => Encoding::Unknown(other),
        }
    }
}

/// A record's request and response as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub encoding: Encoding,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
}

fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let compressor = match cell.as_mut() {
            Some(compressor) => compressor,
            None => cell.insert(Compressor::with_prepared_dictionary(&ENCODER)?),
        };
        compressor.compress(bytes)
    })
}

fn decompress(bytes: &[u8], max_bytes: u64) -> Result<Vec<u8>, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("compressed record bytes: {why}"));
    let size = zstd::zstd_safe::get_frame_content_size(bytes)
        .map_err(|_| corrupt("not a zstd frame".into()))?
        .ok_or_else(|| corrupt("the frame does not say its size".into()))?;
    if size > max_bytes {
        return Err(corrupt(format!(
            "a frame of {size} bytes is over the limit"
        )));
    }
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let decompressor = match cell.as_mut() {
            Some(decompressor) => decompressor,
            None => cell.insert(
                Decompressor::with_prepared_dictionary(&DECODER)
                    .map_err(|e| StoreError::Backend(format!("zstd: {e}")))?,
            ),
        };
        let capacity = usize::try_from(size).unwrap_or(usize::MAX);
        let out = decompressor
            .decompress(bytes, capacity)
            .map_err(|e| corrupt(e.to_string()))?;
        if out.len() != capacity {
            return Err(corrupt("the frame is shorter than it says".into()));
        }
        Ok(out)
    })
}

/// A joined frame's request and response.
fn split(mut joined: Vec<u8>) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let corrupt = || StoreError::Corrupt("a joined frame's request length is wrong".into());
    let length: [u8; LENGTH_BYTES] = joined
        .get(..LENGTH_BYTES)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(corrupt)?;
    let request_end = usize::try_from(u64::from_be_bytes(length))
        .ok()
        .and_then(|length| length.checked_add(LENGTH_BYTES))
        .filter(|&end| end <= joined.len())
        .ok_or_else(corrupt)?;
    let response = joined.split_off(request_end);
    joined.drain(..LENGTH_BYTES);
    Ok((joined, response))
}

impl Stored {
    /// A new record's bytes, compressed; kept raw should zstd fail, which costs only space.
    pub fn compress(record: &NewRecord) -> Stored {
        let mut joined =
            Vec::with_capacity(LENGTH_BYTES + record.request.len() + record.response.len());
        joined.extend_from_slice(&(record.request.len() as u64).to_be_bytes());
        joined.extend_from_slice(&record.request);
        joined.extend_from_slice(&record.response);
        match compress(&joined) {
            Ok(frame) => Stored {
                encoding: Encoding::ZstdMethodology1_3Joined,
                request: Vec::new(),
                response: frame,
            },
            Err(e) => {
                tracing::warn!(error = %e, "a record is stored uncompressed");
                Stored {
                    encoding: Encoding::Raw,
                    request: record.request.clone(),
                    response: record.response.clone(),
                }
            }
        }
    }

    /// The record, with the bytes its digest covers. Bytes that do not decompress (altered
    /// behind the store's back) are given as they are kept, so that they fail every check
    /// that covers them, as altered raw bytes would, rather than hiding the record.
    pub fn read(self, seal: Seal) -> Result<Record, StoreError> {
        let (request, response) = match self.encoding {
            Encoding::Raw => (self.request, self.response),
            Encoding::ZstdMethodology1_3 => {
                let whole = |kept: Vec<u8>, what: &str| match decompress(&kept, MAX_BYTES) {
                    Ok(bytes) => bytes,
                    Err(why) => {
                        tracing::warn!(record = %seal.record_id, %why, "{what} bytes given as kept");
                        kept
                    }
                };
                (
                    whole(self.request, "request"),
                    whole(self.response, "response"),
                )
            }
            Encoding::ZstdMethodology1_3Joined => {
                match decompress(&self.response, MAX_JOINED_BYTES).and_then(split) {
                    Ok(both) => both,
                    Err(why) => {
                        tracing::warn!(record = %seal.record_id, %why, "record bytes given as kept");
                        (self.request, self.response)
                    }
                }
            }
            Encoding::Unknown(code) => {
                return Err(StoreError::Corrupt(format!(
                    "record {} is kept in encoding {code}, which this build cannot read",
                    seal.record_id
                )));
            }
        };
        Ok(Record {
            seal,
            request,
            response,
            shared_with: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    /// The shipped dictionary of encoding 1. Records compressed against it need these very
    /// bytes to be read: this digest must never change.
    const DICTIONARY_1_3_SHA256: &str =
        "95fada958fd1f9f3cdcce62f2b5a22ed2f10509da417f6f6a59bf309dfbfd70b";

    #[test]
    fn the_shipped_dictionary_is_the_one_records_were_compressed_against() {
        assert_eq!(
            hex::encode(Sha256::digest(DICTIONARY_1_3)),
            DICTIONARY_1_3_SHA256
        );
    }

    #[test]
    fn compressed_bytes_read_back_exactly_and_damage_is_refused() {
        let bytes: Vec<u8> = (0..5000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let compressed = compress(&bytes).unwrap();
        assert!(compressed.len() < bytes.len() / 4);
        assert_eq!(decompress(&compressed, MAX_BYTES).unwrap(), bytes);
        assert!(matches!(
            decompress(&compressed, 100),
            Err(StoreError::Corrupt(_))
        ));
        let mut cut = compressed.clone();
        cut.truncate(compressed.len() - 3);
        assert!(matches!(
            decompress(&cut, MAX_BYTES),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            decompress(b"not zstd", MAX_BYTES),
            Err(StoreError::Corrupt(_))
        ));
        assert_eq!(Encoding::from_code(7), Encoding::Unknown(7));
    }

    fn record(request: Vec<u8>, response: Vec<u8>) -> NewRecord {
        NewRecord {
            record_id: "rec_0".into(),
            kind: crate::records::RecordKind::Assessment,
            tenant: "bank".into(),
            created_at: String::new(),
            created_unix_micros: 0,
            methodology_version: String::new(),
            factor_set: String::new(),
            subject_record_id: String::new(),
            borrower_id: String::new(),
            project_id: String::new(),
            methodology_digest: String::new(),
            factor_set_digest: String::new(),
            request,
            response,
        }
    }

    fn read(stored: Stored, record: &NewRecord) -> (Vec<u8>, Vec<u8>) {
        let read = stored
            .read(record.sealed(1, &[0; 32], &[0; 32], &[], "key"))
            .expect("a known encoding");
        (read.request, read.response)
    }

    #[test]
    fn a_record_is_kept_in_one_frame_and_read_back_exactly() {
        let request: Vec<u8> = (0..900u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
        let response: Vec<u8> = (0..5000u32).flat_map(|i| (i % 13).to_le_bytes()).collect();
        for (request, response) in [
            (request.clone(), response.clone()),
            (Vec::new(), response.clone()),
            (request.clone(), Vec::new()),
        ] {
            let new = record(request.clone(), response.clone());
            let stored = Stored::compress(&new);
            assert_eq!(stored.encoding, Encoding::ZstdMethodology1_3Joined);
            assert!(stored.request.is_empty());
            assert!(stored.response.len() < (request.len() + response.len()) / 4 + 64);
            assert_eq!(read(stored, &new), (request, response));
        }
    }

    /// Records kept apart (encoding 1) before the joined frame still read exactly.
    #[test]
    fn a_record_kept_in_two_frames_still_reads() {
        let new = record(b"request bytes".repeat(50), b"response bytes".repeat(400));
        let stored = Stored {
            encoding: Encoding::from_code(1),
            request: compress(&new.request).unwrap(),
            response: compress(&new.response).unwrap(),
        };
        assert_eq!(
            read(stored, &new),
            (new.request.clone(), new.response.clone())
        );
    }

    /// A frame that does not open is given as kept (an empty request, the frame as the
    /// response), so the digest over it fails as it would over altered raw bytes. (A frame
    /// altered so that it still opens gives other bytes, which fail the digest too:
    /// tests/records/tampered_bytes.rs.)
    #[test]
    fn a_joined_frame_that_does_not_open_is_given_as_kept() {
        let new = record(vec![1; 300], vec![2; 3000]);
        let frame = |joined: &[u8]| Stored {
            encoding: Encoding::ZstdMethodology1_3Joined,
            request: Vec::new(),
            response: compress(joined).unwrap(),
        };
        let mut too_long = 4000u64.to_be_bytes().to_vec();
        too_long.extend_from_slice(&[1; 300]);
        let short = vec![0; 5];
        for stored in [frame(&too_long), frame(&short)] {
            let kept = stored.response.clone();
            assert_eq!(read(stored, &new), (Vec::new(), kept));
        }
    }
}
