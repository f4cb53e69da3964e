//! Transport security of the gRPC port: the server's certificate chain and key (PEM), and
//! optionally a client CA, which makes a client certificate required and verified against it
//! (mutual TLS). The CA says that a certificate is genuine; which tenant it speaks for is the
//! tokens file's business (`auth`), by the certificate's SHA-256 fingerprint.
//!
//! Only the gRPC port is served over TLS: the metrics exporter stays plain HTTP and belongs on
//! loopback or a cluster-internal address.

use std::time::Duration;

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::error_text::with_causes;

/// Longest a TLS handshake may take. Each handshake in progress holds a socket and a task;
/// without a bound, clients that connect and never finish would pile them up.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A TLS configuration whose every part has been read and accepted by rustls.
#[derive(Debug, Clone)]
pub struct TlsSettings(ServerTlsConfig);

/// What is wrong, by the part it is wrong in, so the caller can name the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    Certificate(String),
    Key(String),
    ClientCa(String),
    /// Each part reads, but rustls refuses them together (say, the key is not the
    /// certificate's).
    Combination(String),
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsError::Certificate(e) => write!(f, "the server certificate: {e}"),
            TlsError::Key(e) => write!(f, "the server key: {e}"),
            TlsError::ClientCa(e) => write!(f, "the client CA: {e}"),
            TlsError::Combination(e) => write!(f, "the TLS configuration: {e}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl TlsSettings {
    /// The server's certificate chain (end-entity first) and private key (PKCS#8, PKCS#1 or
    /// SEC1), and the CA bundle client certificates must chain to, if any; all PEM.
    pub fn from_pem(
        certificate_chain: &[u8],
        key: &[u8],
        client_ca: Option<&[u8]>,
    ) -> Result<TlsSettings, TlsError> {
        check_certificates(certificate_chain).map_err(TlsError::Certificate)?;
        PrivateKeyDer::from_pem_slice(key).map_err(|e| {
            TlsError::Key(match e {
                pem::Error::NoItemsFound => "no PEM private key found".to_owned(),
                other => other.to_string(),
            })
        })?;
        let mut config = ServerTlsConfig::new()
            .identity(Identity::from_pem(certificate_chain, key))
            .timeout(HANDSHAKE_TIMEOUT);
        if let Some(client_ca) = client_ca {
            check_certificates(client_ca).map_err(TlsError::ClientCa)?;
            config = config.client_ca_root(Certificate::from_pem(client_ca));
        }
        // tonic builds the rustls configuration only when it is applied; applying it once here
        // makes a refused combination a startup error, before the port is announced.
        Server::builder()
            .tls_config(config.clone())
            .map_err(|e| TlsError::Combination(with_causes(&e)))?;
        Ok(TlsSettings(config))
    }

    pub(crate) fn server_config(&self) -> ServerTlsConfig {
        self.0.clone()
    }
}

/// At least one certificate, and every one well-formed PEM.
fn check_certificates(pem: &[u8]) -> Result<(), String> {
    let mut count = 0;
    for certificate in CertificateDer::pem_slice_iter(pem) {
        certificate.map_err(|e| e.to_string())?;
        count += 1;
    }
    if count == 0 {
        return Err("no PEM certificate found".to_owned());
    }
    Ok(())
}
