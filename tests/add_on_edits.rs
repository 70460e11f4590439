//! The NCCI add-on code edits (`table "ncci_add_on" of add-on code edits`) read from files in
//! the CMS AOC layout: the standard pack's add-on rules on the small AOC table of
//! `tests/add-on-edits/` (a row of each edit type, a primary listed from a later date), through
//! the library and the command line; and what a malformed AOC file tells the analyst.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::Engine;

/// The folder of AOC files the tests point `ncci_add_on` at.
const AOC: &str = "tests/add-on-edits/aoc";

fn engine() -> Engine {
    Engine::builder()
        .table_data("ncci_add_on", AOC)
        .build()
        .unwrap_or_else(|d| panic!("the AOC test files load:\n{}", common::render(&d)))
}

#[test]
fn the_add_on_rules_pass_the_tests_of_the_aoc_test_files() {
    let path = "tests/add-on-edits/add-on-edits.test.policy";
    let files = vec![claimrules::pack::PolicyText {
        name: path.into(),
        text: std::fs::read_to_string(path).unwrap(),
    }];
    let report = claimrules::testing::run_tests(&engine(), &files);
    let rendered: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.render(false, 100))
        .collect();
    assert_eq!(report.failed, 0, "{}", rendered.join("\n"));
    assert_eq!(report.passed, 11);
}

/// `code.primaries` on a date is the primaries listed for it: the message names them.
#[test]
fn the_primaries_in_force_on_the_date_of_service_are_the_ones_named() {
    let engine = engine();
    let message = |date: &str| {
        let claim = common::claim(date, &[("27506", &[]), ("22614", &[])], "{}");
        let result = common::judge(&engine, &claim);
        let finding = result
            .findings
            .iter()
            .find(|f| f.rule == "add-on.without-primary")
            .expect("22614 is denied");
        let table = finding.table.as_ref().expect("the AOC row decided");
        (
            finding.message.clone(),
            (table.name.clone(), table.file.clone(), table.line),
        )
    };
    let (before, cited) = message("2024-03-31");
    assert!(before.contains("(22612)"), "{before}");
    // The row cited is the first row of those in force, in the files' order.
    assert_eq!(cited, ("ncci_add_on".into(), "1-aoc-2024q1.tsv".into(), 8));
    let (after, _) = message("2024-04-01");
    assert!(after.contains("(22610, 22612)"), "{after}");
    let (deleted, _) = message("2022-01-01");
    assert!(deleted.contains("(22612)"), "{deleted}");
    let (both, _) = message("2021-12-31");
    assert!(both.contains("(22612, 22630)"), "{both}");
}

#[test]
fn check_reads_the_published_layout_given_with_table() {
    let dir = common::tempdir("add-on-edits-cli");
    let claim = dir.join("claim.json");
    std::fs::write(
        &claim,
        r#"{"id": "A", "service_date": "2024-03-01", "lines": [{"code": "27506"}, {"code": "69990"}, {"code": "64480"}]}"#,
    )
    .unwrap();
    let table = format!("ncci_add_on={AOC}");
    let claim = claim.display().to_string();
    let out = common::claimrules(&["check", "--format", "json", "--table", &table, &claim]);
    let text = common::stdout(&out);
    assert!(text.contains("add-on.type-2-no-primary-list"), "{text}");
    assert!(
        text.contains("add-on.type-3-without-listed-primary"),
        "{text}"
    );
    assert!(
        text.contains(r#""file":"1-aoc-2024q1.tsv","line":10"#),
        "{text}"
    );
    // The shipped excerpt holds neither code.
    let out = common::claimrules(&["check", "--format", "json", &claim]);
    assert!(!common::stdout(&out).contains("add-on."));
}

/// Every malformed row of an AOC file is listed with its file and line, at the declaration.
#[test]
fn a_malformed_aoc_file_is_explained() {
    let policy = "table \"ncci_add_on\" of add-on code edits from \"aoc.tsv\"\n\n\
                  rule r\n  for each line in \"ncci_add_on\"\n  when code.add_on_type = 2\n  review \"m\"\n";
    let data = "Medicare NCCI Add-on Code Edits\n\n\
                Add-on Code\tPrimary Code\tAOC Edit Type\tAOC Edit Effective Date\tAOC Edit Deletion Date\n\
                2735\t27355\t1\t20130101\t*\n\
                27358\t27356\t4\t20130101\t*\n\
                27358\t27357\t1\t20130101\t20121231\n\
                27358\tCCCCC\t1\t20130101\t*\n\
                69990\tCCCCC\t2\t2013-01-01\t*\n\
                22614\t22612\t1\t20130101\t*\n\
                22614\t22610\t3\t20200101\t*\n";
    let diagnostics = match common::engine_of_files(&[("t.policy", policy), ("aoc.tsv", data)]) {
        Ok(_) => panic!("the table should not load"),
        Err(d) => d,
    };
    insta::assert_snapshot!(common::render_located_with_help(&diagnostics));
}
