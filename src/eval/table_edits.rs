//! `apply edits of "…"`: the edits of a pair-edit table (NCCI PTP) over one claim.
//!
//! For every ordered pair of lines (a column-1 line, a column-2 line) the table's index gives
//! the edit row in force on the date of service, if any. Indicator 9 never denies; indicator 1
//! is bypassed by one of the rule's modifiers on either line; otherwise the column-2 line is
//! denied. Each line is denied once, by the first column-1 line (in claim order) that denies
//! it, and the finding cites the table row that decided.

use super::{Run, Scope};
use crate::codes::Modifier;
use crate::ir::*;
use crate::ncci::{day, Column1Edits, EditRow, ModifierIndicator};
use crate::report::{Finding, TableRef};

/// What the edits say about one column-2 line.
enum Verdict<'t> {
    /// No edit of the table pairs the line with another line in force on the date.
    NoEdit,
    /// Every edit in force spares it: why, for the first one.
    Spared(String),
    /// Denied by the edit with this column-1 line.
    Denied { partner: usize, row: &'t EditRow },
}

impl<'p> Run<'p, '_> {
    pub(super) fn table_edits(&mut self, rule: &'p Rule, edits: &'p TableEdits) {
        let program = self.program;
        let table = &program.edit_tables[edits.table as usize];
        let date = self.claim.service_date.0;
        if !table.window.contains(date) {
            if self.explanation.is_some() {
                let reason = format!("table `{}` is not in force on {date}", table.name);
                self.trace(rule, Scope { line: None }, false, Some(reason));
            }
            return;
        }
        let today = day(date);
        let lines = &self.claim.lines;
        // The edits of each line's code as column 1: one lookup per line, not per pair.
        let groups: Vec<Option<Column1Edits<'p>>> =
            lines.iter().map(|l| table.edits.column1(l.code)).collect();
        if groups.iter().all(Option::is_none) {
            if self.explanation.is_some() {
                let reason = format!(
                    "no code of the claim is column 1 of an edit in `{}`",
                    table.name
                );
                self.trace(rule, Scope { line: None }, false, Some(reason));
            }
            return;
        }
        for (i, line) in lines.iter().enumerate() {
            let mut verdict = Verdict::NoEdit;
            for (k, group) in groups.iter().enumerate() {
                let (Some(group), true) = (group, k != i) else {
                    continue;
                };
                let Some((_, row)) = group.in_force(line.code, today) else {
                    continue;
                };
                let partner = &lines[k];
                let bypassed_by = |mods: &[Modifier]| {
                    mods.iter()
                        .find(|m| edits.bypass.binary_search(m).is_ok())
                        .copied()
                };
                let spared = match row.indicator {
                    ModifierIndicator::NotApplicable => Some(format!(
                        "the edit with {} on line {} has modifier indicator 9 (not applicable)",
                        partner.code,
                        partner.number()
                    )),
                    ModifierIndicator::Allowed => bypassed_by(&line.modifiers)
                        .map(|m| (m, line))
                        .or_else(|| bypassed_by(&partner.modifiers).map(|m| (m, partner)))
                        .map(|(m, on)| {
                            format!(
                                "modifier {m} on line {} bypasses the edit with {} on line {}",
                                on.number(),
                                partner.code,
                                partner.number()
                            )
                        }),
                    ModifierIndicator::NotAllowed => None,
                };
                match spared {
                    None => {
                        verdict = Verdict::Denied { partner: k, row };
                        break;
                    }
                    Some(why) => {
                        if matches!(verdict, Verdict::NoEdit) {
                            verdict = Verdict::Spared(why);
                        }
                    }
                }
            }
            let scope = Scope { line: Some(i) };
            match verdict {
                Verdict::NoEdit => {}
                Verdict::Spared(why) => {
                    if self.explanation.is_some() {
                        self.trace(rule, scope, false, Some(why));
                    }
                }
                Verdict::Denied { partner, row } => {
                    if self.explanation.is_some() {
                        self.trace(rule, scope, true, None);
                    }
                    let finding = self.edit_finding(rule, edits, table, scope, partner, row);
                    self.findings.push(finding);
                }
            }
        }
    }

    fn edit_finding(
        &self,
        rule: &Rule,
        edits: &TableEdits,
        table: &'p EditTable,
        scope: Scope,
        partner: usize,
        row: &EditRow,
    ) -> Finding {
        let fill = super::Fill {
            with: Some(self.claim.lines[partner].code),
            rationale: table.edits.rationale(row),
            ..Default::default()
        };
        let message = self.render(&edits.message, scope, fill);
        let cited = TableRef {
            name: table.name.to_string(),
            file: table.edits.file(row).to_string(),
            line: row.line,
        };
        self.pair_denial(
            rule,
            scope.line.unwrap_or(0),
            message,
            rule.loc,
            Some(cited),
        )
    }
}
