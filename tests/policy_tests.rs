//! The standard pack's own policy tests (`policies/*.test.policy`), run the way an engineer
//! runs them: `claimrules test policies`. Also: a broken expectation fails on its line.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::claimrules;

use std::path::PathBuf;

#[test]
fn the_standard_pack_passes_its_own_tests() {
    let out = claimrules(&["test", "policies"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= 60, "only {passed} tests ran: {last}");
}

#[test]
fn a_changed_expectation_fails_on_its_line_showing_the_actual_findings() {
    let original = std::fs::read_to_string("policies/add-on.test.policy").expect("read");
    let broken = original.replace("  expect no deny on 27358\n", "  expect deny on 27358\n");
    assert_ne!(original, broken, "the test file changed; update this test");
    let line = broken
        .lines()
        .position(|l| l == "  expect deny on 27358")
        .map(|i| i + 1)
        .expect("the changed line");
    let dir = std::env::temp_dir().join(format!("claimrules-policy-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("broken.test.policy");
    std::fs::write(&path, broken).expect("write");
    let out = claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        "policies",
        path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{stdout}");
    assert!(stdout.trim_end().ends_with(" 1 failed"), "{stdout}");
    assert!(
        stderr.contains(&format!("broken.test.policy:{line}:3")),
        "the failure points at the expectation:\n{stderr}"
    );
    assert!(stderr.contains("expected a `deny` on 27358"), "{stderr}");
    assert!(stderr.contains("there are no findings"), "{stderr}");
}

/// Runs one test file, given as text, on the standard pack; the report and its diagnostics
/// rendered without colour.
fn run_test_text(name: &str, text: &str) -> (claimrules::testing::TestReport, Vec<String>) {
    let engine = claimrules::Engine::standard().expect("the standard pack loads");
    let files = vec![claimrules::pack::PolicyText {
        name: name.into(),
        text: text.into(),
    }];
    let report = claimrules::testing::run_tests(&engine, &files);
    let rendered = report
        .diagnostics
        .iter()
        .map(|d| d.render(false, 90))
        .collect();
    (report, rendered)
}

/// The wording of test failures and test syntax errors, reviewed like code.
#[rstest::rstest]
#[case::failed_expectation(
    "test \"76000 beside 77003\"\n  claim on 2024-03-01\n    line 77003\n    line 76000\n    documented fluoroscopy_minutes 1, fluoroscopy_indication \"facet\"\n  expect no deny on 76000\n  expect status pass\n"
)]
#[case::unreadable_claim(
    "test \"a bad code\"\n  claim on 2024-03-01\n    line 7700\n  expect status pass\n"
)]
#[case::test_line_modifiers(
    "test \"x\"\n  claim on 2024-03-01\n    line 20610 modifiers RT\n  expect no deny\n"
)]
#[case::test_syntax("test \"x\"\n  claim on 2024-03-01\n    line 27093\n  expect maybe\n")]
#[case::failed_case_of_a_parameterized_test(
    "test \"percutaneous {code} suggests {open}\"\n  claim on 2024-03-01\n    line {code}\n    documented fracture_site_visualized yes\n  expect suggest {open} on {code}\n  where code, open\n    case 28406, 28415\n    case 25606, 25608\n"
)]
#[case::case_with_too_few_values(
    "test \"{code}\"\n  claim on 2024-03-01\n    line {code}\n  expect no deny\n  where code, open\n    case 28406, 28415\n    case 25606\n"
)]
#[case::placeholder_without_cases(
    "test \"x\"\n  claim on 2024-03-01\n    line {code}\n  expect no deny\n"
)]
#[case::claim_file_missing("test \"x\"\n  claim from \"claims/none.json\"\n  expect no deny\n")]
#[case::claim_file_outside_the_folder(
    "test \"x\"\n  claim from \"../secret.json\"\n  expect no deny\n"
)]
#[case::given_unknown_table(
    "test \"x\"\n  given table \"mfps\" row 27506 assistant 1\n  claim on 2024-03-01\n    line 27506\n  expect no deny\n"
)]
#[case::given_unknown_column(
    "test \"x\"\n  given table \"mpfs\" row 27506 asistant 1\n  claim on 2024-03-01\n    line 27506\n  expect no deny\n"
)]
#[case::given_value_of_the_wrong_type(
    "test \"x\"\n  given table \"mpfs\" row 27506 assistant many\n  claim on 2024-03-01\n    line 27506\n  expect no deny\n"
)]
#[case::unknown_claim_source(
    "test \"x\"\n  claim on 2024-03-01\n    line 77002\n    source edi\n  expect no deny\n"
)]
#[case::misspelt_placeholder(
    "test \"x\"\n  claim on 2024-03-01\n    line {cod}\n  expect no deny\n  where code\n    case 28406\n"
)]
#[case::finding_given_once_for_another_rule(
    "test \"0201T with 3 units\"\n  claim on 2024-03-01\n    line 0201T units 3\n  expect deny on 0201T from sacroplasty.units-per-date-of-service\n"
)]
#[case::same_reason_as_a_rule_that_did_not_agree(
    "test \"0201T with 3 units\"\n  claim on 2024-03-01\n    line 0201T units 3\n  expect deny on 0201T from ncci.mue.date-of-service-edit same reason as ncci.mue.line-edit\n"
)]
#[case::same_reason_as_an_unknown_rule(
    "test \"0201T with 3 units\"\n  claim on 2024-03-01\n    line 0201T units 3\n  expect deny same reason as sacroplasty.units-per-date-of-servce\n"
)]
fn test_failures_are_explained(#[case] text: &str) {
    let name = common::case_name();
    let (report, rendered) = run_test_text("example.test.policy", text);
    assert_eq!(report.failed, 1, "{}", report.summary());
    insta::assert_snapshot!(name, rendered.join("\n"));
}

/// A pack of two rules and a table, with one test that fires one rule.
fn small_pack(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tables")).expect("mkdir");
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).expect("write");
    write(
        "acme.policy",
        "fact film_archived is boolean\n\n\
         table \"acme limits\" from \"tables/limits.csv\"\n  column limit is number\n\n\
         rule acme.bundled\n  77002 with 27093, 27095 denied\n\n\
         rule acme.limit\n  for each line in 76000, 77002\n  when line units > code.limit\n  deny \"too many\"\n\n\
         rule acme.film\n  for each line in 76000\n  when film_archived\n  info \"archived\"\n",
    );
    write(
        "tables/limits.csv",
        "code,limit\n76000,1\n77002,1\n77003,1\n",
    );
    write(
        "acme.test.policy",
        "test \"too many units of 77002\"\n  claim on 2024-01-01\n    line 77002 units 2\n  expect deny from acme.limit\n",
    );
    dir
}

#[test]
fn a_parameterized_test_runs_once_per_case_with_its_values() {
    let text = "test \"{code} under fluoroscopy with {documented} minutes\"\n  claim on {date}\n    line 27093\n    line {code} units {units}\n    documented fluoroscopy_minutes {documented}, fluoroscopy_indication \"needle\"\n  expect status {status}\n  where code, units, documented, date, status\n    case 77002, 1, 1.5, 2010-03-31, deny\n    case 77002, 1, 1.5, 2010-04-01, pass\n    case 77002, 1, 2, 2024-01-01, pass\n";
    let (report, rendered) = run_test_text("cases.test.policy", text);
    assert_eq!(
        (report.passed, report.failed),
        (3, 0),
        "{}",
        rendered.join("\n")
    );
}

#[test]
fn coverage_counts_the_cases_that_fire_each_rule_and_lists_what_no_test_exercises() {
    let dir = small_pack("coverage");
    let pack = dir.to_str().expect("utf-8 path");
    let out = claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        pack,
        "--coverage",
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(0))
    );
    let c = &v["coverage"];
    let cases: Vec<(&str, u64)> = c["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or(""),
                r["cases"].as_u64().unwrap_or(9),
            )
        })
        .collect();
    assert_eq!(
        cases,
        [("acme.bundled", 0), ("acme.limit", 1), ("acme.film", 0)]
    );
    assert_eq!(c["rules_covered"], 1);
    assert_eq!(c["untested_codes"][0]["rule"], "acme.limit");
    assert_eq!(
        c["untested_codes"][0]["codes"],
        serde_json::json!(["76000"])
    );
    let edits: Vec<&str> = c["untested_pair_edits"]
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| e["edit"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(edits, ["77002 with 27093, 27095 denied"]);
    assert_eq!(
        c["untested_table_rows"][0]["codes"],
        serde_json::json!(["76000", "77003"])
    );

    let text = claimrules(&["test", "--no-default-pack", "--pack", pack, "--coverage"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.starts_with("coverage: 1 of 3 rules fired by a test (33.3%)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 passed, 0 failed\n"),
        "the run ends with the summary: {stdout}"
    );
}

#[test]
fn min_coverage_fails_a_run_under_the_minimum() {
    let dir = small_pack("min-coverage");
    let pack = dir.to_str().expect("utf-8 path");
    let under = claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        pack,
        "--min-coverage",
        "50",
    ]);
    assert_eq!(under.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&under.stderr);
    assert!(
        stderr.contains("the tests fire 33.3% of the rules, under the minimum of 50%"),
        "{stderr}"
    );
    let over = claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        pack,
        "--min-coverage",
        "30",
    ]);
    assert_eq!(over.status.code(), Some(0));
}

#[test]
fn the_standard_pack_tests_fire_every_rule_and_exercise_everything() {
    let out = claimrules(&[
        "test",
        "--coverage",
        "--min-coverage",
        "100",
        "--format",
        "json",
        "policies",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let c = &v["coverage"];
    assert_eq!(
        c["rules_covered"],
        c["rules"].as_array().expect("rules").len()
    );
    for untested in [
        "untested_codes",
        "untested_pair_edits",
        "untested_table_rows",
    ] {
        assert_eq!(c[untested], serde_json::json!([]), "{untested}");
    }
}

#[test]
fn the_sample_claims_get_the_outcomes_their_readme_gives() {
    let out = claimrules(&["test", "examples/claims"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    let claim_files = std::fs::read_dir("examples/claims")
        .expect("examples")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    let tests = std::fs::read_to_string("examples/claims/claims.test.policy").expect("tests");
    for entry in std::fs::read_dir("examples/claims")
        .expect("examples")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            assert!(
                tests.contains(&format!("claim from \"{name}\"")),
                "no test reads {name}"
            );
        }
    }
    assert!(claim_files >= 19);
}

/// A test's `given` rows are in force for that test alone, on the same packs.
#[test]
fn a_given_table_row_holds_for_its_own_test_only() {
    let text = "test \"given\"\n  given table \"mpfs\" row 27506 assistant 1\n  claim on 2024-03-01\n    line 27506 modifier 80\n  expect deny from modifiers.assistant-not-paid\n\n\
                test \"not given\"\n  claim on 2024-03-01\n    line 27506 modifier 80\n  expect no deny\n\n\
                test \"given, replacing the file's row\"\n  given table \"ncci_mue\" row 0201T mue 2, mue_adjudication 2\n  claim on 2024-03-01\n    line 0201T units 2\n  expect no deny from sacroplasty.units-per-date-of-service\n  expect no review from modifiers.assistant-needs-documentation\n";
    let (report, rendered) = run_test_text("given.test.policy", text);
    assert_eq!(
        report.summary(),
        "3 passed, 0 failed",
        "{}",
        rendered.join("\n")
    );
}

/// `source x12` judges a test's claim as one read from an 837P; a line's
/// `comparison code` reaches the claim; both take a case's values.
#[test]
fn a_test_claim_takes_its_source_and_a_lines_comparison_code() {
    let text = "test \"source {source}\"\n  claim on 2024-03-01\n    line 27899 comparison code {comparison}\n    source {source}\n  expect no from fixation.unlisted-without-comparison-code\n  where source, comparison\n    case json, 27762\n    case x12, 27766\n";
    let (report, rendered) = run_test_text("source.test.policy", text);
    assert_eq!(
        report.summary(),
        "2 passed, 0 failed",
        "{}",
        rendered.join("\n")
    );

    let engine = common::engine_with(
        "rule t.source\n  when source is x12\n  info \"an 837P claim\"\n\nrule t.json\n  when source is json\n  info \"a JSON claim\"\n",
    );
    let files = vec![claimrules::pack::PolicyText {
        name: "t.test.policy".into(),
        text: "test \"x12\"\n  claim on 2024-03-01\n    line 99213\n    source x12\n  expect info from t.source\n  expect no from t.json\n\n\
               test \"json\"\n  claim on 2024-03-01\n    line 99213\n  expect info from t.json\n  expect no from t.source\n".into(),
    }];
    let report = claimrules::testing::run_tests(&engine, &files);
    assert_eq!(report.summary(), "2 passed, 0 failed");
}

/// A claim file is read beside the test file, and `on DATE` moves it to that date.
#[test]
fn a_claim_file_beside_the_test_is_judged_on_its_own_date_or_the_one_given() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("claim-file-tests");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("claims")).expect("mkdir");
    std::fs::copy(
        "examples/claims/hip-arthrography-2010-03-31.json",
        dir.join("claims/hip.json"),
    )
    .expect("copy");
    std::fs::write(
        dir.join("hip.test.policy"),
        "test \"as filed\"\n  claim from \"claims/hip.json\"\n  expect deny on 77002 from ncci.procedure-to-procedure\n\n\
         test \"a day later\"\n  claim from \"claims/hip.json\" on 2010-04-01\n  expect status pass\n\n\
         test \"as an 837P\"\n  claim from \"claims/hip.json\" source x12\n  expect deny on 77002 from ncci.procedure-to-procedure\n",
    )
    .expect("write");
    let out = claimrules(&["test", dir.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
}
