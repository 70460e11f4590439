//! Messages: a rule's text split into literal parts and `{placeholders}`, each placeholder
//! checked against what the kind of rule can fill.

use super::columns::is_column;
use super::error::*;
use super::Checker;
use crate::ir::*;
use crate::line_attr::LineAttr;
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::Span;

/// What a message can name, by the kind of rule it belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MessageScope {
    /// A rule with no line: the claim only.
    Claim,
    /// A `for each line` rule.
    Line,
    /// A pair edit.
    Pair,
    /// The edits of a pair-edit table.
    TableEdits,
}

impl<'a> Checker<'a> {
    /// Splits a message into text and `{placeholders}`, checking each placeholder fits the rule.
    /// `{{` and `}}` stand for literal braces.
    pub(super) fn message(&mut self, w: &ast::Word, scope: MessageScope) -> Option<Message> {
        let length = w.text.chars().count();
        if length > crate::ir::MAX_MESSAGE_CHARS {
            self.error(MessageTooLong {
                length,
                max: crate::ir::MAX_MESSAGE_CHARS,
                span: w.span.into(),
            });
            return None;
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut ok = true;
        let mut chars = w.text.char_indices().peekable();
        let raw = self.sources[self.file.0 as usize]
            .text
            .get(w.span.start as usize..w.span.end as usize)
            .unwrap_or("");
        while let Some((_, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if closed && name.contains(' ') && !name.contains('{') {
                        let trimmed = name.trim();
                        self.error(UnknownPlaceholder {
                            name: name.clone(),
                            reason: "has spaces in its braces".into(),
                            span: w.span.into(),
                            help: format!(
                                "write a placeholder without spaces, `{{{}}}`; for braces in the text itself, write `{{{{` and `}}}}`",
                                trimmed.replace(' ', "")
                            ),
                        });
                        ok = false;
                        continue;
                    }
                    if !closed || name.contains([' ', '{']) {
                        self.error(UnknownPlaceholder {
                            name: name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect(),
                            reason: "is not closed".into(),
                            span: w.span.into(),
                            help: "close a placeholder with `}`, as in `{code}`; write `{{` for a brace itself".into(),
                        });
                        ok = false;
                        continue;
                    }
                    // Point at the placeholder in the file when it can be found there.
                    let needle = format!("{{{name}}}");
                    let span = raw
                        .find(&needle)
                        .map(|off| {
                            let start = w.span.start as usize + off;
                            crate::syntax::span::Span::new(start, start + needle.len())
                        })
                        .unwrap_or(w.span);
                    match self.placeholder(&name, scope, span) {
                        Some(p) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Text(std::mem::take(&mut text).into()));
                            }
                            parts.push(MessagePart::Placeholder(p));
                        }
                        None => ok = false,
                    }
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(MessagePart::Text(text.into()));
        }
        ok.then_some(Message { parts })
    }

    fn placeholder(&mut self, name: &str, scope: MessageScope, span: Span) -> Option<Placeholder> {
        if is_column(name) {
            let w = ast::Word {
                text: name.to_string(),
                span,
            };
            let (column, _) = self.column(&w, scope != MessageScope::Claim)?;
            return Some(Placeholder::Column(column));
        }
        if let Some(attr) = LineAttr::by_field(name) {
            return self.line_attr_placeholder(attr, scope != MessageScope::Claim, span);
        }
        let names = Placeholder::ALL
            .iter()
            .map(|(n, _)| *n)
            .chain(LineAttr::ALL.map(|a| a.field()));
        let Some(&(_, p)) = Placeholder::ALL.iter().find(|(n, _)| *n == name) else {
            self.error(UnknownPlaceholder {
                name: name.to_string(),
                reason: "no message can name".into(),
                span: span.into(),
                help: did_you_mean(name, names, "placeholder"),
            });
            return None;
        };
        let fits = match p {
            Placeholder::Claim | Placeholder::Date | Placeholder::Age | Placeholder::Sex => true,
            Placeholder::Code | Placeholder::Line | Placeholder::Units | Placeholder::Charge => {
                scope != MessageScope::Claim
            }
            Placeholder::Matched => !matches!(scope, MessageScope::Pair | MessageScope::TableEdits),
            Placeholder::With => matches!(scope, MessageScope::Pair | MessageScope::TableEdits),
            Placeholder::Rationale => scope == MessageScope::TableEdits,
            Placeholder::OtherLine => scope == MessageScope::Line,
            Placeholder::Column(_) | Placeholder::LineAttr(_) => scope != MessageScope::Claim,
            Placeholder::Diagnosis => scope == MessageScope::Line,
            Placeholder::HistoryClaim
            | Placeholder::HistoryLine
            | Placeholder::HistoryDate
            | Placeholder::HistoryCode => scope != MessageScope::Pair,
        };
        if !fits {
            let (reason, help) = match p {
                Placeholder::Rationale => (
                    "only the edits of a table can fill",
                    "`{rationale}` names the rationale of the table row that denied the line",
                ),
                Placeholder::With => (
                    "only a pair edit can fill",
                    "`{with}` names the column-1 code of a pair edit; in other rules use `{matched}`",
                ),
                Placeholder::OtherLine if scope != MessageScope::Claim => (
                    "only a line rule can fill",
                    "`{other_line}` names the other line an `another line …` test of a rule's \
                     `when` matched; in a pair edit, `{with}` names the code the line is bundled with",
                ),
                Placeholder::Diagnosis => (
                    "only a line rule can fill",
                    "`{diagnosis}` names the diagnosis a `line diagnosis` test matched, or the one a `for each line diagnosis` rule is on",
                ),
                Placeholder::HistoryClaim
                | Placeholder::HistoryLine
                | Placeholder::HistoryDate
                | Placeholder::HistoryCode => (
                    "a pair edit cannot fill",
                    "a pair edit reads no earlier claim; `{history_claim}`, `{history_line}`, \
                     `{history_date}` and `{history_code}` name the earlier line a history \
                     condition found",
                ),
                Placeholder::Matched => (
                    "a pair edit cannot fill",
                    "in a pair edit, `{with}` names the code the line is bundled with",
                ),
                _ => (
                    "needs a line",
                    "start the rule with `for each line in …` to name the line's code, number or units",
                ),
            };
            self.error(UnknownPlaceholder {
                name: name.to_string(),
                reason: reason.into(),
                span: span.into(),
                help: help.into(),
            });
            return None;
        }
        Some(p)
    }
}
