//! Data-driven cases: every folder in `tests/cases/` is a policy, claims and the exact results
//! expected (see tests/cases/README.md).

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use claimrules::EvalOptions;
use common::cases::{case_dirs, load_case};

fn run_case(dir: &Path) -> Result<(), String> {
    let (engine, input) = load_case(dir)?;
    // A case with a file named `explain` is judged as `check --explain` judges it.
    let explain = dir.join("explain").exists();
    let results = engine.evaluate_input(&input, EvalOptions::default().with_explain(explain));
    let actual = serde_json::to_value(&results).map_err(|e| e.to_string())?;
    let expected_path = dir.join("expected.json");
    if std::env::var_os("UPDATE_CASES").is_some() {
        let text = serde_json::to_string_pretty(&actual).map_err(|e| e.to_string())?;
        fs::write(&expected_path, text + "\n").map_err(|e| e.to_string())?;
    }
    let expected: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&expected_path)
            .map_err(|e| format!("{}: {e}", expected_path.display()))?,
    )
    .map_err(|e| e.to_string())?;
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "results differ\nexpected: {}\nactual:   {}",
            serde_json::to_string_pretty(&expected).unwrap_or_default(),
            serde_json::to_string_pretty(&actual).unwrap_or_default()
        ))
    }
}

#[test]
fn every_case_gives_its_expected_results() {
    let dirs = case_dirs();
    assert!(!dirs.is_empty(), "no cases found");
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            run_case(d)
                .err()
                .map(|e| format!("case {}: {e}", d.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
