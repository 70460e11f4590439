//! What an evaluation produces, in the shape DESIGN.md fixes, and how it is shown to people.

mod format;
mod text;

use serde::Serialize;

use crate::claim::ClaimError;

pub use format::OutputFormat;
pub use text::{finding_line, render_text};

/// One result per claim, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimResult {
    /// The claim's id; `null` when a broken claim had none that could be read.
    pub claim: Option<String>,
    pub status: Status,
    pub findings: Vec<Finding>,
    pub errors: Vec<ClaimError>,
    /// With `--explain`: what was derived, and every rule considered, fired or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

impl ClaimResult {
    /// The result of a claim that could not be evaluated.
    pub fn error(claim: Option<String>, errors: Vec<ClaimError>) -> Self {
        ClaimResult {
            claim,
            status: Status::Error,
            findings: Vec::new(),
            errors,
            explain: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Review,
    Deny,
    Error,
}

impl Status {
    /// `deny` if any finding denies; else `review` if any asks for review, suggests or modifies;
    /// else `pass`.
    pub fn of(findings: &[Finding]) -> Status {
        let mut status = Status::Pass;
        for f in findings {
            match f.action {
                ActionName::Deny => return Status::Deny,
                ActionName::Review | ActionName::Suggest | ActionName::Modify => {
                    status = Status::Review
                }
                ActionName::Info => {}
            }
        }
        status
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Review => "review",
            Status::Deny => "deny",
            Status::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionName {
    Deny,
    Review,
    Suggest,
    Modify,
    Info,
}

impl ActionName {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Deny => "deny",
            ActionName::Review => "review",
            ActionName::Suggest => "suggest",
            ActionName::Modify => "modify",
            ActionName::Info => "info",
        }
    }
}

/// One thing a rule found on a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub action: ActionName,
    /// The line numbers the finding is about; empty for a finding about the whole claim.
    pub lines: Vec<u32>,
    pub code: Option<String>,
    pub suggested_code: Option<String>,
    pub change: Option<Change>,
    pub message: String,
    pub policy: PolicyRef,
    /// The table row that decided the finding, when a table decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<TableRef>,
    /// The pack the rule comes from, and its version.
    pub pack: PackRef,
    /// Findings are ordered by line, then by the policy's source position.
    #[serde(skip)]
    pub order: (u32, u32, u32),
}

/// A change a `modify` finding asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub op: ChangeOp,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    AddModifier,
    RemoveModifier,
    RemoveLine,
}

impl ChangeOp {
    /// The change in the words of the language: `add modifier`, `remove line`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::AddModifier => "add modifier",
            ChangeOp::RemoveModifier => "remove modifier",
            ChangeOp::RemoveLine => "remove line",
        }
    }
}

/// The pack a finding's rule comes from: its name and version (`null` without a manifest
/// version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRef {
    pub name: String,
    pub version: Option<String>,
}

impl std::fmt::Display for PackRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{} {v}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Where in the policies a finding or an explanation comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// A row of a table's data file: the table, the file's name as published and the 1-based line
/// of the row (header lines counted), so that an auditor can open the file at that row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    pub name: String,
    pub file: String,
    pub line: u32,
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}:{} of table `{}`",
            self.file, self.line, self.name
        )
    }
}

impl std::fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Why a claim came out as it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// Documentation facts read from the claim's note, with the words that state them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from_note: Vec<NoteSource>,
    pub derived: Vec<DerivedFact>,
    pub rules: Vec<RuleTrace>,
    /// The lines billed in minutes, each judged as its units (one service), not its minutes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub minutes: Vec<LineMinutes>,
}

/// A line billed in minutes (anesthesia): the minutes billed and the units it is judged as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineMinutes {
    pub line: u32,
    pub minutes: u32,
    pub units: u32,
}

/// A documentation fact read from the note: the value, the words, and the `phrase` statement
/// that gave those words their meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteSource {
    pub fact: String,
    /// The value, or for a list fact the member these words state.
    pub value: serde_json::Value,
    /// The words of the note, as written.
    pub text: String,
    /// Where they are in the note, in characters: `[start, end)`.
    pub span: [usize; 2],
    pub policy: PolicyRef,
}

/// A fact an `implies` rule made true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedFact {
    pub fact: String,
    pub value: serde_json::Value,
    pub rule: String,
    /// The condition that held, as written in the policy.
    pub because: String,
    pub policy: PolicyRef,
}

/// One rule considered for a claim (or one of its lines), and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleTrace {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub fired: bool,
    /// Why it did not fire: the first condition that did not hold, or that could not be
    /// evaluated and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub policy: PolicyRef,
}

/// A claim's documentation facts after its note is read, and where each came from: one line
/// of `claimrules facts`. A fact neither the claim nor its note settles is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClaimFacts {
    pub claim: Option<String>,
    pub facts: indexmap::IndexMap<String, serde_json::Value>,
    pub sources: indexmap::IndexMap<String, FactSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::claim::ClaimError>,
}

impl ClaimFacts {
    pub fn error(claim: Option<String>, errors: Vec<crate::claim::ClaimError>) -> Self {
        ClaimFacts {
            claim,
            errors,
            ..ClaimFacts::default()
        }
    }
}

/// Where a documentation fact came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum FactSource {
    /// The claim's `documentation` object gives it.
    Claim,
    /// Read from the note: the first words that state it, and their character span.
    Note { span: [usize; 2], text: String },
}
