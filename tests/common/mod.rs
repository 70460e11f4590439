//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cases;
pub mod stores;

use claimrules::{ClaimResult, Diagnostics, Engine, EvalOptions, Finding};

/// The standard pack with one more policy file layered on top.
pub fn engine_with(policy: &str) -> Engine {
    match Engine::builder().policy("test.policy", policy).build() {
        Ok(engine) => engine,
        Err(d) => panic!("the test policy should load:\n{}", render(&d)),
    }
}

/// Only the given policy, without the standard pack.
pub fn engine_alone(policy: &str) -> Result<Engine, Diagnostics> {
    Engine::builder()
        .without_standard_pack()
        .policy("test.policy", policy)
        .build()
}

/// Evaluates one claim given as JSON.
pub fn judge(engine: &Engine, claim: &str) -> ClaimResult {
    judge_with(engine, claim, EvalOptions::default())
}

pub fn judge_with(engine: &Engine, claim: &str, options: EvalOptions) -> ClaimResult {
    let mut results = engine.evaluate_input(claim, options);
    assert_eq!(results.len(), 1, "one claim in, one result out");
    results.remove(0)
}

/// `(rule, action, lines)` of each finding, for compact assertions.
pub fn summary(findings: &[Finding]) -> Vec<(String, &'static str, Vec<u32>)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.action.as_str(), f.lines.clone()))
        .collect()
}

/// Renders diagnostics as a reviewer reads them: no colour, fixed width.
pub fn render(diagnostics: &Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(false, 90))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A claim with the given date, lines `(code, modifiers)` and documentation object.
pub fn claim(date: &str, lines: &[(&str, &[&str])], documentation: &str) -> String {
    let lines: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, (code, mods))| {
            let mods: Vec<String> = mods.iter().map(|m| format!("\"{m}\"")).collect();
            format!(
                r#"{{"line": {}, "code": "{code}", "modifiers": [{}]}}"#,
                i + 1,
                mods.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"id": "T-1", "service_date": "{date}", "lines": [{}], "documentation": {documentation}}}"#,
        lines.join(", ")
    )
}

/// Only the given files (policies and the table data they name), without the standard pack.
pub fn engine_of_files(files: &[(&str, &str)]) -> Result<Engine, Diagnostics> {
    Engine::builder()
        .without_standard_pack()
        .pack(claimrules::PackSource::Texts(
            files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        ))
        .build()
}

/// The rstest case name of the running test (`case_06_malformed_code` → `malformed_code`), to
/// name its snapshot.
pub fn case_name() -> String {
    let thread = std::thread::current();
    let full = thread.name().unwrap_or("unknown");
    let case = full.rsplit("::").next().unwrap_or(full);
    case.splitn(3, '_').nth(2).unwrap_or(case).to_string()
}

/// Renders diagnostics after checking that each points at a line and has a help line.
pub fn render_located_with_help(diagnostics: &Diagnostics) -> String {
    let rendered = render(diagnostics);
    for d in diagnostics.iter() {
        assert!(
            d.position().is_some(),
            "every diagnostic points at a line: {rendered}"
        );
        assert!(
            miette::Diagnostic::help(d).is_some(),
            "every diagnostic has a help line: {rendered}"
        );
    }
    rendered
}

/// Runs the `claimrules` binary from the repository's root, without colour, with an empty
/// standard input.
pub fn claimrules(args: &[&str]) -> std::process::Output {
    run(args, None)
}

/// Runs the `claimrules` binary from the repository's root, without colour, writing `stdin` to
/// its standard input (an empty one when `None`).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        // A command that refuses its arguments exits without reading: a closed pipe is fine.
        let _ = input.write_all(bytes);
    }
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

/// A command's standard output, as text.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A command's standard error, as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh, empty folder under the target directory for one test.
pub fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
