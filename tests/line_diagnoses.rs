//! The diagnoses of a line (its diagnosis pointers): `line diagnosis in …`, `no line diagnosis
//! in …`, diagnosis columns, tables keyed by diagnosis read as `diagnosis.<column>` in
//! `for each line diagnosis` rules, `claim has procedure …`; their mistakes, the category
//! warning, and their layout under `claimrules fmt`.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::syntax::format::{format_text, FileKind};
use common::{case_name, engine_of_files, judge, render, render_located_with_help};
use rstest::rstest;

const TABLES: &str = "table \"knee codes\" from \"tables/knee.csv\"\n\
                      \x20 column covered_diagnoses is diagnoses \"diagnoses that support the code\"\n\
                      \x20 column main_diagnosis is diagnosis\n\
                      \x20 column pcs_procedures is procedures\n\
                      \n\
                      table \"mce age and sex\" keyed by diagnosis from \"tables/mce.csv\"\n\
                      \x20 column mce_minimum_age is number\n\
                      \x20 column mce_covered_codes is codes\n\
                      \x20 column mce_note is text\n\
                      \n\
                      diagnoses \"knee pain\" are M25.561, M25.562\n\n";

const KNEE: &str = "code,covered_diagnoses,main_diagnosis,pcs_procedures\n\
                    20610,M17.* M25.561,M17.11,0QS*\n\
                    27447,,,\n";

const MCE: &str = "# a family row and a more specific row\n\
                   diagnosis,mce_minimum_age,mce_covered_codes,mce_note\n\
                   M17.*,40,20610,osteoarthritis\n\
                   M17.11,45,20610 27447,right knee osteoarthritis\n\
                   M25.561,,,knee pain\n";

fn engine(rules: &str) -> claimrules::Engine {
    let policy = format!("{TABLES}{rules}");
    match engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", MCE),
    ]) {
        Ok(e) => e,
        Err(d) => panic!("the policy should load:\n{}", render(&d)),
    }
}

fn claim(diagnoses: &str, lines: &str) -> String {
    format!(
        r#"{{"id": "C", "service_date": "2024-03-01", "diagnoses": [{diagnoses}], "lines": [{lines}]}}"#
    )
}

/// `(lines, message)` of each finding.
fn found(result: &claimrules::ClaimResult) -> Vec<(Vec<u32>, String)> {
    result
        .findings
        .iter()
        .map(|f| (f.lines.clone(), f.message.clone()))
        .collect()
}

#[rstest]
#[case::in_a_set(
    "for each line\n  when line diagnosis in \"knee pain\"\n  info \"{code} for {diagnosis}\"",
    r#""M17.11", "M25.562""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2]}, {"code": "27447", "diagnosis_pointers": [1]}"#,
    vec![(vec![1], "20610 for M25.562")]
)]
#[case::a_family(
    "for each line\n  when line diagnosis is M17.*\n  info \"{diagnosis}\"",
    r#""E11.9", "M17.12""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2]}, {"code": "20610", "diagnosis_pointers": [1]}"#,
    vec![(vec![1], "M17.12")]
)]
#[case::only_the_diagnoses_the_line_points_to(
    "for each line\n  when line diagnosis is M17.12\n  info \"m\"",
    r#""M17.12", "E11.9""#,
    r#"{"code": "20610", "diagnosis_pointers": [2]}"#,
    vec![]
)]
#[case::no_pointers_is_unknown(
    "for each line\n  when line diagnosis is M17.*\n  info \"m\"",
    r#""M17.12""#,
    r#"{"code": "20610"}"#,
    vec![]
)]
#[case::no_pointers_is_unknown_for_no_too(
    "for each line\n  when no line diagnosis is M17.*\n  info \"m\"",
    r#""M17.12""#,
    r#"{"code": "20610"}"#,
    vec![]
)]
#[case::not_on_no_pointers_stays_unknown(
    "for each line\n  when not line diagnosis is M17.*\n  info \"m\"",
    r#""M17.12""#,
    r#"{"code": "20610"}"#,
    vec![]
)]
#[case::no_line_diagnosis_in(
    "for each line\n  when no line diagnosis in \"knee pain\"\n  deny \"{code}\"",
    r#""M17.12", "M25.561""#,
    r#"{"code": "20610", "diagnosis_pointers": [1]}, {"code": "27447", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "20610")]
)]
#[case::a_diagnoses_column(
    "for each line in \"knee codes\"\n  when no line diagnosis in code.covered_diagnoses\n  deny \"{code} is not covered\"",
    r#""E11.9", "M17.0""#,
    r#"{"code": "20610", "diagnosis_pointers": [1]}, {"code": "20610", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "20610 is not covered")]
)]
#[case::an_empty_diagnoses_cell_is_unknown(
    "for each line in \"knee codes\"\n  when no line diagnosis in code.covered_diagnoses\n  deny \"m\"",
    r#""E11.9""#,
    r#"{"code": "27447", "diagnosis_pointers": [1]}"#,
    vec![]
)]
#[case::a_diagnosis_column(
    "for each line\n  when line diagnosis in code.main_diagnosis\n  info \"{diagnosis} is the main one\"",
    r#""E11.9", "M17.11""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "M17.11 is the main one")]
)]
#[case::a_diagnosis_table_name_is_a_set(
    "for each line\n  when line diagnosis in \"mce age and sex\" and claim has diagnosis \"mce age and sex\"\n  info \"{diagnosis}\"",
    r#""E11.9", "M17.9""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "M17.9")]
)]
#[case::each_line_diagnosis_runs_per_pointer_in_order(
    "for each line diagnosis\n  info \"{line}: {diagnosis}\"",
    r#""M17.11", "E11.9", "M25.561""#,
    r#"{"code": "20610", "diagnosis_pointers": [3, 1]}, {"code": "27447"}"#,
    vec![(vec![1], "1: M25.561"), (vec![1], "1: M17.11")]
)]
#[case::the_most_specific_row_wins(
    "for each line diagnosis in \"mce age and sex\"\n  when not line is diagnosis.mce_covered_codes\n  review \"{code}: {diagnosis} ({diagnosis.mce_note}, from {diagnosis.mce_minimum_age})\"",
    r#""M17.11", "M17.12""#,
    r#"{"code": "27447", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "27447: M17.12 (osteoarthritis, from 40)")]
)]
#[case::a_diagnosis_column_compared(
    "for each line diagnosis\n  when diagnosis.mce_minimum_age >= 45\n  info \"{diagnosis}\"",
    r#""M17.11", "M17.12", "E11.9""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2, 3]}"#,
    vec![(vec![1], "M17.11")]
)]
#[case::a_diagnosis_without_a_row_is_unknown(
    "for each line diagnosis\n  when not diagnosis.mce_minimum_age >= 45\n  info \"{diagnosis}\"",
    r#""E11.9", "M17.12""#,
    r#"{"code": "20610", "diagnosis_pointers": [1, 2]}"#,
    vec![(vec![1], "M17.12")]
)]
#[case::claim_has_procedure(
    "for each line in 20610\n  when claim has procedure 0QS*\n  info \"pcs\"",
    r#""M17.11""#,
    r#"{"code": "20610"}"#,
    vec![]
)]
#[case::claim_has_procedure_in_a_column(
    "for each line in 20610\n  when claim has procedure in code.pcs_procedures\n  info \"pcs\"",
    r#""M17.11""#,
    r#"{"code": "20610"}"#,
    vec![]
)]
fn line_diagnoses_are_judged(
    #[case] rule: &str,
    #[case] diagnoses: &str,
    #[case] lines: &str,
    #[case] expected: Vec<(Vec<u32>, &str)>,
) {
    let engine = engine(&format!("rule r\n  {rule}\n"));
    let result = judge(&engine, &claim(diagnoses, lines));
    let expected: Vec<(Vec<u32>, String)> = expected
        .into_iter()
        .map(|(l, m)| (l, m.to_string()))
        .collect();
    assert_eq!(found(&result), expected, "{result:?}");
}

#[rstest]
#[case::a_family("0QSG34Z", true)]
#[case::another_family("0SR90JZ", false)]
fn claim_has_procedure_reads_the_claims_procedures(#[case] code: &str, #[case] fires: bool) {
    let engine = engine(
        "rule r\n  for each line in 20610\n  when claim has procedure in code.pcs_procedures or claim has procedure 0SRC*\n  info \"pcs\"\n",
    );
    let text = format!(
        r#"{{"id": "C", "service_date": "2024-03-01", "diagnoses": ["M17.11"], "procedures": [{{"code": "{code}"}}], "lines": [{{"code": "20610"}}]}}"#
    );
    let result = judge(&engine, &text);
    assert_eq!(result.findings.len(), usize::from(fires), "{result:?}");
}

#[test]
fn a_finding_of_a_diagnosis_table_cites_the_row_that_decided() {
    let engine = engine(
        "rule r\n  for each line diagnosis\n  when diagnosis.mce_minimum_age >= 40\n  info \"{diagnosis}\"\n",
    );
    let result = judge(
        &engine,
        &claim(
            r#""M17.4""#,
            r#"{"code": "20610", "diagnosis_pointers": [1]}"#,
        ),
    );
    let table = result.findings[0].table.as_ref().expect("a cited row");
    assert_eq!(table.name, "mce age and sex");
    assert_eq!(table.line, 3);
}

#[test]
fn explain_says_a_line_points_to_no_diagnosis() {
    let engine = engine("rule r\n  for each line\n  when line diagnosis is M17.*\n  info \"m\"\n");
    let result = common::judge_with(
        &engine,
        &claim(r#""M17.11""#, r#"{"code": "20610"}"#),
        claimrules::EvalOptions::default().with_explain(true),
    );
    let explain = result.explain.expect("an explanation");
    let reason = explain.rules[0].reason.clone().unwrap_or_default();
    assert_eq!(
        reason,
        "`line diagnosis is M17.*` was not evaluated: line 1 points to no diagnosis (it gives no diagnosis pointers)"
    );
}

/// Mistakes with line diagnoses and diagnosis columns, snapshotted like the other diagnostics.
#[rstest]
#[case::diagnosis_column_outside_a_diagnosis_rule(
    "rule r\n  for each line\n  when diagnosis.mce_minimum_age > 40\n  deny \"m\"\n"
)]
#[case::diagnosis_column_in_a_term(
    "term \"young for the diagnosis\" means patient age < diagnosis.mce_minimum_age\n\nrule r\n  for each line diagnosis\n  when \"young for the diagnosis\"\n  deny \"m\"\n"
)]
#[case::diagnosis_column_in_a_claim_rule(
    "rule r\n  when diagnosis.mce_minimum_age > 40\n  deny \"m\"\n"
)]
#[case::diagnosis_column_read_as_code_column(
    "rule r\n  for each line\n  when code.mce_minimum_age > 40\n  deny \"m\"\n"
)]
#[case::diagnoses_column_as_codes(
    "rule r\n  for each line\n  when line is code.covered_diagnoses\n  deny \"m\"\n"
)]
#[case::diagnoses_column_in_claim_has(
    "rule r\n  for each line\n  when claim has code.covered_diagnoses\n  deny \"m\"\n"
)]
#[case::codes_column_as_diagnoses(
    "rule r\n  for each line diagnosis\n  when line diagnosis in diagnosis.mce_covered_codes\n  deny \"m\"\n"
)]
#[case::line_diagnosis_in_a_claim_rule("rule r\n  when line diagnosis is M17.*\n  deny \"m\"\n")]
#[case::unknown_diagnosis_set(
    "rule r\n  for each line\n  when line diagnosis in \"knee pian\"\n  deny \"m\"\n"
)]
#[case::diagnosis_table_as_code_set(
    "rule r\n  for each line in \"mce age and sex\"\n  deny \"m\"\n"
)]
#[case::diagnosis_placeholder_in_a_claim_rule(
    "rule r\n  when claim has diagnosis M17.*\n  deny \"{diagnosis}\"\n"
)]
fn line_diagnosis_mistakes_are_explained(#[case] rules: &str) {
    let policy = format!("{TABLES}{rules}");
    let diagnostics = match engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", MCE),
    ]) {
        Ok(_) => panic!("the policy should not load:\n{policy}"),
        Err(d) => d,
    };
    insta::assert_snapshot!(case_name(), render_located_with_help(&diagnostics));
}

/// Rows of a diagnosis table that do not read, named by file and line.
#[test]
fn bad_rows_of_a_diagnosis_table_name_the_file_and_line() {
    let data = "diagnosis,mce_minimum_age,mce_covered_codes,mce_note\n\
                M17.*,40,,\n\
                M17,1,,\n\
                27447,1,,\n\
                M17.*,41,,\n";
    let policy = format!("{TABLES}rule r\n  for each line diagnosis\n  info \"m\"\n");
    let diagnostics = match engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", data),
    ]) {
        Ok(_) => panic!("the table should not load"),
        Err(d) => d,
    };
    insta::assert_snapshot!(render_located_with_help(&diagnostics));
}

#[test]
fn a_bare_category_gets_a_warning() {
    let policy = format!(
        "{TABLES}rule r\n  for each line in \"knee codes\"\n  when line diagnosis in M17, \"knee pain\", \"mce age and sex\"\n  info \"m\"\n"
    );
    let engine = engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", MCE),
    ])
    .unwrap_or_else(|d| panic!("warnings do not stop loading: {}", render(&d)));
    let warnings = engine.warnings();
    assert_eq!(warnings.iter().count(), 1, "{}", render(warnings));
    insta::assert_snapshot!(render_located_with_help(warnings));
}

#[test]
fn the_new_forms_format_round_trip() {
    let messy = "table \"mce\"   keyed   by diagnosis from \"tables/mce.csv\"\n\
                 column a is diagnoses\n  column b is   diagnosis \"one\"\n column c is procedures\n\
                 rule r\n  for each   line diagnosis in \"x\",M17.*\n\
                 when no  line diagnosis is (M17.*, code.y) and claim has procedure in 0QS*, code.z\n\
                 \x20   and line is diagnosis.covered_codes\n  info \"{diagnosis}\"\n";
    let once = format_text(messy, FileKind::Policy).expect("formats");
    assert_eq!(
        once,
        "table \"mce\" keyed by diagnosis from \"tables/mce.csv\"\n\
         \x20 column a is diagnoses\n  column b is diagnosis \"one\"\n  column c is procedures\n\
         \n\
         rule r\n  for each line diagnosis in \"x\", M17.*\n\
         \x20 when no line diagnosis is (M17.*, code.y) and claim has procedure in 0QS*, code.z\n\
         \x20   and line is diagnosis.covered_codes\n  info \"{diagnosis}\"\n"
    );
    assert_eq!(format_text(&once, FileKind::Policy).expect("formats"), once);
    let (a, ea) = claimrules::syntax::parse_policy(messy);
    let (b, eb) = claimrules::syntax::parse_policy(&once);
    assert!(ea.is_empty() && eb.is_empty());
    assert_eq!(a, b, "formatting keeps the meaning");

    let test = "test \"t\"\n  claim on 2024-03-01\n    line 20610   diagnosis pointers 1,2\n    diagnosis M17.11, M25.561\n  expect no deny\n";
    let once = format_text(test, FileKind::Tests).expect("formats");
    assert_eq!(
        once,
        "test \"t\"\n  claim on 2024-03-01\n    line 20610 diagnosis pointers 1, 2\n    diagnosis M17.11, M25.561\n  expect no deny\n"
    );
}

#[test]
fn a_policy_test_gives_a_line_its_diagnosis_pointers() {
    let dir = common::tempdir("line_diagnoses_policy_test");
    std::fs::create_dir_all(dir.join("tables")).unwrap();
    std::fs::write(dir.join("pack.policy"), "pack \"dx\"\n").unwrap();
    std::fs::write(
        dir.join("rules.policy"),
        format!(
            "{TABLES}rule dx.mce\n  for each line diagnosis in \"mce age and sex\"\n  when not line is diagnosis.mce_covered_codes\n  review \"{{code}}: {{diagnosis}}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("tables/knee.csv"), KNEE).unwrap();
    std::fs::write(dir.join("tables/mce.csv"), MCE).unwrap();
    std::fs::write(
        dir.join("dx.test.policy"),
        "test \"the family row decides for M17.12\"\n  claim on 2024-03-01\n    line 20610 diagnosis pointers 1, 2\n    line 27447 diagnosis pointers 2\n    diagnosis M17.11, M17.12\n  expect review on 27447 from dx.mce\n  expect no review on 20610\n\n\
         test \"a given row of the family supports 27447\"\n  given table \"mce age and sex\" row M17.* mce_covered_codes \"20610 27447\"\n  claim on 2024-03-01\n    line 27447 diagnosis pointers 1\n    diagnosis M17.12\n  expect no review\n",
    )
    .unwrap();
    let out = common::claimrules(&[
        "test",
        "--no-default-pack",
        "--pack",
        dir.to_str().unwrap(),
        "--coverage",
    ]);
    let (stdout, stderr) = (common::stdout(&out), common::stderr(&out));
    assert!(out.status.success(), "{stdout}{stderr}");
    // M17.11 reads its own row and M17.12 the `M17.*` row; no test claim has M25.561.
    assert!(
        format!("{stdout}{stderr}").contains("mce age and sex: 1 of 3 rows: M25.561"),
        "{stdout}{stderr}"
    );
}

#[test]
fn the_parser_reads_the_new_forms() {
    use claimrules::syntax::ast::*;
    let text = "table \"t\" keyed by diagnosis from \"t.csv\"\n  column a is diagnoses\n\n\
                rule r\n  for each line diagnosis in M17.*\n  when no line diagnosis in code.x, \"s\"\n  info \"m\"\n";
    let (file, errors) = claimrules::syntax::parse_policy(text);
    assert!(errors.is_empty(), "{errors:?}");
    let Item::Table(table) = &file.items[0] else {
        panic!("a table")
    };
    assert_eq!(table.key, TableKey::Diagnosis);
    assert_eq!(table.columns[0].ty, ColumnTypeExpr::Diagnoses);
    let Item::Rule(rule) = &file.items[1] else {
        panic!("a rule")
    };
    let RuleBody::Check(check) = &rule.body else {
        panic!("a check rule")
    };
    assert!(check.each_line || check.each_diagnosis.is_some());
    let within = check
        .each_diagnosis
        .as_ref()
        .and_then(|d| d.within.as_ref());
    assert!(matches!(&within.unwrap().items[..], [DiagnosisItem::Pattern(w)] if w.text == "M17.*"));
    let Some(Condition {
        kind: ConditionKind::Predicate(Predicate::LineDiagnosis { negated, diagnoses }),
        ..
    }) = &check.when
    else {
        panic!("a line diagnosis test")
    };
    assert!(*negated);
    assert!(matches!(
        &diagnoses.items[..],
        [DiagnosisItem::Attribute(a), DiagnosisItem::Set(s)] if a.text == "code.x" && s.text == "s"
    ));
}

#[test]
fn an_unused_diagnosis_table_says_how_it_is_used() {
    let policy = format!("{TABLES}rule r\n  for each line in \"knee codes\"\n  when line diagnosis in \"knee pain\"\n  info \"m\"\n");
    let engine = engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", MCE),
    ])
    .unwrap_or_else(|d| panic!("warnings do not stop loading: {}", render(&d)));
    insta::assert_snapshot!(render_located_with_help(engine.warnings()));
}

#[test]
fn a_diagnosis_table_and_a_diagnosis_set_cannot_share_a_name() {
    let policy = format!("{TABLES}diagnoses \"mce age and sex\" are M17.*\n");
    let diagnostics = match engine_of_files(&[
        ("test.policy", &policy),
        ("tables/knee.csv", KNEE),
        ("tables/mce.csv", MCE),
    ]) {
        Ok(_) => panic!("the policy should not load"),
        Err(d) => d,
    };
    insta::assert_snapshot!(render_located_with_help(&diagnostics));
}
