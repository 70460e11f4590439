//! Claims at volume through the binary: one result per input line, in order, whatever the
//! lines hold; a closed pipe, a full disk and Ctrl-C end the run cleanly.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_claimrules"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    command
}

/// A good claim for input line `n` (0-based): its id names the line.
fn good_claim(n: usize) -> String {
    let codes = [
        r#"{"code":"27093"},{"code":"77002"}"#,
        r#"{"code":"99213"}"#,
        r#"{"code":"27756"},{"code":"20690","modifiers":["RT"]}"#,
    ];
    let date = if n % 2 == 0 {
        "2010-03-31"
    } else {
        "2010-04-01"
    };
    format!(
        r#"{{"id":"C-{n}","service_date":"{date}","lines":[{}]}}"#,
        codes[n % codes.len()]
    )
}

/// A broken line of one of several kinds.
fn broken_line(n: usize) -> Vec<u8> {
    match (n / 100) % 5 {
        0 => b"{\"id\": \"oops\", not json".to_vec(),
        1 => b"{\"id\":\"bad-utf8\",\"note\":\"\xff\xfe\"}".to_vec(),
        2 => format!(r#"{{"id":"C-{n}","service_date":"2010-04-01","lines":[]}}"#).into_bytes(),
        3 => {
            let lines = vec![r#"{"code":"99213"}"#; 1001].join(",");
            format!(r#"{{"id":"C-{n}","service_date":"2010-04-01","lines":[{lines}]}}"#)
                .into_bytes()
        }
        _ => b"[1, 2".to_vec(),
    }
}

fn temp_file(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("streaming");
    std::fs::create_dir_all(&dir).expect("a temp folder");
    dir.join(name)
}

/// `count` claims a line, one in a hundred broken.
fn write_batch(path: &Path, count: usize) {
    let mut out = std::io::BufWriter::new(File::create(path).expect("a batch file"));
    for n in 0..count {
        if n % 100 == 37 {
            out.write_all(&broken_line(n)).expect("written");
        } else {
            out.write_all(good_claim(n).as_bytes()).expect("written");
        }
        out.write_all(b"\n").expect("written");
    }
    out.flush().expect("written");
}

#[test]
fn a_large_batch_with_broken_lines_gives_one_result_per_line_in_order() {
    let count = 20_000;
    let batch = temp_file("broken-batch.ndjson");
    let summary = temp_file("broken-batch.summary.json");
    write_batch(&batch, count);
    let output = binary()
        .args([
            "check",
            "--format",
            "ndjson",
            "--threads",
            "2",
            "--summary-json",
        ])
        .arg(&summary)
        .arg(&batch)
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<&[u8]> = output.stdout.split(|b| *b == b'\n').collect();
    assert_eq!(
        lines.last(),
        Some(&&b""[..]),
        "the output ends with a newline"
    );
    assert_eq!(lines.len() - 1, count, "one result per input line");
    for (n, line) in lines[..count].iter().enumerate() {
        let result: Value = serde_json::from_slice(line).expect("each result is JSON");
        if n % 100 == 37 {
            assert_eq!(result["status"], "error", "line {}: {result}", n + 1);
            assert_eq!(
                result["errors"][0]["line"],
                n as u64 + 1,
                "an error names its input line: {result}"
            );
        } else {
            assert_eq!(
                result["claim"],
                format!("C-{n}"),
                "results keep input order"
            );
            assert_ne!(result["status"], "error", "{result}");
        }
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("the summary")).expect("JSON");
    assert_eq!(summary["claims"], count as u64);
    assert_eq!(summary["by_status"]["error"], (count / 100) as u64);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{count} claims:")),
        "the summary is on stderr: {stderr}"
    );
}

#[test]
fn the_same_batch_gives_the_same_bytes_on_one_thread_and_on_many() {
    let batch = temp_file("deterministic.ndjson");
    write_batch(&batch, 3_000);
    let run = |threads: &str| {
        binary()
            .args(["check", "--quiet", "--format", "json", "--threads", threads])
            .arg(&batch)
            .output()
            .expect("the binary runs")
            .stdout
    };
    let one = run("1");
    assert!(serde_json::from_slice::<Value>(&one).is_ok_and(|v| v.as_array().is_some()));
    assert_eq!(one, run("4"));
}

#[test]
fn closing_the_pipe_ends_the_run_with_exit_2_and_one_line() {
    let batch = temp_file("pipe-batch.ndjson");
    write_batch(&batch, 50_000);
    let mut child = binary()
        .args(["check", "--quiet", "--format", "ndjson"])
        .arg(&batch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first result");
    assert!(
        first.starts_with(r#"{"format_version":"2.1","claim":"C-0""#),
        "{first}"
    );
    // The reader is dropped here: the pipe is closed.
    let output = child.wait_with_output().expect("the binary finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("broken pipe"), "{stderr}");
}

#[test]
fn a_full_disk_ends_the_run_with_exit_2_and_one_line() {
    let Ok(full) = File::options().write(true).open("/dev/full") else {
        return; // Not Linux: no device that is always full.
    };
    let output = binary()
        .args([
            "check",
            "--quiet",
            "--format",
            "ndjson",
            "examples/claims/batch.ndjson",
        ])
        .stdout(full)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("cannot write results"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_reading_and_writes_whole_results_with_exit_130() {
    let batch = temp_file("interrupt-batch.ndjson");
    let count = 200_000;
    write_batch(&batch, count);
    let mut child = binary()
        .args(["check", "--format", "ndjson", "--threads", "1"])
        .arg(&batch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a first result");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut rest).expect("the rest of the output");
    let output = child.wait_with_output().expect("the binary finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let mut all = first.into_bytes();
    all.extend(rest);
    assert_eq!(all.last(), Some(&b'\n'));
    let results: Vec<Value> = all
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("whole results only"))
        .collect();
    assert!(results.len() < count, "the run stopped early");
    for (n, result) in results.iter().enumerate() {
        if n % 100 != 37 {
            assert_eq!(result["claim"], format!("C-{n}"));
        }
    }
}

/// Whether process `pid` has a handler for SIGINT installed yet (Linux: `SigCgt`).
#[cfg(target_os = "linux")]
fn catches_sigint(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (libc::SIGINT - 1)) != 0)
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_while_standard_input_is_idle_ends_the_run_at_once_with_the_claims_read() {
    // A claim arrives, then the sender goes quiet with the pipe still open: Ctrl-C must not
    // wait for another line. The claim read is judged and written.
    let mut child = binary()
        .args(["check", "--format", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{}", good_claim(0)).expect("a claim written");
    stdin.flush().expect("flushed");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !catches_sigint(child.id()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the packs never loaded"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: a signal to a child process this test started and has not waited for yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let sent = std::time::Instant::now();
    let ended = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if sent.elapsed() > std::time::Duration::from_secs(5) {
            let _ = child.kill();
            panic!("Ctrl-C was not answered while standard input was idle");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    // The run answers within its poll interval (50 ms); the bound leaves room for a busy CI.
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );
    drop(stdin);
    let output = child.wait_with_output().expect("the output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(ended.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let results: Vec<Value> = output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("whole results only"))
        .collect();
    assert_eq!(results.len(), 1, "the claim read before Ctrl-C is written");
    assert_eq!(results[0]["claim"], "C-0");
}

#[test]
fn a_file_size_limit_ends_the_run_like_a_full_disk_not_with_a_signal() {
    // `ulimit -f` sends SIGXFSZ on the write that passes it; the run must still cut the file
    // back to whole results and say why, with exit 2.
    let batch = temp_file("xfsz-batch.ndjson");
    write_batch(&batch, 5_000);
    let out = temp_file("xfsz-out.ndjson");
    let run = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 200 && exec \"$0\" check --quiet --format ndjson {} > {}",
            batch.display(),
            out.display()
        ))
        .arg(env!("CARGO_BIN_EXE_claimrules"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{:?} {stderr}", run.status);
    assert!(stderr.contains("cannot write results"), "{stderr}");
    let written = std::fs::read(&out).expect("the output file");
    assert!(
        !written.is_empty() && written.len() <= 200 * 1024,
        "{}",
        written.len()
    );
    assert_eq!(written.last(), Some(&b'\n'), "no partial line at the end");
    for line in written.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        serde_json::from_slice::<Value>(line).expect("each line is a whole result");
    }
}

#[test]
fn threads_past_the_maximum_are_a_usage_error() {
    let run = binary()
        .args(["check", "--threads", "4000", "examples/claims/batch.ndjson"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid value '4000' for '--threads <N>': 4000 is not in 1..=256"),
        "{stderr}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn results_larger_than_their_claims_are_written_as_they_come_not_held() {
    // Every line of every claim gets a finding with a long message: 100 claims of 1,000
    // lines give 100,000 findings, over 100 MB of results from 2 MB of claims.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("large-output");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let message = "x".repeat(1_000);
    std::fs::write(
        dir.join("every-line.policy"),
        format!("rule payer.every-line\n  for each line in 99213\n  info \"{message}\"\n"),
    )
    .expect("a policy");
    let line = r#"{"code":"99213"}"#;
    let claim = |n: usize| {
        format!(
            r#"{{"id":"L-{n}","service_date":"2024-04-01","lines":[{}]}}"#,
            vec![line; 1_000].join(",")
        )
    };
    let claims = dir.join("claims.ndjson");
    let text: Vec<String> = (0..100).map(claim).collect();
    std::fs::write(&claims, text.join("\n") + "\n").expect("claims");
    let summary = dir.join("summary.json");
    let run = binary()
        .args([
            "check",
            "--quiet",
            "--no-default-pack",
            "--threads",
            "2",
            "--pack",
        ])
        .arg(&dir)
        .arg("--summary-json")
        .arg(&summary)
        .arg(&claims)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let output = run.wait_with_output().expect("the binary finishes");
    assert!(output.stdout.len() > 100 << 20, "{}", output.stdout.len());
    let summary: Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("a summary")).expect("JSON");
    let peak_mib = summary["peak_memory_kib"].as_u64().expect("peak memory") / 1024;
    eprintln!(
        "peak {peak_mib} MiB for {} MB of results",
        output.stdout.len() >> 20
    );
    assert!(
        peak_mib < 80,
        "{peak_mib} MiB held for {} MB of results",
        output.stdout.len() >> 20
    );
}
