//! `--explain`: what was derived and why each considered rule did or did not fire.
//!
//! None of this runs unless an explanation was asked for; the reasons are worked out after the
//! fact by evaluating the parts of a condition again, so the normal path pays nothing for it.

use super::facts::to_json;
use super::{Run, Scope, Truth};
use crate::ir::*;
use crate::note::{char_offset, NoteFact};
use crate::report::{DerivedFact, NoteSource, RuleTrace};
use crate::syntax::span::Loc;

impl Run<'_, '_> {
    /// Records the facts the note filled in, with the words that state them.
    pub(super) fn explain_note(&mut self, from_note: &[NoteFact]) {
        if self.explanation.is_none() {
            return;
        }
        let sources = note_sources(self.program, &self.facts, from_note);
        if let Some(e) = self.explanation.as_mut() {
            e.from_note = sources;
        }
    }

    pub(super) fn explain_derivation(&mut self, rule: RuleIdx, d: &Derivation) {
        if self.explanation.is_none() {
            return;
        }
        let program = self.program;
        let fact = d.conclusion.fact();
        let (name, def) = program.fact(fact);
        let value = match &d.conclusion {
            Conclusion::SetBool(_, b) => Value::Bool(*b),
            Conclusion::SetChoice(_, i) => Value::Choice(*i),
            Conclusion::AddChoice(_, i) => Value::Choices(1 << i),
            Conclusion::SetText(_, t) => Value::Text(t.clone()),
            Conclusion::AddText(_, t) => Value::Texts(vec![t.clone()]),
        };
        let derived = DerivedFact {
            fact: name.to_string(),
            value: to_json(&def.ty, &value),
            rule: program.rules[rule as usize].id.to_string(),
            because: format!("`{}` holds", program.text(d.condition.loc)),
            policy: self.policy_ref(d.loc),
        };
        if let Some(e) = self.explanation.as_mut() {
            e.derived.push(derived);
        }
    }

    /// Why a rule is not in force on the claim's date: a pack disabled it (with the pack's
    /// reason), a pack overrides it, or its own window leaves the date out.
    pub(super) fn why_not_in_force(&self, rule: &Rule) -> String {
        let program = self.program;
        let date = self.claim.service_date.0;
        let pack_name = |p: PackId| program.packs.get(p as usize).map_or("?", |p| &*p.name);
        if let Some(d) = program
            .disabled
            .iter()
            .find(|d| *d.rule == *rule.id && d.window.contains(date))
        {
            return format!(
                "disabled on {date} by pack `{}`: {}",
                pack_name(d.pack),
                d.reason
            );
        }
        if let Some(newer) = program
            .rules
            .iter()
            .find(|r| r.id == rule.id && r.pack != rule.pack && r.in_force_on(date))
        {
            return format!(
                "overridden on {date} by pack `{}` ({})",
                pack_name(newer.pack),
                self.policy_ref(newer.loc)
            );
        }
        format!("not in force on {date}")
    }

    /// How a pack changed a rule's action on the claim's date (`change rule … to …`), if one
    /// did.
    fn changed_action(&self, rule: &Rule) -> Option<String> {
        let date = self.claim.service_date.0;
        let change = rule.action_change_on(date)?;
        let pack = self
            .program
            .packs
            .get(change.pack as usize)
            .map_or("?", |p| &*p.name);
        Some(format!(
            "its action is changed to {} on {date} by pack `{pack}`: {}",
            change.to.verdict_word().unwrap_or("?"),
            change.reason
        ))
    }

    pub(super) fn trace(&mut self, rule: &Rule, scope: Scope, fired: bool, reason: Option<String>) {
        self.trace_at(rule, rule.loc, scope, fired, reason);
    }

    pub(super) fn trace_at(
        &mut self,
        rule: &Rule,
        loc: Loc,
        scope: Scope,
        fired: bool,
        reason: Option<String>,
    ) {
        let line = scope.line.map(|i| self.claim.lines[i].number());
        let diagnosis = scope
            .diagnosis
            .and_then(|d| self.claim.diagnoses.get(d))
            .map(|d| dotted(d.compact()));
        let reason = match (diagnosis, reason) {
            (Some(d), Some(r)) => Some(format!("for diagnosis {d}, {r}")),
            (Some(d), None) => Some(format!("for diagnosis {d}")),
            (None, r) => r,
        };
        // A fired rule whose action a pack changed says so, with the pack's reason, as a
        // disabled rule gives the reason it is out of force.
        let reason = match (fired, self.changed_action(rule)) {
            (true, Some(changed)) => Some(match reason {
                Some(r) => format!("{r}; {changed}"),
                None => changed,
            }),
            _ => reason,
        };
        let trace = RuleTrace {
            rule: rule.id.to_string(),
            line,
            fired,
            reason,
            policy: self.policy_ref(loc),
        };
        if let Some(e) = self.explanation.as_mut() {
            e.rules.push(trace);
        }
    }

    /// The first part of a condition that kept it from being true, in the analyst's words.
    pub(super) fn why_not(&self, c: &Cond, scope: Scope) -> String {
        match &c.kind {
            CondKind::And(a, b) => {
                if self.eval(a, scope, &mut None) != Truth::True {
                    self.why_not(a, scope)
                } else {
                    self.why_not(b, scope)
                }
            }
            _ => {
                let text = self.program.text(c.loc);
                if let Some(why) = self.why_not_history(c, scope) {
                    return format!("`{text}` {why}");
                }
                match self.eval(c, scope, &mut None) {
                    Truth::Unknown => {
                        format!("`{text}` was not evaluated: {}", self.missing(c, scope))
                    }
                    _ => self
                        .why_not_across_lines(c, scope)
                        .unwrap_or_else(|| format!("`{text}` does not hold")),
                }
            }
        }
    }

    pub(super) fn why_unless(&self, u: &Cond) -> String {
        format!("its exception `unless {}` holds", self.program.text(u.loc))
    }

    /// Names the facts (and the line's attributes) a condition needs that the claim does not
    /// give.
    fn missing(&self, c: &Cond, scope: Scope) -> String {
        let mut ids = Vec::new();
        self.collect_facts(c, &mut ids);
        let mut attrs = Vec::new();
        self.collect_line_attrs(c, &mut attrs);
        let line = scope.line.map(|i| &self.claim.lines[i]);
        let absent = attrs.into_iter().filter_map(|a| {
            let l = line?;
            l.attr(a)
                .is_none()
                .then(|| format!("line {} has no {}", l.number(), a.words()))
        });
        let no_charge = line
            .filter(|l| {
                l.charge.is_none()
                    && tests(self.program, c, |k| matches!(k, CondKind::LineCharge(..)))
            })
            .map(|l| format!("line {} has no charge", l.number()));
        let names: Vec<String> = ids
            .into_iter()
            .filter(|f| self.facts[*f as usize].is_none())
            .map(|f| {
                let (name, def) = self.program.fact(f);
                match def.origin {
                    FactOrigin::Documentation => format!("`{name}` is not documented on the claim"),
                    FactOrigin::Derived => format!("`{name}` was not derived"),
                    FactOrigin::Claim(ClaimField::PatientAge) => {
                        "the claim gives no patient birth date to count `patient age` from".into()
                    }
                    FactOrigin::Claim(ClaimField::PatientSex) => {
                        "the claim gives no patient sex".into()
                    }
                    FactOrigin::Claim(_) => format!("the claim has no `{name}`"),
                }
            })
            .chain(absent)
            .chain(no_charge)
            .collect();
        let no_pointers = line.filter(|l| {
            tests(self.program, c, |k| matches!(k, CondKind::LineDiagnosis(_)))
                && l.diagnosis_pointers.as_ref().is_none_or(Vec::is_empty)
        });
        let names: Vec<String> = names
            .into_iter()
            .chain(no_pointers.map(|l| {
                format!(
                    "line {} points to no diagnosis (it gives no diagnosis pointers)",
                    l.number()
                )
            }))
            .collect();
        if names.is_empty() {
            match scope.diagnosis.and_then(|d| self.claim.diagnoses.get(d)) {
                Some(d) => format!(
                    "a table gives the line's code or the diagnosis {} no value for a column it tests",
                    dotted(d.compact())
                ),
                None => "a table gives the line's code no value for a column it tests".into(),
            }
        } else {
            names.join(", and ")
        }
    }

    fn collect_facts(&self, c: &Cond, out: &mut Vec<FactId>) {
        let mut push = |f: FactId| {
            if !out.contains(&f) {
                out.push(f)
            }
        };
        match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => {
                self.collect_facts(a, out);
                self.collect_facts(b, out);
            }
            CondKind::Not(a) => self.collect_facts(a, out),
            CondKind::OtherLine {
                test: LineTest::Where(a),
                ..
            } => self.collect_facts(a, out),
            CondKind::Term(t) => self.collect_facts(&self.program.terms[t.index()].condition, out),
            CondKind::BoolIs(f, _)
            | CondKind::Number(f, ..)
            | CondKind::NumberVsColumn(f, ..)
            | CondKind::TextIn(f, _)
            | CondKind::ChoiceIn(f, _)
            | CondKind::ListHasChoice(f, _)
            | CondKind::ListHasText(f, _) => push(*f),
            _ => {}
        }
    }

    /// The line attributes whose values a condition tests.
    fn collect_line_attrs(&self, c: &Cond, out: &mut Vec<LineAttr>) {
        match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => {
                self.collect_line_attrs(a, out);
                self.collect_line_attrs(b, out);
            }
            CondKind::Not(a) => self.collect_line_attrs(a, out),
            CondKind::OtherLine {
                test: LineTest::Where(a),
                ..
            } => self.collect_line_attrs(a, out),
            CondKind::Term(t) => {
                self.collect_line_attrs(&self.program.terms[t.index()].condition, out)
            }
            CondKind::LineAttr(a, LineAttrTest::Codes(_)) if !out.contains(a) => out.push(*a),
            _ => {}
        }
    }

    /// A code set in a few words, for explanations.
    pub(super) fn describe_set(&self, set: &CodeSet) -> String {
        let mut parts: Vec<String> = set.exact.iter().take(6).map(|c| c.to_string()).collect();
        parts.extend(set.ranges.iter().take(3).map(|(a, b)| format!("{a}-{b}")));
        let more = set.exact.len().saturating_sub(6) + set.ranges.len().saturating_sub(3);
        if more > 0 {
            parts.push(format!("{more} more"));
        }
        parts.join(", ")
    }
}

/// The note's statements as an auditor reads them: fact, value, words and character span.
pub fn note_sources(
    program: &Program,
    facts: &super::facts::Facts,
    from_note: &[NoteFact],
) -> Vec<NoteSource> {
    let note = program
        .vocabulary
        .note_fact
        .and_then(|id| facts.get(id as usize))
        .and_then(Option::as_ref);
    let Some(Value::Text(note)) = note else {
        return Vec::new();
    };
    from_note
        .iter()
        .map(|f| {
            let (name, def) = program.fact(f.fact);
            let loc = program.vocabulary.meanings[f.meaning as usize].loc;
            NoteSource {
                fact: name.to_string(),
                value: to_json(&def.ty, &f.value),
                text: note.get(f.start..f.end).unwrap_or("").to_string(),
                span: [char_offset(note, f.start), char_offset(note, f.end)],
                policy: super::policy_ref(program, loc),
            }
        })
        .collect()
}

/// Whether a condition, through the terms it names, has a test that `is_test` picks.
fn tests(program: &Program, c: &Cond, is_test: fn(&CondKind) -> bool) -> bool {
    match &c.kind {
        CondKind::And(a, b) | CondKind::Or(a, b) => {
            tests(program, a, is_test) || tests(program, b, is_test)
        }
        CondKind::Not(a) => tests(program, a, is_test),
        CondKind::Term(t) => program
            .terms
            .get(t.index())
            .is_some_and(|term| tests(program, &term.condition, is_test)),
        kind => is_test(kind),
    }
}
