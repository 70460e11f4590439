//! `same reason as`: once a claim's rules have run, the findings that rules related by the
//! clause made of one action on one line are given as one.
//!
//! Which findings become one: those of the same action (and, for `suggest` and `modify`, the
//! same code or change) on the same line whose rules are related, directly or through other
//! such findings on that line. Which one is given: the one that cites a row of a national
//! table (NCCI PTP or MUE), else the one whose rule comes first in load order (pack, file,
//! place in the file). The others are recorded, with `--explain`, as agreements.
//!
//! Most claims have no two findings of related rules on one line: they cost one pass over the
//! findings, with nothing allocated.

use std::cmp::Ordering;

use super::found::{owned_policy, owned_table, Found};
use crate::ir::{Program, RuleIdx};
use crate::report::{ActionName, Agreement};

/// Merges the findings related rules repeat, in place. `rules[i]` is the rule of
/// `findings[i]`. With `explain`, returns what each finding given up agreed with, in the order
/// of the findings; otherwise nothing.
pub(super) fn merge(
    program: &Program,
    findings: &mut Vec<Found<'_>>,
    rules: &[RuleIdx],
    explain: bool,
) -> Vec<Agreement> {
    let relation = &program.same_reason;
    if relation.is_empty() || findings.len() < 2 || findings.len() != rules.len() {
        return Vec::new();
    }
    // A finding on one line, or a merge on its two: the same lines make the same finding.
    let mergeable =
        |i: usize| !findings[i].lines.as_slice().is_empty() && !relation.of(rules[i]).is_empty();
    // Findings are one only when they are on the same lines, so first their lines are looked
    // at, a bit a line number (modulo 64): a claim whose findings are each on a line of its
    // own, as most are, is done without sorting them.
    let mut lines_seen = 0u64;
    let mut line_shared = false;
    for i in (0..findings.len()).filter(|&i| mergeable(i)) {
        let first = findings[i].lines.as_slice().first().copied().unwrap_or(0);
        let bit = 1u64 << (first % 64);
        line_shared |= lines_seen & bit != 0;
        lines_seen |= bit;
    }
    if !line_shared {
        return Vec::new();
    }
    // The findings that may merge, by line, action and rule, so that each group of one line
    // and one action is a run, its rules in order.
    let mut candidates: Vec<usize> = (0..findings.len()).filter(|&i| mergeable(i)).collect();
    candidates
        .sort_by(|&a, &b| same_finding(&findings[a], &findings[b]).then(rules[a].cmp(&rules[b])));
    // For each finding given up, the finding given in its place.
    let mut given_for: Vec<Option<usize>> = vec![None; findings.len()];
    let mut start = 0;
    while start < candidates.len() {
        let first = &findings[candidates[start]];
        let len = candidates[start..]
            .iter()
            .take_while(|&&i| same_finding(first, &findings[i]) == Ordering::Equal)
            .count();
        let group = &candidates[start..start + len];
        start += len;
        if group.len() > 1 {
            merge_group(program, findings, rules, group, &mut given_for);
        }
    }
    if given_for.iter().all(Option::is_none) {
        return Vec::new();
    }
    // Each agreement is kept with its finding's place among the claim's findings (line, then
    // place in the policies) and the order it was made in, to be listed in that order.
    let mut agreed: Vec<(Place, Agreement)> = Vec::new();
    let mut kept = Vec::with_capacity(findings.len());
    for (i, finding) in std::mem::take(findings).into_iter().enumerate() {
        match given_for[i] {
            None => kept.push(finding),
            Some(k) if explain => agreed.push((
                (finding.order, i),
                Agreement {
                    line: finding.lines.as_slice().first().copied().unwrap_or(0),
                    rule: finding.rule.to_owned(),
                    action: finding.action,
                    kept: program.rules[rules[k] as usize].id.to_string(),
                    message: finding.message,
                    policy: owned_policy(finding.policy),
                    table: finding.table.map(owned_table),
                },
            )),
            Some(_) => {}
        }
    }
    *findings = kept;
    agreed.sort_by_key(|(order, _)| *order);
    agreed.into_iter().map(|(_, a)| a).collect()
}

/// Where a finding is among a claim's findings (line, file, offset of its action), and the
/// order it was made in.
type Place = ((u32, u32, u32), usize);

/// Joins the findings of one group (one line, one action) whose rules are related, directly or
/// through others of the group; in each part that holds more than one finding, the finding of
/// the highest rank is given and the others point to it.
fn merge_group(
    program: &Program,
    findings: &[Found<'_>],
    rules: &[RuleIdx],
    group: &[usize],
    given_for: &mut [Option<usize>],
) {
    let relation = &program.same_reason;
    let mut parent: Vec<usize> = (0..group.len()).collect();
    for (a, &i) in group.iter().enumerate() {
        let related = relation.of(rules[i]);
        if related.len() < group.len() {
            // Look up each related rule among the group's, which are in rule order.
            for rule in related {
                let from = group.partition_point(|&j| rules[j] < *rule);
                for (b, &j) in group.iter().enumerate().skip(from) {
                    if rules[j] != *rule {
                        break;
                    }
                    union(&mut parent, a, b);
                }
            }
        } else {
            for (b, &j) in group.iter().enumerate() {
                if relation.relates(rules[i], rules[j]) {
                    union(&mut parent, a, b);
                }
            }
        }
    }
    // The finding given for each part: the highest rank among its findings.
    let mut best: Vec<Option<usize>> = vec![None; group.len()];
    for a in 0..group.len() {
        let root = find(&mut parent, a);
        let better = match best[root] {
            None => true,
            Some(b) => {
                rank(program, findings, rules, group[a]) < rank(program, findings, rules, group[b])
            }
        };
        if better {
            best[root] = Some(a);
        }
    }
    for a in 0..group.len() {
        let root = find(&mut parent, a);
        if let Some(b) = best[root] {
            if b != a {
                given_for[group[a]] = Some(group[b]);
            }
        }
    }
}

/// The rank of a finding for being the one given, lowest first: one that cites a row of a
/// national table, then by its rule's place in load order, then by where its action is
/// written.
fn rank(
    program: &Program,
    findings: &[Found<'_>],
    rules: &[RuleIdx],
    i: usize,
) -> (bool, RuleIdx, (u32, u32, u32)) {
    let f = &findings[i];
    let national = f
        .table
        .as_ref()
        .is_some_and(|(name, _, _)| program.is_national_table(name));
    (!national, rules[i], f.order)
}

/// Orders findings so that those that can be one finding are next to each other: by line,
/// action, suggested code and change. `Equal` when they are the same finding but for their
/// rule and message.
fn same_finding(a: &Found<'_>, b: &Found<'_>) -> Ordering {
    a.lines
        .as_slice()
        .cmp(b.lines.as_slice())
        .then(action_order(a.action).cmp(&action_order(b.action)))
        .then(a.suggested_code.cmp(&b.suggested_code))
        .then_with(|| change_key(a).cmp(&change_key(b)))
}

fn change_key<'f>(f: &'f Found<'_>) -> Option<(&'static str, u32, Option<&'f str>)> {
    f.change
        .as_ref()
        .map(|c| (c.op.as_str(), c.line, c.modifier.as_deref()))
}

fn action_order(a: ActionName) -> u8 {
    match a {
        ActionName::Deny => 0,
        ActionName::Review => 1,
        ActionName::Suggest => 2,
        ActionName::Modify => 3,
        ActionName::Info => 4,
    }
}

fn find(parent: &mut [usize], mut a: usize) -> usize {
    while parent[a] != a {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    a
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The lower index is the root: the result does not depend on the order of unions.
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[high] = low;
    }
}
