//! `claimrules lint`: the checker alone, over the packs and the policy paths given.

use std::io::{self, Write};

use claimrules::PolicyDiagnostic;
use serde_json::json;

use super::load::engine_of;
use super::output::{fail, write_json_document};
use super::{LintArgs, LintFormat, EXIT_FAILURE, EXIT_PASS};

pub fn run(args: LintArgs) -> u8 {
    let mut sources = args.packs.sources();
    let mut test_paths = Vec::new();
    for path in &args.paths {
        match claimrules::testing::lint_source(path) {
            Ok(Some(source)) => sources.push(source),
            // Tests only: checked against the packs, not loaded as one.
            Ok(None) => test_paths.push(path.clone()),
            Err(message) => {
                fail(message);
                return EXIT_FAILURE;
            }
        }
    }
    let builder = args
        .packs
        .base
        .tables
        .iter()
        .fold(engine_of(&sources), |b, (name, path)| {
            b.table_data(name.clone(), path.clone())
        });
    let diagnostics = claimrules::testing::lint(builder, &test_paths);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let written = match args.format {
        LintFormat::Text => write_text(&diagnostics, errors, warnings),
        LintFormat::Json => write_json(&diagnostics, errors, warnings),
    };
    if let Err(e) = written {
        fail(format!("cannot write the diagnostics: {e}"));
        return EXIT_FAILURE;
    }
    if errors > 0 {
        EXIT_FAILURE
    } else {
        EXIT_PASS
    }
}

fn write_text(diagnostics: &[PolicyDiagnostic], errors: usize, warnings: usize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let color = super::output::color_on_stdout();
    for d in diagnostics {
        write!(out, "{}", d.render(color, 100))?;
    }
    writeln!(out, "{errors} error(s), {warnings} warning(s)")?;
    out.flush()
}

fn write_json(diagnostics: &[PolicyDiagnostic], errors: usize, warnings: usize) -> io::Result<()> {
    let items: Vec<serde_json::Value> = diagnostics.iter().map(PolicyDiagnostic::to_json).collect();
    let doc = json!({ "errors": errors, "warnings": warnings, "diagnostics": items });
    write_json_document(&doc)
}
