//! From policy text to the AST.
//!
//! pest reads the text against `grammar/policy.pest`; this module walks the resulting pairs by
//! hand into [`ast`](super::ast) nodes. The pest `Rule` type never leaves this module. Any pair
//! of a shape the walker does not expect becomes a [`ParseError`], never a panic.
//!
//! To report every mistake in a file at once, the text is cut into chunks at each top-level
//! keyword that starts a line (`rule`, `fact`, `codes`, …) and each chunk is parsed on its own.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use super::error::{ParseError, ShapeError, SyntaxError, TooComplex};
use super::span::Span;

mod chunks;
mod conditions;
mod errors;
mod history;
mod items;
mod other_line;
mod rules;
mod same_reason;
mod shapes;

use chunks::too_complex;
pub(super) use chunks::{chunks, BOM, TOP_LEVEL};
pub(super) use errors::{is_keyword, syntax_error};

#[derive(Parser)]
#[grammar = "../grammar/policy.pest"]
pub(super) struct PolicyGrammar;

/// Parses a whole policy file. Returns what could be read and every syntax error found.
pub fn parse_policy(text: &str) -> (PolicyFile, Vec<ParseError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (start, end) in chunks(text, TOP_LEVEL) {
        let chunk = &text[start..end];
        if let Some(e) = too_complex(chunk, start) {
            errors.push(ParseError::TooComplex(e));
            continue;
        }
        match PolicyGrammar::parse(Rule::policy_file, chunk) {
            Ok(pairs) => {
                let walker = Walker { offset: start };
                match walker.file(pairs) {
                    Ok(mut chunk_items) => items.append(&mut chunk_items),
                    Err(e) => errors.push(e),
                }
            }
            Err(e) => errors.push(syntax_error(text, start, end, e)),
        }
    }
    (PolicyFile { items }, errors)
}

pub(super) type Result<T> = std::result::Result<T, ParseError>;

/// Walks pairs of one chunk; `offset` is where the chunk starts in the file.
pub(super) struct Walker {
    pub(super) offset: usize,
}

/// `text` without trailing whitespace and `#` comments (a `#` inside quotes is text).
fn without_trailing_trivia(mut text: &str) -> &str {
    loop {
        text = text.trim_end();
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        let mut in_string = false;
        let mut escaped = false;
        let mut comment = None;
        for (i, c) in text[line_start..].char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    comment = Some(line_start + i);
                    break;
                }
                _ => {}
            }
        }
        match comment {
            Some(i) => text = &text[..i],
            None => return text,
        }
    }
}

impl Walker {
    /// The pair's span without the whitespace and comments pest keeps at its end.
    pub(super) fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let len = without_trailing_trivia(pair.as_str()).len();
        Span::new(self.offset + s.start(), self.offset + s.start() + len)
    }

    pub(super) fn word(&self, pair: &Pair<Rule>) -> Word {
        Word {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    pub(super) fn unexpected(&self, pair: &Pair<Rule>, wanted: &'static str) -> ParseError {
        ParseError::Shape(ShapeError {
            found: format!("{:?}", pair.as_rule()),
            wanted,
            span: self.span(pair).into(),
        })
    }

    /// The next child, which must exist.
    pub(super) fn next<'i>(
        &self,
        parent: &Pair<'i, Rule>,
        it: &mut Pairs<'i, Rule>,
        wanted: &'static str,
    ) -> Result<Pair<'i, Rule>> {
        it.next().ok_or_else(|| self.unexpected(parent, wanted))
    }

    /// The first child of a kind, which must exist.
    pub(super) fn child<'i>(
        &self,
        parent: &Pair<'i, Rule>,
        rule: Rule,
        wanted: &'static str,
    ) -> Result<Pair<'i, Rule>> {
        parent
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == rule)
            .ok_or_else(|| self.unexpected(parent, wanted))
    }

    /// The next child that is not a keyword.
    pub(super) fn next_value<'i>(
        &self,
        parent: &Pair<'i, Rule>,
        it: &mut Pairs<'i, Rule>,
        wanted: &'static str,
    ) -> Result<Pair<'i, Rule>> {
        loop {
            let p = self.next(parent, it, wanted)?;
            if !is_keyword(p.as_rule()) {
                return Ok(p);
            }
        }
    }

    fn file(&self, mut pairs: Pairs<Rule>) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        let Some(file) = pairs.next() else {
            return Ok(items);
        };
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::EOI => {}
                Rule::fact_decl => items.push(Item::Fact(self.fact(pair)?)),
                Rule::codes_decl => items.push(Item::Codes(self.codes(pair)?)),
                Rule::diagnoses_decl => items.push(Item::Diagnoses(self.diagnoses(pair)?)),
                Rule::term_decl => items.push(Item::Term(self.term(pair)?)),
                Rule::phrase_decl => items.push(Item::Phrase(self.phrase(pair)?)),
                Rule::cue_decl => items.push(Item::Cue(self.cue(pair)?)),
                Rule::abbreviation_decl => items.push(Item::Abbreviation(self.abbreviation(pair)?)),
                Rule::table_decl => items.push(Item::Table(self.table(pair)?)),
                Rule::rule_decl => items.push(Item::Rule(self.rule(pair)?)),
                Rule::pack_decl => items.push(Item::Pack(self.pack(pair)?)),
                Rule::disable_decl => items.push(Item::Disable(self.disable(pair)?)),
                Rule::change_decl => items.push(Item::Change(self.change(pair)?)),
                _ => return Err(self.unexpected(&pair, "a declaration or a rule")),
            }
        }
        Ok(items)
    }
}
