//! The claim history at volume: `cargo bench --bench history`.
//!
//! Generates a payer's past year as NDJSON: 1,000,000 history lines for 100,000 members (E/M
//! visits 99202-99215, procedures with and without a 90-day global period, 20610, G0438, a
//! small pool of providers with valid NPIs), imports them with `claimrules history import`,
//! then judges 200,000 new claims of the same members (later dates; some fall in a global
//! period, repeat a once-in-a-lifetime visit or duplicate a line) with the release binary, all
//! threads, three ways:
//! - (a) `check` without history: the baseline;
//! - (b) `check --history DB`: each claim reads its member's lines, nothing recorded;
//! - (c) `check --history DB --record`, on a fresh copy of the imported store.
//!
//! It reports the import's rate, each run's claims per second and its ratio to (a) (the
//! target is at least 0.5), and each run's peak resident memory (its own VmHWM; memory flat: within 1.5x the
//! baseline's), for SQLite and for PostgreSQL. PostgreSQL is measured on the server that
//! `CLAIMRULES_BENCH_POSTGRES` (else `CLAIMRULES_TEST_POSTGRES`) names, in databases of its
//! own made and dropped here; with neither set it is skipped. `HISTORY_BENCH_SCALE=0.1`
//! shrinks every count for a quick run.

// A benchmark stops at the first surprise: a failed setup has no figure worth printing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{Days, NaiveDate};
use claimrules::claim::npi_is_valid;
use common::{mib, timed, write_lines};

/// The full run's sizes, before `HISTORY_BENCH_SCALE`.
const HISTORY_LINES: f64 = 1_000_000.0;
const MEMBERS: f64 = 100_000.0;
const NEW_CLAIMS: f64 = 200_000.0;

/// E/M office visits, new and established patients.
const VISITS: &[&str] = &[
    "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
];
/// Procedures with a 90-day global period (policies/tables/global-surgery.csv).
const MAJOR: &[&str] = &[
    "27447", "27130", "29881", "29880", "27506", "25606", "28415",
];
/// Minor procedures with a 10-day global period.
const MINOR: &[&str] = &["10060", "17000", "10140"];
/// Everyday services with no global period.
const OTHER: &[&str] = &[
    "36415", "80053", "85025", "93000", "71046", "97110", "81002", "90471", "73562",
];
const DIAGNOSES: &[&str] = &[
    "M17.11", "M17.12", "I10", "E11.9", "Z00.00", "M25.561", "J06.9", "R10.9", "E78.5",
];

fn main() {
    let scale: f64 = std::env::var("HISTORY_BENCH_SCALE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1.0);
    let members = ((MEMBERS * scale) as usize).max(10);
    let lines_wanted = ((HISTORY_LINES * scale) as usize).max(100);
    let new_claims = ((NEW_CLAIMS * scale) as usize).max(20);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-history");
    std::fs::create_dir_all(&dir).expect("a folder for the generated claims");
    std::env::set_var("CLAIMRULES_CACHE", dir.join("cache"));

    println!(
        "claimrules history benchmark ({cores} cores; {lines_wanted} history lines of {members} \
         members, {new_claims} new claims)\n"
    );
    let history = dir.join(format!("history-{members}-{lines_wanted}.ndjson"));
    let claims = dir.join(format!("new-{members}-{new_claims}.ndjson"));
    let (counts, generated) = timed(|| {
        let providers = providers(40);
        let counts = write_history(&history, members, lines_wanted, &providers);
        write_new_claims(&claims, members, new_claims, &providers);
        counts
    });
    let (history_claims, history_lines) = counts;
    println!(
        "generated {history_claims} history claims ({history_lines} lines) and {new_claims} new \
         claims in {:.1} s\n",
        generated.as_secs_f64()
    );

    // (a): the same claims judged alone, once to fill the table cache, then measured.
    run_check(&claims, None, false, new_claims);
    let baseline = run_check(&claims, None, false, new_claims);
    println!(
        "no history    {:>9.0} claims/s  ({:.2} s, peak {:.1} MiB, {} claims denied)\n",
        baseline.rate(new_claims),
        baseline.wall.as_secs_f64(),
        mib(baseline.peak_kib),
        baseline.denied
    );

    let mut stores: Vec<(&str, Store)> = vec![("SQLite", Store::Sqlite(dir.join("sqlite")))];
    match std::env::var("CLAIMRULES_BENCH_POSTGRES")
        .or_else(|_| std::env::var("CLAIMRULES_TEST_POSTGRES"))
    {
        Ok(url) => stores.push(("PostgreSQL", Store::Postgres(url))),
        Err(_) => println!(
            "PostgreSQL: skipped (set CLAIMRULES_BENCH_POSTGRES or CLAIMRULES_TEST_POSTGRES to \
             a server's URL; .ci/postgres starts one)\n"
        ),
    }
    for (name, store) in &stores {
        let imported = store.fresh("imported");
        let import = run_import(&imported, &history);
        println!(
            "{name}: import {:>9.0} lines/s, {:.0} claims/s  ({:.2} s, peak {:.1} MiB)",
            history_lines as f64 / import.wall.as_secs_f64(),
            history_claims as f64 / import.wall.as_secs_f64(),
            import.wall.as_secs_f64(),
            mib(import.peak_kib)
        );
        let read = run_check(&claims, Some(&imported), false, new_claims);
        let recorded_store = store.copy("imported", "recorded");
        let recorded = run_check(&claims, Some(&recorded_store), true, new_claims);
        for (label, run) in [("--history", &read), ("--record", &recorded)] {
            let rss = run.peak_kib as f64 / baseline.peak_kib.max(1) as f64;
            println!(
                "  {label:<10} {:>9.0} claims/s  ({:.2} s; ratio to no history {:.2}, target >= 0.5 {}; \
                 peak {:.1} MiB, {:.2}x the baseline's, target <= 1.5x {}; {} claims denied)",
                run.rate(new_claims),
                run.wall.as_secs_f64(),
                baseline.wall.as_secs_f64() / run.wall.as_secs_f64(),
                mark(baseline.wall.as_secs_f64() / run.wall.as_secs_f64() >= 0.5),
                mib(run.peak_kib),
                rss,
                mark(rss <= 1.5),
                run.denied
            );
        }
        println!();
        store.drop_all();
    }
    println!("every run wrote one result per claim");
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

/// Where the bench keeps a store: SQLite files in a folder, or databases on a server.
enum Store {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Store {
    /// A new, empty store called `name`, as `--history` names it.
    fn fresh(&self, name: &str) -> String {
        match self {
            Store::Sqlite(dir) => {
                std::fs::create_dir_all(dir).expect("a folder for the stores");
                for end in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{name}.db{end}")));
                }
                dir.join(format!("{name}.db")).display().to_string()
            }
            Store::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)
                    .expect("the PostgreSQL server answers");
                let db = Self::database(name);
                // One statement a call: neither may run in a transaction.
                for sql in [
                    format!("DROP DATABASE IF EXISTS {db}"),
                    format!("CREATE DATABASE {db}"),
                ] {
                    client
                        .batch_execute(&sql)
                        .expect("a database of the bench's own");
                }
                Self::url_of(url, &db)
            }
        }
    }

    /// A copy of the store `from`, as `to`.
    fn copy(&self, from: &str, to: &str) -> String {
        match self {
            Store::Sqlite(dir) => {
                let target = self.fresh(to);
                // The import closed its connection, which checkpointed the WAL into the file.
                for end in ["", "-wal"] {
                    let source = dir.join(format!("{from}.db{end}"));
                    if source.exists() {
                        std::fs::copy(&source, format!("{target}{end}")).expect("copied");
                    }
                }
                target
            }
            Store::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)
                    .expect("the PostgreSQL server answers");
                let (from, to) = (Self::database(from), Self::database(to));
                for sql in [
                    format!("DROP DATABASE IF EXISTS {to}"),
                    format!("CREATE DATABASE {to} TEMPLATE {from}"),
                ] {
                    client
                        .batch_execute(&sql)
                        .expect("a copy of the imported database");
                }
                Self::url_of(url, &to)
            }
        }
    }

    fn drop_all(&self) {
        match self {
            Store::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Store::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)
                    .expect("the PostgreSQL server answers");
                for name in ["imported", "recorded"] {
                    client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {}", Self::database(name)))
                        .expect("dropped");
                }
            }
        }
    }

    fn database(name: &str) -> String {
        format!("claimrules_bench_{name}")
    }

    /// The server's URL with its database replaced by `db`.
    fn url_of(url: &str, db: &str) -> String {
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (url, String::new()),
        };
        let (scheme, rest) = base.split_once("://").expect("a URL");
        let authority = rest.split('/').next().unwrap_or(rest);
        format!("{scheme}://{authority}/{db}{query}")
    }
}

/// `count` valid NPIs: nine digits and the Luhn check digit.
fn providers(count: usize) -> Vec<String> {
    (0..count)
        .map(|k| {
            let stem = 1_003_000_000 / 10 + k * 7919;
            (0..10)
                .map(|d| format!("{stem:09}{d}"))
                .find(|npi| npi_is_valid(npi))
                .expect("one check digit fits")
        })
        .collect()
}

fn member_id(n: usize) -> String {
    format!("M{n:07}")
}

/// Each member's provider: most of a member's claims are by it.
fn own_provider(member: usize, providers: &[String]) -> &str {
    &providers[member.wrapping_mul(2_654_435_761) % providers.len()]
}

fn date(start: NaiveDate, days: u64) -> NaiveDate {
    start.checked_add_days(Days::new(days)).expect("a date")
}

/// One claim as JSON.
fn claim_json(
    id: &str,
    member: usize,
    service_date: NaiveDate,
    npi: &str,
    codes: &[(&str, &str)],
    rng: &mut fastrand::Rng,
) -> String {
    let sex = if member % 2 == 0 { "F" } else { "M" };
    let birth = date(
        NaiveDate::from_ymd_opt(1940, 1, 1).unwrap(),
        (member as u64 * 7919) % 18_000,
    );
    let first = rng.usize(..DIAGNOSES.len());
    let second = (first + 1 + rng.usize(..DIAGNOSES.len() - 1)) % DIAGNOSES.len();
    let lines: Vec<String> = codes
        .iter()
        .enumerate()
        .map(|(i, (code, modifier))| {
            let modifiers = if modifier.is_empty() {
                String::new()
            } else {
                format!(r#""{modifier}""#)
            };
            format!(
                r#"{{"line":{},"code":"{code}","modifiers":[{modifiers}],"units":1,"diagnosis_pointers":[1]}}"#,
                i + 1
            )
        })
        .collect();
    format!(
        r#"{{"id":"{id}","service_date":"{service_date}","place_of_service":"11","provider":{{"npi":"{npi}"}},"patient":{{"member_id":"{}","birth_date":"{birth}","sex":"{sex}"}},"diagnoses":["{}","{}"],"lines":[{}]}}"#,
        member_id(member),
        DIAGNOSES[first],
        DIAGNOSES[second],
        lines.join(",")
    )
}

/// The codes of one claim: a visit, sometimes with services, a procedure or a wellness visit.
fn claim_codes(rng: &mut fastrand::Rng, most: usize) -> Vec<(&'static str, &'static str)> {
    let mut codes = Vec::new();
    match rng.u8(..100) {
        // A surgery day: the procedure, and the visit that decided on it.
        0..=5 => {
            codes.push((MAJOR[rng.usize(..MAJOR.len())], ""));
            if rng.bool() {
                codes.push((VISITS[rng.usize(..VISITS.len())], "57"));
            }
        }
        6..=10 => {
            codes.push((VISITS[rng.usize(..VISITS.len())], "25"));
            codes.push((MINOR[rng.usize(..MINOR.len())], ""));
        }
        11..=20 => {
            codes.push((VISITS[rng.usize(..VISITS.len())], "25"));
            codes.push(("20610", "RT"));
        }
        21..=24 => codes.push(("G0438", "")),
        _ => codes.push((VISITS[rng.usize(..VISITS.len())], "")),
    }
    while codes.len() < most {
        let code = OTHER[rng.usize(..OTHER.len())];
        if codes.iter().all(|(c, _)| *c != code) {
            codes.push((code, ""));
        }
    }
    codes.truncate(most.max(1));
    codes
}

/// The past year, 2025: claims of random members in date order, until `lines` lines;
/// returns the claims and lines written.
fn write_history(
    path: &Path,
    members: usize,
    lines: usize,
    providers: &[String],
) -> (usize, usize) {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut rng = fastrand::Rng::with_seed(24);
    // Claims average 3.5 lines (1 to 6): the date advances with the lines written.
    let mut written = 0;
    let mut claims = 0;
    write_lines(path, |out| {
        while written < lines {
            let member = rng.usize(..members);
            let most = rng.usize(1..=6).min(lines - written);
            let codes = claim_codes(&mut rng, most);
            let day = (written * 365 / lines) as u64;
            let npi = if rng.u8(..10) < 8 {
                own_provider(member, providers)
            } else {
                &providers[rng.usize(..providers.len())]
            };
            let id = format!("H-{claims}");
            out(claim_json(
                &id,
                member,
                date(start, day),
                npi,
                &codes,
                &mut rng,
            ));
            written += codes.len();
            claims += 1;
        }
    });
    (claims, written)
}

/// The new claims: the first quarter of 2026, in date order, for the same members; visits in
/// the global period of a late-2025 surgery, second wellness visits and repeated lines are among
/// them, as they come.
fn write_new_claims(path: &Path, members: usize, count: usize, providers: &[String]) {
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut rng = fastrand::Rng::with_seed(25);
    write_lines(path, |out| {
        for n in 0..count {
            let member = rng.usize(..members);
            let most = rng.usize(1..=4);
            let codes = claim_codes(&mut rng, most);
            let day = (n * 90 / count) as u64;
            let npi = if rng.u8(..10) < 8 {
                own_provider(member, providers)
            } else {
                &providers[rng.usize(..providers.len())]
            };
            out(claim_json(
                &format!("N-{n}"),
                member,
                date(start, day),
                npi,
                &codes,
                &mut rng,
            ));
        }
    });
}

/// What one run of the binary took.
struct Run {
    wall: Duration,
    peak_kib: u64,
    denied: u64,
}

impl Run {
    fn rate(&self, claims: usize) -> f64 {
        claims as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// `claimrules history import` of `claims` into `store`.
fn run_import(store: &str, claims: &Path) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_claimrules"));
    command
        .args(["history", "import", "--history", store])
        .arg(claims);
    let (status, wall, peak_kib) = run_measured(&mut command);
    assert_eq!(status, 0, "history import exited with {status}");
    Run {
        wall,
        peak_kib,
        denied: 0,
    }
}

/// `claimrules check` of `claims`, all threads, output to /dev/null; checks that the summary
/// counts `count` claims.
fn run_check(claims: &Path, store: Option<&str>, record: bool, count: usize) -> Run {
    let summary = claims.with_extension("summary.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_claimrules"));
    command
        .args(["check", "-q", "--format", "ndjson", "--summary-json"])
        .arg(&summary);
    if let Some(store) = store {
        command.args(["--history", store]);
    }
    if record {
        command.arg("--record");
    }
    command.arg(claims);
    let (status, wall, _) = run_measured(&mut command);
    assert!(
        matches!(status, 0 | 1),
        "claimrules check exited with {status}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("the run's summary"))
            .expect("summary JSON");
    assert_eq!(
        summary["claims"].as_u64(),
        Some(count as u64),
        "one result per claim"
    );
    assert_eq!(summary["errors"].as_u64(), Some(0), "every claim reads");
    Run {
        wall,
        peak_kib: summary["peak_memory_kib"].as_u64().unwrap_or(0),
        denied: summary["by_status"]["deny"].as_u64().unwrap_or(0),
    }
}

// The child is waited for with `wait4`, for its peak memory, which `Child::wait` does not give.
#[allow(clippy::zombie_processes)]
/// Runs `command` with its output to /dev/null; returns its exit code, wall time and peak
/// resident memory (`ru_maxrss`, KiB).
fn run_measured(command: &mut Command) -> (i32, Duration, u64) {
    let started = std::time::Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("claimrules runs");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pointers are valid for the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let mut child = child;
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        text
    });
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "waited for claimrules");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let errors = errors.join().unwrap_or_default();
    if !matches!(code, 0 | 1) {
        eprintln!("{errors}");
    }
    (code, wall, usage.ru_maxrss as u64)
}
