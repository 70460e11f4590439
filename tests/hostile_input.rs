//! Hostile input (issue 20): policies and claims written to crash the checker or to make it
//! work for minutes. Each case runs what a payer would run on such input and asserts that it
//! ends with a diagnostic or a result, in time proportional to the input.

use std::path::{Path, PathBuf};
use std::process::Output;

/// A folder of its own under the target's temporary folder, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile_input")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch folder is made");
    dir
}

/// Writes `lines` as the one policy file of a pack `pack/` in `dir`.
fn write_pack(dir: &Path, lines: impl IntoIterator<Item = String>) {
    let pack = dir.join("pack");
    std::fs::create_dir_all(&pack).expect("the pack folder is made");
    let text: String = lines.into_iter().map(|l| l + "\n").collect();
    std::fs::write(pack.join("chain.policy"), text).expect("the policy is written");
}

/// Runs the binary in `dir`, so that the files it names are relative and the output stable.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `lint` reports, on standard output.
fn report(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const CLAIM: &str =
    r#"{"id":"C1","service_date":"2024-05-21","lines":[{"line":1,"code":"27766","units":1}]}"#;

// ------------------------------------------------------------------------------------------
// Item 1: chains of definitions, which once overflowed the stack of `lint` and `check`.
// ------------------------------------------------------------------------------------------

/// `term t0 means t1`, …, `term t{n-1} means t{n}`, and `t{n}` defined as `last`.
fn term_chain(n: usize, last: &str) -> Vec<String> {
    (0..n)
        .map(|i| format!("term t{i} means t{}", i + 1))
        .chain([format!("term t{n} means {last}")])
        .collect()
}

#[test]
fn six_thousand_chained_terms_are_refused_with_a_diagnostic() {
    let dir = scratch("six_thousand_chained_terms");
    write_pack(&dir, term_chain(6_000, "claim has 27766"));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    insta::assert_snapshot!(report(&lint));

    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let check = run_in(
        &dir,
        &["check", "--no-default-pack", "--pack", "pack", "claim.json"],
    );
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("the term `t4000` nests 2001 levels deep"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn a_chain_of_terms_at_the_depth_limit_is_judged_and_explained() {
    let depth = claimrules::check::MAX_CONDITION_DEPTH;
    let dir = scratch("terms_at_the_limit");
    // `t0` nests `depth` levels: one for each of the `depth - 1` uses of a term, one for the
    // test at the end.
    let mut policy = term_chain(depth - 1, "claim has 27766");
    policy.extend([
        "rule chain.deep".to_string(),
        "  when t0".to_string(),
        "  info \"the chain holds\"".to_string(),
    ]);
    write_pack(&dir, policy);
    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
    let check = run_in(
        &dir,
        &[
            "check",
            "--no-default-pack",
            "--pack",
            "pack",
            "--explain",
            "--threads",
            "2",
            "claim.json",
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let result: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(result["findings"][0]["message"], "the chain holds");
}

#[test]
fn a_cycle_of_six_thousand_terms_is_reported_as_a_cycle() {
    let dir = scratch("cycle_of_terms");
    write_pack(&dir, term_chain(6_000, "t0"));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    assert!(
        report(&lint).contains("term `t0` is defined in terms of itself"),
        "{}",
        report(&lint)
    );
}

/// `codes "c0" are "c1"`, …, and `"c{n}"` defined as `last`.
fn code_set_chain(n: usize, last: &str) -> Vec<String> {
    (0..n)
        .map(|i| format!("codes \"c{i}\" are \"c{}\"", i + 1))
        .chain([format!("codes \"c{n}\" are {last}")])
        .collect()
}

#[test]
fn twenty_thousand_chained_code_sets_load_and_judge() {
    let dir = scratch("twenty_thousand_chained_code_sets");
    let mut policy = code_set_chain(20_000, "27766");
    policy.extend([
        "rule chain.codes".to_string(),
        "  for each line in \"c0\"".to_string(),
        "  info \"{code} is in the chain\"".to_string(),
    ]);
    write_pack(&dir, policy);
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
    assert_eq!(report(&lint), "0 error(s), 0 warning(s)\n");

    std::fs::write(dir.join("claim.json"), CLAIM).unwrap();
    let check = run_in(
        &dir,
        &["check", "--no-default-pack", "--pack", "pack", "claim.json"],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let result: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(result["findings"][0]["message"], "27766 is in the chain");
}

#[test]
fn a_cycle_of_twenty_thousand_code_sets_is_reported_as_a_cycle() {
    let dir = scratch("cycle_of_code_sets");
    write_pack(&dir, code_set_chain(20_000, "\"c0\""));
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(2), "{}", report(&lint));
    assert!(
        report(&lint).contains("code set `c0` is defined in terms of itself"),
        "{}",
        report(&lint)
    );
}

#[test]
fn twenty_thousand_diagnosis_sets_that_each_name_the_next_twice_load() {
    let dir = scratch("doubling_diagnosis_sets");
    let n = 20_000;
    let mut policy: Vec<String> = (0..n)
        .map(|i| format!("diagnoses \"d{i}\" are \"d{}\", \"d{}\"", i + 1, i + 1))
        .collect();
    policy.extend([
        format!("diagnoses \"d{n}\" are S82.*"),
        "rule chain.diagnoses".to_string(),
        "  when claim has diagnosis \"d0\"".to_string(),
        "  info \"a lower-leg fracture\"".to_string(),
    ]);
    write_pack(&dir, policy);
    let lint = run_in(&dir, &["lint", "--no-default-pack", "pack"]);
    assert_eq!(lint.status.code(), Some(0), "{}", report(&lint));
}
