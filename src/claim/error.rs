//! Why a claim could not be judged: the error every claim reader and check gives, with the
//! claim's JSON path or X12 designator and its input line.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a claim could not be evaluated: an entry of a result's `errors`, and the error of
/// [`ClaimBuilder::build`](crate::ClaimBuilder::build).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Serialize,
    Deserialize,
    JsonSchema,
    thiserror::Error,
    miette::Diagnostic,
)]
#[error("{message}{}", path.as_ref().map(|p| format!(" (at `{p}`)")).unwrap_or_default())]
#[diagnostic(
    code(claimrules::claim),
    help("docs/formats.md describes every field of a claim, with its default")
)]
#[schemars(description = "Why a claim could not be evaluated.")]
pub struct ClaimError {
    /// What is wrong, for people.
    pub message: String,
    /// Where in the claim: the JSON path of the value at fault (`lines[1].code`), or for X12
    /// the element (`SV101-2`); `null` when the error is about no one value.
    pub path: Option<String>,
    /// The 1-based input line of the problem (for JSON, where the claim or the bad value
    /// starts; for X12, the segment's line); `null` when not known.
    pub line: Option<u64>,
}

impl ClaimError {
    /// An error about the value at a JSON path (`lines[1].code`), its input line not yet known.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ClaimError {
            message: message.into(),
            path: Some(path.into()),
            line: None,
        }
    }
}
