//! The conditions on the patient's history: frequency limits, duplicates of an earlier claim's
//! line, windows after an earlier claim's line, and units summed across claims
//! (docs/history.md).
//!
//! A claim sees the lines of its member's earlier claims dated on or before its date of
//! service, never its own claim id's ([`PatientHistory::seen_by`]). Only paid lines count,
//! unless a rule says `including denied lines`. Judged alone (no history in use), the patient
//! has no earlier claims; with a history but no member id on the claim, what the earlier claims
//! would add is unknown.

use super::conditions::compare;
use super::{Run, Scope, Truth};
use crate::history::{line_provider, HistoryLine, HistoryView};
use crate::ir::*;
use crate::report::HistoryRef;
use crate::syntax::ast::CompareOp;

/// What the history holds for a test: nothing to look at, unknown, or the lines seen (with
/// their index in the member's history, which a finding cites).
pub(super) enum Seen<I> {
    Alone,
    Unknown,
    Lines(I),
}

impl<'p, 'c> Run<'p, 'c> {
    /// The lines of the patient's earlier claims this claim sees, oldest first.
    pub(super) fn seen(&self) -> Seen<impl Iterator<Item = (usize, &'c HistoryLine)> + 'c> {
        let claim = self.claim;
        match self.history {
            HistoryView::Alone => Seen::Alone,
            HistoryView::UnknownPatient => Seen::Unknown,
            HistoryView::Member(h) => {
                let date = claim.service_date.0;
                let id = claim.id.as_str();
                Seen::Lines(
                    h.lines()
                        .iter()
                        .enumerate()
                        .take_while(move |(_, l)| l.date <= date)
                        .filter(move |(_, l)| &*l.claim != id),
                )
            }
        }
    }

    /// How many history lines a test may look through, for the work budget.
    pub(super) fn history_len(&self) -> usize {
        match self.history {
            HistoryView::Member(h) => h.lines().len(),
            _ => 0,
        }
    }

    /// The provider a `by the same provider` test compares with: the rule's line's (its
    /// rendering NPI, else the claim's billing NPI), or the claim's for a claim rule.
    fn scope_provider(&self, scope: Scope) -> Option<&'c str> {
        let claim = self.claim;
        match scope.line {
            Some(i) => line_provider(claim, &claim.lines[i]),
            None => claim.provider.as_ref().and_then(|p| p.npi.as_deref()),
        }
    }

    /// Cites a line of the history as the one that decided, unless one is cited already.
    pub(super) fn cite_history(&self, index: usize) {
        if self.cited_history.get().is_none() {
            self.cited_history.set(Some(index));
        }
    }

    /// The history line the current rule's conditions cited.
    pub(super) fn cited_history_line(&self) -> Option<&'c HistoryLine> {
        let HistoryView::Member(h) = self.history else {
            return None;
        };
        h.lines().get(self.cited_history.get()?)
    }

    /// The history line the current rule's conditions cited, as a finding names it.
    pub(super) fn cited_history_ref(&self) -> Option<HistoryRef> {
        let line = self.cited_history_line()?;
        Some(HistoryRef {
            claim: line.claim.to_string(),
            line: line.line,
        })
    }

    /// `more than LIMIT of CODES per PERIOD`: the units of the claim's matching lines through
    /// the rule's line, with those of the history's in the period, over the limit.
    pub(super) fn frequency(&self, f: &FrequencyTest, scope: Scope) -> Truth {
        let Some(limit) = self.limit(f.limit, scope) else {
            return Truth::Unknown;
        };
        let claim = self.claim;
        let provider = self.scope_provider(scope);
        let end = scope.line.map_or(claim.lines.len(), |i| i + 1);
        let on_claim: f64 = claim.lines[..end]
            .iter()
            .filter(|l| {
                self.matches(&f.codes, l.code, scope)
                    && (!f.same_provider || line_provider(claim, l) == provider)
            })
            .map(|l| f64::from(l.units))
            .sum();
        let lines = match self.seen() {
            Seen::Alone => return Truth::from_bool(on_claim > limit),
            Seen::Unknown => return over_or_unknown(on_claim > limit),
            Seen::Lines(_) if f.same_provider && provider.is_none() => {
                return over_or_unknown(on_claim > limit)
            }
            Seen::Lines(lines) => lines,
        };
        let from = f.period.start(claim.service_date.0);
        let mut total = on_claim;
        let mut last = None;
        for (k, l) in lines {
            let counts = (f.including_denied || l.is_paid())
                && from.is_none_or(|from| l.date >= from)
                && (!f.same_provider || l.provider.as_deref() == provider)
                && self.matches(&f.codes, l.code, scope);
            if counts {
                total += f64::from(l.units);
                last = Some(k);
            }
        }
        if total > limit {
            if let Some(k) = last {
                self.cite_history(k);
            }
            Truth::True
        } else {
            Truth::False
        }
    }

    /// `an earlier claim has the same …`: a line of an earlier claim alike in each way named.
    /// The first such line, oldest first, is cited. A provider or place of service that one
    /// of the two does not give leaves that line's likeness unknown.
    pub(super) fn earlier_claim_same(
        &self,
        same: &[SameAttr],
        including_denied: bool,
        scope: Scope,
    ) -> Truth {
        let Some(i) = scope.line else {
            return Truth::False;
        };
        let lines = match self.seen() {
            Seen::Alone => return Truth::False,
            Seen::Unknown => return Truth::Unknown,
            Seen::Lines(lines) => lines,
        };
        let claim = self.claim;
        let line = &claim.lines[i];
        let provider = line_provider(claim, line);
        let place = claim.place_of_service.as_ref().map(|p| p.as_str());
        let mut unknown = false;
        for (k, h) in lines {
            if !including_denied && !h.is_paid() {
                continue;
            }
            let mut alike = Truth::True;
            for attr in same {
                let t = match attr {
                    SameAttr::Code => Truth::from_bool(h.code == line.code),
                    SameAttr::DateOfService => Truth::from_bool(h.date == claim.service_date.0),
                    SameAttr::Modifiers => Truth::from_bool(
                        h.modifiers.len() == line.modifiers.len()
                            && h.modifiers.iter().all(|m| line.modifiers.contains(m))
                            && line.modifiers.iter().all(|m| h.modifiers.contains(m)),
                    ),
                    SameAttr::Units => Truth::from_bool(h.units == line.units),
                    SameAttr::Provider => both_known(provider, h.provider.as_deref()),
                    SameAttr::PlaceOfService => both_known(place, h.place_of_service.as_deref()),
                };
                alike = match (alike, t) {
                    (Truth::False, _) | (_, Truth::False) => Truth::False,
                    (Truth::True, Truth::True) => Truth::True,
                    _ => Truth::Unknown,
                };
            }
            match alike {
                Truth::True => {
                    self.cite_history(k);
                    return Truth::True;
                }
                Truth::Unknown => unknown = true,
                Truth::False => {}
            }
        }
        if unknown {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// `within DAYS days after a line in CODES`: a line of an earlier claim dated 1 to DAYS
    /// days before the date of service. The day of the earlier line is not after it: on that
    /// day the claims are judged together by edits `across claims`, as CMS's post-operative
    /// days start the day after the surgery. A column gives each
    /// earlier line's own window, from its code's row; a code the table gives no number has no
    /// window. The latest such line is cited.
    pub(super) fn within_after(&self, w: &WithinTest, scope: Scope) -> Truth {
        let lines = match self.seen() {
            Seen::Alone => return Truth::False,
            Seen::Unknown => return Truth::Unknown,
            Seen::Lines(lines) => lines,
        };
        let date = self.claim.service_date.0;
        let provider = self.scope_provider(scope);
        let mut unknown = false;
        let mut found = None;
        for (k, h) in lines {
            if !(w.including_denied || h.is_paid()) || !self.matches(&w.codes, h.code, scope) {
                continue;
            }
            let days = match w.days {
                Limit::Number(n) => Some((n, None)),
                Limit::Column(c) => self.number_for_code(c, h.code),
            };
            let Some((days, row)) = days else {
                continue;
            };
            let elapsed = (date - h.date).num_days() as f64;
            if !(1.0..=days).contains(&elapsed) {
                continue;
            }
            if w.same_provider {
                match both_known(provider, h.provider.as_deref()) {
                    Truth::True => {}
                    Truth::False => continue,
                    Truth::Unknown => {
                        unknown = true;
                        continue;
                    }
                }
            }
            found = Some((k, row));
        }
        match found {
            Some((k, row)) => {
                self.cite_history(k);
                if let (Some(row), None) = (row, self.cited.get()) {
                    self.cited.set(Some(row));
                }
                Truth::True
            }
            None if unknown => Truth::Unknown,
            None => Truth::False,
        }
    }

    /// A number column of a code table read for any code (an earlier line's), with the row
    /// it came from; `None` when the table is not in force or gives the code no number.
    fn number_for_code(
        &self,
        column: ColumnRef,
        code: crate::codes::Code,
    ) -> Option<(f64, Option<(TableId, u32)>)> {
        let table = &self.program.tables[column.table.index()];
        if table.key != TableKeyKind::Code || !table.window.contains(self.claim.service_date.0) {
            return None;
        }
        let row = table.row_on(code, self.claim.service_date.0)?;
        match table.cell_at(row, column.column)? {
            Cell::Number(n) => Some((*n, Some((column.table, row)))),
            _ => None,
        }
    }

    /// `units on the date of service across claims of the same provider`: the units of the
    /// line's code on the claim (through the line, `so far`), with the paid lines of the same
    /// code that the history has for the line's provider on the date of service.
    pub(super) fn units_across_claims(
        &self,
        scope: Scope,
        so_far: bool,
        op: CompareOp,
        limit: f64,
    ) -> Truth {
        let on_claim = self.units_total(scope, false, so_far);
        let Some(i) = scope.line else {
            return Truth::False;
        };
        let line = &self.claim.lines[i];
        let provider = self.scope_provider(scope);
        let lines = match (self.seen(), provider) {
            (Seen::Alone, _) => return Truth::from_bool(compare(on_claim, op, limit)),
            (Seen::Unknown, _) | (_, None) => {
                let grows = matches!(op, CompareOp::Gt | CompareOp::Ge);
                return if grows && compare(on_claim, op, limit) {
                    Truth::True
                } else {
                    Truth::Unknown
                };
            }
            (Seen::Lines(lines), Some(_)) => lines,
        };
        let date = self.claim.service_date.0;
        let mut total = on_claim;
        let mut last = None;
        for (k, h) in lines {
            if h.is_paid()
                && h.date == date
                && h.code == line.code
                && h.provider.as_deref() == provider
            {
                total += f64::from(h.units);
                last = Some(k);
            }
        }
        let t = compare(total, op, limit);
        if let (true, Some(k)) = (t, last) {
            self.cite_history(k);
        }
        Truth::from_bool(t)
    }
}

/// True when the claim alone is over the limit; otherwise the earlier claims could tip it.
fn over_or_unknown(over: bool) -> Truth {
    if over {
        Truth::True
    } else {
        Truth::Unknown
    }
}

/// Two values compared when both are given; unknown when either is missing.
fn both_known(a: Option<&str>, b: Option<&str>) -> Truth {
    match (a, b) {
        (Some(a), Some(b)) => Truth::from_bool(a == b),
        _ => Truth::Unknown,
    }
}

impl Run<'_, '_> {
    /// Why a history condition did not hold, for `--explain`; `None` for any other condition.
    pub(super) fn why_not_history(&self, c: &Cond, scope: Scope) -> Option<String> {
        if !c.kind.reads_history() {
            return None;
        }
        let truth = self.eval(c, scope, &mut None);
        let why = match (self.history, truth) {
            (HistoryView::UnknownPatient, _) => {
                "was not evaluated: the claim names no member (`patient.member_id`), so the patient's earlier claims are not known".to_string()
            }
            (_, Truth::Unknown) => {
                "was not evaluated: the line or an earlier line gives no provider NPI (or place of service) to compare".to_string()
            }
            (HistoryView::Alone, _) => {
                "does not hold: the claim is judged alone, with no history of earlier claims (`--history`)".to_string()
            }
            (HistoryView::Member(h), _) => {
                let seen = match self.seen() {
                    Seen::Lines(lines) => lines.count(),
                    _ => 0,
                };
                format!(
                    "does not hold: none of the {seen} line{} of the patient's earlier claims seen on {} ({} recorded) makes it true",
                    if seen == 1 { "" } else { "s" },
                    self.claim.service_date.0,
                    h.lines().len()
                )
            }
        };
        Some(why)
    }
}
