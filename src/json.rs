//! Proto3 JSON for the command line, through the compiled descriptors, so the JSON mapping
//! (enum names, field names, oneofs) is the standard one rather than a hand-written one.

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};

use crate::pb;

fn descriptor(full_name: &str) -> MessageDescriptor {
    DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET)
        .expect("the descriptor set compiled by build.rs decodes")
        .get_message_by_name(full_name)
        .expect("the message is in the compiled descriptor set")
}

/// An AssessRequest from proto3 JSON (field names in either proto or lowerCamelCase form).
/// Unknown fields are refused, so a typo cannot silently drop an input.
pub fn assess_request_from_json(text: &str) -> Result<pb::AssessRequest, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let message = DynamicMessage::deserialize(
        descriptor("greenimpact.v1.AssessRequest"),
        &mut deserializer,
    )
    .map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    message.transcode_to().map_err(|e| e.to_string())
}

/// An AssessResponse as pretty proto3 JSON, with proto field names.
pub fn assess_response_to_json(response: &pb::AssessResponse) -> String {
    to_json(response, "greenimpact.v1.AssessResponse")
}

/// A message of the API, named by its full proto name, as pretty proto3 JSON with proto
/// field names and every field written, defaults included: proto3 JSON may leave out a
/// `false`, a `0` or an empty list, but a reader of the file (a credit analyst, a spreadsheet
/// import) would take an absent `"closes"` for a missing figure, not for "the mass balance
/// does not close". A message field that is not set stays absent.
pub fn to_json<M: prost::Message>(value: &M, full_name: &str) -> String {
    let mut message = DynamicMessage::new(descriptor(full_name));
    message
        .transcode_from(value)
        .expect("a message transcodes to its own descriptor");
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    message
        .serialize_with_options(&mut serializer, &options())
        .expect("serializing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// How every answer is written as JSON, here and over HTTP: proto field names, defaults
/// written (see `to_json`).
pub fn options() -> SerializeOptions {
    SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_written_and_unset_messages_left_out() {
        let balance = pb::MassBalance {
            closes: false,
            manure_dry_matter_t_per_day: Some(pb::Decimal {
                value: "27.000".to_owned(),
            }),
            ..Default::default()
        };
        let json: serde_json::Value =
            serde_json::from_str(&to_json(&balance, "greenimpact.v1.MassBalance")).unwrap();
        assert_eq!(json["closes"], serde_json::Value::Bool(false));
        assert_eq!(json["manure_dry_matter_t_per_day"]["value"], "27.000");
        assert!(json.get("dry_matter_out_t_per_day").is_none(), "{json}");
    }
}
