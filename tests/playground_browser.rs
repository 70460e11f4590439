//! The playground page in a real browser: `claimrules serve` on a free port, then
//! `node web/tests/playground.test.mjs` (playwright-core driving Chromium) against it; and the
//! page's highlighter on every policy file (`node web/tests/highlight.test.mjs`).
//!
//! Skipped, with the reason printed, when node, web/node_modules/playwright-core or Chromium is
//! missing, or when this binary has no `serve` command; with `CLAIMRULES_REQUIRE_BROWSER=1`
//! (CI, after `.ci/browser`) a missing piece fails the test instead. The screenshots go to a
//! temporary folder; `CLAIMRULES_UPDATE_SCREENSHOTS=1` writes them to docs/images/.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

fn required() -> bool {
    std::env::var("CLAIMRULES_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Skips the test with `reason`, or fails it when the browser test is required.
fn skip(reason: &str) {
    assert!(
        !required(),
        "CLAIMRULES_REQUIRE_BROWSER=1, but {reason} (run .ci/browser to install what the browser test needs)"
    );
    eprintln!("skipped: {reason}");
}

/// The server, killed however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` on the server; the status code, or `None` when it does not answer.
fn get_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

fn node_installed() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The highlighter on every policy file of the repository (node and esbuild, no browser).
#[test]
fn highlighter_colours_every_policy_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !node_installed() {
        return skip("node is not installed");
    }
    if !root.join("web/node_modules/esbuild").is_dir() {
        return skip("web/node_modules/esbuild is missing (cd web && npm ci)");
    }
    let output = Command::new("node")
        .arg(root.join("web/tests/highlight.test.mjs"))
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn playground_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("web/tests/playground.test.mjs");
    if !node_installed() {
        return skip("node is not installed");
    }
    if !root.join("web/node_modules/playwright-core").is_dir() {
        return skip("web/node_modules/playwright-core is missing (cd web && npm ci)");
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_string());
    if !Path::new(&chromium).exists() {
        return skip(&format!("{chromium} is missing (apt-get install chromium)"));
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);

    // Standard error, line by line, read to the end so that the server never blocks on it.
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut said = Vec::new();
    let port: u16 = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines_rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let port = address
                        .rsplit(':')
                        .next()
                        .and_then(|p| p.trim().parse().ok());
                    break port.unwrap_or_else(|| panic!("no port in {line:?}"));
                }
                said.push(line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // The server ended before it listened. A binary without `serve` refuses the
                // command: that is a missing piece, not a broken page.
                let text = said.join("\n");
                if text.contains("serve")
                    && (text.contains("unrecognized")
                        || text.contains("unknown")
                        || text.contains("Usage"))
                {
                    return skip(&format!("this claimrules has no `serve` command: {text}"));
                }
                panic!("`claimrules serve` ended before it listened:\n{text}");
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!(
                    "`claimrules serve` printed no `listening on` line in 60 s:\n{}",
                    said.join("\n")
                )
            }
        }
    };

    // Ready once the packs are loaded.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if get_status(port, "/readyz") == Some(200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "GET /readyz did not answer 200 in 120 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let shots: PathBuf = if std::env::var("CLAIMRULES_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root.join("docs/images")
    } else {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("playground-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        dir
    };
    let output = Command::new("node")
        .arg(&script)
        .current_dir(root)
        .env("PLAYGROUND_URL", format!("http://127.0.0.1:{port}"))
        .env("PLAYGROUND_SCREENSHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    drop(server);
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the playground browser test failed ({}):\n{out}{err}",
        output.status
    );
    eprint!("{out}");
}
