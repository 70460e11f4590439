//! Checking tests of a line's attributes (`line has comparison code`, `line comparison code is
//! 27762`) and their placeholders (`{comparison_code}`): they need a line, and a value list of
//! the attribute's kind.

use super::error::UnknownPlaceholder;
use super::Checker;
use crate::claim::{LineAttr, LineAttrKind};
use crate::ir::*;
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

/// Why two tests of one attribute of the line cannot both hold, if they cannot: a value test
/// beside a test that the line has none (a value test on a missing attribute is unknown), or
/// two value lists that share no code (a line has one value).
pub(super) fn contradiction(
    program: &Program,
    attr: LineAttr,
    (a, a_negated): (&LineAttrTest, bool),
    (b, b_negated): (&LineAttrTest, bool),
) -> Option<String> {
    match (a, b) {
        (LineAttrTest::Codes(x), LineAttrTest::Codes(y)) => {
            let reason = super::contradiction::codes_contradiction(
                program, x, a_negated, y, b_negated, true,
            )?;
            Some(if a_negated || b_negated {
                reason
            } else {
                format!(
                    "a line has one {}, and no code is in both lists",
                    attr.words()
                )
            })
        }
        (LineAttrTest::Present, LineAttrTest::Codes(_)) if a_negated => Some(absent(attr)),
        (LineAttrTest::Codes(_), LineAttrTest::Present) if b_negated => Some(absent(attr)),
        _ => None,
    }
}

fn absent(attr: LineAttr) -> String {
    format!(
        "one needs the line to have no {0}, and a test of a missing {0} is unknown, never true",
        attr.words()
    )
}
