//! The diagnoses of a line and the procedures of a claim: `for each line diagnosis` runs,
//! `line diagnosis in …` and `claim has procedure …` in three-valued logic.

use super::*;

impl<'p, 'c> Run<'p, 'c> {
    /// Runs a line rule on line `i`: once, or for a `for each line diagnosis` rule once per
    /// diagnosis the line points to (of the rule's set, when it names one), in pointer order.
    /// A line that points to no diagnosis gives such a rule nothing to run for.
    pub(super) fn check_line(&mut self, rule: &'p Rule, check: &'p CheckRule, i: usize) {
        let Some(each) = check.diagnoses else {
            self.check(rule, check, Scope::line(i));
            return;
        };
        let claim = self.claim;
        let pointers = claim.lines[i].diagnosis_pointers.as_deref().unwrap_or(&[]);
        for &p in pointers {
            let Some(d) = (p as usize).checked_sub(1) else {
                continue;
            };
            let Some(diagnosis) = claim.diagnoses.get(d) else {
                continue;
            };
            if let Some(set) = each.within {
                if !self.program.diagnosis_sets[set.index()].contains(diagnosis) {
                    continue;
                }
            }
            self.check(
                rule,
                check,
                Scope {
                    line: Some(i),
                    other: None,
                    diagnosis: Some(d),
                },
            );
        }
    }

    /// The diagnoses (indexes into the claim's) the line in scope points to, in pointer order;
    /// `None` when it gives no pointers. Read in place: nothing is allocated per test.
    pub(super) fn line_diagnoses(&self, scope: Scope) -> Option<impl Iterator<Item = usize> + 'c> {
        let claim: &'c Claim = self.claim;
        let line = &claim.lines[scope.line?];
        let pointers = line.diagnosis_pointers.as_deref()?;
        if pointers.is_empty() {
            return None;
        }
        Some(
            pointers
                .iter()
                .filter_map(|p| (*p as usize).checked_sub(1))
                .filter(move |d| *d < claim.diagnoses.len()),
        )
    }

    /// `line diagnosis in …`: true when a diagnosis the line points to matches; unknown when
    /// the line points to none, or none matches and a column it reads has no value.
    pub(super) fn line_diagnosis(&self, m: &DiagnosisMatch, scope: Scope) -> Truth {
        let Some(diagnoses) = self.line_diagnoses(scope) else {
            return Truth::Unknown;
        };
        let set = &self.program.diagnosis_sets[m.set.index()];
        for d in diagnoses {
            let diagnosis = &self.claim.diagnoses[d];
            let hit = set.contains(diagnosis)
                || m.columns.iter().any(|c| {
                    matches!(self.cell(*c, scope), Some(Cell::Diagnoses(s)) if s.contains(diagnosis))
                });
            if hit {
                if self.matched_diagnosis.get().is_none() {
                    self.matched_diagnosis.set(Some(d));
                }
                return Truth::True;
            }
        }
        if m.columns.iter().any(|c| self.cell(*c, scope).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    /// `claim has procedure …`: true when one of the claim's ICD-10-PCS procedures matches;
    /// unknown when none does and a column it reads has no value.
    pub(super) fn claim_has_procedure(&self, m: &ProcedureMatch, scope: Scope) -> Truth {
        let hit = self.claim.procedures.iter().any(|p| {
            m.patterns.iter().any(|pat| pat.matches(&p.code))
                || m.columns.iter().any(|c| {
                    matches!(self.cell(*c, scope), Some(Cell::Procedures(ps)) if ps.iter().any(|pat| pat.matches(&p.code)))
                })
        });
        if hit {
            Truth::True
        } else if m.columns.iter().any(|c| self.cell(*c, scope).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }
}
