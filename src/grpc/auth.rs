//! Who is calling: a bearer token per institution, mapped to a tenant and a role, from a tokens
//! file given at start. Without one the server runs in local mode: every caller is the local
//! administrator, which is why main refuses to bind a non-loopback address then.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tonic::{Request, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Bank,
    Insurer,
    Exchange,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub tenant: String,
    pub role: Role,
}

pub const LOCAL_TENANT: &str = "local";

#[derive(Debug, Clone)]
pub enum Auth {
    /// No tokens: every call is the local administrator.
    Local,
    /// SHA-256 of each token -> its caller.
    Tokens(Arc<HashMap<[u8; 32], Caller>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    /// Only the hash is kept on disk, so the file does not hand out credentials.
    token_sha256: String,
    tenant: String,
    role: Role,
}

/// A tenant name as it appears in records and filters.
pub fn valid_tenant(tenant: &str) -> bool {
    (1..=64).contains(&tenant.len())
        && tenant
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

impl Auth {
    /// Parses a tokens file: `{"tokens": [{"token_sha256": "<64 hex>", "tenant": "...",
    /// "role": "bank|insurer|exchange|admin"}]}`.
    pub fn from_tokens_json(text: &str) -> Result<Auth, String> {
        let file: TokensFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut tokens = HashMap::new();
        for (i, entry) in file.tokens.into_iter().enumerate() {
            let mut hash = [0u8; 32];
            hex::decode_to_slice(&entry.token_sha256, &mut hash)
                .map_err(|e| format!("tokens[{i}].token_sha256: {e}"))?;
            if !valid_tenant(&entry.tenant) {
                return Err(format!(
                    "tokens[{i}].tenant: 1 to 64 of a-z, 0-9, '-', '_', '.'"
                ));
            }
            let caller = Caller {
                tenant: entry.tenant,
                role: entry.role,
            };
            if tokens.insert(hash, caller).is_some() {
                return Err(format!("tokens[{i}]: the same token appears twice"));
            }
        }
        if tokens.is_empty() {
            return Err("the tokens file lists no token".into());
        }
        Ok(Auth::Tokens(Arc::new(tokens)))
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Auth::Local)
    }

    /// Whether `tenant` is one this server knows (any tenant in local mode is the local one).
    pub fn knows_tenant(&self, tenant: &str) -> bool {
        match self {
            Auth::Local => tenant == LOCAL_TENANT,
            Auth::Tokens(tokens) => tokens.values().any(|c| c.tenant == tenant),
        }
    }

    /// The interceptor: attaches the Caller to the request, or refuses it.
    pub fn authenticate(&self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = match self {
            Auth::Local => Caller {
                tenant: LOCAL_TENANT.to_owned(),
                role: Role::Admin,
            },
            Auth::Tokens(tokens) => {
                let header = request.metadata().get("authorization").ok_or_else(|| {
                    Status::unauthenticated("missing authorization: Bearer token")
                })?;
                let token = header
                    .to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        Status::unauthenticated("authorization must be \"Bearer <token>\"")
                    })?;
                let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
                tokens
                    .get(&hash)
                    .cloned()
                    .ok_or_else(|| Status::unauthenticated("unknown token"))?
            }
        };
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

/// The caller the interceptor attached; its absence is a wiring bug, reported as such.
pub fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| Status::internal("no caller identity on the request"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    #[test]
    fn tokens_map_to_their_tenant_and_role_and_nothing_else_passes() {
        let text = format!(
            r#"{{"tokens": [{{"token_sha256": "{}", "tenant": "leshan-rcb", "role": "bank"}}]}}"#,
            sha("s3cret")
        );
        let auth = Auth::from_tokens_json(&text).unwrap();
        let with = |value: Option<&str>| {
            let mut request = Request::new(());
            if let Some(value) = value {
                request
                    .metadata_mut()
                    .insert("authorization", value.parse().unwrap());
            }
            auth.authenticate(request)
        };
        let ok = with(Some("Bearer s3cret")).unwrap();
        assert_eq!(
            ok.extensions().get::<Caller>(),
            Some(&Caller {
                tenant: "leshan-rcb".into(),
                role: Role::Bank
            })
        );
        for bad in [None, Some("Bearer nope"), Some("s3cret"), Some("Bearer ")] {
            assert_eq!(with(bad).unwrap_err().code(), tonic::Code::Unauthenticated);
        }
        assert!(auth.knows_tenant("leshan-rcb") && !auth.knows_tenant("other"));
        assert!(Auth::from_tokens_json(r#"{"tokens": []}"#).is_err());
        assert!(Auth::from_tokens_json(&text.replace("leshan-rcb", "Bad Tenant")).is_err());
    }
}
