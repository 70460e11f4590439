//! The canonical layout of policy and test files, for `claimrules fmt`.
//!
//! The layout is decided by the grammar, not by the text's spacing: every item starts a line
//! at the left margin, every clause of an item (`same reason as`, `for each line`, `when`,
//! `unless`, each action, each pair edit or derivation, each column; in tests the claim, its
//! parts and each expectation) starts its own line, indented two spaces a level. Within a line
//! words are separated by one space, with none inside parentheses or before a comma. Where the
//! author broke a clause over several lines, the break is kept and the next line indented one
//! level deeper than the clause, as gofmt keeps the line breaks it is given. Comments are kept
//! where they are: a comment on its own line takes the indentation of what follows it. Rules
//! and tests are set apart by one blank line; elsewhere a run of blank lines becomes one.
//!
//! Formatting changes only whitespace, so the formatted file means exactly what the original
//! did, and formatting it again changes nothing.

use std::collections::HashMap;

use logos::Logos;
use pest::iterators::Pair;
use pest::Parser as _;

use super::error::ParseError;
use super::parser::{chunks, PolicyGrammar, Rule, BOM, TOP_LEVEL};
use super::{parse_policy, parse_tests};

/// Which grammar a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `*.policy`: facts, sets, terms, tables and rules.
    Policy,
    /// `*.test.policy`: tests.
    Tests,
}

impl FileKind {
    /// The kind a file's name says.
    pub fn of(name: &str) -> FileKind {
        if name.ends_with(".test.policy") {
            FileKind::Tests
        } else {
            FileKind::Policy
        }
    }
}

/// The file in canonical layout, or the syntax errors that keep it from being formatted.
pub fn format_text(text: &str, kind: FileKind) -> Result<String, Vec<ParseError>> {
    let errors = match kind {
        FileKind::Policy => parse_policy(text).1,
        FileKind::Tests => parse_tests(text).1,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    // A byte-order mark at the start is not part of the layout: the formatted file has none.
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let starts = line_starts(text, kind);
    Ok(layout(text, &starts))
}

/// Where a grammar construct that starts a line begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineStart {
    /// Indentation, in levels of two spaces.
    level: usize,
    /// Whether a blank line always comes before it (rules and tests).
    set_apart: bool,
}

/// The construct a grammar rule stands for, if it starts a line.
fn line_start(rule: Rule) -> Option<LineStart> {
    use Rule::*;
    let (level, set_apart) = match rule {
        rule_decl | test_decl | pack_decl | disable_decl | change_decl => (0, true),
        fact_decl | codes_decl | diagnoses_decl | term_decl | table_decl | phrase_decl
        | cue_decl | abbreviation_decl => (0, false),
        phrase_means | phrase_measures | cue_facts => (1, false),
        rule_target | when_clause | unless_clause | deny_action | review_action | info_action
        | suggest_action | modify_action | pair_edit | pair_message | derivation | column_decl
        | table_edits_rule | edits_bypass | pack_version | pack_extends | pack_description
        | effective | same_reason | disable_reason | change_reason | given_row | test_claim
        | expectation | test_cases => (1, false),
        claim_line | claim_diagnosis | claim_procedure | claim_pos | claim_provider
        | claim_payer | claim_source | claim_documented | test_case => (2, false),
        _ => return None,
    };
    Some(LineStart { level, set_apart })
}

/// The byte offsets where constructs that start a line begin.
fn line_starts(text: &str, kind: FileKind) -> HashMap<usize, LineStart> {
    let (rule, keywords): (Rule, &[&str]) = match kind {
        FileKind::Policy => (Rule::policy_file, TOP_LEVEL),
        FileKind::Tests => (Rule::test_file, &["test"]),
    };
    let mut starts = HashMap::new();
    for (start, end) in chunks(text, keywords) {
        // The file parsed without errors, chunk by chunk, so this parse succeeds.
        if let Ok(pairs) = PolicyGrammar::parse(rule, &text[start..end]) {
            for pair in pairs {
                collect_starts(pair, start, &mut starts);
            }
        }
    }
    starts
}

fn collect_starts(pair: Pair<'_, Rule>, offset: usize, out: &mut HashMap<usize, LineStart>) {
    if let Some(start) = line_start(pair.as_rule()) {
        out.entry(offset + pair.as_span().start()).or_insert(start);
    }
    // An expectation is one line: its `same reason as` does not start another.
    if pair.as_rule() == Rule::expectation {
        return;
    }
    for inner in pair.into_inner() {
        collect_starts(inner, offset, out);
    }
}

/// The words of a policy file as the formatter sees them: whitespace only separates them.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
enum Token {
    #[regex(r"#[^\n]*", allow_greedy = true)]
    Comment,
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    String,
    #[token("(")]
    Open,
    #[token(")")]
    Close,
    #[token(",")]
    Comma,
    #[regex(r"<=|>=|!=|=|<|>")]
    Operator,
    #[regex(r##"[^ \t\r\n\f"#(),<>=!]+"##)]
    Word,
}

struct Lexeme<'t> {
    token: Token,
    text: &'t str,
    /// Line breaks between the previous lexeme and this one.
    breaks: usize,
    start: usize,
}

fn lex(text: &str) -> Vec<Lexeme<'_>> {
    let mut out = Vec::new();
    let mut previous_end = 0;
    let mut lexer = Token::lexer(text);
    while let Some(token) = lexer.next() {
        let span = lexer.span();
        // Text the lexer cannot read does not pass the parser either; keep it as a word.
        let token = token.unwrap_or(Token::Word);
        out.push(Lexeme {
            token,
            text: lexer.slice().trim_end(),
            breaks: text[previous_end..span.start].matches('\n').count(),
            start: span.start,
        });
        previous_end = span.end;
    }
    out
}

fn layout(text: &str, starts: &HashMap<usize, LineStart>) -> String {
    let lexemes = lex(text);
    let blank_before = blank_lines(&lexemes, starts);
    let mut out = String::with_capacity(text.len());
    let mut level = 0;
    for (i, lx) in lexemes.iter().enumerate() {
        let start = starts.get(&lx.start);
        let own_line = i > 0 && (lx.breaks > 0 || start.is_some());
        if own_line {
            trim_line_end(&mut out);
            out.push('\n');
            if blank_before[i] {
                out.push('\n');
            }
            let indent = match (start, lx.token) {
                (Some(s), _) => {
                    level = s.level;
                    s.level
                }
                // A comment on its own line belongs to what follows it. Comments that end the
                // file follow nothing: one the author wrote at the left margin stays at the
                // top level, any other stays in the last item, beside its last clause.
                (None, Token::Comment) => match following_start(&lexemes, i, starts) {
                    Some(s) => s.level,
                    None if ends_file(&lexemes, i) && column(text, lx.start) == 0 => 0,
                    None if ends_file(&lexemes, i) => level,
                    None => level + 1,
                },
                (None, _) => level + 1,
            };
            out.push_str(&"  ".repeat(indent));
        } else if i > 0 && needs_space(lexemes[i - 1].token, lx.token) {
            out.push(' ');
        }
        out.push_str(lx.text);
    }
    trim_line_end(&mut out);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Whether a blank line comes before each lexeme: where the author left one, and before each
/// rule and test (above the comments that introduce it).
fn blank_lines(lexemes: &[Lexeme<'_>], starts: &HashMap<usize, LineStart>) -> Vec<bool> {
    let mut blank: Vec<bool> = lexemes.iter().map(|lx| lx.breaks > 1).collect();
    for (i, lx) in lexemes.iter().enumerate().skip(1) {
        if !starts.get(&lx.start).is_some_and(|s| s.set_apart) {
            continue;
        }
        // Comments directly above a rule are its introduction: the blank line goes above them.
        let mut first = i;
        while first > 0
            && lexemes[first - 1].token == Token::Comment
            && lexemes[first].breaks == 1
            && (first == 1 || lexemes[first - 1].breaks > 0)
        {
            first -= 1;
        }
        if first > 0 {
            blank[first] = true;
        }
    }
    if let Some(b) = blank.first_mut() {
        *b = false;
    }
    blank
}

/// The construct that starts at the next lexeme that is not a comment, if one does.
fn following_start(
    lexemes: &[Lexeme<'_>],
    i: usize,
    starts: &HashMap<usize, LineStart>,
) -> Option<LineStart> {
    let next = lexemes[i..].iter().find(|lx| lx.token != Token::Comment)?;
    starts.get(&next.start).copied()
}

/// Whether only comments follow lexeme `i`.
fn ends_file(lexemes: &[Lexeme<'_>], i: usize) -> bool {
    lexemes[i..].iter().all(|lx| lx.token == Token::Comment)
}

/// The column (in bytes, from 0) of `offset` in its line.
fn column(text: &str, offset: usize) -> usize {
    offset - text[..offset].rfind('\n').map_or(0, |n| n + 1)
}

fn needs_space(before: Token, after: Token) -> bool {
    !matches!(before, Token::Open) && !matches!(after, Token::Close | Token::Comma)
}

fn trim_line_end(out: &mut String) {
    let kept = out.trim_end_matches([' ', '\t']).len();
    out.truncate(kept);
}
