//! `cargo bench --bench note`: the cost of reading a 5 KB operative note against the rest of
//! the claim's evaluation (docs/performance.md).
//!
//! Three figures from one run, each the median of several interleaved rounds:
//! - **rest**: judging claims that carry a 5 KB note with an engine whose packs have no
//!   vocabulary (the standard pack without `vocabulary.policy`): reading the claim's JSON, the
//!   note's text included, binding its facts, deriving, every rule;
//! - **with note**: the same claims with the standard pack, which reads the note;
//! - **scan**: reading the notes alone (`claimrules::note::read_note`).
//!
//! The target is scan < rest: reading the note costs less than everything else done for it.

// A benchmark stops at the first surprise: a failed setup has no figure worth printing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use claimrules::{Engine, EvalOptions, PackSource, RawClaim};

const NOTE_BYTES: usize = 5 * 1024;
const CLAIMS: usize = 2_000;
const ROUNDS: usize = 7;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let notes = five_kb_notes(&root.join("tests/notes"), 64);
    let claims: Vec<RawClaim> = (0..CLAIMS)
        .map(|i| RawClaim {
            json: serde_json::json!({
                "id": format!("CLM-{i}"),
                "service_date": "2024-03-01",
                "place_of_service": "22",
                "lines": [{"code": "28415"}, {"code": "77002"}, {"code": "20690"}],
                "diagnoses": ["S92.001A"],
                "documentation": {"note": notes[i % notes.len()]},
            })
            .to_string(),
            line: i as u64 + 1,
        })
        .collect();
    let with_note = Engine::standard().expect("the standard pack loads");
    let without = engine_without_vocabulary(root);
    let options = EvalOptions::default();

    let judge = |engine: &Engine| {
        let mut findings = 0;
        for claim in &claims {
            findings += black_box(engine.evaluate_raw(claim, options))
                .findings
                .len();
        }
        findings
    };
    let vocabulary = &with_note.program().vocabulary;
    let scan = || {
        let mut facts = 0;
        for i in 0..CLAIMS {
            facts += black_box(claimrules::note::read_note(
                vocabulary,
                &notes[i % notes.len()],
            ))
            .len();
        }
        facts
    };
    // Warm up, and check that the note does change what is found.
    let (found_without, found_with) = (judge(&without), judge(&with_note));
    println!("claimrules note benchmark: {CLAIMS} claims, each with a {NOTE_BYTES}-byte note");
    println!(
        "findings without the vocabulary {found_without}, with it {found_with}, facts read {}\n",
        scan()
    );

    let mut rest = Vec::new();
    let mut full = Vec::new();
    let mut scans = Vec::new();
    for _ in 0..ROUNDS {
        rest.push(time(|| judge(&without)));
        full.push(time(|| judge(&with_note)));
        scans.push(time(scan));
    }
    let (rest, full, scan) = (median(rest), median(full), median(scans));
    let per = |d: Duration| d.as_secs_f64() * 1e6 / CLAIMS as f64;
    println!("{:<44} {:>10}", "per claim (median of 7 rounds)", "µs");
    println!(
        "{:<44} {:>10.2}",
        "rest: judged without reading the note",
        per(rest)
    );
    println!(
        "{:<44} {:>10.2}",
        "with note: judged, the note read",
        per(full)
    );
    println!("{:<44} {:>10.2}", "scan: the note read alone", per(scan));
    println!();
    println!(
        "scan / rest                 {:.2}  (target < 1)",
        ratio(scan, rest)
    );
    println!(
        "(with note - rest) / rest   {:.2}",
        ratio(full.saturating_sub(rest), rest)
    );
    println!(
        "note bytes scanned per µs   {:.0}",
        NOTE_BYTES as f64 / per(scan)
    );
}

fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    black_box(f());
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-12)
}

/// Notes of 5 KB made of the corpus's notes, each starting at a different one.
fn five_kb_notes(dir: &Path, count: usize) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/notes")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "note"))
        .collect();
    paths.sort();
    let bodies: Vec<String> = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("a note");
            text.split_once("\n---\n")
                .map_or(text.clone(), |(_, n)| n.to_string())
        })
        .collect();
    (0..count)
        .map(|start| {
            let mut note = String::new();
            let mut i = start;
            while note.len() < NOTE_BYTES {
                note.push_str(&bodies[i % bodies.len()]);
                note.push('\n');
                i += 1;
            }
            let mut cut = NOTE_BYTES;
            while !note.is_char_boundary(cut) {
                cut -= 1;
            }
            note.truncate(cut);
            note
        })
        .collect()
}

/// The standard pack as shipped in `policies/`, without its vocabulary, from a copy.
fn engine_without_vocabulary(root: &Path) -> Engine {
    let copy = std::env::temp_dir().join(format!("claimrules-note-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&root.join("policies"), &copy);
    for name in ["vocabulary.policy", "vocabulary.test.policy"] {
        std::fs::remove_file(copy.join(name)).expect("the vocabulary files");
    }
    // Another name, so that the copy is not taken for the embedded standard pack.
    let manifest = copy.join("pack.policy");
    let text = std::fs::read_to_string(&manifest).expect("the manifest");
    std::fs::write(
        &manifest,
        text.replace("pack \"standard\"", "pack \"standard-without-vocabulary\""),
    )
    .expect("write the manifest");
    let engine = Engine::builder()
        .without_standard_pack()
        .pack(PackSource::Dir(copy.clone()))
        .build()
        .unwrap_or_else(|d| panic!("the copy loads: {d:?}"));
    let _ = std::fs::remove_dir_all(&copy);
    engine
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read policies") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}
