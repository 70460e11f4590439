//! Policy tests: `*.test.policy` files run against an [`Engine`].
//!
//! Each test writes a claim in a compact form; the runner turns it into claim JSON and reads it
//! exactly as `check` reads a claim, so a test exercises the same path as production. Each
//! expectation that does not hold becomes a diagnostic at the expectation, showing what was
//! expected and what the packs actually found.
//!
//! A pack's rules can be unit-tested from Rust the same way, the test text inline or read from
//! a `*.test.policy` file:
//!
//! ```
//! use claimrules::testing::run_tests;
//! use claimrules::{Engine, PolicyText};
//!
//! let engine = Engine::builder()
//!     .policy(
//!         "acme.policy",
//!         "rule acme.bundled\n  77002 with 27093, 27095 denied\n",
//!     )
//!     .build()?;
//! let tests = PolicyText {
//!     name: "acme.test.policy".into(),
//!     text: [
//!         "test \"77002 is bundled into hip arthrography\"",
//!         "  claim on 2024-01-01",
//!         "    line 27093",
//!         "    line 77002",
//!         "  expect deny on 77002 from acme.bundled",
//!     ]
//!     .join("\n"),
//! };
//! let report = run_tests(&engine, &[tests]);
//! assert_eq!((report.passed, report.failed), (1, 0), "{:?}", report.diagnostics);
//! # Ok::<(), claimrules::Diagnostics>(())
//! ```

mod cases;
mod claim;
mod coverage;
mod error;
mod expect;
mod given;
mod lint;
mod packs;

use crate::check::TableRow;
use crate::diagnostic::PolicyDiagnostic;
use crate::engine::{Engine, EvalOptions};
use crate::history::HistoryView;
use crate::pack::PolicyText;
use crate::syntax::parse_tests;
use crate::syntax::span::SourceFile;
use crate::syntax::test_ast::{ExpectKind, TestDecl};
use std::collections::HashMap;

pub use coverage::{Coverage, RuleCoverage, UntestedCodes, UntestedPairEdit, UntestedRows};
// Inside `PolicyDiagnostic`s; nothing outside the crate names them.
pub(crate) use error::{TestClaimError, TestFailed, TestGivenError, TestUnknownRule};

pub use lint::{lint, lint_source};
pub use packs::{keep_each_once, run_pack_tests, tests_of_packs};

use coverage::CoverageCollector;

/// How to run policy tests: `TestOptions::default()`, then the `with_` methods.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct TestOptions {
    /// Record which rules each test case fires, and what the tests never exercise.
    pub coverage: bool,
}

impl TestOptions {
    /// With `coverage`, the report says which rules the tests fire and what they never
    /// exercise (`claimrules test --coverage`).
    pub fn with_coverage(mut self, coverage: bool) -> TestOptions {
        self.coverage = coverage;
        self
    }
}

/// The outcome of one run of policy tests.
#[derive(Default)]
#[non_exhaustive]
pub struct TestReport {
    /// Test cases whose every expectation held (each case of a parameterized test counts).
    pub passed: usize,
    /// Test cases with an expectation that did not hold, a claim that did not read, or a
    /// syntax error.
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
    run_layered_tests(&[(engine, files)], engine, options)
}

/// Runs groups of test files, each on its own engine (a pack's tests run on that pack and the
/// packs it is layered on); coverage counts over the rules of `all`.
#[doc(hidden)]
pub fn run_layered_tests(
    groups: &[(&Engine, &[PolicyText])],
    all: &Engine,
    options: TestOptions,
) -> TestReport {
    let mut report = TestReport::default();
    let mut collector = options.coverage.then(CoverageCollector::default);
    for (engine, files) in groups {
        run_files(engine, files, &mut report, collector.as_mut());
    }
    report.coverage = collector.map(|c| c.finish(all.program()));
    report
}

fn run_files(
    engine: &Engine,
    files: &[PolicyText],
    report: &mut TestReport,
    mut collector: Option<&mut CoverageCollector>,
) {
    let mut variants = Variants::default();
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
                let failures = match variants.engine_for(engine, instance, &source) {
                    Ok(engine) => run_one(engine, instance, &source, collector.as_deref_mut()),
                    Err(failures) => failures,
                };
                if failures.is_empty() {
                    report.passed += 1;
                } else {
                    report.failed += 1;
                    report.diagnostics.extend(failures);
                }
            }
        }
    }
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
            match cases::instances(test) {
                Err(e) => out.push(PolicyDiagnostic::in_file(e, &source)),
                Ok(instances) => {
                    for instance in &instances {
                        out.extend(static_problems(engine, instance, &source));
                    }
                }
            }
            out.extend(unknown_rules(engine, test, &source));
        }
    }
    out
}

/// The engines a run builds for tests with `given` rows, one per distinct set of rows.
#[derive(Default)]
struct Variants {
    built: HashMap<Vec<TableRow>, Result<Engine, String>>,
}

impl Variants {
    /// The engine a test runs on: the packs as loaded, or as loaded with the test's rows.
    fn engine_for<'e>(
        &'e mut self,
        base: &'e Engine,
        test: &TestDecl,
        source: &SourceFile,
    ) -> Result<&'e Engine, Vec<PolicyDiagnostic>> {
        let in_file = |e: TestGivenError| PolicyDiagnostic::in_file(e, source);
        let rows = given::table_rows(base.program(), test)
            .map_err(|errors| errors.into_iter().map(in_file).collect::<Vec<_>>())?;
        if rows.is_empty() {
            return Ok(base);
        }
        let built = self.built.entry(rows).or_insert_with_key(|rows| {
            base.with_table_rows(rows).map_err(|d| {
                d.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        });
        built.as_ref().map_err(|problem| {
            vec![in_file(TestGivenError {
                test: test.name.text.clone(),
                problem: format!("the packs do not load with the given rows: {problem}"),
                span: test.given[0].span.into(),
                help: "give rows that fit the tables' columns".into(),
            })]
        })
    }
}

fn run_one(
    engine: &Engine,
    test: &TestDecl,
    source: &SourceFile,
    collector: Option<&mut CoverageCollector>,
) -> Vec<PolicyDiagnostic> {
    let unknown = unknown_rules(engine, test, source);
    if !unknown.is_empty() {
        return unknown;
    }
    let claim_json = match claim::claim_json(test, &source.name) {
        Ok(json) => json,
        Err(problem) => {
            return vec![claim_error(
                test,
                problem,
                TestClaimError::UNREADABLE,
                source,
            )]
        }
    };
    let source_kind = match claim::claim_source(test) {
        Ok(s) => s,
        Err(problem) => return vec![claim_error(test, problem, TestClaimError::SOURCE, source)],
    };
    let history = match given::history(test) {
        Ok(h) => h,
        Err(errors) => {
            return errors
                .into_iter()
                .map(|e| PolicyDiagnostic::in_file(e, source))
                .collect()
        }
    };
    let json = claim_json.to_string();
    // With the explanation, expectations see what was derived and which findings were given
    // once for rules of the same reason, and a failure lists them.
    let result = claim::judge(
        engine,
        json,
        source_kind,
        if test.history.is_empty() {
            HistoryView::Alone
        } else {
            HistoryView::Member(&history)
        },
        EvalOptions::default().with_explain(true),
    );
    if let Some(collector) = collector {
        // The codes of the earlier lines a test gives are exercised too: a history rule reads
        // their rows (a procedure's global period) as it reads the claim's.
        let mut codes = claim::codes(&claim_json);
        codes.extend(history.lines().iter().map(|l| l.code));
        collector.record(codes, &result);
        collector.record_diagnoses(claim::diagnoses(&claim_json));
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
        return vec![claim_error(
            test,
            problems.join("; "),
            TestClaimError::INVALID,
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

/// What is wrong with a test case before it runs: rows that do not fit their tables, and a
/// claim file that does not read.
fn static_problems(engine: &Engine, test: &TestDecl, source: &SourceFile) -> Vec<PolicyDiagnostic> {
    let mut out: Vec<PolicyDiagnostic> = match given::table_rows(engine.program(), test) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| PolicyDiagnostic::in_file(e, source))
            .collect(),
    };
    if let Err(errors) = given::history(test) {
        out.extend(
            errors
                .into_iter()
                .map(|e| PolicyDiagnostic::in_file(e, source)),
        );
    }
    if let Err(problem) = claim::claim_json(test, &source.name) {
        out.push(claim_error(
            test,
            problem,
            TestClaimError::UNREADABLE,
            source,
        ));
    }
    if let Err(problem) = claim::claim_source(test) {
        out.push(claim_error(test, problem, TestClaimError::SOURCE, source));
    }
    out
}

fn claim_error(
    test: &TestDecl,
    problems: String,
    help: &'static str,
    source: &SourceFile,
) -> PolicyDiagnostic {
    PolicyDiagnostic::in_file(
        TestClaimError {
            test: test.name.text.clone(),
            problems,
            span: test.claim.span.into(),
            help,
        },
        source,
    )
}

/// Expectations that name a rule no pack defines; `expect no deny from a.typo` would otherwise
/// pass without testing anything.
fn unknown_rules(engine: &Engine, test: &TestDecl, source: &SourceFile) -> Vec<PolicyDiagnostic> {
    let rules = &engine.program().rules;
    let ids = || rules.iter().map(|r| &*r.id);
    test.expectations
        .iter()
        .flat_map(|e| match &e.kind {
            ExpectKind::Finding(p) | ExpectKind::NoFinding(p) => {
                let agreed = p.same_reason.iter().flat_map(|s| s.rules.iter());
                p.rule.iter().chain(agreed).collect()
            }
            ExpectKind::Derived { rule, .. } => rule.iter().collect(),
            ExpectKind::Status(_) => Vec::new(),
        })
        .filter(|r| !ids().any(|id| id == r.text))
        .map(|r| {
            PolicyDiagnostic::in_file(
                TestUnknownRule {
                    test: test.name.text.clone(),
                    rule: r.text.clone(),
                    span: r.span.into(),
                    help: crate::spelling::did_you_mean(&r.text, ids(), "rule"),
                },
                source,
            )
        })
        .collect()
}
