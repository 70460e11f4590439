//! Named definitions: the namespaces a policy's names live in, and one store per kind of
//! definition that compiles each definition once, after the definitions it names, and tells a
//! cycle from a definition not yet compiled.

use indexmap::IndexMap;

use super::error::{Cycle, UnknownName};
use super::order::{depth_first, Visit};
use super::warning;
use super::Checker;
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Span};

/// Where a name is looked up. Code sets and tables share one namespace: a table's name also
/// names the set of its codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Namespace {
    CodeSet,
    DiagnosisSet,
    Term,
}

/// What a declaration defines, as diagnostics name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum DefinitionKind {
    CodeSet,
    Table,
    PairEditTable,
    DiagnosisSet,
    Term,
    /// A table keyed by diagnosis: its name is a diagnosis set, but shares the tables' names.
    DiagnosisTable,
}

impl DefinitionKind {
    /// The namespace its name lives in.
    pub(super) fn namespace(self) -> Namespace {
        match self {
            DefinitionKind::CodeSet
            | DefinitionKind::Table
            | DefinitionKind::PairEditTable
            | DefinitionKind::DiagnosisTable => Namespace::CodeSet,
            DefinitionKind::DiagnosisSet => Namespace::DiagnosisSet,
            DefinitionKind::Term => Namespace::Term,
        }
    }

    /// The words a diagnostic uses for it: "code set", "table of pair edits".
    pub(super) fn describe(self) -> &'static str {
        match self {
            DefinitionKind::CodeSet => "code set",
            DefinitionKind::Table | DefinitionKind::DiagnosisTable => "table",
            DefinitionKind::PairEditTable => "table of pair edits",
            DefinitionKind::DiagnosisSet => "diagnosis set",
            DefinitionKind::Term => "term",
        }
    }

    /// How a definition of this kind is put to use, for the "never used" warning.
    pub(super) fn how_to_use(self) -> &'static str {
        match self {
            DefinitionKind::Term => "use it in a rule's `when` or `unless`, or remove it",
            DefinitionKind::DiagnosisSet => "use it in `claim has diagnosis \"…\"`, or remove it",
            DefinitionKind::Table => {
                "use its name as a code list or its columns as `code.<column>`, or remove it"
            }
            DefinitionKind::PairEditTable => {
                "apply it with a rule: `apply edits of \"…\"`, or remove it"
            }
            DefinitionKind::DiagnosisTable => {
                "use its name as a diagnosis list (`line diagnosis in \"…\"`) or its columns as \
                 `diagnosis.<column>` in a `for each line diagnosis` rule, or remove it"
            }
            DefinitionKind::CodeSet => {
                "use it in a rule, such as `for each line in \"…\"`, or remove it"
            }
        }
    }
}

/// Where a definition is in its compilation.
enum State<T> {
    /// Not started.
    Pending,
    /// Being compiled: met again before it is done, it is part of a cycle.
    Active,
    /// Compiled: `None` if it had an error.
    Done(Option<T>),
}

/// What looking a definition up by its index found.
pub(super) enum Lookup<'a, D> {
    /// Compiled already (see [`Definitions::value`]).
    Done,
    /// Being compiled: naming it here closes a cycle.
    Cycle,
    /// Not compiled yet: it is now marked active, and the caller compiles it from this
    /// declaration, then calls [`Definitions::finish`].
    Compile(FileId, &'a D),
}

/// The declarations of one kind, by name in declaration order, each with its compiled value.
pub(super) struct Definitions<'a, D, T> {
    decls: IndexMap<&'a str, (FileId, &'a D)>,
    states: Vec<State<T>>,
}

impl<'a, D, T> Default for Definitions<'a, D, T> {
    fn default() -> Self {
        Definitions {
            decls: IndexMap::new(),
            states: Vec::new(),
        }
    }
}

impl<'a, D, T> Definitions<'a, D, T> {
    /// Declares a definition; its index is the number declared before it.
    pub(super) fn declare(&mut self, name: &'a str, file: FileId, decl: &'a D) {
        self.decls.insert(name, (file, decl));
        self.states.push(State::Pending);
    }

    pub(super) fn index_of(&self, name: &str) -> Option<usize> {
        self.decls.get_index_of(name)
    }

    /// Every declared name, in declaration order.
    pub(super) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.decls.keys().copied()
    }

    /// Every declaration with its file, in declaration order.
    pub(super) fn decls(&self) -> impl Iterator<Item = (FileId, &'a D)> + '_ {
        self.decls.values().copied()
    }

    /// The declaration at an index.
    pub(super) fn decl(&self, i: usize) -> Option<(FileId, &'a D)> {
        self.decls.get_index(i).map(|(_, v)| *v)
    }

    /// Looks a definition up to use it, starting its compilation if it is pending.
    pub(super) fn lookup(&mut self, i: usize) -> Lookup<'a, D> {
        let Some(state) = self.states.get_mut(i) else {
            return Lookup::Done;
        };
        match state {
            State::Pending => {
                *state = State::Active;
                match self.decls.get_index(i) {
                    Some((_, &(file, decl))) => Lookup::Compile(file, decl),
                    None => Lookup::Done,
                }
            }
            State::Active => Lookup::Cycle,
            State::Done(_) => Lookup::Done,
        }
    }

    /// Marks a pending definition active, as the walk in compile order enters it; a
    /// definition already started is left as it is.
    pub(super) fn enter(&mut self, i: usize) {
        if let Some(state @ State::Pending) = self.states.get_mut(i) {
            *state = State::Active;
        }
    }

    /// The compiled value of a definition; `None` if it failed or is not compiled yet.
    pub(super) fn value(&self, i: usize) -> Option<&T> {
        match self.states.get(i) {
            Some(State::Done(value)) => value.as_ref(),
            _ => None,
        }
    }

    /// Whether the definition is being compiled.
    pub(super) fn is_active(&self, i: usize) -> bool {
        matches!(self.states.get(i), Some(State::Active))
    }

    /// Records a definition's compiled value (`None` after an error).
    pub(super) fn finish(&mut self, i: usize, value: Option<T>) {
        if let Some(state) = self.states.get_mut(i) {
            *state = State::Done(value);
        }
    }

    /// Each definition's compiled value, in declaration order: `None` for one that failed.
    pub(super) fn into_values(self) -> impl Iterator<Item = Option<T>> {
        self.states.into_iter().map(|s| match s {
            State::Done(value) => value,
            State::Pending | State::Active => None,
        })
    }
}

/// Where the checker keeps the definitions of one kind, and how it compiles one that is
/// active, recording its value with [`Definitions::finish`].
pub(super) type Compiler<'a, D, T> = (
    for<'c> fn(&'c mut Checker<'a>) -> &'c mut Definitions<'a, D, T>,
    fn(&mut Checker<'a>, usize, FileId, &'a D),
);

impl<'a> Checker<'a> {
    /// Compiles every definition of one kind, each after the definitions it names, without
    /// recursing from one into the next: a chain of thousands must not overflow the stack.
    ///
    /// `names[i]` lists the definitions the `i`th one names.
    pub(super) fn compile_in_order<D, T>(
        &mut self,
        names: &[Vec<usize>],
        (defs, compile): Compiler<'a, D, T>,
    ) {
        for visit in depth_first(names) {
            match visit {
                Visit::Enter(i) => defs(self).enter(i),
                Visit::Leave(i) => {
                    let store = defs(self);
                    if let (true, Some((file, decl))) = (store.is_active(i), store.decl(i)) {
                        compile(self, i, file, decl);
                    }
                }
            }
        }
    }

    /// The value of a named definition at index `i`, compiling it first if it is pending (a
    /// name the walk in compile order did not see); `None` after an error in it, or if naming
    /// it closes a cycle, which is reported at `span`.
    pub(super) fn resolve<D, T>(
        &mut self,
        kind: DefinitionKind,
        (name, span): (&str, Span),
        i: usize,
        (defs, compile): Compiler<'a, D, T>,
    ) -> Option<&T> {
        match defs(self).lookup(i) {
            Lookup::Done => {}
            Lookup::Cycle => {
                self.error(Cycle {
                    kind: kind.describe(),
                    name: name.to_string(),
                    span: span.into(),
                });
                return None;
            }
            Lookup::Compile(file, decl) => compile(self, i, file, decl),
        }
        defs(self).value(i)
    }

    /// Reports a name that no definition of its kind has, with the nearest of `names`.
    pub(super) fn unknown_name(
        &mut self,
        kind: DefinitionKind,
        name: &ast::Word,
        names: Vec<&str>,
    ) {
        let help = did_you_mean(&name.text, names, kind.describe());
        self.error(UnknownName {
            kind: kind.describe(),
            name: name.text.clone(),
            span: name.span.into(),
            help,
        });
    }

    /// Records that a set, table or term is referred to, for the "never used" warnings.
    pub(super) fn mark_used(&mut self, namespace: Namespace, name: &ast::Word) -> &mut Self {
        self.used.insert((namespace, name.text.clone()));
        self
    }

    /// A warning for every set, table and term that nothing refers to.
    pub(super) fn unused_warnings(&self) -> Vec<(FileId, warning::CheckWarning)> {
        let tables = self.table_decls.values().map(|&(file, d)| {
            let kind = match d.kind {
                ast::TableKind::PairEdits => DefinitionKind::PairEditTable,
                _ if d.key == ast::TableKey::Diagnosis => DefinitionKind::DiagnosisTable,
                _ => DefinitionKind::Table,
            };
            (file, kind, &d.name.text, d.name.span)
        });
        let code_sets = (self.code_sets.decls())
            .map(|(f, d)| (f, DefinitionKind::CodeSet, &d.name.text, d.name.span));
        let diagnosis_sets = (self.diagnosis_sets.decls())
            .map(|(f, d)| (f, DefinitionKind::DiagnosisSet, &d.name.text, d.name.span));
        let terms =
            (self.terms.decls()).map(|(f, d)| (f, DefinitionKind::Term, &d.name.text, d.name.span));
        code_sets
            .chain(tables)
            .chain(diagnosis_sets)
            .chain(terms)
            .filter(|(_, kind, name, _)| !self.used.contains(&(kind.namespace(), name.to_string())))
            .map(|(file, kind, name, span)| {
                let unused = warning::Unused {
                    kind: kind.describe(),
                    name: name.to_string(),
                    span: span.into(),
                    help: kind.how_to_use().into(),
                };
                (file, unused.into())
            })
            .collect()
    }
}
