//! What `claimrules lint` reports, for the command and for the server's `/v1/lint`: the
//! checker's errors and warnings over the packs, and the test files checked against them.

use std::path::{Path, PathBuf};

use crate::pack::{
    holds_policies, is_test_file, read_policy_file, read_tests_at, PackSource, PolicyText,
};
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

/// What a policy path given to `lint` is: a folder of policies is a pack and a policy file is
/// linted on its own (each layered over the packs); a test file, or a folder of tests and no
/// policies, holds tests only (`None`), checked against the packs. A policy file that cannot be
/// read is an error, its message for people.
pub fn lint_source(path: &Path) -> Result<Option<PackSource>, String> {
    if path.is_dir() {
        let source = PackSource::Dir(path.to_path_buf());
        let tests_only =
            !holds_policies(path) && read_tests_at(path).is_ok_and(|tests| !tests.is_empty());
        return Ok((!tests_only).then_some(source));
    }
    if is_test_file(&path.to_string_lossy()) {
        return Ok(None);
    }
    let text = read_policy_file(path, "policy file")?;
    Ok(Some(PackSource::Texts(vec![(
        path.display().to_string(),
        text,
    )])))
}
