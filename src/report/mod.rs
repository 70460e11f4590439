//! What an evaluation produces, in the shape docs/formats.md documents, and how it is shown to people.

mod format;
mod json;
mod text;
mod view;

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::claim::ClaimError;

pub use format::OutputFormat;
pub use text::{finding_line, printable, render_text};
pub(crate) use view::{FindingView, Findings, ResultView};

/// The version of the result format (docs/formats.md): a new optional field raises the minor
/// number, a field removed or renamed, or a change of meaning, the major.
pub const FORMAT_VERSION: &str = "2.1";

/// The `format_version` of a result: always [`FORMAT_VERSION`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatVersion;

impl Serialize for FormatVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(FORMAT_VERSION)
    }
}

/// The major versions a result of [`FORMAT_VERSION`] can be read as: 2.0 only added a change
/// op, so every 1.x result is a 2.x result too; 2.1 added a finding's `history`.
const READABLE_MAJORS: [&str; 2] = ["1", "2"];

/// Reads any `MAJOR.MINOR` of the majors this library reads: a reader of 1.0 understands 1.1,
/// whose new fields are optional, and a reader of 2.0 every 1.x; a later major version is an
/// error.
impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let major = text.split('.').next().unwrap_or("");
        let minor_ok = text
            .split('.')
            .nth(1)
            .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
        if text.split('.').count() == 2 && minor_ok && READABLE_MAJORS.contains(&major) {
            Ok(FormatVersion)
        } else {
            Err(serde::de::Error::custom(format!(
                "a result of format version `{text}`; this library reads results of versions 1.x and 2.x"
            )))
        }
    }
}

impl JsonSchema for FormatVersion {
    fn schema_name() -> Cow<'static, str> {
        "FormatVersion".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let majors = READABLE_MAJORS.join("|");
        json_schema!({
            "type": "string",
            "pattern": format!("^({majors})\\.[0-9]+$"),
            "description": format!(
                "The version of the result format, MAJOR.MINOR; this schema describes {FORMAT_VERSION}. \
                 A new optional field raises the minor number; a field removed or renamed, or a \
                 change of meaning, raises the major."
            ),
            "examples": [FORMAT_VERSION],
        })
    }
}

/// The result of one claim: one per claim read, in input order. Every field is always present
/// (`null` when it does not apply, `[]` for an empty list), except `explain`, present only with
/// `--explain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "claimrules result")]
#[non_exhaustive]
pub struct ClaimResult {
    /// The version of this format, always the first key.
    pub format_version: FormatVersion,
    /// The claim's id; `null` when a broken claim had none that could be read.
    pub claim: Option<String>,
    /// `deny` if any finding denies; else `review` if any finding is `review`, `suggest` or
    /// `modify`; else `pass`; `error` when the claim could not be judged.
    pub status: Status,
    /// What the rules found, ordered by line, then by the policy's source position; `[]` for
    /// an `error` result.
    pub findings: Vec<Finding>,
    /// Why the claim could not be judged; `[]` unless `status` is `error`.
    pub errors: Vec<ClaimError>,
    /// Present with `--explain`, on every result, and absent without it: what was read from
    /// the note, what was derived, and every rule considered, fired or not (its lists are
    /// empty for an `error` result, whose claim no rule saw).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Explanation")]
    pub explain: Option<Explanation>,
}

impl ClaimResult {
    /// The result of a claim that could not be evaluated.
    #[doc(hidden)]
    pub fn error(claim: Option<String>, errors: Vec<ClaimError>) -> Self {
        ClaimResult {
            format_version: FormatVersion,
            claim,
            status: Status::Error,
            findings: Vec::new(),
            errors,
            explain: None,
        }
    }

    /// With `explain`, makes sure the result has its explanation block: an `error` result
    /// gets an empty one, so that every result of an `--explain` run has the same shape.
    #[doc(hidden)]
    pub fn explained(mut self, explain: bool) -> Self {
        if explain && self.explain.is_none() {
            self.explain = Some(Explanation::default());
        }
        self
    }
}

/// The outcome of a claim: `pass`, `review`, `deny`, or `error` (it could not be judged).
///
/// Not `#[non_exhaustive]`: the four outcomes are the format's and the exit codes' contract,
/// and a fifth would be a new major version of the result format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[schemars(
    description = "The outcome of a claim: `pass`, `review`, `deny`, or `error` (it could not be judged)."
)]
pub enum Status {
    /// No finding asks for anything: pay the claim as billed.
    Pass,
    /// A finding asks a person to look (`review`, `suggest` or `modify`), and none denies.
    Review,
    /// A finding denies a line or the claim.
    Deny,
    /// The claim could not be judged: it does not read, or breaks a limit; see its `errors`.
    Error,
}

impl Status {
    /// `deny` if any finding denies; else `review` if any asks for review, suggests or modifies;
    /// else `pass`.
    pub fn of(findings: &[Finding]) -> Status {
        Status::of_actions(findings.iter().map(|f| f.action))
    }

    /// The status of findings of these actions, as [`Status::of`] gives it.
    pub(crate) fn of_actions(actions: impl Iterator<Item = ActionName>) -> Status {
        let mut status = Status::Pass;
        for action in actions {
            match action {
                ActionName::Deny => return Status::Deny,
                ActionName::Review | ActionName::Suggest | ActionName::Modify => {
                    status = Status::Review
                }
                ActionName::Info => {}
            }
        }
        status
    }

    /// The status as the result format writes it (`pass`, `deny`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Review => "review",
            Status::Deny => "deny",
            Status::Error => "error",
        }
    }
}

/// What a finding asks for: the five actions of the language.
///
/// Not `#[non_exhaustive]`, like [`Status`]: a new action is a new value of a closed list of
/// the result format, so a new major version of it (docs/formats.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "What a finding asks for: the five actions of the language.")]
pub enum ActionName {
    /// Refuse the line or claim.
    Deny,
    /// Hold it for a person to look at.
    Review,
    /// Propose another code (`suggested_code`).
    Suggest,
    /// Ask for a change to the claim (`change`).
    Modify,
    /// Tell, without changing the status.
    Info,
}

impl ActionName {
    /// The action as the language and the result format write it (`deny`, `info`…).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Deny => "deny",
            ActionName::Review => "review",
            ActionName::Suggest => "suggest",
            ActionName::Modify => "modify",
            ActionName::Info => "info",
        }
    }
}

/// One thing a rule found on a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Finding {
    /// The id of the rule that made the finding.
    pub rule: String,
    /// What the finding asks for.
    pub action: ActionName,
    /// The line numbers the finding is about; `[]` for a finding about the whole claim.
    pub lines: Vec<u32>,
    /// The code of the line judged; `null` for a finding about the whole claim.
    pub code: Option<String>,
    /// The code a `suggest` finding proposes; `null` for the other actions.
    pub suggested_code: Option<String>,
    /// The change a `modify` finding asks for; `null` for the other actions.
    pub change: Option<Change>,
    /// The rule's message, its placeholders filled in.
    pub message: String,
    /// Where the rule's action is written.
    pub policy: PolicyRef,
    /// The table row that decided the finding; `null` when no table row decided it.
    pub table: Option<TableRef>,
    /// The line of the patient's earlier claim that decided the finding (a frequency limit's
    /// last line counted, the line duplicated, the surgery whose global period holds the
    /// date); `null` when no earlier claim decided it. Since format 2.1.
    pub history: Option<HistoryRef>,
    /// The pack the rule comes from, and its version.
    pub pack: PackRef,
    /// Findings are ordered by line, then by the policy's source position.
    #[serde(skip)]
    #[doc(hidden)]
    pub order: (u32, u32, u32),
}

impl Finding {
    /// A finding about the whole claim, with no table row, suggestion or change; set the other
    /// fields after. For tools that make findings of their own beside the engine's (a
    /// hand-written check to compare against, say).
    pub fn new(
        rule: impl Into<String>,
        action: ActionName,
        message: impl Into<String>,
        policy: PolicyRef,
        pack: PackRef,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            action,
            lines: Vec::new(),
            code: None,
            suggested_code: None,
            change: None,
            message: message.into(),
            policy,
            table: None,
            history: None,
            pack,
            order: (0, 0, 0),
        }
    }
}

/// A change a `modify` finding asks for.
///
/// In JSON, `merge_lines` is written `{"op", "lines", "modifier"}` and every other op
/// `{"op", "line", "modifier"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "ChangeJson", from = "ChangeJson")]
pub struct Change {
    /// What to do.
    pub op: ChangeOp,
    /// The line to change; for `merge_lines`, the first of `lines`.
    pub line: u32,
    /// The modifier to add or remove, or the one the merged line takes; `null` for
    /// `remove_line`.
    pub modifier: Option<String>,
    /// For `merge_lines`, the two lines to bill as one, in order; empty for the other ops.
    pub lines: Vec<u32>,
}

/// A change a `modify` finding asks for: of one `line`, or for `merge_lines`, of two `lines`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "Change")]
enum ChangeJson {
    /// A change to one line: `add_modifier`, `remove_modifier`, `remove_line`.
    One {
        /// What to do.
        op: ChangeOp,
        /// The line to change.
        line: u32,
        /// The modifier to add or remove; `null` for `remove_line`.
        modifier: Option<String>,
    },
    /// `merge_lines`: two lines billed as one line with a modifier.
    Merge {
        /// `merge_lines`.
        op: ChangeOp,
        /// The two lines to bill as one, in order.
        #[schemars(length(min = 2, max = 2))]
        lines: Vec<u32>,
        /// The modifier the merged line takes.
        modifier: Option<String>,
    },
}

impl From<Change> for ChangeJson {
    fn from(c: Change) -> ChangeJson {
        if c.op == ChangeOp::MergeLines {
            ChangeJson::Merge {
                op: c.op,
                lines: c.lines,
                modifier: c.modifier,
            }
        } else {
            ChangeJson::One {
                op: c.op,
                line: c.line,
                modifier: c.modifier,
            }
        }
    }
}

impl From<ChangeJson> for Change {
    fn from(c: ChangeJson) -> Change {
        match c {
            ChangeJson::One { op, line, modifier } => Change {
                op,
                line,
                modifier,
                lines: Vec::new(),
            },
            ChangeJson::Merge {
                op,
                lines,
                modifier,
            } => Change {
                op,
                line: lines.first().copied().unwrap_or(0),
                modifier,
                lines,
            },
        }
    }
}

impl JsonSchema for Change {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Change".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ChangeJson::json_schema(generator)
    }
}

/// The kind of change: `add_modifier`, `remove_modifier`, `remove_line` or `merge_lines`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Add `modifier` to the line.
    AddModifier,
    /// Take `modifier` off the line.
    RemoveModifier,
    /// Take the line off the claim.
    RemoveLine,
    /// Bill the two `lines` as one line with `modifier` (since format 2.0).
    MergeLines,
}

impl ChangeOp {
    /// The change in the words of the language: `add modifier`, `remove line`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::AddModifier => "add modifier",
            ChangeOp::RemoveModifier => "remove modifier",
            ChangeOp::RemoveLine => "remove line",
            ChangeOp::MergeLines => "merge lines as modifier",
        }
    }
}

/// The pack a finding's rule comes from: its name and version (`null` without a manifest
/// version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PackRef {
    /// The pack's name (`standard` for the standard pack).
    pub name: String,
    /// The version its manifest gives; `null` when it gives none.
    pub version: Option<String>,
}

impl std::fmt::Display for PackRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{} {v}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// Where in the policies a finding or an explanation comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyRef {
    /// The policy file, as the pack names it (`policies/ncci.policy`).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A row of a table's data file: the table, the file's name as published and the 1-based line
/// of the row (header lines counted), so that an auditor can open the file at that row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TableRef {
    /// The table's name, as a pack declares it (`ncci_ptp`).
    pub name: String,
    /// The data file's name, without its folder.
    pub file: String,
    /// The 1-based line of the row in that file, header lines counted.
    pub line: u32,
}

/// A line of an earlier claim of the patient, from the history store (docs/history.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryRef {
    /// The earlier claim's id.
    pub claim: String,
    /// The line's number on that claim.
    pub line: u32,
}

impl std::fmt::Display for HistoryRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} of earlier claim `{}`", self.line, self.claim)
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}:{} of table `{}`",
            self.file, self.line, self.name
        )
    }
}

impl std::fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Why a claim came out as it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Explanation {
    /// Documentation facts read from the claim's note, with the words that state them; `[]`
    /// when the claim has no note or the note settles nothing.
    pub from_note: Vec<NoteSource>,
    /// Facts that `implies` rules made true, in the order derived.
    pub derived: Vec<DerivedFact>,
    /// Every rule considered, once per line for a rule that judges lines, in evaluation order.
    pub rules: Vec<RuleTrace>,
    /// The lines billed in minutes, each judged as its units (one service), not its minutes;
    /// `[]` when no line is.
    pub minutes: Vec<LineMinutes>,
    /// Findings not given because a rule related by `same reason as` made the same finding
    /// on the same line (format 1.1); `[]` when none. Absent from a 1.0 result, and read as
    /// `[]` from one.
    #[serde(default)]
    pub agreed: Vec<Agreement>,
}

/// A finding given once for two rules: the rule that agreed, and the rule whose finding, of
/// the same action on the same line, stands for both (`same reason as`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Agreement {
    /// The rule whose finding was not given.
    pub rule: String,
    /// The line of both findings.
    pub line: u32,
    /// Their action.
    pub action: ActionName,
    /// The rule of the finding given in its place.
    pub kept: String,
    /// The message the rule's finding would have had.
    pub message: String,
    /// Where the rule's action (or edit) is written.
    pub policy: PolicyRef,
    /// The table row that decided the finding not given; `null` when none did.
    pub table: Option<TableRef>,
}

/// A line billed in minutes (anesthesia): the minutes billed and the units it is judged as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LineMinutes {
    /// The line's number.
    pub line: u32,
    /// The minutes billed.
    pub minutes: u32,
    /// The units it is judged as: the count of services.
    pub units: u32,
}

/// A documentation fact read from the note: the value, the words, and the `phrase` statement
/// that gave those words their meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoteSource {
    /// The documentation fact.
    pub fact: String,
    /// The value, or for a list fact the member these words state.
    pub value: serde_json::Value,
    /// The words of the note, as written.
    pub text: String,
    /// Where they are in the note, in characters: `[start, end)`.
    pub span: [usize; 2],
    /// The `phrase` statement that gives the words their meaning.
    pub policy: PolicyRef,
}

/// A fact an `implies` rule made true.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DerivedFact {
    /// The fact made true.
    pub fact: String,
    /// Its value.
    pub value: serde_json::Value,
    /// The `implies` rule.
    pub rule: String,
    /// The condition that held, as written in the policy.
    pub because: String,
    /// Where the rule is written.
    pub policy: PolicyRef,
}

/// One rule considered for a claim (or one of its lines), and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleTrace {
    /// The rule's id.
    pub rule: String,
    /// The line it judged; `null` for a rule about the whole claim.
    pub line: Option<u32>,
    /// Whether it acted (made a finding or derived a fact).
    pub fired: bool,
    /// Why it did not fire: the first condition that did not hold, or that could not be
    /// evaluated and why; `null` when it fired. A `for each line diagnosis` rule's starts with
    /// the diagnosis it judged (`for diagnosis M17.11`), and is only that when it fired. A
    /// fired rule whose action a pack changed (`change rule … to …`) says so, with the pack
    /// and its reason.
    pub reason: Option<String>,
    /// Where the rule is written.
    pub policy: PolicyRef,
}

/// A claim's documentation facts after its note is read, and where each came from: one line
/// of `claimrules facts`. A fact neither the claim nor its note settles is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ClaimFacts {
    /// The claim's id; `null` when a broken claim had none that could be read.
    pub claim: Option<String>,
    /// Each documentation fact settled, by name, with its value.
    pub facts: indexmap::IndexMap<String, serde_json::Value>,
    /// Where each fact of `facts` came from, by name.
    pub sources: indexmap::IndexMap<String, FactSource>,
    /// The claim's own fields the rules test (`place_of_service`, `patient age`, `patient sex`,
    /// …), by name, each as the rules see it; a field the claim does not give is absent.
    pub fields: indexmap::IndexMap<String, serde_json::Value>,
    /// What the rules see of each line beside its code: the diagnoses it points to, its
    /// charge and rendering provider.
    pub lines: Vec<LineFacts>,
    /// Why the claim could not be read; `[]` when it was.
    pub errors: Vec<crate::claim::ClaimError>,
}

/// One line as `claimrules facts` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LineFacts {
    /// The line number.
    pub line: u32,
    pub code: crate::codes::Code,
    /// The diagnoses the line's pointers name, in pointer order, with their dots; `null` when
    /// the line gives no pointers.
    pub diagnoses: Option<Vec<String>>,
    /// The line's charge (`"125.00"`); `null` when not given.
    pub charge: Option<crate::claim::Money>,
    /// The rendering provider's NPI; `null` when not given.
    pub rendering_provider: Option<String>,
}

impl ClaimFacts {
    /// The facts of a claim that could not be read: none, and why.
    #[doc(hidden)]
    pub fn error(claim: Option<String>, errors: Vec<crate::claim::ClaimError>) -> Self {
        ClaimFacts {
            claim,
            errors,
            ..ClaimFacts::default()
        }
    }
}

/// Where a documentation fact came from. Written as `{"from", "span", "text"}`, every key
/// always present: `span` and `text` are `null` for a fact the claim gives.
#[derive(Debug, Clone, PartialEq)]
pub enum FactSource {
    /// The claim's `documentation` object gives it.
    Claim,
    /// Read from the note: the first words that state it, and their character span.
    Note {
        /// Where the words are in the note, in characters: `[start, end)`.
        span: [usize; 2],
        /// The words, as written.
        text: String,
    },
}

impl Serialize for FactSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("FactSource", 3)?;
        match self {
            FactSource::Claim => {
                out.serialize_field("from", "claim")?;
                out.serialize_field("span", &None::<[usize; 2]>)?;
                out.serialize_field("text", &None::<&str>)?;
            }
            FactSource::Note { span, text } => {
                out.serialize_field("from", "note")?;
                out.serialize_field("span", span)?;
                out.serialize_field("text", text)?;
            }
        }
        out.end()
    }
}
