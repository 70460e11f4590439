//! The standard pack's NCCI rules on the full CMS tables it ships (`policies/tables/ncci/`,
//! zstd-compressed and embedded in the binary): the user's example and the cases issue 7
//! names, the citation of the row that decided, agreement between the pack's hand-written pair
//! edits and the table, and other data given with `--table` in any layout and compression.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::OnceLock;

use claimrules::ir::RuleKind;
use claimrules::ncci::{day, ModifierIndicator};
use claimrules::{ClaimResult, Engine, EvalOptions, Finding};
use rstest::rstest;

const PTP_RULE: &str = "ncci.procedure-to-procedure";
/// The full practitioner PTP table as the standard pack ships it.
const SHIPPED_PTP: &str = "policies/tables/ncci/ptp_practitioner_v30.1_2024q2.tsv.zst";

/// The standard pack as it comes, with its full national tables, loaded once.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::standard()
            .unwrap_or_else(|d| panic!("the standard pack loads:\n{}", common::render(&d)))
    })
}

fn claim(date: &str, lines: &[(&str, &[&str])]) -> ClaimResult {
    let lines: Vec<String> = lines
        .iter()
        .map(|(code, mods)| format!(r#"{{"code": "{code}", "modifiers": {mods:?}}}"#))
        .collect();
    let json = format!(
        r#"{{"id": "C", "service_date": "{date}", "lines": [{}]}}"#,
        lines.join(", ")
    );
    common::judge(engine(), &json)
}

fn ptp_denials(result: &ClaimResult) -> Vec<&Finding> {
    result
        .findings
        .iter()
        .filter(|f| f.rule == PTP_RULE)
        .collect()
}

#[rstest]
#[case::the_day_before_cci_16_1("2010-03-31", "27093", &[], &[], true)]
#[case::from_cci_16_1("2010-04-01", "27093", &[], &[], false)]
#[case::sacroiliac_injection_still_today("2026-11-23", "27096", &[], &[], true)]
#[case::indicator_9_never_denies("2022-06-01", "36837", &[], &[], false)]
#[case::indicator_1_after_the_indicator_9_row("2024-06-01", "36837", &[], &[], true)]
#[case::modifier_59_on_the_column_2_line("2026-11-23", "27096", &[], &["59"], false)]
#[case::modifier_59_on_the_column_1_line("2026-11-23", "27096", &["59"], &[], false)]
#[case::modifier_59_on_an_indicator_0_edit("2026-11-23", "00100", &[], &["59"], true)]
#[case::a_modifier_not_ncci_associated("2026-11-23", "27096", &[], &["26"], true)]
fn the_full_ptp_table_decides_77002(
    #[case] date: &str,
    #[case] column1: &str,
    #[case] column1_modifiers: &[&str],
    #[case] modifiers_77002: &[&str],
    #[case] denied: bool,
) {
    let result = claim(
        date,
        &[(column1, column1_modifiers), ("77002", modifiers_77002)],
    );
    let denials = ptp_denials(&result);
    assert_eq!(!denials.is_empty(), denied, "{:#?}", result.findings);
    for f in denials {
        assert_eq!(f.code.as_deref(), Some("77002"));
        assert_eq!(f.lines, vec![2]);
    }
}

#[test]
fn a_denial_cites_the_published_row_that_decided() {
    let result = claim("2010-03-31", &[("27093", &[]), ("77002", &[])]);
    let denial = ptp_denials(&result)[0];
    let table = denial.table.as_ref().expect("a table row decided");
    assert_eq!(table.name, "ncci_ptp");
    assert_eq!(table.file, "ptp_practitioner_v30.1_2024q2.tsv");
    // The contract's example: line 739203 of the published file holds `27093 77002 … 20100331 1`.
    assert_eq!(table.line, 739_203);
    assert_eq!(
        denial.message,
        "77002 is bundled into 27093 (NCCI procedure-to-procedure edit): Standards of \
         medical/surgical practice"
    );
    let json = serde_json::to_value(denial).expect("a finding serializes");
    assert_eq!(
        json["table"],
        serde_json::json!({"name": "ncci_ptp", "file": "ptp_practitioner_v30.1_2024q2.tsv", "line": 739203})
    );
}

#[test]
fn the_full_mue_table_denies_units_over_the_limit() {
    // 77003: MUE 1 a date of service (adjudication 3).
    let result = common::judge(
        engine(),
        r#"{"id": "C", "service_date": "2024-06-01", "lines": [{"code": "77003", "units": 2}]}"#,
    );
    let mue: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.rule == "ncci.mue.clinical-date-of-service-edit")
        .collect();
    assert_eq!(mue.len(), 1);
    let table = mue[0].table.as_ref().expect("the MUE row decided");
    assert_eq!(
        (table.name.as_str(), table.file.as_str()),
        ("ncci_mue", "mue_2024q2.tsv")
    );
}

/// Every pair edit written by hand in the standard pack says what the national table says, on
/// every date where either changes its mind (and the days around), modifiers aside.
#[test]
fn the_hand_written_pair_edits_agree_with_the_table() {
    let program = engine().program();
    let table = &program.edit_tables[0].edits;
    let mut checked = 0;
    for rule in &program.rules {
        let RuleKind::Pairs(edits) = &rule.kind else {
            continue;
        };
        for edit in edits {
            let column2 = &program.code_sets[edit.column2.index()];
            let column1 = &program.code_sets[edit.column1.index()];
            for c1 in &column1.exact {
                for c2 in &column2.exact {
                    let mut dates = vec![
                        chrono::NaiveDate::from_ymd_opt(1996, 1, 1).unwrap(),
                        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                    ];
                    for d in [edit.verdict.window.from, edit.verdict.window.until]
                        .into_iter()
                        .flatten()
                    {
                        dates.extend([d.pred_opt().unwrap(), d, d.succ_opt().unwrap()]);
                    }
                    for date in dates {
                        let by_table = table
                            .in_force(*c1, *c2, day(date))
                            .is_some_and(|(_, r)| r.indicator != ModifierIndicator::NotApplicable);
                        assert_eq!(
                            edit.verdict.denies_on(date),
                            by_table,
                            "rule {}: {c2} with {c1} on {date}",
                            rule.id
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked >= 15, "only {checked} dates checked");
}

#[test]
fn the_cms_distribution_layout_reads_from_a_folder() {
    let dir = std::env::temp_dir().join(format!("claimrules-cms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        "data/ncci/ccipra-v322r0-f1.excerpt.txt",
        dir.join("ccipra-v322r0-f1.txt"),
    )
    .unwrap();
    let engine = Engine::builder()
        .table_data("ncci_ptp", &dir)
        .build()
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let judge = |date: &str| {
        let json = format!(
            r#"{{"id": "C", "service_date": "{date}", "lines": [{{"code": "0001A"}}, {{"code": "36591"}}]}}"#
        );
        engine
            .evaluate_input(&json, EvalOptions::default())
            .remove(0)
    };
    // `0001A 36591 … 20220101 20231231 0`: in force through 2023 only.
    let in_force = judge("2023-06-01");
    let denial = ptp_denials(&in_force)[0];
    assert_eq!(denial.table.as_ref().unwrap().file, "ccipra-v322r0-f1.txt");
    assert_eq!(denial.table.as_ref().unwrap().line, 8);
    assert!(ptp_denials(&judge("2021-12-31")).is_empty());
    assert!(ptp_denials(&judge("2024-01-01")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--table NAME=PATH` on the command line: a table pointed at other data, and a name no pack
/// declares refused with the names it could be.
#[test]
fn the_command_line_points_a_table_at_other_data() {
    let dir = std::env::temp_dir().join(format!("claimrules-cli-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ptp = dir.join("next-quarter.tsv");
    std::fs::write(
        &ptp,
        "column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
         27093\t77002\t\t*\t0\tA payer's own edit\n",
    )
    .unwrap();
    let table = format!("ncci_ptp={}", ptp.display());
    let claim = "examples/claims/hip-arthrography-2010-04-01.json";
    let out = common::claimrules(&["check", "--format", "json", "--table", &table, claim]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(r#""file":"next-quarter.tsv","line":2"#),
        "{text}"
    );
    assert!(text.contains("A payer's own edit"), "{text}");
    // Without it the shipped table decides: the row was deleted 2010-03-31, so no PTP denial
    // from 16.1 on.
    let out = common::claimrules(&["check", "--format", "json", claim]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PTP_RULE));

    let out = common::claimrules(&["check", "--table", "ncci_pt=x.tsv", claim]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no loaded pack declares a table `ncci_pt`"),
        "{err}"
    );
    assert!(err.contains("did you mean `ncci_ptp`?"), "{err}");
    let out = common::claimrules(&["check", "--table", "ncci_ptp", claim]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// NCCI Policy Manual, chapter 1, section E: an anatomic modifier bypasses an edit with
/// indicator 1 only when the two lines show different sites; 59 bypasses from either line
/// whatever the sites; nothing bypasses indicator 0. Real rows: `27447 20610 . * 1` (total knee
/// arthroplasty, arthrocentesis) and `29881 29877 . * 0` (knee arthroscopies).
#[rstest]
#[case::lt_on_both_lines("27447", &["LT"], "20610", &["LT"], true)]
#[case::rt_on_both_lines("27447", &["RT"], "20610", &["RT"], true)]
#[case::lt_and_rt("27447", &["LT"], "20610", &["RT"], false)]
#[case::rt_and_lt("27447", &["RT"], "20610", &["LT"], false)]
#[case::lt_on_the_column_1_line_only("27447", &["LT"], "20610", &[], true)]
#[case::rt_on_the_column_2_line_only("27447", &[], "20610", &["RT"], true)]
#[case::a_site_on_both_among_others("27447", &["F1"], "20610", &["F1", "F2"], true)]
#[case::different_fingers("27447", &["F1"], "20610", &["F2", "F3"], false)]
#[case::different_eyelids("27447", &["E1"], "20610", &["E3"], false)]
#[case::modifier_59_on_the_column_2_line_at_one_site("27447", &["LT"], "20610", &["LT", "59"], false)]
#[case::modifier_59_on_the_column_1_line_at_one_site("27447", &["LT", "59"], "20610", &["LT"], false)]
#[case::xs_on_the_column_2_line_alone("27447", &[], "20610", &["XS"], false)]
#[case::indicator_0_with_rt_and_lt("29881", &["RT"], "29877", &["LT"], true)]
#[case::indicator_0_with_59("29881", &["RT"], "29877", &["LT", "59"], true)]
fn site_modifiers_bypass_an_edit_only_at_different_sites(
    #[case] column1: &str,
    #[case] column1_modifiers: &[&str],
    #[case] column2: &str,
    #[case] column2_modifiers: &[&str],
    #[case] denied: bool,
) {
    let result = claim(
        "2024-06-01",
        &[(column1, column1_modifiers), (column2, column2_modifiers)],
    );
    let denials = ptp_denials(&result);
    assert_eq!(!denials.is_empty(), denied, "{:#?}", result.findings);
    for f in denials {
        assert_eq!((f.code.as_deref(), &f.lines[..]), (Some(column2), &[2][..]));
    }
}

/// The edits across claims judge the site modifiers of the earlier line and of this one as
/// they judge two lines of one claim: `29881 20610 * * 1`, 29881 paid earlier that day.
#[rstest]
#[case::lt_earlier_rt_now(&["LT"], &["RT"], false)]
#[case::rt_earlier_lt_now(&["RT"], &["LT"], false)]
#[case::lt_earlier_and_now(&["LT"], &["LT"], true)]
#[case::lt_earlier_only(&["LT"], &[], true)]
#[case::rt_now_only(&[], &["RT"], true)]
#[case::modifier_59_now(&["LT"], &["LT", "59"], false)]
fn site_modifiers_bypass_across_claims_only_at_different_sites(
    #[case] earlier: &[&str],
    #[case] now: &[&str],
    #[case] denied: bool,
) {
    use claimrules::codes::{Code, Modifier};
    use claimrules::history::{HistoryLine, HistoryView, LineStatus, PatientHistory};
    const NPI: &str = "1234567893";
    let history = PatientHistory::new(vec![HistoryLine {
        claim: "K-1".into(),
        line: 1,
        date: claimrules::codes::parse_date("2024-05-01").unwrap(),
        code: Code::parse("29881").unwrap(),
        modifiers: earlier
            .iter()
            .map(|m| Modifier::parse(m).unwrap())
            .collect(),
        units: 1,
        provider: Some(NPI.into()),
        place_of_service: None,
        status: LineStatus::Paid,
        denied_by: None,
    }]);
    let json = format!(
        r#"{{"id": "K-2", "service_date": "2024-05-01", "patient": {{"member_id": "M-1"}},
            "provider": {{"npi": "{NPI}"}}, "lines": [{{"code": "20610", "modifiers": {now:?}}}]}}"#
    );
    let claim =
        claimrules::claim::parse_claim(&claimrules::claim::RawClaim { json, line: 1 }).unwrap();
    let options = EvalOptions::default().with_explain(true);
    let result = engine().evaluate_with_history(&claim, HistoryView::Member(&history), options);
    let across = "ncci.procedure-to-procedure.across-claims";
    let denials: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.rule == across)
        .collect();
    assert_eq!(!denials.is_empty(), denied, "{:#?}", result.findings);
    if let (false, [e], [n]) = (denied, earlier, now) {
        let traces = &result.explain.as_ref().expect("explained").rules;
        let trace = traces.iter().find(|t| t.rule == across);
        assert_eq!(
            trace.and_then(|t| t.reason.as_deref()),
            Some(&*format!(
                "modifier {n} on line 1 and {e} on line 1 of earlier claim `K-1` show different \
                 sites, bypassing the edit with 29881 on line 1 of earlier claim `K-1`"
            ))
        );
    }
}

/// The standard pack's hand-written edit of 77002 with hip arthrography bypasses as the table's
/// rule does (the PTP row `27093 77002 . 20100331 1` has indicator 1): different sites spare
/// 77002 from both, and `--explain` says so for each.
#[rstest]
#[case::different_sites(
    "LT",
    Some("modifier LT on line 2 and RT on line 1 show different sites, bypassing the edit with 27093 on line 1")
)]
#[case::the_same_site("RT", None)]
fn the_hand_written_pair_edit_bypasses_as_the_table_does(
    #[case] modifier_77002: &str,
    #[case] reason: Option<&str>,
) {
    let claim = format!(
        r#"{{"id": "X", "service_date": "2010-03-31",
            "lines": [{{"code": "27093", "modifiers": ["RT"]}}, {{"code": "77002", "modifiers": ["{modifier_77002}"]}}],
            "documentation": {{"fluoroscopy_minutes": 1, "fluoroscopy_indication": "arthrography"}}}}"#
    );
    let result = common::judge_with(engine(), &claim, EvalOptions::default().with_explain(true));
    let denials: Vec<_> = result.findings.iter().map(|f| f.rule.as_str()).collect();
    let traces = &result.explain.as_ref().expect("explained").rules;
    match reason {
        Some(reason) => {
            assert!(denials.is_empty(), "{denials:?}");
            for rule in [PTP_RULE, "ncci.fluoroscopy.hip-arthrography"] {
                let trace = traces.iter().find(|t| t.rule == rule && t.line == Some(2));
                assert_eq!(
                    trace.and_then(|t| t.reason.as_deref()),
                    Some(reason),
                    "{rule}"
                );
            }
        }
        // Both deny; the line is denied once, with the table's finding.
        None => assert_eq!(denials, [PTP_RULE]),
    }
}

/// `--explain` says why an edit in force spared a line: the bypassing modifier, or indicator 9.
#[rstest]
#[case::different_sites(
    r#"{"id": "X", "service_date": "2024-06-01", "lines": [{"code": "27447", "modifiers": ["RT"]}, {"code": "20610", "modifiers": ["LT"]}]}"#,
    "modifier LT on line 2 and RT on line 1 show different sites, bypassing the edit with 27447 on line 1"
)]
#[case::modifier_59_on_the_column_1_line(
    r#"{"id": "X", "service_date": "2026-11-23", "lines": [{"code": "27096", "modifiers": ["59"]}, {"code": "77002"}]}"#,
    "modifier 59 on line 1 bypasses the edit with 27096 on line 1"
)]
#[case::bypassed(
    r#"{"id": "X", "service_date": "2026-11-23", "lines": [{"code": "27096"}, {"code": "77002", "modifiers": ["59"]}]}"#,
    "modifier 59 on line 2 bypasses the edit with 27096 on line 1"
)]
#[case::not_applicable(
    r#"{"id": "X", "service_date": "2022-06-01", "lines": [{"code": "36837"}, {"code": "77002"}]}"#,
    "the edit with 36837 on line 1 has modifier indicator 9 (not applicable)"
)]
fn explain_says_why_an_edit_spared_a_line(#[case] claim: &str, #[case] reason: &str) {
    let engine = Engine::standard().expect("the standard pack loads");
    let result = common::judge_with(&engine, claim, EvalOptions::default().with_explain(true));
    let traces = &result.explain.as_ref().expect("explained").rules;
    let trace = traces
        .iter()
        .find(|t| t.rule == PTP_RULE)
        .expect("the PTP rule was considered");
    assert_eq!((trace.line, trace.fired), (Some(2), false));
    assert_eq!(trace.reason.as_deref(), Some(reason));
}

/// A national table's columns are the ones CMS publishes; declaring one is an error at it.
#[rstest]
#[case::pair_edits("pair edits", "apply the table with `apply edits of")]
#[case::unit_limits("unit limits", "rules read `code.mue`")]
#[case::add_on_code_edits("add-on code edits", "rules read `code.add_on_type`")]
fn a_national_table_declares_no_columns(#[case] kind: &str, #[case] help: &str) {
    let policy = format!("table \"t\" of {kind} from \"t.tsv\"\n  column extra is number\n");
    let data = "hcpcs\tmue_uos\tmai\n77002\t1\t3\n".to_string();
    let built = Engine::builder()
        .without_standard_pack()
        .pack(claimrules::PackSource::Texts(vec![
            ("t.policy".into(), policy),
            ("t.tsv".into(), data),
        ]))
        .build();
    let rendered = common::render(&built.expect_err("a column on a national table is refused"));
    // The words, without the frame a wrapped message line starts with.
    let flat = rendered
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains(&format!(
            "a table of {kind} has the columns CMS publishes; it declares none"
        )),
        "{rendered}"
    );
    assert!(flat.contains(help), "{rendered}");
    assert!(flat.contains("t.policy:2:3"), "{rendered}");
}

/// The shipped table's rows, decompressed: `(line, column 1, column 2, deletion, indicator)`.
fn shipped_rows() -> Vec<(u32, String, String, String, String)> {
    let bytes = std::fs::read(SHIPPED_PTP).expect("the shipped PTP table");
    let text = zstd::decode_all(&bytes[..]).expect("it decompresses");
    String::from_utf8_lossy(&text)
        .lines()
        .enumerate()
        .skip(1)
        .filter_map(|(i, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            (f.len() >= 5).then(|| {
                let f = |k: usize| f[k].to_string();
                (i as u32 + 1, f(0), f(1), f(3), f(4))
            })
        })
        .collect()
}

/// A pair far from anything the repository once held in its 18-row excerpt is denied by a
/// plain `check`, with no `--table`: the full table is the default.
#[test]
fn check_without_table_options_applies_the_full_national_table() {
    let excerpt_codes = [
        "00100", "0201T", "20696", "20697", "27093", "27095", "27096", "27370", "36837", "76000",
        "77002",
    ];
    let rows = shipped_rows();
    assert_eq!(rows.len(), 2_545_089, "every row of version 30.1 ships");
    // The first pair past the middle of the table that is in force today, has indicator 0 and
    // one row only, and whose codes the excerpt never held.
    let once = |c1: &str, c2: &str| rows.iter().filter(|r| r.1 == c1 && r.2 == c2).count() == 1;
    let (line, column1, column2, _, _) = rows[rows.len() / 2..]
        .iter()
        .find(|(_, c1, c2, deleted, indicator)| {
            deleted == "*"
                && indicator == "0"
                && !excerpt_codes.contains(&c1.as_str())
                && !excerpt_codes.contains(&c2.as_str())
                && once(c1, c2)
        })
        .expect("an active indicator-0 pair")
        .clone();
    let claim = format!(
        r#"{{"id": "REAL", "service_date": "2024-06-03", "lines": [{{"code": "{column1}"}}, {{"code": "{column2}"}}]}}"#
    );
    let dir = std::env::temp_dir().join(format!("claimrules-real-pair-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("claim.json");
    std::fs::write(&file, claim).unwrap();
    let out = common::claimrules(&["check", "--format", "json", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let denial = results[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == PTP_RULE)
        .unwrap_or_else(|| panic!("{column2} with {column1} is denied: {results}"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(denial["code"], column2.as_str());
    assert_eq!(
        denial["table"],
        serde_json::json!({"name": "ncci_ptp", "file": "ptp_practitioner_v30.1_2024q2.tsv", "line": line})
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `--table` reads a file whether it is plain, gzip or zstd, told by its bytes and not its
/// name; a compressed file is cited by its name without `.gz` or `.zst`.
#[rstest]
#[case::plain("quarter.tsv", "plain", "quarter.tsv")]
#[case::gzip("quarter.tsv.gz", "gzip", "quarter.tsv")]
#[case::zstd("quarter.tsv.zst", "zstd", "quarter.tsv")]
#[case::gzip_named_plainly("quarter.data", "gzip", "quarter.data")]
#[case::zstd_named_plainly("quarter.tsv", "zstd", "quarter.tsv")]
fn a_table_file_reads_plain_or_compressed(
    #[case] name: &str,
    #[case] compression: &str,
    #[case] cited: &str,
) {
    let tsv =
        b"column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n\
                27093\t77002\t\t*\t0\tA payer's own edit\n";
    let bytes = match compression {
        "gzip" => gzip(tsv),
        "zstd" => zstd::encode_all(&tsv[..], 19).unwrap(),
        _ => tsv.to_vec(),
    };
    let dir = std::env::temp_dir().join(format!(
        "claimrules-compressed-{compression}-{}-{}",
        name.replace('.', "-"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let engine = Engine::builder()
        .table_data("ncci_ptp", &path)
        .build()
        .unwrap_or_else(|d| panic!("{}", common::render(&d)));
    let _ = std::fs::remove_dir_all(&dir);
    let result = common::judge(
        &engine,
        r#"{"id": "C", "service_date": "2024-06-03", "lines": [{"code": "27093"}, {"code": "77002"}]}"#,
    );
    let denial = ptp_denials(&result)[0];
    let table = denial.table.as_ref().expect("a row decided");
    assert_eq!((table.file.as_str(), table.line), (cited, 2));
    assert!(
        denial.message.ends_with("A payer's own edit"),
        "{}",
        denial.message
    );
}

/// A compressed file that is damaged, or that would decompress past the limit on a data file,
/// is an error at the table's declaration, not a crash.
#[test]
fn a_damaged_compressed_table_is_an_error() {
    let dir = std::env::temp_dir().join(format!("claimrules-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cut.tsv.zst");
    let mut bytes = zstd::encode_all(&b"column_1\tcolumn_2\n"[..].repeat(1000)[..], 3).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, bytes).unwrap();
    let built = Engine::builder().table_data("ncci_ptp", &path).build();
    let _ = std::fs::remove_dir_all(&dir);
    let rendered = common::render(&built.expect_err("a damaged file is refused"));
    assert!(
        rendered.contains("cut.tsv.zst` is zstd-compressed"),
        "{rendered}"
    );
    assert!(
        rendered.contains("decompress: incomplete frame"),
        "{rendered}"
    );
}

/// Pair-edit tables are read on a thread of their own while the rest of the pack is checked
/// (`check::edit_loads`); their data's errors still come in the order of the declarations,
/// among the other tables' errors, as when every table was read in turn.
#[test]
fn errors_of_pair_edit_tables_come_in_the_order_of_the_declarations() {
    let dir = common::tempdir(&format!("ptp-order-{}", std::process::id()));
    let header =
        "column_1\tcolumn_2\texist_prior_1996\tdeletion_date\tmodifier_indicator\trationale\n";
    std::fs::write(
        dir.join("good.tsv"),
        format!("{header}27093\t77002\t\t*\t0\tan edit\n"),
    )
    .unwrap();
    std::fs::write(dir.join("bad.tsv"), "column_1\tcolumn_2\n27093\n").unwrap();
    std::fs::write(dir.join("codes.csv"), "code,note\n123,not a code\n").unwrap();
    std::fs::write(
        dir.join("p.policy"),
        "table \"first bad\" of pair edits from \"bad.tsv\"\n\
         table \"good\" of pair edits from \"good.tsv\"\n\
         table \"codes\" from \"codes.csv\"\n  column note is text \"a note\"\n\
         table \"missing\" of pair edits from \"nothere.tsv\"\n\
         table \"last bad\" of pair edits from \"bad.tsv\"\n\
         \n\
         rule uses.good\n  apply edits of \"good\"\n",
    )
    .unwrap();
    let diagnostics = refused(
        Engine::builder()
            .without_standard_pack()
            .pack(claimrules::PackSource::Dir(dir))
            .build(),
    );
    let lines: Vec<u32> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.position().map(|(line, _)| line))
        .collect();
    assert_eq!(lines, [1, 3, 5, 6], "{diagnostics}");
}

/// An error of a pair-edit table's data stops the check before the packs are layered, as when
/// the table was read in turn: a pack above that changes the rule applying the table (here to
/// the action it takes already, which layering would refuse) adds no error of its own.
#[test]
fn an_error_of_a_pair_edit_tables_data_comes_before_layering() {
    let dir = common::tempdir(&format!("ptp-layering-{}", std::process::id()));
    let bad = dir.join("bad.tsv");
    std::fs::write(&bad, "column_1\tcolumn_2\n27093\n").unwrap();
    let diagnostics = refused(
        Engine::builder()
            .table_data("ncci_ptp", &bad)
            .policy(
                "payer.policy",
                "pack \"payer\"\n  extends \"standard\"\n\n\
                 change rule ncci.procedure-to-procedure to deny\n  reason \"r\"\n",
            )
            .build(),
    );
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(false, 400))
        .collect();
    assert_eq!(errors.len(), 1, "{diagnostics}");
    assert!(errors[0].contains("table `ncci_ptp`"), "{diagnostics}");
}

/// The diagnostics of packs that must not load.
fn refused(built: Result<Engine, claimrules::Diagnostics>) -> claimrules::Diagnostics {
    match built {
        Ok(_) => panic!("the packs should not load"),
        Err(d) => d,
    }
}
