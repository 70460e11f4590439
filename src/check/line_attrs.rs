//! Checking tests of a line's attributes (`line has comparison code`, `line comparison code is
//! 27762`) and their placeholders (`{comparison_code}`): they need a line, and a value list of
//! the attribute's kind.

use super::error::UnknownPlaceholder;
use super::Checker;
use crate::ir::*;
use crate::line_attr::{LineAttr, LineAttrKind};
use crate::syntax::ast;
use crate::syntax::span::Span;

impl Checker<'_> {
    /// `line has comparison code`.
    pub(super) fn line_has_attr(
        &mut self,
        attr: LineAttr,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        let what = format!("`line has {}`", attr.words());
        self.require_line(has_line, &what, span)?;
        Some(CondKind::LineAttr(attr, LineAttrTest::Present))
    }

    /// `line comparison code is 27762`, `… in "set"`, `… is not 27762`.
    pub(super) fn line_attr_is(
        &mut self,
        attr: LineAttr,
        negated: bool,
        codes: &ast::CodeRef,
        span: Span,
        has_line: bool,
    ) -> Option<CondKind> {
        let what = format!("`line {} …`", attr.words());
        self.require_line(has_line, &what, span)?;
        let test = match attr.kind() {
            LineAttrKind::Code => LineAttrTest::Codes(self.code_match(codes, has_line)?),
        };
        Some(self.negate_if(negated, CondKind::LineAttr(attr, test), span))
    }

    /// `{comparison_code}` in a message: a rule that judges lines fills it.
    pub(super) fn line_attr_placeholder(
        &mut self,
        attr: LineAttr,
        has_line: bool,
        span: Span,
    ) -> Option<Placeholder> {
        if has_line {
            return Some(Placeholder::LineAttr(attr));
        }
        self.error(UnknownPlaceholder {
            name: attr.field().to_string(),
            reason: "needs a line".into(),
            span: span.into(),
            help: format!(
                "`{{{}}}` names the {} of the line a finding is on; start the rule with `for each line in …`",
                attr.field(),
                attr.words()
            ),
        });
        None
    }
}
