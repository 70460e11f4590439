//! Reading claims: every input form gives one result per claim, and a broken claim breaks
//! only itself.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{Engine, EvalOptions, Status};
use rstest::rstest;

const GOOD_A: &str = r#"{"id": "A", "service_date": "2010-04-01", "lines": [{"code": "27093"}]}"#;
const BROKEN_B: &str =
    r#"{"id": "B", "service_date": "2010-04-01", "lines": [{"code": "27093"},]}"#;
const GOOD_C: &str =
    r#"{"id": "C", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}]}"#;

fn statuses(input: &str) -> Vec<(Option<String>, Status)> {
    let engine = Engine::standard().expect("loads");
    engine
        .evaluate_input(input, EvalOptions::default())
        .into_iter()
        .map(|r| (r.claim, r.status))
        .collect()
}

fn pretty(claim: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(claim).unwrap_or_else(|_| serde_json::json!({}));
    if v.as_object().is_some_and(|o| !o.is_empty()) {
        serde_json::to_string_pretty(&v).expect("pretty")
    } else {
        // Keep a broken claim broken, spread over lines.
        claim.replace(", ", ",\n  ")
    }
}

#[rstest]
#[case::ndjson(format!("{GOOD_A}\n{BROKEN_B}\n{GOOD_C}\n"))]
#[case::ndjson_broken_first(format!("{BROKEN_B}\n{GOOD_A}\n{GOOD_C}\n"))]
#[case::array(format!("[{GOOD_A},\n {BROKEN_B},\n {GOOD_C}]"))]
#[case::pretty_objects(format!("{}\n{}\n{}\n", pretty(GOOD_A), pretty(BROKEN_B), pretty(GOOD_C)))]
fn one_broken_claim_breaks_only_itself(#[case] input: String) {
    let got = statuses(&input);
    let mut ids: Vec<&str> = got.iter().filter_map(|(id, _)| id.as_deref()).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec!["A", "B", "C"], "{got:?}");
    for (id, status) in &got {
        let expected = match id.as_deref() {
            Some("A") => Status::Pass,
            Some("B") => Status::Error,
            _ => Status::Deny,
        };
        assert_eq!(*status, expected, "{id:?} in {got:?}");
    }
}

#[rstest]
#[case::empty("", 0)]
#[case::blank("  \n\n", 0)]
#[case::empty_array("[]", 0)]
#[case::single_pretty(pretty(GOOD_C), 1)]
#[case::null_line("null\n", 1)]
fn counts_claims_in_any_form(#[case] input: String, #[case] count: usize) {
    assert_eq!(statuses(&input).len(), count);
}

#[rstest]
#[case::units_not_whole(
    r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27093","units":1.5}]}"#,
    "lines[0].units",
    "whole number"
)]
#[case::line_zero(
    r#"{"id":"x","service_date":"2024-01-01","lines":[{"line":0,"code":"27093"}]}"#,
    "lines[0].line",
    "start at 1"
)]
#[case::date_with_sign(
    r#"{"id":"x","service_date":"2010-+3-31","lines":[{"code":"27093"}]}"#,
    "service_date",
    "YYYY-MM-DD"
)]
#[case::bad_approach(r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27093"}],"procedures":[{"code":"0QSG34Z","approach":"closed"}]}"#, "procedures[0].approach", "ICD-10-PCS approach")]
#[case::unknown_fact(r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27093"}],"documentation":{"fluoroscopy_minuts":2}}"#, "documentation.fluoroscopy_minuts", "did you mean `fluoroscopy_minutes`")]
#[case::comparison_code_of_four_digits(
    r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27899","comparison_code":"2776"}]}"#,
    "lines[0].comparison_code",
    "expected a 5-character CPT/HCPCS code such as `27093`, found `2776`"
)]
#[case::comparison_code_as_a_number(r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27093"},{"code":"27899","comparison_code":27762}]}"#, "lines[1].comparison_code", "invalid type: integer `27762`")]
#[case::wrong_list_value(r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27093"}],"documentation":{"hardware":["nail"]}}"#, "documentation.hardware", "expected one of")]
fn bad_claims_name_the_json_path(#[case] claim: &str, #[case] path: &str, #[case] words: &str) {
    let engine = Engine::standard().expect("loads");
    let result = common::judge(&engine, claim);
    assert_eq!(result.status, Status::Error);
    let e = &result.errors[0];
    assert_eq!(e.path.as_deref(), Some(path), "{e:?}");
    assert!(e.message.contains(words), "{e:?}");
    assert_eq!(e.line, Some(1));
}

/// A claim of `count` lines numbered by position, but the last, which takes number `last`.
fn numbered_lines(count: usize, last: u32) -> String {
    let mut lines: Vec<String> = (1..count)
        .map(|_| r#"{"code":"27093"}"#.to_string())
        .collect();
    lines.push(format!(r#"{{"line":{last},"code":"77002"}}"#));
    format!(
        r#"{{"id":"x","service_date":"2024-01-01","lines":[{}]}}"#,
        lines.join(",")
    )
}

// Short claims compare their line numbers pairwise, long ones hash them: both ways are asked.
#[rstest]
#[case::short_claim_repeats_a_number(numbered_lines(3, 2), Some("lines[2].line"))]
#[case::short_claim_repeats_the_first(numbered_lines(2, 1), Some("lines[1].line"))]
#[case::long_claim_repeats_a_number(numbered_lines(40, 17), Some("lines[39].line"))]
#[case::long_claim_numbers_past_its_length(numbered_lines(40, 41), None)]
#[case::short_claim_numbers_past_its_length(numbered_lines(3, 9), None)]
fn a_repeated_line_number_is_an_error_at_its_line(
    #[case] claim: String,
    #[case] path: Option<&str>,
) {
    let engine = Engine::standard().expect("loads");
    let result = common::judge(&engine, &claim);
    match path {
        Some(path) => {
            assert_eq!(result.status, Status::Error);
            let e = &result.errors[0];
            assert_eq!(e.path.as_deref(), Some(path), "{e:?}");
            assert!(e.message.contains("used by an earlier line"), "{e:?}");
        }
        None => assert_ne!(result.status, Status::Error, "{:?}", result.errors),
    }
}

#[test]
fn a_json_line_may_carry_its_minutes() {
    let engine = Engine::standard().expect("loads");
    let claim = r#"{"id":"m","service_date":"2024-01-01","lines":[{"code":"00400","minutes":45}]}"#;
    let result = common::judge_with(&engine, claim, EvalOptions::default().with_explain(true));
    assert_ne!(result.status, Status::Error, "{:?}", result.errors);
    let explain = result.explain.expect("explained");
    assert_eq!(
        explain.minutes,
        [claimrules::report::LineMinutes {
            line: 1,
            minutes: 45,
            units: 1
        }]
    );
    let zero = r#"{"id":"m","service_date":"2024-01-01","lines":[{"code":"00400","minutes":0}]}"#;
    let result = common::judge(&engine, zero);
    assert_eq!(result.status, Status::Error);
    assert_eq!(result.errors[0].path.as_deref(), Some("lines[0].minutes"));
    assert_eq!(
        result.errors[0].message,
        "`0` is not a whole number of minutes from 1 to 99999"
    );
}

#[test]
fn a_json_line_may_carry_a_comparison_code_and_null_leaves_it_unknown() {
    let engine = Engine::standard().expect("loads");
    for (line, expected) in [
        (
            r#"{"code":"27899","comparison_code":"27762"}"#,
            Some("27762"),
        ),
        (
            r#"{"code":"27899","comparison_code":"g0260"}"#,
            Some("G0260"),
        ),
        (r#"{"code":"27899","comparison_code":null}"#, None),
        (r#"{"code":"27899"}"#, None),
    ] {
        let json = format!(r#"{{"id":"c","service_date":"2024-01-01","lines":[{line}]}}"#);
        let claim: claimrules::Claim = serde_json::from_str(&json).expect("reads");
        assert_eq!(
            claim.lines[0]
                .comparison_code
                .map(|c| c.to_string())
                .as_deref(),
            expected,
            "{line}"
        );
        assert_ne!(common::judge(&engine, &json).status, Status::Error);
    }
}

#[test]
fn a_comparison_code_of_a_megabyte_is_a_short_error() {
    let engine = Engine::standard().expect("loads");
    let huge = "7".repeat(1_000_000);
    let claim = format!(
        r#"{{"id":"c","service_date":"2024-01-01","lines":[{{"code":"27899","comparison_code":"{huge}"}}]}}"#
    );
    let result = common::judge(&engine, &claim);
    assert_eq!(result.status, Status::Error);
    let e = &result.errors[0];
    assert_eq!(e.path.as_deref(), Some("lines[0].comparison_code"));
    assert_eq!(
        e.message,
        "expected a 5-character CPT/HCPCS code such as `27093`, found `7777777777777777777777777777777777777777…` (1000000 characters)"
    );
}

#[test]
fn approach_is_read_from_the_pcs_code_when_not_given() {
    let engine = common::engine_with(
        "rule t.pcs\n  when procedure approach is percutaneous\n  info \"percutaneous PCS\"\n",
    );
    let claim = r#"{"id":"x","service_date":"2024-01-01","lines":[{"code":"27756"}],"procedures":[{"code":"0QSG34Z"}]}"#;
    let result = common::judge(&engine, claim);
    assert_eq!(
        common::summary(&result.findings),
        vec![("t.pcs".into(), "info", vec![])]
    );
}

#[test]
fn the_library_path_gives_a_claim_the_same_defaults() {
    let engine = Engine::standard().expect("loads");
    let claim: claimrules::Claim = serde_json::from_str(GOOD_C).expect("a claim");
    let result = engine.evaluate(&claim, EvalOptions::default());
    assert_eq!(
        result.findings[0].lines,
        vec![2],
        "line numbers default to positions"
    );
    let empty: claimrules::Claim =
        serde_json::from_str(r#"{"id":"e","service_date":"2024-01-01","lines":[]}"#)
            .expect("a claim");
    assert_eq!(
        engine.evaluate(&empty, EvalOptions::default()).status,
        Status::Error
    );
}
