//! examples/history: a payer's day (import last year's claims, judge and record today's) gives
//! the outcomes its README's table lists, claim by claim, and the history holds today's claims
//! afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{claimrules, tempdir};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One row of the README's table: status, rule, and the history line that decided.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: String,
    rule: String,
    decided_by: String,
}

/// The README's table of today's claims, by claim id.
fn expected() -> BTreeMap<String, Outcome> {
    let readme = std::fs::read_to_string(root().join("examples/history/README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| T-"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].to_string(),
                Outcome {
                    status: cells[2].to_string(),
                    rule: cells[3].to_string(),
                    decided_by: cells[4].to_string(),
                },
            )
        })
        .collect()
}

#[test]
fn a_payers_day_gives_the_outcomes_of_the_readme() {
    let dir = tempdir("example-history");
    let db = dir.join("history.db");
    let db = db.to_str().unwrap();

    let import = claimrules(&[
        "history",
        "import",
        "--history",
        db,
        "examples/history/last-year.ndjson",
    ]);
    assert_eq!(import.status.code(), Some(0), "{import:?}");

    let check = claimrules(&[
        "check",
        "--pack",
        "examples/history/pack",
        "--history",
        db,
        "--record",
        "--format",
        "ndjson",
        "-q",
        "examples/history/today.ndjson",
    ]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "some claims are denied: {check:?}"
    );
    let mut got = BTreeMap::new();
    for line in String::from_utf8(check.stdout).unwrap().lines() {
        let result: serde_json::Value = serde_json::from_str(line).unwrap();
        let findings = result["findings"].as_array().unwrap();
        assert!(findings.len() <= 1, "one finding at most: {result}");
        let (rule, decided_by) = findings.first().map_or_else(Default::default, |f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                format!(
                    "{} line {}",
                    f["history"]["claim"].as_str().unwrap(),
                    f["history"]["line"]
                ),
            )
        });
        got.insert(
            result["claim"].as_str().unwrap().to_string(),
            Outcome {
                status: result["status"].as_str().unwrap().to_string(),
                rule,
                decided_by,
            },
        );
    }
    assert_eq!(got, expected());

    let show = claimrules(&[
        "history",
        "show",
        "--history",
        db,
        "--format",
        "json",
        "M-1001",
    ]);
    assert_eq!(show.status.code(), Some(0), "{show:?}");
    let member: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let lines: Vec<(&str, &str)> = member["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["claim"].as_str().unwrap(), l["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [("T-2002", "paid"), ("T-2001", "denied"), ("H-1001", "paid")],
        "today's claims are recorded, newest first, the denied visit as denied"
    );
}

#[test]
fn the_example_pack_passes_its_own_tests() {
    let test = claimrules(&["test", "--pack", "examples/history/pack"]);
    assert_eq!(test.status.code(), Some(0), "{test:?}");
}
