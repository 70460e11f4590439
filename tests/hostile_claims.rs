//! Hostile claim input: claims files laid out, marked or numbered in ways a careless writer
//! produces. Each still gives one result per claim, and an error names the claim's line.

mod common;

use claimrules::{ClaimResult, Engine, EvalOptions, Status};
use rstest::rstest;

fn results(input: &str) -> Vec<ClaimResult> {
    Engine::standard()
        .expect("loads")
        .evaluate_input(input, EvalOptions::default())
}

/// (claim id, status, the first error's message, path and line) of each result.
fn outcomes(
    input: &str,
) -> Vec<(
    Option<String>,
    Status,
    Option<(String, Option<String>, Option<u64>)>,
)> {
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
