//! The compiled form of a set of packs: what the checker produces and the evaluator walks.
//!
//! Names are resolved to indexes, literals to typed values, code lists to sorted sets, and the
//! rules are indexed by the codes that can trigger them. Every node keeps the [`Loc`] it came
//! from, so that findings and explanations point back at the policy text.

use rustc_hash::FxHashMap;

use indexmap::IndexMap;

pub use crate::claim::ClaimSource;
use crate::codes::{Code, Date, DiagnosisPattern, Modifier};
pub use crate::line_attr::LineAttr;
use crate::syntax::ast::CompareOp;
use crate::syntax::span::{Loc, SourceFile};

pub use crate::facts::{Conclusion, FactId, Value};
pub type SetId = u32;
pub type TermId = u32;
pub type RuleIdx = u32;
pub type TableId = u32;
pub type PackId = u16;
pub type EditTableId = u32;

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
    pub index: RuleIndex,
    /// Which rules `same reason as` relates: their findings of one action on one line are
    /// given once.
    pub same_reason: SameReason,
    /// The packs' `phrase`, `cue` and `abbreviation` statements, compiled for reading notes.
    pub vocabulary: crate::note::Vocabulary,
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
            || self.tables.iter().any(|t| t.national && *t.name == *name)
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

/// A fact the rules can test: a documentation fact, a derived fact or a field of the claim.
#[derive(Debug, Clone)]
pub struct FactDef {
    pub ty: FactType,
    pub origin: FactOrigin,
    /// Where it was declared; `None` for the claim's own fields.
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactType {
    Boolean,
    Number,
    Text,
    /// A two-character place-of-service code such as `22`.
    PlaceOfService,
    OneOf(Vec<Box<str>>),
    ListOf(Vec<Box<str>>),
    ListOfText,
}

impl FactType {
    /// The type in the words of the language reference.
    pub fn describe(&self) -> String {
        match self {
            FactType::Boolean => "boolean".into(),
            FactType::Number => "number".into(),
            FactType::Text => "text".into(),
            FactType::PlaceOfService => "place of service".into(),
            FactType::OneOf(c) => format!("one of ({})", c.join(", ")),
            FactType::ListOf(c) => format!("list of ({})", c.join(", ")),
            FactType::ListOfText => "list of text".into(),
        }
    }

    pub fn choices(&self) -> Option<&[Box<str>]> {
        match self {
            FactType::OneOf(c) | FactType::ListOf(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactOrigin {
    /// Read from the claim's `documentation` object.
    Documentation,
    /// Only ever set by an `implies` rule.
    Derived,
    /// A field of the claim itself.
    Claim(ClaimField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimField {
    PlaceOfService,
    Payer,
    ProviderTaxonomy,
    ProviderOwnsEquipment,
    /// The format the claim was read from: `json` or `x12`.
    Source,
}

impl ClaimField {
    pub fn all() -> [(&'static str, ClaimField, FactType); 5] {
        [
            (
                "place_of_service",
                ClaimField::PlaceOfService,
                FactType::PlaceOfService,
            ),
            ("payer", ClaimField::Payer, FactType::Text),
            (
                "provider.taxonomy",
                ClaimField::ProviderTaxonomy,
                FactType::Text,
            ),
            (
                "provider.owns_equipment",
                ClaimField::ProviderOwnsEquipment,
                FactType::Boolean,
            ),
            (
                "source",
                ClaimField::Source,
                FactType::OneOf(ClaimSource::ALL.map(|s| s.name().into()).to_vec()),
            ),
        ]
    }
}

/// An inclusive set of codes: single codes and ranges, sorted for binary search.
///
/// The checker interns sets by content, so two [`SetId`]s are equal exactly when they name the
/// same codes written the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodeSet {
    pub exact: Vec<Code>,
    pub ranges: Vec<(Code, Code)>,
}

impl CodeSet {
    pub fn contains(&self, code: Code) -> bool {
        self.exact.binary_search(&code).is_ok()
            || self
                .ranges
                .iter()
                .any(|(lo, hi)| *lo <= code && code <= *hi)
    }

    pub fn normalize(&mut self) {
        self.exact.sort_unstable();
        self.exact.dedup();
        self.ranges.sort_unstable();
        self.ranges.dedup();
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.ranges.is_empty()
    }

    /// A code that both sets hold, if any.
    pub fn common_code(&self, other: &CodeSet) -> Option<Code> {
        if let Some(c) = self.exact.iter().find(|c| other.contains(**c)) {
            return Some(*c);
        }
        if let Some(c) = other.exact.iter().find(|c| self.contains(**c)) {
            return Some(*c);
        }
        self.ranges.iter().find_map(|(lo, hi)| {
            other
                .ranges
                .iter()
                .find(|(olo, ohi)| olo <= hi && lo <= ohi)
                .map(|(olo, _)| *lo.max(olo))
        })
    }

    /// Whether every code of `self` is in `other`. Ranges of `self` count when a single range
    /// of `other` covers them.
    pub fn is_subset_of(&self, other: &CodeSet) -> bool {
        self.exact.iter().all(|c| other.contains(*c))
            && self
                .ranges
                .iter()
                .all(|(lo, hi)| other.ranges.iter().any(|(olo, ohi)| olo <= lo && hi <= ohi))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisSet {
    pub patterns: Vec<DiagnosisPattern>,
}

/// A pair-edit table: the NCCI procedure-to-procedure edits, indexed once and shared by the
/// engines built from the same files.
#[derive(Debug)]
pub struct EditTable {
    pub name: Box<str>,
    pub edits: std::sync::Arc<crate::ncci::PairEdits>,
    /// The dates of service the table is in force on; outside them no edit applies.
    pub window: DateWindow,
    pub loc: Loc,
}

/// A code table: rows keyed by a procedure code, read once from the pack's data file.
#[derive(Debug)]
pub struct Table {
    pub name: Box<str>,
    /// The data files, by name, as findings cite them.
    pub files: Vec<Box<str>>,
    /// The file of each row (an index into `files`).
    pub row_files: Vec<u16>,
    pub columns: Vec<Column>,
    /// Row of each key code.
    pub rows: FxHashMap<Code, u32>,
    /// `columns.len()` cells a row, row after row.
    pub cells: Vec<Cell>,
    /// The 1-based line of the data file each row was read from.
    pub lines: Vec<u32>,
    /// The dates of service the table is in force on; outside them it gives no value.
    pub window: DateWindow,
    pub loc: Loc,
    /// Whether it holds national data published by CMS (a table `of unit limits`) rather than
    /// rows a pack's authors wrote: its rows are not each a pack's to test.
    pub national: bool,
}

impl Table {
    /// The cell of a column for a code; `None` when the table has no row for the code or the
    /// cell is empty.
    pub fn cell(&self, code: Code, column: u32) -> Option<&Cell> {
        let row = *self.rows.get(&code)? as usize;
        match self.cells.get(row * self.columns.len() + column as usize)? {
            Cell::Empty => None,
            cell => Some(cell),
        }
    }

    /// The file and line a code's row was read from; `None` for a row a test gave.
    pub fn row_source(&self, code: Code) -> Option<(&str, u32)> {
        let row = *self.rows.get(&code)? as usize;
        let line = *self.lines.get(row)?;
        let file = self.files.get(*self.row_files.get(row)? as usize)?;
        (line > 0).then_some((&**file, line))
    }

    /// A column by name, with its index.
    pub fn column(&self, name: &str) -> Option<(u32, &Column)> {
        let i = self.columns.iter().position(|c| *c.name == *name)?;
        Some((i as u32, &self.columns[i]))
    }

    /// Makes the row of a code hold exactly these cells (the others empty), adding the row if
    /// the table has none for the code.
    pub fn set_row(&mut self, code: Code, cells: Vec<(u32, Cell)>) {
        let width = self.columns.len();
        let row = match self.rows.get(&code) {
            Some(&row) => row as usize,
            None => {
                let row = self.lines.len();
                self.rows.insert(code, row as u32);
                self.cells.resize(self.cells.len() + width, Cell::Empty);
                // Not read from the data file: no line of it to cite.
                self.lines.push(0);
                self.row_files.push(0);
                row
            }
        };
        let start = row * width;
        self.cells[start..start + width].fill(Cell::Empty);
        for (column, cell) in cells {
            if let Some(slot) = self.cells.get_mut(start + column as usize) {
                *slot = cell;
            }
        }
    }

    /// The key codes, as a set.
    pub fn keys(&self) -> CodeSet {
        let mut set = CodeSet {
            exact: self.rows.keys().copied().collect(),
            ranges: Vec::new(),
        };
        set.normalize();
        set
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: Box<str>,
    pub ty: ColumnType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Boolean,
    Number,
    Text,
    Code,
    Codes,
}

impl ColumnType {
    pub fn describe(self) -> &'static str {
        match self {
            ColumnType::Boolean => "boolean",
            ColumnType::Number => "number",
            ColumnType::Text => "text",
            ColumnType::Code => "code",
            ColumnType::Codes => "codes",
        }
    }
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Bool(bool),
    Number(f64),
    Text(Box<str>),
    Code(Code),
    Codes(CodeSet),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Bool(b) => f.write_str(if *b { "yes" } else { "no" }),
            Cell::Number(n) => write!(f, "{n}"),
            Cell::Text(t) => f.write_str(t),
            Cell::Code(c) => write!(f, "{c}"),
            Cell::Codes(set) => {
                let mut first = true;
                for c in &set.exact {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{c}")?;
                }
                for (lo, hi) in &set.ranges {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{lo}-{hi}")?;
                }
                Ok(())
            }
        }
    }
}

impl Cell {
    /// Whether a code-valued cell holds a code.
    pub fn has_code(&self, code: Code) -> bool {
        match self {
            Cell::Code(c) => *c == code,
            Cell::Codes(set) => set.contains(code),
            _ => false,
        }
    }
}

/// A column of a table, read for the code of the line a rule is on (`code.mue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnRef {
    pub table: TableId,
    pub column: u32,
}

/// Codes to look for: a fixed set, and columns of the current line's code (`code.primaries`).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeMatch {
    pub set: SetId,
    pub columns: Vec<ColumnRef>,
}

/// A number to compare units with: written in the rule or read from a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    Number(f64),
    Column(ColumnRef),
}

/// What a rule tests about a column of the line's code.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrTest {
    /// The table gives the code a value (`documented code.open_counterpart`).
    Present,
    Bool(bool),
    Number(CompareOp, f64),
    TextIn(Vec<Box<str>>),
}

/// A named condition defined once with `term … means …`.
#[derive(Debug)]
pub struct Term {
    pub name: String,
    pub condition: Cond,
    pub loc: Loc,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub struct Cond {
    pub kind: CondKind,
    pub loc: Loc,
}

/// Two conditions are the same test wherever they are written: locations stay out of equality.
impl PartialEq for Cond {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CondKind {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Term(TermId),
    LineIs(CodeMatch),
    LineHasModifier(Vec<Modifier>),
    /// An attribute of the line (`line has comparison code`, `line comparison code is …`).
    LineAttr(LineAttr, LineAttrTest),
    LineUnits(CompareOp, Limit),
    /// Units of the line's code summed over its session or the claim, through this line
    /// (`so_far`) or over all lines.
    UnitsTotal {
        same_session: bool,
        so_far: bool,
        op: CompareOp,
        limit: Limit,
    },
    /// A column of the line's code.
    Attr(ColumnRef, AttrTest),
    OtherLine {
        earlier: bool,
        same_session: bool,
        test: LineTest,
    },
    ClaimHasCode(CodeMatch),
    ClaimHasModifier(Vec<Modifier>),
    ClaimHasDiagnosis(SetId),
    ProcedureApproach(Box<str>),
    ServiceDate(DateWindow),
    Documented(FactId),
    Missing(FactId),
    /// A boolean fact compared with a value (`film_archived`, `film_archived is no`).
    BoolIs(FactId, bool),
    Number(FactId, CompareOp, f64),
    /// A text or place-of-service fact is one of these values.
    TextIn(FactId, Vec<Box<str>>),
    /// A `one of` fact's value is among these choices (a bit mask).
    ChoiceIn(FactId, u64),
    /// A `list of (…)` fact holds any of these choices (a bit mask).
    ListHasChoice(FactId, u64),
    /// A `list of text` fact holds any of these values.
    ListHasText(FactId, Vec<Box<str>>),
}

/// What a rule tests about an attribute of the line.
#[derive(Debug, Clone, PartialEq)]
pub enum LineAttrTest {
    /// The line gives it: never unknown.
    Present,
    /// Its code is among these: unknown when the line gives none.
    Codes(CodeMatch),
}

#[derive(Debug, Clone, PartialEq)]
pub enum LineTest {
    Codes(CodeMatch),
    Modifiers(Vec<Modifier>),
}

/// Inclusive bounds on the service date; `None` is open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateWindow {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl DateWindow {
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|f| date >= f) && self.until.is_none_or(|u| date <= u)
    }

    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.until), (Some(f), Some(u)) if f > u)
    }

    /// The dates of this window that `other` does not hold: none, one or two windows.
    pub fn minus(self, other: DateWindow) -> Vec<DateWindow> {
        let Some(overlap) = self.intersection(other) else {
            return vec![self];
        };
        let mut out = Vec::with_capacity(2);
        if let Some(start) = overlap.from.and_then(|d| d.pred_opt()) {
            let before = DateWindow {
                from: self.from,
                until: Some(start),
            };
            if !before.is_empty() {
                out.push(before);
            }
        }
        if let Some(end) = overlap.until.and_then(|d| d.succ_opt()) {
            let after = DateWindow {
                from: Some(end),
                until: self.until,
            };
            if !after.is_empty() {
                out.push(after);
            }
        }
        out
    }

    /// The dates both windows hold, if any.
    pub fn intersection(self, other: DateWindow) -> Option<DateWindow> {
        let until = match (self.until, other.until) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        let w = DateWindow {
            from: self.from.max(other.from),
            until,
        };
        (!w.is_empty()).then_some(w)
    }
}

/// One `A implies B`.
#[derive(Debug, Clone)]
pub struct Derivation {
    pub condition: Cond,
    pub conclusion: Conclusion,
    pub loc: Loc,
}

/// A rule as loaded: its id, where it is, what it does, the pack it comes from and the dates
/// of service it is in force on.
#[derive(Debug)]
pub struct Rule {
    pub id: Box<str>,
    pub loc: Loc,
    pub kind: RuleKind,
    pub pack: PackId,
    /// The dates of service the rule is in force on; none when packs above override or
    /// disable it on every date.
    pub in_force: Vec<DateWindow>,
}

impl Rule {
    /// Whether the rule is in force on a date of service.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.in_force.iter().any(|w| w.contains(date))
    }
}

/// A loaded pack: its manifest, and how it changes the packs below it.
#[derive(Debug, Clone)]
pub struct Pack {
    pub name: Box<str>,
    /// `None` for a pack without a manifest version.
    pub version: Option<Box<str>>,
    /// The pack it is layered on; `None` for the bottom pack.
    pub extends: Option<PackId>,
    pub description: Option<Box<str>>,
    /// When the pack's rules, changes and tables are in force.
    pub window: DateWindow,
    /// Where it was loaded from: a folder, or "the standard pack".
    pub source: Box<str>,
    /// The manifest (`pack "…"`), if the pack has one.
    pub loc: Option<Loc>,
    /// Rule ids it overrides and disables.
    pub overrides: Vec<Box<str>>,
    pub disables: Vec<Box<str>>,
}

/// `disable rule ID reason "…"`, as loaded: which pack took which rule out of force, when, and
/// why (shown by `--explain`).
#[derive(Debug, Clone)]
pub struct Disabled {
    pub rule: Box<str>,
    pub pack: PackId,
    pub reason: Box<str>,
    pub window: DateWindow,
    pub loc: Loc,
}

#[derive(Debug)]
pub enum RuleKind {
    /// `implies` rules; their derivations live in [`Program::derivations`].
    Derive,
    Check(CheckRule),
    Pairs(Vec<PairEdit>),
    /// `apply edits of "…"`: the edits of a pair-edit table.
    TableEdits(TableEdits),
}

/// The edits of a pair-edit table, as a rule applies them: on a date of service, the row of a
/// pair in force decides; indicator 0 denies every line of the column-2 code that has a line of
/// the column-1 code beside it, indicator 1 does unless one of `bypass` is on either line, and
/// indicator 9 never denies.
#[derive(Debug)]
pub struct TableEdits {
    pub table: EditTableId,
    /// Sorted, for binary search.
    pub bypass: Vec<Modifier>,
    pub message: Message,
}

#[derive(Debug)]
pub struct CheckRule {
    pub target: Target,
    pub when: Option<Cond>,
    pub unless: Option<Cond>,
    pub actions: Vec<Action>,
}

#[derive(Debug)]
pub struct Action {
    pub kind: ActionKind,
    pub message: Message,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Deny,
    Review,
    Info,
    Suggest(Code),
    /// Suggest the code a table column gives the line's code; nothing when it gives none.
    SuggestColumn(ColumnRef),
    AddModifier(Modifier),
    RemoveModifier(Modifier),
    RemoveLine,
}

/// What a check rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The claim as a whole: findings name no line.
    Claim,
    /// Every line (`for each line`).
    AllLines,
    /// The lines whose code is in the set (`for each line in …`).
    Lines(SetId),
}

/// A pair edit: the column-2 code is denied with the column-1 code when `verdict` denies on
/// the service date.
#[derive(Debug)]
pub struct PairEdit {
    pub column2: SetId,
    pub column1: SetId,
    pub same_session: bool,
    pub verdict: PairVerdict,
    pub message: Message,
    pub loc: Loc,
}

/// What a pair edit states, as written: `allowed` or `denied`, on the dates of `window` (every
/// date when it names none). Outside its window an edit states the opposite, as an NCCI edit
/// deleted in version 16.1 denied the pair until then: `allowed after CCI 16.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairVerdict {
    pub allowed: bool,
    pub window: DateWindow,
}

impl PairVerdict {
    pub fn denies_on(self, date: Date) -> bool {
        self.allowed != self.window.contains(date)
    }
}

/// The most characters a rule's message may have as written: a finding's message is a sentence
/// or two for a person to read, and every finding of a batch carries it.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// The most characters of a message once its placeholders are filled (a claim id or a table
/// cell can be long); past it the message is cut and ends with `…`.
pub const MAX_FILLED_MESSAGE_CHARS: usize = 2_000;

/// A message with its `{placeholders}` split out.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub parts: Vec<MessagePart>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    Text(Box<str>),
    Placeholder(Placeholder),
}

/// What a message can name about the finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The code of the line the finding is on.
    Code,
    /// The line number of the line the finding is on.
    Line,
    /// The units of the line the finding is on.
    Units,
    /// The claim's id.
    Claim,
    /// The claim's service date.
    Date,
    /// The code a `has` test matched on another line.
    Matched,
    /// In a pair edit, the column-1 code the line was bundled with.
    With,
    /// In the edits of a table, the rationale of the row that decided.
    Rationale,
    /// `{code.site}`: a column of the line's code.
    Column(ColumnRef),
    /// `{comparison_code}`: an attribute of the line.
    LineAttr(LineAttr),
}

impl Placeholder {
    pub const ALL: [(&'static str, Placeholder); 8] = [
        ("code", Placeholder::Code),
        ("line", Placeholder::Line),
        ("units", Placeholder::Units),
        ("claim", Placeholder::Claim),
        ("date", Placeholder::Date),
        ("matched", Placeholder::Matched),
        ("with", Placeholder::With),
        ("rationale", Placeholder::Rationale),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Column(_) => return "code.…",
            Placeholder::LineAttr(a) => return a.field(),
            _ => {}
        }
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("?", |(n, _)| n)
    }
}

/// The rules `same reason as` relates, both ways, by rule index: when a claim gets findings of
/// the same action on the same line from two related rules, the finding is given once. The
/// relation is not transitive: `a` naming `b` and `b` naming `c` relate `a` to `c` only through
/// a finding of `b` on the line.
#[derive(Debug, Default)]
pub struct SameReason {
    /// `related[starts[r]..starts[r + 1]]` are the rules related to rule `r`, sorted; `starts`
    /// is empty when no rule names another.
    starts: Vec<u32>,
    related: Vec<RuleIdx>,
}

impl SameReason {
    /// The relation of `pairs` (either way round, repeats allowed) over `rules` rules.
    pub fn new(rules: usize, mut pairs: Vec<(RuleIdx, RuleIdx)>) -> SameReason {
        pairs.retain(|(a, b)| a != b && (*a as usize) < rules && (*b as usize) < rules);
        if pairs.is_empty() {
            return SameReason::default();
        }
        let reversed: Vec<(RuleIdx, RuleIdx)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        pairs.extend(reversed);
        pairs.sort_unstable();
        pairs.dedup();
        let mut starts = vec![0u32; rules + 1];
        for &(a, _) in &pairs {
            starts[a as usize + 1] += 1;
        }
        for r in 0..rules {
            starts[r + 1] += starts[r];
        }
        SameReason {
            starts,
            related: pairs.into_iter().map(|(_, b)| b).collect(),
        }
    }

    /// Whether no rule is related to another: findings are never merged.
    pub fn is_empty(&self) -> bool {
        self.related.is_empty()
    }

    /// The rules related to `rule`, sorted.
    pub fn of(&self, rule: RuleIdx) -> &[RuleIdx] {
        let r = rule as usize;
        match (self.starts.get(r), self.starts.get(r + 1)) {
            (Some(&from), Some(&to)) => &self.related[from as usize..to as usize],
            _ => &[],
        }
    }

    /// Whether `a` and `b` are related.
    pub fn relates(&self, a: RuleIdx, b: RuleIdx) -> bool {
        self.of(a).binary_search(&b).is_ok()
    }

    /// How many pairs of rules are related.
    pub fn pairs(&self) -> usize {
        self.related.len() / 2
    }
}

/// Which rules a claim can trigger, by the codes on its lines.
#[derive(Debug, Default)]
pub struct RuleIndex {
    pub by_code: FxHashMap<Code, Vec<RuleIdx>>,
    pub by_range: Vec<(Code, Code, RuleIdx)>,
    /// Rules that mention no code they need: considered for every claim.
    pub always: Vec<RuleIdx>,
}

impl RuleIndex {
    pub fn add_set(&mut self, set: &CodeSet, rule: RuleIdx) {
        for code in &set.exact {
            let rules = self.by_code.entry(*code).or_default();
            if rules.last() != Some(&rule) {
                rules.push(rule);
            }
        }
        for (lo, hi) in &set.ranges {
            self.by_range.push((*lo, *hi, rule));
        }
    }
}
