//! The PostgreSQL store over TLS. With `sslmode=require` and the database's certificate
//! authority, every connection of the store is encrypted (the server says so in `pg_stat_ssl`);
//! an authority that did not sign the server's certificate, a host name the certificate does not
//! name, a missing authority, or an authority without `sslmode=require` is refused at connect.
//!
//! Needs `GREEN_IMPACT_TEST_DATABASE_URL` and `GREEN_IMPACT_TEST_DATABASE_CA_FILE`: `.ci/run` sets
//! both for the cluster it starts (TLS on, a certificate for 127.0.0.1 from a CA of the run's
//! own). Without them the tests that need a server say so and pass.

mod common;

use common::{serve_refuses, temp_dir};
use green_impact::store::Store;
use green_impact::store::postgres::PostgresStore;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

const URL: &str = "GREEN_IMPACT_TEST_DATABASE_URL";
const CA_FILE: &str = "GREEN_IMPACT_TEST_DATABASE_CA_FILE";

/// The test database's URL and its CA's PEM, when the run has a TLS database.
fn database() -> Option<(String, Vec<u8>)> {
    let (Ok(url), Ok(ca_file)) = (std::env::var(URL), std::env::var(CA_FILE)) else {
        eprintln!("skipped: {URL} and {CA_FILE} name no TLS database (.ci/run sets both)");
        return None;
    };
    let ca = std::fs::read(&ca_file).unwrap_or_else(|e| panic!("reading {ca_file}: {e}"));
    Some((url, ca))
}

fn with_params(url: &str, params: &[(&str, &str)]) -> String {
    let joined: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", joined.join("&"))
}

/// A CA of this test's own, which signed nothing the server holds.
fn stranger_ca() -> String {
    let mut params = CertificateParams::new(Vec::new()).expect("CA parameters");
    params
        .distinguished_name
        .push(DnType::CommonName, "not the database's CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let key = KeyPair::generate().expect("CA key");
    params.self_signed(&key).expect("self-sign").pem()
}

fn refusal(url: &str, ca: Option<&[u8]>) -> String {
    match PostgresStore::connect(url, ca) {
        Ok(_) => panic!("{url} connected"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn sslmode_require_with_the_databases_ca_encrypts_every_connection() {
    let Some((url, ca)) = database() else { return };
    let name = format!("green-impact-tls-test-{}", std::process::id());
    let tls_url = with_params(&url, &[("sslmode", "require"), ("application_name", &name)]);
    let store = PostgresStore::connect(&tls_url, Some(&ca)).expect("connects over TLS");
    assert_eq!(store.get("no-such-record").expect("reads over TLS"), None);

    let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin connects");
    let rows = admin
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = $1",
            &[&name],
        )
        .expect("pg_stat_ssl");
    assert!(!rows.is_empty(), "the store's connection is open");
    assert!(
        rows.iter().all(|row| row.get::<_, bool>(0)),
        "every connection of the store is TLS"
    );
}

#[test]
fn a_certificate_from_another_authority_is_refused() {
    let Some((url, _)) = database() else { return };
    let error = refusal(
        &with_params(&url, &[("sslmode", "require")]),
        Some(stranger_ca().as_bytes()),
    );
    assert!(
        error.contains("invalid peer certificate: UnknownIssuer"),
        "{error}"
    );
}

#[test]
fn a_host_name_the_certificate_does_not_name_is_refused() {
    let Some((url, ca)) = database() else { return };
    // The server's certificate names 127.0.0.1 only; the same server reached as localhost.
    assert!(url.contains("@127.0.0.1:"), "{url}");
    let by_name = with_params(
        &url.replace("@127.0.0.1:", "@localhost:"),
        &[("sslmode", "require")],
    );
    let error = refusal(&by_name, Some(&ca));
    assert!(
        error.contains("not valid for name \"localhost\""),
        "{error}"
    );
}

#[test]
fn tls_settings_half_made_are_refused_before_connecting() {
    // Refused from the settings alone: nothing listens on port 1.
    let url = "postgres://postgres@127.0.0.1:1/green_impact_test";
    let ca = stranger_ca();
    let error = refusal(&with_params(url, &[("sslmode", "require")]), None);
    assert!(error.contains("--database-ca-file"), "{error}");
    let error = refusal(url, Some(ca.as_bytes()));
    assert!(error.contains("sslmode=require"), "{error}");
    let error = refusal(
        &with_params(url, &[("sslmode", "require")]),
        Some(b"not a certificate"),
    );
    assert!(error.contains("no PEM certificate"), "{error}");
}

#[test]
fn serve_refuses_half_made_database_tls_settings_at_start() {
    let dir = temp_dir("postgres-tls-cli");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, stranger_ca()).expect("write the CA");
    let (ca, missing) = (
        ca.display().to_string(),
        dir.join("missing.pem").display().to_string(),
    );
    let data_dir = dir.display().to_string();
    let url = "postgres://postgres@127.0.0.1:1/green_impact_test";
    let refused = |args: &[&str], says: &[&str]| serve_refuses(&data_dir, args, says);
    refused(
        &["--database-url", url, "--database-ca-file", &ca],
        &["sslmode=require"],
    );
    refused(
        &["--database-url", url, "--database-ca-file", &missing],
        &["--database-ca-file", &missing],
    );
    refused(&["--database-ca-file", &ca], &["--database-url"]);
}
