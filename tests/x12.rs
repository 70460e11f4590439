//! X12 837P: every sample interchange reads, claim by claim and date by date, and judges
//! without an error.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::PathBuf;

use claimrules::input::x12::X12Claims;
use claimrules::input::{ClaimInput, InputItem};
use claimrules::{Engine, EvalOptions, Status};

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

#[test]
fn every_sample_reads_and_judges_without_error() {
    let engine = Engine::standard().expect("the standard pack loads");
    let files = samples();
    assert_eq!(files.len(), 18, "the 18 samples");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
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
    let second = "CLM*SECOND*40.00***11:B:1*Y*A*Y*I~\nLX*1~\nSV1*HC:99213*40.00*UN*1.00***1~\nDTP*472*D8*20061003~\n";
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

/// `claimrules check --input x12 --format json` on every sample: one result per claim and date
/// of service, as the text counts them; `ISA` at the start is found without `--input` too.
#[test]
fn the_command_line_checks_every_sample() {
    for (i, path) in samples().iter().enumerate() {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"));
        command.args(["check", "--quiet", "--format", "json"]);
        if i % 2 == 0 {
            command.args(["--input", "x12"]);
        }
        let output = command.arg(path).output().expect("the binary runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<serde_json::Value> =
            serde_json::from_slice(&output.stdout).expect("a JSON array");
        let text = std::fs::read_to_string(path).expect("the sample");
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
