//! The interpreter: a policy snippet, a claim, the findings expected.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{EvalOptions, Status};
use common::{claim, engine_with, judge, judge_with, summary};
use rstest::rstest;

const HIP_ARTHROGRAPHY: &[(&str, &[&str])] = &[("27093", &["RT"]), ("77002", &[])];
/// Fluoroscopy time and indication, so that the documentation rule stays out of the way.
const DOCUMENTED: &str = r#"{"fluoroscopy_minutes": 1, "fluoroscopy_indication": "arthrography"}"#;

#[rstest]
#[case::day_before_cci_16_1("2010-03-31", Status::Deny)]
#[case::long_before("2008-06-15", Status::Deny)]
#[case::day_cci_16_1_takes_effect("2010-04-01", Status::Pass)]
#[case::years_later("2024-05-01", Status::Pass)]
fn fluoroscopy_with_hip_arthrography_is_allowed_after_cci_16_1(
    #[case] date: &str,
    #[case] expected: Status,
) {
    let engine = claimrules::Engine::standard().expect("standard pack loads");
    let result = judge(&engine, &claim(date, HIP_ARTHROGRAPHY, DOCUMENTED));
    assert_eq!(result.status, expected, "{result:#?}");
    if expected == Status::Deny {
        // RT on 27093 alone shows no different site, so it bypasses neither the PTP row nor
        // the hand-written edit: the line is denied once, with the table's finding.
        let f = &result.findings[0];
        assert_eq!(
            summary(&result.findings),
            vec![("ncci.procedure-to-procedure".into(), "deny", vec![2])]
        );
        assert_eq!(f.code.as_deref(), Some("77002"));
        assert_eq!(
            f.message,
            "77002 is bundled into 27093 (NCCI procedure-to-procedure edit): Standards of medical/surgical practice"
        );
        assert_eq!(f.policy.file, "policies/ncci.policy");
    }
}

#[test]
fn im_nail_makes_a_percutaneous_code_a_review_and_explains_why() {
    let engine = claimrules::Engine::standard().expect("standard pack loads");
    let c = claim(
        "2024-05-14",
        &[("27756", &["RT"])],
        r#"{"hardware": ["im_nail"]}"#,
    );
    let result = judge_with(&engine, &c, EvalOptions::default().with_explain(true));
    assert_eq!(result.status, Status::Review);
    assert_eq!(
        summary(&result.findings),
        vec![
            (
                "fixation.percutaneous-code-for-open-treatment".into(),
                "review",
                vec![1]
            ),
            ("fixation.im-nail-counterpart".into(), "suggest", vec![1])
        ]
    );
    let explain = result.explain.expect("an explanation");
    let derived = &explain.derived[0];
    assert_eq!(
        (derived.fact.as_str(), derived.rule.as_str()),
        ("approach", "fixation.im-nail-is-open")
    );
    assert_eq!(derived.value, serde_json::json!("open"));
}

#[test]
fn a_percutaneous_code_without_documentation_is_not_flagged() {
    let engine = claimrules::Engine::standard().expect("standard pack loads");
    let result = judge(&engine, &claim("2024-05-14", &[("27756", &[])], "{}"));
    assert_eq!(result.status, Status::Pass, "{result:#?}");
}

const RULES: &str = r#"
codes "guidance" are 77002, 77003
rule t.line-modifier
  for each line in "guidance"
  when line has modifier TC
  modify remove line "drop the technical line {line}"
rule t.add-26
  for each line in "guidance"
  when place_of_service in (21, 22, 24) and not provider.owns_equipment and not line has modifier 26, TC
  modify add modifier 26 "add 26 to {code}"
rule t.second-77003
  for each line in 77003
  when line units > 1 or an earlier line in the same session has 77003
  deny "77003 once per session"
rule t.minutes
  for each line in "guidance"
  when missing fluoroscopy_minutes or missing fluoroscopy_indication
  review "document time and indication for {code}"
rule t.unless
  for each line in 77002
  when claim has 27756
  unless film_archived and separate_interpretation
  deny "{code} bundled into {matched}"
rule t.diagnosis
  when claim has 20697 and not claim has diagnosis S42.*, S52.*, S72.*, S82.*
  review "no fracture diagnosis"
"#;

#[rstest]
#[case::add_26_in_hospital(
    r#"{"id":"a","service_date":"2024-01-02","place_of_service":"22","provider":{"owns_equipment":false},
        "lines":[{"code":"77002"}],"documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[("t.add-26", "modify", &[1][..])]
)]
#[case::owner_in_office(
    r#"{"id":"a","service_date":"2024-01-02","place_of_service":"11","provider":{"owns_equipment":true},
        "lines":[{"code":"77002","modifiers":["26"]}],"documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[]
)]
#[case::unknown_ownership_is_not_false(
    r#"{"id":"a","service_date":"2024-01-02","place_of_service":"22",
        "lines":[{"code":"77002"}],"documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[]
)]
#[case::tc_line_removed(
    r#"{"id":"a","service_date":"2024-01-02","place_of_service":"22","provider":{"owns_equipment":false},
        "lines":[{"code":"77003","modifiers":["26"]},{"code":"77003","modifiers":["TC"]}],
        "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[("t.line-modifier", "modify", &[2][..]), ("t.second-77003", "deny", &[2][..])]
)]
#[case::second_session_is_fine(
    r#"{"id":"a","service_date":"2024-01-02",
        "lines":[{"code":"77003"},{"code":"77003","session":2}],
        "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[]
)]
#[case::units_above_one(
    r#"{"id":"a","service_date":"2024-01-02","lines":[{"code":"77003","units":2}],
        "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    &[("t.second-77003", "deny", &[1][..])]
)]
#[case::missing_documentation_reviewed(
    r#"{"id":"a","service_date":"2024-01-02","lines":[{"code":"77003"}]}"#,
    &[("t.minutes", "review", &[1][..])]
)]
#[case::exception_not_documented_still_denies(
    r#"{"id":"a","service_date":"2024-01-02","lines":[{"code":"27756"},{"code":"77002"}],
        "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x","film_archived":true}}"#,
    &[("t.unless", "deny", &[2][..])]
)]
#[case::exception_documented_excuses(
    r#"{"id":"a","service_date":"2024-01-02","lines":[{"code":"27756"},{"code":"77002"}],
        "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x","film_archived":true,"separate_interpretation":true}}"#,
    &[]
)]
#[case::claim_level_review(
    r#"{"id":"a","service_date":"2024-01-02","diagnoses":["M25.551"],"lines":[{"code":"20697"}]}"#,
    &[("t.diagnosis", "review", &[][..])]
)]
#[case::claim_level_diagnosis_present(
    r#"{"id":"a","service_date":"2024-01-02","diagnoses":["S82241A"],"lines":[{"code":"20697"}]}"#,
    &[]
)]
fn rules_fire_on_the_lines_they_aim_at(
    #[case] claim: &str,
    #[case] expected: &[(&str, &str, &[u32])],
) {
    let engine = engine_with(RULES);
    let result = judge(&engine, claim);
    let expected: Vec<(String, &str, Vec<u32>)> = expected
        .iter()
        .map(|(r, a, l)| (r.to_string(), *a, l.to_vec()))
        .collect();
    // The standard pack is loaded too; only the rules under test are compared.
    let mut got = summary(&result.findings);
    got.retain(|(rule, _, _)| rule.starts_with("t."));
    assert_eq!(got, expected, "{result:#?}");
}

#[test]
fn messages_name_the_line_and_what_matched() {
    let engine = engine_with(RULES);
    let result = judge(
        &engine,
        r#"{"id":"a","service_date":"2024-01-02","lines":[{"code":"27756"},{"code":"77002"}],
            "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    );
    let f = result
        .findings
        .iter()
        .find(|f| f.rule == "t.unless")
        .expect("t.unless fired");
    assert_eq!(f.message, "77002 bundled into 27756");
}

#[test]
fn findings_are_ordered_by_line_then_policy_position() {
    let engine = engine_with(RULES);
    let result = judge(
        &engine,
        r#"{"id":"a","service_date":"2024-01-02","place_of_service":"22","provider":{"owns_equipment":false},
            "lines":[{"line":7,"code":"77003","units":2},{"line":3,"code":"77002"}]}"#,
    );
    let order: Vec<(u32, String)> = result
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("t."))
        .map(|f| (f.lines[0], f.rule.clone()))
        .collect();
    assert_eq!(
        order,
        vec![
            (3, "t.add-26".into()),
            (3, "t.minutes".into()),
            (7, "t.add-26".into()),
            (7, "t.second-77003".into()),
            (7, "t.minutes".into()),
        ]
    );
}

#[test]
fn explain_says_what_was_not_evaluated_and_why() {
    let engine = engine_with(RULES);
    let result = judge_with(
        &engine,
        r#"{"id":"a","service_date":"2024-01-02","place_of_service":"22","lines":[{"code":"77002"}],
            "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
        EvalOptions::default().with_explain(true),
    );
    let trace = result
        .explain
        .expect("explanation")
        .rules
        .into_iter()
        .find(|r| r.rule == "t.add-26")
        .expect("t.add-26 considered");
    assert!(!trace.fired);
    let reason = trace.reason.expect("a reason");
    assert!(
        reason.contains("not evaluated") && reason.contains("provider.owns_equipment"),
        "{reason}"
    );
}

#[test]
fn derivations_reach_a_fixpoint_through_chains() {
    let engine = engine_with(
        r#"
derived fact stage_one is boolean
derived fact stage_two is boolean
rule t.chain
  stage_one implies stage_two
  hardware has k_wire implies stage_one
rule t.fire
  when stage_two
  info "both derived"
"#,
    );
    let result = judge(
        &engine,
        &claim(
            "2024-01-02",
            &[("99213", &[])],
            r#"{"hardware": ["k_wire"]}"#,
        ),
    );
    assert_eq!(
        summary(&result.findings),
        vec![("t.fire".into(), "info", vec![])]
    );
}

#[test]
fn an_engine_is_shared_across_threads() {
    let engine = std::sync::Arc::new(claimrules::Engine::standard().expect("loads"));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let date = if i % 2 == 0 {
                    "2010-03-31"
                } else {
                    "2010-04-01"
                };
                judge(&engine, &claim(date, HIP_ARTHROGRAPHY, DOCUMENTED)).status
            })
        })
        .collect();
    let statuses: Vec<Status> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    assert_eq!(
        statuses,
        vec![Status::Deny, Status::Pass, Status::Deny, Status::Pass]
    );
}

#[test]
fn matched_names_the_code_of_the_branch_that_held() {
    let engine = engine_with(
        r#"
rule t.which
  for each line in 76000
  when (another line has 27093 and fluoroscopy_minutes > 100) or another line has 27235
  review "{code} reviewed because of {matched}"
"#,
    );
    let result = judge(
        &engine,
        r#"{"id":"m","service_date":"2024-01-02","lines":[{"code":"27093"},{"code":"27235"},{"code":"76000"}],
            "documentation":{"fluoroscopy_minutes":1,"fluoroscopy_indication":"x"}}"#,
    );
    let f = result
        .findings
        .iter()
        .find(|f| f.rule == "t.which")
        .expect("t.which fired");
    assert_eq!(f.message, "76000 reviewed because of 27235");
}

/// Rules on a line's comparison code: `line has` is never unknown; a test of the value is
/// unknown on a line without one, so neither it nor its negation fires there.
const COMPARISON_RULES: &str = r#"
codes "t unlisted" are 27899, 28899

rule t.none
  for each line in "t unlisted"
  when not line has comparison code
  review "{code} has no comparison code ({comparison_code})"

rule t.is
  for each line in "t unlisted"
  when line comparison code is 27762
  info "{code} compared with {comparison_code}"

rule t.is-not
  for each line in "t unlisted"
  when line comparison code is not 27762
  info "{code} compared with {comparison_code}, not 27762"

rule t.unlisted
  for each line
  when line comparison code in "t unlisted"
  review "{code} is compared with the unlisted {comparison_code}"
"#;

#[rstest]
#[case::none(r#"{"code":"27899"}"#, &["t.none"], "27899 has no comparison code ((none))")]
#[case::null(r#"{"code":"27899","comparison_code":null}"#, &["t.none"], "27899 has no comparison code ((none))")]
#[case::the_one_expected(r#"{"code":"27899","comparison_code":"27762"}"#, &["t.is"], "27899 compared with 27762")]
#[case::another(r#"{"code":"27899","comparison_code":"27766"}"#, &["t.is-not"], "27899 compared with 27766, not 27762")]
#[case::unlisted(r#"{"code":"27899","comparison_code":"28899"}"#, &["t.is-not", "t.unlisted"], "27899 compared with 28899, not 27762")]
#[case::on_a_listed_code(r#"{"code":"27766","comparison_code":"27899"}"#, &["t.unlisted"], "27766 is compared with the unlisted 27899")]
fn rules_read_a_lines_comparison_code(
    #[case] line: &str,
    #[case] fired: &[&str],
    #[case] first_message: &str,
) {
    let engine = engine_with(COMPARISON_RULES);
    let claim = format!(r#"{{"id":"c","service_date":"2024-05-01","lines":[{line}]}}"#);
    let result = judge(&engine, &claim);
    let got: Vec<&str> = result
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("t."))
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(got, fired, "{result:#?}");
    let first = result.findings.iter().find(|f| f.rule.starts_with("t."));
    assert_eq!(first.map(|f| f.message.as_str()), Some(first_message));
}

#[test]
fn explain_names_the_line_without_a_comparison_code() {
    let engine = engine_with(COMPARISON_RULES);
    let claim =
        r#"{"id":"c","service_date":"2024-05-01","lines":[{"code":"27766"},{"code":"27899"}]}"#;
    let result = judge_with(&engine, claim, EvalOptions::default().with_explain(true));
    let reasons: Vec<String> = result
        .explain
        .expect("explained")
        .rules
        .into_iter()
        .filter(|t| t.rule == "t.is" || t.rule == "t.unlisted")
        .filter_map(|t| t.reason)
        .collect();
    assert_eq!(
        reasons,
        [
            "`line comparison code is 27762` was not evaluated: line 2 has no comparison code",
            "`line comparison code in \"t unlisted\"` was not evaluated: line 1 has no comparison code",
            "`line comparison code in \"t unlisted\"` was not evaluated: line 2 has no comparison code",
        ]
    );
}

/// An X12 line's comparison code (SV101-7) is judged like a JSON one.
#[test]
fn an_x12_comparison_code_is_judged_like_a_json_one() {
    let engine = engine_with(COMPARISON_RULES);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/x12/demo.example1.837");
    let text = std::fs::read_to_string(path)
        .expect("demo.example1.837")
        .replacen(
            "SV1*HC:86663*",
            "SV1*HC:27899:::::PERC PIN MEDIAL MALLEOLUS COMPARISON CODE 27762*",
            1,
        );
    let results = engine.evaluate_input(&text, EvalOptions::default());
    let fired: Vec<(&str, &str)> = results
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(move |f| (r.claim.as_deref().unwrap_or(""), f))
        })
        .filter(|(_, f)| f.rule.starts_with("t."))
        .map(|(c, f)| (c, f.message.as_str()))
        .collect();
    assert_eq!(
        fired,
        [("26463774@2006-10-10", "27899 compared with 27762")]
    );
}

/// A line rule whose `when` needs a modifier is looked at only for claims with that modifier on
/// a line (the rule index by modifier); its findings are the same as if every rule were tried.
#[rstest]
#[case::the_modifier_needed("line has modifier 26 and line units > 1", &["26"], 2, true)]
#[case::no_modifier("line has modifier 26 and line units > 1", &[], 2, false)]
#[case::another_modifier("line has modifier 26 and line units > 1", &["TC"], 2, false)]
#[case::either_branch_of_or("line has modifier 26 or line has modifier TC", &["TC"], 1, true)]
#[case::or_with_a_branch_without_one("line has modifier 26 or line units > 1", &[], 2, true)]
#[case::negated("not line has modifier 26", &[], 1, true)]
#[case::negated_with_it("not line has modifier 26", &["26"], 1, false)]
fn a_rule_that_needs_a_modifier_fires_as_written(
    #[case] when: &str,
    #[case] modifiers: &[&str],
    #[case] units: u32,
    #[case] fires: bool,
) {
    let engine = common::engine_alone(&format!(
        "rule t.m\n  for each line\n  when {when}\n  review \"{{code}}\"\n"
    ))
    .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let mods: Vec<String> = modifiers.iter().map(|m| format!("\"{m}\"")).collect();
    let json = format!(
        r#"{{"id": "C", "service_date": "2024-03-01", "lines": [{{"code": "99213"}}, {{"code": "71046", "units": {units}, "modifiers": [{}]}}]}}"#,
        mods.join(", ")
    );
    let result = judge(&engine, &json);
    let lines: Vec<u32> = result
        .findings
        .iter()
        .flat_map(|f| f.lines.clone())
        .collect();
    if fires {
        assert!(lines.contains(&2), "{result:#?}");
    } else {
        assert!(!lines.contains(&2), "{result:#?}");
    }
}

/// A line rule whose `when` tests a column of a code table is looked at only for claims with a
/// code whose row passes the test (the rule index by column value). Rows a policy test gives
/// count too: `policies/fee-schedule.test.policy` gives status D, R and M, which no shipped row
/// has.
#[rstest]
#[case::a_code_whose_row_passes("99070", "", true)]
#[case::a_code_whose_row_does_not("99213", "", false)]
#[case::a_code_without_a_row("27507", "", false)]
#[case::a_code_of_the_other_branch("27093", "27093,X", true)]
fn a_rule_on_a_column_value_fires_as_written(
    #[case] code: &str,
    #[case] given: &str,
    #[case] fires: bool,
) {
    let mut data = "code,payment_status\n99070,B\n99213,A\n".to_string();
    data.push_str(given);
    data.push('\n');
    let policy = "table \"t\" from \"t.csv\"\n  column payment_status is text\n\n\
rule t.bundled\n  for each line\n  when code.payment_status in (B, P) or code.payment_status is X\n  deny \"{code}\"\n";
    let engine = claimrules::Engine::builder()
        .without_standard_pack()
        .pack(claimrules::PackSource::Texts(vec![
            ("t.policy".into(), policy.into()),
            ("t.csv".into(), data),
        ]))
        .build()
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let json = format!(
        r#"{{"id": "C", "service_date": "2024-03-01", "lines": [{{"code": "20610"}}, {{"code": "{code}"}}]}}"#
    );
    let result = judge(&engine, &json);
    assert_eq!(!result.findings.is_empty(), fires, "{result:#?}");
}
