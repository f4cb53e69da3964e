//! The real binary as a child process: `serve` read from its first line, or one command run
//! to its end within a time limit.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::Duration;

pub const BINARY: &str = env!("CARGO_BIN_EXE_green-impact");

/// The real binary running `serve`, its address read from its first line of stdout.
pub struct ServeProcess {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// Where its stderr (the logs) goes.
    pub log: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl ServeProcess {
    /// Runs `green-impact serve --addr 127.0.0.1:0 ARGS`, logging to `log`.
    pub fn start(args: &[String], log: &Path) -> ServeProcess {
        let log_file = std::fs::File::create(log).expect("create the server log");
        let mut child = Command::new(BINARY)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--http-addr",
                "127.0.0.1:0",
            ])
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("spawn green-impact serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout piped"));
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .expect("read the listening line");
        let Some(addr) = first_line.trim().strip_prefix("green-impact listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "unexpected first line {first_line:?}; log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        let url = format!("http://{addr}");
        ServeProcess {
            child,
            url,
            log: log.to_owned(),
            _stdout: stdout,
        }
    }

    /// SIGKILL (what `Child::kill` sends on unix): no shutdown, no flush, no goodbye.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Output bytes as text, for messages and checks.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A command's exit code, stdout and stderr, for a failed assertion's message.
pub fn explain(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    )
}

/// Runs the binary with `args` (and `env`, with GREEN_IMPACT_TOKEN removed unless given),
/// killed after `limit`.
pub fn run_binary(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env_remove("GREEN_IMPACT_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().expect("spawn green-impact");
    let pid = child.id().to_string();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(output) => output.expect("wait for green-impact"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("green-impact {args:?} did not finish within {limit:?}");
        }
    }
}

/// `serve` on a free loopback port with `args` after `--data-dir data_dir` stops at start,
/// without listening, saying each of `says` on stderr.
pub fn serve_refuses(data_dir: &str, args: &[&str], says: &[&str]) {
    let mut all = vec![
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--http-addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir,
    ];
    all.extend_from_slice(args);
    let env = [("RUST_LOG", "info"), ("NO_COLOR", "1")];
    let output = run_binary(&all, &env, Duration::from_secs(60));
    assert!(
        output.status.code().is_some_and(|code| code != 0),
        "{args:?}: {}",
        explain(&output)
    );
    assert!(
        !text(&output.stdout).contains("listening"),
        "{args:?}: {}",
        explain(&output)
    );
    for word in says {
        assert!(
            text(&output.stderr).contains(word),
            "{args:?} should say {word:?}: {}",
            explain(&output)
        );
    }
}
