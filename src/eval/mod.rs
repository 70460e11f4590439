//! The interpreter: a tree walk over one claim.
//!
//! Logic is three-valued (Kleene): a test of a fact the claim does not document is *unknown*,
//! `not unknown` is unknown, and a rule fires only when its `when` is true. `unless` blocks a
//! rule only when it is true, so an undocumented exception does not excuse a claim.
//!
//! Order of work for one claim: bind its facts, run every `implies` to a fixpoint, then visit
//! the rules its codes can trigger (from the program's index) in source order.

mod bits;
mod diagnoses;
pub(crate) mod explain;
pub mod facts;
pub(crate) mod found;
mod history;
mod line_attrs;
mod same_reason;
mod table_edits;

use crate::claim::Claim;
use crate::codes::Code;
use crate::history::HistoryView;
use crate::ir::*;
use crate::report::*;
use crate::syntax::ast::CompareOp;
use bits::Bits;
use facts::Facts;
use found::{Found, Judged, LineNumbers, Outcome};

mod conditions;
mod messages;
mod other_line;

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

/// Options for one evaluation: `EvalOptions::default()`, then the `with_` methods. More
/// options will come, so it is `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct EvalOptions {
    /// Add to each result the facts derived and every rule considered, fired or not.
    pub explain: bool,
    /// Judge the simple way, without the indexes: every rule on every claim, and each pair of
    /// lines looked up in an edit table by its column-1 code's sorted list; a claim given as
    /// JSON text is read by serde alone, not by the plain reader. Slower, with the same
    /// results: the reference the differential test holds the fast path to.
    pub reference: bool,
}

impl EvalOptions {
    /// With `explain`, each result carries its [`Explanation`](crate::Explanation): what was
    /// read from the note, what was derived, and every rule considered (`--explain`).
    pub fn with_explain(mut self, explain: bool) -> EvalOptions {
        self.explain = explain;
        self
    }

    /// With `reference`, the claim is judged without the indexes (see [`EvalOptions::reference`]).
    pub fn with_reference(mut self, reference: bool) -> EvalOptions {
        self.reference = reference;
        self
    }
}

/// Evaluates one parsed claim against the program, with what is known of the patient's
/// earlier claims.
pub fn evaluate(
    program: &Program,
    claim: &Claim,
    history: HistoryView<'_>,
    options: EvalOptions,
) -> ClaimResult {
    judge(program, claim, history, options).into_result()
}

/// Evaluates one parsed claim as [`evaluate`] does, giving its findings as recorded: borrowing
/// the program's names, for a writer to write without owning them.
pub(crate) fn judge<'p>(
    program: &'p Program,
    claim: &Claim,
    history: HistoryView<'_>,
    options: EvalOptions,
) -> Outcome<'p> {
    let explain = options.explain;
    let mut facts = match facts::bind(program, claim) {
        Ok(f) => f,
        Err(errors) => {
            return Outcome::Result(
                ClaimResult::error(Some(claim.id.clone()), errors).explained(explain),
            )
        }
    };
    let from_note = facts::fill_from_note(program, &mut facts);
    let mut run = Run {
        program,
        claim,
        history,
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
        rows: RowMemo::new(program.tables.len(), claim.lines.len()),
        cited_history: std::cell::Cell::new(None),
        other_matched: std::cell::Cell::new(None),
        matched_diagnosis: std::cell::Cell::new(None),
        steps: std::cell::Cell::new(0),
        merged: Vec::new(),
        reference: options.reference,
    };
    if !from_note.is_empty() {
        run.explain_note(&from_note);
    }
    run.derive();
    // Explaining shows every line a rule judges, fired or not; the reference judges every
    // rule on every line of its target. Both run rules whole. Otherwise each line rule judges
    // only the lines the index names for it.
    let visits = if options.reference {
        (0..program.rules.len() as RuleIdx)
            .map(|r| (r, WHOLE_RULE))
            .collect()
    } else {
        visits(program, claim, explain)
    };
    for group in visits.chunk_by(|a, b| a.0 == b.0) {
        let lines = (group[0].1 != WHOLE_RULE).then_some(group);
        run.rule(group[0].0, lines);
        if run.steps.get() > MAX_CONDITION_STEPS {
            return Outcome::Result(
                ClaimResult::error(Some(claim.id.clone()), vec![over_budget(claim)])
                    .explained(explain),
            );
        }
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
    Outcome::Judged(Judged {
        claim: claim.id.clone(),
        status: Status::of_actions(findings.iter().map(|f| f.action)),
        findings,
        explain: explanation,
    })
}

/// The most work the conditions may do on one claim: each test counts one step, and a test
/// that scans the claim's lines (`another line`, `claim has`, `units …`) one more per line. The
/// standard pack stays well under the limit on a claim of 1,000 lines; a pack whose conditions
/// scan the claim inside a `where` makes it grow as a power of the lines, and is stopped here
/// rather than run for hours.
pub const MAX_CONDITION_STEPS: u64 = 100_000_000;

/// The error of a claim the conditions would take too long on.
fn over_budget(claim: &Claim) -> crate::claim::ClaimError {
    crate::claim::ClaimError {
        message: format!(
            "the policies' conditions took more than {MAX_CONDITION_STEPS} steps on this claim of {} lines, so it was not judged: a condition compares lines with lines too many times (a `where` that looks through the claim, with `claim has` or `units of`, for every other line?)",
            claim.lines.len()
        ),
        path: None,
        line: None,
    }
}

/// Where in the policies a location is, as findings cite it.
pub(crate) fn policy_ref(program: &Program, loc: crate::syntax::span::Loc) -> PolicyRef {
    found::owned_policy(program.position(loc))
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
    for (id, (name, def)) in program.facts.iter().enumerate() {
        if let (FactOrigin::Claim(_), Some(value)) = (&def.origin, &facts[id]) {
            out.fields
                .insert(name.to_string(), facts::to_json(&def.ty, value));
        }
    }
    out.lines = claim
        .lines
        .iter()
        .map(|l| LineFacts {
            line: l.number(),
            code: l.code,
            diagnoses: l.diagnosis_pointers.as_ref().map(|pointers| {
                pointers
                    .iter()
                    .filter_map(|p| claim.diagnoses.get((*p as usize).checked_sub(1)?))
                    .map(|d| dotted(d.compact()))
                    .collect()
            }),
            charge: l.charge,
            rendering_provider: l.rendering_provider.clone(),
        })
        .collect();
    out
}

/// A rule to judge on a claim and the line (its index) it judges, or [`WHOLE_RULE`]: the rule
/// judges the claim, or every line of its target.
type Visit = (RuleIdx, u32);

/// The line of a [`Visit`] that runs its rule whole.
const WHOLE_RULE: u32 = u32::MAX;

/// What a claim's codes and modifiers can trigger, in source order: each rule once, whole or on
/// each line the index names for it (in line order). With `explain`, line rules run whole, on
/// every line of their target, so that every line a rule judges is shown, fired or not: a rule
/// narrowed by a column test is visited when a line's code is in its set.
fn visits(program: &Program, claim: &Claim, explain: bool) -> Vec<Visit> {
    let index = &program.index;
    let mut visits: Vec<Visit> = Vec::with_capacity(index.always.len() + 8 * claim.lines.len());
    visits.extend(index.always.iter().map(|&r| (r, WHOLE_RULE)));
    for (i, line) in claim.lines.iter().enumerate() {
        let at = if explain { WHOLE_RULE } else { i as u32 };
        named_for_line(index, line, at, &mut visits);
        if explain {
            for &(r, set) in &index.narrowed {
                if program.code_sets[set.index()].contains(line.code) {
                    visits.push((r, WHOLE_RULE));
                }
            }
        }
    }
    in_rule_order(visits)
}

/// Visits in rule order, then line order, each once. Where the visits are many and the rules
/// not many more (the standard pack's 82 rules, a stress claim's 45 visits), a counting sort
/// by rule, which took a sort's 1,800 instructions a claim down to a few hundred: a rule's
/// visits come in line order, from the lines in turn, so each rule's run needs no sort of its
/// own but when a whole visit ([`WHOLE_RULE`], last in order) comes before one of its lines'.
/// A few visits are sorted.
fn in_rule_order(mut visits: Vec<Visit>) -> Vec<Visit> {
    let rules = visits
        .iter()
        .map(|&(r, _)| r as usize + 1)
        .max()
        .unwrap_or(0);
    if visits.len() < 32 || rules > 4 * visits.len() {
        visits.sort_unstable();
        visits.dedup();
        return visits;
    }
    let mut next = vec![0u32; rules + 1];
    for &(r, _) in &visits {
        next[r as usize + 1] += 1;
    }
    for r in 1..next.len() {
        next[r] += next[r - 1];
    }
    let mut sorted = vec![(0, 0); visits.len()];
    for &visit in &visits {
        let at = &mut next[visit.0 as usize];
        sorted[*at as usize] = visit;
        *at += 1;
    }
    for run in sorted.chunk_by_mut(|a, b| a.0 == b.0) {
        if !run.is_sorted() {
            run.sort_unstable();
        }
    }
    sorted.dedup();
    sorted
}

/// The rules a line's code or modifiers trigger: those run whole on its claim, and the line
/// rules that judge the line, each visited on line `at` (or [`WHOLE_RULE`]). Inlined: it runs
/// for every line of every claim.
#[inline(always)]
fn named_for_line(index: &RuleIndex, line: &crate::claim::Line, at: u32, visits: &mut Vec<Visit>) {
    let code = line.code;
    let (claim_rules, line_rules) = index.rules_of(code);
    visits.extend(claim_rules.iter().map(|&r| (r, WHOLE_RULE)));
    visits.extend(line_rules.iter().map(|&r| (r, at)));
    for &(lo, hi, r) in &index.by_range {
        if lo <= code && code <= hi {
            visits.push((r, WHOLE_RULE));
        }
    }
    for &(lo, hi, r) in &index.lines_by_range {
        if lo <= code && code <= hi {
            visits.push((r, at));
        }
    }
    for modifier in &line.modifiers {
        if let Some(rules) = index.by_modifier.get(modifier) {
            visits.extend(rules.iter().map(|&r| (r, WHOLE_RULE)));
        }
    }
}

/// A table row a finding cites: the table's name, its data file, and the row's line there.
type CitedRow<'p> = (&'p str, &'p str, u32);

/// The state of one claim's evaluation.
struct Run<'p, 'c> {
    program: &'p Program,
    claim: &'c Claim,
    /// The patient's earlier claims, as far as they are known.
    history: HistoryView<'c>,
    facts: Facts,
    findings: Vec<Found<'p>>,
    /// The rule of each finding, for `same reason as`.
    finding_rules: Vec<RuleIdx>,
    /// The rule being evaluated.
    current: RuleIdx,
    explanation: Option<Explanation>,
    /// The first table row a rule's conditions read a value from: the row that decided its
    /// findings, which they cite.
    cited: std::cell::Cell<Option<(TableId, u32)>>,
    /// The row of each line's code in each code-keyed table, once looked up: the MUE rules
    /// alone read a line's row five times, and other rules read it again.
    rows: RowMemo,
    /// The line of the patient's history (its index there) the current rule's conditions
    /// found first: the earlier line its findings cite.
    cited_history: std::cell::Cell<Option<usize>>,
    /// The other line (its index) the conditions of the rule being checked matched: for the
    /// first `another line …` test that held, the first line, in line order, it held for.
    other_matched: std::cell::Cell<Option<usize>>,
    /// The diagnosis (an index into the claim's) the last `line diagnosis` test that held
    /// matched, kept like `matched` through `and`, `or` and `not`: `{diagnosis}`.
    matched_diagnosis: std::cell::Cell<Option<usize>>,
    /// The work the conditions have done on this claim, in steps ([`MAX_CONDITION_STEPS`]).
    steps: std::cell::Cell<u64>,
    /// The lines (indexes) the current rule's merges have taken: each line is merged at most
    /// once per rule, so two RT lines do not both pair with one LT line.
    merged: Vec<usize>,
    /// Judging without the indexes ([`EvalOptions::reference`]).
    reference: bool,
}

/// The rows of a claim's lines in the program's code-keyed tables, each looked up once.
struct RowMemo {
    lines: usize,
    /// Table-major: `rows[table * lines + line]`, [`RowMemo::UNSEEN`] until looked up.
    rows: Vec<std::cell::Cell<u32>>,
}

impl RowMemo {
    const UNSEEN: u32 = u32::MAX;
    const NONE: u32 = u32::MAX - 1;

    fn new(tables: usize, lines: usize) -> RowMemo {
        RowMemo {
            lines,
            rows: vec![std::cell::Cell::new(Self::UNSEEN); tables.saturating_mul(lines)],
        }
    }

    /// The row `look_up` gives for the line, asked once a claim.
    fn row(&self, table: usize, line: usize, look_up: impl FnOnce() -> Option<u32>) -> Option<u32> {
        let Some(slot) = self.rows.get(table * self.lines + line) else {
            return look_up();
        };
        match slot.get() {
            Self::UNSEEN => {
                let row = look_up();
                // A row numbered like a sentinel (4 billion rows) is looked up every time.
                if row.is_none_or(|r| r < Self::NONE) {
                    slot.set(row.unwrap_or(Self::NONE));
                }
                row
            }
            Self::NONE => None,
            row => Some(row),
        }
    }
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
    /// `{other_line}`: the other line (its index) a cross-line test matched.
    other: Option<usize>,
    /// `{diagnosis}`: the diagnosis (an index into the claim's) a `line diagnosis` test matched.
    diagnosis: Option<usize>,
}

/// What a condition is evaluated against: the claim, the line a line rule is looking at,
/// inside the `where` of `another line` the other line, and the diagnosis (an index into the
/// claim's diagnoses) a `for each line diagnosis` rule is on.
#[derive(Clone, Copy)]
struct Scope {
    line: Option<usize>,
    other: Option<usize>,
    diagnosis: Option<usize>,
}

impl Scope {
    /// The claim as a whole, no line.
    const CLAIM: Scope = Scope {
        line: None,
        other: None,
        diagnosis: None,
    };

    /// Line `i` (its index in the claim's lines).
    fn line(i: usize) -> Scope {
        Scope {
            line: Some(i),
            other: None,
            diagnosis: None,
        }
    }
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
        let mut due = Bits::all(count);
        // Held once (or is out of force): it can change nothing again.
        let mut settled = Bits::none(count);
        let mut passes = 1;
        let mut at = 0;
        loop {
            let Some(i) = due.first_from(at) else {
                if due.is_empty() || passes > count + 1 {
                    break;
                }
                passes += 1;
                at = 0;
                continue;
            };
            due.remove(i);
            at = i + 1;
            let (rule, d) = &program.derivations[i];
            if !program.rules[*rule as usize].in_force_on(self.claim.service_date.0) {
                settled.insert(i);
                continue;
            }
            let mut matched = None;
            if self.eval(&d.condition, Scope::CLAIM, &mut matched) != Truth::True {
                continue;
            }
            settled.insert(i);
            if self.apply(&d.conclusion) {
                self.explain_derivation(*rule, d);
                let readers = program.derivation_readers.get(d.conclusion.fact() as usize);
                for &r in readers.into_iter().flatten() {
                    if !settled.contains(r as usize) {
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

    /// Records a finding of the rule being evaluated, with the action a pack above gave the
    /// rule (`change rule … to …`) in place of its deny, review or info.
    fn push(&mut self, mut finding: Found<'p>) {
        let rule = &self.program.rules[self.current as usize];
        if let Some(change) = rule.action_change_on(self.claim.service_date.0) {
            if matches!(
                finding.action,
                ActionName::Deny | ActionName::Review | ActionName::Info
            ) {
                finding.action = match change.to {
                    ActionKind::Review => ActionName::Review,
                    ActionKind::Info => ActionName::Info,
                    _ => ActionName::Deny,
                };
            }
        }
        if self.findings.capacity() == 0 {
            // A claim with one finding mostly has others, about one a line: room for them
            // at once, rather than the list grown twice on the way.
            let room = self.claim.lines.len().clamp(4, 16);
            self.findings.reserve(room);
            self.finding_rules.reserve(room);
        }
        self.findings.push(finding);
        self.finding_rules.push(self.current);
    }

    /// Judges a claim by a rule: whole, or on the `lines` given (line rules only).
    fn rule(&mut self, idx: RuleIdx, lines: Option<&[Visit]>) {
        self.current = idx;
        self.merged.clear();
        let program = self.program;
        let rule = &program.rules[idx as usize];
        if !rule.in_force_on(self.claim.service_date.0) {
            if self.explanation.is_some() {
                let reason = self.why_not_in_force(rule);
                self.trace(rule, Scope::CLAIM, false, Some(reason));
            }
            return;
        }
        match &rule.kind {
            RuleKind::Derive => {}
            RuleKind::Check(check) => match (check.target, lines) {
                (Target::Lines(_) | Target::AllLines, Some(lines)) => {
                    for &(_, i) in lines {
                        self.check_line(rule, check, i as usize);
                    }
                }
                (Target::Lines(set), _) => {
                    for (i, line) in self.claim.lines.iter().enumerate() {
                        if program.code_sets[set.index()].contains(line.code) {
                            self.check_line(rule, check, i);
                        }
                    }
                }
                (Target::AllLines, _) => {
                    for i in 0..self.claim.lines.len() {
                        self.check_line(rule, check, i);
                    }
                }
                (Target::Claim, _) => self.check(rule, check, Scope::CLAIM),
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
        self.cited_history.set(None);
        self.other_matched.set(None);
        self.matched_diagnosis.set(None);
        let when = match &check.when {
            Some(c) => self.eval(c, scope, &mut matched),
            None => Truth::True,
        };
        let other = self.other_matched.get();
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
            if let Some(finding) = self.finding(rule, action, scope, matched, other) {
                let merge = finding
                    .change
                    .as_ref()
                    .is_some_and(|c| c.op == ChangeOp::MergeLines);
                if let (true, Some(i), Some(j)) = (merge, scope.line, other) {
                    self.merged.extend([i, j]);
                }
                self.push(finding);
            }
        }
    }

    fn pair_edit(&mut self, rule: &'p Rule, edit: &'p PairEdit) {
        let program = self.program;
        let column2 = &program.code_sets[edit.column2.index()];
        let column1 = &program.code_sets[edit.column1.index()];
        let date = self.claim.service_date.0;
        for (i, line) in self.claim.lines.iter().enumerate() {
            if !column2.contains(line.code) {
                continue;
            }
            let mut partners = self.claim.lines.iter().enumerate().filter(|(j, other)| {
                *j != i
                    && column1.contains(other.code)
                    && (!edit.same_session || other.session == line.session)
            });
            let first = partners.next();
            let denies = edit.verdict.denies_on(date);
            // The first column-1 line whose pair the rule's modifiers do not bypass denies;
            // when they bypass every pair, the first one's bypass is the reason.
            let mut bypassed = None;
            let partner = first.into_iter().chain(partners).find(|(j, other)| {
                if !denies || edit.bypass.is_empty() {
                    return true;
                }
                match edit.bypass.bypassed(&line.modifiers, &other.modifiers) {
                    Some(b) => {
                        bypassed = bypassed.or(Some((*j, b)));
                        false
                    }
                    None => true,
                }
            });
            let scope = Scope::line(i);
            if self.explanation.is_some() {
                let reason = match (first, partner) {
                    (None, _) => Some(format!(
                        "no other line{} has {}",
                        if edit.same_session {
                            " in the same session"
                        } else {
                            ""
                        },
                        self.describe_set(column1)
                    )),
                    (Some(_), _) if !denies => Some(format!("the pair is allowed on {date}")),
                    (Some(_), None) => bypassed.map(|(j, b)| self.why_bypassed(i, j, b)),
                    (Some(_), Some(_)) => None,
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
            let finding = self.pair_denial(rule, i, message, edit.loc, None, None);
            self.push(finding);
        }
    }

    /// The `deny` of a pair edit (written in a rule or read from a table) on line `i`.
    fn pair_denial(
        &self,
        rule: &'p Rule,
        i: usize,
        message: String,
        loc: crate::syntax::span::Loc,
        table: Option<CitedRow<'p>>,
        history: Option<HistoryRef>,
    ) -> Found<'p> {
        let line = &self.claim.lines[i];
        Found {
            rule: &rule.id,
            action: ActionName::Deny,
            lines: LineNumbers::one(line.number()),
            code: Some(line.code),
            suggested_code: None,
            change: None,
            message,
            policy: self.program.position(loc),
            table,
            history,
            pack: self.pack_of(rule),
            order: (line.number(), loc.file.0, loc.span.start),
        }
    }

    /// The finding an action makes; `None` for a `suggest code.<column>` whose table gives the
    /// line's code nothing to suggest.
    fn finding(
        &self,
        rule: &'p Rule,
        action: &Action,
        scope: Scope,
        matched: Option<Code>,
        other: Option<usize>,
    ) -> Option<Found<'p>> {
        let line = scope.line.map(|i| &self.claim.lines[i]);
        let number = line.map(|l| l.number());
        if let ActionKind::MergeWithOther(m) = action.kind {
            return self.merge_finding(rule, action, scope, matched, other?, m);
        }
        let (name, suggested, change) = match action.kind {
            ActionKind::Deny => (ActionName::Deny, None, None),
            ActionKind::Review => (ActionName::Review, None, None),
            ActionKind::Info => (ActionName::Info, None, None),
            ActionKind::Suggest(code) => (ActionName::Suggest, Some(code), None),
            ActionKind::SuggestColumn(column) => match self.cell(column, scope)? {
                Cell::Code(code) => (ActionName::Suggest, Some(*code), None),
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
            // Made by `merge_finding`, above.
            ActionKind::MergeWithOther(_) => return None,
        };
        Some(Found {
            rule: &rule.id,
            action: name,
            lines: number.map_or(LineNumbers::NONE, LineNumbers::one),
            code: line.map(|l| l.code),
            suggested_code: suggested,
            change: change.and_then(|(op, m)| {
                Some(Change {
                    op,
                    line: number?,
                    modifier: m.map(|m| m.to_string()),
                    lines: Vec::new(),
                })
            }),
            message: self.render(
                &action.message,
                scope,
                Fill {
                    matched,
                    other,
                    diagnosis: self.matched_diagnosis.get(),
                    ..Fill::default()
                },
            ),
            policy: self.program.position(action.loc),
            table: self.cited_row(),
            history: self.cited_history_ref(),
            pack: self.pack_of(rule),
            order: (
                number.unwrap_or(0),
                action.loc.file.0,
                action.loc.span.start,
            ),
        })
    }

    /// The data-file row of the table row the current rule read first, if it has one.
    fn cited_row(&self) -> Option<CitedRow<'p>> {
        let (table, row) = self.cited.get()?;
        let table = &self.program.tables[table.index()];
        let (file, line) = table.row_source_at(row)?;
        Some((&table.name, file, line))
    }

    /// The pack a rule comes from, as findings name it: its name and version.
    fn pack_of(&self, rule: &Rule) -> (&'p str, Option<&'p str>) {
        match self.program.packs.get(rule.pack as usize) {
            Some(p) => (&p.name, p.version.as_deref()),
            None => ("", None),
        }
    }

    fn policy_ref(&self, loc: crate::syntax::span::Loc) -> PolicyRef {
        policy_ref(self.program, loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// The order the rule walk needs, the simple way.
    fn sorted(mut visits: Vec<Visit>) -> Vec<Visit> {
        visits.sort_unstable();
        visits.dedup();
        visits
    }

    const W: u32 = WHOLE_RULE;

    /// A fixed pseudo-random sequence (xorshift) of numbers below the bound asked each time,
    /// for tests that compare a fast structure with a simple one on many generated cases.
    pub(super) fn pseudo_random(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |below| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        }
    }

    #[rstest]
    #[case::none(vec![])]
    #[case::few_sorted_anyway(vec![(7, 1), (2, W), (7, 0)])]
    #[case::lines_in_turn(
        (0..8).flat_map(|line| [(30, line), (31, line), (2, line), (40, line), (41, line)]).collect()
    )]
    #[case::whole_and_repeated_visits_as_explain_makes_them(
        (0..8).flat_map(|line| [(30, W), (31, W), (5, W), (40, line), (40, line)]).collect()
    )]
    #[case::a_whole_visit_before_the_lines_of_its_rule(
        [(3, W)].into_iter().chain((0..10).flat_map(|line| [(3, line), (9, line), (1, W)])).collect()
    )]
    #[case::rules_far_apart(
        (0..40).map(|line| (if line % 2 == 0 { 0 } else { 5_000 }, line)).collect()
    )]
    fn visits_are_put_in_rule_then_line_order_once(#[case] visits: Vec<Visit>) {
        assert_eq!(in_rule_order(visits.clone()), sorted(visits));
    }

    #[test]
    fn any_visits_come_out_as_a_sort_would_put_them() {
        // A fixed pseudo-random walk over sizes and rule counts on both sides of the
        // counting sort's limits.
        let mut next = pseudo_random(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2_000 {
            let count = next(120) as usize;
            let rules = 1 + next(300);
            let visits: Vec<Visit> = (0..count)
                .map(|_| {
                    let line = if next(5) == 0 { W } else { next(20) as u32 };
                    (next(rules) as RuleIdx, line)
                })
                .collect();
            assert_eq!(in_rule_order(visits.clone()), sorted(visits));
        }
    }
}
