//! Who is calling: a bearer token or a client certificate per institution, mapped to a tenant
//! and a role by a credentials file given at start (`--tokens`). Without one the server runs in
//! local mode: every caller is the local administrator, which is why main refuses to bind a
//! non-loopback address then.
//!
//! A client certificate is known by the SHA-256 of its DER encoding, not by its subject: the
//! TLS layer has already checked that it chains to the client CA, and a fingerprint needs no
//! X.509 parser. Rotating a client certificate therefore means listing the new fingerprint
//! first, then handing out the certificate, then removing the old fingerprint.

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
    /// No credentials file: every call is the local administrator.
    Local,
    Credentials(Arc<Credentials>),
}

/// SHA-256 of each token and of each client certificate's DER -> its caller.
#[derive(Debug)]
pub struct Credentials {
    tokens: HashMap<[u8; 32], Caller>,
    certificates: HashMap<[u8; 32], Caller>,
}

/// Only hashes are kept on disk, so the file hands out no credentials.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default)]
    tokens: Vec<TokenEntry>,
    #[serde(default)]
    client_certificates: Vec<CertificateEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token_sha256: String,
    tenant: String,
    role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateEntry {
    certificate_sha256: String,
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

/// One list of the credentials file, by hash; `list` and `hash_field` name the entries in
/// errors.
fn callers(
    list: &str,
    hash_field: &str,
    entries: impl Iterator<Item = (String, String, Role)>,
) -> Result<HashMap<[u8; 32], Caller>, String> {
    let mut callers = HashMap::new();
    for (i, (hash_hex, tenant, role)) in entries.enumerate() {
        let mut hash = [0u8; 32];
        hex::decode_to_slice(&hash_hex, &mut hash)
            .map_err(|e| format!("{list}[{i}].{hash_field}: {e}"))?;
        if !valid_tenant(&tenant) {
            return Err(format!(
                "{list}[{i}].tenant: 1 to 64 of a-z, 0-9, '-', '_', '.'"
            ));
        }
        if callers.insert(hash, Caller { tenant, role }).is_some() {
            return Err(format!("{list}[{i}]: the same {hash_field} appears twice"));
        }
    }
    Ok(callers)
}

/// The bearer token of the request, if it has an authorization header.
fn bearer_token<T>(request: &Request<T>) -> Result<Option<&str>, Status> {
    let Some(header) = request.metadata().get("authorization") else {
        return Ok(None);
    };
    header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or_else(|| Status::unauthenticated("authorization must be \"Bearer <token>\""))
}

impl Credentials {
    /// A verified client certificate, when the connection has one, names the caller, and a
    /// bearer token beside it must name the same caller: a token must not let a certificate
    /// holder act as another tenant. Without a certificate, the token names the caller.
    fn caller<T>(&self, request: &Request<T>) -> Result<Caller, Status> {
        let by_token = match bearer_token(request)? {
            Some(token) => {
                let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
                let caller = self.tokens.get(&hash);
                Some(caller.ok_or_else(|| Status::unauthenticated("unknown token"))?)
            }
            None => None,
        };
        let peer_certificates = request.peer_certs();
        let Some(certificate) = peer_certificates.as_deref().and_then(|c| c.first()) else {
            return by_token
                .cloned()
                .ok_or_else(|| Status::unauthenticated("missing authorization: Bearer token"));
        };
        let fingerprint: [u8; 32] = Sha256::digest(certificate.as_ref()).into();
        let by_certificate = self.certificates.get(&fingerprint).ok_or_else(|| {
            Status::unauthenticated(format!(
                "client certificate not mapped to a tenant: sha256 {}",
                hex::encode(fingerprint)
            ))
        })?;
        match by_token {
            Some(caller) if caller != by_certificate => Err(Status::unauthenticated(
                "the bearer token names another tenant or role than the client certificate",
            )),
            _ => Ok(by_certificate.clone()),
        }
    }
}

impl Auth {
    /// Parses a credentials file: `{"tokens": [{"token_sha256": "<64 hex>", "tenant": "...",
    /// "role": "bank|insurer|exchange|admin"}], "client_certificates":
    /// [{"certificate_sha256": "<64 hex>", "tenant": "...", "role": "..."}]}`; either list
    /// may be left out, not both.
    pub fn from_tokens_json(text: &str) -> Result<Auth, String> {
        let file: CredentialsFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let credentials = Credentials {
            tokens: callers(
                "tokens",
                "token_sha256",
                file.tokens
                    .into_iter()
                    .map(|e| (e.token_sha256, e.tenant, e.role)),
            )?,
            certificates: callers(
                "client_certificates",
                "certificate_sha256",
                file.client_certificates
                    .into_iter()
                    .map(|e| (e.certificate_sha256, e.tenant, e.role)),
            )?,
        };
        if credentials.tokens.is_empty() && credentials.certificates.is_empty() {
            return Err("the tokens file lists no token and no client certificate".into());
        }
        Ok(Auth::Credentials(Arc::new(credentials)))
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Auth::Local)
    }

    /// Whether any client certificate is mapped to a caller.
    pub fn maps_client_certificates(&self) -> bool {
        matches!(self, Auth::Credentials(c) if !c.certificates.is_empty())
    }

    /// Whether `tenant` is one this server knows (any tenant in local mode is the local one).
    pub fn knows_tenant(&self, tenant: &str) -> bool {
        match self {
            Auth::Local => tenant == LOCAL_TENANT,
            Auth::Credentials(c) => c
                .tokens
                .values()
                .chain(c.certificates.values())
                .any(|caller| caller.tenant == tenant),
        }
    }

    /// The interceptor: attaches the Caller to the request, or refuses it.
    pub fn authenticate(&self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = match self {
            Auth::Local => Caller {
                tenant: LOCAL_TENANT.to_owned(),
                role: Role::Admin,
            },
            Auth::Credentials(credentials) => credentials.caller(&request)?,
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
