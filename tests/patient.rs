//! The patient and the line's charge in the language: `patient age`, `patient sex`,
//! `between`, `line charge`, and a fact compared with a number column of the line's code.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{EvalOptions, Status};
use common::{engine_of_files, judge, judge_with, render_located_with_help, summary};
use rstest::rstest;

/// A payer's age, sex and charge policy: a code table with each code's youngest age and most
/// charged amount.
const POLICY: &str = r#"
table "age and charge limits" from "limits.csv"
  column youngest_age is number "the youngest age the code is paid for"
  column most_charged is number "the most the payer expects charged for the code"

rule payer.pediatric-injection
  for each line in 20610
  when patient age between 0 and 17
  review "{code} for a patient aged {age}: pediatric injections are reviewed"

rule payer.youngest-age
  for each line in "age and charge limits"
  when patient age < code.youngest_age
  deny "{code} is paid from age {code.youngest_age}; the patient is {age}"

rule payer.female-only
  for each line in 58150
  when patient sex is M
  deny "{code} is a procedure for female patients; the patient's sex is {sex}"

rule payer.charge-over-limit
  for each line
  when line charge > code.most_charged
  review "{code} is charged {charge}, more than {code.most_charged}"

rule payer.high-charge
  for each line
  when line charge >= 1000
  info "{code}: a charge of {charge}"
"#;

const LIMITS: &str = "code,youngest_age,most_charged\n20610,12,150.00\n58150,,\n";

fn engine() -> claimrules::Engine {
    engine_of_files(&[("payer.policy", POLICY), ("limits.csv", LIMITS)])
        .unwrap_or_else(|d| panic!("loads: {}", common::render(&d)))
}

/// A claim on 2024-03-01 with the given patient object (JSON, or `null`) and one line.
fn claim(patient: &str, code: &str, charge: Option<&str>) -> String {
    let charge = charge.map_or(String::new(), |c| format!(r#", "charge": "{c}""#));
    format!(
        r#"{{"id": "P-1", "service_date": "2024-03-01", "patient": {patient},
            "lines": [{{"code": "{code}"{charge}}}]}}"#
    )
}

#[rstest]
// Age in whole years on the date of service: the 12th birthday is the day of service, or is
// tomorrow.
#[case::eleven_the_day_before_the_birthday(r#"{"birth_date": "2012-03-02"}"#, "20610", None, &[("payer.pediatric-injection", "review"), ("payer.youngest-age", "deny")])]
#[case::twelve_on_the_birthday(r#"{"birth_date": "2012-03-01"}"#, "20610", None, &[("payer.pediatric-injection", "review")])]
#[case::seventeen(r#"{"birth_date": "2006-03-02"}"#, "20610", None, &[("payer.pediatric-injection", "review")])]
#[case::eighteen(r#"{"birth_date": "2006-03-01"}"#, "20610", None, &[])]
// Born on 29 February: a year older on 1 March of a year without one.
#[case::leap_day_birthday(r#"{"birth_date": "2008-02-29"}"#, "20610", None, &[("payer.pediatric-injection", "review")])]
// No birth date: the age is unknown, so neither age rule fires.
#[case::no_birth_date(r#"{"sex": "F"}"#, "20610", None, &[])]
#[case::no_patient("null", "20610", None, &[])]
#[case::male_for_a_female_procedure(r#"{"sex": "M"}"#, "58150", None, &[("payer.female-only", "deny")])]
#[case::female(r#"{"sex": "F"}"#, "58150", None, &[])]
// `U` is a sex the claim states (unknown), not a missing one: it is not `M`.
#[case::sex_unknown_on_the_claim(r#"{"sex": "U"}"#, "58150", None, &[])]
#[case::no_sex("null", "58150", None, &[])]
// The table gives 58150 no youngest age: unknown, no finding.
#[case::no_column_value(r#"{"birth_date": "2020-01-01", "sex": "F"}"#, "58150", None, &[])]
#[case::charge_over_the_column(r#"{"birth_date": "1950-01-01"}"#, "20610", Some("150.01"), &[("payer.charge-over-limit", "review")])]
#[case::charge_at_the_column(r#"{"birth_date": "1950-01-01"}"#, "20610", Some("150.00"), &[])]
#[case::charge_over_a_fixed_amount(r#"{"birth_date": "1950-01-01"}"#, "20610", Some("1000"), &[("payer.charge-over-limit", "review"), ("payer.high-charge", "info")])]
#[case::no_charge(r#"{"birth_date": "1950-01-01"}"#, "20610", None, &[])]
fn patient_and_charge_rules(
    #[case] patient: &str,
    #[case] code: &str,
    #[case] charge: Option<&str>,
    #[case] expected: &[(&str, &str)],
) {
    let result = judge(&engine(), &claim(patient, code, charge));
    assert_ne!(result.status, Status::Error, "{result:#?}");
    let got: Vec<(String, &str)> = summary(&result.findings)
        .into_iter()
        .map(|(rule, action, _)| (rule, action))
        .collect();
    let expected: Vec<(String, &str)> = expected.iter().map(|(r, a)| (r.to_string(), *a)).collect();
    assert_eq!(got, expected, "{result:#?}");
}

#[test]
fn messages_name_the_age_sex_and_charge() {
    let engine = engine();
    let young = judge(
        &engine,
        &claim(
            r#"{"birth_date": "2013-06-01", "sex": "M"}"#,
            "20610",
            Some("200"),
        ),
    );
    let messages: Vec<&str> = young.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "20610 for a patient aged 10: pediatric injections are reviewed",
            "20610 is paid from age 12; the patient is 10",
            "20610 is charged 200.00, more than 150",
        ]
    );
    let male = judge(&engine, &claim(r#"{"sex": "M"}"#, "58150", None));
    assert_eq!(
        male.findings[0].message,
        "58150 is a procedure for female patients; the patient's sex is M"
    );
}

#[test]
fn explain_says_what_the_claim_does_not_give() {
    let result = judge_with(
        &engine(),
        &claim("null", "20610", None),
        EvalOptions::default().with_explain(true),
    );
    let explanation = serde_json::to_string(&result.explain).unwrap();
    for expected in [
        "`patient age between 0 and 17` was not evaluated: the claim gives no patient birth date to count `patient age` from",
        "`line charge > code.most_charged` was not evaluated: line 1 has no charge",
    ] {
        assert!(explanation.contains(expected), "{expected}\n{explanation}");
    }
}

#[rstest]
#[case::age_compared_with_a_letter("when patient age is F")]
#[case::sex_compared_with_a_number("when patient sex < 3")]
#[case::sex_not_a_letter_the_claim_uses("when patient sex is X")]
#[case::between_upside_down("when patient age between 17 and 0")]
#[case::sex_compared_with_a_number_column("for each line\n  when patient sex < code.youngest_age")]
#[case::charge_without_a_line("when line charge > 100")]
fn patient_mistakes_are_explained(#[case] condition: &str) {
    let policy = format!("{POLICY}\nrule payer.mistake\n  {condition}\n  review \"mistake\"\n");
    let Err(diagnostics) = engine_of_files(&[("payer.policy", &policy), ("limits.csv", LIMITS)])
    else {
        panic!("`{condition}` should not load");
    };
    insta::assert_snapshot!(
        format!("patient_{}", common::case_name()),
        render_located_with_help(&diagnostics)
    );
}
