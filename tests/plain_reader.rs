//! The plain claim reader (`src/claim/plain.rs`, the fast path of reading a claim) against
//! serde's reading of the claim model: a claim the plain reader reads is the claim serde reads
//! from the same text, and anything else (an escape, a decimal, a repeated or unknown field, an
//! error) it declines, for serde to read or to word the error of. The 100,000 generated claims
//! of `tests/differential.rs` hold it to serde as well (the reference reads by serde alone), and
//! so does the `claim_reader` fuzz target.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use claimrules::claim::{read_plain, Claim};
use claimrules::input::{ClaimInput, Claims};
use claimrules::InputFormat;
use rstest::rstest;

/// Whether the plain reader read `text`; fails the test if what it read is not serde's claim.
fn plain_reads(text: &str) -> bool {
    let Some(plain) = read_plain(text) else {
        return false;
    };
    let by_serde: Claim = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("the plain reader read a claim serde refuses ({e}):\n{text}"));
    assert_eq!(
        plain, by_serde,
        "the two readers read different claims from\n{text}"
    );
    true
}

/// A claim of one line, `line`.
fn with_line(line: &str) -> String {
    format!(r#"{{"id":"C","service_date":"2024-03-01","lines":[{line}]}}"#)
}

/// A claim of one line of 27093, with `fields` after its lines.
fn with_fields(fields: &str) -> String {
    format!(r#"{{"id":"C","service_date":"2024-03-01","lines":[{{"code":"27093"}}],{fields}}}"#)
}

const FULL: &str = r#"{
  "id": "C-1", "payer": "medicare", "service_date": "2024-03-01", "place_of_service": "22",
  "provider": {"taxonomy": "207X00000X", "owns_equipment": true, "npi": "1234567893"},
  "patient": {"member_id": "M-9", "birth_date": "1950-02-28", "sex": "F", "relationship": "18"},
  "diagnoses": ["S82.241A", "M48.06"],
  "lines": [
    {"line": 3, "code": "27759", "modifiers": ["rt", "59"], "units": 2, "session": 2,
     "comparison_code": "27762", "diagnosis_pointers": [1, 2], "charge": "125.00",
     "rendering_provider": "1234567893"},
    {"code": "01480", "minutes": 45, "charge": 125},
    {"code": "G0260", "units": 1, "minutes": null, "comparison_code": null,
     "diagnosis_pointers": null, "charge": null, "rendering_provider": null, "line": null}
  ],
  "procedures": [{"code": "0QSG34Z", "approach": null}, {"code": "0QSG04Z", "approach": "open"}]
}
"#;

#[rstest]
#[case::the_smallest_claim(r#"{"id":"C-1","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::every_field(FULL.to_string())]
#[case::spaces_tabs_and_newlines(" {\t\"id\" :\r\n\"C-1\" , \"service_date\":\"2024-03-01\",\"lines\":[ {\"code\" : \"27093\"} ] }\n ".to_string())]
#[case::optional_fields_null(r#"{"id":"C","payer":null,"service_date":"2024-03-01","place_of_service":null,"provider":null,"patient":null,"lines":[{"code":"27093"}]}"#.to_string())]
#[case::empty_objects(r#"{"id":"C","service_date":"2024-03-01","provider":{},"patient":{},"lines":[{"code":"27093"}]}"#.to_string())]
#[case::lowercase_code(with_line(r#"{"code":"g0260","modifiers":["xs"]}"#))]
#[case::non_ascii_id(r#"{"id":"Ç-1 ✓","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::no_lines(r#"{"id":"C","service_date":"2024-03-01","lines":[]}"#.to_string())]
#[case::line_zero(with_line(r#"{"line":0,"code":"27093"}"#))]
#[case::largest_line_number(with_line(r#"{"line":4294967295,"code":"27093"}"#))]
#[case::most_units(with_line(r#"{"code":"27093","units":99999}"#))]
#[case::documentation(with_fields(r#""documentation":{"hardware":["im_nail","plate"],"fracture_site_visualized":false,"fluoroscopy_minutes":12,"indication":null,"empty":[],"note":"Closed reduction.\nIM nail \"locked\" \\ \/ \t\b\f\r done."}"#))]
#[case::documented_decimals(with_fields(r#""documentation":{"a":1.5,"b":0.1,"c":2.0,"d":0.30000000000001,"e":99999999999999.9,"f":[0.7,1.25]}"#))]
#[case::no_documentation(with_fields(r#""documentation":{}"#))]
#[case::escapes_in_the_id_and_a_key(r#"{"id":"C\n1\"","service_date":"2024-03-01","lines":[{"code":"27093"}],"documentation":{"a\tb":true}}"#.to_string())]
#[case::session_zero(with_line(r#"{"code":"27093","session":0}"#))]
fn reads_plain_claims_as_serde_does(#[case] text: String) {
    assert!(plain_reads(&text), "the plain reader declined\n{text}");
}

#[rstest]
#[case::an_escape_in_a_string(r#"{"id":"C\u002d1","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::an_escape_in_a_key(r#"{"\u0069d":"C","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::units_as_a_decimal(with_line(r#"{"code":"27093","units":2.0}"#))]
#[case::units_with_an_exponent(with_line(r#"{"code":"27093","units":1e1}"#))]
#[case::charge_as_a_decimal(with_line(r#"{"code":"27093","charge":125.5}"#))]
#[case::a_documented_exponent(with_fields(r#""documentation":{"fluoroscopy_minutes":2.5e0}"#))]
#[case::a_documented_decimal_of_16_digits(with_fields(
    r#""documentation":{"fluoroscopy_minutes":0.123456789012345}"#
))]
#[case::a_documented_decimal_without_fraction(with_fields(
    r#""documentation":{"fluoroscopy_minutes":2.}"#
))]
#[case::a_documented_negative(with_fields(r#""documentation":{"fluoroscopy_minutes":-2}"#))]
#[case::a_documented_object(with_fields(r#""documentation":{"x":{}}"#))]
#[case::a_documented_nested_array(with_fields(r#""documentation":{"x":[[]]}"#))]
#[case::a_repeated_fact(with_fields(r#""documentation":{"x":1,"x":2}"#))]
#[case::documentation_null(with_fields(r#""documentation":null"#))]
#[case::an_unknown_escape(r#"{"id":"C\q","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::zero_units(with_line(r#"{"code":"27093","units":0}"#))]
#[case::too_many_units(with_line(r#"{"code":"27093","units":100000}"#))]
#[case::negative_units(with_line(r#"{"code":"27093","units":-1}"#))]
#[case::a_leading_zero(with_line(r#"{"code":"27093","units":01}"#))]
#[case::a_line_number_past_u32(with_line(r#"{"line":4294967296,"code":"27093"}"#))]
#[case::session_null(with_line(r#"{"code":"27093","session":null}"#))]
#[case::modifiers_null(with_line(r#"{"code":"27093","modifiers":null}"#))]
#[case::a_repeated_field(r#"{"id":"C","id":"D","service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::a_repeated_line_field(with_line(r#"{"code":"27093","code":"27094"}"#))]
#[case::an_unknown_field(with_fields(r#""color":"red""#))]
#[case::the_source_field(with_fields(r#""source":"x12""#))]
#[case::a_trailing_comma(r#"{"id":"C","service_date":"2024-03-01","lines":[{"code":"27093"},]}"#.to_string())]
#[case::text_after_the_claim(r#"{"id":"C","service_date":"2024-03-01","lines":[{"code":"27093"}]}x"#.to_string())]
#[case::two_claims(r#"{"id":"C","service_date":"2024-03-01","lines":[{"code":"27093"}]}{}"#.to_string())]
#[case::no_lines_field(r#"{"id":"C","service_date":"2024-03-01"}"#.to_string())]
#[case::a_line_without_a_code(with_line(r#"{"units":1}"#))]
#[case::a_line_as_an_array(r#"{"id":"C","service_date":"2024-03-01","lines":[["27093"]]}"#.to_string())]
#[case::the_claim_as_an_array(r#"["C","2024-03-01",[]]"#.to_string())]
#[case::a_day_that_does_not_exist(r#"{"id":"C","service_date":"2024-02-30","lines":[{"code":"27093"}]}"#.to_string())]
#[case::a_code_too_long(with_line(r#"{"code":"270933"}"#))]
#[case::an_unknown_sex(r#"{"id":"C","service_date":"2024-03-01","patient":{"sex":"X"},"lines":[{"code":"27093"}]}"#.to_string())]
#[case::a_raw_tab_in_a_string(with_line(r#"{"code":"27093"}"#).replace(r#""C""#, "\"C\t1\""))]
#[case::a_byte_order_mark(format!("\u{feff}{}", with_line(r#"{"code":"27093"}"#)))]
#[case::a_number_for_a_string(r#"{"id":7,"service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::nul_spelt_short(r#"{"id":"C","payer":nul,"service_date":"2024-03-01","lines":[{"code":"27093"}]}"#.to_string())]
#[case::true_run_on(r#"{"id":"C","service_date":"2024-03-01","provider":{"owns_equipment":truer},"lines":[{"code":"27093"}]}"#.to_string())]
#[case::cut_short(r#"{"id":"C","service_date":"2024-03-01","lines":[{"code":"27093"}"#.to_string())]
fn declines_anything_else(#[case] text: String) {
    assert!(
        !plain_reads(&text),
        "the plain reader read what it should leave to serde:\n{text}"
    );
}

/// Every claim in the repository's example claims, policy-test claims and fuzz seeds.
fn claim_texts() -> Vec<String> {
    let mut files = Vec::new();
    for folder in ["examples", "tests", "fuzz/seeds/claim_reader"] {
        collect(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(folder).as_path(),
            &mut files,
        );
    }
    files.sort();
    let mut texts = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for item in Claims::new(bytes.as_slice(), Some(InputFormat::Json)) {
            if let ClaimInput::Json(raw) = item.claim {
                texts.push(raw.json);
            }
        }
    }
    texts
}

fn collect(folder: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "ndjson")
        ) {
            files.push(path);
        }
    }
}

#[test]
fn every_claim_in_the_repository_reads_the_same_either_way() {
    let texts = claim_texts();
    let read = texts.iter().filter(|t| plain_reads(t)).count();
    println!("{read} of {} claims read by the plain reader", texts.len());
    assert!(texts.len() > 100, "the claims were found: {}", texts.len());
    // Most claims are written plainly; if the reader declines them, it is not the fast path.
    assert!(read * 2 > texts.len(), "{read} of {}", texts.len());
}

#[test]
fn mutated_claims_read_the_same_either_way() {
    const ALPHABET: &[u8] = b"{}[]\":,\\ \t0123456789.eE-+nultrfaxCG";
    let texts = claim_texts();
    let mut rng = fastrand::Rng::with_seed(26);
    let (mut tried, mut read) = (0, 0);
    for text in texts.iter().filter(|t| t.len() < 4000) {
        for _ in 0..200 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..rng.usize(1..=3) {
                let at = rng.usize(..bytes.len());
                match rng.u8(..4) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, ALPHABET[rng.usize(..ALPHABET.len())]),
                    2 => bytes[at] = ALPHABET[rng.usize(..ALPHABET.len())],
                    _ => {
                        let end = (at + rng.usize(1..=12)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = rng.usize(..=bytes.len());
                        bytes.splice(to..to, copy);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let Ok(mutated) = String::from_utf8(bytes) else {
                continue;
            };
            tried += 1;
            read += usize::from(plain_reads(&mutated));
        }
    }
    println!("{read} of {tried} mutated claims read by the plain reader");
    assert!(read > 1000, "some mutations stay plain claims: {read}");
}

/// Decimals of up to 15 digits, every length of whole part and fraction: the plain reader's
/// number is serde_json's.
#[test]
fn documented_decimals_read_as_serde_reads_them() {
    let mut rng = fastrand::Rng::with_seed(15);
    for _ in 0..20_000 {
        let whole_digits = rng.usize(1..=14);
        let fraction_digits = rng.usize(1..=15 - whole_digits);
        let digits = |n: usize, rng: &mut fastrand::Rng| -> String {
            (0..n).map(|_| char::from(b'0' + rng.u8(..10))).collect()
        };
        let mut whole = digits(whole_digits, &mut rng);
        if whole.starts_with('0') {
            whole = "0".into();
        }
        let number = format!("{whole}.{}", digits(fraction_digits, &mut rng));
        let text = format!(
            r#"{{"id":"C","service_date":"2024-03-01","lines":[{{"code":"27093"}}],"documentation":{{"x":{number}}}}}"#
        );
        assert!(plain_reads(&text), "{text}");
    }
}

/// The plain reader computes a documented decimal as serde_json does without its
/// `arbitrary_precision` feature: if a dependency ever turned that feature on, serde would keep
/// `1.50` as written and the two readers would part. This fails first.
#[test]
fn serde_json_reads_decimals_as_numbers_not_text() {
    let value: serde_json::Value = serde_json::from_str("1.50").unwrap();
    assert_eq!(value.to_string(), "1.5");
}
