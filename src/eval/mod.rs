//! The interpreter: a tree walk over one claim.
//!
//! Logic is three-valued (Kleene): a test of a fact the claim does not document is *unknown*,
//! `not unknown` is unknown, and a rule fires only when its `when` is true. `unless` blocks a
//! rule only when it is true, so an undocumented exception does not excuse a claim.
//!
//! Order of work for one claim: bind its facts, run every `implies` to a fixpoint, then visit
//! the rules its codes can trigger (from the program's index) in source order.

pub(crate) mod explain;
pub mod facts;
mod line_attrs;
mod same_reason;
mod table_edits;

use std::collections::BTreeSet;

use crate::claim::Claim;
use crate::codes::Code;
use crate::ir::*;
use crate::report::*;
use crate::syntax::ast::CompareOp;
use facts::Facts;

/// A condition's value on a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    /// A fact it needs is not documented.
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Evaluates one parsed claim against the program.
pub fn evaluate(program: &Program, claim: &Claim, explain: bool) -> ClaimResult {
    let mut facts = match facts::bind(program, claim) {
        Ok(f) => f,
        Err(errors) => {
            return ClaimResult::error(Some(claim.id.clone()), errors).explained(explain)
        }
    };
    let from_note = facts::fill_from_note(program, &mut facts);
    let mut run = Run {
        program,
        claim,
        facts,
        findings: Vec::new(),
        finding_rules: Vec::new(),
        current: 0,
        explanation: explain.then(|| Explanation {
            minutes: claim
                .lines
                .iter()
                .filter_map(|l| {
                    l.minutes.map(|minutes| LineMinutes {
                        line: l.number(),
                        minutes,
                        units: l.units,
                    })
                })
                .collect(),
            ..Explanation::default()
        }),
        cited: std::cell::Cell::new(None),
    };
    if !from_note.is_empty() {
        run.explain_note(&from_note);
    }
    run.derive();
    for rule in candidates(program, claim) {
        run.rule(rule);
    }
    let Run {
        mut findings,
        finding_rules,
        mut explanation,
        ..
    } = run;
    let agreed = same_reason::merge(program, &mut findings, &finding_rules, explain);
    if let Some(e) = explanation.as_mut() {
        e.agreed = agreed;
    }
    findings.sort_by_key(|f| f.order);
    ClaimResult {
        format_version: FormatVersion,
        claim: Some(claim.id.clone()),
        status: Status::of(&findings),
        findings,
        errors: Vec::new(),
        explain: explanation,
    }
}

/// Where in the policies a location is, as findings cite it.
pub(crate) fn policy_ref(program: &Program, loc: crate::syntax::span::Loc) -> PolicyRef {
    let (file, line, column) = program.position(loc);
    PolicyRef {
        file: file.to_string(),
        line,
        column,
    }
}

/// A claim's documentation facts after its note is read: what `claimrules facts` prints.
pub fn documentation(program: &Program, claim: &Claim) -> ClaimFacts {
    let mut facts = match facts::bind(program, claim) {
        Ok(f) => f,
        Err(errors) => return ClaimFacts::error(Some(claim.id.clone()), errors),
    };
    let from_note = facts::fill_from_note(program, &mut facts);
    let sources = explain::note_sources(program, &facts, &from_note);
    let note = program.vocabulary.note_fact;
    let mut out = ClaimFacts {
        claim: Some(claim.id.clone()),
        ..ClaimFacts::default()
    };
    for (id, (name, def)) in program.facts.iter().enumerate() {
        let Some(value) = &facts[id] else {
            continue;
        };
        if def.origin != FactOrigin::Documentation || Some(id as FactId) == note {
            continue;
        }
        out.facts
            .insert(name.to_string(), facts::to_json(&def.ty, value));
        let source = match sources.iter().find(|s| *s.fact == **name) {
            Some(s) => FactSource::Note {
                span: s.span,
                text: s.text.clone(),
            },
            None => FactSource::Claim,
        };
        out.sources.insert(name.to_string(), source);
    }
    out
}

/// The rules a claim can trigger, in source order, each once.
fn candidates(program: &Program, claim: &Claim) -> Vec<RuleIdx> {
    let index = &program.index;
    let mut rules: Vec<RuleIdx> = index.always.clone();
    for line in &claim.lines {
        if let Some(r) = index.by_code.get(&line.code) {
            rules.extend_from_slice(r);
        }
        for (lo, hi, r) in &index.by_range {
            if *lo <= line.code && line.code <= *hi {
                rules.push(*r);
            }
        }
    }
    rules.sort_unstable();
    rules.dedup();
    rules
}

/// The state of one claim's evaluation.
struct Run<'p, 'c> {
    program: &'p Program,
    claim: &'c Claim,
    facts: Facts,
    findings: Vec<Finding>,
    /// The rule of each finding, for `same reason as`.
    finding_rules: Vec<RuleIdx>,
    /// The rule being evaluated.
    current: RuleIdx,
    explanation: Option<Explanation>,
    /// The first table row a rule's conditions read a value from: the row that decided its
    /// findings, which they cite.
    cited: std::cell::Cell<Option<(TableId, Code)>>,
}

/// What a message's placeholders can name beyond the line in scope.
#[derive(Default, Clone, Copy)]
struct Fill<'a> {
    /// `{matched}`: the code a `has` test matched.
    matched: Option<Code>,
    /// `{with}`: the column-1 code of a pair edit.
    with: Option<Code>,
    /// `{rationale}`: the rationale of the edit row that decided.
    rationale: &'a str,
}

/// What a condition is evaluated against: the claim, and the line a line rule is looking at.
#[derive(Clone, Copy)]
struct Scope {
    line: Option<usize>,
}

impl<'p, 'c> Run<'p, 'c> {
    /// Applies `implies` rules until nothing changes, as passes over all of them in order
    /// would: a pass tries each derivation in turn and passes go on until one changes nothing.
    /// Each application only fills an empty fact or adds a member to a list, so this ends
    /// after at most one pass per fact value.
    ///
    /// A derivation's condition reads only facts and the claim, so trying it again gives the
    /// same answer until a fact it reads changes; and once it held, applying it again changes
    /// nothing. So only the derivations `due` are tried: all of them in the first pass, then
    /// those that read a fact changed since (`Program::derivation_readers`), at their place in
    /// the pass, this one or the next. The same derivations apply in the same order as in
    /// full passes, with work in proportion to the changes instead of to passes × rules.
    fn derive(&mut self) {
        let program = self.program;
        let count = program.derivations.len();
        let mut due: BTreeSet<usize> = (0..count).collect();
        // Held once (or is out of force): it can change nothing again.
        let mut settled = vec![false; count];
        let mut passes = 1;
        let mut at = 0;
        loop {
            let Some(&i) = due.range(at..).next() else {
                if due.is_empty() || passes > count + 1 {
                    break;
                }
                passes += 1;
                at = 0;
                continue;
            };
            due.remove(&i);
            at = i + 1;
            let (rule, d) = &program.derivations[i];
            if !program.rules[*rule as usize].in_force_on(self.claim.service_date.0) {
                settled[i] = true;
                continue;
            }
            let mut matched = None;
            if self.eval(&d.condition, Scope { line: None }, &mut matched) != Truth::True {
                continue;
            }
            settled[i] = true;
            if self.apply(&d.conclusion) {
                self.explain_derivation(*rule, d);
                let readers = program.derivation_readers.get(d.conclusion.fact() as usize);
                for &r in readers.into_iter().flatten() {
                    if !settled[r as usize] {
                        due.insert(r as usize);
                    }
                }
            }
        }
    }

    /// Makes a conclusion true; `false` if it already was, or a different value is set.
    fn apply(&mut self, c: &Conclusion) -> bool {
        let slot = &mut self.facts[c.fact() as usize];
        match (c, slot.as_mut()) {
            (Conclusion::SetBool(_, b), None) => *slot = Some(Value::Bool(*b)),
            (Conclusion::SetChoice(_, i), None) => *slot = Some(Value::Choice(*i)),
            (Conclusion::SetText(_, t), None) => *slot = Some(Value::Text(t.clone())),
            (Conclusion::AddChoice(_, i), None) => *slot = Some(Value::Choices(1 << i)),
            (Conclusion::AddChoice(_, i), Some(Value::Choices(mask))) if *mask & (1 << i) == 0 => {
                *mask |= 1 << i
            }
            (Conclusion::AddText(_, t), None) => *slot = Some(Value::Texts(vec![t.clone()])),
            (Conclusion::AddText(_, t), Some(Value::Texts(items))) if !items.contains(t) => {
                items.push(t.clone())
            }
            _ => return false,
        }
        true
    }

    /// Records a finding of the rule being evaluated.
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
        self.finding_rules.push(self.current);
    }

    fn rule(&mut self, idx: RuleIdx) {
        self.current = idx;
        let program = self.program;
        let rule = &program.rules[idx as usize];
        if !rule.in_force_on(self.claim.service_date.0) {
            if self.explanation.is_some() {
                let reason = self.why_not_in_force(rule);
                self.trace(rule, Scope { line: None }, false, Some(reason));
            }
            return;
        }
        match &rule.kind {
            RuleKind::Derive => {}
            RuleKind::Check(check) => match check.target {
                Target::Lines(set) => {
                    for (i, line) in self.claim.lines.iter().enumerate() {
                        if program.code_sets[set as usize].contains(line.code) {
                            self.check(rule, check, Scope { line: Some(i) });
                        }
                    }
                }
                Target::AllLines => {
                    for i in 0..self.claim.lines.len() {
                        self.check(rule, check, Scope { line: Some(i) });
                    }
                }
                Target::Claim => self.check(rule, check, Scope { line: None }),
            },
            RuleKind::Pairs(edits) => {
                for edit in edits {
                    self.pair_edit(rule, edit);
                }
            }
            RuleKind::TableEdits(edits) => self.table_edits(rule, edits),
        }
    }

    fn check(&mut self, rule: &'p Rule, check: &'p CheckRule, scope: Scope) {
        let mut matched = None;
        self.cited.set(None);
        let when = match &check.when {
            Some(c) => self.eval(c, scope, &mut matched),
            None => Truth::True,
        };
        let unless = match (&check.unless, when) {
            (Some(u), Truth::True) => self.eval(u, scope, &mut None),
            _ => Truth::False,
        };
        let fired = when == Truth::True && unless != Truth::True;
        if self.explanation.is_some() {
            let reason = if fired {
                None
            } else if when != Truth::True {
                check.when.as_ref().map(|c| self.why_not(c, scope))
            } else {
                check.unless.as_ref().map(|u| self.why_unless(u))
            };
            self.trace(rule, scope, fired, reason);
        }
        if !fired {
            return;
        }
        for action in &check.actions {
            if let Some(finding) = self.finding(rule, action, scope, matched) {
                self.push(finding);
            }
        }
    }

    fn pair_edit(&mut self, rule: &'p Rule, edit: &'p PairEdit) {
        let program = self.program;
        let column2 = &program.code_sets[edit.column2 as usize];
        let column1 = &program.code_sets[edit.column1 as usize];
        let date = self.claim.service_date.0;
        for (i, line) in self.claim.lines.iter().enumerate() {
            if !column2.contains(line.code) {
                continue;
            }
            let partner = self.claim.lines.iter().enumerate().find(|(j, other)| {
                *j != i
                    && column1.contains(other.code)
                    && (!edit.same_session || other.session == line.session)
            });
            let denies = edit.verdict.denies_on(date);
            let scope = Scope { line: Some(i) };
            if self.explanation.is_some() {
                let reason = match partner {
                    None => Some(format!(
                        "no other line{} has {}",
                        if edit.same_session {
                            " in the same session"
                        } else {
                            ""
                        },
                        self.describe_set(column1)
                    )),
                    Some(_) if !denies => Some(format!("the pair is allowed on {date}")),
                    Some(_) => None,
                };
                self.trace_at(rule, edit.loc, scope, reason.is_none(), reason);
            }
            let (Some((_, partner)), true) = (partner, denies) else {
                continue;
            };
            let fill = Fill {
                with: Some(partner.code),
                ..Fill::default()
            };
            let message = self.render(&edit.message, scope, fill);
            let finding = self.pair_denial(rule, i, message, edit.loc, None);
            self.push(finding);
        }
    }

    /// The `deny` of a pair edit (written in a rule or read from a table) on line `i`.
    fn pair_denial(
        &self,
        rule: &Rule,
        i: usize,
        message: String,
        loc: crate::syntax::span::Loc,
        table: Option<TableRef>,
    ) -> Finding {
        let line = &self.claim.lines[i];
        Finding {
            rule: rule.id.to_string(),
            action: ActionName::Deny,
            lines: vec![line.number()],
            code: Some(line.code.to_string()),
            suggested_code: None,
            change: None,
            message,
            policy: self.policy_ref(loc),
            table,
            pack: self.pack_ref(rule),
            order: (line.number(), loc.file.0, loc.span.start),
        }
    }

    /// The finding an action makes; `None` for a `suggest code.<column>` whose table gives the
    /// line's code nothing to suggest.
    fn finding(
        &self,
        rule: &Rule,
        action: &Action,
        scope: Scope,
        matched: Option<Code>,
    ) -> Option<Finding> {
        let line = scope.line.map(|i| &self.claim.lines[i]);
        let number = line.map(|l| l.number());
        let (name, suggested, change) = match action.kind {
            ActionKind::Deny => (ActionName::Deny, None, None),
            ActionKind::Review => (ActionName::Review, None, None),
            ActionKind::Info => (ActionName::Info, None, None),
            ActionKind::Suggest(code) => (ActionName::Suggest, Some(code.to_string()), None),
            ActionKind::SuggestColumn(column) => match self.cell(column, scope)? {
                Cell::Code(code) => (ActionName::Suggest, Some(code.to_string()), None),
                _ => return None,
            },
            ActionKind::AddModifier(m) => (
                ActionName::Modify,
                None,
                Some((ChangeOp::AddModifier, Some(m))),
            ),
            ActionKind::RemoveModifier(m) => (
                ActionName::Modify,
                None,
                Some((ChangeOp::RemoveModifier, Some(m))),
            ),
            ActionKind::RemoveLine => {
                (ActionName::Modify, None, Some((ChangeOp::RemoveLine, None)))
            }
        };
        Some(Finding {
            rule: rule.id.to_string(),
            action: name,
            lines: number.into_iter().collect(),
            code: line.map(|l| l.code.to_string()),
            suggested_code: suggested,
            change: change.and_then(|(op, m)| {
                Some(Change {
                    op,
                    line: number?,
                    modifier: m.map(|m| m.to_string()),
                })
            }),
            message: self.render(
                &action.message,
                scope,
                Fill {
                    matched,
                    ..Fill::default()
                },
            ),
            policy: self.policy_ref(action.loc),
            table: self.cited_row(),
            pack: self.pack_ref(rule),
            order: (
                number.unwrap_or(0),
                action.loc.file.0,
                action.loc.span.start,
            ),
        })
    }

    /// A table cell for the code of the line in scope.
    fn cell(&self, column: ColumnRef, scope: Scope) -> Option<&'p Cell> {
        let line = &self.claim.lines[scope.line?];
        let table = &self.program.tables[column.table as usize];
        if !table.window.contains(self.claim.service_date.0) {
            return None;
        }
        let cell = table.cell(line.code, column.column);
        if cell.is_some() && self.cited.get().is_none() {
            self.cited.set(Some((column.table, line.code)));
        }
        cell
    }

    /// The data-file row of the table row the current rule read first, if it has one.
    fn cited_row(&self) -> Option<TableRef> {
        let (table, code) = self.cited.get()?;
        let table = &self.program.tables[table as usize];
        let (file, line) = table.row_source(code)?;
        Some(TableRef {
            name: table.name.to_string(),
            file: file.to_string(),
            line,
        })
    }

    /// Whether a code is among those a match names, for the line in scope.
    fn matches(&self, m: &CodeMatch, code: Code, scope: Scope) -> bool {
        self.program.code_sets[m.set as usize].contains(code)
            || m.columns
                .iter()
                .any(|c| self.cell(*c, scope).is_some_and(|cell| cell.has_code(code)))
    }

    /// What "no code matched" means: false, or unknown when a column it reads has no value
    /// for the line's code (the table does not say which codes to look for).
    fn no_match(&self, m: &CodeMatch, scope: Scope) -> Truth {
        if m.columns.iter().any(|c| self.cell(*c, scope).is_none()) {
            Truth::Unknown
        } else {
            Truth::False
        }
    }

    fn limit(&self, limit: Limit, scope: Scope) -> Option<f64> {
        match limit {
            Limit::Number(n) => Some(n),
            Limit::Column(c) => match self.cell(c, scope)? {
                Cell::Number(n) => Some(*n),
                _ => None,
            },
        }
    }

    /// Units of the line's code over its session or the claim, through the line or all.
    fn units_total(&self, scope: Scope, same_session: bool, so_far: bool) -> f64 {
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

    fn render(&self, message: &Message, scope: Scope, fill: Fill<'_>) -> String {
        let line = scope.line.map(|i| &self.claim.lines[i]);
        let mut out = String::new();
        for part in &message.parts {
            match part {
                MessagePart::Text(t) => out.push_str(t),
                MessagePart::Placeholder(p) => match p {
                    Placeholder::Code => out.push_str(line.map_or("", |l| l.code.as_str())),
                    Placeholder::Line => {
                        out.push_str(&line.map_or(String::new(), |l| l.number().to_string()))
                    }
                    Placeholder::Units => {
                        out.push_str(&line.map_or(String::new(), |l| l.units.to_string()))
                    }
                    Placeholder::Claim => out.push_str(&self.claim.id),
                    Placeholder::Date => out.push_str(&self.claim.service_date.0.to_string()),
                    Placeholder::Matched => {
                        out.push_str(fill.matched.as_ref().map_or("", Code::as_str))
                    }
                    Placeholder::With => out.push_str(fill.with.as_ref().map_or("", Code::as_str)),
                    Placeholder::Rationale => out.push_str(fill.rationale),
                    Placeholder::Column(c) => match self.cell(*c, scope) {
                        None => out.push_str("(none)"),
                        Some(cell) => out.push_str(&cell.to_string()),
                    },
                    Placeholder::LineAttr(a) => match line.and_then(|l| l.attr(*a)) {
                        None => out.push_str("(none)"),
                        Some(value) => out.push_str(&value.to_string()),
                    },
                },
            }
        }
        cap_message(out)
    }

    /// The pack a rule comes from, as findings name it.
    fn pack_ref(&self, rule: &Rule) -> PackRef {
        match self.program.packs.get(rule.pack as usize) {
            Some(p) => PackRef {
                name: p.name.to_string(),
                version: p.version.as_ref().map(|v| v.to_string()),
            },
            None => PackRef {
                name: String::new(),
                version: None,
            },
        }
    }

    fn policy_ref(&self, loc: crate::syntax::span::Loc) -> PolicyRef {
        policy_ref(self.program, loc)
    }

    /// Evaluates a condition; `matched` receives the first code a `has` test matched.
    fn eval(&self, c: &Cond, scope: Scope, matched: &mut Option<Code>) -> Truth {
        let program = self.program;
        let claim = self.claim;
        let line = || scope.line.map(|i| &claim.lines[i]);
        match &c.kind {
            // `matched` keeps only what a branch that held matched.
            CondKind::And(a, b) => {
                let before = *matched;
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
                }
                t
            }
            CondKind::Or(a, b) => {
                let before = *matched;
                match self.eval(a, scope, matched) {
                    Truth::True => Truth::True,
                    ta => {
                        *matched = before;
                        let tb = self.eval(b, scope, matched);
                        match tb {
                            Truth::True => Truth::True,
                            _ => {
                                *matched = before;
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
            CondKind::Not(a) => self.eval(a, scope, &mut None).not(),
            CondKind::Term(t) => self.eval(&program.terms[*t as usize].condition, scope, matched),
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
            CondKind::UnitsTotal {
                same_session,
                so_far,
                op,
                limit,
            } => match self.limit(*limit, scope) {
                Some(n) => Truth::from_bool(compare(
                    self.units_total(scope, *same_session, *so_far),
                    *op,
                    n,
                )),
                None => Truth::Unknown,
            },
            CondKind::Attr(column, test) => {
                let cell = self.cell(*column, scope);
                match (test, cell) {
                    (AttrTest::Present, cell) => Truth::from_bool(cell.is_some()),
                    (_, None) => Truth::Unknown,
                    (AttrTest::Bool(want), Some(Cell::Bool(b))) => Truth::from_bool(b == want),
                    (AttrTest::Number(op, n), Some(Cell::Number(x))) => {
                        Truth::from_bool(compare(*x, *op, *n))
                    }
                    (AttrTest::TextIn(vs), Some(Cell::Text(t))) => Truth::from_bool(vs.contains(t)),
                    _ => Truth::False,
                }
            }
            CondKind::OtherLine {
                earlier,
                same_session,
                test,
            } => {
                let Some(i) = scope.line else {
                    return Truth::False;
                };
                let this = &claim.lines[i];
                let others = claim.lines.iter().enumerate().filter(|(j, other)| {
                    *j != i
                        && (!*earlier || *j < i)
                        && (!*same_session || other.session == this.session)
                });
                let mut found = false;
                let codes = match test {
                    LineTest::Codes(m) => Some(m),
                    LineTest::Modifiers(_) => None,
                };
                for (_, other) in others {
                    let hit = match test {
                        LineTest::Codes(m) => self.matches(m, other.code, scope),
                        LineTest::Modifiers(mods) => {
                            other.modifiers.iter().any(|m| mods.contains(m))
                        }
                    };
                    if hit {
                        if matches!(test, LineTest::Codes(_)) && matched.is_none() {
                            *matched = Some(other.code);
                        }
                        found = true;
                        break;
                    }
                }
                match (found, codes) {
                    (true, _) => Truth::True,
                    (false, Some(m)) => self.no_match(m, scope),
                    (false, None) => Truth::False,
                }
            }
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
                let set = &program.diagnosis_sets[*set as usize];
                Truth::from_bool(
                    claim
                        .diagnoses
                        .iter()
                        .any(|d| set.patterns.iter().any(|p| p.matches(d))),
                )
            }
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

    fn fact(&self, id: FactId, test: impl FnOnce(&Value) -> bool) -> Truth {
        match &self.facts[id as usize] {
            None => Truth::Unknown,
            Some(v) => Truth::from_bool(test(v)),
        }
    }
}

fn compare(x: f64, op: CompareOp, y: f64) -> bool {
    match op {
        CompareOp::Eq => x == y,
        CompareOp::Ne => x != y,
        CompareOp::Lt => x < y,
        CompareOp::Le => x <= y,
        CompareOp::Gt => x > y,
        CompareOp::Ge => x >= y,
    }
}

/// Cuts a filled message to [`MAX_FILLED_MESSAGE_CHARS`], ending it with `…`, so that no
/// placeholder's value makes every finding of a batch large.
fn cap_message(mut message: String) -> String {
    // Bytes bound characters from above: most messages need no count.
    if message.len() <= MAX_FILLED_MESSAGE_CHARS {
        return message;
    }
    if let Some((cut, _)) = message.char_indices().nth(MAX_FILLED_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
    message
}
