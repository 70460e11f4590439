//! `claimrules test`: runs the policy tests of the packs and of the paths given.

use std::io::Write;

use claimrules::testing::{run_pack_tests, Coverage, TestOptions};
use serde_json::json;

use super::load::load_engine;
use super::output::{color_on_stderr, fail, write_json_document};
use super::{LintFormat, TestArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: TestArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let options =
        TestOptions::default().with_coverage(args.coverage || args.min_coverage.is_some());
    let (report, diagnostics) = run_pack_tests(&engine, &args.paths, options);
    let under_minimum = match (args.min_coverage, &report.coverage) {
        (Some(minimum), Some(coverage)) => coverage.percent() < minimum,
        _ => false,
    };
    let written = match args.format {
        LintFormat::Json => {
            let failures: Vec<serde_json::Value> = diagnostics
                .iter()
                .chain(&report.diagnostics)
                .map(claimrules::PolicyDiagnostic::to_json)
                .collect();
            write_json_document(&json!({
                "passed": report.passed,
                "failed": report.failed,
                "failures": failures,
                "coverage": report.coverage,
            }))
        }
        LintFormat::Text => {
            let color = color_on_stderr();
            let mut err = std::io::stderr().lock();
            for d in diagnostics.iter().chain(&report.diagnostics) {
                let _ = write!(err, "{}", d.render(color, 100));
            }
            drop(err);
            if let Some(coverage) = &report.coverage {
                print!("{}", coverage_text(coverage));
            }
            println!("{}", report.summary());
            Ok(())
        }
    };
    if let Err(e) = written {
        fail(format!("cannot write the report: {e}"));
        return EXIT_FAILURE;
    }
    if let (true, Some(minimum), Some(coverage)) =
        (under_minimum, args.min_coverage, &report.coverage)
    {
        fail(format!(
            "the tests fire {:.1}% of the rules, under the minimum of {minimum}%",
            coverage.percent()
        ));
    }
    if !diagnostics.is_empty() {
        EXIT_FAILURE
    } else if report.failed > 0 || under_minimum {
        EXIT_FINDINGS
    } else {
        EXIT_PASS
    }
}

/// How many test cases fired each rule, then what the tests never exercise.
fn coverage_text(c: &Coverage) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "coverage: {} of {} rules fired by a test ({:.1}%)",
        c.rules_covered,
        c.rules.len(),
        c.percent()
    );
    let width = c.rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    for r in &c.rules {
        let mark = if r.cases == 0 { "  never fired" } else { "" };
        let _ = writeln!(
            out,
            "  {:<width$}  {:>3} case(s)  {}:{}{mark}",
            r.rule, r.cases, r.file, r.line
        );
    }
    if !c.untested_codes.is_empty() {
        let _ = writeln!(out, "codes of a rule's lines that no test claim has:");
        for u in &c.untested_codes {
            let _ = writeln!(out, "  {}: {}", u.rule, u.codes.join(", "));
        }
    }
    if !c.untested_pair_edits.is_empty() {
        let _ = writeln!(
            out,
            "pair edits whose two codes no test claim has together:"
        );
        for e in &c.untested_pair_edits {
            let _ = writeln!(out, "  {}: `{}` ({}:{})", e.rule, e.edit, e.file, e.line);
        }
    }
    if !c.untested_table_rows.is_empty() {
        let _ = writeln!(out, "table rows whose code no test claim has:");
        for t in &c.untested_table_rows {
            let shown: Vec<&str> = t.codes.iter().take(10).map(String::as_str).collect();
            let more = if t.codes.len() > 10 { ", …" } else { "" };
            let _ = writeln!(
                out,
                "  {}: {} of {} rows: {}{more}",
                t.table,
                t.codes.len(),
                t.rows,
                shown.join(", ")
            );
        }
    }
    out
}
