//! The Python bindings (python/, docs/python.md): their pytest suite, python/tests, run with the
//! interpreter `CLAIMRULES_PYTHON` names (a virtual environment where `.ci/python` installed
//! the package, pytest and pyarrow), against this build's `claimrules` binary for the
//! comparisons with the command's results.
//!
//! Skipped, with a note, when `CLAIMRULES_PYTHON` is not set; with `CLAIMRULES_REQUIRE_PYTHON=1`
//! (CI, after `source .ci/python`) that fails the test instead.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

#[test]
fn the_python_bindings_pass_their_tests() {
    let Some(python) = std::env::var_os("CLAIMRULES_PYTHON").filter(|p| !p.is_empty()) else {
        assert!(
            !std::env::var("CLAIMRULES_REQUIRE_PYTHON").is_ok_and(|v| v == "1"),
            "CLAIMRULES_REQUIRE_PYTHON=1, but CLAIMRULES_PYTHON is not set (source .ci/python \
             to build and install the bindings)"
        );
        eprintln!(
            "skipped: CLAIMRULES_PYTHON is not set (`bash .ci/python` builds the bindings and \
             says how to run their tests)"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            // The reason of each skipped test (claimrules.spark's, where Java is absent).
            "-rs",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .current_dir(root)
        .env("CLAIMRULES_BIN", env!("CARGO_BIN_EXE_claimrules"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", Path::new(&python).display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pytest failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // pytest's closing line, as `cargo test -- --nocapture` shows it.
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    for skipped in stdout.lines().filter(|l| l.starts_with("SKIPPED")) {
        println!("python/tests: {skipped}");
    }
    println!("python/tests: {}", last.unwrap_or("(no output)"));
    assert!(
        last.is_some_and(|l| l.contains(" passed")),
        "pytest ran no test:\n{stdout}"
    );
}
