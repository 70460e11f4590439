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
            Err(e) => errors.push(ParseError::Syntax(syntax_error(text, start, end, e))),
        }
    }
    (PolicyFile { items }, errors)
}

/// How deep parentheses may nest in one item, and how many `and`/`or`/`not` it may hold. Far
/// beyond any real policy; they keep a hostile pack from exhausting the stack.
pub const MAX_NESTING: usize = 64;
pub const MAX_OPERATORS: usize = 1000;

/// An item whose conditions nest deeper or run longer than the limits.
pub(super) fn too_complex(chunk: &str, offset: usize) -> Option<TooComplex> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    let mut word = String::new();
    for (i, c) in chunk.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if matches!(word.as_str(), "and" | "or" | "not") {
            operators += 1;
        }
        word.clear();
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING || operators > MAX_OPERATORS {
            let what = if depth > MAX_NESTING {
                format!("parentheses nest more than {MAX_NESTING} deep")
            } else {
                format!("it holds more than {MAX_OPERATORS} `and`, `or` and `not`")
            };
            return Some(TooComplex {
                what,
                span: (offset + i, 1).into(),
            });
        }
    }
    None
}

/// Keywords that start a top-level item when they begin a line.
pub(super) const TOP_LEVEL: &[&str] = &[
    "pack",
    "override",
    "disable",
    "rule",
    "fact",
    "derived",
    "codes",
    "diagnoses",
    "term",
    "phrase",
    "cue",
    "abbreviation",
    "table",
];

/// The byte-order mark, U+FEFF. Editors that save "UTF-8 with BOM" put one at the start of a
/// file, where it is skipped, as rustc does; anywhere else it is an error that names it.
pub(super) const BOM: char = '\u{FEFF}';

/// Byte ranges of the file, each starting at a top-level keyword at the start of a line. A
/// byte-order mark at the start of the file is in none of them, so spans stay byte offsets of
/// the whole text.
pub(super) fn chunks(text: &str, keywords: &[&str]) -> Vec<(usize, usize)> {
    let first = if text.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let mut starts = vec![first];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line_start > 0 && starts_item(line, keywords) {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    let mut ranges = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        ranges.push((s, e));
    }
    ranges
}

fn starts_item(line: &str, keywords: &[&str]) -> bool {
    keywords.iter().any(|kw| {
        line.strip_prefix(kw)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '\r', '\n']))
    })
}

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
});

pub(super) type Result<T> = std::result::Result<T, ParseError>;

/// Walks pairs of one chunk; `offset` is where the chunk starts in the file.
pub(super) struct Walker {
    pub(super) offset: usize,
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
                _ => return Err(self.unexpected(&pair, "a declaration or a rule")),
            }
        }
        Ok(items)
    }

    fn fact(&self, pair: Pair<Rule>) -> Result<FactDecl> {
        let span = self.span(&pair);
        let mut derived = false;
        let mut name = None;
        let mut ty = None;
        let mut description = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_derived => derived = true,
                Rule::kw_fact | Rule::kw_is => {}
                Rule::ident => name = Some(self.word(&p)),
                Rule::type_boolean => ty = Some(FactTypeExpr::Boolean),
                Rule::type_number => ty = Some(FactTypeExpr::Number),
                Rule::type_text => ty = Some(FactTypeExpr::Text),
                Rule::type_one_of => ty = Some(FactTypeExpr::OneOf(self.choices(&p)?)),
                Rule::type_list => {
                    let choices = p
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::value_choices);
                    ty = Some(match choices {
                        Some(c) => FactTypeExpr::ListOf(self.choice_words(c)),
                        None => FactTypeExpr::ListOfText,
                    });
                }
                Rule::string => description = Some(self.string(&p)?),
                _ => return Err(self.unexpected(&p, "a part of a fact declaration")),
            }
        }
        Ok(FactDecl {
            name: name.ok_or_else(|| self.unexpected(&pair, "a fact name"))?,
            derived,
            ty: ty.ok_or_else(|| self.unexpected(&pair, "a fact type"))?,
            description,
            span,
        })
    }

    fn choices(&self, pair: &Pair<Rule>) -> Result<Vec<Word>> {
        let choices = self.child(pair, Rule::value_choices, "a list of values")?;
        Ok(self.choice_words(choices))
    }

    fn choice_words(&self, pair: Pair<Rule>) -> Vec<Word> {
        pair.into_inner().map(|p| self.word(&p)).collect()
    }

    fn codes(&self, pair: Pair<Rule>) -> Result<CodeSetDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a code set name")?;
        let codes = self.next_value(&pair, &mut it, "a list of codes")?;
        Ok(CodeSetDecl {
            name: self.string(&name)?,
            codes: self.code_ref(codes)?,
            span,
        })
    }

    fn diagnoses(&self, pair: Pair<Rule>) -> Result<DiagnosisSetDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a diagnosis set name")?;
        let patterns = self.next_value(&pair, &mut it, "a list of diagnoses")?;
        Ok(DiagnosisSetDecl {
            name: self.string(&name)?,
            patterns: self.diagnosis_ref(patterns)?,
            span,
        })
    }

    fn table(&self, pair: Pair<Rule>) -> Result<TableDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a table name")?;
        let mut path = self.next_value(&pair, &mut it, "the table's file")?;
        let mut kind = TableKind::Codes;
        if path.as_rule() == Rule::table_kind {
            kind = match path
                .clone()
                .into_inner()
                .find(|p| matches!(p.as_rule(), Rule::kind_pair_edits | Rule::kind_unit_limits))
            {
                Some(k) if k.as_rule() == Rule::kind_pair_edits => TableKind::PairEdits,
                Some(_) => TableKind::UnitLimits,
                None => return Err(self.unexpected(&path, "`pair edits` or `unit limits`")),
            };
            path = self.next_value(&pair, &mut it, "the table's file")?;
        }
        let mut columns = Vec::new();
        let mut effective = None;
        for p in it {
            match p.as_rule() {
                Rule::column_decl => columns.push(self.column(p)?),
                Rule::effective => effective = Some(self.effective(&p)),
                _ => {}
            }
        }
        Ok(TableDecl {
            name: self.string(&name)?,
            kind,
            path: self.string(&path)?,
            effective,
            columns,
            span,
        })
    }

    fn pack(&self, pair: Pair<Rule>) -> Result<PackDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a pack name")?;
        let mut decl = PackDecl {
            name: self.string(&name)?,
            version: None,
            extends: None,
            description: None,
            effective: None,
            span,
        };
        for p in it {
            let value = || {
                let mut inner = p.clone().into_inner();
                let v = self.next_value(&p, &mut inner, "a quoted text")?;
                self.string(&v)
            };
            match p.as_rule() {
                Rule::pack_version => decl.version = Some(value()?),
                Rule::pack_extends => decl.extends = Some(value()?),
                Rule::pack_description => decl.description = Some(value()?),
                Rule::effective => decl.effective = Some(self.effective(&p)),
                _ => return Err(self.unexpected(&p, "a part of a pack manifest")),
            }
        }
        Ok(decl)
    }

    fn disable(&self, pair: Pair<Rule>) -> Result<DisableDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let id = self.next_value(&pair, &mut it, "a rule id")?;
        let reason = self.next_value(&pair, &mut it, "a reason")?;
        let mut inner = reason.clone().into_inner();
        let text = self.next_value(&reason, &mut inner, "a quoted reason")?;
        let effective = it
            .find(|p| p.as_rule() == Rule::effective)
            .map(|p| self.effective(&p));
        Ok(DisableDecl {
            id: self.word(&id),
            reason: self.string(&text)?,
            effective,
            span,
        })
    }

    /// `effective [DATE] [until DATE]`
    fn effective(&self, pair: &Pair<Rule>) -> Effective {
        let mut from = None;
        let mut until = None;
        let mut after_until = false;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_until => after_until = true,
                Rule::date_like if after_until => until = Some(self.word(&p)),
                Rule::date_like => from = Some(self.word(&p)),
                _ => {}
            }
        }
        Effective {
            from,
            until,
            span: self.span(pair),
        }
    }

    fn column(&self, pair: Pair<Rule>) -> Result<ColumnDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut description = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.word(&p)),
                Rule::column_type => {
                    let inner = p.clone().into_inner().next();
                    ty = Some(match inner.map(|i| i.as_rule()) {
                        Some(Rule::kw_boolean) => ColumnTypeExpr::Boolean,
                        Some(Rule::kw_number) => ColumnTypeExpr::Number,
                        Some(Rule::kw_text) => ColumnTypeExpr::Text,
                        Some(Rule::kw_code) => ColumnTypeExpr::Code,
                        Some(Rule::kw_codes) => ColumnTypeExpr::Codes,
                        _ => return Err(self.unexpected(&p, "a column type")),
                    });
                }
                Rule::string => description = Some(self.string(&p)?),
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(&p, "a part of a column declaration")),
            }
        }
        Ok(ColumnDecl {
            name: name.ok_or_else(|| self.unexpected(&pair, "a column name"))?,
            ty: ty.ok_or_else(|| self.unexpected(&pair, "a column type"))?,
            description,
            span,
        })
    }

    fn term(&self, pair: Pair<Rule>) -> Result<TermDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a term name")?;
        let definition = self.next_value(&pair, &mut it, "a condition")?;
        Ok(TermDecl {
            name: self.name(name)?,
            definition: self.condition(definition)?,
            span,
        })
    }

    fn phrase(&self, pair: Pair<Rule>) -> Result<PhraseDecl> {
        let span = self.span(&pair);
        let mut phrases = None;
        let mut meaning = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_phrase => {}
                Rule::phrase_list => phrases = Some(self.strings(p)?),
                Rule::phrase_means => {
                    let condition = self.child(&p, Rule::condition, "a meaning")?;
                    meaning = Some(PhraseMeaning::Means(self.condition(condition)?));
                }
                Rule::phrase_measures => {
                    let fact = self.child(&p, Rule::ident, "a number fact")?;
                    meaning = Some(PhraseMeaning::Measures(self.word(&fact)));
                }
                _ => return Err(self.unexpected(&p, "a part of a phrase statement")),
            }
        }
        Ok(PhraseDecl {
            phrases: phrases.ok_or_else(|| self.unexpected(&pair, "the phrases"))?,
            meaning: meaning.ok_or_else(|| self.unexpected(&pair, "what the phrases mean"))?,
            span,
        })
    }

    fn cue(&self, pair: Pair<Rule>) -> Result<CueDecl> {
        let span = self.span(&pair);
        let mut kind = None;
        let mut side = None;
        let mut cues = None;
        let mut facts = Vec::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_cue => {}
                Rule::cue_kind => kind = Some(self.word(&p)),
                Rule::cue_side => {
                    let keyword = self.next(&p, &mut p.clone().into_inner(), "before or after")?;
                    side = Some(match keyword.as_rule() {
                        Rule::kw_before => CueSide::Before,
                        Rule::kw_after => CueSide::After,
                        _ => return Err(self.unexpected(&keyword, "before or after")),
                    });
                }
                Rule::phrase_list => cues = Some(self.strings(p)?),
                Rule::cue_facts => {
                    facts = p
                        .into_inner()
                        .filter(|f| f.as_rule() == Rule::ident)
                        .map(|f| self.word(&f))
                        .collect()
                }
                _ => return Err(self.unexpected(&p, "a part of a cue statement")),
            }
        }
        Ok(CueDecl {
            kind: kind.ok_or_else(|| self.unexpected(&pair, "a kind of cue"))?,
            side,
            cues: cues.ok_or_else(|| self.unexpected(&pair, "the cue words"))?,
            facts,
            span,
        })
    }

    fn abbreviation(&self, pair: Pair<Rule>) -> Result<AbbreviationDecl> {
        let span = self.span(&pair);
        let mut short = None;
        let mut long = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_abbreviation | Rule::kw_means => {}
                Rule::phrase_list => short = Some(self.strings(p)?),
                Rule::string => long = Some(self.string(&p)?),
                _ => return Err(self.unexpected(&p, "a part of an abbreviation")),
            }
        }
        Ok(AbbreviationDecl {
            short: short.ok_or_else(|| self.unexpected(&pair, "the abbreviations"))?,
            long: long.ok_or_else(|| self.unexpected(&pair, "what they stand for"))?,
            span,
        })
    }

    /// The quoted texts of a comma-separated list.
    fn strings(&self, pair: Pair<Rule>) -> Result<Vec<Word>> {
        pair.into_inner().map(|p| self.string(&p)).collect()
    }

    fn name(&self, pair: Pair<Rule>) -> Result<Name> {
        let span = self.span(&pair);
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(&pair, "a name"))?;
        match inner.as_rule() {
            Rule::string => Ok(Name {
                text: self.string(&inner)?.text,
                quoted: true,
                span,
            }),
            Rule::ident | Rule::field => Ok(Name {
                text: inner.as_str().to_string(),
                quoted: false,
                span,
            }),
            _ => Err(self.unexpected(&inner, "a name")),
        }
    }

    /// The text inside a quoted string, with `\"` and `\\` unescaped; the span covers the quotes.
    pub(super) fn string(&self, pair: &Pair<Rule>) -> Result<Word> {
        if pair.as_rule() != Rule::string {
            return Err(self.unexpected(pair, "a quoted text"));
        }
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(pair, "a quoted text"))?;
        let mut text = String::with_capacity(inner.as_str().len());
        let mut chars = inner.as_str().chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some(other) => text.push(other),
                    None => {}
                }
            } else {
                text.push(c);
            }
        }
        Ok(Word {
            text,
            span: self.span(pair),
        })
    }

    fn rule(&self, pair: Pair<Rule>) -> Result<RuleDecl> {
        let span = self.span(&pair);
        let overrides = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::kw_override);
        let mut it = pair.clone().into_inner();
        let id = self.next_value(&pair, &mut it, "a rule id")?;
        let mut body = self.next_value(&pair, &mut it, "a rule body")?;
        let mut effective = None;
        if body.as_rule() == Rule::effective {
            effective = Some(self.effective(&body));
            body = self.next_value(&pair, &mut it, "a rule body")?;
        }
        let mut same_reason = None;
        if body.as_rule() == Rule::same_reason {
            same_reason = Some(self.same_reason(&body)?);
            body = self.next_value(&pair, &mut it, "a rule body")?;
        }
        let body = match body.as_rule() {
            Rule::derive_rule => RuleBody::Derive(
                body.into_inner()
                    .map(|d| self.derivation(d))
                    .collect::<Result<_>>()?,
            ),
            Rule::pair_rule => {
                let mut edits = Vec::new();
                let mut message = None;
                for p in body.into_inner() {
                    match p.as_rule() {
                        Rule::pair_edit => edits.push(self.pair_edit(p)?),
                        Rule::pair_message => {
                            let mut inner = p.clone().into_inner();
                            let s = self.next_value(&p, &mut inner, "a message")?;
                            message = Some(self.string(&s)?);
                        }
                        _ => return Err(self.unexpected(&p, "a pair edit")),
                    }
                }
                RuleBody::Pairs { edits, message }
            }
            Rule::check_rule => RuleBody::Check(self.check_rule(body)?),
            Rule::table_edits_rule => self.table_edits(body)?,
            _ => return Err(self.unexpected(&body, "a rule body")),
        };
        Ok(RuleDecl {
            id: self.word(&id),
            overrides,
            effective,
            same_reason,
            body,
            span,
        })
    }

    /// `apply edits of "ncci_ptp"`, `bypass with modifier …`, `message "…"`.
    fn table_edits(&self, body: Pair<Rule>) -> Result<RuleBody> {
        let mut it = body.clone().into_inner();
        let table = it
            .find(|p| p.as_rule() == Rule::string)
            .ok_or_else(|| self.unexpected(&body, "a table name"))?;
        let mut bypass = Vec::new();
        let mut message = None;
        for p in it {
            match p.as_rule() {
                Rule::edits_bypass => {
                    let list = self.child(&p, Rule::modifier_list, "a modifier")?;
                    bypass = self.modifiers(list);
                }
                Rule::pair_message => {
                    let mut inner = p.clone().into_inner();
                    let s = self.next_value(&p, &mut inner, "a message")?;
                    message = Some(self.string(&s)?);
                }
                _ => return Err(self.unexpected(&p, "`bypass with modifier` or `message`")),
            }
        }
        Ok(RuleBody::TableEdits {
            table: self.string(&table)?,
            bypass,
            message,
        })
    }

    fn derivation(&self, pair: Pair<Rule>) -> Result<Derivation> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let condition = self.next_value(&pair, &mut it, "a condition")?;
        let conclusion = self.next_value(&pair, &mut it, "a conclusion")?;
        let conclusion_span = self.span(&conclusion);
        let inner = conclusion
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(&conclusion, "a conclusion"))?;
        Ok(Derivation {
            condition: self.condition(condition)?,
            conclusion: Condition {
                kind: ConditionKind::Predicate(self.predicate(inner)?),
                span: conclusion_span,
            },
            span,
        })
    }

    fn pair_edit(&self, pair: Pair<Rule>) -> Result<PairEdit> {
        let span = self.span(&pair);
        let mut column2 = None;
        let mut column1 = None;
        let mut same_session = false;
        let mut verdict = None;
        let mut when = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::code_ref if column2.is_none() => column2 = Some(self.code_ref(p)?),
                Rule::code_ref => column1 = Some(self.code_ref(p)?),
                Rule::kw_with => {}
                Rule::same_session => same_session = true,
                Rule::pair_allowed | Rule::pair_denied => {
                    verdict = Some(if p.as_rule() == Rule::pair_allowed {
                        PairVerdict::Allowed
                    } else {
                        PairVerdict::Denied
                    });
                    for t in p.into_inner() {
                        if !is_keyword(t.as_rule()) {
                            when = Some(self.time_test(t)?);
                        }
                    }
                }
                _ => return Err(self.unexpected(&p, "a part of a pair edit")),
            }
        }
        Ok(PairEdit {
            column2: column2.ok_or_else(|| self.unexpected(&pair, "a column-2 code"))?,
            column1: column1.ok_or_else(|| self.unexpected(&pair, "a column-1 code"))?,
            same_session,
            verdict: verdict.ok_or_else(|| self.unexpected(&pair, "`allowed` or `denied`"))?,
            when,
            span,
        })
    }

    fn check_rule(&self, pair: Pair<Rule>) -> Result<CheckRule> {
        let mut rule = CheckRule {
            each_line: false,
            target: None,
            when: None,
            unless: None,
            actions: Vec::new(),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::rule_target => {
                    rule.each_line = true;
                    let codes = p
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::code_ref);
                    rule.target = codes.map(|c| self.code_ref(c)).transpose()?;
                }
                Rule::when_clause | Rule::unless_clause => {
                    let mut it = p.clone().into_inner();
                    let c = self.next_value(&p, &mut it, "a condition")?;
                    let c = Some(self.condition(c)?);
                    if p.as_rule() == Rule::when_clause {
                        rule.when = c;
                    } else {
                        rule.unless = c;
                    }
                }
                _ => rule.actions.push(self.action(p)?),
            }
        }
        Ok(rule)
    }

    fn action(&self, pair: Pair<Rule>) -> Result<Action> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut kind = match rule {
            Rule::deny_action => Some(ActionKind::Deny),
            Rule::review_action => Some(ActionKind::Review),
            Rule::info_action => Some(ActionKind::Info),
            Rule::suggest_action | Rule::modify_action => None,
            _ => return Err(self.unexpected(&pair, "an action")),
        };
        let mut message = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::message => {
                    let mut it = p.clone().into_inner();
                    let s = self.next(&p, &mut it, "a message")?;
                    message = Some(self.string(&s)?);
                }
                Rule::code_like | Rule::code_attr => {
                    kind = Some(ActionKind::Suggest(self.word(&p)))
                }
                Rule::add_modifier | Rule::remove_modifier => {
                    let m = self.child(&p, Rule::modifier_like, "a modifier")?;
                    let m = self.word(&m);
                    kind = Some(if p.as_rule() == Rule::add_modifier {
                        ActionKind::AddModifier(m)
                    } else {
                        ActionKind::RemoveModifier(m)
                    });
                }
                Rule::remove_line => kind = Some(ActionKind::RemoveLine),
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(&p, "a part of an action")),
            }
        }
        Ok(Action {
            kind: kind.ok_or_else(|| self.unexpected(&pair, "an action"))?,
            message: message.ok_or_else(|| self.unexpected(&pair, "a message"))?,
            span,
        })
    }

    fn condition(&self, pair: Pair<Rule>) -> Result<Condition> {
        if pair.as_rule() != Rule::condition {
            return Err(self.unexpected(&pair, "a condition"));
        }
        PRATT
            .map_primary(|p| {
                if p.as_rule() == Rule::condition {
                    self.condition(p)
                } else {
                    let span = self.span(&p);
                    Ok(Condition {
                        kind: ConditionKind::Predicate(self.predicate(p)?),
                        span,
                    })
                }
            })
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                Ok(Condition {
                    span: self.span(&op).to(rhs.span),
                    kind: ConditionKind::Not(Box::new(rhs)),
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.to(rhs.span);
                let kind = match op.as_rule() {
                    Rule::op_and => ConditionKind::And(Box::new(lhs), Box::new(rhs)),
                    Rule::op_or => ConditionKind::Or(Box::new(lhs), Box::new(rhs)),
                    _ => return Err(self.unexpected(&op, "`and` or `or`")),
                };
                Ok(Condition { kind, span })
            })
            .parse(pair.into_inner())
    }

    fn predicate(&self, pair: Pair<Rule>) -> Result<Predicate> {
        let rule = pair.as_rule();
        let values: Vec<Pair<Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .collect();
        let first = |wanted| {
            values
                .first()
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        let second = |wanted| {
            values
                .get(1)
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        let third = |wanted| {
            values
                .get(2)
                .cloned()
                .ok_or_else(|| self.unexpected(&pair, wanted))
        };
        Ok(match rule {
            Rule::line_has_modifier => {
                Predicate::LineHasModifier(self.modifiers(first("a modifier")?))
            }
            Rule::line_units => Predicate::LineUnits(
                self.compare_op(&first("a comparison")?)?,
                self.word(&second("a number")?),
            ),
            Rule::units_total => {
                let so_far = values.iter().any(|v| v.as_rule() == Rule::so_far);
                let same_session = values.iter().any(|v| v.as_rule() == Rule::same_session);
                let mut rest = values.iter().filter(|v| {
                    !matches!(
                        v.as_rule(),
                        Rule::so_far | Rule::same_session | Rule::on_date_of_service
                    )
                });
                let op = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a comparison"))?;
                let limit = rest
                    .next()
                    .ok_or_else(|| self.unexpected(&pair, "a number"))?;
                Predicate::UnitsTotal {
                    same_session,
                    so_far,
                    op: self.compare_op(op)?,
                    limit: self.word(limit),
                }
            }
            Rule::line_is => Predicate::LineIs(self.code_ref(first("a list of codes")?)?),
            Rule::line_has_attr => Predicate::LineHasAttr(self.line_attr(&first("an attribute")?)?),
            Rule::line_attr_is => Predicate::LineAttrIs {
                attr: self.line_attr(&first("an attribute")?)?,
                negated: values.iter().any(|v| v.as_rule() == Rule::is_not),
                codes: self.code_ref(
                    values
                        .last()
                        .cloned()
                        .ok_or_else(|| self.unexpected(&pair, "a list of codes"))?,
                )?,
            },
            Rule::other_line_has => {
                let earlier = first("`another line`")?.as_rule() == Rule::earlier_line;
                let same_session = values.iter().any(|v| v.as_rule() == Rule::same_session);
                let what = values
                    .last()
                    .cloned()
                    .ok_or_else(|| self.unexpected(&pair, "codes or a modifier"))?;
                let what = match what.as_rule() {
                    Rule::has_modifier => {
                        let m = self.child(&what, Rule::modifier_list, "a modifier")?;
                        LineMatch::Modifiers(self.modifiers(m))
                    }
                    _ => LineMatch::Codes(self.code_ref(what)?),
                };
                Predicate::OtherLineHas {
                    earlier,
                    same_session,
                    what,
                }
            }
            Rule::claim_has_diagnosis => {
                Predicate::ClaimHasDiagnosis(self.diagnosis_ref(first("a list of diagnoses")?)?)
            }
            Rule::claim_has_modifier => {
                Predicate::ClaimHasModifier(self.modifiers(first("a modifier")?))
            }
            Rule::claim_has_code => {
                Predicate::ClaimHasCode(self.code_ref(first("a list of codes")?)?)
            }
            Rule::procedure_approach => {
                Predicate::ProcedureApproach(self.word(&first("an approach")?))
            }
            Rule::service_date => Predicate::ServiceDate(self.time_test(first("a date test")?)?),
            Rule::documented => Predicate::Documented(self.word(&first("a fact")?)),
            Rule::missing => Predicate::Missing(self.word(&first("a fact")?)),
            Rule::comparison => Predicate::Compare {
                field: self.word(&first("a fact")?),
                op: self.compare_op(&second("a comparison")?)?,
                value: self.literal(third("a value")?)?,
            },
            Rule::membership => {
                let op = match second("`has` or `in`")?.as_rule() {
                    Rule::op_has => MembershipOp::Has,
                    _ => MembershipOp::In,
                };
                let list = third("a list of values")?;
                Predicate::Membership {
                    field: self.word(&first("a fact")?),
                    op,
                    values: list
                        .into_inner()
                        .map(|l| self.literal(l))
                        .collect::<Result<_>>()?,
                }
            }
            Rule::name => Predicate::Name(self.name(pair)?),
            _ => return Err(self.unexpected(&pair, "a condition")),
        })
    }

    /// `comparison code`: which attribute of the line.
    fn line_attr(&self, pair: &Pair<Rule>) -> Result<LineAttr> {
        match pair.clone().into_inner().next().map(|p| p.as_rule()) {
            Some(Rule::attr_comparison_code) => Ok(LineAttr::ComparisonCode),
            _ => Err(self.unexpected(pair, "an attribute of the line (`comparison code`)")),
        }
    }

    fn compare_op(&self, pair: &Pair<Rule>) -> Result<CompareOp> {
        Ok(match pair.as_str() {
            "=" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "is" => CompareOp::Eq,
            s if s.starts_with("is") => CompareOp::Ne,
            _ => return Err(self.unexpected(pair, "a comparison")),
        })
    }

    pub(super) fn literal(&self, pair: Pair<Rule>) -> Result<Literal> {
        let span = self.span(&pair);
        let (kind, text) = match pair.as_rule() {
            Rule::number => (LiteralKind::Number, pair.as_str().to_string()),
            Rule::date_like => (LiteralKind::Date, pair.as_str().to_string()),
            Rule::word => (LiteralKind::Word, pair.as_str().to_string()),
            Rule::bool_true => (LiteralKind::Bool(true), pair.as_str().to_string()),
            Rule::bool_false => (LiteralKind::Bool(false), pair.as_str().to_string()),
            Rule::string => (LiteralKind::Text, self.string(&pair)?.text),
            _ => return Err(self.unexpected(&pair, "a value")),
        };
        Ok(Literal { kind, text, span })
    }

    fn time_test(&self, pair: Pair<Rule>) -> Result<TimeTest> {
        let points: Vec<TimePoint> = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .map(|p| self.time_point(p))
            .collect::<Result<_>>()?;
        let mut points = points.into_iter();
        let mut point = |wanted| points.next().ok_or_else(|| self.unexpected(&pair, wanted));
        Ok(match pair.as_rule() {
            Rule::date_before => TimeTest::Before(point("a date")?),
            Rule::date_after => TimeTest::After(point("a date")?),
            Rule::date_between => TimeTest::Between(point("a date")?, point("a second date")?),
            _ => return Err(self.unexpected(&pair, "`before`, `after` or `between`")),
        })
    }

    fn time_point(&self, pair: Pair<Rule>) -> Result<TimePoint> {
        match pair.as_rule() {
            Rule::date_like => Ok(TimePoint::Date(self.word(&pair))),
            Rule::cci_version => {
                let v = self.child(&pair, Rule::version_like, "a version")?;
                Ok(TimePoint::Cci(self.word(&v)))
            }
            _ => Err(self.unexpected(&pair, "a date or `CCI` version")),
        }
    }

    pub(super) fn modifiers(&self, pair: Pair<Rule>) -> Vec<Word> {
        pair.into_inner().map(|p| self.word(&p)).collect()
    }

    pub(super) fn code_ref(&self, pair: Pair<Rule>) -> Result<CodeRef> {
        if pair.as_rule() != Rule::code_ref {
            return Err(self.unexpected(&pair, "a list of codes"));
        }
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            items.push(match p.as_rule() {
                Rule::code_like => CodeItem::Code(self.word(&p)),
                Rule::code_attr => CodeItem::Attribute(self.word(&p)),
                Rule::set_name => {
                    let mut it = p.clone().into_inner();
                    let s = self.next(&p, &mut it, "a code set name")?;
                    CodeItem::Set(self.string(&s)?)
                }
                Rule::code_range => {
                    let span = self.span(&p);
                    let mut it = p.clone().into_inner();
                    let first = self.next(&p, &mut it, "the first code of the range")?;
                    let last = self.next(&p, &mut it, "the last code of the range")?;
                    CodeItem::Range {
                        first: self.word(&first),
                        last: self.word(&last),
                        span,
                    }
                }
                _ => return Err(self.unexpected(&p, "a code")),
            });
        }
        Ok(CodeRef { items, span })
    }

    fn diagnosis_ref(&self, pair: Pair<Rule>) -> Result<DiagnosisRef> {
        if pair.as_rule() != Rule::diag_ref {
            return Err(self.unexpected(&pair, "a list of diagnoses"));
        }
        let span = self.span(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            items.push(match p.as_rule() {
                Rule::diag_pattern => DiagnosisItem::Pattern(self.word(&p)),
                Rule::set_name => {
                    let mut it = p.clone().into_inner();
                    let s = self.next(&p, &mut it, "a diagnosis set name")?;
                    DiagnosisItem::Set(self.string(&s)?)
                }
                _ => return Err(self.unexpected(&p, "a diagnosis")),
            });
        }
        Ok(DiagnosisRef { items, span })
    }
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

pub(super) fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// Turns pest's error into one in the analyst's words.
pub(super) fn syntax_error(
    text: &str,
    chunk_start: usize,
    found_chunk_end: usize,
    error: pest::error::Error<Rule>,
) -> SyntaxError {
    use pest::error::InputLocation;
    let mut at = chunk_start
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let rest = &text[at.min(text.len())..];
    let found_len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i);
    let at_end =
        at >= found_chunk_end || text[at..found_chunk_end.min(text.len())].trim().is_empty();
    if rest.starts_with(BOM) {
        return SyntaxError {
            found: "a byte-order mark (U+FEFF), an invisible character".to_string(),
            expected: join_or(&expected_words(&error)),
            span: (at, BOM.len_utf8()).into(),
            help: "delete it: a byte-order mark may only start a file, and most editors do not show it".to_string(),
        };
    }
    let (found, span_len) = if at_end {
        // Point just after the item's last word rather than at the next item.
        at = chunk_start + text[chunk_start..at.min(text.len())].trim_end().len();
        ("the end of the item".to_string(), 0)
    } else {
        (format!("`{}`", &rest[..found_len]), found_len)
    };
    let expected = expected_words(&error);
    let help = if found.starts_with("`\"") && !rest.lines().next().unwrap_or("")[1..].contains('"')
    {
        "this text is not closed: end it with `\"` on the same line".to_string()
    } else {
        help_for(&expected)
    };
    SyntaxError {
        found,
        expected: join_or(&expected),
        span: (at, span_len).into(),
        help,
    }
}

/// What the grammar expected where `error` is, in an analyst's words, the most telling first.
fn expected_words(error: &pest::error::Error<Rule>) -> Vec<&'static str> {
    let mut expected: Vec<&'static str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(words) = describe(*rule) {
                if !expected.contains(&words) {
                    expected.push(words);
                }
            }
        }
    }
    // Name only what matters most: a missing action is the news, not that a condition could
    // also have gone on with `and`.
    if let Some(best) = expected.iter().map(|e| tier(e)).min() {
        expected.retain(|e| tier(e) == best);
    }
    expected.sort_by_key(|e| tier(e));
    expected
}

/// What a grammar rule means to an analyst; `None` for rules too internal to mention.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::fact_decl | Rule::kw_fact | Rule::kw_derived => "`fact`",
        Rule::codes_decl | Rule::kw_codes => "`codes`",
        Rule::diagnoses_decl | Rule::kw_diagnoses => "`diagnoses`",
        Rule::term_decl | Rule::kw_term => "`term`",
        Rule::phrase_decl | Rule::kw_phrase => "`phrase`",
        Rule::cue_decl | Rule::kw_cue => "`cue`",
        Rule::abbreviation_decl | Rule::kw_abbreviation => "`abbreviation`",
        Rule::phrase_means => "`means`",
        Rule::phrase_measures | Rule::kw_measures => "`measures`",
        Rule::cue_kind => {
            "a kind of cue (negation, hypothetical, historical, removal, pseudo, boundary)"
        }
        Rule::cue_side => "`before` or `after`",
        Rule::phrase_list => "a quoted phrase",
        Rule::rule_decl | Rule::kw_rule => "`rule`",
        Rule::table_decl | Rule::kw_table => "`table`",
        Rule::column_decl | Rule::kw_column => "`column`",
        Rule::kw_from => "`from`",
        Rule::disable_reason | Rule::kw_reason => {
            "`reason` and why the rule is disabled, in quotes"
        }
        Rule::effective | Rule::kw_effective => "`effective` and a date",
        Rule::same_reason | Rule::kw_as => "`same reason as` and rule ids",
        Rule::kw_until => "`until` and a date",
        Rule::pack_decl | Rule::kw_pack => "`pack`",
        Rule::pack_version | Rule::kw_version => "`version`",
        Rule::pack_extends | Rule::kw_extends => "`extends`",
        Rule::pack_description | Rule::kw_description => "`description`",
        Rule::given_row | Rule::kw_given => "`given table`",
        Rule::claim_file => "`from` and a claim file",
        Rule::column_type | Rule::kw_code => {
            "a column type (`boolean`, `number`, `text`, `code` or `codes`)"
        }
        Rule::code_attr => "a table column of the line's code, such as `code.mue`",
        Rule::line_attr | Rule::attr_comparison_code | Rule::kw_comparison => {
            "an attribute of the line (`comparison code`)"
        }
        Rule::so_far | Rule::kw_so | Rule::kw_far => "`so far`",
        Rule::test_decl | Rule::kw_test => "`test`",
        Rule::test_claim => "`claim on` and a date, or `claim from` and a file",
        Rule::expectation | Rule::kw_expect => "`expect`",
        Rule::claim_line => "`line` and a code",
        Rule::claim_documented => "`documented` and facts",
        Rule::claim_diagnosis
        | Rule::claim_procedure
        | Rule::claim_pos
        | Rule::claim_provider
        | Rule::claim_payer
        | Rule::claim_source => "a part of the claim",
        Rule::line_modifiers
        | Rule::line_unit_count
        | Rule::line_session
        | Rule::line_comparison => "`modifier`, `units`, `session` or `comparison code`",
        Rule::expect_status
        | Rule::expect_none
        | Rule::expect_finding
        | Rule::expect_derived
        | Rule::action_name => "what to expect (`status`, `deny`, `no`, `derived`, …)",
        Rule::doc_item | Rule::doc_list => "a fact and its value",
        Rule::on_date_of_service | Rule::kw_on => "`on the date of service`",
        Rule::rule_id => "a rule id such as `fluoroscopy.bundled-76000`",
        Rule::ident | Rule::field | Rule::name => "a name",
        Rule::string | Rule::message | Rule::set_name => "a text in double quotes",
        Rule::code_ref | Rule::code_like | Rule::code_range => {
            "a code, a code range or a code set name"
        }
        Rule::diag_ref | Rule::diag_pattern => "a diagnosis code or pattern such as `S82.*`",
        Rule::modifier_list | Rule::modifier_like => "a modifier such as `59`",
        Rule::kw_with => "`with`",
        Rule::kw_allowed | Rule::kw_denied | Rule::pair_allowed | Rule::pair_denied => {
            "`allowed` or `denied`"
        }
        Rule::kw_implies => "`implies`",
        Rule::kw_means => "`means`",
        Rule::kw_is | Rule::kw_are => "`is` or `are`",
        Rule::kw_each => "`each`",
        Rule::kw_line => "`line`",
        Rule::kw_in => "`in`",
        Rule::kw_has => "`has`",
        Rule::condition
        | Rule::op_not
        | Rule::kw_not
        | Rule::line_has_modifier
        | Rule::line_has_attr
        | Rule::line_attr_is
        | Rule::line_units
        | Rule::units_total
        | Rule::line_is
        | Rule::other_line_has
        | Rule::claim_has_code
        | Rule::claim_has_diagnosis
        | Rule::claim_has_modifier
        | Rule::procedure_approach
        | Rule::service_date
        | Rule::documented
        | Rule::missing
        | Rule::comparison
        | Rule::membership => "a condition",
        Rule::op_and | Rule::op_or | Rule::kw_and | Rule::kw_or => "`and`/`or`",
        Rule::rule_target | Rule::kw_for => "`for each line in …`",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::unless_clause | Rule::kw_unless => "`unless`",
        Rule::deny_action
        | Rule::review_action
        | Rule::info_action
        | Rule::suggest_action
        | Rule::modify_action
        | Rule::kw_deny
        | Rule::kw_review
        | Rule::kw_info
        | Rule::kw_suggest
        | Rule::kw_modify => "an action (`deny`, `review`, `suggest`, `modify` or `info`)",
        Rule::add_modifier
        | Rule::remove_modifier
        | Rule::remove_line
        | Rule::kw_add
        | Rule::kw_remove => "`add modifier`, `remove modifier` or `remove line`",
        Rule::kw_message | Rule::pair_message => "`message`",
        Rule::cmp_op | Rule::is_not => "a comparison (`is`, `is not`, `=`, `<`, `>`, …)",
        Rule::literal_list | Rule::number | Rule::word | Rule::bool_true | Rule::bool_false => {
            "a value"
        }
        Rule::date_like => "a date such as `2010-04-01`",
        Rule::cci_version | Rule::kw_cci => "an NCCI version such as `CCI 16.1`",
        Rule::version_like => "a version number such as `16.1`",
        Rule::date_before
        | Rule::date_after
        | Rule::date_between
        | Rule::kw_before
        | Rule::kw_after
        | Rule::kw_between => "`before`, `after` or `between`",
        Rule::same_session => "`in the same session`",
        Rule::type_boolean
        | Rule::type_number
        | Rule::type_text
        | Rule::type_list
        | Rule::type_one_of
        | Rule::kw_boolean
        | Rule::kw_number
        | Rule::kw_text
        | Rule::kw_list
        | Rule::kw_one => "a fact type (`boolean`, `number`, `text`, `list of …`, `one of …`)",
        Rule::value_choices => "a list of values in parentheses",
        Rule::conclusion => "a conclusion (a fact, `approach is open` or `guidance has endoscope`)",
        _ => return None,
    })
}

/// How much an expectation tells the analyst: 0 is the missing piece itself, 2 is a way the
/// text could merely have gone on.
fn tier(expected: &str) -> u8 {
    match expected {
        "`and`/`or`" | "`in`" | "`has`" | "`in the same session`" => 2,
        e if e.starts_with("a comparison") => 2,
        "`when`"
        | "`same reason as` and rule ids"
        | "`unless`"
        | "`for each line in …`"
        | "`message`"
        | "`rule`"
        | "`fact`"
        | "`codes`"
        | "`diagnoses`"
        | "`term`"
        | "`table`"
        | "`column`"
        | "the end of the file" => 1,
        _ => 0,
    }
}

fn help_for(expected: &[&str]) -> String {
    let any = |needle: &str| expected.iter().any(|e| e.contains(needle));
    if any("double quotes") {
        "messages and names are written in double quotes, e.g. `deny \"77002 is bundled into 27093\"`".into()
    } else if any("version") || any("a date") {
        "NCCI versions are written `CCI 16.1`; dates as `2010-04-01`".into()
    } else if any("`allowed` or `denied`") {
        "a pair edit reads `77002 with 27093 allowed after CCI 16.1` or `76000 with 77002 denied`"
            .into()
    } else if any("a conclusion") {
        "`implies` concludes one fact: `open`, `approach is open`, `film_archived is no` or `guidance has endoscope`".into()
    } else if any("an action") {
        "a rule ends with what to do, e.g. `review \"{code} needs documentation\"`".into()
    } else if any("attribute of the line") {
        "a rule tests the line it judges with `line is 27093`, `line has modifier 26`, `line units > 1`, or an attribute of the line: `line comparison code is 27762`, `line has comparison code`".into()
    } else if any("condition") {
        "a condition tests the claim, e.g. `claim has 27093`, `line has modifier 26` or `guidance has fluoroscopy`".into()
    } else if any("code") {
        "codes are written as on the claim (`77002`, `0201T`), ranges as `27000-27299`, sets by name in quotes".into()
    } else if any("`rule`") || any("end of the file") {
        "each item starts with `rule`, `fact`, `codes`, `diagnoses`, `term` or `table` at the start of a line".into()
    } else if let Some(first) = expected.first() {
        format!("write {first} here")
    } else {
        "see docs/language.md for the form of each statement".into()
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {}", rest.join(", "), last),
    }
}
