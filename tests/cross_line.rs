//! Conditions between lines (issue 23): `another line` related by code, date of service and
//! session, its `where` with `the other line`, units summed over a code set, ranges of
//! modifiers, and `modify merge with the other line`. Each case: a policy snippet, a claim's
//! lines, the findings expected.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::syntax::format::{format_text, FileKind};
use claimrules::syntax::parse_policy;
use common::{case_name, engine_alone, judge, render_located_with_help};
use rstest::rstest;

/// A claim on 2024-03-01 with lines written `CODE [MODIFIER…] [xUNITS] [sSESSION]`, separated
/// by `;`: `27093 RT; 27093 LT x2 s2`.
fn claim_of(lines: &str) -> String {
    let lines: Vec<String> = lines
        .split(';')
        .enumerate()
        .map(|(i, line)| {
            let mut words = line.split_whitespace();
            let code = words.next().unwrap();
            let (mut units, mut session, mut mods) = ("1", "1", Vec::new());
            for w in words {
                match (w.strip_prefix('x'), w.strip_prefix('s')) {
                    (Some(u), _) if u.parse::<u32>().is_ok() => units = u,
                    (_, Some(n)) if n.parse::<u32>().is_ok() => session = n,
                    _ => mods.push(format!("\"{w}\"")),
                }
            }
            format!(
                r#"{{"line": {}, "code": "{code}", "modifiers": [{}], "units": {units}, "session": {session}}}"#,
                i + 1,
                mods.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"id": "X-1", "service_date": "2024-03-01", "lines": [{}]}}"#,
        lines.join(", ")
    )
}

const CODES: &str = "codes \"E/M visits\" are 99212, 99213, 99214\n\
                     codes \"spinal injection\" are 64483, 64484\n";

/// `(line numbers, message)` of each finding of the policy on the claim.
fn findings(policy: &str, lines: &str) -> Vec<(Vec<u32>, String)> {
    let engine = match engine_alone(&format!("{CODES}{policy}")) {
        Ok(e) => e,
        Err(d) => panic!("the policy should load:\n{}", common::render(&d)),
    };
    let result = judge(&engine, &claim_of(lines));
    assert!(result.errors.is_empty(), "{result:#?}");
    result
        .findings
        .iter()
        .map(|f| (f.lines.clone(), f.message.clone()))
        .collect()
}

const RT_LT: &str = "rule r\n  for each line\n  when line has modifier RT and another line of the same code has modifier LT\n  info \"{code} on line {line} has its LT pair on line {other_line}\"\n";

/// A hand-written pair edit with `bypass with …` clauses: the column-2 line is denied with the
/// first column-1 line whose pair the modifiers do not bypass; without clauses, modifiers do
/// not matter (the cases of `cross_line_conditions` that use it).
const BYPASSED_PAIRS: &str = "rule r\n  77002 with 27093, 27095 denied\n  bypass with modifier 59\n  bypass with different site modifiers LT, RT\n  message \"{code} with {with}\"\n";

#[rstest]
// Of the same code: the other line has the line's code.
#[case::same_code_pairs_rt_with_lt(
    RT_LT,
    "27093 RT; 27093 LT",
    &[(vec![1], "27093 on line 1 has its LT pair on line 2")]
)]
#[case::same_code_ignores_another_code(
    RT_LT,
    "27093 RT; 27095 LT",
    &[]
)]
#[case::same_code_takes_the_first_other_line(
    RT_LT,
    "27093 RT; 27095 LT; 27093 LT; 27093 LT",
    &[(vec![1], "27093 on line 1 has its LT pair on line 3")]
)]
// On the same date of service: every line of a claim is on its date.
#[case::same_date_with_code_in(
    "rule r\n  for each line in 20610\n  when another line on the same date of service has code in \"E/M visits\"\n  review \"{code} with {matched} on line {other_line}\"\n",
    "20610; 99213 s2",
    &[(vec![1], "20610 with 99213 on line 2")]
)]
#[case::has_code_is_has(
    "rule r\n  for each line in 20610\n  when another line has code 99213\n  review \"{matched}\"\n",
    "20610; 99213",
    &[(vec![1], "99213")]
)]
#[case::has_code_names_a_column_still(
    "rule r\n  for each line in 20610\n  when another line has code \"E/M visits\"\n  review \"{matched}\"\n",
    "20610; 99214",
    &[(vec![1], "99214")]
)]
// Relations combine.
#[case::same_code_in_the_same_session(
    "rule r\n  for each line in 64483\n  when another line of the same code in the same session has modifier 59\n  info \"line {line} with {other_line}\"\n",
    "64483; 64483 59 s2; 64483 59",
    &[(vec![1], "line 1 with 3")]
)]
#[case::an_earlier_line_of_the_same_code(
    "rule r\n  for each line in 64483\n  when an earlier line of the same code has modifier 59\n  info \"line {line} after {other_line}\"\n",
    "64483 59; 64483 59",
    &[(vec![2], "line 2 after 1")]
)]
// `where`: the other line and the rule's line, each tested.
#[case::where_tests_the_other_line(
    "rule r\n  for each line\n  when another line of the same code where (the other line has modifier LT and the other line units = 1)\n  info \"{line} and {other_line}\"\n",
    "27093 RT; 27093 LT x2; 27093 LT",
    &[(vec![1], "1 and 3"), (vec![2], "2 and 3")]
)]
#[case::where_tests_the_rules_line_too(
    "rule r\n  for each line\n  when another line where (line has modifier RT and the other line is in \"spinal injection\")\n  info \"{line}: {matched} on {other_line}\"\n",
    "20610 RT; 20610; 64484",
    &[(vec![1], "1: 64484 on 3")]
)]
#[case::where_the_other_line_is(
    "rule r\n  for each line in 64483\n  when another line in the same session where (the other line is 64484 and the other line units > 1)\n  info \"{other_line}\"\n",
    "64483; 64484 s2; 64484 x3",
    &[(vec![1], "3")]
)]
#[case::not_another_line_is_no_match(
    "rule r\n  for each line in 64483\n  when not another line of the same code has modifier 59\n  info \"alone\"\n",
    "64483; 64484 59",
    &[(vec![1], "alone")]
)]
// Units of a code set, not only of the line's code.
#[case::units_of_a_set_on_the_date_of_service(
    "rule r\n  when units of \"spinal injection\" on the date of service > 4\n  review \"more than 4 units of spinal injection on {date}\"\n",
    "64483 x2; 64484 x2 s2; 20610 x5; 64484",
    &[(vec![], "more than 4 units of spinal injection on 2024-03-01")]
)]
#[case::units_of_a_set_at_the_limit(
    "rule r\n  when units of \"spinal injection\" on the date of service > 4\n  review \"m\"\n",
    "64483 x2; 64484 x2 s2; 20610 x5",
    &[]
)]
#[case::units_of_codes_in_the_same_session(
    "rule r\n  for each line in 64483\n  when units of 64483, 64484 in the same session >= 3\n  review \"session of line {line}\"\n",
    "64483; 64484 x2; 64483 s2; 64484 s2",
    &[(vec![1], "session of line 1")]
)]
// Ranges of modifiers, wherever modifiers are listed.
#[case::line_has_a_modifier_of_a_range(
    "rule r\n  for each line\n  when line has modifier F1-F9\n  info \"{line}\"\n",
    "26010 F3; 26010 FA; 26010 F9",
    &[(vec![1], "1"), (vec![3], "3")]
)]
#[case::claim_has_a_modifier_of_a_list_with_a_range(
    "rule r\n  when claim has modifier FA, T1-T9\n  info \"toe\"\n",
    "28010 T4",
    &[(vec![], "toe")]
)]
#[case::another_line_has_a_modifier_of_a_letter_range(
    "rule r\n  for each line in 67900\n  when another line has modifier E1-E4\n  info \"{other_line}\"\n",
    "67900; 67911 E3",
    &[(vec![1], "2")]
)]
// A pair edit bypasses as its `bypass with …` clauses say.
#[case::different_sites(BYPASSED_PAIRS, "27093 RT; 77002 LT", &[])]
#[case::the_same_site(BYPASSED_PAIRS, "27093 RT; 77002 RT", &[(vec![2], "77002 with 27093")])]
#[case::a_site_on_one_line_only(BYPASSED_PAIRS, "27093 RT; 77002", &[(vec![2], "77002 with 27093")])]
#[case::modifier_59(BYPASSED_PAIRS, "27093 RT; 77002 RT 59", &[])]
#[case::denied_by_the_column_1_line_at_the_same_site(
    BYPASSED_PAIRS,
    "27093 RT; 27095 LT; 77002 LT",
    &[(vec![3], "77002 with 27095")]
)]
#[case::no_clause_no_bypass(
    "rule r\n  77002 with 27093 denied\n  message \"{code} with {with}\"\n",
    "27093 RT; 77002 LT",
    &[(vec![2], "77002 with 27093")]
)]
fn cross_line_conditions(
    #[case] policy: &str,
    #[case] lines: &str,
    #[case] expected: &[(Vec<u32>, &str)],
) {
    let expected: Vec<(Vec<u32>, String)> = expected
        .iter()
        .map(|(l, m)| (l.clone(), m.to_string()))
        .collect();
    assert_eq!(findings(policy, lines), expected);
}

const BILATERAL: &str = "rule bilateral.rt-lt-as-50\n  for each line\n  when line has modifier RT and another line of the same code has modifier LT\n  modify merge with the other line as modifier 50 \"{code} on lines {line} and {other_line}: bill one line with modifier 50\"\n";

#[rstest]
#[case::rt_first("27093 RT; 27093 LT", "[1,2]", "on lines 1 and 2")]
#[case::lt_first("20610; 27093 LT; 27093 RT", "[2,3]", "on lines 3 and 2")]
fn merge_is_proposed_once_with_both_lines(
    #[case] lines: &str,
    #[case] merged: &str,
    #[case] said: &str,
) {
    let engine = engine_alone(BILATERAL).expect("the policy loads");
    let result = judge(&engine, &claim_of(lines));
    assert_eq!(result.findings.len(), 1, "{result:#?}");
    let json = serde_json::to_string(&result.findings[0]).unwrap();
    assert!(
        json.contains(&format!(
            r#""lines":{merged},"code":"27093","suggested_code":null,"change":{{"op":"merge_lines","lines":{merged},"modifier":"50"}}"#
        )),
        "{json}"
    );
    assert!(result.findings[0].message.contains(said), "{json}");
    // The result reads back as it was written.
    let text = serde_json::to_string(&result).unwrap();
    let back: claimrules::ClaimResult = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

#[test]
fn the_other_ops_are_written_as_before() {
    let engine = engine_alone("rule r\n  for each line in 27093\n  modify add modifier 59 \"m\"\n")
        .expect("the policy loads");
    let result = judge(&engine, &claim_of("27093"));
    let json = serde_json::to_string(&result.findings[0]).unwrap();
    assert!(
        json.contains(r#""change":{"op":"add_modifier","line":1,"modifier":"59"}"#),
        "{json}"
    );
}

#[rstest]
#[case::bad_modifier_range(
    "rule r\n  for each line in 77002\n  when line has modifier F9-F1\n  deny \"m\"\n"
)]
#[case::modifier_range_across_letters(
    "rule r\n  when claim has modifier F1-G9, T1-TA\n  review \"m\"\n"
)]
#[case::the_other_line_outside_where(
    "rule r\n  for each line in 77002\n  when the other line has modifier LT\n  deny \"m\"\n"
)]
#[case::merge_without_another_line(
    "rule r\n  for each line in 27093\n  when line has modifier RT\n  modify merge with the other line as modifier 50 \"m\"\n"
)]
#[case::other_line_placeholder_without_another_line(
    "rule r\n  for each line in 27093\n  when not another line has modifier LT\n  review \"{other_line}\"\n"
)]
#[case::other_line_placeholder_in_a_pair_edit(
    "rule r\n  77002 with 27093 denied\n  message \"{code} with line {other_line}\"\n"
)]
#[case::where_without_parentheses(
    "rule r\n  for each line\n  when another line of the same code where the other line has modifier LT\n  review \"m\"\n"
)]
#[case::units_of_a_session_without_a_line(
    "rule r\n  when units of 64483 in the same session > 2\n  review \"m\"\n"
)]
#[case::another_line_inside_a_where(
    "rule r\n  for each line\n  when another line where (another line where (the other line has modifier LT))\n  review \"m\"\n"
)]
fn cross_line_mistakes_are_explained(#[case] policy: &str) {
    let name = case_name();
    let diagnostics = match engine_alone(policy) {
        Ok(_) => panic!("the policy should not load:\n{policy}"),
        Err(d) => d,
    };
    insta::assert_snapshot!(name, render_located_with_help(&diagnostics));
}

#[rstest]
#[case::relations(
    "rule r\n  for each line\n  when line has modifier RT and an earlier   line of the same code on the same date of service in the same session has modifier LT, T1-T9\n  modify merge with the other line as modifier 50 \"m {other_line}\"\n"
)]
#[case::where_and_units(
    "rule r\n  for each line\n  when another line where (the other line is in \"spinal injection\" and the other line units >= 2) or units of 64483,64484 in the same session > 3\n  review \"m\"\n"
)]
fn fmt_round_trips(#[case] policy: &str) {
    let text = format!("{CODES}{policy}");
    let kind = FileKind::Policy;
    let once = format_text(&text, kind).expect("formats");
    let twice = format_text(&once, kind).expect("formats again");
    assert_eq!(once, twice);
    let (first, errors) = parse_policy(&text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(first, parse_policy(&once).0);
    insta::assert_snapshot!(case_name(), once);
}

#[test]
fn merge_can_be_expected_in_a_policy_test() {
    let tests = "test \"RT and LT are billed as one line\"\n  claim on 2024-03-01\n    line 27093 modifier RT\n    line 27093 modifier LT\n  expect modify merge as modifier 50 on line 2 from bilateral.rt-lt-as-50\n  expect modify merge with the other line on line 1\n  expect no modify add modifier 50\n";
    let engine = engine_alone(BILATERAL).expect("the policy loads");
    let files = vec![claimrules::pack::PolicyText {
        name: "bilateral.test.policy".into(),
        text: tests.into(),
    }];
    let report = claimrules::testing::run_tests(&engine, &files);
    let rendered: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.render(false, 90))
        .collect();
    assert_eq!((report.passed, report.failed), (1, 0), "{rendered:#?}");
    // `fmt` keeps the expectations as they read.
    let once = format_text(tests, FileKind::Tests).expect("formats");
    assert_eq!(format_text(&once, FileKind::Tests).expect("again"), once);
    let (parsed, errors) = claimrules::syntax::parse_tests(tests);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(claimrules::syntax::parse_tests(&once).0, parsed);
    assert!(
        once.contains(
            "  expect modify merge as modifier 50 on line 2 from bilateral.rt-lt-as-50\n"
        ),
        "{once}"
    );
}

#[rstest]
#[case::no_line_of_the_same_code(
    RT_LT,
    "27093 RT; 27095 LT",
    "`another line of the same code has modifier LT` does not hold: line 1 has no other line of the same code"
)]
#[case::none_of_the_related_lines(
    "rule r\n  for each line in 64483\n  when an earlier line of the same code in the same session has modifier 59\n  info \"m\"\n",
    "64483; 64483 s2; 64483",
    "`an earlier line of the same code in the same session has modifier 59` does not hold: line 3 has 1 other line before it of the same code in the same session, and it does not pass the test"
)]
#[case::none_of_several(
    "rule r\n  for each line\n  when another line on the same date of service where (the other line units > 2)\n  info \"m\"\n",
    "20610; 64483 x2; 64484",
    "`another line on the same date of service where (the other line units > 2)` does not hold: line 1 has 2 other lines on the same date of service, and none passes the test"
)]
#[case::the_plain_form_keeps_its_reason(
    "rule r\n  for each line in 64483\n  when another line has modifier 59\n  info \"m\"\n",
    "64483; 64484",
    "`another line has modifier 59` does not hold"
)]
#[case::units_of_a_set(
    "rule r\n  when units of \"spinal injection\" on the date of service > 4\n  review \"m\"\n",
    "64483 x2; 64484 x2 s2; 20610 x5",
    "`units of \"spinal injection\" on the date of service > 4` does not hold: the units total 4"
)]
fn explain_says_which_lines_were_looked_at(
    #[case] policy: &str,
    #[case] lines: &str,
    #[case] reason: &str,
) {
    let engine = engine_alone(&format!("{CODES}{policy}")).expect("the policy loads");
    let result = common::judge_with(
        &engine,
        &claim_of(lines),
        claimrules::EvalOptions::default().with_explain(true),
    );
    let explain = result.explain.expect("an explanation");
    let reasons: Vec<&str> = explain
        .rules
        .iter()
        .filter_map(|t| t.reason.as_deref())
        .collect();
    assert!(reasons.contains(&reason), "{reasons:#?}");
}

/// `bypass with modifier` takes ranges too: X1-X9 stands for the X-modifiers with a digit.
#[rstest]
#[case::bypassed_by_a_modifier_of_the_range("27093 X4", 0)]
#[case::not_bypassed_by_another("27093 XS", 1)]
fn bypass_takes_a_range_of_modifiers(#[case] first: &str, #[case] denials: usize) {
    let engine = common::engine_of_files(&[
        (
            "edits.policy",
            "table \"ptp\" of pair edits from \"ptp.tsv\"\n\nrule r\n  apply edits of \"ptp\"\n  bypass with modifier 59, X1-X9\n",
        ),
        (
            "ptp.tsv",
            "column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
             27093\t77002\t\t*\t1\tbundled\n",
        ),
    ])
    .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let result = judge(&engine, &claim_of(&format!("{first}; 77002")));
    assert_eq!(result.findings.len(), denials, "{result:#?}");
}

/// With two cross-line tests, the first that held names the other line, as it names the code.
#[test]
fn the_first_cross_line_test_names_the_other_line() {
    let found = findings(
        "rule r\n  for each line in 20610\n  when another line has 99213 and another line of the same code has modifier LT\n  info \"{matched} {other_line}\"\n",
        "20610 RT; 20610 LT; 99213",
    );
    assert_eq!(found, vec![(vec![1], "99213 3".to_string())]);
}

/// The limit of `units of CODES` may be a number column of the line's code.
#[rstest]
#[case::over_the_column("64483 x2; 64484 x2", 1)]
#[case::at_the_column("64483 x2; 64484", 0)]
#[case::no_row_is_unknown("64484 x9; 64483", 1)]
fn units_of_a_set_against_a_column(#[case] lines: &str, #[case] reviews: usize) {
    let engine = common::engine_of_files(&[
        (
            "limits.policy",
            "codes \"spinal injection\" are 64483, 64484\n\
             table \"levels\" from \"levels.csv\"\n  column most_levels is number\n\n\
             rule r\n  for each line in \"spinal injection\"\n  when units of \"spinal injection\" in the same session > code.most_levels\n  review \"{code}: more than {code.most_levels} levels\"\n",
        ),
        ("levels.csv", "code,most_levels\n64483,3\n"),
    ])
    .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let result = judge(&engine, &claim_of(lines));
    let on_64483 = result
        .findings
        .iter()
        .filter(|f| f.code.as_deref() == Some("64483"))
        .count();
    assert_eq!(on_64483, reviews, "{result:#?}");
    assert!(
        result
            .findings
            .iter()
            .all(|f| f.code.as_deref() == Some("64483")),
        "64484 has no row, so its limit is unknown: {result:#?}"
    );
}

/// Each line is merged at most once by a rule: two RT lines pair with two LT lines, in line
/// order, not both with the first LT line; an RT line left without a partner is not merged.
#[rstest]
#[case::two_pairs("27093 RT; 27093 LT; 27093 RT; 27093 LT", &[[1, 2], [3, 4]])]
#[case::lt_lines_first("27093 LT; 27093 LT; 27093 RT; 27093 RT", &[[1, 3], [2, 4]])]
#[case::an_rt_line_left_over("27093 RT; 27093 LT; 27093 RT", &[[1, 2]])]
fn each_line_is_merged_once(#[case] lines: &str, #[case] pairs: &[[u32; 2]]) {
    let engine = engine_alone(BILATERAL).expect("the policy loads");
    let result = judge(&engine, &claim_of(lines));
    let merged: Vec<Vec<u32>> = result.findings.iter().map(|f| f.lines.clone()).collect();
    let expected: Vec<Vec<u32>> = pairs.iter().map(|p| p.to_vec()).collect();
    assert_eq!(merged, expected, "{result:#?}");
}

/// A pack whose conditions compare lines with lines too many times is stopped on the claim
/// that would take too long, with an error result, not run for hours: here a `where` that looks
/// through the claim for every other line of a claim of 1,000 lines.
#[test]
fn conditions_that_would_take_too_long_stop_with_an_error() {
    let engine = engine_alone(
        "rule t.wide\n  for each line\n  when another line where (claim has 99999 and the other line has modifier LT)\n  info \"{other_line}\"\n",
    )
    .expect("the policy loads");
    let lines: Vec<&str> = std::iter::repeat_n("27093 RT", 1000).collect();
    let started = std::time::Instant::now();
    let result = judge(&engine, &claim_of(&lines.join(";")));
    assert_eq!(result.status, claimrules::Status::Error, "{result:#?}");
    assert!(
        result.errors[0].message.starts_with(
            "the policies' conditions took more than 100000000 steps on this claim of 1000 lines"
        ),
        "{:?}",
        result.errors
    );
    // Not a timing test: a bound far above the budget's cost, to catch a budget that is not kept.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

/// The standard pack judges a claim of 1,000 lines (the most a claim may have) within the
/// budget: mixed codes, so that its cross-line rules look through every line.
#[test]
fn the_standard_pack_judges_the_largest_claim_within_the_budget() {
    let engine = claimrules::Engine::standard().expect("the standard pack loads");
    let codes = [
        "27093 RT", "77002", "20610 LT", "76000", "77003", "27506", "20696", "0201T", "27358",
        "64483",
    ];
    let lines: Vec<&str> = (0..1000).map(|i| codes[i % codes.len()]).collect();
    let result = judge(&engine, &claim_of(&lines.join(";")));
    assert_ne!(
        result.status,
        claimrules::Status::Error,
        "{:?}",
        result.errors
    );
}
