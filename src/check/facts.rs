//! Fact declarations: `fact NAME is TYPE`, each added to the program's facts with its type.

use super::error::*;
use super::Checker;
use crate::ir::*;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    pub(super) fn declare_fact(&mut self, f: &'a ast::FactDecl) {
        let name = f.name.text.as_str();
        if let Some(existing) = self.program.facts.get(name) {
            let help = match existing.loc {
                None => format!("`{name}` is a field of the claim itself; choose another name"),
                Some(prev) => format!("the first declaration is in {}", self.describe_loc(prev)),
            };
            self.duplicate("fact", name, f.name.span, help);
            return;
        }
        let Some(ty) = self.fact_type(&f.ty) else {
            return;
        };
        let origin = if f.derived {
            FactOrigin::Derived
        } else {
            FactOrigin::Documentation
        };
        self.program.facts.insert(
            name.into(),
            FactDef {
                ty,
                origin,
                loc: Some(self.loc(f.span)),
            },
        );
    }

    fn fact_type(&mut self, ty: &ast::FactTypeExpr) -> Option<FactType> {
        Some(match ty {
            ast::FactTypeExpr::Boolean => FactType::Boolean,
            ast::FactTypeExpr::Number => FactType::Number,
            ast::FactTypeExpr::Text => FactType::Text,
            ast::FactTypeExpr::ListOfText => FactType::ListOfText,
            ast::FactTypeExpr::ListOf(words) => FactType::ListOf(self.choices(words, 64)?),
            ast::FactTypeExpr::OneOf(words) => FactType::OneOf(self.choices(words, 64)?),
        })
    }

    fn choices(&mut self, words: &[ast::Word], limit: usize) -> Option<Vec<Box<str>>> {
        let mut out: Vec<Box<str>> = Vec::with_capacity(words.len());
        let mut ok = true;
        for w in words {
            if out.iter().any(|c| **c == *w.text) {
                self.duplicate("value", &w.text, w.span, "list each value once".into());
                ok = false;
            } else {
                out.push(w.text.as_str().into());
            }
        }
        if out.len() > limit {
            if let Some(w) = words.get(limit) {
                self.error(MalformedLiteral {
                    text: w.text.clone(),
                    what: "within the limit of 64 values",
                    span: w.span.into(),
                    help: format!("a fact can declare at most {limit} values; use `text` for more"),
                });
            }
            ok = false;
        }
        ok.then_some(out)
    }
}
