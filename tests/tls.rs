//! Transport security over real sockets, with certificates made here by rcgen: TLS on the
//! gRPC port, mutual TLS with a client CA, a client certificate mapped to a tenant by its
//! SHA-256 (and a bearer token beside it that must agree), and the binary's TLS flags on both
//! sides.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    Principal, SEED_REQUEST_PATH, ServeProcess, TestServer, bearer, explain, local_parts,
    principal, run_binary, seed_request, serve_refuses, temp_dir, text, tokens_json,
};
use green_impact::domain::carbon::factor_set::FactorLibrary;
use green_impact::grpc::auth::Auth;
use green_impact::grpc::server::ServerParts;
use green_impact::grpc::tls::{TlsError, TlsSettings};
use green_impact::pb;
use green_impact::pb::impact_service_client::ImpactServiceClient;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use sha2::{Digest, Sha256};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::{Code, Status};

/// No command of the binary may take longer.
const LIMIT: Duration = Duration::from_secs(60);

/// A certificate authority made for one test.
struct Authority {
    certificate_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate issued by an `Authority`, with its key.
struct Leaf {
    certificate_pem: String,
    key_pem: String,
    /// SHA-256 of the certificate's DER, lowercase hex: what the tokens file maps.
    sha256: String,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let certificate = params.self_signed(&key).expect("self-sign the CA");
        Authority {
            certificate_pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    fn issue(&self, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("leaf parameters");
        params
            .distinguished_name
            .push(DnType::CommonName, &names[0]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![purpose];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("leaf key");
        let certificate = params.signed_by(&key, &self.issuer).expect("issue");
        Leaf {
            certificate_pem: certificate.pem(),
            key_pem: key.serialize_pem(),
            sha256: hex::encode(Sha256::digest(certificate.der())),
        }
    }

    fn server(&self) -> Leaf {
        self.issue(
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    fn client(&self, name: &str) -> Leaf {
        self.issue(&[name], ExtendedKeyUsagePurpose::ClientAuth)
    }
}

/// A tokens file with `tokens` and, for each (certificate, principal), a client certificate
/// mapped to the principal's tenant and role.
fn credentials_json(tokens: &[&Principal], certificates: &[(&Leaf, &Principal)]) -> String {
    let mut file: serde_json::Value =
        serde_json::from_str(&tokens_json(tokens)).expect("a tokens file is JSON");
    file["client_certificates"] = certificates
        .iter()
        .map(|(leaf, p)| {
            serde_json::json!({
                "certificate_sha256": leaf.sha256,
                "tenant": p.tenant,
                "role": p.role,
            })
        })
        .collect();
    file.to_string()
}

/// The real server on loopback with TLS by `server`, requiring client certificates from
/// `client_ca` if given.
async fn start(auth: Auth, server: &Leaf, client_ca: Option<&Authority>) -> TestServer {
    let tls = TlsSettings::from_pem(
        server.certificate_pem.as_bytes(),
        server.key_pem.as_bytes(),
        client_ca.map(|ca| ca.certificate_pem.as_bytes()),
    )
    .expect("valid TLS settings");
    TestServer::start_with_parts(ServerParts {
        auth,
        tls: Some(tls),
        http_listener: None,
        ..local_parts(FactorLibrary::built_in())
    })
    .await
}

/// A client trusting `ca`, presenting `identity` if given.
fn client_tls(ca: &Authority, identity: Option<&Leaf>) -> ClientTlsConfig {
    let tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&ca.certificate_pem));
    match identity {
        Some(leaf) => tls.identity(Identity::from_pem(&leaf.certificate_pem, &leaf.key_pem)),
        None => tls,
    }
}

/// Why a connection or a call failed: the connection's error with its causes, or the status.
#[derive(Debug)]
enum Failure {
    Connect(String),
    Call(Status),
}

/// Assesses the seed case over `scheme://127.0.0.1:PORT`, with `tls` and a bearer token if
/// given.
async fn assess(
    server: &TestServer,
    scheme: &str,
    tls: Option<ClientTlsConfig>,
    token: Option<&str>,
) -> Result<pb::AssessResponse, Failure> {
    let mut endpoint = Channel::from_shared(format!("{scheme}://{}", server.addr))
        .expect("uri")
        .connect_timeout(Duration::from_secs(10));
    if let Some(tls) = tls {
        endpoint = endpoint.tls_config(tls).expect("client TLS settings");
    }
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| Failure::Connect(green_impact::error_text::with_causes(&e)))?;
    let request = match token {
        Some(token) => bearer(token, seed_request()),
        None => tonic::Request::new(seed_request()),
    };
    ImpactServiceClient::new(channel)
        .assess(request)
        .await
        .map(tonic::Response::into_inner)
        .map_err(Failure::Call)
}

fn sealed_tenant(response: &pb::AssessResponse) -> &str {
    &response
        .record
        .as_ref()
        .expect("a stored assessment carries its seal")
        .tenant
}

/// The server refuses the connection in the handshake with a TLS alert, which the client sees
/// as a failed connect or (TLS 1.3 finishes the client's side first) as its first call failing
/// at the transport; never as an answer.
fn assert_refused_by_tls(outcome: Result<pb::AssessResponse, Failure>, alert: &str, what: &str) {
    let error = match outcome {
        Ok(_) => panic!("{what}: the call was answered"),
        Err(Failure::Connect(error)) => error,
        Err(Failure::Call(status)) => {
            assert!(
                matches!(status.code(), Code::Unavailable | Code::Unknown),
                "{what}: {status:?}"
            );
            green_impact::error_text::with_causes(&status)
        }
    };
    assert!(
        error.contains(&format!("received fatal alert: {alert}")),
        "{what}: {error}"
    );
}

fn assert_unauthenticated(outcome: Result<pb::AssessResponse, Failure>, message: &str, what: &str) {
    match outcome {
        Err(Failure::Call(status)) => {
            assert_eq!(status.code(), Code::Unauthenticated, "{what}: {status:?}");
            assert!(
                status.message().contains(message),
                "{what}: {:?} does not say {message:?}",
                status.message()
            );
        }
        other => panic!("{what}: expected UNAUTHENTICATED, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_serves_the_seed_assessment_to_a_client_trusting_the_ca_and_no_one_else() {
    let ca = Authority::new("green-impact test CA");
    let server = start(Auth::Local, &ca.server(), None).await;

    let response = assess(&server, "https", Some(client_tls(&ca, None)), None)
        .await
        .expect("the seed assessment over TLS");
    assert_eq!(sealed_tenant(&response), "local");
    assert!(response.loan.is_some(), "the full response comes back");

    match assess(&server, "http", None, None).await {
        Ok(_) => panic!("a plaintext client was answered by the TLS port"),
        Err(Failure::Connect(_)) => {}
        Err(Failure::Call(status)) => assert!(
            matches!(
                status.code(),
                Code::Unavailable | Code::Unknown | Code::Internal
            ),
            "plaintext client: {status:?}"
        ),
    }

    let stranger = Authority::new("some other CA");
    match assess(&server, "https", Some(client_tls(&stranger, None)), None).await {
        Err(Failure::Connect(error)) => assert!(
            error.contains("certificate"),
            "the client says why it does not trust the server: {error}"
        ),
        other => panic!("a client not trusting the CA connected: {other:?}"),
    }
}

#[tokio::test]
async fn over_tls_without_a_client_ca_bearer_tokens_work_as_over_plaintext() {
    let ca = Authority::new("green-impact test CA");
    let bank = principal("tls-bank", "bank");
    let auth = Auth::from_tokens_json(&credentials_json(&[&bank], &[])).expect("tokens");
    let server = start(auth, &ca.server(), None).await;

    let response = assess(
        &server,
        "https",
        Some(client_tls(&ca, None)),
        Some(&bank.token),
    )
    .await
    .expect("a bank's assessment over TLS");
    assert_eq!(sealed_tenant(&response), bank.tenant);
    assert_unauthenticated(
        assess(&server, "https", Some(client_tls(&ca, None)), None).await,
        "missing authorization",
        "no token",
    );
}

/// A server requiring client certificates from its CA, with a bank whose certificate is
/// mapped (and which has a token too) and an insurer known by its token alone.
struct MutualTls {
    ca: Authority,
    bank: Principal,
    bank_certificate: Leaf,
    insurer: Principal,
    server: TestServer,
}

impl MutualTls {
    async fn start() -> MutualTls {
        let ca = Authority::new("green-impact test CA");
        let bank = principal("mtls-bank", "bank");
        let insurer = principal("mtls-insurer", "insurer");
        let bank_certificate = ca.client("bank.example");
        let auth = Auth::from_tokens_json(&credentials_json(
            &[&bank, &insurer],
            &[(&bank_certificate, &bank)],
        ))
        .expect("credentials");
        let server = start(auth, &ca.server(), Some(&ca)).await;
        MutualTls {
            ca,
            bank,
            bank_certificate,
            insurer,
            server,
        }
    }

    async fn assess(
        &self,
        identity: Option<&Leaf>,
        token: Option<&str>,
    ) -> Result<pb::AssessResponse, Failure> {
        assess(
            &self.server,
            "https",
            Some(client_tls(&self.ca, identity)),
            token,
        )
        .await
    }
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_a_certificate_or_with_a_foreign_one() {
    let f = MutualTls::start().await;
    assert_refused_by_tls(
        f.assess(None, None).await,
        "CertificateRequired",
        "no client certificate",
    );
    assert_refused_by_tls(
        f.assess(None, Some(&f.bank.token)).await,
        "CertificateRequired",
        "a valid token but no client certificate",
    );
    // Signed by an impostor of the same name: the signature does not verify.
    let impostor = Authority::new("green-impact test CA").client("bank.example");
    assert_refused_by_tls(
        f.assess(Some(&impostor), None).await,
        "DecryptError",
        "a certificate from another CA of the same name",
    );
    let foreign = Authority::new("some other CA").client("bank.example");
    assert_refused_by_tls(
        f.assess(Some(&foreign), None).await,
        "UnknownCA",
        "a certificate from an unknown CA",
    );
}

#[tokio::test]
async fn a_mapped_client_certificate_is_its_tenant_and_a_token_beside_it_must_agree() {
    let f = MutualTls::start().await;

    let response = f
        .assess(Some(&f.bank_certificate), None)
        .await
        .expect("the bank's certificate alone");
    assert_eq!(sealed_tenant(&response), f.bank.tenant);

    let response = f
        .assess(Some(&f.bank_certificate), Some(&f.bank.token))
        .await
        .expect("the bank's certificate and the bank's own token");
    assert_eq!(sealed_tenant(&response), f.bank.tenant);

    assert_unauthenticated(
        f.assess(Some(&f.bank_certificate), Some(&f.insurer.token))
            .await,
        "another tenant or role than the client certificate",
        "the bank's certificate with the insurer's token",
    );
    assert_unauthenticated(
        f.assess(Some(&f.bank_certificate), Some("not-a-token"))
            .await,
        "unknown token",
        "the bank's certificate with an unknown token",
    );
}

#[tokio::test]
async fn a_valid_but_unmapped_client_certificate_is_unauthenticated_naming_its_fingerprint() {
    let f = MutualTls::start().await;
    let unmapped = f.ca.client("insurer.example");
    let expected = format!(
        "client certificate not mapped to a tenant: sha256 {}",
        unmapped.sha256
    );
    assert_unauthenticated(
        f.assess(Some(&unmapped), None).await,
        &expected,
        "an unmapped certificate",
    );
    assert_unauthenticated(
        f.assess(Some(&unmapped), Some(&f.insurer.token)).await,
        &expected,
        "an unmapped certificate with a valid token",
    );
}

#[test]
fn tls_settings_name_the_part_that_is_wrong() {
    let ca = Authority::new("green-impact test CA");
    let server = ca.server();
    let other = ca.server();
    let cert = server.certificate_pem.as_bytes();
    let key = server.key_pem.as_bytes();

    assert!(TlsSettings::from_pem(cert, key, Some(ca.certificate_pem.as_bytes())).is_ok());
    assert!(matches!(
        TlsSettings::from_pem(key, key, None),
        Err(TlsError::Certificate(e)) if e == "no PEM certificate found"
    ));
    assert!(matches!(
        TlsSettings::from_pem(cert, cert, None),
        Err(TlsError::Key(e)) if e == "no PEM private key found"
    ));
    assert!(matches!(
        TlsSettings::from_pem(cert, key, Some(b"not a bundle")),
        Err(TlsError::ClientCa(e)) if e == "no PEM certificate found"
    ));
    assert!(matches!(
        TlsSettings::from_pem(cert, other.key_pem.as_bytes(), None),
        Err(TlsError::Combination(_))
    ));
}

#[test]
fn a_credentials_file_may_list_client_certificates_alone_but_not_nothing() {
    let ca = Authority::new("green-impact test CA");
    let bank = principal("file-bank", "bank");
    let certificate = ca.client("bank.example");
    let auth = Auth::from_tokens_json(&credentials_json(&[], &[(&certificate, &bank)]))
        .expect("certificates alone");
    assert!(auth.maps_client_certificates() && auth.knows_tenant(&bank.tenant));
    let error = Auth::from_tokens_json(&credentials_json(&[], &[])).unwrap_err();
    assert!(
        error.contains("no token and no client certificate"),
        "{error}"
    );
    let twice = credentials_json(&[], &[(&certificate, &bank), (&certificate, &bank)]);
    let error = Auth::from_tokens_json(&twice).unwrap_err();
    assert!(
        error.contains("client_certificates[1]: the same certificate_sha256 appears twice"),
        "{error}"
    );
}

/// Writes `contents` to `dir/name`; returns the path as an argument.
fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write a test file");
    path.display().to_string()
}

#[test]
fn the_binary_serves_mutual_tls_to_its_own_client() {
    let dir = temp_dir("tls-cli");
    let ca = Authority::new("green-impact test CA");
    let server = ca.server();
    let client = ca.client("bank.example");
    let bank = principal("cli-bank", "bank");
    let args: Vec<String> = vec![
        "--data-dir".into(),
        dir.display().to_string(),
        "--tokens".into(),
        write(
            &dir,
            "tokens.json",
            &credentials_json(&[], &[(&client, &bank)]),
        ),
        "--tls-cert".into(),
        write(&dir, "server.pem", &server.certificate_pem),
        "--tls-key".into(),
        write(&dir, "server.key", &server.key_pem),
        "--tls-client-ca".into(),
        write(&dir, "ca.pem", &ca.certificate_pem),
    ];
    let process = ServeProcess::start(&args, &dir.join("serve.log"));
    let url = process.url.replacen("http://", "https://", 1);
    let ca_file = dir.join("ca.pem").display().to_string();
    let client_cert = write(&dir, "client.pem", &client.certificate_pem);
    let client_key = write(&dir, "client.key", &client.key_pem);

    let assess = |tls_args: &[&str]| {
        let mut args = vec!["assess", SEED_REQUEST_PATH, "--addr", &url];
        args.extend_from_slice(tls_args);
        run_binary(&args, &[], LIMIT)
    };

    let output = assess(&[
        "--ca-cert",
        &ca_file,
        "--client-cert",
        &client_cert,
        "--client-key",
        &client_key,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", explain(&output));
    let response: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("assess prints JSON");
    assert_eq!(response["record"]["tenant"], bank.tenant.as_str());

    let output = assess(&["--ca-cert", &ca_file]);
    assert_ne!(
        output.status.code(),
        Some(0),
        "without a client certificate: {}",
        explain(&output)
    );

    let output = assess(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", explain(&output));
    assert!(
        text(&output.stderr).contains("--ca-cert"),
        "{}",
        explain(&output)
    );

    drop(process);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_incomplete_unreadable_or_malformed_tls_files_saying_which() {
    let dir = temp_dir("tls-cli-refusals");
    let ca = Authority::new("green-impact test CA");
    let server = ca.server();
    let cert = write(&dir, "server.pem", &server.certificate_pem);
    let key = write(&dir, "server.key", &server.key_pem);
    let not_pem = write(&dir, "not.pem", "not a certificate");
    let missing = dir.join("missing.pem").display().to_string();
    let data_dir = dir.display().to_string();
    let refused = |args: &[&str], says: &[&str]| serve_refuses(&data_dir, args, says);

    refused(&["--tls-cert", &cert], &["--tls-key"]);
    refused(&["--tls-key", &key], &["--tls-cert"]);
    refused(
        &["--tls-cert", &missing, "--tls-key", &key],
        &["--tls-cert", &missing],
    );
    refused(
        &["--tls-cert", &not_pem, "--tls-key", &key],
        &["--tls-cert", &not_pem, "no PEM certificate found"],
    );
    refused(
        &["--tls-cert", &cert, "--tls-key", &cert],
        &["--tls-key", &cert, "no PEM private key found"],
    );
    // With a good certificate and key, what is refused is the client CA's setting.
    let identity = ["--tls-cert", cert.as_str(), "--tls-key", key.as_str()];
    refused(
        &[&identity[..], &["--tls-client-ca", &not_pem]].concat(),
        &["--tokens"],
    );
    let tokens_only = write(
        &dir,
        "tokens.json",
        &credentials_json(&[&principal("tls-bank", "bank")], &[]),
    );
    refused(
        &[
            &identity[..],
            &["--tls-client-ca", &not_pem, "--tokens", &tokens_only],
        ]
        .concat(),
        &["--tls-client-ca", &not_pem, "no PEM certificate found"],
    );
    let ca_file = write(&dir, "ca.pem", &ca.certificate_pem);
    refused(
        &[
            &identity[..],
            &["--tls-client-ca", &ca_file, "--tokens", &tokens_only],
        ]
        .concat(),
        &["client_certificates"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
