//! Code tables: data read from a pack's files, tested by rules as `code.<column>`; and what a
//! broken table or a misused column tells the analyst.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    case_name, engine_of_files, judge, judge_with, render, render_located_with_help, summary,
};
use rstest::rstest;

const TABLE: &str = "table \"code attributes\" from \"tables/attributes.csv\"\n\
                     \x20 column co_surgeons is number \"co-surgeon indicator\"\n\
                     \x20 column global_days is text\n\
                     \x20 column mue is number\n\
                     \x20 column open_counterpart is code\n\
                     \x20 column primaries is codes\n\
                     \x20 column site is text\n";

const DATA: &str = "# a comment line\n\
                    code,co_surgeons,global_days,mue,open_counterpart,primaries,site,unused\n\
                    0201T,0,XXX,1,,,sacrum,x\n\
                    28406,2,090,1,28415,,calcaneus,x\n\
                    27358,,ZZZ,1,,27355-27357,femur,x\n";

fn engine(rules: &str) -> claimrules::Engine {
    let policy = format!("{TABLE}{rules}");
    match engine_of_files(&[("test.policy", &policy), ("tables/attributes.csv", DATA)]) {
        Ok(e) => e,
        Err(d) => panic!("the policy should load:\n{}", render(&d)),
    }
}

fn claim(lines: &str) -> String {
    format!(r#"{{"id": "C", "service_date": "2024-03-01", "lines": [{lines}]}}"#)
}

#[rstest]
#[case::number_column("for each line\n  when line has modifier 62 and code.co_surgeons = 0\n  deny \"m\"", r#"{"code": "0201T", "modifiers": ["62"]}"#, vec![1])]
#[case::number_column_other_value("for each line\n  when line has modifier 62 and code.co_surgeons = 0\n  deny \"m\"", r#"{"code": "28406", "modifiers": ["62"]}"#, vec![])]
#[case::code_not_in_table_is_unknown("for each line\n  when not code.co_surgeons = 2\n  deny \"m\"", r#"{"code": "99213"}"#, vec![])]
#[case::empty_cell_is_unknown("for each line\n  when not code.co_surgeons = 2\n  deny \"m\"", r#"{"code": "27358"}"#, vec![])]
#[case::text_column_in("for each line\n  when code.global_days in (XXX, ZZZ)\n  deny \"m\"", r#"{"code": "27358"}, {"code": "28406"}"#, vec![1])]
#[case::documented_column("for each line\n  when documented code.open_counterpart\n  deny \"m\"", r#"{"code": "27358"}, {"code": "28406"}"#, vec![2])]
#[case::missing_column("for each line\n  when missing code.open_counterpart\n  deny \"m\"", r#"{"code": "27358"}, {"code": "28406"}"#, vec![1])]
#[case::claim_has_codes_column("for each line in \"code attributes\"\n  unless claim has code.primaries\n  deny \"m\"", r#"{"code": "27358"}, {"code": "27356"}"#, vec![])]
#[case::claim_lacks_codes_column("for each line in 27358\n  unless claim has code.primaries\n  deny \"m\"", r#"{"code": "27358"}, {"code": "27358"}"#, vec![1, 2])]
#[case::empty_codes_cell_is_unknown("for each line in 0201T\n  when not claim has code.primaries\n  deny \"m\"", r#"{"code": "0201T"}"#, vec![])]
#[case::line_units_limit("for each line\n  when line units > code.mue\n  deny \"m\"", r#"{"code": "0201T", "units": 2}, {"code": "28406"}"#, vec![1])]
#[case::units_so_far("for each line\n  when units so far on the date of service > code.mue\n  deny \"m\"", r#"{"code": "0201T"}, {"code": "28406"}, {"code": "0201T"}, {"code": "0201T"}"#, vec![3, 4])]
#[case::units_all_lines("for each line\n  when units on the date of service > code.mue\n  deny \"m\"", r#"{"code": "0201T"}, {"code": "28406"}, {"code": "0201T"}"#, vec![1, 3])]
#[case::units_per_session("for each line\n  when units so far in the same session > 1\n  deny \"m\"", r#"{"code": "0201T", "session": 1}, {"code": "0201T", "session": 2}, {"code": "0201T", "session": 2}"#, vec![3])]
fn rules_read_the_table_for_the_line_code(
    #[case] rule: &str,
    #[case] lines: &str,
    #[case] denied: Vec<u32>,
) {
    let engine = engine(&format!("rule r\n  {rule}\n"));
    let result = judge(&engine, &claim(lines));
    let got: Vec<u32> = summary(&result.findings)
        .into_iter()
        .flat_map(|(_, _, lines)| lines)
        .collect();
    assert_eq!(got, denied, "{result:?}");
}

#[test]
fn suggest_and_placeholders_read_the_table() {
    let engine = engine(
        "rule r\n  for each line\n  suggest code.open_counterpart \"open code for the {code.site}: {code.open_counterpart}\"\n",
    );
    let result = judge(&engine, &claim(r#"{"code": "28406"}, {"code": "0201T"}"#));
    // 0201T has no open counterpart: no suggestion rather than an empty one.
    assert_eq!(result.findings.len(), 1, "{result:?}");
    let f = &result.findings[0];
    assert_eq!(f.suggested_code.as_deref(), Some("28415"));
    assert_eq!(f.message, "open code for the calcaneus: 28415");
}

#[test]
fn a_table_name_stands_for_its_codes() {
    let engine = engine("rule r\n  for each line in \"code attributes\"\n  info \"{code}\"\n");
    let result = judge(&engine, &claim(r#"{"code": "99213"}, {"code": "28406"}"#));
    assert_eq!(
        summary(&result.findings),
        vec![("r".to_string(), "info", vec![2])]
    );
}

/// Table mistakes, snapshotted like the other diagnostics.
#[rstest]
#[case::table_bad_rows("code,co_surgeons,global_days,mue,open_counterpart,primaries,site\n2709,0,XXX,1,,,a\n0201T,zero,XXX,1,,,a\n0201T,0,XXX,1,,,a\n28406,0,XXX,1,28415,27355-27300,a\n", "rule r\n  info \"m\"\n")]
#[case::table_missing_column(
    "code,co_surgeons,global_days,mue,open_counterpart,primaries\n",
    "rule r\n  info \"m\"\n"
)]
#[case::table_unknown_column(
    DATA,
    "rule r\n  for each line\n  when code.co_surgeon = 0\n  deny \"m\"\n"
)]
#[case::table_column_wrong_type(
    DATA,
    "rule r\n  for each line\n  when line units > code.site\n  deny \"m\"\n"
)]
#[case::table_column_in_fixed_list(
    DATA,
    "rule r\n  for each line in code.primaries\n  deny \"m\"\n"
)]
#[case::table_column_without_line(DATA, "rule r\n  when code.co_surgeons = 0\n  deny \"m\"\n")]
fn table_mistakes_are_explained(#[case] data: &str, #[case] rules: &str) {
    let name = case_name();
    let policy = format!("{TABLE}{rules}");
    let diagnostics =
        match engine_of_files(&[("test.policy", &policy), ("tables/attributes.csv", data)]) {
            Ok(_) => panic!("the policy should not load"),
            Err(d) => d,
        };
    let rendered = render_located_with_help(&diagnostics);
    insta::assert_snapshot!(name, rendered);
}

#[rstest]
#[case::parent("../secrets.csv")]
#[case::absolute("/etc/passwd")]
#[case::nested_parent("tables/../../x.csv")]
fn a_table_path_cannot_leave_the_pack(#[case] path: &str) {
    let policy = format!("table \"t\" from \"{path}\"\n  column mue is number\n");
    let dir = std::env::temp_dir().join(format!(
        "claimrules-pack-{}-{}",
        std::process::id(),
        path.len()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("p.policy"), policy).expect("write");
    let result = claimrules::Engine::builder()
        .without_standard_pack()
        .pack(claimrules::PackSource::Dir(dir.clone()))
        .build();
    std::fs::remove_dir_all(&dir).ok();
    let rendered = match result {
        Ok(_) => panic!("a path out of the pack must be refused"),
        Err(d) => render(&d),
    };
    assert!(
        rendered.contains("outside the pack") || rendered.contains("not a path inside the pack"),
        "{rendered}"
    );
}

/// A `for each line in …` rule whose `when` needs a column test judges only the lines whose
/// code can pass it (the index leaves the others out: the MUE rules split by adjudication
/// indicator this way), yet `--explain` still shows it on every line of its set.
#[test]
fn a_column_test_narrows_the_lines_a_rule_judges_but_not_what_explain_shows() {
    let engine = engine(
        "rule r\n  for each line in \"code attributes\"\n  when code.co_surgeons = 2 and line units > code.mue\n  deny \"m\"\n",
    );
    let indexed: Vec<String> = engine
        .program()
        .index
        .codes()
        .filter(|(_, _, lines)| !lines.is_empty())
        .map(|(c, _, _)| c.to_string())
        .collect();
    assert_eq!(indexed, ["28406"]);
    let claim = claim(
        r#"{"code": "0201T", "units": 2}, {"code": "28406", "units": 2}, {"code": "27358", "units": 3}, {"code": "99213", "units": 2}"#,
    );
    let result = judge(&engine, &claim);
    assert_eq!(
        summary(&result.findings),
        vec![("r".to_string(), "deny", vec![2])]
    );
    let explained = judge_with(
        &engine,
        &claim,
        claimrules::EvalOptions::default().with_explain(true),
    );
    assert_eq!(explained.findings, result.findings);
    let traced: Vec<(Option<u32>, bool)> = explained
        .explain
        .expect("an explanation")
        .rules
        .iter()
        .filter(|t| t.rule == "r")
        .map(|t| (t.line, t.fired))
        .collect();
    assert_eq!(
        traced,
        [(Some(1), false), (Some(2), true), (Some(3), false)]
    );
}
