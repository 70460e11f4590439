//! Hostile claim input: claims files laid out, marked or numbered in ways a careless writer
//! produces. Each still gives one result per claim, and an error names the claim's line.

mod common;

use claimrules::{ClaimResult, Engine, EvalOptions, Status};

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
