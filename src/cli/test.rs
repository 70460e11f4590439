//! `claimrules test`: runs the policy tests of the packs and of the paths given.

use std::io::Write;

use claimrules::pack::{read_pack_tests, read_tests_at, PolicyText};
use claimrules::testing::run_tests;
use claimrules::PackSource;

use super::check::load_engine;
use super::output::color_on_stderr;
use super::{TestArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_PASS};

pub fn run(args: TestArgs) -> u8 {
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let mut sources = Vec::new();
    if !args.packs.no_default_pack {
        sources.push(PackSource::Standard);
    }
    sources.extend(args.packs.packs.iter().cloned().map(PackSource::Dir));
    let mut files: Vec<PolicyText> = Vec::new();
    let mut diagnostics = Vec::new();
    for source in &sources {
        match read_pack_tests(source) {
            Ok(found) => files.extend(found),
            Err(d) => diagnostics.push(d),
        }
    }
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
    // The standard pack's tests and `policies/` named on the command line are the same files.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.name.trim_start_matches("./").to_string()));
    let report = run_tests(&engine, &files);
    let color = color_on_stderr();
    let mut err = std::io::stderr().lock();
    for d in diagnostics.iter().chain(&report.diagnostics) {
        let _ = write!(err, "{}", d.render(color, 100));
    }
    drop(err);
    println!("{}", report.summary());
    if !diagnostics.is_empty() {
        EXIT_FAILURE
    } else if report.failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_PASS
    }
}
