//! Checking literals: codes, modifiers and numbers as written in a policy, and how a kind of
//! literal is named in a diagnostic.

use super::error::*;
use super::Checker;
use crate::codes::{Code, Modifier};
use crate::syntax::ast::{self, LiteralKind};

impl<'a> Checker<'a> {
    pub(super) fn code(&mut self, w: &ast::Word) -> Option<Code> {
        let code = Code::parse(&w.text);
        if code.is_none() && Modifier::parse(&w.text).is_some() {
            self.error(TypeMismatch {
                subject: format!("`{}`", w.text),
                found: "a modifier".into(),
                expected: "a CPT/HCPCS code".into(),
                span: w.span.into(),
                help: format!(
                    "to test a modifier, write `claim has modifier {0}` or `line has modifier \
                     {0}`; codes have five letters or digits: `27093`, `0201T`",
                    w.text
                ),
            });
        } else if code.is_none() {
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a CPT/HCPCS code",
                span: w.span.into(),
                help: "CPT and HCPCS codes have five letters or digits: `27093`, `0201T`, `G0008`"
                    .into(),
            });
        }
        code
    }

    pub(super) fn modifier(&mut self, w: &ast::Word) -> Option<Modifier> {
        let m = Modifier::parse(&w.text);
        if m.is_none() && Code::parse(&w.text).is_some() {
            self.error(TypeMismatch {
                subject: format!("`{}`", w.text),
                found: "a procedure code".into(),
                expected: "a modifier".into(),
                span: w.span.into(),
                help: format!(
                    "to test a code, write `claim has {0}` or `line is {0}`; modifiers have two \
                     characters: `26`, `TC`, `59`",
                    w.text
                ),
            });
        } else if m.is_none() {
            let help = "modifiers have two letters or digits: `26`, `TC`, `59`, `LT`".to_string();
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a modifier",
                span: w.span.into(),
                help,
            });
        }
        m
    }

    /// A list of modifiers, its ranges (`F1-F9`) spelled out.
    pub(super) fn modifiers(&mut self, ws: &[ast::Word]) -> Option<Vec<Modifier>> {
        let mut out = Vec::with_capacity(ws.len());
        let mut ok = true;
        for w in ws {
            let parsed = match ast::modifier_range(w) {
                Some((lo, hi)) => self.modifier_range(w, lo, hi),
                None => self.modifier(w).map(|m| vec![m]),
            };
            match parsed {
                Some(ms) => out.extend(ms),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    pub(super) fn number(&mut self, w: &ast::Word) -> Option<f64> {
        let n = w.text.parse::<f64>().ok();
        if n.is_none() {
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a number",
                span: w.span.into(),
                help: "write a number such as `1` or `2.5`".into(),
            });
        }
        n
    }
}

/// How a kind of literal is named in a diagnostic.
pub(super) fn describe_literal(kind: LiteralKind) -> &'static str {
    match kind {
        LiteralKind::Number => "a number",
        LiteralKind::Text => "a text",
        LiteralKind::Word => "a word",
        LiteralKind::Date => "a date",
        LiteralKind::Bool(_) => "a yes/no value",
    }
}
