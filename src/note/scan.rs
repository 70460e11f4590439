//! Reading one note: its words numbered by the vocabulary, the phrases and cues found among
//! them, each phrase's cues worked out NegEx-style, and what the mentions left standing say.
//!
//! 1. Tokens: each note word is looked up once; a word the vocabulary does not use is
//!    `UNKNOWN`. Sentence ends, `;` and a line that starts a new template field or sentence
//!    are breaks.
//! 2. Matches: from every word the vocabulary knows, the trie is walked (a phrase's `...`
//!    skips up to [`MAX_GAP`] words). Phrases, measures and cues are each chosen leftmost,
//!    longest first, without overlaps within their kind, so `cannulated screw` is not also
//!    `screw` and `no further` is a pseudo-negation, not `no`.
//! 3. Clauses: breaks and `boundary` cues end a clause; no cue reaches past one.
//! 4. Reach: a cue inside a phrase (`fracture site was not exposed`) covers that phrase alone.
//!    Otherwise a cue `before` covers the first phrase that starts within [`REACH_BEFORE`]
//!    tokens after it, a cue `after` the last one that ends within [`REACH_AFTER`] tokens
//!    before it, and either goes on to the phrases joined to that one as a list
//!    (`no K-wires, screws or plates`).
//! 5. Facts: mentions are read in order. An affirmed mention states its facts. A negated one
//!    states nothing but, when all it means are yes/no facts, settles them as no (never over a
//!    yes). A removal takes back earlier mentions of the same list values. Hypothetical,
//!    historical and indirect mentions settle nothing.

use super::lexer::{normalize_into, pieces, Piece};
use super::vocabulary::{
    CueKind, Output, Vocabulary, WordId, BREAK, COLON, COMMA, MAX_GAP, NUMBER, UNKNOWN,
};
use std::collections::{HashMap, HashSet};

use crate::facts::{Conclusion, FactId, Value};

/// How many tokens may stand between a `before` cue and the first phrase it covers.
pub const REACH_BEFORE: usize = 5;
/// How many tokens may stand between the first phrase an `after` cue covers and the cue.
pub const REACH_AFTER: usize = 3;
/// More tokens than any phrase spans, `...` gaps included.
const MAX_PHRASE_TOKENS: usize = 64;
/// How far from a `measures` phrase its duration may be written, in tokens.
const DURATION_REACH: usize = 6;

/// One fact a note states, and the words that state it.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteFact {
    pub fact: FactId,
    /// For a list fact, one member (one `NoteFact` per member).
    pub value: Value,
    /// Byte range of the deciding words in the note.
    pub start: usize,
    pub end: usize,
    /// The `phrase` statement whose phrase matched (an index of `Vocabulary::meanings`).
    pub meaning: u32,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    word: WordId,
    start: u32,
    end: u32,
    /// A number's value (a clock time's, in minutes).
    number: f64,
}

#[derive(Debug, Clone, Copy)]
struct Found {
    output: Output,
    start: usize,
    end: usize,
}

/// What the cues around a phrase make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Affirmed,
    Negated,
    Removed,
    /// Hypothetical or historical: not this procedure's act.
    Unsettled,
}

impl Status {
    fn of(kind: CueKind) -> Status {
        match kind {
            CueKind::Negation => Status::Negated,
            CueKind::Removal => Status::Removed,
            _ => Status::Unsettled,
        }
    }
}

/// A phrase found in the note, with what its cues make of it.
struct Mention {
    meaning: u32,
    start: usize,
    end: usize,
    status: Status,
    /// The removal cue, when the status is `Removed`.
    removal: Option<u32>,
    /// Taken back by a later removal.
    cancelled: bool,
}

/// The facts a note states, by the vocabulary. Deterministic: the same note and vocabulary
/// give the same facts in the same order.
pub fn read_note(vocabulary: &Vocabulary, note: &str) -> Vec<NoteFact> {
    if vocabulary.is_empty() || note.is_empty() {
        return Vec::new();
    }
    let tokens = tokenize(vocabulary, note);
    let found = find(vocabulary, &tokens);
    let (phrases, cues) = choose(vocabulary, found);
    let clauses = clauses(vocabulary, &tokens, &cues);
    let mut mentions: Vec<Mention> = phrases
        .iter()
        .map(|p| Mention {
            meaning: phrase_meaning(p),
            start: p.start,
            end: p.end,
            status: Status::Affirmed,
            removal: None,
            cancelled: false,
        })
        .collect();
    apply_cues(vocabulary, &tokens, &clauses, &cues, &mut mentions);
    facts(vocabulary, &tokens, &mut mentions)
}

fn phrase_meaning(found: &Found) -> u32 {
    match found.output {
        Output::Phrase(m) | Output::Cue(m) => m,
    }
}

// ------------------------------------------------------------------------ tokens

fn tokenize(vocabulary: &Vocabulary, note: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(note.len() / 5);
    let mut key = String::with_capacity(32);
    let push = |tokens: &mut Vec<Token>, word, start: usize, end: usize, number| {
        tokens.push(Token {
            word,
            start: start as u32,
            end: end as u32,
            number,
        })
    };
    let words = |tokens: &mut Vec<Token>, text: &str, start: usize, key: &mut String| {
        if !vocabulary.may_know(text) {
            push(tokens, UNKNOWN, start, start + text.len(), 0.0);
            return;
        }
        normalize_into(text, key);
        let ids = vocabulary.lookup(key);
        if ids.is_empty() {
            push(tokens, UNKNOWN, start, start + text.len(), 0.0);
        }
        for id in ids {
            push(tokens, *id, start, start + text.len(), 0.0);
        }
    };
    for (piece, start, end) in pieces(note) {
        let raw = &note[start..end];
        match piece {
            Piece::Word if !raw.as_bytes().contains(&b'-') => {
                words(&mut tokens, raw, start, &mut key)
            }
            Piece::Word => {
                let mut at = start;
                for part in raw.split('-') {
                    words(&mut tokens, part, at, &mut key);
                    at += part.len() + 1;
                }
            }
            Piece::Number => push(&mut tokens, NUMBER, start, end, parse_number(raw)),
            Piece::NumberWord => {
                let digits = raw
                    .find(|c: char| c.is_ascii_alphabetic())
                    .unwrap_or(raw.len());
                push(
                    &mut tokens,
                    NUMBER,
                    start,
                    start + digits,
                    parse_number(&raw[..digits]),
                );
                words(&mut tokens, &raw[digits..], start + digits, &mut key);
            }
            Piece::Clock => {
                let (m, s) = raw.split_once(':').unwrap_or((raw, "0"));
                let minutes = parse_number(m) + parse_number(s) / 60.0;
                push(&mut tokens, NUMBER, start, end, minutes);
                let minute = vocabulary.units.first().map_or(UNKNOWN, |(w, _)| *w);
                push(&mut tokens, minute, end, end, 0.0);
            }
            Piece::Stop | Piece::Semicolon => push(&mut tokens, BREAK, start, end, 0.0),
            Piece::Colon => push(&mut tokens, COLON, start, end, 0.0),
            Piece::Comma | Piece::Ellipsis => push(&mut tokens, COMMA, start, end, 0.0),
            Piece::Newline => {
                if starts_new_line_of_its_own(&note[end..]) {
                    push(&mut tokens, BREAK, start, end, 0.0);
                }
            }
            Piece::Other => {
                let ids = vocabulary.lookup(raw);
                let id = ids.first().copied().unwrap_or(UNKNOWN);
                push(&mut tokens, id, start, end, 0.0);
            }
        }
    }
    tokens
}

fn parse_number(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

/// Whether the line after a line break starts something new (a blank line, a template field,
/// a list item, a sentence), rather than continuing a sentence dictation wrapped.
fn starts_new_line_of_its_own(rest: &str) -> bool {
    let next = rest.trim_start_matches([' ', '\t', '\r']);
    match next.chars().next() {
        None => true,
        Some(c) => c == '\n' || c.is_ascii_uppercase() || "-*•#>".contains(c),
    }
}

// ------------------------------------------------------------------------ matches

/// Every phrase and cue that matches, from every start.
fn find(vocabulary: &Vocabulary, tokens: &[Token]) -> Vec<Found> {
    let mut found = Vec::new();
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Some(first) = vocabulary.root_child(token.word) else {
            continue;
        };
        stack.push((first, i + 1));
        while let Some((node, at)) = stack.pop() {
            let node_ref = &vocabulary.nodes[node as usize];
            for output in &node_ref.outputs {
                found.push(Found {
                    output: *output,
                    start: i,
                    end: at,
                });
            }
            if let Some(next) = tokens.get(at).and_then(|t| vocabulary.child(node, t.word)) {
                stack.push((next, at + 1));
            }
            if let Some(gap) = node_ref.gap {
                for skip in 0..=MAX_GAP {
                    if skip > 0 {
                        let skipped = tokens.get(at + skip - 1).map(|t| t.word);
                        if matches!(skipped, None | Some(BREAK | COLON | COMMA)) {
                            break;
                        }
                    }
                    if let Some(next) = tokens
                        .get(at + skip)
                        .and_then(|t| vocabulary.child(gap, t.word))
                    {
                        stack.push((next, at + skip + 1));
                    }
                }
            }
        }
    }
    found
}

/// What kind a match is for overlap: phrases (0) or measures (1) of one fact, or a cue (2).
type MatchKind = (u8, FactId);

/// Chooses the leftmost longest matches that do not overlap, within each kind: the phrases
/// that state one fact (so `cannulated screw` is not also `screw`, while `tibial nail` is
/// both a nail and a site), the phrases that measure one fact, and the cues (so `no further`
/// is a pseudo-negation, not `no`). Pseudo cues are then dropped, with every phrase they
/// overlap.
fn choose(vocabulary: &Vocabulary, mut found: Vec<Found>) -> (Vec<Found>, Vec<Found>) {
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let kind = |f: &Found| -> MatchKind {
        match f.output {
            Output::Phrase(m) => {
                let meaning = &vocabulary.meanings[m as usize];
                match meaning.measures {
                    Some(fact) => (1, fact),
                    None => (0, meaning.conclusions.first().map_or(0, |c| c.fact())),
                }
            }
            Output::Cue(_) => (2, 0),
        }
    };
    // Per kind: where its last chosen match ends, and that match's span.
    let mut chosen: Vec<(MatchKind, usize, (usize, usize))> = Vec::new();
    let mut phrases = Vec::new();
    let mut cues = Vec::new();
    let mut pseudo = Vec::new();
    for f in found {
        let k = kind(&f);
        let at = match chosen.iter().position(|(key, ..)| *key == k) {
            Some(at) => at,
            None => {
                chosen.push((k, 0, (usize::MAX, 0)));
                chosen.len() - 1
            }
        };
        let (_, taken_until, span) = &mut chosen[at];
        // Several statements may share a phrase: keep every output of the chosen match.
        if f.start < *taken_until && *span != (f.start, f.end) {
            continue;
        }
        *taken_until = f.end;
        *span = (f.start, f.end);
        match f.output {
            Output::Cue(c) if vocabulary.cues[c as usize].kind == CueKind::Pseudo => {
                pseudo.push((f.start, f.end))
            }
            Output::Cue(_) => cues.push(f),
            Output::Phrase(_) => phrases.push(f),
        }
    }
    // Pseudo cues do not overlap one another, so their starts and ends both rise: the only
    // one that can overlap a phrase is the first that ends after the phrase starts.
    phrases.retain(|p| {
        let first = pseudo.partition_point(|(_, e)| *e <= p.start);
        pseudo.get(first).is_none_or(|(s, _)| *s >= p.end)
    });
    phrases.sort_by_key(|f| (f.start, f.end));
    (phrases, cues)
}

/// The clause of each token: breaks and boundary cues start a new one.
fn clauses(vocabulary: &Vocabulary, tokens: &[Token], cues: &[Found]) -> Vec<u32> {
    let mut boundaries = cues
        .iter()
        .filter(|c| cue_kind(vocabulary, c) == CueKind::Boundary)
        .map(|c| c.start)
        .peekable();
    let mut clause = 0u32;
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            while boundaries.next_if(|b| *b <= i).is_some() {
                clause += 1;
            }
            if t.word == BREAK {
                clause += 1;
            }
            clause
        })
        .collect()
}

fn cue_kind(vocabulary: &Vocabulary, found: &Found) -> CueKind {
    match found.output {
        Output::Cue(c) => vocabulary.cues[c as usize].kind,
        Output::Phrase(_) => CueKind::Pseudo,
    }
}

// ------------------------------------------------------------------------ cues

fn apply_cues(
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
enum Toward {
    Later { window: usize },
    Earlier { window: usize },
}

/// Covers the mentions a cue reaches, nearest first: the first within the window, then the
/// ones joined to it as a list; stops at the end of the cue's clause.
#[allow(clippy::too_many_arguments)]
fn cover<'m>(
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

fn joins(vocabulary: &Vocabulary, word: WordId) -> bool {
    word == COMMA || word == NUMBER || vocabulary.joiners.contains(&word)
}

// ------------------------------------------------------------------------ facts

fn facts(vocabulary: &Vocabulary, tokens: &[Token], mentions: &mut [Mention]) -> Vec<NoteFact> {
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
fn stated(c: &Conclusion) -> (FactId, Value) {
    match c {
        Conclusion::SetBool(f, b) => (*f, Value::Bool(*b)),
        Conclusion::SetChoice(f, i) => (*f, Value::Choice(*i)),
        Conclusion::AddChoice(f, i) => (*f, Value::Choices(1 << i)),
        Conclusion::SetText(f, t) => (*f, Value::Text(t.clone())),
        Conclusion::AddText(f, t) => (*f, Value::Texts(vec![t.clone()])),
    }
}

/// Whether two statements of one fact say the same thing (for a list: the same member).
fn same_member(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Choices(_) | Value::Texts(_) | Value::Bool(_), _) => a == b,
        // A single-valued fact is stated once: the first statement decides.
        _ => true,
    }
}

/// One statement per fact (one per member of a list fact), in the order the note makes them.
/// A yes beats a no; a yes/no fact only denied is no; the largest duration wins (a total is
/// never less than its parts).
fn settle(stated: Vec<NoteFact>, denied: Vec<NoteFact>) -> Vec<NoteFact> {
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

fn is_member(v: &Value) -> bool {
    matches!(v, Value::Choices(_) | Value::Texts(_))
}

// ------------------------------------------------------------------------ durations

/// The duration written next to a `measures` phrase, in minutes, and its byte range: after
/// the phrase (`fluoro time: 1 min 30 s`) or just before it (`45 seconds of fluoroscopy`).
fn duration_near(
    vocabulary: &Vocabulary,
    tokens: &[Token],
    added: &[Added],
    m: &Mention,
) -> Option<(f64, usize, usize)> {
    for at in m.end..(m.end + DURATION_REACH).min(tokens.len()) {
        if tokens[at].word == BREAK {
            break;
        }
        if let Some((minutes, end)) = duration_at(vocabulary, tokens, at) {
            let (more, end) = added.get(end).copied().flatten().unwrap_or((0.0, end));
            return Some((
                round(minutes + more),
                tokens[at].start as usize,
                tokens[end - 1].end as usize,
            ));
        }
    }
    // Before the phrase: the earliest start whose duration ends just before it, so that
    // `1 min 30 s of fluoroscopy` is read whole.
    let mut best = None;
    for at in (m.start.saturating_sub(DURATION_REACH)..m.start).rev() {
        if tokens[at].word == BREAK {
            break;
        }
        if let Some((minutes, end)) = duration_at(vocabulary, tokens, at) {
            if end <= m.start && m.start - end <= 2 {
                best = Some((
                    minutes,
                    tokens[at].start as usize,
                    tokens[end - 1].end as usize,
                ));
            }
        }
    }
    best
}

/// The durations later in its sentence that add to a first duration ending before token `i`,
/// and the token after the last of them: `None` when none does.
type Added = Option<(f64, usize)>;

/// For every token, the durations later in the sentence that add to a duration ending there:
/// `52 seconds for reduction and a further 38 seconds for locking`. Only one an adding word
/// (`further`, `additional`, `another`, `plus`) introduces counts, so a tourniquet time is
/// never added. Worked out from the end of the note back, once, so that a sentence of many
/// durations is not read again from each one.
fn added_durations(vocabulary: &Vocabulary, tokens: &[Token]) -> Vec<Added> {
    let mut added: Vec<Added> = vec![None; tokens.len() + 1];
    for at in (0..tokens.len()).rev() {
        if tokens[at].word == BREAK {
            continue;
        }
        let found = vocabulary
            .adders
            .contains(&tokens[at].word)
            .then(|| {
                (at + 1..(at + 3).min(tokens.len()))
                    .take_while(|i| tokens[*i].word != BREAK)
                    .find_map(|i| duration_at(vocabulary, tokens, i))
            })
            .flatten();
        added[at] = match found {
            Some((minutes, after)) => Some(match added[after] {
                Some((more, end)) => (minutes + more, end),
                None => (minutes, after),
            }),
            None => added[at + 1],
        };
    }
    added
}

/// A duration starting at a token: numbers each followed by a unit (`1 min 30 s`,
/// `1 minute and 12 seconds`), and the token after it.
fn duration_at(vocabulary: &Vocabulary, tokens: &[Token], at: usize) -> Option<(f64, usize)> {
    let mut total = None;
    let mut i = at;
    let mut end = at;
    while let (Some(n), Some(u)) = (tokens.get(i), tokens.get(i + 1)) {
        let Some(per) = (n.word == NUMBER)
            .then(|| vocabulary.unit(u.word))
            .flatten()
        else {
            break;
        };
        total = Some(total.unwrap_or(0.0) + n.number * per);
        i += 2;
        end = i;
        // `1 minute and 12 seconds`, `1 min, 30 s`
        if tokens.get(i).is_some_and(|t| {
            joins(vocabulary, t.word) && tokens.get(i + 1).is_some_and(|n| n.word == NUMBER)
        }) {
            i += 1;
        }
    }
    total.map(|t| (round(t), end))
}

/// Minutes to the hundredth, so that `20 s` reads as 0.33 and not 0.3333333.
fn round(minutes: f64) -> f64 {
    (minutes * 100.0).round() / 100.0
}
