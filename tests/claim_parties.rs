//! The patient, the NPIs and each line's diagnosis pointers and charge (issue 23): read from
//! JSON and from an 837P alike, checked in one place, unknown when not given.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;
use std::time::{Duration, Instant};

use claimrules::claim::{parse_claim, RawClaim};
use claimrules::input::x12::X12Claims;
use claimrules::input::ClaimInput;
use claimrules::{Claim, ClaimError, LineBuilder, Money, NormalizedClaim, Sex};

const FULL: &str = r#"{"id": "P-1", "service_date": "2024-03-01",
  "provider": {"npi": "1234567893"},
  "patient": {"member_id": "M1", "birth_date": "1950-02-01", "sex": "F", "relationship": "18"},
  "diagnoses": ["S82.241A", "M16.11"],
  "lines": [{"code": "27093", "diagnosis_pointers": [1, 2], "charge": "125.00", "rendering_provider": "1234567893"},
            {"code": "77002", "charge": 40.5}]}"#;

fn json(text: &str) -> Result<NormalizedClaim, Vec<ClaimError>> {
    parse_claim(&RawClaim {
        json: text.to_string(),
        line: 1,
    })
    .map_err(|(_, errors)| errors)
}

fn one_error(text: &str) -> ClaimError {
    let errors = json(text).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn a_claim_with_a_patient_reads_and_round_trips() {
    let claim = json(FULL).unwrap();
    let patient = claim.patient.as_ref().unwrap();
    assert_eq!(patient.member_id.as_deref(), Some("M1"));
    assert_eq!(patient.sex, Some(Sex::F));
    assert_eq!(patient.relationship.as_deref(), Some("18"));
    assert_eq!(
        claim.provider.as_ref().unwrap().npi.as_deref(),
        Some("1234567893")
    );
    assert_eq!(claim.lines[0].diagnosis_pointers, Some(vec![1, 2]));
    assert_eq!(claim.lines[0].charge, Money::from_cents(12500));
    assert_eq!(claim.lines[1].charge, Money::from_cents(4050));
    assert_eq!(claim.lines[1].diagnosis_pointers, None);
    let written = serde_json::to_value(&*claim).unwrap();
    assert_eq!(written["lines"][0]["charge"], "125.00");
    assert_eq!(written["lines"][1]["charge"], "40.50");
    assert_eq!(written["patient"]["birth_date"], "1950-02-01");
    let again = json(&written.to_string()).unwrap();
    assert_eq!(again, claim);
}

#[test]
fn an_old_claim_reads_as_before_with_everything_unknown() {
    let claim =
        json(r#"{"id": "O-1", "service_date": "2024-03-01", "lines": [{"code": "27093"}]}"#)
            .unwrap();
    assert_eq!(claim.patient, None);
    assert_eq!(claim.lines[0].charge, None);
    assert_eq!(claim.lines[0].diagnosis_pointers, None);
    assert_eq!(claim.lines[0].rendering_provider, None);
    let written = serde_json::to_value(&*claim).unwrap();
    assert_eq!(written["patient"], serde_json::Value::Null);
    assert_eq!(written["lines"][0]["charge"], serde_json::Value::Null);
}

#[test]
fn bad_values_are_errors_at_their_json_path() {
    for (from, to, path) in [
        (
            r#""birth_date": "1950-02-01""#,
            r#""birth_date": "2024-03-02""#,
            "patient.birth_date",
        ),
        (r#""sex": "F""#, r#""sex": "X""#, "patient.sex"),
        (
            r#""relationship": "18""#,
            r#""relationship": "self""#,
            "patient.relationship",
        ),
        (
            r#""member_id": "M1""#,
            r#""member_id": """#,
            "patient.member_id",
        ),
        (
            r#"{"npi": "1234567893"}"#,
            r#"{"npi": "1234567890"}"#,
            "provider.npi",
        ),
        (
            r#""rendering_provider": "1234567893""#,
            r#""rendering_provider": "123""#,
            "lines[0].rendering_provider",
        ),
        ("[1, 2]", "[1, 3]", "lines[0].diagnosis_pointers[1]"),
        ("[1, 2]", "[0]", "lines[0].diagnosis_pointers[0]"),
        (
            "[1, 2]",
            "[1, 2, 1, 2, 1]",
            "lines[0].diagnosis_pointers[4]",
        ),
        (r#""125.00""#, r#""125.005""#, "lines[0].charge"),
        (r#""125.00""#, "-1", "lines[0].charge"),
        (r#""125.00""#, "1e308", "lines[0].charge"),
    ] {
        assert!(FULL.contains(from), "{from}");
        let error = one_error(&FULL.replacen(from, to, 1));
        assert_eq!(error.path.as_deref(), Some(path), "{error:?}");
        assert!(error.message.len() < 200, "{error:?}");
    }
}

#[test]
fn hostile_values_give_short_errors_quickly() {
    let start = Instant::now();
    let huge_id = FULL.replacen(r#""M1""#, &format!("\"{}\"", "M".repeat(1 << 20)), 1);
    let pointers = vec!["1"; 10_000].join(", ");
    let many_pointers = FULL.replacen("[1, 2]", &format!("[{pointers}]"), 1);
    let huge_charge = FULL.replacen(r#""125.00""#, &format!("\"{}\"", "9".repeat(1 << 20)), 1);
    for (text, path) in [
        (huge_id, "patient.member_id"),
        (many_pointers, "lines[0].diagnosis_pointers[4]"),
        (huge_charge, "lines[0].charge"),
    ] {
        let error = one_error(&text);
        assert_eq!(error.path.as_deref(), Some(path));
        assert!(error.message.len() < 200, "{error:?}");
    }
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_builder_sets_and_checks_them() {
    let claim = Claim::builder("B-1")
        .service_date("2024-03-01")
        .patient("M1", "1950-02-01", "M")
        .patient_relationship("18")
        .provider_npi("1234567893")
        .diagnosis("S82.241A")
        .line(
            LineBuilder::new("27093")
                .diagnosis_pointers([1])
                .charge("125")
                .rendering_provider("1234567893"),
        )
        .build()
        .unwrap();
    assert_eq!(claim.patient.as_ref().unwrap().sex, Some(Sex::M));
    assert_eq!(claim.lines[0].charge.unwrap().to_string(), "125.00");
    let error = Claim::builder("B-2")
        .service_date("2024-03-01")
        .patient("M1", "1950-02-01", "Q")
        .line(LineBuilder::new("27093"))
        .build()
        .unwrap_err();
    assert_eq!(error.path.as_deref(), Some("patient.sex"));
    let error = Claim::builder("B-3")
        .service_date("2024-03-01")
        .line(LineBuilder::new("27093").diagnosis_pointers([1]))
        .build()
        .unwrap_err();
    assert_eq!(
        error.path.as_deref(),
        Some("lines[0].diagnosis_pointers[0]")
    );
}

/// A sample interchange; demo.example2's made-up billing NPI is given its check digit, so
/// that its claim reads (tests/x12.rs tests the NPI check on every sample).
fn sample(name: &str) -> String {
    let path = format!("{}/data/x12/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .replace("*XX*9876543210~", "*XX*9876543213~")
}

fn x12(text: &str) -> Vec<ClaimInput> {
    X12Claims::new(Cursor::new(text.as_bytes()))
        .map(|item| item.claim)
        .collect()
}

fn first_claim(text: &str) -> NormalizedClaim {
    match x12(text).into_iter().next() {
        Some(ClaimInput::Claim { claim, .. }) => *claim,
        other => panic!("not a claim: {other:?}"),
    }
}

fn x12_errors(text: &str) -> Vec<ClaimError> {
    match x12(text).into_iter().next() {
        Some(ClaimInput::Unreadable { errors, .. }) => errors,
        other => panic!("not unreadable: {other:?}"),
    }
}

#[test]
fn a_2000c_patient_gives_the_birth_date_sex_and_relationship() {
    // example1: the subscriber JANE SMITH (NM109 JS00111223333), the patient her son TED
    // (PAT*19, DMG*D8*19730501*M).
    let claim = first_claim(&sample("demo.example1.837"));
    let patient = claim.patient.as_ref().unwrap();
    assert_eq!(patient.member_id.as_deref(), Some("JS00111223333"));
    assert_eq!(
        serde_json::to_value(patient).unwrap(),
        serde_json::json!({"member_id": "JS00111223333", "birth_date": "1973-05-01", "sex": "M", "relationship": "19"})
    );
    assert_eq!(claim.lines[0].charge.unwrap().to_string(), "40.00");
    // The HI diagnoses are ICD-9-CM, not read: what SV107 points at is unknown.
    assert_eq!(claim.lines[0].diagnosis_pointers, None);
}

#[test]
fn the_subscriber_is_the_patient_without_a_2000c_loop() {
    // example2: SBR*P*18, NM1*IL … MI*00221111, DMG*D8*19430501*M.
    let claim = first_claim(&sample("demo.example2.837"));
    assert_eq!(
        serde_json::to_value(claim.patient.as_ref().unwrap()).unwrap(),
        serde_json::json!({"member_id": "00221111", "birth_date": "1943-05-01", "sex": "M", "relationship": "18"})
    );
}

#[test]
fn sv107_points_at_icd10_diagnoses() {
    let text = sample("demo.example2.837").replacen(
        "HI*BK:0340*BF:V7389~",
        "HI*ABK:S82241A*ABF:M1611~",
        1,
    );
    let claim = first_claim(&text);
    let pointers: Vec<_> = claim
        .lines
        .iter()
        .map(|l| l.diagnosis_pointers.clone())
        .collect();
    assert_eq!(pointers[0], Some(vec![1]), "{pointers:?}");
    let text = text.replacen("*UN*1.00***1~", "*UN*1.00***1:2~", 1);
    let claim = first_claim(&text);
    assert!(claim
        .lines
        .iter()
        .any(|l| l.diagnosis_pointers == Some(vec![1, 2])));
}

#[test]
fn bad_x12_values_are_errors_at_their_element() {
    let example2 = sample("demo.example2.837");
    for (from, to, path) in [
        ("DMG*D8*19430501*M~", "DMG*D8*19430501*X~", "DMG03"),
        ("DMG*D8*19430501*M~", "DMG*D8*19431301*M~", "DMG02"),
        ("DMG*D8*19430501*M~", "DMG*D8*20300101*M~", "DMG02"),
        ("SBR*P*18*", "SBR*P*SELF*", "SBR02"),
        ("*UN*1.00***1~", "*UN*1.00***3~", "SV107-1"),
        ("*UN*1.00***1~", "*UN*1.00***1:1:1:1:1~", "SV107-5"),
        ("40.00*UN*", "40.005*UN*", "SV102"),
    ] {
        assert!(example2.contains(from), "{from}");
        let errors = x12_errors(&example2.replacen(from, to, 1));
        assert!(
            errors.iter().any(|e| e.path.as_deref() == Some(path)),
            "{path}: {errors:?}"
        );
    }
}

/// `claimrules facts` shows what the rules see of an 837P's patient (DMG) and of each line
/// (SV107's diagnoses, SV102's charge).
#[test]
fn facts_show_the_patient_and_the_line_diagnoses_of_an_837p() {
    let text = sample("demo.example2.837")
        .replacen("HI*BK:0340*BF:V7389~", "HI*ABK:S82241A*ABF:M1611~", 1)
        .replacen("*UN*1.00***1~", "*UN*1.00***1:2~", 1);
    let dir = common::tempdir("facts-837p");
    let path = dir.join("claim.837");
    std::fs::write(&path, text).unwrap();
    let output = common::claimrules(&["facts", path.to_str().unwrap()]);
    let first: serde_json::Value = serde_json::from_str(
        common::stdout(&output)
            .lines()
            .next()
            .expect("one line a claim"),
    )
    .unwrap();
    // DMG*D8*19430501*M, and the first line's date of service 2006-10-03 (DTP*472).
    assert_eq!(first["fields"]["patient age"], 63, "{first}");
    assert_eq!(first["fields"]["patient sex"], "M", "{first}");
    assert_eq!(first["fields"]["source"], "x12", "{first}");
    assert_eq!(
        first["lines"][0],
        serde_json::json!({"line": 1, "code": "99213", "diagnoses": ["S82.241A", "M16.11"],
            "charge": "40.00", "rendering_provider": null}),
        "{first}"
    );
}

/// A line that points at one diagnosis twice is an error at the second pointer: in JSON at its
/// path, in an 837P at its SV107 component.
#[test]
fn a_diagnosis_pointer_given_twice_is_an_error() {
    let json = r#"{"id": "D", "service_date": "2024-03-01", "diagnoses": ["M17.11", "M17.12"],
        "lines": [{"code": "20610", "diagnosis_pointers": [2, 1, 2]}]}"#;
    let (_, errors) = parse_claim(&RawClaim {
        json: json.into(),
        line: 1,
    })
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].path.as_deref(),
        Some("lines[0].diagnosis_pointers[2]")
    );
    assert_eq!(
        errors[0].message,
        "diagnosis pointer 2 is given twice; point at each diagnosis once"
    );
    let text = sample("demo.example2.837")
        .replacen("HI*BK:0340*BF:V7389~", "HI*ABK:S82241A*ABF:M1611~", 1)
        .replacen("*UN*1.00***1~", "*UN*1.00***1:2:1~", 1);
    let errors = x12_errors(&text);
    assert!(
        errors.iter().any(|e| e.path.as_deref() == Some("SV107-3")
            && e.message.ends_with(
                "`1` points at a diagnosis an earlier pointer of the line points at; point at each diagnosis once"
            )),
        "{errors:?}"
    );
}
