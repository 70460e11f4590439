//! Policy tests: `*.test.policy` files run against an [`Engine`].
//!
//! Each test writes a claim in a compact form; the runner turns it into claim JSON and reads it
//! exactly as `check` reads a claim, so a test exercises the same path as production. Each
//! expectation that does not hold becomes a diagnostic at the expectation, showing what was
//! expected and what the packs actually found.

mod cases;
mod claim;
mod coverage;
mod error;
mod expect;

use crate::diagnostic::PolicyDiagnostic;
use crate::engine::{Engine, EvalOptions};
use crate::pack::PolicyText;
use crate::syntax::parse_tests;
use crate::syntax::span::SourceFile;
use crate::syntax::test_ast::ExpectKind;
use crate::RawClaim;

pub use coverage::{Coverage, RuleCoverage, UntestedCodes, UntestedPairEdit, UntestedRows};
pub use error::{TestCasesError, TestClaimError, TestFailed, TestUnknownRule};

use coverage::CoverageCollector;

/// How to run policy tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestOptions {
    /// Record which rules each test case fires, and what the tests never exercise.
    pub coverage: bool,
}

/// The outcome of one run of policy tests.
#[derive(Default)]
pub struct TestReport {
    pub passed: usize,
    pub failed: usize,
    /// One diagnostic per failed expectation, unreadable claim or syntax error, in file order.
    pub diagnostics: Vec<PolicyDiagnostic>,
    /// What the tests covered, when asked for.
    pub coverage: Option<Coverage>,
}

impl TestReport {
    /// The plain closing line: `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }
}

/// Runs every test of the given test files.
pub fn run_tests(engine: &Engine, files: &[PolicyText]) -> TestReport {
    run_tests_with(engine, files, TestOptions::default())
}

/// Runs every test of the given test files, with coverage when asked.
pub fn run_tests_with(engine: &Engine, files: &[PolicyText], options: TestOptions) -> TestReport {
    let mut report = TestReport::default();
    let mut collector = options.coverage.then(CoverageCollector::default);
    for file in files {
        let source = SourceFile::new(file.name.clone(), file.text.clone());
        let (parsed, errors) = parse_tests(&source.text);
        for e in errors {
            report.failed += 1;
            report
                .diagnostics
                .push(PolicyDiagnostic::in_file(e, &source));
        }
        for test in &parsed.tests {
            let instances = match cases::instances(test) {
                Ok(instances) => instances,
                Err(e) => {
                    report.failed += 1;
                    report
                        .diagnostics
                        .push(PolicyDiagnostic::in_file(e, &source));
                    continue;
                }
            };
            for instance in &instances {
                let failures = run_one(engine, instance, &source, collector.as_mut());
                if failures.is_empty() {
                    report.passed += 1;
                } else {
                    report.failed += 1;
                    report.diagnostics.extend(failures);
                }
            }
        }
    }
    report.coverage = collector.map(|c| c.finish(engine.program()));
    report
}

/// Checks test files without running them: every syntax error, and every expectation that
/// names a rule the packs do not define.
pub fn check_tests(engine: &Engine, files: &[PolicyText]) -> Vec<PolicyDiagnostic> {
    let mut out = Vec::new();
    for file in files {
        let source = SourceFile::new(file.name.clone(), file.text.clone());
        let (parsed, errors) = parse_tests(&source.text);
        out.extend(
            errors
                .into_iter()
                .map(|e| PolicyDiagnostic::in_file(e, &source)),
        );
        for test in &parsed.tests {
            if let Err(e) = cases::instances(test) {
                out.push(PolicyDiagnostic::in_file(e, &source));
            }
            out.extend(unknown_rules(engine, test, &source));
        }
    }
    out
}

fn run_one(
    engine: &Engine,
    test: &crate::syntax::test_ast::TestDecl,
    source: &SourceFile,
    collector: Option<&mut CoverageCollector>,
) -> Vec<PolicyDiagnostic> {
    let unknown = unknown_rules(engine, test, source);
    if !unknown.is_empty() {
        return unknown;
    }
    let claim_json = claim::to_json(test);
    let json = claim_json.to_string();
    let explain = collector.is_some()
        || test
            .expectations
            .iter()
            .any(|e| matches!(e.kind, ExpectKind::Derived { .. }));
    let result = engine.evaluate_raw(
        &RawClaim {
            json: &json,
            line: 1,
        },
        EvalOptions { explain },
    );
    if let Some(collector) = collector {
        collector.record(claim::codes(&claim_json), &result);
    }
    // A test may be about a claim that must not read (`expect status error`).
    let expects_error = test
        .expectations
        .iter()
        .any(|e| matches!(&e.kind, ExpectKind::Status(s) if s.text == "error"));
    if !result.errors.is_empty() && !expects_error {
        let problems: Vec<String> = result
            .errors
            .iter()
            .map(|e| match &e.path {
                Some(p) => format!("{p}: {}", e.message),
                None => e.message.clone(),
            })
            .collect();
        return vec![PolicyDiagnostic::in_file(
            TestClaimError {
                test: test.name.text.clone(),
                problems: problems.join("; "),
                span: test.claim.span.into(),
            },
            source,
        )];
    }
    test.expectations
        .iter()
        .filter_map(|e| expect::check(e, &result))
        .map(|failed| {
            PolicyDiagnostic::in_file(
                TestFailed {
                    test: test.name.text.clone(),
                    ..failed
                },
                source,
            )
        })
        .collect()
}

/// Expectations that name a rule no pack defines; `expect no deny from a.typo` would otherwise
/// pass without testing anything.
fn unknown_rules(
    engine: &Engine,
    test: &crate::syntax::test_ast::TestDecl,
    source: &SourceFile,
) -> Vec<PolicyDiagnostic> {
    let rules = &engine.program().rules;
    let ids = || rules.iter().map(|r| &*r.id);
    test.expectations
        .iter()
        .filter_map(|e| match &e.kind {
            ExpectKind::Finding(p) | ExpectKind::NoFinding(p) => p.rule.as_ref(),
            ExpectKind::Derived { rule, .. } => rule.as_ref(),
            ExpectKind::Status(_) => None,
        })
        .filter(|r| !ids().any(|id| id == r.text))
        .map(|r| {
            PolicyDiagnostic::in_file(
                TestUnknownRule {
                    test: test.name.text.clone(),
                    rule: r.text.clone(),
                    span: r.span.into(),
                    help: crate::check::error::did_you_mean(&r.text, ids(), "rule"),
                },
                source,
            )
        })
        .collect()
}
