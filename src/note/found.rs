//! What the note reader finds and passes from step to step: the note's tokens, the phrases
//! and cues matched among them, the mentions the cues judge, and the facts they state.

use super::vocabulary::{CueKind, Output, Vocabulary, WordId, COMMA, NUMBER};
use crate::facts::{FactId, Value};

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
pub(super) struct Token {
    pub(super) word: WordId,
    pub(super) start: u32,
    pub(super) end: u32,
    /// A number's value (a clock time's, in minutes).
    pub(super) number: f64,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) output: Output,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// A phrase found in the note, with what its cues make of it.
pub(super) struct Mention {
    pub(super) meaning: u32,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) status: Status,
    /// The removal cue, when the status is `Removed`.
    pub(super) removal: Option<u32>,
    /// Taken back by a later removal.
    pub(super) cancelled: bool,
}

/// What the cues around a phrase make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Status {
    Affirmed,
    Negated,
    Removed,
    /// Hypothetical or historical: not this procedure's act.
    Unsettled,
}

impl Status {
    pub(super) fn of(kind: CueKind) -> Status {
        match kind {
            CueKind::Negation => Status::Negated,
            CueKind::Removal => Status::Removed,
            _ => Status::Unsettled,
        }
    }
}

pub(super) fn joins(vocabulary: &Vocabulary, word: WordId) -> bool {
    word == COMMA || word == NUMBER || vocabulary.joiners.contains(&word)
}

// ------------------------------------------------------------------------ facts
