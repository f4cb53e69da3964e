//! The record commands of the `green-impact` binary as a user runs them: `get` prints the
//! stored record as proto3 JSON, `verify` exits 0 only when every check passes and 3 when one
//! fails, the bearer token comes from --token or GREEN_IMPACT_TOKEN, and `serve` will not
//! listen on a network address without tokens.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::{
    Backend, Cell, SEED_REQUEST_PATH, ServeProcess, alter_cell, explain, principal, random_hex,
    run_binary, temp_dir, text, tokens_json, write_cell,
};

/// No client command may take longer.
const LIMIT: Duration = Duration::from_secs(60);

/// Runs a client command against `url`, with `extra` arguments and environment.
fn client(command: &str, target: &str, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![command, target, "--addr", url];
    args.extend_from_slice(extra);
    run_binary(&args, env, LIMIT)
}

/// `serve` on 127.0.0.1, its records and key in `dir`, with `extra` arguments.
fn serve(dir: &Path, extra: &[String]) -> ServeProcess {
    let mut args = vec![
        "--data-dir".to_owned(),
        dir.display().to_string(),
        "--key".to_owned(),
        dir.join("service.key").display().to_string(),
    ];
    args.extend_from_slice(extra);
    ServeProcess::start(&args, &dir.join("serve.log"))
}

/// Assesses the seed case through the CLI; returns the stored record's id.
fn assess(url: &str, extra: &[&str], env: &[(&str, &str)]) -> String {
    let output = client("assess", SEED_REQUEST_PATH, url, extra, env);
    assert_eq!(
        output.status.code(),
        Some(0),
        "assess: {}",
        explain(&output)
    );
    let response: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("assess prints JSON");
    response["record"]["record_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the response names its record: {response}"))
        .to_owned()
}

#[test]
fn get_prints_the_record_and_verify_exits_0_until_the_file_is_tampered_with_then_3() {
    let dir = temp_dir("records-cli");
    let server = serve(&dir, &[]);
    let url = server.url.clone();
    let id = assess(&url, &[], &[]);

    let output = client("get", &id, &url, &[], &[]);
    assert_eq!(output.status.code(), Some(0), "get: {}", explain(&output));
    let record: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("get prints the StoredRecord as JSON");
    let seal = &record["seal"];
    assert_eq!(seal["record_id"], id.as_str());
    assert_eq!(seal["tenant"], "local");
    assert_eq!(seal["kind"], "RECORD_KIND_ASSESSMENT");
    assert!(
        seal["sequence"] == "1" || seal["sequence"] == 1,
        "the first record: {seal}"
    );
    assert_eq!(seal["previous_digest_sha256"], "0".repeat(64));
    assert_eq!(seal["borrower_id"], "leshan-yaqing-agri-husbandry");
    assert_eq!(seal["project_id"], "yaqing-manure-treatment-upgrade-2025");
    // proto3 JSON writes an int64 as a string.
    let micros = seal["created_unix_micros"]
        .as_str()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("seal.created_unix_micros: {seal}"));
    assert!(
        micros > 1_700_000_000_000_000,
        "seal.created_unix_micros: {seal}"
    );
    for field in ["digest_sha256", "signature_ed25519", "key_id", "created_at"] {
        assert!(
            seal[field].as_str().is_some_and(|v| !v.is_empty()),
            "seal.{field}: {seal}"
        );
    }
    let assessment = &record["assessment"];
    assert_eq!(
        assessment["request"]["borrower_id"],
        "leshan-yaqing-agri-husbandry"
    );
    assert_eq!(
        assessment["response"]["cost_to_revenue"]["baseline_treatment_cost_cny_per_year"]["value"],
        "1314000.00"
    );
    assert!(
        assessment["response"].get("record").is_none(),
        "the stored response has no record field"
    );

    let output = client("verify", &id, &url, &[], &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "verify: {}",
        explain(&output)
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains(&format!("verified: {id}")), "{stdout}");
    for check in ["digest", "signature", "chain_link", "recomputation"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ok") && l.contains(&format!(" {check}: "))),
            "{check} passed: {stdout}"
        );
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");

    // One byte of the signature in the SQLite file, behind the server's back.
    let store = Backend::Sqlite { dir: dir.clone() };
    let original = alter_cell(&store, &id, "signature", |cell| {
        let Cell::Bytes(bytes) = cell else {
            panic!("a blob")
        };
        bytes[10] ^= 0x80;
    });
    let output = client("verify", &id, &url, &[], &[]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "verify after tampering: {}",
        explain(&output)
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains(&format!("NOT verified: {id}")), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAILED") && l.contains(" signature: ")),
        "{stdout}"
    );

    // The request, too.
    write_cell(&store, &id, "signature", &original);
    alter_cell(&store, &id, "request", |cell| {
        let Cell::Bytes(bytes) = cell else {
            panic!("a blob")
        };
        let at = bytes
            .windows(b"3800000.00".len())
            .position(|w| w == b"3800000.00")
            .expect("the principal in the request");
        bytes[at] = b'4';
    });
    let output = client("verify", &id, &url, &[], &[]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "verify after tampering: {}",
        explain(&output)
    );
    let stdout = text(&output.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAILED") && l.contains(" digest: ")),
        "{stdout}"
    );

    let unknown = format!("rec_{}", random_hex(16));
    for command in ["get", "verify"] {
        let output = client(command, &unknown, &url, &[], &[]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{command} unknown: {}",
            explain(&output)
        );
        assert!(
            text(&output.stderr).contains("NotFound"),
            "{}",
            explain(&output)
        );
    }
    // Nothing listening: a local problem, exit 2.
    let output = client("verify", &id, "http://127.0.0.1:9", &[], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", explain(&output));

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_tokens_the_client_takes_the_token_from_the_flag_or_the_environment() {
    let dir = temp_dir("records-cli-tokens");
    let bank = principal("cli-bank", "bank");
    let other = principal("cli-other-bank", "bank");
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, tokens_json(&[&bank, &other])).expect("write tokens");
    let server = serve(&dir, &["--tokens".to_owned(), tokens.display().to_string()]);
    let url = server.url.clone();

    let id = assess(&url, &["--token", &bank.token], &[]);
    let by_env = [("GREEN_IMPACT_TOKEN", bank.token.as_str())];

    let output = client("get", &id, &url, &["--token", &bank.token], &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "get --token: {}",
        explain(&output)
    );
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(record["seal"]["tenant"], bank.tenant.as_str());

    let output = client("get", &id, &url, &[], &by_env);
    assert_eq!(
        output.status.code(),
        Some(0),
        "get, token from env: {}",
        explain(&output)
    );
    let output = client("verify", &id, &url, &[], &by_env);
    assert_eq!(
        output.status.code(),
        Some(0),
        "verify, token from env: {}",
        explain(&output)
    );
    assert!(text(&output.stdout).contains(&format!("verified: {id}")));
    let output = client("verify", &id, &url, &["--token", &bank.token], &[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "verify --token: {}",
        explain(&output)
    );

    let wrong = random_hex(16);
    for command in ["get", "verify"] {
        for (extra, env, what) in [
            (vec![], vec![], "no token"),
            (vec!["--token", wrong.as_str()], vec![], "an unknown token"),
            (
                vec![],
                vec![("GREEN_IMPACT_TOKEN", wrong.as_str())],
                "an unknown token in env",
            ),
        ] {
            let output = client(command, &id, &url, &extra, &env);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{command}, {what}: {}",
                explain(&output)
            );
            assert!(
                text(&output.stderr).contains("Unauthenticated"),
                "{command}, {what}: {}",
                explain(&output)
            );
            assert!(
                output.stdout.is_empty(),
                "{command}, {what}: {}",
                explain(&output)
            );
        }
    }
    let output = client("assess", SEED_REQUEST_PATH, &url, &[], &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "assess without a token: {}",
        explain(&output)
    );
    assert!(
        text(&output.stderr).contains("Unauthenticated"),
        "{}",
        explain(&output)
    );

    // Another tenant's token reads nothing of the bank's.
    let output = client("get", &id, &url, &["--token", &other.token], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", explain(&output));
    assert!(
        text(&output.stderr).contains("NotFound"),
        "{}",
        explain(&output)
    );

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_a_network_address_without_tokens() {
    let dir = temp_dir("records-cli-network");
    let output = run_binary(
        &[
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--data-dir",
            &dir.display().to_string(),
        ],
        &[("RUST_LOG", "info"), ("NO_COLOR", "1")],
        Duration::from_secs(30),
    );
    assert_ne!(output.status.code(), Some(0), "{}", explain(&output));
    assert!(
        output.status.code().is_some(),
        "it exits by itself: {}",
        explain(&output)
    );
    assert!(
        !text(&output.stdout).contains("listening"),
        "{}",
        explain(&output)
    );
    assert!(
        text(&output.stderr).contains("--tokens"),
        "{}",
        explain(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rotating the service key: records signed by the old key fail the signature check until the
/// old public key is given with --retired-key, then they verify again beside the new key's
/// records, and the chain runs on across the change.
#[test]
fn after_a_key_rotation_old_records_verify_under_the_retired_key() {
    let dir = temp_dir("records-cli-rotation");
    let key_file = dir.join("service.key");
    let mut server = serve(&dir, &[]);
    let old_record = assess(&server.url, &[], &[]);
    server.kill();

    let seed_hex = std::fs::read_to_string(&key_file).expect("the created key");
    let mut seed = [0u8; 32];
    hex::decode_to_slice(seed_hex.trim(), &mut seed).expect("64 hex digits");
    let old_key = green_impact::records::ServiceKey::from_seed(&seed);
    let old_public = dir.join("old-service-key.pub");
    std::fs::write(&old_public, hex::encode(old_key.public_key().as_bytes())).unwrap();
    std::fs::write(&key_file, format!("{}\n", "5a".repeat(32))).unwrap();

    let mut server = serve(&dir, &[]);
    let output = client("verify", &old_record, &server.url, &[], &[]);
    assert_eq!(output.status.code(), Some(3), "{}", explain(&output));
    assert!(
        text(&output.stdout).contains("no retired key of that id"),
        "{}",
        explain(&output)
    );
    server.kill();

    let retired = ["--retired-key".to_owned(), old_public.display().to_string()];
    let server = serve(&dir, &retired);
    let new_record = assess(&server.url, &[], &[]);
    for (id, says) in [
        (
            &old_record,
            format!("valid under retired key {}", old_key.key_id()),
        ),
        (&new_record, "valid under key".to_owned()),
    ] {
        let output = client("verify", id, &server.url, &[], &[]);
        assert_eq!(output.status.code(), Some(0), "{id}: {}", explain(&output));
        assert!(text(&output.stdout).contains(&says), "{}", explain(&output));
    }

    // The retired key only verifies: the current key cannot be given as retired.
    let current = dir.join("current.pub");
    let current_key = green_impact::records::ServiceKey::from_seed(&[0x5a; 32]);
    std::fs::write(&current, hex::encode(current_key.public_key().as_bytes())).unwrap();
    let output = run_binary(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            &dir.display().to_string(),
            "--retired-key",
            &current.display().to_string(),
        ],
        &[],
        LIMIT,
    );
    assert_ne!(output.status.code(), Some(0), "{}", explain(&output));
    assert!(
        text(&output.stderr).contains("is the current key"),
        "{}",
        explain(&output)
    );
}
