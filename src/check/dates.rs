//! Dates in policies: calendar dates, NCCI versions as the date they take effect, the windows
//! of `before`/`after`/`between` tests and of `effective` clauses.

use super::error::*;
use super::Checker;
use crate::codes::{parse_date, Date, NcciVersion};
use crate::ir::DateWindow;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    fn time_point(&mut self, p: &ast::TimePoint) -> Option<Date> {
        match p {
            ast::TimePoint::Date(w) => {
                let d = parse_date(&w.text);
                if d.is_none() {
                    self.error(MalformedLiteral {
                        text: w.text.clone(),
                        what: "a calendar date",
                        span: w.span.into(),
                        help: "write dates as YYYY-MM-DD, a day that exists: `2010-04-01`".into(),
                    });
                }
                d
            }
            ast::TimePoint::Cci(w) => {
                let v = NcciVersion::parse(&w.text);
                if v.is_none() {
                    self.error(MalformedLiteral {
                        text: w.text.clone(),
                        what: "an NCCI version",
                        span: w.span.into(),
                        help: "NCCI versions are `M.Q` with a quarter Q from 0 to 3: `CCI 16.1` \
                               takes effect on 2010-04-01"
                            .into(),
                    });
                }
                v.map(NcciVersion::effective_date)
            }
        }
    }

    /// The dates a time test holds on: `before` is strict, `after` and `between` inclusive.
    pub(super) fn window(&mut self, t: &ast::TimeTest) -> Option<DateWindow> {
        Some(match t {
            ast::TimeTest::Before(p) => DateWindow {
                from: None,
                until: Some(self.time_point(p)?.pred_opt()?),
            },
            ast::TimeTest::After(p) => DateWindow {
                from: Some(self.time_point(p)?),
                until: None,
            },
            ast::TimeTest::Between(a, b) => {
                let (from, until) = (self.time_point(a)?, self.time_point(b)?);
                if from > until {
                    self.error(EmptyWindow {
                        written: format!("between {from} and {until}"),
                        first: from.to_string(),
                        last: until.to_string(),
                        span: a.span().to(b.span()).into(),
                        help: format!("write the earlier date first: `between {until} and {from}`"),
                    });
                    return None;
                }
                DateWindow {
                    from: Some(from),
                    until: Some(until),
                }
            }
        })
    }

    /// The dates of service an `effective` clause puts something in force on; every date
    /// without one. `None` after an error.
    pub(super) fn effective(&mut self, e: Option<&ast::Effective>) -> Option<DateWindow> {
        let Some(e) = e else {
            return Some(DateWindow::default());
        };
        let mut date = |w: &Option<ast::Word>| match w {
            Some(w) => self
                .time_point(&ast::TimePoint::Date(w.clone()))
                .map(Some)
                .ok_or(()),
            None => Ok(None),
        };
        let (from, until) = (date(&e.from), date(&e.until));
        let window = DateWindow {
            from: from.ok()?,
            until: until.ok()?,
        };
        if let (Some(first), Some(last)) = (window.from, window.until) {
            if first > last {
                self.error(EmptyWindow {
                    written: format!("effective {first} until {last}"),
                    first: first.to_string(),
                    last: last.to_string(),
                    span: e.span.into(),
                    help: format!("write the earlier date first: `effective {last} until {first}`"),
                });
                return None;
            }
        }
        Some(window)
    }
}
