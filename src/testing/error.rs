//! Why a policy test failed, as diagnostics at the test's own text.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// An expectation that did not hold.
#[derive(Debug, Error, Diagnostic)]
#[error("test `{test}` failed: expected {expected}")]
#[diagnostic(code(claimrules::test_failed))]
pub struct TestFailed {
    pub test: String,
    pub expected: String,
    #[label("this expectation does not hold")]
    pub span: SourceSpan,
    /// What the packs found instead.
    #[help]
    pub actual: String,
}

/// A test whose claim the engine cannot read (a malformed code, an unknown fact).
#[derive(Debug, Error, Diagnostic)]
#[error("test `{test}`: its claim does not read: {problems}")]
#[diagnostic(code(claimrules::test_claim))]
pub struct TestClaimError {
    pub test: String,
    pub problems: String,
    #[label("this claim")]
    pub span: SourceSpan,
    #[help]
    pub help: &'static str,
}

impl TestClaimError {
    /// The help for a claim that was read but does not hold a valid claim.
    pub const INVALID: &'static str = "write the claim as a real claim would carry it: codes of \
        five characters, documented facts the packs declare, with their types";
    /// The help for a claim source that is not one.
    pub const SOURCE: &'static str =
        "write `source x12` to judge the claim as one read from an 837P, or leave it out (JSON)";
    /// The help for a claim file that cannot be read.
    pub const UNREADABLE: &'static str = "name a JSON claim file by its path from the test \
        file's folder, inside that folder: `claim from \"claims/hip-arthrography.json\"`";
}

/// An expectation naming a rule that no loaded pack defines: it could never fail.
#[derive(Debug, Error, Diagnostic)]
#[error("test `{test}`: no loaded pack has a rule `{rule}`")]
#[diagnostic(code(claimrules::test_unknown_rule))]
pub struct TestUnknownRule {
    pub test: String,
    pub rule: String,
    #[label("unknown rule")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A parameterized test whose `{placeholders}` and cases do not fit together.
#[derive(Debug, Error, Diagnostic)]
#[error("test `{test}`: {problem}")]
#[diagnostic(code(claimrules::test_cases))]
pub struct TestCasesError {
    pub test: String,
    pub problem: String,
    #[label("here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A `given table … row …` that does not fit the table it names.
#[derive(Debug, Error, Diagnostic)]
#[error("test `{test}`: {problem}")]
#[diagnostic(code(claimrules::test_given))]
pub struct TestGivenError {
    pub test: String,
    pub problem: String,
    #[label("here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}
