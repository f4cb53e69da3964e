//! Hand-made wire bytes: varints, length-delimited and varint fields, strings that are not
//! UTF-8, nested unknown groups, and the field numbers they are written at.

use green_impact::pb;

fn varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A length-delimited field (wire type 2) holding `bytes` as they are.
pub fn delimited(field: u32, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(u64::from(field << 3 | 2), &mut out);
    varint(bytes.len() as u64, &mut out);
    out.extend_from_slice(bytes);
    out
}

/// A varint field (wire type 0).
pub fn varint_field(field: u32, value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint(u64::from(field << 3), &mut out);
    varint(value, &mut out);
    out
}

/// Latin-1 "é" alone, a lone continuation byte, and an overlong "/": none is UTF-8.
pub const NOT_UTF8: [&[u8]; 3] = [b"rec_caf\xe9", b"\x80", b"\xc0\xaf"];

// Field numbers, from proto/greenimpact/v1/*.proto.
pub const ASSESS_BORROWER_ID: u32 = 1;

pub const ASSESS_LOAN: u32 = 3;

pub const LOAN_PRINCIPAL: u32 = 1;

pub const MONEY_CURRENCY_CODE: u32 = 1;

pub const RECORD_ID: u32 = 1;

pub const BATCH_KEY: u32 = 1;

pub const PORTFOLIO_RECORD_ID: u32 = 2;

pub fn assess_field_number(name: &str) -> u32 {
    let file = prost_reflect::DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET)
        .expect("the descriptor set decodes");
    file.get_message_by_name("greenimpact.v1.AssessRequest")
        .and_then(|m| m.get_field_by_name(name))
        .map(|f| f.number())
        .unwrap_or_else(|| panic!("AssessRequest has no field {name}"))
}

/// `depth` nested groups in an unknown field: nothing in our schema nests, so only the
/// decoder's recursion limit stands between this and a stack overflow.
pub fn nested_unknown_groups(depth: usize) -> Vec<u8> {
    let field = 999u32;
    let mut out = Vec::new();
    for _ in 0..depth {
        varint(u64::from(field << 3 | 3), &mut out); // start group
    }
    for _ in 0..depth {
        varint(u64::from(field << 3 | 4), &mut out); // end group
    }
    out
}
