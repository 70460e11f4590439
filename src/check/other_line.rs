//! Checking the conditions between lines: `another line` with its relations and `where`,
//! `the other line` (only inside that `where`), `units of CODES …`, and whether a rule's
//! `when` can name a matched other line (for `{other_line}` and `merge with the other line`).

use super::error::*;
use super::Checker;
use crate::ir::*;
use crate::syntax::ast::{self, CompareOp};
use crate::syntax::span::Span;

impl<'a> Checker<'a> {
    /// `another line [relations] has …` / `… where (…)`.
    pub(super) fn other_line(
        &mut self,
        earlier: bool,
        same_session: bool,
        relation: LineRelation,
        what: &ast::LineMatch,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        let phrase = if earlier {
            "`an earlier line …`"
        } else {
            "`another line …`"
        };
        self.require_line(has_line, phrase, span)?;
        if self.in_where {
            // A `where` already compares each other line with the rule's; another scan inside
            // it would compare every line with every pair, a cost that grows as the cube of
            // the claim's lines.
            self.error(OtherLineError {
                message: format!("{phrase} cannot stand inside the `where` of another"),
                span: span.into(),
                label: "a second line to look for, inside the first".into(),
                help:
                    "test the other line with `the other line …` inside the `where`, and write a \
                       second `another line` test beside the first, joined with `and`"
                        .into(),
            });
            return None;
        }
        let test = match what {
            ast::LineMatch::Codes(c) => LineTest::Codes(self.code_match(c, has_line)?),
            ast::LineMatch::Modifiers(m) => LineTest::Modifiers(self.modifiers(m)?),
            ast::LineMatch::Where(c) => {
                let outer = std::mem::replace(&mut self.in_where, true);
                let compiled = self.condition(c, has_line);
                self.in_where = outer;
                LineTest::Where(Box::new(compiled?))
            }
        };
        Some(CondKind::OtherLine {
            earlier,
            same_session,
            relation,
            test,
        })
    }

    /// `the other line has modifier …`, `… is …`, `… units > N`: only inside a `where`.
    pub(super) fn the_other_line(
        &mut self,
        test: &ast::OtherLineTest,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        if !self.in_where {
            self.error(OtherLineError {
                message: "`the other line` names no line here".into(),
                span: span.into(),
                label: "outside the `where` of `another line`".into(),
                help: "test the other line inside `another line … where (…)`: `another line of \
                       the same code where (the other line has modifier LT)`"
                    .into(),
            });
            return None;
        }
        Some(CondKind::TheOtherLine(match test {
            ast::OtherLineTest::HasModifier(m) => OtherLineTest::Modifiers(self.modifiers(m)?),
            ast::OtherLineTest::Is(codes) => {
                OtherLineTest::Codes(self.code_match(codes, has_line)?)
            }
            ast::OtherLineTest::Units(op, n) => OtherLineTest::Units(*op, self.limit(n, has_line)?),
        }))
    }

    /// `units of CODES on the date of service|in the same session <op> N`.
    pub(super) fn units_of(
        &mut self,
        codes: &ast::CodeRef,
        same_session: bool,
        op: CompareOp,
        limit: &ast::Word,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        if same_session {
            self.require_line(has_line, "`units of … in the same session`", span)?;
        }
        let (codes, limit) = (
            self.code_match(codes, has_line),
            self.limit(limit, has_line),
        );
        Some(CondKind::UnitsOf {
            codes: codes?,
            same_session,
            op,
            limit: limit?,
        })
    }

    /// Whether a `when` can hold with a matched other line: it has a cross-line condition
    /// that is not negated.
    pub(super) fn matches_other_line(&self, c: &Cond) -> bool {
        match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => {
                self.matches_other_line(a) || self.matches_other_line(b)
            }
            CondKind::Term(t) => self
                .terms
                .value(t.index())
                .is_some_and(|term| self.matches_other_line(&term.condition)),
            CondKind::OtherLine { .. } => true,
            _ => false,
        }
    }

    /// The error for `merge with the other line` or `{other_line}` in a rule whose `when`
    /// matches no other line.
    pub(super) fn no_other_line(&mut self, what: &str, span: Span) {
        self.error(OtherLineError {
            message: format!("{what} needs another line that the rule's `when` matched"),
            span: span.into(),
            label: "the rule's `when` matches no other line".into(),
            help:
                "match the other line in the `when`: `when line has modifier RT and another line \
                   of the same code has modifier LT`"
                    .into(),
        });
    }
}
