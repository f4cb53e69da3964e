//! How a record's request and response bytes are kept: compressed with zstd against a
//! dictionary shipped for the methodology version, so that a record of the seed case takes a
//! few kilobytes where its protobuf bytes take about twenty. The digest and the signature cover
//! the protobuf bytes, never these: reading a record gives back exactly the bytes it was sealed
//! over, and records kept raw (encoding 0, every record stored before compression) read as
//! they are.
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
    ZstdMethodology1_3,
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

/// No stored message is larger than the largest response the service sends.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

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
            Encoding::Unknown(code) => code,
        }
    }

    pub fn from_code(code: i64) -> Encoding {
        match code {
            0 => Encoding::Raw,
            1 => Encoding::ZstdMethodology1_3,
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

fn decompress(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("compressed record bytes: {why}"));
    let size = zstd::zstd_safe::get_frame_content_size(bytes)
        .map_err(|_| corrupt("not a zstd frame".into()))?
        .ok_or_else(|| corrupt("the frame does not say its size".into()))?;
    if size > MAX_BYTES {
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

impl Stored {
    /// A new record's bytes, compressed; kept raw should zstd fail, which costs only space.
    pub fn compress(record: &NewRecord) -> Stored {
        match (compress(&record.request), compress(&record.response)) {
            (Ok(request), Ok(response)) => Stored {
                encoding: Encoding::ZstdMethodology1_3,
                request,
                response,
            },
            (Err(e), _) | (_, Err(e)) => {
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
                let whole = |kept: Vec<u8>, what: &str| match decompress(&kept) {
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
        assert_eq!(decompress(&compressed).unwrap(), bytes);
        let mut cut = compressed.clone();
        cut.truncate(compressed.len() - 3);
        assert!(matches!(decompress(&cut), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            decompress(b"not zstd"),
            Err(StoreError::Corrupt(_))
        ));
        assert_eq!(Encoding::from_code(7), Encoding::Unknown(7));
    }
}
