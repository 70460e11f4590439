//! The labelled operative-note corpus (`tests/notes/*.note`): every note is read with the
//! standard pack's vocabulary, and what it yields is compared with the facts a coder labelled.
//! Precision and recall are printed per fact (`cargo test --test notes -- --nocapture`), and
//! each must be at least 0.95.
//!
//! A `.note` file is `#` comment lines and `fact: value` lines, a line `---`, then the note.
//! A fact not labelled is one the note does not settle: reading any value for it is a false
//! positive.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use claimrules::{ClaimInput, Engine, RawClaim};

const THRESHOLD: f64 = 0.95;

/// One labelled note.
struct Labelled {
    path: PathBuf,
    /// `(fact, value)` items: a list fact gives one item per member.
    expected: Vec<(String, String)>,
    note: String,
}

fn read_corpus() -> Vec<Labelled> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notes");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/notes exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "note"))
        .collect();
    paths.sort();
    paths.into_iter().map(|p| parse(&p)).collect()
}

fn parse(path: &Path) -> Labelled {
    let text = std::fs::read_to_string(path).expect("a readable note file");
    let (header, note) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{}: no `---` line before the note", path.display()));
    let mut expected = Vec::new();
    for line in header.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (fact, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: `{line}` is not `fact: value`", path.display()));
        for member in value.split(',') {
            expected.push((fact.trim().to_string(), canonical(member.trim())));
        }
    }
    Labelled {
        path: path.to_path_buf(),
        expected,
        note: note.to_string(),
    }
}

/// A labelled or read value in one spelling: `yes`/`no`, numbers to the hundredth.
fn canonical(value: &str) -> String {
    match value {
        "yes" | "true" => "yes".into(),
        "no" | "false" => "no".into(),
        other => match other.parse::<f64>() {
            Ok(n) => format!("{n:.2}"),
            Err(_) => other.to_string(),
        },
    }
}

/// What the engine reads from a note, as `(fact, value)` items.
fn read(engine: &Engine, note: &str) -> Vec<(String, String)> {
    let claim = serde_json::json!({
        "id": "NOTE",
        "service_date": "2024-03-01",
        "lines": [{"code": "99999"}],
        "documentation": {"note": note},
    });
    let input = ClaimInput::Json(RawClaim {
        json: claim.to_string(),
        line: 1,
    });
    let facts = engine.documentation_facts(&input);
    assert!(facts.errors.is_empty(), "{:?}", facts.errors);
    let mut items = Vec::new();
    for (fact, value) in &facts.facts {
        let values = match value {
            serde_json::Value::Array(members) => members.clone(),
            other => vec![other.clone()],
        };
        for v in values {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
                other => other.to_string(),
            };
            items.push((fact.clone(), canonical(&text)));
        }
    }
    items
}

#[derive(Default)]
struct Tally {
    true_positives: usize,
    false_positives: usize,
    false_negatives: usize,
}

impl Tally {
    fn precision(&self) -> f64 {
        let found = self.true_positives + self.false_positives;
        if found == 0 {
            1.0
        } else {
            self.true_positives as f64 / found as f64
        }
    }

    fn recall(&self) -> f64 {
        let labelled = self.true_positives + self.false_negatives;
        if labelled == 0 {
            1.0
        } else {
            self.true_positives as f64 / labelled as f64
        }
    }
}

#[test]
fn the_corpus_has_at_least_sixty_notes() {
    assert!(read_corpus().len() >= 60);
}

#[test]
fn every_fact_is_read_with_precision_and_recall_of_at_least_095() {
    let engine = Engine::standard().expect("the standard pack loads");
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for labelled in read_corpus() {
        let got = read(&engine, &labelled.note);
        let name = labelled
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        for item in &got {
            let tally = tallies.entry(item.0.clone()).or_default();
            if labelled.expected.contains(item) {
                tally.true_positives += 1;
            } else {
                tally.false_positives += 1;
                misses.push(format!(
                    "{name}: read {} = {} (not labelled)",
                    item.0, item.1
                ));
            }
        }
        for item in &labelled.expected {
            if !got.contains(item) {
                tallies.entry(item.0.clone()).or_default().false_negatives += 1;
                misses.push(format!("{name}: missed {} = {}", item.0, item.1));
            }
        }
    }
    println!(
        "{:<26} {:>9} {:>9} {:>5} {:>5} {:>5}",
        "fact", "precision", "recall", "tp", "fp", "fn"
    );
    let mut failing = Vec::new();
    for (fact, t) in &tallies {
        println!(
            "{fact:<26} {:>9.3} {:>9.3} {:>5} {:>5} {:>5}",
            t.precision(),
            t.recall(),
            t.true_positives,
            t.false_positives,
            t.false_negatives
        );
        if t.precision() < THRESHOLD || t.recall() < THRESHOLD {
            failing.push(fact.clone());
        }
    }
    for m in &misses {
        println!("  {m}");
    }
    assert!(
        failing.is_empty(),
        "precision or recall under {THRESHOLD} for: {}",
        failing.join(", ")
    );
}
