//! The compiled form of a set of packs: what the checker produces and the evaluator walks.
//!
//! Names are resolved to indexes, literals to typed values, code lists to sorted sets, and the
//! rules are indexed by the codes that can trigger them. Every node keeps the [`Loc`] it came
//! from, so that findings and explanations point back at the policy text.

use rustc_hash::FxHashMap;

use indexmap::IndexMap;

pub use crate::claim::ClaimSource;
use crate::codes::{Code, Date, Diagnosis, DiagnosisPattern, Modifier};
pub use crate::line_attr::LineAttr;
use crate::syntax::ast::CompareOp;
use crate::syntax::span::{Loc, SourceFile};

pub use crate::facts::{Conclusion, FactId, Value};
pub type RuleIdx = u32;
pub type PackId = u16;
pub type EditTableId = u32;

/// An index into one of the program's lists, as its own type so that an index of one list is
/// never taken for another's. Only the checker makes them, from the list's length.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index, to read the list.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A code set ([`Program::code_sets`]) or a diagnosis set ([`Program::diagnosis_sets`]).
    SetId
);
index_type!(
    /// A term ([`Program::terms`]).
    TermId
);
index_type!(
    /// A code table ([`Program::tables`]).
    TableId
);

mod conditions;
mod facts;
mod history;
mod rules;
mod tables;

pub use conditions::*;
pub use facts::*;
pub use history::*;
pub use rules::*;
pub use tables::*;

/// Everything loaded, resolved and indexed; shared read-only by every evaluation.
#[derive(Debug, Default)]
pub struct Program {
    pub sources: Vec<SourceFile>,
    pub facts: IndexMap<Box<str>, FactDef>,
    pub code_sets: Vec<CodeSet>,
    pub diagnosis_sets: Vec<DiagnosisSet>,
    pub terms: Vec<Term>,
    pub tables: Vec<Table>,
    /// Pair-edit tables (`table "…" of pair edits`): the NCCI PTP edits.
    pub edit_tables: Vec<EditTable>,
    /// The loaded packs, bottom first.
    pub packs: Vec<Pack>,
    pub rules: Vec<Rule>,
    /// Rules that packs disabled, and why.
    pub disabled: Vec<Disabled>,
    /// The derivations of every `implies` rule, in source order, with the rule they belong to.
    pub derivations: Vec<(RuleIdx, Derivation)>,
    /// For each fact, the derivations (indexes of `derivations`) whose condition reads it,
    /// through the terms it uses too: when a derivation changes the fact, these are the ones
    /// to try again.
    pub derivation_readers: Vec<Vec<u32>>,
    /// The facts read from the claim's own fields, with their field: bound for every claim
    /// without a pass over all the facts the packs declare.
    pub claim_facts: Vec<(FactId, ClaimField)>,
    pub index: RuleIndex,
    /// Which rules `same reason as` relates: their findings of one action on one line are
    /// given once.
    pub same_reason: SameReason,
    /// The packs' `phrase`, `cue` and `abbreviation` statements, compiled for reading notes.
    pub vocabulary: crate::note::Vocabulary,
    /// Whether some rule reads the patient's history (a frequency limit, a duplicate, a window
    /// after an earlier line, edits across claims): a run without one needs no store lookups.
    pub uses_history: bool,
}

impl Program {
    pub fn source(&self, loc: Loc) -> &SourceFile {
        &self.sources[loc.file.0 as usize]
    }

    /// `(file, line, column)` of a location.
    pub fn position(&self, loc: Loc) -> (&str, u32, u32) {
        let file = self.source(loc);
        let (line, col) = file.line_col(loc.span.start);
        (&file.name, line, col)
    }

    /// The policy text a location covers.
    pub fn text(&self, loc: Loc) -> &str {
        let file = self.source(loc);
        file.text
            .get(loc.span.start as usize..loc.span.end as usize)
            .unwrap_or("")
    }

    /// Whether a table of this name holds national data published by CMS: a table of pair
    /// edits or of unit limits.
    pub fn is_national_table(&self, name: &str) -> bool {
        self.edit_tables.iter().any(|t| *t.name == *name)
            || self
                .tables
                .iter()
                .any(|t| t.national.is_some() && *t.name == *name)
    }

    pub fn fact(&self, id: FactId) -> (&str, &FactDef) {
        self.facts
            .get_index(id as usize)
            .map(|(k, v)| (&**k, v))
            .unwrap_or(("?", &UNKNOWN_FACT))
    }
}

static UNKNOWN_FACT: FactDef = FactDef {
    ty: FactType::Text,
    origin: FactOrigin::Derived,
    loc: None,
};
