use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value,
};

use super::both_encodings;
use crate::pb;

/// Below this depth, message fields hold an empty message (present, length zero).
const DEPTH: usize = 3;

/// A value of `field`'s kind that is not its default, varied by `seed` so that lengths cross
/// the one-byte varint bound and negative numbers take ten bytes.
fn value(field: &FieldDescriptor, kind: &Kind, seed: u32, depth: usize) -> Value {
    let n = field.number() + seed;
    match kind {
        Kind::String => Value::String("v".repeat(1 + (n as usize * 37) % 200)),
        Kind::Bytes => Value::Bytes(vec![7u8; 1 + (n as usize * 13) % 150].into()),
        Kind::Bool => Value::Bool(true),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(-(n as i32) * 1_000 - 1),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(-(n as i64) * 5_000_000_000),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(300 + n),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(u64::from(n) << 40),
        Kind::Enum(descriptor) => {
            Value::EnumNumber(descriptor.values().last().map_or(1, |v| v.number()))
        }
        Kind::Message(descriptor) => Value::Message(filled(descriptor, seed, depth + 1)),
        Kind::Float | Kind::Double => panic!("{}: binary floating point", field.full_name()),
    }
}

/// `descriptor` with every field set; each oneof holds its member `seed` (modulo its size);
/// a proto3 `optional` number holds zero, which is present all the same.
fn filled(descriptor: &MessageDescriptor, seed: u32, depth: usize) -> DynamicMessage {
    let mut message = DynamicMessage::new(descriptor.clone());
    if depth >= DEPTH {
        return message;
    }
    for oneof in descriptor.oneofs().filter(|oneof| !oneof.is_synthetic()) {
        let members: Vec<FieldDescriptor> = oneof.fields().collect();
        let chosen = &members[seed as usize % members.len()];
        message.set_field(chosen, value(chosen, &chosen.kind(), seed, depth));
    }
    for field in descriptor.fields() {
        let in_oneof = field
            .containing_oneof()
            .is_some_and(|oneof| !oneof.is_synthetic());
        if in_oneof {
            continue;
        }
        let kind = field.kind();
        let set = if field.is_map() {
            panic!("{}: maps are not generated for", field.full_name())
        } else if field.is_list() {
            Value::List(
                (0..2)
                    .map(|i| value(&field, &kind, seed + i, depth))
                    .collect(),
            )
        } else if field.containing_oneof().is_some() && !matches!(kind, Kind::Message(_)) {
            // proto3 `optional`: its default value, there.
            Value::default_value(&kind)
        } else {
            value(&field, &kind, seed, depth)
        };
        message.set_field(&field, set);
    }
    message
}

fn messages() -> Vec<MessageDescriptor> {
    let pool = DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).expect("the descriptor set");
    pool.all_messages()
        .filter(|message| message.package_name() == "greenimpact.v1")
        .collect()
}

fn assert_same(descriptor: &MessageDescriptor, message: &DynamicMessage, what: &str) {
    let bytes = message.encode_to_vec();
    let (prost, once) = both_encodings(descriptor.full_name(), &bytes)
        .unwrap_or_else(|| panic!("{} has no EncodeOnce", descriptor.full_name()));
    assert_eq!(once, prost, "{} ({what})", descriptor.full_name());
}

#[test]
fn every_message_with_every_field_set_encodes_as_prost_encodes_it() {
    let messages = messages();
    assert!(messages.len() > 100, "{} message types", messages.len());
    for descriptor in &messages {
        let widest_oneof = descriptor
            .oneofs()
            .filter(|oneof| !oneof.is_synthetic())
            .map(|oneof| oneof.fields().len())
            .max()
            .unwrap_or(1) as u32;
        for seed in 0..widest_oneof.max(2) {
            assert_same(
                descriptor,
                &filled(descriptor, seed, 0),
                &format!("seed {seed}"),
            );
        }
    }
}

#[test]
fn an_empty_message_and_one_of_empty_parts_encode_as_prost_encodes_them() {
    for descriptor in &messages() {
        assert_same(
            descriptor,
            &DynamicMessage::new(descriptor.clone()),
            "empty",
        );
        assert_same(descriptor, &filled(descriptor, 0, DEPTH - 1), "one level");
    }
}

#[test]
fn the_seed_answers_encode_as_prost_encodes_them() {
    use crate::domain::carbon::factor_set::FactorLibrary;
    use crate::domain::lpr::LprTable;
    use crate::grpc::api::ImpactApi;
    use crate::grpc::response::View;

    let mut request =
        crate::json::assess_request_from_json(include_str!("../../../examples/leshan-yaqing.json"))
            .expect("the seed example parses");
    request.dry_run = true;
    let api = ImpactApi::new(LprTable::embedded(), FactorLibrary::built_in());
    for view in [View::Basic, View::Full, View::SelfContained] {
        let answer = api.assess_in(&request, view).expect("the seed assesses");
        assert_eq!(super::to_vec(&answer), answer.encode_to_vec(), "{view:?}");
        let mut buf = bytes::BytesMut::new();
        super::prepare(&answer)
            .write(&mut buf)
            .expect("the passes agree");
        assert_eq!(buf.as_ref(), answer.encode_to_vec().as_slice(), "{view:?}");
    }
    assert_eq!(super::to_vec(&request), request.encode_to_vec());
}

/// Writes one nested length more, or fewer, than its `lengths` pushed.
struct Unbalanced {
    pushed: usize,
    taken: usize,
}

impl super::EncodeOnce for Unbalanced {
    fn lengths(&self, lengths: &mut Vec<usize>) -> usize {
        lengths.extend(std::iter::repeat_n(0, self.pushed));
        self.taken
    }

    fn write(&self, lengths: &mut super::Cursor<'_>, buf: &mut impl bytes::BufMut) {
        for _ in 0..self.taken {
            buf.put_u8(lengths.take() as u8);
        }
    }
}

#[test]
fn passes_that_disagree_on_the_nested_lengths_are_refused() {
    for (pushed, taken) in [(1, 2), (2, 1), (0, 1)] {
        let mut buf = Vec::new();
        let outcome = super::prepare(&Unbalanced { pushed, taken }).write(&mut buf);
        assert!(outcome.is_err(), "pushed {pushed}, taken {taken}");
    }
    let mut buf = Vec::new();
    let balanced = super::prepare(&Unbalanced {
        pushed: 2,
        taken: 2,
    })
    .write(&mut buf);
    assert!(balanced.is_ok());
}
