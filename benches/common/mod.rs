//! What the benchmarks share: the claim generator and the measuring helpers.

#![allow(dead_code)] // each bench uses its own part

use std::time::{Duration, Instant};

use claimrules::codes::Code;
use claimrules::ncci::PairEdits;

pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

pub fn ratio(slow: Duration, fast: Duration) -> f64 {
    slow.as_secs_f64() / fast.as_secs_f64().max(1e-9)
}

/// A figure of /proc/self/status in KiB (0 where there is none).
pub fn memory_kib(field: &str) -> u64 {
    status_kib("/proc/self/status", field)
}

/// A figure of another process's /proc/PID/status in KiB (0 where there is none).
pub fn process_memory_kib(pid: u32, field: &str) -> u64 {
    status_kib(&format!("/proc/{pid}/status"), field)
}

fn status_kib(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The mark a target line ends with: whether this run met the target, at a glance.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

/// A generated claim, as JSON text, with its line codes.
pub struct Generated {
    pub json: String,
    pub lines: Vec<Code>,
}

/// Claims of 1 to 12 lines whose codes come from the table: most claims hold both codes of a
/// random edit, the other lines are codes of other edits; some lines carry modifier 59 or a
/// side, some units above 1; dates of service from 2010 through 2024.
pub fn generate(table: &PairEdits, count: usize) -> Vec<Generated> {
    let mut out = Vec::with_capacity(count);
    generate_each(table, count, |claim| out.push(claim));
    out
}

/// [`generate`], one claim at a time, for batches too large to hold.
pub fn generate_each(table: &PairEdits, count: usize, mut each: impl FnMut(Generated)) {
    let rows: Vec<(Code, Code)> = table.iter().map(|(c1, c2, _)| (c1, c2)).collect();
    let mut rng = fastrand::Rng::with_seed(7);
    let modifiers = ["59", "RT", "LT", "26", "XS"];
    for n in 0..count {
        let line_count = rng.usize(1..=12);
        let mut codes = Vec::with_capacity(line_count);
        let (c1, c2) = rows[rng.usize(..rows.len())];
        codes.push(c1);
        if line_count > 1 && rng.u8(..10) < 8 {
            codes.push(c2);
        }
        while codes.len() < line_count {
            let (a, b) = rows[rng.usize(..rows.len())];
            codes.push(if rng.bool() { a } else { b });
        }
        let date = format!(
            "{}-{:02}-{:02}",
            rng.i32(2010..=2024),
            rng.u32(1..=12),
            rng.u32(1..=28)
        );
        let lines: Vec<String> = codes
            .iter()
            .map(|code| {
                let mods = if rng.u8(..10) == 0 {
                    format!(r#""{}""#, modifiers[rng.usize(..modifiers.len())])
                } else {
                    String::new()
                };
                let units = if rng.u8(..8) == 0 { rng.u32(2..=4) } else { 1 };
                format!(r#"{{"code":"{code}","modifiers":[{mods}],"units":{units}}}"#)
            })
            .collect();
        let json = format!(
            r#"{{"id":"GEN-{n}","service_date":"{date}","lines":[{}]}}"#,
            lines.join(",")
        );
        each(Generated { json, lines: codes });
    }
}

/// Real code co-occurrence: the visits of CMS's synthetic Medicare claims (DE-SynPUF), one
/// claim per visit with its CPT/HCPCS codes, cycled to `count` claims (ids `GEN-0`, `GEN-1`, …).
pub const VISITS: &str = "data/synpuf/visits_hcpcs_icd9.csv";

/// Claims built from [`VISITS`], one at a time.
pub fn visits_each(count: usize, mut each: impl FnMut(String)) {
    let text = std::fs::read_to_string(VISITS).expect("the SynPUF visits");
    let visits: Vec<(&str, Vec<&str>)> = text
        .lines()
        .skip(1)
        .filter_map(|row| {
            let fields: Vec<&str> = row.split(',').collect();
            let codes: Vec<&str> = fields
                .get(3)?
                .split_whitespace()
                .filter(|c| c.len() == 5 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
                .collect();
            (!codes.is_empty()).then(|| (*fields.get(2).unwrap_or(&""), codes))
        })
        .collect();
    for n in 0..count {
        let (date, codes) = &visits[n % visits.len()];
        let lines: Vec<String> = codes
            .iter()
            .map(|code| format!(r#"{{"code":"{code}"}}"#))
            .collect();
        each(format!(
            r#"{{"id":"GEN-{n}","service_date":"{date}","lines":[{}]}}"#,
            lines.join(",")
        ));
    }
}

/// Writes the lines `generate` gives, one a line, to `path`, through a partial file renamed at
/// the end, so that a run stopped half-way leaves no file that looks whole.
pub fn write_lines(path: &std::path::Path, generate: impl FnOnce(&mut dyn FnMut(String))) {
    use std::io::Write;
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).expect("a claims file");
    let mut out = std::io::BufWriter::new(file);
    generate(&mut |json: String| {
        out.write_all(json.as_bytes()).expect("written");
        out.write_all(b"\n").expect("written");
    });
    out.flush().expect("written");
    std::fs::rename(&partial, path).expect("renamed");
}
