//! `apply edits of "…"`: the edits of a pair-edit table (NCCI PTP) over one claim.
//!
//! For every ordered pair of lines (a column-1 line, a column-2 line) the table's index gives
//! the edit row in force on the date of service, if any. Indicator 9 never denies; indicator 1
//! is bypassed as the rule's `bypass with …` clauses say (one of its modifiers on either line,
//! or site modifiers showing different sites on the two lines); otherwise the column-2 line is
//! denied. Each line is denied once, by the first column-1 line (in claim order) that denies
//! it, and the finding cites the table row that decided.

use super::{Found, Run, Scope};
use crate::ir::*;
use crate::ncci::{day, Column1Edits, EditRow, ModifierIndicator, NumberedCode};

/// What the edits say about one column-2 line.
enum Verdict<'t> {
    /// No edit of the table pairs the line with another line in force on the date.
    NoEdit,
    /// Every edit in force spares it: the first one's column-1 line, and what bypassed it,
    /// or none for indicator 9. Put into words only for `--explain`, so the normal path
    /// builds no text.
    Spared {
        partner: usize,
        bypass: Option<Bypassed>,
    },
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
                self.trace(rule, Scope::CLAIM, false, Some(reason));
            }
            return;
        }
        if edits.across_claims {
            return self.table_edits_across_claims(rule, edits, table);
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
                self.trace(rule, Scope::CLAIM, false, Some(reason));
            }
            return;
        }
        // The edits in force between each line (as column 2) and the others (as column 1),
        // in line order then partner order: all pairs looked up at once, or, for the
        // reference, one search at a time.
        let partners: Vec<usize> = (0..lines.len()).filter(|&k| groups[k].is_some()).collect();
        let pairs = (0..lines.len()).flat_map(|i| {
            partners
                .iter()
                .filter(move |&&k| k != i)
                .map(move |&k| (i, k))
        });
        let mut found: Vec<(usize, usize, &'p EditRow)> = Vec::new();
        if self.reference {
            for (i, k) in pairs {
                let row = groups[k].and_then(|group| group.in_force(lines[i].code, today));
                if let Some((_, row)) = row {
                    found.push((i, k, row));
                }
            }
        } else {
            // Each line's code numbered once, for the many pairs it is in.
            let numbered: Vec<NumberedCode> =
                lines.iter().map(|l| NumberedCode::new(l.code)).collect();
            let pairs = pairs.map(|(i, k)| ((i, k), numbered[k], numbered[i]));
            table
                .edits
                .each_in_force(pairs, today, |(i, k), row| found.push((i, k, row)));
        }
        let mut found = found.into_iter().peekable();
        for i in 0..lines.len() {
            let line = &lines[i];
            let mut verdict = Verdict::NoEdit;
            while let Some((_, k, row)) = found.next_if(|(at, _, _)| *at == i) {
                if matches!(verdict, Verdict::Denied { .. }) {
                    continue;
                }
                let spared = match row.indicator {
                    ModifierIndicator::NotApplicable => Some(None),
                    ModifierIndicator::Allowed => edits
                        .bypass
                        .bypassed(&line.modifiers, &lines[k].modifiers)
                        .map(Some),
                    ModifierIndicator::NotAllowed => None,
                };
                match spared {
                    None => verdict = Verdict::Denied { partner: k, row },
                    Some(bypass) => {
                        if matches!(verdict, Verdict::NoEdit) {
                            verdict = Verdict::Spared { partner: k, bypass };
                        }
                    }
                }
            }
            let scope = Scope::line(i);
            match verdict {
                Verdict::NoEdit => {}
                Verdict::Spared { partner, bypass } => {
                    if self.explanation.is_some() {
                        let why = match bypass {
                            Some(b) => self.why_bypassed(i, partner, b),
                            None => self.why_not_applicable(partner),
                        };
                        self.trace(rule, scope, false, Some(why));
                    }
                }
                Verdict::Denied { partner, row } => {
                    if self.explanation.is_some() {
                        self.trace(rule, scope, true, None);
                    }
                    let with = self.claim.lines[partner].code;
                    let finding = self.edit_finding(rule, edits, scope, with, row, None);
                    self.push(finding);
                }
            }
        }
    }

    /// Why an edit with indicator 9 did not deny a line, in the analyst's words.
    fn why_not_applicable(&self, partner: usize) -> String {
        let partner = &self.claim.lines[partner];
        format!(
            "the edit with {} on line {} has modifier indicator 9 (not applicable)",
            partner.code,
            partner.number()
        )
    }

    /// Why modifiers bypassed the edit between line `i` and its column-1 line `partner`, in
    /// the analyst's words: a table edit's or a hand-written pair edit's.
    pub(super) fn why_bypassed(&self, i: usize, partner: usize, bypass: Bypassed) -> String {
        let (line, partner) = (&self.claim.lines[i], &self.claim.lines[partner]);
        let with = format!(
            "the edit with {} on line {}",
            partner.code,
            partner.number()
        );
        match bypass {
            Bypassed::Modifier {
                modifier,
                on_column2,
            } => {
                let on = if on_column2 { line } else { partner };
                format!(
                    "modifier {modifier} on line {} bypasses {with}",
                    on.number()
                )
            }
            Bypassed::Sites { column2, column1 } => format!(
                "modifier {column2} on line {} and {column1} on line {} show different sites, \
                 bypassing {with}",
                line.number(),
                partner.number()
            ),
        }
    }

    /// The denial of an edit-table row; `with` is the column-1 code, `history` the earlier
    /// line it is on when the edit pairs across claims.
    fn edit_finding(
        &self,
        rule: &'p Rule,
        edits: &TableEdits,
        scope: Scope,
        with: crate::codes::Code,
        row: &EditRow,
        history: Option<crate::report::HistoryRef>,
    ) -> Found<'p> {
        let table = &self.program.edit_tables[edits.table as usize];
        let fill = super::Fill {
            with: Some(with),
            rationale: table.edits.rationale(row),
            ..Default::default()
        };
        let message = self.render(&edits.message, scope, fill);
        let cited = (&*table.name, table.edits.file(row), row.line);
        self.pair_denial(
            rule,
            scope.line.unwrap_or(0),
            message,
            rule.loc,
            Some(cited),
            history,
        )
    }
}

impl<'p> Run<'p, '_> {
    /// `apply edits of "…" across claims of the same provider on the date of service`: each
    /// line of the claim is paired with the paid lines of the patient's earlier claims that
    /// its provider billed on the same date. A line is denied when such a line is the column 1
    /// of an edit in force with the line's code as column 2, as if both were on one claim
    /// (CMS applies the edits to all claims of a provider for a patient on one date). The
    /// finding cites the table row and the earlier line.
    fn table_edits_across_claims(
        &mut self,
        rule: &'p Rule,
        edits: &'p TableEdits,
        table: &'p EditTable,
    ) {
        let lines = match self.seen() {
            super::history::Seen::Lines(lines) => lines,
            _ => {
                if self.explanation.is_some() {
                    let reason = "no earlier claim of the patient is known".to_string();
                    self.trace(rule, Scope::CLAIM, false, Some(reason));
                }
                return;
            }
        };
        let claim = self.claim;
        let date = claim.service_date.0;
        let today = day(date);
        // The earlier lines that day, each with its code's edits as column 1, looked up once.
        let earlier: Vec<_> = lines
            .filter(|(_, h)| h.date == date && h.is_paid() && h.provider.is_some())
            .filter_map(|(k, h)| Some((k, h, table.edits.column1(h.code)?)))
            .collect();
        if earlier.is_empty() {
            return;
        }
        for (i, line) in claim.lines.iter().enumerate() {
            let provider = crate::history::line_provider(claim, line);
            let mut spared = None;
            let mut denied = None;
            for (k, h, group) in &earlier {
                if h.provider.as_deref() != provider {
                    continue;
                }
                let Some((_, row)) = group.in_force(line.code, today) else {
                    continue;
                };
                let bypass = match row.indicator {
                    ModifierIndicator::Allowed => {
                        edits.bypass.bypassed(&line.modifiers, &h.modifiers)
                    }
                    _ => None,
                };
                match (row.indicator, bypass) {
                    (ModifierIndicator::NotApplicable, _) => spared = spared.or(Some((*h, None))),
                    (ModifierIndicator::Allowed, Some(b)) => {
                        spared = spared.or(Some((*h, Some(b))))
                    }
                    _ => {
                        denied = Some((*k, *h, row));
                        break;
                    }
                }
            }
            let scope = Scope::line(i);
            if let Some((k, h, row)) = denied {
                self.cited_history.set(Some(k));
                if self.explanation.is_some() {
                    self.trace(rule, scope, true, None);
                }
                let history = self.cited_history_ref();
                let finding = self.edit_finding(rule, edits, scope, h.code, row, history);
                self.push(finding);
            } else if let (Some((h, bypass)), true) = (spared, self.explanation.is_some()) {
                let with = format!(
                    "the edit with {} on line {} of earlier claim `{}`",
                    h.code, h.line, h.claim
                );
                let why = match bypass {
                    None => format!("{with} has modifier indicator 9 (not applicable)"),
                    Some(Bypassed::Modifier { modifier, .. }) => {
                        format!("modifier {modifier} bypasses {with}")
                    }
                    Some(Bypassed::Sites { column2, column1 }) => format!(
                        "modifier {column2} on line {} and {column1} on line {} of earlier claim \
                         `{}` show different sites, bypassing {with}",
                        line.number(),
                        h.line,
                        h.claim
                    ),
                };
                self.trace(rule, scope, false, Some(why));
            }
        }
    }
}
