//! Tests of a line's attributes: `line has comparison code` says whether the line gives one
//! (never unknown); a test of its value is unknown on a line that gives none.

use super::{Run, Scope, Truth};
use crate::claim::{Line, LineAttr, LineValue};
use crate::ir::LineAttrTest;

impl Run<'_, '_> {
    pub(super) fn line_attr(
        &self,
        attr: LineAttr,
        test: &LineAttrTest,
        line: &Line,
        scope: Scope,
    ) -> Truth {
        match (test, line.attr(attr)) {
            (LineAttrTest::Present, value) => Truth::from_bool(value.is_some()),
            (LineAttrTest::Codes(_), None) => Truth::Unknown,
            (LineAttrTest::Codes(m), Some(LineValue::Code(code))) => {
                if self.matches(m, code, scope) {
                    Truth::True
                } else {
                    self.no_match(m, scope)
                }
            }
        }
    }
}
