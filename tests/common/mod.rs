//! Helpers shared by the integration tests.
#![allow(dead_code)]

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

/// Runs the `claimrules` binary from the repository's root, without colour.
pub fn claimrules(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_claimrules"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}
