//! A claim's findings as the evaluator records them: the rule's id, the policy file, the table
//! and the pack borrowed from the program, the codes kept as codes, so that a finding owns
//! only its message (and a `modify` finding's change, an earlier claim's id it cites) until it
//! is written. The batch writes them as they are in the JSON formats (`Outcome::write`); the
//! library's callers get owned [`Finding`]s (`Outcome::into_result`).
//! Both are written through the one borrowed view (`report::view`), so the bytes are the same.

use crate::codes::Code;
use crate::report::{
    ActionName, Change, ClaimResult, Explanation, Finding, FindingView, Findings, FormatVersion,
    HistoryRef, OutputFormat, PackRef, PolicyRef, ResultView, Status, TableRef,
};

/// A policy position (file, line, column), owned.
pub(crate) fn owned_policy((file, line, column): (&str, u32, u32)) -> PolicyRef {
    PolicyRef {
        file: file.to_owned(),
        line,
        column,
    }
}

/// A table row cited (table name, data file, line), owned.
pub(crate) fn owned_table((name, file, line): (&str, &str, u32)) -> TableRef {
    TableRef {
        name: name.to_owned(),
        file: file.to_owned(),
        line,
    }
}

/// The line numbers a finding is about: none (the whole claim), one, or the two lines of a
/// merge, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineNumbers {
    len: u8,
    numbers: [u32; 2],
}

impl LineNumbers {
    pub(crate) const NONE: LineNumbers = LineNumbers {
        len: 0,
        numbers: [0; 2],
    };

    pub(crate) fn one(number: u32) -> LineNumbers {
        LineNumbers {
            len: 1,
            numbers: [number, 0],
        }
    }

    pub(crate) fn two(first: u32, second: u32) -> LineNumbers {
        LineNumbers {
            len: 2,
            numbers: [first, second],
        }
    }

    pub(crate) fn as_slice(&self) -> &[u32] {
        &self.numbers[..usize::from(self.len)]
    }
}

/// One finding of a claim, as recorded while its rules run. Field for field a [`Finding`].
#[derive(Debug, Clone)]
pub(crate) struct Found<'p> {
    pub rule: &'p str,
    pub action: ActionName,
    pub lines: LineNumbers,
    pub code: Option<Code>,
    pub suggested_code: Option<Code>,
    pub change: Option<Change>,
    pub message: String,
    /// The policy file, line and column of the action.
    pub policy: (&'p str, u32, u32),
    /// The table's name, its data file and the row's line.
    pub table: Option<(&'p str, &'p str, u32)>,
    pub history: Option<HistoryRef>,
    /// The pack's name and version.
    pub pack: (&'p str, Option<&'p str>),
    /// Findings are ordered by line, then by the policy's source position.
    pub order: (u32, u32, u32),
}

impl Found<'_> {
    /// This finding's parts, borrowed, as the writers read them.
    pub(crate) fn view(&self) -> FindingView<'_> {
        FindingView {
            rule: self.rule,
            action: self.action,
            lines: self.lines.as_slice(),
            code: self.code.as_ref().map(|c| &c.as_bytes()[..]),
            suggested_code: self.suggested_code.as_ref().map(|c| &c.as_bytes()[..]),
            change: self.change.as_ref(),
            message: &self.message,
            policy: self.policy,
            table: self.table,
            history: self.history.as_ref(),
            pack: self.pack,
        }
    }

    /// The finding, owned.
    pub(crate) fn into_finding(self) -> Finding {
        Finding {
            rule: self.rule.to_owned(),
            action: self.action,
            lines: self.lines.as_slice().to_vec(),
            code: self.code.map(|c| c.as_str().to_owned()),
            suggested_code: self.suggested_code.map(|c| c.as_str().to_owned()),
            change: self.change,
            message: self.message,
            policy: owned_policy(self.policy),
            table: self.table.map(owned_table),
            history: self.history,
            pack: PackRef {
                name: self.pack.0.to_owned(),
                version: self.pack.1.map(str::to_owned),
            },
            order: self.order,
        }
    }
}

impl<'p> Findings for &[Found<'p>] {
    fn each(&self) -> impl Iterator<Item = FindingView<'_>> {
        self.iter().map(Found::view)
    }

    fn actions(&self) -> impl Iterator<Item = (ActionName, &str)> {
        self.iter().map(|f| (f.action, f.rule))
    }
}

/// A claim judged: its findings as recorded, in order.
#[derive(Debug)]
pub(crate) struct Judged<'p> {
    pub claim: String,
    pub status: Status,
    pub findings: Vec<Found<'p>>,
    pub explain: Option<Explanation>,
}

/// What judging a claim gives: its findings as recorded, or a result made whole already (an
/// `error` result: the claim did not read, or broke a limit).
#[derive(Debug)]
pub(crate) enum Outcome<'p> {
    Judged(Judged<'p>),
    Result(ClaimResult),
}

impl Outcome<'_> {
    /// The result, owned: what the library's callers get.
    pub(crate) fn into_result(self) -> ClaimResult {
        match self {
            Outcome::Result(result) => result,
            Outcome::Judged(judged) => ClaimResult {
                format_version: FormatVersion,
                claim: Some(judged.claim),
                status: judged.status,
                findings: judged
                    .findings
                    .into_iter()
                    .map(Found::into_finding)
                    .collect(),
                errors: Vec::new(),
                explain: judged.explain,
            },
        }
    }

    /// Appends the result to `out` in `format`: the bytes [`OutputFormat::write_result`]
    /// writes for [`Outcome::into_result`]. The JSON formats are written from the findings as
    /// recorded; `text`, for people, from the owned result.
    pub(crate) fn write(self, format: OutputFormat, first: bool, out: &mut Vec<u8>) {
        match self {
            Outcome::Judged(judged) if format != OutputFormat::Text => {
                format.write_json_view(&judged.view(), first, out)
            }
            outcome => format.write_result(&outcome.into_result(), first, out),
        }
    }
}

impl<'p> Judged<'p> {
    /// This claim's result, borrowed, as the writers read it.
    pub(crate) fn view(&self) -> ResultView<'_, &[Found<'p>]> {
        ResultView {
            claim: Some(&self.claim),
            status: self.status,
            findings: &self.findings,
            errors: &[],
            explain: self.explain.as_ref(),
        }
    }
}
