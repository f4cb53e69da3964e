//! The HTTP routes of the API, read from the `google.api.http` option of each ImpactService
//! method in the compiled descriptors: one verb and one path template a method (AIP-127),
//! `{field}` segments filling request fields, `body: "*"` for a JSON body that is the whole
//! request, query parameters for the other fields.

use http::Method;
use prost_reflect::{DescriptorPool, MethodDescriptor};

use crate::pb;
use crate::pb::google_api::HttpRule;
use crate::pb::google_api::http_rule::Pattern;

pub const SERVICE: &str = "greenimpact.v1.ImpactService";

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Field(String),
}

/// One method's HTTP route.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: MethodDescriptor,
    pub verb: Method,
    /// The template as written, for OpenAPI.
    pub template: String,
    segments: Vec<Segment>,
    /// The custom method after the last `:` (`verify` in `/v1/assessments/{record_id}:verify`).
    custom: Option<String>,
    /// The JSON body is the whole request (`body: "*"`); otherwise the query string.
    pub body_is_request: bool,
}

impl Route {
    /// The request fields the path fills, in template order.
    pub fn path_fields(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// The gRPC path of the method, `/greenimpact.v1.ImpactService/Assess`.
    pub fn grpc_path(&self) -> String {
        format!("/{SERVICE}/{}", self.method.name())
    }

    /// The path's field values when `path` matches this route (still percent-encoded).
    fn matches<'p>(&self, path: &'p str) -> Option<Vec<(&str, &'p str)>> {
        let rest = path.strip_prefix('/')?;
        let rest = match &self.custom {
            Some(custom) => rest.strip_suffix(custom.as_str())?.strip_suffix(':')?,
            None => rest,
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut fields = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Literal(_) => return None,
                Segment::Field(_) if part.is_empty() || part.contains(':') => return None,
                Segment::Field(name) => fields.push((name.as_str(), part)),
            }
        }
        Some(fields)
    }
}

/// Every routed method of the service.
#[derive(Debug, Clone)]
pub struct Routes {
    pub pool: DescriptorPool,
    pub routes: Vec<Route>,
}

/// What a request's method and path found.
pub enum Found<'r, 'p> {
    Route(&'r Route, Vec<(&'r str, &'p str)>),
    /// The path is a route's, the verb is not: 405.
    WrongVerb,
    NotFound,
}

impl Routes {
    /// The routes of the compiled API. Every method must carry a rule: a method without one
    /// would be reachable over gRPC only, which the API promises it is not.
    pub fn compiled() -> Result<Routes, String> {
        Routes::from_descriptor_set(pb::FILE_DESCRIPTOR_SET)
    }

    pub fn from_descriptor_set(bytes: &[u8]) -> Result<Routes, String> {
        let pool = DescriptorPool::decode(bytes).map_err(|e| e.to_string())?;
        let service = pool
            .get_service_by_name(SERVICE)
            .ok_or_else(|| format!("{SERVICE} is not in the descriptor set"))?;
        let extension = pool
            .get_extension_by_name("google.api.http")
            .ok_or("google.api.http is not in the descriptor set")?;
        let mut routes = Vec::new();
        for method in service.methods() {
            let options = method.options();
            if !options.has_extension(&extension) {
                return Err(format!(
                    "{} has no google.api.http rule",
                    method.full_name()
                ));
            }
            let rule: HttpRule = options
                .get_extension(&extension)
                .as_message()
                .ok_or("google.api.http is not a message")?
                .transcode_to()
                .map_err(|e| e.to_string())?;
            routes.push(route(method, &rule)?);
        }
        Ok(Routes { pool, routes })
    }

    pub fn find<'r, 'p>(&'r self, verb: &Method, path: &'p str) -> Found<'r, 'p> {
        let mut path_matched = false;
        for route in &self.routes {
            if let Some(fields) = route.matches(path) {
                if route.verb == *verb {
                    return Found::Route(route, fields);
                }
                path_matched = true;
            }
        }
        if path_matched {
            Found::WrongVerb
        } else {
            Found::NotFound
        }
    }
}

fn route(method: MethodDescriptor, rule: &HttpRule) -> Result<Route, String> {
    let name = method.full_name().to_owned();
    let (verb, template) = match &rule.pattern {
        Some(Pattern::Get(t)) => (Method::GET, t),
        Some(Pattern::Post(t)) => (Method::POST, t),
        Some(Pattern::Put(t)) => (Method::PUT, t),
        Some(Pattern::Delete(t)) => (Method::DELETE, t),
        Some(Pattern::Patch(t)) => (Method::PATCH, t),
        None => return Err(format!("{name}: the http rule names no verb")),
    };
    let body_is_request = match rule.body.as_str() {
        "*" => true,
        "" => false,
        other => {
            return Err(format!(
                "{name}: body \"{other}\" (only \"*\" or none is read)"
            ));
        }
    };
    let rest = template
        .strip_prefix('/')
        .ok_or_else(|| format!("{name}: template {template} does not start with /"))?;
    let (rest, custom) = match rest.rsplit_once(':') {
        Some((rest, custom)) if !custom.contains('/') && !custom.contains('}') => {
            (rest, Some(custom.to_owned()))
        }
        _ => (rest, None),
    };
    let input = method.input();
    let mut segments = Vec::new();
    for part in rest.split('/') {
        let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(field) => {
                let known = input
                    .get_field_by_name(field)
                    .is_some_and(|f| f.kind() == prost_reflect::Kind::String && !f.is_list());
                if !known {
                    return Err(format!(
                        "{name}: {{{field}}} is not a string field of {}",
                        input.full_name()
                    ));
                }
                Segment::Field(field.to_owned())
            }
            None if part.is_empty() || part.contains(['{', '}', '*']) => {
                return Err(format!("{name}: template segment \"{part}\" is not read"));
            }
            None => Segment::Literal(part.to_owned()),
        };
        segments.push(segment);
    }
    if method.is_client_streaming() && !body_is_request {
        return Err(format!("{name}: a client stream needs body \"*\""));
    }
    Ok(Route {
        method,
        verb,
        template: template.clone(),
        segments,
        custom,
        body_is_request,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        Routes::compiled().expect("every method carries a rule this module reads")
    }

    fn found(verb: Method, path: &str) -> Option<(String, Vec<(String, String)>)> {
        let routes = routes();
        match routes.find(&verb, path) {
            Found::Route(route, fields) => Some((
                route.method.name().to_owned(),
                fields
                    .into_iter()
                    .map(|(f, v)| (f.to_owned(), v.to_owned()))
                    .collect(),
            )),
            _ => None,
        }
    }

    #[test]
    fn every_method_of_the_service_has_a_route_of_its_own() {
        let routes = routes();
        let service = routes.pool.get_service_by_name(SERVICE).unwrap();
        assert_eq!(routes.routes.len(), service.methods().len());
        let mut seen: Vec<(String, String)> = routes
            .routes
            .iter()
            .map(|r| (r.verb.to_string(), r.template.clone()))
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), routes.routes.len(), "two methods share a route");
    }

    #[test]
    fn custom_methods_and_path_fields_find_their_method() {
        assert_eq!(
            found(Method::POST, "/v1/assessments:assess"),
            Some(("Assess".into(), vec![]))
        );
        assert_eq!(
            found(Method::POST, "/v1/assessments/rec_1:verify"),
            Some((
                "VerifyAssessment".into(),
                vec![("record_id".into(), "rec_1".into())]
            ))
        );
        assert_eq!(
            found(Method::GET, "/v1/assessments/rec_1"),
            Some((
                "GetAssessment".into(),
                vec![("record_id".into(), "rec_1".into())]
            ))
        );
        assert_eq!(
            found(Method::GET, "/v1/assessments:export"),
            Some(("ExportAssessments".into(), vec![]))
        );
        assert_eq!(
            found(Method::GET, "/v1/assessments"),
            Some(("ListAssessments".into(), vec![]))
        );
    }

    #[test]
    fn a_known_path_with_another_verb_is_told_apart_from_an_unknown_path() {
        let routes = routes();
        assert!(matches!(
            routes.find(&Method::GET, "/v1/assessments:assess"),
            Found::WrongVerb
        ));
        assert!(matches!(
            routes.find(&Method::GET, "/v1/nothing"),
            Found::NotFound
        ));
        assert!(matches!(
            routes.find(&Method::POST, "/v1/assessments/:verify"),
            Found::NotFound
        ));
        assert!(matches!(
            routes.find(&Method::GET, "/v1/assessments/a/b"),
            Found::NotFound
        ));
    }
}
