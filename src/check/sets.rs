//! Code sets and diagnosis sets: code lists compiled into the program's sets, and each named
//! set resolved once, after the sets it names, with cycles reported where they are named.

use super::columns::is_column;
use super::error::*;
use super::names::{Compiler, DefinitionKind, Namespace};
use super::Checker;
use crate::codes::DiagnosisPattern;
use crate::ir::*;
use crate::pack::limits;
use crate::syntax::ast;
use crate::syntax::span::FileId;

impl<'a> Checker<'a> {
    /// Compiles a code list into a set of the program; lists of the same codes share one set.
    pub(super) fn code_ref(&mut self, r: &ast::CodeRef) -> Option<SetId> {
        let mut set = CodeSet::default();
        if !self.collect_codes(r, &mut set) {
            return None;
        }
        set.normalize();
        let next = SetId(self.program.code_sets.len() as u32);
        let id = *self.set_ids.entry(set.clone()).or_insert(next);
        if id == next {
            self.program.code_sets.push(set);
        }
        Some(id)
    }

    /// Adds a code list's codes to `out`; `false` if any item was wrong.
    fn collect_codes(&mut self, r: &ast::CodeRef, out: &mut CodeSet) -> bool {
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::CodeItem::Code(w) => match self.code(w) {
                    Some(c) => out.exact.push(c),
                    None => ok = false,
                },
                ast::CodeItem::Range { first, last, span } => {
                    match (self.code(first), self.code(last)) {
                        (Some(a), Some(b)) if a <= b => out.ranges.push((a, b)),
                        (Some(_), Some(_)) => {
                            self.error(EmptyRange {
                                first: first.text.clone(),
                                last: last.text.clone(),
                                span: (*span).into(),
                            });
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                ast::CodeItem::Attribute(w) => {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", w.text),
                        found: "a column of the line's code".into(),
                        expected: "a fixed list of codes".into(),
                        span: w.span.into(),
                        help: "a code set and `for each line in` list fixed codes; use a \
                               column in a test such as `claim has code.primaries`"
                            .into(),
                    });
                    ok = false;
                }
                ast::CodeItem::Set(name) => {
                    // A table's codes are copied as often as it is named, which the text bounds;
                    // only sets naming sets can grow as the square of the text.
                    let table = self.table_decls.contains_key(name.text.as_str());
                    match self
                        .mark_used(Namespace::CodeSet, name)
                        .named_code_set(name)
                    {
                        Some(set)
                            if table
                                || self.count_copied(set.exact.len() + set.ranges.len(), name) =>
                        {
                            out.exact.extend_from_slice(&set.exact);
                            out.ranges.extend_from_slice(&set.ranges);
                        }
                        _ => ok = false,
                    }
                }
            }
        }
        ok
    }

    /// Counts the items of a set named in another against the limit on items copied between
    /// sets; `false` once it is passed (reported the first time only, so that every set after
    /// it does not repeat it).
    fn count_copied(&mut self, items: usize, name: &ast::Word) -> bool {
        let Some(copied) = self.set_codes_copied else {
            return false;
        };
        let copied = copied + items;
        if copied > limits::MAX_SET_CODES {
            self.set_codes_copied = None;
            self.error(TooManySetCodes {
                max: limits::MAX_SET_CODES,
                span: name.span.into(),
            });
            return false;
        }
        self.set_codes_copied = Some(copied);
        true
    }

    /// The codes of a code set or table named in a code list.
    pub(super) fn named_code_set(&mut self, name: &ast::Word) -> Option<CodeSet> {
        let key = name.text.as_str();
        if let Some(i) = self.table_decls.get_index_of(key) {
            if self.table_decls[i].1.kind == ast::TableKind::PairEdits {
                self.error(TypeMismatch {
                    subject: format!("`{key}`"),
                    found: "a table of pair edits".into(),
                    expected: "a set of codes".into(),
                    span: name.span.into(),
                    help: format!("apply its edits with a rule: `apply edits of \"{key}\"`"),
                });
                return None;
            }
            if self.table_decls[i].1.key == ast::TableKey::Diagnosis {
                self.error(TypeMismatch {
                    subject: format!("`{key}`"),
                    found: "a table keyed by diagnosis".into(),
                    expected: "a set of procedure codes".into(),
                    span: name.span.into(),
                    help: format!(
                        "its name is a set of diagnoses: use it as `line diagnosis in \"{key}\"` \
                         or `claim has diagnosis \"{key}\"`"
                    ),
                });
                return None;
            }
            let table = self.table_ids.get(i).copied().flatten()?;
            return Some(self.program.tables[table.index()].keys());
        }
        let Some(i) = self.code_sets.index_of(key) else {
            let names = self
                .code_sets
                .names()
                .chain(self.table_decls.keys().copied());
            let names: Vec<&str> = names.collect();
            self.unknown_name(DefinitionKind::CodeSet, name, names);
            return None;
        };
        let named = (name.text.as_str(), name.span);
        self.resolve(DefinitionKind::CodeSet, named, i, Self::CODE_SETS)
            .cloned()
    }

    /// How code sets are stored and compiled, for [`Checker::resolve`] and
    /// [`Checker::compile_in_order`].
    const CODE_SETS: Compiler<'a, ast::CodeSetDecl, CodeSet> =
        (|c| &mut c.code_sets, Self::compile_code_set);

    /// Compiles a declared code set, which is active: every set it names is compiled
    /// already, or is active too (a cycle, reported where it is named).
    fn compile_code_set(&mut self, i: usize, file: FileId, decl: &ast::CodeSetDecl) {
        let saved = std::mem::replace(&mut self.file, file);
        let mut set = CodeSet::default();
        let ok = self.collect_codes(&decl.codes, &mut set);
        self.file = saved;
        let result = ok.then(|| {
            set.normalize();
            set
        });
        self.code_sets.finish(i, result);
    }

    /// The declared code sets a code list names, by index in `code_sets`.
    pub(super) fn code_set_names(&self, r: &ast::CodeRef) -> Vec<usize> {
        r.items
            .iter()
            .filter_map(|item| match item {
                ast::CodeItem::Set(name) if !self.table_decls.contains_key(name.text.as_str()) => {
                    self.code_sets.index_of(name.text.as_str())
                }
                _ => None,
            })
            .collect()
    }

    pub(super) fn diagnosis_ref(&mut self, r: &ast::DiagnosisRef) -> Option<SetId> {
        let mut set = DiagnosisSet::default();
        if !self.collect_diagnoses(r, &mut set) {
            return None;
        }
        self.program.diagnosis_sets.push(set);
        Some(SetId((self.program.diagnosis_sets.len() - 1) as u32))
    }

    fn collect_diagnoses(&mut self, r: &ast::DiagnosisRef, out: &mut DiagnosisSet) -> bool {
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::DiagnosisItem::Attribute(w) if self.is_diagnoses_column(&w.text) => {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", w.text),
                        found: "a diagnoses column (diagnoses for the line's code)".into(),
                        expected: "a fixed list of diagnoses".into(),
                        span: w.span.into(),
                        help: format!("`claim has diagnosis` and diagnosis sets take diagnosis codes such as `M17.11`, families such as `M17.*`, or a `diagnoses` list by name in quotes; to look for the column's diagnoses among those the line points to, write `line diagnosis in {}`", w.text),
                    });
                    ok = false;
                }
                ast::DiagnosisItem::Pattern(w) | ast::DiagnosisItem::Attribute(w)
                    if is_column(&w.text) =>
                {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", w.text),
                        found: "a table column (one value for the line's code)".into(),
                        expected: "a list of diagnoses".into(),
                        span: w.span.into(),
                        help: "`claim has diagnosis` takes diagnosis codes such as `M17.11`, families such as `M17.*`, or a `diagnoses` list by name in quotes; to test the column, make it a condition of its own, e.g. `when code.covered`".replace("code.covered", &w.text),
                    });
                    ok = false;
                }
                ast::DiagnosisItem::Pattern(w) | ast::DiagnosisItem::Attribute(w) => {
                    match DiagnosisPattern::parse(&w.text) {
                        Some(p) => out.patterns.push(p),
                        None => {
                            self.error(MalformedLiteral {
                                text: w.text.clone(),
                                what: "an ICD-10-CM code or pattern",
                                span: w.span.into(),
                                help: "write a diagnosis as `S82.241A`, or a family as `S82.*`"
                                    .into(),
                            });
                            ok = false;
                        }
                    }
                }
                ast::DiagnosisItem::Set(name) => match self
                    .mark_used(Namespace::DiagnosisSet, name)
                    .named_diagnosis_set(name)
                {
                    Some(set) if self.count_copied(set.patterns.len(), name) => {
                        out.patterns.extend(set.patterns)
                    }
                    _ => ok = false,
                },
            }
        }
        ok
    }

    /// Whether a `code.<column>` or `diagnosis.<column>` names a diagnosis or diagnoses column.
    fn is_diagnoses_column(&self, text: &str) -> bool {
        let name = text.split_once('.').map_or(text, |(_, n)| n);
        matches!(
            self.columns.get(name),
            Some((_, ColumnType::Diagnosis | ColumnType::Diagnoses))
        )
    }

    /// The patterns of a diagnosis set named in a diagnosis list.
    pub(super) fn named_diagnosis_set(&mut self, name: &ast::Word) -> Option<DiagnosisSet> {
        let key = name.text.as_str();
        if let Some(i) = self.table_decls.get_index_of(key) {
            if self.table_decls[i].1.key == ast::TableKey::Diagnosis {
                self.used.insert((Namespace::CodeSet, key.to_string()));
                let table = self.table_ids.get(i).copied().flatten()?;
                return Some(self.program.tables[table.index()].diagnosis_keys());
            }
        }
        let Some(i) = self.diagnosis_sets.index_of(key) else {
            let tables = self
                .table_decls
                .iter()
                .filter(|(_, (_, d))| d.key == ast::TableKey::Diagnosis)
                .map(|(n, _)| *n);
            let names: Vec<&str> = self.diagnosis_sets.names().chain(tables).collect();
            self.unknown_name(DefinitionKind::DiagnosisSet, name, names);
            return None;
        };
        let named = (name.text.as_str(), name.span);
        self.resolve(DefinitionKind::DiagnosisSet, named, i, Self::DIAGNOSIS_SETS)
            .cloned()
    }

    /// How diagnosis sets are stored and compiled.
    const DIAGNOSIS_SETS: Compiler<'a, ast::DiagnosisSetDecl, DiagnosisSet> =
        (|c| &mut c.diagnosis_sets, Self::compile_diagnosis_set);

    /// Compiles a declared diagnosis set, which is active, as `compile_code_set` does.
    fn compile_diagnosis_set(&mut self, i: usize, file: FileId, decl: &ast::DiagnosisSetDecl) {
        let saved = std::mem::replace(&mut self.file, file);
        let mut set = DiagnosisSet::default();
        let ok = self.collect_diagnoses(&decl.patterns, &mut set);
        self.file = saved;
        // A pattern once: a set that names another twice, at every step of a chain, would
        // otherwise double in size at each step.
        let mut seen = std::collections::HashSet::new();
        set.patterns.retain(|p| seen.insert(p.clone()));
        self.diagnosis_sets.finish(i, ok.then_some(set));
    }

    /// The declared diagnosis sets a diagnosis list names, by index in `diagnosis_sets`.
    pub(super) fn diagnosis_set_names(&self, r: &ast::DiagnosisRef) -> Vec<usize> {
        r.items
            .iter()
            .filter_map(|item| match item {
                ast::DiagnosisItem::Set(name) => self.diagnosis_sets.index_of(name.text.as_str()),
                ast::DiagnosisItem::Pattern(_) | ast::DiagnosisItem::Attribute(_) => None,
            })
            .collect()
    }

    /// Resolves every declared set, used or not, so a mistake in one is never silent. Each set
    /// is compiled after the sets it names.
    pub(super) fn compile_sets(&mut self) {
        let names: Vec<Vec<usize>> = self
            .code_sets
            .decls()
            .map(|(_, decl)| self.code_set_names(&decl.codes))
            .collect();
        self.compile_in_order(&names, Self::CODE_SETS);
        let names: Vec<Vec<usize>> = self
            .diagnosis_sets
            .decls()
            .map(|(_, decl)| self.diagnosis_set_names(&decl.patterns))
            .collect();
        self.compile_in_order(&names, Self::DIAGNOSIS_SETS);
    }
}
