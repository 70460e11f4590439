//! A patient's earlier claims, as the history conditions of the language read them
//! (`more than 1 of 20610 per 6 months`, `an earlier claim has the same code …`, `within 90 days
//! after an earlier line in …`), and a judged claim turned into the lines a store records.
//!
//! This module holds no database: `store` reads and writes these lines in SQLite or PostgreSQL,
//! `batch` decides which lines each claim sees, and `eval` reads them. docs/history.md gives
//! the semantics: a claim sees the recorded lines of its member dated on or before its date of
//! service, never its own claim id's.

use crate::claim::Claim;
use crate::codes::{Code, Date, Modifier};
use crate::report::{ActionName, ClaimResult};

/// What became of a recorded line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineStatus {
    /// Paid (or imported as paid history): it counts toward frequency limits.
    Paid,
    /// Denied by a rule when the claim was judged with `--record`.
    Denied,
}

impl LineStatus {
    /// The word a store and the JSON of `history show` use: `paid` or `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Paid => "paid",
            LineStatus::Denied => "denied",
        }
    }

    /// The status a word names; `None` for any other word.
    pub fn parse(text: &str) -> Option<LineStatus> {
        match text {
            "paid" => Some(LineStatus::Paid),
            "denied" => Some(LineStatus::Denied),
            _ => None,
        }
    }
}

/// One service line of an earlier claim of the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    /// The id of the claim the line is on.
    pub claim: Box<str>,
    /// The line's number on that claim.
    pub line: u32,
    /// The date of service.
    pub date: Date,
    /// The procedure code.
    pub code: Code,
    /// The line's modifiers, in the order billed.
    pub modifiers: Vec<Modifier>,
    /// The units of service.
    pub units: u32,
    /// The provider who performed it: the line's rendering NPI, else the claim's billing NPI.
    pub provider: Option<Box<str>>,
    /// The claim's place of service.
    pub place_of_service: Option<Box<str>>,
    /// Paid or denied.
    pub status: LineStatus,
    /// The id of the rule that denied it, for a denied line.
    pub denied_by: Option<Box<str>>,
}

impl HistoryLine {
    /// Whether the line counts when a rule counts only paid lines (the default).
    pub fn is_paid(&self) -> bool {
        self.status == LineStatus::Paid
    }
}

/// The provider of a claim's line as history keeps it: the rendering NPI of the line, else the
/// billing NPI of the claim.
pub fn line_provider<'c>(claim: &'c Claim, line: &'c crate::claim::Line) -> Option<&'c str> {
    line.rendering_provider
        .as_deref()
        .or_else(|| claim.provider.as_ref().and_then(|p| p.npi.as_deref()))
}

/// The recorded lines of one member, oldest first (by date, claim id, line), as a store or a
/// policy test's `given history` rows give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientHistory {
    lines: Vec<HistoryLine>,
}

impl PatientHistory {
    /// The history of these lines, put in order.
    pub fn new(mut lines: Vec<HistoryLine>) -> PatientHistory {
        lines.sort_by(|a, b| (a.date, &a.claim, a.line).cmp(&(b.date, &b.claim, b.line)));
        PatientHistory { lines }
    }

    /// Every line, oldest first.
    pub fn lines(&self) -> &[HistoryLine] {
        &self.lines
    }

    /// Whether it holds no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Adds the lines of a claim judged after those already here, replacing any lines of the
    /// same claim id (a claim judged again replaces its earlier recording).
    pub fn replace_claim(&mut self, claim: &str, lines: Vec<HistoryLine>) {
        self.lines.retain(|l| &*l.claim != claim);
        self.lines.extend(lines);
        self.lines
            .sort_by(|a, b| (a.date, &a.claim, a.line).cmp(&(b.date, &b.claim, b.line)));
    }

    /// The lines a claim sees: dated on or before its date of service, and not its own.
    pub fn seen_by<'h>(
        &'h self,
        claim: &'h str,
        date: Date,
    ) -> impl Iterator<Item = &'h HistoryLine> + 'h {
        self.lines
            .iter()
            .take_while(move |l| l.date <= date)
            .filter(move |l| &*l.claim != claim)
    }
}

/// What an evaluation knows of the patient's earlier claims.
#[derive(Debug, Clone, Copy, Default)]
pub enum HistoryView<'h> {
    /// No history is in use (no `--history`, or the library's plain `evaluate`): the claim is
    /// judged alone, as if the patient had no earlier claim.
    #[default]
    Alone,
    /// A history is in use, but the claim names no member (`patient.member_id`), so its
    /// earlier claims cannot be found: what depends on them is unknown.
    UnknownPatient,
    /// The member's recorded lines; the evaluation keeps to those the claim sees
    /// ([`PatientHistory::seen_by`]).
    Member(&'h PatientHistory),
}

/// A judged claim as a store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedClaim {
    /// The member the claim is for.
    pub member: Box<str>,
    /// The claim id.
    pub claim: Box<str>,
    /// Its date of service.
    pub date: Date,
    /// The patient's birth date, if the claim gives it.
    pub birth_date: Option<Date>,
    /// The patient's sex (`F`, `M`, `U`), if the claim gives it.
    pub sex: Option<&'static str>,
    /// Its lines, in claim order.
    pub lines: Vec<HistoryLine>,
}

impl RecordedClaim {
    /// A claim as paid history (`history import`): every line paid. `None` for a claim that
    /// names no member, which no later claim could find.
    pub fn paid(claim: &Claim) -> Option<RecordedClaim> {
        RecordedClaim::judged(claim, None)
    }

    /// A claim with its outcome (`check --record`): a line some `deny` finding names is
    /// recorded as denied by the first such finding's rule. A result with errors (the claim
    /// was not judged) is recorded by no one: `None`, as for a claim without a member.
    pub fn judged(claim: &Claim, result: Option<&ClaimResult>) -> Option<RecordedClaim> {
        if result.is_some_and(|r| !r.errors.is_empty()) {
            return None;
        }
        let patient = claim.patient.as_ref()?;
        let member = patient.member_id.as_deref()?;
        let date = claim.service_date.0;
        let place = claim.place_of_service.as_ref().map(|p| p.as_str().into());
        let lines = claim
            .lines
            .iter()
            .map(|line| {
                let number = line.number();
                let denial = result.and_then(|r| {
                    r.findings.iter().find(|f| {
                        f.action == ActionName::Deny
                            && (f.lines.contains(&number) || f.lines.is_empty())
                    })
                });
                HistoryLine {
                    claim: claim.id.as_str().into(),
                    line: number,
                    date,
                    code: line.code,
                    modifiers: line.modifiers.clone(),
                    units: line.units,
                    provider: line_provider(claim, line).map(Into::into),
                    place_of_service: place.clone(),
                    status: if denial.is_some() {
                        LineStatus::Denied
                    } else {
                        LineStatus::Paid
                    },
                    denied_by: denial.map(|f| f.rule.as_str().into()),
                }
            })
            .collect();
        Some(RecordedClaim {
            member: member.into(),
            claim: claim.id.as_str().into(),
            date,
            birth_date: patient.birth_date.map(|d| d.0),
            sex: patient.sex.map(|s| s.letter()),
            lines,
        })
    }
}
