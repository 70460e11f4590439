//! The command line as a user runs it: formats, exit codes, bad input, bad policies.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{claimrules, run, stderr, stdout, tempdir};

fn results(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn denied_claim_exits_1_with_the_finding() {
    let o = claimrules(&[
        "check",
        "--format",
        "json",
        "examples/claims/hip-arthrography-2010-03-31.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON array");
    assert_eq!(v[0]["status"], "deny");
    assert_eq!(v[0]["findings"][0]["lines"], serde_json::json!([2]));
    // RT on 27093 alone bypasses neither edit; the table's finding is the one given.
    assert_eq!(
        v[0]["findings"][0]["policy"]["file"],
        "policies/ncci.policy"
    );
}

#[test]
fn passing_claim_exits_0() {
    let o = claimrules(&["check", "examples/claims/hip-arthrography-2010-04-01.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("\"status\":\"pass\""),
        "piped output is NDJSON: {}",
        stdout(&o)
    );
}

#[test]
fn text_format_reads_like_a_report() {
    let o = claimrules(&[
        "check",
        "--format",
        "text",
        "--explain",
        "examples/claims/im-nail-percutaneous-code.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("CLM-NAIL-1: review\n"), "{out}");
    assert!(out.contains("line 1 27756: review"), "{out}");
    assert!(
        out.contains("derived approach = \"open\" by fixation.im-nail-is-open"),
        "{out}"
    );
}

#[test]
fn a_broken_line_in_a_batch_is_one_error_result_and_the_rest_run() {
    let o = claimrules(&[
        "check",
        "--format",
        "ndjson",
        "examples/claims/batch.ndjson",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let results = results(&o);
    let input_lines = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/claims/batch.ndjson"),
    )
    .expect("read batch")
    .lines()
    .count();
    assert_eq!(results.len(), input_lines, "one result per input claim");
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(statuses, vec!["deny", "pass", "review", "error", "pass"]);
    assert_eq!(results[3]["claim"], "B-4");
    assert_eq!(results[3]["errors"][0]["line"], 4);
}

/// A file that is neither JSON nor X12 is one error result naming it, and the next file is
/// read; under `--input json` the same file gives one result a line.
#[test]
fn a_file_neither_json_nor_x12_is_one_error() {
    let dir = tempdir("neither");
    let notes = dir.join("notes.txt");
    let good = r#"{"id": "G-1", "service_date": "2010-04-01", "lines": [{"code": "99213"}]}"#;
    std::fs::write(&notes, format!("hello world\nsecond line\n{good}\n")).expect("written");
    let notes = notes.to_str().expect("a UTF-8 path");
    let other = "examples/claims/hip-arthrography-2010-04-01.json";
    let o = claimrules(&["check", "--quiet", "--format", "ndjson", notes, other]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = results(&o);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0],
        serde_json::json!({
            "format_version": "2.1",
            "claim": null,
            "status": "error",
            "findings": [],
            "errors": [{
                "message": format!("`{notes}` is neither JSON claims nor an X12 interchange: it starts with `hello world`, not `{{`, `[` or `ISA`"),
                "path": null,
                "line": 1,
            }],
        })
    );
    assert_eq!(got[1]["status"], "pass");

    let o = run(&["check", "--quiet", "-"], Some(b"\n  hello world\n"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = results(&o);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0]["errors"][0]["message"],
        "the input is neither JSON claims nor an X12 interchange: it starts with `hello world`, not `{`, `[` or `ISA`"
    );
    assert_eq!(got[0]["errors"][0]["line"], 2);

    let o = claimrules(&["check", "--quiet", "--input", "json", notes]);
    let statuses: Vec<String> = results(&o)
        .iter()
        .map(|r| r["status"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(statuses, ["error", "error", "pass"]);
}

#[test]
fn reads_standard_input() {
    let claim = r#"{"id": "S-1", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}]}"#;
    let o = run(&["check", "-"], Some(claim.as_bytes()));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(results(&o)[0]["claim"], "S-1");
}

#[test]
fn a_policy_with_a_syntax_error_exits_2_pointing_at_the_line() {
    let dir = tempdir("syntax");
    std::fs::write(
        dir.join("payer.policy"),
        "rule payer.x\n  for each line in 77002\n  deny bundled\n",
    )
    .expect("write");
    let o = claimrules(&[
        "check",
        "--pack",
        dir.to_str().expect("utf-8 path"),
        "examples/claims/batch.ndjson",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("payer.policy:3:8]"), "file:line:col in {err}");
    assert!(
        err.contains("expected a text in double quotes here"),
        "a label in {err}"
    );
    assert!(err.contains("help:"), "a help line in {err}");
    assert!(
        stdout(&o).is_empty(),
        "no results when the policies do not load"
    );
}

#[test]
fn a_misspelt_fact_exits_2_with_a_suggestion() {
    let dir = tempdir("misspelt");
    std::fs::write(
        dir.join("payer.policy"),
        "rule payer.x\n  for each line in 77002\n  when fluoroscopy_minuts > 0\n  review \"m\"\n",
    )
    .expect("write");
    let o = claimrules(&["check", "--pack", dir.to_str().expect("utf-8 path"), "-"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("payer.policy:3:8]"), "{err}");
    assert!(err.contains("did you mean `fluoroscopy_minutes`?"), "{err}");
}

#[test]
fn an_unreadable_claims_file_exits_2() {
    let o = claimrules(&["check", "no/such/claims.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read claims from `no/such/claims.json`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_pack_folder_exits_2() {
    let o = claimrules(&[
        "check",
        "--pack",
        "no/such/pack",
        "examples/claims/batch.ndjson",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read pack folder `no/such/pack`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn without_the_default_pack_nothing_fires() {
    let dir = tempdir("empty-pack");
    std::fs::write(dir.join("only.policy"), "# a pack with no rules\n").expect("write");
    let claim = r#"{"id": "N-1", "service_date": "2010-03-31", "lines": [{"code": "27093"}, {"code": "77002"}]}"#;
    let pack = dir.to_str().expect("utf-8 path");
    let o = run(
        &["check", "--no-default-pack", "--pack", pack, "-"],
        Some(claim.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Its documentation facts are the standard pack's: without it, they are unknown keys.
    let o = run(
        &[
            "check",
            "--no-default-pack",
            "--pack",
            pack,
            "examples/claims/hip-arthrography-2010-04-01.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("is not a documentation fact the loaded packs declare"));
}

#[test]
fn output_is_byte_identical_across_runs() {
    let args = [
        "check",
        "--format",
        "json",
        "--explain",
        "examples/claims/batch.ndjson",
    ];
    assert_eq!(claimrules(&args).stdout, claimrules(&args).stdout);
}

#[test]
fn lint_passes_the_standard_pack_with_no_errors_and_no_warnings() {
    let o = claimrules(&["lint"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "0 error(s), 0 warning(s)\n");
    let o = claimrules(&["lint", "--no-default-pack", "policies"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "0 error(s), 0 warning(s)\n");
}

/// Copies the shipped policies, tests and tables into a fresh folder.
fn copy_of_the_standard_pack(name: &str) -> std::path::PathBuf {
    let dir = tempdir(name);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut pending = vec![root.clone()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("read policies") {
            let path = entry.expect("entry").path();
            let target = dir.join(path.strip_prefix(&root).expect("under policies"));
            if path.is_dir() {
                std::fs::create_dir_all(&target).expect("mkdir");
                pending.push(path);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }
    dir
}

#[test]
fn a_misspelt_fact_in_a_shipped_policy_fails_lint_and_check_at_its_line_and_column() {
    let dir = copy_of_the_standard_pack("misspelt-shipped");
    let file = dir.join("fluoroscopy.policy");
    let text = std::fs::read_to_string(&file).expect("read");
    let at = text
        .find("missing fluoroscopy_minutes")
        .expect("the documentation rule")
        + 8;
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    std::fs::write(
        &file,
        text.replacen(
            "missing fluoroscopy_minutes",
            "missing fluoroscopy_minuts",
            1,
        ),
    )
    .expect("write");
    let pack = dir.to_str().expect("utf-8 path");
    let location = format!("fluoroscopy.policy:{line}:{column}]");

    let lint = claimrules(&["lint", "--no-default-pack", pack]);
    assert_eq!(lint.status.code(), Some(2));
    assert!(stdout(&lint).contains(&location), "{}", stdout(&lint));
    assert!(stdout(&lint).contains("did you mean `fluoroscopy_minutes`?"));

    let json = claimrules(&["lint", "--no-default-pack", "--format", "json", pack]);
    assert_eq!(json.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["errors"], 1, "{v:#}");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "claimrules::unknown_name");
    assert_eq!(d["severity"], "error");
    assert!(d["file"]
        .as_str()
        .expect("file")
        .ends_with("fluoroscopy.policy"));
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line as u64), Some(column as u64))
    );
    assert_eq!(d["message"], "unknown fact `fluoroscopy_minuts`");
    assert_eq!(d["help"], "did you mean `fluoroscopy_minutes`?");

    let check = claimrules(&[
        "check",
        "--no-default-pack",
        "--pack",
        pack,
        "examples/claims/hip-arthrography-2010-03-31.json",
    ]);
    assert_eq!(check.status.code(), Some(2));
    assert!(stderr(&check).contains(&location), "{}", stderr(&check));
    assert!(stderr(&check).contains("did you mean `fluoroscopy_minutes`?"));
}

#[test]
fn lint_reports_warnings_without_failing_and_checks_test_files() {
    let dir = tempdir("lint-warnings");
    std::fs::write(
        dir.join("payer.policy"),
        "codes \"spare\" are 77002\n\nrule payer.x\n  for each line in 77002\n  when film_archived\n  review \"m\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("payer.test.policy"),
        "test \"x\"\n  claim on 2024-01-01\n    line 77002\n  expect review from payer.y\n",
    )
    .expect("write");
    let pack = dir.to_str().expect("utf-8 path");
    let o = claimrules(&["lint", "--format", "json", "--pack", pack]);
    assert_eq!(o.status.code(), Some(2), "the unknown rule id is an error");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let codes: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("error", "claimrules::test_unknown_rule"),
            ("warning", "claimrules::unused")
        ],
        "errors come before warnings"
    );
    assert_eq!(v["diagnostics"][0]["help"], "did you mean `payer.x`?");

    std::fs::remove_file(dir.join("payer.test.policy")).expect("remove");
    let o = claimrules(&["lint", "--pack", pack]);
    assert_eq!(o.status.code(), Some(0), "warnings alone pass");
    assert!(
        stdout(&o).ends_with("0 error(s), 1 warning(s)\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn fmt_check_passes_the_shipped_policies() {
    let o = claimrules(&["fmt", "--check", "policies", "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn fmt_check_lists_a_file_that_would_change_and_fmt_rewrites_it() {
    let dir = tempdir("fmt");
    let file = dir.join("payer.policy");
    let messy = "rule payer.x for each line in 77002 when film_archived review \"m\"\n";
    std::fs::write(&file, messy).expect("write");
    let path = file.to_str().expect("utf-8 path");

    let check = claimrules(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), format!("would reformat {path}\n"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check changes nothing"
    );

    let fmt = claimrules(&["fmt", path]);
    assert_eq!(fmt.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "rule payer.x\n  for each line in 77002\n  when film_archived\n  review \"m\"\n"
    );
    assert_eq!(claimrules(&["fmt", "--check", path]).status.code(), Some(0));
}

#[test]
fn fmt_leaves_a_file_with_a_syntax_error_alone_and_exits_2() {
    let dir = tempdir("fmt-bad");
    let file = dir.join("bad.policy");
    std::fs::write(&file, "rule r\n  when (\n  deny \"x\"\n").expect("write");
    let o = claimrules(&["fmt", file.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.policy:3:3]"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "rule r\n  when (\n  deny \"x\"\n"
    );
}

#[test]
fn a_policy_file_linted_alone_says_its_table_sits_beside_it_and_to_lint_the_folder() {
    let dir = tempdir("table-beside-a-policy");
    let policy = dir.join("tables.policy");
    std::fs::create_dir_all(dir.join("tables")).expect("mkdir");
    std::fs::write(dir.join("tables/covered.csv"), "code,covered\n27093,yes\n").expect("write");
    std::fs::write(
        &policy,
        "table \"covered\" from \"tables/covered.csv\"\n  column covered is boolean\n\n\
         rule acme.covered\n  for each line in 27093\n  when code.covered\n  review \"m\"\n",
    )
    .expect("write");
    let file = policy.to_str().expect("utf-8 path");
    let alone = claimrules(&["lint", "--no-default-pack", file]);
    assert_eq!(alone.status.code(), Some(2));
    // A long path wraps the message, even inside a word, so the text is compared without its
    // layout: no spaces, line breaks or gutter bars.
    let unlaid = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect()
    };
    let said = unlaid(&stdout(&alone));
    assert!(said.contains(&unlaid("sits beside the policy")), "{said}");
    // The command names the policy's folder.
    assert!(
        said.contains(&unlaid(&format!("{}/`", dir.display()))),
        "{said}"
    );
    assert!(
        said.contains(&unlaid(
            "a folder given to `claimrules lint` is read as a pack"
        )),
        "{said}"
    );

    let folder = claimrules(&["lint", "--no-default-pack", dir.to_str().expect("utf-8")]);
    assert_eq!(stdout(&folder), "0 error(s), 0 warning(s)\n");
}

#[cfg(unix)]
#[test]
fn a_table_beside_a_policy_is_not_mentioned_when_a_link_leads_out_of_the_folder() {
    let outside = tempdir("table-outside-a-policy");
    std::fs::write(outside.join("covered.csv"), "code,covered\n27093,yes\n").expect("write");
    let dir = tempdir("table-linked-beside-a-policy");
    std::os::unix::fs::symlink(outside.join("covered.csv"), dir.join("covered.csv")).expect("link");
    let policy = dir.join("tables.policy");
    std::fs::write(
        &policy,
        "table \"covered\" from \"covered.csv\"\n  column covered is boolean\n",
    )
    .expect("write");
    let o = claimrules(&["lint", "--no-default-pack", policy.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("was given with these policies"));
    assert!(!stdout(&o).contains("sits beside"), "{}", stdout(&o));
}
