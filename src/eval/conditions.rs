//! Conditions on one claim, in three-valued logic: facts, codes, modifiers, units, table
//! columns and dates, with the code a test matched.

use super::*;

pub(super) use crate::ir::compare;

impl<'p, 'c> Run<'p, 'c> {
    /// A table cell for the key in scope: the code of the line, or for a table keyed by
    /// diagnosis, the diagnosis in scope.
    pub(super) fn cell(&self, column: ColumnRef, scope: Scope) -> Option<&'p Cell> {
        let table = &self.program.tables[column.table.index()];
        if !table.window.contains(self.claim.service_date.0) {
            return None;
        }
        let row = match table.key {
            TableKeyKind::Code => {
                let line = scope.line?;
                self.rows.row(column.table.index(), line, || {
                    table.row_on(self.claim.lines[line].code, self.claim.service_date.0)
                })?
            }
            TableKeyKind::Diagnosis => {
                table.diagnosis_row(self.claim.diagnoses.get(scope.diagnosis?)?)?
            }
        };
        let cell = table.cell_at(row, column.column);
        if cell.is_some() && self.cited.get().is_none() {
            self.cited.set(Some((column.table, row)));
        }
        cell
    }

    /// Whether a code is among those a match names, for the line in scope.
    pub(super) fn matches(&self, m: &CodeMatch, code: Code, scope: Scope) -> bool {
        self.program.code_sets[m.set.index()].contains(code)
            || m.columns
                .iter()
                .any(|c| self.cell(*c, scope).is_some_and(|cell| cell.has_code(code)))
    }

    /// What "no code matched" means: false, or unknown when a column it reads has no value
    /// for the line's code (the table does not say which codes to look for).
    pub(super) fn no_match(&self, m: &CodeMatch, scope: Scope) -> Truth {
        if m.columns.iter().any(|c| self.cell(*c, scope).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    pub(super) fn limit(&self, limit: Limit, scope: Scope) -> Option<f64> {
        match limit {
            Limit::Number(n) => Some(n),
            Limit::Column(c) => match self.cell(c, scope)? {
                Cell::Number(n) => Some(*n),
                _ => None,
            },
        }
    }

    /// Units of the line's code over its session or the claim, through the line or all.
    pub(super) fn units_total(&self, scope: Scope, same_session: bool, so_far: bool) -> f64 {
        let Some(i) = scope.line else {
            return 0.0;
        };
        let lines = &self.claim.lines;
        let this = &lines[i];
        let end = if so_far { i + 1 } else { lines.len() };
        lines[..end]
            .iter()
            .filter(|l| l.code == this.code && (!same_session || l.session == this.session))
            .map(|l| f64::from(l.units))
            .sum()
    }

    /// Evaluates a condition; `matched` receives the first code a `has` test matched.
    pub(super) fn eval(&self, c: &Cond, scope: Scope, matched: &mut Option<Code>) -> Truth {
        let program = self.program;
        let claim = self.claim;
        let scans = matches!(
            c.kind,
            CondKind::OtherLine { .. }
                | CondKind::ClaimHasCode(_)
                | CondKind::ClaimHasModifier(_)
                | CondKind::UnitsOf { .. }
                | CondKind::UnitsTotal { .. }
        );
        let reads_history = c.kind.reads_history();
        let steps = self.steps.get()
            + 1
            + if scans || reads_history {
                claim.lines.len() as u64
            } else {
                0
            }
            + if reads_history {
                self.history_len() as u64
            } else {
                0
            };
        self.steps.set(steps);
        if steps > MAX_CONDITION_STEPS {
            // The claim is given up when the rule ends (`evaluate`); nothing more is tested.
            return Truth::Unknown;
        }
        let line = || scope.line.map(|i| &claim.lines[i]);
        match &c.kind {
            // `matched` keeps only what a branch that held matched.
            CondKind::And(a, b) => {
                let before = *matched;
                let other_before = self.other_matched.get();
                let before_diagnosis = self.matched_diagnosis.get();
                let t = match self.eval(a, scope, matched) {
                    Truth::False => Truth::False,
                    ta => match self.eval(b, scope, matched) {
                        Truth::False => Truth::False,
                        Truth::True if ta == Truth::True => Truth::True,
                        _ => Truth::Unknown,
                    },
                };
                if t != Truth::True {
                    *matched = before;
                    self.other_matched.set(other_before);
                    self.matched_diagnosis.set(before_diagnosis);
                }
                t
            }
            CondKind::Or(a, b) => {
                let before = *matched;
                let other_before = self.other_matched.get();
                let before_diagnosis = self.matched_diagnosis.get();
                match self.eval(a, scope, matched) {
                    Truth::True => Truth::True,
                    ta => {
                        *matched = before;
                        self.other_matched.set(other_before);
                        self.matched_diagnosis.set(before_diagnosis);
                        let tb = self.eval(b, scope, matched);
                        match tb {
                            Truth::True => Truth::True,
                            _ => {
                                *matched = before;
                                self.other_matched.set(other_before);
                                self.matched_diagnosis.set(before_diagnosis);
                                if ta == Truth::False && tb == Truth::False {
                                    Truth::False
                                } else {
                                    Truth::Unknown
                                }
                            }
                        }
                    }
                }
            }
            CondKind::Not(a) => {
                // What a negated test matched is no match of the whole.
                let other_before = self.other_matched.get();
                let before_diagnosis = self.matched_diagnosis.get();
                let t = self.eval(a, scope, &mut None).not();
                self.other_matched.set(other_before);
                self.matched_diagnosis.set(before_diagnosis);
                t
            }
            CondKind::Term(t) => self.eval(&program.terms[t.index()].condition, scope, matched),
            CondKind::LineIs(m) => match line() {
                Some(l) if self.matches(m, l.code, scope) => Truth::True,
                Some(_) => self.no_match(m, scope),
                None => Truth::False,
            },
            CondKind::LineHasModifier(mods) => Truth::from_bool(
                line().is_some_and(|l| l.modifiers.iter().any(|m| mods.contains(m))),
            ),
            CondKind::LineAttr(attr, test) => match line() {
                Some(l) => self.line_attr(*attr, test, l, scope),
                None => Truth::False,
            },
            CondKind::LineUnits(op, limit) => match (line(), self.limit(*limit, scope)) {
                (Some(l), Some(n)) => Truth::from_bool(compare(f64::from(l.units), *op, n)),
                (None, _) => Truth::False,
                (_, None) => Truth::Unknown,
            },
            CondKind::LineCharge(op, limit) => match line() {
                None => Truth::False,
                Some(l) => match (l.charge, self.limit(*limit, scope)) {
                    (Some(charge), Some(n)) => Truth::from_bool(compare(charge.dollars(), *op, n)),
                    _ => Truth::Unknown,
                },
            },
            CondKind::UnitsTotal {
                so_far,
                across_claims: true,
                op,
                limit,
                ..
            } => match self.limit(*limit, scope) {
                Some(n) => self.units_across_claims(scope, *so_far, *op, n),
                None => Truth::Unknown,
            },
            CondKind::Frequency(f) => self.frequency(f, scope),
            CondKind::EarlierClaimSame {
                same,
                including_denied,
            } => self.earlier_claim_same(same, *including_denied, scope),
            CondKind::WithinAfter(w) => self.within_after(w, scope),
            CondKind::UnitsTotal {
                same_session,
                so_far,
                op,
                limit,
                ..
            } => match self.limit(*limit, scope) {
                Some(n) => Truth::from_bool(compare(
                    self.units_total(scope, *same_session, *so_far),
                    *op,
                    n,
                )),
                None => Truth::Unknown,
            },
            CondKind::Attr(column, test) => match test.holds(self.cell(*column, scope)) {
                Some(holds) => Truth::from_bool(holds),
                None => Truth::Unknown,
            },
            CondKind::OtherLine {
                earlier,
                same_session,
                relation,
                test,
            } => self.other_line(*earlier, *same_session, *relation, test, scope, matched),
            CondKind::TheOtherLine(test) => self.the_other_line(test, scope),
            CondKind::UnitsOf {
                codes,
                same_session,
                op,
                limit,
            } => self.units_of(codes, *same_session, *op, *limit, scope),
            CondKind::ClaimHasCode(m) => {
                match claim.lines.iter().find(|l| self.matches(m, l.code, scope)) {
                    Some(l) => {
                        if matched.is_none() {
                            *matched = Some(l.code);
                        }
                        Truth::True
                    }
                    None => self.no_match(m, scope),
                }
            }
            CondKind::ClaimHasModifier(mods) => Truth::from_bool(
                claim
                    .lines
                    .iter()
                    .any(|l| l.modifiers.iter().any(|m| mods.contains(m))),
            ),
            CondKind::ClaimHasDiagnosis(set) => {
                let set = &program.diagnosis_sets[set.index()];
                Truth::from_bool(
                    claim
                        .diagnoses
                        .iter()
                        .any(|d| set.patterns.iter().any(|p| p.matches(d))),
                )
            }
            CondKind::LineDiagnosis(m) => self.line_diagnosis(m, scope),
            CondKind::LineHasPointers => Truth::from_bool(
                line()
                    .is_some_and(|l| l.diagnosis_pointers.as_ref().is_some_and(|p| !p.is_empty())),
            ),
            CondKind::ClaimHasProcedure(m) => self.claim_has_procedure(m, scope),
            CondKind::ProcedureApproach(a) => Truth::from_bool(
                claim
                    .procedures
                    .iter()
                    .any(|p| p.approach.as_deref() == Some(&**a)),
            ),
            CondKind::ServiceDate(w) => Truth::from_bool(w.contains(claim.service_date.0)),
            CondKind::Documented(f) => Truth::from_bool(self.facts[*f as usize].is_some()),
            CondKind::Missing(f) => Truth::from_bool(self.facts[*f as usize].is_none()),
            CondKind::BoolIs(f, want) => {
                self.fact(*f, |v| matches!(v, Value::Bool(b) if b == want))
            }
            CondKind::Number(f, op, n) => self.fact(
                *f,
                |v| matches!(v, Value::Number(x) if compare(*x, *op, *n)),
            ),
            CondKind::NumberVsColumn(f, op, column) => {
                match (
                    &self.facts[*f as usize],
                    self.limit(Limit::Column(*column), scope),
                ) {
                    (Some(Value::Number(x)), Some(n)) => Truth::from_bool(compare(*x, *op, n)),
                    (Some(_), Some(_)) => Truth::False,
                    _ => Truth::Unknown,
                }
            }
            CondKind::TextIn(f, vs) => {
                self.fact(*f, |v| matches!(v, Value::Text(t) if vs.contains(t)))
            }
            CondKind::ChoiceIn(f, mask) => self.fact(
                *f,
                |v| matches!(v, Value::Choice(i) if mask & (1 << i) != 0),
            ),
            CondKind::ListHasChoice(f, mask) => {
                self.fact(*f, |v| matches!(v, Value::Choices(m) if m & mask != 0))
            }
            CondKind::ListHasText(f, vs) => self.fact(
                *f,
                |v| matches!(v, Value::Texts(items) if items.iter().any(|i| vs.contains(i))),
            ),
        }
    }

    pub(super) fn fact(&self, id: FactId, test: impl FnOnce(&Value) -> bool) -> Truth {
        match &self.facts[id as usize] {
            None => Truth::Unknown,
            Some(v) => Truth::from_bool(test(v)),
        }
    }
}
