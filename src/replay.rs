//! Replay: the same claims judged by two pack sets, and every claim whose outcome changes, so
//! a payer sees what a pack change does to last month's claims before it goes live.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::{ClaimResult, Finding, Status};

/// What changed between two runs over the same claims.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    /// Claims compared.
    pub claims: usize,
    /// Every claim whose status or findings differ, in input order.
    pub changes: Vec<ClaimChange>,
    /// Findings added and removed, by rule, most changed first.
    pub by_rule: Vec<RuleChange>,
}

/// One claim whose outcome differs.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimChange {
    /// The claim's id; `None` for an input that did not read as a claim.
    pub claim: Option<String>,
    /// Its 0-based position among the claims compared.
    pub position: usize,
    pub old_status: Status,
    pub new_status: Status,
    /// Findings the new packs make and the old ones do not.
    pub added: Vec<Finding>,
    /// Findings the old packs make and the new ones do not.
    pub removed: Vec<Finding>,
}

/// How a rule's findings change over the claims compared.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleChange {
    pub rule: String,
    pub added: usize,
    pub removed: usize,
}

/// What makes two findings the same: what they say about which line. Where the rule is
/// written, and in which pack, does not count, so an override that keeps an edit's effect is no
/// change.
fn same_finding(a: &Finding, b: &Finding) -> bool {
    a.rule == b.rule
        && a.action == b.action
        && a.lines == b.lines
        && a.code == b.code
        && a.suggested_code == b.suggested_code
        && a.change == b.change
        && a.message == b.message
}

/// Compares the results of the same claims, in the same order, under old and new packs.
pub fn compare(old: &[ClaimResult], new: &[ClaimResult]) -> Replay {
    let mut changes = Vec::new();
    let mut by_rule: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (position, (o, n)) in old.iter().zip(new).enumerate() {
        let added: Vec<Finding> = n
            .findings
            .iter()
            .filter(|f| !o.findings.iter().any(|g| same_finding(f, g)))
            .cloned()
            .collect();
        let removed: Vec<Finding> = o
            .findings
            .iter()
            .filter(|f| !n.findings.iter().any(|g| same_finding(f, g)))
            .cloned()
            .collect();
        if o.status == n.status && added.is_empty() && removed.is_empty() {
            continue;
        }
        for f in &added {
            by_rule.entry(f.rule.clone()).or_default().0 += 1;
        }
        for f in &removed {
            by_rule.entry(f.rule.clone()).or_default().1 += 1;
        }
        changes.push(ClaimChange {
            claim: n.claim.clone().or_else(|| o.claim.clone()),
            position,
            old_status: o.status,
            new_status: n.status,
            added,
            removed,
        });
    }
    let mut by_rule: Vec<RuleChange> = by_rule
        .into_iter()
        .map(|(rule, (added, removed))| RuleChange {
            rule,
            added,
            removed,
        })
        .collect();
    by_rule.sort_by_key(|r| std::cmp::Reverse(r.added + r.removed));
    Replay {
        claims: old.len().min(new.len()),
        changes,
        by_rule,
    }
}
