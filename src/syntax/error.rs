//! Errors of the parse phase.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Something in a policy file that could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Mistake(#[from] KnownMistake),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Shape(#[from] ShapeError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooComplex(#[from] TooComplex),
}

/// An item too deeply nested or too long to read safely.
#[derive(Debug, Error, Diagnostic)]
#[error("this item is too complex to read: {what}")]
#[diagnostic(
    code(claimrules::too_complex),
    help("split the condition into terms (`term … means …`) and use them by name")
)]
pub struct TooComplex {
    pub what: String,
    #[label("the limit is passed here")]
    pub span: SourceSpan,
}

/// The text does not follow the grammar.
#[derive(Debug, Error, Diagnostic)]
#[error("expected {expected}, found {found}")]
#[diagnostic(code(claimrules::syntax))]
pub struct SyntaxError {
    pub found: String,
    pub expected: String,
    #[label("expected {expected} here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A common slip the grammar rejects, recognised by its shape and said as what was meant.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(claimrules::syntax))]
pub struct KnownMistake {
    pub message: String,
    pub label: String,
    #[label("{label}")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// The grammar accepted a shape the parser does not know: a bug in claimrules, reported as a
/// diagnostic rather than a panic.
#[derive(Debug, Error, Diagnostic)]
#[error("the parser met `{found}` where it wanted {wanted}")]
#[diagnostic(
    code(claimrules::internal_parse),
    help("this is a bug in claimrules; please report it with this policy file")
)]
pub struct ShapeError {
    pub found: String,
    pub wanted: &'static str,
    #[label("here")]
    pub span: SourceSpan,
}
