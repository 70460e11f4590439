//! The conditions on the patient's history in the language: frequency limits over periods,
//! duplicates, windows after an earlier line, units and edits across claims; what a finding
//! cites; and what is unknown. Each case is a policy, the patient's earlier lines, a claim and
//! what is expected, as a policy author writes them.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::history::{HistoryLine, HistoryView, LineStatus, PatientHistory};
use claimrules::{Code, EvalOptions, NormalizedClaim, Status};
use common::{engine_alone, render, summary};
use rstest::rstest;

/// A payer's policy with one rule of each history form.
const POLICY: &str = r#"
table "post-operative days" from "post-op.csv"
  column post_op_days is number "the days of a procedure's post-operative period"

rule payer.injection-frequency
  for each line in 20610
  when more than 1 of 20610 per 6 months for the same patient
  deny "{code}: more than one in 6 months; the last on {history_date}, claim {history_claim} line {history_line}"

rule payer.injections-by-provider
  for each line in 20611
  when more than 2 of 20610, 20611 per calendar year by the same provider including denied lines
  review "{code}: a third injection this year by the same provider"

rule payer.once-in-a-lifetime
  for each line in G0438
  when more than 1 of G0438 per lifetime
  deny "once"

rule payer.daily
  for each line in 97110
  when more than 4 of 97110 per date of service
  deny "daily"

rule payer.monthly
  for each line in 97112
  when more than 2 of 97112 per 30 days
  deny "monthly"

rule payer.duplicate
  for each line
  when an earlier claim has the same code, date of service, modifiers and provider
  deny "{code} repeats claim {history_claim} line {history_line}"

rule payer.post-op-visit
  for each line in 99213
  when within code.post_op_days days after a line in "post-operative days" by the same provider
  deny "{code} in the post-operative days of {history_code} on {history_date}"
"#;

const POST_OP: &str = "code,post_op_days\n27447,90\n10060,10\n";

fn engine() -> claimrules::Engine {
    common::engine_of_files(&[("payer.policy", POLICY), ("post-op.csv", POST_OP)])
        .unwrap_or_else(|d| panic!("loads: {}", render(&d)))
}

/// `(claim, date, code, units, provider, status)` of an earlier line.
type Earlier<'a> = (&'a str, &'a str, &'a str, u32, Option<&'a str>, LineStatus);

fn history(lines: &[Earlier]) -> PatientHistory {
    PatientHistory::new(
        lines
            .iter()
            .enumerate()
            .map(
                |(i, (claim, date, code, units, provider, status))| HistoryLine {
                    claim: (*claim).into(),
                    line: i as u32 + 1,
                    date: claimrules::codes::parse_date(date).unwrap(),
                    code: Code::parse(code).unwrap(),
                    modifiers: Vec::new(),
                    units: *units,
                    provider: provider.map(Into::into),
                    place_of_service: None,
                    status: *status,
                    denied_by: None,
                },
            )
            .collect(),
    )
}

/// A claim of one member on `date` with one line per code, by the billing NPI given.
fn claim(id: &str, date: &str, codes: &[&str], npi: Option<&str>) -> NormalizedClaim {
    let lines: Vec<String> = codes
        .iter()
        .map(|c| format!(r#"{{"code": "{c}"}}"#))
        .collect();
    let provider = npi.map_or(String::new(), |n| {
        format!(r#", "provider": {{"npi": "{n}"}}"#)
    });
    let json = format!(
        r#"{{"id": "{id}", "service_date": "{date}", "patient": {{"member_id": "M-1"}},
            "lines": [{}]{provider}}}"#,
        lines.join(", ")
    );
    claimrules::claim::parse_claim(&claimrules::claim::RawClaim { json, line: 1 }).unwrap()
}

const NPI: &str = "1234567893";
const OTHER_NPI: &str = "1245319599";
use LineStatus::{Denied, Paid};

#[rstest]
// per 6 months: from the day after the same day six months before.
#[case::inside_six_months(&[("H", "2024-01-02", "20610", 1, None, Paid)], "2024-07-01", "20610", true)]
#[case::six_months_to_the_day_is_outside(&[("H", "2024-01-01", "20610", 1, None, Paid)], "2024-07-01", "20610", false)]
#[case::a_denied_line_does_not_count(&[("H", "2024-05-01", "20610", 1, None, Denied)], "2024-07-01", "20610", false)]
#[case::a_later_line_is_not_seen(&[("H", "2024-07-02", "20610", 1, None, Paid)], "2024-07-01", "20610", false)]
#[case::units_count(&[("H", "2024-05-01", "97110", 4, None, Paid)], "2024-05-01", "97110", true)]
#[case::another_day_is_another_date_of_service(&[("H", "2024-04-30", "97110", 4, None, Paid)], "2024-05-01", "97110", false)]
#[case::per_30_days_counts_the_29_days_before(&[("H", "2024-04-02", "97112", 2, None, Paid)], "2024-05-01", "97112", true)]
#[case::per_30_days_not_the_30th_day_before(&[("H", "2024-04-01", "97112", 2, None, Paid)], "2024-05-01", "97112", false)]
#[case::lifetime(&[("H", "1999-12-31", "G0438", 1, None, Paid)], "2024-05-01", "G0438", true)]
// per calendar year, by the same provider, including denied lines: two earlier, this one third.
#[case::calendar_year_by_provider(&[("H", "2024-01-01", "20610", 1, Some(NPI), Denied), ("I", "2024-02-01", "20611", 1, Some(NPI), Paid)], "2024-12-31", "20611", true)]
#[case::last_year_does_not_count(&[("H", "2023-12-31", "20610", 1, Some(NPI), Paid), ("I", "2024-02-01", "20611", 1, Some(NPI), Paid)], "2024-12-31", "20611", false)]
#[case::another_provider_does_not_count(&[("H", "2024-01-01", "20610", 1, Some(OTHER_NPI), Paid), ("I", "2024-02-01", "20611", 1, Some(NPI), Paid)], "2024-12-31", "20611", false)]
fn a_frequency_limit_counts_the_lines_of_its_period(
    #[case] earlier: &[Earlier],
    #[case] date: &str,
    #[case] code: &str,
    #[case] over: bool,
) {
    let engine = engine();
    let h = history(earlier);
    let c = claim("NEW", date, &[code], Some(NPI));
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    let fired = result.findings.iter().any(|f| f.lines == [1]);
    assert_eq!(fired, over, "{:?}", summary(&result.findings));
}

#[test]
fn a_finding_cites_the_earlier_line_that_decided_in_its_json_and_message() {
    let engine = engine();
    let h = history(&[
        ("H-1", "2024-01-10", "20610", 1, None, Paid),
        ("H-2", "2024-03-10", "99213", 1, None, Paid),
    ]);
    let c = claim("NEW", "2024-05-01", &["20610"], None);
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    let f = &result.findings[0];
    assert_eq!(f.rule, "payer.injection-frequency");
    assert_eq!(
        f.message,
        "20610: more than one in 6 months; the last on 2024-01-10, claim H-1 line 1"
    );
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(
        json["findings"][0]["history"],
        serde_json::json!({"claim": "H-1", "line": 1})
    );
}

#[test]
fn the_claims_own_lines_count_through_the_rules_line() {
    let engine = engine();
    let c = claim("NEW", "2024-05-01", &["20610", "20610", "20610"], None);
    let result = engine.evaluate_with_history(&c, HistoryView::Alone, EvalOptions::default());
    let denied: Vec<Vec<u32>> = result.findings.iter().map(|f| f.lines.clone()).collect();
    assert_eq!(
        denied,
        [vec![2], vec![3]],
        "the first line is within the limit"
    );
    assert!(result.findings.iter().all(|f| f.history.is_none()));
}

#[test]
fn a_claim_never_sees_its_own_recorded_lines() {
    let engine = engine();
    let h = history(&[("NEW", "2024-05-01", "20610", 1, None, Paid)]);
    let c = claim("NEW", "2024-05-01", &["20610"], None);
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    assert_eq!(
        result.status,
        Status::Pass,
        "{:?}",
        summary(&result.findings)
    );
}

#[test]
fn without_a_member_the_history_is_unknown_and_explain_says_why() {
    let engine = engine();
    let c = claim("NEW", "2024-05-01", &["20610", "99213"], Some(NPI));
    let options = EvalOptions::default().with_explain(true);
    let result = engine.evaluate_with_history(&c, HistoryView::UnknownPatient, options);
    assert_eq!(result.status, Status::Pass);
    let explain = result.explain.unwrap();
    let reason = explain
        .rules
        .iter()
        .find(|t| t.rule == "payer.injection-frequency")
        .and_then(|t| t.reason.clone())
        .unwrap();
    assert!(reason.contains("names no member"), "{reason}");
    // Over the limit on its own lines, it is over whatever the history holds.
    let c = claim("NEW", "2024-05-01", &["20610", "20610"], None);
    let result =
        engine.evaluate_with_history(&c, HistoryView::UnknownPatient, EvalOptions::default());
    assert_eq!(summary(&result.findings).len(), 1);
}

#[rstest]
#[case::same_everything(&[], NPI, true)]
#[case::other_provider(&[], OTHER_NPI, false)]
#[case::other_modifiers(&["59"], NPI, false)]
fn a_duplicate_is_alike_in_every_way_named(
    #[case] modifiers: &[&str],
    #[case] npi: &str,
    #[case] duplicate: bool,
) {
    let engine = engine();
    let mut h = history(&[("OLD", "2024-05-01", "73560", 1, Some(npi), Paid)]).lines()[0].clone();
    h.modifiers = modifiers
        .iter()
        .map(|m| claimrules::Modifier::parse(m).unwrap())
        .collect();
    let h = PatientHistory::new(vec![h]);
    let c = claim("NEW", "2024-05-01", &["73560"], Some(NPI));
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    let found = result.findings.iter().any(|f| f.rule == "payer.duplicate");
    assert_eq!(found, duplicate, "{:?}", summary(&result.findings));
}

#[rstest]
#[case::day_90_of_a_90_day_period("27447", "2024-01-01", "2024-03-31", Some(NPI), true)]
#[case::day_91("27447", "2024-01-01", "2024-04-01", Some(NPI), false)]
#[case::the_same_day_is_not_after("27447", "2024-01-01", "2024-01-01", Some(NPI), false)]
#[case::day_10_of_a_10_day_period("10060", "2024-01-01", "2024-01-11", Some(NPI), true)]
#[case::day_11_of_a_10_day_period("10060", "2024-01-01", "2024-01-12", Some(NPI), false)]
#[case::another_provider("27447", "2024-01-01", "2024-02-01", Some(OTHER_NPI), false)]
fn a_window_is_read_from_the_earlier_lines_code(
    #[case] surgery: &str,
    #[case] on: &str,
    #[case] visit: &str,
    #[case] surgeon: Option<&str>,
    #[case] inside: bool,
) {
    let engine = engine();
    let h = history(&[("S", on, surgery, 1, surgeon, Paid)]);
    let c = claim("NEW", visit, &["99213"], Some(NPI));
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    let found = result
        .findings
        .iter()
        .find(|f| f.rule == "payer.post-op-visit");
    assert_eq!(found.is_some(), inside, "{:?}", summary(&result.findings));
    if let Some(f) = found {
        assert_eq!(
            f.table.as_ref().map(|t| t.name.as_str()),
            Some("post-operative days")
        );
        assert_eq!(f.history.as_ref().map(|h| h.claim.as_str()), Some("S"));
    }
}

#[test]
fn a_window_without_the_providers_npi_is_unknown_not_false() {
    let engine = engine();
    let policy_unknown = engine_alone(
        "rule r\n  for each line in 99213\n  when not within 90 days after a line in 27447 by the same provider\n  info \"outside\"\n",
    )
    .unwrap();
    let h = history(&[("S", "2024-01-01", "27447", 1, Some(NPI), Paid)]);
    let c = claim("NEW", "2024-02-01", &["99213"], None);
    let result =
        policy_unknown.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    assert_eq!(
        result.status,
        Status::Pass,
        "unknown, so `not` does not hold"
    );
    assert!(result.findings.is_empty());
    drop(engine);
}

#[test]
fn a_large_history_is_judged_within_the_work_budget() {
    let engine = engine();
    let lines: Vec<Earlier> = (0..50_000)
        .map(|_| ("H", "2024-01-01", "99213", 1, Some(NPI), Paid))
        .collect();
    let h = history(&lines);
    let codes = vec!["99213"; 50];
    let c = claim("NEW", "2024-05-01", &codes, Some(NPI));
    let result = engine.evaluate_with_history(&c, HistoryView::Member(&h), EvalOptions::default());
    // 50 lines × 50,000 earlier lines × a few rules stays under the budget: judged.
    assert!(result.errors.is_empty(), "{:?}", result.errors);
}
