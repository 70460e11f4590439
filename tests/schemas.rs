//! The JSON Schemas of `schemas/`: generated from the Rust types (the committed files must be
//! what the types generate), and every example claim and every result the tests produce must
//! match them.
//!
//! After changing a claim or result type: `UPDATE_SCHEMAS=1 cargo test --test schemas`, then
//! review and commit `schemas/` with docs/formats.md.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use claimrules::schema::SchemaKind;
use claimrules::{ClaimResult, Engine, EvalOptions, PackSource, Status};
use common::cases::{case_dirs, load_case};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_path(kind: SchemaKind) -> PathBuf {
    root().join("schemas").join(kind.file_name())
}

/// The files of a folder ending in one of `extensions`, in name order.
fn files_in(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| extensions.iter().any(|e| x == *e))
        })
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for a committed schema, formats (`date`) checked.
fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read(&schema_path(kind))).expect("a schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", kind.file_name()))
}

/// What is wrong with `value`, one line per error, each naming `what`.
fn violations(validator: &jsonschema::Validator, value: &Value, what: &str) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{what}: at `{}`: {e}", e.instance_path))
        .collect()
}

fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    for kind in SchemaKind::ALL {
        let path = schema_path(kind);
        let generated = kind.text();
        if update {
            fs::create_dir_all(path.parent().expect("schemas/")).expect("schemas/ can be made");
            fs::write(&path, &generated).expect("the schema can be written");
        }
        let committed = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "schemas/{} is not what the Rust types generate. If the change to the types is \
             meant, update the file with `UPDATE_SCHEMAS=1 cargo test --test schemas`, review \
             the difference, and update docs/formats.md (and format_version) to match.",
            kind.file_name()
        );
    }
}

#[test]
fn the_schema_command_prints_the_committed_schemas() {
    for (arg, kind) in [("claim", SchemaKind::Claim), ("result", SchemaKind::Result)] {
        let out = Command::new(env!("CARGO_BIN_EXE_claimrules"))
            .args(["schema", arg])
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stdout == read(&schema_path(kind)).into_bytes(),
            "`claimrules schema {arg}` differs from schemas/{}",
            kind.file_name()
        );
    }
}

/// Every property of every object in the result schema is required, but `explain`: a field
/// that does not apply is `null` (or `[]`), never left out (docs/formats.md).
#[test]
fn every_field_of_a_result_is_always_present_but_explain() {
    let schema: Value = serde_json::from_str(&read(&schema_path(SchemaKind::Result))).unwrap();
    let mut objects = vec![("result".to_string(), &schema)];
    if let Some(Value::Object(defs)) = schema.get("$defs") {
        objects.extend(defs.iter().map(|(name, s)| (name.clone(), s)));
    }
    let mut problems = Vec::new();
    for (name, object) in objects {
        let Some(Value::Object(properties)) = object.get("properties") else {
            continue;
        };
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for field in properties.keys() {
            let optional = name == "result" && field == "explain";
            if required.contains(&field.as_str()) == optional {
                problems.push(format!(
                    "{name}.{field} should {}be required",
                    if optional { "not " } else { "" }
                ));
            }
        }
    }
    assert_none(problems);
}

/// The example claims, each with where it comes from: every `.json` file of
/// `examples/claims/` and of the example packs' `claims/` (one claim each), every line of the
/// NDJSON batches of the examples and of the example packs, and the pack's folder to judge it with (`None`: the standard pack).
fn example_claims() -> Vec<(String, Value, Option<PathBuf>)> {
    let mut claims = Vec::new();
    let examples = root().join("examples/claims");
    let mut ndjson: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for path in files_in(&examples, &["json", "ndjson"]) {
        if path.extension().is_some_and(|x| x == "ndjson") {
            ndjson.push((path, None));
            continue;
        }
        let value = serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        claims.push((path.display().to_string(), value, None));
    }
    for pack in fs::read_dir(root().join("examples/packs"))
        .expect("examples/packs")
        .flatten()
    {
        let dir = pack.path().join("claims");
        if dir.is_dir() {
            for path in files_in(&dir, &["json", "ndjson"]) {
                if path.extension().is_some_and(|x| x == "ndjson") {
                    ndjson.push((path, Some(pack.path())));
                    continue;
                }
                let value = serde_json::from_str(&read(&path))
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                claims.push((path.display().to_string(), value, Some(pack.path())));
            }
        }
    }
    let mut broken = Vec::new();
    for (path, pack) in ndjson {
        for (i, line) in read(&path).lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let what = format!("{}:{}", path.display(), i + 1);
            match serde_json::from_str(line) {
                Ok(value) => claims.push((what, value, pack.clone())),
                Err(_) => broken.push(what),
            }
        }
    }
    // examples/claims/batch.ndjson has one line broken on purpose, and only that one.
    assert_eq!(broken.len(), 1, "broken example lines: {broken:?}");
    assert!(broken[0].ends_with("batch.ndjson:4"), "{broken:?}");
    assert!(
        claims.len() > 25,
        "only {} example claims found",
        claims.len()
    );
    claims
}

#[test]
fn every_example_claim_matches_the_claim_schema() {
    let claim = validator(SchemaKind::Claim);
    let problems = example_claims()
        .iter()
        .flat_map(|(what, value, _)| violations(&claim, value, what))
        .collect();
    assert_none(problems);
}

/// A claim the schema rejects is one the reader rejects too: its result is an `error`. (The
/// other way does not hold: the schema cannot know the packs' documentation facts, or see two
/// lines with one number.)
#[test]
fn a_claim_the_schema_rejects_is_an_error_result() {
    let claim = validator(SchemaKind::Claim);
    let engine = Engine::standard().expect("the standard pack loads");
    let mut checked = 0;
    let mut problems = Vec::new();
    for dir in case_dirs() {
        for path in files_in(&dir, &["json", "ndjson"]) {
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("claims"))
            {
                continue;
            }
            let text = read(&path);
            let values: Vec<Value> = if text.trim_start().starts_with('[') {
                serde_json::from_str(&text).expect("an array of claims")
            } else {
                text.lines()
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                    .collect()
            };
            for (i, value) in values.iter().enumerate() {
                if claim.is_valid(value) {
                    continue;
                }
                checked += 1;
                let result = engine.evaluate_input(&value.to_string(), EvalOptions::default());
                if result.len() != 1 || result[0].status != Status::Error {
                    problems.push(format!(
                        "{} claim {}: the schema rejects it, but it reads: {value}",
                        path.display(),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no case claim is rejected by the schema");
    assert_none(problems);
}

/// The case's engine, as tests/cases.rs builds it, and its claims' text.
fn case(dir: &Path) -> (Engine, String) {
    load_case(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// Each result as written (`ndjson`) must match the schema, with `format_version` first.
fn result_problems(
    validator: &jsonschema::Validator,
    results: &[ClaimResult],
    what: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let what = format!("{what}, result {}", i + 1);
        let text = serde_json::to_string(result).expect("a result is JSON");
        if !text.starts_with(r#"{"format_version":"2.1","#) {
            problems.push(format!(
                "{what}: format_version is not the first key: {text}"
            ));
        }
        let value: Value = serde_json::from_str(&text).expect("a result reads back");
        problems.extend(violations(validator, &value, &what));
    }
    problems
}

#[test]
fn every_result_the_engine_gives_matches_the_result_schema() {
    let result = validator(SchemaKind::Result);
    let standard = Engine::standard().expect("the standard pack loads");
    let mut problems = Vec::new();
    let mut results = 0;
    let mut judge = |engine: &Engine, text: &str, what: &str| {
        for explain in [false, true] {
            let got = engine.evaluate_input(text, EvalOptions::default().with_explain(explain));
            results += got.len();
            assert!(
                got.iter().all(|r| r.explain.is_some() == explain),
                "{what}: with explain {explain}, a result lacks or has `explain`"
            );
            problems.extend(result_problems(
                &result,
                &got,
                &format!("{what} (explain {explain})"),
            ));
        }
    };
    for (what, value, pack) in example_claims() {
        match pack {
            None => judge(&standard, &value.to_string(), &what),
            Some(dir) => {
                let engine = Engine::builder()
                    .pack(PackSource::Dir(dir))
                    .build()
                    .expect("the example pack loads");
                judge(&engine, &value.to_string(), &what);
            }
        }
    }
    judge(
        &standard,
        &read(&root().join("examples/claims/batch.ndjson")),
        "batch.ndjson",
    );
    for dir in case_dirs() {
        let (engine, text) = case(&dir);
        judge(&engine, &text, &dir.display().to_string());
    }
    for path in files_in(&root().join("data/x12"), &["837"]) {
        judge(&standard, &read(&path), &path.display().to_string());
    }
    assert!(results > 100, "only {results} results checked");
    assert_none(problems);
}

#[test]
fn the_expected_results_of_the_cases_match_the_result_schema() {
    let result = validator(SchemaKind::Result);
    let mut problems = Vec::new();
    for dir in case_dirs() {
        for path in files_in(&dir, &["json"]) {
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("expected"))
            {
                continue;
            }
            let value: Value =
                serde_json::from_str(&read(&path)).expect("expected results are JSON");
            let items = value.as_array().cloned().unwrap_or_else(|| vec![value]);
            for (i, item) in items.iter().enumerate() {
                problems.extend(violations(
                    &result,
                    item,
                    &format!("{} result {}", path.display(), i + 1),
                ));
            }
        }
    }
    assert_none(problems);
}

/// `check --format json`, with and without `--explain`, over every example claim file and
/// every case's claims, through the binary.
#[test]
fn the_output_of_check_matches_the_result_schema() {
    let result = validator(SchemaKind::Result);
    let mut inputs: Vec<PathBuf> = files_in(&root().join("examples/claims"), &["json", "ndjson"]);
    for dir in case_dirs() {
        inputs.extend(files_in(&dir, &["json", "ndjson"]).into_iter().filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("claims"))
        }));
    }
    let mut problems = Vec::new();
    for explain in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_claimrules"));
        command.args(["check", "--quiet", "--format", "json"]);
        if explain {
            command.arg("--explain");
        }
        let out = command.args(&inputs).output().expect("the binary runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
        assert!(results.len() > 25, "only {} results", results.len());
        for (i, value) in results.iter().enumerate() {
            let what = format!("check --format json (explain {explain}), result {}", i + 1);
            problems.extend(violations(&result, value, &what));
            if value.get("explain").is_some() != explain {
                problems.push(format!(
                    "{what}: `explain` should be there only with --explain"
                ));
            }
        }
    }
    assert_none(problems);
}
