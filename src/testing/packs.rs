//! Which tests run on which packs: each pack's own tests run on that pack and the packs it is
//! layered on, so that a payer's change to a rule does not fail the tests of the pack below it;
//! tests named besides the packs run on every loaded pack.

use std::collections::HashSet;
use std::path::PathBuf;

use super::{run_layered_tests, TestOptions, TestReport};
use crate::diagnostic::PolicyDiagnostic;
use crate::engine::Engine;
use crate::ir::PackId;
use crate::pack::{read_pack_tests, read_tests_at, PackSource, PackUnreadable, PolicyText};

/// Runs the tests of every pack `engine` loaded, each on its own layer, then the test files
/// and folders of `paths` on the whole engine. A test file reached twice (the standard pack's
/// tests and `policies/` named on the command line) runs once. Returns the report, and a
/// diagnostic for each test folder or pack whose tests cannot be read.
pub fn run_pack_tests(
    engine: &Engine,
    paths: &[PathBuf],
    options: TestOptions,
) -> (TestReport, Vec<PolicyDiagnostic>) {
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
    for path in paths {
        match read_tests_at(path) {
            Ok(found) if found.is_empty() => {
                diagnostics.push(PolicyDiagnostic::general(PackUnreadable {
                    what: "test folder",
                    path: path.display().to_string(),
                    reason: "it holds no `*.test.policy` file".into(),
                    help: "name test files, or folders that hold them".into(),
                }))
            }
            Ok(found) => files.extend(found),
            Err(d) => diagnostics.push(d),
        }
    }
    let mut seen = HashSet::new();
    for (_, files) in &mut layers {
        keep_new(files, &mut seen);
    }
    keep_new(&mut files, &mut seen);
    let mut groups: Vec<(&Engine, &[PolicyText])> = layers
        .iter()
        .map(|(layer, files)| (layer, files.as_slice()))
        .collect();
    groups.push((engine, &files));
    (run_layered_tests(&groups, engine, options), diagnostics)
}

/// The test files of the packs, each once, and a diagnostic for each pack whose tests cannot
/// be read.
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
    keep_new(files, &mut HashSet::new());
}

/// Keeps the files not `seen` yet, and records them.
fn keep_new(files: &mut Vec<PolicyText>, seen: &mut HashSet<String>) {
    files.retain(|f| seen.insert(f.name.trim_start_matches("./").to_string()));
}
