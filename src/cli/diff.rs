//! `claimrules diff`: the same claims under old and new packs, and what changes.

use std::io::{self, Write};

use claimrules::replay::{compare, Replay};
use claimrules::report::finding_line;
use claimrules::EvalOptions;

use super::inputs::{open_input, read_text};
use super::output::{fail, print_diagnostics, write_json_document};
use super::{DiffArgs, LintFormat, PackArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: DiffArgs) -> u8 {
    // The claims first: a wrong path fails at once, before the packs and their tables load.
    let mut inputs = Vec::with_capacity(args.claims.len());
    for path in &args.claims {
        let name = path.display().to_string();
        match open_input(&name) {
            Ok(input) => inputs.push((name, input)),
            Err(message) => {
                fail(message);
                return EXIT_FAILURE;
            }
        }
    }
    let mut engines = Vec::with_capacity(2);
    for (which, dirs) in [("old", &args.old), ("new", &args.new)] {
        let packs = PackArgs {
            packs: dirs.clone(),
            base: args.base.clone(),
        };
        match packs.builder().build() {
            Ok(engine) => engines.push(engine),
            Err(diagnostics) => {
                eprintln!("the {which} packs do not load:");
                print_diagnostics(&diagnostics);
                return EXIT_FAILURE;
            }
        }
    }
    let (old, new) = (&engines[0], &engines[1]);
    let mut old_results = Vec::new();
    let mut new_results = Vec::new();
    for (name, input) in inputs {
        let text = match read_text(&name, input) {
            Ok(text) => text,
            Err(message) => {
                fail(message);
                return EXIT_FAILURE;
            }
        };
        old_results.extend(old.evaluate_input(&text, EvalOptions::default()));
        new_results.extend(new.evaluate_input(&text, EvalOptions::default()));
    }
    let replay = compare(&old_results, &new_results);
    let written = match args.format {
        LintFormat::Json => write_json_document(&serde_json::to_value(&replay).unwrap_or_default()),
        LintFormat::Text => write_text(&replay),
    };
    match written {
        Err(e) => {
            fail(format!("cannot write the report: {e}"));
            EXIT_FAILURE
        }
        Ok(()) if replay.changes.is_empty() => EXIT_PASS,
        Ok(()) => EXIT_FINDINGS,
    }
}

fn write_text(replay: &Replay) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for change in &replay.changes {
        let claim = change
            .claim
            .clone()
            .unwrap_or_else(|| format!("claim {}", change.position + 1));
        writeln!(
            out,
            "{claim}: {} -> {}",
            change.old_status.as_str(),
            change.new_status.as_str()
        )?;
        for f in &change.removed {
            writeln!(out, "  - {}  [{} {}]", finding_line(f), f.rule, f.pack)?;
        }
        for f in &change.added {
            writeln!(out, "  + {}  [{} {}]", finding_line(f), f.rule, f.pack)?;
        }
    }
    writeln!(
        out,
        "{} claim(s) compared, {} changed",
        replay.claims,
        replay.changes.len()
    )?;
    if !replay.by_rule.is_empty() {
        writeln!(out, "findings by rule (added, removed):")?;
        let width = replay
            .by_rule
            .iter()
            .map(|r| r.rule.len())
            .max()
            .unwrap_or(0);
        for r in &replay.by_rule {
            writeln!(out, "  {:width$}  +{} -{}", r.rule, r.added, r.removed)?;
        }
    }
    out.flush()
}
