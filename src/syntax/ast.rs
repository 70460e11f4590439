//! The abstract syntax of a policy file, as written.
//!
//! Every node carries the [`Span`] it was read from. Literals are kept as the text the analyst
//! wrote (a [`Word`]); the checker decides whether `2709` is a valid code, so that it can say
//! why not. Nothing here is resolved: names are names until the checker looks them up.

use super::span::Span;
pub use crate::line_attr::LineAttr;

/// One word or literal of the policy text, kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// A parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    pub items: Vec<Item>,
}

// Items are few (one per declaration) and moved rarely; a rule is simply the largest.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Pack(PackDecl),
    Disable(DisableDecl),
    Change(ChangeDecl),
    Fact(FactDecl),
    Codes(CodeSetDecl),
    Diagnoses(DiagnosisSetDecl),
    Term(TermDecl),
    Phrase(PhraseDecl),
    Cue(CueDecl),
    Abbreviation(AbbreviationDecl),
    Table(TableDecl),
    Rule(RuleDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Fact(d) => d.span,
            Item::Codes(d) => d.span,
            Item::Diagnoses(d) => d.span,
            Item::Term(d) => d.span,
            Item::Phrase(d) => d.span,
            Item::Cue(d) => d.span,
            Item::Abbreviation(d) => d.span,
            Item::Table(d) => d.span,
            Item::Rule(d) => d.span,
            Item::Pack(d) => d.span,
            Item::Disable(d) => d.span,
            Item::Change(d) => d.span,
        }
    }
}

/// A pack's manifest: `pack "acme-health"`, its version, the pack it extends, a description
/// and when it is in force.
#[derive(Clone, Debug, PartialEq)]
pub struct PackDecl {
    pub name: Word,
    pub version: Option<Word>,
    pub extends: Option<Word>,
    pub description: Option<Word>,
    pub effective: Option<Effective>,
    pub span: Span,
}

/// `effective 2024-01-01 until 2024-12-31`: the dates of service something is in force on,
/// both included; either end may be open.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    pub from: Option<Word>,
    pub until: Option<Word>,
    pub span: Span,
}

/// `disable rule ID reason "…"`: a rule of a pack below is not in force.
#[derive(Clone, Debug, PartialEq)]
pub struct DisableDecl {
    pub id: Word,
    pub reason: Word,
    pub effective: Option<Effective>,
    pub span: Span,
}

/// `change rule ID to review reason "…"`: a rule of a pack below keeps its target, conditions
/// and message but takes another action.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeDecl {
    pub id: Word,
    /// The action it takes instead, as written: `deny`, `review` or `info`.
    pub to: Word,
    pub reason: Word,
    pub effective: Option<Effective>,
    pub span: Span,
}

/// `fact fluoroscopy_minutes is number "documented fluoroscopy time"`
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    pub name: Word,
    pub derived: bool,
    pub ty: FactTypeExpr,
    pub description: Option<Word>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FactTypeExpr {
    Boolean,
    Number,
    Text,
    ListOfText,
    ListOf(Vec<Word>),
    OneOf(Vec<Word>),
}

/// `codes "fluoroscopic guidance" are 76000, 77002, 77003`
#[derive(Clone, Debug, PartialEq)]
pub struct CodeSetDecl {
    pub name: Word,
    pub codes: CodeRef,
    pub span: Span,
}

/// `diagnoses "fracture or deformity" are S42.*, S52.*`
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosisSetDecl {
    pub name: Word,
    pub patterns: DiagnosisRef,
    pub span: Span,
}

/// `table "fracture treatment" from "tables/fracture-treatment.csv"` and its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    pub name: Word,
    pub kind: TableKind,
    /// What the rows are keyed by: procedure codes, or (`keyed by diagnosis`) diagnoses.
    pub key: TableKey,
    /// The data file, relative to the pack's folder.
    pub path: Word,
    pub effective: Option<Effective>,
    pub columns: Vec<ColumnDecl>,
    pub span: Span,
}

/// What a table holds, and so how its data file reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// Rows keyed by a code, with the columns the declaration names.
    Codes,
    /// `of pair edits`: NCCI procedure-to-procedure edits, in a CMS layout.
    PairEdits,
    /// `of unit limits`: NCCI medically unlikely edits, in a CMS layout.
    UnitLimits,
    /// `of fee schedule indicators`: the payment indicators of the Medicare Physician Fee
    /// Schedule relative value file (PPRRVU), in the CMS layout.
    FeeSchedule,
    /// `of add-on code edits`: the NCCI add-on code edits (types 1, 2 and 3 with their primary
    /// codes), in the CMS layout.
    AddOnEdits,
}

/// What the rows of a table are keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TableKey {
    /// A CPT/HCPCS code in the `code` column; rules read `code.<column>`.
    #[default]
    Code,
    /// `keyed by diagnosis`: an ICD-10-CM code or family (`M17.*`) in the `diagnosis` column;
    /// rules read `diagnosis.<column>`.
    Diagnosis,
}

/// `column primaries is codes "the primary procedures"`
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Word,
    pub ty: ColumnTypeExpr,
    pub description: Option<Word>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnTypeExpr {
    Boolean,
    Number,
    Text,
    Code,
    Codes,
    /// One ICD-10-CM code or family.
    Diagnosis,
    /// ICD-10-CM codes and families, separated by spaces.
    Diagnoses,
    /// ICD-10-PCS codes and families (`0QS*`), separated by spaces.
    Procedures,
}

/// `term "IM nail" means hardware has im_nail`
#[derive(Clone, Debug, PartialEq)]
pub struct TermDecl {
    pub name: Name,
    pub definition: Condition,
    pub span: Span,
}

/// `phrase "C-arm", "image intensifier" means guidance has fluoroscopy`: words of an
/// operative note and the documentation facts they state.
#[derive(Clone, Debug, PartialEq)]
pub struct PhraseDecl {
    /// The phrases, as written; `...` in one stands for a few words of the same clause.
    pub phrases: Vec<Word>,
    pub meaning: PhraseMeaning,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PhraseMeaning {
    /// `means CONDITION`: facts the phrase makes true (joined by `and`).
    Means(Condition),
    /// `measures FACT`: a number fact read from the duration written next to the phrase.
    Measures(Word),
}

/// `cue negation before "no", "not"`: words that change what the phrases near them say.
#[derive(Clone, Debug, PartialEq)]
pub struct CueDecl {
    /// `negation`, `hypothetical`, `historical`, `removal`, `pseudo` or `boundary`, as written.
    pub kind: Word,
    pub side: Option<CueSide>,
    pub cues: Vec<Word>,
    /// `for hardware`: the facts the cue applies to; all when empty.
    pub facts: Vec<Word>,
    pub span: Span,
}

/// Where a cue stands relative to the phrase it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CueSide {
    /// `no K-wires`: the cue comes first.
    Before,
    /// `K-wires were removed`: the cue follows.
    After,
}

/// `abbreviation "fx" means "fracture"`: a short form read as the words it stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct AbbreviationDecl {
    pub short: Vec<Word>,
    pub long: Word,
    pub span: Span,
}

/// A name as written: quoted (`"IM nail"`) or bare (`open`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

impl Name {
    /// The name as an analyst would write it again.
    pub fn display(&self) -> String {
        if self.quoted {
            format!("\"{}\"", self.text)
        } else {
            self.text.clone()
        }
    }
}

/// A list of codes: single codes, inclusive ranges and named code sets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CodeRef {
    pub items: Vec<CodeItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CodeItem {
    Code(Word),
    /// `code.primaries`: the codes a table gives the code of the line the rule is on.
    Attribute(Word),
    Range {
        first: Word,
        last: Word,
        span: Span,
    },
    Set(Word),
}

/// A list of diagnosis codes and patterns (`S82.*`) and named diagnosis sets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DiagnosisRef {
    pub items: Vec<DiagnosisItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosisItem {
    Pattern(Word),
    Set(Word),
    /// `code.covered_diagnoses`: a diagnoses column of a table.
    Attribute(Word),
}

/// A list of ICD-10-PCS codes and families (`0QS*`), named sets and procedures columns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProcedureRef {
    pub items: Vec<ProcedureItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProcedureItem {
    Pattern(Word),
    /// A quoted name: not supported yet; the checker says so.
    Set(Word),
    Attribute(Word),
}

/// `for each line diagnosis [in DIAGNOSES]`: the rule judges each (line, diagnosis the line
/// points to) pair, of these diagnoses or all.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DiagnosisTarget {
    pub within: Option<DiagnosisRef>,
    pub span: Span,
}

/// `rule <id>` followed by its body.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub id: Word,
    /// `override rule`: replaces the rule of this id that a pack below defines.
    pub overrides: bool,
    pub effective: Option<Effective>,
    /// `same reason as RULE, …`: the rules whose finding on a line this rule's finding of
    /// the same action repeats.
    pub same_reason: Option<SameReason>,
    pub body: RuleBody,
    pub span: Span,
}

/// `same reason as ncci.mue.line-edit, ncci.mue.date-of-service-edit`: when this rule and one
/// it names make a finding of the same action on the same line, the finding is given once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SameReason {
    /// The rule ids, as written.
    pub rules: Vec<Word>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RuleBody {
    /// `A implies B`, one or more.
    Derive(Vec<Derivation>),
    /// `77002 with 27093 allowed after CCI 16.1`, one or more, with an optional message.
    Pairs {
        edits: Vec<PairEdit>,
        /// The `bypass with …` clauses, as written.
        bypass: Vec<Bypass>,
        message: Option<Word>,
    },
    /// `for each line in …  when …  unless …` and its actions.
    Check(CheckRule),
    /// `apply edits of "ncci_ptp"`, the modifiers that bypass them, and an optional message.
    TableEdits {
        table: Word,
        /// `across claims of the same provider on the date of service`: the claim's lines
        /// paired with the lines of the patient's earlier claims, not with each other.
        across_claims: bool,
        /// The `bypass with …` clauses, as written.
        bypass: Vec<Bypass>,
        message: Option<Word>,
    },
}

/// `bypass with modifier 59, XE` or `bypass with different site modifiers LT, RT`: the
/// modifiers that bypass a pair edit (one with modifier indicator 1, in a table).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bypass {
    pub kind: BypassKind,
    /// The modifiers and ranges (`F1-F9`), as written.
    pub modifiers: Vec<Word>,
    pub span: Span,
}

/// Which `bypass with` clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BypassKind {
    /// `bypass with modifier …`: one of them on either line bypasses the edit.
    Modifier,
    /// `bypass with different site modifiers …`: both lines carry one of them, and none of
    /// them is on both lines.
    DifferentSite,
}

impl BypassKind {
    /// The clause as written, for messages.
    pub fn clause(self) -> &'static str {
        match self {
            BypassKind::Modifier => "bypass with modifier",
            BypassKind::DifferentSite => "bypass with different site modifiers",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Derivation {
    pub condition: Condition,
    pub conclusion: Condition,
    pub span: Span,
}

/// A national-style bundling edit: `column2 with column1 …`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PairEdit {
    pub column2: CodeRef,
    pub column1: CodeRef,
    pub same_session: bool,
    pub verdict: PairVerdict,
    pub when: Option<TimeTest>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PairVerdict {
    Allowed,
    Denied,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckRule {
    /// `for each line [in CODES]`: the rule judges lines, those of these codes or all.
    pub each_line: bool,
    pub target: Option<CodeRef>,
    /// `for each line diagnosis …` (then `each_line` is true too).
    pub each_diagnosis: Option<Box<DiagnosisTarget>>,
    pub when: Option<Condition>,
    pub unless: Option<Condition>,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Action {
    pub kind: ActionKind,
    pub message: Word,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Deny,
    Review,
    Info,
    /// A code, or `code.<column>` of a code table.
    Suggest(Word),
    AddModifier(Word),
    RemoveModifier(Word),
    RemoveLine,
    /// `merge with the other line as modifier 50`: the rule's line and the other line a
    /// cross-line condition matched, billed as one line with the modifier.
    MergeWithOther(Word),
}

impl ActionKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            ActionKind::Deny => "deny",
            ActionKind::Review => "review",
            ActionKind::Info => "info",
            ActionKind::Suggest(_) => "suggest",
            ActionKind::AddModifier(_)
            | ActionKind::RemoveModifier(_)
            | ActionKind::RemoveLine
            | ActionKind::MergeWithOther(_) => "modify",
        }
    }
}

/// A condition: predicates joined by `and`, `or`, `not`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    pub kind: ConditionKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConditionKind {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Predicate(Predicate),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Predicate {
    /// `line is 76000`, `line in "fluoroscopic guidance"`
    LineIs(CodeRef),
    /// `line has modifier 26, TC`
    LineHasModifier(Vec<Word>),
    /// `line has comparison code`: the line gives the attribute.
    LineHasAttr(LineAttr),
    /// `line comparison code is 27762`, `… in "unlisted musculoskeletal procedures"`,
    /// `… is not 27762`: the attribute's value is (not) among the codes.
    LineAttrIs {
        attr: LineAttr,
        negated: bool,
        codes: CodeRef,
    },
    /// `line units > 1`, `line units > code.mue`
    LineUnits(CompareOp, Word),
    /// `line has diagnosis pointers`: the line points to at least one diagnosis.
    LineHasPointers,
    /// `line charge > 500`, `line charge > code.maximum_charge`: the line's charge in dollars.
    LineCharge(CompareOp, Word),
    /// `units so far in the same session > 1`, `units on the date of service > code.mue`:
    /// the units of the line's code summed over the lines of its session or of the claim,
    /// through this line (`so far`) or over them all.
    UnitsTotal {
        same_session: bool,
        so_far: bool,
        /// `across claims of the same provider`: with the paid lines of the same code on the
        /// patient's earlier claims by the line's provider that day.
        across_claims: bool,
        op: CompareOp,
        limit: Word,
    },
    /// `more than 1 of 20610 per 6 months for the same patient`: a frequency limit over the
    /// patient's history and the claim's lines through the rule's line.
    Frequency(Box<Frequency>),
    /// `an earlier claim has the same code, date of service, modifiers and provider`: a line
    /// of an earlier claim of the patient alike in every way named.
    EarlierClaimSame {
        same: Vec<(SameAttr, Span)>,
        including_denied: bool,
    },
    /// `within 90 days after a line in "major surgery" by the same provider`: a line of an
    /// earlier claim dated 1 to 90 days before the claim's date of service.
    WithinAfter(Box<WithinAfter>),
    /// `another line in the same session has 77002`, `an earlier line has modifier TC`,
    /// `another line of the same code where (the other line has modifier LT)`
    OtherLineHas {
        earlier: bool,
        same_session: bool,
        /// `of the same code`: the other line has the rule's line's code.
        same_code: bool,
        /// `on the same date of service`.
        same_date: bool,
        what: LineMatch,
    },
    /// `the other line has modifier LT`, inside the `where` of `another line`.
    TheOtherLine(OtherLineTest),
    /// `units of "spinal injection" on the date of service > 4`: the units of every line whose
    /// code is in the list, over the claim or the line's session.
    UnitsOf {
        codes: CodeRef,
        same_session: bool,
        op: CompareOp,
        limit: Word,
    },
    /// `claim has 27093`
    ClaimHasCode(CodeRef),
    /// `claim has modifier 59`
    ClaimHasModifier(Vec<Word>),
    /// `claim has diagnosis S82.*`
    ClaimHasDiagnosis(DiagnosisRef),
    /// `line diagnosis in "covered"`, `line diagnosis is M17.*`; `no line diagnosis in …`
    /// (`negated`): any diagnosis the line points to matches (none does).
    LineDiagnosis {
        negated: bool,
        diagnoses: DiagnosisRef,
    },
    /// `claim has procedure 0QS*`, `claim has procedure in code.pcs_procedures`
    ClaimHasProcedure(ProcedureRef),
    /// `procedure approach is percutaneous` (ICD-10-PCS)
    ProcedureApproach(Word),
    /// `service date before CCI 16.1`
    ServiceDate(TimeTest),
    /// `documented fluoroscopy_minutes`
    Documented(Word),
    /// `missing fluoroscopy_indication`
    Missing(Word),
    /// `fluoroscopy_minutes > 0`, `approach is open`
    Compare {
        field: Word,
        op: CompareOp,
        value: Literal,
    },
    /// `guidance has fluoroscopy`, `place_of_service in (21, 22, 24)`
    Membership {
        field: Word,
        op: MembershipOp,
        values: Vec<Literal>,
    },
    /// A number fact compared with a number column of the line's code:
    /// `patient age < code.minimum_age`.
    CompareColumn {
        field: Word,
        op: CompareOp,
        column: Word,
    },
    /// `patient age between 0 and 17`: both ends included.
    Between(Box<Between>),
    /// A term or a yes/no fact by name: `"IM nail"`, `film_archived`
    Name(Name),
}

/// A frequency limit: `more than LIMIT of CODES per PERIOD`, `by the same provider`,
/// `including denied lines`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frequency {
    /// A number or a number column of the line's code (`code.frequency_limit`).
    pub limit: Word,
    pub codes: CodeRef,
    pub period: Period,
    pub same_provider: bool,
    pub including_denied: bool,
}

/// The period of a frequency limit, ending on the claim's date of service.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// `6 months`, `30 days`, `2 years`: the count as written, checked by the checker.
    Count(Word, PeriodUnit),
    /// `calendar year`: from 1 January of the date of service's year.
    CalendarYear,
    /// `lifetime`: every earlier claim.
    Lifetime,
    /// `date of service`: that day only.
    DateOfService,
}

/// The unit of a `Period::Count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

/// What a duplicate's earlier line has the same as the rule's line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SameAttr {
    Code,
    DateOfService,
    Modifiers,
    Provider,
    Units,
    PlaceOfService,
}

impl SameAttr {
    /// The words the policy writes.
    pub fn words(self) -> &'static str {
        match self {
            SameAttr::Code => "code",
            SameAttr::DateOfService => "date of service",
            SameAttr::Modifiers => "modifiers",
            SameAttr::Provider => "provider",
            SameAttr::Units => "units",
            SameAttr::PlaceOfService => "place of service",
        }
    }
}

/// `within DAYS days after a line in CODES`: `DAYS` a number or a number column read for the
/// earlier line's code (`code.global_days`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WithinAfter {
    pub days: Word,
    pub codes: CodeRef,
    pub same_provider: bool,
    pub including_denied: bool,
}

/// `patient age between 0 and 17`: a number fact and its bounds, both included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Between {
    pub field: Word,
    pub low: Literal,
    pub high: Literal,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LineMatch {
    Codes(CodeRef),
    Modifiers(Vec<Word>),
    /// `where (…)`: a condition that may test `the other line`.
    Where(Box<Condition>),
}

/// What `the other line …` tests.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OtherLineTest {
    /// `the other line has modifier LT, RT`
    HasModifier(Vec<Word>),
    /// `the other line is 64484`, `the other line is in "spinal injection"`
    Is(CodeRef),
    /// `the other line units = 1`
    Units(CompareOp, Word),
}

/// `F1-F9` in a list of modifiers, kept as one word: its two ends.
pub fn modifier_range(w: &Word) -> Option<(&str, &str)> {
    w.text.split_once('-')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MembershipOp {
    /// A list fact holds any of the values.
    Has,
    /// A single-valued fact is one of the values.
    In,
}

/// A point in time: a calendar date or an NCCI version.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TimePoint {
    Date(Word),
    Cci(Word),
}

impl TimePoint {
    pub fn span(&self) -> Span {
        match self {
            TimePoint::Date(w) | TimePoint::Cci(w) => w.span,
        }
    }
}

/// `before X` (strictly before), `after X` (on or after), `between X and Y` (inclusive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TimeTest {
    Before(TimePoint),
    After(TimePoint),
    Between(TimePoint, TimePoint),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Literal {
    pub kind: LiteralKind,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    Number,
    Text,
    Word,
    Date,
    Bool(bool),
}
