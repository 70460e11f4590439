//! Durations in a note: the minutes written near a `measures` phrase (`fluoroscopy time 2.3
//! minutes`), added up where the note adds them (`1 minute and 30 seconds`).

use super::vocabulary::{Vocabulary, BREAK, NUMBER};

use super::found::*;

/// How far from a `measures` phrase its duration may be written, in tokens.
pub(super) const DURATION_REACH: usize = 6;

/// The duration written next to a `measures` phrase, in minutes, and its byte range: after
/// the phrase (`fluoro time: 1 min 30 s`) or just before it (`45 seconds of fluoroscopy`).
pub(super) fn duration_near(
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
pub(super) type Added = Option<(f64, usize)>;

/// For every token, the durations later in the sentence that add to a duration ending there:
/// `52 seconds for reduction and a further 38 seconds for locking`. Only one an adding word
/// (`further`, `additional`, `another`, `plus`) introduces counts, so a tourniquet time is
/// never added. Worked out from the end of the note back, once, so that a sentence of many
/// durations is not read again from each one.
pub(super) fn added_durations(vocabulary: &Vocabulary, tokens: &[Token]) -> Vec<Added> {
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
pub(super) fn duration_at(
    vocabulary: &Vocabulary,
    tokens: &[Token],
    at: usize,
) -> Option<(f64, usize)> {
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
pub(super) fn round(minutes: f64) -> f64 {
    (minutes * 100.0).round() / 100.0
}
