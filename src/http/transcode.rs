//! Proto3 JSON to protobuf and back, through the compiled descriptors: a request message from
//! a JSON body (or the query string) and the route's path fields, a response message as JSON
//! with the proto field names and every field written (as the command line writes them).

use bytes::Bytes;
use prost::Message;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage, Value,
};

use super::error::FieldViolation;

/// The message of `descriptor` a JSON text gives; a text that does not parse is one field
/// violation naming where in the text it failed (`loan.principal_cny`, `operations.lines[2]`).
/// Unknown fields are refused, so a typo cannot silently drop an input.
pub fn from_json(
    descriptor: MessageDescriptor,
    json: &[u8],
) -> Result<DynamicMessage, FieldViolation> {
    let json = if json.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        json
    };
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let mut track = serde_path_to_error::Track::new();
    let result = DynamicMessage::deserialize(
        descriptor,
        serde_path_to_error::Deserializer::new(&mut deserializer, &mut track),
    )
    .and_then(|message| deserializer.end().map(|()| message));
    result.map_err(|error| {
        let path = track.path().to_string();
        FieldViolation::new(if path == "." { "" } else { &path }, error.to_string())
    })
}

/// The route's path fields and the query's parameters set on `message`, each checked: a field
/// the message does not have, a value of the wrong kind, a field given twice.
pub fn set_fields(
    message: &mut DynamicMessage,
    path_fields: &[(&str, String)],
    query: &[(String, String)],
) -> Vec<FieldViolation> {
    let mut violations = Vec::new();
    for (name, value) in path_fields {
        let Some(field) = message.descriptor().get_field_by_name(name) else {
            violations.push(FieldViolation::new(
                name,
                "not a field of the request".into(),
            ));
            continue;
        };
        if let Some(Value::String(given)) = message.get_field(&field).as_ref().into()
            && !given.is_empty()
            && given != value
        {
            violations.push(FieldViolation::new(
                name,
                format!("the path gives {value:?} and the body {given:?}"),
            ));
            continue;
        }
        message.set_field(&field, Value::String(value.clone()));
    }
    let mut seen: Vec<String> = Vec::new();
    for (name, text) in query {
        let descriptor = message.descriptor();
        let field = descriptor
            .get_field_by_name(name)
            .or_else(|| descriptor.get_field_by_json_name(name));
        let Some(field) = field else {
            violations.push(FieldViolation::new(
                name,
                format!("not a field of {}", descriptor.name()),
            ));
            continue;
        };
        if path_fields.iter().any(|(p, _)| *p == field.name()) {
            violations.push(FieldViolation::new(
                name,
                "given in the path already".into(),
            ));
            continue;
        }
        match scalar(&field, text) {
            Ok(value) if field.is_list() => {
                if let Value::List(list) = message.get_field_mut(&field) {
                    list.push(value);
                }
            }
            Ok(_) if seen.iter().any(|s| s == field.name()) => {
                violations.push(FieldViolation::new(name, "given more than once".into()));
            }
            Ok(value) => {
                seen.push(field.name().to_owned());
                message.set_field(&field, value);
            }
            Err(description) => violations.push(FieldViolation::new(name, description)),
        }
    }
    violations
}

/// A query parameter's text as the value of a scalar or enum field.
fn scalar(field: &FieldDescriptor, text: &str) -> Result<Value, String> {
    let number = |what: &str| format!("{text:?} is not {what}");
    Ok(match field.kind() {
        Kind::String => Value::String(text.to_owned()),
        Kind::Bool => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(number("true or false")),
        },
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            Value::I32(text.parse().map_err(|_| number("a 32-bit integer"))?)
        }
        Kind::Uint32 | Kind::Fixed32 => Value::U32(
            text.parse()
                .map_err(|_| number("an unsigned 32-bit integer"))?,
        ),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            Value::I64(text.parse().map_err(|_| number("a 64-bit integer"))?)
        }
        Kind::Uint64 | Kind::Fixed64 => Value::U64(
            text.parse()
                .map_err(|_| number("an unsigned 64-bit integer"))?,
        ),
        Kind::Enum(descriptor) => match descriptor.get_value_by_name(text) {
            Some(value) => Value::EnumNumber(value.number()),
            None => {
                let names: Vec<String> = descriptor.values().map(|v| v.name().to_owned()).collect();
                return Err(format!("{text:?} is not one of {}", names.join(", ")));
            }
        },
        Kind::Message(_) | Kind::Bytes | Kind::Float | Kind::Double => {
            return Err("cannot be given in the query; send it in a JSON body".into());
        }
    })
}

/// `message` as protobuf bytes.
pub fn encode(message: &DynamicMessage) -> Bytes {
    Bytes::from(message.encode_to_vec())
}

/// A message of `descriptor` in protobuf bytes as compact proto3 JSON, written as the command
/// line writes it (`json::options`).
pub fn to_json(descriptor: MessageDescriptor, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let message = DynamicMessage::decode(descriptor, bytes).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let mut serializer = serde_json::Serializer::new(&mut out);
    message
        .serialize_with_options(&mut serializer, &crate::json::options())
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// `a=1&b=x%20y` as pairs, percent-decoded (`+` as a space); a pair that is not UTF-8 after
/// decoding is a violation.
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, FieldViolation> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode(&name.replace('+', " "))
                .ok_or_else(|| FieldViolation::new(name, "not UTF-8 when decoded".into()))?;
            let value = percent_decode(&value.replace('+', " "))
                .ok_or_else(|| FieldViolation::new(&name, "not UTF-8 when decoded".into()))?;
            Ok((name, value))
        })
        .collect()
}

/// `%XX` escapes decoded; `None` when the result is not UTF-8 or an escape is malformed.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::routes::Routes;

    fn input(name: &str) -> MessageDescriptor {
        Routes::compiled()
            .unwrap()
            .pool
            .get_message_by_name(name)
            .unwrap()
    }

    #[test]
    fn a_body_that_does_not_parse_names_where_it_failed() {
        let violation = from_json(
            input("greenimpact.v1.AssessRequest"),
            br#"{"loan": {"term_months": "many"}}"#,
        )
        .unwrap_err();
        assert_eq!(violation.field, "loan.term_months");
        // A field the message does not have: its parent is at fault, the name is told.
        let violation = from_json(
            input("greenimpact.v1.AssessRequest"),
            br#"{"loan": {"principal_cny": 12}}"#,
        )
        .unwrap_err();
        assert_eq!(violation.field, "loan");
        assert!(
            violation.description.contains("principal_cny"),
            "{violation:?}"
        );
        let violation =
            from_json(input("greenimpact.v1.AssessRequest"), br#"{"lona": {}}"#).unwrap_err();
        assert!(violation.description.contains("lona"), "{violation:?}");
        let violation =
            from_json(input("greenimpact.v1.AssessRequest"), br#"{} trailing"#).unwrap_err();
        assert_eq!(violation.field, "");
    }

    #[test]
    fn query_parameters_fill_fields_by_proto_or_json_name_and_refuse_the_rest() {
        let mut message = DynamicMessage::new(input("greenimpact.v1.ListAssessmentsRequest"));
        let query = query_pairs(Some("borrower_id=farm%201&pageSize=5&colour=red")).unwrap();
        let violations = set_fields(&mut message, &[], &query);
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].field, "colour");
        let json = to_json(message.descriptor(), &encode(&message)).unwrap();
        let json = String::from_utf8(json).unwrap();
        assert!(json.contains(r#""borrower_id":"farm 1""#), "{json}");
        assert!(json.contains(r#""page_size":5"#), "{json}");

        let mut message = DynamicMessage::new(input("greenimpact.v1.ListAssessmentsRequest"));
        let query = query_pairs(Some("page_size=many&page_size=2")).unwrap();
        let violations = set_fields(&mut message, &[], &query);
        assert_eq!(violations.len(), 1);
        assert!(violations[0].description.contains("many"));
    }

    #[test]
    fn a_path_field_that_the_body_contradicts_is_a_violation() {
        let mut message = from_json(
            input("greenimpact.v1.VerifyAssessmentRequest"),
            br#"{"record_id": "rec_a"}"#,
        )
        .unwrap();
        let violations = set_fields(&mut message, &[("record_id", "rec_b".into())], &[]);
        assert_eq!(violations[0].field, "record_id");
        let violations = set_fields(&mut message, &[("record_id", "rec_a".into())], &[]);
        assert!(violations.is_empty());
    }

    #[test]
    fn percent_escapes_decode_and_malformed_ones_are_refused() {
        assert_eq!(percent_decode("a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(percent_decode("%E4%B9%90").as_deref(), Some("乐"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
    }
}
