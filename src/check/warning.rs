//! Warnings of the check phase: a policy that loads, but very likely does not do what its
//! author meant. They never stop a pack from loading; `claimrules lint` reports them.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Something in a policy that is allowed but almost certainly a mistake.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckWarning {
    #[error(transparent)]
    #[diagnostic(transparent)]
    NeverFires(#[from] NeverFires),
    #[error(transparent)]
    #[diagnostic(transparent)]
    AlwaysExcused(#[from] AlwaysExcused),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Shadowed(#[from] Shadowed),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unused(#[from] Unused),
    #[error(transparent)]
    #[diagnostic(transparent)]
    ConflictingPairEdits(#[from] ConflictingPairEdits),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NeverDerived(#[from] NeverDerived),
    #[error(transparent)]
    #[diagnostic(transparent)]
    DiagnosisCategory(#[from] DiagnosisCategory),
}

/// A derived fact whose every derivation needs a value of it (or of another such fact) first,
/// as `dd implies dd` does: it is never set, and the rules that test it never fire.
#[derive(Debug, Error, Diagnostic)]
#[error("derived fact `{fact}` can never be set: its derivations need it, or each other, first")]
#[diagnostic(code(claimrules::never_derived), severity(Warning))]
pub struct NeverDerived {
    pub fact: String,
    pub needed: String,
    #[label("needs `{needed}` first, which no derivation can set before")]
    pub needs: SourceSpan,
    #[help]
    pub help: String,
}

/// Two conditions of a rule that cannot both hold, so that the rule never acts.
#[derive(Debug, Error, Diagnostic)]
#[error("{what} can never {act}: its conditions contradict each other")]
#[diagnostic(code(claimrules::never_fires), severity(Warning))]
pub struct NeverFires {
    /// "rule `r`", or "a derivation of rule `r`".
    pub what: String,
    /// "fire", or "apply".
    pub act: &'static str,
    #[label("this condition")]
    pub first: SourceSpan,
    #[label("cannot hold together with this one")]
    pub second: SourceSpan,
    #[help]
    pub help: String,
}

/// An `unless` that holds whenever the `when` does, so that the rule is always excused.
#[derive(Debug, Error, Diagnostic)]
#[error("rule `{rule}` can never fire: its `unless` excuses every claim its `when` selects")]
#[diagnostic(code(claimrules::never_fires), severity(Warning))]
pub struct AlwaysExcused {
    pub rule: String,
    #[label("{required_label}")]
    pub required: SourceSpan,
    pub required_label: &'static str,
    #[label("and so this excuses the rule every time")]
    pub excuse: SourceSpan,
    #[help]
    pub help: String,
}

/// A rule that does what an earlier rule already does, on the same claims.
#[derive(Debug, Error, Diagnostic)]
#[error("rule `{rule}` repeats rule `{earlier}`")]
#[diagnostic(code(claimrules::shadowed_rule), severity(Warning))]
pub struct Shadowed {
    pub rule: String,
    pub earlier: String,
    #[label("same lines, conditions and actions as `{earlier}`")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// A term, code set, diagnosis set or table that no rule refers to.
#[derive(Debug, Error, Diagnostic)]
#[error("{kind} `{name}` is never used")]
#[diagnostic(code(claimrules::unused), severity(Warning))]
pub struct Unused {
    pub kind: &'static str,
    pub name: String,
    #[label("declared here, but no rule uses it")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}

/// Two pair edits, one allowing and one denying the same codes on some of the same dates.
#[derive(Debug, Error, Diagnostic)]
#[error("`{column2}` with `{column1}` is both allowed and denied {dates}")]
#[diagnostic(code(claimrules::conflicting_pair_edits), severity(Warning))]
pub struct ConflictingPairEdits {
    pub column2: String,
    pub column1: String,
    /// The dates both edits cover: "on every date", "from 2010-04-01 on".
    pub dates: String,
    /// The edit reported; the position of the diagnostic is its first label's.
    #[label("{later_says}")]
    pub later: SourceSpan,
    pub later_says: String,
    /// The earlier edit, when it is in the same file.
    #[label("{earlier_says}")]
    pub earlier: Option<SourceSpan>,
    pub earlier_says: String,
    #[help]
    pub help: String,
}

/// A diagnosis written as a three-character ICD-10-CM category without `*` (`M17`): it matches
/// only the code `M17` itself, while claims carry the category's subcodes.
#[derive(Debug, Error, Diagnostic)]
#[error("`{code}` is a category; claims carry its subcodes ({code}.0 …); did you mean `{code}.*`?")]
#[diagnostic(code(claimrules::diagnosis_category), severity(Warning))]
pub struct DiagnosisCategory {
    pub code: String,
    #[label("matches only the code `{code}` itself")]
    pub span: SourceSpan,
    #[help]
    pub help: String,
}
