//! Test coverage: which rules the policy tests fire, and what the tests never put on a claim.
//!
//! A rule counts as covered by a test case when the case's claim makes it act: a finding
//! from it, a fact it derived, or a trace saying it fired. What the tests never exercise is
//! found from the codes on the test claims: codes of a rule's lines never on a test line, pair
//! edits whose two codes never met on a test claim, and table rows never looked up.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::codes::Code;
use crate::ir::{show_pattern, CodeSet, Program, RuleKind, Table, TableKeyKind, Target};
use crate::report::ClaimResult;

/// What the tests of one run covered.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Rules covered, out of `rules.len()`.
    pub rules_covered: usize,
    /// Every loaded rule, in load order.
    pub rules: Vec<RuleCoverage>,
    /// Codes of `for each line in …` lists that no test claim has on a line, by rule.
    pub untested_codes: Vec<UntestedCodes>,
    /// Pair edits whose two codes never appear together on a test claim.
    pub untested_pair_edits: Vec<UntestedPairEdit>,
    /// Table rows whose code no test claim has on a line, by table.
    pub untested_table_rows: Vec<UntestedRows>,
}

/// One loaded rule and how many test cases fired it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCoverage {
    /// The rule's id.
    pub rule: String,
    /// The policy file it is written in.
    pub file: String,
    /// The 1-based line of its `rule`.
    pub line: u32,
    /// How many test cases fired the rule.
    pub cases: usize,
}

/// Codes a rule judges lines of that no test claim has on a line.
#[derive(Debug, Clone, Serialize)]
pub struct UntestedCodes {
    /// The rule's id.
    pub rule: String,
    /// The codes, in the rule's order.
    pub codes: Vec<String>,
}

/// A pair edit whose two codes never appear together on a test claim.
#[derive(Debug, Clone, Serialize)]
pub struct UntestedPairEdit {
    /// The id of the rule the edit belongs to.
    pub rule: String,
    /// The edit as written.
    pub edit: String,
    /// The policy file it is written in.
    pub file: String,
    /// The 1-based line of the edit.
    pub line: u32,
}

/// Rows of a table whose code no test claim has on a line.
#[derive(Debug, Clone, Serialize)]
pub struct UntestedRows {
    /// The table's name.
    pub table: String,
    /// How many rows the table has, tested or not.
    pub rows: usize,
    /// The codes of the rows no test looked up.
    pub codes: Vec<String>,
}

impl Coverage {
    /// The share of rules covered, in percent; 100 when no rule is loaded.
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            100.0
        } else {
            100.0 * self.rules_covered as f64 / self.rules.len() as f64
        }
    }
}

/// Gathers what each test case did.
#[derive(Default)]
pub(super) struct CoverageCollector {
    fired: HashMap<String, usize>,
    codes: HashSet<Code>,
    /// The codes of each test claim, to tell which pair edits met.
    claims: Vec<Vec<Code>>,
    /// The diagnoses of every test claim, to tell which rows of tables keyed by diagnosis
    /// were looked up.
    diagnoses: HashSet<crate::codes::Diagnosis>,
}

impl CoverageCollector {
    /// Records one test case: the codes of its claim and what its evaluation (with
    /// explanations) shows.
    pub fn record(&mut self, codes: Vec<Code>, result: &ClaimResult) {
        let mut fired: BTreeSet<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
        if let Some(explain) = &result.explain {
            fired.extend(explain.derived.iter().map(|d| d.rule.as_str()));
            fired.extend(
                explain
                    .rules
                    .iter()
                    .filter(|t| t.fired)
                    .map(|t| t.rule.as_str()),
            );
        }
        for rule in fired {
            *self.fired.entry(rule.to_string()).or_default() += 1;
        }
        self.codes.extend(codes.iter().copied());
        self.claims.push(codes);
    }

    /// Records the diagnoses of one test case's claim.
    pub fn record_diagnoses(&mut self, diagnoses: Vec<crate::codes::Diagnosis>) {
        self.diagnoses.extend(diagnoses);
    }

    /// The rows of a table keyed by diagnosis that no test claim's diagnosis reads (a family
    /// row counts as read when a diagnosis it decides for is on a test claim).
    fn untested_diagnosis_rows(&self, table: &Table) -> Option<UntestedRows> {
        let read: HashSet<u32> = self
            .diagnoses
            .iter()
            .filter_map(|d| table.diagnosis_row(d))
            .collect();
        let codes: Vec<String> = table
            .diagnosis_keys()
            .patterns
            .iter()
            .filter(|p| {
                let rows = if p.prefix {
                    &table.family_rows
                } else {
                    &table.diagnosis_rows
                };
                rows.get(&p.compact).is_some_and(|r| !read.contains(r))
            })
            .map(show_pattern)
            .collect();
        (!codes.is_empty()).then(|| UntestedRows {
            table: table.name.to_string(),
            rows: table.lines.len(),
            codes,
        })
    }

    pub fn finish(self, program: &Program) -> Coverage {
        let mut rules = Vec::with_capacity(program.rules.len());
        let mut untested_codes = Vec::new();
        let mut untested_pair_edits = Vec::new();
        let mut seen = HashSet::new();
        // A rule that packs above override is one rule to test, under its id.
        for rule in &program.rules {
            if !seen.insert(&*rule.id) {
                continue;
            }
            let (file, line, _) = program.position(rule.loc);
            let cases = self.fired.get(&*rule.id).copied().unwrap_or(0);
            rules.push(RuleCoverage {
                rule: rule.id.to_string(),
                file: file.to_string(),
                line,
                cases,
            });
            match &rule.kind {
                RuleKind::Check(check) => {
                    if let Target::Lines(set) = check.target {
                        let set = &program.code_sets[set.index()];
                        if national_codes(program, set) {
                            continue;
                        }
                        let codes: Vec<String> = set
                            .exact
                            .iter()
                            .filter(|c| !self.codes.contains(c))
                            .map(Code::to_string)
                            .chain(
                                set.ranges
                                    .iter()
                                    .filter(|(lo, hi)| {
                                        !self.codes.iter().any(|c| lo <= c && c <= hi)
                                    })
                                    .map(|(lo, hi)| format!("{lo}-{hi}")),
                            )
                            .collect();
                        if !codes.is_empty() {
                            untested_codes.push(UntestedCodes {
                                rule: rule.id.to_string(),
                                codes,
                            });
                        }
                    }
                }
                RuleKind::Pairs(edits) => {
                    for edit in edits {
                        let column2 = &program.code_sets[edit.column2.index()];
                        let column1 = &program.code_sets[edit.column1.index()];
                        let met = self.claims.iter().any(|codes| {
                            codes.iter().any(|c| column2.contains(*c))
                                && codes.iter().any(|c| column1.contains(*c))
                        });
                        if !met {
                            let (file, line, _) = program.position(edit.loc);
                            untested_pair_edits.push(UntestedPairEdit {
                                rule: rule.id.to_string(),
                                edit: program.text(edit.loc).to_string(),
                                file: file.to_string(),
                                line,
                            });
                        }
                    }
                }
                RuleKind::Derive | RuleKind::TableEdits(_) => {}
            }
        }
        let untested_table_rows = program
            .tables
            .iter()
            .filter(|table| table.national.is_none())
            .filter_map(|table| {
                if table.key == TableKeyKind::Diagnosis {
                    return self.untested_diagnosis_rows(table);
                }
                let mut codes: Vec<Code> = table
                    .rows
                    .keys()
                    .filter(|c| !self.codes.contains(c))
                    .copied()
                    .collect();
                codes.sort_unstable();
                (!codes.is_empty()).then(|| UntestedRows {
                    table: table.name.to_string(),
                    rows: table.rows.len(),
                    codes: codes.iter().map(Code::to_string).collect(),
                })
            })
            .collect();
        Coverage {
            rules_covered: rules.iter().filter(|r| r.cases > 0).count(),
            rules,
            untested_codes,
            untested_pair_edits,
            untested_table_rows,
        }
    }
}

/// Whether a rule's codes are the codes of a national table (`for each line in "ncci_mue"`):
/// thousands of codes published by CMS, which the pack's tests do not each exercise.
fn national_codes(program: &Program, set: &CodeSet) -> bool {
    set.ranges.is_empty()
        && program.tables.iter().any(|table| {
            table.national.is_some()
                && table.rows.len() == set.exact.len()
                && set.exact.iter().all(|code| table.rows.contains_key(code))
        })
}
