//! The library API as an engineer embedding the engine uses it: claims built in code, claims and
//! results through serde in the documented formats, and the engine shared across threads.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use claimrules::claim::parse_claim;
use claimrules::{
    Claim, ClaimBuilder, ClaimError, ClaimResult, ClaimSource, Engine, EvalOptions, LineBuilder,
    OutputFormat, RawClaim, Status,
};
use proptest::prelude::*;
use rstest::rstest;

const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    shared_across_threads::<Engine>();
    shared_across_threads::<Claim>();
    shared_across_threads::<ClaimResult>();
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads claim JSON through the same reader `claimrules check` uses.
fn read_claim(json: &str) -> Claim {
    parse_claim(&RawClaim {
        json: json.to_string(),
        line: 1,
    })
    .unwrap_or_else(|(_, errors)| panic!("the claim reads: {errors:?}\n{json}"))
    .into_claim()
}

/// Serializes a claim and reads the text back as `claimrules check` would.
fn round_trip(claim: &Claim) -> Claim {
    read_claim(&serde_json::to_string(claim).expect("a claim serializes"))
}

fn hip_arthrography() -> ClaimBuilder {
    Claim::builder("CLM-1")
        .service_date("2010-03-31")
        .line(LineBuilder::new("27093"))
        .line(LineBuilder::new("77002"))
}

#[test]
fn a_claim_built_in_code_is_judged_like_its_json() {
    let engine = Engine::standard().expect("the standard pack loads");
    let built = hip_arthrography().build().expect("the claim is valid");
    let json = r#"{"id": "CLM-1", "service_date": "2010-03-31",
                   "lines": [{"code": "27093"}, {"code": "77002"}]}"#;

    let from_code = engine.evaluate(&built, EvalOptions::default());
    let from_json = engine.evaluate_input(json, EvalOptions::default());

    assert_eq!(from_code.status, Status::Deny);
    assert_eq!(from_json, [from_code]);
}

#[test]
fn a_built_claim_has_the_readers_defaults() {
    let claim = Claim::builder("CLM-2")
        .service_date("2024-05-14")
        .payer("medicare")
        .place_of_service("22")
        .provider_taxonomy("207X00000X")
        .diagnosis("S82.241A")
        .line(LineBuilder::new("27758").modifier("rt").units(2))
        .line(LineBuilder::new("01480").minutes(45).number(7))
        .line(LineBuilder::new("27899").comparison_code("27762"))
        .procedure("0QSG34Z", None)
        .note("Percutaneous fixation under fluoroscopy.")
        .build()
        .expect("the claim is valid");

    let numbers: Vec<u32> = claim.lines.iter().map(|l| l.number()).collect();
    assert_eq!(numbers, [1, 7, 3]);
    assert_eq!(claim.lines[0].modifiers[0].as_str(), "RT");
    assert_eq!(claim.lines[0].comparison_code, None);
    assert_eq!(
        claim.lines[2].comparison_code.map(|c| c.to_string()),
        Some("27762".into())
    );
    assert_eq!(claim.lines[1].units, 1);
    assert_eq!(claim.diagnoses[0].compact(), "S82241A");
    assert_eq!(
        claim.procedures[0].approach.as_deref(),
        Some("percutaneous")
    );
    assert_eq!(round_trip(&claim), claim);
}

#[rstest]
#[case::no_date(Claim::builder("C").line(LineBuilder::new("27093")), "service_date")]
#[case::impossible_date(hip_arthrography().service_date("2010-02-30"), "service_date")]
#[case::short_code(hip_arthrography().line(LineBuilder::new("2709")), "lines[2].code")]
#[case::long_modifier(
    hip_arthrography().line(LineBuilder::new("76000").modifier("RT").modifier("XYZ")),
    "lines[2].modifiers[1]"
)]
#[case::comparison_code_of_four_digits(
    hip_arthrography().line(LineBuilder::new("27899").comparison_code("2776")),
    "lines[2].comparison_code"
)]
#[case::diagnosis_with_a_star(hip_arthrography().diagnosis("S82.*"), "diagnoses[0]")]
#[case::place_of_one_digit(hip_arthrography().place_of_service("2"), "place_of_service")]
#[case::no_lines(Claim::builder("C").service_date("2010-03-31"), "lines")]
#[case::line_number_twice(
    hip_arthrography().line(LineBuilder::new("76000").number(2)),
    "lines[2].line"
)]
#[case::procedure_without_approach(hip_arthrography().procedure("B0001ZZ", None), "procedures[0].approach")]
fn a_claim_that_cannot_be_built_names_the_value_at_fault(
    #[case] builder: ClaimBuilder,
    #[case] path: &str,
) {
    let error: ClaimError = builder.build().expect_err("the claim is invalid");
    assert_eq!(error.path.as_deref(), Some(path), "{error}");
    assert!(error.to_string().contains(&format!("(at `{path}`)")));
}

/// The claim's source is the reader's to set, or the builder's; the claim JSON never carries
/// it, so a claim read back from its JSON is a JSON claim.
#[test]
fn a_claims_source_is_set_by_its_reader_or_builder_and_never_written() {
    let built = hip_arthrography()
        .source(ClaimSource::X12)
        .build()
        .expect("valid");
    assert_eq!(built.source, ClaimSource::X12);
    let json = serde_json::to_value(&built).expect("serializes");
    assert!(json.get("source").is_none(), "{json}");
    assert_eq!(round_trip(&built).source, ClaimSource::Json);
    assert_eq!(
        hip_arthrography().build().expect("valid").source,
        ClaimSource::Json
    );

    let path = root().join("data/x12/demo.example1.837");
    let text = std::fs::read_to_string(path).expect("the sample");
    let items: Vec<_> = claimrules::input::x12::X12Claims::new(text.as_bytes()).collect();
    assert!(!items.is_empty());
    for item in items {
        match item.claim {
            claimrules::ClaimInput::Claim { claim, .. } => {
                assert_eq!(claim.source, ClaimSource::X12)
            }
            other => panic!("not a claim: {other:?}"),
        }
    }
}

fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the folder reads")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_claim_reads_back_equal_after_serializing() {
    let files = files_in(&root().join("examples/claims"), "json");
    assert!(files.len() > 10, "the examples are there");
    for file in files {
        let claim = read_claim(&std::fs::read_to_string(&file).expect("the example reads"));
        assert_eq!(round_trip(&claim), claim, "{}", file.display());
    }
}

/// `Engine::write_raw` writes a claim's result from the findings as the evaluator recorded
/// them; `evaluate_raw` makes them owned first. Every example claim, and claims that do not read
/// or are not claims, in each format, plainly and explained: the same bytes both ways.
#[test]
fn write_raw_writes_the_bytes_of_the_result_evaluate_raw_gives() {
    let engine = Engine::standard().expect("the standard pack loads");
    let examples = root().join("examples/claims");
    let mut claims: Vec<String> = files_in(&examples, "json")
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("the example reads"))
        .collect();
    let batch = std::fs::read_to_string(examples.join("batch.ndjson")).expect("the batch reads");
    claims.extend(batch.lines().map(str::to_owned));
    claims.extend(
        [
            r#"{"claim_id": "broken", "lines": ["#,
            r#"{"claim_id": "no-lines", "service_date": "2024-05-01"}"#,
            r#"{"claim_id": "bad \"code\"", "service_date": "2024-05-01", "lines": [{"code": "2709"}]}"#,
            "[1, 2]",
            "",
        ]
        .map(str::to_owned),
    );
    let with_findings = claims
        .iter()
        .filter(|c| {
            let raw = RawClaim {
                json: c.to_string(),
                line: 1,
            };
            !engine
                .evaluate_raw(&raw, EvalOptions::default())
                .findings
                .is_empty()
        })
        .count();
    assert!(with_findings > 10, "the examples make findings");
    for (i, json) in claims.iter().enumerate() {
        let raw = RawClaim {
            json: json.clone(),
            line: 7 + i as u64,
        };
        for format in [OutputFormat::Ndjson, OutputFormat::Json, OutputFormat::Text] {
            for (explain, first) in [(false, true), (false, false), (true, false)] {
                let options = EvalOptions::default().with_explain(explain);
                let mut owned = Vec::new();
                format.write_result(&engine.evaluate_raw(&raw, options), first, &mut owned);
                let mut direct = Vec::new();
                engine.write_raw(&raw, options, format, first, &mut direct);
                assert_eq!(
                    String::from_utf8_lossy(&direct),
                    String::from_utf8_lossy(&owned),
                    "{format:?}, explain {explain}, claim {json}"
                );
            }
        }
    }
}

/// A claim built from generated values: codes, modifiers and diagnoses in either case,
/// diagnoses with and without their dot, documentation of each JSON type.
fn claims() -> impl Strategy<Value = Claim> {
    let code = "[0-9A-Za-z]{5}";
    let modifier = "[0-9A-Za-z]{2}";
    let line = (
        code,
        prop::collection::vec(modifier, 0..4),
        1u32..100,
        1u32..4,
        prop::option::of(1u32..600),
        prop::option::of(code),
    )
        .prop_map(|(code, modifiers, units, session, minutes, comparison)| {
            let mut line = LineBuilder::new(code).units(units).session(session);
            for m in modifiers {
                line = line.modifier(m);
            }
            if let Some(c) = comparison {
                line = line.comparison_code(c);
            }
            match minutes {
                Some(m) => line.minutes(m),
                None => line,
            }
        });
    let diagnosis = "[A-Za-z][0-9A-Za-z]{2}(\\.?[0-9A-Za-z]{1,4})?";
    let documentation = prop::collection::vec(
        (
            "[a-z_]{1,12}",
            prop_oneof![
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i32>().prop_map(serde_json::Value::from),
                "[ -~]{0,30}".prop_map(serde_json::Value::from),
            ],
        ),
        0..4,
    );
    (
        "[ -~]{1,20}",
        (1990i32..2040, 1u32..13, 1u32..29),
        prop::option::of("[0-9]{2}"),
        prop::collection::vec(diagnosis, 0..5),
        prop::collection::vec(line, 1..8),
        documentation,
    )
        .prop_map(|(id, (y, m, d), place, diagnoses, lines, documentation)| {
            let mut claim = Claim::builder(id).service_date(format!("{y:04}-{m:02}-{d:02}"));
            if let Some(place) = place {
                claim = claim.place_of_service(place);
            }
            for d in diagnoses {
                claim = claim.diagnosis(d);
            }
            for l in lines {
                claim = claim.line(l);
            }
            for (fact, value) in documentation {
                claim = claim.documentation(fact, value);
            }
            claim.build().expect("generated values are valid")
        })
}

proptest! {
    #[test]
    fn a_serialized_claim_reads_back_to_an_equal_claim(claim in claims()) {
        prop_assert_eq!(round_trip(&claim), claim);
    }
}

/// The NDJSON `claimrules check` writes for these arguments, one result a line.
fn check_output(args: &[&str]) -> String {
    let output = common::claimrules(args);
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "check ran: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the output is UTF-8")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .expect("under the root")
        .display()
        .to_string()
}

#[rstest]
#[case::plain(false)]
#[case::explained(true)]
fn every_result_check_writes_reads_back_and_writes_the_same_bytes(#[case] explain: bool) {
    let mut runs: Vec<Vec<String>> = Vec::new();
    let standard: Vec<String> = files_in(&root().join("examples/claims"), "json")
        .into_iter()
        .chain(files_in(&root().join("examples/claims"), "ndjson"))
        .map(|p| relative(&p))
        .collect();
    runs.push(standard);
    let acme = root().join("examples/packs/acme-health");
    let mut acme_run = vec!["--pack".to_string(), relative(&acme)];
    acme_run.extend(
        files_in(&acme.join("claims"), "ndjson")
            .iter()
            .map(|p| relative(p)),
    );
    runs.push(acme_run);

    let mut lines = 0;
    for run in runs {
        let mut args = vec!["check", "--format", "ndjson", "--quiet"];
        if explain {
            args.push("--explain");
        }
        args.extend(run.iter().map(String::as_str));
        for line in check_output(&args).lines() {
            let result: ClaimResult = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("the result reads back: {e}\n{line}"));
            assert_eq!(result.explain.is_some(), explain);
            let written = serde_json::to_string(&result).expect("a result serializes");
            assert_eq!(written, line);
            lines += 1;
        }
    }
    assert!(lines > 20, "check wrote results: {lines}");
}

#[rstest]
#[case::an_earlier_major_version("1.7", true)]
#[case::this_version("2.1", true)]
#[case::the_previous_minor_version("2.0", true)]
#[case::a_later_minor_version("2.3", true)]
#[case::the_next_major_version("3.0", false)]
#[case::no_minor_number("2.", false)]
#[case::not_a_version("one", false)]
fn a_result_reads_back_only_in_its_major_version(#[case] version: &str, #[case] reads: bool) {
    let result = r#"{"format_version": "VERSION", "claim": "C", "status": "pass",
                     "findings": [], "errors": []}"#
        .replace("VERSION", version);
    let read = serde_json::from_str::<ClaimResult>(&result);
    assert_eq!(read.is_ok(), reads, "{read:?}");
}
