//! What a batch run comes to: claims by status, findings by action, the rules that fired most.

use std::time::Duration;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::report::{ActionName, ClaimResult, Findings, ResultView, Status};

/// How many rules [`Summary::top_rules`] lists.
pub const TOP_RULES: usize = 10;

/// The tally of a run, shown at its end (and written as JSON with `--summary-json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Claims read, which is also results written.
    pub claims: u64,
    pub by_status: StatusCounts,
    /// Reasons given by `error` results (a claim may have several).
    pub errors: u64,
    pub findings: u64,
    pub findings_by_action: ActionCounts,
    /// The rules with the most findings, most first (ties by rule id).
    pub top_rules: Vec<RuleCount>,
    pub elapsed_seconds: f64,
    pub claims_per_second: f64,
    /// The run was stopped (Ctrl-C) before the input ended; every claim read was still written.
    pub interrupted: bool,
    /// The process's peak resident memory in KiB, where the system tells it (Linux); `null`
    /// elsewhere.
    pub peak_memory_kib: Option<u64>,
    #[serde(skip)]
    rule_findings: FxHashMap<String, u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub pass: u64,
    pub review: u64,
    pub deny: u64,
    pub error: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    pub deny: u64,
    pub review: u64,
    pub suggest: u64,
    pub modify: u64,
    pub info: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub findings: u64,
}

impl Summary {
    /// Counts one result.
    pub fn add(&mut self, result: &ClaimResult) {
        self.add_view(&result.view());
    }

    /// Counts one result, given by its parts.
    pub(crate) fn add_view<F: Findings>(&mut self, result: &ResultView<'_, F>) {
        self.claims += 1;
        let status = &mut self.by_status;
        *match result.status {
            Status::Pass => &mut status.pass,
            Status::Review => &mut status.review,
            Status::Deny => &mut status.deny,
            Status::Error => &mut status.error,
        } += 1;
        self.errors += result.errors.len() as u64;
        for (action, rule) in result.findings.actions() {
            self.findings += 1;
            let actions = &mut self.findings_by_action;
            *match action {
                ActionName::Deny => &mut actions.deny,
                ActionName::Review => &mut actions.review,
                ActionName::Suggest => &mut actions.suggest,
                ActionName::Modify => &mut actions.modify,
                ActionName::Info => &mut actions.info,
            } += 1;
            match self.rule_findings.get_mut(rule) {
                Some(n) => *n += 1,
                None => {
                    self.rule_findings.insert(rule.to_owned(), 1);
                }
            }
        }
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: Summary) {
        self.claims += other.claims;
        let (a, b) = (&mut self.by_status, other.by_status);
        a.pass += b.pass;
        a.review += b.review;
        a.deny += b.deny;
        a.error += b.error;
        self.errors += other.errors;
        self.findings += other.findings;
        let (a, b) = (&mut self.findings_by_action, other.findings_by_action);
        a.deny += b.deny;
        a.review += b.review;
        a.suggest += b.suggest;
        a.modify += b.modify;
        a.info += b.info;
        for (rule, n) in other.rule_findings {
            *self.rule_findings.entry(rule).or_default() += n;
        }
    }

    /// Whether every claim passed.
    pub fn all_pass(&self) -> bool {
        self.by_status.pass == self.claims
    }

    /// Fills in the top rules, the time taken and the rate.
    pub fn finish(&mut self, elapsed: Duration, interrupted: bool) {
        let mut rules: Vec<RuleCount> = self
            .rule_findings
            .iter()
            .map(|(rule, n)| RuleCount {
                rule: rule.clone(),
                findings: *n,
            })
            .collect();
        rules.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        rules.truncate(TOP_RULES);
        self.top_rules = rules;
        self.elapsed_seconds = elapsed.as_secs_f64();
        self.claims_per_second = if self.elapsed_seconds > 0.0 {
            self.claims as f64 / self.elapsed_seconds
        } else {
            0.0
        };
        self.interrupted = interrupted;
        self.peak_memory_kib = peak_memory_kib();
    }

    /// The summary for people: a few lines, each ending with a newline.
    pub fn render_text(&self) -> String {
        let s = &self.by_status;
        let a = &self.findings_by_action;
        let mut out = format!(
            "{} claims: {} pass, {} review, {} deny, {} error\n",
            self.claims, s.pass, s.review, s.deny, s.error
        );
        if self.errors > 0 {
            out.push_str(&format!(
                "{} reason(s) why claims could not be judged\n",
                self.errors
            ));
        }
        out.push_str(&format!(
            "{} findings: {} deny, {} review, {} suggest, {} modify, {} info\n",
            self.findings, a.deny, a.review, a.suggest, a.modify, a.info
        ));
        if !self.top_rules.is_empty() {
            out.push_str("rules with the most findings:\n");
            let width = self
                .top_rules
                .iter()
                .map(|r| r.rule.len())
                .max()
                .unwrap_or(0);
            for r in &self.top_rules {
                out.push_str(&format!("  {:width$}  {}\n", r.rule, r.findings));
            }
        }
        out.push_str(&format!(
            "{:.2} s, {:.0} claims/s{}{}\n",
            self.elapsed_seconds,
            self.claims_per_second,
            self.peak_memory_kib.map_or(String::new(), |kib| format!(
                ", peak memory {:.0} MiB",
                kib as f64 / 1024.0
            )),
            if self.interrupted {
                "; interrupted: the claims not yet read were not judged"
            } else {
                ""
            }
        ));
        out
    }
}

/// The peak resident memory of this process, from `/proc/self/status`.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
