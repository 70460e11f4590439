//! Errors of the check phase: a policy that reads but does not make sense.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A mistake the checker found in a policy.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownName(#[from] UnknownName),
    #[error(transparent)]
    #[diagnostic(transparent)]
    ModifierAfterOr(#[from] ModifierAfterOr),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Duplicate(#[from] Duplicate),
    #[error(transparent)]
    #[diagnostic(transparent)]
    MalformedLiteral(#[from] MalformedLiteral),
    #[error(transparent)]
    #[diagnostic(transparent)]
    EmptyRange(#[from] EmptyRange),
    #[error(transparent)]
    #[diagnostic(transparent)]
    EmptyBetween(#[from] EmptyBetween),
    #[error(transparent)]
    #[diagnostic(transparent)]
    EmptyWindow(#[from] EmptyWindow),
    #[error(transparent)]
    #[diagnostic(transparent)]
    TypeMismatch(#[from] TypeMismatch),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownValue(#[from] UnknownValue),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NotAssignable(#[from] NotAssignable),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NeedsLine(#[from] NeedsLine),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownPlaceholder(#[from] UnknownPlaceholder),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cycle(#[from] Cycle),
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooManySetCodes(#[from] TooManySetCodes),
    #[error(transparent)]
    #[diagnostic(transparent)]
    MessageTooLong(#[from] MessageTooLong),
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooDeep(#[from] TooDeep),
    #[error(transparent)]
    #[diagnostic(transparent)]
    TableData(#[from] TableData),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Layering(#[from] Layering),
    #[error(transparent)]
    #[diagnostic(transparent)]
    ConflictingPacks(#[from] ConflictingPacks),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Vocabulary(#[from] VocabularyError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    SameReason(#[from] SameReasonError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    OtherLine(#[from] OtherLineError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    ModifierRange(#[from] ModifierRangeError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NeedsDiagnosis(#[from] NeedsDiagnosis),
}

/// `diagnosis.<column>` or a line diagnosis loop's need outside a rule that has a diagnosis
/// in scope.
#[derive(Debug, Error, Diagnostic)]
#[error("{what} needs a diagnosis to read, and none is in scope here")]
#[diagnostic(code(claimrules::needs_diagnosis))]
pub struct NeedsDiagnosis {
    pub what: String,
    #[label("there is no diagnosis here to read")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A `same reason as` that cannot relate the findings of two rules: a rule that names itself
/// or a rule twice, or a rule whose findings are on no line.
#[derive(Debug, Error, Diagnostic)]
#[error("{problem}")]
#[diagnostic(code(claimrules::same_reason))]
pub struct SameReasonError {
    pub problem: String,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: String,
}

/// A `phrase`, `cue` or `abbreviation` statement the note scanner cannot use.
#[derive(Debug, Error, Diagnostic)]
#[error("{problem}")]
#[diagnostic(code(claimrules::vocabulary))]
pub struct VocabularyError {
    pub problem: String,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: String,
}

/// A table whose data file cannot be read or holds a row that does not fit its columns.
#[derive(Debug, Error, Diagnostic)]
#[error("table `{table}`: {problem}")]
#[diagnostic(code(claimrules::table_data))]
pub struct TableData {
    pub table: String,
    /// What is wrong, naming the data file and its line.
    pub problem: String,
    #[label("declared here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A name that nothing defines.
#[derive(Debug, Error, Diagnostic)]
#[error("unknown {kind} `{name}`")]
#[diagnostic(code(claimrules::unknown_name))]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    #[label("no {kind} is called `{name}`")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// `line has modifier 50 or RT`: `or` starts a new condition, so `RT` is read as a fact.
#[derive(Debug, Error, Diagnostic)]
#[error("`or {name}` starts a condition of its own; it does not add `{name}` to the modifiers")]
#[diagnostic(code(claimrules::modifier_after_or))]
pub struct ModifierAfterOr {
    pub name: String,
    #[label("read as a condition, and no term or fact is called `{name}`")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A second definition of a name or rule id.
#[derive(Debug, Error, Diagnostic)]
#[error("{kind} `{name}` is defined twice")]
#[diagnostic(code(claimrules::duplicate))]
pub struct Duplicate {
    pub kind: &'static str,
    pub name: String,
    #[label("defined again here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A code, modifier, diagnosis, date or version written in the wrong shape.
#[derive(Debug, Error, Diagnostic)]
#[error("`{text}` is not {what}")]
#[diagnostic(code(claimrules::malformed_literal))]
pub struct MalformedLiteral {
    pub text: String,
    pub what: &'static str,
    #[label("not {what}")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A code range whose first code comes after its last.
#[derive(Debug, Error, Diagnostic)]
#[error("the range `{first}-{last}` is empty: `{first}` comes after `{last}`")]
#[diagnostic(
    code(claimrules::empty_range),
    help("write the lower code first: `{last}-{first}`")
)]
pub struct EmptyRange {
    pub first: String,
    pub last: String,
    #[label("this range holds no code")]
    pub span: SourceSpan,
}

/// A number `between` whose first number is larger than its second.
#[derive(Debug, Error, Diagnostic)]
#[error("`between {low} and {high}` holds no value: {low} is more than {high}")]
#[diagnostic(
    code(claimrules::empty_between),
    help("write the smaller number first: `between {high} and {low}`")
)]
pub struct EmptyBetween {
    pub low: String,
    pub high: String,
    #[label("no value is in this range")]
    pub span: SourceSpan,
}

/// A `between` or `effective … until` whose first date comes after its second.
#[derive(Debug, Error, Diagnostic)]
#[error("`{written}` holds on no date: {first} comes after {last}")]
#[diagnostic(code(claimrules::empty_window))]
pub struct EmptyWindow {
    /// The window as written: `between A and B`, `effective A until B`.
    pub written: String,
    pub first: String,
    pub last: String,
    #[label("this window holds no date")]
    pub span: SourceSpan,
    /// The window with its dates the right way round.
    #[help]
    pub help: String,
}

/// A pack that does not fit the packs below it: a change to a rule no pack below defines, an
/// `extends` that names no earlier pack, a second manifest.
#[derive(Debug, Error, Diagnostic)]
#[error("{problem}")]
#[diagnostic(code(claimrules::layering))]
pub struct Layering {
    pub problem: String,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: String,
}

/// Two packs, neither layered on the other, that both override or disable one rule: which
/// one is in force would depend on the order they are given in.
#[derive(Debug, Error, Diagnostic)]
#[error(
    "packs `{first}` and `{second}` both change rule `{rule}`, and neither is layered on the other"
)]
#[diagnostic(code(claimrules::conflicting_packs))]
pub struct ConflictingPacks {
    pub first: String,
    pub second: String,
    pub rule: String,
    #[label("`{second}` changes it here")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A value of one type where another belongs.
#[derive(Debug, Error, Diagnostic)]
#[error("{subject} is {found}, but {expected} is needed here")]
#[diagnostic(code(claimrules::type_mismatch))]
pub struct TypeMismatch {
    pub subject: String,
    pub found: String,
    pub expected: String,
    #[label("{found} where {expected} is needed")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A value that is not among the choices a fact declares.
#[derive(Debug, Error, Diagnostic)]
#[error("`{value}` is not a value of `{fact}`")]
#[diagnostic(code(claimrules::unknown_value))]
pub struct UnknownValue {
    pub fact: String,
    pub value: String,
    #[label("not one of the values `{fact}` declares")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// The conclusion of `implies` is not something a derivation can make true.
#[derive(Debug, Error, Diagnostic)]
#[error("`{text}` cannot be derived")]
#[diagnostic(code(claimrules::not_assignable))]
pub struct NotAssignable {
    pub text: String,
    #[label("a derivation must conclude one fact")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A test of "the line" outside a rule that picks lines.
#[derive(Debug, Error, Diagnostic)]
#[error("{what} needs a rule that starts with `for each line in …`")]
#[diagnostic(
    code(claimrules::needs_line),
    help("start the rule with `for each line in <codes>` so that it knows which line to look at")
)]
pub struct NeedsLine {
    pub what: String,
    #[label("there is no line here to test")]
    pub span: SourceSpan,
}

/// A `{placeholder}` a message cannot fill.
#[derive(Debug, Error, Diagnostic)]
#[error("the message names `{{{name}}}`, which {reason}")]
#[diagnostic(code(claimrules::unknown_placeholder))]
pub struct UnknownPlaceholder {
    pub name: String,
    pub reason: String,
    #[label("cannot be filled in")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A rule message longer than [`crate::ir::MAX_MESSAGE_CHARS`].
#[derive(Debug, Error, Diagnostic)]
#[error("the message is {length} characters long; a message may have at most {max}")]
#[diagnostic(
    code(claimrules::message_too_long),
    help("say what is wrong and what to do in a sentence or two; quote the manual in a comment above the rule")
)]
pub struct MessageTooLong {
    pub length: usize,
    pub max: usize,
    #[label("this message")]
    pub span: SourceSpan,
}

/// A definition that refers to itself.
#[derive(Debug, Error, Diagnostic)]
#[error("{kind} `{name}` is defined in terms of itself")]
#[diagnostic(
    code(claimrules::cycle),
    help("a {kind} can use other definitions, but not itself, directly or through another one")
)]
pub struct Cycle {
    pub kind: &'static str,
    pub name: String,
    #[label("`{name}` is used here, inside its own definition")]
    pub span: SourceSpan,
}

/// A term defined through so many terms, one inside another, that its condition nests deeper
/// than [`crate::check::MAX_CONDITION_DEPTH`].
#[derive(Debug, Error, Diagnostic)]
#[error("the term `{name}` nests {depth} levels deep, more than the {limit} a condition may")]
#[diagnostic(
    code(claimrules::too_deep),
    help(
        "each term used inside another, and each `and`, `or` and `not`, is one level; use the \
         condition of an inner term directly rather than a long chain of terms that each name \
         the next"
    )
)]
pub struct TooDeep {
    pub name: String,
    pub depth: usize,
    pub limit: usize,
    #[label("this term")]
    pub span: SourceSpan,
    pub inner: String,
    pub inner_depth: usize,
    #[label("`{inner}` is {inner_depth} levels deep")]
    pub inner_span: SourceSpan,
}

/// Code or diagnosis sets that copy more items from one another than
/// [`crate::pack::limits::MAX_SET_CODES`]: a chain of sets, each the one before it and a code
/// more, grows as the square of its length.
#[derive(Debug, Error, Diagnostic)]
#[error("the code and diagnosis sets copy more than {max} codes in all from other sets, counting a set again each time another set, a rule or a term names it")]
#[diagnostic(
    code(claimrules::too_many_set_codes),
    help("put a long list of codes in a code table and name the table where the codes are needed: a table's codes do not count")
)]
pub struct TooManySetCodes {
    pub max: usize,
    #[label("the limit is passed here")]
    pub span: SourceSpan,
}

/// A test of `the other line` or a merge with it where no other line is matched.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(claimrules::other_line))]
pub struct OtherLineError {
    pub message: String,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: String,
}

/// A range of modifiers (`F1-F9`) whose ends do not make one.
#[derive(Debug, Error, Diagnostic)]
#[error("`{range}` is not a range of modifiers")]
#[diagnostic(code(claimrules::modifier_range))]
pub struct ModifierRangeError {
    pub range: String,
    #[label("{reason}")]
    pub span: SourceSpan,
    pub reason: String,
    #[help]
    pub help: String,
}
