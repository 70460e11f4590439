//! What `claimrules lint` reports, for the command and for the server's `/v1/lint`: the
//! checker's errors and warnings over the packs, and the test files checked against them.

use std::path::PathBuf;

use crate::pack::{read_tests_at, PackSource, PolicyText};
use crate::{EngineBuilder, PolicyDiagnostic};

use super::{check_tests, keep_each_once, tests_of_packs};

/// Builds the packs and checks every test file of the packs and of `test_paths` against them:
/// errors first, then warnings, each in the order found, as a failed load orders them. A load
/// that fails gives its diagnostics alone.
pub fn lint(builder: EngineBuilder, test_paths: &[PathBuf]) -> Vec<PolicyDiagnostic> {
    let mut diagnostics: Vec<PolicyDiagnostic> = Vec::new();
    match builder.build() {
        Ok(engine) => {
            let (tests, unreadable) = test_files(engine.pack_sources(), test_paths);
            diagnostics.extend(unreadable);
            diagnostics.extend(check_tests(&engine, &tests));
            diagnostics.extend(engine.warnings().iter().cloned());
            diagnostics.sort_by_key(|d| !d.is_error());
        }
        Err(failed) => diagnostics.extend(failed.iter().cloned()),
    }
    diagnostics
}

/// The test files of the packs and of the test paths, each once.
fn test_files(
    sources: &[PackSource],
    paths: &[PathBuf],
) -> (Vec<PolicyText>, Vec<PolicyDiagnostic>) {
    let (mut files, mut unreadable) = tests_of_packs(sources);
    for path in paths {
        match read_tests_at(path) {
            Ok(found) => files.extend(found),
            Err(d) => unreadable.push(d),
        }
    }
    keep_each_once(&mut files);
    (files, unreadable)
}
