//! The check phase: resolves the parsed policy files into a [`Program`], collecting every
//! mistake as a diagnostic instead of stopping at the first.
//!
//! [`check`] runs ten steps over all files in load order:
//!
//! 1. packs: each file's pack and the layer order (`layers.rs`);
//! 2. declarations: facts (`facts.rs`), code sets, tables, diagnosis sets, terms and overrides,
//!    each name once in its namespace (`names.rs`);
//! 3. terms named like facts, which would hide them (`terms.rs`);
//! 4. tables: each data file read once into typed, indexed rows (`tables.rs`), national edit
//!    tables through the process-wide registry (`national.rs`);
//! 5. sets: every code and diagnosis set, each after the sets it names (`sets.rs`);
//! 6. terms: every term, each after the terms it names (`terms.rs`, `chains.rs`);
//! 7. the vocabulary of the note reader (`vocabulary.rs`);
//! 8. rules: conditions (`conditions.rs`; on table columns, `attributes.rs`), literals
//!    (`literals.rs`), dates (`dates.rs`), messages (`messages.rs`);
//! 9. layering: overrides and disables applied pack over pack (`layers.rs`);
//! 10. `same reason as`: each clause resolved to the rules it names, once every version of
//!     every rule is known (`same_reason.rs`).
//!
//! Warnings (`lint.rs`, `underivable.rs`, `contradiction.rs`) come only when there are no
//! errors. Definitions are compiled in an order of their own (`order.rs`), never by recursion
//! from one into the next, so that a long chain cannot overflow the stack.
//!
//! Imports between these files run one way (`tests/layers.rs` finds any circle): shared pieces
//! live in leaves (`error`, `columns`, `names`, `literals`, `order`, `warning`) that the
//! others import, and only this file, the driver, names them all.

mod add_on_edits;
mod attributes;
mod chains;
mod columns;
mod conditions;
pub use chains::MAX_CONDITION_DEPTH;
mod contradiction;
mod dates;
mod derivations;
mod diagnoses;
mod edit_loads;
pub mod error;
mod facts;
mod fee_schedule;
mod history;
mod layers;
mod line_attrs;
mod lint;
mod literals;
mod messages;
mod modifier_ranges;
mod names;
mod national;
mod order;
mod other_line;
mod same_reason;
mod sets;
mod tables;
mod terms;
mod underivable;
mod vocabulary;
pub mod warning;
pub use layers::{Layout, PackOrigin};
pub use tables::{parse_cell, DataReader, TableRow};

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::diagnostic::PolicyDiagnostic;
use crate::ir::*;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Loc, SourceFile, Span};
use error::*;
use names::{DefinitionKind, Definitions, Namespace};

/// Checks parsed files (in load order) and compiles them. Returns the program if there were no
/// errors, and every diagnostic found.
///
/// `read` gives the data file a `table` declaration names, from the pack of the policy file
/// that declares it.
///
/// `given_rows` replace the rows of their codes in the tables they name, after the data files
/// are read (a policy test's `given table … row …`).
///
/// `layout` says which pack each file belongs to; packs are layered in its order.
pub fn check(
    files: Vec<(SourceFile, ast::PolicyFile)>,
    layout: Layout,
    read: &DataReader<'_>,
    given_rows: &[TableRow],
) -> (Option<Program>, Vec<PolicyDiagnostic>) {
    let (sources, asts): (Vec<SourceFile>, Vec<ast::PolicyFile>) = files.into_iter().unzip();
    let mut checker = Checker::new(&asts, &sources, layout);
    checker.declare_packs();
    checker.declare();
    checker.check_term_fact_clashes();
    std::thread::scope(|scope| {
        // Pair-edit tables are read on a thread of their own while the rest is checked.
        let mut edit_tables = edit_loads::EditTableLoads::new(scope);
        checker.compile_tables(read, given_rows, &mut edit_tables);
        checker.compile_sets();
        checker.compile_terms();
        checker.compile_vocabulary();
        checker.compile_rules();
        // Taken back before the packs are layered: layering stops at the first error, and a
        // table that did not read is one.
        checker.finish_edit_tables(edit_tables.finish());
    });
    checker.layer_rules();
    checker.check_same_reason();
    let unused = checker.unused_warnings();
    let rules: Vec<(FileId, &ast::RuleDecl)> = checker
        .items()
        .filter_map(|(file, item)| match item {
            ast::Item::Rule(r) => Some((file, r)),
            _ => None,
        })
        .collect();
    let Checker {
        mut program,
        errors,
        terms,
        ..
    } = checker;
    let in_file =
        |file: FileId, d: CheckError| PolicyDiagnostic::in_file(d, &sources[file.0 as usize]);
    let warning = |(file, w): (FileId, warning::CheckWarning)| {
        PolicyDiagnostic::in_file(w, &sources[file.0 as usize])
    };
    let mut diagnostics: Vec<PolicyDiagnostic> = errors
        .into_iter()
        .map(|(file, e)| in_file(file, e))
        .collect();
    // With errors, a name may look unused only because the reference to it is the mistake;
    // "remove it" would then be wrong advice, so warnings wait until the errors are fixed.
    if !diagnostics.is_empty() {
        return (None, diagnostics);
    }
    program.terms = terms.into_values().flatten().collect();
    program.derivation_readers = derivations::readers(&program);
    program.index.finish();
    program.claim_facts = program
        .facts
        .values()
        .enumerate()
        .filter_map(|(id, def)| match def.origin {
            FactOrigin::Claim(field) => Some((id as FactId, field)),
            _ => None,
        })
        .collect();
    program.sources = sources.clone();
    let mut warnings = lint::rule_warnings(&program, &rules);
    warnings.extend(unused);
    warnings.extend(diagnoses::category_warnings(&asts));
    warnings.sort_by_key(|(file, w)| (*file, first_offset(w)));
    diagnostics.extend(warnings.into_iter().map(warning));
    (Some(program), diagnostics)
}

/// Where a diagnostic's first label starts, to report warnings in file order.
fn first_offset(d: &dyn miette::Diagnostic) -> usize {
    d.labels()
        .and_then(|mut labels| labels.next())
        .map_or(0, |l| l.offset())
}

struct Checker<'a> {
    files: &'a [ast::PolicyFile],
    sources: &'a [SourceFile],
    program: Program,
    errors: Vec<(FileId, CheckError)>,
    /// The file whose items are being compiled; every span belongs to it.
    file: FileId,
    code_sets: Definitions<'a, ast::CodeSetDecl, CodeSet>,
    /// Codes and ranges copied from one set into another so far, against
    /// [`crate::pack::limits::MAX_SET_CODES`]; `None` once the limit was passed and reported.
    set_codes_copied: Option<usize>,
    diagnosis_sets: Definitions<'a, ast::DiagnosisSetDecl, DiagnosisSet>,
    terms: Definitions<'a, ast::TermDecl, Term>,
    /// How deep each compiled term's condition is, with the terms it uses written out.
    term_depth: Vec<usize>,
    /// Whether each compiled term tests "the line" (and so only fits line rules).
    term_needs_line: Vec<bool>,
    rule_ids: HashMap<&'a str, Loc>,
    table_decls: IndexMap<&'a str, (FileId, &'a ast::TableDecl)>,
    /// The compiled table of each declaration, in declaration order; `None` if it failed.
    table_ids: Vec<Option<TableId>>,
    /// Each pair-edit table by name, given its id when its declaration is checked.
    edit_table_ids: HashMap<&'a str, EditTableId>,
    /// The pair-edit tables being read ([`edit_loads`]), in declaration order: their ids
    /// follow the tables in the program.
    reading_edit_tables: Vec<national::ReadingEditTable<'a>>,
    /// Every table column by name, for `code.<column>`.
    columns: HashMap<&'a str, (ColumnRef, ColumnType)>,
    /// Columns of tables whose data did not load.
    failed_columns: std::collections::HashSet<&'a str>,
    /// The id of each distinct compiled code list.
    set_ids: HashMap<CodeSet, SetId>,
    /// Sets, tables and terms some rule, term or set refers to, by namespace and name.
    used: std::collections::HashSet<(Namespace, String)>,
    layout: Layout,
    /// Every `override rule`, `disable rule` and `change rule`, in load order.
    changes: Vec<layers::Change<'a>>,
    /// Inside the `where` of `another line`, where `the other line` can be tested.
    in_where: bool,
    /// Whether the rule being compiled has a diagnosis in scope (`for each line diagnosis`),
    /// so that `diagnosis.<column>` can be read.
    diagnosis_scope: bool,
    /// Whether a term is being compiled (its conditions cannot read `diagnosis.<column>`).
    in_term: bool,
}

impl<'a> Checker<'a> {
    fn new(files: &'a [ast::PolicyFile], sources: &'a [SourceFile], layout: Layout) -> Self {
        let mut program = Program::default();
        for (name, field, ty) in ClaimField::all() {
            program.facts.insert(
                name.into(),
                FactDef {
                    ty,
                    origin: FactOrigin::Claim(field),
                    loc: None,
                },
            );
        }
        Checker {
            files,
            sources,
            program,
            errors: Vec::new(),
            file: FileId(0),
            code_sets: Definitions::default(),
            set_codes_copied: Some(0),
            diagnosis_sets: Definitions::default(),
            terms: Definitions::default(),
            term_depth: Vec::new(),
            term_needs_line: Vec::new(),
            in_where: false,
            rule_ids: HashMap::new(),
            table_decls: IndexMap::new(),
            table_ids: Vec::new(),
            edit_table_ids: HashMap::new(),
            reading_edit_tables: Vec::new(),
            columns: HashMap::new(),
            failed_columns: std::collections::HashSet::new(),
            set_ids: HashMap::new(),
            used: std::collections::HashSet::new(),
            layout,
            changes: Vec::new(),
            diagnosis_scope: false,
            in_term: false,
        }
    }

    fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }

    fn error(&mut self, e: impl Into<CheckError>) {
        self.errors.push((self.file, e.into()));
    }

    fn items(&self) -> impl Iterator<Item = (FileId, &'a ast::Item)> + 'a {
        self.files
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.items.iter().map(move |item| (FileId(i as u32), item)))
    }

    /// Where an earlier definition is, for "defined twice" help lines.
    fn describe_loc(&self, loc: Loc) -> String {
        let file = &self.sources[loc.file.0 as usize];
        let (line, col) = file.line_col(loc.span.start);
        format!("{}:{line}:{col}", file.name)
    }

    fn duplicate(&mut self, kind: &'static str, name: &str, span: Span, first: String) {
        self.error(Duplicate {
            kind,
            name: name.to_string(),
            span: span.into(),
            help: first,
        });
    }

    // ------------------------------------------------------------------ declarations

    fn declare(&mut self) {
        let mut first_seen: HashMap<(Namespace, &'a str), Loc> = HashMap::new();
        for (file, item) in self.items() {
            self.file = file;
            match item {
                ast::Item::Fact(f) => self.declare_fact(f),
                ast::Item::Codes(c) => {
                    let note = "code sets and tables share names; ";
                    let kind = DefinitionKind::CodeSet;
                    if self.first(&mut first_seen, kind, (&c.name.text, c.name.span), note) {
                        self.code_sets.declare(&c.name.text, file, c);
                    }
                }
                ast::Item::Table(t) => {
                    // A table's name stands for its codes, so it shares the code sets' names.
                    let note = "a table's name also names the set of its codes; ";
                    let named = (t.name.text.as_str(), t.name.span);
                    // A table keyed by diagnosis also names a diagnosis set.
                    if self.first(&mut first_seen, DefinitionKind::Table, named, note)
                        && (t.key != ast::TableKey::Diagnosis
                            || self.first(
                                &mut first_seen,
                                DefinitionKind::DiagnosisSet,
                                named,
                                "a table keyed by diagnosis also names a diagnosis set; ",
                            ))
                    {
                        self.table_decls.insert(&t.name.text, (file, t));
                    }
                }
                ast::Item::Diagnoses(d) => {
                    let kind = DefinitionKind::DiagnosisSet;
                    if self.first(&mut first_seen, kind, (&d.name.text, d.name.span), "") {
                        self.diagnosis_sets.declare(&d.name.text, file, d);
                    }
                }
                ast::Item::Term(t) => {
                    if self.first(
                        &mut first_seen,
                        DefinitionKind::Term,
                        (&t.name.text, t.name.span),
                        "",
                    ) {
                        self.terms.declare(&t.name.text, file, t);
                        self.term_depth.push(0);
                        self.term_needs_line.push(false);
                    }
                }
                ast::Item::Rule(r) if r.overrides => self.changes.push(layers::Change {
                    file,
                    pack: self.pack_of(file),
                    id: &r.id,
                    effective: r.effective.as_ref(),
                    kind: layers::ChangeKind::Override,
                }),
                ast::Item::Disable(d) => self.changes.push(layers::Change {
                    file,
                    pack: self.pack_of(file),
                    id: &d.id,
                    effective: d.effective.as_ref(),
                    kind: layers::ChangeKind::Disable { reason: &d.reason },
                }),
                ast::Item::Change(c) => self.changes.push(layers::Change {
                    file,
                    pack: self.pack_of(file),
                    id: &c.id,
                    effective: c.effective.as_ref(),
                    kind: layers::ChangeKind::Action {
                        to: &c.to,
                        reason: &c.reason,
                    },
                }),
                ast::Item::Pack(_)
                | ast::Item::Phrase(_)
                | ast::Item::Cue(_)
                | ast::Item::Abbreviation(_) => {}
                ast::Item::Rule(r) => {
                    let loc = self.loc(r.id.span);
                    if let Some(prev) = self.rule_ids.insert(&r.id.text, loc) {
                        self.rule_ids.insert(&r.id.text, prev);
                        let (below, here) = (self.pack_of(prev.file), self.pack_of(file));
                        let first = if below != here && self.is_below(below, here) {
                            format!(
                                "a pack below defines it, in {}; to change it here, write `override rule {}`",
                                self.describe_loc(prev),
                                r.id.text
                            )
                        } else {
                            format!(
                                "rule ids must be unique across all loaded packs; the first is in {}",
                                self.describe_loc(prev)
                            )
                        };
                        self.duplicate("rule", &r.id.text, r.id.span, first);
                    }
                }
            }
        }
    }

    /// Records the first definition of a name in a namespace; a later one is a duplicate
    /// `kind`, reported with `note` and where the first one is. `true` for the first.
    fn first(
        &mut self,
        seen: &mut HashMap<(Namespace, &'a str), Loc>,
        kind: DefinitionKind,
        (name, span): (&'a str, Span),
        note: &str,
    ) -> bool {
        match seen.entry((kind.namespace(), name)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(self.loc(span));
                true
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let first = format!(
                    "{note}the first definition is in {}",
                    self.describe_loc(*o.get())
                );
                self.duplicate(kind.describe(), name, span, first);
                false
            }
        }
    }

    // ------------------------------------------------------------------ rules

    fn compile_rules(&mut self) {
        let rules: Vec<(FileId, &'a ast::RuleDecl)> = self
            .items()
            .filter_map(|(file, item)| match item {
                ast::Item::Rule(r) => Some((file, r)),
                _ => None,
            })
            .collect();
        for (file, decl) in rules {
            self.file = file;
            let idx = self.program.rules.len() as RuleIdx;
            let kind = match &decl.body {
                ast::RuleBody::Derive(ds) => {
                    for d in ds {
                        if let Some(d) = self.derivation(d) {
                            self.program.derivations.push((idx, d));
                        }
                    }
                    Some(RuleKind::Derive)
                }
                ast::RuleBody::Pairs {
                    edits,
                    bypass,
                    message,
                } => self.pair_rule(idx, edits, bypass, message.as_ref()),
                ast::RuleBody::Check(c) => self.check_rule(idx, c),
                ast::RuleBody::TableEdits {
                    table,
                    across_claims,
                    bypass,
                    message,
                } => {
                    // A table's edits can fire on any claim; the table's own index finds them.
                    self.program.index.always.push(idx);
                    self.table_edits_rule(table, *across_claims, bypass, message.as_ref())
                }
            };
            let pack = self.pack_of(file);
            let window = self.in_force(pack, decl.effective.as_ref());
            if let (Some(kind), Some(window)) = (kind, window) {
                self.program.rules.push(Rule {
                    id: decl.id.text.as_str().into(),
                    loc: self.loc(decl.span),
                    kind,
                    pack,
                    in_force: if window.is_empty() {
                        Vec::new()
                    } else {
                        vec![window]
                    },
                    action_changes: Vec::new(),
                });
            }
        }
    }

    fn derivation(&mut self, d: &ast::Derivation) -> Option<Derivation> {
        let condition = self.condition(&d.condition, false);
        let conclusion = self.conclusion(&d.conclusion);
        Some(Derivation {
            condition: condition?,
            conclusion: conclusion?,
            loc: self.loc(d.span),
        })
    }

    fn pair_rule(
        &mut self,
        idx: RuleIdx,
        edits: &[ast::PairEdit],
        bypass: &[ast::Bypass],
        message: Option<&ast::Word>,
    ) -> Option<RuleKind> {
        let custom = message.and_then(|m| self.message(m, messages::MessageScope::Pair));
        let bypass = self.bypass(bypass);
        let mut out = Vec::with_capacity(edits.len());
        let mut ok = (message.is_none() || custom.is_some()) && bypass.is_some();
        let bypass = bypass.unwrap_or_default();
        for e in edits {
            let column2 = self.code_ref(&e.column2);
            let column1 = self.code_ref(&e.column1);
            let verdict = self.verdict(e);
            let (Some(column2), Some(column1), Some(verdict)) = (column2, column1, verdict) else {
                ok = false;
                continue;
            };
            let message = custom
                .clone()
                .unwrap_or_else(|| self.default_pair_message(e));
            self.program
                .index
                .add_set(&self.program.code_sets[column2.index()], idx);
            out.push(PairEdit {
                column2,
                column1,
                same_session: e.same_session,
                verdict,
                bypass: bypass.clone(),
                message,
                loc: self.loc(e.span),
            });
        }
        ok.then_some(RuleKind::Pairs(out))
    }

    fn verdict(&mut self, e: &ast::PairEdit) -> Option<PairVerdict> {
        let window = match &e.when {
            Some(test) => self.window(test)?,
            None => DateWindow::default(),
        };
        Some(PairVerdict {
            allowed: e.verdict == ast::PairVerdict::Allowed,
            window,
        })
    }

    fn default_pair_message(&self, e: &ast::PairEdit) -> Message {
        use ast::{PairVerdict::*, TimeTest::*};
        let text = |p: &ast::TimePoint| match p {
            ast::TimePoint::Date(w) => w.text.clone(),
            ast::TimePoint::Cci(w) => format!("CCI {}", w.text),
        };
        let when = match (e.verdict, &e.when) {
            (_, None) => String::new(),
            (Allowed, Some(After(p))) | (Denied, Some(Before(p))) => format!(" before {}", text(p)),
            (Allowed, Some(Before(p))) | (Denied, Some(After(p))) => {
                format!(" from {} on", text(p))
            }
            (Denied, Some(Between(a, b))) => format!(" from {} through {}", text(a), text(b)),
            (Allowed, Some(Between(a, b))) => format!(" outside {} through {}", text(a), text(b)),
        };
        let session = if e.same_session {
            " in the same session"
        } else {
            ""
        };
        Message {
            parts: vec![
                MessagePart::Placeholder(Placeholder::Code),
                MessagePart::Text(" is bundled into ".into()),
                MessagePart::Placeholder(Placeholder::With),
                MessagePart::Text(format!("{session}{when}").into()),
            ],
        }
    }

    fn check_rule(&mut self, idx: RuleIdx, c: &ast::CheckRule) -> Option<RuleKind> {
        let target = c.target.as_ref().map(|t| self.code_ref(t));
        let has_line = c.each_line || c.each_diagnosis.is_some();
        let each_diagnosis = c.each_diagnosis.as_ref().map(|d| self.diagnosis_target(d));
        self.diagnosis_scope = c.each_diagnosis.is_some();
        let compiled = self.check_rule_body(idx, c, target, has_line);
        self.diagnosis_scope = false;
        let mut kind = compiled?;
        if let (Some(each), RuleKind::Check(check)) = (each_diagnosis, &mut kind) {
            check.diagnoses = Some(each?);
        }
        Some(kind)
    }

    fn check_rule_body(
        &mut self,
        idx: RuleIdx,
        c: &ast::CheckRule,
        target: Option<Option<SetId>>,
        has_line: bool,
    ) -> Option<RuleKind> {
        let when = c.when.as_ref().map(|w| self.condition(w, has_line));
        let unless = c.unless.as_ref().map(|u| self.condition(u, has_line));
        let scope = if has_line {
            messages::MessageScope::Line
        } else {
            messages::MessageScope::Claim
        };
        let other_known = matches!(&when, Some(Some(w)) if self.matches_other_line(w));
        let mut actions = Vec::with_capacity(c.actions.len());
        let mut ok = true;
        for a in &c.actions {
            match self.action(a, has_line, scope, other_known) {
                Some(a) => actions.push(a),
                None => ok = false,
            }
        }
        let target = match target {
            None if has_line => Target::AllLines,
            None => Target::Claim,
            Some(set) => Target::Lines(set?),
        };
        let when = when.map(|w| w.ok_or(())).transpose().ok()?;
        let unless = unless.map(|u| u.ok_or(())).transpose().ok()?;
        if !ok {
            return None;
        }
        // Line rules are indexed by the codes of the lines they can fire on, so that a claim's
        // other lines are not judged by them; rules that need a code on the claim, by it.
        match (target, trigger_set(when.as_ref())) {
            (Target::Lines(set), _) => {
                let judged = &self.program.code_sets[set.index()];
                match trigger_codes_by_column(&self.program, when.as_ref()) {
                    Some(column) => {
                        let codes = column.exact.into_iter().filter(|c| judged.contains(*c));
                        let narrowed = CodeSet::new(codes.collect(), Vec::new());
                        self.program.index.add_lines(&narrowed, idx);
                        self.program.index.narrowed.push((idx, set));
                    }
                    None => self.program.index.add_lines(judged, idx),
                }
            }
            (_, Some(set)) => self
                .program
                .index
                .add_set(&self.program.code_sets[set.index()], idx),
            (Target::AllLines, None) => {
                if let Some(codes) = trigger_codes_by_column(&self.program, when.as_ref()) {
                    self.program.index.add_lines(&codes, idx);
                } else if let Some(modifiers) = trigger_modifiers(when.as_ref()) {
                    self.program.index.add_modifiers(&modifiers, idx);
                } else {
                    self.program.index.always.push(idx);
                }
            }
            (Target::Claim, None) => self.program.index.always.push(idx),
        }
        Some(RuleKind::Check(CheckRule {
            target,
            diagnoses: None,
            when,
            unless,
            actions,
        }))
    }

    fn action(
        &mut self,
        a: &ast::Action,
        has_line: bool,
        scope: messages::MessageScope,
        other_known: bool,
    ) -> Option<Action> {
        let kind = match &a.kind {
            ast::ActionKind::Deny => Some(ActionKind::Deny),
            ast::ActionKind::Review => Some(ActionKind::Review),
            ast::ActionKind::Info => Some(ActionKind::Info),
            ast::ActionKind::Suggest(code) if columns::is_column(&code.text) => self
                .code_column(code, has_line)
                .map(ActionKind::SuggestColumn),
            ast::ActionKind::Suggest(code) => self.code(code).map(ActionKind::Suggest),
            ast::ActionKind::AddModifier(m) => self.modifier(m).map(ActionKind::AddModifier),
            ast::ActionKind::RemoveModifier(m) => self.modifier(m).map(ActionKind::RemoveModifier),
            ast::ActionKind::RemoveLine => Some(ActionKind::RemoveLine),
            ast::ActionKind::MergeWithOther(m) => {
                let m = self.modifier(m);
                if has_line && !other_known {
                    self.no_other_line("`merge with the other line`", a.span);
                    None
                } else {
                    m.map(ActionKind::MergeWithOther)
                }
            }
        };
        let line_bound = !matches!(
            a.kind,
            ast::ActionKind::Deny | ast::ActionKind::Review | ast::ActionKind::Info
        );
        if line_bound && !has_line {
            self.error(NeedsLine {
                what: format!("`{}`", self.action_text(a)),
                span: a.span.into(),
            });
            return None;
        }
        let message = self.message(&a.message, scope);
        let names_other = message.as_ref().is_some_and(|m| {
            m.parts
                .contains(&MessagePart::Placeholder(Placeholder::OtherLine))
        });
        if names_other && !other_known {
            self.no_other_line("`{other_line}`", a.message.span);
            return None;
        }
        Some(Action {
            kind: kind?,
            message: message?,
            loc: self.loc(a.span),
        })
    }

    fn action_text(&self, a: &ast::Action) -> &'static str {
        match a.kind {
            ast::ActionKind::Suggest(_) => "suggest",
            ast::ActionKind::AddModifier(_) => "modify add modifier",
            ast::ActionKind::RemoveModifier(_) => "modify remove modifier",
            ast::ActionKind::RemoveLine => "modify remove line",
            ast::ActionKind::MergeWithOther(_) => "modify merge with the other line",
            _ => a.kind.keyword(),
        }
    }
}

/// The code set a claim must hold for a line-less rule to fire: a `claim has …` test that
/// stands at the top of the rule's `when` (alone or joined by `and`).
/// The codes a line rule can fire for when its `when` tests a column of a code table
/// (`code.status in (B, P)`): the codes whose row, in any release of a dated table, holds a
/// value that passes the test. The tables are read before the rules, their given rows too, so
/// the set is exact for the engine; a code outside it gets false or unknown, never true. `None`
/// when no such test is a necessary part of the condition.
fn trigger_codes_by_column(program: &Program, when: Option<&Cond>) -> Option<CodeSet> {
    let c = when?;
    match &c.kind {
        CondKind::Attr(column, test) => {
            let table = program.tables.get(column.table.index())?;
            if table.key != TableKeyKind::Code {
                return None;
            }
            let mut set = CodeSet::default();
            for &code in table.rows.keys() {
                if table
                    .rows_of(code)
                    .any(|row| test.holds(table.cell_at(row, column.column)) == Some(true))
                {
                    set.exact.push(code);
                }
            }
            set.normalize();
            Some(set)
        }
        CondKind::And(a, b) => trigger_codes_by_column(program, Some(a))
            .or_else(|| trigger_codes_by_column(program, Some(b))),
        CondKind::Or(a, b) => {
            let mut both = trigger_codes_by_column(program, Some(a))?;
            let other = trigger_codes_by_column(program, Some(b))?;
            both.exact.extend(other.exact);
            both.normalize();
            Some(both)
        }
        _ => None,
    }
}

/// Modifiers one of which the line a line rule judges must carry for its `when` to hold: the
/// rule cannot fire on a claim without one of them on a line. `None` when no such list can be
/// read off the condition. In three-valued logic `when` fires only on true, and `line has
/// modifier …` is never unknown, so a conjunct of it is a necessary condition, and so is every
/// branch of a disjunction having one.
fn trigger_modifiers(when: Option<&Cond>) -> Option<Vec<crate::codes::Modifier>> {
    let c = when?;
    match &c.kind {
        CondKind::LineHasModifier(modifiers) => Some(modifiers.clone()),
        CondKind::And(a, b) => match (trigger_modifiers(Some(a)), trigger_modifiers(Some(b))) {
            (Some(x), Some(y)) => Some(if x.len() <= y.len() { x } else { y }),
            (x, y) => x.or(y),
        },
        CondKind::Or(a, b) => {
            let mut both = trigger_modifiers(Some(a))?;
            both.extend(trigger_modifiers(Some(b))?);
            both.sort_unstable();
            both.dedup();
            Some(both)
        }
        _ => None,
    }
}

fn trigger_set(when: Option<&Cond>) -> Option<SetId> {
    let c = when?;
    match &c.kind {
        CondKind::ClaimHasCode(m) if m.columns.is_empty() => Some(m.set),
        CondKind::And(a, b) => trigger_set(Some(a)).or_else(|| trigger_set(Some(b))),
        _ => None,
    }
}
