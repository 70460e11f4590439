//! Step 5 of reading a note: the facts the mentions left standing state, each settled once.

use std::collections::HashMap;

use super::vocabulary::Vocabulary;
use crate::facts::{Conclusion, FactId, Value};

use super::durations::*;
use super::found::*;

pub(super) fn facts(
    vocabulary: &Vocabulary,
    tokens: &[Token],
    mentions: &mut [Mention],
) -> Vec<NoteFact> {
    // A removal takes back the earlier mentions that state the same thing about the facts
    // its cue is for: `K-wires were removed` takes back the K-wires, not the internal
    // fixation a plate states. The affirmed mentions standing so far are kept by what they
    // state, so a removal finds them without going over every earlier mention.
    let mut standing: HashMap<&Conclusion, Vec<usize>> = HashMap::new();
    for r in 0..mentions.len() {
        let meaning = &vocabulary.meanings[mentions[r].meaning as usize];
        if let (Status::Removed, Some(cue)) = (mentions[r].status, mentions[r].removal) {
            let facts = &vocabulary.cues[cue as usize].facts;
            for c in &meaning.conclusions {
                if !facts.is_empty() && !facts.contains(&c.fact()) {
                    continue;
                }
                for m in standing.remove(c).unwrap_or_default() {
                    mentions[m].cancelled = true;
                }
            }
        }
        if mentions[r].status == Status::Affirmed {
            for c in &meaning.conclusions {
                standing.entry(c).or_default().push(r);
            }
        }
    }
    let mut out: Vec<NoteFact> = Vec::new();
    let mut denied: Vec<NoteFact> = Vec::new();
    // Worked out for the whole note once, the first time a duration is read.
    let mut added: Option<Vec<Added>> = None;
    for m in mentions.iter() {
        if m.cancelled {
            continue;
        }
        let meaning = &vocabulary.meanings[m.meaning as usize];
        let (start, end) = (
            tokens[m.start].start as usize,
            tokens[m.end - 1].end as usize,
        );
        let fact = |fact, value| NoteFact {
            fact,
            value,
            start,
            end,
            meaning: m.meaning,
        };
        match m.status {
            Status::Affirmed => {
                for c in &meaning.conclusions {
                    let (id, value) = stated(c);
                    if !out
                        .iter()
                        .any(|f| f.fact == id && same_member(&f.value, &value))
                    {
                        out.push(fact(id, value));
                    }
                }
                if let Some(id) = meaning.measures {
                    let added = added.get_or_insert_with(|| added_durations(vocabulary, tokens));
                    if let Some((minutes, from, to)) = duration_near(vocabulary, tokens, added, m) {
                        let (s, e) = (start.min(from), end.max(to));
                        out.push(NoteFact {
                            fact: id,
                            value: Value::Number(minutes),
                            start: s,
                            end: e,
                            meaning: m.meaning,
                        });
                    }
                }
            }
            // "Not exposed" denies both facts "exposed" states; "no K-wires" denies the
            // K-wire, not the internal fixation a K-wire would have stated.
            Status::Negated
                if meaning
                    .conclusions
                    .iter()
                    .all(|c| matches!(c, Conclusion::SetBool(..))) =>
            {
                for c in &meaning.conclusions {
                    if let Conclusion::SetBool(id, b) = c {
                        denied.push(fact(*id, Value::Bool(!b)));
                    }
                }
            }
            Status::Negated => {}
            Status::Removed | Status::Unsettled => {}
        }
    }
    settle(out, denied)
}

/// The fact and value a conclusion states, a list member as a one-member list.
pub(super) fn stated(c: &Conclusion) -> (FactId, Value) {
    match c {
        Conclusion::SetBool(f, b) => (*f, Value::Bool(*b)),
        Conclusion::SetChoice(f, i) => (*f, Value::Choice(*i)),
        Conclusion::AddChoice(f, i) => (*f, Value::Choices(1 << i)),
        Conclusion::SetText(f, t) => (*f, Value::Text(t.clone())),
        Conclusion::AddText(f, t) => (*f, Value::Texts(vec![t.clone()])),
    }
}

/// Whether two statements of one fact say the same thing (for a list: the same member).
pub(super) fn same_member(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Choices(_) | Value::Texts(_) | Value::Bool(_), _) => a == b,
        // A single-valued fact is stated once: the first statement decides.
        _ => true,
    }
}

/// One statement per fact (one per member of a list fact), in the order the note makes them.
/// A yes beats a no; a yes/no fact only denied is no; the largest duration wins (a total is
/// never less than its parts).
pub(super) fn settle(stated: Vec<NoteFact>, denied: Vec<NoteFact>) -> Vec<NoteFact> {
    let mut out: Vec<NoteFact> = Vec::with_capacity(stated.len());
    for f in stated {
        match out
            .iter_mut()
            .find(|o| o.fact == f.fact && !is_member(&o.value))
        {
            Some(o) => match (&o.value, &f.value) {
                (Value::Bool(false), Value::Bool(true)) => *o = f,
                (Value::Number(a), Value::Number(b)) if b > a => *o = f,
                _ => {}
            },
            None => out.push(f),
        }
    }
    for d in denied {
        if !out.iter().any(|o| o.fact == d.fact) {
            out.push(d);
        }
    }
    out.sort_by_key(|f| (f.fact, f.start));
    out
}

pub(super) fn is_member(v: &Value) -> bool {
    matches!(v, Value::Choices(_) | Value::Texts(_))
}

// ------------------------------------------------------------------------ durations
