//! `claimrules test`: runs the policy tests of the packs and of the paths given.

use std::io::Write;

use claimrules::ir::PackId;
use claimrules::pack::{read_pack_tests, read_tests_at, PolicyText};
use claimrules::testing::{run_layered_tests, Coverage, TestOptions};
use claimrules::{Engine, PackSource, PolicyDiagnostic};
use serde_json::json;

use super::check::load_engine;
use super::output::{color_on_stderr, diagnostic_json, fail, write_json_document};
use super::{LintFormat, TestArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: TestArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    // Each pack's tests run on that pack and the packs it is layered on, so a payer's change
    // to a rule does not fail the tests of the pack below it.
    let mut diagnostics = Vec::new();
    let mut layers: Vec<(Engine, Vec<PolicyText>)> = Vec::new();
    let mut whole_files = Vec::new();
    let packs = engine.pack_sources().len();
    for (i, source) in engine.pack_sources().iter().enumerate() {
        let files = match read_pack_tests(source) {
            Ok(files) if files.is_empty() => continue,
            Ok(files) => files,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        // A pack layered on every other loaded pack is tested on the engine already loaded.
        if engine.pack_chain(i as PackId).len() == packs {
            whole_files.extend(files);
            continue;
        }
        match engine.pack_layer(i as PackId) {
            Ok(layer) => layers.push((layer, files)),
            Err(failed) => diagnostics.extend(failed.iter().cloned()),
        }
    }
    let mut files = whole_files;
    for path in &args.paths {
        match read_tests_at(path) {
            Ok(found) if found.is_empty() => diagnostics.push(
                claimrules::PolicyDiagnostic::general(claimrules::pack::PackUnreadable {
                    what: "test folder",
                    path: path.display().to_string(),
                    reason: "it holds no `*.test.policy` file".into(),
                    help: "name test files, or folders that hold them".into(),
                }),
            ),
            Ok(found) => files.extend(found),
            Err(d) => diagnostics.push(d),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (_, files) in &mut layers {
        keep_new(files, &mut seen);
    }
    keep_new(&mut files, &mut seen);
    let options =
        TestOptions::default().with_coverage(args.coverage || args.min_coverage.is_some());
    let mut groups: Vec<(&Engine, &[PolicyText])> = layers
        .iter()
        .map(|(layer, files)| (layer, files.as_slice()))
        .collect();
    groups.push((&engine, &files));
    let report = run_layered_tests(&groups, &engine, options);
    let under_minimum = match (args.min_coverage, &report.coverage) {
        (Some(minimum), Some(coverage)) => coverage.percent() < minimum,
        _ => false,
    };
    let written = match args.format {
        LintFormat::Json => {
            let failures: Vec<serde_json::Value> = diagnostics
                .iter()
                .chain(&report.diagnostics)
                .map(diagnostic_json)
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

/// The test files of the packs, and a diagnostic for each pack whose tests cannot be read.
pub fn tests_of_packs(sources: &[PackSource]) -> (Vec<PolicyText>, Vec<PolicyDiagnostic>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for source in sources {
        match read_pack_tests(source) {
            Ok(found) => files.extend(found),
            Err(d) => unreadable.push(d),
        }
    }
    (files, unreadable)
}

/// Drops a test file named twice: the standard pack's tests and `policies/` named on the
/// command line are the same files.
pub fn keep_each_once(files: &mut Vec<PolicyText>) {
    keep_new(files, &mut std::collections::HashSet::new());
}

/// Keeps the files not `seen` yet, and records them.
fn keep_new(files: &mut Vec<PolicyText>, seen: &mut std::collections::HashSet<String>) {
    files.retain(|f| seen.insert(f.name.trim_start_matches("./").to_string()));
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
