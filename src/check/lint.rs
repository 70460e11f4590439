//! The warnings pass: runs over a program that compiled without errors and looks for rules
//! that load but cannot be what their author meant: rules that never fire, rules that repeat
//! an earlier one, and pair edits that contradict each other.

use std::collections::hash_map::{Entry, HashMap};

use crate::ir::*;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Loc};

use super::contradiction::{conjuncts, contradiction, disjuncts, excuses, Atom};
use super::warning::*;

/// Every warning about the rules of `program`. `rules` are the declarations the rules were
/// compiled from, in the same order.
pub(super) fn rule_warnings(
    program: &Program,
    rules: &[(FileId, &ast::RuleDecl)],
) -> Vec<(FileId, CheckWarning)> {
    let mut out = Vec::new();
    if rules.len() != program.rules.len() {
        return out;
    }
    let lints = Lints { program };
    // Each rule's derivations, gathered once rather than looked for among all of them.
    let mut derivations: Vec<Vec<&Derivation>> = vec![Vec::new(); program.rules.len()];
    for (rule, d) in &program.derivations {
        if let Some(ds) = derivations.get_mut(*rule as usize) {
            ds.push(d);
        }
    }
    let mut effects = HashMap::new();
    for (idx, (rule, (file, decl))) in program.rules.iter().zip(rules).enumerate() {
        match &rule.kind {
            RuleKind::Check(check) => {
                if let Some(w) = lints.check_rule_never_fires(rule, check, decl) {
                    out.push((*file, w));
                }
            }
            RuleKind::Derive => {
                for d in &derivations[idx] {
                    if let Some(w) = lints.derivation_never_applies(rule, d) {
                        out.push((*file, w));
                    }
                }
            }
            RuleKind::Pairs(_) | RuleKind::TableEdits(_) => {}
        }
        if let Some(w) = lints.shadowed(idx, rules, &mut effects) {
            out.push((*file, w));
        }
    }
    out.extend(lints.conflicting_pair_edits());
    out.extend(super::underivable::never_derived(program));
    out
}

struct Lints<'p> {
    program: &'p Program,
}

impl<'p> Lints<'p> {
    fn text(&self, loc: Loc) -> &'p str {
        self.program.text(loc)
    }

    /// An atom as the analyst wrote it, with `not` when it must be false, and the term it
    /// comes from when it is inside one.
    fn show(&self, atom: &Atom<'_>) -> String {
        let text = self.text(atom.cond.loc);
        let not = if atom.negated { "not " } else { "" };
        // Spans compare equal wherever they are, so compare the offsets.
        let (shown, own) = (atom.shown.span, atom.cond.loc.span);
        if (shown.start, shown.end) == (own.start, own.end) {
            format!("`{not}{text}`")
        } else {
            format!("`{not}{text}` (in {})", self.text(atom.shown))
        }
    }

    fn check_rule_never_fires(
        &self,
        rule: &Rule,
        check: &CheckRule,
        decl: &ast::RuleDecl,
    ) -> Option<CheckWarning> {
        let required = match &check.when {
            Some(when) => conjuncts(self.program, when),
            None => Vec::new(),
        };
        let target = match (check.target, &decl.body) {
            (Target::Lines(set), ast::RuleBody::Check(c)) => c.target.as_ref().map(|t| {
                (
                    &self.program.code_sets[set.index()],
                    Loc {
                        file: rule.loc.file,
                        span: t.span,
                    },
                )
            }),
            _ => None,
        };
        if let Some((a, b, reason)) = self.first_contradiction(&required, target) {
            return Some(
                NeverFires {
                    what: format!("rule `{}`", rule.id),
                    act: "fire",
                    first: a.span.into(),
                    second: b.span.into(),
                    help: reason,
                }
                .into(),
            );
        }
        let unless = check.unless.as_ref()?;
        for excuse in &disjuncts(self.program, unless) {
            if let Some(req) = required.iter().find(|r| r.same_as(excuse)) {
                return Some(
                    AlwaysExcused {
                        rule: rule.id.to_string(),
                        required: req.shown.span.into(),
                        required_label: "required here",
                        excuse: excuse.shown.span.into(),
                        help: format!(
                            "the rule acts only when {} holds, and {} then excuses it; remove \
                             one of them, or say in `unless` what really sets a claim apart",
                            self.show(req),
                            self.show(excuse)
                        ),
                    }
                    .into(),
                );
            }
            if let Some((set, loc)) = target {
                if excuses(self.program, set, excuse) {
                    return Some(
                        AlwaysExcused {
                            rule: rule.id.to_string(),
                            required: loc.span.into(),
                            required_label: "the rule judges these lines",
                            excuse: excuse.shown.span.into(),
                            help: format!(
                                "every line the rule judges passes {}, so the rule is always \
                                 excused",
                                self.show(excuse)
                            ),
                        }
                        .into(),
                    );
                }
            }
        }
        None
    }

    fn derivation_never_applies(&self, rule: &Rule, d: &Derivation) -> Option<CheckWarning> {
        let required = conjuncts(self.program, &d.condition);
        let (a, b, reason) = self.first_contradiction(&required, None)?;
        Some(
            NeverFires {
                what: format!("a derivation of rule `{}`", rule.id),
                act: "apply",
                first: a.span.into(),
                second: b.span.into(),
                help: reason,
            }
            .into(),
        )
    }

    /// The first two required conditions that cannot hold together (the rule's lines count as
    /// one), with why.
    fn first_contradiction(
        &self,
        required: &[Atom<'p>],
        target: Option<(&CodeSet, Loc)>,
    ) -> Option<(Loc, Loc, String)> {
        for (i, a) in required.iter().enumerate() {
            if let Some((set, loc)) = target {
                if let Some(reason) = super::contradiction::outside_target(self.program, set, a) {
                    let text = self.text(loc);
                    return Some((
                        loc,
                        a.shown,
                        format!("the rule judges only lines of {text}; {reason}"),
                    ));
                }
            }
            for b in &required[i + 1..] {
                if let Some(reason) = contradiction(self.program, a, b) {
                    let help = format!(
                        "{} and {} cannot both hold: {reason}",
                        self.show(a),
                        self.show(b)
                    );
                    return Some((a.shown, b.shown, help));
                }
            }
        }
        None
    }

    /// A rule whose lines, conditions and actions are those of an earlier rule (messages and
    /// ids aside): it only repeats the earlier rule's findings. `effects` holds the rules
    /// before `idx` by their effect, so that each rule is looked up, not compared with every
    /// earlier one.
    fn shadowed<'r>(
        &self,
        idx: usize,
        rules: &[(FileId, &'r ast::RuleDecl)],
        effects: &mut HashMap<Effect<'r>, Alike>,
    ) -> Option<CheckWarning> {
        let (_, decl) = rules[idx];
        let id = |i: usize| rules[i].1.id.text.as_str();
        let alike = match effects.entry(Effect::of(&decl.body)?) {
            Entry::Vacant(e) => {
                e.insert(Alike {
                    first: idx,
                    other: None,
                });
                return None;
            }
            Entry::Occupied(e) => e.into_mut(),
        };
        // An override repeats what it replaces on purpose, when it only changes a message:
        // the earlier rule is the first of another id.
        let earlier = if id(alike.first) != decl.id.text {
            alike.other.get_or_insert(idx);
            alike.first
        } else {
            alike.other?
        };
        let (earlier_file, earlier) = &rules[earlier];
        let earlier_loc = Loc {
            file: *earlier_file,
            span: earlier.id.span,
        };
        let (name, line, col) = self.program.position(earlier_loc);
        Some(
            Shadowed {
                rule: decl.id.text.clone(),
                earlier: earlier.id.text.clone(),
                span: decl.id.span.into(),
                help: format!(
                    "`{}` ({name}:{line}:{col}) already makes these findings on the same \
                     claims; remove this rule, or change what sets it apart",
                    earlier.id.text
                ),
            }
            .into(),
        )
    }

    /// Pairs of edits where one allows and the other denies a code pair on common dates.
    fn conflicting_pair_edits(&self) -> Vec<(FileId, CheckWarning)> {
        // Each edit with the id of its rule: an override may turn its rule's edits around.
        let edits: Vec<(&str, &PairEdit)> = self
            .program
            .rules
            .iter()
            .filter(|r| !r.in_force.is_empty())
            .filter_map(|r| match &r.kind {
                RuleKind::Pairs(edits) => Some(edits.iter().map(|e| (&*r.id, e))),
                _ => None,
            })
            .flatten()
            .collect();
        let mut out = Vec::new();
        for (i, &(later_rule, later)) in edits.iter().enumerate() {
            let conflict = edits[..i].iter().find_map(|&(earlier_rule, earlier)| {
                if earlier.verdict.allowed == later.verdict.allowed || earlier_rule == later_rule {
                    return None;
                }
                let dates = earlier.verdict.window.intersection(later.verdict.window)?;
                let sets = &self.program.code_sets;
                let column2 =
                    sets[earlier.column2.index()].common_code(&sets[later.column2.index()])?;
                let column1 =
                    sets[earlier.column1.index()].common_code(&sets[later.column1.index()])?;
                Some((earlier, dates, column2, column1))
            });
            let Some((earlier, dates, column2, column1)) = conflict else {
                continue;
            };
            let says = |e: &PairEdit| {
                if e.verdict.allowed {
                    "allows the pair".to_string()
                } else {
                    "denies the pair".to_string()
                }
            };
            let same_file = earlier.loc.file == later.loc.file;
            let (name, line, col) = self.program.position(earlier.loc);
            out.push((
                later.loc.file,
                ConflictingPairEdits {
                    column2: column2.to_string(),
                    column1: column1.to_string(),
                    dates: describe_dates(dates),
                    later: later.loc.span.into(),
                    later_says: says(later),
                    earlier: same_file.then(|| earlier.loc.span.into()),
                    earlier_says: says(earlier),
                    help: format!(
                        "`{}` ({name}:{line}:{col}) {}; give the edits dates that do not \
                         overlap, or remove one",
                        self.text(earlier.loc),
                        says(earlier)
                    ),
                }
                .into(),
            ));
        }
        out
    }
}

/// What a rule body does on every claim: its lines, conditions and kinds of action. Messages
/// do not count; spans never do (a span hashes as nothing and equals every other). Two rules
/// of the same effect make the same findings on the same claims.
#[derive(PartialEq, Eq, Hash)]
enum Effect<'a> {
    Derive(&'a [ast::Derivation]),
    Pairs(&'a [ast::PairEdit]),
    Check {
        each_line: bool,
        target: &'a Option<ast::CodeRef>,
        when: &'a Option<ast::Condition>,
        unless: &'a Option<ast::Condition>,
        actions: Vec<&'a ast::ActionKind>,
    },
}

impl<'a> Effect<'a> {
    /// The effect of a body; `None` for `apply edits`, which a table decides.
    fn of(body: &'a ast::RuleBody) -> Option<Effect<'a>> {
        use ast::RuleBody::*;
        Some(match body {
            Derive(d) => Effect::Derive(d),
            Pairs { edits, .. } => Effect::Pairs(edits),
            Check(c) => Effect::Check {
                each_line: c.each_line,
                target: &c.target,
                when: &c.when,
                unless: &c.unless,
                actions: c.actions.iter().map(|a| &a.kind).collect(),
            },
            TableEdits { .. } => return None,
        })
    }
}

/// The rules of one effect seen so far: the first, and the first after it with another id.
struct Alike {
    first: usize,
    other: Option<usize>,
}

fn describe_dates(w: DateWindow) -> String {
    match (w.from, w.until) {
        (None, None) => "on every date".into(),
        (Some(f), None) => format!("from {f} on"),
        (None, Some(u)) => format!("through {u}"),
        (Some(f), Some(u)) if f == u => format!("on {f}"),
        (Some(f), Some(u)) => format!("from {f} through {u}"),
    }
}
