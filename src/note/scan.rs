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
//!    Otherwise a cue `before` covers the first phrase that starts within
//!    [`REACH_BEFORE`](super::REACH_BEFORE) tokens after it, a cue `after` the last one that
//!    ends within [`REACH_AFTER`](super::REACH_AFTER) tokens before it, and either goes on to the phrases joined to that one as a list
//!    (`no K-wires, screws or plates`).
//! 5. Facts: mentions are read in order. An affirmed mention states its facts. A negated one
//!    states nothing but, when all it means are yes/no facts, settles them as no (never over a
//!    yes). A removal takes back earlier mentions of the same list values. Hypothetical,
//!    historical and indirect mentions settle nothing.

use super::vocabulary::{
    CueKind, Output, Vocabulary, BREAK, COLON, COMMA, MAX_GAP, NUMBER, UNKNOWN,
};
use crate::facts::FactId;

use super::cues::*;
use super::found::*;
use super::lexer::{normalize_into, pieces, Piece};
use super::settle::facts;

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
