//! The fee schedule table kind (`of fee schedule indicators`) on files in the layout CMS
//! publishes: the relative value file's preamble and wrapped header, component rows (26, TC),
//! malformed rows named with their line, quarterly releases in force on their own dates, and the
//! standard pack's shipped excerpt.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::{ClaimResult, Engine, EvalOptions, PackSource};
use rstest::rstest;

/// The preamble and the header of a release, wrapped over three rows as CMS wraps it, with a
/// column (`NOT USED FOR MEDICARE PAYMENT`) the reader does not read, between those it does.
fn header(title: &str) -> String {
    format!(
        "\"{title}\",,,,,,,,,,,,\r\n\
\"CPT codes and descriptions only are copyright 2023 American Medical Association.\",,,,,,,,,,,,\r\n\
,,,,,,,,,,,,\r\n\
,,,,NOT,,PCTC,GLOB,MULT,BILAT,ASST,CO-,TEAM\r\n\
,,,,USED FOR,,,,,,,,\r\n\
HCPCS,MOD,DESCRIPTION,STATUS CODE,MEDICARE PAYMENT,WORK RVU,IND,DAYS,PROC,SURG,SURG,SURG,SURG\r\n"
    )
}

const JANUARY: &str = "2024 National Physician Fee Schedule Relative Value File January Release";

/// A pack that declares the table from `files` and denies 26 and TC where PC/TC is 0, and a
/// status other than A.
fn pack(files: &[(&str, String)]) -> Result<Engine, claimrules::Diagnostics> {
    let from = if files.len() == 1 {
        files[0].0.to_string()
    } else {
        "mpfs".to_string()
    };
    let policy = format!(
        "table \"mpfs\" of fee schedule indicators from \"{from}\"\n\n\
rule components\n  for each line\n  when line has modifier 26, TC and code.pc_tc = 0\n  \
deny \"{{code}}: no components (PC/TC {{code.pc_tc}})\"\n\n\
rule status\n  for each line\n  when code.status is not A\n  \
deny \"{{code}} has status {{code.status}}\"\n"
    );
    // A folder of files is read from disk, as a pack folder on disk is.
    static PACKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = common::tempdir(&format!("fee-schedule-{}-{n}", std::process::id()));
    std::fs::write(dir.join("p.policy"), policy).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    Engine::builder()
        .without_standard_pack()
        .pack(PackSource::Dir(dir))
        .build()
}

/// Diagnostics rendered wide enough that no message wraps.
fn render_wide(diagnostics: &claimrules::Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(false, 400))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rendered diagnostics as one line: the wrapped lines and their `│` margins joined.
fn flat(rendered: &str) -> String {
    rendered
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn judge(engine: &Engine, date: &str, lines: &str) -> ClaimResult {
    let json = format!(r#"{{"id": "C", "service_date": "{date}", "lines": [{lines}]}}"#);
    engine
        .evaluate_input(&json, EvalOptions::default())
        .remove(0)
}

#[test]
fn a_release_in_the_published_layout_reads_with_its_component_rows() {
    let text = format!(
        "{}71046,,,A,,0.22,1,XXX,0,0,9,9,9\r\n\
71046,26,,A,,0.22,1,XXX,0,0,9,9,9\r\n\
71046,TC,,A,,0.00,1,XXX,0,0,9,9,9\r\n\
99213,,,A,,1.30,0,XXX,0,9,9,9,9\r\n\
99243,,,I,,0.00,9,XXX,9,9,9,9,9\r\n",
        header(JANUARY)
    );
    let engine =
        pack(&[("PPRRVU24_JAN.csv", text)]).unwrap_or_else(|d| panic!("{}", common::render(&d)));
    // 71046 splits into components (its global row says PC/TC 1): 26 is fine.
    let result = judge(
        &engine,
        "2024-03-01",
        r#"{"code": "71046", "modifiers": ["26"]}, {"code": "99213", "modifiers": ["26"]}"#,
    );
    let denied: Vec<(&str, &[u32])> = result
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.lines.as_slice()))
        .collect();
    assert_eq!(
        denied,
        vec![("components", &[2][..])],
        "{:#?}",
        result.findings
    );
    // The finding cites the release's row of 99213: line 10 of the file, preamble counted.
    let cited = result.findings[0].table.as_ref().unwrap();
    assert_eq!((cited.file.as_str(), cited.line), ("PPRRVU24_JAN.csv", 10));
    assert_eq!(result.findings[0].message, "99213: no components (PC/TC 0)");
    let invalid = judge(&engine, "2024-03-01", r#"{"code": "99243"}"#);
    assert_eq!(invalid.findings[0].message, "99243 has status I");
}

#[test]
fn every_malformed_row_is_an_error_naming_its_file_and_line() {
    let text = format!(
        "{}99213,,,A,,1.30,0,XXX,0,9,9,9,9\r\n\
9921,,,A,,1.30,0,XXX,0,9,9,9,9\r\n\
99214,,,A,,1.30,0,XXX,0,7,9,9,9\r\n\
99213,,,A,,1.30,0,XXX,0,9,9,9,9\r\n",
        header(JANUARY)
    );
    let errors = pack(&[("PPRRVU24_JAN.csv", text)]).expect_err("bad rows are refused");
    let rendered = render_wide(&errors);
    let flat = flat(&rendered);
    for expected in [
        "PPRRVU24_JAN.csv:8: `9921` is not a CPT/HCPCS code",
        "PPRRVU24_JAN.csv:9: bilateral surgery indicator `7` is not one of 0, 1, 2, 3, 9",
        "PPRRVU24_JAN.csv:10: `99213` has a row already in this file",
        "a table of fee schedule indicators reads the CMS relative value file",
    ] {
        assert!(flat.contains(expected), "{expected}\nin:\n{rendered}");
    }
    assert!(flat.contains("p.policy:1:"), "{rendered}");
    assert!(
        !flat.contains("PPRRVU24_JAN.csv:7"),
        "a good row is not reported:\n{rendered}"
    );
}

#[test]
fn a_header_without_the_indicators_names_what_it_lacks() {
    let text = "HCPCS,MOD,STATUS CODE,WORK RVU\r\n99213,,A,1.30\r\n".to_string();
    let rendered = common::render(&pack(&[("rvu.csv", text)]).expect_err("refused"));
    let flat = flat(&rendered);
    assert!(
        flat.contains("rvu.csv:2: the header has no column `PCTC IND`, `GLOB DAYS`"),
        "{rendered}"
    );
}

/// Two quarterly releases: 99213's status changes in April. Each release holds from its first
/// day; the January release also holds before it, as the only one known then.
#[rstest]
#[case::before_the_first_release("2023-06-01", None)]
#[case::january_release("2024-03-31", None)]
#[case::april_release("2024-04-01", Some("99213 has status N"))]
#[case::long_after("2030-01-01", Some("99213 has status N"))]
fn each_quarterly_release_holds_on_its_own_dates(#[case] date: &str, #[case] denial: Option<&str>) {
    let january = format!("{}99213,,,A,,1.30,0,XXX,0,9,9,9,9\r\n", header(JANUARY));
    // The April file's name says nothing; its title does.
    let april = format!(
        "{}99213,,,N,,1.30,0,XXX,0,9,9,9,9\r\n",
        header("2024 National Physician Fee Schedule Relative Value File April Release")
    );
    let engine = pack(&[
        ("mpfs/PPRRVU24_JAN.csv", january),
        ("mpfs/april.csv", april),
    ])
    .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let result = judge(&engine, date, r#"{"code": "99213"}"#);
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, denial.into_iter().collect::<Vec<_>>());
    if denial.is_some() {
        assert_eq!(result.findings[0].table.as_ref().unwrap().file, "april.csv");
    }
}

#[test]
fn releases_that_do_not_say_their_date_are_refused_together() {
    let undated = |status: &str| {
        format!(
            "{}99213,,,{status},,1.30,0,XXX,0,9,9,9,9\r\n",
            header("Relative values")
        )
    };
    let rendered = common::render(
        &pack(&[("mpfs/a.csv", undated("A")), ("mpfs/b.csv", undated("N"))]).expect_err("refused"),
    );
    let flat = flat(&rendered);
    assert!(
        flat.contains("does not say when it takes effect"),
        "{rendered}"
    );
}

/// The standard pack's excerpt: 0201T with modifiers 51 and 26 (issue 25's example) gets both
/// findings, each from the table's row.
#[test]
fn the_standard_pack_judges_0201t_with_51_and_26() {
    let engine = Engine::standard().unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let result = judge(
        &engine,
        "2024-03-01",
        r#"{"code": "0201T", "modifiers": ["51", "26"]}"#,
    );
    let rules: Vec<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"fee-schedule.components-do-not-apply"),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"fee-schedule.modifier-51-not-applicable"),
        "{rules:?}"
    );
    for f in &result.findings {
        let cited = f
            .table
            .as_ref()
            .expect("a fee schedule finding cites its row");
        assert_eq!(cited.file, "PPRRVU24_JAN.excerpt.csv");
    }
}
