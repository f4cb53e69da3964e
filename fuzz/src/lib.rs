//! What the fuzz targets share: their inputs' paths (`inputs.rs`, also run by
//! `tests/fuzz_regressions.rs` and the seed generator) and a structure-aware mutator.
//!
//! libFuzzer's byte mutations rarely keep a protobuf valid: lengthening one decimal string
//! breaks the length prefixes of every message around it, so the fuzzer stays in the decoder
//! and the validator. The mutator decodes the input through the compiled descriptors, changes
//! one field (a decimal to a boundary value of the request limits or a random one at their
//! precision, a count or an enum to an interesting number, a list entry duplicated or removed,
//! a message set or cleared, a string's bytes mutated by libFuzzer) and encodes it again, so
//! most mutants are well-formed requests that reach the arithmetic.

mod inputs;

pub use inputs::{assess_request, evaluate_report, part};

use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, Kind, MessageDescriptor, ReflectMessage, Value,
};

/// Decimal texts at the edges of the request limits (src/domain/limits.rs) and beyond.
const DECIMALS: &[&str] = &[
    "0",
    "-0",
    "0.000001",
    "-0.000001",
    "0.0000001",
    "0.0001",
    "0.01",
    "0.7",
    "0.9999",
    "1",
    "10",
    "100",
    "366",
    "100000",
    "1000000",
    "-1000000",
    "36600000",
    "1000000000",
    "10000000000",
    "100000000000",
    "1000000000000",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "1e5",
    "",
    " 1",
];

const DATES: &[&str] = &[
    "2025-07-21",
    "2025-01-31",
    "2024-02-29",
    "1900-01-01",
    "2200-12-31",
    "2200-02-29",
    "2019-08-20",
    "2025-13-01",
];

const NUMBERS: &[i64] = &[
    0,
    1,
    2,
    3,
    4,
    6,
    11,
    12,
    36,
    64,
    65,
    90,
    365,
    366,
    367,
    599,
    600,
    601,
    1000,
    1001,
    10000,
    10001,
    -1,
    -1000,
    -10000,
    -10001,
    i32::MAX as i64,
    i32::MIN as i64,
    u32::MAX as i64,
];

/// xorshift64*, seeded by libFuzzer.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u32) -> Rng {
        Rng(u64::from(seed) | 0x9E37_79B9_0000_0000)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub fn descriptor(full_name: &str) -> MessageDescriptor {
    DescriptorPool::decode(green_impact::pb::FILE_DESCRIPTOR_SET)
        .expect("descriptor set")
        .get_message_by_name(full_name)
        .expect("message in the descriptor set")
}

/// One structural mutation of `bytes` (a `descriptor` message); None when they do not decode.
/// `byte_mutate` is libFuzzer's own mutation of a string's bytes.
pub fn mutate(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
    rng: &mut Rng,
    byte_mutate: &mut dyn FnMut(&mut Vec<u8>),
) -> Option<Vec<u8>> {
    let mut message = DynamicMessage::decode(descriptor.clone(), bytes).ok()?;
    // A few mutations at once now and then, so that limits can be combined.
    let rounds = if rng.below(4) == 0 {
        1 + rng.below(4)
    } else {
        1
    };
    for _ in 0..rounds {
        let count = count_sites(&message);
        let target = rng.below(count.max(1));
        mutate_site(&mut message, &mut { target }, rng, byte_mutate);
    }
    Some(message.encode_to_vec())
}

/// Mutation sites of a message: each field (set or not), each list entry, and the sites of
/// every nested message.
fn count_sites(message: &DynamicMessage) -> usize {
    message
        .descriptor()
        .fields()
        .map(|field| {
            1 + match message.get_field(&field).as_ref() {
                Value::Message(inner) if message.has_field(&field) => count_sites(inner),
                Value::List(items) => items
                    .iter()
                    .map(|item| match item {
                        Value::Message(inner) => 1 + count_sites(inner),
                        _ => 1,
                    })
                    .sum(),
                _ => 0,
            }
        })
        .sum()
}

/// Mutates the `target`-th site in `count_sites` order; returns true once done.
fn mutate_site(
    message: &mut DynamicMessage,
    target: &mut usize,
    rng: &mut Rng,
    byte_mutate: &mut dyn FnMut(&mut Vec<u8>),
) -> bool {
    let is_decimal = message.descriptor().full_name() == "greenimpact.v1.Decimal";
    for field in message.descriptor().fields().collect::<Vec<_>>() {
        if *target == 0 {
            mutate_field(message, &field, rng, byte_mutate, is_decimal);
            return true;
        }
        *target -= 1;
        // Only set fields are opened: opening an absent oneof member would clear its sibling.
        if field.is_list() {
            let Value::List(items) = message.get_field_mut(&field) else {
                continue;
            };
            for i in 0..items.len() {
                if *target == 0 {
                    mutate_entry(items, i, rng, byte_mutate, is_decimal, field.name());
                    return true;
                }
                *target -= 1;
                if let Value::Message(inner) = &mut items[i]
                    && mutate_site(inner, target, rng, byte_mutate)
                {
                    return true;
                }
            }
        } else if message.has_field(&field)
            && let Value::Message(inner) = message.get_field_mut(&field)
            && mutate_site(inner, target, rng, byte_mutate)
        {
            return true;
        }
    }
    false
}

fn mutate_field(
    message: &mut DynamicMessage,
    field: &prost_reflect::FieldDescriptor,
    rng: &mut Rng,
    byte_mutate: &mut dyn FnMut(&mut Vec<u8>),
    is_decimal: bool,
) {
    if field.is_list() {
        let Value::List(items) = message.get_field_mut(field) else {
            return;
        };
        match rng.below(3) {
            // Grow towards (and past) the 64-entry limits.
            0 if !items.is_empty() => {
                let copies = if rng.below(4) == 0 { 64 } else { 1 };
                let entry = items[rng.below(items.len())].clone();
                items.extend(std::iter::repeat_n(entry, copies));
            }
            1 if !items.is_empty() => {
                items.remove(rng.below(items.len()));
            }
            _ => items.push(Value::default_value_for_field(field)),
        }
        return;
    }
    if let Kind::Message(_) = field.kind() {
        if message.has_field(field) && rng.below(3) == 0 {
            message.clear_field(field);
        } else {
            // Present with default contents (for a oneof member this clears its siblings).
            message.get_field_mut(field);
        }
        return;
    }
    let value = message.get_field_mut(field);
    mutate_scalar(value, field.name(), rng, byte_mutate, is_decimal);
}

fn mutate_entry(
    items: &mut [Value],
    i: usize,
    rng: &mut Rng,
    byte_mutate: &mut dyn FnMut(&mut Vec<u8>),
    is_decimal: bool,
    name: &str,
) {
    if !matches!(items[i], Value::Message(_)) {
        mutate_scalar(&mut items[i], name, rng, byte_mutate, is_decimal);
    } else if items.len() > 1 {
        let j = rng.below(items.len());
        items.swap(i, j);
    }
}

fn mutate_scalar(
    value: &mut Value,
    name: &str,
    rng: &mut Rng,
    byte_mutate: &mut dyn FnMut(&mut Vec<u8>),
    is_decimal: bool,
) {
    match value {
        Value::String(text) => {
            let choice = rng.below(3);
            if is_decimal && choice == 0 {
                *text = (*rng.pick(DECIMALS)).to_owned();
            } else if is_decimal && choice == 1 {
                *text = random_decimal(rng);
            } else if name.ends_with("date") && choice < 2 {
                *text = (*rng.pick(DATES)).to_owned();
            } else if name == "currency_code" && choice < 2 {
                *text = (*rng.pick(&["CNY", "USD", "cny", ""])).to_owned();
            } else {
                let mut bytes = std::mem::take(text).into_bytes();
                byte_mutate(&mut bytes);
                *text = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
        Value::U32(n) => *n = number(rng) as u32,
        Value::I32(n) => *n = number(rng) as i32,
        Value::U64(n) => *n = number(rng) as u64,
        Value::I64(n) => *n = number(rng),
        Value::EnumNumber(n) => *n = rng.below(12) as i32 - 1,
        Value::Bool(b) => *b = !*b,
        _ => {}
    }
}

fn number(rng: &mut Rng) -> i64 {
    if rng.below(4) == 0 {
        rng.below(1000) as i64
    } else {
        *rng.pick(NUMBERS)
    }
}

/// Up to 13 digits at 0 to 6 places (the precision and the widest range of the limits),
/// either sign.
fn random_decimal(rng: &mut Rng) -> String {
    let digits = 1 + rng.below(13) as u32;
    let mantissa = (rng.next_u64() % 10u64.pow(digits)) as i64;
    let sign = if rng.below(4) == 0 { -1 } else { 1 };
    rust_decimal::Decimal::new(sign * mantissa, rng.below(7) as u32).to_string()
}
