//! Rules as loaded: their kinds, actions and targets, pair edits, messages with their
//! placeholders, the packs and what they disabled, the `same reason as` relation, and the index
//! of rules by code.

use super::*;

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
    /// The `change rule … to …` of packs above that give the rule another action, in load
    /// order.
    pub action_changes: Vec<ActionChange>,
}

impl Rule {
    /// Whether the rule is in force on a date of service.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.in_force.iter().any(|w| w.contains(date))
    }

    /// The change of action in force on a date of service: of two, the one of the higher pack,
    /// as a pack above has the last word on the packs below it.
    pub fn action_change_on(&self, date: Date) -> Option<&ActionChange> {
        self.action_changes
            .iter()
            .filter(|c| c.window.contains(date))
            .max_by_key(|c| c.pack)
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
    /// The rules of packs below it whose action it changes.
    pub changes: Vec<ActionChange>,
}

/// `change rule ID to ACTION reason "…"`, as loaded: which pack gave a rule of a pack below
/// which action instead of its own, when, and why (shown by `--explain`).
#[derive(Debug, Clone)]
pub struct ActionChange {
    pub rule: Box<str>,
    pub pack: PackId,
    /// [`ActionKind::Deny`], [`ActionKind::Review`] or [`ActionKind::Info`].
    pub to: ActionKind,
    pub reason: Box<str>,
    pub window: DateWindow,
    /// The changed rule's id in the `change` declaration.
    pub loc: Loc,
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
/// the column-1 code beside it, indicator 1 does unless `bypass` bypasses it, and indicator 9
/// never denies.
#[derive(Debug)]
pub struct TableEdits {
    pub table: EditTableId,
    /// `across claims of the same provider`: the claim's lines are paired with the lines of
    /// the patient's earlier claims by the same provider on the date of service.
    pub across_claims: bool,
    pub bypass: Bypass,
    pub message: Message,
}

/// What bypasses a pair edit that modifiers can bypass (indicator 1 in a table, or a
/// hand-written one), as the NCCI Policy Manual (chapter 1, section E) judges the
/// NCCI-associated modifiers: most bypass on either line, anatomic ones only when the two
/// lines show different sites.
#[derive(Debug, Clone, Default)]
pub struct Bypass {
    /// `bypass with modifier …`: one of them on either line bypasses. Sorted, for binary search.
    pub any: Vec<Modifier>,
    /// `bypass with different site modifiers …`: both lines carry one of them and none of them
    /// is on both (LT and RT bypass; LT and LT do not). Sorted, for binary search.
    pub sites: Vec<Modifier>,
}

/// Why an edit between two lines was bypassed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bypassed {
    /// A `bypass with modifier` modifier, on the column-2 line (`on_column2`) or the other.
    Modifier {
        modifier: Modifier,
        on_column2: bool,
    },
    /// The first listed site modifier of each line; they share none.
    Sites {
        column2: Modifier,
        column1: Modifier,
    },
}

impl Bypass {
    /// Whether no modifier bypasses anything.
    pub fn is_empty(&self) -> bool {
        self.any.is_empty() && self.sites.is_empty()
    }

    /// What bypasses an edit between a column-2 line and a column-1 line with these modifiers,
    /// if anything does: a `modifier` one on the column-2 line, then on the column-1 line, then
    /// site modifiers showing different sites.
    pub fn bypassed(&self, column2: &[Modifier], column1: &[Modifier]) -> Option<Bypassed> {
        let any = |ms: &[Modifier]| {
            ms.iter()
                .find(|m| self.any.binary_search(m).is_ok())
                .copied()
        };
        if let Some(modifier) = any(column2) {
            return Some(Bypassed::Modifier {
                modifier,
                on_column2: true,
            });
        }
        if let Some(modifier) = any(column1) {
            return Some(Bypassed::Modifier {
                modifier,
                on_column2: false,
            });
        }
        let site = |m: &&Modifier| self.sites.binary_search(m).is_ok();
        let first2 = column2.iter().find(site)?;
        let first1 = column1.iter().find(site)?;
        // A site on both lines is one site: the procedures may be one service there.
        let shared = column2.iter().filter(site).any(|m| column1.contains(m));
        (!shared).then_some(Bypassed::Sites {
            column2: *first2,
            column1: *first1,
        })
    }
}

#[derive(Debug)]
pub struct CheckRule {
    pub target: Target,
    /// `for each line diagnosis [in …]`: the rule runs once per line of the target and
    /// diagnosis the line points to (of this set, when given), in pointer order.
    pub diagnoses: Option<DiagnosisLoop>,
    pub when: Option<Cond>,
    pub unless: Option<Cond>,
    pub actions: Vec<Action>,
}

/// The diagnoses a `for each line diagnosis` rule runs for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiagnosisLoop {
    /// Only these ([`Program::diagnosis_sets`]); every diagnosis the line points to if `None`.
    pub within: Option<SetId>,
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
    /// Merge the line with the matched other line, as one line with the modifier.
    MergeWithOther(Modifier),
}

impl ActionKind {
    /// `deny`, `review` or `info`, as written; `None` for an action that suggests or modifies,
    /// which a `change rule … to …` leaves alone.
    pub fn verdict_word(self) -> Option<&'static str> {
        match self {
            ActionKind::Deny => Some("deny"),
            ActionKind::Review => Some("review"),
            ActionKind::Info => Some("info"),
            _ => None,
        }
    }
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
    /// The rule's `bypass with …` clauses: what spares a pair the edit denies.
    pub bypass: Bypass,
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

impl Message {
    /// About how long the message is once filled in: its text, and a few characters a
    /// placeholder (a rationale or a long cell makes it grow once).
    pub fn len_hint(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match part {
                MessagePart::Text(t) => t.len(),
                MessagePart::Placeholder(_) => 8,
            })
            .sum()
    }
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
    /// The patient's age in whole years on the date of service.
    Age,
    /// The patient's sex (`F`, `M`, `U`).
    Sex,
    /// The charge of the line the finding is on (`125.00`).
    Charge,
    /// The line number of the other line a cross-line condition matched.
    OtherLine,
    /// `{diagnosis}`: the diagnosis in scope (`for each line diagnosis`), or else the one a
    /// `line diagnosis` test matched; shown with its dot.
    Diagnosis,
    /// The id of the earlier claim whose line decided (a history condition's cited line).
    HistoryClaim,
    /// The number of that line on its claim.
    HistoryLine,
    /// Its date of service.
    HistoryDate,
    /// Its code.
    HistoryCode,
}

impl Placeholder {
    pub const ALL: [(&'static str, Placeholder); 17] = [
        ("code", Placeholder::Code),
        ("line", Placeholder::Line),
        ("units", Placeholder::Units),
        ("claim", Placeholder::Claim),
        ("date", Placeholder::Date),
        ("matched", Placeholder::Matched),
        ("with", Placeholder::With),
        ("rationale", Placeholder::Rationale),
        ("age", Placeholder::Age),
        ("sex", Placeholder::Sex),
        ("charge", Placeholder::Charge),
        ("other_line", Placeholder::OtherLine),
        ("diagnosis", Placeholder::Diagnosis),
        ("history_claim", Placeholder::HistoryClaim),
        ("history_line", Placeholder::HistoryLine),
        ("history_date", Placeholder::HistoryDate),
        ("history_code", Placeholder::HistoryCode),
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
///
/// Two kinds of entry. The claim-level ones (a code's first list, `by_range`, `by_modifier`,
/// `always`) name rules that are run whole on a claim that has one of their codes or modifiers.
/// The line-level ones (a code's second list, `lines_by_range`) name line rules that judge only the lines
/// whose code the entry names: a claim's line of such a code is judged by the rule, and no
/// other line is. Each rule has entries of one kind only.
#[derive(Debug, Default)]
pub struct RuleIndex {
    /// The claim-level and line-level rules of each code, as two lists of `rule_lists`: a line
    /// asks one probe of a small map, and the lists, shared by every code with the same rules
    /// (the 15,000 codes of the MUE table name the same five rules), stay in cache. Laid out by
    /// [`RuleIndex::finish`] from `building`.
    codes: FxHashMap<Code, CodeRules>,
    /// Each distinct list of rules, once; the first is empty.
    rule_lists: Vec<Box<[RuleIdx]>>,
    /// The rules of each code as they are added, claim-level then line-level, until `finish`.
    building: FxHashMap<Code, (Vec<RuleIdx>, Vec<RuleIdx>)>,
    pub by_range: Vec<(Code, Code, RuleIdx)>,
    /// Line rules that need no code but can fire only on a line with one of some modifiers
    /// (`when line has modifier 26, TC and …`): considered for a claim with one of them.
    pub by_modifier: FxHashMap<Modifier, Vec<RuleIdx>>,
    /// Rules that mention no code or modifier they need: considered for every claim.
    pub always: Vec<RuleIdx>,
    /// Line rules by the ranges of codes of the lines they can fire on (by single codes, they
    /// are in `codes`): a `for each line in …` rule by the codes of its set, a `for each line`
    /// rule whose `when` needs a code-table column test by the codes whose rows can pass it,
    /// and a rule with both by the codes of its set that can pass it.
    pub lines_by_range: Vec<(Code, Code, RuleIdx)>,
    /// `for each line in …` rules whose line-level entries leave out codes of their set on
    /// which a column test of their `when` can never hold, with that set. Explaining a claim
    /// shows every line such a rule judges, fired or not, so `--explain` judges a line of any
    /// code in the set.
    pub narrowed: Vec<(RuleIdx, SetId)>,
}

/// A code's rules in a [`RuleIndex`]: indexes of its lists.
#[derive(Debug, Clone, Copy, Default)]
struct CodeRules {
    claim: u32,
    lines: u32,
}

impl RuleIndex {
    /// Considers a rule for claims with one of these modifiers on a line.
    pub fn add_modifiers(&mut self, modifiers: &[Modifier], rule: RuleIdx) {
        for modifier in modifiers {
            push_once(self.by_modifier.entry(*modifier).or_default(), rule);
        }
    }

    /// Runs a rule whole on claims with a line of one of these codes.
    pub fn add_set(&mut self, set: &CodeSet, rule: RuleIdx) {
        for code in &set.exact {
            push_once(&mut self.building.entry(*code).or_default().0, rule);
        }
        add_ranges(&mut self.by_range, set, rule);
    }

    /// Runs a line rule on the lines of these codes (and no other line).
    pub fn add_lines(&mut self, set: &CodeSet, rule: RuleIdx) {
        for code in &set.exact {
            push_once(&mut self.building.entry(*code).or_default().1, rule);
        }
        add_ranges(&mut self.lines_by_range, set, rule);
    }

    /// Lays the rules added by code out for lookups, each distinct list once. The checker calls
    /// it when every rule is indexed; a code added after it is found once it is called again.
    pub fn finish(&mut self) {
        if self.rule_lists.is_empty() {
            self.rule_lists.push(Box::default());
        }
        let mut ids: FxHashMap<Vec<RuleIdx>, u32> = self
            .rule_lists
            .iter()
            .enumerate()
            .map(|(i, list)| (list.to_vec(), i as u32))
            .collect();
        for (code, (claim, lines)) in std::mem::take(&mut self.building) {
            let known = self.codes.get(&code).copied().unwrap_or_default();
            let rules = CodeRules {
                claim: self.interned(&mut ids, known.claim, claim),
                lines: self.interned(&mut ids, known.lines, lines),
            };
            self.codes.insert(code, rules);
        }
    }

    /// The id of list `known` with the rules `added` after it, a list made for it when no list
    /// is the same.
    fn interned(
        &mut self,
        ids: &mut FxHashMap<Vec<RuleIdx>, u32>,
        known: u32,
        added: Vec<RuleIdx>,
    ) -> u32 {
        if added.is_empty() {
            return known;
        }
        let all = if known == 0 {
            added
        } else {
            let mut all = self.list(known).to_vec();
            for rule in added {
                push_once(&mut all, rule);
            }
            all
        };
        let lists = &mut self.rule_lists;
        *ids.entry(all).or_insert_with_key(|all| {
            lists.push(all.as_slice().into());
            (lists.len() - 1) as u32
        })
    }

    fn list(&self, id: u32) -> &[RuleIdx] {
        self.rule_lists.get(id as usize).map_or(&[], |l| l)
    }

    /// Every code the index names, with its rules as [`RuleIndex::rules_of`] gives them, in no
    /// particular order.
    pub fn codes(&self) -> impl Iterator<Item = (Code, &[RuleIdx], &[RuleIdx])> + '_ {
        self.codes
            .iter()
            .map(|(&code, rules)| (code, self.list(rules.claim), self.list(rules.lines)))
    }

    /// The rules a line of this code triggers by the code itself (not by a range): those run
    /// whole on its claim, and the line rules that judge it.
    pub fn rules_of(&self, code: Code) -> (&[RuleIdx], &[RuleIdx]) {
        match self.codes.get(&code) {
            Some(rules) => (self.list(rules.claim), self.list(rules.lines)),
            None => (&[], &[]),
        }
    }
}

/// Adds a rule to a list, once: a rule's codes are added together, so a repeat is last.
fn push_once(rules: &mut Vec<RuleIdx>, rule: RuleIdx) {
    if rules.last() != Some(&rule) {
        rules.push(rule);
    }
}

fn add_ranges(ranges: &mut Vec<(Code, Code, RuleIdx)>, set: &CodeSet, rule: RuleIdx) {
    ranges.extend(set.ranges.iter().map(|&(lo, hi)| (lo, hi, rule)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(codes: &[&str]) -> CodeSet {
        CodeSet::new(
            codes
                .iter()
                .map(|c| Code::parse(c).expect("a code"))
                .collect(),
            Vec::new(),
        )
    }

    fn code(c: &str) -> Code {
        Code::parse(c).expect("a code")
    }

    #[test]
    fn a_code_finds_its_claim_and_line_rules_in_the_order_added() {
        let mut index = RuleIndex::default();
        index.add_lines(&codes(&["97110", "97112", "20610"]), 3);
        index.add_lines(&codes(&["97110", "97112"]), 5);
        index.add_set(&codes(&["20610"]), 4);
        index.add_lines(&codes(&["97110", "97112"]), 5);
        index.add_lines(&codes(&["97112"]), 9);
        index.finish();

        assert_eq!(index.rules_of(code("97110")), (&[][..], &[3, 5][..]));
        assert_eq!(index.rules_of(code("97112")), (&[][..], &[3, 5, 9][..]));
        assert_eq!(index.rules_of(code("20610")), (&[4][..], &[3][..]));
        assert_eq!(index.rules_of(code("99213")), (&[][..], &[][..]));
    }

    #[test]
    fn codes_of_one_set_share_one_list() {
        let mut index = RuleIndex::default();
        let mue: Vec<String> = (10_000..25_000).map(|n| n.to_string()).collect();
        let mue: Vec<&str> = mue.iter().map(String::as_str).collect();
        for rule in [10, 11, 12, 13, 14] {
            index.add_lines(&codes(&mue), rule);
        }
        index.add_lines(&codes(&["99213"]), 12);
        index.finish();
        // The empty list, the MUE codes' list and 99213's.
        assert_eq!(index.rule_lists.len(), 3);
        assert_eq!(index.rules_of(code("17777")).1, &[10, 11, 12, 13, 14]);
        assert_eq!(index.rules_of(code("99213")).1, &[12]);
    }

    #[test]
    fn many_rules_on_one_code_hold_one_list_of_them() {
        // A payer's pack of thousands of rules on one visit code: the index holds the code's
        // list once, not a list for each rule added.
        let mut index = RuleIndex::default();
        for rule in 0..5_000 {
            index.add_lines(&codes(&["99213"]), rule);
        }
        index.finish();
        let held: usize = index.rule_lists.iter().map(|l| l.len()).sum();
        assert_eq!(held, 5_000);
        assert_eq!(index.rules_of(code("99213")).1.len(), 5_000);
    }

    #[test]
    fn rules_added_after_finish_are_found_after_the_next() {
        let mut index = RuleIndex::default();
        index.add_lines(&codes(&["97110"]), 1);
        index.finish();
        index.add_lines(&codes(&["97110", "97112"]), 2);
        index.finish();
        assert_eq!(index.rules_of(code("97110")).1, &[1, 2]);
        assert_eq!(index.rules_of(code("97112")).1, &[2]);
    }
}
