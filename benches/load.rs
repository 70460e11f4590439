//! Loading the standard pack, as a user meets it: `cargo bench --bench load`.
//!
//! Times, in the same run, the release binary doing a default `claimrules check` of one claim
//! (the embedded standard pack with the full national tables):
//! - cache cold: an empty `CLAIMRULES_CACHE` folder each time, so the PTP table is decompressed,
//!   parsed and written to the cache;
//! - cache warm: the folder a previous run filled, so the table is read from its compact form;
//! - `--no-cache`: parsed each time, nothing written;
//!
//! against a baseline of the same run, `claimrules --version` (starting the process). The runs
//! are interleaved, so that a machine busy for a while slows every kind alike; each figure is a
//! median. `BENCH_RUNS` sets the runs of each kind (default 11).

// A benchmark stops at the first surprise: a failed setup has no figure worth printing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CLAIM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/claims/sacroplasty-0201T.json"
);

/// The targets of issue 19: a default check of one claim.
const WARM_TARGET: f64 = 0.3;
const COLD_TARGET: f64 = 1.5;

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(11);
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-load");
    let _ = std::fs::remove_dir_all(&root);
    let warm_cache = root.join("warm");
    let unused_cache = root.join("unused");
    // The warm runs read what this first run writes.
    run(&["check", "-q", CLAIM], &warm_cache);

    let mut baseline = Vec::with_capacity(runs);
    let mut cold = Vec::with_capacity(runs);
    let mut warm = Vec::with_capacity(runs);
    let mut no_cache = Vec::with_capacity(runs);
    for i in 0..runs {
        baseline.push(run(&["--version"], &unused_cache));
        let empty = root.join(format!("cold-{i}"));
        cold.push(run(&["check", "-q", CLAIM], &empty));
        assert!(
            std::fs::read_dir(&empty).is_ok_and(|mut d| d.next().is_some()),
            "a cold run fills its cache"
        );
        let _ = std::fs::remove_dir_all(&empty);
        warm.push(run(&["check", "-q", CLAIM], &warm_cache));
        no_cache.push(run(&["check", "-q", "--no-cache", CLAIM], &unused_cache));
    }
    assert!(
        !unused_cache.exists(),
        "`--version` and `--no-cache` write no cache"
    );
    let _ = std::fs::remove_dir_all(&root);

    let base = median(&mut baseline);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("claimrules load benchmark ({cores} cores, {runs} runs of each, medians)\n");
    println!("a default `check` of one claim ({})", short(CLAIM));
    println!(
        "  process start (`--version`)   {:>7.3} s   (baseline)",
        base.as_secs_f64()
    );
    for (what, times, target) in [
        ("cache warm", &mut warm, Some(WARM_TARGET)),
        ("cache cold", &mut cold, Some(COLD_TARGET)),
        ("--no-cache", &mut no_cache, None),
    ] {
        let m = median(times);
        let target = target.map_or_else(String::new, |t| {
            let met = if m.as_secs_f64() < t { "met" } else { "MISSED" };
            format!("; target < {t} s: {met}")
        });
        println!(
            "  {what:<29} {:>7.3} s   ({:.1}x the baseline{target})",
            m.as_secs_f64(),
            m.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    }
}

/// Runs the binary with its cache in `cache`, and how long it took. A check of the sample
/// claim exits 1 (it has denials); anything but 0 or 1 is a failure of the benchmark.
fn run(args: &[&str], cache: &Path) -> Duration {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .env("CLAIMRULES_CACHE", cache)
        .output()
        .expect("claimrules runs");
    let took = started.elapsed();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "claimrules {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A path as it reads from the repository's root.
fn short(path: &str) -> &str {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .map_or(path, |p| p.trim_start_matches('/'))
}
