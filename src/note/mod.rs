//! Operative notes: the documentation facts a note states in its own words.
//!
//! The packs' `phrase`, `cue` and `abbreviation` statements compile (in the checker) into a
//! [`Vocabulary`]; [`read_note`] tokenizes a note with logos and reads it against that
//! vocabulary. The evaluator uses what a note states only for facts the claim does not give
//! (structured facts win), and `--explain` and `claimrules facts` show the words that decided.

mod cues;
mod durations;
mod found;
mod lexer;
mod scan;
mod settle;
mod vocabulary;

pub use cues::{REACH_AFTER, REACH_BEFORE};
pub use found::NoteFact;
pub use scan::read_note;
pub use vocabulary::{Cue, CueKind, Meaning, PhraseProblem, Vocabulary, WordId, MAX_GAP};

/// The documentation fact notes are read from.
pub const NOTE_FACT: &str = "note";

/// A byte offset of a text as a character offset, for people and for programs that index
/// text by character (JavaScript, Python).
pub fn char_offset(text: &str, byte: usize) -> usize {
    let byte = byte.min(text.len());
    if text.is_ascii() {
        return byte;
    }
    text.char_indices().take_while(|(i, _)| *i < byte).count()
}
