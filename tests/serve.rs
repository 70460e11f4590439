//! `claimrules serve` as a client sees it: the binary started on a free port, called over HTTP.
//! Each test starts its own server (the standard pack loads in well under a second) and stops
//! it when done.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{claimrules, run, stdout, tempdir};
use rstest::rstest;
use serde_json::{json, Value};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A running server, stopped (killed) when dropped unless it has already exited.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `claimrules serve --listen 127.0.0.1:0 ARGS…` and waits for its address.
    fn start_only(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_claimrules"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(ROOT)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first = String::new();
        stderr.read_line(&mut first).expect("a line on stderr");
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("the first line is not `listening on …`: {first:?}"))
            .trim()
            .to_string();
        let log = Arc::new(Mutex::new(first.clone()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Server {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    /// Starts a server and waits until `/readyz` answers 200.
    fn start(args: &[&str]) -> Server {
        let server = Server::start_only(args);
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.get("/readyz").status == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("not ready in time; stderr:\n{}", self.log());
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str) -> Answer {
        answer(ureq::get(&self.url(path)).call())
    }

    fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Answer {
        answer(
            ureq::post(&self.url(path))
                .set("Content-Type", content_type)
                .send_bytes(body),
        )
    }

    fn post_json(&self, path: &str, body: &Value) -> Answer {
        self.post(path, "application/json", body.to_string().as_bytes())
    }

    fn post_with_token(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = ureq::post(&self.url(path));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        answer(request.call())
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) with the pid of a child this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the process to exit, at most `limit`.
    fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the server answered.
struct Answer {
    status: u16,
    content_type: String,
    packs: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("no answer: {e}"),
    };
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or("").to_string();
    let packs = response.header("claimrules-packs").map(str::to_string);
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body).unwrap();
    Answer {
        status,
        content_type,
        packs,
        body,
    }
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join("examples/claims").join(name)).unwrap()
}

/// What `claimrules check --format json ARGS… -` writes for `input`.
fn cli_check(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut all = vec!["check", "--format", "json", "--quiet"];
    all.extend_from_slice(args);
    all.push("-");
    let o = run(&all, Some(input));
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        common::stderr(&o)
    );
    o.stdout
}

/// The one result of a one-claim `check --format json` (`[\n  {…}\n]\n`), as a line.
fn only(array: &[u8]) -> Vec<u8> {
    let mut one = array
        .strip_prefix(b"[\n  ")
        .and_then(|a| a.strip_suffix(b"\n]\n"))
        .expect("one result")
        .to_vec();
    one.push(b'\n');
    one
}

#[test]
fn one_claim_gets_the_result_check_writes_byte_for_byte() {
    let server = Server::start(&[]);
    for name in [
        "add-on-without-primary.json",
        "fluoroscopy-76000-with-77003.json",
        "hip-arthrography-2010-04-01.json",
    ] {
        let claim = example(name);
        let cli = cli_check(&[], &claim);
        let a = server.post("/v1/check", "application/json", &claim);
        assert_eq!(a.status, 200, "{name}: {}", a.text());
        assert_eq!(a.content_type, "application/json");
        assert_eq!(a.text(), String::from_utf8(only(&cli)).unwrap(), "{name}");
        assert_eq!(a.packs.as_deref(), Some(standard_packs().as_str()));
        // The same claim in an array: the array `check` writes.
        let mut array = b"[".to_vec();
        array.extend_from_slice(&claim);
        array.push(b']');
        let a = server.post("/v1/check", "application/json", &array);
        assert_eq!(a.text(), String::from_utf8(cli).unwrap(), "{name}");
    }
    // Explain, as `--explain`.
    let claim = example("add-on-without-primary.json");
    let a = server.post("/v1/check?explain=true", "application/json", &claim);
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.json()["explain"]["rules"].is_array(), "{}", a.text());
    assert_eq!(a.body, only(&cli_check(&["--explain"], &claim)));
    let a = server.post("/v1/check?explain=false", "application/json", &claim);
    assert!(a.json()["explain"].is_null(), "{}", a.text());
}

/// `standard/VERSION`, from `claimrules packs --format json`.
fn standard_packs() -> String {
    let o = claimrules(&["packs", "--format", "json"]);
    let packs: Value = serde_json::from_str(&stdout(&o)).unwrap();
    format!("standard/{}", packs[0]["version"].as_str().unwrap())
}

/// A thousand claims, with a bad one among them, as NDJSON.
fn thousand_claims() -> Vec<u8> {
    let text = String::from_utf8(example("batch.ndjson")).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = String::new();
    for i in 0..1000 {
        if i == 500 {
            out.push_str("{\"id\": \"BROKEN\", \"lines\": [\n");
            continue;
        }
        let line = lines[i % lines.len()];
        let (_, rest) = line.split_once("\"id\": \"").unwrap();
        let (_, rest) = rest.split_once('"').unwrap();
        out.push_str(&format!("{{\"id\": \"N-{i}\"{rest}\n"));
    }
    out.into_bytes()
}

#[rstest]
#[case::ndjson_by_content_type("application/x-ndjson")]
#[case::ndjson_detected("application/json")]
#[case::no_content_type("text/plain")]
fn a_batch_of_a_thousand_claims_in_input_order(#[case] content_type: &str) {
    let server = Server::start(&[]);
    let claims = thousand_claims();
    let a = server.post("/v1/check", content_type, &claims);
    assert_eq!(a.status, 200, "{}", a.text());
    let cli = cli_check(&[], &claims);
    assert_eq!(a.text(), String::from_utf8(cli).unwrap());
    let results = a.json();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 1000);
    assert_eq!(results[0]["claim"], "N-0");
    assert_eq!(results[999]["claim"], "N-999");
    // The bad claim is an `error` result naming its line; those after it are judged.
    assert_eq!(results[500]["status"], "error", "{}", results[500]);
    assert_eq!(results[500]["errors"][0]["line"], 501, "{}", results[500]);
    assert_eq!(results[501]["claim"], "N-501");
    assert_ne!(results[501]["status"], "error", "{}", results[501]);
}

#[test]
fn x12_gets_the_results_check_writes() {
    let server = Server::start(&[]);
    let x12 = std::fs::read(Path::new(ROOT).join("data/x12/demo.example6.837")).unwrap();
    let a = server.post("/v1/check", "application/edi-x12", &x12);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), String::from_utf8(cli_check(&[], &x12)).unwrap());
    assert!(!a.json().as_array().unwrap().is_empty());
}

#[rstest]
#[case::truncated(b"{\"id\": \"X\", \"lines\": [".as_slice(), None)]
#[case::wrong_type(b"{\"id\": \"X\", \"lines\": 5}".as_slice(), Some("lines"))]
#[case::neither(b"hello".as_slice(), None)]
fn a_claim_that_does_not_read_is_400_naming_the_path_and_line(
    #[case] body: &[u8],
    #[case] path: Option<&str>,
) {
    let server = Server::start(&[]);
    let a = server.post("/v1/check", "application/json", body);
    assert_eq!(a.status, 400, "{}", a.text());
    let error = a.json();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("the claim does not read"),
        "{error}"
    );
    assert_eq!(error["line"], 1, "{error}");
    if let Some(path) = path {
        assert_eq!(error["path"], path, "{error}");
    }
}

#[test]
fn limits_tokens_and_unknown_routes_answer_json_errors() {
    let dir = tempdir("serve-token");
    let token_file = dir.join("token");
    std::fs::write(&token_file, "s3cret\n").unwrap();
    let server = Server::start(&[
        "--max-body-bytes",
        "1000",
        "--admin-token-file",
        token_file.to_str().unwrap(),
    ]);
    // Small enough to be sent whole before the server answers, so that the client reads the
    // answer rather than a closed connection.
    let big = vec![b' '; 2_000];
    let a = server.post("/v1/check", "application/json", &big);
    assert_eq!(a.status, 413, "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("size limit"));

    let a = server.post_with_token("/v1/admin/reload", None);
    assert_eq!(a.status, 401, "{}", a.text());
    assert!(a.json()["error"].is_string());
    let a = server.post_with_token("/v1/admin/reload", Some("wrong"));
    assert_eq!(a.status, 401, "{}", a.text());
    let a = server.post_with_token("/v1/admin/reload", Some("s3cret"));
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["reloaded"], true);

    let a = server.get("/no/such/thing");
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["error"], "no such endpoint");
    let a = server.get("/v1/check");
    assert_eq!(a.status, 405);
    assert!(a.json()["error"].is_string());
    let a = server.post("/v1/lint", "application/json", b"{\"policy\": ");
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("the body is not valid JSON"));
    // A field of the wrong type is named by its JSON path, with its line.
    let a = server.post(
        "/v1/try",
        "application/json",
        b"{\n  \"policy\": 5, \"claims\": []}",
    );
    assert_eq!(a.status, 400);
    let error = a.json();
    assert_eq!(
        (error["path"].as_str(), error["line"].as_u64()),
        (Some("policy"), Some(2)),
        "{error}"
    );

    // Without a token file the admin endpoints are off.
    let plain = Server::start(&[]);
    let a = plain.post_with_token("/v1/admin/reload", Some("s3cret"));
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(a.json()["error"].as_str().unwrap().contains("off"));
}

#[test]
fn lint_points_at_a_misspelt_fact_with_a_did_you_mean() {
    let server = Server::start(&[]);
    let policy = "# a comment\nrule playground.r\n  when film_archivd\n  review \"m\"\n";
    let a = server.post_json("/v1/lint", &json!({ "policy": policy }));
    assert_eq!(a.status, 200, "{}", a.text());
    let report = a.json();
    assert_eq!(report["errors"], 1, "{report}");
    let d = &report["diagnostics"][0];
    assert_eq!(d["severity"], "error", "{d}");
    assert_eq!(d["file"], "playground.policy", "{d}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(8)),
        "{d}"
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(3), Some(20)),
        "{d}"
    );
    assert!(d["help"].as_str().unwrap().contains("film_archived"), "{d}");
    assert!(d["message"].is_string() && d.get("label").is_some() && d.get("code").is_some());

    // A clean policy, under the name given.
    let policy = "rule playground.r\n  when film_archived\n  review \"m\"\n";
    let a = server.post_json(
        "/v1/lint",
        &json!({ "policy": policy, "path": "mine.policy" }),
    );
    assert_eq!(a.json()["errors"], 0, "{}", a.text());
}

#[test]
fn try_layers_the_policy_on_the_packs_and_judges_the_claims() {
    let server = Server::start(&[]);
    let policy =
        "rule playground.no-27506\n  for each line in 27506\n  deny \"{code} is not paid here\"\n";
    let claim: Value = serde_json::from_slice(&example("add-on-without-primary.json")).unwrap();
    let a = server.post_json("/v1/try", &json!({ "policy": policy, "claims": claim }));
    assert_eq!(a.status, 200, "{}", a.text());
    let body = a.json();
    assert_eq!(body["diagnostics"], json!([]), "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], "deny");
    let rules: Vec<&str> = results[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The policy's rule and the standard pack's.
    assert!(rules.contains(&"playground.no-27506"), "{rules:?}");
    assert!(rules.contains(&"add-on.without-primary"), "{rules:?}");

    // Explain, and an array of claims.
    let a = server.post_json(
        "/v1/try",
        &json!({ "policy": policy, "claims": [claim.clone(), claim], "explain": true }),
    );
    let body = a.json();
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    assert!(body["results"][1]["explain"]["rules"].is_array());

    // A policy with an error: no results, the error in the diagnostics.
    let a = server.post_json(
        "/v1/try",
        &json!({ "policy": "rule playground.r\n  when film_archivd\n  review \"m\"\n", "claims": [] }),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let body = a.json();
    assert_eq!(body["results"], json!([]));
    assert_eq!(body["diagnostics"][0]["severity"], "error", "{body}");
    assert_eq!(body["diagnostics"][0]["line"], 2, "{body}");
}

/// A copy of an example pack, to edit.
fn pack_copy(name: &str) -> PathBuf {
    let dir = tempdir(&format!("serve-{name}"));
    let from = Path::new(ROOT).join("examples/packs").join(name);
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    dir
}

#[test]
fn reload_swaps_in_a_good_pack_and_refuses_a_broken_one() {
    let pack = pack_copy("acme-health");
    let token_dir = tempdir("serve-reload-token");
    let token = token_dir.join("token");
    std::fs::write(&token, "tok").unwrap();
    let server = Server::start(&[
        "--pack",
        pack.to_str().unwrap(),
        "--admin-token-file",
        token.to_str().unwrap(),
    ]);
    let versions = |server: &Server| -> Vec<String> {
        let a = server.get("/v1/packs");
        assert_eq!(a.status, 200, "{}", a.text());
        a.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(versions(&server)[1], "acme-health/2024.2");
    // `/v1/packs` is what `packs --format json` prints.
    let o = claimrules(&[
        "packs",
        "--format",
        "json",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(server.get("/v1/packs").text(), stdout(&o));

    let manifest = pack.join("pack.policy");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version \"2024.2\"", "version \"2024.3\""),
    )
    .unwrap();
    let a = server.post_with_token("/v1/admin/reload", Some("tok"));
    assert_eq!(a.status, 200, "{}", a.text());
    let body = a.json();
    assert_eq!(body["reloaded"], true);
    assert_eq!(body["packs"][1]["version"], "2024.3");
    assert_eq!(versions(&server)[1], "acme-health/2024.3");
    let claim = example("add-on-without-primary.json");
    let a = server.post("/v1/check", "application/json", &claim);
    assert!(a.packs.unwrap().ends_with("acme-health/2024.3"));

    // A broken pack is refused; the old engine keeps serving.
    std::fs::write(
        pack.join("broken.policy"),
        "rule acme.broken\n  when film_archivd\n  review \"m\"\n",
    )
    .unwrap();
    let a = server.post_with_token("/v1/admin/reload", Some("tok"));
    assert_eq!(a.status, 422, "{}", a.text());
    let body = a.json();
    assert_eq!(body["reloaded"], false);
    let diagnostics = body["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["file"].as_str().unwrap_or("").ends_with("broken.policy")),
        "{body}"
    );
    assert_eq!(versions(&server)[1], "acme-health/2024.3");
    let a = server.post("/v1/check", "application/json", &claim);
    assert_eq!(a.status, 200);

    // SIGHUP reloads too: with the broken file gone, the new version serves.
    std::fs::remove_file(pack.join("broken.policy")).unwrap();
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version \"2024.3\"", "version \"2024.4\""),
    )
    .unwrap();
    server.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(30);
    while versions(&server)[1] != "acme-health/2024.4" {
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not reload:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("claimrules_reloads_total{outcome=\"ok\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("claimrules_reloads_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("claimrules_pack_loaded{name=\"acme-health\",version=\"2024.4\"} 1"),
        "{metrics}"
    );
    assert!(!metrics.contains("version=\"2024.2\""), "{metrics}");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_0() {
    let mut server = Server::start(&[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let claim = example("add-on-without-primary.json");
    // The request's head and half its body, then SIGTERM, then the rest.
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        claim.len()
    )
    .unwrap();
    let half = claim.len() / 2;
    stream.write_all(&claim[..half]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal(libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(200));
    stream.write_all(&claim[half..]).unwrap();
    let mut response = String::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"claim\":\"CLM-ADDON-1\""), "{response}");
    let status = server.wait_exit(Duration::from_secs(30));
    assert_eq!(status.code(), Some(0), "{}", server.log());
    // No new connection is taken.
    assert!(TcpStream::connect(&addr).is_err());
}

#[test]
fn a_request_over_the_time_limit_is_408_json() {
    let server = Server::start(&["--request-timeout-secs", "1"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    // A body that never comes in full.
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    )
    .unwrap();
    stream.flush().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&response).contains("}\n") {
        let n = stream.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(
        response.contains("content-type: application/json"),
        "{response}"
    );
    assert!(
        response.contains("\"error\":\"the request took longer than the time limit"),
        "{response}"
    );
}

/// A `/v1/try` whose claims take long: many rules comparing each of 1,000 lines with the others.
/// Several times the two one-second limits the test waits through (about 2.5 s of work in 40
/// claims on the CI machine was too close): the server is stopped at the end of the test, so
/// the rest of the work costs nothing.
fn slow_try() -> Value {
    let policy: String = (0..300)
        .map(|i| {
            format!(
                "rule slow.r{i}\n  for each line in 10000-99999\n  when another line has {}-99999\n  deny \"no {i}\"\n\n",
                10000 + i
            )
        })
        .collect();
    let lines: Vec<Value> = (0..1000)
        .map(|j| json!({ "code": (20000 + j).to_string(), "units": 1 }))
        .collect();
    let claim = json!({ "id": "SLOW", "service_date": "2024-05-01", "lines": lines });
    json!({ "policy": policy, "claims": vec![claim; 160] })
}

#[test]
fn a_timed_out_try_keeps_its_turn_until_its_work_ends() {
    // The work of a request that timed out goes on; its turn to build and judge must not go to
    // the next request, or a client could set any number of them running at once.
    let server = Server::start(&["--request-timeout-secs", "1", "--threads", "1"]);
    let slow = server.post_json("/v1/try", &slow_try());
    assert_eq!(slow.status, 408, "{}", slow.text());
    let next = server.post_json("/v1/lint", &json!({ "policy": "" }));
    assert_eq!(next.status, 408, "{}", next.text());
}

#[test]
fn a_body_of_too_many_claims_is_413_json() {
    // Well under the body limit, but each tiny claim would get a result object in memory.
    let server = Server::start(&[]);
    let body = "{}\n".repeat(100_001);
    let answer = server.post("/v1/check", "application/x-ndjson", body.as_bytes());
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert_eq!(answer.json()["max_claims"], 100_000);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("more than 100000 claims"));
    // As many as the limit are judged.
    let body = "{}\n".repeat(100_000);
    let answer = server.post("/v1/check", "application/x-ndjson", body.as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.text());
}

#[test]
fn healthz_readyz_metrics_and_the_playground() {
    // Without the compact-form cache the national tables take a while to read: long enough to
    // see the server alive and not yet ready.
    let server = Server::start_only(&["--no-cache"]);
    assert_eq!(server.get("/healthz").status, 200);
    let early = server.get("/readyz");
    if early.status == 503 {
        assert_eq!(early.json()["status"], "loading");
        let a = server.post(
            "/v1/check",
            "application/json",
            &example("add-on-without-primary.json"),
        );
        assert_eq!(a.status, 503, "{}", a.text());
    } else {
        assert_eq!(early.status, 200, "{}", early.text());
    }
    server.wait_ready();
    assert_eq!(server.get("/readyz").status, 200);

    let a = server.post(
        "/v1/check",
        "application/json",
        &example("add-on-without-primary.json"),
    );
    assert_eq!(a.status, 200);
    let a = server.post("/v1/check", "application/json", b"{");
    assert_eq!(a.status, 400);
    let metrics = server.get("/metrics");
    assert!(
        metrics.content_type.starts_with("text/plain"),
        "{}",
        metrics.content_type
    );
    let metrics = metrics.text();
    for series in [
        "claimrules_http_requests_total{route=\"/v1/check\",status=\"200\"} 1",
        "claimrules_http_requests_total{route=\"/v1/check\",status=\"400\"} 1",
        "claimrules_http_request_duration_seconds_bucket{le=",
        "claimrules_claims_judged_total{status=\"deny\"} 1",
        "claimrules_findings_total{action=\"deny\"} 1",
        "# HELP claimrules_errors",
        "# HELP claimrules_reloads",
        "claimrules_pack_loaded{name=\"standard\",version=",
    ] {
        assert!(metrics.contains(series), "no `{series}` in:\n{metrics}");
    }

    // The playground's page, embedded; `/` leads to it.
    let a = server.get("/playground");
    assert_eq!(a.status, 200, "the redirect to `/playground/` is followed");
    assert_eq!(server.get("/playground/").status, 200);
    assert_eq!(a.content_type, "text/html; charset=utf-8");
    assert!(a.text().contains("<html"));
    assert_eq!(server.get("/playground/index.html").status, 200);
    let a = server.get("/playground/no-such.js");
    assert_eq!(a.status, 404);
    assert!(a.json()["error"].is_string());
    let a = server.get("/");
    assert_eq!(a.status, 200, "the redirect is followed to the playground");
    assert!(a.text().contains("<html"));
}

#[test]
fn a_pack_that_does_not_load_ends_the_server_with_2() {
    let dir = tempdir("serve-broken-pack");
    std::fs::write(
        dir.join("pack.policy"),
        "pack \"broken\"\n  version \"1\"\n  extends \"standard\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("r.policy"),
        "rule broken.r\n  when film_archivd\n  review \"m\"\n",
    )
    .unwrap();
    let mut server = Server::start_only(&["--pack", dir.to_str().unwrap()]);
    let status = server.wait_exit(Duration::from_secs(60));
    assert_eq!(status.code(), Some(2));
    // The rest of stderr, read by its thread.
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.log().contains("film_archivd"), "{}", server.log());
}

#[test]
fn history_judges_each_claim_against_the_members_earlier_claims_as_check_does() {
    let dir = tempdir("serve-history");
    let db = dir.join("history.db");
    let db = db.to_str().unwrap();
    let o = claimrules(&[
        "history",
        "import",
        "--history",
        db,
        "examples/history/last-year.ndjson",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let today = std::fs::read(Path::new(ROOT).join("examples/history/today.ndjson")).unwrap();
    let expected = cli_check(
        &["--pack", "examples/history/pack", "--history", db],
        &today,
    );
    let server = Server::start(&["--pack", "examples/history/pack", "--history", db]);
    let a = server.post("/v1/check", "application/x-ndjson", &today);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.text(), String::from_utf8(expected).unwrap());
    assert!(
        a.text().contains("\"history\":{\"claim\""),
        "a finding names an earlier claim: {}",
        a.text()
    );
}

/// A connection that sends no request, or trickles its headers a line a second, is closed
/// once the header time limit (10 s) has passed, rather than held open for as long as it likes;
/// the server goes on answering others.
#[test]
fn a_silent_or_trickling_connection_is_closed_after_the_header_time_limit() {
    use std::io::{Read, Write};
    let server = Server::start_only(&[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let silent = std::thread::spawn({
        let addr = addr.clone();
        move || {
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut byte = [0u8; 1];
            // Closed: end of stream, nothing answered.
            assert_eq!(stream.read(&mut byte).unwrap(), 0);
        }
    });
    let mut trickle = std::net::TcpStream::connect(&addr).unwrap();
    trickle
        .set_read_timeout(Some(Duration::from_millis(900)))
        .unwrap();
    trickle.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let mut closed = false;
    for _ in 0..25 {
        let mut byte = [0u8; 1];
        match trickle.read(&mut byte) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => panic!("the server answered a request whose headers never ended"),
            Err(_) => {
                // Still open; one more header line (the write fails once it is closed).
                if trickle.write_all(b"X-Slow: yes\r\n").is_err() {
                    closed = true;
                    break;
                }
            }
        }
    }
    silent.join().unwrap();
    let elapsed = started.elapsed();
    assert!(closed, "the trickling connection was still open after 25 s");
    assert!(
        elapsed >= Duration::from_secs(9) && elapsed < Duration::from_secs(25),
        "closed after {elapsed:?}, not after the 10 s limit"
    );
    assert_eq!(server.get("/healthz").status, 200);
}
