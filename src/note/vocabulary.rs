//! The compiled vocabulary: every word the packs' `phrase`, `cue` and `abbreviation`
//! statements use, numbered, and a trie of their phrases over those numbers.
//!
//! A note word that no statement uses gets no number and is skipped in one hash lookup, so
//! scanning costs little more than reading the words. The trie's root is an array indexed by
//! word number; each deeper node holds its few edges sorted.

use rustc_hash::FxHashMap;

use super::lexer::{normalize_into, pieces, Piece};
use crate::facts::{Conclusion, FactId};
use crate::syntax::span::Loc;

/// A word of the vocabulary, by number.
pub type WordId = u32;

/// Symbols that are not words: a note word the vocabulary does not know, and punctuation a
/// phrase may name.
pub(super) const UNKNOWN: WordId = u32::MAX;
pub(super) const COLON: WordId = u32::MAX - 1;
pub(super) const COMMA: WordId = u32::MAX - 2;
pub(super) const NUMBER: WordId = u32::MAX - 3;
/// The end of a sentence or a clause (`.`, `;`, a new template line).
pub(super) const BREAK: WordId = u32::MAX - 4;

/// Words that join the items of a list (`K-wires, screws or a plate`): a cue that covers one
/// item covers the items joined to it. Built in, like the time units.
const JOINERS: &[&str] = &[
    "and", "or", "nor", "vs", "versus", "a", "an", "the", "any", "all", "both", "/", "&", "with",
    "one", "two", "three", "four", "five", "six", "several", "multiple", "its", "their",
];
/// Words that add a second duration to the first (`and a further 38 seconds`).
const ADDERS: &[&str] = &["further", "additional", "another", "plus", "+"];
/// The units a duration is read in, and how many minutes each is.
const UNITS: &[(&str, f64)] = &[
    ("minute", 1.0),
    ("min", 1.0),
    ("mn", 1.0),
    ("second", 1.0 / 60.0),
    ("sec", 1.0 / 60.0),
    ("s", 1.0 / 60.0),
    ("hour", 60.0),
    ("hr", 60.0),
    ("hrs", 60.0),
];

/// What a word of a note can be to the vocabulary.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Word(WordId),
    /// An abbreviation: the words it stands for, in `expansions`.
    Expands {
        start: u32,
        len: u32,
    },
}

/// How a cue changes the phrases it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// `no`, `without`, `was not used`: the phrase is denied; a yes/no fact it states is no.
    Negation,
    /// `if needed`, `plan`: the phrase is not something done; it settles nothing.
    Hypothetical,
    /// `history of`, `prior`: the phrase is about an earlier time; it settles nothing.
    Historical,
    /// `under fluoroscopy` after `fracture visualized`: what imaging showed, not what the eye
    /// saw; the phrase settles nothing.
    Indirect,
    /// `removed`: takes back what earlier mentions of the same things placed.
    Removal,
    /// `no further`, `growth plate`: looks like a cue or a phrase and is neither; the cues and
    /// phrases it overlaps are not read.
    Pseudo,
    /// `but`, `however`: ends the clause, and with it every cue's reach.
    Boundary,
}

impl CueKind {
    /// The kinds as a policy names them.
    pub const ALL: [(&'static str, CueKind); 7] = [
        ("negation", CueKind::Negation),
        ("hypothetical", CueKind::Hypothetical),
        ("historical", CueKind::Historical),
        ("indirect", CueKind::Indirect),
        ("removal", CueKind::Removal),
        ("pseudo", CueKind::Pseudo),
        ("boundary", CueKind::Boundary),
    ];

    /// Whether the kind covers phrases on one side of it (and so needs `before` or `after`).
    pub fn has_reach(self) -> bool {
        !matches!(self, CueKind::Pseudo | CueKind::Boundary)
    }
}

/// A cue as a `cue` statement declares it.
#[derive(Debug, Clone)]
pub struct Cue {
    pub kind: CueKind,
    /// `true` when the cue stands before the phrases it covers (`no K-wires`).
    pub before: bool,
    /// The facts it applies to; every fact when empty.
    pub facts: Vec<FactId>,
    pub loc: Loc,
}

/// What a `phrase` statement says its phrases state.
#[derive(Debug, Clone)]
pub struct Meaning {
    /// `means …`: the facts made true.
    pub conclusions: Vec<Conclusion>,
    /// `measures FACT`: the number fact a duration next to the phrase gives.
    pub measures: Option<FactId>,
    pub loc: Loc,
}

impl Meaning {
    /// Whether the meaning states anything about one of these facts (all when empty).
    pub fn touches(&self, facts: &[FactId]) -> bool {
        facts.is_empty()
            || self.conclusions.iter().any(|c| facts.contains(&c.fact()))
            || self.measures.is_some_and(|f| facts.contains(&f))
    }
}

/// What ends at a trie node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    Phrase(u32),
    Cue(u32),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    /// Sorted by word.
    pub(super) edges: Vec<(WordId, u32)>,
    /// The node after `...`: reached by skipping up to [`MAX_GAP`] words.
    pub(super) gap: Option<u32>,
    pub(super) outputs: Vec<Output>,
}

const SHAPES: usize = 32 * 32 * 32;

/// A word's bucket in the shape filter: its first two letters (case folded) and its length.
fn shape(word: &[u8], len: usize) -> usize {
    let letter = |i: usize| (word.get(i).copied().unwrap_or(0) & 0x1f) as usize;
    (letter(0) << 10) | (letter(1) << 5) | len.min(31)
}

/// How many words `...` in a phrase may stand for.
pub const MAX_GAP: usize = 4;

/// The compiled vocabulary of the loaded packs. Empty when no pack has `phrase` statements.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    lexicon: FxHashMap<Box<str>, Entry>,
    expansions: Vec<WordId>,
    pub(super) nodes: Vec<Node>,
    /// The child of the root for each word, or `u32::MAX`.
    pub(super) root: Vec<u32>,
    /// The children of the root for `:`, `,` and a number.
    root_symbols: [u32; 3],
    pub meanings: Vec<Meaning>,
    pub cues: Vec<Cue>,
    /// The text fact the notes are read from (`note`).
    pub note_fact: Option<FactId>,
    pub(super) joiners: Vec<WordId>,
    pub(super) units: Vec<(WordId, f64)>,
    pub(super) adders: Vec<WordId>,
    /// One bit per (first letter, second letter, length) a note word of the vocabulary can
    /// have, plurals included: most note words are rejected on this before they are
    /// lowercased or hashed.
    shapes: Vec<u64>,
}

/// Why a phrase or an abbreviation cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseProblem {
    /// Nothing in it is a word.
    NoWords,
    /// `...` at the start or the end, or twice in a row.
    MisplacedGap,
    /// A character a phrase cannot hold (`(`, `;`, a sentence's full stop).
    Punctuation(String),
    /// An abbreviation of more than one word, or a number.
    NotOneWord,
}

impl PhraseProblem {
    pub fn describe(&self) -> String {
        match self {
            PhraseProblem::NoWords => "it has no words".into(),
            PhraseProblem::MisplacedGap => {
                "`...` stands for words between two others, so it cannot start or end a phrase"
                    .into()
            }
            PhraseProblem::Punctuation(p) if ".;!?".contains(p.as_str()) => {
                format!("`{p}` ends a sentence or a clause, so no note can match across it")
            }
            PhraseProblem::Punctuation(p) => format!("`{p}` cannot be matched in a note"),
            PhraseProblem::NotOneWord => "an abbreviation is one word".into(),
        }
    }
}

/// One symbol of a compiled phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Word(WordId),
    Gap,
}

impl Vocabulary {
    pub fn is_empty(&self) -> bool {
        self.meanings.is_empty()
    }

    /// Starts an empty vocabulary with the built-in joiners and units.
    pub fn new() -> Vocabulary {
        let mut v = Vocabulary {
            nodes: vec![Node::default()],
            root_symbols: [u32::MAX; 3],
            ..Vocabulary::default()
        };
        v.joiners = JOINERS.iter().map(|w| v.intern(w)).collect();
        v.units = UNITS.iter().map(|(w, m)| (v.intern(w), *m)).collect();
        v.adders = ADDERS.iter().map(|w| v.intern(w)).collect();
        v
    }

    /// The number of a normalized word, given one if it has none.
    fn intern(&mut self, word: &str) -> WordId {
        if let Some(Entry::Word(id)) = self.lexicon.get(word) {
            return *id;
        }
        let id = self.root.len() as WordId;
        self.root.push(u32::MAX);
        self.lexicon.insert(word.into(), Entry::Word(id));
        self.note_shape(word);
        id
    }

    fn note_shape(&mut self, word: &str) {
        if self.shapes.is_empty() {
            self.shapes = vec![0; SHAPES / 64];
        }
        // A singular word is written as itself or with `s`, `es` or `ies` for `y`.
        for extra in 0..=2 {
            let at = shape(word.as_bytes(), word.len() + extra);
            self.shapes[at / 64] |= 1 << (at % 64);
        }
    }

    /// Whether a note word, as written, may be one the vocabulary knows.
    pub(super) fn may_know(&self, raw: &str) -> bool {
        let at = shape(raw.as_bytes(), raw.len());
        self.shapes
            .get(at / 64)
            .is_some_and(|bits| bits & (1 << (at % 64)) != 0)
    }

    /// The words a normalized note word stands for: itself, the words of an abbreviation, or
    /// nothing the vocabulary knows.
    pub(super) fn lookup(&self, word: &str) -> &[WordId] {
        match self.lexicon.get(word) {
            Some(Entry::Word(id)) => std::slice::from_ref(id),
            Some(Entry::Expands { start, len }) => {
                &self.expansions[*start as usize..(*start + *len) as usize]
            }
            None => &[],
        }
    }

    /// Declares `short` an abbreviation of `long`. Abbreviations must all be declared before
    /// the first phrase, since a phrase may use them.
    pub fn abbreviation(&mut self, short: &str, long: &str) -> Result<(), PhraseProblem> {
        let mut only = pieces(short);
        let key = match (only.next(), only.next()) {
            (Some((Piece::Word, start, end)), None) if !short[start..end].contains('-') => {
                let mut key = String::new();
                normalize_into(&short[start..end], &mut key);
                key
            }
            _ => return Err(PhraseProblem::NotOneWord),
        };
        let mut words = Vec::new();
        for part in self.tokenize(long, false)? {
            words.extend(part.into_iter().filter_map(|w| match w {
                Symbol::Word(id) => Some(id),
                Symbol::Gap => None,
            }));
        }
        if words.is_empty() {
            return Err(PhraseProblem::NoWords);
        }
        let start = self.expansions.len() as u32;
        self.expansions.extend_from_slice(&words);
        self.note_shape(&key);
        self.lexicon.insert(
            key.into(),
            Entry::Expands {
                start,
                len: words.len() as u32,
            },
        );
        Ok(())
    }

    fn word_text(&self, symbol: Symbol) -> String {
        match symbol {
            Symbol::Word(id) => self
                .lexicon
                .iter()
                .find(|(_, e)| matches!(e, Entry::Word(w) if *w == id))
                .map_or_else(String::new, |(k, _)| k.to_string()),
            Symbol::Gap => String::new(),
        }
    }

    /// Adds a phrase of a `phrase` statement (`meaning` indexes `meanings`).
    pub fn add_phrase(&mut self, text: &str, meaning: u32) -> Result<(), PhraseProblem> {
        self.add(text, Output::Phrase(meaning))
    }

    /// Adds a phrase of a `cue` statement (`cue` indexes `cues`).
    pub fn add_cue(&mut self, text: &str, cue: u32) -> Result<(), PhraseProblem> {
        self.add(text, Output::Cue(cue))
    }

    fn add(&mut self, text: &str, output: Output) -> Result<(), PhraseProblem> {
        let parts = self.tokenize(text, true)?;
        let symbols: Vec<Symbol> = parts.iter().flatten().copied().collect();
        if !symbols.iter().any(|s| matches!(s, Symbol::Word(_))) {
            return Err(PhraseProblem::NoWords);
        }
        let misplaced = symbols.first() == Some(&Symbol::Gap)
            || symbols.last() == Some(&Symbol::Gap)
            || symbols.windows(2).any(|w| w == [Symbol::Gap, Symbol::Gap]);
        if misplaced {
            return Err(PhraseProblem::MisplacedGap);
        }
        self.insert(&symbols, output);
        // A hyphenated word is also written run together (`K-wire`, `Kwire`).
        for (i, part) in parts.iter().enumerate() {
            if part.len() > 1 && part.iter().all(|s| matches!(s, Symbol::Word(_))) {
                let joined: String = part.iter().map(|s| self.word_text(*s)).collect();
                let mut key = String::new();
                normalize_into(&joined, &mut key);
                let id = self.intern(&key);
                let mut variant: Vec<Symbol> = parts[..i].iter().flatten().copied().collect();
                variant.push(Symbol::Word(id));
                variant.extend(parts[i + 1..].iter().flatten().copied());
                self.insert(&variant, output);
            }
        }
        Ok(())
    }

    fn insert(&mut self, symbols: &[Symbol], output: Output) {
        let mut node = 0u32;
        for (i, symbol) in symbols.iter().enumerate() {
            node = match *symbol {
                Symbol::Gap => match self.nodes[node as usize].gap {
                    Some(next) => next,
                    None => {
                        let next = self.new_node();
                        self.nodes[node as usize].gap = Some(next);
                        next
                    }
                },
                Symbol::Word(word) if i == 0 => match *self.root_slot(word) {
                    u32::MAX => {
                        let next = self.new_node();
                        *self.root_slot(word) = next;
                        next
                    }
                    next => next,
                },
                Symbol::Word(word) => {
                    let edges = &self.nodes[node as usize].edges;
                    match edges.binary_search_by_key(&word, |(w, _)| *w) {
                        Ok(at) => edges[at].1,
                        Err(at) => {
                            let next = self.new_node();
                            self.nodes[node as usize].edges.insert(at, (word, next));
                            next
                        }
                    }
                }
            };
        }
        let outputs = &mut self.nodes[node as usize].outputs;
        if !outputs.contains(&output) {
            outputs.push(output);
        }
    }

    /// The root's slot for a symbol.
    fn root_slot(&mut self, word: WordId) -> &mut u32 {
        match word {
            COLON => &mut self.root_symbols[0],
            COMMA => &mut self.root_symbols[1],
            NUMBER => &mut self.root_symbols[2],
            word => &mut self.root[word as usize],
        }
    }

    pub(super) fn root_child(&self, word: WordId) -> Option<u32> {
        let next = match word {
            COLON => self.root_symbols[0],
            COMMA => self.root_symbols[1],
            NUMBER => self.root_symbols[2],
            word => *self.root.get(word as usize)?,
        };
        // Node 0 is the root itself, which is no one's child (and what an empty default
        // vocabulary's slots hold).
        (next != u32::MAX && next != 0).then_some(next)
    }

    pub(super) fn child(&self, node: u32, word: WordId) -> Option<u32> {
        let edges = &self.nodes[node as usize].edges;
        edges
            .binary_search_by_key(&word, |(w, _)| *w)
            .ok()
            .map(|at| edges[at].1)
    }

    fn new_node(&mut self) -> u32 {
        self.nodes.push(Node::default());
        (self.nodes.len() - 1) as u32
    }

    /// A phrase's symbols, grouped by the note word each came from (so that the parts of a
    /// hyphenated word stay together). `gaps` allows `...`.
    fn tokenize(&mut self, text: &str, gaps: bool) -> Result<Vec<Vec<Symbol>>, PhraseProblem> {
        let mut out = Vec::new();
        let mut key = String::new();
        for (piece, start, end) in pieces(text) {
            let raw = &text[start..end];
            match piece {
                Piece::Word => {
                    let mut part = Vec::new();
                    for sub in raw.split('-') {
                        normalize_into(sub, &mut key);
                        match self.lexicon.get(key.as_str()).copied() {
                            Some(Entry::Expands { start, len }) => part.extend(
                                self.expansions[start as usize..(start + len) as usize]
                                    .iter()
                                    .map(|w| Symbol::Word(*w)),
                            ),
                            _ => {
                                let id = self.intern(&key.clone());
                                part.push(Symbol::Word(id));
                            }
                        }
                    }
                    out.push(part);
                }
                Piece::Ellipsis if gaps => out.push(vec![Symbol::Gap]),
                Piece::Colon => out.push(vec![Symbol::Word(COLON)]),
                Piece::Comma => out.push(vec![Symbol::Word(COMMA)]),
                Piece::Other if raw == "/" || raw == "&" => {
                    let id = self.intern(raw);
                    out.push(vec![Symbol::Word(id)]);
                }
                Piece::Number | Piece::NumberWord | Piece::Clock => {
                    out.push(vec![Symbol::Word(NUMBER)])
                }
                Piece::Newline => {}
                _ => return Err(PhraseProblem::Punctuation(raw.to_string())),
            }
        }
        Ok(out)
    }

    /// How many minutes one of a duration's units is.
    pub(super) fn unit(&self, word: WordId) -> Option<f64> {
        self.units.iter().find(|(w, _)| *w == word).map(|(_, m)| *m)
    }
}
