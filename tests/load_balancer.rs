//! The committed nginx configuration (`deploy/nginx/green-impact.conf`) in front of two
//! processes of the real binary, everything on loopback: health, the seed Assess and an
//! AssessBatch through the balancer, calls spread over both replicas, a request as large as a
//! replica reads let through and a larger one refused as RESOURCE_EXHAUSTED (as a replica refuses
//! it), calls carried on by the other replica when one dies, and UNAVAILABLE once none is left.
//!
//! The configuration is the committed file with only its two marked blocks changed: the
//! replicas' addresses (each server line keeps its parameters) and the listen block (a
//! plaintext listen on 127.0.0.1 and an access log here, instead of TLS on 443).
//!
//! The replicas keep SQLite stores and keys of their own, unlike a deployment (which gives
//! them one key and one PostgreSQL database, tests/replicas.rs): here the key that signed a
//! record tells which replica answered.
//!
//! Needs an `nginx` binary (with the http_v2 module, as Debian's has). Without one the test
//! says it did not run, except in CI (`CI` set), where that is a failure.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use common::{Principal, ServeProcess, bearer, principal, seed_request, temp_dir, tokens_json};
use green_impact::pb;
use green_impact::pb::assess_batch_result::Outcome;
use green_impact::pb::impact_service_client::ImpactServiceClient;

/// The file under test, read at build time so that a change to it rebuilds the test.
const COMMITTED_CONFIG: &str = include_str!("../deploy/nginx/green-impact.conf");
const REPLICAS_BEGIN: &str = "# @@ replicas begin";
const REPLICAS_END: &str = "# @@ replicas end";
const LISTEN_BEGIN: &str = "# @@ listen begin";
const LISTEN_END: &str = "# @@ listen end";
/// The log format the committed file defines for its access log.
const LOG_FORMAT: &str = "green_impact_grpc";

/// Where an nginx binary is looked for besides PATH (sbin is not on every user's PATH).
const NGINX_PLACES: [&str; 3] = [
    "/usr/sbin/nginx",
    "/usr/local/sbin/nginx",
    "/usr/local/nginx/sbin/nginx",
];
/// Unary calls sent through the balancer while both replicas run, and again after one dies.
const CALLS: usize = 8;
const BATCH_ITEMS: usize = 6;
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long nginx may take to start listening, and to write a finished call's log line.
const WAIT: Duration = Duration::from_secs(10);

/// The nginx binary, or `None` (after saying so) outside CI.
fn nginx_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("nginx"));
    if let Some(found) = on_path
        .chain(NGINX_PLACES.iter().map(PathBuf::from))
        .find(|candidate| candidate.is_file())
    {
        return Some(found);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "nginx is missing in CI: .ci/run should have installed Debian's nginx"
    );
    // Straight to the process's stderr: the harness captures eprintln! of a passing test, and
    // a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED the_committed_nginx_config_balances_grpc_calls_over_two_replicas: no nginx \
         binary on PATH or in {NGINX_PLACES:?} (apt-get install nginx); the load balancer test \
         did not run"
    );
    None
}

/// The lines from the one line holding `begin` to the one holding `end`, both included.
fn marked_block(lines: &[&str], begin: &str, end: &str) -> std::ops::RangeInclusive<usize> {
    let find = |marker: &str| {
        let at: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].contains(marker))
            .collect();
        assert_eq!(
            at.len(),
            1,
            "deploy/nginx/green-impact.conf has {marker:?} once (the test edits that block)"
        );
        at[0]
    };
    let (first, last) = (find(begin), find(end));
    assert!(first < last, "{begin:?} comes before {end:?}");
    first..=last
}

/// The committed site configuration with the replicas at `replicas` (the server lines keep
/// their parameters, in order), listening on `listen` in plaintext, logging to `access_log`.
fn site_config(replicas: &[String], listen: SocketAddr, access_log: &Path) -> String {
    let lines: Vec<&str> = COMMITTED_CONFIG.lines().collect();
    let replicas_block = marked_block(&lines, REPLICAS_BEGIN, REPLICAS_END);
    let listen_block = marked_block(&lines, LISTEN_BEGIN, LISTEN_END);
    let server_lines: Vec<usize> = replicas_block
        .clone()
        .filter(|&i| lines[i].trim_start().starts_with("server "))
        .collect();
    assert_eq!(
        server_lines.len(),
        replicas.len(),
        "the committed upstream lists one server line per replica of this test"
    );
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(n) = server_lines.iter().position(|&s| s == i) {
            // "server ADDRESS PARAMETERS...;": only the address changes.
            let indent = &line[..line.len() - line.trim_start().len()];
            let mut words = line.split_whitespace();
            assert_eq!(words.next(), Some("server"));
            let committed_address = words.next().expect("a server line names an address");
            let rest: Vec<&str> = words.collect();
            let ending = if rest.is_empty() {
                assert!(committed_address.ends_with(';'), "{line:?} ends with ';'");
                ";".to_owned()
            } else {
                format!(" {}", rest.join(" "))
            };
            out.push_str(&format!("{indent}server {}{ending}\n", replicas[n]));
        } else if i == *listen_block.start() {
            out.push_str(&format!(
                "    listen {listen} http2;\n    access_log {} {LOG_FORMAT};\n",
                access_log.display()
            ));
        } else if listen_block.contains(&i) {
            // The committed TLS listen and its log path: replaced by the two lines above.
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The main configuration around the site file: everything nginx writes goes under `dir`, so
/// it runs as root and as any other user alike.
fn main_config(dir: &Path, site: &Path) -> String {
    let d = dir.display();
    format!(
        "# Written by tests/load_balancer.rs.\n\
         # One process, no workers: killing the child stops all of nginx, nothing is orphaned.\n\
         master_process off;\n\
         pid {d}/nginx.pid;\n\
         error_log {d}/error.log info;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n\
         \x20   client_body_temp_path {d}/client_body;\n\
         \x20   proxy_temp_path {d}/proxy;\n\
         \x20   fastcgi_temp_path {d}/fastcgi;\n\
         \x20   uwsgi_temp_path {d}/uwsgi;\n\
         \x20   scgi_temp_path {d}/scgi;\n\
         \x20   include {};\n\
         }}\n",
        site.display()
    )
}

/// A loopback port free a moment ago (nginx must be told a port; it cannot pick one).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// nginx in the foreground, killed and reaped when dropped.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Nginx {
    /// Starts nginx on the committed configuration in front of `replicas`, on a free loopback
    /// port; a few tries, since another process can take the port between look and bind.
    fn start(binary: &Path, dir: &Path, replicas: &[String]) -> Nginx {
        for _ in 0..3 {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let site = dir.join("green-impact.conf");
            std::fs::write(&site, site_config(replicas, addr, &dir.join("access.log")))
                .expect("write the site config");
            let main = dir.join("nginx.conf");
            std::fs::write(&main, main_config(dir, &site)).expect("write the main config");
            let output = |name: &str| {
                std::fs::File::create(dir.join(name)).expect("create an nginx output file")
            };
            let arg = |path: &Path| path.display().to_string();
            let child = Command::new(binary)
                .args(["-p", &arg(dir), "-e", &arg(&dir.join("error.log"))])
                .args(["-c", &arg(&main), "-g", "daemon off;"])
                .stdin(Stdio::null())
                .stdout(output("nginx.stdout"))
                .stderr(output("nginx.stderr"))
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {}: {e}", binary.display()));
            let mut nginx = Nginx {
                child,
                addr,
                dir: dir.to_owned(),
            };
            let deadline = Instant::now() + WAIT;
            loop {
                if let Some(status) = nginx.child.try_wait().expect("poll nginx") {
                    let log = nginx.logs();
                    if log.contains("Address already in use") {
                        break; // the port was taken meanwhile: another try
                    }
                    panic!("nginx exited with {status} at start:\n{log}");
                }
                if TcpStream::connect(addr).is_ok() {
                    return nginx;
                }
                assert!(
                    Instant::now() < deadline,
                    "nginx not listening on {addr} after {WAIT:?}:\n{}",
                    nginx.logs()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("nginx found no free loopback port in 3 tries")
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The error log and whatever nginx printed.
    fn logs(&self) -> String {
        ["error.log", "nginx.stderr", "nginx.stdout"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
                format!("--- {name}\n{text}")
            })
            .collect()
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    /// Waits until the access log holds `count` lines of `method` (nginx writes a line when a
    /// call ends, which may be just after the client has its answer); returns those lines.
    fn logged_calls(&self, method: &str, count: usize) -> Vec<String> {
        let needle = format!("POST /{method} ");
        let deadline = Instant::now() + WAIT;
        loop {
            let lines: Vec<String> = self
                .access_log()
                .lines()
                .filter(|l| l.contains(&needle))
                .map(str::to_owned)
                .collect();
            if lines.len() >= count {
                return lines;
            }
            assert!(
                Instant::now() < deadline,
                "{count} calls of {method} in the access log after {WAIT:?}:\n{}",
                self.access_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The replica address(es) of an access log line: `upstream=A` or, after a retry, `A, B`.
fn upstreams(line: &str) -> Vec<String> {
    let start = line
        .find("upstream=")
        .expect("the log format names the upstream")
        + 9;
    let end = line[start..]
        .find(" upstream_status=")
        .expect("the upstream's status follows it");
    line[start..start + end]
        .split(", ")
        .map(str::to_owned)
        .collect()
}

async fn connect(url: &str) -> Channel {
    Channel::from_shared(url.to_owned())
        .expect("a url")
        .timeout(CALL_TIMEOUT)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

async fn key_id(url: &str, bank: &Principal) -> String {
    ImpactServiceClient::new(connect(url).await)
        .get_service_key(bearer(&bank.token, pb::GetServiceKeyRequest {}))
        .await
        .unwrap_or_else(|status| panic!("service key of {url}: {status:?}"))
        .into_inner()
        .key_id
}

/// Stores the seed for `borrower` through `client`; the key id of its seal.
async fn assess(
    client: &mut ImpactServiceClient<Channel>,
    bank: &Principal,
    borrower: &str,
) -> Result<String, tonic::Status> {
    let request = pb::AssessRequest {
        borrower_id: borrower.to_owned(),
        ..seed_request()
    };
    let response = client
        .assess(bearer(&bank.token, request))
        .await?
        .into_inner();
    Ok(response
        .record
        .expect("a stored assessment is sealed")
        .key_id)
}

/// Sends nginx one Assess of 300 KiB with its content-length; the HTTP status and the
/// grpc-status header of the answer.
async fn announced_too_large(addr: SocketAddr) -> (http::StatusCode, Option<String>) {
    let message_bytes: u32 = 300 * 1024;
    // A gRPC frame: not compressed, the message's length, then the (here meaningless) message.
    let mut frame = vec![0u8];
    frame.extend(message_bytes.to_be_bytes());
    frame.resize(5 + message_bytes as usize, 0);
    let length = frame.len();
    let request = http::Request::post(format!("http://{addr}/greenimpact.v1.ImpactService/Assess"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("content-length", length)
        .body(Full::new(Bytes::from(frame)))
        .expect("a request");
    let client = HyperClient::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let response = tokio::time::timeout(CALL_TIMEOUT, client.request(request))
        .await
        .expect("nginx answers in time")
        .expect("nginx answers over HTTP/2");
    let grpc_status = response
        .headers()
        .get("grpc-status")
        .map(|v| v.to_str().expect("an ASCII grpc-status").to_owned());
    (response.status(), grpc_status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_nginx_config_balances_grpc_calls_over_two_replicas() {
    let Some(nginx_binary) = nginx_binary() else {
        return;
    };
    let dir = temp_dir("load-balancer");
    let bank = principal("lb-bank", "bank");
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, tokens_json(&[&bank])).expect("write the tokens file");
    let mut servers: Vec<ServeProcess> = (0..2)
        .map(|n| {
            let args: Vec<String> = vec![
                "--data-dir".into(),
                dir.join(format!("replica-{n}")).display().to_string(),
                "--tokens".into(),
                tokens.display().to_string(),
            ];
            ServeProcess::start(&args, &dir.join(format!("replica-{n}.log")))
        })
        .collect();
    let addresses: Vec<String> = servers
        .iter()
        .map(|s| s.url.trim_start_matches("http://").to_owned())
        .collect();
    let mut keys = Vec::new();
    for server in &servers {
        keys.push(key_id(&server.url, &bank).await);
    }
    assert_ne!(keys[0], keys[1], "each replica has a key of its own here");

    let nginx_dir = dir.join("nginx");
    std::fs::create_dir_all(&nginx_dir).expect("create nginx's directory");
    let nginx = Nginx::start(&nginx_binary, &nginx_dir, &addresses);
    let channel = connect(&nginx.url()).await;
    let mut client = ImpactServiceClient::new(channel.clone());

    // grpc.health.v1 through the balancer, for the server as a whole and for the service.
    let mut health = HealthClient::new(channel.clone());
    for service in ["", "greenimpact.v1.ImpactService"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .unwrap_or_else(|e| panic!("health check of {service:?} through nginx: {e}"))
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }

    // The seed, stored: the bearer token passes the balancer, and the calls are spread.
    let mut signed_by = Vec::new();
    for i in 0..CALLS {
        let key = assess(&mut client, &bank, &format!("lb-borrower-{i}"))
            .await
            .unwrap_or_else(|status| panic!("Assess {i} through nginx: {status:?}"));
        assert!(keys.contains(&key), "signed by one of the replicas: {key}");
        signed_by.push(key);
    }
    for (n, key) in keys.iter().enumerate() {
        assert!(
            signed_by.contains(key),
            "replica {n} answered some of the {CALLS} calls: {signed_by:?}"
        );
    }
    let logged: BTreeSet<String> = nginx
        .logged_calls("greenimpact.v1.ImpactService/Assess", CALLS)
        .iter()
        .flat_map(|line| upstreams(line))
        .collect();
    assert_eq!(
        logged,
        addresses.iter().cloned().collect(),
        "the access log names both replicas"
    );

    // AssessBatch through the balancer: every item answered in order, all by one replica,
    // since one stream is one call.
    let items: Vec<pb::AssessBatchItem> = (0..BATCH_ITEMS)
        .map(|i| pb::AssessBatchItem {
            key: format!("item-{i}"),
            request: Some(pb::AssessRequest {
                borrower_id: format!("lb-batch-borrower-{i}"),
                ..seed_request()
            }),
        })
        .collect();
    let mut stream = client
        .assess_batch(bearer(&bank.token, tokio_stream::iter(items)))
        .await
        .expect("AssessBatch starts through nginx")
        .into_inner();
    let mut results = Vec::new();
    while let Some(result) = stream
        .message()
        .await
        .expect("the batch streams through nginx")
    {
        results.push(result);
        assert!(results.len() <= BATCH_ITEMS, "one result per item");
    }
    let keys_of_results: Vec<&str> = results.iter().map(|r| r.key.as_str()).collect();
    let expected: Vec<String> = (0..BATCH_ITEMS).map(|i| format!("item-{i}")).collect();
    assert_eq!(keys_of_results, expected, "every item answered, in order");
    let batch_signers: BTreeSet<String> = results
        .iter()
        .map(|r| match &r.outcome {
            Some(Outcome::Response(response)) => response
                .record
                .as_ref()
                .expect("a stored item is sealed")
                .key_id
                .clone(),
            other => panic!("{}: {other:?}", r.key),
        })
        .collect();
    assert_eq!(batch_signers.len(), 1, "one stream, one replica");

    // As large a request as a replica reads passes the balancer: the replica, not nginx,
    // refuses its 400 assumptions (at most 32 are allowed).
    let assumption = "x".repeat(512);
    let near_limit = pb::AssessRequest {
        stated_assumptions: vec![assumption; 400],
        ..seed_request()
    };
    let size = prost::Message::encoded_len(&near_limit);
    assert!(
        (200 * 1024..256 * 1024).contains(&size),
        "a request just under 256 KiB: {size} bytes"
    );
    let status = client
        .assess(bearer(&bank.token, near_limit))
        .await
        .expect_err("400 assumptions are too many");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        common::violated_fields(&status)
            .iter()
            .any(|f| f == "stated_assumptions"),
        "the replica names the field: {status:?}"
    );
    // Past what a replica reads: refused, RESOURCE_EXHAUSTED, by the replica (which reads the
    // message's length prefix as nginx passes the body on) or by nginx (which counts the body),
    // whichever notices first; the balancer answers with the replica's code.
    let status = client
        .assess(bearer(&bank.token, common::over_the_size_limit()))
        .await
        .expect_err("a request over the limit");
    common::assert_over_the_size_limit(&status);
    // A body that announces its length (tonic's do not) is refused by nginx alone, at once.
    let (http_status, grpc_status) = announced_too_large(nginx.addr).await;
    assert_eq!(
        (http_status, grpc_status.as_deref()),
        (http::StatusCode::OK, Some("8")),
        "nginx answers a trailers-only gRPC RESOURCE_EXHAUSTED"
    );

    // One replica dies: the balancer finds out (passively, on connect) and the other takes
    // every call; none fails.
    servers[0].kill();
    // Lets nginx see its idle connections to the dead replica close, so none is reused.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 0..CALLS {
        let key = assess(&mut client, &bank, &format!("lb-failover-borrower-{i}"))
            .await
            .unwrap_or_else(|status| {
                panic!(
                    "Assess {i} with one replica down: {status:?}\n{}",
                    nginx.logs()
                )
            });
        assert_eq!(key, keys[1], "the surviving replica answers");
    }

    // None left: UNAVAILABLE, which clients retry with backoff, not an HTML error page.
    servers[1].kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = assess(&mut client, &bank, "lb-no-replica")
        .await
        .expect_err("no replica is left");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(
        status
            .message()
            .contains("no green-impact replica is reachable"),
        "the balancer's own answer: {status:?}"
    );

    drop(client);
    drop(health);
    drop(channel);
    drop(nginx);
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
}
