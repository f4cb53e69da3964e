//! The `green-impact` binary as a user runs it: `serve` on an ephemeral port, `assess` with
//! the seed example and with bad input, and graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_green-impact");
const SEED_REQUEST_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/leshan-yaqing.json");

struct ServeProcess {
    child: Child,
    url: String,
}

impl ServeProcess {
    fn start() -> ServeProcess {
        let data_dir = std::env::temp_dir().join(format!(
            "green-impact-cli-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let mut child = Command::new(BINARY)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--http-addr",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(&data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn green-impact serve");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("stdout piped"))
            .read_line(&mut first_line)
            .expect("read the listening line");
        let addr = first_line
            .trim()
            .strip_prefix("green-impact listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        ServeProcess {
            child,
            url: format!("http://{addr}"),
        }
    }

    fn assess(&self, file: &str, extra: &[&str]) -> Output {
        Command::new(BINARY)
            .args(["assess", file, "--addr", &self.url])
            .args(extra)
            .output()
            .expect("run green-impact assess")
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not stop within 10 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_request(name: &str, text: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("green-impact-{}-{name}.json", std::process::id()));
    std::fs::write(&path, text).expect("write temp request");
    path
}

#[test]
fn assess_prints_the_seed_response_as_proto3_json() {
    let server = ServeProcess::start();
    let printed = |extra: &[&str]| -> serde_json::Value {
        let output = server.assess(SEED_REQUEST_PATH, extra);
        assert!(
            output.status.success(),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("stdout is JSON")
    };
    let basic = printed(&[]);
    let c2r = &basic["cost_to_revenue"];
    assert_eq!(
        c2r["baseline_treatment_cost_cny_per_year"]["value"],
        "1314000.00"
    );
    assert_eq!(c2r["fertilizer_income_cny_per_year"]["value"], "2847000.00");
    assert_eq!(basic["loan"]["period_count"], 36);
    assert!(
        basic["loan"]["periods"]
            .as_array()
            .is_none_or(|rows| rows.is_empty()),
        "the default view (BASIC) leaves the rows out"
    );
    let full = printed(&["--view", "full"]);
    assert_eq!(full["cost_to_revenue"], basic["cost_to_revenue"]);
    assert_eq!(full["loan"]["periods"].as_array().unwrap().len(), 36);
    assert_eq!(
        server.terminate().code(),
        Some(0),
        "graceful shutdown exits 0"
    );
}

#[test]
fn assess_reports_every_field_violation_and_exits_non_zero() {
    let server = ServeProcess::start();
    let seed = std::fs::read_to_string(SEED_REQUEST_PATH).unwrap();
    let mut request: serde_json::Value = serde_json::from_str(&seed).unwrap();
    request["loan"]["term_months"] = 0.into();
    request["operations"]["manure_dry_matter_fraction"]["value"] = "1.5".into();
    let path = temp_request("bad-fields", &request.to_string());
    let output = server.assess(path.to_str().unwrap(), &[]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("InvalidArgument"), "{stderr}");
    assert!(
        stderr.contains("  loan.term_months: must be from 1 to 600 (got 0)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  operations.manure_dry_matter_fraction: "),
        "{stderr}"
    );
}

/// Runs `assess` on `text` against a port nothing listens on: only local checks can answer.
fn assess_without_server(name: &str, text: &str) -> Output {
    let path = temp_request(name, text);
    let output = Command::new(BINARY)
        .args([
            "assess",
            path.to_str().unwrap(),
            "--addr",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    output
}

#[test]
fn assess_refuses_malformed_json_locally() {
    let output = assess_without_server("malformed", r#"{"loan": {"term_months": "many"}}"#);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a valid AssessRequest"));

    let output = assess_without_server("typo", r#"{"borrower_idd": "x"}"#);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown field is refused, not ignored"
    );
}
