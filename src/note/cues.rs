//! Step 4 of reading a note: which phrases each cue covers, and what it makes of them.

use std::collections::HashSet;

use super::vocabulary::{CueKind, Output, Vocabulary, COLON};

use super::found::*;

/// How many tokens may stand between a `before` cue and the first phrase it covers.
pub const REACH_BEFORE: usize = 5;

/// How many tokens may stand between the first phrase an `after` cue covers and the cue.
pub const REACH_AFTER: usize = 3;

/// More tokens than any phrase spans, `...` gaps included.
pub(super) const MAX_PHRASE_TOKENS: usize = 64;

pub(super) fn cue_kind(vocabulary: &Vocabulary, found: &Found) -> CueKind {
    match found.output {
        Output::Cue(c) => vocabulary.cues[c as usize].kind,
        Output::Phrase(_) => CueKind::Pseudo,
    }
}

// ------------------------------------------------------------------------ cues

pub(super) fn apply_cues(
    vocabulary: &Vocabulary,
    tokens: &[Token],
    clauses: &[u32],
    cues: &[Found],
    mentions: &mut [Mention],
) {
    // The heading cues that have covered the rest of their clause, by clause.
    let mut headings: HashSet<(u32, u32)> = HashSet::new();
    for found in cues {
        let Output::Cue(c) = found.output else {
            continue;
        };
        let cue = &vocabulary.cues[c as usize];
        if !cue.kind.has_reach() {
            continue;
        }
        let status = Status::of(cue.kind);
        let applies = |m: &Mention| vocabulary.meanings[m.meaning as usize].touches(&cue.facts);
        let mark = |m: &mut Mention| {
            if status > m.status {
                m.status = status;
                m.removal = Some(c);
            }
        };
        // Inside a phrase: `fracture site was not exposed`.
        // Mentions are in order of their start, so each cue only looks at its neighbours.
        let before_cue = mentions.partition_point(|m| m.start < found.start);
        let after_cue = mentions.partition_point(|m| m.start < found.end);
        if let Some(m) = mentions[..before_cue]
            .iter_mut()
            .rev()
            .take_while(|m| m.start + MAX_PHRASE_TOKENS > found.start)
            .find(|m| found.end <= m.end)
        {
            if applies(m) {
                mark(m);
            }
            continue;
        }
        let same_clause = |a: usize, b: usize| clauses.get(a) == clauses.get(b);
        // A heading (`Plan:`, `PMH:`) covers its whole clause.
        let heading = tokens.get(found.end - 1).is_some_and(|t| t.word == COLON);
        if cue.before && heading {
            // The same heading again in its clause covers a part of what it covered the first
            // time, to the same effect: skip it, or a clause of headings costs its square.
            let clause = clauses.get(found.start).copied().unwrap_or(u32::MAX);
            if !headings.insert((clause, c)) {
                continue;
            }
            for m in mentions[after_cue..].iter_mut() {
                if !same_clause(found.start, m.start) {
                    break;
                }
                if applies(m) {
                    mark(m);
                }
            }
        } else if cue.before {
            let in_cue_clause = |t: usize| same_clause(found.start, t);
            let toward = Toward::Later {
                window: REACH_BEFORE,
            };
            let reach = mentions[after_cue..].iter_mut();
            cover(
                reach,
                toward,
                found.end,
                vocabulary,
                tokens,
                &in_cue_clause,
                &applies,
                &mark,
            );
        } else {
            let in_cue_clause = |t: usize| same_clause(found.start, t);
            let toward = Toward::Earlier {
                window: REACH_AFTER,
            };
            let reach = mentions[..before_cue]
                .iter_mut()
                .rev()
                .filter(|m| m.end <= found.start);
            cover(
                reach,
                toward,
                found.start,
                vocabulary,
                tokens,
                &in_cue_clause,
                &applies,
                &mark,
            );
        }
    }
}

/// Which way a cue reaches from its edge, and how many tokens may stand between it and the
/// first phrase it covers.
#[derive(Clone, Copy)]
pub(super) enum Toward {
    Later { window: usize },
    Earlier { window: usize },
}

/// Covers the mentions a cue reaches, nearest first: the first within the window, then the
/// ones joined to it as a list; stops at the end of the cue's clause.
#[allow(clippy::too_many_arguments)]
pub(super) fn cover<'m>(
    reach: impl Iterator<Item = &'m mut Mention>,
    toward: Toward,
    edge: usize,
    vocabulary: &Vocabulary,
    tokens: &[Token],
    in_cue_clause: &dyn Fn(usize) -> bool,
    applies: &dyn Fn(&Mention) -> bool,
    mark: &dyn Fn(&mut Mention),
) {
    // The far end of what is covered so far.
    let mut frontier = edge;
    let mut first = true;
    for m in reach {
        let (clause_token, between, window) = match toward {
            Toward::Later { window } => (m.start, frontier..m.start, window),
            Toward::Earlier { window } => (m.end.saturating_sub(1), m.end..frontier, window),
        };
        if !in_cue_clause(clause_token) {
            break;
        }
        let between = tokens.get(between).unwrap_or(&[]);
        let reached = if first {
            between.len() <= window
        } else {
            between.iter().all(|t| joins(vocabulary, t.word))
        };
        if !reached {
            break;
        }
        if applies(m) {
            mark(m);
            first = false;
        }
        frontier = match toward {
            Toward::Later { .. } => frontier.max(m.end),
            Toward::Earlier { .. } => frontier.min(m.start),
        };
    }
}
