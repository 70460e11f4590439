//! Claims at volume through the binary: `cargo bench --bench stream`.
//!
//! Generates two batches of claims as NDJSON (`BENCH_CLAIMS` each, default 1,000,000): `visits`,
//! real code co-occurrence from CMS's synthetic Medicare claims, and `stress`, the national
//! bench's generator (codes drawn from the whole PTP table, so that edits fire), then runs `claimrules check` on it with the standard pack and the
//! full PTP and MUE tables, as a payer would, and measures in the same run:
//! - claims per second on one worker thread and on every core (the ratio is the scaling);
//! - peak resident memory of the process for an empty input (the tables' own footprint), for
//!   10,000 claims and for the whole batch: streaming keeps it flat;
//! - the I/O floor: the same file through a plain `serde_json` read-and-write of every line;
//! - that each run wrote exactly one result per claim, in input order.
//!
//! Results go through a pipe to this process, which checks each line's claim id and drops it.

// A benchmark stops at the first surprise: a failed setup has no figure worth printing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use claimrules::Engine;
use common::{generate_each, ratio, timed, verdict, visits_each, write_lines};

fn main() {
    let count: usize = std::env::var("BENCH_CLAIMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-stream");
    std::fs::create_dir_all(&dir).expect("a folder for the generated claims");
    // One table cache for every run, filled by the first: each run loads as a payer's would
    // after the first.
    let cache = dir.join("cache");
    std::env::set_var("CLAIMRULES_CACHE", &cache);

    println!("claimrules streaming benchmark ({cores} cores, {count} claims)\n");
    // The standard pack as the binary embeds it: the full national tables, as a payer runs it.
    let engine = Engine::builder()
        .build()
        .unwrap_or_else(|_| panic!("the standard pack loads with the full tables"));
    let edits = std::sync::Arc::clone(&engine.program().edit_tables[0].edits);
    drop(engine);

    let small_count = count.min(10_000);
    let stress = dir.join(format!("stress-{count}.ndjson"));
    let stress_small = dir.join(format!("stress-{small_count}.ndjson"));
    let visits = dir.join(format!("visits-{count}.ndjson"));
    let empty = dir.join("empty.ndjson");
    let ((), generated) = timed(|| {
        write_claims(&stress, |each| {
            generate_each(&edits, count, |claim| each(claim.json))
        });
        write_claims(&stress_small, |each| {
            generate_each(&edits, small_count, |claim| each(claim.json))
        });
        write_claims(&visits, |each| visits_each(count, each));
        write_claims(&empty, |_| {});
    });
    println!("generated the claims in {:.1} s\n", generated.as_secs_f64());

    let footprint = run_check(&empty, 0, cores);
    let mut peaks = Vec::new();
    for (mix, path, what) in [
        (
            "visits",
            &visits,
            "real code co-occurrence: DE-SynPUF visits, 1 to 13 lines",
        ),
        (
            "stress",
            &stress,
            "codes drawn from the whole PTP table, 1 to 12 lines, ~3 findings a claim",
        ),
    ] {
        let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        println!(
            "{mix}: {count} claims, {:.0} MiB ({what})",
            bytes as f64 / (1 << 20) as f64
        );
        let one = run_check(path, count, 1);
        let all = run_check(path, count, cores);
        let (_, floor) = timed(|| io_floor(path));
        let rate = |d: Duration| count as f64 / d.as_secs_f64().max(1e-9);
        for (label, run) in [("1 thread", &one), ("all cores", &all)] {
            println!(
                "  {label:<10} {:>9.0} claims/s  ({:.2} s, {:.2} cores busy; {:.0} claims/s once loaded)",
                rate(run.wall),
                run.wall.as_secs_f64(),
                run.cpu.as_secs_f64() / run.wall.as_secs_f64(),
                run.pipeline_rate
            );
        }
        // The verdict is on whole runs, as the target reads; the figure once loaded is shown
        // beside it for the load's share.
        let scaling = ratio(one.wall, all.wall);
        println!(
            "  scaling    {:>9.2}x  (all cores / 1 thread, whole runs; {:.2}x once loaded; target >= 1.8x on 2 cores {})",
            scaling,
            all.pipeline_rate / one.pipeline_rate.max(1e-9),
            verdict(scaling >= 1.8)
        );
        println!(
            "  I/O floor  {:>9.0} claims/s  (serde_json read and write of every line, 1 thread)",
            rate(floor)
        );
        let to_floor = ratio(floor, all.wall);
        println!(
            "  all cores / floor {:>5.2}  (target >= 0.5 {})\n",
            to_floor,
            verdict(to_floor >= 0.5)
        );
        peaks.push((format!("{mix}, {count} claims, 1 thread"), one.peak_kib));
        peaks.push((
            format!("{mix}, {count} claims, {cores} threads"),
            all.peak_kib,
        ));
    }
    let small = run_check(&stress_small, small_count, cores);
    peaks.insert(
        0,
        (
            format!("stress, {small_count} claims, {cores} threads"),
            small.peak_kib,
        ),
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("peak resident memory of `claimrules check` (its own VmHWM):");
    println!(
        "  no claims (the tables' own footprint)    {:>7.1} MiB",
        mib(footprint.peak_kib)
    );
    for (what, kib) in peaks {
        println!(
            "  {what:<40} {:>7.1} MiB  (+{:.1} MiB; target within 100 MB)",
            mib(kib),
            mib(kib.saturating_sub(footprint.peak_kib))
        );
    }
    println!("\nevery run wrote one result per claim, in input order");
}

/// Writes the claims a generator gives, one a line, unless the file is there already.
fn write_claims(path: &Path, generate: impl FnOnce(&mut dyn FnMut(String))) {
    if !path.exists() {
        write_lines(path, generate);
    }
}

/// What one run of the binary took.
struct Run {
    wall: Duration,
    /// User and system time of the process.
    cpu: Duration,
    peak_kib: u64,
    /// The process's own rate, tables loaded: claims over the time from first read to last write.
    pipeline_rate: f64,
}

// The child is waited for with `wait4`, for its CPU time, which `Child::wait` does not give.
#[allow(clippy::zombie_processes)]
/// Runs `claimrules check` on `claims` and checks that its output holds `count` results, the
/// n-th for claim `GEN-n`.
fn run_check(claims: &Path, count: usize, threads: usize) -> Run {
    let summary = claims.with_extension(format!("summary-{threads}.json"));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(["check", "--quiet", "--format", "ndjson", "--threads"])
        .arg(threads.to_string())
        .arg("--summary-json")
        .arg(&summary)
        .arg(claims)
        .stdout(Stdio::piped())
        .spawn()
        .expect("claimrules runs");
    let stdout = child.stdout.take().expect("a pipe");
    let mut seen = 0usize;
    for line in BufReader::with_capacity(1 << 20, stdout).split(b'\n') {
        let line = line.expect("results read");
        // The result's first fields: its format version (whatever it is), then its claim.
        let expected = format!(",\"claim\":\"GEN-{seen}\",");
        let head = &line[..line.len().min(64)];
        assert!(
            line.starts_with(b"{\"format_version\":")
                && head
                    .windows(expected.len())
                    .any(|w| w == expected.as_bytes()),
            "result {seen} is not for claim GEN-{seen}: {}",
            String::from_utf8_lossy(&line[..line.len().min(60)])
        );
        seen += 1;
    }
    let (status, usage) = wait_with_usage(child.id() as libc::pid_t);
    let wall = started.elapsed();
    assert!(
        matches!(status, 0 | 1),
        "claimrules check exited with {status}"
    );
    assert_eq!(seen, count, "one result per claim");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    // The process's own figure: `ru_maxrss` of a child counts this process's memory at fork.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("the run's summary"))
            .expect("summary JSON");
    Run {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_kib: summary["peak_memory_kib"].as_u64().unwrap_or(0),
        pipeline_rate: summary["claims_per_second"].as_f64().unwrap_or(0.0),
    }
}

/// Waits for a child and returns its exit code and resource usage (CPU time), which only
/// `wait4` gives for one child.
fn wait_with_usage(pid: libc::pid_t) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pointers are valid for the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "waited for claimrules");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage)
}

/// The floor any JSON-lines tool pays: read every line, parse it, write it back out.
fn io_floor(claims: &Path) {
    let input = BufReader::with_capacity(1 << 20, File::open(claims).expect("claims"));
    let mut out = BufWriter::with_capacity(1 << 20, File::create("/dev/null").expect("null"));
    for line in input.lines() {
        let line = line.expect("a line");
        let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        serde_json::to_writer(&mut out, &value).expect("written");
        out.write_all(b"\n").expect("written");
    }
    out.flush().expect("written");
}
