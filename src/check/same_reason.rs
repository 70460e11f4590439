//! `same reason as RULE, …`: checks that each rule named exists and makes findings on lines, as
//! the rule with the clause does, and resolves the relation to rule indexes
//! ([`crate::ir::SameReason`]) for the evaluator.
//!
//! The clause belongs to the version of the rule it is written in: an `override rule` keeps it
//! only by writing it again. A rule id names every version of the rule (the rule and the
//! overrides of the packs above), so a clause keeps naming a rule a pack overrides.

use std::collections::{HashMap, HashSet};

use miette::Diagnostic as _;

use super::error::{SameReasonError, UnknownName};
use super::Checker;
use crate::ir::{RuleIdx, SameReason};
use crate::syntax::ast;
use crate::syntax::span::{FileId, Loc};

/// How many unknown rule ids get a "did you mean": each suggestion compares the id with every
/// rule's, and a hostile pack may name thousands.
const MAX_SUGGESTIONS: usize = 16;

/// How many mistakes of one clause are reported one by one; the rest are counted in one more.
const MAX_CLAUSE_ERRORS: usize = 20;

/// Why a rule's findings cannot be merged by line.
#[derive(Clone, Copy)]
enum NoLine {
    /// An `implies` rule: it makes no findings.
    Derives,
    /// A rule without `for each line`: its findings are on no line.
    WholeClaim,
}

fn no_line(body: &ast::RuleBody) -> Option<NoLine> {
    match body {
        ast::RuleBody::Derive(_) => Some(NoLine::Derives),
        ast::RuleBody::Check(c) if !c.each_line => Some(NoLine::WholeClaim),
        _ => None,
    }
}

impl<'a> Checker<'a> {
    /// Checks every `same reason as` and stores the relation in the program. Runs after the
    /// rules are compiled and layered.
    pub(super) fn check_same_reason(&mut self) {
        let decls: Vec<(FileId, &'a ast::RuleDecl)> = self
            .items()
            .filter_map(|(file, item)| match item {
                ast::Item::Rule(r) => Some((file, r)),
                _ => None,
            })
            .collect();
        if decls.iter().all(|(_, d)| d.same_reason.is_none()) {
            return;
        }
        // Every version of each rule id: the rule, and the overrides of it.
        let mut versions: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (i, (_, d)) in decls.iter().enumerate() {
            versions.entry(d.id.text.as_str()).or_default().push(i);
        }
        // The compiled rule of each declaration, found by where it is written; `None` for a
        // rule that did not compile (then the program is not used).
        let index: HashMap<(FileId, u32), RuleIdx> = self
            .program
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.loc.file, r.loc.span.start), i as RuleIdx))
            .collect();
        let rule_of: Vec<Option<RuleIdx>> = decls
            .iter()
            .map(|(file, decl)| index.get(&(*file, decl.span.start)).copied())
            .collect();
        let mut suggestions = MAX_SUGGESTIONS;
        // Related rules: each written pair once, by rule index.
        let mut pairs: Vec<(RuleIdx, RuleIdx)> = Vec::new();
        for (at, &(file, decl)) in decls.iter().enumerate() {
            let Some(clause) = &decl.same_reason else {
                continue;
            };
            self.file = file;
            if let Some(why) = no_line(&decl.body) {
                self.carrier_without_lines(decl, clause, why);
                continue;
            }
            let before = self.errors.len();
            let mut named: HashSet<&str> = HashSet::with_capacity(clause.rules.len());
            for name in &clause.rules {
                if !named.insert(&name.text) {
                    self.error(SameReasonError {
                        problem: format!("rule `{}` is named twice in `same reason as`", name.text),
                        span: name.span.into(),
                        label: "named again here".into(),
                        help: "name each rule once".into(),
                    });
                    continue;
                }
                if name.text == decl.id.text {
                    self.error(SameReasonError {
                        problem: format!("rule `{}` names itself in `same reason as`", name.text),
                        span: name.span.into(),
                        label: "the rule itself".into(),
                        help: "name the other rules whose findings this rule repeats".into(),
                    });
                    continue;
                }
                let Some(found) = versions.get(name.text.as_str()) else {
                    self.unknown_rule(name, &mut suggestions);
                    continue;
                };
                if !self.visible(file, name) {
                    continue;
                }
                let unfit = found
                    .iter()
                    .find_map(|&v| no_line(&decls[v].1.body).map(|why| (v, why)));
                if let Some((v, why)) = unfit {
                    let (vfile, vdecl) = decls[v];
                    self.named_without_lines(
                        name,
                        Loc {
                            file: vfile,
                            span: vdecl.id.span,
                        },
                        why,
                    );
                    continue;
                }
                if let Some(here) = rule_of[at] {
                    pairs.extend(found.iter().filter_map(|&v| Some((here, rule_of[v]?))));
                }
            }
            self.count_the_rest(before, decl);
        }
        self.program.same_reason = SameReason::new(self.program.rules.len(), pairs);
    }

    /// Keeps the first [`MAX_CLAUSE_ERRORS`] mistakes of a clause (reported since `before`) and
    /// counts the others in one more, at the first of them.
    fn count_the_rest(&mut self, before: usize, decl: &ast::RuleDecl) {
        let reported = self.errors.len() - before;
        if reported <= MAX_CLAUSE_ERRORS {
            return;
        }
        let first_left_out = self.errors[before + MAX_CLAUSE_ERRORS]
            .1
            .labels()
            .and_then(|mut labels| labels.next())
            .map(|l| (l.offset(), l.len()));
        self.errors.truncate(before + MAX_CLAUSE_ERRORS);
        let more = reported - MAX_CLAUSE_ERRORS;
        self.error(SameReasonError {
            problem: format!(
                "the `same reason as` of rule `{}` has {more} more mistakes",
                decl.id.text
            ),
            span: first_left_out
                .unwrap_or((decl.id.span.start as usize, 0))
                .into(),
            label: "the first not shown".into(),
            help: format!(
                "the first {MAX_CLAUSE_ERRORS} are shown above; fix them and check again"
            ),
        });
    }

    /// The rule with the clause makes no findings on lines.
    fn carrier_without_lines(
        &mut self,
        decl: &ast::RuleDecl,
        clause: &ast::SameReason,
        why: NoLine,
    ) {
        let id = &decl.id.text;
        let (problem, help) = match why {
            NoLine::Derives => (
                format!("rule `{id}` derives facts and makes no findings"),
                "`same reason as` belongs to a rule that makes findings on lines (`for each line …`, pair edits, `apply edits of`); remove it here".to_string(),
            ),
            NoLine::WholeClaim => (
                format!("rule `{id}` judges the whole claim, so its findings are on no line"),
                "`same reason as` gives once the findings two rules make on the same line: judge lines with `for each line in …`, or remove it".to_string(),
            ),
        };
        self.error(SameReasonError {
            problem,
            span: clause.span.into(),
            label: "no finding of this rule is on a line".into(),
            help,
        });
    }

    /// A rule named makes no findings on lines (in one of its versions, at `at`).
    fn named_without_lines(&mut self, name: &ast::Word, at: Loc, why: NoLine) {
        let id = &name.text;
        let problem = match why {
            NoLine::Derives => format!("rule `{id}` derives facts and makes no findings"),
            NoLine::WholeClaim => {
                format!("rule `{id}` judges the whole claim, so its findings are on no line")
            }
        };
        let help = format!(
            "name rules whose findings are on lines: `for each line …` rules, pair edits and \
             `apply edits of` (`{id}` is in {})",
            self.describe_loc(at)
        );
        self.error(SameReasonError {
            problem,
            span: name.span.into(),
            label: "no finding of it is on a line".into(),
            help,
        });
    }

    fn unknown_rule(&mut self, name: &ast::Word, suggestions: &mut usize) {
        let help = if *suggestions > 0 {
            *suggestions -= 1;
            crate::spelling::did_you_mean(&name.text, self.rule_ids.keys().copied(), "rule")
        } else {
            "no loaded pack defines a rule with this id".to_string()
        };
        self.error(UnknownName {
            kind: "rule",
            name: name.text.clone(),
            span: name.span.into(),
            help,
        });
    }

    /// A rule may name the rules of its own pack and of the packs below it: the relation must
    /// not depend on which other packs are loaded.
    fn visible(&mut self, file: FileId, name: &ast::Word) -> bool {
        let Some(defined) = self.rule_ids.get(name.text.as_str()).copied() else {
            return true;
        };
        let (there, here) = (self.pack_of(defined.file), self.pack_of(file));
        if there == here || self.is_below(there, here) {
            return true;
        }
        let (other, this) = (self.pack_name(there), self.pack_name(here));
        self.error(SameReasonError {
            problem: format!(
                "rule `{}` is defined by pack `{other}`, which pack `{this}` is not layered on",
                name.text
            ),
            span: name.span.into(),
            label: "a rule of a pack above or beside this one".into(),
            help: "a rule can name the rules of its own pack and of the packs below it; the \
                   relation holds both ways, so write it in the rule of the pack above, naming \
                   the rule below"
                .into(),
        });
        false
    }
}
