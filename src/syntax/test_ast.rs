//! The syntax of policy tests (`*.test.policy`): a claim in a compact form, and expectations.

use super::ast::{SameReason, Word};
use super::span::Span;

/// A parsed test file.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFile {
    pub tests: Vec<TestDecl>,
}

/// `test "name"`, its claim and what must (not) be found on it.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: Word,
    /// `given table … row …`: table rows in force for this test only.
    pub given: Vec<GivenRow>,
    /// `given history claim … on … line …`: lines of the patient's earlier claims.
    pub history: Vec<GivenHistory>,
    pub claim: TestClaim,
    pub expectations: Vec<Expectation>,
    /// `where …` and its cases: the test runs once per case, `{name}` standing for its value.
    pub cases: Option<TestCases>,
    pub span: Span,
}

/// `given table "code attributes" row 27506 assistant 1, co_surgeons 1`: for this test, the
/// table's row for the code holds these values (the cells not named are empty).
#[derive(Clone, Debug, PartialEq)]
pub struct GivenRow {
    pub table: Word,
    pub code: Word,
    /// Column and value, as written; a list `(27355, 27356)` is kept as `27355 27356`.
    pub cells: Vec<(Word, Word)>,
    pub span: Span,
}

/// `given history claim "H-1" on 2024-01-10 line 20610 modifier RT units 1 provider 1234567893
/// place of service 11 denied by RULE`: a line of an earlier claim of the patient, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct GivenHistory {
    pub claim: Word,
    pub date: Word,
    pub code: Word,
    pub modifiers: Vec<Word>,
    pub units: Option<Word>,
    pub provider: Option<Word>,
    pub place_of_service: Option<Word>,
    /// `denied`, and the rule that denied it when named.
    pub denied: Option<Option<Word>>,
    pub span: Span,
}

/// `where code, open_code` and one `case 28406, 28415` per case.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCases {
    pub names: Vec<Word>,
    pub cases: Vec<TestCase>,
}

/// `case 28406, 28415`: a value for each name of `where`, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    pub values: Vec<Word>,
    pub span: Span,
}

/// `claim on 2024-03-01` and its parts, as written; or `claim from "claims/x.json"`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestClaim {
    /// The date of service; for a claim file, the date it is moved to, if any.
    pub service_date: Option<Word>,
    /// A JSON claim file, relative to the test file's folder.
    pub file: Option<Word>,
    pub lines: Vec<TestLine>,
    pub diagnoses: Vec<Word>,
    pub procedures: Vec<(Word, Option<Word>)>,
    pub place_of_service: Option<Word>,
    pub owns_equipment: Option<bool>,
    pub taxonomy: Option<Word>,
    /// `provider npi 1234567893`: the billing provider's NPI.
    pub npi: Option<Word>,
    pub payer: Option<Word>,
    /// `source x12`: the format the claim stands for (`json` unless given).
    pub source: Option<Word>,
    pub patient: Option<TestPatient>,
    pub documentation: Vec<(Word, DocValue)>,
    pub span: Span,
}

/// `line 77002 modifier 26 units 2 session 1`, `line 27899 comparison code 27762`
#[derive(Clone, Debug, PartialEq)]
pub struct TestLine {
    pub code: Word,
    pub modifiers: Vec<Word>,
    pub units: Option<Word>,
    pub session: Option<Word>,
    /// The line's comparison code (its JSON `comparison_code`).
    pub comparison_code: Option<Word>,
    /// The line's charge (its JSON `charge`).
    pub charge: Option<Word>,
    /// `diagnosis pointers 1, 2`: the line's JSON `diagnosis_pointers`, 1-based into the
    /// claim's diagnoses.
    pub diagnosis_pointers: Vec<Word>,
}

/// `patient age 15 sex F`, `patient born 1950-02-01 member M1`: the claim's `patient`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestPatient {
    /// The age on the service date: the birth date is the service date this many years before.
    pub age: Option<Word>,
    pub born: Option<Word>,
    pub sex: Option<Word>,
    pub member: Option<Word>,
}

/// A documentation value written in a test: yes/no, a number, text, or a list.
#[derive(Clone, Debug, PartialEq)]
pub enum DocValue {
    Bool(bool),
    Number(Word),
    Text(Word),
    List(Vec<Word>),
}

/// `expect …`
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub kind: ExpectKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// `expect status deny`
    Status(Word),
    /// `expect review on 28406 from fixation.x`: a finding like this is made.
    Finding(FindingPattern),
    /// `expect no deny on 77002`, `expect no findings`: no finding like this is made.
    NoFinding(FindingPattern),
    /// `expect derived approach open from fixation.im-nail-is-open`
    Derived {
        fact: Word,
        value: Option<Word>,
        rule: Option<Word>,
    },
}

/// What a finding must look like; `None` parts match anything.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FindingPattern {
    pub action: Option<ActionPattern>,
    pub line: Option<Word>,
    pub code: Option<Word>,
    pub rule: Option<Word>,
    /// `same reason as RULE, …`: the finding was given once for these rules too; their
    /// findings of the same action on its line agreed with it (`explain.agreed`).
    pub same_reason: Option<SameReason>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionPattern {
    Deny,
    Review,
    Info,
    /// `suggest [CODE]`
    Suggest(Option<Word>),
    /// `modify [add modifier M | remove modifier M | remove line | merge [as modifier M]]`
    Modify(Option<ChangePattern>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChangePattern {
    AddModifier(Word),
    RemoveModifier(Word),
    RemoveLine,
    /// `merge [with the other line] [as modifier 50]`: a `merge_lines` change, with this
    /// modifier when one is named.
    Merge(Option<Word>),
}
