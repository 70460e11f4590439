//! A result and its findings borrowed, as the writers read them: from an owned [`ClaimResult`],
//! or from the evaluator's record of a claim's findings, whose names and files stay in the
//! program (`eval::found`). One writer for both keeps the bytes the same whichever way a
//! result is written.

use super::{ActionName, Change, ClaimResult, Explanation, Finding, HistoryRef, Status};
use crate::claim::ClaimError;

/// A finding's parts, borrowed; field for field a [`Finding`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FindingView<'a> {
    pub rule: &'a str,
    pub action: ActionName,
    pub lines: &'a [u32],
    /// The code's text, as UTF-8 bytes (a code's are ASCII, read without a UTF-8 check).
    pub code: Option<&'a [u8]>,
    /// The suggested code's text, as UTF-8 bytes.
    pub suggested_code: Option<&'a [u8]>,
    pub change: Option<&'a Change>,
    pub message: &'a str,
    /// The policy file, line and column.
    pub policy: (&'a str, u32, u32),
    /// The table's name, its data file and the row's line.
    pub table: Option<(&'a str, &'a str, u32)>,
    pub history: Option<&'a HistoryRef>,
    /// The pack's name and version.
    pub pack: (&'a str, Option<&'a str>),
}

impl Finding {
    /// This finding's parts, borrowed.
    pub(crate) fn view(&self) -> FindingView<'_> {
        FindingView {
            rule: &self.rule,
            action: self.action,
            lines: &self.lines,
            code: self.code.as_deref().map(str::as_bytes),
            suggested_code: self.suggested_code.as_deref().map(str::as_bytes),
            change: self.change.as_ref(),
            message: &self.message,
            policy: (&self.policy.file, self.policy.line, self.policy.column),
            table: self
                .table
                .as_ref()
                .map(|t| (t.name.as_str(), t.file.as_str(), t.line)),
            history: self.history.as_ref(),
            pack: (&self.pack.name, self.pack.version.as_deref()),
        }
    }
}

/// A result's parts, borrowed; its findings given by `findings`, in order.
pub(crate) struct ResultView<'a, F> {
    pub claim: Option<&'a str>,
    pub status: Status,
    pub findings: F,
    pub errors: &'a [ClaimError],
    pub explain: Option<&'a Explanation>,
}

/// The findings of a view: each one's parts, in order, as often as a writer asks.
pub(crate) trait Findings {
    /// The findings, in order.
    fn each(&self) -> impl Iterator<Item = FindingView<'_>>;

    /// Each finding's action and rule, in order: what a tally counts.
    fn actions(&self) -> impl Iterator<Item = (ActionName, &str)>;
}

impl Findings for &[Finding] {
    fn each(&self) -> impl Iterator<Item = FindingView<'_>> {
        self.iter().map(Finding::view)
    }

    fn actions(&self) -> impl Iterator<Item = (ActionName, &str)> {
        self.iter().map(|f| (f.action, f.rule.as_str()))
    }
}

impl ClaimResult {
    /// This result's parts, borrowed.
    pub(crate) fn view(&self) -> ResultView<'_, &[Finding]> {
        ResultView {
            claim: self.claim.as_deref(),
            status: self.status,
            findings: &self.findings,
            errors: &self.errors,
            explain: self.explain.as_ref(),
        }
    }
}
