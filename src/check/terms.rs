//! Terms: named conditions, each compiled once after the terms it names, with what the rules
//! that use one must know of it (whether it tests the line, how deep it nests).

use super::names::{Compiler, DefinitionKind};
use super::Checker;
use crate::ir::*;
use crate::syntax::ast;
use crate::syntax::span::FileId;

impl<'a> Checker<'a> {
    /// A term named like a fact would hide the fact wherever the name is used.
    pub(super) fn check_term_fact_clashes(&mut self) {
        let clashes: Vec<(FileId, &'a ast::TermDecl)> = self
            .terms
            .decls()
            .filter(|(_, t)| {
                !t.name.quoted && self.program.facts.contains_key(t.name.text.as_str())
            })
            .collect();
        for (file, t) in clashes {
            self.file = file;
            let help = format!(
                "`{}` is also a fact; a term of the same name would hide it, so rename one of them",
                t.name.text
            );
            self.duplicate("name", &t.name.text, t.name.span, help);
        }
    }

    /// Compiles every term, each after the terms it names, without recursing from one term
    /// into the next: a chain of thousands of terms must not overflow the stack.
    pub(super) fn compile_terms(&mut self) {
        let names: Vec<Vec<usize>> = self
            .terms
            .decls()
            .map(|(_, decl)| {
                let mut names = Vec::new();
                self.term_names(&decl.definition, &mut names);
                names
            })
            .collect();
        self.compile_in_order(&names, Self::TERMS);
    }

    /// How terms are stored and compiled, for [`Checker::resolve`] and
    /// [`Checker::compile_in_order`].
    const TERMS: Compiler<'a, ast::TermDecl, Term> = (|c| &mut c.terms, Self::compile_term);

    /// Compiles a term if it is not yet; `false` if it cannot be (an error, or naming it here
    /// closes a cycle, reported at `name`).
    pub(super) fn ensure_term(&mut self, i: usize, name: &ast::Name) -> bool {
        let named = (name.text.as_str(), name.span);
        (self.resolve(DefinitionKind::Term, named, i, Self::TERMS)).is_some()
    }

    /// Compiles the term `i`, which is active: every term it names is compiled already, or
    /// is active too (a cycle, reported where it is named).
    fn compile_term(&mut self, i: usize, file: FileId, decl: &ast::TermDecl) {
        let saved = std::mem::replace(&mut self.file, file);
        // A term means the same wherever it is used: `the other line` is never its to name.
        let in_where = std::mem::replace(&mut self.in_where, false);
        // Nor a diagnosis in scope: a term is compiled once, for every rule that uses it.
        let diagnosis_scope = std::mem::replace(&mut self.diagnosis_scope, false);
        let in_term = std::mem::replace(&mut self.in_term, true);
        let condition = self
            .condition(&decl.definition, true)
            .and_then(|c| self.within_depth(decl, c));
        self.in_where = in_where;
        self.diagnosis_scope = diagnosis_scope;
        self.in_term = in_term;
        if let Some(c) = &condition {
            self.term_needs_line[i] = self.needs_line(c);
            self.term_depth[i] = self.depth(c);
        }
        let term = condition.map(|condition| Term {
            name: decl.name.display(),
            condition,
            loc: self.loc(decl.span),
        });
        self.file = saved;
        self.terms.finish(i, term);
    }

    fn needs_line(&self, c: &Cond) -> bool {
        match &c.kind {
            CondKind::And(a, b) | CondKind::Or(a, b) => self.needs_line(a) || self.needs_line(b),
            CondKind::Not(a) => self.needs_line(a),
            CondKind::Term(t) => self
                .term_needs_line
                .get(t.index())
                .copied()
                .unwrap_or(false),
            CondKind::LineIs(_)
            | CondKind::LineHasModifier(_)
            | CondKind::LineAttr(..)
            | CondKind::LineUnits(..)
            | CondKind::LineCharge(..)
            | CondKind::LineHasPointers
            | CondKind::NumberVsColumn(..)
            | CondKind::UnitsTotal { .. }
            | CondKind::Attr(..)
            | CondKind::OtherLine { .. }
            | CondKind::TheOtherLine(_)
            | CondKind::LineDiagnosis(_) => true,
            CondKind::ClaimHasCode(m) => !m.columns.is_empty(),
            CondKind::ClaimHasProcedure(m) => !m.columns.is_empty(),
            CondKind::UnitsOf {
                codes,
                same_session,
                limit,
                ..
            } => *same_session || !codes.columns.is_empty() || matches!(limit, Limit::Column(_)),
            _ => false,
        }
    }
}
