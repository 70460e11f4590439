//! `same reason as` (issue 21, item 8): when rules that say they deny for the same reason make
//! findings of one action on one line, the finding is given once, and `--explain` lists the
//! others as agreed.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{ActionName, Engine, EvalOptions, PackSource, Status};
use common::{engine_alone, judge, judge_with, render, summary};
use rstest::rstest;

/// A claim with these codes on its lines, one unit each, on 2024-03-01.
fn claim_of(codes: &[&str]) -> String {
    let lines: Vec<String> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| format!(r#"{{"line": {}, "code": "{c}"}}"#, i + 1))
        .collect();
    format!(
        r#"{{"id": "SR-1", "service_date": "2024-03-01", "lines": [{}]}}"#,
        lines.join(", ")
    )
}

fn load(policy: &str) -> Engine {
    engine_alone(policy).unwrap_or_else(|d| panic!("{}", render(&d)))
}

fn explained(engine: &Engine, claim: &str) -> claimrules::ClaimResult {
    judge_with(engine, claim, EvalOptions::default().with_explain(true))
}

/// `(rule, line, action, kept)` of each agreement.
fn agreed(result: &claimrules::ClaimResult) -> Vec<(String, u32, ActionName, String)> {
    result
        .explain
        .as_ref()
        .expect("an explanation")
        .agreed
        .iter()
        .map(|a| (a.rule.clone(), a.line, a.action, a.kept.clone()))
        .collect()
}

const TWO_RULES: &str = "\
rule a.first
  for each line in 77002
  deny \"first\"

rule b.second
  same reason as a.first
  for each line in 77002
  deny \"second\"
";

#[test]
fn two_related_rules_deny_a_line_once_and_the_rule_loaded_first_gives_the_finding() {
    let engine = load(TWO_RULES);
    let result = explained(&engine, &claim_of(&["77002"]));
    assert_eq!(result.status, Status::Deny);
    assert_eq!(
        summary(&result.findings),
        vec![("a.first".into(), "deny", vec![1])]
    );
    assert_eq!(
        agreed(&result),
        vec![("b.second".into(), 1, ActionName::Deny, "a.first".into())]
    );
    let a = &result.explain.as_ref().expect("explain").agreed[0];
    assert_eq!(a.message, "second");
    assert_eq!((a.policy.file.as_str(), a.policy.line), ("test.policy", 8));
    assert_eq!(a.table, None);
}

#[test]
fn the_relation_holds_whichever_rule_names_the_other() {
    let named_by_the_first = TWO_RULES.replace("  same reason as a.first\n", "").replace(
        "rule a.first\n",
        "rule a.first\n  same reason as b.second\n",
    );
    let engine = load(&named_by_the_first);
    let result = explained(&engine, &claim_of(&["77002"]));
    assert_eq!(
        summary(&result.findings),
        vec![("a.first".into(), "deny", vec![1])]
    );
    assert_eq!(
        agreed(&result),
        vec![("b.second".into(), 1, ActionName::Deny, "a.first".into())]
    );
}

#[test]
fn without_explain_the_findings_are_the_same_and_no_explanation_is_written() {
    let engine = load(TWO_RULES);
    let claim = claim_of(&["77002", "77002"]);
    let plain = judge(&engine, &claim);
    let with = explained(&engine, &claim);
    assert_eq!(plain.findings, with.findings);
    assert!(plain.explain.is_none());
    let text = serde_json::to_string(&plain).expect("JSON");
    assert!(!text.contains("agreed"), "{text}");
    assert_eq!(agreed(&with).len(), 2);
}

/// What is not the same finding stays two findings.
#[rstest]
#[case::another_action(
    "rule a.first\n  for each line in 77002\n  deny \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  review \"second\"\n",
    &["77002"],
    2
)]
#[case::another_line(
    "rule a.first\n  for each line in 77002\n  when not an earlier line has 77002\n  deny \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  when an earlier line has 77002\n  deny \"second\"\n",
    &["77002", "77002"],
    2
)]
#[case::another_suggested_code(
    "rule a.first\n  for each line in 77002\n  suggest 77003 \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  suggest 77012 \"second\"\n",
    &["77002"],
    2
)]
#[case::another_change(
    "rule a.first\n  for each line in 77002\n  modify add modifier 26 \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  modify add modifier TC \"second\"\n",
    &["77002"],
    2
)]
#[case::an_unrelated_rule(
    "rule a.first\n  for each line in 77002\n  deny \"first\"\n\n\
     rule c.other\n  for each line in 77002\n  deny \"other\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  deny \"second\"\n",
    &["77002"],
    2
)]
#[case::the_same_suggested_code(
    "rule a.first\n  for each line in 77002\n  suggest 77003 \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  suggest 77003 \"second\"\n",
    &["77002"],
    1
)]
#[case::the_same_change(
    "rule a.first\n  for each line in 77002\n  modify remove line \"first\"\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  modify remove line \"second\"\n",
    &["77002"],
    1
)]
#[case::a_pair_edit_and_a_line_rule(
    "rule a.first\n  77002 with 27093 denied\n\n\
     rule b.second\n  same reason as a.first\n  for each line in 77002\n  when another line has 27093\n  deny \"second\"\n",
    &["27093", "77002"],
    1
)]
fn only_the_same_finding_of_related_rules_is_given_once(
    #[case] policy: &str,
    #[case] codes: &[&str],
    #[case] findings: usize,
) {
    let engine = load(policy);
    let result = explained(&engine, &claim_of(codes));
    assert_eq!(
        result.findings.len(),
        findings,
        "{:#?}",
        summary(&result.findings)
    );
}

const CHAIN: &str = "\
rule a.first
  for each line in 77002
  when claim has 27093
  deny \"first\"

rule b.second
  same reason as a.first, c.third
  for each line in 77002
  when claim has 27095
  deny \"second\"

rule c.third
  for each line in 77002
  when claim has 27370
  deny \"third\"
";

#[rstest]
// `a` and `c` are each `b`'s reason, not each other's: without `b`'s finding both stand.
#[case::without_the_rule_between(&["27093", "27370", "77002"], &["a.first", "c.third"])]
// With it, the three are one reason on the line.
#[case::with_the_rule_between(&["27093", "27095", "27370", "77002"], &["a.first"])]
#[case::two_of_them(&["27095", "27370", "77002"], &["b.second"])]
fn findings_are_one_when_related_directly_or_through_another_on_the_line(
    #[case] codes: &[&str],
    #[case] given: &[&str],
) {
    let engine = load(CHAIN);
    let result = explained(&engine, &claim_of(codes));
    let rules: Vec<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, given);
}

/// A national table's finding, which cites the CMS row, is the one given, though its rule
/// loads after the rule that repeats it.
#[test]
fn the_finding_citing_a_national_table_row_is_given() {
    let engine = Engine::builder()
        .without_standard_pack()
        .pack(PackSource::Texts(vec![
            (
                "a.policy".into(),
                "rule a.seed\n  same reason as n.mue\n  for each line in 77002\n  when line units > 1\n  deny \"seed\"\n"
                    .into(),
            ),
            (
                "n.policy".into(),
                "table \"mue\" of unit limits from \"mue.tsv\"\n\n\
                 rule n.mue\n  for each line in \"mue\"\n  when line units > code.mue\n  deny \"national\"\n"
                    .into(),
            ),
            ("mue.tsv".into(), "hcpcs\tmue_uos\tmai\n77002\t1\t1\n".into()),
        ]))
        .build()
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let claim = r#"{"id": "N-1", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "77002", "units": 2}]}"#;
    let result = explained(&engine, claim);
    assert_eq!(
        summary(&result.findings),
        vec![("n.mue".into(), "deny", vec![1])]
    );
    let table = result.findings[0].table.as_ref().expect("a cited row");
    assert_eq!((table.name.as_str(), table.line), ("mue", 2));
    assert_eq!(
        agreed(&result),
        vec![("a.seed".into(), 1, ActionName::Deny, "n.mue".into())]
    );
}

/// The standard pack's 0201T with 3 units: one denial, not three.
#[test]
fn sacroplasty_with_three_units_is_denied_once() {
    let engine = Engine::standard().expect("the standard pack loads");
    let claim = r#"{"id": "S-3", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "0201T", "units": 3}]}"#;
    let result = explained(&engine, claim);
    assert_eq!(
        summary(&result.findings),
        vec![("ncci.mue.date-of-service-edit".into(), "deny", vec![1])]
    );
    assert_eq!(
        agreed(&result),
        vec![(
            "sacroplasty.units-per-date-of-service".into(),
            1,
            ActionName::Deny,
            "ncci.mue.date-of-service-edit".into()
        )]
    );
    let text = claimrules::report::render_text(&result);
    assert!(
        text.contains(
            "rule sacroplasty.units-per-date-of-service on line 1 agreed with \
             ncci.mue.date-of-service-edit: one deny for the same reason"
        ),
        "{text}"
    );
}

/// An override replaces the rule below, its `same reason as` with it: written again, the
/// national edit and the override deny the line once; left out, twice.
#[rstest]
#[case::written_again("  same reason as ncci.procedure-to-procedure\n", 1)]
#[case::left_out("", 2)]
fn an_override_keeps_same_reason_only_by_writing_it(#[case] clause: &str, #[case] denials: usize) {
    let policy = format!(
        "pack \"payer\"\n  extends \"standard\"\n\n\
         override rule fluoroscopy.basic-with-specific-guidance\n{clause}  76000 with 77003 in the same session denied\n"
    );
    let engine = Engine::builder()
        .policy("payer.policy", policy)
        .build()
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let claim = r#"{"id": "P-1", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "62322"},
      {"line": 2, "code": "77003"}, {"line": 3, "code": "76000"}],
      "documentation": {"fluoroscopy_minutes": 1, "fluoroscopy_indication": "epidural injection"}}"#;
    let result = explained(&engine, claim);
    let on_76000 = result
        .findings
        .iter()
        .filter(|f| f.action == ActionName::Deny && f.lines == [3])
        .count();
    assert_eq!(on_76000, denials, "{:#?}", summary(&result.findings));
}

/// A rule of the standard pack names `ncci.procedure-to-procedure`; a pack that overrides the
/// national rule keeps the relation, as the id names every version.
#[test]
fn a_clause_names_the_overrides_of_the_rule_it_names() {
    let engine = Engine::builder()
        .policy(
            "payer.policy",
            "pack \"payer\"\n  extends \"standard\"\n\n\
             override rule ncci.procedure-to-procedure\n  apply edits of \"ncci_ptp\"\n  bypass with modifier 59\n",
        )
        .build()
        .unwrap_or_else(|d| panic!("{}", render(&d)));
    let claim = r#"{"id": "P-2", "service_date": "2024-03-01", "lines": [{"line": 1, "code": "0201T"},
      {"line": 2, "code": "20225"}]}"#;
    let result = explained(&engine, claim);
    assert_eq!(
        summary(&result.findings),
        vec![("ncci.procedure-to-procedure".into(), "deny", vec![2])]
    );
    assert_eq!(
        agreed(&result),
        vec![(
            "bundling.included-in-definition".into(),
            2,
            ActionName::Deny,
            "ncci.procedure-to-procedure".into()
        )]
    );
}

/// The same claims give the same bytes, run after run, whatever the threads.
#[test]
fn results_are_the_same_bytes_every_time() {
    let engine = Engine::standard().expect("the standard pack loads");
    let claims = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/claims/sacroplasty-0201T.json"
    ))
    .expect("the sample claim");
    let once = |_: usize| {
        let results = engine.evaluate_input(&claims, EvalOptions::default().with_explain(true));
        serde_json::to_string(&results).expect("JSON")
    };
    let first = once(0);
    assert!(first.contains("\"agreed\":[{"), "{first}");
    let others: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..5).map(|i| s.spawn(move || once(i))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .collect()
    });
    assert!(others.iter().all(|o| *o == first));
}

/// A result of format 1.0, written before `agreed`, still reads.
#[test]
fn a_result_of_format_1_0_without_agreed_reads() {
    let text = r#"{"format_version":"1.0","claim":"C","status":"pass","findings":[],"errors":[],
      "explain":{"from_note":[],"derived":[],"rules":[],"minutes":[]}}"#;
    let result: claimrules::ClaimResult = serde_json::from_str(text).expect("a 1.0 result reads");
    assert!(result.explain.expect("explain").agreed.is_empty());
}
