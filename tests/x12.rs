//! X12 837P: every sample interchange reads, claim by claim and date by date, and judges
//! without an error once its made-up provider NPIs have their check digits.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::PathBuf;

mod common;

use claimrules::input::x12::X12Claims;
use claimrules::input::{ClaimInput, InputItem};
use claimrules::{ClaimError, Engine, EvalOptions, Status};
use rstest::rstest;

fn samples() -> Vec<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/x12");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the X12 samples are there")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "837"))
        .collect();
    files.sort();
    files
}

fn read(text: &[u8]) -> Vec<InputItem> {
    X12Claims::new(Cursor::new(text)).collect()
}

/// The (CLM01, service date) pairs of an interchange, counted straight from its text: each
/// line's `DTP*472` date, else its claim's.
fn claim_dates(text: &str) -> BTreeSet<(String, String)> {
    let bytes = text.as_bytes();
    let element = char::from(bytes[3]);
    let terminator = char::from(bytes[105]);
    let mut pairs = BTreeSet::new();
    let mut claim = String::new();
    let mut claim_date: Option<String> = None;
    let mut line_date: Option<Option<String>> = None;
    let mut flush =
        |claim: &str, claim_date: &Option<String>, line: &mut Option<Option<String>>| {
            if let Some(date) = line.take() {
                let date = date.or_else(|| claim_date.clone()).expect("a dated line");
                pairs.insert((claim.to_string(), date));
            }
        };
    for segment in text.split(terminator) {
        let elements: Vec<&str> = segment.trim().split(element).collect();
        match elements[0] {
            "CLM" | "SE" => {
                flush(&claim, &claim_date, &mut line_date);
                claim = elements.get(1).unwrap_or(&"").to_string();
                claim_date = None;
            }
            "LX" => {
                flush(&claim, &claim_date, &mut line_date);
                line_date = Some(None);
            }
            "DTP" if elements[1] == "472" => {
                let date = elements[3][..8].to_string();
                match &mut line_date {
                    Some(d) => *d = Some(date),
                    None => claim_date = Some(date),
                }
            }
            _ => {}
        }
    }
    pairs
}

/// The NPI with the same first nine digits and the right check digit.
fn corrected_npi(npi: &str) -> String {
    (0..10)
        .map(|d| format!("{}{d}", &npi[..9]))
        .find(|n| claimrules::claim::npi_is_valid(n))
        .expect("one check digit fits")
}

/// The provider NPIs (`NM1*85` and `NM1*82` with `XX`) that fail the NPI check digit, each
/// with its segment's 1-based number, and the text with each given its right check digit.
/// Most samples were written with made-up NPIs, which a payer's front end rejects.
fn with_npis_corrected(text: &str) -> (String, Vec<(usize, String)>) {
    let terminator = char::from(text.as_bytes()[105]);
    let element = char::from(text.as_bytes()[3]);
    let mut bad = Vec::new();
    let segments: Vec<String> = text
        .split(terminator)
        .enumerate()
        .map(|(i, segment)| {
            let mut elements: Vec<String> = segment.split(element).map(str::to_string).collect();
            let is_provider = elements[0].trim() == "NM1"
                && matches!(elements.get(1).map(String::as_str), Some("85" | "82"))
                && elements.get(8).map(String::as_str) == Some("XX");
            if let Some(npi) = elements.get(9).filter(|_| is_provider).cloned() {
                if !claimrules::claim::npi_is_valid(&npi) {
                    bad.push((i + 1, npi.clone()));
                    elements[9] = corrected_npi(&npi);
                }
            }
            elements.join(&element.to_string())
        })
        .collect();
    (segments.join(&terminator.to_string()), bad)
}

/// A claim whose billing (2010AA) or rendering (2310B, 2420A) provider's NPI fails the check
/// digit is an error naming the segment and `NM109`; the samples' other claims are judged.
#[test]
fn a_provider_npi_that_fails_the_check_digit_is_an_error_naming_nm109() {
    let engine = Engine::standard().expect("the standard pack loads");
    let mut failing = 0;
    for file in samples() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let (_, bad) = with_npis_corrected(&text);
        for item in read(text.as_bytes()) {
            match item.claim {
                ClaimInput::Claim { claim, .. } => {
                    let result = engine.evaluate(&claim, EvalOptions::default());
                    assert_ne!(result.status, Status::Error, "{}", file.display());
                }
                ClaimInput::Unreadable { errors, .. } => {
                    failing += 1;
                    assert!(!errors.is_empty());
                    for e in &errors {
                        assert_eq!(
                            e.path.as_deref(),
                            Some("NM109"),
                            "{}: {e:?}",
                            file.display()
                        );
                        assert!(
                            bad.iter().any(|(segment, npi)| e.message
                                == format!(
                                    "segment {segment} `NM1`: the {} provider's NPI `{npi}` fails the NPI check: an NPI is ten digits, the last the check digit of the others",
                                    if e.message.contains("billing") { "billing" } else { "rendering" }
                                )),
                            "{}: {e:?}",
                            file.display()
                        );
                    }
                }
                other => panic!("{}: {other:?}", file.display()),
            }
        }
    }
    assert!(failing > 10, "most samples carry made-up NPIs: {failing}");
}

/// The billing NPI (2010AA) is the claim's provider's; 2310B's NPI is every line's rendering
/// provider (a line's own 2420A is tested with the reader, in src/input/x12).
#[test]
fn provider_npis_from_2010aa_and_2310b() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/x12/demo.cob.example4.837"
    );
    let (text, bad) = with_npis_corrected(&std::fs::read_to_string(file).expect("readable"));
    assert_eq!(bad.len(), 2, "{bad:?}");
    let claims: Vec<claimrules::Claim> = read(text.as_bytes())
        .into_iter()
        .map(|i| match i.claim {
            ClaimInput::Claim { claim, .. } => claim.into_claim(),
            other => panic!("{other:?}"),
        })
        .collect();
    let claim = &claims[0];
    assert_eq!(
        claim.provider.as_ref().and_then(|p| p.npi.as_deref()),
        Some(corrected_npi("0100000009").as_str())
    );
    assert!(claim
        .lines
        .iter()
        .all(|l| l.rendering_provider.as_deref() == Some(corrected_npi("9090909090").as_str())));
}

#[test]
fn every_sample_reads_and_judges_without_error() {
    let engine = Engine::standard().expect("the standard pack loads");
    let files = samples();
    assert_eq!(files.len(), 18, "the 18 samples");
    for file in files {
        let (text, _) = with_npis_corrected(&std::fs::read_to_string(&file).expect("readable"));
        let items = read(text.as_bytes());
        let name = file.display();
        assert_eq!(
            items.len(),
            claim_dates(&text).len(),
            "{name}: one item per claim and date"
        );
        assert!(
            items.windows(2).all(|w| w[0].offset <= w[1].offset)
                && items.iter().all(|i| i.offset <= text.len() as u64),
            "{name}: offsets only grow, within the input"
        );
        for item in items {
            match item.claim {
                ClaimInput::Claim { claim, line } => {
                    assert!(!claim.lines.is_empty(), "{name}: {} has lines", claim.id);
                    assert!(line > 1, "{name}: {} starts after the ISA", claim.id);
                    let result = engine.evaluate(&claim, EvalOptions::default());
                    assert_ne!(
                        result.status,
                        Status::Error,
                        "{name}: {} judged: {:?}",
                        claim.id,
                        result.errors
                    );
                }
                other => panic!("{name}: not a claim: {other:?}"),
            }
        }
    }
}

fn example1() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/x12/demo.example1.837");
    std::fs::read_to_string(path).expect("demo.example1.837")
}

#[test]
fn a_claim_with_two_dates_is_two_claims() {
    let items = read(example1().as_bytes());
    let got: Vec<(String, Vec<u32>, String)> = items
        .into_iter()
        .map(|i| match i.claim {
            ClaimInput::Claim { claim, .. } => (
                claim.id.clone(),
                claim.lines.iter().map(|l| l.number()).collect(),
                claim.service_date.0.to_string(),
            ),
            other => panic!("not a claim: {other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "26463774@2006-10-03".to_string(),
                vec![1, 2],
                "2006-10-03".to_string()
            ),
            (
                "26463774@2006-10-10".to_string(),
                vec![3, 4],
                "2006-10-10".to_string()
            ),
        ]
    );
}

#[test]
fn a_broken_code_breaks_only_its_claim() {
    let second = "CLM*SECOND*40.00***11:B:1*Y*A*Y*I~\nLX*1~\nSV1*HC:99213*40.00*UN*1.00~\nDTP*472*D8*20061003~\n";
    let text = example1()
        .replacen("SV1*HC:99213*", "SV1*HC:9921*", 1)
        .replacen("SE*", &format!("{second}SE*"), 1);
    let items = read(text.as_bytes());
    assert_eq!(items.len(), 2, "{items:?}");
    match &items[0].claim {
        ClaimInput::Unreadable { id, errors } => {
            assert_eq!(id.as_deref(), Some("26463774"));
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].message.contains("segment 31 `SV1`"),
                "{}",
                errors[0].message
            );
            assert!(errors[0].message.contains("`9921`"));
            assert_eq!(errors[0].path.as_deref(), Some("SV101-2"));
            assert_eq!(errors[0].line, Some(31));
        }
        other => panic!("not unreadable: {other:?}"),
    }
    match &items[1].claim {
        ClaimInput::Claim { claim, .. } => {
            assert_eq!(claim.id, "SECOND");
            assert_eq!(claim.lines.len(), 1);
        }
        other => panic!("not a claim: {other:?}"),
    }
}

/// `claimrules check --input x12 --format json` on every sample (its NPIs corrected): one
/// result per claim and date of service, as the text counts them; `ISA` at the start is found
/// without `--input` too.
#[test]
fn the_command_line_checks_every_sample() {
    let dir = common::tempdir("x12-samples");
    for (i, sample) in samples().iter().enumerate() {
        let (text, _) = with_npis_corrected(&std::fs::read_to_string(sample).expect("readable"));
        let path = dir.join(sample.file_name().expect("a file name"));
        std::fs::write(&path, &text).expect("written");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"));
        command.args(["check", "--quiet", "--format", "json"]);
        if i % 2 == 0 {
            command.args(["--input", "x12"]);
        }
        let output = command.arg(&path).output().expect("the binary runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<serde_json::Value> =
            serde_json::from_slice(&output.stdout).expect("a JSON array");
        assert_eq!(
            results.len(),
            claim_dates(&text).len(),
            "{}",
            path.display()
        );
        assert!(
            results.iter().all(|r| r["status"] != "error"),
            "{results:?}"
        );
    }
}

#[test]
fn the_command_line_names_a_malformed_segment() {
    let broken = example1().replace("SV1*HC:99213*40.00", "SV1*HC:9921*40.00");
    let path = std::env::temp_dir().join(format!("claimrules-x12-{}.837", std::process::id()));
    std::fs::write(&path, broken).expect("a temp file");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(["check", "--quiet", "--format", "ndjson"])
        .arg(&path)
        .output()
        .expect("the binary runs");
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(1));
    let first: serde_json::Value = serde_json::from_slice(
        output
            .stdout
            .split(|b| *b == b'\n')
            .next()
            .expect("a result"),
    )
    .expect("JSON");
    assert_eq!(first["status"], "error");
    let error = &first["errors"][0];
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("`SV1`")),
        "{error}"
    );
    assert_eq!(error["path"], "SV101-2");
}

/// The functional group header and transaction set header of `demo.example1.837` (segments 2
/// and 3, on lines 2 and 3).
const EXAMPLE1_GS: &str = "GS*HC*000000005*54321*20131031*1147*1*X*005010X222A2~";
const EXAMPLE1_ST: &str = "ST*837*0021*005010X222A2~";

/// `demo.example1.837` with its GS and ST replaced.
fn example1_as(gs: &str, st: &str) -> String {
    let text = example1();
    assert!(text.contains(EXAMPLE1_GS) && text.contains(EXAMPLE1_ST));
    text.replacen(EXAMPLE1_GS, gs, 1)
        .replacen(EXAMPLE1_ST, st, 1)
}

/// The one error of an input that must give exactly one error result and nothing else.
fn the_one_error(text: &str) -> ClaimError {
    let items = read(text.as_bytes());
    assert_eq!(items.len(), 1, "{items:?}");
    match &items[0].claim {
        ClaimInput::Unreadable { id: None, errors } if errors.len() == 1 => errors[0].clone(),
        other => panic!("not one error outside any claim: {other:?}"),
    }
}

const ONLY_837P: &str = "is not read: only 837 professional claims (005010X222A1) are";

/// A transaction set that is not an 837P gives one error naming it, and none of its segments
/// is read.
#[rstest]
#[case::institutional(
    "GS*HC*S*R*20131031*1147*1*X*005010X223A2~",
    "ST*837*0021*005010X223A2~",
    "ST03",
    "an 837 institutional claim (`005010X223A2`)"
)]
#[case::institutional_named_by_gs08_only(
    "GS*HC*S*R*20131031*1147*1*X*005010X223A2~",
    "ST*837*0021~",
    "GS08",
    "an 837 institutional claim (`005010X223A2`)"
)]
#[case::dental(
    "GS*HC*S*R*20131031*1147*1*X*005010X224A2~",
    "ST*837*0021*005010X224A2~",
    "ST03",
    "an 837 dental claim (`005010X224A2`)"
)]
#[case::unknown_837_guide(
    "GS*HC*S*R*20131031*1147*1*X*005010X299~",
    "ST*837*0021*005010X299~",
    "ST03",
    "an 837 claim of implementation guide `005010X299`"
)]
#[case::acknowledgment_999(
    "GS*FA*S*R*20131031*1147*1*X*005010X231A1~",
    "ST*999*0021*005010X231A1~",
    "ST01",
    "a 999 implementation acknowledgment (`005010X231A1`)"
)]
#[case::remittance_835(
    "GS*HP*S*R*20131031*1147*1*X*005010X221A1~",
    "ST*835*0021~",
    "ST01",
    "an 835 payment and remittance advice (`005010X221A1`)"
)]
#[case::claim_status_277(
    "GS*HN*S*R*20131031*1147*1*X*005010X212~",
    "ST*277*0021*005010X212~",
    "ST01",
    "a 277 claim status response (`005010X212`)"
)]
#[case::eligibility_270(
    "GS*HS*S*R*20131031*1147*1*X*005010X279A1~",
    "ST*270*0021*005010X279A1~",
    "ST01",
    "transaction set `270` (`005010X279A1`)"
)]
#[case::no_version(
    "GS*HS*S*R*20131031*1147*1*X~",
    "ST*270*0021~",
    "ST01",
    "transaction set `270`"
)]
#[case::no_code(
    "GS*HC*S*R*20131031*1147*1*X~",
    "ST**0021~",
    "ST01",
    "a transaction set without a code (ST01)"
)]
fn a_transaction_set_not_837p_is_one_error(
    #[case] gs: &str,
    #[case] st: &str,
    #[case] path: &str,
    #[case] what: &str,
) {
    let error = the_one_error(&example1_as(gs, st));
    assert_eq!(
        error,
        ClaimError {
            message: format!("segment 3 `ST`: {what} {ONLY_837P}"),
            path: Some(path.into()),
            line: Some(3),
        }
    );
}

/// The retired HIPAA 4010 837P (004010X098A1, no ST03) is refused, not read.
#[test]
fn a_4010_claim_is_refused() {
    let text = example1_as(
        "GS*HC*000000005*54321*20131031*1147*1*X*004010X098A1~",
        "ST*837*0021~",
    )
    .replacen("*^*00501*", "*U*00401*", 1);
    assert_eq!(
        the_one_error(&text),
        ClaimError {
            message: "segment 3 `ST`: an 837 claim of the retired 4010 standard (`004010X098A1`) is not read: HIPAA retired 4010 in 2012, and only 5010 837 professional claims (005010X222A1) are".into(),
            path: Some("GS08".into()),
            line: Some(3),
        }
    );
}

/// Each transaction set is judged on its own: a refused one is one error, the 837P after it
/// in the same group is read; a refused set without its SE ends at the next ST.
#[rstest]
#[case::with_se(true)]
#[case::without_se(false)]
fn a_refused_set_does_not_hide_the_next(#[case] with_se: bool) {
    let text = example1();
    let start = text.find(EXAMPLE1_ST).expect("an ST");
    let end = text.find("GE*").expect("a GE");
    let set = &text[start..end];
    let refused = set.replacen("ST*837*0021*005010X222A2", "ST*837*0021*005010X223A2", 1);
    let refused = if with_se {
        refused
    } else {
        refused.replacen("SE*40*0021~\n", "", 1)
    };
    let both = format!("{}{refused}{set}{}", &text[..start], &text[end..]);
    let items = read(both.as_bytes());
    let got: Vec<String> = items
        .iter()
        .map(|i| match &i.claim {
            ClaimInput::Claim { claim, .. } => claim.id.clone(),
            ClaimInput::Unreadable { errors, .. } => {
                format!("error {:?} {}", errors[0].line, errors[0].message)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            format!("error Some(3) segment 3 `ST`: an 837 institutional claim (`005010X223A2`) {ONLY_837P}"),
            "26463774@2006-10-03".to_string(),
            "26463774@2006-10-10".to_string(),
        ]
    );
}

/// A policy that counts 00400's units on the date of service, as the MUE rules do.
const UNITS_POLICY: &str = "rule t.anesthesia-units
  for each line in 00400
  when units on the date of service > 1
  review \"{code}: {units} units on the date of service\"
";

/// A line billed in minutes (`SV103` = `MJ`) is one service of that many minutes: unit edits
/// count 1, not 45. The same quantity billed in units (`UN`) is 45 units.
#[rstest]
#[case::minutes("MJ", 1, Some(45), false)]
#[case::units("UN", 45, None, true)]
fn a_line_in_minutes_is_one_unit(
    #[case] basis: &str,
    #[case] units: u32,
    #[case] minutes: Option<u32>,
    #[case] counted: bool,
) {
    let text = example1().replacen(
        "SV1*HC:99213*40.00*UN*1.00***1~",
        &format!("SV1*HC:00400*300.00*{basis}*45***1~"),
        1,
    );
    let items = read(text.as_bytes());
    let ClaimInput::Claim { claim, .. } = &items[0].claim else {
        panic!("not a claim: {items:?}");
    };
    assert_eq!(claim.id, "26463774@2006-10-03");
    let line = &claim.lines[0];
    assert_eq!(
        (line.code.as_str(), line.units, line.minutes),
        ("00400", units, minutes)
    );

    let engine = common::engine_with(UNITS_POLICY);
    let result = engine.evaluate(claim, EvalOptions::default().with_explain(true));
    let fired = result
        .findings
        .iter()
        .any(|f| f.rule == "t.anesthesia-units");
    assert_eq!(fired, counted, "{:?}", result.findings);
    let explain = result.explain.clone().expect("explained");
    let shown: Vec<_> = minutes
        .map(|minutes| claimrules::report::LineMinutes {
            line: 1,
            minutes,
            units: 1,
        })
        .into_iter()
        .collect();
    assert_eq!(explain.minutes, shown);
    let text = claimrules::report::render_text(&result);
    assert_eq!(
        text.contains("line 1 is billed in minutes: 45 minutes, judged as 1 unit\n"),
        minutes.is_some(),
        "{text}"
    );
}

#[rstest]
#[case::minutes("MJ", "`1.5` is not a whole number of minutes from 1 to 99999")]
#[case::units("UN", "`1.5` is not a whole number of units from 1 to 99999")]
fn a_broken_quantity_names_its_basis(#[case] basis: &str, #[case] words: &str) {
    let text = example1().replacen(
        "SV1*HC:99213*40.00*UN*1.00***1~",
        &format!("SV1*HC:00400*300.00*{basis}*1.5***1~"),
        1,
    );
    let items = read(text.as_bytes());
    let ClaimInput::Unreadable { errors, .. } = &items[0].claim else {
        panic!("not an error: {items:?}");
    };
    assert_eq!(
        errors[..],
        [ClaimError {
            message: format!("segment 31 `SV1`: {words}"),
            path: Some("SV104".into()),
            line: Some(31),
        }]
    );
}

/// The binary names the transaction set it does not read: one result, exit 1.
#[test]
fn the_command_line_refuses_an_institutional_claim() {
    let text = example1_as(
        "GS*HC*000000005*54321*20131031*1147*1*X*005010X223A2~",
        "ST*837*0021*005010X223A2~",
    );
    let path = std::env::temp_dir().join(format!("claimrules-837i-{}.837", std::process::id()));
    std::fs::write(&path, text).expect("a temp file");
    let path_text = path.to_str().expect("a UTF-8 path");
    let output = common::claimrules(&["check", "--quiet", "--format", "ndjson", path_text]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(1));
    let results: Vec<serde_json::Value> = output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("JSON"))
        .collect();
    assert_eq!(
        results,
        [serde_json::json!({
            "format_version": "2.1",
            "claim": null,
            "status": "error",
            "findings": [],
            "errors": [{
                "message": format!("segment 3 `ST`: an 837 institutional claim (`005010X223A2`) {ONLY_837P}"),
                "path": "ST03",
                "line": 3,
            }],
        })]
    );
}

/// The claims of example 1 with its fourth line's SV1 composite (SV101) replaced.
fn example1_with_sv101(sv101: &str) -> Vec<InputItem> {
    let text = example1().replacen("SV1*HC:86663*10.00*", &format!("SV1*{sv101}*10.00*"), 1);
    read(text.as_bytes())
}

/// The comparison code of an unlisted procedure comes in SV101-7, the procedure description,
/// in the forms payers ask for; a description that states none leaves it unknown.
#[rstest]
#[case::comparison_code(
    "HC:27899:::::PERC PIN MED MALLEOLUS COMPARISON CODE 27762",
    Some("27762")
)]
#[case::compare_to("HC:27899:RT::::compare to 27762", Some("27762"))]
#[case::prose("HC:27899:::::PERC PIN MED MALLEOLUS", None)]
#[case::no_description("HC:27899", None)]
#[case::a_listed_code("HC:86663:::::COMPARISON CODE 86664", Some("86664"))]
fn a_comparison_code_is_read_from_the_procedure_description(
    #[case] sv101: &str,
    #[case] expected: Option<&str>,
) {
    let items = example1_with_sv101(sv101);
    let ClaimInput::Claim { claim, .. } = &items[1].claim else {
        panic!("not a claim: {items:?}");
    };
    let codes: Vec<Option<String>> = claim
        .lines
        .iter()
        .map(|l| l.comparison_code.map(|c| c.to_string()))
        .collect();
    assert_eq!(codes, [None, expected.map(str::to_string)]);
    let ClaimInput::Claim { claim, .. } = &items[0].claim else {
        panic!("not a claim: {items:?}");
    };
    assert!(claim.lines.iter().all(|l| l.comparison_code.is_none()));
}

/// A description that names a comparison code wrongly, or is longer than the 80 characters of
/// SV101-7 (however long: the segment limit is 64 KiB), is an error at SV101-7 with a short
/// message; the claim's other claim (its other date) is not judged either, as for any error.
#[rstest]
#[case::four_digits(
    "HC:27899:::::COMPARISON CODE 2776".to_string(),
    "segment 40 `SV1`: the procedure description `COMPARISON CODE 2776` gives `2776` as the comparison code, which is not a 5-character CPT/HCPCS code"
)]
#[case::two_codes(
    "HC:27899:::::COMPARISON CODE 27762 COMPARE TO 27766".to_string(),
    "segment 40 `SV1`: the procedure description `COMPARISON CODE 27762 COMPARE TO 27766` gives two comparison codes, `27762` and `27766`"
)]
#[case::huge(
    format!("HC:27899:::::COMPARISON CODE 27762 {}", "X".repeat(60_000)),
    "segment 40 `SV1`: the procedure description `COMPARISON CODE 27762 XXXXXXXXXXXXXXXXXX…` (60022 characters) is longer than the 80 characters an 837P allows"
)]
fn a_bad_comparison_code_is_an_error_at_sv101_7(#[case] sv101: String, #[case] message: &str) {
    let items = example1_with_sv101(&sv101);
    assert_eq!(items.len(), 1, "{items:?}");
    let ClaimInput::Unreadable { errors, .. } = &items[0].claim else {
        panic!("not an error: {items:?}");
    };
    assert_eq!(
        errors[..],
        [ClaimError {
            message: message.into(),
            path: Some("SV101-7".into()),
            line: Some(40),
        }]
    );
}
