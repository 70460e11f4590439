//! Conditions as compiled: terms, the condition tree and its tests, date windows, and derivations.

use super::*;

/// Codes to look for: a fixed set, and columns of the current line's code (`code.primaries`).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeMatch {
    pub set: SetId,
    pub columns: Vec<ColumnRef>,
}

/// Diagnoses to look for: a fixed set ([`Program::diagnosis_sets`]), and diagnosis columns
/// of the line's code or of the diagnosis in scope (`code.covered_diagnoses`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisMatch {
    pub set: SetId,
    pub columns: Vec<ColumnRef>,
}

/// ICD-10-PCS procedures to look for: fixed codes and families, and procedures columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureMatch {
    pub patterns: Vec<ProcedurePattern>,
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

/// Whether `x op y` holds.
pub fn compare(x: f64, op: CompareOp, y: f64) -> bool {
    match op {
        CompareOp::Eq => x == y,
        CompareOp::Ne => x != y,
        CompareOp::Lt => x < y,
        CompareOp::Le => x <= y,
        CompareOp::Gt => x > y,
        CompareOp::Ge => x >= y,
    }
}

impl AttrTest {
    /// Whether the test holds for a cell (`None`: the table gives no value): `Some(true)` or
    /// `Some(false)`, or `None` when it is unknown. Only `Present` is never unknown.
    pub fn holds(&self, cell: Option<&Cell>) -> Option<bool> {
        match (self, cell) {
            (AttrTest::Present, cell) => Some(cell.is_some()),
            (_, None) => None,
            (AttrTest::Bool(want), Some(Cell::Bool(b))) => Some(b == want),
            (AttrTest::Number(op, n), Some(Cell::Number(x))) => Some(compare(*x, *op, *n)),
            (AttrTest::TextIn(vs), Some(Cell::Text(t))) => Some(vs.contains(t)),
            _ => Some(false),
        }
    }
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
    /// The line points to at least one diagnosis (`line has diagnosis pointers`): never unknown.
    LineHasPointers,
    /// The line's charge in dollars compared with an amount; unknown when the line gives none.
    LineCharge(CompareOp, Limit),
    /// Units of the line's code summed over its session or the claim, through this line
    /// (`so_far`) or over all lines.
    UnitsTotal {
        same_session: bool,
        so_far: bool,
        /// With the paid lines of the same code on the patient's earlier claims by the line's
        /// provider on the date of service.
        across_claims: bool,
        op: CompareOp,
        limit: Limit,
    },
    /// A frequency limit over the patient's history and the claim.
    Frequency(Box<FrequencyTest>),
    /// A line of an earlier claim alike in each of `same` (sorted, each once).
    EarlierClaimSame {
        same: Vec<SameAttr>,
        including_denied: bool,
    },
    /// A line of an earlier claim whose window after it holds the date of service.
    WithinAfter(Box<WithinTest>),
    /// A column of the line's code.
    Attr(ColumnRef, AttrTest),
    /// Another line (`earlier` in line order) related to the line by `relation`, for which
    /// `test` holds: the first such is the matched other line.
    OtherLine {
        earlier: bool,
        same_session: bool,
        /// `of the same code`, `on the same date of service`.
        relation: LineRelation,
        test: LineTest,
    },
    /// `the other line …`: a test of the other line, inside a `where`.
    TheOtherLine(OtherLineTest),
    /// Units of the lines whose code is among `codes`, over the claim's date of service or the
    /// line's session.
    UnitsOf {
        codes: CodeMatch,
        same_session: bool,
        op: CompareOp,
        limit: Limit,
    },
    ClaimHasCode(CodeMatch),
    ClaimHasModifier(Vec<Modifier>),
    ClaimHasDiagnosis(SetId),
    /// Some diagnosis the line points to matches; unknown when the line points to none.
    LineDiagnosis(DiagnosisMatch),
    /// Some ICD-10-PCS procedure of the claim matches.
    ClaimHasProcedure(ProcedureMatch),
    ProcedureApproach(Box<str>),
    ServiceDate(DateWindow),
    Documented(FactId),
    Missing(FactId),
    /// A boolean fact compared with a value (`film_archived`, `film_archived is no`).
    BoolIs(FactId, bool),
    Number(FactId, CompareOp, f64),
    /// A number fact compared with a number column of the line's code
    /// (`patient age < code.minimum_age`): unknown when either has no value.
    NumberVsColumn(FactId, CompareOp, ColumnRef),
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
    /// `where (…)`: a condition that may test `the other line`.
    Where(Box<Cond>),
}

/// How another line relates to the rule's line, beyond `in the same session`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineRelation {
    /// `of the same code`.
    pub same_code: bool,
    /// `on the same date of service`.
    pub same_date: bool,
}

/// What `the other line …` tests.
#[derive(Debug, Clone, PartialEq)]
pub enum OtherLineTest {
    Modifiers(Vec<Modifier>),
    Codes(CodeMatch),
    Units(CompareOp, Limit),
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
