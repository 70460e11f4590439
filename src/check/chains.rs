//! Terms that use terms: which terms a definition names (so that `compile_terms` can compile
//! them first), and how deep a term's condition nests once the terms it uses are written out.
//!
//! The evaluator, `--explain` and the warnings walk a condition recursively, into each term it
//! uses, so a chain of terms deeper than [`MAX_CONDITION_DEPTH`] is refused here, with a
//! diagnostic, rather than overflowing a stack later.

use super::columns::is_column;
use super::error::TooDeep;
use super::Checker;
use crate::ir::{Cond, CondKind};
use crate::syntax::ast;

/// How many levels a term's condition may nest, with the terms it uses written out: each
/// `and`, `or`, `not` and each use of a term is one level. The parser allows 1,000 operators
/// in one condition, so one condition alone stays well below it; the limit only stops long
/// chains of terms. Evaluating a condition this deep takes well under the 2 MiB stack of a
/// worker thread.
pub const MAX_CONDITION_DEPTH: usize = 2_000;

impl Checker<'_> {
    /// The terms a condition names, by index, in the order it names them: the bare names
    /// that `named` would look up as terms.
    pub(super) fn term_names(&self, c: &ast::Condition, out: &mut Vec<usize>) {
        match &c.kind {
            ast::ConditionKind::And(a, b) | ast::ConditionKind::Or(a, b) => {
                self.term_names(a, out);
                self.term_names(b, out);
            }
            ast::ConditionKind::Not(a) => self.term_names(a, out),
            ast::ConditionKind::Predicate(ast::Predicate::Name(name))
                if name.quoted || !is_column(&name.text) =>
            {
                out.extend(self.terms.index_of(name.text.as_str()));
            }
            ast::ConditionKind::Predicate(_) => {}
        }
    }

    /// How many levels `c` nests, with the terms it uses written out. The terms it uses are
    /// compiled, so their own depth is known.
    pub(super) fn depth(&self, c: &Cond) -> usize {
        1 + match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => self.depth(a).max(self.depth(b)),
            CondKind::Not(a) => self.depth(a),
            CondKind::Term(t) => self.term_depth.get(t.index()).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// The use of a term in `c` that nests deepest, if `c` uses a term.
    fn deepest_term<'c>(&self, c: &'c Cond) -> Option<(&'c Cond, usize)> {
        match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => {
                match (self.deepest_term(a), self.deepest_term(b)) {
                    (Some(x), Some(y)) => Some(if y.1 > x.1 { y } else { x }),
                    (x, y) => x.or(y),
                }
            }
            CondKind::Not(a) => self.deepest_term(a),
            CondKind::Term(t) => Some((c, self.term_depth.get(t.index()).copied()?)),
            _ => None,
        }
    }

    /// `c`, the compiled definition of `decl`, if it nests no deeper than the limit; else
    /// records the error, pointing at the term and at the term inside it that nests deepest.
    pub(super) fn within_depth(&mut self, decl: &ast::TermDecl, c: Cond) -> Option<Cond> {
        let depth = self.depth(&c);
        if depth <= MAX_CONDITION_DEPTH {
            return Some(c);
        }
        let (inner, inner_depth) = self.deepest_term(&c).unwrap_or((&c, depth));
        let span = inner.loc.span;
        let inner_name = self.sources[self.file.0 as usize]
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("a term")
            .to_string();
        self.error(TooDeep {
            name: decl.name.display(),
            depth,
            limit: MAX_CONDITION_DEPTH,
            span: decl.name.span.into(),
            inner: inner_name,
            inner_depth,
            inner_span: inner.loc.span.into(),
        });
        None
    }
}
