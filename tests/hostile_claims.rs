//! Hostile claim input: claims files laid out, marked or numbered in ways a careless writer
//! produces. Each still gives one result per claim, and an error names the claim's line.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{ClaimResult, Engine, EvalOptions, Status};
use rstest::rstest;

fn results(input: &str) -> Vec<ClaimResult> {
    Engine::standard()
        .expect("loads")
        .evaluate_input(input, EvalOptions::default())
}

/// A result as the tests compare it: claim id, status, and the first error's message, path
/// and line.
type Outcome = (
    Option<String>,
    Status,
    Option<(String, Option<String>, Option<u64>)>,
);

/// The outcome of each result.
fn outcomes(input: &str) -> Vec<Outcome> {
    results(input)
        .into_iter()
        .map(|r| {
            let error = r
                .errors
                .first()
                .map(|e| (e.message.clone(), e.path.clone(), e.line));
            (r.claim, r.status, error)
        })
        .collect()
}

const ONE_LINE: &str = r#"{"id": "A", "service_date": "2010-04-01", "lines": [{"code": "27093"}]}"#;

const PRETTY: &str = r#"{
  "id": "B",
  "service_date": "2010-04-01",
  "lines": [{"code": "27093"}]
}"#;

#[test]
fn a_one_line_claim_then_a_pretty_printed_one_are_two_claims() {
    let got = outcomes(&format!("{ONE_LINE}\n{PRETTY}\n"));
    assert_eq!(
        got,
        vec![
            (Some("A".into()), Status::Pass, None),
            (Some("B".into()), Status::Pass, None),
        ]
    );
}

#[test]
fn a_one_line_claim_cut_short_names_its_line_and_spares_the_pretty_one_after_it() {
    let cut = r#"{"id": "A", "service_date": "2010-04-01", "lines": [{"code": "27093"}"#;
    let got = outcomes(&format!("{PRETTY}\n{cut}\n{PRETTY}\n"));
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].1, Status::Pass);
    assert_eq!(
        got[1],
        (
            Some("A".into()),
            Status::Error,
            Some((
                "the JSON ends too soon: EOF while parsing a list".into(),
                Some("lines".into()),
                Some(6)
            ))
        )
    );
    assert_eq!(got[2].1, Status::Pass);
}

/// A claim from its fields after `"id": "A", "service_date": "2010-04-01"`.
fn claim_with(rest: &str) -> String {
    format!(r#"{{"id": "A", "service_date": "2010-04-01", {rest}}}"#)
}

#[rstest]
#[case::a_line_as_an_array(
    r#""lines": [{"code": "27093"}, {"code": "27093"}, ["27093"]]"#,
    "a line is a JSON object, found an array",
    "lines[2]"
)]
#[case::a_bad_code_at_index_2(
    r#""lines": [{"code": "27093"}, {"code": "27093"}, {"code": "2709"}]"#,
    "expected a 5-character CPT/HCPCS code such as `27093`, found `2709`",
    "lines[2].code"
)]
#[case::a_bad_modifier_at_index_2(
    r#""lines": [{"code": "27093", "modifiers": ["26", "RT", "LEFT"]}]"#,
    "expected a 2-character modifier such as `26`, found `LEFT`",
    "lines[0].modifiers[2]"
)]
#[case::a_diagnosis_as_an_array_at_index_2(
    r#""diagnoses": ["M16.11", "M16.12", ["M16.0"]], "lines": [{"code": "27093"}]"#,
    "invalid type: array, expected an ICD-10-CM code such as `S82.241A`",
    "diagnoses[2]"
)]
#[case::a_provider_as_an_array(
    r#""provider": ["207L00000X", true], "lines": [{"code": "27093"}]"#,
    "a provider is a JSON object, found an array",
    "provider"
)]
#[case::a_procedure_as_an_array(
    r#""procedures": [["0QSG34Z"]], "lines": [{"code": "27093"}]"#,
    "an ICD-10-PCS procedure is a JSON object, found an array",
    "procedures[0]"
)]
fn an_array_where_an_object_belongs_is_named_at_its_own_index(
    #[case] fields: &str,
    #[case] message: &str,
    #[case] path: &str,
) {
    let got = outcomes(&claim_with(fields));
    assert_eq!(
        got,
        vec![(
            Some("A".into()),
            Status::Error,
            Some((message.into(), Some(path.into()), Some(1)))
        )]
    );
}

#[rstest]
#[case::alone(r#"["A", "2010-04-01", [{"code": "27093"}]]"#)]
#[case::in_an_array_of_claims(r#"[["A", "2010-04-01", [{"code": "27093"}]]]"#)]
fn a_claim_written_as_an_array_is_an_error(#[case] input: &str) {
    let got = outcomes(input);
    let expected = (
        None,
        Status::Error,
        Some((
            "a claim is a JSON object, found an array".to_string(),
            None,
            Some(1),
        )),
    );
    assert!(got.contains(&expected), "{got:?}");
}

#[test]
fn an_array_of_claim_objects_is_still_claims() {
    let got = outcomes(&format!("[{ONE_LINE},\n{PRETTY}]"));
    assert_eq!(
        got,
        vec![
            (Some("A".into()), Status::Pass, None),
            (Some("B".into()), Status::Pass, None),
        ]
    );
}

/// An X12 interchange with one claim whose one line is `SV1*HC:27093*100*{basis}*{quantity}`.
fn x12_with_quantity(basis: &str, quantity: &str) -> String {
    [
        "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240301*1200*^*00501*000000001*0*P*:~",
        "GS*HC*SUBMITTER*RECEIVER*20240301*1200*1*X*005010X222A1~",
        "ST*837*0001*005010X222A1~",
        "CLM*Q-1*100***11:B:1*Y*A*Y*Y~",
        "DTP*472*D8*20100401~",
        "LX*1~",
        &format!("SV1*HC:27093*100*{basis}*{quantity}~"),
        "SE*7*0001~",
        "GE*1*1~",
        "IEA*1*000000001~",
    ]
    .join("\n")
}

/// A JSON claim whose one line gives `"{field}": {number}`.
fn json_with_quantity(field: &str, number: &str) -> String {
    claim_with(&format!(
        r#""lines": [{{"code": "27093", "{field}": {number}}}]"#
    ))
}

/// Units and minutes follow one number rule, whichever format carries them.
#[rstest]
#[case::units_one("UN", "units", "1", None)]
#[case::units_two_with_a_zero_fraction("UN", "units", "2.00", None)]
#[case::units_at_the_limit("UN", "units", "99999", None)]
#[case::units_zero(
    "UN",
    "units",
    "0",
    Some("`0` is not a whole number of units from 1 to 99999")
)]
#[case::units_a_fraction(
    "UN",
    "units",
    "1.5",
    Some("`1.5` is not a whole number of units from 1 to 99999")
)]
#[case::units_over_the_limit(
    "UN",
    "units",
    "100000",
    Some("`100000` is not a whole number of units from 1 to 99999")
)]
#[case::minutes_forty_five("MJ", "minutes", "45.0", None)]
#[case::minutes_zero(
    "MJ",
    "minutes",
    "0",
    Some("`0` is not a whole number of minutes from 1 to 99999")
)]
fn units_and_minutes_read_alike_in_json_and_x12(
    #[case] basis: &str,
    #[case] field: &str,
    #[case] number: &str,
    #[case] error: Option<&str>,
) {
    // A claim read is judged (it passes, or its units are denied by the MUE); only a claim
    // that was not read is an error.
    let json = results(&json_with_quantity(field, number));
    assert_eq!(json.len(), 1);
    let json_read = json[0].status != Status::Error;
    assert_eq!(
        json_read,
        error.is_none(),
        "JSON {number}: {:?}",
        json[0].errors
    );
    let x12 = results(&x12_with_quantity(basis, number));
    assert_eq!(x12.len(), 1);
    let x12_read = x12[0].status != Status::Error;
    assert_eq!(
        x12_read,
        error.is_none(),
        "X12 {number}: {:?}",
        x12[0].errors
    );
    if let Some(error) = error {
        // X12 prefixes the segment it names.
        assert_eq!(json[0].errors[0].message, error);
        assert_eq!(
            json[0].errors[0].path.as_deref(),
            Some(&*format!("lines[0].{field}"))
        );
        assert!(
            x12[0].errors[0].message.ends_with(error),
            "{}",
            x12[0].errors[0].message
        );
        assert_eq!(x12[0].errors[0].path.as_deref(), Some("SV104"));
    }
}

#[rstest]
#[case::zero("0", None)]
#[case::a_fraction("2.5", None)]
#[case::hugely_negative("-1e308", Some("expected a number from 0 to 1000000, found `-1e+308`"))]
#[case::negative("-1", Some("expected a number from 0 to 1000000, found `-1`"))]
#[case::too_large(
    "1e9",
    Some("expected a number from 0 to 1000000, found `1000000000.0`")
)]
fn a_documented_number_is_finite_and_in_bounds(#[case] number: &str, #[case] error: Option<&str>) {
    let got = results(&claim_with(&format!(
        r#""lines": [{{"code": "77002"}}], "documentation": {{"fluoroscopy_minutes": {number}}}"#
    )));
    let errors: Vec<(&str, Option<&str>)> = got[0]
        .errors
        .iter()
        .map(|e| (e.message.as_str(), e.path.as_deref()))
        .collect();
    match error {
        None => assert!(errors.is_empty(), "{errors:?}"),
        Some(error) => assert_eq!(
            errors,
            vec![(error, Some("documentation.fluoroscopy_minutes"))]
        ),
    }
}

#[rstest]
#[case::before_se(
    "SE*",
    "the interchange ends without its SE segment: claim `Q-1` of transaction set 0001 may be incomplete",
    Some("Q-1"),
    Some(4)
)]
#[case::before_ge(
    "GE*",
    "the interchange ends without its GE segment: functional group 1 may be incomplete",
    None,
    Some(2)
)]
#[case::before_iea(
    "IEA*",
    "the interchange ends without its IEA segment: interchange 000000001 may be incomplete",
    None,
    Some(1)
)]
fn a_truncated_interchange_is_an_error_and_exit_1(
    #[case] cut_before: &str,
    #[case] message: &str,
    #[case] claim: Option<&str>,
    #[case] line: Option<u64>,
) {
    let whole = x12_with_quantity("UN", "1");
    let cut = &whole[..whole.find(cut_before).expect("the trailer")];
    let out = common::run(&["check", "--format", "ndjson", "-"], Some(cut.as_bytes()));
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let results: Vec<serde_json::Value> = common::stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a result"))
        .collect();
    let last = results.last().expect("a result for the cut");
    assert_eq!(last["status"], "error");
    assert_eq!(last["claim"].as_str(), claim);
    assert_eq!(last["errors"][0]["message"], message);
    assert_eq!(last["errors"][0]["line"].as_u64(), line);
}

#[rstest]
#[case::at_the_start_of_ndjson(format!("\u{FEFF}{ONE_LINE}\n{ONE_LINE}\n"))]
#[case::at_the_start_of_pretty_json(format!("\u{FEFF}{PRETTY}\n{ONE_LINE}\n"))]
#[case::files_joined_each_with_its_own(format!("\u{FEFF}{ONE_LINE}\n\u{FEFF}{PRETTY}\n"))]
fn a_byte_order_mark_before_a_claim_is_skipped(#[case] input: String) {
    let got = outcomes(&input);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .all(|(_, status, error)| *status == Status::Pass && error.is_none()),
        "{got:?}"
    );
}
