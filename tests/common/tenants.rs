//! Tenants with bearer tokens: unique names, tokens files, authorization headers, and a
//! tenant's whole chain as ListAssessments pages it.

use green_impact::grpc::auth::Auth;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use sha2::{Digest, Sha256};
use tonic::transport::Channel;

/// `bytes` random bytes, lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("randomness");
    hex::encode(buffer)
}

pub fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("randomness");
    seed
}

/// A tenant name no other test or run uses.
pub fn unique_tenant(label: &str) -> String {
    format!("{label}-{}", random_hex(6))
}

/// A tenant of a tokens-mode server with its bearer token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant: String,
    pub role: &'static str,
    pub token: String,
}

/// A new tenant (unique name from `label`) with a random token.
pub fn principal(label: &str, role: &'static str) -> Principal {
    Principal {
        tenant: unique_tenant(label),
        role,
        token: random_hex(16),
    }
}

/// A tokens file listing `principals`, as `serve --tokens` reads it: hashes only.
pub fn tokens_json(principals: &[&Principal]) -> String {
    let tokens: Vec<serde_json::Value> = principals
        .iter()
        .map(|p| {
            serde_json::json!({
                "token_sha256": hex::encode(Sha256::digest(p.token.as_bytes())),
                "tenant": p.tenant,
                "role": p.role,
            })
        })
        .collect();
    serde_json::json!({ "tokens": tokens }).to_string()
}

pub fn tokens_auth(principals: &[&Principal]) -> Auth {
    Auth::from_tokens_json(&tokens_json(principals)).expect("a valid tokens file")
}

/// `message` with an `authorization: Bearer <token>` header.
pub fn bearer<T>(token: &str, message: T) -> tonic::Request<T> {
    with_authorization(Some(&format!("Bearer {token}")), message)
}

/// Every seal the tenant of `token` may list, oldest first, followed to the last page;
/// more than `max_pages` pages of 200 is a failure (a listing that does not end).
pub async fn whole_chain(
    client: &mut ImpactServiceClient<Channel>,
    token: &str,
    max_pages: usize,
) -> Vec<green_impact::pb::RecordSeal> {
    let mut seals = Vec::new();
    let mut page_token = String::new();
    for _ in 0..max_pages {
        let page = client
            .list_assessments(bearer(
                token,
                green_impact::pb::ListAssessmentsRequest {
                    page_size: 200,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_or_else(|status| panic!("list: {status:?}"))
            .into_inner();
        seals.extend(page.records);
        if page.next_page_token.is_empty() {
            return seals;
        }
        page_token = page.next_page_token;
    }
    panic!("more than {max_pages} pages of 200 records")
}

/// `message` with the given authorization header value, or none.
pub fn with_authorization<T>(value: Option<&str>, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(value) = value {
        request.metadata_mut().insert(
            "authorization",
            value.parse().expect("an ASCII header value"),
        );
    }
    request
}
