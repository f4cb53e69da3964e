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
/// field names.
pub fn to_json<M: prost::Message>(value: &M, full_name: &str) -> String {
    let mut message = DynamicMessage::new(descriptor(full_name));
    message
        .transcode_from(value)
        .expect("a message transcodes to its own descriptor");
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    message
        .serialize_with_options(
            &mut serializer,
            &SerializeOptions::new().use_proto_field_name(true),
        )
        .expect("serializing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
