//! Conditions on the table columns of the line's code: `code.<column>` compared, tested for a
//! value, or used as a list of codes, each checked against the column's type.

use super::columns::is_column;
use super::error::*;
use super::literals::describe_literal;
use super::Checker;
use crate::ir::*;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// `code.<column>` where a single code belongs (`suggest code.open_counterpart`).
    pub(super) fn code_column(&mut self, w: &ast::Word, has_line: bool) -> Option<ColumnRef> {
        let (r, ty) = self.column(w, has_line)?;
        if ty != ColumnType::Code {
            self.column_mismatch(w, ty, "a code column");
            return None;
        }
        Some(r)
    }

    /// A number to compare units with: `1` or a number column such as `code.mue`.
    pub(super) fn limit(&mut self, w: &ast::Word, has_line: bool) -> Option<Limit> {
        if !is_column(&w.text) {
            return self.number(w).map(Limit::Number);
        }
        let (r, ty) = self.column(w, has_line)?;
        if ty != ColumnType::Number {
            self.column_mismatch(w, ty, "a number column");
            return None;
        }
        Some(Limit::Column(r))
    }

    /// Codes to look for, some of which may be columns of the line's code (`code.primaries`).
    pub(super) fn code_match(&mut self, r: &ast::CodeRef, has_line: bool) -> Option<CodeMatch> {
        let mut columns = Vec::new();
        let mut fixed = ast::CodeRef {
            items: Vec::with_capacity(r.items.len()),
            span: r.span,
        };
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::CodeItem::Attribute(w) => match self.column(w, has_line) {
                    Some((c, ColumnType::Code | ColumnType::Codes)) => columns.push(c),
                    Some((
                        _,
                        ty @ (ColumnType::Diagnosis
                        | ColumnType::Diagnoses
                        | ColumnType::Procedures),
                    )) => {
                        self.diagnoses_not_codes(w, ty);
                        ok = false;
                    }
                    Some((_, ty)) => {
                        self.column_mismatch(w, ty, "a code or codes column");
                        ok = false;
                    }
                    None => ok = false,
                },
                other => fixed.items.push(other.clone()),
            }
        }
        let set = self.code_ref(&fixed);
        Some(CodeMatch {
            set: set?,
            columns: ok.then_some(columns)?,
        })
    }

    pub(super) fn column_mismatch(&mut self, w: &ast::Word, ty: ColumnType, expected: &str) {
        self.error(TypeMismatch {
            subject: format!("`{}`", w.text),
            found: format!("a {} column", ty.describe()),
            expected: expected.to_string(),
            span: w.span.into(),
            help: column_usage(&w.text, ty),
        });
    }

    /// A test on a column of the line's code, written like a test on a fact:
    /// `code.co_surgeons = 0`, `code.global_days in (XXX, ZZZ)`, `code.includes_imaging`.
    pub(super) fn attr_compare(
        &mut self,
        field: &ast::Word,
        op: ast::CompareOp,
        values: &[&ast::Literal],
        has_line: bool,
    ) -> Option<CondKind> {
        use ast::{CompareOp as Op, LiteralKind as K};
        let (r, ty) = self.column(field, has_line)?;
        let ordering = !matches!(op, Op::Eq | Op::Ne);
        let wrong = |this: &mut Self, v: &ast::Literal| {
            this.error(TypeMismatch {
                subject: format!("`{}`", v.text),
                found: describe_literal(v.kind).into(),
                expected: format!("a {} value for `{}`", ty.describe(), field.text),
                span: v.span.into(),
                help: column_usage(&field.text, ty),
            });
        };
        let test = match ty {
            ColumnType::Number => {
                let mut kinds = Vec::with_capacity(values.len());
                for v in values {
                    match (v.kind, v.text.parse::<f64>()) {
                        (K::Number, Ok(n)) => {
                            kinds.push(CondKind::Attr(r, AttrTest::Number(op, n)))
                        }
                        _ => {
                            wrong(self, v);
                            return None;
                        }
                    }
                }
                return self.any_of(kinds, field);
            }
            _ if ordering => {
                self.column_mismatch(field, ty, "a number column (to compare with `<` or `>`)");
                return None;
            }
            ColumnType::Boolean => match values {
                [v] => match v.kind {
                    K::Bool(b) => AttrTest::Bool(b == (op == Op::Eq)),
                    _ => {
                        wrong(self, v);
                        return None;
                    }
                },
                _ => {
                    self.column_mismatch(field, ty, "a list of values (to test with `in`)");
                    return None;
                }
            },
            ColumnType::Text => {
                let mut texts = Vec::with_capacity(values.len());
                for v in values {
                    if matches!(v.kind, K::Word | K::Text | K::Number) {
                        texts.push(v.text.as_str().into());
                    } else {
                        wrong(self, v);
                        return None;
                    }
                }
                let kind = CondKind::Attr(r, AttrTest::TextIn(texts));
                return Some(self.negate_if(op == Op::Ne, kind, field.span));
            }
            ColumnType::Code
            | ColumnType::Codes
            | ColumnType::Diagnosis
            | ColumnType::Diagnoses
            | ColumnType::Procedures => {
                self.column_mismatch(field, ty, "a column to compare with a value");
                return None;
            }
        };
        Some(CondKind::Attr(r, test))
    }

    /// `code.includes_imaging` standing alone: a yes/no column.
    pub(super) fn attr_named(&mut self, name: &ast::Word, has_line: bool) -> Option<CondKind> {
        let (r, ty) = self.column(name, has_line)?;
        if ty != ColumnType::Boolean {
            self.column_mismatch(name, ty, "a yes/no condition");
            return None;
        }
        Some(CondKind::Attr(r, AttrTest::Bool(true)))
    }

    /// `documented code.open_counterpart`: the table gives the line's code a value.
    pub(super) fn attr_present(&mut self, name: &ast::Word, has_line: bool) -> Option<CondKind> {
        let (r, _) = self.column(name, has_line)?;
        Some(CondKind::Attr(r, AttrTest::Present))
    }
}

/// How a column of a given type is used, for help lines.
fn column_usage(name: &str, ty: ColumnType) -> String {
    match ty {
        ColumnType::Number => {
            format!("compare it with a number: `{name} = 0`, `line units > {name}`")
        }
        ColumnType::Boolean => format!("test it alone (`{name}`) or with `{name} is no`"),
        ColumnType::Text => {
            format!("compare it with text: `{name} is XXX`, `{name} in (000, 010)`")
        }
        ColumnType::Code => {
            format!("it names a code: use it as `suggest {name} \"…\"` or `claim has {name}`")
        }
        ColumnType::Codes => {
            format!("it lists codes: use it as `claim has {name}` or `another line has {name}`")
        }
        ColumnType::Diagnosis | ColumnType::Diagnoses => {
            format!("it holds diagnoses: use it as `line diagnosis in {name}`")
        }
        ColumnType::Procedures => {
            format!("it holds ICD-10-PCS procedures: use it as `claim has procedure in {name}`")
        }
    }
}
