//! The OpenAPI 3.0 document of the HTTP API, derived from the same descriptors and
//! `google.api.http` rules the gateway routes by, with the protos' comments as descriptions:
//! it cannot describe an API the server does not serve. Field names are the proto names the
//! answers carry; 64-bit integers are strings and enums their names, as proto3 JSON has them.
//! `docs/openapi.json` is this document, checked by a test to be current.

use std::collections::BTreeMap;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value, json};

use super::routes::{Route, Routes};

/// The document, as served at `/openapi.json`.
pub fn document(routes: &Routes) -> Value {
    let mut schemas = BTreeMap::new();
    let mut paths = Map::new();
    for route in &routes.routes {
        let operation = operation(route, &mut schemas);
        let entry = paths
            .entry(route.template.clone())
            .or_insert_with(|| json!({}));
        entry[route.verb.as_str().to_ascii_lowercase()] = operation;
    }
    schemas.insert("Error".to_owned(), error_schema());
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "green-impact",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Transition loans for farms, in money and in carbon: the HTTP/JSON \
                form of greenimpact.v1.ImpactService. Decimals travel as strings, exactly. \
                Streams are NDJSON: one JSON object a line, in and out; a stream that fails \
                after its first line ends with a line {\"error\": ...}.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token of the server's --tokens file; none in local mode.",
                }
            },
        },
        "security": [{"bearer": []}],
    })
}

/// The document as `/openapi.json` serves it and `docs/openapi.json` holds it: pretty, with a
/// final newline.
pub fn text(routes: &Routes) -> String {
    format!("{:#}\n", document(routes))
}

fn operation(route: &Route, schemas: &mut BTreeMap<String, Value>) -> Value {
    let method = &route.method;
    let input = method.input();
    let output = method.output();
    let mut parameters: Vec<Value> = route
        .path_fields()
        .map(|name| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": {"type": "string"},
                "description": input.get_field_by_name(name).map(|f| comment(f.parent_file(), f.path())).unwrap_or_default(),
            })
        })
        .collect();
    if !route.body_is_request {
        for field in input.fields() {
            if route.path_fields().any(|p| p == field.name()) {
                continue;
            }
            let mut schema = field_schema(&field, schemas);
            if field.is_list() {
                schema = json!({"type": "array", "items": schema});
            }
            parameters.push(json!({
                "name": field.name(),
                "in": "query",
                "required": false,
                "schema": schema,
                "description": comment(field.parent_file(), field.path()),
            }));
        }
    }
    let name = schema_ref(&input, schemas);
    let output_ref = schema_ref(&output, schemas);
    let mut operation = json!({
        "operationId": method.name(),
        "description": comment(method.parent_file(), method.path()),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": format!("{}{}", output.name(), if method.is_server_streaming() { ", one a line" } else { "" }),
                "content": {
                    media(method.is_server_streaming()): {"schema": output_ref},
                },
            },
            "default": {
                "description": "The Google JSON error model: the gRPC status's code, name, \
                    message and google.rpc.BadRequest field violations.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    });
    if route.body_is_request {
        operation["requestBody"] = json!({
            "required": true,
            "description": format!("{}{}", input.name(), if method.is_client_streaming() { ", one a line" } else { "" }),
            "content": {media(method.is_client_streaming()): {"schema": name}},
        });
    }
    operation
}

fn media(stream: bool) -> &'static str {
    if stream {
        "application/x-ndjson"
    } else {
        "application/json"
    }
}

/// A `$ref` to the message's schema, adding it (and every message it holds) once.
fn schema_ref(message: &MessageDescriptor, schemas: &mut BTreeMap<String, Value>) -> Value {
    let name = message.full_name().to_owned();
    if !schemas.contains_key(&name) {
        // Taken before the fields so that a message holding itself ends.
        schemas.insert(name.clone(), Value::Null);
        let mut properties = Map::new();
        for field in message.fields() {
            let mut schema = field_schema(&field, schemas);
            if field.is_list() {
                schema = json!({"type": "array", "items": schema});
            }
            let description = comment(field.parent_file(), field.path());
            if !description.is_empty() {
                schema = match schema.get("$ref") {
                    // OpenAPI 3.0 ignores a $ref's siblings: wrap it.
                    Some(_) => json!({"allOf": [schema], "description": description}),
                    None => {
                        schema["description"] = Value::String(description);
                        schema
                    }
                };
            }
            properties.insert(field.name().to_owned(), schema);
        }
        let mut schema = json!({"type": "object", "properties": properties});
        let description = comment(message.parent_file(), message.path());
        if !description.is_empty() {
            schema["description"] = Value::String(description);
        }
        schemas.insert(name.clone(), schema);
    }
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn field_schema(field: &FieldDescriptor, schemas: &mut BTreeMap<String, Value>) -> Value {
    match field.kind() {
        Kind::String => json!({"type": "string"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({"type": "integer", "format": "int32"})
        }
        Kind::Uint32 | Kind::Fixed32 => json!({"type": "integer", "format": "int32", "minimum": 0}),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => json!({"type": "string", "format": "int64"}),
        Kind::Uint64 | Kind::Fixed64 => json!({"type": "string", "format": "uint64"}),
        Kind::Bytes => json!({"type": "string", "format": "byte"}),
        // Banned from our protos; described all the same should one ever come in.
        Kind::Float | Kind::Double => json!({"type": "number"}),
        Kind::Enum(descriptor) => {
            let names: Vec<String> = descriptor.values().map(|v| v.name().to_owned()).collect();
            json!({"type": "string", "enum": names})
        }
        Kind::Message(message) => schema_ref(&message, schemas),
    }
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "integer", "description": "The HTTP status."},
                    "message": {"type": "string"},
                    "status": {"type": "string", "description": "The google.rpc.Code name, e.g. INVALID_ARGUMENT."},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "@type": {"type": "string", "enum": ["type.googleapis.com/google.rpc.BadRequest"]},
                                "fieldViolations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "field": {"type": "string", "description": "The path of the field at fault, e.g. loan.principal.amount."},
                                            "description": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    })
}

/// The leading comment of the element at `path` of `file`, lines joined.
fn comment(file: prost_reflect::FileDescriptor, path: &[i32]) -> String {
    let proto = file.file_descriptor_proto();
    let Some(info) = &proto.source_code_info else {
        return String::new();
    };
    info.location
        .iter()
        .find(|location| location.path == path)
        .and_then(|location| location.leading_comments.as_deref())
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `cargo run -- openapi > docs/openapi.json`.
    #[test]
    fn the_checked_in_document_is_the_one_the_protos_give() {
        let served = text(&Routes::compiled().unwrap());
        let checked_in = include_str!("../../docs/openapi.json");
        assert!(
            served == checked_in,
            "docs/openapi.json is stale: run `cargo run -- openapi > docs/openapi.json`"
        );
    }

    #[test]
    fn every_route_is_documented_with_its_verb_and_streams_as_ndjson() {
        let routes = Routes::compiled().unwrap();
        let document = document(&routes);
        for route in &routes.routes {
            let operation =
                &document["paths"][&route.template][route.verb.as_str().to_ascii_lowercase()];
            assert_eq!(
                operation["operationId"],
                route.method.name(),
                "{}",
                route.template
            );
            assert!(
                !operation["description"].as_str().unwrap_or("").is_empty(),
                "{}",
                route.template
            );
        }
        let batch = &document["paths"]["/v1/assessments:batch"]["post"];
        assert!(batch["requestBody"]["content"]["application/x-ndjson"].is_object());
        assert!(batch["responses"]["200"]["content"]["application/x-ndjson"].is_object());
        let get = &document["paths"]["/v1/assessments/{record_id}"]["get"];
        assert_eq!(get["parameters"][0]["in"], "path");
        assert_eq!(get["parameters"][1]["name"], "view");
        assert!(get["parameters"][1]["schema"]["enum"].is_array());
        let schemas = &document["components"]["schemas"];
        assert!(schemas["greenimpact.v1.AssessRequest"]["properties"]["loan"].is_object());
    }
}
