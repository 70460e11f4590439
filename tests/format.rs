//! `claimrules fmt`: the canonical layout, comments kept, meaning unchanged, idempotent.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use claimrules::syntax::format::{format_text, FileKind};
use claimrules::syntax::{parse_policy, parse_tests};
use rstest::rstest;

fn format(text: &str, kind: FileKind) -> String {
    format_text(text, kind).unwrap_or_else(|e| panic!("{text}\ndoes not parse: {e:?}"))
}

#[rstest]
#[case::spacing_inside_a_line(
    "codes \"x\" are 77002,77003 ,  76000\n",
    "codes \"x\" are 77002, 77003, 76000\n"
)]
#[case::parentheses_and_operators(
    "rule r\n  when ( fluoroscopy_minutes>=2 or not film_archived )\n  info \"m\"\n",
    "rule r\n  when (fluoroscopy_minutes >= 2 or not film_archived)\n  info \"m\"\n"
)]
#[case::each_clause_on_its_own_line(
    "rule r for each line in 77002 when film_archived unless separate_interpretation deny \"m\" suggest 27899 \"n\"\n",
    "rule r\n  for each line in 77002\n  when film_archived\n  unless separate_interpretation\n  deny \"m\"\n  suggest 27899 \"n\"\n"
)]
#[case::line_attribute_tests(
    "rule r for each line in 27899 when not line  has comparison code or line comparison  code is not(27762,27766) review \"{comparison_code}\"\n",
    "rule r\n  for each line in 27899\n  when not line has comparison code or line comparison code is not (27762, 27766)\n  review \"{comparison_code}\"\n"
)]
#[case::each_pair_edit_on_its_own_line(
    "rule r\n77002 with 27093 allowed after CCI 16.1 76000 with 27093 denied message \"m\"\n",
    "rule r\n  77002 with 27093 allowed after CCI 16.1\n  76000 with 27093 denied\n  message \"m\"\n"
)]
#[case::each_bypass_clause_on_its_own_line(
    "rule r\n77002 with 27093 denied bypass with modifier 59,XS bypass  with different site modifiers LT,RT,F1-F9 message \"m\"\n",
    "rule r\n  77002 with 27093 denied\n  bypass with modifier 59, XS\n  bypass with different site modifiers LT, RT, F1-F9\n  message \"m\"\n"
)]
#[case::continuation_lines_are_indented_one_level_deeper(
    "codes \"x\" are\n      24538, 25606,\n   26608\n",
    "codes \"x\" are\n  24538, 25606,\n  26608\n"
)]
#[case::rules_are_set_apart_above_their_comments(
    "term t means film_archived\n# why r exists\nrule r\n  when t\n  info \"m\"\nrule s\n  when t\n  review \"m\"\n",
    "term t means film_archived\n\n# why r exists\nrule r\n  when t\n  info \"m\"\n\nrule s\n  when t\n  review \"m\"\n"
)]
#[case::blank_lines_collapse_to_one(
    "fact a is boolean\n\n\n\nfact b is boolean\nfact c is number\n",
    "fact a is boolean\n\nfact b is boolean\nfact c is number\n"
)]
#[case::comments_keep_their_place_and_take_the_indentation_of_what_follows(
    "# header\nrule r\n# seed 000\n      \"IM nail\" implies open   # trailing   \n",
    "# header\nrule r\n  # seed 000\n  \"IM nail\" implies open # trailing\n"
)]
#[case::table_columns(
    "table \"t\" from \"tables/t.csv\" column mue is number \"limit\"\n",
    "table \"t\" from \"tables/t.csv\"\n  column mue is number \"limit\"\n"
)]
#[case::a_comment_after_the_last_item_stays_at_the_top_level(
    "rule r\n  77002 with 27093 denied\n\n# the end of the file\n",
    "rule r\n  77002 with 27093 denied\n\n# the end of the file\n"
)]
#[case::a_comment_ending_the_last_item_stays_in_it(
    "rule r\n  77002 with 27093 denied\n      # about the edit\n",
    "rule r\n  77002 with 27093 denied\n  # about the edit\n"
)]
#[case::same_reason_is_a_clause_of_its_own(
    "rule r same reason as s,t for each line in 77002 deny \"m\"\n",
    "rule r\n  same reason as s, t\n  for each line in 77002\n  deny \"m\"\n"
)]
#[case::a_change_of_action_sets_its_reason_and_dates_on_lines_of_their_own(
    "codes \"x\" are 77002\nchange  rule ncci.r to review reason \"nurses\" effective 2024-01-01\n",
    "codes \"x\" are 77002\n\nchange rule ncci.r to review\n  reason \"nurses\"\n  effective 2024-01-01\n"
)]
#[case::a_byte_order_mark_is_dropped(
    "\u{FEFF}rule r\n  77002 with 27093 denied\n",
    "rule r\n  77002 with 27093 denied\n"
)]
fn policies_take_the_canonical_layout(#[case] input: &str, #[case] expected: &str) {
    assert_eq!(format(input, FileKind::Policy), expected);
    assert_eq!(
        format(expected, FileKind::Policy),
        expected,
        "formatting twice"
    );
}

#[test]
fn tests_take_the_canonical_layout() {
    let input = "test \"a\"\nclaim on 2024-01-01 line 77002 modifier RT,LT units 2\n  documented guidance (fluoroscopy)\nexpect deny on 77002 same reason as r,s expect no findings\ntest \"b\"\n  claim on 2024-01-01\n    line 77002\n  expect status pass\ntest \"c\" given table \"t\" row 77002 limit 1,kind  x claim from  \"c.json\" on 2024-01-01\nexpect no deny\ntest \"d\" claim on 2024-01-01 line 27899 comparison  code 27762 source x12 expect no deny\n";
    let expected = "test \"a\"\n  claim on 2024-01-01\n    line 77002 modifier RT, LT units 2\n    documented guidance (fluoroscopy)\n  expect deny on 77002 same reason as r, s\n  expect no findings\n\ntest \"b\"\n  claim on 2024-01-01\n    line 77002\n  expect status pass\n\ntest \"c\"\n  given table \"t\" row 77002 limit 1, kind x\n  claim from \"c.json\" on 2024-01-01\n  expect no deny\n\ntest \"d\"\n  claim on 2024-01-01\n    line 27899 comparison code 27762\n    source x12\n  expect no deny\n";
    assert_eq!(format(input, FileKind::Tests), expected);
}

#[test]
fn a_file_that_does_not_parse_is_not_formatted() {
    let errors =
        format_text("rule r\n  when (\n  deny \"x\"\n", FileKind::Policy).expect_err("bad");
    assert!(!errors.is_empty());
}

/// Every policy and test file shipped in the repository.
fn shipped_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut pending = vec![
        root.join("policies"),
        root.join("examples"),
        root.join("tests"),
    ];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "policy") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() > 10, "the shipped policies are found: {out:?}");
    out
}

#[test]
fn every_shipped_file_is_formatted_and_formatting_is_idempotent_and_keeps_its_meaning() {
    for path in shipped_files() {
        let text = std::fs::read_to_string(&path).expect("read");
        let name = path.display().to_string();
        let kind = FileKind::of(&name);
        let once = format(&text, kind);
        match kind {
            FileKind::Policy => assert_eq!(parse_policy(&text).0, parse_policy(&once).0),
            FileKind::Tests => assert_eq!(parse_tests(&text).0, parse_tests(&once).0),
        }
        assert_eq!(
            format(&once, kind),
            once,
            "formatting {name} twice changes it"
        );
        assert_eq!(
            once, text,
            "{name} is not in the canonical layout: run `claimrules fmt`"
        );
    }
}

#[test]
fn formatting_a_messy_file_keeps_its_meaning_and_every_comment() {
    let messy = "# header\ncodes \"x\" are 77002,77003\n# about a\nrule a   for each line in \"x\" when film_archived   and ( fluoroscopy_minutes>=2 or not separate_interpretation ) # trailing\n    unless   film_archived\ndeny \"m\"\n\n\n\nrule b\n      77002 with 27093 allowed after CCI 16.1 76000 with 27093 denied\n   message \"bundled\"\n";
    let once = format(messy, FileKind::Policy);
    assert_eq!(parse_policy(messy).0, parse_policy(&once).0);
    assert_eq!(format(&once, FileKind::Policy), once);
    for comment in ["# header", "# about a", "# trailing"] {
        assert!(once.contains(comment), "{comment} is kept:\n{once}");
    }
}
