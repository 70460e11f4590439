//! `claimrules history import`, `history show` and `check --history [--record]` (issue 24),
//! run as the binary on SQLite and on PostgreSQL (`CLAIMRULES_TEST_POSTGRES`, see
//! tests/common/stores.rs): the history rules of the standard pack firing across claims, what
//! a claim sees of the claims before and after it in the input, a run that does not record,
//! the same results and store whatever the threads, store errors, and a run killed mid-way.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::stores::{Kind, TestStore};
use common::{run, stderr, stdout};
use rstest::rstest;
use serde_json::{json, Value};

const NPI: &str = "1234567893";
const OTHER_NPI: &str = "1245319599";

/// A claim as one line of JSON: `lines` are `(code, modifiers)`.
fn claim(id: &str, member: &str, on: &str, npi: Option<&str>, lines: &[(&str, &[&str])]) -> String {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(code, mods)| json!({"code": code, "modifiers": mods}))
        .collect();
    let mut c = json!({
        "id": id,
        "service_date": on,
        "patient": {"member_id": member, "birth_date": "1950-02-01", "sex": "F"},
        "lines": lines,
    });
    if let Some(npi) = npi {
        c["provider"] = json!({ "npi": npi });
    }
    c.to_string()
}

fn write(dir: &Path, name: &str, claims: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut text = claims.join("\n");
    text.push('\n');
    std::fs::write(&path, text).expect("write the claims");
    path
}

fn cli(args: &[&str]) -> Output {
    run(args, None)
}

fn import(test: &TestStore, file: &Path) -> Output {
    cli(&[
        "history",
        "import",
        "--history",
        &test.location,
        file.to_str().unwrap(),
    ])
}

/// `check --history` over a file, with `--record` when asked, and more arguments. Without
/// `--record` the store must exist: it is made (empty) first.
fn check(test: &TestStore, file: &Path, record: bool, more: &[&str]) -> Output {
    if !record {
        drop(test.open());
    }
    let mut args = vec!["check", "--history", &test.location, "--format", "ndjson"];
    if record {
        args.push("--record");
    }
    args.extend(more);
    args.push(file.to_str().unwrap());
    cli(&args)
}

/// The results of an ndjson run, by claim id.
fn results(o: &Output) -> BTreeMap<String, Value> {
    stdout(o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (v["claim"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// The findings of one rule in a result.
fn findings_of<'r>(result: &'r Value, rule: &str) -> Vec<&'r Value> {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The history rules' findings of a result, as `(rule, action, lines, history)`.
fn history_findings(result: &Value) -> Vec<(String, String, Value, Value)> {
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["history"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
                f["lines"].clone(),
                f["history"].clone(),
            )
        })
        .collect()
}

fn show_json(test: &TestStore, member: &str) -> (i32, Value) {
    let o = cli(&[
        "history",
        "show",
        "--history",
        &test.location,
        member,
        "--format",
        "json",
    ]);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap(), v)
}

/// `(claim, line, status, denied_by)` of each line `history show` gives, in its order.
fn shown_lines(test: &TestStore, member: &str) -> Vec<(String, u64, String, Value)> {
    let (_, v) = show_json(test, member);
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["claim"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
                l["status"].as_str().unwrap().to_string(),
                l["denied_by"].clone(),
            )
        })
        .collect()
}

fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "no panic: {err}"
    );
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn history_import_then_show_in_text_and_json_newest_first(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_import_show") else {
        return;
    };
    let file = write(
        &test.dir,
        "past.ndjson",
        &[
            claim("P-2", "M1", "2024-03-01", Some(NPI), &[("99213", &[])]),
            claim(
                "P-1",
                "M1",
                "2024-01-15",
                Some(NPI),
                &[("27447", &["RT"]), ("20610", &[])],
            ),
            claim("P-3", "M2", "2024-02-01", None, &[("99214", &[])]),
        ],
    );
    let o = import(&test, &file);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("imported 3 claim(s), 4 line(s)"),
        "{}",
        stderr(&o)
    );

    let o = cli(&["history", "show", "--history", &test.location, "M1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "member M1, born 1950-02-01, sex F: 3 line(s), newest first\n\
             \x20 2024-03-01  claim P-2 line 1  99213 x1  provider {NPI}  paid\n\
             \x20 2024-01-15  claim P-1 line 2  20610 x1  provider {NPI}  paid\n\
             \x20 2024-01-15  claim P-1 line 1  27447-RT x1  provider {NPI}  paid\n"
        )
    );

    let (code, v) = show_json(&test, "M1");
    assert_eq!(code, 0);
    assert_eq!(v["member"], "M1");
    assert_eq!(v["found"], true);
    assert_eq!(v["birth_date"], "1950-02-01");
    assert_eq!(v["sex"], "F");
    assert_eq!(
        v["lines"][2],
        json!({
            "claim": "P-1", "line": 1, "date": "2024-01-15", "code": "27447",
            "modifiers": ["RT"], "units": 1, "provider": NPI, "place_of_service": null,
            "status": "paid", "denied_by": null
        })
    );
    let order: Vec<(&str, u64)> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["claim"].as_str().unwrap(), l["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(order, [("P-2", 1), ("P-1", 2), ("P-1", 1)]);
    let (_, m2) = show_json(&test, "M2");
    assert_eq!(m2["lines"][0]["provider"], Value::Null);

    // A member the store does not know: exit 1, in both formats.
    let o = cli(&["history", "show", "--history", &test.location, "NOBODY"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no claim of member `NOBODY`"),
        "{}",
        stderr(&o)
    );
    let (code, v) = show_json(&test, "NOBODY");
    assert_eq!(code, 1);
    assert_eq!(v, json!({"member": "NOBODY", "found": false, "lines": []}));
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn history_import_lists_skipped_claims_exits_1_and_records_the_others(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_import_skipped") else {
        return;
    };
    let path = test.dir.join("mixed.ndjson");
    std::fs::write(
        &path,
        [
            claim("OK-1", "M1", "2024-01-01", Some(NPI), &[("99213", &[])]),
            r#"{"id": "NO-MEMBER", "service_date": "2024-01-01", "lines": [{"code": "99213"}]}"#
                .to_string(),
            r#"{"id": "BROKEN", "service_date": "2024-"#.to_string(),
            claim("OK-2", "M2", "2024-01-02", Some(NPI), &[("99214", &[])]),
        ]
        .join("\n"),
    )
    .unwrap();
    let o = import(&test, &path);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("skipped: claim `NO-MEMBER`: the claim names no member")
            && err.contains("input line 2"),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with("skipped:") && l.contains("input line 3")),
        "the unreadable claim is listed with its input line: {err}"
    );
    assert!(err.contains("imported 2 claim(s), 2 line(s)"), "{err}");
    assert!(err.contains("2 skipped"), "{err}");
    assert_eq!(show_json(&test, "M1").0, 0);
    assert_eq!(show_json(&test, "M2").0, 0);
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn check_record_fires_the_history_rules_across_claims(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_rules_fire") else {
        return;
    };
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[
            // Global surgery: a visit 30 days after a knee replacement by the same surgeon.
            claim("GS-1", "M-GS", "2024-04-01", Some(NPI), &[("27447", &[])]),
            claim("GS-2", "M-GS", "2024-05-01", Some(NPI), &[("99213", &[])]),
            // The same visit billed again on another claim.
            claim("DUP-1", "M-DUP", "2024-06-03", Some(NPI), &[("99214", &[])]),
            claim("DUP-2", "M-DUP", "2024-06-03", Some(NPI), &[("99214", &[])]),
            // The initial annual wellness visit, once in a lifetime.
            claim("AWV-1", "M-AWV", "2019-06-10", Some(NPI), &[("G0438", &[])]),
            claim(
                "AWV-2",
                "M-AWV",
                "2024-05-01",
                Some(OTHER_NPI),
                &[("G0438", &[])],
            ),
            // NCCI PTP: 27096 with 77002 (denied on one claim in ncci.test.policy), on two
            // claims of the same provider and date.
            claim("PTP-1", "M-PTP", "2026-11-23", Some(NPI), &[("27096", &[])]),
            claim("PTP-2", "M-PTP", "2026-11-23", Some(NPI), &[("77002", &[])]),
        ],
    );
    let o = check(&test, &file, true, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(&o);
    assert_eq!(r.len(), 8);
    let fired = |claim: &str| history_findings(&r[claim]);
    for first in ["GS-1", "DUP-1", "AWV-1", "PTP-1"] {
        assert_eq!(fired(first), [], "{first} has no earlier claim");
    }
    let expect = |rule: &str, earlier: &str| {
        vec![(
            rule.to_string(),
            "deny".to_string(),
            json!([1]),
            json!({"claim": earlier, "line": 1}),
        )]
    };
    assert_eq!(
        fired("GS-2"),
        expect("global-surgery.visit-in-post-operative-period", "GS-1")
    );
    assert_eq!(fired("DUP-2"), expect("history.duplicate-line", "DUP-1"));
    assert_eq!(
        fired("AWV-2"),
        expect("history.preventive-once-per-lifetime", "AWV-1")
    );
    assert_eq!(
        fired("PTP-2"),
        expect("ncci.procedure-to-procedure.across-claims", "PTP-1")
    );
    assert!(
        findings_of(&r["GS-2"], "global-surgery.visit-in-post-operative-period")[0]["message"]
            .as_str()
            .unwrap()
            .contains("(claim GS-1, line 1)")
    );

    // Recorded with their outcome: the denied lines by the rule that denied them.
    assert_eq!(
        shown_lines(&test, "M-GS"),
        [
            (
                "GS-2".to_string(),
                1,
                "denied".to_string(),
                json!("global-surgery.visit-in-post-operative-period")
            ),
            ("GS-1".to_string(), 1, "paid".to_string(), Value::Null),
        ]
    );
    assert_eq!(
        shown_lines(&test, "M-PTP")[0],
        (
            "PTP-2".to_string(),
            1,
            "denied".to_string(),
            json!("ncci.procedure-to-procedure.across-claims")
        )
    );

    // Judged again, each claim replaces its own recording and never sees itself: the same
    // results.
    let again = check(&test, &file, true, &[]);
    assert_eq!(stdout(&again), stdout(&o));
    let c = test.rows("SELECT CAST(count(*) AS TEXT) FROM claims");
    assert_eq!(c, vec![vec!["8".to_string()]]);
}

#[rstest]
#[case::sqlite_record(Kind::Sqlite, true)]
#[case::sqlite_without_record(Kind::Sqlite, false)]
#[case::postgres_record(Kind::Postgres, true)]
#[case::postgres_without_record(Kind::Postgres, false)]
fn a_claim_sees_the_claims_before_it_in_the_input_never_after(
    #[case] kind: Kind,
    #[case] record: bool,
) {
    let Some(test) = TestStore::new(kind, "cli_input_order") else {
        return;
    };
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[
            // Before the surgery in the input (though after it by date): not in its package.
            claim("V-EARLY", "M1", "2024-05-01", Some(NPI), &[("99213", &[])]),
            claim("S-1", "M1", "2024-04-01", Some(NPI), &[("27447", &[])]),
            claim("V-LATE", "M1", "2024-05-02", Some(NPI), &[("99213", &[])]),
            // Another member's surgery is not this member's.
            claim("V-OTHER", "M2", "2024-05-02", Some(NPI), &[("99213", &[])]),
        ],
    );
    let o = check(&test, &file, record, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(&o);
    let rule = "global-surgery.visit-in-post-operative-period";
    assert_eq!(
        findings_of(&r["V-EARLY"], rule).len(),
        0,
        "{}",
        r["V-EARLY"]
    );
    assert_eq!(findings_of(&r["V-OTHER"], rule).len(), 0);
    let late = findings_of(&r["V-LATE"], rule);
    assert_eq!(late.len(), 1, "{}", r["V-LATE"]);
    assert_eq!(late[0]["history"], json!({"claim": "S-1", "line": 1}));
    let recorded = test.rows("SELECT claim_id FROM claims ORDER BY claim_id");
    if record {
        assert_eq!(recorded.len(), 4);
    } else {
        assert!(recorded.is_empty(), "{recorded:?}");
    }
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn check_without_record_leaves_the_database_unchanged(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_no_record") else {
        return;
    };
    let past = write(
        &test.dir,
        "past.ndjson",
        &[claim(
            "S-1",
            "M1",
            "2024-04-01",
            Some(NPI),
            &[("27447", &[])],
        )],
    );
    assert_eq!(import(&test, &past).status.code(), Some(0));
    let before = test.dump();
    let shown_before = show_json(&test, "M1");
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[
            claim("V-1", "M1", "2024-05-01", Some(NPI), &[("99213", &[])]),
            claim("V-2", "M1", "2024-05-01", Some(NPI), &[("99214", &[])]),
            claim("N-1", "M-NEW", "2024-05-01", Some(NPI), &[("99214", &[])]),
            // A claim of a recorded id judged anew: it stands in for the recorded one.
            claim("S-1", "M1", "2024-04-01", Some(NPI), &[("99212", &[])]),
        ],
    );
    let o = check(&test, &file, false, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = results(&o);
    let rule = "global-surgery.visit-in-post-operative-period";
    assert_eq!(
        findings_of(&r["V-1"], rule)[0]["history"],
        json!({"claim": "S-1", "line": 1}),
        "the recorded surgery is read"
    );
    assert_eq!(test.dump(), before, "nothing is written");
    assert_eq!(show_json(&test, "M1"), shown_before);
    assert_eq!(show_json(&test, "M-NEW").0, 1);
}

/// Claims of many members, each with several claims in an order of its own, some of which the
/// history rules judge: the same text for the same seed.
fn generated_claims(seed: u64, count: usize, members: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let codes = [
        "99213", "99214", "99212", "27447", "20610", "29881", "G0438", "27096", "77002",
    ];
    let npis = [NPI, OTHER_NPI];
    (0..count)
        .map(|i| {
            let member = format!("GEN-M{}", rng.usize(..members));
            let on = format!("2024-{:02}-{:02}", rng.u32(3..=5), rng.u32(1..=28));
            let lines: Vec<(&str, &[&str])> = (0..rng.usize(1..=3))
                .map(|_| (codes[rng.usize(..codes.len())], &[][..]))
                .collect();
            claim(
                &format!("GEN-{i}"),
                &member,
                &on,
                Some(npis[rng.usize(..npis.len())]),
                &lines,
            )
        })
        .collect()
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn the_same_claims_give_the_same_results_and_store_whatever_the_threads(#[case] kind: Kind) {
    let Some(start) = TestStore::new(kind, "cli_threads_start") else {
        return;
    };
    // A starting store with some history, then ~2,000 claims of 250 members to judge.
    let past = write(
        &start.dir,
        "past.ndjson",
        &generated_claims(7, 300, 250)
            .into_iter()
            .map(|c| c.replace("GEN-", "PAST-").replace("PAST-M", "GEN-M"))
            .collect::<Vec<_>>(),
    );
    assert_eq!(import(&start, &past).status.code(), Some(0));
    let file = write(
        &start.dir,
        "claims.ndjson",
        &generated_claims(11, 2000, 250),
    );
    let one = start.copy("cli_threads_one");
    let four = start.copy("cli_threads_four");

    let by_one = check(&one, &file, true, &["--threads", "1"]);
    let by_four = check(&four, &file, true, &["--threads", "4"]);
    assert_eq!(by_one.status.code(), Some(1), "{}", stderr(&by_one));
    assert_eq!(by_four.status.code(), Some(1), "{}", stderr(&by_four));
    assert!(
        stdout(&by_one) == stdout(&by_four),
        "the same results, byte for byte"
    );
    let r = results(&by_one);
    assert_eq!(r.len(), 2000);
    let fired: BTreeSet<String> = r
        .values()
        .flat_map(history_findings)
        .map(|(rule, ..)| rule)
        .collect();
    for rule in [
        "global-surgery.visit-in-post-operative-period",
        "history.duplicate-line",
        "history.preventive-once-per-lifetime",
        "ncci.procedure-to-procedure.across-claims",
    ] {
        assert!(fired.contains(rule), "{rule} fires somewhere: {fired:?}");
    }
    let dumped = one.dump();
    assert_eq!(dumped, four.dump(), "the same store");
    assert!(dumped
        .iter()
        .any(|row| row[0] == "line" && row[10] == "denied"));

    // Without --record, from the same starting store: the same results again.
    let scratch_one = check(&start, &file, false, &["--threads", "1"]);
    let scratch_four = check(&start, &file, false, &["--threads", "4"]);
    assert!(stdout(&scratch_one) == stdout(&scratch_four));
    assert!(
        stdout(&scratch_one) == stdout(&by_one),
        "recording changes nothing of what a claim sees"
    );
}

#[test]
fn record_without_history_is_a_usage_error() {
    let o = cli(&["check", "--record", "examples/claims/batch.ndjson"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--history"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[rstest]
#[case::check(&["check", "--history", "postgres://claimrules@127.0.0.1:1/x", "examples/claims/batch.ndjson"])]
#[case::check_record(&["check", "--history", "postgres://claimrules@127.0.0.1:1/x", "--record", "examples/claims/batch.ndjson"])]
#[case::import(&["history", "import", "--history", "postgres://claimrules@127.0.0.1:1/x", "examples/claims/batch.ndjson"])]
#[case::show(&["history", "show", "--history", "postgres://claimrules@127.0.0.1:1/x", "M1"])]
#[case::password(&["check", "--history", "postgres://claimrules:s3cret@127.0.0.1:1/x", "examples/claims/batch.ndjson"])]
fn a_missing_postgres_server_is_exit_2_with_one_clear_line(#[case] args: &[&str]) {
    let o = cli(args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_no_panic(&o);
    assert!(o.stdout.is_empty(), "no result is written: {}", stdout(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "the error and its help: {err}");
    let at = args.iter().position(|a| *a == "--history").unwrap() + 1;
    let shown = args[at].replace(":s3cret@", ":***@");
    assert!(
        lines[0].starts_with(&format!(
            "error: cannot open the history database `{shown}`"
        )),
        "{err}"
    );
    assert!(
        !err.contains("s3cret"),
        "the password is never shown: {err}"
    );
    assert!(lines[0].to_lowercase().contains("refused"), "{err}");
    assert!(lines[1].starts_with("  help: "), "{err}");
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn a_store_of_a_newer_schema_is_exit_2_and_left_unchanged(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_newer_schema") else {
        return;
    };
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[claim(
            "C-1",
            "M1",
            "2024-05-01",
            Some(NPI),
            &[("99213", &[])],
        )],
    );
    assert_eq!(import(&test, &file).status.code(), Some(0));
    test.sql("UPDATE claimrules_schema SET version = 99");
    let before = test.dump();
    let file_arg = file.to_str().unwrap();
    for args in [
        vec!["check", "--history", &test.location, file_arg],
        vec!["check", "--history", &test.location, "--record", file_arg],
        vec!["history", "import", "--history", &test.location, file_arg],
        vec!["history", "show", "--history", &test.location, "M1"],
    ] {
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_no_panic(&o);
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(
            stderr(&o).contains("is at schema version 99; this claimrules knows versions up to 1"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(test.dump(), before);
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Lines of a claim given in the input, by claim id.
fn input_lines(claims: &[String]) -> BTreeMap<String, usize> {
    claims
        .iter()
        .map(|c| {
            let v: Value = serde_json::from_str(c).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["lines"].as_array().unwrap().len(),
            )
        })
        .collect()
}

/// Lines of each recorded claim, by claim id.
fn recorded_lines(test: &TestStore) -> BTreeMap<String, usize> {
    let claims: BTreeSet<String> = test
        .rows("SELECT claim_id FROM claims")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let mut lines: BTreeMap<String, usize> = claims.into_iter().map(|c| (c, 0)).collect();
    for row in test.rows("SELECT claim_id, CAST(count(*) AS TEXT) FROM lines GROUP BY claim_id") {
        let n: usize = row[1].parse().unwrap();
        let entry = lines.get_mut(&row[0]);
        assert!(
            entry.is_some(),
            "lines of claim {} with no claim row",
            row[0]
        );
        *entry.unwrap() = n;
    }
    lines
}

#[test]
fn sqlite_a_run_killed_mid_way_records_every_claim_it_wrote_whole() {
    let test = TestStore::new(Kind::Sqlite, "cli_sigkill").unwrap();
    let claims = generated_claims(3, 50_000, 5_000);
    let expected = input_lines(&claims);
    let file = write(&test.dir, "claims.ndjson", &claims);
    let out_path = test.dir.join("out.ndjson");
    let spawn = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_claimrules"))
            .args([
                "check",
                "--history",
                &test.location,
                "--record",
                "--threads",
                "2",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .stdin(std::fs::File::open(&file).unwrap())
            .stdout(std::fs::File::create(out).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs")
    };
    let mut child = spawn(&out_path);
    // Killed once some slices' results are out, long before the last.
    let started = Instant::now();
    loop {
        let written = std::fs::read(&out_path).map_or(0, |b| newlines(&b));
        if written >= 10_000 {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be killed");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no output in 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL)
    );

    let output = std::fs::read_to_string(&out_path).unwrap();
    // A result cut by the kill is not a result written.
    let written: Vec<String> = output
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["claim"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(!written.is_empty());
    assert!(
        written.len() < claims.len(),
        "killed mid-way: {} results",
        written.len()
    );
    let recorded = recorded_lines(&test);
    for id in &written {
        assert!(
            recorded.contains_key(id),
            "{id} was written but not recorded"
        );
    }
    for (id, lines) in &recorded {
        assert_eq!(
            Some(lines),
            expected.get(id),
            "claim {id} is recorded whole"
        );
    }
    println!(
        "killed after {} results written, {} claims recorded",
        written.len(),
        recorded.len()
    );

    // Run again, to the end: every claim recorded once, whole.
    let again = spawn(&test.dir.join("again.ndjson"))
        .wait()
        .expect("the second run ends");
    assert_eq!(again.code(), Some(1));
    assert_eq!(recorded_lines(&test), expected);
    let (members, claims_n, lines_n) = {
        let counts = test.rows(
            "SELECT CAST((SELECT count(*) FROM members) AS TEXT),
                    CAST((SELECT count(*) FROM claims) AS TEXT),
                    CAST((SELECT count(*) FROM lines) AS TEXT)",
        );
        (
            counts[0][0].clone(),
            counts[0][1].clone(),
            counts[0][2].clone(),
        )
    };
    let members_in_input: BTreeSet<String> = claims
        .iter()
        .map(|c| {
            let v: Value = serde_json::from_str(c).unwrap();
            v["patient"]["member_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(members, members_in_input.len().to_string());
    assert_eq!(claims_n, expected.len().to_string());
    assert_eq!(lines_n, expected.values().sum::<usize>().to_string());
}

/// A NUL in an id (which PostgreSQL text cannot hold) makes that claim an `error` result, not
/// recorded; the run and the other claims go on.
#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
fn a_nul_in_an_id_does_not_end_the_run(#[case] kind: Kind) {
    let Some(test) = TestStore::new(kind, "cli_nul_id") else {
        return;
    };
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[
            claim("OK-1", "M1", "2024-01-01", Some(NPI), &[("99213", &[])]),
            claim(
                "NUL-MEMBER",
                "M\u{0}1",
                "2024-01-02",
                Some(NPI),
                &[("99213", &[])],
            ),
            claim(
                "NUL\u{0}CLAIM",
                "M2",
                "2024-01-03",
                Some(NPI),
                &[("99213", &[])],
            ),
            claim("OK-2", "M3", "2024-01-04", Some(NPI), &[("99213", &[])]),
        ],
    );
    for record in [false, true] {
        let o = check(&test, &file, record, &[]);
        assert_ne!(o.status.code(), Some(2), "record {record}: {}", stderr(&o));
        let results = results(&o);
        assert_eq!(results.len(), 4);
        for (id, status) in [
            ("OK-1", "pass"),
            ("NUL-MEMBER", "error"),
            ("NUL\u{0}CLAIM", "error"),
            ("OK-2", "pass"),
        ] {
            assert_eq!(results[id]["status"], status, "{id}, record {record}");
        }
    }
    assert_eq!(show_json(&test, "M1").0, 0);
    assert_eq!(show_json(&test, "M3").0, 0);
    assert_eq!(
        show_json(&test, "M2").0,
        1,
        "the claim with a NUL is not recorded"
    );
}

#[rstest]
#[case::sqlite(Kind::Sqlite)]
#[case::postgres(Kind::Postgres)]
/// A claim is known by its member and its id: claim X of member B is another claim than X of
/// member A, so A's visit sees A's surgery whatever the threads (and where slices are cut).
fn a_claim_id_given_again_for_another_member_gives_the_same_results_whatever_the_threads(
    #[case] kind: Kind,
) {
    let Some(test) = TestStore::new(kind, "cli_id_moves") else {
        return;
    };
    // The first slice holds one claim per thread, so the three claims are cut into slices
    // differently with 1, 2 and 4 threads.
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[
            claim("X", "A", "2024-04-01", Some(NPI), &[("27447", &[])]),
            claim("X", "B", "2024-04-01", Some(NPI), &[("99213", &[])]),
            claim("V", "A", "2024-05-01", Some(NPI), &[("99213", &[])]),
        ],
    );
    for record in [false, true] {
        let outputs: Vec<String> = ["1", "2", "4"]
            .iter()
            .map(|threads| {
                let fresh = TestStore::new(kind, "cli_id_moves_run").expect("a store");
                let o = check(&fresh, &file, record, &["--threads", threads]);
                assert_eq!(o.status.code().map(|c| c < 2), Some(true), "{}", stderr(&o));
                stdout(&o)
            })
            .collect();
        assert_eq!(outputs[0], outputs[1], "record {record}: threads 1 and 2");
        assert_eq!(outputs[1], outputs[2], "record {record}: threads 2 and 4");
        assert!(
            outputs[0]
                .lines()
                .nth(2)
                .unwrap()
                .contains("global-surgery.visit"),
            "record {record}: V is in the global period of A's X: {}",
            outputs[0]
        );
    }
}

#[test]
fn sqlite_a_run_stopped_by_ctrl_c_writes_exactly_the_claims_it_recorded() {
    let test = TestStore::new(Kind::Sqlite, "cli_sigint").unwrap();
    let claims = generated_claims(5, 50_000, 5_000);
    let expected = input_lines(&claims);
    let file = write(&test.dir, "claims.ndjson", &claims);
    let out_path = test.dir.join("out.ndjson");
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args([
            "check",
            "--history",
            &test.location,
            "--record",
            "--threads",
            "2",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(&file).unwrap())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    while std::fs::read(&out_path).map_or(0, |b| newlines(&b)) < 5_000 {
        assert!(child.try_wait().unwrap().is_none(), "ended before Ctrl-C");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no output in 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: the pid is of our own child, not yet waited for.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let status = child.wait().unwrap();
    let output = std::fs::read_to_string(&out_path).unwrap();
    assert!(output.ends_with('\n'), "whole results only");
    let written: BTreeSet<String> = output
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["claim"].as_str().unwrap().to_string()
        })
        .collect();
    let recorded = recorded_lines(&test);
    if status.code() == Some(1) {
        // It ended on its own before the signal was seen: every claim judged.
        assert_eq!(recorded, expected);
        return;
    }
    assert_eq!(status.code(), Some(130), "stopped by Ctrl-C");
    println!(
        "stopped after {} results written and recorded",
        written.len()
    );
    assert!(written.len() < claims.len());
    assert_eq!(
        recorded.keys().cloned().collect::<BTreeSet<_>>(),
        written,
        "the claims written are the claims recorded"
    );
    for (id, lines) in &recorded {
        assert_eq!(
            Some(lines),
            expected.get(id),
            "claim {id} is recorded whole"
        );
    }
}

#[test]
fn sqlite_and_postgres_judge_and_record_alike() {
    let Some(pg) = TestStore::new(Kind::Postgres, "cli_alike_pg") else {
        return;
    };
    let lite = TestStore::new(Kind::Sqlite, "cli_alike_sqlite").unwrap();
    let past = write(&lite.dir, "past.ndjson", &generated_claims(21, 300, 200));
    let file = write(&lite.dir, "claims.ndjson", &generated_claims(22, 1500, 200));
    for test in [&lite, &pg] {
        assert_eq!(import(test, &past).status.code(), Some(0));
    }
    for record in [false, true] {
        let by_lite = check(&lite, &file, record, &["--threads", "2"]);
        let by_pg = check(&pg, &file, record, &["--threads", "2"]);
        assert_eq!(by_lite.status.code(), Some(1), "{}", stderr(&by_lite));
        assert!(
            stdout(&by_lite) == stdout(&by_pg),
            "record {record}: the same results on both stores"
        );
        assert_eq!(lite.dump(), pg.dump(), "record {record}: the same store");
    }
    for member in ["GEN-M0", "GEN-M7", "GEN-M199"] {
        assert_eq!(show_json(&lite, member), show_json(&pg, member));
    }
}

#[test]
fn history_show_of_a_missing_sqlite_file_is_exit_2_and_creates_nothing() {
    let test = TestStore::new(Kind::Sqlite, "cli_show_missing").unwrap();
    let o = cli(&["history", "show", "--history", &test.location, "M1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_no_panic(&o);
    assert!(
        stderr(&o).starts_with(&format!(
            "error: cannot open the history database `{}`: there is no such file",
            test.location
        )),
        "{}",
        stderr(&o)
    );
    assert!(!test.path().exists());
}

/// A member with more recorded lines than a claim is judged with: their claim is an `error`
/// naming the member, not judged or recorded; the other members' claims are judged.
#[test]
fn a_member_with_too_many_recorded_lines_gives_an_error_result() {
    let test = TestStore::new(Kind::Sqlite, "cli_too_many_lines").unwrap();
    let limit = claimrules::batch::MAX_MEMBER_LINES;
    let codes: Vec<(&str, &[&str])> = vec![("99213", &["76"]); 1000];
    let past: Vec<String> = (0..=limit / 1000)
        .map(|i| claim(&format!("P-{i}"), "BIG", "2024-01-02", None, &codes))
        .collect();
    assert_eq!(
        import(&test, &write(&test.dir, "past.ndjson", &past))
            .status
            .code(),
        Some(0)
    );
    let file = write(
        &test.dir,
        "today.ndjson",
        &[
            claim("T-BIG", "BIG", "2024-02-01", None, &[("99213", &[])]),
            claim("T-SMALL", "SMALL", "2024-02-01", None, &[("99213", &[])]),
        ],
    );
    let o = check(&test, &file, true, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let results = results(&o);
    assert_eq!(results["T-BIG"]["status"], "error");
    let message = results["T-BIG"]["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "member `BIG` has {} recorded lines",
            (limit / 1000 + 1) * 1000
        )),
        "{message}"
    );
    assert_eq!(results["T-BIG"]["errors"][0]["path"], "patient.member_id");
    assert_eq!(results["T-SMALL"]["status"], "pass");
    let (_, shown) = show_json(&test, "BIG");
    assert!(
        shown["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["claim"] != "T-BIG"),
        "the claim is not recorded"
    );
}

/// Without `--record` a run changes nothing in the store, so it needs one: a mistyped path, a
/// device, an SQLite URI or another program's database is refused (exit 2), and left as it was.
#[test]
fn without_record_a_missing_or_foreign_store_is_refused_and_left_alone() {
    let test = TestStore::new(Kind::Sqlite, "cli_no_store").unwrap();
    let file = write(
        &test.dir,
        "claims.ndjson",
        &[claim(
            "C-1",
            "M1",
            "2024-05-01",
            Some(NPI),
            &[("99213", &[])],
        )],
    );
    let claims = file.to_str().unwrap();
    let typo = test.dir.join("histroy.db");
    let o = cli(&["check", "-q", "--history", typo.to_str().unwrap(), claims]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("there is no such file"),
        "{}",
        stderr(&o)
    );
    assert!(!typo.exists(), "nothing is created");

    let foreign = test.dir.join("other.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE lines (x INTEGER); INSERT INTO lines VALUES (1);")
        .unwrap();
    let before = std::fs::read(&foreign).unwrap();
    for record in [false, true] {
        let mut args = vec!["check", "-q", "--history", foreign.to_str().unwrap()];
        if record {
            args.push("--record");
        }
        args.push(claims);
        let o = cli(&args);
        assert_eq!(o.status.code(), Some(2), "record {record}: {}", stderr(&o));
        assert_eq!(
            std::fs::read(&foreign).unwrap(),
            before,
            "record {record}: unchanged"
        );
    }
    let o = cli(&[
        "history",
        "import",
        "--history",
        foreign.to_str().unwrap(),
        claims,
    ]);
    assert!(
        stderr(&o).contains("it holds tables (`lines`) but no claimrules schema version"),
        "{}",
        stderr(&o)
    );

    for odd in [":memory:", "file:history.db", "/dev/null"] {
        let o = cli(&["history", "import", "--history", odd, claims]);
        assert_eq!(o.status.code(), Some(2), "{odd}: {}", stderr(&o));
    }
    assert!(!std::path::Path::new("/dev/null-journal").exists());
}
