//! Claims at volume through the binary: one result per input line, in order, whatever the
//! lines hold; a closed pipe, a full disk and Ctrl-C end the run cleanly.

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
        first.starts_with(r#"{"format_version":"1.0","claim":"C-0""#),
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

#[test]
fn a_file_output_that_fails_keeps_only_whole_results() {
    // A file on a disk that fills up mid-run is cut back to its last whole result; a file
    // limit stands in for the full disk.
    let batch = temp_file("fsize-batch.ndjson");
    write_batch(&batch, 5_000);
    let out = temp_file("fsize-out.ndjson");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 200 && trap '' XFSZ && exec \"$0\" check --quiet --format ndjson {} > {}",
            batch.display(),
            out.display()
        ))
        .arg(env!("CARGO_BIN_EXE_claimrules"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("sh runs");
    assert_eq!(status.status.code(), Some(2), "{status:?}");
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
